// Fixed-step explicit Runge–Kutta solves of dh/dt = f(t, h) for a batch, each row on its own time
// grid, and their exact reverse-mode gradient ("backprop": the derivative of the computed
// solution, stage by stage).
//
// Every interval [t_s, t_{s+1}] of every row is cut into n equal substeps, dt_b = (t_{s+1} − t_s)/n
// (f64; negative for decreasing grids). A step from h with Butcher tableau (a, b, c), s stages:
//   y_i = h + Σ_{j<i} (dt·a_ij) k_j,   k_i = f(t + c_i·dt, y_i),   h' = h + Σ_i (dt·b_i) k_i
// with the coefficients dt·a_ij, dt·b_i formed in f64 and rounded to f32 per row, and the sums
// taken in j order in f32 (control.ts). The forward pass keeps f's input and activations at every stage;
// the backward pass walks the steps from last to first:
//   ∂k_i = (dt·b_i) ∂h';  for i = s..1: ∂y_i = f's VJP at y_i of ∂k_i (from the kept activations),
//   ∂h += ∂y_i, ∂k_j += (dt·a_ij) ∂y_i for j < i;   ∂h starts as ∂h'.
//
// Workspace regions (floats, set by rk_layout): k [s, B, D], y [B, D], h [B, D], t [B] f64 (as 2
// floats each), the MLP scratch; backprop adds gk [s, B, D], gy [B, D], gh [B, D] and every
// stage's input and activations [steps, s] (mlp_act_floats each).

import { mlp_forward, mlp_vjp, mlp_scratch_floats, mlp_act_floats, mlp_bind } from "./mlp";
import { stagesOf, tableauA, tableauB, tableauC, aij } from "./tableaux";
import { axpy_rows, stage_input } from "./control";
import { add_f32_wasmsimd } from "../linalg";
import { r4 } from "../common";

// the solve's shape and regions (set by rk_layout)
let S_: i32 = 0, B_: i32 = 0, D_: i32 = 0, n_: i32 = 0, method_: i32 = 0, perSeq_: bool = false;
let times_: usize = 0;
export let kBuf: usize = 0, yBuf: usize = 0, hBuf: usize = 0, tBuf: usize = 0, dtBuf: usize = 0, tsBuf: usize = 0, mlpBuf: usize = 0;
export let gkBuf: usize = 0, gyBuf: usize = 0, ghBuf: usize = 0;

/** Floats of workspace a fixed-step solve needs; with `store` (backprop) the stored stage inputs
 *  and the backward's regions too. */
export function rk_workspace_floats(method: i32, nLayers: i32, widths: usize, B: i32, S: i32, D: i32, substeps: i32, store: bool): f64 {
  const s = <f64>stagesOf(method), bd = r4(<f64>B * <f64>D), steps = <f64>(S - 1) * <f64>substeps;
  const solve = s * bd + 2 * bd + 3 * r4(2 * <f64>B) + mlp_scratch_floats(nLayers, widths, B);
  return store ? solve + s * bd + 2 * bd + steps * s * mlp_act_floats(nLayers, widths, B) : solve;
}

/** Set the solve's shape and carve the workspace (ws, f32-aligned). */
export function rk_layout(method: i32, B: i32, S: i32, D: i32, substeps: i32, times: usize, perSeq: bool, ws: usize, nLayers: i32, widths: usize): void {
  method_ = method; B_ = B; S_ = S; D_ = D; n_ = substeps; times_ = times; perSeq_ = perSeq;
  const s = <f64>stagesOf(method), bd = r4(<f64>B * <f64>D);
  let off: f64 = 0;
  kBuf = ws; off += s * bd;
  yBuf = ws + (<usize>off << 2); off += bd;
  hBuf = ws + (<usize>off << 2); off += bd;
  tBuf = ws + (<usize>off << 2); off += r4(2 * <f64>B);
  dtBuf = ws + (<usize>off << 2); off += r4(2 * <f64>B);
  tsBuf = ws + (<usize>off << 2); off += r4(2 * <f64>B);
  mlpBuf = ws + (<usize>off << 2); off += mlp_scratch_floats(nLayers, widths, B);
  gkBuf = ws + (<usize>off << 2); off += s * bd;
  gyBuf = ws + (<usize>off << 2); off += bd;
  ghBuf = ws + (<usize>off << 2); off += bd;
  actBuf = ws + (<usize>off << 2); actFloats = <usize>mlp_act_floats(nLayers, widths, B);
}

// backprop: every stage's activations, [steps, s] regions of actFloats (the MLP's, mlp_bind)
let actBuf: usize = 0, actFloats: usize = 0;
// @ts-ignore: decorator
@inline function actSlot(step: i32, i: i32, s: i32): usize { return actBuf + ((<usize>(step * s + i) * actFloats) << 2); }

