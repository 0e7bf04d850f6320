// What a crossentropy model's logits mean: probabilities (softmax over the outputs of each row) and
// classes (the index of each row's largest logit), in predict()'s shapes.

/** Softmax of each row of O logits (in float64, stored as float32): rows sum to 1 within f32 rounding. */
export function softmaxRows(logits: Float32Array, O: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length; r += O) {
    let max = -Infinity;
    for (let j = 0; j < O; j++) max = Math.max(max, logits[r + j]);
    let sum = 0;
    for (let j = 0; j < O; j++) sum += Math.exp(logits[r + j] - max);
    for (let j = 0; j < O; j++) out[r + j] = Math.exp(logits[r + j] - max) / sum;
  }
  return out;
}

/** The index of each row's largest logit (the first of equal ones, as torch.argmax). */
export function argmaxRows(logits: Float32Array, O: number): Int32Array {
  const out = new Int32Array(logits.length / O);
  for (let r = 0, i = 0; r < logits.length; r += O, i++) {
    let best = 0;
    for (let j = 1; j < O; j++) if (logits[r + j] > logits[r + best]) best = j;
    out[i] = best;
  }
  return out;
}
