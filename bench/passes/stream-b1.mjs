#!/usr/bin/env node
// One streaming step at B = 1 (a character model's shape: one-hot input I = 97), with the packed
// weights reused (the stream's default while the parameters are unchanged) and with them packed
// again at every step (forced by raising the parameters' version before each step, what every
// call did before streams kept them), samples alternated in one run, medians of 15 rounds.
// Then: model.generate per token (a GRU next-character model, V = 97), and the garbage
// collections of 200 000 zero-allocation steps (every output in `out`), counted by a
// PerformanceObserver.
// Usage: npm run build && node bench/passes/stream-b1.mjs
import { PerformanceObserver } from "node:perf_hooks";
import { init, RNN, LSTM, GRU, Model } from "../../dist/index.js";
import { median } from "../tools/timing.mjs";

await init();
const I = 97, ROUNDS = 15, N = 2000;
const rows = [];
for (const [name, Layer] of [["Elman", RNN], ["LSTM", LSTM], ["GRU", GRU]]) {
  for (const H of [128, 256]) {
    const layer = new Layer({ inputSize: I, hiddenSize: H, seed: 1 }), s = layer.stream(), x = new Float32Array(I);
    x[5] = 1;
    const out = { output: new Float32Array(H), hN: new Float32Array(H),
      ...(name === "LSTM" ? { cN: new Float32Array(H) } : {}) };
    const time = (repack) => {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) {
        if (repack) layer.parameters.touch();
        s.step(x, { out });
      }
      return (performance.now() - t0) / N * 1000;
    };
    time(false);
    time(true);
    const a = [], b = [];
    for (let r = 0; r < ROUNDS; r++) {
      a.push(time(false));
      b.push(time(true));
    }
    const row = { cell: name, H, reusedUs: median(a), repackedUs: median(b) };
    rows.push(row);
    console.log(
      `${name} H = ${H}: ${row.reusedUs.toFixed(1)} µs per step with the packed weights reused, ${
        row.repackedUs.toFixed(1)
      } µs packing every step (×${(row.repackedUs / row.reusedUs).toFixed(1)})`,
    );
    s.dispose();
    layer.dispose();
  }
}

for (const H of [128, 256]) {
  const m = new Model({ cell: "gru", inputSize: I, hiddenSize: H, outputSize: I, readout: "sequence",
    loss: "crossentropy", seed: 1 });
  m.generate({ prime: [1], length: 200, temperature: 0.5 });
  const n = 20000, t0 = performance.now();
  m.generate({ prime: [1], length: n, temperature: 0.5, seed: 2 });
  console.log(`generate, GRU H = ${H}, 97 tokens: ${((performance.now() - t0) / n * 1000).toFixed(1)} µs per token`);
  m.dispose();
}

{
  const g = new GRU({ inputSize: 8, hiddenSize: 32, seed: 1 }), s = g.stream(), x = new Float32Array(8);
  const opts = { out: { output: new Float32Array(32), hN: new Float32Array(32) } };
  for (let i = 0; i < 1000; i++) s.step(x, opts);
  let gcs = 0;
  const obs = new PerformanceObserver((l) => {
    gcs += l.getEntries().length;
  });
  obs.observe({ entryTypes: ["gc"] });
  const N2 = 200000, t0 = performance.now();
  for (let i = 0; i < N2; i++) s.step(x, opts);
  const dt = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  console.log(
    `${N2} GRU steps (I = 8, H = 32) with every output in out: ${
      (dt / N2 * 1000).toFixed(2)
    } µs per step, ${gcs} garbage collections`,
  );
  s.dispose();
  g.dispose();
}
