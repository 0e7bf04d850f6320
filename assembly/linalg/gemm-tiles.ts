// GEMM micro-kernels (XNNPACK's naming: f32 GEMM tiles, WebAssembly SIMD): one register-blocked
// tile of C per call, 4×8 (8 f32x4 accumulators, two B vectors and four splatted A scalars per k),
// 4×4, 1×8 and 1×4, over one K block. B is addressed by its leading dimension ldb (8 for a packed
// panel). Every element is accumulated in k order with a separate multiply and add, as gemm_ref
// does (the relaxed-SIMD build fuses them; see madd).

// @ts-ignore: decorator
@inline export function put(pc: usize, v: v128, accumulate: bool): void {
  v128.store(pc, accumulate ? f32x4.add(v128.load(pc), v) : v);
}

/** acc + a·b: a separate multiply and add (f32x4), or with the relaxed-SIMD build
 *  (--enable relaxed-simd) f32x4.relaxed_madd, which hosts may fuse into one FMA (one rounding
 *  instead of two: results then differ from gemm_ref in the last bits, and may differ by host). */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/** One 4×8 tile of C at (i, j). */
// @ts-ignore: decorator
@inline export function tile4x8(K: i32, a: usize, rsa: usize, csa: usize, b: usize, ldb: usize, c: usize,
  ldc: usize, accumulate: bool): void {
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
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    pa += ka;
    pb += kb;
  }
  const rc = ldc << 2;
  put(c, c00, accumulate);
  put(c + 16, c01, accumulate);
  put(c + rc, c10, accumulate);
  put(c + rc + 16, c11, accumulate);
  put(c + 2 * rc, c20, accumulate);
  put(c + 2 * rc + 16, c21, accumulate);
  put(c + 3 * rc, c30, accumulate);
  put(c + 3 * rc + 16, c31, accumulate);
}

/** One 4×4 tile of C. */
// @ts-ignore: decorator
@inline export function tile4x4(K: i32, a: usize, rsa: usize, csa: usize, b: usize, ldb: usize, c: usize,
  ldc: usize, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const ra = rsa << 2, ka = csa << 2, kb = ldb << 2;
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    c0 = madd(v128.load32_splat(pa), b0, c0);
    c1 = madd(v128.load32_splat(pa + ra), b0, c1);
    c2 = madd(v128.load32_splat(pa + 2 * ra), b0, c2);
    c3 = madd(v128.load32_splat(pa + 3 * ra), b0, c3);
    pa += ka;
    pb += kb;
  }
  const rc = ldc << 2;
  put(c, c0, accumulate);
  put(c + rc, c1, accumulate);
  put(c + 2 * rc, c2, accumulate);
  put(c + 3 * rc, c3, accumulate);
}

/** One 1×8 tile of C. */
// @ts-ignore: decorator
@inline export function tile1x8(K: i32, a: usize, csa: usize, b: usize, ldb: usize, c: usize,
  accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  const ka = csa << 2, kb = ldb << 2;
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    const a0 = v128.load32_splat(pa);
    c0 = madd(a0, v128.load(pb), c0);
    c1 = madd(a0, v128.load(pb, 16), c1);
    pa += ka;
    pb += kb;
  }
  put(c, c0, accumulate);
  put(c + 16, c1, accumulate);
}

/** One 1×32 strip of C from four consecutive packed K×8 panels (panel stride ps floats), K even:
 *  eight independent accumulators, so that a single row (B = 1: the per-step product of a stream)
 *  is not bound by the latency of one accumulator chain, and k unrolled by two. Each element still
 *  sums in k order: the same bits as four tile1x8 calls. An odd-K tail inside this function made
 *  V8 run the whole loop much slower (register allocation over the function; bench/NOTES.md,
 *  "Kernel decisions"), so callers take tile1x8 for odd K instead. */
// @ts-ignore: decorator
@inline export function tile1x32p(K: i32, a: usize, csa: usize, b: usize, ps: usize, c: usize,
  accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  const ka = csa << 2, p4 = ps << 2;
  let pa = a, pb = b;
  const end = a + <usize>K * ka;
  while (pa != end) {
    const q1 = pb + p4, q2 = q1 + p4, q3 = q2 + p4;
    const a0 = v128.load32_splat(pa);
    c0 = madd(a0, v128.load(pb), c0);
    c1 = madd(a0, v128.load(pb, 16), c1);
    c2 = madd(a0, v128.load(q1), c2);
    c3 = madd(a0, v128.load(q1, 16), c3);
    c4 = madd(a0, v128.load(q2), c4);
    c5 = madd(a0, v128.load(q2, 16), c5);
    c6 = madd(a0, v128.load(q3), c6);
    c7 = madd(a0, v128.load(q3, 16), c7);
    const a1 = v128.load32_splat(pa + ka);
    c0 = madd(a1, v128.load(pb, 32), c0);
    c1 = madd(a1, v128.load(pb, 48), c1);
    c2 = madd(a1, v128.load(q1, 32), c2);
    c3 = madd(a1, v128.load(q1, 48), c3);
    c4 = madd(a1, v128.load(q2, 32), c4);
    c5 = madd(a1, v128.load(q2, 48), c5);
    c6 = madd(a1, v128.load(q3, 32), c6);
    c7 = madd(a1, v128.load(q3, 48), c7);
    pa += ka << 1;
    pb += 64;
  }
  put(c, c0, accumulate);
  put(c + 16, c1, accumulate);
  put(c + 32, c2, accumulate);
  put(c + 48, c3, accumulate);
  put(c + 64, c4, accumulate);
  put(c + 80, c5, accumulate);
  put(c + 96, c6, accumulate);
  put(c + 112, c7, accumulate);
}

/** One 1×4 tile of C. */
// @ts-ignore: decorator
@inline export function tile1x4(K: i32, a: usize, csa: usize, b: usize, ldb: usize, c: usize,
  accumulate: bool): void {
  let c0 = f32x4.splat(0);
  const ka = csa << 2, kb = ldb << 2;
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    c0 = madd(v128.load32_splat(pa), v128.load(pb), c0);
    pa += ka;
    pb += kb;
  }
  put(c, c0, accumulate);
}
