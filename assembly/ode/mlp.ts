// The vector field f_θ of a Neural ODE: an MLP nn.Sequential(Linear, Act, ..., Linear) evaluated
// for a whole batch of states with the GEMM kernels, and its vector–Jacobian product.
//
// Widths w[0..K]: w[0] = D (+1 when f sees the time, t last), w[K] = D. Parameters in PyTorch
// order: W_1 [w1, w0], b_1 [w1], W_2 [w2, w1], ... (net.0, net.2, ...: the activations count as
// modules). Gradients accumulate into a block of the same layout.
//
// Scratch (f32, set by mlp_setup): wt, every Wᵀ packed once per solve; g, gin [B, maxW] for the
// backward sweep; dwt [max w_{l−1}·w_l] for a narrow layer's weight gradient; then one
// evaluation's activations (mlp_act_floats): x [B, w0] the input; per layer l < K: a_l, the
// pre-activations, and z_l = act(a_l), each [B, w_l]; yraw [B, D], h itself when the input map is
// the cube (x = h³, so ∂x/∂h = 3h²). mlp_bind moves the activations elsewhere (a stage's own region).

import { gemm_f32_4x8_wasmsimd as gemm, transpose_f32, colsum_f32_wasmsimd, copy2d_f32, dot_f32_wasmsimd, add_f32_wasmsimd } from "../linalg";
import { tanh_f32_wasmsimd, relu_f32_wasmsimd, sigmoid1 } from "../nn/activations";
import { ACT_TANH, ACT_RELU } from "../constants";
import { r4 } from "../common";

// the network (set by mlp_setup for one solve)
let K: i32 = 0, act: i32 = 0, D: i32 = 0, timeIn: bool = false, cube: bool = false;
let widths: usize = 0, params: usize = 0;
// scratch pointers (set by mlp_setup)
let wt: usize = 0, xin: usize = 0, acts: usize = 0, gbuf: usize = 0, gin: usize = 0, dwt: usize = 0, yraw: usize = 0;
let maxW: i32 = 0;

// @ts-ignore: decorator
@inline function w(l: i32): i32 { return load<i32>(widths + (<usize>l << 2)); }
// @ts-ignore: decorator
@inline function f32p(base: usize, floats: u64): usize { return base + <usize>(floats << 2); }

/** Parameters of the MLP (floats). */
export function mlp_param_count(nLayers: i32, ws: usize): f64 {
  let n: f64 = 0;
  for (let l = 1; l <= nLayers; l++) {
    const a = <f64>load<i32>(ws + (<usize>l << 2)), b = <f64>load<i32>(ws + (<usize>(l - 1) << 2));
    n += a * b + a;
  }
  return n;
}

/** Floats of scratch the MLP needs for a batch of B (all regions rounded up to 4 floats). */
export function mlp_scratch_floats(nLayers: i32, ws: usize, B: i32): f64 {
  let packed: f64 = 0, act: f64 = 0, mw: f64 = 0, mwt: f64 = 0;
  for (let l = 0; l <= nLayers; l++) {
    const wl = <f64>load<i32>(ws + (<usize>l << 2));
    mw = max(mw, wl);
    if (l >= 1) { const prod = wl * <f64>load<i32>(ws + (<usize>(l - 1) << 2)); packed += r4(prod); mwt = max(mwt, prod); }
    if (l >= 1 && l < nLayers) act += 2 * r4(<f64>B * wl);
  }
  const x = r4(<f64>B * <f64>load<i32>(ws)), yr = r4(<f64>B * <f64>load<i32>(ws + (<usize>nLayers << 2)));
  return packed + x + act + 2 * r4(<f64>B * mw) + r4(mwt) + yr;
}

/** Set the network and its scratch (at `scratch`, mlp_scratch_floats floats) for one solve, and
 *  pack every Wᵀ. */
