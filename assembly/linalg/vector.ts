// Level-1/2 kernels over f32 buffers: f32x4 main loop, scalar tail, scalar reference beside each.
// Pointers need no alignment.

/** y += alpha·x (n elements). Bitwise equal to axpy_ref. */
export function axpy_f32_wasmsimd(n: i32, alpha: f32, x: usize, y: usize): void {
  const va = f32x4.splat(alpha);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}
export function axpy_ref(n: i32, alpha: f32, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** y += x (n elements). */
export function add_f32_wasmsimd(n: i32, x: usize, y: usize): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + load<f32>(x + o));
  }
}

/** x *= alpha. Bitwise equal to scale_ref. */
export function scale_f32_wasmsimd(n: i32, alpha: f32, x: usize): void {
  const va = f32x4.splat(alpha);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), va));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * alpha);
  }
}
export function scale_ref(n: i32, alpha: f32, x: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * alpha);
  }
}

/** Σ x·y with four f32 lane sums (different order from dot_ref: compare with a tolerance). */
export function dot_f32_wasmsimd(n: i32, x: usize, y: usize): f32 {
  let acc = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1))
    + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; i < n; i++) {
    const o = <usize>i << 2;
    s += load<f32>(x + o) * load<f32>(y + o);
  }
  return s;
}
export function dot_ref(n: i32, x: usize, y: usize): f32 {
  let s: f32 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    s += load<f32>(x + o) * load<f32>(y + o);
  }
  return s;
}

/** Σ x² accumulated in f64 (f64x2 lanes): the global gradient norm of a whole parameter block. */
export function sumsq_f64_wasmsimd(n: i32, x: usize): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    a0 = f64x2.add(a0, f64x2.mul(lo, lo));
    a1 = f64x2.add(a1, f64x2.mul(hi, hi));
  }
  const s2 = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}
export function sumsq_ref(n: i32, x: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

/** y[M] = (accumulate ? y : 0) + A[M,N]·x[N], A row-major with leading dimension lda. */
export function gemv_f32_wasmsimd(M: i32, N: i32, a: usize, lda: i32, x: usize, y: usize, accumulate: bool): void {
  for (let i = 0; i < M; i++) {
    const s = dot_f32_wasmsimd(N, a + ((<usize>i * lda) << 2), x);
    const py = y + (<usize>i << 2);
    store<f32>(py, accumulate ? load<f32>(py) + s : s);
  }
}
export function gemv_ref(M: i32, N: i32, a: usize, lda: i32, x: usize, y: usize, accumulate: bool): void {
  for (let i = 0; i < M; i++) {
    const s = dot_ref(N, a + ((<usize>i * lda) << 2), x);
    const py = y + (<usize>i << 2);
    store<f32>(py, accumulate ? load<f32>(py) + s : s);
  }
}

/** dst[j] (+)= Σ_i src[i*ld + j] over M rows (the bias gradient of a batch of rows). */
export function colsum_f32_wasmsimd(M: i32, N: i32, src: usize, ld: i32, dst: usize, accumulate: bool): void {
  const N4 = N & ~3;
  let j = 0;
  for (; j < N4; j += 4) {
    let acc = f32x4.splat(0);
    for (let i = 0; i < M; i++) acc = f32x4.add(acc, v128.load(src + ((<usize>i * ld + j) << 2)));
    const pd = dst + (<usize>j << 2);
    v128.store(pd, accumulate ? f32x4.add(v128.load(pd), acc) : acc);
  }
  for (; j < N; j++) {
    let s: f32 = 0;
    for (let i = 0; i < M; i++) s += load<f32>(src + ((<usize>i * ld + j) << 2));
    const pd = dst + (<usize>j << 2);
    store<f32>(pd, accumulate ? load<f32>(pd) + s : s);
  }
}

/** dst[j,i] = src[i,j] for src [R,C] (leading dimension lds) into dst [C,R] (leading dimension ldd). */
export function transpose_f32(R: i32, C: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  // 8×8 blocks keep both sides in cache for large matrices
  for (let i0 = 0; i0 < R; i0 += 8) {
    const i1 = min(i0 + 8, R);
    for (let j0 = 0; j0 < C; j0 += 8) {
      const j1 = min(j0 + 8, C);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<f32>(dst + ((<usize>j * ldd + i) << 2), load<f32>(src + ((<usize>i * lds + j) << 2)));
        }
      }
    }
  }
}

/** dst[r, 0..C) = src[r, 0..C) for R rows with leading dimensions ldd, lds. */
export function copy2d_f32(R: i32, C: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  for (let r = 0; r < R; r++) {
    memory.copy(dst + ((<usize>r * ldd) << 2), src + ((<usize>r * lds) << 2), <usize>C << 2);
  }
}
