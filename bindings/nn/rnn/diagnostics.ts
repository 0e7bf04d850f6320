// Gradient-flow diagnostics of a recurrent layer: Jacobian products and the spectrum of its
// recurrent weights (the matrix functions are functional/linalg.ts). The numerics run in the core
// (assembly/diag/): one-sided Jacobi SVD and subspace iteration, Hessenberg + Francis QR for
// eigenvalues. Per-step gradient norms come from RecurrentLayer.backward({ stateGrads: true }) and
// Model.gradientFlow().
import { CELLS } from "../../core/cells.js";
import * as check from "../../core/check.js";
import { SingularValueOptions, singularValues, spectralRadius, svdMany } from "../../functional/linalg.js";
import { RecurrentLayer } from "./layers.js";

const EXACT_MAX = 128;

/** Options of jacobianProducts(). */
export interface JacobianOptions {
  /** Time steps T of the sequence x [T, I]. */
  steps: number;
  /** Which layer (default the last). */
  layer?: number;
  /** Which direction: 0 forward, 1 reverse (default 0). */
  direction?: number;
  /** Initial state of the sequence [L·D, H] (default zeros). */
  h0?: Float32Array;
  /** Initial cell state [L·D, H] (LSTM; default zeros). */
  c0?: Float32Array;
  /** Also the singular values of every product (default true): exactly for H <= 128, otherwise the
   *  `topK` largest (default 8) by subspace iteration. */
  singularValues?: boolean;
  /** How many of the largest singular values when H > 128 (default 8). */
  topK?: number;
}

/** What jacobianProducts() returns. */
export interface JacobianResult {
  /** P_t = ∂h_final/∂h_t for t = 0..T−1, [T, H, H] (row i: output unit, column j: unit of h_t).
   *  h_final is the layer-direction's last state: h_{T−1} forward, h_0 reverse (P = I there). */
  products: Float32Array;
  /** Singular values of each P_t, largest first, [T, k]. */
  singularValues?: Float32Array;
  /** k: how many singular values per step. */
  k: number;
  /** Hidden size of the products (each is H × H). */
  H: number;
  /** Steps: one product per step. */
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
  if (!(layer instanceof RecurrentLayer)) {
    throw new TypeError(`${W}: layer must be an RNN, LSTM or GRU, got ${check.show(layer)}`);
  }
  const o = check.object(W, "options", options);
  check.known(W, o, ["steps", "layer", "direction", "h0", "c0", "singularValues", "topK"]);
  const H = layer.hiddenSize, I = layer.inputSize, L = layer.numLayers, D = layer.directions, LD = L * D;
  const T = check.int(W, "options.steps", o.steps, 1, 1 << 20);
  const l = check.int(W, "options.layer", o.layer ?? L - 1, 0, L - 1);
  const d = check.int(W, "options.direction", o.direction ?? 0, 0, D - 1);
  check.f32(W, "x", x, T * I, `[steps=${T}, inputSize=${I}]`);
  const h0 = o.h0 === undefined
    ? null
    : check.f32(W, "options.h0", o.h0, LD * H, `[layers*directions=${LD}, hidden=${H}]`);
  if (o.c0 !== undefined && !CELLS[layer.mode].cellState) {
    throw new TypeError(`${W}: options.c0 applies only to LSTM layers`);
  }
  const c0 = o.c0 === undefined
    ? null
    : check.f32(W, "options.c0", o.c0, LD * H, `[layers*directions=${LD}, hidden=${H}]`);
  const wantSv = check.bool(W, "options.singularValues", o.singularValues ?? true);
  const topK = o.topK === undefined
    ? (H > EXACT_MAX ? Math.min(8, H) : undefined)
    : check.int(W, "options.topK", o.topK, 1, H);
  if (T * H * H > 1 << 28) {
    throw new RangeError(
      `${W}: T·H² = ${T * H * H} floats (${(T * H * H * 4 / 2 ** 30).toFixed(1)} GiB) is too large; use fewer steps`,
    );
  }
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
  const before = layer.parameters.flatGrads(W);
  let r;
  try {
    layer.forward(xs, fo);
    r = layer.backward({ hN: gH }, { stateGrads: true });
  } finally {
    layer.parameters.setFlatGrads(W, before);
  }
  const products = r.dh!.subarray(target * T * H * H, (target + 1) * T * H * H).slice();
  const res: JacobianResult = { products, k: H, H, T };
  if (wantSv) {
    const { values, k } = svdMany(W, T, H, H, products, topK === undefined ? {} : { topK });
    res.singularValues = values;
    res.k = k;
  }
  return res;
}

/** The spectrum of one gate block of a recurrent weight matrix (weightSpectrum()). */
export interface WeightSpectrum {
  /** state_dict name of the recurrent matrix, e.g. "weight_hh_l0". */
  name: string;
  /** The gate: "" for Elman; "i", "f", "g", "o" for LSTM; "r", "z", "n" for GRU. */
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
  if (!(layer instanceof RecurrentLayer)) {
    throw new TypeError(`${W}: layer must be an RNN, LSTM or GRU, got ${check.show(layer)}`);
  }
  const oo = check.object(W, "options", options);
  check.known(W, oo, ["topK", "iterations"]);
  const o = oo as SingularValueOptions;
  const H = layer.hiddenSize;
  const gates = CELLS[layer.mode].gates;
  const sd = layer.stateDict();
  const out: WeightSpectrum[] = [];
  for (const name of Object.keys(sd).filter((k) => k.startsWith("weight_hh"))) {
    gates.forEach((gate, gi) => {
      const block = sd[name].subarray(gi * H * H, (gi + 1) * H * H);
      const so = o.topK !== undefined || H <= EXACT_MAX ? o : { ...o, topK: Math.min(8, H) };
      out.push({ name, gate, singularValues: singularValues(block, H, H, so),
        spectralRadius: spectralRadius(block, H) });
    });
  }
  return out;
}
