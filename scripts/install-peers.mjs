// npm run bench:peers — install the benchmark peers outside recurrent-wasm's own dependencies:
// TF.js 4.22 (wasm + cpu backends) and brain.js 2.0.0-beta.24 into bench/peers/node_modules (from
// its lockfile, install scripts off: brain.js's optional GPU packages would build native code),
// and PyTorch (Debian python3-torch with OpenBLAS) through apt-get when running as root.
import { execFileSync, execSync } from "node:child_process";

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: "inherit", ...opts });
run("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: new URL("../bench/peers/", import.meta.url).pathname });
let torch = false;
try { execFileSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" }); torch = true; } catch {}
if (!torch) {
  if (process.getuid?.() === 0) {
    execSync("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch libopenblas0-pthread", { stdio: "inherit" });
  } else {
    console.error("bench:peers: PyTorch is missing; as root: apt-get install python3-torch libopenblas0-pthread");
  }
}
console.log("bench:peers: installed; `npm run bench` now runs them alongside recurrent-wasm");
