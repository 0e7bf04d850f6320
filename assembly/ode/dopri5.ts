// Adaptive Dormand–Prince 5(4) with FSAL for a batch, each row with its own time grid and its own
// step-size control (torchdiffeq's rules, per sequence: control.ts). A step that would pass the
// next requested time is cut to land on it exactly (torchdiffeq's step_t); the next dt is computed
// from the cut step.
// Every attempt evaluates the active rows together (rows whose grid is done drop out), so one
// iteration is 6 batched evaluations of f (k1 comes from the last accepted step, FSAL).
// Gradient "backprop": the step sizes are constants (as torchdiffeq computes them under no_grad);
// the solution map of an accepted step is the 6-stage explicit RK whose weights are a's last row,
// and its reverse is taken per row from the stored step starts, recomputing the stages.

import { mlp_forward, mlp_vjp, mlp_scratch_floats, mlp_act_floats, mlp_bind } from "./mlp";
import { DP_A, DP_C, aij } from "./tableaux";
import { axpy_rows, stage_input, rms, error_scale, initial_trial, initial_step, passes, error_ratio, step_factor } from "./control";
import { ERR_MAX_STEPS, ERR_STEP_UNDERFLOW } from "../constants";
import { add_f32_wasmsimd } from "../linalg";
import { r4 } from "../common";

let B_: i32 = 0, S_: i32 = 0, D_: i32 = 0, maxSteps_: i32 = 0, perSeq_: bool = false;
let times_: usize = 0, rtol_: f64 = 0, atol_: f64 = 0;
// per row (f64): t, dt, interval index, accepted steps, attempts
let rt: usize = 0, rdt: usize = 0, rs: usize = 0, rn: usize = 0, ra: usize = 0;
let h_: usize = 0, k1_: usize = 0;
// compact (active rows): row ids (i32), stage times, dt, state, stages k1..k7, stage input
let idx: usize = 0, tc: usize = 0, dtc: usize = 0, cutc: usize = 0, hc: usize = 0, kc: usize = 0, yc: usize = 0;
let mlp_: usize = 0;
// storage for backprop: per row, per accepted step: start state, t, dt, grid index landed on (−1)
let sh: usize = 0, st: usize = 0, sdt: usize = 0, sland: usize = 0;
// backward: ∂y, ∂h per row (full)
let gy: usize = 0, gh: usize = 0;
export let failT: f64 = 0, failDt: f64 = 0, walked: f64 = 0;

/** Floats of workspace the solve needs; with `store` (backprop) the accepted steps (room for
 *  maxSteps per sequence) and the backward's regions too. */
export function dopri5_workspace_floats(nLayers: i32, widths: usize, B: i32, S: i32, D: i32, maxSteps: i32, store: bool): f64 {
  const bd = r4(<f64>B * <f64>D), b2 = r4(2 * <f64>B), fB = <f64>B, m = <f64>maxSteps;
  const solve = 5 * b2 + 2 * bd + r4(fB) + 3 * b2 + bd + 7 * bd + bd + mlp_scratch_floats(nLayers, widths, B);
  return store ? solve + r4(fB * m * <f64>D) + 3 * r4(2 * fB * m) + bd + bd + 6 * mlp_act_floats(nLayers, widths, B) : solve;
}

// backward: the activations of the 6 recomputed stages of one step (mlp_bind)
let actBuf: usize = 0, actFloats: usize = 0;

let store_: bool = true;

