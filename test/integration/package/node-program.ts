// Type-checked (strict, skipLibCheck false) against the installed package in each module
// resolution: every entry point, the types a user leans on (predict's result follows the readout,
// callbacks may return anything), and no DOM lib in a Node project.
import { init, Model, FitError, safetensors, NeuralODE, CategoricalHMM, Rng } from "recurrent-wasm";
import type { History, ModelConfig } from "recurrent-wasm";
import { core, coreInfo, formatBytes } from "recurrent-wasm/core";
import { WorkerModel } from "recurrent-wasm/worker";
import * as Url from "recurrent-wasm/url";

export async function main(): Promise<number> {
  await init();
  const rng = new Rng(1);
  const x = [Float32Array.from({ length: 6 }, () => rng.normal())];
  const last = new Model({ cell: "gru", inputSize: 2, hiddenSize: 4, outputSize: 1, seed: 1 });
  const h: History = await last.fit({ x, y: new Float32Array(1) }, { epochs: 1, onEpochEnd: (e, l) => [e, l.loss],
    onBatchEnd: () => 1 });
  const flat: Float32Array = last.predict(x); // readout "last": one array
  const seq = new Model({ cell: "lstm", inputSize: 2, hiddenSize: 4, outputSize: 1, readout: "sequence" });
  const perStep: Float32Array[] = seq.predict(x); // readout "sequence": one array per sequence
  const cfg: ModelConfig = { cell: "rnn", inputSize: 2, hiddenSize: 3, outputSize: 1 };
  const either: Float32Array | Float32Array[] = new Model(cfg).predict(x);
  const loaded = Model.load(last.save());
  const w = await WorkerModel.create({ cell: "gru", inputSize: 2, hiddenSize: 4, outputSize: 1 });
  const wflat: Float32Array = await w.predict(x);
  await w.dispose();
  const bytes: Uint8Array = safetensors.write({ a: { dtype: "F32", shape: [1], data: new Float32Array(1) } });
  const mem: ArrayBuffer | SharedArrayBuffer = core().memory.buffer;
  void [h, flat, perStep, either, loaded, wflat, bytes, mem, NeuralODE, CategoricalHMM, FitError, coreInfo, formatBytes,
    Url.init];
  return flat.length + perStep.length;
}
