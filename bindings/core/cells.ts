// The recurrent cells, one row each: what the bindings know of a cell, keyed by the name users
// give it (`cell: "lstm"`). The core's cell ids are assembly/constants.ts's (CELL_*), imported,
// never copied. Every `if (cell === …)` of the bindings is a lookup here: the layers, their streams
// and diagnostics, the passes of functional/rnn.ts, the Model's slots and states, the command line.
// Adding a cell is a row here, its public class in nn/rnn/layers.ts, and its kernel in the core.
import * as K from "../../assembly/constants.js";

/** Elman activation φ: PyTorch's "tanh" and "relu", and "linear" (the identity; not in PyTorch,
 *  for experiments on gradient flow). */
export type Nonlinearity = "tanh" | "relu" | "linear";
/** The recurrent cell: Elman, LSTM or GRU (PyTorch's equations). */
export type CellType = "rnn" | "lstm" | "gru";

/** What the bindings know of a recurrent cell. */
export interface Cell {
  /** The layer class, as messages name it: "RNN", "LSTM", "GRU". */
  readonly name: string;
  /** The cell in prose (the command line's summary). */
  readonly title: string;
  /** The core's cell id for each nonlinearity the cell takes. A cell with fixed gates takes
   *  "tanh" only (the value a saved config holds); Elman takes all three. */
  readonly ids: { readonly [N in Nonlinearity]?: number };
  /** The gates of a unit, in PyTorch's order: weight_ih is [G·H, I] with G = gates.length
   *  (Elman's one block is named ""). */
  readonly gates: readonly string[];
  /** The cell carries a cell state c beside h (c0, cN, a learned c0): LSTM. */
  readonly cellState: boolean;
  /** The core's id of the variant with the reset gate applied before the recurrent product
   *  (`resetAfter: false`: ONNX's default GRU, Keras reset_after=False), for a cell that has one. */
  readonly resetBefore?: number;
}

/** Every recurrent cell, in the order messages list them. */
export const CELLS: { readonly [C in CellType]: Cell } = {
  rnn: { name: "RNN", title: "Elman RNN",
    ids: { tanh: K.CELL_RNN_TANH, relu: K.CELL_RNN_RELU, linear: K.CELL_RNN_LINEAR }, gates: [""], cellState: false },
  lstm: { name: "LSTM", title: "LSTM", ids: { tanh: K.CELL_LSTM }, gates: ["i", "f", "g", "o"], cellState: true },
  gru: { name: "GRU", title: "GRU", ids: { tanh: K.CELL_GRU }, gates: ["r", "z", "n"], cellState: false,
    resetBefore: K.CELL_GRU_RESET_BEFORE },
};

/** The cell names, in CELLS's order. */
export const CELL_TYPES = Object.keys(CELLS) as CellType[];

/** Whether a cell takes the `nonlinearity` option (more than the fixed "tanh"). */
export function takesNonlinearity(type: CellType): boolean {
  return Object.keys(CELLS[type].ids).length > 1;
}

/** The cells that take a nonlinearity, for messages: "rnn" (or "a" or "b"). */
export function nonlinearityCells(): string {
  return CELL_TYPES.filter(takesNonlinearity).map((c) => JSON.stringify(c)).join(" or ");
}

/** Whether a cell takes the `resetAfter` option (it has a reset-before variant). */
export function takesResetAfter(type: CellType): boolean {
  return CELLS[type].resetBefore !== undefined;
}

/** The cells that take resetAfter, for messages. */
export function resetAfterCells(): string {
  return CELL_TYPES.filter(takesResetAfter).map((c) => JSON.stringify(c)).join(" or ");
}

/** The core's cell id of a cell type, nonlinearity and reset variant (a cell with fixed gates
 *  ignores the nonlinearity; a cell without a reset-before variant ignores resetAfter). */
export function cellId(type: CellType, nonlinearity: Nonlinearity, resetAfter = true): number {
  const c = CELLS[type];
  if (!resetAfter && c.resetBefore !== undefined) return c.resetBefore;
  return c.ids[nonlinearity] ?? c.ids.tanh!;
}

/** Every core id of a cell: its nonlinearities' and its reset-before variant's. */
export function cellIds(type: CellType): number[] {
  const c = CELLS[type];
  return [...Object.values(c.ids), ...(c.resetBefore === undefined ? [] : [c.resetBefore])];
}

const BY_ID: Cell[] = [];
for (const t of CELL_TYPES) for (const id of cellIds(t)) BY_ID[id] = CELLS[t];

/** The cell of a core cell id (CELL_*), or undefined for an unknown id. */
export function cellOf(id: number): Cell | undefined {
  return Number.isInteger(id) ? BY_ID[id] : undefined;
}