export function mlp_setup(nLayers: i32, activation: i32, stateSize: i32, timeInput: bool, cubeInput: bool, ws: usize, p: usize, B: i32, scratch: usize): void {
  K = nLayers; act = activation; D = stateSize; timeIn = timeInput; cube = cubeInput; widths = ws; params = p;
  let off: u64 = 0, po: u64 = 0;
  maxW = 0;
  for (let l = 0; l <= K; l++) maxW = max(maxW, w(l));
  let wo: u64 = 0, pk: u64 = 0;
  for (let l = 1; l <= K; l++) {
    unchecked(wOff[l] = wo); unchecked(pOff[l] = pk);
    wo += <u64>w(l) * <u64>w(l - 1) + <u64>w(l);
    pk += <u64>r4(<f64>w(l) * <f64>w(l - 1));
  }
  aRows = -1;
  wt = scratch;
  for (let l = 1; l <= K; l++) {
    const o = w(l), i = w(l - 1);
    transpose_f32(o, i, f32p(params, po), i, f32p(wt, off), o);
    po += <u64>o * <u64>i + <u64>o;
    off += <u64>r4(<f64>o * <f64>i);
  }
  Bcap = B;
  gbuf = f32p(wt, off); off += <u64>r4(<f64>B * <f64>maxW);
  gin = f32p(wt, off); off += <u64>r4(<f64>B * <f64>maxW);
  dwt = f32p(wt, off); off += <u64>r4(mwtOf());
  actsHome = f32p(wt, off);
  mlp_bind(0);
}

let Bcap: i32 = 0, actsHome: usize = 0;

function mwtOf(): f64 {
  let m: f64 = 0;
  for (let l = 1; l <= K; l++) m = max(m, <f64>w(l) * <f64>w(l - 1));
  return m;
}

/** Floats of one evaluation's activations for B rows: f's input, every hidden layer's pre- and
 *  post-activation, and h itself (kept for the cube map's derivative). */
export function mlp_act_floats(nLayers: i32, ws: usize, B: i32): f64 {
  let n = r4(<f64>B * <f64>load<i32>(ws)) + r4(<f64>B * <f64>load<i32>(ws + (<usize>nLayers << 2)));
  for (let l = 1; l < nLayers; l++) n += 2 * r4(<f64>B * <f64>load<i32>(ws + (<usize>l << 2)));
  return n;
}

/** Where the next evaluations keep their activations: at `at` (mlp_act_floats(B) floats), or in
 *  the scratch (0). mlp_vjp differentiates the evaluation whose activations are bound, so a
 *  backward pass that bound each stage's own region in the forward needs no recomputation. */
export function mlp_bind(at: usize): void {
  const base = at != 0 ? at : actsHome;
  xin = base;
  acts = f32p(xin, <u64>r4(<f64>Bcap * <f64>w(0)));
  let off: u64 = 0;
  for (let l = 1; l < K; l++) off += 2 * <u64>r4(<f64>Bcap * <f64>w(l));
  yraw = f32p(acts, off);
}

// Per-layer offsets, computed once (mlp_setup: weights and packed weights; setRows: activations
// for the number of rows of the current evaluation), not per layer per evaluation.
const wOff = new StaticArray<u64>(66), pOff = new StaticArray<u64>(66), aOff = new StaticArray<u64>(66);
let aRows: i32 = -1;

/** Offsets (floats from params) of W_l and b_l. */
// @ts-ignore: decorator
@inline function weightOffset(l: i32): u64 { return unchecked(wOff[l]); }
/** Offset (floats from wt) of the packed W_lᵀ [w_{l−1}, w_l]. */
// @ts-ignore: decorator
@inline function packedOffset(l: i32): u64 { return unchecked(pOff[l]); }
/** Scratch offsets of a_l and z_l (l in 1..K−1) for the rows set by setRows. */
// @ts-ignore: decorator
@inline function actOffset(l: i32): u64 { return unchecked(aOff[l]); }

function setRows(rows: i32): void {
  if (rows == aRows) return;
  let off: u64 = 0;
  for (let j = 1; j < K; j++) { unchecked(aOff[j] = off); off += 2 * <u64>r4(<f64>rows * <f64>w(j)); }
  aRows = rows;
}

