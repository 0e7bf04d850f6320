// The adjoint method (gradient "adjoint"): instead of reversing the forward solve's arithmetic,
// solve the augmented system backward in time, interval by interval, as torchdiffeq's
// odeint_adjoint does:
//   dy/dt = f(t, y),   da/dt = −aᵀ ∂f/∂y,   daθ/dt = −aᵀ ∂f/∂θ,
// from t_{S−1} down to t_0 per sequence. At every requested time t_s the state is reset to the
// forward solution y(t_s) (host memory: the states the forward wrote) and that time's incoming
// gradient is added to a; a(t_0) is ∂L/∂h0 and aθ(t_0) the parameter gradient. Nothing of the
// forward solve is kept but its states: memory does not grow with the number of steps.
//
// The state of a sequence is held in two planes of [rows, D] each (y, then a, `plane` bytes
// apart), so that f and its VJP run on contiguous rows; aθ is [rows, P], one per sequence.
//
// Fixed-step methods take `substeps` equal steps across every interval, backward, with the same
// tableau; aθ accumulates straight into the gradient block (every step is taken).
// dopri5 restarts every interval as torchdiffeq's odeint call does: f at the interval's start, the
// initial step, then steps controlled per sequence with the forward's rules (control.ts), landing
// exactly on t_{s−1}. The error norm is torchdiffeq's default for the adjoint, max(rms(y), rms(a),
// rms(aθ) per parameter tensor) per sequence ("mixed"), or without the parameter terms
// ("seminorm", Kidger et al. 2021). aθ therefore lives per sequence (its current value, its
// increment, its error estimate and FSAL's stage): 5·B·P floats.

import { mlp_forward, mlp_vjp, mlp_layout, mlp_param_count, Mlp } from "./mlp";
import { stagesOf, tableauA, tableauB, tableauC, DP_A, DP_C, DP_E, DP_B_AT } from "./tableaux";
import { axpy_rows, stage_input, rms, error_scale, initial_trial, initial_step, passes, error_ratio,
  step_factor } from "./control";
import { Problem, time_at } from "./problem";
import { ERR_MAX_STEPS, ERR_STEP_UNDERFLOW, ODE_DOPRI5 } from "../constants";
import { axpy_f32_wasmsimd, add_f32_wasmsimd } from "../linalg";
import { f, r4 } from "../common";

/** Where the adjoint's backward solve keeps what (adjoint_layout), in the workspace. "Planar"
 *  regions hold a y plane and an a plane, `plane` bytes apart; "full" ones a row per sequence,
 *  "compact" ones a row per sequence of the current attempt, in idx order. */
@unmanaged export class Adjoint {
  /** Bytes from a planar region's y plane to its a plane: r4(B·D) floats. */
  plane: usize;
  /** Full, planar: the augmented state z = [y, a]; dopri5: FSAL's k1. */
  z: usize;
  k1: usize;
  /** Per row, f64 [B]: t, the next step size, the interval's end s (the index of the requested
   *  time it started from), attempts, needs a start (dopri5). */
  t: usize;
  dt: usize;
  s: usize;
  att: usize;
  need: usize;
  /** Compact: the rows' ids (i32 [B]); per row, f64 [B]: stage time, step size, cut flag. */
  idx: usize;
  tc: usize;
  dtc: usize;
  cut: usize;
  /** Compact, planar: the step's start, the stage input, the stages (kStride bytes apart). */
  zc: usize;
  zi: usize;
  k: usize;
  kStride: usize;
  /** Compact [B, D]: −a, f's VJP's input; planar: the first step's scale (dopri5). */
  neg: usize;
  scale: usize;
  /** θ per compact row [B, P]: the stage's −aᵀ∂f/∂θ; dopri5: per full row aθ and FSAL's stage,
   *  per compact row the step's solution (aθ + Σ) and error estimate. */
  kth: usize;
  ath: usize;
  k1th: usize;
  incr: usize;
  errth: usize;
  /** f's scratch (mlp_layout). */
  net: usize;
}

/** The workspace of the adjoint's backward solve of B rows of D floats at `at`, f of K layers of
 *  these widths (independent of the number of steps): fills L's regions (if not null) and returns
 *  the floats (f64, exact, also past 4 GiB). */
