// The options and results of the recurrent layers (RNN, LSTM, GRU; nn/rnn/layers.ts): what their
// constructors, forward() and backward() take and return.
import type { Nonlinearity } from "../../core/cells.js";
import type { InitSpec } from "../../functional/init.js";

/** Options of every recurrent layer (torch.nn.RNN's, camel-cased). */
export interface LayerOptions {
  /** Features per step, I. */
  inputSize: number;
  /** Hidden units per layer and direction, H. */
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Forward ⧺ reverse directions per layer (default false). */
  bidirectional?: boolean;
  /** Seed of the deterministic initialization (default 0). */
  seed?: number;
  /** Initialization (default: everything U(−1/√H, 1/√H), PyTorch's): e.g.
   *  { recurrent: "orthogonal", bias: "zeros" }, { forgetBias: 1 } (LSTM), or "keras" for Keras'
   *  defaults. See InitOptions and InitSpec. */
  init?: InitSpec;
  /** Gradient checkpointing (default false): the forward pass keeps only the state entering each
   *  segment of ⌈√T⌉ steps and backward recomputes the rest, so activation memory grows as √T
   *  instead of T for about one extra forward pass of time. Outputs and gradients are bitwise
   *  the same as without it. Can be changed between calls (`layer.checkpoint = true`). */
  checkpoint?: boolean;
}

/** Options of RNN (the Elman layer). */
export interface RNNOptions extends LayerOptions {
  /** Elman nonlinearity φ (default "tanh"). */
  nonlinearity?: Nonlinearity;
}

/** Options of GRU. */
export interface GRUOptions extends LayerOptions {
  /** Where the reset gate r acts (default true). true: PyTorch's GRU, n = tanh(W_in x + b_in +
   *  r ⊙ (W_hn h + b_hn)) (ONNX linear_before_reset = 1, Keras reset_after=True). false: the reset
   *  gate multiplies h before the recurrent product, n = tanh(W_in x + b_in + W_hn (r ⊙ h) +
   *  b_hn): ONNX's default GRU, Keras reset_after=False and TF.js. Same parameters and names. */
  resetAfter?: boolean;
}

/** Options of LSTM. */
export interface LSTMOptions extends LayerOptions {
  /** The forget gate's initial bias, all of it in bias_ih (bias_hh's forget block 0): the same as
   *  init.forgetBias, which it overrides (default: none with PyTorch's init, 1 with "keras"). */
  forgetBias?: number;
}

/** The options of any recurrent layer (what RNN, LSTM and GRU take between them). */
export type CellOptions = RNNOptions & GRUOptions & LSTMOptions;

/** Options of forward(): the shape of x and the optional inputs. */
export interface ForwardOptions {
  /** Sequences in x, B. */
  batch: number;
  /** Steps per sequence in x, T (shorter sequences: lengths). */
  steps: number;
  /** Int32Array [B], 1 <= lengths[b] <= steps (default: all `steps`). */
  lengths?: Int32Array | number[];
  /** Initial state [L·D, B, H] (default zeros). */
  h0?: Float32Array;
  /** Initial cell state [L·D, B, H] (LSTM only; default zeros). */
  c0?: Float32Array;
  /** Accept NaN/Infinity in x and h0 (default false: they are rejected). */
  allowNonFinite?: boolean;
}

/** What forward() returns (copies). */
export interface ForwardResult {
  /** The last layer's output, [B, T, D·H]; zero at t >= lengths[b]. */
  output: Float32Array;
  /** Shape [L·D, B, H]: each sequence's state at its own last step (reverse direction: at t = 0). */
  hN: Float32Array;
  /** Shape [L·D, B, H]: the cell state likewise (LSTM only). */
  cN?: Float32Array;
}

/** The upstream gradients backward() takes. */
export interface BackwardGrads {
  /** ∂L/∂output [B, T, D·H] (default zeros). */
  output?: Float32Array;
  /** ∂L/∂h_n [L·D, B, H] (default zeros). */
  hN?: Float32Array;
  /** ∂L/∂c_n [L·D, B, H] (LSTM only; default zeros). */
  cN?: Float32Array;
}

/** Options of backward(). */
export interface BackwardOptions {
  /** Truncated BPTT(k), integer k >= 1 (default: full BPTT): the gradient is cut every k steps
   *  counted back from each sequence's own last step (docs/models-and-training.md has the exact
   *  definition). */
  truncate?: number;
  /** Also return the gradient-flow diagnostics `dh` and `stepNorms` (default false). */
  stateGrads?: boolean;
}

/** What backward() returns; the parameter gradients accumulate into grads(). */
export interface BackwardResult {
  /** ∂L/∂x [B, T, I]. */
  x: Float32Array;
  /** ∂L/∂h0 [L·D, B, H]. */
  h0: Float32Array;
  /** ∂L/∂c0 [L·D, B, H] (LSTM only). */
  c0?: Float32Array;
  /** With `stateGrads`: the total ∂L/∂h_t of every layer-direction at every time step,
   *  [L·D, T, B, H] in time order (t = 0 is the state after reading x[:, 0]; for the reverse
   *  direction too), zero at t >= lengths[b]. As BPTT computed it: truncation included. */
  dh?: Float32Array;
  /** With `stateGrads`: ‖∂L/∂h_t‖ over the batch and the hidden units, [L·D, T]. */
  stepNorms?: Float32Array;
}
