// The vector field f_θ of a Neural ODE: an MLP nn.Sequential(Linear, Act, ..., Linear) evaluated
// for a whole batch of states with the GEMM kernels, and its vector–Jacobian product.
//
// Widths w[0..K]: w[0] = D + M (M input channels, u after h; +1 when f sees the time, t last),
// w[K] = D. The solver points the Mlp at the rows of u that hold over the current interval
// (mlp_inputs); f's input row is [h, u, t]. Parameters in PyTorch
// order: W_1 [w1, w0], b_1 [w1], W_2 [w2, w1], ... (net.0, net.2, ...: the activations count as
// modules). Gradients accumulate into a block of the same layout.
//
// Scratch (f32, mlp_layout; every region rounded up to 4 floats): every Wᵀ packed once per solve
// (mlp_setup); g, gin [rows, maxW] for the backward sweep; dwt [max w_{l−1}·w_l] for a narrow
// layer's weight gradient; then one evaluation's activations (mlp_act_floats), which a solver may
// keep elsewhere instead (a stage's own region, for its backward): x [rows, w0] the input; per
// layer l < K: a_l, the pre-activations, and z_l = act(a_l), each [rows, w_l]; yraw [rows, D], h
// itself when the input map is the cube (x = h³, so ∂x/∂h = 3h²).

import { gemm_f32_4x8_wasmsimd as gemm, transpose_f32, colsum_f32_wasmsimd, copy2d_f32, dot_f32_wasmsimd,
  add_f32_wasmsimd } from "../linalg";
import { tanh_f32_wasmsimd, relu_f32_wasmsimd, sigmoid1 } from "../nn/activations";
import { ACT_TANH, ACT_RELU } from "../constants";
import { f, r4 } from "../common";

/** f's network for one solve: its shape, its parameters and where its scratch is (mlp_layout,
 *  mlp_setup). Kept in the workspace's header (pass.ts). */
@unmanaged export class Mlp {
  /** Linear layers (1..64) and their widths w [K + 1] (i32). */
  K: i32;
  widths: usize;
  /** The state width D = w[K]. */
  D: i32;
  /** The rows the scratch is sized for (the batch B; an evaluation may take fewer). */
  rows: i32;
  /** ACT_* between the Linear layers; f sees t (its last input column); f's input is h³. */
  act: i32;
  timeIn: bool;
  cube: bool;
  /** Input channels M (0: none); the current inputs of row r at u + r·uStride floats, [M]. */
  M: i32;
  u: usize;
  uStride: i32;
  /** The parameters [P] (PyTorch's order, above). */
  params: usize;
  P: i32;
  /** Every W_lᵀ [w_{l−1}, w_l], one after the other (r4(w_l·w_{l−1}) floats each). */
  packed: usize;
  /** The backward sweep's gradients, [rows, maxW] each, used in turn. */
  g: usize;
  gin: usize;
  /** A narrow layer's weight gradient before it is added transposed, [max w_{l−1}·w_l]. */
  dwt: usize;
  /** One evaluation's activations (mlp_act_floats floats): where a solver that keeps them nowhere
   *  else lets them go. */
  home: usize;
}

// @ts-ignore: decorator
@inline function width(widths: usize, l: i32): i32 {
  return load<i32>(widths + (<usize>l << 2));
}

/** Parameters of the MLP (floats). */
export function mlp_param_count(nLayers: i32, widths: usize): f64 {
  let n: f64 = 0;
  for (let l = 1; l <= nLayers; l++) {
    const a = <f64>width(widths, l), b = <f64>width(widths, l - 1);
    n += a * b + a;
  }
  return n;
}

/** Floats of one evaluation's activations for `rows` rows: f's input, every hidden layer's pre-
 *  and post-activation, and h itself (kept for the cube map's derivative). */
export function mlp_act_floats(nLayers: i32, widths: usize, rows: i32): f64 {
  let n = r4(<f64>rows * <f64>width(widths, 0)) + r4(<f64>rows * <f64>width(widths, nLayers));
  for (let l = 1; l < nLayers; l++) n += 2 * r4(<f64>rows * <f64>width(widths, l));
  return n;
}

/** The scratch of K layers of these widths for `rows` rows, at `at`: fills the shape and the
 *  regions of `net` (if not null) and returns the floats (f64, exact, also past 4 GiB). */
export function mlp_layout(net: Mlp | null, at: usize, nLayers: i32, widths: usize, rows: i32): f64 {
  let packed: f64 = 0, mw: f64 = 0, mwt: f64 = 0;
  for (let l = 0; l <= nLayers; l++) {
    const wl = <f64>width(widths, l);
    mw = max(mw, wl);
    if (l >= 1) {
      const prod = wl * <f64>width(widths, l - 1);
      packed += r4(prod);
      mwt = max(mwt, prod);
    }
  }
  const g = r4(<f64>rows * mw);
  if (net) {
    net.K = nLayers;
    net.widths = widths;
    net.D = width(widths, nLayers);
    net.rows = rows;
    net.P = <i32>mlp_param_count(nLayers, widths);
    net.packed = at;
    net.g = f(at, <usize>packed);
    net.gin = f(net.g, <usize>g);
    net.dwt = f(net.gin, <usize>g);
    net.home = f(net.dwt, <usize>r4(mwt));
  }
  return packed + 2 * g + r4(mwt) + mlp_act_floats(nLayers, widths, rows);
}