export function adjoint_layout(L: Adjoint | null, at: usize, method: i32, B: i32, D: i32, nLayers: i32,
  widths: usize): f64 {
  const bd = r4(<f64>B * <f64>D), b2 = r4(2 * <f64>B), bp = r4(<f64>B * mlp_param_count(nLayers, widths));
  const dp = method == ODE_DOPRI5, s = <f64>(dp ? 7 : stagesOf(method));
  let o: f64 = 0;
  if (L) {
    L.plane = <usize>bd << 2;
    L.z = f(at, <usize>o);
  }
  o += 2 * bd;
  if (L) L.k1 = dp ? f(at, <usize>o) : 0;
  if (dp) o += 2 * bd;
  if (L) L.t = f(at, <usize>o);
  o += b2;
  if (L) L.dt = f(at, <usize>o);
  o += b2;
  if (L) L.s = f(at, <usize>o);
  o += b2;
  if (L) L.att = f(at, <usize>o);
  o += b2;
  if (L) L.need = f(at, <usize>o);
  o += b2;
  if (L) L.idx = f(at, <usize>o);
  o += r4(<f64>B);
  if (L) L.tc = f(at, <usize>o);
  o += b2;
  if (L) L.dtc = f(at, <usize>o);
  o += b2;
  if (L) L.cut = f(at, <usize>o);
  o += b2;
  if (L) L.zc = f(at, <usize>o);
  o += 2 * bd;
  if (L) L.zi = f(at, <usize>o);
  o += 2 * bd;
  if (L) {
    L.k = f(at, <usize>o);
    L.kStride = <usize>(2 * bd) << 2;
  }
  o += s * 2 * bd;
  if (L) L.neg = f(at, <usize>o);
  o += bd;
  if (L) L.scale = dp ? f(at, <usize>o) : 0;
  if (dp) o += 2 * bd;
  if (L) L.kth = f(at, <usize>o);
  o += bp;
  if (dp) {
    if (L) L.ath = f(at, <usize>o);
    o += bp;
    if (L) L.k1th = f(at, <usize>o);
    o += bp;
    if (L) L.incr = f(at, <usize>o);
    o += bp;
    if (L) L.errth = f(at, <usize>o);
    o += bp;
  } else if (L) {
    L.ath = 0;
    L.k1th = 0;
    L.incr = 0;
    L.errth = 0;
  } // fixed steps: aθ goes straight into the gradients
  if (L) L.net = f(at, <usize>o);
  return o + mlp_layout(null, 0, nLayers, widths, B);
}

// @ts-ignore: decorator
@inline function f64at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function setf64(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}
// @ts-ignore: decorator
@inline function rowOf(L: Adjoint, r: i32): i32 {
  return load<i32>(L.idx + (<usize>r << 2));
}
/** Row r of plane pl (0: y, 1: a) of a planar region. */
// @ts-ignore: decorator
@inline function at(L: Adjoint, D: i32, buf: usize, pl: i32, r: i32): usize {
  return buf + <usize>pl * L.plane + (<usize>(r * D) << 2);
}
/** Row r of a θ region [rows, P]. */
// @ts-ignore: decorator
@inline function thRow(net: Mlp, buf: usize, r: i32): usize {
  return buf + ((<usize>r * <usize>net.P) << 2);
}

/** F(t, [y, a]) for the n rows of the planar `zin`: out's y plane = f(t, y), a plane = −aᵀ∂f/∂y,
 *  and per row −aᵀ∂f/∂θ to L.kth [n, P]. */
function aug(p: Problem, net: Mlp, L: Adjoint, n: i32, zin: usize, t: usize, out: usize): void {
  mlp_forward(net, net.home, n, zin, t, out);
  const m = n * p.D, pa = zin + L.plane, neg = L.neg;
  for (let k = 0; k < m; k++) store<f32>(neg + (<usize>k << 2), -load<f32>(pa + (<usize>k << 2)));
  mlp_vjp(net, net.home, n, neg, 0, out + L.plane, L.kth);
}

/** Stage input i of the n compact rows, both planes: to = from + Σ_{j<i} f32(dt_r·a_ij)·k_j. */
function stageInput(p: Problem, L: Adjoint, n: i32, i: i32, from: usize, to: usize, a: StaticArray<f64>): void {
  for (let pl = 0; pl < 2; pl++) {
    stage_input(n, p.D, i, a, at(L, p.D, from, pl, 0), at(L, p.D, to, pl, 0), at(L, p.D, L.k, pl, 0), L.kStride, L.dtc);
  }
}