/** The requested time s of row b. */
// @ts-ignore: decorator
@inline function timeAt(b: i32, s: i32): f64 {
  return load<f64>(times_ + (<usize>((perSeq_ ? b * S_ : <i32>0) + s) << 3));
}

/** Per-row step start t and size dt for substep j of interval s. */
function stepTimes(s: i32, j: i32): void {
  for (let b = 0; b < B_; b++) {
    const t0 = timeAt(b, s), t1 = timeAt(b, s + 1);
    const dt = (t1 - t0) / <f64>n_;
    store<f64>(tBuf + (<usize>b << 3), t0 + <f64>j * dt);
    store<f64>(dtBuf + (<usize>b << 3), dt);
  }
}

/** Stage times t + c_i·dt per row (B doubles at out). */
function stageTimes(c: f64, out: usize): void {
  for (let b = 0; b < B_; b++) store<f64>(out + (<usize>b << 3), load<f64>(tBuf + (<usize>b << 3)) + c * load<f64>(dtBuf + (<usize>b << 3)));
}

/** The whole solve: states [B, S, D] from h0 [B, D]. Returns the number of f evaluations. */
export function rk_forward(h0: usize, states: usize, store_: bool): i32 {
  const s = stagesOf(method_), c = tableauC(method_), bt = tableauB(method_), a = tableauA(method_);
  const bd = B_ * D_, bdr = <usize>r4(<f64>bd);
  memory.copy(hBuf, h0, <usize>bd << 2);
  for (let b = 0; b < B_; b++) memory.copy(states + (<usize>(b * S_ * D_) << 2), h0 + (<usize>(b * D_) << 2), <usize>D_ << 2);
  const tStage = tsBuf;
  let nfe = 0, step = 0;
  for (let si = 0; si < S_ - 1; si++) {
    for (let j = 0; j < n_; j++) {
      stepTimes(si, j);
      for (let i = 0; i < s; i++) {
        stage_input(B_, D_, i, a, hBuf, yBuf, kBuf, bdr << 2, dtBuf);
        if (store_) mlp_bind(actSlot(step, i, s)); // f's input and activations at this stage, for backprop
        stageTimes(unchecked(c[i]), tStage);
        mlp_forward(B_, yBuf, tStage, kBuf + (bdr * <usize>i << 2));
        nfe++;
      }
      for (let i = 0; i < s; i++) axpy_rows(B_, D_, unchecked(bt[i]), dtBuf, kBuf + (bdr * <usize>i << 2), hBuf);
      step++;
    }
    for (let b = 0; b < B_; b++) memory.copy(states + (<usize>((b * S_ + si + 1) * D_) << 2), hBuf + (<usize>(b * D_) << 2), <usize>D_ << 2);
  }
  mlp_bind(0);
  return nfe;
}

/** Reverse of rk_forward (which must have stored the stage inputs): accumulates parameter
 *  gradients, writes ∂L/∂h0 to dh0 (if not 0). Returns the number of VJP evaluations. */
export function rk_backward(dstates: usize, grads: usize, dh0: usize): i32 {
  const s = stagesOf(method_), bt = tableauB(method_), a = tableauA(method_);
  const bd = B_ * D_, bdr = <usize>r4(<f64>bd);
  // ∂h at the last requested time
  for (let b = 0; b < B_; b++) memory.copy(ghBuf + (<usize>(b * D_) << 2), dstates + (<usize>((b * S_ + S_ - 1) * D_) << 2), <usize>D_ << 2);
  let nfe = 0, step = (S_ - 1) * n_;
  for (let si = S_ - 2; si >= 0; si--) {
    for (let j = n_ - 1; j >= 0; j--) {
      step--;
      stepTimes(si, j);
      memory.fill(gkBuf, 0, (bdr * <usize>s) << 2);
      for (let i = 0; i < s; i++) axpy_rows(B_, D_, unchecked(bt[i]), dtBuf, ghBuf, gkBuf + (bdr * <usize>i << 2));
      for (let i = s - 1; i >= 0; i--) {
        const gk = gkBuf + (bdr * <usize>i << 2);
        // the stage's activations, kept by the forward: no recomputation
        mlp_bind(actSlot(step, i, s));
        mlp_vjp(B_, gk, grads, gyBuf);
        nfe++;
        // ∂h += ∂y_i; ∂k_j += (dt·a_ij) ∂y_i
        add_f32_wasmsimd(bd, gyBuf, ghBuf);
        for (let jj = 0; jj < i; jj++) axpy_rows(B_, D_, aij(a, i, jj), dtBuf, gyBuf, gkBuf + (bdr * <usize>jj << 2));
      }
    }
    // the incoming gradient at t_s
    for (let b = 0; b < B_; b++) add_f32_wasmsimd(D_, dstates + (<usize>((b * S_ + si) * D_) << 2), ghBuf + (<usize>(b * D_) << 2));
  }
  mlp_bind(0);
  if (dh0 != 0) memory.copy(dh0, ghBuf, <usize>bd << 2);
  return nfe;
}