/** Set f's parameters and options for one solve and pack every Wᵀ into the scratch (after
 *  mlp_layout). */
export function mlp_setup(net: Mlp, params: usize, act: i32, timeIn: bool, cube: bool): void {
  net.params = params;
  net.act = act;
  net.timeIn = timeIn;
  net.cube = cube;
  net.M = width(net.widths, 0) - net.D - (timeIn ? 1 : 0);
  net.u = 0;
  net.uStride = 0;
  const K = net.K, widths = net.widths;
  let po: usize = 0, pk = net.packed;
  for (let l = 1; l <= K; l++) {
    const o = width(widths, l), i = width(widths, l - 1);
    transpose_f32(o, i, f(params, po), i, pk, o);
    po += <usize>o * <usize>i + <usize>o;
    pk = f(pk, <usize>r4(<f64>o * <f64>i));
  }
}

/** The inputs held over interval s of a problem's inputs u [B, S − 1, M] (problem.ts): row r of
 *  the next evaluations reads u[first + r, s]. */
export function mlp_inputs(net: Mlp, u: usize, S: i32, s: i32, first: i32): void {
  const M = net.M;
  net.uStride = (S - 1) * M;
  net.u = u + ((<usize>first * <usize>net.uStride + <usize>s * <usize>M) << 2);
}

/** Where the activations at `acts` keep h for the cube map's derivative (after the input and the
 *  hidden layers, sized for net.rows rows). */
function yraw_at(net: Mlp, acts: usize): usize {
  let o = <usize>r4(<f64>net.rows * <f64>width(net.widths, 0));
  for (let l = 1; l < net.K; l++) o += 2 * <usize>r4(<f64>net.rows * <f64>width(net.widths, l));
  return f(acts, o);
}

/** out [rows, D] = f(t_r, y_r) for the rows r of y [rows, D]; t: f64 per row (read only with time
 *  input). Keeps the activations at `acts` (net.home, or a region of mlp_act_floats(net.rows)
 *  floats) for mlp_vjp. */