/** dst[r] += f32(coef·dt_r)·src[r] over both planes of the n rows (dt: L.dtc). */
function axpyPlanes(p: Problem, L: Adjoint, n: i32, coef: f64, src: usize, dst: usize): void {
  for (let pl = 0; pl < 2; pl++) axpy_rows(n, p.D, coef, L.dtc, at(L, p.D, src, pl, 0), at(L, p.D, dst, pl, 0));
}

/** Fixed-step methods: the backward solve. Parameter gradients accumulate into grads; ∂L/∂h0 to
 *  dh0 (if not 0); the counts (augmented evaluations, batched) to stats. */
export function adjoint_fixed(p: Problem, net: Mlp, L: Adjoint, states: usize, dstates: usize, grads: usize, dh0: usize,
  stats: usize): void {
  const method = p.method, B = p.B, S = p.S, D = p.D, n = p.substeps, P = net.P;
  const s = stagesOf(method), A = tableauA(method), Bw = tableauB(method), C = tableauC(method);
  const rt = L.t, dtc = L.dtc, tc = L.tc;
  for (let b = 0; b < B; b++) store<i32>(L.idx + (<usize>b << 2), b);
  memory.fill(at(L, D, L.z, 1, 0), 0, <usize>(B * D) << 2);
  let nfe = 0;
  for (let si = S - 1; si >= 1; si--) {
    reset(p, L, B, si, states, dstates, L.z, false);
    for (let j = 0; j < n; j++) {
      for (let b = 0; b < B; b++) {
        const t1 = time_at(p, b, si), dt = (time_at(p, b, si - 1) - t1) / <f64>n;
        setf64(dtc, b, dt);
        setf64(rt, b, t1 + <f64>j * dt);
      }
      for (let i = 0; i < s; i++) {
        stageInput(p, L, B, i, L.z, L.zi, A);
        for (let b = 0; b < B; b++) setf64(tc, b, f64at(rt, b) + unchecked(C[i]) * f64at(dtc, b));
        aug(p, net, L, B, L.zi, tc, L.k + <usize>i * L.kStride);
        nfe++;
        const bi = unchecked(Bw[i]);
        if (bi != 0) {
          for (let b = 0; b < B; b++) axpy_f32_wasmsimd(P, <f32>(bi * f64at(dtc, b)), thRow(net, L.kth, b), grads);
        }
      }
      for (let i = 0; i < s; i++) axpyPlanes(p, L, B, unchecked(Bw[i]), L.k + <usize>i * L.kStride, L.z);
    }
  }
  finish(p, L, dstates, dh0);
  const steps = <f64>B * (<f64>S - 1) * <f64>n;
  store<f64>(stats, <f64>nfe);
  store<f64>(stats + 8, steps);
  store<f64>(stats + 16, steps);
  store<f64>(stats + 24, 0);
}

/** For the n compact rows (row ids in idx): y ← states[b, s_b], a ← a + dstates[b, s_b], in the
 *  planar region `to` at the compact row (a from L.z's full row b). sFromRows: s_b from L.s, else
 *  `s`. */
function reset(p: Problem, L: Adjoint, n: i32, s: i32, states: usize, dstates: usize, to: usize,
  sFromRows: bool): void {
  const S = p.S, D = p.D;
  for (let r = 0; r < n; r++) {
    const b = rowOf(L, r), sb = sFromRows ? <i32>f64at(L.s, b) : s;
    const src = <usize>((b * S + sb) * D) << 2;
    memory.copy(at(L, D, to, 0, r), states + src, <usize>D << 2);
    const pa = at(L, D, to, 1, r);
    memory.copy(pa, at(L, D, L.z, 1, b), <usize>D << 2);
    add_f32_wasmsimd(D, dstates + src, pa);
  }
}

/** ∂L/∂h0 = a + the incoming gradient at t_0. */
function finish(p: Problem, L: Adjoint, dstates: usize, dh0: usize): void {
  const B = p.B, S = p.S, D = p.D;
  for (let b = 0; b < B; b++) add_f32_wasmsimd(D, dstates + (<usize>(b * S * D) << 2), at(L, D, L.z, 1, b));
  if (dh0 != 0) {
    for (let b = 0; b < B; b++) memory.copy(dh0 + (<usize>(b * D) << 2), at(L, D, L.z, 1, b), <usize>D << 2);
  }
}

