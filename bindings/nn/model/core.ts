// The seam between a Model and its recurrence. A Model stages a batch (data.ts), gathers the
// initial states, runs its sequence core, and reads out every step or each sequence's last state
// (functional/readout.ts); the core is what maps the staged inputs to the states and back. Two
// implement it: the recurrent stack (cells rnn, lstm, gru; stack.ts), one pass over the whole
// batch in the core, and the ODE-RNN (cell odegru; odernn.ts), two passes per step. Which core a
// cell has is its row in cells.ts.
import type { Blocks } from "../../core/arena.js";
import { takesNonlinearity, takesResetAfter } from "../../core/cells.js";
import type { ParameterBlock } from "../params.js";
import { RecurrentLayer, makeLayer } from "../rnn/layers.js";
import { MODEL_CELLS } from "./cells.js";
import type { ModelSettings } from "./config.js";
import { recurrentInputSize } from "./data.js";
import type { Staged } from "./data.js";

/** A core's forward over a staged batch: byte offsets in core memory (0 = absent). h0, c0
 *  [L·D, B, H] (0: zeros; c0 for cells with a cell state); out [B, T, D·H] every step's state;
 *  hn, cn [L·D, B, H] each sequence's last one. params: the model's parameter block. */
export interface CoreForward {
  params: number;
  h0: number;
  c0: number;
  out: number;
  hn: number;
  cn: number;
  /** The recurrent stack's dropout mask between layers [B, L−1, T, D·H] (RD_DROPOUT), or 0 / absent. */
  dropout?: number;
}

/** A core's backward after its forward over the same batch (offsets as CoreForward; 0 = absent or
 *  not wanted): dOut [B, T, D·H] and dhn [L·D, B, H] in, dh0 and dc0 out; parameter gradients
 *  accumulate into grads (the model's gradient block). dhs [L·D, T, B, H] and truncate: the
 *  recurrent stack's options (cells.ts, bptt). */
export interface CoreBackward {
  params: number;
  grads: number;
  dOut: number;
  dhn: number;
  dh0: number;
  dc0: number;
  dhs: number;
  truncate: number;
  /** The forward's dropout mask, or 0 / absent. */
  dropout?: number;
  /** ∂L/∂x [B, T, I] of the staged input, overwritten (0: not wanted): a token model's embedding
   *  backward reads it. */
  dx: number;
}

/** What a Model needs of its recurrence. */
export interface SequenceCore {
  /** The recurrent layer over the model's "rnn." parameters (Model.rnn); made by init(). */
  readonly layer: RecurrentLayer;
  /** The core's pass memory, freed with the model. */
  readonly memory: readonly Blocks[];
  /** Make the layer over the model's parameter block and write the core's initial parameters (the
   *  model calls it where a throw frees the block). */
  init(parameters: ParameterBlock): void;
  /** The blocks a batch of B sequences × T steps needs, to reserve with the model's own at once. */
  blocks(B: number, T: number, backward: boolean, dhs: boolean): [Blocks, Record<string, number>][];
  /** What to suggest when those blocks do not fit. */
  advice(B: number): string;
  forward(where: string, staged: Staged, t: CoreForward): void;
  backward(where: string, staged: Staged, t: CoreBackward): void;
  /** Free the pass memory (the layer is the model's to dispose). */
  release(): void;
}

/** The recurrent layer of a model, over the first floats of its parameter block ("rnn." slots),
 *  initialized by the model's seed and init options. */
export function modelLayer(cfg: ModelSettings, parameters: ParameterBlock): RecurrentLayer {
  const cell = MODEL_CELLS[cfg.cell].layer;
  return makeLayer(cell, { inputSize: recurrentInputSize(cfg), hiddenSize: cfg.hiddenSize, numLayers: cfg.numLayers,
    bidirectional: cfg.bidirectional, seed: cfg.seed, init: cfg.init, checkpoint: cfg.checkpoint,
    ...(takesNonlinearity(cell) ? { nonlinearity: cfg.nonlinearity } : {}),
    ...(takesResetAfter(cell) ? { resetAfter: cfg.resetAfter } : {}) }, parameters);
}
