// Gradient-flow diagnostics: singular values and eigenvalues of matrices, Jacobian products of a
// recurrent layer, and the spectrum of its recurrent weights. The numerics run in the core
// (assembly/diag/): one-sided Jacobi SVD and subspace iteration, Hessenberg + Francis QR for
// eigenvalues. Per-step gradient norms come from RecurrentLayer.backward({ stateGrads: true }) and
// Model.gradientFlow().
import * as check from "./check.js";
import { Scratch, f32, wasm } from "./loader.js";
import type { RecurrentLayer } from "./rnn.js";

const EXACT_MAX = 128;

function withScratch<T>(fn: (s: () => Scratch) => T): T {
  const held: Scratch[] = [];
  try {
    return fn(() => { const s = new Scratch(); held.push(s); return s; });
  } finally {
    for (const s of held) s.release();
  }
}

export interface SingularValueOptions {
  /** Only the k largest, by subspace iteration (default: all, exactly, by Jacobi). */
  topK?: number;
  /** Subspace iterations when topK is given (default 30). */
  iterations?: number;
}

function svdMany(W: string, count: number, M: number, N: number, ptr: number, o: SingularValueOptions, s: () => Scratch): { values: Float32Array; k: number } {
  const c = wasm();
  const r = Math.min(M, N);
  const k = o.topK === undefined ? r : check.int(W, "options.topK", o.topK, 1, r);
  if (o.topK === undefined) {
    const out = s().ensure(4 * count * r), work = s().ensure(8 * M * N);
    if (c.svd_values_batch(count, M, N, ptr, out, work) < 0) throw new Error(`${W}: the Jacobi SVD did not converge (non-finite input?)`);
    return { values: f32(out, count * r).slice(), k: r };
  }
  const iters = check.int(W, "options.iterations", o.iterations ?? 30, 1, 10000);
  const out = s().ensure(4 * count * k), work = s().ensure(c.svd_subspace_work_bytes(M, N, k));
  c.svd_subspace_batch(count, M, N, ptr, k, iters, out, work);
  return { values: f32(out, count * k).slice(), k };
}

/** Singular values of a row-major matrix [rows, cols], largest first: all of them exactly
 *  (one-sided Jacobi in f64), or the `topK` largest by subspace iteration. */
export function singularValues(a: Float32Array, rows: number, cols: number, options: SingularValueOptions = {}): Float32Array {
  const W = "singularValues";
  const M = check.int(W, "rows", rows, 1, 1 << 15), N = check.int(W, "cols", cols, 1, 1 << 15);
  check.f32(W, "a", a, M * N, `[rows=${M}, cols=${N}]`);
  const o = check.object(W, "options", options);
  check.known(W, o, ["topK", "iterations"]);
  return withScratch((s) => svdMany(W, 1, M, N, s().put(a), o as SingularValueOptions, s).values);
}

/** Eigenvalues of a square row-major matrix [n, n] (Francis double-shift QR in f64), as real and
 *  imaginary parts; conjugate pairs are adjacent. */
export function eigenvalues(a: Float32Array, n: number): { re: Float32Array; im: Float32Array } {
  const W = "eigenvalues";
  check.int(W, "n", n, 1, 1 << 13);
  check.f32(W, "a", a, n * n, `[n=${n}, n=${n}]`);
  return withScratch((s) => {
    const c = wasm();
    const re = s().ensure(4 * n), im = s().ensure(4 * n), work = s().ensure(8 * n * (n + 2));
    if (c.eig_values(n, s().put(a), n, re, im, work) < 0) throw new Error(`${W}: the QR iteration did not converge`);
    return { re: f32(re, n).slice(), im: f32(im, n).slice() };
  });
}

/** Spectral radius max |λ| of a square matrix [n, n]. */
export function spectralRadius(a: Float32Array, n: number): number {
  const { re, im } = eigenvalues(a, n);
  let r = 0;
  for (let i = 0; i < n; i++) r = Math.max(r, Math.hypot(re[i], im[i]));
  return r;
}

export interface JacobianOptions {
  /** Time steps T of the sequence x [T, I]. */
  steps: number;
  /** Which layer (default the last) and direction (0 forward, 1 reverse; default 0). */
  layer?: number;
  direction?: number;
  /** Initial state of the sequence [L·D, H] (default zeros); c0 likewise (LSTM). */
  h0?: Float32Array;
  c0?: Float32Array;
  /** Also the singular values of every product (default true): exactly for H <= 128, otherwise the
   *  `topK` largest (default 8) by subspace iteration. */
  singularValues?: boolean;
  topK?: number;
}

export interface JacobianResult {
  /** P_t = ∂h_final/∂h_t for t = 0..T−1, [T, H, H] (row i: output unit, column j: unit of h_t).
   *  h_final is the layer-direction's last state: h_{T−1} forward, h_0 reverse (P = I there). */
  products: Float32Array;
  /** Singular values of each P_t, largest first, [T, k]. */
  singularValues?: Float32Array;
  /** k: how many singular values per step. */
  k: number;
  H: number;
  T: number;
}

