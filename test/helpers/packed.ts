// The package as a user installs it: `npm pack`'s tarball (of the current build: npm test builds
// first, and --ignore-scripts skips prepack's second build) unpacked into a fresh app's
// node_modules, with Node's types linked for TypeScript checks.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** A fresh app folder holding node_modules/recurrent-wasm; `files` are the tarball's paths, sorted. */
export function packedApp(): { app: string; files: string[] } {
  const out = mkdtempSync(join(tmpdir(), "rw-pack-"));
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", out], { cwd: root,
      encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
  );
  const files = packed[0].files.map((f: { path: string }) => f.path).sort();
  const app = join(out, "app");
  mkdirSync(join(app, "node_modules/@types"), { recursive: true });
  execFileSync("tar", ["-xzf", join(out, packed[0].filename), "-C", out]);
  renameSync(join(out, "package"), join(app, "node_modules/recurrent-wasm"));
  symlinkSync(join(root, "node_modules/@types/node"), join(app, "node_modules/@types/node"), "dir");
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  return { app, files };
}
