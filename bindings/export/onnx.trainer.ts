// The ONNX exporter in the trainer Worker's build (scripts/build-js.mjs resolves export/onnx.js here
// for dist/recurrent.trainer.js): a trainer fits, predicts and saves but never exports, so it does
// not carry the graph writer. Model.toONNX() in that build is an Error saying so.
import type { ModelSettings } from "../nn/model/config.js";

export function checkExportable(where: string, _cfg: ModelSettings): void {
  throw new Error(`${where}: the trainer Worker's build does not export; call toONNX() on a Model of the main build`);
}

export function modelToOnnx(): Uint8Array {
  throw new Error("recurrent-wasm: internal error: the trainer Worker's build has no ONNX exporter");
}
