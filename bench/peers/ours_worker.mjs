// recurrent-wasm as a persistent child process for alternated timing (bench/torch-peer.mjs): the
// same commands as torch_worker.py, one JSON line each way, on the thread count given as argv[2]
// (a process runs one build and thread count, so 2 threads need a process of their own).
import { createInterface } from "node:readline";
import { init, coreInfo, Model, Adam, RNN, LSTM, GRU } from "../../dist/index.js";
import { batch, rnd } from "../suites/common.mjs";

await init({ threads: +(process.argv[2] ?? 1) });
const LAYERS = { rnn: RNN, lstm: LSTM, gru: GRU };
let fns = null, dispose = () => {};
const perCall = (fn, reps) => { const t0 = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t0) / reps; };
for await (const line of createInterface({ input: process.stdin })) {
  const o = JSON.parse(line);
  let r;
  if (o.cmd === "info") r = { threads: coreInfo().threads, relaxedSimd: coreInfo().relaxedSimd };
  else if (o.cmd === "setup") {
    dispose();
    const { cell, B, T, I, H } = o;
    const model = new Model({ cell, inputSize: I, hiddenSize: H, outputSize: 1, seed: 1 }), adam = new Adam({ learningRate: 1e-4 }), data = batch(B, T, I);
    const layer = new LAYERS[cell]({ inputSize: I, hiddenSize: H, seed: 1 }), x = Float32Array.from({ length: B * T * I }, rnd);
    fns = { train: () => model.trainBatch(data, adam), forward: () => layer.forward(x, { batch: B, steps: T }) };
    fns.train(); fns.forward();
    dispose = () => { model.dispose(); adam.dispose(); layer.dispose(); };
    r = { ok: true };
  } else if (o.cmd === "time") r = { ms: perCall(fns[o.what], o.reps) };
  else r = { error: `unknown command ${o.cmd}` };
  process.stdout.write(JSON.stringify(r) + "\n");
}
