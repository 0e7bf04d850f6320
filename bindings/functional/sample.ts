// Drawing a token from logits: the weights exp((l − max)/T) come from the core (the same bits on
// every host), then top-k and top-p (nucleus) filtering and the draw run in JavaScript on those
// weights with additions and comparisons only (exact and identical everywhere).
import { heapf64 } from "../core/arena.js";
import { core } from "../core/loader.js";

/** Temperatures below this are greedy. The weights are exp((l − max)/T) in f64 of f32 logits l:
 *  two distinct f32 logits differ by at least 2⁻¹⁴⁹ (≈ 1.4e-45), and exp(−x) is exactly 0 in f64
 *  once x > 746, so below 2⁻¹⁴⁹/746 ≈ 1.9e-48 every token under the maximum weighs exactly 0:
 *  sampling is the argmax already (but for exact ties, which greedy gives to the lowest index).
 *  Above the threshold 1/T ≤ 1e48 stays finite; far below it 1/T overflows (T < 5.6e-309) and
 *  (l − max)·∞ is NaN at the maximum, so T is taken as 0 there instead. */
export const GREEDY_BELOW = 1e-48;

export interface TokenSampling {
  /** Below GREEDY_BELOW (0 too): greedy (the argmax, ties to the lowest index). */
  temperature: number;
  /** Keep the k most probable tokens (0: all). */
  topK: number;
  /** Keep the smallest set of most probable tokens whose probability reaches p (1: all). */
  topP: number;
}

/** The token drawn from n f32 logits at `logits` with a uniform u ∈ [0, 1). weights: n f64 of
 *  scratch in the core's memory; order: an Int32Array of at least n (scratch). */
export function drawToken(n: number, logits: number, weights: number, s: TokenSampling, u: number,
  order: Int32Array): number {
  const c = core();
  if (s.temperature < GREEDY_BELOW) return c.sample_weights(n, logits, 1, weights);
  c.sample_weights(n, logits, 1 / s.temperature, weights);
  const w = heapf64(), w0 = weights >>> 3; // token i's weight: w[w0 + i]
  let kept = n;
  const filter = (s.topK > 0 && s.topK < n) || s.topP < 1;
  for (let i = 0; i < n; i++) order[i] = i;
  if (filter) {
    order.subarray(0, n).sort((a, b) => w[w0 + b] - w[w0 + a] || a - b);
    if (s.topK > 0) kept = Math.min(s.topK, n);
    if (s.topP < 1) {
      let total = 0;
      for (let j = 0; j < kept; j++) total += w[w0 + order[j]];
      let acc = 0;
      for (let j = 0; j < kept; j++) {
        acc += w[w0 + order[j]];
        if (acc >= s.topP * total) {
          kept = j + 1;
          break;
        }
      }
    }
  }
  // the draw over order[0 .. kept) (the identity without a filter)
  let total = 0;
  for (let j = 0; j < kept; j++) total += w[w0 + order[j]];
  const target = u * total;
  let acc = 0;
  for (let j = 0; j < kept; j++) {
    acc += w[w0 + order[j]];
    if (target < acc) return order[j];
  }
  for (let j = kept - 1; j >= 0; j--) if (w[w0 + order[j]] > 0) return order[j]; // rounding: the last possible one
  return order[0];
}
