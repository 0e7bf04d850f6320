// What the sequence model's calls return (model.ts): predictions by readout, evaluation metrics,
// a batch's loss and metric sums, and the gradient-flow diagnostics.
import type { Readout } from "./config.js";

/** What predict() returns for a readout: one Float32Array [N·O] for "last", one array per sequence
 *  for "sequence" (both when the readout is not known until run time). */
export type Prediction<R extends Readout> = R extends "sequence" ? Float32Array[] : Float32Array;

/** What Model.gradientFlow returns. Time order: t = 0 is the state after the first input (the
 *  reverse direction too); steps past a sequence's length are zero. */
export interface GradientFlow {
  /** The batch's loss. */
  loss: number;
  /** T, the longest sequence. */
  steps: number;
  /** B, the sequences in the batch. */
  batch: number;
  /** L·D, layers × directions. */
  layersDirections: number;
  /** ‖∂L/∂h_t‖ over the batch and the hidden units, [L·D, T]. */
  stepNorms: Float32Array;
  /** ‖∂L/∂h_t‖ per sequence, [L·D, T, B]. */
  seqNorms: Float32Array;
  /** ∂L/∂h_t itself, [L·D, T, B, H]. */
  dh: Float32Array;
}

/** What evaluate() returns. */
export interface Evaluation {
  /** The mean loss over the data. */
  loss: number;
  /** mse models: the root mean squared error over every output of every row that counts. */
  rmse?: number;
  /** mse models: the mean absolute error over the same. */
  mae?: number;
  /** crossentropy models: the share of correct classes. */
  accuracy?: number;
}

/** Loss and metric sums of one batch. */
export interface BatchResult {
  loss: number;
  sq: number;
  abs: number;
  correct: number;
  count: number;
  /** The sum of the counted rows' weights (data.weights; `count` without them). */
  weight: number;
}
