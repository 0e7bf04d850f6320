// Sampling weights for generation: w_i = exp((l_i − max_j l_j) / T) over n logits (f32), in f64.
// Computed here rather than with the host's Math.exp, whose last bits may differ between
// JavaScript engines: with this, a seeded generation gives the same tokens on every host.

/** out [n] f64 = exp((logits[i] − max) · invT) for f32 logits [n]; returns the argmax (ties: the
 *  lowest index). invT = 1/temperature (> 0). */
export function sample_weights(n: i32, logits: usize, invT: f64, out: usize): i32 {
  if (n < 1) return -1;
  let m = <f64>load<f32>(logits), arg = 0;
  for (let i = 1; i < n; i++) {
    const v = <f64>load<f32>(logits + (<usize>i << 2));
    if (v > m) {
      m = v;
      arg = i;
    }
  }
  for (let i = 0; i < n; i++) {
    store<f64>(out + (<usize>i << 3), Math.exp((<f64>load<f32>(logits + (<usize>i << 2)) - m) * invT));
  }
  return arg;
}
