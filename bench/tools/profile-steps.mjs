// One cell's training step or forward pass (medium: B 32, T 100, I 32, H 128) in a loop for 6 s,
// for a CPU profile: node --cpu-prof --cpu-prof-dir=/tmp/p bench/tools/profile-steps.mjs lstm train &&
// node bench/tools/profile-top.cjs /tmp/p   (the top functions, wasm ones named from build/recurrent.wat)
import { init, Model, Adam, LSTM, GRU, RNN } from "../../dist/index.js";
await init();
const [cell, what] = [process.argv[2], process.argv[3]];
const B = 32, T = 100, I = 32, H = 128;
let s = 1;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
const data = { x: Array.from({ length: B }, () => Float32Array.from({ length: T * I }, rnd)),
  y: Float32Array.from({ length: B }, rnd) };
const m = new Model({ cell, inputSize: I, hiddenSize: H, outputSize: 1, seed: 1 }),
  opt = new Adam({ learningRate: 1e-4 });
const L = { lstm: LSTM, gru: GRU, rnn: RNN }[cell], layer = new L({ inputSize: I, hiddenSize: H }),
  x = Float32Array.from({ length: B * T * I }, rnd);
const t0 = performance.now();
let n = 0;
while (performance.now() - t0 < 6000) {
  if (what === "train") m.trainBatch(data, opt);
  else layer.forward(x, { batch: B, steps: T });
  n++;
}
console.log(cell, what, ((performance.now() - t0) / n).toFixed(2), "ms");
