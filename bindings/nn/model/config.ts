// A Model's configuration: the options (ModelConfig), their checking with defaults filled in
// (checkConfig → ModelSettings), and the parameter slots a config implies (modelSlots): pure
// functions that allocate nothing, shared by the model (model.ts) and its files (io/).
import { CELLS, nonlinearityCells, resetAfterCells, takesNonlinearity, takesResetAfter } from "../../core/cells.js";
import * as check from "../../core/check.js";
import { checkInit } from "../../functional/init.js";
import type { InitOptions } from "../../functional/init.js";
import type { TensorSlot } from "../params.js";
import { rnnSlots, withForgetBias } from "../rnn/layers.js";
import type { CellOptions } from "../rnn/layers.js";
import { MODEL_CELLS, MODEL_CELL_TYPES, cellsTaking } from "./cells.js";
import type { ModelCell, OdeCellOptions } from "./cells.js";
import { recurrentInputSize } from "./data.js";
import { checkRate } from "./dropout.js";

const W = "Model";
/** "last": one output per sequence; "sequence": one per step (see ModelConfig.readout). */
export type Readout = "last" | "sequence";
/** "mse": regression (mean squared error); "crossentropy": classification (softmax over outputSize classes). */
export type Loss = "mse" | "crossentropy";
/** Initial state of the recurrence: zeros, one learned state (per layer and direction; for LSTM
 *  also the cell state), or a table of n learned states, one per class: each sequence picks its
 *  row by `data.classes` (e.g. a cell type or a patient group). */
export type InitialState = "zeros" | "learned" | {
  /** How many classes (rows of the table). */
  perClass: number;
};

export type { ModelCell, OdeCellOptions };

/** A readout head: hidden Linear layers between the recurrent features and the output layer,
 *  PyTorch's nn.Sequential(Linear(F, W1), Act, Linear(W1, W2), Act, …) followed by the output
 *  Linear(W_last, outputSize). */
export interface HeadOptions {
  /** Widths of the hidden layers, in order (default []: no head, the output layer reads the
   *  recurrent features directly). Each an integer >= 1; at most 16 layers. */
  hidden: number[];
  /** The activation after each hidden layer: "relu" (default) or "tanh". */
  activation?: "relu" | "tanh";
}

/** The recurrent stack's options (inputSize, hiddenSize, numLayers, bidirectional, nonlinearity,
 *  resetAfter, seed, init, checkpoint, forgetBias: see RNNOptions, GRUOptions and LSTMOptions), the
 *  cell, the readout and the loss; for token inputs, vocabSize and embeddingSize in place of
 *  inputSize. */
