// What the Neural ODE benchmarks share: the persistent torchdiffeq peer (a Python process that
// reads one JSON command per line, bench/peers/torchdiffeq_worker.py) and the spiral demo's batch.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** Start the peer (PyTorch on one thread); ask(cmd) sends a command and resolves to its answer. */
export function torchdiffeqPeer() {
  const py = spawn("/usr/bin/python3", [new URL("./torchdiffeq_worker.py", import.meta.url).pathname], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" } });
  const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  return {
    async ask(cmd) { py.stdin.write(JSON.stringify(cmd) + "\n"); const { value } = await lines.next(); return JSON.parse(value); },
    async close() { try { py.stdin.write(JSON.stringify({ cmd: "quit" }) + "\n"); } catch { /* gone */ } py.kill(); },
  };
}

/** The spiral demo's shape: B = 20 windows of S = 10 times (spacing 25/999), seeded h0 and an
 *  incoming gradient g [B, S, D], and g in torchdiffeq's [S, B, D] order. */
export function spiralBatch() {
  const B = 20, S = 10, D = 2, dt = 25 / 999;
  const times = Float64Array.from({ length: S }, (_, i) => i * dt);
  let seed = 12345;
  const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; };
  const h0 = Float32Array.from({ length: B * D }, () => 4 * rnd());
  const g = Float32Array.from({ length: B * S * D }, () => rnd());
  const gTorch = Array.from({ length: S * B * D }, (_, i) => { const s = Math.floor(i / (B * D)), b = Math.floor(i / D) % B, d = i % D; return g[(b * S + s) * D + d]; });
  return { B, S, D, times, h0, g, gTorch };
}
