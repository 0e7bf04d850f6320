// npm run bench:peers — install the benchmark peers outside recurrent-wasm's own dependencies:
// TF.js 4.22 (wasm + cpu backends), brain.js 2.0.0-beta.24 and onnxruntime-web 1.30 into bench/peers/node_modules (from
// its lockfile, install scripts off: brain.js's optional GPU packages would build native code);
// Debian's PyTorch 1.13 with OpenBLAS and pomegranate (the HMM peer) through apt-get when running
// as root; and, from the Python package index into bench/peers/.venv (a virtual environment of the
// first python3 on PATH), PyTorch 2 (the native reference of `npm run bench`) and JAX with SciPy
// (the Neural ODE peer: odeint and its adjoint, solve_ivp's DOP853 reference; bench/peers/ode*.mjs).
import { execFileSync, execSync } from "node:child_process";
import { existsSync } from "node:fs";

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: "inherit", ...opts });
run("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], {
  cwd: new URL("../bench/peers/", import.meta.url).pathname,
});
const pyHas = (bin, mod) => {
  try {
    execFileSync(bin, ["-c", `import ${mod}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const missing = [["torch", "python3-torch libopenblas0-pthread"], ["pomegranate", "python3-pomegranate"]].filter((
  [m],
) => !pyHas("/usr/bin/python3", m)).map(([, p]) => p);
if (missing.length) {
  if (process.getuid?.() === 0) {
    execSync(`apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(" ")}`, {
      stdio: "inherit",
    });
  } else {
    console.error(`bench:peers: missing Python peers; as root: apt-get install ${missing.join(" ")}`);
  }
}
// The virtual environment: each package set the versions measured here first (torch 2.13.0+cpu is a
// local wheel on the benchmark machine), else whatever pip resolves the names to.
const venv = new URL("../bench/peers/.venv/", import.meta.url).pathname, py = venv + "bin/python";
const pip = (pinned, names) => {
  try {
    run(py, ["-m", "pip", "install", "--quiet", ...pinned]);
  } catch {
    run(py, ["-m", "pip", "install", "--quiet", ...names]);
  }
};
try {
  if (!existsSync(py)) run("python3", ["-m", "venv", venv]);
} catch (e) {
  console.error(
    `bench:peers: no virtual environment (${
      e.message.split("\n")[0]
    }): npm run bench runs with PyTorch 1.13 alone, and the ODE benchmarks need JAX and SciPy on python3`,
  );
  process.exit(0);
}
try {
  if (!pyHas(py, "torch")) pip(["torch==2.13.0+cpu", "numpy"], ["torch", "numpy"]);
} catch (e) {
  console.error(
    `bench:peers: PyTorch 2 not installed (${e.message.split("\n")[0]}); npm run bench runs with PyTorch 1.13 alone`,
  );
}
try {
  if (!pyHas(py, "jax, scipy")) pip(["jax==0.10.2", "jaxlib==0.10.2", "scipy==1.17.1"], ["jax", "jaxlib", "scipy"]);
} catch (e) {
  console.error(
    `bench:peers: JAX and SciPy not installed (${
      e.message.split("\n")[0]
    }); the ODE benchmarks (npm run bench:ode) need them`,
  );
}
console.log("bench:peers: installed; `npm run bench` and `npm run bench:ode` now run them alongside recurrent-wasm");
