// Adaptive Dormand–Prince 5(4) with FSAL for a batch, each row with its own time grid and its own
// step-size control (torchdiffeq's rules, per sequence):
//   error ratio = RMS over the row's D entries of err / (atol + rtol·max(|y0|, |y1|)); accept if
//   ≤ 1; next dt = dt·min(10, max(0.9·ratio^(−1/5), 0.2)) (no shrinking after an accepted step;
//   ×10 when the ratio is 0); the first dt by Hairer, Nørsett & Wanner II.4 (order 4), as
//   torchdiffeq's _select_initial_step. A step that would pass the next requested time is cut to
//   land on it exactly (torchdiffeq's step_t); the next dt is computed from the cut step.
// Every attempt evaluates the active rows together (rows whose grid is done drop out), so one
// iteration is 6 batched evaluations of f (k1 comes from the last accepted step, FSAL).
// Gradient "backprop": the step sizes are constants (as torchdiffeq computes them under no_grad);
// the solution map of an accepted step is the 6-stage explicit RK whose weights are a's last row,
// and its reverse is taken per row from the stored step starts, recomputing the stages.

import { mlp_forward, mlp_vjp, mlp_scratch_floats, mlp_act_floats, mlp_bind } from "./mlp";
import { ERR_MAX_STEPS, ERR_STEP_UNDERFLOW } from "../constants";

export const DP_C: StaticArray<f64> = [0, 0.2, 0.3, 0.8, 8.0 / 9, 1, 1];
// a21; a31 a32; ...; a71..a76 (row 7 = the 5th-order weights)
export const DP_A: StaticArray<f64> = [
  0.2,
  3.0 / 40, 9.0 / 40,
  44.0 / 45, -56.0 / 15, 32.0 / 9,
  19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729,
  9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656,
  35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84,
];
export const DP_E: StaticArray<f64> = [
  35.0 / 384 - 1951.0 / 21600, 0, 500.0 / 1113 - 22642.0 / 50085, 125.0 / 192 - 451.0 / 720,
  -2187.0 / 6784 + 12231.0 / 42400, 11.0 / 84 - 649.0 / 6300, -1.0 / 60,
];
// @ts-ignore: decorator
@inline function a(i: i32, j: i32): f64 { return unchecked(DP_A[((i - 1) * i) / 2 + j]); }


function r4(n: f64): f64 { return Math.ceil(n / 4) * 4; }

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

/** y[n] = h[n] + Σ_{j<i} f32(dt_n·a_ij)·k_j[n] over the n compact rows (stage input i, 0-based). */
function stageInput(n: i32, i: i32, hrows: usize, y: usize, kbase: (j: i32) => usize, dts: usize): void {
  memory.copy(y, hrows, <usize>(n * D_) << 2);
  for (let j = 0; j < i; j++) {
    const coef = a(i, j);
    if (coef == 0) continue;
    const kj = kbase(j);
    for (let r = 0; r < n; r++) {
      const al = <f32>(coef * f64at(dts, r)), av = f32x4.splat(al);
      const py = y + (<usize>(r * D_) << 2), pk = kj + (<usize>(r * D_) << 2);
      let d = 0;
      for (; d + 4 <= D_; d += 4) { const o = <usize>d << 2; v128.store(py + o, f32x4.add(v128.load(py + o), f32x4.mul(av, v128.load(pk + o)))); }
      for (; d < D_; d++) store<f32>(py + (<usize>d << 2), load<f32>(py + (<usize>d << 2)) + al * load<f32>(pk + (<usize>d << 2)));
    }
  }
}

