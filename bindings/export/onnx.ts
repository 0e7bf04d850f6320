// A Model as an ONNX graph (opset 14): the recurrent stack as ONNX's RNN, LSTM and GRU operators
// (one node per layer, both directions in one node, gates reordered from PyTorch's to ONNX's,
// sequence_lens from the "lengths" input), the token embedding as Gather (or the features with
// their mask and time gap, onnx-inputs.ts), learned initial states
// as an Expand (one state) or a Gather of the class table by the "classes" input (per-class
// states), the head and the readout as Gemm (readout "last") or MatMul + Add ("sequence"), and for
// readout "sequence" the outputs past each length set to zero, as predict() returns them. Dropout
// is training-only and has no node. docs/scale.md describes the mapping.
import { CELLS } from "../core/cells.js";
import type { CellType } from "../core/cells.js";
import { MODEL_CELLS } from "../nn/model/cells.js";
import { savedConfig } from "../nn/model/config.js";
import type { ModelSettings } from "../nn/model/config.js";
import { recurrentInputSize } from "../nn/model/data.js";
import { Builder } from "./onnx-graph.js";
import { recurrentInput } from "./onnx-inputs.js";
import { DOUBLE, FLOAT, INT32, INT64, modelProto } from "./onnx-proto.js";
import type { Attribute, ValueInfo } from "./onnx-proto.js";

/** The opset the exported graphs import (every operator used is unchanged since at least 14). */
export const ONNX_OPSET = 14;
/** The IR version of opset 14 (ONNX 1.9): the oldest runtime that reads the graph reads it. */
const IR_VERSION = 7;

/** ONNX's operator for each cell and where each of its gates sits in PyTorch's order: ONNX's LSTM
 *  gates are i, o, f, c (PyTorch's i, f, g, o); its GRU's z, r, h (PyTorch's r, z, n). */
const OPS: { readonly [C in CellType]: { op: string; order: readonly number[] } } = { rnn: { op: "RNN", order: [0] },
  lstm: { op: "LSTM", order: [0, 3, 1, 2] }, gru: { op: "GRU", order: [1, 0, 2] } };

/** The Elman cell's nonlinearity as ONNX RNN activations ("linear": Affine with alpha 1, beta 0). */
const RNN_ACTIVATION = { tanh: "Tanh", relu: "Relu", linear: "Affine" } as const;

/** Why a model cannot be exported, or "" when it can. */
function unsupported(cfg: ModelSettings): string {
  if (MODEL_CELLS[cfg.cell].core !== "stack") {
    return `cell ${
      JSON.stringify(cfg.cell)
    } (the ODE-RNN) has no ONNX operator: its ODE solve between steps cannot be written as RNN, LSTM or GRU nodes (export a cell "rnn", "lstm" or "gru" model)`;
  }
  return "";
}

/** Throws a TypeError naming what of the config the export cannot write. */
export function checkExportable(where: string, cfg: ModelSettings): void {
  const why = unsupported(cfg);
  if (why) throw new TypeError(`${where}: ${why}`);
}

