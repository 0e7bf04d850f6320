// The adjoint method (gradient "adjoint"): instead of reversing the forward solve's arithmetic,
// solve the augmented system backward in time, interval by interval, as torchdiffeq's
// odeint_adjoint does:
//   dy/dt = f(t, y),   da/dt = −aᵀ ∂f/∂y,   daθ/dt = −aᵀ ∂f/∂θ,
// from t_{S−1} down to t_0 per sequence. At every requested time t_s the state is reset to the
// forward solution y(t_s) (host memory: the states the forward wrote) and that time's incoming
// gradient is added to a; a(t_0) is ∂L/∂h0 and aθ(t_0) the parameter gradient. Nothing of the
// forward solve is kept but its states: memory does not grow with the number of steps.
//
// The state of a sequence is held in two planes of [rows, D] each (y, then a, `stride` floats
// apart), so that f and its VJP run on contiguous rows; aθ is [rows, P], one per sequence.
//
// Fixed-step methods take `substeps` equal steps across every interval, backward, with the same
// tableau; aθ accumulates straight into the gradient block (every step is taken).
// dopri5 restarts every interval as torchdiffeq's odeint call does: f at the interval's start, the
// initial step, then steps controlled per sequence with the forward's rules (control.ts), landing
// exactly on t_{s−1}. The error norm is torchdiffeq's default
// for the adjoint, max(rms(y), rms(a), rms(aθ) per parameter tensor) per sequence ("mixed"), or
// without the parameter terms ("seminorm", Kidger et al. 2021). aθ therefore lives per sequence
// (its current value, its increment, its error estimate and FSAL's stage): 5·B·P floats.

import { mlp_forward, mlp_vjp, mlp_scratch_floats, mlp_param_count } from "./mlp";
import { stagesOf, tableauA, tableauB, tableauC, DP_A, DP_C, DP_E, DP_B_AT } from "./tableaux";
import { axpy_rows, stage_input, rms, error_scale, initial_trial, initial_step, passes, error_ratio, step_factor } from "./control";
import { ERR_MAX_STEPS, ERR_STEP_UNDERFLOW, ODE_DOPRI5 } from "../constants";
import { axpy_f32_wasmsimd, add_f32_wasmsimd } from "../linalg";
import { r4 } from "../common";

let method_: i32 = 0, B_: i32 = 0, S_: i32 = 0, D_: i32 = 0, n_: i32 = 0, P_: i32 = 0, K_: i32 = 0, maxSteps_: i32 = 0;
let perSeq_: bool = false, semi_: bool = false, times_: usize = 0, widths_: usize = 0, rtol_: f64 = 0, atol_: f64 = 0;
let stride: usize = 0; // floats from a plane's y to its a
// full rows: z (y|a planes), k1 (FSAL, dopri5); per row f64: t, next dt, interval end s, attempts,
// needs a start; θ per row: aθ, k1θ
let z_: usize = 0, k1_: usize = 0, rt: usize = 0, rdt: usize = 0, rs: usize = 0, ra: usize = 0, rneed: usize = 0;
let ath: usize = 0, k1th: usize = 0;
// compact rows: ids, stage times, dt, cut flag, start state, stage input, stage values [7 planes
// pairs], −a, scale, θ stage, θ solution, θ error
let idx: usize = 0, tc: usize = 0, dtc: usize = 0, cutc: usize = 0, zc: usize = 0, zi: usize = 0, kk: usize = 0, neg: usize = 0, scl: usize = 0;
let kth: usize = 0, incr: usize = 0, errth: usize = 0;
export let adjFailT: f64 = 0, adjFailDt: f64 = 0, adjSteps: f64 = 0, adjAccepted: f64 = 0, adjRejected: f64 = 0;

/** Floats of workspace the adjoint backward solve needs (independent of the number of steps). */
export function adjoint_workspace_floats(method: i32, nLayers: i32, widths: usize, B: i32, D: i32): f64 {
  const bd = r4(<f64>B * <f64>D), b2 = r4(2 * <f64>B), bp = r4(<f64>B * mlp_param_count(nLayers, widths));
  const dp = method == ODE_DOPRI5, s = <f64>(dp ? 7 : stagesOf(method));
  return 2 * bd /* z */ + (dp ? 2 * bd : 0) /* k1 */ + 5 * b2 + r4(<f64>B) + 3 * b2
    + 2 * bd /* zc */ + 2 * bd /* zi */ + s * 2 * bd + bd /* neg */ + (dp ? 2 * bd : 0) /* scale */
    + (dp ? 5 : 1) * bp + mlp_scratch_floats(nLayers, widths, B);
}