/** out [rows, D] = f(t_r, y_r) for the rows r of y [rows, D]; t: f64 per row (read only with time
 *  input). Keeps the activations for mlp_vjp. */
export function mlp_forward(rows: i32, y: usize, t: usize, out: usize): void {
  setRows(rows);
  const w0 = w(0);
  copy2d_f32(rows, D, y, D, xin, w0);
  if (cube) {
    memory.copy(yraw, y, <usize>(rows * D) << 2);
    for (let r = 0; r < rows; r++) for (let d = 0; d < D; d++) { const p = xin + (<usize>(r * w0 + d) << 2), v = load<f32>(p); store<f32>(p, v * v * v); }
  }
  if (timeIn) for (let r = 0; r < rows; r++) store<f32>(xin + ((<usize>r * w0 + D) << 2), <f32>load<f64>(t + (<usize>r << 3)));
  let inp = xin, inW = w0, pwt = wt;
  for (let l = 1; l <= K; l++) {
    const o = w(l);
    const a = l < K ? f32p(acts, actOffset(l)) : out;
    if (o < NARROW) narrow(rows, o, inW, inp, f32p(params, weightOffset(l)), a);
    else gemm(rows, o, inW, inp, inW, 1, pwt, o, a, o, false);
    const bias = f32p(params, weightOffset(l) + <u64>o * <u64>inW);
    for (let r = 0; r < rows; r++) add_f32_wasmsimd(o, bias, a + (<usize>(r * o) << 2));
    if (l < K) {
      const z = a + (<usize>r4(<f64>rows * <f64>o) << 2);
      const n = rows * o;
      if (act == ACT_TANH) tanh_f32_wasmsimd(n, a, z);
      else if (act == ACT_RELU) relu_f32_wasmsimd(n, a, z);
      else for (let i = 0; i < n; i++) store<f32>(z + (<usize>i << 2), softplus(load<f32>(a + (<usize>i << 2))));
      inp = z;
    }
    pwt += <usize>r4(<f64>o * <f64>inW) << 2;
    inW = o;
  }
}

/** c[r, n] = a_r · bt_n for narrow outputs (N < 8: the GEMM's tiles would fall back to scalar
 *  code): a [M, K] and bt [N, K] row-major, c [M, N]. Each element is one f32x4 dot product. */
function narrow(M: i32, N: i32, K: i32, a: usize, bt: usize, c: usize): void {
  for (let r = 0; r < M; r++) {
    const ar = a + (<usize>(r * K) << 2), cr = c + (<usize>(r * N) << 2);
    for (let n = 0; n < N; n++) store<f32>(cr + (<usize>n << 2), dot_f32_wasmsimd(K, ar, bt + (<usize>(n * K) << 2)));
  }
}
const NARROW: i32 = 8;

/** PyTorch's softplus (beta 1, threshold 20). */
function softplus(x: f32): f32 {
  return x > 20 ? x : Mathf.log1p(Mathf.exp(x));
}

/** The vector–Jacobian product at the rows of the last mlp_forward: given gOut [rows, D] = ∂L/∂f,
 *  accumulates ∂L/∂θ into grads and writes ∂L/∂y [rows, D] to gy (∂L/∂t is dropped). With perRow
 *  (not 0), each row's own ∂L/∂θ is written to perRow [rows, P] instead (overwritten; grads is not
 *  read): the adjoint method integrates every sequence's parameter adjoint with that sequence's
 *  steps. */
