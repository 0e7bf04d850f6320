// Adaptive Dormand–Prince 5(4) with FSAL for a batch, each row with its own time grid and its own
// step-size control (torchdiffeq's rules, per sequence: control.ts). A step that would pass the
// next requested time is cut to land on it exactly (torchdiffeq's step_t); the next dt is computed
// from the cut step.
// Every attempt evaluates the active rows together (rows whose grid is done drop out), so one
// iteration is 6 batched evaluations of f (k1 comes from the last accepted step, FSAL).
// Gradient "backprop": the step sizes are constants (as torchdiffeq computes them under no_grad);
// the solution map of an accepted step is the 6-stage explicit RK whose weights are a's last row,
// and its reverse is taken per row from the stored step starts, recomputing the stages.

import { mlp_forward, mlp_vjp, mlp_layout, mlp_act_floats, Mlp } from "./mlp";
import { DP_A, DP_C, aij } from "./tableaux";
import { axpy_rows, stage_input, rms, error_scale, initial_trial, initial_step, passes, error_ratio,
  step_factor } from "./control";
import { Problem, time_at } from "./problem";
import { ERR_MAX_STEPS, ERR_STEP_UNDERFLOW } from "../constants";
import { add_f32_wasmsimd } from "../linalg";
import { f, r4 } from "../common";

/** Where a dopri5 solve keeps what (dopri5_layout), in the workspace. "Full" regions have a row
 *  per sequence; "compact" ones a row per active sequence of the current attempt, in idx order. */
@unmanaged export class Dopri5 {
  /** Accepted steps per row, f64 [B]. First in the layout, the log right after it (backprop):
   *  ode_steps finds them from the shape alone (dopri5_steps). */
  n: usize;
  /** Backprop: each accepted step's start t and size dt, f64 [B, maxSteps, 2]; its start state,
   *  f32 [B, maxSteps, D]; the requested time it landed on, or −1, f64 [B, maxSteps]. */
  log: usize;
  start: usize;
  land: usize;
  /** Per row, f64 [B]: t, the next step size, the index of the last requested time reached,
   *  attempts. */
  t: usize;
  dt: usize;
  s: usize;
  att: usize;
  /** Full rows [B, D]: the state h and FSAL's k1. */
  h: usize;
  k1: usize;
  /** Compact: the rows' ids (i32 [B]); per row, f64 [B]: stage time, step size, cut flag. */
  idx: usize;
  tc: usize;
  dtc: usize;
  cut: usize;
  /** Compact [B, D]: the start state, the stages k1..k7 (kStride bytes apart), the stage input. */
  hc: usize;
  k: usize;
  kStride: usize;
  y: usize;
  /** f's scratch (mlp_layout). */
  net: usize;
  /** Backprop's backward: ∂y (compact) and ∂h (full), [B, D]; the activations of the 6 recomputed
   *  stages of one step, actBytes apart. */
  gy: usize;
  gh: usize;
  acts: usize;
  actBytes: usize;
}

/** The workspace of a dopri5 solve of B rows of D floats at `at`, f of K layers of these widths:
 *  fills L's regions (if not null) and returns the floats (f64, exact, also past 4 GiB). `store`
 *  (backprop) adds room for maxSteps accepted steps per row and the backward's regions. */