export interface ModelConfig extends Omit<CellOptions, "inputSize"> {
  /** Features per step of data.x (float inputs); not with vocabSize. */
  inputSize?: number;
  /** Token inputs: data.x holds Int32Array sequences of ids in 0..vocabSize−1, each looked up in an
   *  embedding table [vocabSize, embeddingSize] ("embedding.weight", torch.nn.Embedding: initialized
   *  N(0, 1) from the seed, trained with the rest) whose rows the recurrent stack reads; the model
   *  then has no inputSize. Cells rnn, lstm, gru; not with timeGap or inputMask. */
  vocabSize?: number;
  /** Token inputs: the width of an embedding row, the recurrent stack's input width (with
   *  vocabSize, required). */
  embeddingSize?: number;
  /** Recurrent cell (default "rnn", Elman). */
  cell?: ModelCell;
  /** cell "odegru": the ODE between steps. */
  ode?: OdeCellOptions;
  /** The time since the last step with an observation as one more input (0 until there is one;
   *  without inputMask every step is an observation, so it is the gap to the previous step), from
   *  data.times: the GRU-Δt baseline of irregularly sampled series (cells rnn, lstm, gru; GRU-D's
   *  δ, per step rather than per feature). Default false. */
  timeGap?: boolean;
  /** Missing features: data.mask [len, inputSize] of 0/1 says what was observed; the recurrent
   *  input becomes [x ⊙ mask, mask] (2·inputSize wide), and an "odegru" step where nothing was
   *  observed leaves the state to the ODE. Default false. */
  inputMask?: boolean;
  /** Readout width: values to regress (mse) or number of classes (crossentropy). */
  outputSize: number;
  /** "last": one output per sequence, from the state at its end (bidirectional: forward state at
   *  the end ⧺ reverse state at the start, PyTorch's h_n); "sequence": one output per step. */
  readout?: Readout;
  /** "mse" (default) or "crossentropy". */
  loss?: Loss;
  /** Default "zeros". */
  initialState?: InitialState;
  /** Hidden layers before the output layer (HeadOptions; default none). Their parameters are named
   *  as PyTorch names an nn.Sequential attribute `head`: "head.0.weight" [W1, F], "head.0.bias" [W1],
   *  "head.2.weight" [W2, W1], … (the indices count the activations too); the output layer stays
   *  "readout.weight" [outputSize, W_last] and "readout.bias", so files without a head load as
   *  before. Each hidden layer starts with PyTorch's nn.Linear init, U(±1/√fan_in). */
  head?: HeadOptions;
  /** Dropout between stacked recurrent layers, torch.nn.LSTM(dropout=p): in training, layer l + 1
   *  reads y_l ⊙ m_l, with y_l layer l's output at every step (both directions side by side) and
   *  m_l drawn per element: 0 with probability p, else 1/(1 − p) (inverted dropout); not after the
   *  last layer (no effect with numLayers 1). Training passes only (fit, trainBatch,
   *  computeGradients, gradientFlow), never predict, evaluate, stream, generate or fit's
   *  validation. Masks: drawn by the core from a hash of the model's seed, its count of training
   *  passes and each element's index (nn/model/dropout.ts), so the same seed and calls give the same
   *  masks. 0 <= p < 1, default 0. */
  dropout?: number;
  /** Dropout on the recurrent stack's input (x, or [x ⊙ mask, mask] and the time gap), every step
   *  and feature, as `dropout`: training only, inverted, seeded. 0 <= p < 1, default 0. */
  inputDropout?: number;
  /** Dropout on the features the readout reads (every step's output, or each sequence's last
   *  state), as `dropout`: training only, inverted, seeded. 0 <= p < 1, default 0. */
  readoutDropout?: number;
}

/** A checked config: every option filled in (ode only for cell "odegru"). */
export type ModelSettings = Required<
  Omit<ModelConfig, "ode" | "head" | "init" | "forgetBias" | "vocabSize" | "embeddingSize">
> & {
  /** The init's options (a preset expanded: "keras" is saved as its options; forgetBias folded in). */
  init: InitOptions;
  /** The head, filled in ({ hidden: [], activation: "relu" } without one). */
  head: Required<HeadOptions>;
  /** cell "odegru": the ODE's options, filled in. */
  ode?: Required<OdeCellOptions>;
  /** Token models only: the vocabulary's size. */
  vocabSize?: number;
  /** Token models only: the embedding's width (inputSize is then embeddingSize, the width the
   *  recurrent stack reads). */
  embeddingSize?: number;
};

