// What the Neural ODE benchmarks share: the Python that has the peer (JAX and SciPy), the
// persistent JAX peer (a Python process that reads one JSON command per line,
// bench/peers/ode_jax_worker.py) and the spiral demo's batch.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
/** One thread for XLA and the BLAS, as for every peer of bench/. */
export const ONE_THREAD = { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1",
  XLA_FLAGS: "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" };

/** The first of $ODE_PEER_PYTHON, bench/peers/.venv/bin/python (`npm run bench:peers`) and python3
 *  on PATH that imports jax and scipy; exits with the install command when none does. */
export function odePython() {
  for (const py of [process.env.ODE_PEER_PYTHON, here("./.venv/bin/python"), "python3"]) {
    if (!py || (py.includes("/") && !existsSync(py))) continue;
    try {
      execFileSync(py, ["-c", "import jax, scipy"], { stdio: "ignore" });
      return py;
    } catch { /* next */ }
  }
  console.error(
    "the Neural ODE peer needs JAX and SciPy: npm run bench:peers (or python3 -m pip install jax jaxlib scipy)",
  );
  process.exit(2);
}

/** Start the peer (JAX on one thread); ask(cmd) sends a command and resolves to its answer. */
export function jaxPeer() {
  const py = spawn(odePython(), [here("./ode_jax_worker.py")], { stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, ...ONE_THREAD } });
  const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  return { async ask(cmd) {
    py.stdin.write(JSON.stringify(cmd) + "\n");
    const { value } = await lines.next();
    return JSON.parse(value);
  },
    async close() {
      try {
        py.stdin.write(JSON.stringify({ cmd: "quit" }) + "\n");
      } catch { /* gone */ }
      py.kill();
    } };
}

/** The spiral demo's shape: B = 20 windows of S = 10 times (spacing 25/999), seeded h0 and an
 *  incoming gradient g [B, S, D], and g in the peer's [S, B, D] order (gPeer). */
export function spiralBatch() {
  const B = 20, S = 10, D = 2, dt = 25 / 999;
  const times = Float64Array.from({ length: S }, (_, i) => i * dt);
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const h0 = Float32Array.from({ length: B * D }, () => 4 * rnd());
  const g = Float32Array.from({ length: B * S * D }, () => rnd());
  const gPeer = Array.from({ length: S * B * D }, (_, i) => {
    const s = Math.floor(i / (B * D)), b = Math.floor(i / D) % B, d = i % D;
    return g[(b * S + s) * D + d];
  });
  return { B, S, D, times, h0, g, gPeer };
}

/** Where a benchmark's numbers go: bench/results/NAME.json from a run with the default options,
 *  NAME.partial.json (not committed) from a smaller one, which leaves RESULTS.md alone. */
export function resultsFile(name, partial) {
  return new URL(`../results/${name}${partial ? ".partial" : ""}.json`, import.meta.url);
}
