// GEMM: C[M,N] = (accumulate ? C : 0) + A·B
//
// A is addressed by element strides, A(i,k) = a[i*rsa + k*csa], so one kernel covers A (rsa=K,
// csa=1) and Aᵀ (rsa=1, csa=M). B is row-major [K,N] with leading dimension ldb; C is row-major
// with leading dimension ldc. For C = A·Bᵀ the caller packs Bᵀ first (see transpose.ts): weights are
// packed once per call, outside the time loop.
//
// The f32x4 kernel is register-blocked on 4×8 tiles of C (8 accumulators, two B vectors and four
// splatted A scalars per k), with 4×4, 1×8, 1×4 and scalar tiles for the edges, so any M, N, K is
// correct. K is split into blocks of KC so that a K×8 panel of B stays in L1 while every row block
// of A passes it (BPTT's weight gradients have K = T·B in the thousands). Within a K block every
// element is accumulated in k order, in f32, with separate multiply and add (no FMA), starting from
// zero, then added to C: gemm_ref does exactly the same, so the two agree bitwise. No alignment is
// required (v128.load is unaligned-safe in WebAssembly).

/** K block: a KC×8 f32 panel of B is 8 KiB. */
// @ts-ignore: decorator
@inline export const KC: i32 = 256;

/** Scalar reference for gemm_f32_4x8_wasmsimd; same summation order (K blocks of KC included),
 *  bitwise-identical result. */
export function gemm_ref(
  M: i32, N: i32, K: i32,
  a: usize, rsa: i32, csa: i32,
  b: usize, ldb: i32,
  c: usize, ldc: i32, accumulate: bool,
): void {
  for (let k0 = 0; k0 < K || k0 == 0; k0 += KC) {
    gemm_ref_block(M, N, min(KC, K - k0), a + ((<usize>k0 * csa) << 2), rsa, csa, b + ((<usize>k0 * ldb) << 2), ldb, c, ldc, accumulate || k0 > 0);
  }
}

function gemm_ref_block(
  M: i32, N: i32, K: i32,
  a: usize, rsa: i32, csa: i32,
  b: usize, ldb: i32,
  c: usize, ldc: i32, accumulate: bool,
): void {
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

// @ts-ignore: decorator
@inline function put(pc: usize, v: v128, accumulate: bool): void {
  v128.store(pc, accumulate ? f32x4.add(v128.load(pc), v) : v);
}

/** acc + a·b: a separate multiply and add (f32x4), or with the relaxed-SIMD build
 *  (--enable relaxed-simd) f32x4.relaxed_madd, which hosts may fuse into one FMA (one rounding
 *  instead of two: results then differ from gemm_ref in the last bits, and may differ by host). */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/** One 4×8 tile of C at (i, j). */
// @ts-ignore: decorator
@inline function tile4x8(
  K: i32, a: usize, rsa: usize, csa: usize, b: usize, ldb: usize, c: usize, ldc: usize, accumulate: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const ra = rsa << 2, ka = csa << 2, kb = ldb << 2;
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa + ra);
    const a2 = v128.load32_splat(pa + 2 * ra);
    const a3 = v128.load32_splat(pa + 3 * ra);
    c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20); c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30); c31 = madd(a3, b1, c31);
    pa += ka; pb += kb;
  }
  const rc = ldc << 2;
  put(c, c00, accumulate); put(c + 16, c01, accumulate);
  put(c + rc, c10, accumulate); put(c + rc + 16, c11, accumulate);
  put(c + 2 * rc, c20, accumulate); put(c + 2 * rc + 16, c21, accumulate);
  put(c + 3 * rc, c30, accumulate); put(c + 3 * rc + 16, c31, accumulate);
}

/** One 4×4 tile of C. */
// @ts-ignore: decorator
@inline function tile4x4(
  K: i32, a: usize, rsa: usize, csa: usize, b: usize, ldb: usize, c: usize, ldc: usize, accumulate: bool,
): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const ra = rsa << 2, ka = csa << 2, kb = ldb << 2;
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    c0 = madd(v128.load32_splat(pa), b0, c0);
    c1 = madd(v128.load32_splat(pa + ra), b0, c1);
    c2 = madd(v128.load32_splat(pa + 2 * ra), b0, c2);
    c3 = madd(v128.load32_splat(pa + 3 * ra), b0, c3);
    pa += ka; pb += kb;
  }
  const rc = ldc << 2;
  put(c, c0, accumulate); put(c + rc, c1, accumulate); put(c + 2 * rc, c2, accumulate); put(c + 3 * rc, c3, accumulate);
}

