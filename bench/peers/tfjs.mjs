// TensorFlow.js peer: one training step (forward + BPTT + Adam, Dense(1) readout from the last
// state, MSE) and one forward pass, for a cell and configuration given as JSON on argv.
//   node bench/peers/tfjs.mjs '{"backend":"wasm","cell":"gru","B":32,"T":50,"I":16,"H":64,"budget":8}'
// Prints {"train": ms, "forward": ms, "samples": n} (medians). Run by bench/run.mjs.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { measure } from "../timing.mjs";

const o = JSON.parse(process.argv[2]);
await tf.setBackend(o.backend);
await tf.ready();
const { B, T, I, H } = o;
const layer = { rnn: tf.layers.simpleRNN, lstm: tf.layers.lstm, gru: tf.layers.gru }[o.cell];
const model = tf.sequential({ layers: [layer({ units: H, inputShape: [T, I] }), tf.layers.dense({ units: 1 })] });
model.compile({ optimizer: tf.train.adam(1e-4), loss: "meanSquaredError" });
const x = tf.randomUniform([B, T, I], -0.5, 0.5, "float32", 1), y = tf.randomUniform([B, 1], -0.5, 0.5, "float32", 2);
const opts = { minSamples: 3, maxSamples: 30, maxSeconds: o.budget, minSampleMs: 0 };
const train = await measure(async () => { await model.trainOnBatch(x, y); }, opts);
const forward = await measure(async () => { const p = model.predict(x); await p.data(); p.dispose(); }, opts);
console.log(JSON.stringify({ train: train.ms, forward: forward.ms, samples: train.samples, backend: tf.getBackend() }));
