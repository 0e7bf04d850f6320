// The cells of a Model, one row each: one per recurrent cell of CELLS (rnn, lstm, gru: the
// recurrent stack) and "odegru", the ODE-RNN. A row says which recurrent layer holds the model's
// "rnn." parameters, which sequence core runs the cell (core.ts), what it reads of the data, and
// its own options and parameters. The model, its config and its data look the cell up here; none
// of them tests a cell by name. Pure: allocates nothing (io/ and the worker's client use it).
import { CELL_TYPES } from "../../core/cells.js";
import type { CellType } from "../../core/cells.js";
import * as check from "../../core/check.js";
import { checkAtol } from "../../functional/ode.js";
import { odeSlots } from "../ode/neural-ode.js";
import type { NeuralODEOptions } from "../ode/neural-ode.js";
import type { TensorSlot } from "../params.js";

/** Cells of a Model: the recurrent layers' (rnn, lstm, gru) and "odegru", the ODE-RNN of
 *  Rubanova, Chen & Duvenaud (2019): between two steps the state follows dh/dt = f_θ(h) (a Neural
 *  ODE) from the previous step's time to this one's, and at each step a GRU cell reads the input. */
export type ModelCell = CellType | "odegru";

/** The ODE of cell "odegru" (NeuralODEOptions without stateSize: the state is the hidden state).
 *  Defaults: hidden [hiddenSize], tanh, no time input, dopri5 with rtol 1e-3 and atol 1e-4
 *  (Rubanova et al.'s), substeps 1, maxSteps 10000, gradient "backprop". */
export type OdeCellOptions = Omit<NeuralODEOptions, "stateSize" | "inputMap" | "seed">;

/** What a row reads of a model's settings (ModelSettings has all of it). */
export interface CellSettings {
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  checkpoint: boolean;
  timeGap: boolean;
  ode?: Required<OdeCellOptions>;
}

/** What a Model knows of one of its cells. */
export interface ModelCellSpec {
  /** The recurrent layer over the model's "rnn." parameters (Model.rnn): the cell's own, or the
   *  ODE-RNN's GRU. */
  readonly layer: CellType;
  /** The sequence core that runs the cell (core.ts): the recurrent stack's passes over the whole
   *  batch, or the ODE-RNN's per-step passes. */
  readonly core: "stack" | "odernn";
  /** Why the cell reads data.times, for messages ("" when it does not). A cell that reads them gets
   *  each step's time and whether anything was observed there (nn/model/data.ts, Staged). */
  readonly times: string;
  /** Truncated BPTT, gradientFlow and a carried state (trainBatch's `state`) apply: options of
   *  the recurrent stack's BPTT. */
  readonly bptt: boolean;
  /** The config options that only this cell takes. */
  readonly options: readonly string[];
  /** The cell's own constraints on a config already checked for the common options (throws), and
   *  its own options with their defaults filled in (added to the settings). */
  settle(cfg: CellSettings, raw: Record<string, unknown>): Partial<CellSettings>;
  /** The cell's parameters after the readout and the initial states, offsets from 0. */
  tail(cfg: CellSettings): TensorSlot[];
}

const W = "Model";

/** A cell of the recurrent stack: its layer is the cell itself. */
function stack(layer: CellType): ModelCellSpec {
  return { layer, core: "stack", times: "", bptt: true, options: [], settle: () => ({}), tail: () => [] };
}

const ODE_GRU: ModelCellSpec = { layer: "gru", core: "odernn", times: "evolves the state between the steps' times",
  bptt: false, options: ["ode"],
  settle(cfg, raw) {
    if (cfg.numLayers !== 1 || cfg.bidirectional || cfg.checkpoint) {
      throw new RangeError(
        `${W}: cell "odegru" is one forward layer (numLayers 1, bidirectional false, checkpoint false), got numLayers ${cfg.numLayers}, bidirectional ${cfg.bidirectional}, checkpoint ${cfg.checkpoint}`,
      );
    }
    if (cfg.timeGap) {
      throw new TypeError(
        `${W}: timeGap is the input of the GRU-Δt baseline; cell "odegru" carries the state across the gap with its ODE (use one or the other)`,
      );
    }
    return { ode: checkOdeCell(raw.ode, cfg.hiddenSize) };
  }, tail: (cfg) => odeSlots(odeWidths(cfg)).map((s) => ({ ...s, name: "ode." + s.name })) };

/** Every cell of a Model, in the order messages list them. */
export const MODEL_CELLS: { readonly [C in ModelCell]: ModelCellSpec } = {
  ...(Object.fromEntries(CELL_TYPES.map((c) => [c, stack(c)])) as { [C in CellType]: ModelCellSpec }),
  odegru: ODE_GRU,
};

/** The cell names, in MODEL_CELLS's order. */
export const MODEL_CELL_TYPES = Object.keys(MODEL_CELLS) as ModelCell[];

/** The cells that take a config option, for messages: `cell "odegru"` (or `cell "a" or "b"`). */
export function cellsTaking(option: string): string {
  return `cell ${
    MODEL_CELL_TYPES.filter((c) => MODEL_CELLS[c].options.includes(option)).map((c) => JSON.stringify(c)).join(" or ")
  }`;
}

function checkOdeCell(v: unknown, H: number): Required<OdeCellOptions> {
  const M = `${W}: ode`;
  const o = check.object(W, "ode", v);
  check.known(W, o, ["hidden", "activation", "timeInput", "method", "rtol", "atol", "substeps", "maxSteps", "gradient",
    "adjointNorm"], "ode");
  const hidden = o.hidden ?? [H];
  if (!Array.isArray(hidden) || hidden.length > 62) {
    throw new TypeError(`${M}.hidden must be an array of at most 62 layer widths, got ${check.show(hidden)}`);
  }
  return { hidden: hidden.map((h, i) => check.int(W, `ode.hidden[${i}]`, h, 1, 1 << 20)),
    activation: check.oneOf(W, "ode.activation", o.activation ?? "tanh", ["tanh", "relu", "softplus"] as const),
    timeInput: check.bool(W, "ode.timeInput", o.timeInput ?? false),
    method: check.oneOf(W, "ode.method", o.method ?? "dopri5", ["euler", "midpoint", "rk4", "dopri5"] as const),
    rtol: check.num(W, "ode.rtol", o.rtol ?? 1e-3, 0, Infinity, true), atol: checkAtol(W, "ode.atol", o.atol ?? 1e-4),
    substeps: check.int(W, "ode.substeps", o.substeps ?? 1, 1, 1 << 20),
    maxSteps: check.int(W, "ode.maxSteps", o.maxSteps ?? 10000, 1, 1e9),
    gradient: check.oneOf(W, "ode.gradient", o.gradient ?? "backprop", ["backprop", "adjoint"] as const),
    adjointNorm: check.oneOf(W, "ode.adjointNorm", o.adjointNorm ?? "mixed", ["mixed", "seminorm"] as const) };
}

/** The ODE-RNN's layer widths: [H (+1 with time input), ...hidden, H]. */
export function odeWidths(cfg: CellSettings): number[] {
  const o = cfg.ode!;
  return [cfg.hiddenSize + (o.timeInput ? 1 : 0), ...o.hidden, cfg.hiddenSize];
}
