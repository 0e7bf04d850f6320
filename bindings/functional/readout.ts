// The readout and losses of a sequence model, over pointers: a linear layer y = W h + b on the
// features (the last state of each sequence, or every step's output), MSE or softmax
// cross-entropy, the metrics reported with them, and the backward pass back to ∂L/∂h_n or
// ∂L/∂output. Stateless: the caller owns every buffer.
import { f32, i32 } from "../core/arena.js";
import * as A from "../core/abi.js";
import { core } from "../core/loader.js";

export interface ReadoutShape {
  /** Rows of features: B (last state) or B·T (every step). */
  rows: number;
  /** Feature width F = D·H, outputs O. */
  features: number;
  outputs: number;
  loss: "mse" | "crossentropy";
}

/** feat [B, D·H] = the last layer's h_n of each direction side by side (PyTorch's h_n order). */
export function lastStates(hn: number, feat: number, B: number, H: number, L: number, D: number): void {
  const c = core(), F = D * H;
  for (let d = 0; d < D; d++) c.copy2d_f32(B, H, hn + 4 * ((L - 1) * D + d) * B * H, H, feat + 4 * d * H, F);
}

/** ∂L/∂h_n [L·D, B, H] from ∂L/∂feat [B, D·H] (zero for every layer but the last). */
export function lastStatesBackward(dfeat: number, dhn: number, B: number, H: number, L: number, D: number): void {
  const c = core(), F = D * H;
  f32(dhn, L * D * B * H).fill(0);
  for (let d = 0; d < D; d++) c.copy2d_f32(B, H, dfeat + 4 * d * H, F, dhn + 4 * ((L - 1) * D + d) * B * H, H);
}

/** pred [rows, O] = feat [rows, F] · Wᵀ + b; w [O, F] then b [O] at `weights`; wt: O·F floats of scratch. */
export function readoutForward(s: ReadoutShape, feat: number, weights: number, pred: number, wt: number): void {
  const { rows, features: F, outputs: O } = s;
  core().linear_forward(rows, F, O, feat, weights, weights + 4 * O * F, pred, wt);
}

/** readoutForward with wt already holding Wᵀ (left by an earlier readoutForward with the same
 *  weights): no transposition. */
export function readoutForwardT(s: ReadoutShape, feat: number, weights: number, pred: number, wt: number): void {
  const { rows, features: F, outputs: O } = s;
  core().linear_forward_t(rows, F, O, feat, wt, weights + 4 * O * F, pred);
}

/** The mean loss, and writes ∂L/∂pred unless dpred is 0. target: f32 [rows, O] (mse) or i32 [rows]
 *  class ids (crossentropy; −1 = ignored row); mask: f32 [rows] of row weights, or 0 (all 1): the
 *  loss is Σ w·ℓ / Σ w. */
export function loss(s: ReadoutShape, pred: number, target: number, mask: number, dpred: number): number {
  const c = core();
  return s.loss === "mse"
    ? c.mse_loss(s.rows, s.outputs, pred, target, mask, dpred)
    : c.softmax_ce_loss(s.rows, s.outputs, pred, target, mask, dpred);
}

/** Sums of squared and of absolute errors (mse) or correct predictions (crossentropy) over the rows
 *  that count, how many rows count (a row of weight 0 does not; the others count alike), and the sum
 *  of their weights (the loss's denominator; `count` without weights). */
export function metrics(s: ReadoutShape, pred: number, target: number,
  mask: number): { sq: number; abs: number; correct: number; count: number; weight: number } {
  const { rows, outputs: O } = s, pv = f32(pred, rows * O), mv = mask ? f32(mask, rows) : null;
  let sq = 0, abs = 0, correct = 0, count = 0, weight = 0;
  if (s.loss === "mse") {
    const tv = f32(target, rows * O);
    for (let r = 0; r < rows; r++) {
      if (mv && mv[r] === 0) continue;
      count++;
      weight += mv ? mv[r] : 1;
      for (let j = 0; j < O; j++) {
        const e = pv[r * O + j] - tv[r * O + j];
        sq += e * e;
        abs += Math.abs(e);
      }
    }
  } else {
    const tv = i32(target, rows);
    for (let r = 0; r < rows; r++) {
      if (tv[r] < 0 || (mv && mv[r] === 0)) continue;
      count++;
      weight += mv ? mv[r] : 1;
      let arg = 0;
      for (let j = 1; j < O; j++) if (pv[r * O + j] > pv[r * O + arg]) arg = j;
      if (arg === tv[r]) correct++;
    }
  }
  return { sq, abs, correct, count, weight };
}