/** Jacobian products ∂h_final/∂h_t of one sequence through a recurrent layer, for every t: for an
 *  Elman RNN the product of J_k = diag(φ'(a_k)) W_hh over k = t+1..T−1; for LSTM and GRU the exact
 *  Jacobians of their steps (LSTM: ∂h/∂h with the cell state c_t held fixed). Computed as H
 *  vector–Jacobian products at once: the sequence is run as a batch of H copies and BPTT starts
 *  from the H unit vectors, so every row of every product comes out of the same BPTT as training.
 *  Replaces the layer's last forward pass; leaves its gradients as they were. Memory: 4·T·H² bytes. */
export function jacobianProducts(layer: RecurrentLayer, x: Float32Array, options: JacobianOptions): JacobianResult {
  const W = "jacobianProducts";
  const o = check.object(W, "options", options);
  check.known(W, o, ["steps", "layer", "direction", "h0", "c0", "singularValues", "topK"]);
  const H = layer.hiddenSize, I = layer.inputSize, L = layer.numLayers, D = layer.directions, LD = L * D;
  const T = check.int(W, "options.steps", o.steps, 1, 1 << 20);
  const l = check.int(W, "options.layer", o.layer ?? L - 1, 0, L - 1);
  const d = check.int(W, "options.direction", o.direction ?? 0, 0, D - 1);
  check.f32(W, "x", x, T * I, `[steps=${T}, inputSize=${I}]`);
  const h0 = o.h0 === undefined ? null : check.f32(W, "options.h0", o.h0, LD * H, `[layers*directions=${LD}, hidden=${H}]`);
  const lstm = layer.mode === "lstm";
  if (o.c0 !== undefined && !lstm) throw new TypeError(`${W}: options.c0 applies only to LSTM layers`);
  const c0 = o.c0 === undefined ? null : check.f32(W, "options.c0", o.c0, LD * H, `[layers*directions=${LD}, hidden=${H}]`);
  const wantSv = check.bool(W, "options.singularValues", o.singularValues ?? true);
  const topK = o.topK === undefined ? (H > EXACT_MAX ? Math.min(8, H) : undefined) : check.int(W, "options.topK", o.topK, 1, H);
  if (T * H * H > 1 << 28) throw new RangeError(`${W}: T·H² = ${T * H * H} floats (${(T * H * H * 4 / 2 ** 30).toFixed(1)} GiB) is too large; use fewer steps`);
  // the batch: H copies of the sequence (and of its initial state)
  const xs = new Float32Array(H * T * I);
  for (let i = 0; i < H; i++) xs.set(x, i * T * I);
  const tile = (s: Float32Array) => {
    const r = new Float32Array(LD * H * H);
    for (let ld = 0; ld < LD; ld++) for (let i = 0; i < H; i++) r.set(s.subarray(ld * H, ld * H + H), (ld * H + i) * H);
    return r;
  };
  const fo: any = { batch: H, steps: T };
  if (h0) fo.h0 = tile(h0);
  if (c0) fo.c0 = tile(c0);
  const target = l * D + d;
  const gH = new Float32Array(LD * H * H);
  for (let i = 0; i < H; i++) gH[(target * H + i) * H + i] = 1;
  // BPTT accumulates into the layer's gradients: keep them as they were
  const before = f32(layer.gradsPtr(), layer.numParams).slice();
  let r;
  try {
    layer.forward(xs, fo);
    r = layer.backward({ hN: gH }, { stateGrads: true });
  } finally {
    f32(layer.gradsPtr(), layer.numParams).set(before);
  }
  const products = r.dh!.subarray(target * T * H * H, (target + 1) * T * H * H).slice();
  const res: JacobianResult = { products, k: H, H, T };
  if (wantSv) {
    withScratch((s) => {
      const { values, k } = svdMany(W, T, H, H, s().put(products), topK === undefined ? {} : { topK }, s);
      res.singularValues = values; res.k = k;
    });
  }
  return res;
}

export interface WeightSpectrum {
  /** state_dict name of the recurrent matrix, e.g. "weight_hh_l0", and the gate ("" for Elman;
   *  "i", "f", "g", "o" for LSTM; "r", "z", "n" for GRU). */
  name: string;
  gate: string;
  /** Singular values of the H×H block, largest first (all for H <= 128, else the top 8). */
  singularValues: Float32Array;
  /** Its spectral radius max |λ|. */
  spectralRadius: number;
}

/** Singular values and spectral radius of every recurrent weight block W_hh (per layer, direction
 *  and gate) of a layer. */
export function weightSpectrum(layer: RecurrentLayer, options: SingularValueOptions = {}): WeightSpectrum[] {
  const W = "weightSpectrum";
  const oo = check.object(W, "options", options);
  check.known(W, oo, ["topK", "iterations"]);
  const o = oo as SingularValueOptions;
  const H = layer.hiddenSize;
  const gates = layer.mode === "lstm" ? ["i", "f", "g", "o"] : layer.mode === "gru" ? ["r", "z", "n"] : [""];
  const sd = layer.stateDict();
  const out: WeightSpectrum[] = [];
  for (const name of Object.keys(sd).filter((k) => k.startsWith("weight_hh"))) {
    gates.forEach((gate, gi) => {
      const block = sd[name].subarray(gi * H * H, (gi + 1) * H * H);
      const so = o.topK !== undefined || H <= EXACT_MAX ? o : { ...o, topK: Math.min(8, H) };
      out.push({ name, gate, singularValues: singularValues(block, H, H, so), spectralRadius: spectralRadius(block, H) });
    });
  }
  return out;
}
