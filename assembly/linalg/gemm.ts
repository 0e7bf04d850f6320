// GEMM: C[M,N] = (accumulate ? C : 0) + A·B
//
// A is addressed by element strides, A(i,k) = a[i*rsa + k*csa], so one kernel covers A (rsa=K,
// csa=1) and Aᵀ (rsa=1, csa=M). B is row-major [K,N] with leading dimension ldb; C is row-major
// with leading dimension ldc. For C = A·Bᵀ the caller packs Bᵀ first (pack.ts, or transpose_f32 in
// vector.ts): weights are packed once per call, outside the time loop.
//
// This file holds the drivers, which walk C in tiles and K in blocks; the tiles are
// gemm-tiles.ts, the packing pack.ts, the scalar reference gemm-ref.ts.
//
// The f32x4 kernel is register-blocked on 4×8 tiles of C (8 accumulators, two B vectors and four
// splatted A scalars per k), with 4×4, 1×8, 1×4 and scalar tiles for the edges, so any M, N, K is
// correct. K is split into blocks of KC so that a K×8 panel of B stays in L1 while every row block
// of A passes it (BPTT's weight gradients have K = T·B in the thousands). Within a K block every
// element is accumulated in k order, in f32, with separate multiply and add (no FMA), starting from
// zero, then added to C: gemm_ref does exactly the same, so the two agree bitwise. No alignment is
// required (v128.load is unaligned-safe in WebAssembly).

import { KC, gemm_ref_block } from "./gemm-ref";
import { tile4x8, tile4x4, tile1x8, tile1x4, tile1x32p } from "./gemm-tiles";

/** C[M,N] = (accumulate ? C : 0) + A·B; f32x4, 4×8 register tiles, K blocks of KC. See the file comment. */
export function gemm_f32_4x8_wasmsimd(M: i32, N: i32, K: i32, a: usize, rsa: i32, csa: i32, b: usize, ldb: i32,
  c: usize, ldc: i32, accumulate: bool): void {
  for (let k0 = 0; k0 < K || k0 == 0; k0 += KC) {
    gemm_block(M, N, min(KC, K - k0), a + ((<usize>k0 * csa) << 2), rsa, csa, b + ((<usize>k0 * ldb) << 2), ldb, c, ldc,
      accumulate || k0 > 0);
  }
}

function gemm_block(M: i32, N: i32, K: i32, a: usize, rsa: i32, csa: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  accumulate: bool): void {
  const M4 = M & ~3, N8 = N & ~7, N4 = N & ~3;
  const rs = <usize>rsa, cs = <usize>csa, lb = <usize>ldb, lc = <usize>ldc;
  // full 4×8 tiles; B's K×8 panel stays in L1 while the rows of A stream past it
  for (let j = 0; j < N8; j += 8) {
    const pb = b + (<usize>j << 2);
    for (let i = 0; i < M4; i += 4) {
      tile4x8(K, a + ((<usize>i * rs) << 2), rs, cs, pb, lb, c + ((<usize>i * lc + j) << 2), lc, accumulate);
    }
    for (let i = M4; i < M; i++) {
      tile1x8(K, a + ((<usize>i * rs) << 2), cs, pb, lb, c + ((<usize>i * lc + j) << 2), accumulate);
    }
  }
  // one 4-wide column block when N mod 8 >= 4
  if (N4 > N8) {
    const pb = b + (<usize>N8 << 2);
    for (let i = 0; i < M4; i += 4) {
      tile4x4(K, a + ((<usize>i * rs) << 2), rs, cs, pb, lb, c + ((<usize>i * lc + N8) << 2), lc, accumulate);
    }
    for (let i = M4; i < M; i++) {
      tile1x4(K, a + ((<usize>i * rs) << 2), cs, pb, lb, c + ((<usize>i * lc + N8) << 2), accumulate);
    }
  }
  // the last N mod 4 columns, scalar
  if (N > N4) {
    gemm_ref_block(M, N - N4, K, a, rsa, csa, b + (<usize>N4 << 2), ldb, c + (<usize>N4 << 2), ldc, accumulate);
  }
}

