// Run by test/integration/finalize.test.ts under `node --expose-gc`: creates layers, models and optimizers
// without dispose() and lets them be collected; prints the WebAssembly memory size before and
// after, and what the same objects would hold if nothing were freed.
import { init, coreInfo, LSTM, Model, Adam } from "../../dist/index.js";

await init();
const tick = () => new Promise((r) => setTimeout(r, 0));
const before = coreInfo().memoryBytes;
// the objects themselves must become collectable (nothing of ours may keep them alive)
const collected = { layer: 0, model: 0, optimizer: 0 };
const watch = new FinalizationRegistry((kind) => {
  collected[kind]++;
});
let held = 0;
for (let i = 0; i < 60; i++) {
  const l = new LSTM({ inputSize: 64, hiddenSize: 256, seed: i }); // 1.3 MB of parameters + gradients
  l.forward(new Float32Array(8 * 20 * 64), { batch: 8, steps: 20 }); // and its pass memory
  const m = new Model({ cell: "gru", inputSize: 32, hiddenSize: 256, outputSize: 1 });
  const opt = new Adam();
  m.trainBatch({ x: [new Float32Array(10 * 32)], y: new Float32Array(1) }, opt);
  watch.register(l, "layer");
  watch.register(m, "model");
  watch.register(opt, "optimizer");
  held += 8 * (l.numParams + 2 * m.numParams) + l.workspaceBytes(8, 20);
  if (i % 5 === 4) {
    globalThis.gc();
    await tick();
  }
}
globalThis.gc();
await tick();
globalThis.gc();
await tick();
console.log(JSON.stringify({ before, after: coreInfo().memoryBytes, held, collected }));