/** Validate a model config (defaults filled in). Pure: allocates nothing. */
export function checkConfig(config: ModelConfig): ModelSettings {
  const o = check.object(W, "config", config);
  check.known(W, o, ["cell", "inputSize", "hiddenSize", "numLayers", "bidirectional", "nonlinearity", "resetAfter",
    "outputSize", "readout", "loss", "initialState", "seed", "init", "checkpoint", "ode", "timeGap", "inputMask",
    "head", "forgetBias", "dropout", "inputDropout", "readoutDropout", "vocabSize", "embeddingSize"]);
  const cell = check.oneOf(W, "cell", o.cell ?? "rnn", MODEL_CELL_TYPES);
  const spec = MODEL_CELLS[cell];
  if (o.forgetBias !== undefined && spec.layer !== "lstm") {
    throw new TypeError(
      `${W}: forgetBias applies only to cell "lstm" (the cell with a forget gate), got it with cell ${
        JSON.stringify(cell)
      }`,
    );
  }
  // LSTM and GRU gates are fixed; "tanh" (what a saved config holds) is accepted as a no-op
  if (!takesNonlinearity(spec.layer) && o.nonlinearity !== undefined && o.nonlinearity !== "tanh") {
    throw new TypeError(
      `${W}: nonlinearity applies only to cell ${nonlinearityCells()}, got ${check.show(o.nonlinearity)} with cell ${
        JSON.stringify(cell)
      }`,
    );
  }
  // true (what a saved config of another cell holds) is accepted as a no-op
  if (!(takesResetAfter(spec.layer) && spec.core === "stack") && o.resetAfter !== undefined && o.resetAfter !== true) {
    throw new TypeError(
      `${W}: resetAfter applies only to cell ${resetAfterCells()}, got ${check.show(o.resetAfter)} with cell ${
        JSON.stringify(cell)
      }`,
    );
  }
  let initialState: InitialState = "zeros";
  if (o.initialState === "zeros" || o.initialState === "learned" || o.initialState === undefined) {
    initialState = (o.initialState as InitialState) ?? "zeros";
  } else if (typeof o.initialState === "object" && o.initialState !== null && !Array.isArray(o.initialState)) {
    const is = o.initialState as Record<string, unknown>;
    check.known(W, is, ["perClass"], "initialState");
    initialState = { perClass: check.int(W, "initialState.perClass", is.perClass, 1, 1 << 20) };
  } else {
    throw new TypeError(
      `${W}: initialState must be "zeros", "learned" or { perClass: n }, got ${check.show(o.initialState)}`,
    );
  }
  const tokens = checkTokens(o, cell);
  const cfg: ModelSettings = { cell,
    inputSize: tokens ? tokens.embeddingSize : check.int(W, "inputSize", o.inputSize, 1, 1 << 20),
    hiddenSize: check.int(W, "hiddenSize", o.hiddenSize, 1, 1 << 20),
    numLayers: check.int(W, "numLayers", o.numLayers ?? 1, 1, 64),
    bidirectional: check.bool(W, "bidirectional", o.bidirectional ?? false),
    nonlinearity: check.oneOf(W, "nonlinearity", o.nonlinearity ?? "tanh", ["tanh", "relu", "linear"] as const),
    resetAfter: check.bool(W, "resetAfter", o.resetAfter ?? true),
    outputSize: check.int(W, "outputSize", o.outputSize, 1, 1 << 20),
    readout: check.oneOf(W, "readout", o.readout ?? "last", ["last", "sequence"] as const),
    loss: check.oneOf(W, "loss", o.loss ?? "mse", ["mse", "crossentropy"] as const), initialState,
    seed: check.int(W, "seed", o.seed ?? 0, 0, 0xffffffff),
    init: withForgetBias(W, checkInit(W, o.init, spec.layer === "lstm"), o.forgetBias),
    checkpoint: check.bool(W, "checkpoint", o.checkpoint ?? false),
    timeGap: check.bool(W, "timeGap", o.timeGap ?? false), inputMask: check.bool(W, "inputMask", o.inputMask ?? false),
    head: checkHead(o.head), dropout: checkRate(W, "dropout", o.dropout),
    inputDropout: checkRate(W, "inputDropout", o.inputDropout),
    readoutDropout: checkRate(W, "readoutDropout", o.readoutDropout) };
  if (cfg.loss === "crossentropy" && cfg.outputSize < 2) {
    throw new RangeError(`${W}: crossentropy needs outputSize >= 2 classes, got ${cfg.outputSize}`);
  }
  // the options of other cells, then the cell's own constraints and options
  for (const key of CELL_OPTIONS) {
    if (o[key] !== undefined && !spec.options.includes(key)) {
      throw new TypeError(`${W}: ${key} applies only to ${cellsTaking(key)}, got it with cell ${JSON.stringify(cell)}`);
    }
  }
  if (tokens && (cfg.timeGap || cfg.inputMask)) {
    throw new TypeError(
      `${W}: ${
        cfg.timeGap ? "timeGap" : "inputMask"
      } adds float inputs beside the features; a token model (vocabSize) has none`,
    );
  }
  return Object.assign(cfg, tokens ?? {}, spec.settle(cfg, o));
}

/** The token options (vocabSize with embeddingSize, without inputSize), or null for float inputs. */
function checkTokens(o: Record<string, unknown>, cell: ModelCell): { vocabSize: number; embeddingSize: number } | null {
  if (o.vocabSize === undefined) {
    if (o.embeddingSize !== undefined) {
      throw new TypeError(`${W}: embeddingSize is the width of a token model's embedding; give vocabSize with it`);
    }
    return null;
  }
  if (o.inputSize !== undefined) {
    throw new TypeError(
      `${W}: give inputSize (float inputs) or vocabSize (token ids, with embeddingSize), not both: a token model's input width is embeddingSize`,
    );
  }
  if (MODEL_CELLS[cell].core !== "stack") {
    throw new TypeError(
      `${W}: vocabSize (token inputs) applies to the recurrent stacks (cells ${
        MODEL_CELL_TYPES.filter((c) => MODEL_CELLS[c].core === "stack").map((c) => JSON.stringify(c)).join(", ")
      }), got cell ${JSON.stringify(cell)}`,
    );
  }
  if (o.embeddingSize === undefined) {
    throw new TypeError(`${W}: vocabSize needs embeddingSize, the width of an embedding row (the stack's input width)`);
  }
  return { vocabSize: check.int(W, "vocabSize", o.vocabSize, 1, 1 << 24),
    embeddingSize: check.int(W, "embeddingSize", o.embeddingSize, 1, 1 << 20) };
}

