#!/usr/bin/env node
// B = 1 latency against TensorFlow.js (wasm backend) in this process, samples alternated, medians
// of 9 rounds, the same PyTorch weights as bench/peers/stream-ort.mjs (bench/peers/export_onnx.py):
// Elman and LSTM (TF.js's GRU is the reset-before variant, so PyTorch's GRU weights do not carry
// over). One step carrying the state (TF.js: layer.apply with initialState, output read back) and
// 100 steps from zeros. Usage: node bench/peers/stream-tfjs.mjs (after bench:peers and the export).
import { readFileSync, writeFileSync } from "node:fs";
import { writeStreamSection } from "../tools/stream-report.mjs";
import { createRequire } from "node:module";
import { init, RNN, LSTM } from "../../dist/index.js";
import { median } from "../tools/timing.mjs";

const require = createRequire(new URL("./package.json", import.meta.url));
const tf = require("@tensorflow/tfjs");
require("@tensorflow/tfjs-backend-wasm");
await tf.setBackend("wasm");
await tf.ready();
await init();
const dir = new URL("./onnx/", import.meta.url), ROUNDS = 9;
const maxDiff = (a, b) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const transpose = (w, rows, cols) => {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
};
const rows = [];
for (const [mode, Layer, name, G] of [["rnn", RNN, "Elman", 1], ["lstm", LSTM, "LSTM", 4]]) {
  const spec = JSON.parse(readFileSync(new URL(`${mode}.json`, dir), "utf8")), I = spec.I, H = spec.H,
    lstm = mode === "lstm";
  const ours = new Layer({ inputSize: I, hiddenSize: H });
  const sd = {};
  for (const [k, v] of Object.entries(spec.state)) sd[k] = Float32Array.from(v);
  ours.loadStateDict(sd);
  const common = { units: H, returnSequences: true, returnState: true };
  const layer = lstm
    ? tf.layers.lstm({ ...common, recurrentActivation: "sigmoid" })
    : tf.layers.simpleRNN({ ...common, activation: "tanh" });
  layer.apply(tf.zeros([1, 1, I]));
  const bias = sd.bias_ih_l0.map((v, i) => v + sd.bias_hh_l0[i]);
  layer.setWeights([tf.tensor(transpose(sd.weight_ih_l0, G * H, I), [I, G * H]),
    tf.tensor(transpose(sd.weight_hh_l0, G * H, H), [H, G * H]), tf.tensor(bias, [G * H])]);
  let seed = 7;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const x1 = Float32Array.from({ length: I }, rnd), x100 = Float32Array.from({ length: 100 * I }, rnd);
  const tx1 = tf.tensor(x1, [1, 1, I]), tx100 = tf.tensor(x100, [1, 100, I]);
  let state = lstm ? [tf.zeros([1, H]), tf.zeros([1, H])] : [tf.zeros([1, H])];
  const tfStep = () => {
    const r = layer.apply(tx1, { initialState: state });
    r[0].dataSync();
    r[0].dispose();
    state.forEach((t) => t.dispose());
    state = r.slice(1);
  };
  const s = ours.stream(),
    out = { output: new Float32Array(H), hN: new Float32Array(H), ...(lstm ? { cN: new Float32Array(H) } : {}) },
    opts = { out };
  for (let i = 0; i < 50; i++) {
    s.step(x1, opts);
    tfStep();
  }
  const stepDiff = maxDiff(out.hN, state[0].dataSync());
  const N = 200;
  const oursStep = () => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) s.step(x1, opts);
    return (performance.now() - t0) / N * 1000;
  };
  const peerStep = () => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) tfStep();
    return (performance.now() - t0) / N * 1000;
  };
  const zeros = lstm ? [tf.zeros([1, H]), tf.zeros([1, H])] : [tf.zeros([1, H])];
  const tf100 = () => {
    const r = layer.apply(tx100, { initialState: zeros });
    const h = r[1].dataSync();
    r.forEach((t) => t.dispose());
    return h;
  };
  const fwdDiff = maxDiff(ours.forward(x100, { batch: 1, steps: 100 }).hN, tf100());
  const oursFwd = () => {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) ours.forward(x100, { batch: 1, steps: 100 });
    return (performance.now() - t0) / 10 * 1000;
  };
  const peerFwd = () => {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) tf100();
    return (performance.now() - t0) / 10 * 1000;
  };
  oursStep();
  peerStep();
  oursFwd();
  peerFwd();
  const a = [], b = [], c = [], d = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(oursStep());
    b.push(peerStep());
    c.push(oursFwd());
    d.push(peerFwd());
  }
  const ratio = (x, y) => median(x.map((v, i) => y[i] / v));
  const row = { cell: name, H, stepUs: median(a), tfjsStepUs: median(b), stepSpeedup: ratio(a, b),
    forward100Us: median(c), tfjsForward100Us: median(d), forwardSpeedup: ratio(c, d), stepDiff, fwdDiff };
  rows.push(row);
  console.log(
    `${name} I = H = ${H}, B = 1: one step ${row.stepUs.toFixed(1)} µs vs TF.js (wasm) ${
      row.tfjsStepUs.toFixed(1)
    } µs (×${row.stepSpeedup.toFixed(1)}); 100 steps ${row.forward100Us.toFixed(0)} µs vs ${
      row.tfjsForward100Us.toFixed(0)
    } µs (×${row.forwardSpeedup.toFixed(1)}); max |Δh| ${stepDiff.toExponential(1)} / ${fwdDiff.toExponential(1)}`,
  );
  s.dispose();
  ours.dispose();
}
const version =
  JSON.parse(readFileSync(new URL("./node_modules/@tensorflow/tfjs/package.json", import.meta.url), "utf8")).version;
writeFileSync(new URL("../results/stream-tfjs.json", import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, tfjs: version, rounds: ROUNDS, rows }, null,
    1) + "\n");
writeStreamSection();
export { rows };