export function mlp_forward(net: Mlp, acts: usize, rows: i32, y: usize, t: usize, out: usize): void {
  const K = net.K, widths = net.widths, D = net.D, act = net.act, params = net.params, w0 = width(widths, 0);
  const xin = acts, hidden = f(acts, <usize>r4(<f64>net.rows * <f64>w0));
  copy2d_f32(rows, D, y, D, xin, w0);
  if (net.cube) {
    memory.copy(yraw_at(net, acts), y, <usize>(rows * D) << 2);
    for (let r = 0; r < rows; r++) {
      for (let d = 0; d < D; d++) {
        const p = xin + (<usize>(r * w0 + d) << 2), v = load<f32>(p);
        store<f32>(p, v * v * v);
      }
    }
  }
  if (net.M > 0) copy2d_f32(rows, net.M, net.u, net.uStride, xin + (<usize>D << 2), w0);
  if (net.timeIn) {
    const tc = <usize>(D + net.M);
    for (let r = 0; r < rows; r++) store<f32>(xin + ((<usize>r * w0 + tc) << 2), <f32>load<f64>(t + (<usize>r << 3)));
  }
  // running offsets: W_l in params, W_lᵀ in packed, a_l in the hidden activations
  let inp = xin, inW = w0, pwt = net.packed, wo: usize = 0, ao: usize = 0;
  for (let l = 1; l <= K; l++) {
    const o = width(widths, l);
    const a = l < K ? f(hidden, ao) : out;
    if (o < NARROW) narrow(rows, o, inW, inp, f(params, wo), a);
    else gemm(rows, o, inW, inp, inW, 1, pwt, o, a, o, false);
    const bias = f(params, wo + <usize>o * <usize>inW);
    for (let r = 0; r < rows; r++) add_f32_wasmsimd(o, bias, a + (<usize>(r * o) << 2));
    if (l < K) {
      const z = f(a, <usize>r4(<f64>rows * <f64>o));
      const n = rows * o;
      if (act == ACT_TANH) tanh_f32_wasmsimd(n, a, z);
      else if (act == ACT_RELU) relu_f32_wasmsimd(n, a, z);
      else for (let i = 0; i < n; i++) store<f32>(z + (<usize>i << 2), softplus(load<f32>(a + (<usize>i << 2))));
      inp = z;
      ao += 2 * <usize>r4(<f64>rows * <f64>o);
    }
    pwt = f(pwt, <usize>r4(<f64>o * <f64>inW));
    wo += <usize>o * <usize>inW + <usize>o;
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

/** The vector–Jacobian product at the rows of the mlp_forward whose activations are at `acts`:
 *  given gOut [rows, D] = ∂L/∂f, accumulates ∂L/∂θ into grads and writes ∂L/∂y [rows, D] to gy
 *  (∂L/∂t is dropped). With perRow (not 0), each row's own ∂L/∂θ is written to perRow [rows, P]
 *  instead (overwritten; grads is not read): the adjoint method integrates every sequence's
 *  parameter adjoint with that sequence's steps. */
export function mlp_vjp(net: Mlp, acts: usize, rows: i32, gOut: usize, grads: usize, gy: usize, perRow: usize): void {
  const K = net.K, widths = net.widths, D = net.D, act = net.act, params = net.params, P = net.P, w0 = width(widths, 0);
  const gbuf = net.g, gin = net.gin, dwt = net.dwt;
  const xin = acts, hidden = f(acts, <usize>r4(<f64>net.rows * <f64>w0));
  // the ends of the offsets mlp_forward ran through (W_l in params, W_lᵀ in packed, a_l), walked
  // back layer by layer
  let wEnd = <usize>P, pEnd: usize = 0, aEnd: usize = 0;
  for (let l = 1; l <= K; l++) {
    const o = width(widths, l);
    pEnd += <usize>r4(<f64>o * <f64>width(widths, l - 1));
    if (l < K) aEnd += 2 * <usize>r4(<f64>rows * <f64>o);
  }
  let g = gOut;
  for (let l = K; l >= 1; l--) {
    const o = width(widths, l), i = width(widths, l - 1);
    const wo = wEnd - (<usize>o * <usize>i + <usize>o);
    wEnd = wo;
    const po = pEnd - <usize>r4(<f64>o * <f64>i);
    pEnd = po;
    if (l > 1) aEnd -= 2 * <usize>r4(<f64>rows * <f64>i); // now a_{l−1}'s offset
    const inp = l == 1 ? xin : f(hidden, aEnd) + (<usize>r4(<f64>rows * <f64>i) << 2);
    // dW_l += gᵀ·in (for a narrow input, as (inᵀ·g)ᵀ through dwt: f32x4 over o), db_l += Σ_rows g
    const dst = g == gbuf ? gin : gbuf;
    if (perRow != 0) rowGrads(rows, o, i, g, inp, perRow + (wo << 2), P);
    else if (i < NARROW) {
      gemm(i, o, rows, inp, 1, i, g, o, dwt, o, false);
      const dw = f(grads, wo);
      for (let c = 0; c < i; c++) {
        for (let j = 0; j < o; j++) {
          const p = dw + (<usize>(j * i + c) << 2);
          store<f32>(p, load<f32>(p) + load<f32>(dwt + (<usize>(c * o + j) << 2)));
        }
      }
    } else gemm(o, i, rows, g, 1, o, inp, i, f(grads, wo), i, true);
    if (perRow == 0) colsum_f32_wasmsimd(rows, o, g, o, f(grads, wo + <usize>o * <usize>i), true);
    // ∂L/∂in = g·W_l
    if (i < NARROW) narrow(rows, i, o, g, f(net.packed, po), dst);
    else gemm(rows, i, o, g, o, 1, f(params, wo), i, dst, i, false);
    if (l > 1) {
      // through the activation of layer l−1
      const a = f(hidden, aEnd), z = a + (<usize>r4(<f64>rows * <f64>i) << 2);
      const n = rows * i;
      if (act == ACT_TANH) {
        // g ⊙ (1 − z²), f32x4
        const one = f32x4.splat(1);
        let k = 0;
        for (; k + 4 <= n; k += 4) {
          const o4 = <usize>k << 2, zv = v128.load(z + o4);
          v128.store(dst + o4, f32x4.mul(v128.load(dst + o4), f32x4.sub(one, f32x4.mul(zv, zv))));
        }
        for (; k < n; k++) {
          const zv = load<f32>(z + (<usize>k << 2)), pk = dst + (<usize>k << 2);
          store<f32>(pk, load<f32>(pk) * (1 - zv * zv));
        }
      } else {
        for (let k = 0; k < n; k++) {
          const pk = dst + (<usize>k << 2), av = load<f32>(a + (<usize>k << 2));
          const d: f32 = act == ACT_RELU ? (av > 0 ? 1 : 0) : (av > 20 ? 1 : sigmoid1(av));
          store<f32>(pk, load<f32>(pk) * d);
        }
      }
    }
    g = dst;
  }
  copy2d_f32(rows, D, g, w0, gy, D);
  if (net.cube) {
    const yraw = yraw_at(net, acts);
    for (let k = 0; k < rows * D; k++) {
      const v = load<f32>(yraw + (<usize>k << 2)), p = gy + (<usize>k << 2);
      store<f32>(p, load<f32>(p) * (3 * v * v));
    }
  }
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