/** Rows of a [G·H, cols] gate-stacked matrix (or [G·H] vector, cols 1) reordered by `order`. */
function reorderGates(src: Float32Array, G: number, H: number, cols: number, order: readonly number[]): Float32Array {
  const dst = new Float32Array(G * H * cols), block = H * cols;
  for (let k = 0; k < G; k++) dst.set(src.subarray(order[k] * block, (order[k] + 1) * block), k * block);
  return dst;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Wᵀ of a row-major [rows, cols] matrix. */
function transposed(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

/** The ONNX ModelProto bytes of a model with settings `cfg` and parameters `sd` (its stateDict);
 *  metadata_props: "recurrent-wasm.config" (the config as a model file stores it), then `metadata`.
 *  Call checkExportable first. */
export function modelToOnnx(cfg: ModelSettings, sd: Record<string, Float32Array>,
  metadata: readonly [string, string][] = []): Uint8Array {
  const g = new Builder(), cell = MODEL_CELLS[cfg.cell].layer, { op, order } = OPS[cell];
  const G = CELLS[cell].gates.length, H = cfg.hiddenSize, L = cfg.numLayers, D = cfg.bidirectional ? 2 : 1;
  const F = D * H, LD = L * D, tokens = cfg.vocabSize !== undefined, perClass = typeof cfg.initialState === "object";
  const inputs: ValueInfo[] = [
    tokens
      ? { name: "x", type: INT64, shape: ["batch", "steps"] }
      : { name: "x", type: FLOAT, shape: ["batch", "steps", cfg.inputSize] },
    { name: "lengths", type: INT32, shape: ["batch"] },
  ];
  if (perClass) inputs.push({ name: "classes", type: INT32, shape: ["batch"] });
  if (cfg.inputMask) inputs.push({ name: "mask", type: FLOAT, shape: ["batch", "steps", cfg.inputSize] });
  if (cfg.timeGap) inputs.push({ name: "times", type: DOUBLE, shape: ["batch", "steps"] });

  // the stack's input, time-major [T, B, I]
  const rows = tokens
    ? g.one("Gather", [g.tensor("embedding.weight", FLOAT, [cfg.vocabSize!, cfg.inputSize], sd["embedding.weight"]),
      "x"], [{ name: "axis", i: 0 }])
    : recurrentInput(g, cfg);
  let seq = g.transpose(rows, [1, 0, 2]);

  // the initial states [L·D, B, H] (none: ONNX's zeros), sliced per layer below
  const initial = (name: "h0" | "c0"): string => {
    if (cfg.initialState === "zeros") return "";
    if (perClass) {
      const table = g.tensor(name, FLOAT, [(cfg.initialState as { perClass: number }).perClass, LD, H], sd[name]);
      return g.transpose(g.one("Gather", [table, "classes"], [{ name: "axis", i: 0 }]), [1, 0, 2]);
    }
    const shape = g.one("Concat", [g.ints([LD]), g.one("Shape", ["lengths"]), g.ints([H])], [{ name: "axis", i: 0 }]);
    return g.one("Expand", [g.tensor(name, FLOAT, [LD, 1, H], sd[name]), shape]);
  };
  const h0 = initial("h0"), c0 = CELLS[cell].cellState ? initial("c0") : "";
  const layerState = (all: string, l: number) =>
    all === "" || L === 1 ? all : g.one("Slice", [all, g.ints([l * D]), g.ints([(l + 1) * D]), g.ints([0])]);

  let hn = "";
  for (let l = 0; l < L; l++) {
    const In = l === 0 ? recurrentInputSize(cfg) : F, W: Float32Array[] = [], R: Float32Array[] = [],
      B: Float32Array[] = [];
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`, p = (n: string) => sd[`rnn.${n}${sfx}`];
      W.push(reorderGates(p("weight_ih"), G, H, In, order));
      R.push(reorderGates(p("weight_hh"), G, H, H, order));
      B.push(reorderGates(p("bias_ih"), G, H, 1, order), reorderGates(p("bias_hh"), G, H, 1, order));
    }
    const attrs: Attribute[] = [{ name: "direction", s: D === 2 ? "bidirectional" : "forward" }, { name: "hidden_size",
      i: H }];
    if (cell === "rnn") {
      attrs.push({ name: "activations", strings: Array(D).fill(RNN_ACTIVATION[cfg.nonlinearity]) });
      if (cfg.nonlinearity === "linear") {
        attrs.push({ name: "activation_alpha", floats: Array(D).fill(1) }, { name: "activation_beta",
          floats: Array(D).fill(0) });
      }
    }
    if (cell === "gru") attrs.push({ name: "linear_before_reset", i: cfg.resetAfter ? 1 : 0 });
    const ins = [seq, g.tensor(`rnn.W_l${l}`, FLOAT, [D, G * H, In], concat(W)),
      g.tensor(`rnn.R_l${l}`, FLOAT, [D, G * H, H], concat(R)),
      g.tensor(`rnn.B_l${l}`, FLOAT, [D, 2 * G * H], concat(B)), "lengths", layerState(h0, l)];
    if (c0) ins.push(layerState(c0, l));
    while (ins[ins.length - 1] === "") ins.pop();
    const [Y, Yh] = g.node(op, ins, attrs, 2);
    // Y [T, D, B, H] → [T, B, D·H]: the directions side by side, as PyTorch's output
    seq = g.reshape(g.transpose(Y, [0, 2, 1, 3]), [0, 0, -1]);
    hn = Yh;
  }

  // the readout's features: each sequence's last state ([B, D·H], the last layer's h_n of both
  // directions, PyTorch's order) or every step's output [B, T, D·H]
  const last = cfg.readout === "last";
  let feat = last ? g.reshape(g.transpose(hn, [1, 0, 2]), [0, -1]) : g.transpose(seq, [1, 0, 2]);
  const linear = (w: string, b: string, out: number, In: number, output?: string) =>
    last
      ? g.one("Gemm", [feat, g.tensor(w, FLOAT, [out, In], sd[w]), g.tensor(b, FLOAT, [out], sd[b])], [{ name: "transB",
        i: 1 }], output)
      : g.one("Add", [g.one("MatMul", [feat, g.tensor(`${w}.T`, FLOAT, [In, out], transposed(sd[w], out, In))]),
        g.tensor(b, FLOAT, [out], sd[b])], [], output);
  let In = F;
  cfg.head.hidden.forEach((Wd, i) => {
    feat = g.one(cfg.head.activation === "relu" ? "Relu" : "Tanh", [
      linear(`head.${2 * i}.weight`, `head.${2 * i}.bias`, Wd, In),
    ]);
    In = Wd;
  });
  const O = cfg.outputSize;
  if (last) linear("readout.weight", "readout.bias", O, In, "y");
  else {
    // zero past each length: where(t < lengths[b], y, 0)
    const steps = g.steps();
    const len = g.one("Unsqueeze", [g.one("Cast", ["lengths"], [{ name: "to", i: INT64 }]), g.ints([1])]);
    const valid = g.one("Unsqueeze", [g.one("Less", [steps, len]), g.ints([2])]);
    const zero = g.tensor("zero", FLOAT, [], [0]);
    g.one("Where", [valid, linear("readout.weight", "readout.bias", O, In), zero], [], "y");
  }

  const outputs: ValueInfo[] = [{ name: "y", type: FLOAT, shape: last ? ["batch", O] : ["batch", "steps", O] }];
  const doc = `recurrent-wasm ${cfg.cell} model: x ${
    tokens ? "int64 token ids [batch, steps]" : "float32 [batch, steps, " + cfg.inputSize + "]"
  }, lengths int32 [batch] (1 <= lengths[b] <= steps; steps past a length are padding)${
    perClass ? ", classes int32 [batch] (each sequence's row of the initial-state table)" : ""
  } -> y ${last ? "[batch, outputSize]" : "[batch, steps, outputSize], zero past each length"}${
    cfg.loss === "crossentropy" ? " (logits)" : ""
  }`;
  return modelProto({ name: "recurrent-wasm", nodes: g.nodes, initializers: g.initializers, inputs, outputs }, {
    irVersion: IR_VERSION,
    opset: ONNX_OPSET,
    producerName: "recurrent-wasm",
    docString: doc,
    metadata: [["recurrent-wasm.config", JSON.stringify(savedConfig(cfg))], ...metadata],
  });
}
