// The weights of a Keras / TF.js LayersModel: the manifest read against the bytes, and each Keras
// weight mapped to the Model's PyTorch names. Keras keeps a kernel [in, G·H] whose column blocks are
// the gates (LSTM i,f,c,o = PyTorch's i,f,g,o; GRU z,r,h, ours r,z,n), a recurrent_kernel [H, G·H]
// and one bias [G·H] (GRU with reset_after: [2, G·H], the input and the recurrent biases); ours
// are weight_ih [G·H, in], weight_hh [G·H, H], bias_ih and bias_hh [G·H]. A single bias goes to
// bias_ih with bias_hh zero: the sum the gates read is the same.
import { show } from "../core/check.js";
import type { ModelConfig } from "../nn/model/config.js";

/** A recurrent layer of the file, checked (keras.ts). */
export interface KerasRecurrent {
  cell: "rnn" | "lstm" | "gru";
  units: number;
  nonlinearity: "tanh" | "relu" | "linear";
  /** GRU: the config's reset_after (undefined: read from the bias's shape). */
  resetAfter: boolean | undefined;
  useBias: boolean;
  returnSequences: boolean;
  dropout: number;
  bidirectional?: boolean;
  /** The layer's name, and the wrapped layer's (Bidirectional) or null. */
  name: string;
  inner: string | null;
}

/** What keras.ts read of the layers. */
export interface KerasPlan {
  config: ModelConfig;
  recurrent: KerasRecurrent[];
  dense: { name: string; units: number; activation: string; useBias: boolean }[];
  embedding: { name: string; V: number; E: number } | null;
  /** A Masking layer or an Embedding with mask_zero came first. */
  masked: boolean;
  /** The features per step that the input layer declares, if it does. */
  inputSize: number | undefined;
}

/** One weight of the manifest: its name's parts, shape and values. */
export interface KerasWeight {
  name: string;
  parts: string[];
  shape: number[];
  data: Float32Array;
  used: boolean;
}

/** The manifest's weights with their values: each group's weights in order, the groups in the
 *  manifest's order, laid end to end in `bytes` (float32, little-endian). */
export function readManifest(W: string, manifest: unknown, bytes: Uint8Array): KerasWeight[] {
  if (!Array.isArray(manifest)) {
    throw new Error(`${W}: modelJson.weightsManifest must be an array of weight groups, got ${show(manifest)}`);
  }
  const out: KerasWeight[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  manifest.forEach((g, gi) => {
    const ws = g !== null && typeof g === "object" ? (g as Record<string, unknown>).weights : undefined;
    if (!Array.isArray(ws)) throw new Error(`${W}: weightsManifest[${gi}] has no weights array`);
    ws.forEach((w, wi) => {
      const spec = (w ?? {}) as Record<string, unknown>;
      const where = `weightsManifest[${gi}].weights[${wi}]`;
      if (typeof spec.name !== "string") throw new Error(`${W}: ${where} has no name`);
      const name = spec.name;
      const shape = spec.shape;
      if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0 || d > 2 ** 31)) {
        throw new Error(
          `${W}: weight ${JSON.stringify(name)} has shape ${show(shape)}; expected non-negative integers`,
        );
      }
      if (spec.quantization !== undefined) {
        throw new Error(`${W}: weight ${JSON.stringify(name)} is quantized; save the model without quantization`);
      }
      if (spec.dtype !== "float32") {
        throw new Error(`${W}: weight ${JSON.stringify(name)} has dtype ${show(spec.dtype)}; expected "float32"`);
      }
      const n = (shape as number[]).reduce((a, d) => a * d, 1);
      if (offset + 4 * n > bytes.length) {
        throw new RangeError(
          `${W}: weightBytes holds ${bytes.length} bytes, but weight ${
            JSON.stringify(name)
          } [${shape}] needs bytes ${offset}..${offset + 4 * n} (the manifest's weights, every group in order, take ${
            total(manifest)
          } bytes)`,
        );
      }
      const data = new Float32Array(n);
      for (let k = 0; k < n; k++) data[k] = view.getFloat32(offset + 4 * k, true);
      offset += 4 * n;
      out.push({ name, parts: name.split("/"), shape: shape as number[], data, used: false });
    });
  });
  if (offset !== bytes.length) {
    throw new RangeError(
      `${W}: weightBytes holds ${bytes.length} bytes but the manifest's weights take ${offset} (every group's weights.bin, concatenated in the manifest's order)`,
    );
  }
  return out;
}

/** The bytes the manifest's weights take (for a message; malformed entries count 0). */
function total(manifest: unknown[]): number | string {
  let t = 0;
  for (const g of manifest) {
    for (const w of ((g as Record<string, unknown>)?.weights ?? []) as Record<string, unknown>[]) {
      if (!Array.isArray(w?.shape)) return "?";
      t += 4 * (w.shape as number[]).reduce((a, d) => a * d, 1);
    }
  }
  return t;
}

