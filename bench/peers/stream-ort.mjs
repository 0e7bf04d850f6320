#!/usr/bin/env node
// B = 1 latency against ONNX Runtime Web (the wasm backend, in the same process), samples
// alternated (ours, ORT, ours, …), medians of 15 rounds, on the same PyTorch weights (exported by
// bench/peers/export_onnx.py: one layer, I = H = 128):
//   - one step carrying the state (ours: layer.stream().step; ORT: session.run with h0 = the last hn)
//   - a 100-step forward from zeros (ours: forward(); ours streaming: one step() of 100; ORT: run)
// Outputs are compared (max |difference| of the final state). Once on 1 thread and once on 2 (ours:
// init({ threads: 2 }); ORT: env.wasm.numThreads = 2): a child process each, since ORT reads its
// thread count once per process; ours and ORT still alternate within each child. Usage:
//   npm run bench:peers && /usr/bin/python3 bench/peers/export_onnx.py && npm run build && node bench/peers/stream-ort.mjs
import { readFileSync, existsSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { writeStreamSection } from "../tools/stream-report.mjs";
import { createRequire } from "node:module";
import { init, RNN, LSTM, GRU } from "../../dist/index.js";
import { median } from "../tools/timing.mjs";

const childAt = process.argv.indexOf("--child");
if (childAt < 0) {
  const rows = [];
  for (const threads of [1, 2]) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", String(threads)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    for (const line of out.split("\n")) if (line.startsWith("{")) rows.push(JSON.parse(line));
  }
  const ortVersion =
    JSON.parse(readFileSync(new URL("./node_modules/onnxruntime-web/package.json", import.meta.url), "utf8")).version;
  writeFileSync(new URL("../results/stream-peer.json", import.meta.url),
    JSON.stringify({ date: new Date().toISOString(), node: process.version, ort: ortVersion, rounds: 15, rows }, null,
      1) + "\n");
  writeStreamSection();
  process.exit(0);
}
const THREADS = +process.argv[childAt + 1];
const require = createRequire(new URL("./package.json", import.meta.url));
const ort = require("onnxruntime-web");
ort.env.wasm.numThreads = THREADS;
const dir = new URL("./onnx/", import.meta.url);
if (!existsSync(new URL("gru.onnx", dir))) {
  console.error("bench/peers/onnx/*.onnx missing: run /usr/bin/python3 bench/peers/export_onnx.py");
  process.exit(2);
}
const info = await init({ threads: THREADS });
if (info.threads !== THREADS) {
  console.error(`ours: ${THREADS} threads asked, ${info.threads} run (${info.threadsFallback})`);
  process.exit(1);
}
const ROUNDS = 15, rows = [];
const maxDiff = (a, b) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

for (const [mode, Layer, name] of [["rnn", RNN, "Elman"], ["lstm", LSTM, "LSTM"], ["gru", GRU, "GRU"]]) {
  const spec = JSON.parse(readFileSync(new URL(`${mode}.json`, dir), "utf8")), I = spec.I, H = spec.H,
    lstm = mode === "lstm";
  const layer = new Layer({ inputSize: I, hiddenSize: H });
  const sd = {};
  for (const [k, v] of Object.entries(spec.state)) sd[k] = Float32Array.from(v);
  layer.loadStateDict(sd);
  const session = await ort.InferenceSession.create(readFileSync(new URL(`${mode}.onnx`, dir)), {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  let seed = 7;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const x1 = Float32Array.from({ length: I }, rnd), x100 = Float32Array.from({ length: 100 * I }, rnd);
  const zeros = new ort.Tensor("float32", new Float32Array(H), [1, 1, H]);
  // one step, state carried
  const s = layer.stream(),
    out = { output: new Float32Array(H), hN: new Float32Array(H), ...(lstm ? { cN: new Float32Array(H) } : {}) };
  let feeds = { x: new ort.Tensor("float32", x1, [1, 1, I]), h0: zeros, ...(lstm ? { c0: zeros } : {}) };
  const ortStep = async () => {
    const r = await session.run(feeds);
    feeds = { x: feeds.x, h0: r.hn, ...(lstm ? { c0: r.cn } : {}) };
    return r;
  };
  // agreement over 50 steps from zeros
  for (let i = 0; i < 50; i++) {
    s.step(x1, { out });
    await ortStep();
  }
  const stepDiff = maxDiff(out.hN, feeds.h0.data);
  const N = 500;
  const oursStep = () => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) s.step(x1, { out });
    return (performance.now() - t0) / N * 1000;
  };
  const peerStep = async () => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await ortStep();
    return (performance.now() - t0) / N * 1000;
  };
  // 100 steps from zeros
  const f100 = { x: new ort.Tensor("float32", x100, [1, 100, I]), h0: zeros, ...(lstm ? { c0: zeros } : {}) };
  const s100 = layer.stream();
  const oursFwd = () => {
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) layer.forward(x100, { batch: 1, steps: 100 });
    return (performance.now() - t0) / 20 * 1000;
  };
  const oursStream = () => {
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) {
      s100.reset();
      s100.step(x100, { steps: 100 });
    }
    return (performance.now() - t0) / 20 * 1000;
  };
  const peerFwd = async () => {
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) await session.run(f100);
    return (performance.now() - t0) / 20 * 1000;
  };
  const fwdDiff = maxDiff(layer.forward(x100, { batch: 1, steps: 100 }).hN, (await session.run(f100)).hn.data);
  oursStep();
  await peerStep();
  oursFwd();
  oursStream();
  await peerFwd();
  const a = [], b = [], c = [], d = [], e = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(oursStep());
    b.push(await peerStep());
    c.push(oursFwd());
    d.push(oursStream());
    e.push(await peerFwd());
  }
  const ratio = (x, y) => median(x.map((v, i) => y[i] / v));
  const row = { threads: THREADS, cell: name, I, H, stepUs: median(a), ortStepUs: median(b), stepSpeedup: ratio(a, b),
    forward100Us: median(c), stream100Us: median(d), ortForward100Us: median(e), forwardSpeedup: ratio(c, e),
    streamSpeedup: ratio(d, e), stepDiff, fwdDiff };
  rows.push(row);
  console.log(JSON.stringify(row));
  console.error(
    `${THREADS} thread(s): ${name} I = H = ${H}, B = 1: one step ${row.stepUs.toFixed(1)} µs vs ORT-web ${
      row.ortStepUs.toFixed(1)
    } µs (×${row.stepSpeedup.toFixed(2)}); 100 steps: forward ${row.forward100Us.toFixed(0)} µs, stream ${
      row.stream100Us.toFixed(0)
    } µs vs ORT-web ${row.ortForward100Us.toFixed(0)} µs (×${row.forwardSpeedup.toFixed(2)}, ×${
      row.streamSpeedup.toFixed(2)
    }); max |Δh| ${stepDiff.toExponential(1)} / ${fwdDiff.toExponential(1)}`,
  );
  s.dispose();
  s100.dispose();
  layer.dispose();
  await session.release();
}
