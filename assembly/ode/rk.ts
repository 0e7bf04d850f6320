// Fixed-step explicit Runge–Kutta solves of dh/dt = f(t, h) for a batch, each row on its own time
// grid, and their exact reverse-mode gradient ("backprop": the derivative of the computed
// solution, stage by stage).
//
// Every interval [t_s, t_{s+1}] of every row is cut into n equal substeps, dt_b = (t_{s+1} − t_s)/n
// (f64; negative for decreasing grids). A step from h with Butcher tableau (a, b, c), s stages:
//   y_i = h + Σ_{j<i} (dt·a_ij) k_j,   k_i = f(t + c_i·dt, y_i),   h' = h + Σ_i (dt·b_i) k_i
// With inputs (M > 0), f also sees u[b, s], held constant over the interval (zero-order hold); the
// backward reads it back from the kept activations. The coefficients dt·a_ij, dt·b_i are formed in f64 and rounded to f32 per row, and the sums
// taken in j order in f32 (control.ts). The forward pass keeps f's input and activations at every
// stage; the backward pass walks the steps from last to first:
//   ∂k_i = (dt·b_i) ∂h';  for i = s..1: ∂y_i = f's VJP at y_i of ∂k_i (from the kept activations),
//   ∂h += ∂y_i, ∂k_j += (dt·a_ij) ∂y_i for j < i;   ∂h starts as ∂h'.

import { mlp_forward, mlp_vjp, mlp_layout, mlp_act_floats, mlp_inputs, Mlp } from "./mlp";
import { stagesOf, tableauA, tableauB, tableauC, aij } from "./tableaux";
import { axpy_rows, stage_input } from "./control";
import { Problem, time_at } from "./problem";
import { add_f32_wasmsimd } from "../linalg";
import { f, r4 } from "../common";

/** Where a fixed-step solve keeps what (rk_layout), in the workspace. */
@unmanaged export class Rk {
  /** The stages k_i [s][B, D], kStride bytes apart. */
  k: usize;
  kStride: usize;
  /** The stage input y [B, D] and the state h [B, D]. */
  y: usize;
  h: usize;
  /** Per row, f64 [B]: the step's start t, its size dt, the stage's time. */
  t: usize;
  dt: usize;
  ts: usize;
  /** f's scratch (mlp_layout). */
  net: usize;
  /** Backprop: ∂k [s][B, D] (kStride apart), ∂y [B, D], ∂h [B, D]. */
  gk: usize;
  gy: usize;
  gh: usize;
  /** Backprop: every stage's activations, [steps, s] regions of actBytes (mlp_act_floats). */
  acts: usize;
  actBytes: usize;
}

/** The workspace of a fixed-step solve of B rows of D floats over `steps` steps (all intervals'
 *  substeps) at `at`, f of K layers of these widths: fills L's regions (if not null) and returns
 *  the floats (f64, exact, also past 4 GiB). `store` (backprop) adds the stored stages and the
 *  backward's regions. */
export function rk_layout(L: Rk | null, at: usize, method: i32, B: i32, D: i32, steps: f64, store: bool, nLayers: i32,
  widths: usize): f64 {
  const s = <f64>stagesOf(method), bd = r4(<f64>B * <f64>D), b2 = r4(2 * <f64>B);
  const net = mlp_layout(null, 0, nLayers, widths, B), act = mlp_act_floats(nLayers, widths, B);
  let o: f64 = 0;
  if (L) {
    L.k = f(at, <usize>o);
    L.kStride = <usize>bd << 2;
  }
  o += s * bd;
  if (L) L.y = f(at, <usize>o);
  o += bd;
  if (L) L.h = f(at, <usize>o);
  o += bd;
  if (L) L.t = f(at, <usize>o);
  o += b2;
  if (L) L.dt = f(at, <usize>o);
  o += b2;
  if (L) L.ts = f(at, <usize>o);
  o += b2;
  if (L) L.net = f(at, <usize>o);
  o += net;
  if (!store) {
    if (L) {
      L.gk = 0;
      L.gy = 0;
      L.gh = 0;
      L.acts = 0;
      L.actBytes = 0;
    }
    return o;
  }
  if (L) L.gk = f(at, <usize>o);
  o += s * bd;
  if (L) L.gy = f(at, <usize>o);
  o += bd;
  if (L) L.gh = f(at, <usize>o);
  o += bd;
  if (L) {
    L.acts = f(at, <usize>o);
    L.actBytes = <usize>act << 2;
  }
  return o + steps * s * act;
}

/** Stage i's activations at step `step` (backprop). */
// @ts-ignore: decorator
@inline function actSlot(L: Rk, step: i32, i: i32, s: i32): usize {
  return L.acts + <usize>(step * s + i) * L.actBytes;
}

/** Per-row step start t and size dt for substep j of interval s. */
function stepTimes(p: Problem, L: Rk, s: i32, j: i32): void {
  const n = <f64>p.substeps;
  for (let b = 0; b < p.B; b++) {
    const t0 = time_at(p, b, s), t1 = time_at(p, b, s + 1);
    const dt = (t1 - t0) / n;
    store<f64>(L.t + (<usize>b << 3), t0 + <f64>j * dt);
    store<f64>(L.dt + (<usize>b << 3), dt);
  }
}

