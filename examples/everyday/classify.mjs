// A sequence classifier: is a noisy wave a sine, a square or a sawtooth? node examples/everyday/classify.mjs
// [--epochs N] [--sequences N] (after npm run build). The Keras version, line for line:
//
//   model = keras.Sequential([keras.Input((None, 1)), layers.LSTM(16), layers.Dense(16, activation="relu"),
//       layers.Dense(3)])
//   model.compile(optimizer=keras.optimizers.Adam(0.01),
//       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
//   model.summary()
//   h = model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2)
//   classes = model.predict(x_test).argmax(-1)
import { init, Model } from "../../dist/index.js";
import { numberArg } from "../args.mjs";

const epochs = numberArg("epochs", 20), sequences = numberArg("sequences", 600);
await init();

let s = 3;
const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32); // a small LCG: the same data every run
const shapes = [(p) => Math.sin(2 * Math.PI * p), (p) => (p % 1 < 0.5 ? 1 : -1), (p) => 2 * (p % 1) - 1];
const names = ["sine", "square", "sawtooth"];
// a wave of a random class, period, phase and length (15 to 30 steps), plus noise
function makeData(n) {
  const x = [], y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(3 * rand()), period = 6 + 6 * rand(), phase = rand(), len = 15 + Math.floor(16 * rand());
    x.push(Float32Array.from({ length: len }, (_, t) => shapes[c](phase + t / period) + 0.2 * (rand() - 0.5)));
    y[i] = c;
  }
  return { x, y }; // x: one Float32Array [len_i, 1] per sequence (lengths differ: no padding); y: class ids
}
const train = makeData(sequences), test = makeData(300);

const model = new Model({
  cell: "lstm", // LSTM(16)
  hiddenSize: 16,
  inputSize: 1, // keras.Input((None, 1)): one feature per step, any length
  head: { hidden: [16], activation: "relu" }, // Dense(16, activation="relu")
  outputSize: 3, // Dense(3): the logits of the 3 classes
  loss: "crossentropy", // SparseCategoricalCrossentropy(from_logits=True): integer targets, softmax inside
  init: "keras", // Keras' initializers: glorot, orthogonal, zero biases (LSTM: forget bias 1)
  seed: 2,
});
console.log(model.summary()); // model.summary()
// epochs=20, batch_size=32, Adam(0.01), validation_split=0.2; crossentropy models get accuracy in the history
const h = await model.fit(train, { epochs, batchSize: 32, learningRate: 0.01, validationSplit: 0.2 });

const pct = (v) => `${(100 * v).toFixed(1)}%`;
console.log(
  `accuracy ${pct(h.accuracy.at(-1))}, validation accuracy ${pct(h.valAccuracy.at(-1))} after ${h.epoch.length} epochs`,
);
const classes = model.predictClasses(test.x); // Int32Array [N]: the argmax of the logits
const correct = classes.reduce((a, c, i) => a + (c === test.y[i] ? 1 : 0), 0);
console.log(`first test waves: ${Array.from(classes.slice(0, 6), (c) => names[c]).join(", ")}`);
console.log(`classify: test accuracy ${pct(correct / test.y.length)} over ${test.y.length} sequences (chance 33.3%)`);