/** Set the backward solve's shape and carve the workspace; returns the MLP scratch pointer. */
export function adjoint_layout(method: i32, B: i32, S: i32, D: i32, substeps: i32, times: usize, perSeq: bool, rtol: f64, atol: f64, maxSteps: i32, seminorm: bool, ws: usize, nLayers: i32, widths: usize): usize {
  method_ = method; B_ = B; S_ = S; D_ = D; n_ = substeps; times_ = times; perSeq_ = perSeq; rtol_ = rtol; atol_ = atol;
  maxSteps_ = maxSteps; semi_ = seminorm; K_ = nLayers; widths_ = widths; P_ = <i32>mlp_param_count(nLayers, widths);
  const bd = <usize>r4(<f64>B * <f64>D), b2 = <usize>r4(2 * <f64>B), bp = <usize>r4(<f64>B * <f64>P_);
  const dp = method == ODE_DOPRI5, s = <usize>(dp ? 7 : stagesOf(method));
  stride = bd;
  let p = ws;
  z_ = p; p += (2 * bd) << 2;
  k1_ = p; if (dp) p += (2 * bd) << 2;
  rt = p; p += b2 << 2; rdt = p; p += b2 << 2; rs = p; p += b2 << 2; ra = p; p += b2 << 2; rneed = p; p += b2 << 2;
  idx = p; p += <usize>r4(<f64>B) << 2;
  tc = p; p += b2 << 2; dtc = p; p += b2 << 2; cutc = p; p += b2 << 2;
  zc = p; p += (2 * bd) << 2; zi = p; p += (2 * bd) << 2; kk = p; p += (s * 2 * bd) << 2; neg = p; p += bd << 2;
  scl = p; if (dp) p += (2 * bd) << 2;
  kth = p; p += bp << 2;
  ath = p; k1th = p; incr = p; errth = p;
  if (dp) { ath = p; p += bp << 2; k1th = p; p += bp << 2; incr = p; p += bp << 2; errth = p; p += bp << 2; }
  return p;
}

