// The example's options (see train.mjs for the list), parsed and checked once. `epochs` is
// overwritten by the cascade once its first stage's epochs are picked by cross-validation.
const args = process.argv.slice(2), cascade = !args.includes("--single");
if (args.includes("--single") && args.includes("--cascade")) {
  throw new RangeError("--single and --cascade: expected one of them, got both");
}
const opt = (k, d) => {
  const i = args.lastIndexOf("--" + k);
  return i >= 0 ? args[i + 1] : d;
};
const cell = opt("cell", "gru"), hidden = +opt("hidden", 32), layers = +opt("layers", 1), window = +opt("window", 3);
const epochsArg = opt("epochs", cascade ? "cv" : "30");
const maxEpochs = +opt("max-epochs", 30);
let epochs = epochsArg === "cv" ? maxEpochs : +epochsArg;
const seeds = +opt("seeds", 5), lr = +opt("lr", 0.003), batch = +opt("batch", 8), wd = +opt("wd", 0);
const dropout = +opt("dropout", 0.1), holdout = +opt("holdout", 12), useGlobal = args.includes("--global");
const randomFolds = args.includes("--random-folds");

const runSeed = +opt("seed", 0), sd = (n) => n + 7919 * runSeed; // every seed of the run, offset
if (!Number.isInteger(runSeed) || runSeed < 0 || runSeed > 99) {
  throw new RangeError(`--seed: expected an integer from 0 to 99, got ${opt("seed")}`);
}
const folds = +opt("folds", 5);
if (epochsArg === "cv" ? !cascade : !(Number.isInteger(epochs) && epochs >= 1)) {
  throw new RangeError(`--epochs: expected a positive integer${cascade ? ' or "cv"' : ""}, got ${epochsArg}`);
}
if (!Number.isInteger(maxEpochs) || maxEpochs < 1) {
  throw new RangeError(`--max-epochs: expected a positive integer, got ${opt("max-epochs")}`);
}
if (!Number.isInteger(folds) || folds < 2 || folds > 10) {
  throw new RangeError(`--folds: expected an integer from 2 to 10, got ${opt("folds")}`);
}

export const o = { cascade, cell, hidden, layers, window, epochsArg, maxEpochs, epochs, seeds, lr, batch, wd, dropout,
  holdout, useGlobal, randomFolds, runSeed, sd, folds, opt, args };
