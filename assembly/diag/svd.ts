// Singular values for the gradient-flow diagnostics.
//
// svd_values_jacobi: all singular values of an f32 matrix A [M,N] by one-sided Jacobi (Hestenes)
// in f64. The n = min(M,N) columns of A (or rows, if M < N) are copied into f64 vectors of length
// m = max(M,N) and rotated pairwise until every pair is orthogonal to relative 1e-15 (plane
// rotations with the stable formulas of Rutishauser); the singular values are then the vector
// norms. Accurate to a few ulps of f64 relative to σ_max, O(sweeps · n² · m) work, sweeps ≈ 6–10.
//
// svd_values_subspace: the k largest singular values by block power (subspace) iteration on AᵀA
// with Rayleigh–Ritz: X ← orth(AᵀA X) repeated, then the exact singular values of A X (an M×p
// matrix, p = k + oversampling) by Jacobi. For large matrices where only the top few are wanted.

// @ts-ignore: decorator
@inline function ld64(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function st64(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** Σ a_i b_i over n f64 (f64x2 lanes). */
function dot64(n: i32, a: usize, b: usize): f64 {
  let s = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    s = f64x2.add(s, f64x2.mul(v128.load(a + o), v128.load(b + o)));
  }
  let r = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) r += ld64(a, i) * ld64(b, i);
  return r;
}

/** Rotate the pair: a ← c·a − s·b, b ← s·a + c·b. */
function rot64(n: i32, a: usize, b: usize, c: f64, s: f64): void {
  const cv = f64x2.splat(c), sv = f64x2.splat(s);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const x = v128.load(a + o), y = v128.load(b + o);
    v128.store(a + o, f64x2.sub(f64x2.mul(cv, x), f64x2.mul(sv, y)));
    v128.store(b + o, f64x2.add(f64x2.mul(sv, x), f64x2.mul(cv, y)));
  }
  for (; i < n; i++) {
    const x = ld64(a, i), y = ld64(b, i);
    st64(a, i, c * x - s * y);
    st64(b, i, s * x + c * y);
  }
}

/** One-sided Jacobi on n vectors of length m stored back to back in w (f64). Returns the number of
 *  sweeps, or −1 if 60 sweeps did not converge. On return the vectors are mutually orthogonal. */
function jacobi64(n: i32, m: i32, w: usize): i32 {
  const tol: f64 = 1e-15;
  for (let sweep = 1; sweep <= 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const ap = w + ((<usize>p * m) << 3);
      for (let q = p + 1; q < n; q++) {
        const aq = w + ((<usize>q * m) << 3);
        const alpha = dot64(m, ap, ap), beta = dot64(m, aq, aq), gamma = dot64(m, ap, aq);
        if (gamma == 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // choose the rotation that zeroes gamma: tan(2θ) = 2γ / (β − α)
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1.0 : -1.0) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        rot64(m, ap, aq, c, s);
      }
    }
    if (!rotated) return sweep;
  }
  return -1;
}

/** Sort out[0..n) in decreasing order (insertion sort; n is small). */
function sortDesc(n: i32, out: usize): void {
  for (let i = 1; i < n; i++) {
    const v = load<f32>(out + (<usize>i << 2));
    let j = i - 1;
    while (j >= 0 && load<f32>(out + (<usize>j << 2)) < v) {
      store<f32>(out + (<usize>(j + 1) << 2), load<f32>(out + (<usize>j << 2)));
      j--;
    }
    store<f32>(out + (<usize>(j + 1) << 2), v);
  }
}

/** out[v] = ‖v-th vector‖₂ (f32) of `count` f64 vectors of length len stored back to back at p,
 *  then sorted in decreasing order: the singular values from a one-sided Jacobi's columns. */
function normsSorted(count: i32, len: i32, p: usize, out: usize): void {
  for (let v = 0; v < count; v++) {
    const q = p + ((<usize>v * len) << 3);
    store<f32>(out + (<usize>v << 2), <f32>Math.sqrt(dot64(len, q, q)));
  }
  sortDesc(count, out);
}

/** All min(M,N) singular values of A [M,N] (row-major, leading dimension lda) into out (f32,
 *  decreasing). work: 8·M·N bytes. Returns the sweeps used, or −1 if Jacobi did not converge. */
export function svd_values_jacobi(M: i32, N: i32, a: usize, lda: i32, out: usize, work: usize): i32 {
  // vectors = columns of A if N <= M, else rows of A
  const cols = N <= M, n = cols ? N : M, m = cols ? M : N;
  for (let v = 0; v < n; v++) {
    for (let i = 0; i < m; i++) {
      const e = cols ? load<f32>(a + ((<usize>i * lda + v) << 2)) : load<f32>(a + ((<usize>v * lda + i) << 2));
      st64(work, v * m + i, <f64>e);
    }
  }
  const sweeps = jacobi64(n, m, work);
  normsSorted(n, m, work, out);
  return sweeps;
}