/** Stage times t + c·dt per row, to L.ts. */
function stageTimes(p: Problem, L: Rk, c: f64): void {
  for (let b = 0; b < p.B; b++) {
    store<f64>(L.ts + (<usize>b << 3), load<f64>(L.t + (<usize>b << 3)) + c * load<f64>(L.dt + (<usize>b << 3)));
  }
}

/** The four counts of a fixed-step solve: evaluations, and steps = accepted (every one), none
 *  rejected. */
function fixedStats(p: Problem, nfe: i32, stats: usize): void {
  const steps = <f64>p.B * (<f64>p.S - 1) * <f64>p.substeps;
  store<f64>(stats, <f64>nfe);
  store<f64>(stats + 8, steps);
  store<f64>(stats + 16, steps);
  store<f64>(stats + 24, 0);
}

/** The whole solve: states [B, S, D] from h0 [B, D]; with p.store, every stage's activations kept
 *  for rk_backward. Writes the counts to stats (f64 [4]). */
export function rk_forward(p: Problem, net: Mlp, L: Rk, h0: usize, states: usize, stats: usize): void {
  const method = p.method, B = p.B, S = p.S, D = p.D, n = p.substeps, store_ = p.store;
  const s = stagesOf(method), c = tableauC(method), bt = tableauB(method), a = tableauA(method);
  const bd = B * D, k = L.k, ks = L.kStride;
  memory.copy(L.h, h0, <usize>bd << 2);
  for (let b = 0; b < B; b++) {
    memory.copy(states + (<usize>(b * S * D) << 2), h0 + (<usize>(b * D) << 2), <usize>D << 2);
  }
  let nfe = 0, step = 0;
  for (let si = 0; si < S - 1; si++) {
    if (p.M > 0) mlp_inputs(net, p.u, S, si, 0); // u[·, si] held over the interval
    for (let j = 0; j < n; j++) {
      stepTimes(p, L, si, j);
      for (let i = 0; i < s; i++) {
        stage_input(B, D, i, a, L.h, L.y, k, ks, L.dt);
        stageTimes(p, L, unchecked(c[i]));
        // f's input and activations at this stage kept for backprop
        mlp_forward(net, store_ ? actSlot(L, step, i, s) : net.home, B, L.y, L.ts, k + <usize>i * ks);
        nfe++;
      }
      for (let i = 0; i < s; i++) axpy_rows(B, D, unchecked(bt[i]), L.dt, k + <usize>i * ks, L.h);
      step++;
    }
    for (let b = 0; b < B; b++) {
      memory.copy(states + (<usize>((b * S + si + 1) * D) << 2), L.h + (<usize>(b * D) << 2), <usize>D << 2);
    }
  }
  fixedStats(p, nfe, stats);
}

/** Reverse of rk_forward (which must have stored the stages): accumulates parameter gradients
 *  into grads, writes ∂L/∂h0 to dh0 (if not 0) and the counts (VJP evaluations) to stats. */
export function rk_backward(p: Problem, net: Mlp, L: Rk, dstates: usize, grads: usize, dh0: usize, stats: usize): void {
  const method = p.method, B = p.B, S = p.S, D = p.D, n = p.substeps;
  const s = stagesOf(method), bt = tableauB(method), a = tableauA(method);
  const bd = B * D, gk = L.gk, ks = L.kStride, gh = L.gh, gy = L.gy;
  // ∂h at the last requested time
  for (let b = 0; b < B; b++) {
    memory.copy(gh + (<usize>(b * D) << 2), dstates + (<usize>((b * S + S - 1) * D) << 2), <usize>D << 2);
  }
  let nfe = 0, step = (S - 1) * n;
  for (let si = S - 2; si >= 0; si--) {
    for (let j = n - 1; j >= 0; j--) {
      step--;
      stepTimes(p, L, si, j);
      memory.fill(gk, 0, ks * <usize>s);
      for (let i = 0; i < s; i++) axpy_rows(B, D, unchecked(bt[i]), L.dt, gh, gk + <usize>i * ks);
      for (let i = s - 1; i >= 0; i--) {
        // the stage's activations, kept by the forward: no recomputation
        mlp_vjp(net, actSlot(L, step, i, s), B, gk + <usize>i * ks, grads, gy, 0);
        nfe++;
        // ∂h += ∂y_i; ∂k_j += (dt·a_ij) ∂y_i
        add_f32_wasmsimd(bd, gy, gh);
        for (let jj = 0; jj < i; jj++) axpy_rows(B, D, aij(a, i, jj), L.dt, gy, gk + <usize>jj * ks);
      }
    }
    // the incoming gradient at t_s
    for (let b = 0; b < B; b++) {
      add_f32_wasmsimd(D, dstates + (<usize>((b * S + si) * D) << 2), gh + (<usize>(b * D) << 2));
    }
  }
  if (dh0 != 0) memory.copy(dh0, gh, <usize>bd << 2);
  fixedStats(p, nfe, stats);
}
