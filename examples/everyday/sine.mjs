// A sine-wave forecaster: windows of a noisy sine → the next value. node examples/everyday/sine.mjs [--epochs N]
// [--windows N] (after npm run build). The Keras version, line for line:
//
//   model = keras.Sequential([keras.Input((None, 1)), layers.GRU(16), layers.Dense(1)])
//   model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=[keras.metrics.RootMeanSquaredError()])
//   h = model.fit(x, y, epochs=60, batch_size=32, validation_split=0.2,
//       callbacks=[keras.callbacks.EarlyStopping(patience=8, restore_best_weights=True),
//                  keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=3)])
//   pred = model.predict(x_test)
import { init, Model } from "../../dist/index.js";
import { numberArg } from "../args.mjs";

const epochs = numberArg("epochs", 60), windows = numberArg("windows", 400), steps = 20;
await init();

// a seeded noisy sine, cut into windows of `steps` values; the target is the value after each window
let s = 7;
const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32); // a small LCG: the same data every run
const noisy = (t) => Math.sin(0.3 * t) + 0.1 * (rand() + rand() + rand() - 1.5); // noise sd ≈ 0.05
function makeWindows(n, start) {
  const series = Array.from({ length: n + steps }, (_, t) => noisy(start + t));
  const x = Array.from({ length: n }, (_, i) => Float32Array.from(series.slice(i, i + steps))); // [steps, 1] each
  return { x, y: Float32Array.from({ length: n }, (_, i) => series[i + steps]) };
}
const train = makeWindows(windows, 0), test = makeWindows(200, 10_000); // the test windows lie far later in time

const model = new Model({
  cell: "gru", // GRU(16)
  hiddenSize: 16,
  inputSize: 1, // keras.Input((None, 1)): one value per step
  outputSize: 1, // Dense(1)
  loss: "mse", // loss="mse"; RMSE and MAE are always in the history
  init: "keras", // Keras' initializers: glorot, orthogonal, zero biases
  seed: 1,
});
const h = await model.fit(train, {
  epochs, // epochs=60
  batchSize: 32, // batch_size=32
  learningRate: 0.01, // Adam(0.01): Adam is fit's default optimizer
  validationSplit: 0.2, // validation_split=0.2
  earlyStopping: { patience: 8 }, // EarlyStopping(patience=8, ...
  restoreBest: true, // ... restore_best_weights=True)
  schedule: { type: "plateau", factor: 0.5, patience: 3 }, // ReduceLROnPlateau(factor=0.5, patience=3)
});

const pred = model.predict(test.x); // Float32Array [N] (outputSize 1)
const rmse = (f) => Math.sqrt(test.y.reduce((a, y, i) => a + (f(i) - y) ** 2, 0) / test.y.length);
const modelRmse = rmse((i) => pred[i]), lastRmse = rmse((i) => test.x[i][steps - 1]);
console.log(
  `validation RMSE ${h.valRmse[h.bestEpoch - 1].toFixed(4)} (best epoch ${h.bestEpoch} of ${h.epoch.length})`,
);
for (let i = 0; i < 5; i++) console.log(`  predicted ${pred[i].toFixed(3)}  truth ${test.y[i].toFixed(3)}`);
console.log(`sine: test RMSE ${modelRmse.toFixed(4)}, last value ${lastRmse.toFixed(4)}`);