export function dopri5_layout(B: i32, S: i32, D: i32, times: usize, perSeq: bool, rtol: f64, atol: f64, maxSteps: i32, ws: usize, nLayers: i32, widths: usize, store: bool): usize {
  B_ = B; S_ = S; D_ = D; times_ = times; perSeq_ = perSeq; rtol_ = rtol; atol_ = atol; maxSteps_ = maxSteps; store_ = store;
  const bd = r4(<f64>B * <f64>D), b2 = r4(2 * <f64>B), fB = <f64>B, m = <f64>maxSteps;
  let p = ws;
  rt = p; p += <usize>b2 << 2; rdt = p; p += <usize>b2 << 2; rs = p; p += <usize>b2 << 2; rn = p; p += <usize>b2 << 2; ra = p; p += <usize>b2 << 2;
  h_ = p; p += <usize>bd << 2; k1_ = p; p += <usize>bd << 2;
  idx = p; p += <usize>r4(fB) << 2; tc = p; p += <usize>b2 << 2; dtc = p; p += <usize>b2 << 2; cutc = p; p += <usize>b2 << 2;
  hc = p; p += <usize>bd << 2; kc = p; p += <usize>(7 * bd) << 2; yc = p; p += <usize>bd << 2;
  mlp_ = p; p += <usize>mlp_scratch_floats(nLayers, widths, B) << 2;
  sh = p; p += <usize>r4(fB * m * <f64>D) << 2; st = p; p += <usize>r4(2 * fB * m) << 2; sdt = p; p += <usize>r4(2 * fB * m) << 2; sland = p; p += <usize>r4(2 * fB * m) << 2;
  gy = p; p += <usize>bd << 2; gh = p; p += <usize>bd << 2;
  actBuf = p; actFloats = <usize>mlp_act_floats(nLayers, widths, B);
  return mlp_;
}

