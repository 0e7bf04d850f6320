// npm run bench:peers — install the benchmark peers outside recurrent-wasm's own dependencies:
// TF.js 4.22 (wasm + cpu backends), brain.js 2.0.0-beta.24 and onnxruntime-web 1.30 into bench/peers/node_modules (from
// its lockfile, install scripts off: brain.js's optional GPU packages would build native code),
// and PyTorch (Debian python3-torch with OpenBLAS), scipy (the ODE accuracy reference) and
// pomegranate (the HMM peer) through apt-get when running as root.
import { execFileSync, execSync } from "node:child_process";

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: "inherit", ...opts });
run("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: new URL("../bench/peers/", import.meta.url).pathname });
const has = (mod) => { try { execFileSync("/usr/bin/python3", ["-c", `import ${mod}`], { stdio: "ignore" }); return true; } catch { return false; } };
const missing = [["torch", "python3-torch libopenblas0-pthread"], ["scipy", "python3-scipy"], ["pomegranate", "python3-pomegranate"]].filter(([m]) => !has(m)).map(([, p]) => p);
if (missing.length) {
  if (process.getuid?.() === 0) {
    execSync(`apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(" ")}`, { stdio: "inherit" });
  } else {
    console.error(`bench:peers: missing Python peers; as root: apt-get install ${missing.join(" ")}`);
  }
}
// PyTorch 2.x (MKL + oneDNN), the native reference of `npm run bench`, in a virtual environment
// of the first python3 on PATH, when pip can get it: the CPU build first (torch==2.13.0+cpu, a local
// wheel on the benchmark machine), else whatever `pip install torch` resolves to
const venv = new URL("../bench/peers/.venv/", import.meta.url).pathname, py = venv + "bin/python";
const pyHas = (bin, mod) => { try { execFileSync(bin, ["-c", `import ${mod}`], { stdio: "ignore" }); return true; } catch { return false; } };
try {
  if (!pyHas(py, "torch")) {
    run("python3", ["-m", "venv", venv]);
    try { run(py, ["-m", "pip", "install", "--quiet", "torch==2.13.0+cpu", "numpy"]); } catch { run(py, ["-m", "pip", "install", "--quiet", "torch", "numpy"]); }
  }
} catch (e) {
  console.error(`bench:peers: PyTorch 2 not installed (${e.message.split("\n")[0]}); npm run bench runs with PyTorch 1.13 alone`);
}
console.log("bench:peers: installed; `npm run bench` now runs them alongside recurrent-wasm");
