// Drawing a token from logits: the weights exp((l − max)/T) come from the core (the same bits on
// every host), then top-k and top-p (nucleus) filtering and the draw run in JavaScript on those
// weights with additions and comparisons only (exact and identical everywhere).
import { core } from "../core/loader.js";

export interface TokenSampling {
  /** 0: greedy (the argmax, ties to the lowest index). */
  temperature: number;
  /** Keep the k most probable tokens (0: all). */
  topK: number;
  /** Keep the smallest set of most probable tokens whose probability reaches p (1: all). */
  topP: number;
}

/** The token drawn from n f32 logits at `logits` with a uniform u ∈ [0, 1). weights: n f64 of
 *  scratch in the core's memory; order: an Int32Array of at least n (scratch). */
export function drawToken(n: number, logits: number, weights: number, s: TokenSampling, u: number, order: Int32Array): number {
  const c = core();
  if (s.temperature === 0) return c.sample_weights(n, logits, 1, weights);
  c.sample_weights(n, logits, 1 / s.temperature, weights);
  const w = new Float64Array(c.memory.buffer, weights, n);
  let kept = n;
  const filter = (s.topK > 0 && s.topK < n) || s.topP < 1;
  if (filter) {
    for (let i = 0; i < n; i++) order[i] = i;
    order.subarray(0, n).sort((a, b) => w[b] - w[a] || a - b);
    if (s.topK > 0) kept = Math.min(s.topK, n);
    if (s.topP < 1) {
      let total = 0;
      for (let j = 0; j < kept; j++) total += w[order[j]];
      let acc = 0;
      for (let j = 0; j < kept; j++) { acc += w[order[j]]; if (acc >= s.topP * total) { kept = j + 1; break; } }
    }
  }
  const at = (j: number) => (filter ? order[j] : j);
  let total = 0;
  for (let j = 0; j < kept; j++) total += w[at(j)];
  const target = u * total;
  let acc = 0;
  for (let j = 0; j < kept; j++) { acc += w[at(j)]; if (target < acc) return at(j); }
  for (let j = kept - 1; j >= 0; j--) if (w[at(j)] > 0) return at(j); // rounding: the last possible one
  return at(0);
}