/** The parameter adjoint's part of the mixed norm: max over f's parameter tensors (each W_l, each
 *  b_l) of the RMS of (num − sub) / (atol + rtol·max(|y0|, |y1|)); sub, y1 may be 0. */
function thetaNorm(p: Problem, net: Mlp, num: usize, sub: usize, y0: usize, y1: usize): f64 {
  const rtol = p.rtol, atol = p.atol, widths = net.widths;
  let best: f64 = 0, off = 0;
  for (let l = 1; l <= net.K; l++) {
    const o = load<i32>(widths + (<usize>l << 2)), i = load<i32>(widths + (<usize>(l - 1) << 2));
    for (let part = 0; part < 2; part++) {
      const len = part == 0 ? o * i : o;
      let acc: f64 = 0;
      for (let k = off; k < off + len; k++) {
        const q = <usize>k << 2;
        let v = <f64>load<f32>(num + q);
        if (sub) v -= <f64>load<f32>(sub + q);
        let m = Math.abs(<f64>load<f32>(y0 + q));
        if (y1) m = max(m, Math.abs(<f64>load<f32>(y1 + q)));
        v = v / (atol + rtol * m);
        acc += v * v;
      }
      best = max(best, Math.sqrt(acc / <f64>len));
      off += len;
    }
  }
  return best;
}

/** The state part of a norm of compact row r: max over both planes of rms(num − sub, den). */
function rmsPlanes(p: Problem, L: Adjoint, r: i32, num: usize, sub: usize, den: usize): f64 {
  const D = p.D;
  return max(rms(D, at(L, D, num, 0, r), sub ? at(L, D, sub, 0, r) : 0, at(L, D, den, 0, r)),
    rms(D, at(L, D, num, 1, r), sub ? at(L, D, sub, 1, r) : 0, at(L, D, den, 1, r)));
}

/** dopri5: the backward solve (see the top of the file). Returns the number of (batched)
 *  augmented evaluations with the counts in stats, or ERR_MAX_STEPS / ERR_STEP_UNDERFLOW with t and
 *  the step size in stats[0], stats[1] (no gradient is then added). */