// @ts-ignore: decorator
@inline function f64at(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function setf64(p: usize, i: i32, v: f64): void { store<f64>(p + (<usize>i << 3), v); }
// @ts-ignore: decorator
@inline function timeAt(b: i32, s: i32): f64 { return load<f64>(times_ + (<usize>((perSeq_ ? b * S_ : <i32>0) + s) << 3)); }
function kAt(i: i32): usize { return kc + ((<usize>i * <usize>r4(<f64>B_ * <f64>D_)) << 2); }
function rowOf(n: i32): i32 { return load<i32>(idx + (<usize>n << 2)); }

/** The forward solve; storeSteps keeps what backprop needs. Returns the f evaluations, or an
 *  error code (ERR_MAX_STEPS, ERR_UNDERFLOW; failT/failDt say where). stats: steps, accepted,
 *  rejected summed over the rows. */
export function dopri5_forward(h0: usize, states: usize, statsOut: usize): i32 {
  const bd = B_ * D_;
  memory.copy(h_, h0, <usize>bd << 2);
  for (let b = 0; b < B_; b++) memory.copy(states + (<usize>(b * S_ * D_) << 2), h0 + (<usize>(b * D_) << 2), <usize>D_ << 2);
  let nfe = 0, accepted: f64 = 0, rejected: f64 = 0;
  if (S_ == 1) { store<f64>(statsOut, 0); store<f64>(statsOut + 8, 0); store<f64>(statsOut + 16, 0); store<f64>(statsOut + 24, 0); return 0; }
  for (let b = 0; b < B_; b++) { setf64(rt, b, timeAt(b, 0)); setf64(rs, b, 0); setf64(rn, b, 0); setf64(ra, b, 0); store<i32>(idx + (<usize>b << 2), b); setf64(tc, b, timeAt(b, 0)); }
  // k1 = f(t0, h0) for every row
  mlp_forward(B_, h_, tc, k1_); nfe++;
  // the first step per row (Hairer II.4, order 4): scratch in hc (scale), yc (y0 + h·f0), kAt(0) (f1)
  const scale = hc;
  error_scale(bd, h_, scale, rtol_, atol_);
  for (let b = 0; b < B_; b++) {
    const o = <usize>(b * D_) << 2;
    const h0s = initial_trial(rms(D_, h_ + o, 0, scale + o), rms(D_, k1_ + o, 0, scale + o));
    const dir: f64 = timeAt(b, 1) > timeAt(b, 0) ? 1 : -1;
    setf64(rdt, b, h0s); setf64(dtc, b, dir * h0s);
    setf64(tc, b, timeAt(b, 0) + dir * h0s);
  }
  memory.copy(yc, h_, <usize>bd << 2);
  axpy_rows(B_, D_, 1, dtc, k1_, yc);
  mlp_forward(B_, yc, tc, kAt(0)); nfe++;
  for (let b = 0; b < B_; b++) {
    const o = <usize>(b * D_) << 2;
    const dir: f64 = timeAt(b, 1) > timeAt(b, 0) ? 1 : -1;
    setf64(rdt, b, dir * initial_step(f64at(rdt, b), rms(D_, k1_ + o, 0, scale + o), rms(D_, kAt(0) + o, k1_ + o, scale + o)));
  }
  // attempts, all active rows together
  while (true) {
    let n = 0;
    for (let b = 0; b < B_; b++) if (<i32>f64at(rs, b) < S_ - 1) { store<i32>(idx + (<usize>n << 2), b); n++; }
    if (n == 0) break;
    // per active row: the step (cut to land on the next requested time), start state and k1
    for (let r = 0; r < n; r++) {
      const b = rowOf(r), t = f64at(rt, b), next = timeAt(b, <i32>f64at(rs, b) + 1);
      let dt = f64at(rdt, b), cut: f64 = 0;
      if (passes(t, dt, next)) { dt = next - t; cut = 1; }
      if (t + dt == t || !isFinite<f64>(dt)) { failT = t; failDt = dt; return ERR_STEP_UNDERFLOW; }
      setf64(cutc, r, cut);
      const att = f64at(ra, b) + 1;
      setf64(ra, b, att);
      if (att > <f64>maxSteps_) { failT = t; failDt = dt; return ERR_MAX_STEPS; }
      setf64(dtc, r, dt);
      memory.copy(hc + (<usize>(r * D_) << 2), h_ + (<usize>(b * D_) << 2), <usize>D_ << 2);
      memory.copy(kAt(0) + (<usize>(r * D_) << 2), k1_ + (<usize>(b * D_) << 2), <usize>D_ << 2);
    }
    // stages 2..7 (k_7 = f(t1, y1), y1 = stage 7's input)
    for (let i = 1; i < 7; i++) {
      stage_input(n, D_, i, DP_A, hc, yc, kc, <usize>r4(<f64>B_ * <f64>D_) << 2, dtc);
      for (let r = 0; r < n; r++) setf64(tc, r, i == 6 ? f64at(rt, rowOf(r)) + f64at(dtc, r) : f64at(rt, rowOf(r)) + unchecked(DP_C[i]) * f64at(dtc, r));
      if (i == 6) {
        // a cut step ends exactly on the requested time
        for (let r = 0; r < n; r++) if (f64at(cutc, r) != 0) { const b = rowOf(r); setf64(tc, r, timeAt(b, <i32>f64at(rs, b) + 1)); }
      }
      mlp_forward(n, yc, tc, kAt(i)); nfe++;
    }
    // yc holds y1; error per row; accept or reject
    for (let r = 0; r < n; r++) {
      const b = rowOf(r), dt = f64at(dtc, r), o = <usize>(r * D_) << 2;
      const ratio = error_ratio(D_, kc + o, <usize>r4(<f64>B_ * <f64>D_) << 2, hc + o, yc + o, dt, rtol_, atol_);
      const accept = ratio <= 1;
      const factor = step_factor(ratio);
      const t = f64at(rt, b), sIdx = <i32>f64at(rs, b), next = timeAt(b, sIdx + 1);
      if (accept) {
        const nacc = <i32>f64at(rn, b);
        if (store_ && nacc < maxSteps_) {
          const slot = b * maxSteps_ + nacc;
          memory.copy(sh + (<usize>(slot * D_) << 2), hc + (<usize>(r * D_) << 2), <usize>D_ << 2);
          setf64(st, slot, t); setf64(sdt, slot, dt);
        }
        const landed = f64at(cutc, r) != 0 || t + dt == next;
        if (store_ && nacc < maxSteps_) setf64(sland, b * maxSteps_ + nacc, landed ? <f64>(sIdx + 1) : -1);
        setf64(rn, b, nacc + 1);
        memory.copy(h_ + (<usize>(b * D_) << 2), yc + (<usize>(r * D_) << 2), <usize>D_ << 2);
        memory.copy(k1_ + (<usize>(b * D_) << 2), kAt(6) + (<usize>(r * D_) << 2), <usize>D_ << 2);
        if (landed) {
          setf64(rt, b, next);
          memory.copy(states + (<usize>((b * S_ + sIdx + 1) * D_) << 2), yc + (<usize>(r * D_) << 2), <usize>D_ << 2);
          setf64(rs, b, sIdx + 1);
        } else setf64(rt, b, t + dt);
        accepted++;
      } else rejected++;
      setf64(rdt, b, dt * factor);
    }
  }
  store<f64>(statsOut, <f64>nfe); store<f64>(statsOut + 8, accepted + rejected); store<f64>(statsOut + 16, accepted); store<f64>(statsOut + 24, rejected);
  return nfe;
}

/** Backprop through the stored accepted steps (step sizes constant). Rows walk their steps from
 *  last to first together; the incoming gradient of a requested time is added when the walk passes
 *  it. Returns the number of VJP evaluations (batched). */
export function dopri5_backward(dstates: usize, grads: usize, dh0: usize): i32 {
  const bd = B_ * D_;
  memory.fill(gh, 0, <usize>bd << 2);
  let maxN = 0;
  walked = 0;
  for (let b = 0; b < B_; b++) { maxN = max(maxN, <i32>f64at(rn, b)); walked += f64at(rn, b); }
  let nfe = 0;
  for (let j = 0; j < maxN; j++) {
    // rows with a step left, at step nacc − 1 − j
    let n = 0;
    for (let b = 0; b < B_; b++) {
      const k = <i32>f64at(rn, b) - 1 - j;
      if (k < 0) continue;
      const slot = b * maxSteps_ + k, land = <i32>f64at(sland, slot);
      // the incoming gradient at the requested time this step landed on
      if (land >= 0) add_f32_wasmsimd(D_, dstates + (<usize>((b * S_ + land) * D_) << 2), gh + (<usize>(b * D_) << 2));
      store<i32>(idx + (<usize>n << 2), b);
      setf64(dtc, n, f64at(sdt, slot)); setf64(rt, n, f64at(st, slot));
      memory.copy(hc + (<usize>(n * D_) << 2), sh + (<usize>(slot * D_) << 2), <usize>D_ << 2);
      n++;
    }
    // recompute the 6 stages from the step's start, keeping each one's activations (mlp_bind) for
    // its VJP; the values go to the k slots (which then hold ∂k: the values are needed only to form
    // the later inputs)
    for (let i = 0; i < 6; i++) {
      stage_input(n, D_, i, DP_A, hc, yc, kc, <usize>r4(<f64>B_ * <f64>D_) << 2, dtc);
      for (let r = 0; r < n; r++) setf64(tc, r, f64at(rt, r) + unchecked(DP_C[i]) * f64at(dtc, r));
      mlp_bind(actBuf + ((<usize>i * actFloats) << 2));
      mlp_forward(n, yc, tc, kAt(i));
    }
    // ∂k_i = (dt·b_i)·∂h' with b = a's row 7; ∂k kept in the k slots (values no longer needed)
    for (let i = 0; i < 6; i++) {
      const bi = aij(DP_A, 6, i), ki = kAt(i);
      for (let r = 0; r < n; r++) {
        const al = <f32>(bi * f64at(dtc, r)), b = rowOf(r);
        for (let d = 0; d < D_; d++) store<f32>(ki + (<usize>(r * D_ + d) << 2), al * load<f32>(gh + (<usize>(b * D_ + d) << 2)));
      }
    }
    for (let i = 5; i >= 0; i--) {
      mlp_bind(actBuf + ((<usize>i * actFloats) << 2));
      mlp_vjp(n, kAt(i), grads, gy);
      nfe++;
      for (let r = 0; r < n; r++) add_f32_wasmsimd(D_, gy + (<usize>(r * D_) << 2), gh + (<usize>(rowOf(r) * D_) << 2));
      for (let jj = 0; jj < i; jj++) axpy_rows(n, D_, aij(DP_A, i, jj), dtc, gy, kAt(jj));
    }
  }
  mlp_bind(0);
  // ∂h0 = the walk's ∂h plus the incoming gradient at t_0
  for (let b = 0; b < B_; b++) add_f32_wasmsimd(D_, dstates + (<usize>(b * S_ * D_) << 2), gh + (<usize>(b * D_) << 2));
  if (dh0 != 0) memory.copy(dh0, gh, <usize>bd << 2);
  return nfe;
}

/** The accepted steps of row b in the last forward solve: writes up to `capacity` (t, dt) pairs
 *  (f64) to out and returns how many steps the row took. */
export function dopri5_steps(b: i32, out: usize, capacity: i32): i32 {
  const c = f64at(rn, b), n = c >= 0 && c <= <f64>maxSteps_ ? <i32>c : 0; // a forward's count: 0..maxSteps
  for (let k = 0; k < min(n, capacity); k++) {
    const slot = b * maxSteps_ + k;
    store<f64>(out + (<usize>(2 * k) << 3), f64at(st, slot));
    store<f64>(out + (<usize>(2 * k + 1) << 3), f64at(sdt, slot));
  }
  return n;
}
