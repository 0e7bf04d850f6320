// The NeuralStateSpace file: safetensors with every parameter as F32 (PyTorch names: "f.net.0.weight",
// ..., "output.weight", "output.bias") and, in __metadata__, "format" and the constructor's options
// as JSON in "config", beside the caller's own entries.
import type { NeuralStateSpace, NeuralStateSpaceOptions } from "../nn/ode/state-space.js";
import * as safetensors from "./safetensors.js";

/** The "format" entry of a NeuralStateSpace file. */
export const STATE_SPACE_FORMAT = "recurrent-wasm/neural-state-space";

/** The model's parameters and configuration as safetensors bytes (extra metadata beside them). */
export function saveStateSpace(model: NeuralStateSpace, metadata: Record<string, string> = {}): Uint8Array {
  const W = "NeuralStateSpace.save";
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new TypeError(
      `${W}: metadata must be an object of strings, got ${metadata === null ? "null" : typeof metadata}`,
    );
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new TypeError(`${W}: metadata "${k}" must be a string, got ${typeof v}`);
    if (k === "format" || k === "config") throw new RangeError(`${W}: metadata "${k}" is the file's own entry`);
  }
  const dict = model.stateDict();
  const tensors: Record<string, safetensors.Tensor> = {};
  for (const s of model.parameterSlots()) tensors[s.name] = { dtype: "F32", shape: [...s.shape], data: dict[s.name] };
  return safetensors.write(tensors, { ...metadata, format: STATE_SPACE_FORMAT,
    config: JSON.stringify(model.config()) });
}

/** A model from saveStateSpace's bytes, built by `make` from the file's configuration, and the
 *  file's metadata. */
export function loadStateSpace<T extends NeuralStateSpace>(bytes: Uint8Array,
  make: (o: NeuralStateSpaceOptions) => T): { model: T; metadata: Record<string, string> } {
  const W = "NeuralStateSpace.load";
  const file = safetensors.read(bytes);
  if (file.metadata.format !== STATE_SPACE_FORMAT) {
    throw new Error(
      `${W}: not a NeuralStateSpace file (metadata "format" is ${
        JSON.stringify(file.metadata.format)
      }, expected "${STATE_SPACE_FORMAT}")`,
    );
  }
  let config: NeuralStateSpaceOptions;
  try {
    config = JSON.parse(file.metadata.config ?? "");
  } catch {
    throw new Error(`${W}: the file's metadata "config" is not JSON`);
  }
  let model: T;
  try {
    model = make(config);
  } catch (e) {
    throw new Error(`${W}: the file's settings are invalid: ${(e as Error).message}`);
  }
  try {
    const dict: Record<string, Float32Array> = {};
    for (const [k, t] of Object.entries(file.tensors)) dict[k] = t.data as Float32Array;
    model.loadStateDict(dict);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(file.metadata)) if (k !== "format" && k !== "config") metadata[k] = v;
  return { model, metadata };
}
