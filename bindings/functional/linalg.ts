// Matrix diagnostics on row-major f32 matrices: singular values (one-sided Jacobi in f64, or the
// top k by subspace iteration) and eigenvalues (balancing, Hessenberg reduction, Francis
// double-shift QR in f64), computed in the core (assembly/diag/).
import * as check from "../core/check.js";
import { f32, withBlocks } from "../core/arena.js";
import { core } from "../core/loader.js";

/** Options of singularValues(). */
export interface SingularValueOptions {
  /** Only the k largest, by subspace iteration (default: all, exactly, by Jacobi). */
  topK?: number;
  /** Subspace iterations when topK is given (default 30). */
  iterations?: number;
}

/** Singular values of `count` matrices [M, N] stored back to back in a: [count, k] and k. */
export function svdMany(W: string, count: number, M: number, N: number, a: Float32Array,
  o: SingularValueOptions): { values: Float32Array; k: number } {
  const c = core(), r = Math.min(M, N);
  const k = o.topK === undefined ? r : check.int(W, "options.topK", o.topK, 1, r);
  if (o.topK === undefined) {
    return withBlocks(W, [4 * a.length, 4 * count * r, 8 * M * N], ([p, out, work]) => {
      f32(p, a.length).set(a);
      if (c.svd_values_batch(count, M, N, p, out, work) < 0) {
        throw new Error(`${W}: the Jacobi SVD did not converge (non-finite input?)`);
      }
      return { values: f32(out, count * r).slice(), k: r };
    });
  }
  const iters = check.int(W, "options.iterations", o.iterations ?? 30, 1, 10000);
  return withBlocks(W, [4 * a.length, 4 * count * k, c.svd_subspace_work_bytes(M, N, k)], ([p, out, work]) => {
    f32(p, a.length).set(a);
    c.svd_subspace_batch(count, M, N, p, k, iters, out, work);
    return { values: f32(out, count * k).slice(), k };
  });
}

/** Singular values of a row-major matrix [rows, cols], largest first: all of them exactly
 *  (one-sided Jacobi in f64), or the `topK` largest by subspace iteration. */
export function singularValues(a: Float32Array, rows: number, cols: number,
  options: SingularValueOptions = {}): Float32Array {
  const W = "singularValues";
  const M = check.int(W, "rows", rows, 1, 1 << 15), N = check.int(W, "cols", cols, 1, 1 << 15);
  check.f32(W, "a", a, M * N, `[rows=${M}, cols=${N}]`);
  const o = check.object(W, "options", options);
  check.known(W, o, ["topK", "iterations"]);
  return svdMany(W, 1, M, N, a, o as SingularValueOptions).values;
}

/** What eigenvalues() returns: n values as real and imaginary parts. */
export interface Eigenvalues {
  /** Real parts, [n]. */
  re: Float32Array;
  /** Imaginary parts, [n]. */
  im: Float32Array;
}

/** Eigenvalues of a square row-major matrix [n, n] (Francis double-shift QR in f64), as real and
 *  imaginary parts; conjugate pairs are adjacent. */
export function eigenvalues(a: Float32Array, n: number, W = "eigenvalues"): Eigenvalues {
  check.int(W, "n", n, 1, 1 << 13);
  check.f32(W, "a", a, n * n, `[n=${n}, n=${n}]`);
  return withBlocks(W, [4 * n * n, 4 * n, 4 * n, 8 * n * (n + 2)], ([p, re, im, work]) => {
    f32(p, n * n).set(a);
    if (core().eig_values(n, p, n, re, im, work) < 0) throw new Error(`${W}: the QR iteration did not converge`);
    return { re: f32(re, n).slice(), im: f32(im, n).slice() };
  });
}

/** Spectral radius max |λ| of a square matrix [n, n]. */
export function spectralRadius(a: Float32Array, n: number): number {
  const { re, im } = eigenvalues(a, n, "spectralRadius");
  let r = 0;
  for (let i = 0; i < n; i++) r = Math.max(r, Math.hypot(re[i], im[i]));
  return r;
}