// @ts-ignore: decorator
@inline function f64at(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function setf64(p: usize, i: i32, v: f64): void { store<f64>(p + (<usize>i << 3), v); }
// @ts-ignore: decorator
@inline function timeAt(b: i32, s: i32): f64 { return load<f64>(times_ + (<usize>((perSeq_ ? b * S_ : <i32>0) + s) << 3)); }
// @ts-ignore: decorator
@inline function rowOf(r: i32): i32 { return load<i32>(idx + (<usize>r << 2)); }
/** Row r of plane `pl` (0: y, 1: a) of a planar buffer. */
// @ts-ignore: decorator
@inline function at(buf: usize, pl: i32, r: i32): usize { return buf + ((<usize>pl * stride + <usize>(r * D_)) << 2); }
function kAt(i: i32): usize { return kk + ((<usize>i * 2 * stride) << 2); }
// @ts-ignore: decorator
@inline function thRow(buf: usize, r: i32): usize { return buf + ((<usize>r * <usize>P_) << 2); }

/** F(t, [y, a]) for the n rows of the planar `zin`: out's y plane = f(t, y), a plane = −aᵀ∂f/∂y,
 *  and per row −aᵀ∂f/∂θ to kth [n, P]. */
function aug(n: i32, zin: usize, t: usize, out: usize): void {
  mlp_forward(n, zin, t, out);
  const m = n * D_, pa = zin + (stride << 2);
  for (let k = 0; k < m; k++) store<f32>(neg + (<usize>k << 2), -load<f32>(pa + (<usize>k << 2)));
  mlp_vjp(n, neg, 0, out + (stride << 2), kth, P_);
}

/** Stage input i of the n compact rows: to = from + Σ_{j<i} f32(dt_r·a_ij)·k_j, both planes, the
 *  sums in j order (a: lower-triangular tableau, row by row). */
function stageInput(n: i32, i: i32, from: usize, to: usize, A: StaticArray<f64>, dts: usize): void {
  for (let pl = 0; pl < 2; pl++) stage_input(n, D_, i, A, at(from, pl, 0), at(to, pl, 0), at(kk, pl, 0), (2 * stride) << 2, dts);
}

/** dst[r] += f32(coef·dt_r)·src[r] over both planes of the n rows. */
function axpyRows(n: i32, coef: f64, dts: usize, src: usize, dst: usize): void {
  for (let pl = 0; pl < 2; pl++) axpy_rows(n, D_, coef, dts, at(src, pl, 0), at(dst, pl, 0));
}

/** Fixed-step methods: the backward solve. Parameter gradients accumulate into grads; ∂L/∂h0 to
 *  dh0 (if not 0). Returns the number of (batched) augmented evaluations. */
export function adjoint_fixed(states: usize, dstates: usize, grads: usize, dh0: usize): i32 {
  const s = stagesOf(method_), A = tableauA(method_), Bw = tableauB(method_), C = tableauC(method_);
  for (let b = 0; b < B_; b++) store<i32>(idx + (<usize>b << 2), b);
  memory.fill(at(z_, 1, 0), 0, <usize>(B_ * D_) << 2);
  let nfe = 0;
  for (let si = S_ - 1; si >= 1; si--) {
    reset(B_, si, states, dstates, z_, false);
    for (let j = 0; j < n_; j++) {
      for (let b = 0; b < B_; b++) {
        const t1 = timeAt(b, si), dt = (timeAt(b, si - 1) - t1) / <f64>n_;
        setf64(dtc, b, dt); setf64(rt, b, t1 + <f64>j * dt);
      }
      for (let i = 0; i < s; i++) {
        stageInput(B_, i, z_, zi, A, dtc);
        for (let b = 0; b < B_; b++) setf64(tc, b, f64at(rt, b) + unchecked(C[i]) * f64at(dtc, b));
        aug(B_, zi, tc, kAt(i));
        nfe++;
        const bi = unchecked(Bw[i]);
        if (bi != 0) for (let b = 0; b < B_; b++) axpy_f32_wasmsimd(P_, <f32>(bi * f64at(dtc, b)), thRow(kth, b), grads);
      }
      for (let i = 0; i < s; i++) axpyRows(B_, unchecked(Bw[i]), dtc, kAt(i), z_);
    }
  }
  finish(dstates, dh0);
  return nfe;
}

/** For the n compact rows (row ids in idx): y ← states[b, s_b], a ← a + dstates[b, s_b], in the
 *  planar buffer `to` at the compact row (from z_'s full row b). sFromRows: s_b from rs, else `s`. */
function reset(n: i32, s: i32, states: usize, dstates: usize, to: usize, sFromRows: bool): void {
  for (let r = 0; r < n; r++) {
    const b = rowOf(r), sb = sFromRows ? <i32>f64at(rs, b) : s;
    const src = <usize>((b * S_ + sb) * D_) << 2;
    memory.copy(at(to, 0, r), states + src, <usize>D_ << 2);
    const pa = at(to, 1, r);
    memory.copy(pa, at(z_, 1, b), <usize>D_ << 2);
    add_f32_wasmsimd(D_, dstates + src, pa);
  }
}

/** ∂L/∂h0 = a + the incoming gradient at t_0. */
function finish(dstates: usize, dh0: usize): void {
  for (let b = 0; b < B_; b++) add_f32_wasmsimd(D_, dstates + (<usize>(b * S_ * D_) << 2), at(z_, 1, b));
  if (dh0 != 0) for (let b = 0; b < B_; b++) memory.copy(dh0 + (<usize>(b * D_) << 2), at(z_, 1, b), <usize>D_ << 2);
}

/** The state part of a norm of compact row r: max over both planes of rms(num − sub, den). */
function rmsPlanes(r: i32, num: usize, sub: usize, den: usize): f64 {
  return max(rms(D_, at(num, 0, r), sub ? at(sub, 0, r) : 0, at(den, 0, r)), rms(D_, at(num, 1, r), sub ? at(sub, 1, r) : 0, at(den, 1, r)));
}

/** The parameter adjoint's part of the mixed norm: max over f's parameter tensors (each W_l, each
 *  b_l) of the RMS of (num − sub) / (atol + rtol·max(|y0|, |y1|)); sub, y1 may be 0. */
function thetaNorm(num: usize, sub: usize, y0: usize, y1: usize): f64 {
  let best: f64 = 0, off = 0;
  for (let l = 1; l <= K_; l++) {
    const o = load<i32>(widths_ + (<usize>l << 2)), i = load<i32>(widths_ + (<usize>(l - 1) << 2));
    for (let part = 0; part < 2; part++) {
      const len = part == 0 ? o * i : o;
      let acc: f64 = 0;
      for (let k = off; k < off + len; k++) {
        const q = <usize>k << 2;
        let v = <f64>load<f32>(num + q);
        if (sub) v -= <f64>load<f32>(sub + q);
        let m = Math.abs(<f64>load<f32>(y0 + q));
        if (y1) m = max(m, Math.abs(<f64>load<f32>(y1 + q)));
        v = v / (atol_ + rtol_ * m);
        acc += v * v;
      }
      best = max(best, Math.sqrt(acc / <f64>len));
      off += len;
    }
  }
  return best;
}

/** dopri5: the backward solve (see the top of the file). Returns the number of (batched)
 *  augmented evaluations, or ERR_MAX_STEPS / ERR_STEP_UNDERFLOW (adjFailT, adjFailDt say where). */
export function adjoint_dopri5(states: usize, dstates: usize, grads: usize, dh0: usize): i32 {
  memory.fill(at(z_, 1, 0), 0, <usize>(B_ * D_) << 2);
  memory.fill(ath, 0, (<usize>B_ * <usize>P_) << 2);
  for (let b = 0; b < B_; b++) { setf64(rs, b, <f64>(S_ - 1)); setf64(ra, b, 0); setf64(rneed, b, 1); }
  adjSteps = 0; adjAccepted = 0; adjRejected = 0;
  let nfe = 0;
  while (true) {
    // sequences at the start of an interval: reset, f there, the initial step
    let n = 0;
    for (let b = 0; b < B_; b++) if (f64at(rs, b) > 0 && f64at(rneed, b) != 0) { store<i32>(idx + (<usize>n << 2), b); n++; }
    if (n > 0) { nfe += start(n, states, dstates); }
    n = 0;
    for (let b = 0; b < B_; b++) if (f64at(rs, b) > 0) { store<i32>(idx + (<usize>n << 2), b); n++; }
    if (n == 0) break;
    // the step per row, cut to land on t_{s−1}
    for (let r = 0; r < n; r++) {
      const b = rowOf(r), t = f64at(rt, b), next = timeAt(b, <i32>f64at(rs, b) - 1);
      let dt = f64at(rdt, b), cut: f64 = 0;
      if (passes(t, dt, next)) { dt = next - t; cut = 1; }
      if (t + dt == t || !isFinite<f64>(dt)) { adjFailT = t; adjFailDt = dt; return ERR_STEP_UNDERFLOW; }
      const att = f64at(ra, b) + 1;
      setf64(ra, b, att);
      if (att > <f64>maxSteps_) { adjFailT = t; adjFailDt = dt; return ERR_MAX_STEPS; }
      setf64(cutc, r, cut); setf64(dtc, r, dt);
      for (let pl = 0; pl < 2; pl++) {
        memory.copy(at(zc, pl, r), at(z_, pl, b), <usize>D_ << 2);
        memory.copy(at(kAt(0), pl, r), at(k1_, pl, b), <usize>D_ << 2);
      }
      // θ: the solution starts at aθ, the error at 0; stage 1 is FSAL's
      memory.copy(thRow(incr, r), thRow(ath, b), <usize>P_ << 2);
      memory.fill(thRow(errth, r), 0, <usize>P_ << 2);
      axpy_f32_wasmsimd(P_, <f32>(unchecked(DP_A[DP_B_AT]) * dt), thRow(k1th, b), thRow(incr, r));
      axpy_f32_wasmsimd(P_, <f32>(unchecked(DP_E[0]) * dt), thRow(k1th, b), thRow(errth, r));
    }
    adjSteps += <f64>n;
    for (let i = 1; i < 7; i++) {
      stageInput(n, i, zc, zi, DP_A, dtc);
      for (let r = 0; r < n; r++) setf64(tc, r, f64at(rt, rowOf(r)) + unchecked(DP_C[i]) * f64at(dtc, r));
      if (i == 6) for (let r = 0; r < n; r++) if (f64at(cutc, r) != 0) { const b = rowOf(r); setf64(tc, r, timeAt(b, <i32>f64at(rs, b) - 1)); }
      aug(n, zi, tc, kAt(i));
      nfe++;
      const bi = i < 6 ? unchecked(DP_A[DP_B_AT + i]) : 0, ei = unchecked(DP_E[i]);
      for (let r = 0; r < n; r++) {
        const dt = f64at(dtc, r);
        if (bi != 0) axpy_f32_wasmsimd(P_, <f32>(bi * dt), thRow(kth, r), thRow(incr, r));
        if (ei != 0 && !semi_) axpy_f32_wasmsimd(P_, <f32>(ei * dt), thRow(kth, r), thRow(errth, r));
      }
    }
    // zi holds the 5th-order solution (stage 7's input); kth stage 7 (FSAL's next k1)
    for (let r = 0; r < n; r++) {
      const b = rowOf(r), dt = f64at(dtc, r);
      let ratio: f64 = 0;
      for (let pl = 0; pl < 2; pl++) ratio = max(ratio, error_ratio(D_, at(kk, pl, r), (2 * stride) << 2, at(zc, pl, r), at(zi, pl, r), dt, rtol_, atol_));
      if (!semi_) ratio = max(ratio, thetaNorm(thRow(errth, r), 0, thRow(ath, b), thRow(incr, r)));
      const factor = step_factor(ratio);
      if (ratio <= 1) {
        const t = f64at(rt, b), sIdx = <i32>f64at(rs, b), next = timeAt(b, sIdx - 1);
        for (let pl = 0; pl < 2; pl++) {
          memory.copy(at(z_, pl, b), at(zi, pl, r), <usize>D_ << 2);
          memory.copy(at(k1_, pl, b), at(kAt(6), pl, r), <usize>D_ << 2);
        }
        memory.copy(thRow(ath, b), thRow(incr, r), <usize>P_ << 2);
        memory.copy(thRow(k1th, b), thRow(kth, r), <usize>P_ << 2);
        if (f64at(cutc, r) != 0 || t + dt == next) {
          setf64(rs, b, <f64>(sIdx - 1)); setf64(rt, b, next); setf64(rneed, b, 1);
        } else setf64(rt, b, t + dt);
        adjAccepted++;
      } else adjRejected++;
      setf64(rdt, b, dt * factor);
    }
  }
  // every sequence's parameter adjoint into the gradient block, in row order
  for (let b = 0; b < B_; b++) axpy_f32_wasmsimd(P_, 1, thRow(ath, b), grads);
  finish(dstates, dh0);
  return nfe;
}

/** The start of an interval for the n compact rows in idx: reset y to the forward's state and add
 *  the incoming gradient to a; k1 = F there; the first step size (Hairer II.4, order 4, with the
 *  adjoint's norm). Returns the evaluations (2). */
function start(n: i32, states: usize, dstates: usize): i32 {
  reset(n, 0, states, dstates, zc, true);
  for (let r = 0; r < n; r++) {
    const b = rowOf(r);
    setf64(tc, r, timeAt(b, <i32>f64at(rs, b)));
    for (let pl = 0; pl < 2; pl++) memory.copy(at(z_, pl, b), at(zc, pl, r), <usize>D_ << 2);
    setf64(rt, b, f64at(tc, r));
  }
  aug(n, zc, tc, kAt(0));
  for (let r = 0; r < n; r++) {
    const b = rowOf(r);
    for (let pl = 0; pl < 2; pl++) memory.copy(at(k1_, pl, b), at(kAt(0), pl, r), <usize>D_ << 2);
    memory.copy(thRow(k1th, b), thRow(kth, r), <usize>P_ << 2);
  }
  // scale = atol + rtol·|z0|; d0 = ‖z0/scale‖, d1 = ‖f0/scale‖: the trial h0
  for (let pl = 0; pl < 2; pl++) error_scale(n * D_, at(zc, pl, 0), at(scl, pl, 0), rtol_, atol_);
  for (let r = 0; r < n; r++) {
    const b = rowOf(r);
    let d0 = rmsPlanes(r, zc, 0, scl);
    let d1 = rmsPlanes(r, kAt(0), 0, scl);
    if (!semi_) {
      d0 = max(d0, thetaNorm(thRow(ath, b), 0, thRow(ath, b), 0));
      d1 = max(d1, thetaNorm(thRow(k1th, b), 0, thRow(ath, b), 0));
    }
    const h0s = initial_trial(d0, d1);
    const dir: f64 = timeAt(b, <i32>f64at(rs, b) - 1) > f64at(rt, b) ? 1 : -1;
    setf64(rdt, b, h0s); setf64(dtc, r, dir * h0s);
    setf64(cutc, r, d1); // kept for the step below (cutc is free until the attempts)
    setf64(tc, r, f64at(rt, b) + dir * h0s);
  }
  // f1 = F(t0 + h0, z0 + h0·f0); ‖(f1 − f0)/scale‖: the step
  stageInput(n, 0, zc, zi, DP_A, dtc);
  axpyRows(n, 1, dtc, kAt(0), zi);
  aug(n, zi, tc, kAt(1));
  for (let r = 0; r < n; r++) {
    const b = rowOf(r);
    let df = rmsPlanes(r, kAt(1), kAt(0), scl);
    if (!semi_) df = max(df, thetaNorm(thRow(kth, r), thRow(k1th, b), thRow(ath, b), 0));
    const dir: f64 = timeAt(b, <i32>f64at(rs, b) - 1) > f64at(rt, b) ? 1 : -1;
    setf64(rdt, b, dir * initial_step(f64at(rdt, b), f64at(cutc, r), df));
    setf64(rneed, b, 0);
  }
  return 2;
}