export function adjoint_dopri5(p: Problem, net: Mlp, L: Adjoint, states: usize, dstates: usize, grads: usize,
  dh0: usize, stats: usize): i32 {
  const B = p.B, S = p.S, D = p.D, P = net.P, maxSteps = p.maxSteps, rtol = p.rtol, atol = p.atol, semi = p.semi;
  const rt = L.t, rdt = L.dt, rs = L.s, ra = L.att, rneed = L.need, dtc = L.dtc, tc = L.tc, cutc = L.cut, k = L.k,
    ks = L.kStride;
  memory.fill(at(L, D, L.z, 1, 0), 0, <usize>(B * D) << 2);
  memory.fill(L.ath, 0, (<usize>B * <usize>P) << 2);
  for (let b = 0; b < B; b++) {
    setf64(rs, b, <f64>(S - 1));
    setf64(ra, b, 0);
    setf64(rneed, b, 1);
  }
  let steps: f64 = 0, accepted: f64 = 0, rejected: f64 = 0;
  let nfe = 0;
  while (true) {
    // sequences at the start of an interval: reset, f there, the initial step
    let n = 0;
    for (let b = 0; b < B; b++) {
      if (f64at(rs, b) > 0 && f64at(rneed, b) != 0) {
        store<i32>(L.idx + (<usize>n << 2), b);
        n++;
      }
    }
    if (n > 0) nfe += start(p, net, L, n, states, dstates);
    n = 0;
    for (let b = 0; b < B; b++) {
      if (f64at(rs, b) > 0) {
        store<i32>(L.idx + (<usize>n << 2), b);
        n++;
      }
    }
    if (n == 0) break;
    // the step per row, cut to land on t_{s−1}
    for (let r = 0; r < n; r++) {
      const b = rowOf(L, r), t = f64at(rt, b), next = time_at(p, b, <i32>f64at(rs, b) - 1);
      let dt = f64at(rdt, b), cut: f64 = 0;
      if (passes(t, dt, next)) {
        dt = next - t;
        cut = 1;
      }
      if (t + dt == t || !isFinite<f64>(dt)) {
        store<f64>(stats, t);
        store<f64>(stats + 8, dt);
        return ERR_STEP_UNDERFLOW;
      }
      const att = f64at(ra, b) + 1;
      setf64(ra, b, att);
      if (att > <f64>maxSteps) {
        store<f64>(stats, t);
        store<f64>(stats + 8, dt);
        return ERR_MAX_STEPS;
      }
      setf64(cutc, r, cut);
      setf64(dtc, r, dt);
      for (let pl = 0; pl < 2; pl++) {
        memory.copy(at(L, D, L.zc, pl, r), at(L, D, L.z, pl, b), <usize>D << 2);
        memory.copy(at(L, D, k, pl, r), at(L, D, L.k1, pl, b), <usize>D << 2);
      }
      // θ: the solution starts at aθ, the error at 0; stage 1 is FSAL's
      memory.copy(thRow(net, L.incr, r), thRow(net, L.ath, b), <usize>P << 2);
      memory.fill(thRow(net, L.errth, r), 0, <usize>P << 2);
      axpy_f32_wasmsimd(P, <f32>(unchecked(DP_A[DP_B_AT]) * dt), thRow(net, L.k1th, b), thRow(net, L.incr, r));
      axpy_f32_wasmsimd(P, <f32>(unchecked(DP_E[0]) * dt), thRow(net, L.k1th, b), thRow(net, L.errth, r));
    }
    steps += <f64>n;
    for (let i = 1; i < 7; i++) {
      stageInput(p, L, n, i, L.zc, L.zi, DP_A);
      for (let r = 0; r < n; r++) setf64(tc, r, f64at(rt, rowOf(L, r)) + unchecked(DP_C[i]) * f64at(dtc, r));
      if (i == 6) {
        for (let r = 0; r < n; r++) {
          if (f64at(cutc, r) != 0) {
            const b = rowOf(L, r);
            setf64(tc, r, time_at(p, b, <i32>f64at(rs, b) - 1));
          }
        }
      }
      aug(p, net, L, n, L.zi, tc, k + <usize>i * ks);
      nfe++;
      const bi = i < 6 ? unchecked(DP_A[DP_B_AT + i]) : 0, ei = unchecked(DP_E[i]);
      for (let r = 0; r < n; r++) {
        const dt = f64at(dtc, r);
        if (bi != 0) axpy_f32_wasmsimd(P, <f32>(bi * dt), thRow(net, L.kth, r), thRow(net, L.incr, r));
        if (ei != 0 && !semi) axpy_f32_wasmsimd(P, <f32>(ei * dt), thRow(net, L.kth, r), thRow(net, L.errth, r));
      }
    }
    // zi holds the 5th-order solution (stage 7's input); kth stage 7 (FSAL's next k1)
    for (let r = 0; r < n; r++) {
      const b = rowOf(L, r), dt = f64at(dtc, r);
      let ratio: f64 = 0;
      for (let pl = 0; pl < 2; pl++) {
        ratio = max(ratio,
          error_ratio(D, at(L, D, k, pl, r), ks, at(L, D, L.zc, pl, r), at(L, D, L.zi, pl, r), dt, rtol, atol));
      }
      if (!semi) {
        ratio = max(ratio, thetaNorm(p, net, thRow(net, L.errth, r), 0, thRow(net, L.ath, b), thRow(net, L.incr, r)));
      }
      const factor = step_factor(ratio);
      if (ratio <= 1) {
        const t = f64at(rt, b), sIdx = <i32>f64at(rs, b), next = time_at(p, b, sIdx - 1);
        for (let pl = 0; pl < 2; pl++) {
          memory.copy(at(L, D, L.z, pl, b), at(L, D, L.zi, pl, r), <usize>D << 2);
          memory.copy(at(L, D, L.k1, pl, b), at(L, D, k + 6 * ks, pl, r), <usize>D << 2);
        }
        memory.copy(thRow(net, L.ath, b), thRow(net, L.incr, r), <usize>P << 2);
        memory.copy(thRow(net, L.k1th, b), thRow(net, L.kth, r), <usize>P << 2);
        if (f64at(cutc, r) != 0 || t + dt == next) {
          setf64(rs, b, <f64>(sIdx - 1));
          setf64(rt, b, next);
          setf64(rneed, b, 1);
        } else setf64(rt, b, t + dt);
        accepted++;
      } else rejected++;
      setf64(rdt, b, dt * factor);
    }
  }
  // every sequence's parameter adjoint into the gradient block, in row order
  for (let b = 0; b < B; b++) axpy_f32_wasmsimd(P, 1, thRow(net, L.ath, b), grads);
  finish(p, L, dstates, dh0);
  store<f64>(stats, <f64>nfe);
  store<f64>(stats + 8, steps);
  store<f64>(stats + 16, accepted);
  store<f64>(stats + 24, rejected);
  return nfe;
}

