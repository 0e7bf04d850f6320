// A Model's configuration: the options (ModelConfig), their checking with defaults filled in
// (checkConfig → ModelSettings), and the parameter slots a config implies (modelSlots): pure
// functions that allocate nothing, shared by the model (model.ts) and its files (io/).
import * as check from "../../core/check.js";
import { checkInit } from "../../functional/init.js";
import { checkAtol } from "../../functional/ode.js";
import { recurrentInputSize } from "./data.js";
import type { TensorSlot } from "../params.js";
import { CELLS, CELL_TYPES, nonlinearityCells, takesNonlinearity } from "../../core/cells.js";
import type { CellType } from "../../core/cells.js";
import { RNNOptions, rnnSlots } from "../rnn/layers.js";
import { OdeActivation, OdeMethod, odeSlots } from "../ode/neural-ode.js";
import type { NeuralODEOptions } from "../ode/neural-ode.js";

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

/** Cells of a Model: the recurrent layers' (rnn, lstm, gru) and "odegru", the ODE-RNN of
 *  Rubanova, Chen & Duvenaud (2019): between two steps the state follows dh/dt = f_θ(h) (a Neural
 *  ODE) from the previous step's time to this one's, and at each step a GRU cell reads the input. */
export type ModelCell = CellType | "odegru";

/** The ODE of cell "odegru" (NeuralODEOptions without stateSize: the state is the hidden state).
 *  Defaults: hidden [hiddenSize], tanh, no time input, dopri5 with rtol 1e-3 and atol 1e-4
 *  (Rubanova et al.'s), substeps 1, maxSteps 10000, gradient "backprop". */
export type OdeCellOptions = Omit<NeuralODEOptions, "stateSize" | "inputMap" | "seed">;

/** The recurrent stack's options (inputSize, hiddenSize, numLayers, bidirectional, nonlinearity,
 *  seed, init, checkpoint: see RNNOptions), the cell, the readout and the loss. */
export interface ModelConfig extends RNNOptions {
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
}

/** A checked config: every option filled in (ode only for cell "odegru"). */
export type ModelSettings = Required<Omit<ModelConfig, "ode">> & {
  /** cell "odegru": the ODE's options, filled in. */
  ode?: Required<OdeCellOptions>;
};

/** Validate a model config (defaults filled in). Pure: allocates nothing. */
export function checkConfig(config: ModelConfig): ModelSettings {
  const o = check.object(W, "config", config);
  check.known(W, o, ["cell", "inputSize", "hiddenSize", "numLayers", "bidirectional", "nonlinearity", "outputSize", "readout", "loss", "initialState", "seed", "init", "checkpoint", "ode", "timeGap", "inputMask"]);
  const cell = check.oneOf(W, "cell", o.cell ?? "rnn", [...CELL_TYPES, "odegru"] as const);
  // LSTM and GRU gates are fixed; "tanh" (what a saved config holds) is accepted as a no-op
  if (!takesNonlinearity(layerCell(cell)) && o.nonlinearity !== undefined && o.nonlinearity !== "tanh") throw new TypeError(`${W}: nonlinearity applies only to cell ${nonlinearityCells()}, got ${check.show(o.nonlinearity)} with cell ${JSON.stringify(cell)}`);
  let initialState: InitialState = "zeros";
  if (o.initialState === "zeros" || o.initialState === "learned" || o.initialState === undefined) initialState = (o.initialState as InitialState) ?? "zeros";
  else if (typeof o.initialState === "object" && o.initialState !== null && !Array.isArray(o.initialState)) {
    const is = o.initialState as Record<string, unknown>;
    check.known(W, is, ["perClass"], "initialState");
    initialState = { perClass: check.int(W, "initialState.perClass", is.perClass, 1, 1 << 20) };
  } else throw new TypeError(`${W}: initialState must be "zeros", "learned" or { perClass: n }, got ${check.show(o.initialState)}`);
  const cfg: ModelSettings = {
    cell,
    inputSize: check.int(W, "inputSize", o.inputSize, 1, 1 << 20),
    hiddenSize: check.int(W, "hiddenSize", o.hiddenSize, 1, 1 << 20),
    numLayers: check.int(W, "numLayers", o.numLayers ?? 1, 1, 64),
    bidirectional: check.bool(W, "bidirectional", o.bidirectional ?? false),
    nonlinearity: check.oneOf(W, "nonlinearity", o.nonlinearity ?? "tanh", ["tanh", "relu", "linear"] as const),
    outputSize: check.int(W, "outputSize", o.outputSize, 1, 1 << 20),
    readout: check.oneOf(W, "readout", o.readout ?? "last", ["last", "sequence"] as const),
    loss: check.oneOf(W, "loss", o.loss ?? "mse", ["mse", "crossentropy"] as const),
    initialState,
    seed: check.int(W, "seed", o.seed ?? 0, 0, 0xffffffff),
    init: checkInit(W, o.init),
    checkpoint: check.bool(W, "checkpoint", o.checkpoint ?? false),
    timeGap: check.bool(W, "timeGap", o.timeGap ?? false),
    inputMask: check.bool(W, "inputMask", o.inputMask ?? false),
  };
  if (cfg.loss === "crossentropy" && cfg.outputSize < 2) throw new RangeError(`${W}: crossentropy needs outputSize >= 2 classes, got ${cfg.outputSize}`);
  if (cell === "odegru") {
    if (cfg.numLayers !== 1 || cfg.bidirectional || cfg.checkpoint) throw new RangeError(`${W}: cell "odegru" is one forward layer (numLayers 1, bidirectional false, checkpoint false), got numLayers ${cfg.numLayers}, bidirectional ${cfg.bidirectional}, checkpoint ${cfg.checkpoint}`);
    if (cfg.timeGap) throw new TypeError(`${W}: timeGap is the input of the GRU-Δt baseline; cell "odegru" carries the state across the gap with its ODE (use one or the other)`);
    cfg.ode = checkOdeCell(o.ode, cfg.hiddenSize);
  } else if (o.ode !== undefined) {
    throw new TypeError(`${W}: ode applies only to cell "odegru", got it with cell ${JSON.stringify(cell)}`);
  }
  return cfg;
}

