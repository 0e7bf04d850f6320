// Model files: a model as safetensors bytes (every parameter by name, F32; the config as JSON in
// __metadata__). Loading treats the file as hostile: the config is checked, every tensor's name,
// dtype and shape is compared with the slots that config implies, and the parameter count is
// bounded by the bytes actually present, all BEFORE anything is allocated.
import * as safetensors from "./safetensors.js";
import { slotTensors } from "./slots.js";
import { show } from "../core/check.js";
import type { RecurrentModel } from "../nn/model/model.js";
import { ModelConfig, ModelSettings, checkConfig, modelSlots, savedConfig } from "../nn/model/config.js";

/** The model as safetensors bytes: every parameter by name, the config in __metadata__. */
export function saveModel(model: RecurrentModel, metadata: Record<string, string> = {}): Uint8Array {
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new TypeError(`Model.save: metadata must be an object of strings, got ${show(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") {
      throw new TypeError(`Model.save: metadata ${JSON.stringify(k)} must be a string, got ${show(v)}`);
    }
  }
  // "format" and "config" are written here; passing them back (a loaded model's metadata) is fine
  const own: Record<string, string> = { format: "recurrent-wasm", config: JSON.stringify(savedConfig(model.config)) };
  for (const k of Object.keys(own)) {
    if (Object.prototype.hasOwnProperty.call(metadata, k) && (metadata as Record<string, unknown>)[k] !== own[k]) {
      throw new TypeError(
        `Model.save: metadata key ${JSON.stringify(k)} is reserved for the file's format and the model's config`,
      );
    }
  }
  const tensors: Record<string, safetensors.Tensor> = {};
  const sd = model.stateDict();
  for (const s of model.parameterSlots()) tensors[s.name] = { dtype: "F32", shape: s.shape, data: sd[s.name] };
  return safetensors.write(tensors, { ...metadata, ...own });
}

/** Rebuild a model saved by saveModel; `make` constructs it from the checked config. */
export function loadModel<M extends RecurrentModel>(bytes: Uint8Array,
  make: (config: ModelConfig) => M): { model: M; metadata: Record<string, string> } {
  const W = "Model.load";
  const { tensors, metadata } = safetensors.read(bytes);
  if (metadata.format !== "recurrent-wasm" || typeof metadata.config !== "string") {
    throw new Error(`${W}: __metadata__ has no recurrent-wasm config (format ${JSON.stringify(metadata.format)})`);
  }
  let raw: ModelConfig;
  try {
    raw = JSON.parse(metadata.config);
  } catch {
    throw new Error(`${W}: __metadata__.config is not valid JSON`);
  }
  let cfg: ModelSettings;
  try {
    cfg = checkConfig(raw);
  } catch (e) {
    throw new Error(`${W}: the file's config is invalid: ${(e as Error).message}`);
  }
  // the config must describe exactly the tensors present (so it is bounded by the file's bytes)
  const slots = modelSlots(cfg);
  const dict = slotTensors(W, tensors, slots);
  // every slot matched a tensor of its shape: the config is bounded by the bytes in the file
  const want = slots.reduce((a, s) => a + s.size, 0), have = Object.values(dict).reduce((a, t) => a + t.length, 0);
  if (want !== have) throw new Error(`${W}: the config describes ${want} parameters but the file holds ${have}`);
  const model = make(savedConfig(cfg));
  try {
    model.loadStateDict(dict);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, metadata };
}
