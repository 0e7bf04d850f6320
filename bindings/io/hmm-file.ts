// HMM files: an HMM as safetensors bytes (its parameters as F64 tensors, every bit kept; its kind
// and options as JSON in __metadata__). Loading treats the file as hostile: the options are
// checked by the model's own constructor, and every tensor's name, dtype and shape is compared
// with what they imply before any parameter is set (setParams then checks the values).
import * as safetensors from "./safetensors.js";
import { show } from "../core/check.js";
import type { HmmOptions } from "../nn/hmm/base.js";

/** What a file needs of an HMM (BaseHMM's subclasses). */
interface AnyHMM {
  readonly nComponents: number;
  readonly nFeatures: number;
  readonly config: HmmOptions;
  readonly emissionParamNames: readonly string[];
  params(): Record<string, Float64Array>;
  setParams(p: Record<string, Float64Array>): void;
  dispose(): void;
}
const FORMAT = "recurrent-wasm-hmm";

/** Shapes of an HMM's tensors: start [K], trans [K, K], each emission parameter [K, nFeatures]. */
function shapes(hmm: AnyHMM): [string, number[]][] {
  const K = hmm.nComponents, F = hmm.nFeatures;
  return [["startprob", [K]], ["transmat", [K, K]],
    ...hmm.emissionParamNames.map((n): [string, number[]] => [n, [K, F]])];
}

export function saveHmm(hmm: AnyHMM, kind: string, metadata: Record<string, string> = {}): Uint8Array {
  const W = `${kind}.save`;
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new TypeError(`${W}: metadata must be an object of strings, got ${show(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") {
      throw new TypeError(`${W}: metadata ${JSON.stringify(k)} must be a string, got ${show(v)}`);
    }
  }
  const own: Record<string, string> = { format: FORMAT, kind, config: JSON.stringify(hmm.config) };
  for (const k of Object.keys(own)) {
    if (Object.prototype.hasOwnProperty.call(metadata, k) && metadata[k] !== own[k]) {
      throw new TypeError(
        `${W}: metadata key ${JSON.stringify(k)} is reserved for the file's format, the model's kind and its options`,
      );
    }
  }
  const p = hmm.params(); // throws if the model has no parameters yet
  const tensors: Record<string, safetensors.Tensor> = {};
  for (const [name, shape] of shapes(hmm)) tensors[name] = { dtype: "F64", shape, data: p[name] };
  return safetensors.write(tensors, { ...metadata, ...own });
}

/** Rebuild an HMM saved by saveHmm; `make` constructs the model of `kind` from its options. */
export function loadHmm<H extends AnyHMM>(bytes: Uint8Array, kind: string,
  make: (options: HmmOptions) => H): { hmm: H; metadata: Record<string, string> } {
  const W = `${kind}.load`;
  const { tensors, metadata } = safetensors.read(bytes, { float64: true });
  if (metadata.format !== FORMAT || typeof metadata.config !== "string") {
    throw new Error(`${W}: __metadata__ has no recurrent-wasm HMM options (format ${JSON.stringify(metadata.format)})`);
  }
  if (metadata.kind !== kind) throw new Error(`${W}: the file holds a ${JSON.stringify(metadata.kind)}, not a ${kind}`);
  let options: HmmOptions;
  try {
    options = JSON.parse(metadata.config);
  } catch {
    throw new Error(`${W}: __metadata__.config is not valid JSON`);
  }
  let hmm: H;
  try {
    hmm = make(options);
  } catch (e) {
    throw new Error(`${W}: the file's options are invalid: ${(e as Error).message}`);
  }
  try {
    const want = shapes(hmm), params: Record<string, Float64Array> = {};
    for (const [name, shape] of want) {
      if (!Object.prototype.hasOwnProperty.call(tensors, name)) {
        throw new Error(`${W}: missing tensor ${JSON.stringify(name)} [${shape}]`);
      }
      const t = tensors[name];
      if (t.dtype !== "F64" || !(t.data instanceof Float64Array)) {
        throw new Error(`${W}: tensor ${JSON.stringify(name)} has dtype ${t.dtype}, expected F64`);
      }
      if (t.shape.join(",") !== shape.join(",")) {
        throw new Error(`${W}: tensor ${JSON.stringify(name)} has shape [${t.shape}], expected [${shape}]`);
      }
      params[name] = t.data;
    }
    for (const k of Object.keys(tensors)) {
      if (!want.some(([n]) => n === k)) throw new Error(`${W}: unexpected tensor ${JSON.stringify(k)}`);
    }
    try {
      hmm.setParams(params);
    } catch (e) {
      throw new Error(`${W}: the file's parameters are invalid: ${(e as Error).message}`);
    }
  } catch (e) {
    hmm.dispose();
    throw e;
  }
  return { hmm, metadata };
}