/** C[M,N] = (accumulate ? C : 0) + A·B with B packed by pack_panels(K, N, …). A and C as in
 *  gemm_f32_4x8_wasmsimd; the same tiles, K blocks and summation order, so the result is bitwise
 *  that of gemm_f32_4x8_wasmsimd and gemm_ref on the unpacked B. */
export function gemm_f32_4x8_packed(M: i32, N: i32, K: i32, a: usize, rsa: i32, csa: i32, bp: usize, c: usize, ldc: i32,
  accumulate: bool): void {
  const M4 = M & ~3, N8 = N & ~7, R = N - N8;
  const rs = <usize>rsa, cs = <usize>csa, lc = <usize>ldc;
  for (let k0 = 0; k0 < K || k0 == 0; k0 += KC) {
    const kb = min(KC, K - k0), acc = accumulate || k0 > 0;
    const ak = a + ((<usize>k0 * cs) << 2);
    for (let j = 0; j < N8; j += 8) {
      const pb = bp + (<usize>(j * K + k0 * 8) << 2);
      for (let i = 0; i < M4; i += 4) {
        tile4x8(kb, ak + ((<usize>i * rs) << 2), rs, cs, pb, 8, c + ((<usize>i * lc + j) << 2), lc, acc);
      }
    }
    if (R > 0) {
      gemm_block(M, R, kb, ak, rsa, csa, bp + (<usize>(N8 * K + k0 * R) << 2), R, c + (<usize>N8 << 2), ldc, acc);
    }
  }
  // the rows past the last 4-row tile (all of them at B = 1), first N8 columns
  if (M > M4 && N8 > 0) packedRows(M4, M, N8, K, a, rs, cs, bp, c, lc, accumulate);
}

/** Rows i0..M-1 of C, their first N8 columns, from the packed panels: four panels at a time over
 *  each K block (tile1x32p when the row of A is contiguous and the block even, else tile1x8). */
function packedRows(i0: i32, M: i32, N8: i32, K: i32, a: usize, rs: usize, cs: usize, bp: usize, c: usize, lc: usize,
  accumulate: bool): void {
  for (let k0 = 0; k0 < K || k0 == 0; k0 += KC) {
    const kb = min(KC, K - k0), acc = accumulate || k0 > 0;
    for (let i = i0; i < M; i++) {
      const ai = a + ((<usize>i * rs + <usize>k0 * cs) << 2), ci = c + ((<usize>i * lc) << 2),
        pb = bp + (<usize>(k0 * 8) << 2);
      let j = 0;
      if ((kb & 1) == 0 && cs == 1) {
        j = N8 & ~31;
        if (acc) strips32add(j, K, kb, ai, pb, ci);
        else strips32set(j, K, kb, ai, pb, ci);
      }
      for (; j < N8; j += 8) tile1x8(kb, ai, cs, pb + (<usize>(j * K) << 2), 8, ci + (<usize>j << 2), acc);
    }
  }
}

/** The first N32 columns of one row of C, 32 at a time: tile1x32p with a contiguous row of A (K
 *  even), C = A·B (set) or C += A·B (add). Two small functions with every flag a constant,
 *  because V8 compiles the same strip much slower (it hoists the loads and spills) with a
 *  variable stride or accumulate flag, an odd-K tail or the 4×8 tiles in the same function
 *  (measured: bench/NOTES.md, "Kernel decisions"). */
function strips32set(N32: i32, K: i32, kb: i32, ai: usize, pb: usize, ci: usize): void {
  for (let j = 0; j < N32; j += 32) {
    tile1x32p(kb, ai, 1, pb + (<usize>(j * K) << 2), <usize>(8 * K), ci + (<usize>j << 2), false);
  }
}
function strips32add(N32: i32, K: i32, kb: i32, ai: usize, pb: usize, ci: usize): void {
  for (let j = 0; j < N32; j += 32) {
    tile1x32p(kb, ai, 1, pb + (<usize>(j * K) << 2), <usize>(8 * K), ci + (<usize>j << 2), true);
  }
}
