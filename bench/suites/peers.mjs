// The peers, each a child process per (cell, config) so that no peer's state or threads touch
// another's: PyTorch CPU on one thread, TF.js wasm and cpu, brain.js (`npm run bench:peers`
// installs them into bench/peers; PyTorch through apt).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const DIR = new URL("../peers/", import.meta.url);

export function peers(enabled) {
  const npm = enabled && existsSync(new URL("node_modules/@tensorflow/tfjs/package.json", DIR));
  const brain = npm && existsSync(new URL("node_modules/brain.js/package.json", DIR));
  let torch = false;
  if (enabled) { try { execFileSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" }); torch = true; } catch {} }
  return [
    { key: "torch", name: "PyTorch CPU, 1 thread", on: torch, cmd: (a) => ["/usr/bin/python3", [new URL("torch_bench.py", DIR).pathname, a]], env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" } },
    { key: "tfwasm", name: "TF.js 4.22 wasm", on: npm, cmd: (a) => [process.execPath, [new URL("tfjs.mjs", DIR).pathname, a]], backend: "wasm" },
    { key: "tfcpu", name: "TF.js 4.22 cpu", on: npm, cmd: (a) => [process.execPath, [new URL("tfjs.mjs", DIR).pathname, a]], backend: "cpu", skip: (cfg) => cfg.name === "large" },
    { key: "brain", name: "brain.js 2.0.0-beta.24", on: brain, cmd: (a) => [process.execPath, [new URL("brain.mjs", DIR).pathname, a]], skip: (cfg) => cfg.name === "large" },
  ];
}

/** One peer on one cell and configuration: { train, forward, samples } (ms) or { error }. */
export function runPeer(peer, cell, cfg, quick) {
  if (!peer.on || peer.skip?.(cfg)) return null;
  const arg = JSON.stringify({ cell, backend: peer.backend, B: cfg.B, T: cfg.T, I: cfg.I, H: cfg.H, budget: quick ? 2 : 6 });
  const [bin, args] = peer.cmd(arg);
  try {
    const out = execFileSync(bin, args, { encoding: "utf8", env: { ...process.env, ...(peer.env ?? {}) }, stdio: ["ignore", "pipe", "ignore"], timeout: 600_000 });
    return JSON.parse(out.trim().split("\n").pop());
  } catch (e) {
    return { error: String(e.message ?? e).split("\n")[0] };
  }
}
