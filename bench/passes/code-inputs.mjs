// The code example's training step (examples/code/run.mjs: GRU H = 256, 32 streams × 128
// characters of typescript.js, Adam, clipNorm 1, the state carried) with one-hot rows (inputSize
// = the 97 characters) against token inputs (vocabSize 97, a 64-wide embedding), alternated in one
// process: each round times a few batches of one, then of the other, building the inputs included.
// Prints characters per second of each (medians over the rounds) and the median per-round ratio.
// Run: node bench/passes/code-inputs.mjs [--rounds 15] [--batches 3] [--threads 2]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { init, Model, Adam, Vocabulary } from "../../dist/index.js";
import { numberArg } from "../../examples/args.mjs";

const ROUNDS = numberArg("rounds", 15), BATCHES = numberArg("batches", 3), THREADS = numberArg("threads", 2);
const B = 32, T = 128, H = 256, E = 64;
const require = createRequire(import.meta.url);
const text = readFileSync(require.resolve("typescript/lib/typescript.js"), "utf8");
const vocab = Vocabulary.fromText(text), V = vocab.size, train = vocab.encode(text.slice(0, 3e6));
await init({ threads: THREADS });
const common = { cell: "gru", hiddenSize: H, outputSize: V, readout: "sequence", loss: "crossentropy", seed: 1 };
const runs = {
  onehot: { model: new Model({ ...common, inputSize: V }),
    xs: Array.from({ length: B }, () => new Float32Array(T * V)) },
  token: { model: new Model({ ...common, vocabSize: V, embeddingSize: E }),
    xs: Array.from({ length: B }, () => new Int32Array(T)) },
};
const seg = Math.floor((train.length - 1) / B), ys = Array.from({ length: B }, () => new Int32Array(T));
for (const r of Object.values(runs)) {
  Object.assign(r, { adam: new Adam({ learningRate: 2e-3 }), state: { h: new Float32Array(B * H) }, pos: 0, cps: [] });
}
function batches({ model, xs, adam, state }, r, n) {
  const t0 = performance.now();
  for (let s = 0; s < n; s++) {
    if (r.pos + T > seg) r.pos = 0;
    for (let b = 0; b < B; b++) {
      const o = b * seg + r.pos, x = xs[b];
      if (x instanceof Int32Array) x.set(train.subarray(o, o + T));
      else {
        x.fill(0);
        for (let t = 0; t < T; t++) x[t * V + train[o + t]] = 1;
      }
      ys[b].set(train.subarray(o + 1, o + T + 1));
    }
    model.trainBatch({ x: xs, y: ys }, adam, { clipNorm: 1, state });
    r.pos += T;
  }
  return n * B * T / ((performance.now() - t0) / 1000);
}
for (const r of Object.values(runs)) batches(r, r, 1); // warm-up
const ratios = [];
for (let i = 0; i < ROUNDS; i++) {
  const a = batches(runs.onehot, runs.onehot, BATCHES), b = batches(runs.token, runs.token, BATCHES);
  runs.onehot.cps.push(a);
  runs.token.cps.push(b);
  ratios.push(b / a);
}
const med = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(
  `code example training, ${THREADS} thread(s), ${ROUNDS} rounds of ${BATCHES} batches: one-hot ${
    Math.round(med(runs.onehot.cps))
  } chars/s, token ${Math.round(med(runs.token.cps))} chars/s; token/one-hot per round: median ${
    med(ratios).toFixed(3)
  } (range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`,
);