function rms(r: i32, num: usize, den: usize, sub: usize): f64 {
  // sqrt(mean_d ((num[d] − sub[d]) / den[d])²) for compact row r; sub may be 0
  let s: f64 = 0;
  for (let d = 0; d < D_; d++) {
    const o = (<usize>(r * D_ + d)) << 2;
    let v = <f64>load<f32>(num + o);
    if (sub) v -= <f64>load<f32>(sub + o);
    v /= <f64>load<f32>(den + o);
    s += v * v;
  }
  return Math.sqrt(s / <f64>D_);
}

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
  for (let k = 0; k < bd; k++) store<f32>(scale + (<usize>k << 2), <f32>(atol_ + Math.abs(<f64>load<f32>(h_ + (<usize>k << 2))) * rtol_));
  for (let b = 0; b < B_; b++) {
    const d0 = rms(b, h_, scale, 0), d1 = rms(b, k1_, scale, 0);
    const h0s = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
    const dir: f64 = timeAt(b, 1) > timeAt(b, 0) ? 1 : -1;
    setf64(rdt, b, h0s); setf64(dtc, b, dir * h0s);
    setf64(tc, b, timeAt(b, 0) + dir * h0s);
  }
  memory.copy(yc, h_, <usize>bd << 2);
  for (let b = 0; b < B_; b++) {
    const al = <f32>f64at(dtc, b);
    for (let d = 0; d < D_; d++) {
      const o = (<usize>(b * D_ + d)) << 2;
      store<f32>(yc + o, load<f32>(yc + o) + al * load<f32>(k1_ + o));
    }
  }
  mlp_forward(B_, yc, tc, kAt(0)); nfe++;
  for (let b = 0; b < B_; b++) {
    const h0s = f64at(rdt, b), d1 = rms(b, k1_, scale, 0);
    const d2 = rms(b, kAt(0), scale, k1_) / h0s;
    const h1 = d1 <= 1e-15 && d2 <= 1e-15 ? max(1e-6, h0s * 1e-3) : Math.pow(0.01 / max(d1, d2), 1.0 / 5);
    const dir: f64 = timeAt(b, 1) > timeAt(b, 0) ? 1 : -1;
    setf64(rdt, b, dir * min(100 * h0s, h1));
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
      if ((dt > 0 && t + dt >= next) || (dt < 0 && t + dt <= next)) { dt = next - t; cut = 1; }
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
      stageInput(n, i, hc, yc, kAt, dtc);
      for (let r = 0; r < n; r++) setf64(tc, r, i == 6 ? f64at(rt, rowOf(r)) + f64at(dtc, r) : f64at(rt, rowOf(r)) + unchecked(DP_C[i]) * f64at(dtc, r));
      if (i == 6) {
        // a cut step ends exactly on the requested time
        for (let r = 0; r < n; r++) if (f64at(cutc, r) != 0) { const b = rowOf(r); setf64(tc, r, timeAt(b, <i32>f64at(rs, b) + 1)); }
      }
      mlp_forward(n, yc, tc, kAt(i)); nfe++;
    }
    // yc holds y1; error per row; accept or reject
    for (let r = 0; r < n; r++) {
      const b = rowOf(r), dt = f64at(dtc, r);
      let s: f64 = 0;
      for (let d = 0; d < D_; d++) {
        let e: f64 = 0;
        for (let i = 0; i < 7; i++) e += dt * unchecked(DP_E[i]) * <f64>load<f32>(kAt(i) + (<usize>(r * D_ + d) << 2));
        const y0 = <f64>load<f32>(hc + (<usize>(r * D_ + d) << 2)), y1 = <f64>load<f32>(yc + (<usize>(r * D_ + d) << 2));
        const v = e / (atol_ + rtol_ * max(Math.abs(y0), Math.abs(y1)));
        s += v * v;
      }
      const ratio = Math.sqrt(s / <f64>D_);
      const accept = ratio <= 1;
      let factor: f64;
      if (ratio == 0) factor = 10;
      else if (!isFinite(ratio)) factor = 0.2; // the trial state overflowed: shrink (a blow-up ends in underflow at its time)
      else factor = min(10.0, max(0.9 / Math.pow(ratio, 0.2), ratio < 1 ? 1.0 : 0.2));
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
      if (land >= 0) {
        const pg = gh + (<usize>(b * D_) << 2), ps = dstates + (<usize>((b * S_ + land) * D_) << 2);
        for (let d = 0; d < D_; d++) store<f32>(pg + (<usize>d << 2), load<f32>(pg + (<usize>d << 2)) + load<f32>(ps + (<usize>d << 2)));
      }
      store<i32>(idx + (<usize>n << 2), b);
      setf64(dtc, n, f64at(sdt, slot)); setf64(rt, n, f64at(st, slot));
      memory.copy(hc + (<usize>(n * D_) << 2), sh + (<usize>(slot * D_) << 2), <usize>D_ << 2);
      n++;
    }
    // recompute the 6 stages from the step's start, keeping each one's activations (mlp_bind) for
    // its VJP; the values go to the k slots (which then hold ∂k: the values are needed only to form
    // the later inputs)
    for (let i = 0; i < 6; i++) {
      stageInput(n, i, hc, yc, kAt, dtc);
      for (let r = 0; r < n; r++) setf64(tc, r, f64at(rt, r) + unchecked(DP_C[i]) * f64at(dtc, r));
      mlp_bind(actBuf + ((<usize>i * actFloats) << 2));
      mlp_forward(n, yc, tc, kAt(i));
    }
    // ∂k_i = (dt·b_i)·∂h' with b = a's row 7; ∂k kept in the k slots (values no longer needed)
    for (let i = 0; i < 6; i++) {
      const bi = a(6, i), ki = kAt(i);
      for (let r = 0; r < n; r++) {
        const al = <f32>(bi * f64at(dtc, r)), b = rowOf(r);
        for (let d = 0; d < D_; d++) store<f32>(ki + (<usize>(r * D_ + d) << 2), al * load<f32>(gh + (<usize>(b * D_ + d) << 2)));
      }
    }
    for (let i = 5; i >= 0; i--) {
      mlp_bind(actBuf + ((<usize>i * actFloats) << 2));
      mlp_vjp(n, kAt(i), grads, gy);
      nfe++;
      for (let r = 0; r < n; r++) {
        const b = rowOf(r);
        for (let d = 0; d < D_; d++) {
          const o = (<usize>(b * D_ + d)) << 2;
          store<f32>(gh + o, load<f32>(gh + o) + load<f32>(gy + (<usize>(r * D_ + d) << 2)));
        }
      }
      for (let jj = 0; jj < i; jj++) {
        const coef = a(i, jj);
        if (coef == 0) continue;
        const kj = kAt(jj);
        for (let r = 0; r < n; r++) {
          const al = <f32>(coef * f64at(dtc, r));
          for (let d = 0; d < D_; d++) {
            const o = (<usize>(r * D_ + d)) << 2;
            store<f32>(kj + o, load<f32>(kj + o) + al * load<f32>(gy + o));
          }
        }
      }
    }
  }
  mlp_bind(0);
  // ∂h0 = the walk's ∂h plus the incoming gradient at t_0
  for (let b = 0; b < B_; b++) {
    const pg = gh + (<usize>(b * D_) << 2), ps = dstates + (<usize>(b * S_ * D_) << 2);
    for (let d = 0; d < D_; d++) store<f32>(pg + (<usize>d << 2), load<f32>(pg + (<usize>d << 2)) + load<f32>(ps + (<usize>d << 2)));
  }
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