export function dopri5_layout(L: Dopri5 | null, at: usize, B: i32, D: i32, maxSteps: i32, store: bool, nLayers: i32,
  widths: usize): f64 {
  const bd = r4(<f64>B * <f64>D), b2 = r4(2 * <f64>B), fB = <f64>B, m = store ? <f64>maxSteps : 0;
  const net = mlp_layout(null, 0, nLayers, widths, B), act = mlp_act_floats(nLayers, widths, B);
  let o: f64 = 0;
  if (L) L.n = f(at, <usize>o);
  o += b2;
  if (L) L.log = f(at, <usize>o);
  o += r4(4 * fB * m);
  if (L) L.start = f(at, <usize>o);
  o += r4(fB * m * <f64>D);
  if (L) L.land = f(at, <usize>o);
  o += r4(2 * fB * m);
  if (L) L.t = f(at, <usize>o);
  o += b2;
  if (L) L.dt = f(at, <usize>o);
  o += b2;
  if (L) L.s = f(at, <usize>o);
  o += b2;
  if (L) L.att = f(at, <usize>o);
  o += b2;
  if (L) L.h = f(at, <usize>o);
  o += bd;
  if (L) L.k1 = f(at, <usize>o);
  o += bd;
  if (L) L.idx = f(at, <usize>o);
  o += r4(fB);
  if (L) L.tc = f(at, <usize>o);
  o += b2;
  if (L) L.dtc = f(at, <usize>o);
  o += b2;
  if (L) L.cut = f(at, <usize>o);
  o += b2;
  if (L) L.hc = f(at, <usize>o);
  o += bd;
  if (L) {
    L.k = f(at, <usize>o);
    L.kStride = <usize>bd << 2;
  }
  o += 7 * bd;
  if (L) L.y = f(at, <usize>o);
  o += bd;
  if (L) L.net = f(at, <usize>o);
  o += net;
  if (!store) {
    if (L) {
      L.gy = 0;
      L.gh = 0;
      L.acts = 0;
      L.actBytes = 0;
    }
    return o;
  }
  if (L) L.gy = f(at, <usize>o);
  o += bd;
  if (L) L.gh = f(at, <usize>o);
  o += bd;
  if (L) {
    L.acts = f(at, <usize>o);
    L.actBytes = <usize>act << 2;
  }
  return o + 6 * act;
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
@inline function rowOf(L: Dopri5, r: i32): i32 {
  return load<i32>(L.idx + (<usize>r << 2));
}

/** The forward solve: states [B, S, D] from h0 [B, D]; with p.store, the accepted steps kept for
 *  dopri5_backward. Returns the f evaluations with the counts in stats (f64 [4]: evaluations,
 *  attempts, accepted, rejected, summed over the rows), or an error code (ERR_MAX_STEPS,
 *  ERR_STEP_UNDERFLOW) with t and the step size in stats[0], stats[1]. */
export function dopri5_forward(p: Problem, net: Mlp, L: Dopri5, h0: usize, states: usize, stats: usize): i32 {
  const B = p.B, S = p.S, D = p.D, maxSteps = p.maxSteps, rtol = p.rtol, atol = p.atol, store_ = p.store;
  const bd = B * D, h = L.h, k1 = L.k1, k = L.k, ks = L.kStride, hc = L.hc, y = L.y, tc = L.tc, dtc = L.dtc,
    cutc = L.cut;
  const rt = L.t, rdt = L.dt, rs = L.s, rn = L.n, ra = L.att, home = net.home;
  memory.copy(h, h0, <usize>bd << 2);
  for (let b = 0; b < B; b++) {
    memory.copy(states + (<usize>(b * S * D) << 2), h0 + (<usize>(b * D) << 2), <usize>D << 2);
  }
  let nfe = 0, accepted: f64 = 0, rejected: f64 = 0;
  if (S == 1) {
    store<f64>(stats, 0);
    store<f64>(stats + 8, 0);
    store<f64>(stats + 16, 0);
    store<f64>(stats + 24, 0);
    return 0;
  }
  for (let b = 0; b < B; b++) {
    setf64(rt, b, time_at(p, b, 0));
    setf64(rs, b, 0);
    setf64(rn, b, 0);
    setf64(ra, b, 0);
    store<i32>(L.idx + (<usize>b << 2), b);
    setf64(tc, b, time_at(p, b, 0));
  }
  // k1 = f(t0, h0) for every row
  mlp_forward(net, home, B, h, tc, k1);
  nfe++;
  // the first step per row: scratch in hc (the scale), y (y0 + h·f0), k (f1)
  const scale = hc;
  error_scale(bd, h, scale, rtol, atol);
  for (let b = 0; b < B; b++) {
    const o = <usize>(b * D) << 2;
    const h0s = initial_trial(rms(D, h + o, 0, scale + o), rms(D, k1 + o, 0, scale + o));
    const dir: f64 = time_at(p, b, 1) > time_at(p, b, 0) ? 1 : -1;
    setf64(rdt, b, h0s);
    setf64(dtc, b, dir * h0s);
    setf64(tc, b, time_at(p, b, 0) + dir * h0s);
  }
  memory.copy(y, h, <usize>bd << 2);
  axpy_rows(B, D, 1, dtc, k1, y);
  mlp_forward(net, home, B, y, tc, k);
  nfe++;
  for (let b = 0; b < B; b++) {
    const o = <usize>(b * D) << 2;
    const dir: f64 = time_at(p, b, 1) > time_at(p, b, 0) ? 1 : -1;
    setf64(rdt, b, dir * initial_step(f64at(rdt, b), rms(D, k1 + o, 0, scale + o), rms(D, k + o, k1 + o, scale + o)));
  }
  // attempts, all active rows together
  while (true) {
    let n = 0;
    for (let b = 0; b < B; b++) {
      if (<i32>f64at(rs, b) < S - 1) {
        store<i32>(L.idx + (<usize>n << 2), b);
        n++;
      }
    }
    if (n == 0) break;
    // per active row: the step (cut to land on the next requested time), start state and k1
    for (let r = 0; r < n; r++) {
      const b = rowOf(L, r), t = f64at(rt, b), next = time_at(p, b, <i32>f64at(rs, b) + 1);
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
      setf64(cutc, r, cut);
      const att = f64at(ra, b) + 1;
      setf64(ra, b, att);
      if (att > <f64>maxSteps) {
        store<f64>(stats, t);
        store<f64>(stats + 8, dt);
        return ERR_MAX_STEPS;
      }
      setf64(dtc, r, dt);
      memory.copy(hc + (<usize>(r * D) << 2), h + (<usize>(b * D) << 2), <usize>D << 2);
      memory.copy(k + (<usize>(r * D) << 2), k1 + (<usize>(b * D) << 2), <usize>D << 2);
    }
    // stages 2..7 (k_7 = f(t1, y1), y1 = stage 7's input)
    for (let i = 1; i < 7; i++) {
      stage_input(n, D, i, DP_A, hc, y, k, ks, dtc);
      for (let r = 0; r < n; r++) {
        setf64(tc, r, i == 6
          ? f64at(rt, rowOf(L, r)) + f64at(dtc, r)
          : f64at(rt, rowOf(L, r)) + unchecked(DP_C[i]) * f64at(dtc, r));
      }
      if (i == 6) {
        // a cut step ends exactly on the requested time
        for (let r = 0; r < n; r++) {
          if (f64at(cutc, r) != 0) {
            const b = rowOf(L, r);
            setf64(tc, r, time_at(p, b, <i32>f64at(rs, b) + 1));
          }
        }
      }
      mlp_forward(net, home, n, y, tc, k + <usize>i * ks);
      nfe++;
    }
    // y holds y1; error per row; accept or reject
    for (let r = 0; r < n; r++) {
      const b = rowOf(L, r), dt = f64at(dtc, r), o = <usize>(r * D) << 2;
      const ratio = error_ratio(D, k + o, ks, hc + o, y + o, dt, rtol, atol);
      const factor = step_factor(ratio);
      const t = f64at(rt, b), sIdx = <i32>f64at(rs, b), next = time_at(p, b, sIdx + 1);
      if (ratio <= 1) {
        const nacc = <i32>f64at(rn, b), landed = f64at(cutc, r) != 0 || t + dt == next;
        if (store_ && nacc < maxSteps) {
          const slot = b * maxSteps + nacc;
          memory.copy(L.start + (<usize>(slot * D) << 2), hc + o, <usize>D << 2);
          setf64(L.log, 2 * slot, t);
          setf64(L.log, 2 * slot + 1, dt);
          setf64(L.land, slot, landed ? <f64>(sIdx + 1) : -1);
        }
        setf64(rn, b, nacc + 1);
        memory.copy(h + (<usize>(b * D) << 2), y + o, <usize>D << 2);
        memory.copy(k1 + (<usize>(b * D) << 2), k + 6 * ks + o, <usize>D << 2);
        if (landed) {
          setf64(rt, b, next);
          memory.copy(states + (<usize>((b * S + sIdx + 1) * D) << 2), y + o, <usize>D << 2);
          setf64(rs, b, sIdx + 1);
        } else setf64(rt, b, t + dt);
        accepted++;
      } else rejected++;
      setf64(rdt, b, dt * factor);
    }
  }
  store<f64>(stats, <f64>nfe);
  store<f64>(stats + 8, accepted + rejected);
  store<f64>(stats + 16, accepted);
  store<f64>(stats + 24, rejected);
  return nfe;
}

/** Backprop through the stored accepted steps (step sizes constant): accumulates parameter
 *  gradients into grads, writes ∂L/∂h0 to dh0 (if not 0). Rows walk their steps from last to first
 *  together; the incoming gradient of a requested time is added when the walk passes it. Writes the
 *  counts to stats: VJP evaluations (batched), then the steps walked (summed over the rows) as
 *  steps and accepted, none rejected. */
export function dopri5_backward(p: Problem, net: Mlp, L: Dopri5, dstates: usize, grads: usize, dh0: usize,
  stats: usize): void {
  const B = p.B, S = p.S, D = p.D, maxSteps = p.maxSteps;
  const bd = B * D, gh = L.gh, gy = L.gy, k = L.k, ks = L.kStride, hc = L.hc, y = L.y, tc = L.tc, dtc = L.dtc, rt = L.t,
    rn = L.n;
  memory.fill(gh, 0, <usize>bd << 2);
  let maxN = 0, walked: f64 = 0;
  for (let b = 0; b < B; b++) {
    maxN = max(maxN, <i32>f64at(rn, b));
    walked += f64at(rn, b);
  }
  let nfe = 0;
  for (let j = 0; j < maxN; j++) {
    // rows with a step left, at step nacc − 1 − j (compact: their start time in rt)
    let n = 0;
    for (let b = 0; b < B; b++) {
      const kb = <i32>f64at(rn, b) - 1 - j;
      if (kb < 0) continue;
      const slot = b * maxSteps + kb, land = <i32>f64at(L.land, slot);
      // the incoming gradient at the requested time this step landed on
      if (land >= 0) add_f32_wasmsimd(D, dstates + (<usize>((b * S + land) * D) << 2), gh + (<usize>(b * D) << 2));
      store<i32>(L.idx + (<usize>n << 2), b);
      setf64(dtc, n, f64at(L.log, 2 * slot + 1));
      setf64(rt, n, f64at(L.log, 2 * slot));
      memory.copy(hc + (<usize>(n * D) << 2), L.start + (<usize>(slot * D) << 2), <usize>D << 2);
      n++;
    }
    // recompute the 6 stages from the step's start, keeping each one's activations for its VJP;
    // the values go to the k slots (which then hold ∂k: the values are needed only to form the
    // later inputs)
    for (let i = 0; i < 6; i++) {
      stage_input(n, D, i, DP_A, hc, y, k, ks, dtc);
      for (let r = 0; r < n; r++) setf64(tc, r, f64at(rt, r) + unchecked(DP_C[i]) * f64at(dtc, r));
      mlp_forward(net, L.acts + <usize>i * L.actBytes, n, y, tc, k + <usize>i * ks);
    }
    // ∂k_i = (dt·b_i)·∂h' with b = a's row 7
    for (let i = 0; i < 6; i++) {
      const bi = aij(DP_A, 6, i), ki = k + <usize>i * ks;
      for (let r = 0; r < n; r++) {
        const al = <f32>(bi * f64at(dtc, r)), b = rowOf(L, r);
        for (let d = 0; d < D; d++) {
          store<f32>(ki + (<usize>(r * D + d) << 2), al * load<f32>(gh + (<usize>(b * D + d) << 2)));
        }
      }
    }
    for (let i = 5; i >= 0; i--) {
      mlp_vjp(net, L.acts + <usize>i * L.actBytes, n, k + <usize>i * ks, grads, gy, 0);
      nfe++;
      for (let r = 0; r < n; r++) add_f32_wasmsimd(D, gy + (<usize>(r * D) << 2), gh + (<usize>(rowOf(L, r) * D) << 2));
      for (let jj = 0; jj < i; jj++) axpy_rows(n, D, aij(DP_A, i, jj), dtc, gy, k + <usize>jj * ks);
    }
  }
  // ∂h0 = the walk's ∂h plus the incoming gradient at t_0
  for (let b = 0; b < B; b++) add_f32_wasmsimd(D, dstates + (<usize>(b * S * D) << 2), gh + (<usize>(b * D) << 2));
  if (dh0 != 0) memory.copy(dh0, gh, <usize>bd << 2);
  store<f64>(stats, <f64>nfe);
  store<f64>(stats + 8, walked);
  store<f64>(stats + 16, walked);
  store<f64>(stats + 24, 0);
}

/** The accepted steps of row b of the last forward solve in the workspace at `at` (dopri5_layout's
 *  `at`: the counts and the log come first, so no record is needed): writes up to `capacity` (t,
 *  dt) pairs (f64) to out and returns how many steps the row took. */
export function dopri5_steps(at: usize, B: i32, maxSteps: i32, b: i32, out: usize, capacity: i32): i32 {
  const c = load<f64>(at + (<usize>b << 3)), n = c >= 0 && c <= <f64>maxSteps ? <i32>c : 0; // a forward's count: 0..maxSteps
  const log = f(at, <usize>r4(2 * <f64>B)) + ((<usize>b * <usize>maxSteps) << 4);
  memory.copy(out, log, <usize>min(n, capacity) << 4);
  return n;
}
