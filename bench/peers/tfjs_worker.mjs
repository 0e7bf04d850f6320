// TensorFlow.js as a peer process of bench/passes/suites/alternated.mjs (protocol: serve.mjs); backend
// from argv[2] ("wasm" or "cpu"). The model: a Keras-style simpleRNN / lstm / gru layer (its GRU is
// Keras's variant) and Dense(1) from the last state, MSE, Adam(1e-4); train = trainOnBatch,
// forward = predict on the whole batch.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { serve } from "./serve.mjs";

await tf.setBackend(process.argv[2] ?? "wasm");
await tf.ready();
await serve({ info: () => ({ version: tf.version.tfjs, backend: tf.getBackend() }),
  setup: ({ cell, B, T, I, H }) => {
    const layer = { rnn: tf.layers.simpleRNN, lstm: tf.layers.lstm, gru: tf.layers.gru }[cell];
    const model = tf.sequential({ layers: [layer({ units: H, inputShape: [T, I] }), tf.layers.dense({ units: 1 })] });
    model.compile({ optimizer: tf.train.adam(1e-4), loss: "meanSquaredError" });
    const x = tf.randomUniform([B, T, I], -0.5, 0.5, "float32", 1),
      y = tf.randomUniform([B, 1], -0.5, 0.5, "float32", 2);
    return { train: async () => {
      await model.trainOnBatch(x, y);
    },
      forward: async () => {
        const p = model.predict(x);
        await p.data();
        p.dispose();
      },
      dispose: () => {
        model.dispose();
        x.dispose();
        y.dispose();
      } };
  } });