/** The Model's state dict from the weights; fills the config's inputSize and GRU resetAfter. */
export function kerasStateDict(W: string, plan: KerasPlan, weights: KerasWeight[]): Record<string, Float32Array> {
  const dict: Record<string, Float32Array> = {};
  /** The weight of layer `layer` (and the Bidirectional's half `half`) named `last`. */
  const find = (layer: string, last: string, half: "forward" | "backward" | null, cls: string): KerasWeight => {
    const hits = weights.filter((w) =>
      w.parts[w.parts.length - 1] === last && w.parts.slice(0, -1).includes(layer)
      && (half === null || w.parts.some((p) => p.startsWith(half)))
    );
    if (hits.length > 1) {
      throw new Error(
        `${W}: layer "${layer}" has ${hits.length} weights named ${last}: ${hits.map((h) => h.name).join(", ")}`,
      );
    }
    if (!hits.length) {
      throw new Error(
        `${W}: layer "${layer}"${cls ? ` (class ${cls})` : ""}: weight "${last}"${
          half ? ` of its ${half} layer` : ""
        } is missing from weightsManifest`,
      );
    }
    hits[0].used = true;
    return hits[0];
  };
  const expect = (w: KerasWeight, shape: number[]) => {
    if (w.shape.join(",") !== shape.join(",")) {
      throw new Error(`${W}: weight ${JSON.stringify(w.name)} has shape [${w.shape}], expected [${shape}]`);
    }
  };
  const cfg = plan.config;
  const G = { rnn: 1, lstm: 4, gru: 3 }[plan.recurrent[0].cell], H = plan.recurrent[0].units;
  const D = cfg.bidirectional ? 2 : 1;
  // Keras' gate blocks → ours: ours[j] = keras[ORDER[j]]
  const ORDER = plan.recurrent[0].cell === "gru" ? [1, 0, 2] : [0, 1, 2, 3].slice(0, G);
  if (plan.embedding) {
    const e = find(plan.embedding.name, "embeddings", null, "Embedding");
    expect(e, [plan.embedding.V, plan.embedding.E]);
    dict["embedding.weight"] = e.data;
  }
  let In = plan.embedding ? plan.embedding.E : -1;
  plan.recurrent.forEach((r, l) => {
    for (let d = 0; d < D; d++) {
      const half = D === 2 ? (d === 0 ? "forward" : "backward") : null, sfx = `_l${l}${d ? "_reverse" : ""}`;
      const cls = r.inner ? `Bidirectional` : { rnn: "SimpleRNN", lstm: "LSTM", gru: "GRU" }[r.cell];
      const k = find(r.name, "kernel", half, cls), rk = find(r.name, "recurrent_kernel", half, cls);
      if (In < 0) {
        In = k.shape[0];
        if (plan.inputSize !== undefined && plan.inputSize !== In) {
          throw new Error(
            `${W}: the input layer declares ${plan.inputSize} features per step but weight ${
              JSON.stringify(k.name)
            } reads ${In}`,
          );
        }
        cfg.inputSize = In;
      }
      expect(k, [In, G * H]);
      expect(rk, [H, G * H]);
      const b = r.useBias ? find(r.name, "bias", half, cls) : null;
      let after = r.resetAfter;
      if (r.cell === "gru") {
        // a config without reset_after: the first layer's bias shape says, and the others follow it
        after ??= cfg.resetAfter ?? (b !== null && b.shape.length === 2);
        if (l === 0 && d === 0) cfg.resetAfter = after;
      }
      if (b) expect(b, after ? [2, G * H] : [G * H]);
      dict[`rnn.weight_ih${sfx}`] = gatesT(k.data, In, G, H, ORDER);
      dict[`rnn.weight_hh${sfx}`] = gatesT(rk.data, H, G, H, ORDER);
      const bi = new Float32Array(G * H), bh = new Float32Array(G * H);
      if (b) {
        bi.set(gates(b.data.subarray(0, G * H), G, H, ORDER));
        if (after) bh.set(gates(b.data.subarray(G * H), G, H, ORDER));
      }
      dict[`rnn.bias_ih${sfx}`] = bi;
      dict[`rnn.bias_hh${sfx}`] = bh;
    }
    In = D * H;
  });
  plan.dense.forEach((dl, i) => {
    const key = i === plan.dense.length - 1 ? "readout" : `head.${2 * i}`;
    const k = find(dl.name, "kernel", null, "Dense");
    expect(k, [In, dl.units]);
    dict[`${key}.weight`] = gatesT(k.data, In, 1, dl.units, [0]);
    const b = dl.useBias ? find(dl.name, "bias", null, "Dense") : null;
    if (b) expect(b, [dl.units]);
    dict[`${key}.bias`] = b ? b.data : new Float32Array(dl.units);
    In = dl.units;
  });
  if (!plan.dense.length) {
    // the model ends with its recurrent features: an identity readout gives them
    const F = In, id = new Float32Array(F * F);
    for (let j = 0; j < F; j++) id[j * F + j] = 1;
    dict["readout.weight"] = id;
    dict["readout.bias"] = new Float32Array(F);
  }
  const extra = weights.find((w) => !w.used);
  if (extra) {
    throw new Error(`${W}: weight ${JSON.stringify(extra.name)} [${extra.shape}] belongs to no layer that was read`);
  }
  return dict;
}

/** A kernel [rows, G·H] transposed to [G·H, rows], its gate blocks reordered (ours[j] = keras[order[j]]). */
function gatesT(k: Float32Array, rows: number, G: number, H: number, order: number[]): Float32Array {
  const out = new Float32Array(G * H * rows);
  for (let j = 0; j < G; j++) {
    const src = order[j] * H;
    for (let u = 0; u < H; u++) for (let r = 0; r < rows; r++) out[(j * H + u) * rows + r] = k[r * G * H + src + u];
  }
  return out;
}

/** A bias [G·H] with its gate blocks reordered. */
function gates(b: Float32Array, G: number, H: number, order: number[]): Float32Array {
  const out = new Float32Array(G * H);
  for (let j = 0; j < G; j++) out.set(b.subarray(order[j] * H, order[j] * H + H), j * H);
  return out;
}
