// Row norms for the gradient-flow diagnostics: ‖∂L/∂h_t‖ per step (and per sequence) from the
// [L·D, T, B, H] block of state gradients that rnn_backward records.

import { sumsq_f64_wasmsimd } from "../linalg";

/** out[r] = sqrt(Σ_j src[r·ld + j]²) for r < R, j < C, accumulated in f64, rounded to f32. */
export function row_norms_f32(R: i32, C: i32, src: usize, ld: i32, out: usize): void {
  for (let r = 0; r < R; r++) {
    store<f32>(out + (<usize>r << 2), <f32>Math.sqrt(sumsq_f64_wasmsimd(C, src + ((<usize>r * ld) << 2))));
  }
}
