#!/usr/bin/env node
// PyTorch as the native reference, alternated in one run (issue 18): each installed PyTorch runs as
// a persistent child process (bench/peers/torch_worker.py, one thread), and every round times ours,
// then each PyTorch, on the same configuration (bench/suites/common.mjs: the training step of
// steps.mjs and a forward pass). Rows give the median of the per-round ratios and their spread
// (marked when the rounds disagree by more than 15%). The same run alternates the GEMM peaks (ours:
// the packed f32x4 GEMM at 128³ and 1024³, the better; PyTorch: torch.mm 1024³), so the bound the
// SIMD width sets, native peak ÷ ours, comes from one run. Ours on 2 threads runs as a child process
// (bench/peers/ours_worker.mjs) alternated the same way: its ratio, 1 thread's time ÷ 2 threads',
// is the speed-up.
// Peers: Debian's torch 1.13 (/usr/bin/python3, OpenBLAS) and torch 2.x in bench/peers/.venv
// (`npm run bench:peers`), whichever are there. Usage: npm run build && node bench/torch-peer.mjs
// [--rounds N] [--configs small,medium,large] [--cells rnn,lstm,gru]
import { spawn, execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { init } from "../dist/index.js";
import { core } from "../dist/core.js";
import { CONFIGS, CELLS, forwardFlops, oursSteps, rnd } from "./suites/common.mjs";
import { median } from "./timing.mjs";
import { writeTorchSection } from "./torch-report.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const ROUNDS = +opt("--rounds", 7);
const configs = CONFIGS.filter((c) => opt("--configs", "small,medium,large").split(",").includes(c.name));
const cells = CELLS.filter(([c]) => opt("--cells", "rnn,lstm,gru").split(",").includes(c));
const SAMPLE_MS = 150;

/** A persistent peer process (PyTorch, or ours on 2 threads): ask(command) → its JSON answer. */
function peer(cmd, name, argv = [fileURLToPath(new URL("./peers/torch_worker.py", import.meta.url))]) {
  const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const p = spawn(cmd, argv, { env, stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: p.stdout });
  const waiting = [];
  lines.on("line", (l) => waiting.shift()?.(JSON.parse(l)));
  return { name, ask: (o) => new Promise((res) => { waiting.push(res); p.stdin.write(JSON.stringify(o) + "\n"); }), close: () => p.stdin.end() };
}
const hasTorch = (py) => { try { execFileSync(py, ["-c", "import torch"], { stdio: "ignore" }); return true; } catch { return false; } };
const venv = fileURLToPath(new URL("./peers/.venv/bin/python", import.meta.url));
const peers = [];
if (existsSync(venv) && hasTorch(venv)) peers.push(peer(venv, "torch2"));
if (hasTorch("/usr/bin/python3")) peers.push(peer("/usr/bin/python3", "torch113"));
if (!peers.length) { console.error("no PyTorch found: npm run bench:peers"); process.exit(2); }
// ours on 2 threads: a child process of its own (one process runs one thread count), alternated
// like a peer; its ratio is 2 threads ÷ 1 thread (this process)
const ours2 = peer(process.execPath, "ours2", [fileURLToPath(new URL("./peers/ours_worker.mjs", import.meta.url)), "2"]);
ours2.info = await ours2.ask({ cmd: "info" });
// TF.js's wasm backend, the fastest JavaScript peer, alternated the same way (--no-tfjs to skip;
// only on the configurations in --tfjs-configs, default small and medium: a large LSTM step takes
// it about 12 s)
const tfjsConfigs = opt("--tfjs-configs", "small,medium").split(",");
const tfjsDir = new URL("./peers/node_modules/@tensorflow/tfjs/", import.meta.url);
const tfjs = !args.includes("--no-tfjs") && existsSync(tfjsDir) ? peer(process.execPath, "tfjs", [fileURLToPath(new URL("./peers/tfjs_worker.mjs", import.meta.url)), "wasm"]) : null;
if (tfjs) tfjs.info = await tfjs.ask({ cmd: "info" });
const allTimed = [...peers, ours2, ...(tfjs ? [tfjs] : [])];
for (const p of peers) p.info = await p.ask({ cmd: "info" });
await init();
const c = core();

/** ms per call of fn over `reps` calls. */
const perCall = (fn, reps) => { const t0 = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t0) / reps; };
const repsFor = (ms) => Math.max(1, Math.round(SAMPLE_MS / ms));