/** The config as a model file stores it: what checkConfig reads back to the same settings (a
 *  token model's inputSize is implied by its embeddingSize). */
export function savedConfig(cfg: ModelSettings): ModelConfig {
  if (cfg.vocabSize === undefined) return cfg;
  const { inputSize: _implied, ...rest } = cfg;
  return rest;
}

/** @internal The head's options, checked; errors name `where` (the class that takes them). */
export function checkHead(v: unknown, where = W): Required<HeadOptions> {
  if (v === undefined) return { hidden: [], activation: "relu" };
  const h = check.object(where, "head", v);
  check.known(where, h, ["hidden", "activation"], "head");
  if (!Array.isArray(h.hidden) || h.hidden.length > 16) {
    throw new TypeError(
      `${where}: head.hidden must be an array of at most 16 layer widths (e.g. [64]), got ${check.show(h.hidden)}`,
    );
  }
  const hidden = h.hidden.map((w, i) => check.int(where, `head.hidden[${i}]`, w, 1, 1 << 20));
  return { hidden,
    activation: check.oneOf(where, "head.activation", h.activation ?? "relu", ["relu", "tanh"] as const) };
}

/** The options some cell takes as its own (MODEL_CELLS[…].options). */
const CELL_OPTIONS = [...new Set(MODEL_CELL_TYPES.flatMap((c) => MODEL_CELLS[c].options))];

/** Names, shapes and offsets of all of a model's parameters ("rnn.weight_ih_l0", …,
 *  "readout.weight", "readout.bias", "h0", "c0", and for odegru "ode.net.0.weight", …), from a
 *  checked config. Pure. */
export function modelSlots(cfg: ModelSettings): TensorSlot[] {
  const D = cfg.bidirectional ? 2 : 1, H = cfg.hiddenSize, F = D * H, O = cfg.outputSize, LD = cfg.numLayers * D;
  const spec = MODEL_CELLS[cfg.cell], layer = CELLS[spec.layer];
  const rnn = rnnSlots(layer.gates.length, recurrentInputSize(cfg), H, cfg.numLayers, D).map((s) => ({ ...s,
    name: "rnn." + s.name })
  );
  let o = rnn[rnn.length - 1].offset + rnn[rnn.length - 1].size, In = F;
  const slots: TensorSlot[] = [...rnn];
  // the head's Linear layers (nn.Sequential indices: 0, 2, 4, … between the activations), then the output layer
  cfg.head.hidden.forEach((Wd, i) => {
    slots.push({ name: `head.${2 * i}.weight`, shape: [Wd, In], offset: o, size: Wd * In }, {
      name: `head.${2 * i}.bias`,
      shape: [Wd],
      offset: o + Wd * In,
      size: Wd,
    });
    o += Wd * In + Wd;
    In = Wd;
  });
  slots.push({ name: "readout.weight", shape: [O, In], offset: o, size: O * In }, { name: "readout.bias", shape: [O],
    offset: o + O * In, size: O });
  o += O * In + O;
  const rows = cfg.initialState === "zeros" ? 0 : cfg.initialState === "learned" ? 1 : cfg.initialState.perClass;
  if (rows > 0) {
    const shape = cfg.initialState === "learned" ? [LD, H] : [rows, LD, H], size = rows * LD * H;
    slots.push({ name: "h0", shape, offset: o, size });
    if (layer.cellState) slots.push({ name: "c0", shape, offset: o + size, size });
    o += layer.cellState ? 2 * size : size;
  }
  for (const s of spec.tail(cfg)) slots.push({ ...s, offset: o + s.offset });
  if (cfg.vocabSize === undefined) return slots;
  // the embedding lies after everything else in the block (the recurrent stack keeps offset 0) and
  // comes first by name, as in a PyTorch module whose first attribute is `embedding`
  const end = slots.reduce((a, s) => Math.max(a, s.offset + s.size), 0), V = cfg.vocabSize, E = cfg.embeddingSize!;
  return [{ name: "embedding.weight", shape: [V, E], offset: end, size: V * E }, ...slots];
}