/** Learned initial states: dst [LD, B, H] = table[classes[b]] (classes 0: row 0 for all). */
export function gatherStates(dst: number, table: number, classes: number, B: number, LD: number, H: number): void {
  core().init_state_gather(dst, table, classes, B, LD, H);
}
/** Their gradient: dtable[classes[b]] += src [LD, B, H]. */
export function scatterStates(dtable: number, src: number, classes: number, B: number, LD: number, H: number): void {
  core().init_state_scatter_add(dtable, src, classes, B, LD, H);
}

/** A readout with a head: hidden Linear layers of widths `hidden`, each followed by `activation`,
 *  then the output Linear; with no hidden layers, the plain readout. */
export interface HeadShape extends ReadoutShape {
  hidden: readonly number[];
  activation: "relu" | "tanh";
}

/** Floats of a head's blocks: `acts` (the hidden layers' activations [rows, W_i] one after another,
 *  kept for the backward pass), `wt` (the largest Wᵀ) and `grad` (two [rows, max W_i] blocks the
 *  backward pass alternates between). */
export function headFloats(s: HeadShape): { acts: number; wt: number; grad: number } {
  let In = s.features, acts = 0, wt = 0, widest = 0;
  for (const w of s.hidden) {
    acts += s.rows * w;
    wt = Math.max(wt, w * In);
    widest = Math.max(widest, w);
    In = w;
  }
  return { acts, wt: Math.max(wt, s.outputs * In), grad: 2 * s.rows * widest };
}

/** pred [rows, O] = the head on feat [rows, F]: a = act(x·W_iᵀ + b_i) layer by layer, then the output
 *  layer. weights: each layer's W then b, the output layer's last (the model's slots from the first
 *  head slot); acts, wt: headFloats' blocks. */
export function headForward(s: HeadShape, feat: number, weights: number, acts: number, pred: number, wt: number): void {
  const c = core(), { rows, outputs: O } = s;
  let x = feat, In = s.features, w = weights, a = acts;
  for (const Wd of s.hidden) {
    c.linear_forward(rows, In, Wd, x, w, w + 4 * Wd * In, a, wt);
    if (s.activation === "relu") c.relu_f32_wasmsimd(rows * Wd, a, a);
    else c.tanh_f32_wasmsimd(rows * Wd, a, a);
    x = a;
    w += 4 * (Wd * In + Wd);
    a += 4 * rows * Wd;
    In = Wd;
  }
  c.linear_forward(rows, In, O, x, w, w + 4 * O * In, pred, wt);
}

/** The head's backward pass for the last headForward on feat: weight and bias gradients accumulate
 *  at `grads` (the weights' layout), dfeat [rows, F] = ∂L/∂feat; grad: headFloats' block. Through an
 *  activation: relu' = [a > 0], tanh' = 1 − a². */
export function headBackward(s: HeadShape, feat: number, weights: number, acts: number, dpred: number, grads: number,
  dfeat: number, grad: number): void {
  const c = core(), { rows } = s, widths = [...s.hidden, s.outputs], n = widths.length;
  // each layer's input width, weight offset (floats from `weights`) and input pointer
  const ins: number[] = [], offs: number[] = [], xs: number[] = [];
  let In = s.features, off = 0, a = acts;
  for (let l = 0; l < n; l++) {
    ins.push(In);
    offs.push(off);
    xs.push(l === 0 ? feat : a);
    if (l > 0) a += 4 * rows * In;
    off += widths[l] * In + widths[l];
    In = widths[l];
  }
  const half = 4 * (s.hidden.length ? s.rows * Math.max(...s.hidden) : 0);
  let d = dpred;
  for (let l = n - 1; l >= 0; l--) {
    const Wd = widths[l], I = ins[l], w = weights + 4 * offs[l], g = grads + 4 * offs[l];
    const dx = l === 0 ? dfeat : grad + ((n - 1 - l) % 2) * half;
    c.linear_backward(rows, I, Wd, xs[l], w, d, g, g + 4 * Wd * I, dx);
    if (l > 0) c.activation_backward_f32(rows * I, s.activation === "relu" ? A.ACT_RELU : A.ACT_TANH, xs[l], dx);
    d = dx;
  }
}
