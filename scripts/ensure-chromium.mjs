// Finds Debian Chromium for the browser tests, installing it with apt-get when it is missing and we
// are root (a fresh machine of this kind). Prints the path it found.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const path = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
if (!existsSync(path)) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root) {
    console.error(
      `recurrent-wasm tests: ${path} not found. Install Debian's Chromium (sudo apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
    process.exit(1);
  }
  console.error("recurrent-wasm tests: installing Debian chromium for the browser tests (apt-get)…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-q"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", "chromium"], { stdio: "inherit", env });
}
if (!existsSync(path)) {
  console.error(`recurrent-wasm tests: ${path} still missing after install`);
  process.exit(1);
}
console.error(`recurrent-wasm tests: using ${path}`);