/** One 1×8 tile of C. */
// @ts-ignore: decorator
@inline function tile1x8(K: i32, a: usize, csa: usize, b: usize, ldb: usize, c: usize, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  const ka = csa << 2, kb = ldb << 2;
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    const a0 = v128.load32_splat(pa);
    c0 = madd(a0, v128.load(pb), c0);
    c1 = madd(a0, v128.load(pb, 16), c1);
    pa += ka; pb += kb;
  }
  put(c, c0, accumulate); put(c + 16, c1, accumulate);
}

/** One 1×4 tile of C. */
// @ts-ignore: decorator
@inline function tile1x4(K: i32, a: usize, csa: usize, b: usize, ldb: usize, c: usize, accumulate: bool): void {
  let c0 = f32x4.splat(0);
  const ka = csa << 2, kb = ldb << 2;
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    c0 = madd(v128.load32_splat(pa), v128.load(pb), c0);
    pa += ka; pb += kb;
  }
  put(c, c0, accumulate);
}

/** C[M,N] = (accumulate ? C : 0) + A·B; f32x4, 4×8 register tiles, K blocks of KC. See the file comment. */
export function gemm_f32_4x8_wasmsimd(
  M: i32, N: i32, K: i32,
  a: usize, rsa: i32, csa: i32,
  b: usize, ldb: i32,
  c: usize, ldc: i32, accumulate: bool,
): void {
  for (let k0 = 0; k0 < K || k0 == 0; k0 += KC) {
    gemm_block(M, N, min(KC, K - k0), a + ((<usize>k0 * csa) << 2), rsa, csa, b + ((<usize>k0 * ldb) << 2), ldb, c, ldc, accumulate || k0 > 0);
  }
}

function gemm_block(
  M: i32, N: i32, K: i32,
  a: usize, rsa: i32, csa: i32,
  b: usize, ldb: i32,
  c: usize, ldc: i32, accumulate: bool,
): void {
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

// --- panel-packed B ------------------------------------------------------------------------------
// A row-major B with a leading dimension of a power of two times 256 bytes (the weights, 4H or 3H
// wide) maps every row of a K×8 panel to one or two of L1's 64 sets, so the panel cannot stay in
// L1 and each k fetches from L2. Packing B once into contiguous K×8 panels removes that: the
// per-step GEMMs of the recurrences run 1.05–1.21× faster (bench/gemm-shapes.mjs: 64×1024×256 from
// 25.5 to 30.9 GFLOP/s).

/** Packs B(k, n) = src[k·rs + n·cs] (k < K, n < N) for gemm_f32_4x8_packed: ⌊N/8⌋ panels of
 *  K×8 floats (panel p holds columns 8p..8p+7; B(k, 8p + q) at p·8K + 8k + q), then the last
 *  N mod 8 columns as a row-major K×(N mod 8) block. Same size as B: K·N floats. */
export function pack_panels(K: i32, N: i32, src: usize, rs: i32, cs: i32, dst: usize): void {
  const N8 = N & ~7, R = N - N8;
  for (let j = 0; j < N8; j += 8) {
    const pd = dst + (<usize>(j * K) << 2);
    for (let k = 0; k < K; k++) {
      const ps = src + (<usize>(k * rs + j * cs) << 2), q = pd + (<usize>(k * 8) << 2), c4 = <usize>cs << 2;
      for (let u = 0; u < 8; u++) store<f32>(q + (<usize>u << 2), load<f32>(ps + <usize>u * c4));
    }
  }
  if (R > 0) {
    const pd = dst + (<usize>(N8 * K) << 2);
    for (let k = 0; k < K; k++) {
      for (let u = 0; u < R; u++) {
        store<f32>(pd + (<usize>(k * R + u) << 2), load<f32>(src + (<usize>(k * rs + (N8 + u) * cs) << 2)));
      }
    }
  }
}

/** C[M,N] = (accumulate ? C : 0) + A·B with B packed by pack_panels(K, N, …). A and C as in
 *  gemm_f32_4x8_wasmsimd; the same tiles, K blocks and summation order, so the result is bitwise
 *  that of gemm_f32_4x8_wasmsimd and gemm_ref on the unpacked B. */
export function gemm_f32_4x8_packed(
  M: i32, N: i32, K: i32,
  a: usize, rsa: i32, csa: i32,
  bp: usize,
  c: usize, ldc: i32, accumulate: bool,
): void {
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
      for (let i = M4; i < M; i++) {
        tile1x8(kb, ak + ((<usize>i * rs) << 2), cs, pb, 8, c + ((<usize>i * lc + j) << 2), acc);
      }
    }
    if (R > 0) {
      gemm_block(M, R, kb, ak, rsa, csa, bp + (<usize>(N8 * K + k0 * R) << 2), R, c + (<usize>N8 << 2), ldc, acc);
    }
  }
}
