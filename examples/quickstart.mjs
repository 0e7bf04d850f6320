// A layer's forward and truncated backward pass, then a model trained with fit: node
// examples/quickstart.mjs (after npm run build). docs/getting-started.md goes further.
import { init, RNN, Model } from "../dist/index.js";

await init(); // loads the .wasm once
const rnn = new RNN({ inputSize: 4, hiddenSize: 8, numLayers: 2, bidirectional: true, seed: 1 });
const x = Float32Array.from({ length: 2 * 5 * 4 }, (_, i) => Math.sin(i)); // [B=2, T=5, I=4]
const { output, hN } = rnn.forward(x, { batch: 2, steps: 5, lengths: [5, 3] });
const d = rnn.backward({ hN: new Float32Array(hN.length).fill(1) }, { truncate: 3 });
console.log(output.length, hN.length, d.x.length, Object.keys(rnn.grads()).length); // 160 64 40 16

const model = new Model({ inputSize: 1, hiddenSize: 16, outputSize: 1, seed: 0 }); // sequence → value
const seqs = Array.from({ length: 64 },
  (_, i) => Float32Array.from({ length: 3 + (i % 5) }, (_, t) => Math.cos(i + t)));
const h = await model.fit({ x: seqs, y: Float32Array.from(seqs, (s) => s.reduce((a, v) => a + v, 0)) }, { epochs: 50,
  learningRate: 0.01, validationSplit: 0.25 });
console.log(`rmse ${h.train[0].toFixed(3)} -> ${h.train.at(-1).toFixed(3)}`);
