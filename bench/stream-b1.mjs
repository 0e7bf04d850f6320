#!/usr/bin/env node
// One streaming step at B = 1 (a character model's shape: one-hot input I = 97), with the packed
// weights reused (the stream's default while the parameters are unchanged) and with them packed
// again at every step (forced by raising the parameters' version before each step, what every
// call did before streams kept them), samples alternated in one run, medians of 15 rounds.
// Usage: npm run build && node bench/stream-b1.mjs
import { init, RNN, LSTM, GRU } from "../dist/index.js";
import { median } from "./timing.mjs";

await init();
const I = 97, ROUNDS = 15, N = 2000;
const rows = [];
for (const [name, Layer] of [["Elman", RNN], ["LSTM", LSTM], ["GRU", GRU]]) {
  for (const H of [128, 256]) {
    const layer = new Layer({ inputSize: I, hiddenSize: H, seed: 1 }), s = layer.stream(), x = new Float32Array(I);
    x[5] = 1;
    const out = { output: new Float32Array(H), hN: new Float32Array(H), ...(name === "LSTM" ? { cN: new Float32Array(H) } : {}) };
    const time = (repack) => {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) { if (repack) layer.parameters.touch(); s.step(x, { out }); }
      return (performance.now() - t0) / N * 1000;
    };
    time(false); time(true);
    const a = [], b = [];
    for (let r = 0; r < ROUNDS; r++) { a.push(time(false)); b.push(time(true)); }
    const row = { cell: name, H, reusedUs: median(a), repackedUs: median(b) };
    rows.push(row);
    console.log(`${name} H = ${H}: ${row.reusedUs.toFixed(1)} µs per step with the packed weights reused, ${row.repackedUs.toFixed(1)} µs packing every step (×${(row.repackedUs / row.reusedUs).toFixed(1)})`);
    s.dispose(); layer.dispose();
  }
}