/** The start of an interval for the n compact rows in idx: reset y to the forward's state and add
 *  the incoming gradient to a; k1 = F there; the first step size (with the adjoint's norm).
 *  Returns the evaluations (2). */
function start(p: Problem, net: Mlp, L: Adjoint, n: i32, states: usize, dstates: usize): i32 {
  const D = p.D, P = net.P, semi = p.semi, rt = L.t, rdt = L.dt, rs = L.s, tc = L.tc, dtc = L.dtc, k = L.k,
    ks = L.kStride;
  reset(p, L, n, 0, states, dstates, L.zc, true);
  for (let r = 0; r < n; r++) {
    const b = rowOf(L, r);
    setf64(tc, r, time_at(p, b, <i32>f64at(rs, b)));
    for (let pl = 0; pl < 2; pl++) memory.copy(at(L, D, L.z, pl, b), at(L, D, L.zc, pl, r), <usize>D << 2);
    setf64(rt, b, f64at(tc, r));
  }
  aug(p, net, L, n, L.zc, tc, k);
  for (let r = 0; r < n; r++) {
    const b = rowOf(L, r);
    for (let pl = 0; pl < 2; pl++) memory.copy(at(L, D, L.k1, pl, b), at(L, D, k, pl, r), <usize>D << 2);
    memory.copy(thRow(net, L.k1th, b), thRow(net, L.kth, r), <usize>P << 2);
  }
  // scale = atol + rtol·|z0|; d0 = ‖z0/scale‖, d1 = ‖f0/scale‖: the trial h0
  for (let pl = 0; pl < 2; pl++) error_scale(n * D, at(L, D, L.zc, pl, 0), at(L, D, L.scale, pl, 0), p.rtol, p.atol);
  for (let r = 0; r < n; r++) {
    const b = rowOf(L, r);
    let d0 = rmsPlanes(p, L, r, L.zc, 0, L.scale);
    let d1 = rmsPlanes(p, L, r, k, 0, L.scale);
    if (!semi) {
      d0 = max(d0, thetaNorm(p, net, thRow(net, L.ath, b), 0, thRow(net, L.ath, b), 0));
      d1 = max(d1, thetaNorm(p, net, thRow(net, L.k1th, b), 0, thRow(net, L.ath, b), 0));
    }
    const h0s = initial_trial(d0, d1);
    const dir: f64 = time_at(p, b, <i32>f64at(rs, b) - 1) > f64at(rt, b) ? 1 : -1;
    setf64(rdt, b, h0s);
    setf64(dtc, r, dir * h0s);
    setf64(L.cut, r, d1); // kept for the step below (cut is free until the attempts)
    setf64(tc, r, f64at(rt, b) + dir * h0s);
  }
  // f1 = F(t0 + h0, z0 + h0·f0); ‖(f1 − f0)/scale‖: the step
  stageInput(p, L, n, 0, L.zc, L.zi, DP_A);
  axpyPlanes(p, L, n, 1, k, L.zi);
  aug(p, net, L, n, L.zi, tc, k + ks);
  for (let r = 0; r < n; r++) {
    const b = rowOf(L, r);
    let df = rmsPlanes(p, L, r, k + ks, k, L.scale);
    if (!semi) df = max(df, thetaNorm(p, net, thRow(net, L.kth, r), thRow(net, L.k1th, b), thRow(net, L.ath, b), 0));
    const dir: f64 = time_at(p, b, <i32>f64at(rs, b) - 1) > f64at(rt, b) ? 1 : -1;
    setf64(rdt, b, dir * initial_step(f64at(rdt, b), f64at(L.cut, r), df));
    setf64(L.need, b, 0);
  }
  return 2;
}
