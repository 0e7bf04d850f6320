// brain.js peer: recurrent.RNNTimeStep / LSTMTimeStep / GRUTimeStep has no minibatches, so one
// "training step" is one pass over B sequences (each T steps of I inputs → one output), as
// train(data, { iterations: 1 }) does it; forward is run() on the B sequences. Its time-step nets
// require outputSize = inputSize, so the readout is I wide instead of 1 (a negligible difference).
//   node bench/peers/brain.mjs '{"cell":"lstm","B":32,"T":50,"I":16,"H":64,"budget":8}'
import brain from "brain.js";
import { measure } from "../timing.mjs";

const o = JSON.parse(process.argv[2]);
const { B, T, I, H } = o;
const Net = { rnn: brain.recurrent.RNNTimeStep, lstm: brain.recurrent.LSTMTimeStep, gru: brain.recurrent.GRUTimeStep }[o.cell];
const net = new Net({ inputSize: I, hiddenLayers: [H], outputSize: I });
let seed = 1;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
const data = Array.from({ length: B }, () => ({
  input: Array.from({ length: T }, () => Array.from({ length: I }, rnd)),
  output: [Array.from({ length: I }, rnd)],
}));
let error = null;
const step = async () => {
  try { net.train(data, { iterations: 1, errorThresh: 0, log: false }); } catch (e) { error = String(e.message ?? e); throw e; }
};
try {
  const opts = { minSamples: 3, maxSamples: 30, maxSeconds: o.budget, minSampleMs: 0 };
  const train = await measure(step, opts);
  const forward = await measure(async () => { for (const d of data) net.run(d.input); }, opts);
  console.log(JSON.stringify({ train: train.ms, forward: forward.ms, samples: train.samples }));
} catch {
  console.log(JSON.stringify({ error }));
}
