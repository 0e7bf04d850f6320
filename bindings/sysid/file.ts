// Simulator files: one safetensors file with the simulator's parameters ("simulator.rnn.…",
// "simulator.readout.…"), the encoder's ("encoder.weight_ih_l0", …), the normalization
// ("normalization.u_mean", "normalization.u_std", "normalization.y_mean", "normalization.y_std",
// physical units) and the settings as JSON in __metadata__. Loading checks the settings and every
// tensor's name and shape against them before anything is allocated.
import { CELLS } from "../core/cells.js";
import { show } from "../core/check.js";
import { checkConfig, modelSlots } from "../nn/model/config.js";
import type { TensorSlot } from "../nn/params.js";
import { rnnSlots } from "../nn/rnn/layers.js";
import * as safetensors from "../io/safetensors.js";
import { slotTensors } from "../io/slots.js";
import { SimulatorSettings, checkSimulatorConfig } from "./core.js";
import type { SimulatorCore } from "./core.js";

/** The file's format tag in __metadata__. */
export const SIMULATOR_FORMAT = "recurrent-wasm-simulator";

const NORM = [["u_mean", "uMean", "inputs"], ["u_std", "uStd", "inputs"], ["y_mean", "yMean", "outputs"], ["y_std",
  "yStd", "outputs"]] as const;

/** Every tensor a simulator with these settings has, by name and shape. */
function slotsOf(c: SimulatorSettings): TensorSlot[] {
  const sim = modelSlots(
    checkConfig({ cell: c.cell, inputSize: c.inputs, hiddenSize: c.hiddenSize, numLayers: c.numLayers,
      outputSize: c.outputs, readout: "sequence", ...(c.head ? { head: c.head } : {}) }),
  );
  const enc = c.init === "encoder"
    ? rnnSlots(CELLS[c.cell].gates.length, c.inputs + c.outputs, c.hiddenSize, c.numLayers, 1)
    : [];
  const norm = NORM.map(([k, , ch]) => ({ name: `normalization.${k}`, shape: [c[ch]], size: c[ch], offset: 0 }));
  return [...sim.map((s) => ({ ...s, name: `simulator.${s.name}` })),
    ...enc.map((s) => ({ ...s, name: `encoder.${s.name}` })), ...norm];
}

/** The simulator as safetensors bytes. */
export function saveSimulator(sim: SimulatorCore, metadata: Record<string, string> = {}): Uint8Array {
  const W = "Simulator.save";
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new TypeError(`${W}: metadata must be an object of strings, got ${show(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") {
      throw new TypeError(`${W}: metadata ${JSON.stringify(k)} must be a string, got ${show(v)}`);
    }
    if (k === "format" || k === "config") {
      throw new TypeError(`${W}: metadata key ${JSON.stringify(k)} is reserved for the file's format and settings`);
    }
  }
  const sd = sim.stateDict(), z = sim.normalization;
  for (const [k, f] of NORM) sd[`normalization.${k}`] = z[f];
  const tensors: Record<string, safetensors.Tensor> = {};
  for (const s of slotsOf(sim.config)) tensors[s.name] = { dtype: "F32", shape: s.shape, data: sd[s.name] };
  return safetensors.write(tensors, { ...metadata, format: SIMULATOR_FORMAT, config: JSON.stringify(sim.config) });
}

/** Read a simulator file: its checked settings, its tensors by name (checked against the
 *  settings) and the rest of its __metadata__. */
export function readSimulator(
  bytes: Uint8Array,
): { config: SimulatorSettings; tensors: Record<string, Float32Array>; metadata: Record<string, string> } {
  const W = "Simulator.load";
  const { tensors, metadata } = safetensors.read(bytes);
  if (metadata.format !== SIMULATOR_FORMAT || typeof metadata.config !== "string") {
    throw new Error(`${W}: __metadata__ has no simulator settings (format ${JSON.stringify(metadata.format)})`);
  }
  let config: SimulatorSettings;
  try {
    const raw = JSON.parse(metadata.config);
    config = checkSimulatorConfig(raw);
  } catch (e) {
    throw new Error(`${W}: the file's settings are invalid: ${(e as Error).message}`);
  }
  const out = slotTensors(W, tensors, slotsOf(config));
  for (const [k] of NORM.slice(1, 2).concat(NORM.slice(3))) {
    const v = out[`normalization.${k}`];
    if (v.some((x) => !(x > 0))) throw new Error(`${W}: normalization.${k} must be > 0`);
  }
  const { format: _f, config: _c, ...rest } = metadata;
  return { config, tensors: out, metadata: rest };
}

/** Write the tensors of a file read by readSimulator into a simulator of its settings. */
export function loadInto(sim: SimulatorCore, tensors: Record<string, Float32Array>): void {
  sim.loadStateDict(Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith("normalization."))));
  const z = sim.normalization;
  for (const [k, f] of NORM) z[f].set(tensors[`normalization.${k}`]);
  sim.normalized = true;
}