/** Modified Gram–Schmidt (twice) on p vectors of length n stored back to back in x (f64). */
function orthonormalize(p: i32, n: i32, x: usize): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < p; j++) {
      const xj = x + ((<usize>j * n) << 3);
      for (let i = 0; i < j; i++) {
        const xi = x + ((<usize>i * n) << 3);
        const r = dot64(n, xi, xj);
        for (let e = 0; e < n; e++) st64(xj, e, ld64(xj, e) - r * ld64(xi, e));
      }
      const nrm = Math.sqrt(dot64(n, xj, xj));
      const inv = nrm > 0 ? 1 / nrm : 0;
      for (let e = 0; e < n; e++) st64(xj, e, ld64(xj, e) * inv);
    }
  }
}

/** y[M] = A x (f64 vector x [N], f32 A), or with trans: y[N] = Aᵀ x (x [M]). */
function apply64(M: i32, N: i32, a: usize, lda: i32, x: usize, y: usize, trans: bool): void {
  if (!trans) {
    for (let i = 0; i < M; i++) {
      let s: f64 = 0;
      const row = a + ((<usize>i * lda) << 2);
      for (let j = 0; j < N; j++) s += <f64>load<f32>(row + (<usize>j << 2)) * ld64(x, j);
      st64(y, i, s);
    }
  } else {
    for (let j = 0; j < N; j++) st64(y, j, 0);
    for (let i = 0; i < M; i++) {
      const xi = ld64(x, i);
      const row = a + ((<usize>i * lda) << 2);
      for (let j = 0; j < N; j++) st64(y, j, ld64(y, j) + <f64>load<f32>(row + (<usize>j << 2)) * xi);
    }
  }
}

/** Workspace bytes for svd_values_subspace with p = min(k + 8, min(M,N)) vectors. */
export function svd_subspace_work_bytes(M: i32, N: i32, k: i32): i32 {
  const p = min(k + 8, min(M, N));
  return 8 * (p * N + p * M + max(M, N));
}

/** The k largest singular values of A [M,N] (decreasing, into out f32[k]) by `iters` rounds of
 *  subspace iteration on AᵀA with p = min(k + 8, min(M,N)) vectors from a fixed seed, then
 *  Rayleigh–Ritz. work: svd_subspace_work_bytes(M, N, k). Error shrinks like (σ_{p+1}/σ_i)^(2·iters). */
export function svd_values_subspace(M: i32, N: i32, a: usize, lda: i32, k: i32, iters: i32, out: usize,
  work: usize): void {
  const p = min(k + 8, min(M, N));
  const X = work, Y = work + ((<usize>p * N) << 3);
  // seeded start vectors (LCG, uniform in [−0.5, 0.5))
  let seed: u32 = 0x2545f491;
  for (let i = 0; i < p * N; i++) {
    seed = seed * 1664525 + 1013904223;
    st64(X, i, <f64>(seed >> 8) / 16777216.0 - 0.5);
  }
  orthonormalize(p, N, X);
  for (let it = 0; it < iters; it++) {
    for (let j = 0; j < p; j++) {
      const xj = X + ((<usize>j * N) << 3), yj = Y + ((<usize>j * M) << 3);
      apply64(M, N, a, lda, xj, yj, false); // y = A x
      apply64(M, N, a, lda, yj, xj, true); // x = Aᵀ y
    }
    orthonormalize(p, N, X);
  }
  // Rayleigh–Ritz: the singular values of A X (M×p, as p vectors of length M) are the Ritz values
  for (let j = 0; j < p; j++) apply64(M, N, a, lda, X + ((<usize>j * N) << 3), Y + ((<usize>j * M) << 3), false);
  jacobi64(p, M, Y);
  const tmp = X; // reuse as f32 scratch for the p values
  normsSorted(p, M, Y, tmp);
  memory.copy(out, tmp, <usize>k << 2);
}

/** svd_values_jacobi on `count` matrices [M,N] stored back to back (e.g. the Jacobian products of
 *  every step); out [count, min(M,N)]. Returns the most sweeps any needed, or −1. */
export function svd_values_batch(count: i32, M: i32, N: i32, a: usize, out: usize, work: usize): i32 {
  let worst = 0;
  const r = min(M, N);
  for (let c = 0; c < count; c++) {
    const s = svd_values_jacobi(M, N, a + ((<usize>c * M * N) << 2), N, out + ((<usize>c * r) << 2), work);
    if (s < 0) return -1;
    if (s > worst) worst = s;
  }
  return worst;
}

/** svd_values_subspace on `count` matrices [M,N] stored back to back; out [count, k]. */
export function svd_subspace_batch(count: i32, M: i32, N: i32, a: usize, k: i32, iters: i32, out: usize,
  work: usize): void {
  for (let c = 0; c < count; c++) {
    svd_values_subspace(M, N, a + ((<usize>c * M * N) << 2), N, k, iters, out + ((<usize>c * k) << 2), work);
  }
}
