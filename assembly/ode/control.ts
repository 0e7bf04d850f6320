// What the solvers share: the stage input every explicit Runge–Kutta step forms (rk.ts, dopri5.ts,
// adjoint.ts) and the adaptive step control of the dopri5 forward (dopri5.ts) and the adjoint's
// backward (adjoint.ts), torchdiffeq's rules:
//   - the error ratio of an attempt: the RMS over a row's D entries of err / (atol + rtol·max(|y0|,
//     |y1|)), err = Σ_i dt·e_i·k_i; accepted if ≤ 1;
//   - the next step size: dt·min(10, max(0.9·ratio^(−1/5), 0.2)), no shrinking after an accepted
//     step, ×10 when the ratio is 0;
//   - the first step size: Hairer, Nørsett & Wanner II.4 (order 4), as torchdiffeq's
//     _select_initial_step;
//   - a step that would reach or pass the next requested time is cut to land on it.
// Each is one function here, so that every solver runs the same f32 and f64 operations in the same
// order: the results of a step do not depend on which solver took it.

import { axpy_f32_wasmsimd } from "../linalg";
import { f } from "../common";
import { aij, DP_E } from "./tableaux";

/** dst[r] += f32(coef·dt_r)·src[r] for n rows of D floats, dt: f64 per row. Adds nothing when coef
 *  is 0 (not even 0·∞). */
export function axpy_rows(n: i32, D: i32, coef: f64, dts: usize, src: usize, dst: usize): void {
  if (coef == 0) return;
  for (let r = 0; r < n; r++) {
    const o = <usize>(r * D) << 2;
    axpy_f32_wasmsimd(D, <f32>(coef * load<f64>(dts + (<usize>r << 3))), src + o, dst + o);
  }
}

/** Stage input i (0-based) of n rows of D floats: y = h + Σ_{j<i} f32(dt_r·a_ij)·k_j, the sums in
 *  j order; stage j's values at k + j·kStride bytes; a: lower-triangular (tableaux.ts). */
export function stage_input(n: i32, D: i32, i: i32, a: StaticArray<f64>, h: usize, y: usize, k: usize, kStride: usize,
  dts: usize): void {
  memory.copy(y, h, <usize>(n * D) << 2);
  for (let j = 0; j < i; j++) axpy_rows(n, D, aij(a, i, j), dts, k + <usize>j * kStride, y);
}

/** sqrt(mean_d ((num[d] − sub[d]) / den[d])²) over D floats, in f64; sub may be 0 (none). */
export function rms(D: i32, num: usize, sub: usize, den: usize): f64 {
  let s: f64 = 0;
  for (let d = 0; d < D; d++) {
    const o = <usize>d << 2;
    let v = <f64>load<f32>(num + o);
    if (sub) v -= <f64>load<f32>(sub + o);
    v /= <f64>load<f32>(den + o);
    s += v * v;
  }
  return Math.sqrt(s / <f64>D);
}

/** The scale of the first step's norms over n floats: out = f32(atol + |y|·rtol). */
export function error_scale(n: i32, y: usize, out: usize, rtol: f64, atol: f64): void {
  for (let k = 0; k < n; k++) store<f32>(f(out, k), <f32>(atol + Math.abs(<f64>load<f32>(f(y, k))) * rtol));
}

/** The first step's trial size h0 from d0 = ‖y0/scale‖ and d1 = ‖f0/scale‖. */
export function initial_trial(d0: f64, d1: f64): f64 {
  return d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
}

/** The first step's size (without its direction) from the trial h0, d1 and ‖(f1 − f0)/scale‖
 *  (f1 = f at h0 along f0). */
export function initial_step(h0: f64, d1: f64, df: f64): f64 {
  const d2 = df / h0;
  const h1 = d1 <= 1e-15 && d2 <= 1e-15 ? max(1e-6, h0 * 1e-3) : Math.pow(0.01 / max(d1, d2), 1.0 / 5);
  return min(100 * h0, h1);
}

/** A step of dt from t reaches or passes `next` (then it is cut to next − t). */
// @ts-ignore: decorator
@inline export function passes(t: f64, dt: f64, next: f64): bool {
  return (dt > 0 && t + dt >= next) || (dt < 0 && t + dt <= next);
}

/** The error ratio of a dopri5 attempt over one row of D floats: the RMS of err / (atol + rtol·
 *  max(|y0|, |y1|)), err = Σ_i dt·e_i·k_i (f64; stage i's row at k + i·kStride bytes). */
export function error_ratio(D: i32, k: usize, kStride: usize, y0: usize, y1: usize, dt: f64, rtol: f64,
  atol: f64): f64 {
  let s: f64 = 0;
  for (let d = 0; d < D; d++) {
    const o = <usize>d << 2;
    let e: f64 = 0;
    for (let i = 0; i < 7; i++) e += dt * unchecked(DP_E[i]) * <f64>load<f32>(k + <usize>i * kStride + o);
    const v = e / (atol + rtol * max(Math.abs(<f64>load<f32>(y0 + o)), Math.abs(<f64>load<f32>(y1 + o))));
    s += v * v;
  }
  return Math.sqrt(s / <f64>D);
}

/** The factor of the next step size after an attempt with this error ratio. */
export function step_factor(ratio: f64): f64 {
  if (ratio == 0) return 10;
  if (!isFinite(ratio)) return 0.2; // the trial state overflowed: shrink (a blow-up ends in underflow at its time)
  return min(10.0, max(0.9 / Math.pow(ratio, 0.2), ratio < 1 ? 1.0 : 0.2));
}