// --- GEMM peaks, alternated ---------------------------------------------------------------------
async function peaks() {
  const ours = [128, 1024].map((N) => {
    const [pa, pb, pc, pp] = [0, 1, 2, 3].map(() => c.alloc(4 * N * N));
    for (const p of [pa, pb]) { const v = new Float32Array(c.memory.buffer, p, N * N); for (let i = 0; i < v.length; i++) v[i] = rnd(); }
    c.pack_panels(N, N, pb, N, 1, pp);
    const fn = () => c.gemm_f32_4x8_packed(N, N, N, pa, N, 1, pp, pc, N, false);
    fn();
    return { N, fn, reps: repsFor(perCall(fn, 1)), free: () => [pa, pb, pc, pp].forEach((p) => c.free(p)) };
  });
  const g = { ours: [], ...Object.fromEntries(peers.map((p) => [p.name, []])) };
  for (let r = 0; r < ROUNDS; r++) {
    g.ours.push(Math.max(...ours.map((o) => (2 * o.N ** 3) / (perCall(o.fn, o.reps) * 1e6))));
    for (const p of peers) g[p.name].push((await p.ask({ cmd: "mm", n: 1024, reps: 20 })).gflops);
  }
  ours.forEach((o) => o.free());
  return Object.fromEntries(Object.entries(g).map(([k, v]) => [k, median(v)]));
}

// --- training step and forward pass, alternated ---------------------------------------------------
async function row(cell, cellName, G, cfg) {
  const timed = allTimed.filter((p) => p !== tfjs || tfjsConfigs.includes(cfg.name));
  const { B, T, I, H } = cfg;
  const ours = oursSteps(cell, cfg);
  for (const p of timed) await p.ask({ cmd: "setup", cell, B, T, I, H });
  const out = { cell: cellName, config: cfg.name, B, T, I, H, flops: forwardFlops(B, T, I, H, G) };
  for (const what of ["train", "forward"]) {
    const reps = repsFor(perCall(ours[what], 1));
    const peerReps = {};
    for (const p of timed) peerReps[p.name] = repsFor((await p.ask({ cmd: "time", what, reps: 1 })).ms);
    const mine = [], theirs = Object.fromEntries(timed.map((p) => [p.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      mine.push(perCall(ours[what], reps));
      for (const p of timed) theirs[p.name].push((await p.ask({ cmd: "time", what, reps: peerReps[p.name] })).ms);
    }
    out[what] = { ours: median(mine), ...Object.fromEntries(timed.map((p) => {
      const ratios = mine.map((m, i) => m / theirs[p.name][i]);
      const med = median(ratios), spread = (Math.max(...ratios) - Math.min(...ratios)) / med;
      return [p.name, { ms: median(theirs[p.name]), ratio: med, min: Math.min(...ratios), max: Math.max(...ratios), disagree: spread > 0.15 }];
    })) };
  }
  ours.dispose();
  return out;
}

const t0 = Date.now();
const peak = await peaks();
console.log(`GEMM peaks (GFLOP/s, medians of ${ROUNDS} alternated rounds): ours ${peak.ours.toFixed(1)}, ${peers.map((p) => `${p.name} ${peak[p.name].toFixed(1)}`).join(", ")}`);
const rows = [];
for (const cfg of configs) for (const [cell, cellName, G] of cells) {
  const r = await row(cell, cellName, G, cfg);
  rows.push(r);
  const f = (w) => `${r[w].ours.toFixed(2)} ms, 2 threads ×${r[w].ours2.ratio.toFixed(2)}, ${r[w].tfjs ? `TF.js wasm ×${(1 / r[w].tfjs.ratio).toFixed(1)} slower, ` : ""}${peers.map((p) => `÷ ${p.name} ${r[w][p.name].ratio.toFixed(2)} (${r[w][p.name].min.toFixed(2)}–${r[w][p.name].max.toFixed(2)})${r[w][p.name].disagree ? " !" : ""}`).join(", ")}`;
  console.log(`${cellName} ${cfg.name}: train ${f("train")}; forward ${f("forward")}`);
}
for (const p of allTimed) p.close();
writeFileSync(new URL("./torch-peer.json", import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, rounds: ROUNDS, seconds: (Date.now() - t0) / 1000, peers: peers.map((p) => ({ name: p.name, ...p.info })), ...(tfjs ? { tfjs: tfjs.info } : {}), peak, rows }, null, 1) + "\n");
writeTorchSection();
