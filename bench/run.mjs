// recurrent-wasm benchmarks (benchmark.js): GEMM peak, then for Elman, LSTM and GRU the training
// step (forward + BPTT + Adam, linear readout from the last state, MSE) and forward-only for fixed
// configurations, each followed by the same step in every installed peer (PyTorch CPU on one
// thread, TF.js wasm and cpu backends, brain.js; `npm run bench:peers` installs them into
// bench/peers), so that ratios come from one run on one machine.
// Writes bench/RESULTS.md. Run: npm run bench [-- --quick] [-- --no-peers]
import Benchmark from "benchmark";
import { execSync, execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { core as wasm } from "../dist/core.js";
import { init, coreInfo, Model, RNN, LSTM, GRU, Adam, orthogonal, jacobianProducts, singularValues, spectralRadius } from "../dist/index.js";

const CONFIGS = [
  { name: "small", B: 32, T: 50, I: 16, H: 64 },
  { name: "medium", B: 32, T: 100, I: 32, H: 128 },
  { name: "large", B: 64, T: 100, I: 64, H: 256 },
];
const quick = process.argv.includes("--quick");
const PEER_DIR = new URL("./peers/", import.meta.url);
const havePeerNpm = !process.argv.includes("--no-peers") && existsSync(new URL("node_modules/@tensorflow/tfjs/package.json", PEER_DIR));
const haveBrain = havePeerNpm && existsSync(new URL("node_modules/brain.js/package.json", PEER_DIR));
let haveTorch = false;
if (!process.argv.includes("--no-peers")) {
  try { execFileSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" }); haveTorch = true; } catch {}
}
/** The peers, each a child process per (cell, config) so that no peer's state or threads touch another's. */
const PEERS = [
  { key: "torch", name: "PyTorch CPU, 1 thread", on: haveTorch, cmd: (a) => ["/usr/bin/python3", [new URL("torch_bench.py", PEER_DIR).pathname, a]], env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" } },
  { key: "tfwasm", name: "TF.js 4.22 wasm", on: havePeerNpm, cmd: (a) => [process.execPath, [new URL("tfjs.mjs", PEER_DIR).pathname, a]], backend: "wasm" },
  { key: "tfcpu", name: "TF.js 4.22 cpu", on: havePeerNpm, cmd: (a) => [process.execPath, [new URL("tfjs.mjs", PEER_DIR).pathname, a]], backend: "cpu", skip: (cfg) => cfg.name === "large" },
  { key: "brain", name: "brain.js 2.0.0-beta.24", on: haveBrain, cmd: (a) => [process.execPath, [new URL("brain.mjs", PEER_DIR).pathname, a]], skip: (cfg) => cfg.name === "large" },
];
function runPeer(peer, cell, cfg) {
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

function median(a) { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; }

function run(name, fn) {
  return new Promise((resolve) => {
    const b = new Benchmark(name, fn, { minSamples: quick ? 5 : 20, maxTime: quick ? 1 : 4, initCount: 1 });
    b.on("complete", () => resolve({ ms: median(b.stats.sample) * 1000, rme: b.stats.rme, samples: b.stats.sample.length }));
    b.run();
  });
}

// --relaxed-child: run by the main run under `node --experimental-wasm-relaxed-simd` to measure the
// opt-in relaxed-SIMD build on the same configurations; prints JSON and exits
// --threads-child: likewise for the threaded build on 2 threads
const relaxedChild = process.argv.includes("--relaxed-child");
const threadsChild = process.argv.includes("--threads-child");
const child = relaxedChild || threadsChild;
await init({ ...(relaxedChild ? { relaxedSimd: true } : {}), ...(threadsChild ? { threads: 2 } : {}) });
const c = wasm();
const rnd = (() => { let s = 1; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5; })();

// GEMM peak: 128×128×128, C = A·B, with B row-major and with B packed into K×8 panels (the
// recurrences' kernel); the faster of the two is the peak
const N = 128;
const pa = c.alloc(4 * N * N), pb = c.alloc(4 * N * N), pc = c.alloc(4 * N * N), pp = c.alloc(4 * N * N);
for (const p of [pa, pb]) { const v = new Float32Array(c.memory.buffer, p, N * N); for (let i = 0; i < v.length; i++) v[i] = rnd(); }
c.pack_panels(N, N, pb, N, 1, pp);
let gemmRow = await run("gemm 128^3", () => c.gemm_f32_4x8_wasmsimd(N, N, N, pa, N, 1, pb, N, pc, N, false));
let gemmPacked = await run("gemm 128^3 packed", () => c.gemm_f32_4x8_packed(N, N, N, pa, N, 1, pp, pc, N, false));
const gflopsOf = (ms) => (2 * N ** 3) / (ms * 1e-3) / 1e9;
let peak = gflopsOf(Math.min(gemmPacked.ms, gemmRow.ms));
console.log(`gemm 128x128x128: ${gemmRow.ms.toFixed(4)} ms, ${gflopsOf(gemmRow.ms).toFixed(1)} GFLOP/s; packed B ${gemmPacked.ms.toFixed(4)} ms, ${gflopsOf(gemmPacked.ms).toFixed(1)} GFLOP/s`);

const rows = [];
const CELLS = [["rnn", "Elman", 1, RNN], ["lstm", "LSTM", 4, LSTM], ["gru", "GRU", 3, GRU]];
for (const [cell, cellName, G, Layer] of CELLS) for (const cfg of CONFIGS) {
  const { B, T, I, H } = cfg;
  const fwdFlops = 2 * B * T * G * (I * H + H * H);
  const data = { x: Array.from({ length: B }, () => Float32Array.from({ length: T * I }, rnd)), y: Float32Array.from({ length: B }, rnd) };
  const model = new Model({ cell, inputSize: I, hiddenSize: H, outputSize: 1, seed: 1 });
  const opt = new Adam({ learningRate: 1e-4 });
  const train = await run(`${cellName} ${cfg.name} train`, () => model.trainBatch(data, opt));
  const rnn = new Layer({ inputSize: I, hiddenSize: H, seed: 1 });
  const x = Float32Array.from({ length: B * T * I }, rnd);
  const fwd = await run(`${cellName} ${cfg.name} forward`, () => rnn.forward(x, { batch: B, steps: T }));
  const r = {
    ...cfg, cellName,
    trainMs: train.ms, trainGflops: (3 * fwdFlops) / (train.ms * 1e-3) / 1e9,
    fwdMs: fwd.ms, fwdGflops: fwdFlops / (fwd.ms * 1e-3) / 1e9,
    trainRme: train.rme, fwdRme: fwd.rme,
  };
  rows.push(r);
  console.log(`${cellName} ${cfg.name} (B${B},T${T},I${I},H${H}): train ${r.trainMs.toFixed(2)} ms (${r.trainGflops.toFixed(1)} GFLOP/s, ${(100 * r.trainGflops / peak).toFixed(0)}% of GEMM peak); forward ${r.fwdMs.toFixed(2)} ms (${r.fwdGflops.toFixed(1)} GFLOP/s, ${(100 * r.fwdGflops / peak).toFixed(0)}%)`);
  model.dispose(); rnn.dispose();
  r.peers = {};
  if (!child) for (const peer of PEERS) {
    const res = runPeer(peer, cell, cfg);
    if (!res) continue;
    r.peers[peer.key] = res;
    console.log(`  ${peer.name}: ${res.error ? `error: ${res.error}` : `train ${res.train.toFixed(2)} ms, forward ${res.forward.toFixed(2)} ms`}`);
  }
}

if (child) {
  console.log(JSON.stringify({ ...coreInfo(), peak, rows: rows.map((r) => ({ cellName: r.cellName, name: r.name, trainMs: r.trainMs, fwdMs: r.fwdMs })) }));
  process.exit(0);
}
/** The lower median of two child runs, row by row (see "second round" below); the higher GEMM peak. */
const lowerOf = (a, b) => (a && b ? { ...a, peak: Math.max(a.peak, b.peak), rows: a.rows.map((r, i) => ({ ...r, trainMs: Math.min(r.trainMs, b.rows[i].trainMs), fwdMs: Math.min(r.fwdMs, b.rows[i].fwdMs) })) } : a ?? b);
/** Run this script as a child with the given node flags and script flags, twice (once with
 *  --quick), and keep the lower median per row; null if the child did not get what it asked for. */
function childRuns(nodeFlags, flags, ok) {
  const once = () => {
    const out = execFileSync(process.execPath, [...nodeFlags, new URL(import.meta.url).pathname, ...flags, ...(quick ? ["--quick"] : [])], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const r = JSON.parse(out.trim().split("\n").pop());
    return ok(r) ? r : null;
  };
  const first = once();
  return first && !quick ? lowerOf(first, once()) : first;
}
// the threaded build on 2 threads (and with relaxed SIMD too), then the relaxed-SIMD build on one
// thread, same configurations, each in child processes (Node 20 needs a flag for relaxed SIMD)
const RELAXED_FLAG = ["--experimental-wasm-relaxed-simd"];
let threaded = null, threadedRelaxed = null, relaxed = null;
try {
  threaded = childRuns([], ["--threads-child"], (r) => r.threads === 2);
  threadedRelaxed = childRuns(RELAXED_FLAG, ["--threads-child", "--relaxed-child"], (r) => r.threads === 2 && r.relaxedSimd);
} catch (e) { console.log(`threaded run failed: ${e.message}`); }
if (threaded) console.log(`2 threads: ${threaded.rows.map((r, i) => `${r.cellName} ${r.name} train ${r.trainMs.toFixed(2)} ms (${(rows[i].trainMs / r.trainMs).toFixed(2)}x)`).join(", ")}`);
try {
  relaxed = childRuns(RELAXED_FLAG, ["--relaxed-child"], (r) => r.relaxedSimd);
} catch (e) { console.log(`relaxed-SIMD run failed: ${e.message}`); }
if (relaxed) console.log(`relaxed SIMD: GEMM ${relaxed.peak.toFixed(1)} GFLOP/s; ${relaxed.rows.map((r) => `${r.cellName} ${r.name} train ${r.trainMs.toFixed(2)} ms`).join(", ")}`);

// diagnostics and initialization
function runFew(name, fn) {
  return new Promise((resolve) => {
    const b = new Benchmark(name, fn, { minSamples: 5, maxTime: quick ? 1 : 3, initCount: 1 });
    b.on("complete", () => resolve({ ms: median(b.stats.sample) * 1000 }));
    b.run();
  });
}
const diag = [];
for (const n of [256, 1024]) diag.push([`orthogonal(${n}, ${n}) (Gaussian draw + blocked Householder QR)`, (await runFew(`orth ${n}`, () => orthogonal(n, n, { seed: 1 }))).ms]);
{
  const m = new Float32Array(128 * 128).map(rnd);
  diag.push(["all singular values of a 128×128 matrix (one-sided Jacobi, f64)", (await runFew("svd 128", () => singularValues(m, 128, 128))).ms]);
  diag.push(["spectral radius of a 128×128 matrix (Hessenberg + Francis QR, f64)", (await runFew("eig 128", () => spectralRadius(m, 128))).ms]);
  const cfg = CONFIGS[1], rnn = new RNN({ inputSize: cfg.I, hiddenSize: cfg.H, seed: 1 });
  const x = Float32Array.from({ length: cfg.B * cfg.T * cfg.I }, rnd), g = Float32Array.from({ length: cfg.B * cfg.H }, rnd);
  const plain = await runFew("bptt", () => { rnn.forward(x, { batch: cfg.B, steps: cfg.T }); rnn.backward({ hN: g }); });
  const rec = await runFew("bptt+stateGrads", () => { rnn.forward(x, { batch: cfg.B, steps: cfg.T }); rnn.backward({ hN: g }, { stateGrads: true }); });
  diag.push([`Elman medium forward + backward, plain / with stateGrads (per-step ∂L/∂h_t and norms)`, plain.ms, rec.ms]);
  const one = new RNN({ inputSize: 16, hiddenSize: 64, seed: 1 }), x1 = Float32Array.from({ length: 100 * 16 }, rnd);
  diag.push(["jacobianProducts, H = 64, T = 100 (64 VJPs + 100 SVDs of 64×64)", (await runFew("jac", () => jacobianProducts(one, x1, { steps: 100 }))).ms]);
  rnn.dispose(); one.dispose();
}
for (const d of diag) console.log(`${d[0]}: ${d.slice(1).map((v) => v.toFixed(2)).join(" / ")} ms`);

// memory: what a training step holds in WebAssembly memory (floats → MiB), by the core's own sizes
const MiB = (floats) => (4 * floats / 2 ** 20);
const mem = [];
for (const [cell, cellName, G] of CELLS) for (const cfg of CONFIGS) {
  const code = cell === "lstm" ? 2 : cell === "gru" ? 3 : 0;
  const { B, T, I, H } = cfg;
  const P = c.rnn_param_count(code, I, H, 1, 1) + H + 1;
  const ws = c.rnn_workspace_floats(code, B, T, I, H, 1, 1, 0);
  const perStep = (c.rnn_workspace_floats(code, B, 2 * T, I, H, 1, 1, 0) - ws) / (T * B);
  const wsCk = c.rnn_workspace_floats(code, B, T, I, H, 1, 1, 1);
  mem.push({ cellName, cfg, P, ws, wsCk, perStep, G });
}

// scaling of the GRU training step with T and with H (B = 32, I = 32)
const scaling = [];
for (const [T, H] of [[50, 128], [100, 128], [200, 128], [500, 128], [1000, 128], [100, 64], [100, 256], [100, 512]]) {
  const B = 32, I = 32;
  const data = { x: Array.from({ length: B }, () => Float32Array.from({ length: T * I }, rnd)), y: Float32Array.from({ length: B }, rnd) };
  const model = new Model({ cell: "gru", inputSize: I, hiddenSize: H, outputSize: 1, seed: 1 });
  const opt = new Adam({ learningRate: 1e-4 });
  const r = await runFew(`gru T${T} H${H}`, () => model.trainBatch(data, opt));
  const flops = 3 * 2 * B * T * 3 * (I * H + H * H);
  scaling.push({ T, H, ms: r.ms, gflops: flops / (r.ms * 1e-3) / 1e9 });
  console.log(`GRU training step B32 I32 T${T} H${H}: ${r.ms.toFixed(2)} ms (${(flops / (r.ms * 1e-3) / 1e9).toFixed(1)} GFLOP/s)`);
  model.dispose();
}

// gradient checkpointing: stored vs checkpointed training steps, measured alternately (one sample
// of each in turn) so that outside load hits both; workspace of both (B = 32, I = 32, H = 128)
const ckRows = [];
for (const [cell, cellName] of CELLS) for (const T of [100, 1000]) {
  const B = 32, I = 32, H = 128;
  const data = { x: Array.from({ length: B }, () => Float32Array.from({ length: T * I }, rnd)), y: Float32Array.from({ length: B }, rnd) };
  const models = [false, true].map((checkpoint) => new Model({ cell, inputSize: I, hiddenSize: H, outputSize: 1, seed: 1, checkpoint }));
  const opts = models.map(() => new Adam({ learningRate: 1e-4 }));
  const times = [[], []], n = quick ? 3 : T >= 1000 ? 9 : 25;
  for (let i = 0; i < n + 1; i++) for (let k = 0; k < 2; k++) {
    const t0 = performance.now(); models[k].trainBatch(data, opts[k]); const dt = performance.now() - t0;
    if (i > 0) times[k].push(dt);
  }
  const code = cell === "lstm" ? 2 : cell === "gru" ? 3 : 0;
  const r = { cellName, T, ms: times.map(median), ws: [0, 1].map((k) => c.rnn_workspace_floats(code, B, T, I, H, 1, 1, k)) };
  ckRows.push(r);
  console.log(`checkpointing ${cellName} T${T}: ${r.ms[0].toFixed(2)} → ${r.ms[1].toFixed(2)} ms (×${(r.ms[1] / r.ms[0]).toFixed(2)}), workspace ${MiB(r.ws[0]).toFixed(1)} → ${MiB(r.ws[1]).toFixed(1)} MiB`);
  for (const m of models) m.dispose();
}

// second round: our single-thread rows and PyTorch (the one peer within a few × of us) once more,
// minutes after the first; each keeps the lower of its two medians. Other tenants of this shared
// machine raise whole stretches of samples, so one round can be off by 1.5× on a row; the lower
// median of two rounds far apart is the less disturbed one.
const torchPeer = PEERS.find((p) => p.key === "torch");
const rounds = [];
if (!quick) {
  // the GEMM peak too: a disturbed first measurement would inflate every "% of peak"
  const g2Row = await run("gemm 128^3 (round 2)", () => c.gemm_f32_4x8_wasmsimd(N, N, N, pa, N, 1, pb, N, pc, N, false));
  const g2Packed = await run("gemm 128^3 packed (round 2)", () => c.gemm_f32_4x8_packed(N, N, N, pa, N, 1, pp, pc, N, false));
  rounds.push({ row: "GEMM 128³ row-major", train: [gemmRow.ms, g2Row.ms] }, { row: "GEMM 128³ packed", train: [gemmPacked.ms, g2Packed.ms] });
  if (g2Row.ms < gemmRow.ms) gemmRow = g2Row;
  if (g2Packed.ms < gemmPacked.ms) gemmPacked = g2Packed;
  peak = gflopsOf(Math.min(gemmPacked.ms, gemmRow.ms));
  console.log(`round 2 GEMM: row-major ${rounds[0].train.map((v) => v.toFixed(4)).join(" / ")} ms, packed ${rounds[1].train.map((v) => v.toFixed(4)).join(" / ")} ms; peak ${peak.toFixed(1)} GFLOP/s`);
}
if (!quick) for (const r of rows) {
  const [cell, , G, Layer] = CELLS.find((c) => c[1] === r.cellName);
  const { B, T, I, H } = r;
  const fwdFlops = 2 * B * T * G * (I * H + H * H);
  const data = { x: Array.from({ length: B }, () => Float32Array.from({ length: T * I }, rnd)), y: Float32Array.from({ length: B }, rnd) };
  const model = new Model({ cell, inputSize: I, hiddenSize: H, outputSize: 1, seed: 1 });
  const opt = new Adam({ learningRate: 1e-4 });
  const train = await run(`${r.cellName} ${r.name} train (round 2)`, () => model.trainBatch(data, opt));
  const rnn = new Layer({ inputSize: I, hiddenSize: H, seed: 1 });
  const x = Float32Array.from({ length: B * T * I }, rnd);
  const fwd = await run(`${r.cellName} ${r.name} forward (round 2)`, () => rnn.forward(x, { batch: B, steps: T }));
  model.dispose(); rnn.dispose();
  const t1 = r.peers.torch, t2 = t1 && !t1.error ? runPeer(torchPeer, cell, r) : null;
  const rec = { row: `${r.cellName} ${r.name}`, train: [r.trainMs, train.ms], fwd: [r.fwdMs, fwd.ms], torchTrain: t2 && !t2.error ? [t1.train, t2.train] : null, torchFwd: t2 && !t2.error ? [t1.forward, t2.forward] : null };
  rounds.push(rec);
  r.trainMs = Math.min(r.trainMs, train.ms); r.fwdMs = Math.min(r.fwdMs, fwd.ms);
  r.trainGflops = (3 * fwdFlops) / (r.trainMs * 1e-3) / 1e9; r.fwdGflops = fwdFlops / (r.fwdMs * 1e-3) / 1e9;
  if (rec.torchTrain) { t1.train = Math.min(...rec.torchTrain); t1.forward = Math.min(...rec.torchFwd); }
  console.log(`round 2 ${rec.row}: train ${rec.train.map((v) => v.toFixed(2)).join(" / ")} ms, forward ${rec.fwd.map((v) => v.toFixed(2)).join(" / ")} ms${rec.torchTrain ? `; PyTorch train ${rec.torchTrain.map((v) => v.toFixed(2)).join(" / ")}, forward ${rec.torchFwd.map((v) => v.toFixed(2)).join(" / ")}` : ""}`);
}
/** Rows whose two rounds differ by more than 15% (one of them was disturbed). */
function roundNote() {
  if (!rounds.length) return "";
  const off = [];
  const chk = (what, v) => { if (v && Math.max(...v) / Math.min(...v) > 1.15) off.push(`${what} ${v.map((x) => x.toFixed(2)).join(" / ")}`); };
  for (const r of rounds) { chk(r.row.startsWith("GEMM") ? r.row : `${r.row} train`, r.train); chk(`${r.row} forward`, r.fwd); chk(`${r.row} PyTorch train`, r.torchTrain); chk(`${r.row} PyTorch forward`, r.torchFwd); }
  return `Our single-thread rows, PyTorch's and the GEMM peak were measured twice, minutes apart (the peers
and the other sections ran in between); every such number here is the lower of the two medians. Rounds
that differed by more than 15% (ms, first / second): ${off.length ? off.join("; ") : "none"}.
`;
}

/** The targets of the speed issue, each computed from this run: met or not, and for the gaps the
 *  best ratio possible at 100% of our measured GEMM peak (a step cannot beat its FLOPs / peak). */
function targetsSection() {
  const G = { Elman: 1, LSTM: 4, GRU: 3 };
  const flops = (r, train) => (train ? 3 : 1) * 2 * r.B * r.T * G[r.cellName] * (r.I * r.H + r.H * r.H);
  const atPeak = (r, train) => flops(r, train) / (peak * 1e9) * 1e3; // ms
  const ok = (v) => (v ? "**met**" : "not met");
  const pct = (r, k) => 100 * r[k] / peak;
  const ml = rows.filter((r) => r.name !== "small"), sm = rows.filter((r) => r.name === "small");
  const peer = (r, key, k) => { const p = r.peers?.[key]; return p && !p.error ? p[k] : null; };
  const lines = [];
  const list = (rs, fn) => rs.map((r) => `${r.cellName} ${r.name} ${fn(r)}`).join(", ");
  for (const [k, label] of [["trainGflops", "training step"], ["fwdGflops", "forward"]]) {
    const v = ml.map((r) => pct(r, k));
    lines.push(`| ≥ 80% of the GEMM peak on medium and large, ${label} | ${list(ml, (r) => `${pct(r, k).toFixed(0)}%`)} | ${ok(Math.min(...v) >= 80)} | 100% |`);
  }
  for (const [k, label, msk] of [["train", "training step", "trainMs"], ["forward", "forward", "fwdMs"]]) {
    const have = rows.filter((r) => peer(r, "tfwasm", k) != null);
    if (have.length) {
      const ratios = have.map((r) => peer(r, "tfwasm", k) / r[msk]);
      lines.push(`| ≥ 8× faster than TF.js wasm everywhere, ${label} | ${list(have, (r) => `${(peer(r, "tfwasm", k) / r[msk]).toFixed(1)}×`)} | ${ok(Math.min(...ratios) >= 8)} | ${list(have, (r) => `${(peer(r, "tfwasm", k) / atPeak(r, k === "train")).toFixed(0)}×`)} |`);
    }
    const hs = sm.filter((r) => peer(r, "torch", k) != null);
    if (hs.length) {
      const ratios = hs.map((r) => peer(r, "torch", k) / r[msk]);
      lines.push(`| faster than PyTorch on small, ${label} (PyTorch / ours) | ${list(hs, (r) => `${(peer(r, "torch", k) / r[msk]).toFixed(2)}×`)} | ${ok(Math.min(...ratios) > 1)} | ${list(hs, (r) => `${(peer(r, "torch", k) / atPeak(r, k === "train")).toFixed(1)}×`)} |`);
    }
    const hm = ml.filter((r) => peer(r, "torch", k) != null);
    if (hm.length) {
      const ratios = hm.map((r) => r[msk] / peer(r, "torch", k));
      lines.push(`| ≤ 2× PyTorch's time on medium and large, ${label} (ours / PyTorch) | ${list(hm, (r) => `${(r[msk] / peer(r, "torch", k)).toFixed(2)}×`)} | ${ok(Math.max(...ratios) <= 2)} | ${list(hm, (r) => `${(atPeak(r, k === "train") / peer(r, "torch", k)).toFixed(2)}×`)} |`);
    }
  }
  if (threaded) {
    const sp = ml.map((r) => { const i = rows.indexOf(r); return [rows[i].trainMs / threaded.rows[i].trainMs, rows[i].fwdMs / threaded.rows[i].fwdMs]; });
    lines.push(`| ≥ 1.7× on 2 threads, medium and large (train / forward) | ${ml.map((r, j) => `${r.cellName} ${r.name} ${sp[j][0].toFixed(2)}× / ${sp[j][1].toFixed(2)}×`).join(", ")} | ${ok(Math.min(...sp.flat()) >= 1.7)} | 2× |`);
    const med = rows.map((r, i) => [r, i]).filter(([r]) => r.name === "medium" && peer(r, "torch", "train") != null);
    if (med.length) {
      const q = med.map(([r, i]) => threaded.rows[i].trainMs / peer(r, "torch", "train"));
      lines.push(`| 2 threads within 1.1× of PyTorch (1 thread) on medium, training (ours / PyTorch) | ${med.map(([r], j) => `${r.cellName} ${q[j].toFixed(2)}×`).join(", ")} | ${ok(Math.max(...q) <= 1.1)} | |`);
    }
  }
  const lg = rows.filter((r) => r.name === "large" && peer(r, "torch", "train") != null).map((r) => atPeak(r, true) / peer(r, "torch", "train"));
  const lgText = lg.length ? `${Math.min(...lg).toFixed(1)}–${Math.max(...lg).toFixed(1)}×` : "(PyTorch not measured)";
  return `## The targets of the speed issue, from this run
Last column: the best the target's measure could be if every FLOP ran at this run's GEMM peak
(${peak.toFixed(1)} GFLOP/s) — a bound, not a prediction; the time at peak is FLOPs / peak.

| target | measured | | at 100% of peak |
|---|---|---|---|
${lines.join("\n")}

Where targets are not met, and why (profiles in the notes below):
- **Against PyTorch on large**: PyTorch's OpenBLAS runs its GEMMs with 256-bit fused multiply-add on
  this CPU; WebAssembly SIMD is 128-bit and (without relaxed SIMD) has no FMA. Even at 100% of our
  peak a large training step would take ${lgText} PyTorch's time (last column), so ≤ 2× needs
  about 90% of peak end to end, with the element-wise work, packing and BPTT bookkeeping included. The
  opt-in relaxed-SIMD build (FMA) and two threads are the ways past it.
- **Forward against TF.js wasm (8×)**: TF.js's wasm backend runs its forward pass through XNNPACK
  GEMMs at a good fraction of the same SIMD peak, so 8× would need us far above 100% of peak on
  medium and large (last column). Its training step is the slow one (no fused BPTT), and there we
  are well past 8×.
- **Forward against PyTorch on small** and **% of peak on medium**: at B = 32 the per-step GEMM
  [32, H]·[H, G·H] is small (8 row tiles), and in LSTM and GRU the activations (3 sigmoids and 2
  tanh per LSTM unit: ~3.5 ns each, a quarter of a medium LSTM forward pass) are f32x4 polynomial
  evaluations that PyTorch does with 256-bit vectors.
- **Two threads (≥ 1.7×)**: the serial part of a threaded training step (gathering h0/h_n,
  adding the second half's weight gradients, the readout, Adam) is small: timed around the
  thread pool's parallel region (an instrumented copy of the bundle, 2026-11-24) it was 0.4–1.1 ms
  of a medium step and 2–3 ms of a large GRU step, 2–7%. The rest is the machine: a core's speed drifts
  by a third or more within minutes, and a two-thread step waits for the slower of its halves.
  \`node bench/contention.mjs\` (2026-11-24, LSTM medium, median ms of 40 steps):

  | round | B 16 alone | two B 16 processes at once | B 32 on 2 threads | B 32 on 1 thread | speed-up of 2 threads |
  |---|---|---|---|---|---|
  | 1 | 32.5 | 33.2 and 34 | 33.6 | 66.7 | 1.99× |
  | 2 | 43.1 | 33.5 and 44.8 | 46.8 | 68.3 | 1.46× |
  | 3 | 44.8 | 46.9 and 42.1 | 62.4 | 91.3 | 1.46× |
  | 4 | 34.1 | 57.2 and 33.7 | 53.5 | 67.4 | 1.26× |

  Two independent processes (no shared memory, none of our threads) show the same spread; on a
  quiet machine two threads give about 2× (round 1; a full run earlier the same day measured 1.86–2.04× on medium
  and large).
`;
}

function peerTables() {
  const on = PEERS.filter((p) => p.on);
  if (!on.length) return "No peers were installed for this run (`npm run bench:peers` installs them).\n";
  const cellOf = (p, k) => (p ? (p.error ? (/NaN/.test(p.error) ? "NaN error" : "error") : p[k].toFixed(p[k] < 10 ? 2 : p[k] < 100 ? 1 : 0)) : "—");
  const ratio = (a, b) => (b && !b.error ? (b[a.k] / a.v).toFixed(2) + "×" : "—");
  const table = (k, label) => `| cell | config | ours | ${on.map((p) => p.name).join(" | ")} | ${on.map((p) => `${p.name} / ours`).join(" | ")} |
|---|---|---|${on.map(() => "---|").join("")}${on.map(() => "---|").join("")}
${rows.map((r) => `| ${r.cellName} | ${r.name} | ${(k === "train" ? r.trainMs : r.fwdMs).toFixed(2)} | ${on.map((p) => cellOf(r.peers[p.key], k)).join(" | ")} | ${on.map((p) => ratio({ k, v: k === "train" ? r.trainMs : r.fwdMs }, r.peers[p.key])).join(" | ")} |`).join("\n")}`;
  return `## Against the peers, same run (median ms; ratio > 1: the peer is slower)
Each peer runs in its own process right after ours on the same configuration (\`bench/peers/\`):
PyTorch ${rows.find((r) => r.peers.torch && !r.peers.torch.error)?.peers.torch.torch ?? ""} with \`torch.set_num_threads(1)\`, \`OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1\` (Debian
python3-torch with OpenBLAS); TF.js 4.22 \`model.trainOnBatch\` / \`predict\` on a Keras-style
\`simpleRNN\`/\`lstm\`/\`gru\` + \`dense(1)\` (its GRU is Keras's variant); brain.js
\`RNNTimeStep\`/\`LSTMTimeStep\`/\`GRUTimeStep\`, which has no minibatches: one step = one pass over
the B sequences (its readout is I wide: it requires outputSize = inputSize). TF.js cpu and
brain.js skip the large configuration (minutes per step). Peers take a warm-up call, then at least 3
samples within a ${quick ? 2 : 6} s budget.

### Training step
${table("train")}

### Forward only
${table("forward")}
`;
}

if (!quick) {
  let cpu = "unknown";
  try { cpu = execSync("lscpu", { encoding: "utf8" }).match(/Model name:\s*(.+)/)?.[1]?.trim() ?? cpu; } catch {}
  const f = (v, d = 2) => v.toFixed(d);
  const units = scaling.map((r) => 1e6 * r.ms / (r.T * (32 * r.H + r.H * r.H)));
  const unitMean = units.reduce((a, b) => a + b, 0) / units.length;
  const unitSpread = 100 * Math.max(...units.map((u) => Math.abs(u / unitMean - 1)));
  const md = `# Benchmark results

Command: \`npm run bench\` (bench/run.mjs, benchmark.js 2.1.4; median of ≥ 20 samples per row).
Machine: ${cpu}, ${execSync("nproc", { encoding: "utf8" }).trim()} cores, Node ${process.version}, single thread.
Date: ${new Date().toISOString().slice(0, 10)}.

Training step = forward + BPTT + Adam on one batch, linear readout from the last state, MSE
(\`Model.trainBatch\`, including copying the batch into WebAssembly memory). Forward = \`RNN.forward\`
(copy in, all T steps, copy out). Effective GFLOP/s count \`2·B·T·G·(I·H + H·H)\` for a forward
pass (G = 1, 4, 3 gates for Elman, LSTM, GRU) and 3× that for a training step. Peak = this run's f32x4 GEMM on 128×128×128.

${roundNote()}
GEMM 128×128×128: \`gemm_f32_4x8_wasmsimd\` (B row-major) ${f(gemmRow.ms, 4)} ms = ${f(gflopsOf(gemmRow.ms), 1)} GFLOP/s;
\`gemm_f32_4x8_packed\` (B in K×8 panels, the kernel of the recurrences) ${f(gemmPacked.ms, 4)} ms = ${f(gflopsOf(gemmPacked.ms), 1)} GFLOP/s.
**Peak = ${f(peak, 1)} GFLOP/s**, the faster of the two.

## Single thread
| cell | config (B,T,I,H) | train step ms | GFLOP/s | % of peak | forward ms | GFLOP/s | % of peak |
|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.cellName} | ${r.name} ${r.B},${r.T},${r.I},${r.H} | ${f(r.trainMs)} | ${f(r.trainGflops, 1)} | ${f(100 * r.trainGflops / peak, 0)}% | ${f(r.fwdMs)} | ${f(r.fwdGflops, 1)} | ${f(100 * r.fwdGflops / peak, 0)}% |`).join("\n")}

${threaded ? `## Two threads (\`init({ threads: 2 })\`)
The threaded build (shared memory, one worker thread besides the caller's): every forward and
backward pass splits the batch in two, each half running the whole recurrence on its own
workspace; the weight gradients of the halves are added. Measured in a child process after the
rows above, same configurations, twice (the lower median of the two per row); speed-up against the
single-thread rows of this run. The machine has 2 cores.

| cell | config | train ms 1 / 2 threads | speed-up | forward ms 1 / 2 threads | speed-up | PyTorch (1 thread) / ours on 2 threads, train |${threadedRelaxed ? " 2 threads + relaxed SIMD (also twice): train ms (PyTorch / ours) |" : ""}
|---|---|---|---|---|---|---|${threadedRelaxed ? "---|" : ""}
${rows.map((r, i) => { const x = threaded.rows[i]; const torch = r.peers.torch && !r.peers.torch.error ? r.peers.torch.train : null; const pt = torch ? f(torch / x.trainMs) + "×" : "—"; const z = threadedRelaxed?.rows[i]; return `| ${r.cellName} | ${r.name} | ${f(r.trainMs)} / ${f(x.trainMs)} | ${f(r.trainMs / x.trainMs)}× | ${f(r.fwdMs)} / ${f(x.fwdMs)} | ${f(r.fwdMs / x.fwdMs)}× | ${pt} |${z ? ` ${f(z.trainMs)} (${torch ? f(torch / z.trainMs) + "×" : "—"}) |` : ""}`; }).join("\n")}

` : ""}${relaxed ? `## Relaxed SIMD (opt-in: \`init({ relaxedSimd: true })\`)
The build whose GEMM uses \`f32x4.relaxed_madd\` (fused multiply-add on this host), measured in a
child process (\`node --experimental-wasm-relaxed-simd\`) after the rows above, same
configurations, twice (the lower median of the two per row; the higher GEMM figure). GEMM 128×128×128: **${f(relaxed.peak, 1)} GFLOP/s** (default build ${f(peak, 1)}). Its results differ from the
default build in the last bits (and may differ between hosts); the tests check it against the
PyTorch fixtures at the usual tolerances.

| cell | config | train ms default / relaxed | speed-up | forward ms default / relaxed | speed-up |
|---|---|---|---|---|---|
${rows.map((r, i) => { const x = relaxed.rows[i]; return `| ${r.cellName} | ${r.name} | ${f(r.trainMs)} / ${f(x.trainMs)} | ${f(r.trainMs / x.trainMs)}× | ${f(r.fwdMs)} / ${f(x.fwdMs)} | ${f(r.fwdMs / x.fwdMs)}× |`; }).join("\n")}

` : ""}## Diagnostics and initialization (median ms, at least 5 samples)
| what | ms |
|---|---|
${diag.map((d) => `| ${d[0]} | ${d.slice(1).map((v) => f(v)).join(" / ")} |`).join("\n")}

## Memory of a training step (one layer, one direction; MiB of WebAssembly memory)
Parameters P (recurrent + readout), gradients (P), Adam's m and v (2P), and the BPTT workspace.
Stored (the default): what BPTT keeps per step grows linearly in T·B — In + H floats per step per
sequence for Elman, In + 6H for LSTM, In + 5H for GRU (the gathered input, the states, the gate
activations, the cell states or GRU's W_hn·h) — plus the backward's buffers, which are sized for
one segment of ⌈√T⌉ steps; the second-to-last column is the measured growth from T to 2T per
step·sequence. Checkpointed (\`checkpoint: true\`): one state per segment and one segment's
activations, O(√T·B). The inputs and outputs themselves (B·T·I and B·T·H floats) come on top.

| cell | config | parameters | gradients | Adam state | BPTT workspace, stored | floats per step·sequence | BPTT workspace, checkpointed |
|---|---|---|---|---|---|---|---|
${mem.map((m) => `| ${m.cellName} | ${m.cfg.name} | ${f(MiB(m.P), 3)} | ${f(MiB(m.P), 3)} | ${f(MiB(2 * m.P), 3)} | ${f(MiB(m.ws), 1)} | ${f(m.perStep, 0)} | ${f(MiB(m.wsCk), 2)} |`).join("\n")}

## Gradient checkpointing (B = 32, I = 32, H = 128; training step, one thread)
\`checkpoint: true\` keeps only the state entering each segment of ⌈√T⌉ steps and recomputes
each segment's activations in the backward pass; gradients are bitwise those of the stored pass
(test/checkpoint.test.ts). The two modes were measured alternately, one sample of each in turn.

| cell | T | stored ms | checkpointed ms | time ratio | workspace stored MiB | checkpointed MiB | memory ratio |
|---|---|---|---|---|---|---|---|
${ckRows.map((r) => `| ${r.cellName} | ${r.T} | ${f(r.ms[0])} | ${f(r.ms[1])} | ${f(r.ms[1] / r.ms[0])} | ${f(MiB(r.ws[0]), 1)} | ${f(MiB(r.ws[1]), 2)} | ${f(r.ws[0] / r.ws[1], 1)} |`).join("\n")}

## Scaling of a GRU training step (B = 32, I = 32)
| T | H | ms | GFLOP/s | ms / (T·(I·H + H²)) ×10⁶ |
|---|---|---|---|---|
${scaling.map((r) => `| ${r.T} | ${r.H} | ${f(r.ms)} | ${f(r.gflops, 1)} | ${f(1e6 * r.ms / (r.T * (32 * r.H + r.H * r.H)), 3)} |`).join("\n")}

Time is linear in T and proportional to I·H + H² in H: the last column (time per unit of work)
stays within ${f(unitSpread, 0)}% of its mean from T = 50 to 1000 and from H = 64 to 512, so a GRU training step costs
about ${f(unitMean, 1)}·10⁻⁶ · T · (I·H + H²) · B/32 ms on this machine (Elman about a third, LSTM 4/3 of it).

Notes (profiled with bench-style timing of single kernels, same build):
- The backward's weight gradients are Aᵀ·B GEMMs over the rows of one segment, K = ⌈√T⌉·B (320
  medium, 640 large; before segments, K = T·B). Without K-blocking they ran at 7.9 GFLOP/s for
  H = 256 (the K×8 panel of B left L1 for every row block); blocking K by 256 brought them to
  23.9 GFLOP/s and the large training step from 198 ms to 132 ms. Doing them per segment, right
  after the segment's BPTT steps while its dA is still in cache, made training steps 2–7% faster
  (same-process A/B, alternating samples).
- Packed weights: a weight matrix 4H or 3H floats wide (2 or 4 KiB per row for H = 128, 256) maps
  every row of a K×8 panel of B onto one or two of L1's 64 sets, so the panel never stayed in L1.
  Packing W_hhᵀ, W_ihᵀ, W_hh and W_ih once per call into contiguous K×8 panels
  (\`pack_panels\`) took the per-step GEMM 64×1024×256 from 25.5 to 30.9 GFLOP/s
  (\`node bench/gemm-shapes.mjs\`: 1.05–1.21× on the bench shapes) and made LSTM large 28% faster
  forward and 15% faster to train (\`node bench/ab.mjs\` on builds of 35ca365 and 89fd0ae; GRU
  6–13% forward, 6–7% training; Elman 3–9% forward, 1–4% training).
  Packing the weight-gradient GEMMs' operands per segment as well was tried and dropped: 4–8%
  faster on large, 4–12% slower on small (the packing costs more than it saves at K = 320).
- The vectorized tanh costs about 3.5 ns per element (~1.4 ms of the 409,600 in a medium Elman
  forward pass); fitted polynomials instead of Taylor ones (degree 4 instead of 8 in tanh, 6
  instead of 7 in e^x, same accuracy) made forward passes 2–5% faster and training steps 1–3% (\`node bench/ab.mjs\` on builds of 117d90f and 35ca365, small and medium). A single-path tanh via
  expm1 (about 35 instead of 45 f32x4 operations) was 2–10% faster but measured 2.42 ulp, so it was not kept.
- Forward-only is below the training step's efficiency at small sizes: per-call copies of x in and
  of the output out, the packing of the weights and the per-step [B,H]×[H,G·H] GEMMs at B = 32
  (only 8 row tiles) dominate; in LSTM the five activations per unit cost about a quarter of a
  medium forward pass.

${targetsSection()}
${peerTables()}`;
  writeFileSync(new URL("./RESULTS.md", import.meta.url), md);
  console.log("wrote bench/RESULTS.md");
}
