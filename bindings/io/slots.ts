// The tensors of a file matched against the slots a configuration describes: one check, shared by
// every loader whose file holds float parameters by name.
import type { ReadTensor } from "./safetensors.js";

/**
 * The float tensors of `tensors` named by `slots`, in slot order: every slot present with its shape,
 * finite values, and no tensor that no slot names. Throws `${W}: …` naming the tensor otherwise.
 */
export function slotTensors(W: string, tensors: Record<string, ReadTensor>,
  slots: readonly { name: string; shape: readonly number[] }[]): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const s of slots) {
    if (!Object.prototype.hasOwnProperty.call(tensors, s.name)) {
      throw new Error(`${W}: missing tensor ${JSON.stringify(s.name)} [${s.shape}]`);
    }
    const t = tensors[s.name];
    if (!(t.data instanceof Float32Array)) {
      throw new Error(`${W}: tensor ${JSON.stringify(s.name)} has dtype ${t.dtype}, expected a float type`);
    }
    if (t.shape.join(",") !== s.shape.join(",")) {
      throw new Error(`${W}: tensor ${JSON.stringify(s.name)} has shape [${t.shape}], expected [${s.shape}]`);
    }
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new Error(`${W}: tensor ${JSON.stringify(s.name)}[${bad}] is ${t.data[bad]}; it must be finite`);
    }
    out[s.name] = t.data;
  }
  const names = new Set(slots.map((s) => s.name));
  for (const k of Object.keys(tensors)) {
    if (!names.has(k)) throw new Error(`${W}: unexpected tensor ${JSON.stringify(k)}`);
  }
  return out;
}
