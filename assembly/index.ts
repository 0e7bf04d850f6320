// The exported ABI of recurrent.wasm: plain functions over linear memory. Tensors are passed as
// (pointer, sizes), f32 row-major; i32 for lengths and labels; 0 for an absent optional tensor.
// The recurrent passes take a descriptor (constants.ts) and return an error code. Nothing here
// allocates behind the caller's back except alloc/free. Documented in docs/ABI.md and declared
// for C hosts in include/recurrent.h.

export { alloc, free } from "./memory";
export { gemm_f32_4x8_wasmsimd, gemm_ref, gemm_f32_4x8_packed, pack_panels, axpy_f32_wasmsimd, axpy_ref,
  scale_f32_wasmsimd, scale_ref, dot_f32_wasmsimd, dot_ref, sumsq_f64_wasmsimd, sumsq_ref, gemv_f32_wasmsimd, gemv_ref,
  colsum_f32_wasmsimd, transpose_f32, copy2d_f32 } from "./linalg";
export { tanh_f32_wasmsimd, sigmoid_f32_wasmsimd, relu_f32_wasmsimd, activation_backward_f32,
  activation_max_ulp } from "./nn/activations";
export { linear_forward, linear_forward_t, linear_backward } from "./nn/linear";
export { mse_loss, softmax_ce_loss, mask_from_lengths } from "./nn/loss";
export { sample_weights } from "./nn/sample";
export { dropout_mask_f32, mul_f32_wasmsimd } from "./nn/dropout";
export { embedding_forward, embedding_backward } from "./nn/embedding";
export { sgd_step, adam_step, clip_grad_norm } from "./optim/optim";
export { rnn_forward, rnn_backward, rnn_workspace_bytes, rnn_param_count } from "./rnn/pass";
export { init_state_gather, init_state_scatter_add } from "./rnn/state";
export { ode_forward, ode_backward, ode_workspace_bytes, ode_param_count, ode_steps } from "./ode/pass";
export { hmm_forward_backward, hmm_work_bytes, hmm_viterbi, hmm_viterbi_work_bytes, hmm_categorical_log_emissions,
  hmm_categorical_counts, hmm_log, hmm_gaussian_log_emissions, hmm_gaussian_moments,
  hmm_label_counts } from "./hmm/hmm";

import { alloc, free } from "./memory";
import { gemm_f32_4x8_wasmsimd, gemm_ref } from "./linalg";

/** The size of the memory in bytes (as f64: 4 GiB does not fit an i32). */
export function memory_bytes(): f64 {
  return <f64>memory.size() * 65536;
}

/** GEMM self-test for hosts without JavaScript (a zero-argument export: wasm-interp
 *  --run-all-exports runs it): 0 = pass, for every build. The f32x4 GEMM against the scalar reference on 36
 *  awkward shapes (M, N, K in 1, 3, 5, 8, 17, 33): bitwise in the default builds; in the relaxed-SIMD
 *  builds, whose multiply-adds a host may fuse (one rounding instead of two), within
 *  2K·2⁻²⁴·Σ|a||b| per element, a bound on what fusing can change. Else the count of elements
 *  out of bounds. */
export function selftest_gemm(): i32 {
  const sizes: StaticArray<i32> = [1, 3, 5, 8, 17, 33];
  let bad = 0;
  for (let mi = 0; mi < 6; mi++) {
    for (let ni = 0; ni < 6; ni++) {
      const M = sizes[mi], N = sizes[ni], K = sizes[(mi + ni) % 6];
      const a = alloc(<usize>(M * K) << 2), b = alloc(<usize>(K * N) << 2);
      const c1 = alloc(<usize>(M * N) << 2), c2 = alloc(<usize>(M * N) << 2);
      let seed: u32 = 12345;
      for (let i = 0; i < M * K; i++) {
        seed = seed * 1664525 + 1013904223;
        store<f32>(a + (<usize>i << 2), <f32>(seed >> 8) / 16777216.0 - 0.5);
      }
      for (let i = 0; i < K * N; i++) {
        seed = seed * 1664525 + 1013904223;
        store<f32>(b + (<usize>i << 2), <f32>(seed >> 8) / 16777216.0 - 0.5);
      }
      gemm_f32_4x8_wasmsimd(M, N, K, a, K, 1, b, N, c1, N, false);
      gemm_ref(M, N, K, a, K, 1, b, N, c2, N, false);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          const o = <usize>(i * N + j) << 2;
          if (ASC_FEATURE_RELAXED_SIMD) {
            let mag: f64 = 0;
            for (let k = 0; k < K; k++) {
              mag += Math.abs(
                <f64>load<f32>(a + (<usize>(i * K + k) << 2)) * <f64>load<f32>(b + (<usize>(k * N + j) << 2)),
              );
            }
            if (Math.abs(<f64>load<f32>(c1 + o) - <f64>load<f32>(c2 + o)) > 2 * <f64>K * mag / 16777216.0) bad++;
          } else if (load<u32>(c1 + o) != load<u32>(c2 + o)) bad++;
        }
      }
      free(a);
      free(b);
      free(c1);
      free(c2);
    }
  }
  return bad;
}

// gradient-flow diagnostics and initializers (docs/ABI.md, "Diagnostics")
export { row_norms_f32 } from "./diag/norms";
export { svd_values_jacobi, svd_values_batch, svd_values_subspace, svd_subspace_batch,
  svd_subspace_work_bytes } from "./diag/svd";
export { eig_values } from "./diag/eig";
export { qr_orthogonal, qr_work_floats } from "./diag/qr";
