// TensorFlow.js as a persistent peer for alternated timing (bench/torch-peer.mjs): the commands of
// torch_worker.py, one JSON line each way; backend from argv[2] ("wasm" or "cpu"). The model is the
// one of bench/peers/tfjs.mjs: the layer, Dense(1) from the last state, MSE, Adam(1e-4).
import { createInterface } from "node:readline";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

await tf.setBackend(process.argv[2] ?? "wasm");
await tf.ready();
let fns = null, dispose = () => {};
const perCall = async (fn, reps) => { const t0 = performance.now(); for (let i = 0; i < reps; i++) await fn(); return (performance.now() - t0) / reps; };
for await (const line of createInterface({ input: process.stdin })) {
  const o = JSON.parse(line);
  let r;
  if (o.cmd === "info") r = { tfjs: tf.version.tfjs, backend: tf.getBackend() };
  else if (o.cmd === "setup") {
    dispose();
    const { cell, B, T, I, H } = o;
    const layer = { rnn: tf.layers.simpleRNN, lstm: tf.layers.lstm, gru: tf.layers.gru }[cell];
    const model = tf.sequential({ layers: [layer({ units: H, inputShape: [T, I] }), tf.layers.dense({ units: 1 })] });
    model.compile({ optimizer: tf.train.adam(1e-4), loss: "meanSquaredError" });
    const x = tf.randomUniform([B, T, I], -0.5, 0.5, "float32", 1), y = tf.randomUniform([B, 1], -0.5, 0.5, "float32", 2);
    fns = { train: async () => { await model.trainOnBatch(x, y); }, forward: async () => { const p = model.predict(x); await p.data(); p.dispose(); } };
    await fns.train(); await fns.forward();
    dispose = () => { model.dispose(); x.dispose(); y.dispose(); };
    r = { ok: true };
  } else if (o.cmd === "time") r = { ms: await perCall(fns[o.what], o.reps) };
  else r = { error: `unknown command ${o.cmd}` };
  process.stdout.write(JSON.stringify(r) + "\n");
}
