// Run by test/integration/threads.test.ts: `node test/helpers/threads-child.mjs <threads> [relaxed]` trains a small model and runs
// the PyTorch fixtures with init({ threads }), printing one JSON line, so that the threaded and the
// single-thread core can be compared across processes.
import { init, coreInfo, Model, Rng } from "../../dist/index.js";
import { checkAllFixtures } from "./fixture-check.mjs";

const threads = Number(process.argv[2] ?? 1), relaxedSimd = process.argv[3] === "relaxed";
await init({ threads, relaxedSimd });
const out = { ...coreInfo(), ...checkAllFixtures({ stateGrads: true }) };
// a model trained for a few epochs: losses and predictions
const rng = new Rng(4);
const xs = [], ys = [], classes = new Int32Array(40);
for (let i = 0; i < 40; i++) {
  const T = 4 + rng.int(9), x = new Float32Array(T * 3);
  for (let j = 0; j < x.length; j++) x[j] = rng.uniform() - 0.5;
  xs.push(x);
  ys.push(x.reduce((a, b) => a + b, 0));
  classes[i] = i % 3;
}
for (const checkpoint of [false, true]) {
  const m = new Model({ cell: "lstm", inputSize: 3, hiddenSize: 12, numLayers: 2, bidirectional: true, outputSize: 1,
    initialState: { perClass: 3 }, seed: 2, checkpoint });
  const h = await m.fit({ x: xs, y: Float32Array.from(ys), classes }, { epochs: 4, batchSize: 16, learningRate: 0.01,
    clipNorm: 1, seed: 1 });
  // with gradient checkpointing (recomputed segments) the same numbers must come out, bitwise
  out[checkpoint ? "lossesCheckpointed" : "losses"] = h.loss;
  out[checkpoint ? "predCheckpointed" : "pred"] = Array.from(m.predict(xs, { classes }));
  m.dispose();
  // dropout: the masks are drawn for the whole batch and each thread reads its sequences' rows
  const md = new Model({ cell: "gru", inputSize: 3, hiddenSize: 8, numLayers: 3, bidirectional: true, outputSize: 1,
    seed: 2, checkpoint, dropout: 0.3, inputDropout: 0.1, readoutDropout: 0.2 });
  const hd = await md.fit({ x: xs, y: Float32Array.from(ys) }, { epochs: 3, batchSize: 16, learningRate: 0.01,
    clipNorm: 1, seed: 1 });
  out[checkpoint ? "dropoutCheckpointed" : "dropout"] = hd.loss;
  md.dispose();
}
console.log(JSON.stringify(out));