export function mlp_vjp(rows: i32, gOut: usize, grads: usize, gy: usize, perRow: usize = 0, P: i32 = 0): void {
  setRows(rows);
  const w0 = w(0);
  let g = gOut, gW = w(K);
  for (let l = K; l >= 1; l--) {
    const o = w(l), i = w(l - 1);
    const inp = l == 1 ? xin : f32p(acts, actOffset(l - 1)) + (<usize>r4(<f64>rows * <f64>i) << 2);
    const wo = weightOffset(l);
    // dW_l += gᵀ·in (for a narrow input, as (inᵀ·g)ᵀ through dwt: f32x4 over o), db_l += Σ_rows g
    const dst = g == gbuf ? gin : gbuf;
    if (perRow != 0) rowGrads(rows, o, i, g, inp, perRow + (<usize>wo << 2), P);
    else if (i < NARROW) {
      gemm(i, o, rows, inp, 1, i, g, o, dwt, o, false);
      const dw = f32p(grads, wo);
      for (let c = 0; c < i; c++) for (let j = 0; j < o; j++) {
        const p = dw + (<usize>(j * i + c) << 2);
        store<f32>(p, load<f32>(p) + load<f32>(dwt + (<usize>(c * o + j) << 2)));
      }
    } else gemm(o, i, rows, g, 1, o, inp, i, f32p(grads, wo), i, true);
    if (perRow == 0) colsum_f32_wasmsimd(rows, o, g, o, f32p(grads, wo + <u64>o * <u64>i), true);
    // ∂L/∂in = g·W_l
    if (i < NARROW) narrow(rows, i, o, g, f32p(wt, packedOffset(l)), dst);
    else gemm(rows, i, o, g, o, 1, f32p(params, wo), i, dst, i, false);
    if (l > 1) {
      // through the activation of layer l−1
      const a = f32p(acts, actOffset(l - 1)), z = a + (<usize>r4(<f64>rows * <f64>i) << 2);
      const n = rows * i;
      if (act == ACT_TANH) {
        // g ⊙ (1 − z²), f32x4
        const one = f32x4.splat(1);
        let k = 0;
        for (; k + 4 <= n; k += 4) {
          const o4 = <usize>k << 2, zv = v128.load(z + o4);
          v128.store(dst + o4, f32x4.mul(v128.load(dst + o4), f32x4.sub(one, f32x4.mul(zv, zv))));
        }
        for (; k < n; k++) { const zv = load<f32>(z + (<usize>k << 2)), pk = dst + (<usize>k << 2); store<f32>(pk, load<f32>(pk) * (1 - zv * zv)); }
      } else {
        for (let k = 0; k < n; k++) {
          const pk = dst + (<usize>k << 2), av = load<f32>(a + (<usize>k << 2));
          const d: f32 = act == ACT_RELU ? (av > 0 ? 1 : 0) : (av > 20 ? 1 : sigmoid1(av));
          store<f32>(pk, load<f32>(pk) * d);
        }
      }
    }
    g = dst; gW = i;
  }
  copy2d_f32(rows, D, g, w0, gy, D);
  if (cube) for (let k = 0; k < rows * D; k++) { const v = load<f32>(yraw + (<usize>k << 2)), p = gy + (<usize>k << 2); store<f32>(p, load<f32>(p) * (3 * v * v)); }
}

/** Per row r: dW [o, i] = g_r ⊗ in_r and db [o] = g_r, written at dst + r·P floats (dst points at
 *  the layer's W within row 0's block). */
function rowGrads(rows: i32, o: i32, i: i32, g: usize, inp: usize, dst: usize, P: i32): void {
  for (let r = 0; r < rows; r++) {
    const pw = dst + ((<usize>r * <usize>P) << 2), pin = inp + (<usize>(r * i) << 2), pg = g + (<usize>(r * o) << 2);
    for (let j = 0; j < o; j++) {
      const gj = load<f32>(pg + (<usize>j << 2)), gv = f32x4.splat(gj), row = pw + (<usize>(j * i) << 2);
      let c = 0;
      for (; c + 4 <= i; c += 4) v128.store(row + (<usize>c << 2), f32x4.mul(gv, v128.load(pin + (<usize>c << 2))));
      for (; c < i; c++) store<f32>(row + (<usize>c << 2), gj * load<f32>(pin + (<usize>c << 2)));
    }
    memory.copy(pw + (<usize>(o * i) << 2), pg, <usize>o << 2);
  }
}
