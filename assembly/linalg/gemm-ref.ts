// GEMM, scalar reference: C[M,N] = (accumulate ? C : 0) + A·B with A(i,k) = a[i*rsa + k*csa] and
// B row-major [K,N] (leading dimension ldb). It defines the summation order every GEMM kernel here
// keeps (K blocks of KC; within a block, k order in f32 from zero, then added to C), so the f32x4
// kernels (gemm.ts) must equal it bitwise; the tests compare them.

/** K block: a KC×8 f32 panel of B is 8 KiB. */
// @ts-ignore: decorator
@inline export const KC: i32 = 256;

/** Scalar reference for gemm_f32_4x8_wasmsimd; same summation order (K blocks of KC included),
 *  bitwise-identical result. */
export function gemm_ref(M: i32, N: i32, K: i32, a: usize, rsa: i32, csa: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  accumulate: bool): void {
  for (let k0 = 0; k0 < K || k0 == 0; k0 += KC) {
    gemm_ref_block(M, N, min(KC, K - k0), a + ((<usize>k0 * csa) << 2), rsa, csa, b + ((<usize>k0 * ldb) << 2), ldb, c,
      ldc, accumulate || k0 > 0);
  }
}

export function gemm_ref_block(M: i32, N: i32, K: i32, a: usize, rsa: i32, csa: i32, b: usize, ldb: i32, c: usize,
  ldc: i32, accumulate: bool): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s: f32 = 0;
      for (let k = 0; k < K; k++) {
        s += load<f32>(a + ((<usize>i * rsa + <usize>k * csa) << 2)) * load<f32>(b + ((<usize>k * ldb + j) << 2));
      }
      const pc = c + ((<usize>i * ldc + j) << 2);
      store<f32>(pc, accumulate ? load<f32>(pc) + s : s);
    }
  }
}
