// Linear layer y = x·Wᵀ + b over rows (the readout y = W_hy h + b_y), forward and backward.
// W [O, In] row-major (PyTorch's nn.Linear layout), b [O]; x [M, In], y [M, O].

import { gemm_f32_4x8_wasmsimd as gemm, transpose_f32, colsum_f32_wasmsimd } from "../linalg";

/** y = x·Wᵀ + b. wt: scratch of In·O floats for the packed Wᵀ. */
export function linear_forward(M: i32, In: i32, O: i32, x: usize, w: usize, b: usize, y: usize, wt: usize): void {
  transpose_f32(O, In, w, In, wt, O);
  linear_forward_t(M, In, O, x, wt, b, y);
}

/** y = x·Wᵀ + b with wt = Wᵀ [In, O] already written (by an earlier linear_forward with the same
 *  weights): a caller that runs one row at a time (a stream) transposes once, not every call. */
export function linear_forward_t(M: i32, In: i32, O: i32, x: usize, wt: usize, b: usize, y: usize): void {
  gemm(M, O, In, x, In, 1, wt, O, y, O, false);
  for (let r = 0; r < M; r++) {
    for (let j = 0; j < O; j++) {
      const p = y + ((<usize>r * O + j) << 2);
      store<f32>(p, load<f32>(p) + load<f32>(b + (<usize>j << 2)));
    }
  }
}

/** dW += dyᵀ·x, db += Σ_rows dy, dx = dy·W (dx may be 0 = not wanted). */
export function linear_backward(M: i32, In: i32, O: i32, x: usize, w: usize, dy: usize, dw: usize, db: usize,
  dx: usize): void {
  gemm(O, In, M, dy, 1, O, x, In, dw, In, true);
  colsum_f32_wasmsimd(M, O, dy, O, db, true);
  if (dx != 0) gemm(M, In, O, dy, O, 1, w, In, dx, In, false);
}