function checkOdeCell(v: unknown, H: number): Required<OdeCellOptions> {
  const M = `${W}: ode`;
  const o = check.object(W, "ode", v);
  check.known(W, o, ["hidden", "activation", "timeInput", "method", "rtol", "atol", "substeps", "maxSteps", "gradient", "adjointNorm"], "ode");
  const hidden = o.hidden ?? [H];
  if (!Array.isArray(hidden) || hidden.length > 62) throw new TypeError(`${M}.hidden must be an array of at most 62 layer widths, got ${check.show(hidden)}`);
  return {
    hidden: hidden.map((h, i) => check.int(W, `ode.hidden[${i}]`, h, 1, 1 << 20)),
    activation: check.oneOf(W, "ode.activation", o.activation ?? "tanh", ["tanh", "relu", "softplus"] as const),
    timeInput: check.bool(W, "ode.timeInput", o.timeInput ?? false),
    method: check.oneOf(W, "ode.method", o.method ?? "dopri5", ["euler", "midpoint", "rk4", "dopri5"] as const),
    rtol: check.num(W, "ode.rtol", o.rtol ?? 1e-3, 0, Infinity, true),
    atol: checkAtol(W, "ode.atol", o.atol ?? 1e-4),
    substeps: check.int(W, "ode.substeps", o.substeps ?? 1, 1, 1 << 20),
    maxSteps: check.int(W, "ode.maxSteps", o.maxSteps ?? 10000, 1, 1e9),
    gradient: check.oneOf(W, "ode.gradient", o.gradient ?? "backprop", ["backprop", "adjoint"] as const),
    adjointNorm: check.oneOf(W, "ode.adjointNorm", o.adjointNorm ?? "mixed", ["mixed", "seminorm"] as const),
  };
}

/** The ODE's layer widths: [H (+1 with time input), ...hidden, H]. */
export function odeWidths(cfg: ModelSettings): number[] {
  const o = cfg.ode!;
  return [cfg.hiddenSize + (o.timeInput ? 1 : 0), ...o.hidden, cfg.hiddenSize];
}

/** The recurrent layer's cell: odegru's is a GRU. */
export function layerCell(cell: ModelCell): CellType { return cell === "odegru" ? "gru" : cell; }

/** Names, shapes and offsets of all of a model's parameters ("rnn.weight_ih_l0", …,
 *  "readout.weight", "readout.bias", "h0", "c0", and for odegru "ode.net.0.weight", …), from a
 *  checked config. Pure. */
export function modelSlots(cfg: ModelSettings): TensorSlot[] {
  const D = cfg.bidirectional ? 2 : 1, H = cfg.hiddenSize, F = D * H, O = cfg.outputSize, LD = cfg.numLayers * D;
  const rnn = rnnSlots(CELLS[layerCell(cfg.cell)].gates.length, recurrentInputSize(cfg), H, cfg.numLayers, D).map((s) => ({ ...s, name: "rnn." + s.name }));
  let o = rnn[rnn.length - 1].offset + rnn[rnn.length - 1].size;
  const slots: TensorSlot[] = [...rnn, { name: "readout.weight", shape: [O, F], offset: o, size: O * F }, { name: "readout.bias", shape: [O], offset: o + O * F, size: O }];
  o += O * F + O;
  const rows = cfg.initialState === "zeros" ? 0 : cfg.initialState === "learned" ? 1 : cfg.initialState.perClass;
  if (rows > 0) {
    const shape = cfg.initialState === "learned" ? [LD, H] : [rows, LD, H], size = rows * LD * H;
    slots.push({ name: "h0", shape, offset: o, size });
    const cs = CELLS[layerCell(cfg.cell)].cellState;
    if (cs) slots.push({ name: "c0", shape, offset: o + size, size });
    o += cs ? 2 * size : size;
  }
  if (cfg.cell === "odegru") for (const s of odeSlots(odeWidths(cfg))) slots.push({ ...s, name: "ode." + s.name, offset: o + s.offset });
  return slots;
}
