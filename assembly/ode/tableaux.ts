// Butcher tableaux of the solvers: the fixed-step methods (rk.ts, adjoint.ts) and Dormand–Prince
// 5(4) (dopri5.ts, adjoint.ts). a is lower-triangular, stored row by row: a21; a31 a32; a41 a42 a43;
// entry (i, j) (0-based, j < i) at i(i−1)/2 + j (aij).

import { ODE_EULER, ODE_MIDPOINT, ODE_RK4 } from "../constants";

const C_EULER: StaticArray<f64> = [0];
const B_EULER: StaticArray<f64> = [1];
const A_EULER: StaticArray<f64> = [];
const C_MID: StaticArray<f64> = [0, 0.5];
const B_MID: StaticArray<f64> = [0, 1];
const A_MID: StaticArray<f64> = [0.5];
const C_RK4: StaticArray<f64> = [0, 0.5, 0.5, 1];
const B_RK4: StaticArray<f64> = [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6];
const A_RK4: StaticArray<f64> = [0.5, 0, 0.5, 0, 0, 1];

/** Stages of a method (dopri5: 7, the last one FSAL's next k1). */
export function stagesOf(method: i32): i32 {
  return method == ODE_EULER ? 1 : method == ODE_MIDPOINT ? 2 : method == ODE_RK4 ? 4 : 7;
}

/** A fixed-step method's nodes c, weights b and matrix a. */
export function tableauC(method: i32): StaticArray<f64> {
  return method == ODE_EULER ? C_EULER : method == ODE_MIDPOINT ? C_MID : C_RK4;
}
export function tableauB(method: i32): StaticArray<f64> {
  return method == ODE_EULER ? B_EULER : method == ODE_MIDPOINT ? B_MID : B_RK4;
}
export function tableauA(method: i32): StaticArray<f64> {
  return method == ODE_EULER ? A_EULER : method == ODE_MIDPOINT ? A_MID : A_RK4;
}

/** a_ij of a lower-triangular tableau (0-based, j < i). */
// @ts-ignore: decorator
@inline export function aij(a: StaticArray<f64>, i: i32, j: i32): f64 {
  return unchecked(a[((i - 1) * i) / 2 + j]);
}

/** Dormand–Prince 5(4): nodes, a (row 7 = the 5th-order weights b, FSAL), and the error weights
 *  e = b − b̂ (b̂ the 4th-order weights). */
export const DP_C: StaticArray<f64> = [0, 0.2, 0.3, 0.8, 8.0 / 9, 1, 1];
export const DP_A: StaticArray<f64> = [0.2, 3.0 / 40, 9.0 / 40, 44.0 / 45, -56.0 / 15, 32.0 / 9, 19372.0 / 6561,
  -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729, 9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176,
  -5103.0 / 18656, 35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84];
export const DP_E: StaticArray<f64> = [35.0 / 384 - 1951.0 / 21600, 0, 500.0 / 1113 - 22642.0 / 50085,
  125.0 / 192 - 451.0 / 720, -2187.0 / 6784 + 12231.0 / 42400, 11.0 / 84 - 649.0 / 6300, -1.0 / 60];
/** Where b_i (= a_7i) starts in DP_A. */
export const DP_B_AT: i32 = 15;
