// Stateless Neural ODE passes over the core's ODE descriptor (assembly/constants.ts, OD_*: f64
// fields): the caller (a module) owns the memory; these write the descriptor, call ode_forward /
// ode_backward, and turn an error code into an exception.
import * as A from "../core/abi.js";
import * as check from "../core/check.js";
import { Blocks, allocAll, free, heapf32 } from "../core/arena.js";
import { core } from "../core/loader.js";

/** The shape of a solve. method: A.ODE_*, activation: A.ACT_*. */
export interface OdeShape {
  method: number;
  activation: number;
  timeInput: boolean;
  stateSize: number;
  /** Widths of f's layers: [D (+1), hidden..., D]. */
  widths: number[];
  batch: number;
  steps: number;
  perSequence: boolean;
  substeps: number;
  rtol: number;
  atol: number;
  maxSteps: number;
  /** A.ODE_GRAD_BACKPROP or A.ODE_GRAD_ADJOINT; adjoint dopri5's error norm: A.ODE_NORM_*. */
  gradient: number;
  adjointNorm: number;
  /** A.ODE_MAP_IDENTITY or A.ODE_MAP_CUBE (f sees h³). */
  inputMap: number;
  /** Input channels M of f (default 0): f sees [h, u, t], u held over each interval (fixed-step
   *  methods with backprop only); widths[0] = D + M (+1). */
  inputs?: number;
}

/** The core's method and activation ids are the indices in these lists (constants.ts ODE_*, ACT_*). */
export const ODE_METHODS = ["euler", "midpoint", "rk4", "dopri5"] as const;
export const ODE_ACTIVATIONS = ["tanh", "relu", "softplus"] as const;

/** The solve's fields of OdeShape (all but batch, steps, perSequence) from checked NeuralODE-style
 *  options and f's layer widths: the ids the core takes. */
export function odeShapeOf(
  o: { method: string; activation: string; timeInput: boolean; rtol: number; atol: number; substeps: number;
    maxSteps: number; gradient: string; adjointNorm: string; inputMap?: string },
  widths: number[],
): Omit<OdeShape, "batch" | "steps" | "perSequence"> {
  return { method: (ODE_METHODS as readonly string[]).indexOf(o.method),
    activation: (ODE_ACTIVATIONS as readonly string[]).indexOf(o.activation), timeInput: o.timeInput,
    stateSize: widths[widths.length - 1], widths, substeps: o.substeps, rtol: o.rtol, atol: o.atol,
    maxSteps: o.maxSteps, gradient: o.gradient === "adjoint" ? A.ODE_GRAD_ADJOINT : A.ODE_GRAD_BACKPROP,
    adjointNorm: o.adjointNorm === "seminorm" ? A.ODE_NORM_SEMI : A.ODE_NORM_MIXED,
    inputMap: o.inputMap === "cube" ? A.ODE_MAP_CUBE : A.ODE_MAP_IDENTITY };
}

/** The least atol: dopri5 scales each component's error by atol + rtol·|h| in float32, which must
 *  not underflow (a zero scale makes the first step 0/0, NaN): the smallest normal float32. */
export const ATOL_MIN = 2 ** -126;

/** A checked atol (`name` as the caller spells it): finite and at least ATOL_MIN. */
export function checkAtol(where: string, name: string, v: unknown): number {
  const a = check.num(where, name, v, 0, Infinity, true);
  if (a < ATOL_MIN) {
    throw new RangeError(
      `${where}: ${name} must be at least 2^-126 ≈ 1.18e-38 (dopri5 scales its error estimate by atol + rtol·|h| in float32, where a smaller atol can be 0), got ${a}`,
    );
  }
  return a;
}

/** Counts of one solve (forward or backward). */
export interface OdeStats {
  nfe: number;
  steps: number;
  accepted: number;
  rejected: number;
}

export const ODE_DESC_BYTES = 8 * A.OD_FIELDS;
let query = 0;

function heapF64(): Float64Array {
  return new Float64Array(core().memory.buffer);
}

/** Write the shape into the descriptor at `desc` (8-byte aligned) with the widths at `widths`. */
function writeShape(desc: number, widthsPtr: number, s: OdeShape): number {
  const h = heapF64(), o = desc / 8;
  h.fill(0, o, o + A.OD_FIELDS);
  h[o + A.OD_METHOD] = s.method;
  h[o + A.OD_ACT] = s.activation;
  h[o + A.OD_TIME_INPUT] = s.timeInput ? 1 : 0;
  h[o + A.OD_D] = s.stateSize;
  h[o + A.OD_LAYERS] = s.widths.length - 1;
  h[o + A.OD_WIDTHS] = widthsPtr;
  h[o + A.OD_B] = s.batch;
  h[o + A.OD_S] = s.steps;
  h[o + A.OD_PER_SEQ] = s.perSequence ? 1 : 0;
  h[o + A.OD_SUBSTEPS] = s.substeps;
  h[o + A.OD_RTOL] = s.rtol;
  h[o + A.OD_ATOL] = s.atol;
  h[o + A.OD_MAX_STEPS] = s.maxSteps;
  h[o + A.OD_GRADIENT] = s.gradient;
  h[o + A.OD_ADJ_NORM] = s.adjointNorm;
  h[o + A.OD_INPUT_MAP] = s.inputMap;
  h[o + A.OD_INPUTS] = s.inputs ?? 0;
  new Int32Array(core().memory.buffer, widthsPtr, s.widths.length).set(s.widths);
  return o;
}

/** Floats of f's parameters for these widths. */
export function odeParamCount(widths: number[]): number {
  let n = 0;
  for (let l = 1; l < widths.length; l++) n += widths[l] * widths[l - 1] + widths[l];
  return n;
}

/** What makes a solve's workspace large and how the caller shrinks it, for a memory error's
 *  advice: the options as the caller spells them (prefix "ode." for a Model's). Empty for
 *  gradient "adjoint", whose workspace does not grow with the steps. */
export function odeRemedies(s: OdeShape, prefix = ""): string[] {
  if (s.gradient === A.ODE_GRAD_ADJOINT) return [];
  return [
    s.method === A.ODE_DOPRI5
      ? `lower ${prefix}maxSteps (${s.maxSteps}: backprop keeps room for that many steps per sequence)`
      : `lower ${prefix}substeps (${s.substeps})`,
    `use ${prefix}gradient: "adjoint" (its memory does not grow with the steps)`,
  ];
}

/** "a", "a or b", "a, b, or c". */
export function orList(items: string[]): string {
  return items.length <= 2 ? items.join(" or ") : `${items.slice(0, -1).join(", ")}, or ${items[items.length - 1]}`;
}

/** Bytes of workspace a solve of this shape needs (exact, may exceed 4 GiB). */
export function odeWorkspaceBytes(s: OdeShape): number {
  if (!query) query = allocAll("recurrent-wasm", [ODE_DESC_BYTES + 4 * 66])[0];
  writeShape(query, query + ODE_DESC_BYTES, s);
  const n = core().ode_workspace_bytes(query);
  if (n < 0) throw new RangeError(`recurrent-wasm: ode_workspace_bytes: ${A.errorText(n)}`);
  return n;
}

/** Bytes of the blocks a solve keeps in its pass memory, by name (reserve with the caller's own). */
export function odeBlocks(s: OdeShape): Record<string, number> {
  return { desc: ODE_DESC_BYTES + 4 * 66, ws: odeWorkspaceBytes(s), stats: 32 };
}

function statsOf(mem: Blocks): OdeStats {
  const st = new Float64Array(core().memory.buffer, mem.get("stats"), 4);
  return { nfe: st[0], steps: st[1], accepted: st[2], rejected: st[3] };
}

function fail(where: string, code: number): never {
  throw new Error(`${where}: the WebAssembly core refused the solve: ${A.errorText(code)} (code ${code})`);
}

/** Forward solve; blocks as reserved by odeBlocks. Leaves the workspace holding what odeBackward
 *  needs. Pointers: params (f32), times (f64), h0 [B, D], states [B, S, D]; with s.inputs = M > 0,
 *  u [B, S − 1, M]. */
export function odeForward(where: string, mem: Blocks, s: OdeShape,
  t: { params: number; times: number; h0: number; states: number; u?: number }): OdeStats {
  const desc = mem.get("desc"), o = writeShape(desc, desc + ODE_DESC_BYTES, s), h = heapF64();
  h[o + A.OD_PARAMS] = t.params;
  h[o + A.OD_TIMES] = t.times;
  h[o + A.OD_H0] = t.h0;
  h[o + A.OD_STATES] = t.states;
  h[o + A.OD_U] = t.u ?? 0;
  h[o + A.OD_WS] = mem.get("ws");
  h[o + A.OD_WS_BYTES] = mem.bytes("ws");
  h[o + A.OD_STATS] = mem.get("stats");
  const code = core().ode_forward(desc);
  if (code !== A.OK) solveFailed(where, mem, s, code, false);
  checkFinite(where, s, t.times, t.states);
  return statsOf(mem);
}

/** A solve whose states are not all finite is a RangeError naming the first requested time where
 *  a state is not (dopri5 ends a blow-up itself, in a step size underflow; fixed steps just
 *  overflow). One pass over the states [B, S, D]: little next to the solve that wrote them. */
function checkFinite(where: string, s: OdeShape, times: number, states: number): void {
  const { batch: B, steps: S, stateSize: D } = s, v = heapf32(), o = states >>> 2;
  // the first (time index, then sequence) with a state that is not finite; states[b, 0] = h0,
  // checked finite by the caller
  let bad = -1, first = S;
  for (let b = 0; b < B; b++) {
    for (let i = 1; i < first; i++) {
      const row = o + (b * S + i) * D;
      let d = 0;
      while (d < D && v[row + d] - v[row + d] === 0) d++;
      if (d < D) {
        bad = b;
        first = i;
        break;
      }
    }
  }
  if (bad < 0) return;
  const t = new Float64Array(core().memory.buffer, times, s.perSequence ? B * S : S),
    at = s.perSequence ? bad * S + first : first;
  const t1 = t[at], t0 = t[at - 1], method = ODE_METHODS[s.method];
  throw new RangeError(
    s.method === A.ODE_DOPRI5
      ? `${where}: dopri5's solution is not finite at t = ${t1} (after the interval from t = ${t0}): the solution may blow up there; tighten rtol/atol`
      : `${where}: ${method}'s solution is not finite at t = ${t1} (after the interval from t = ${t0}, in ${s.substeps} step(s) of ${
        (t1 - t0) / s.substeps
      }): the solution may blow up there, or the steps are too large for f: use more substeps, shorter intervals, or dopri5`,
  );
}

/** A solve's error code as an exception: dopri5's step limits (of the forward solve, or of the
 *  adjoint's backward one) as a RangeError naming t and the step. */
function solveFailed(where: string, mem: Blocks, s: OdeShape, code: number, adjoint: boolean): never {
  if (code === A.ERR_MAX_STEPS || code === A.ERR_STEP_UNDERFLOW) {
    const { nfe: t, steps: dt } = statsOf(mem);
    const step = Number.isNaN(dt) ? "NaN: the error estimate was not finite" : dt.toPrecision(3);
    throw new RangeError(
      code === A.ERR_MAX_STEPS
        ? `${where}: dopri5${
          adjoint ? "'s adjoint solve" : ""
        } needed more than maxSteps = ${s.maxSteps} steps for one sequence; it stopped at t = ${t} with step size ${
          dt.toPrecision(3)
        } (a stiff problem, or tolerances too tight for float32): raise maxSteps, loosen rtol/atol, or use a fixed-step method`
        : `${where}: ${
          adjoint ? "the step size of dopri5's adjoint solve" : "dopri5's step size"
        } underflowed at t = ${t} (step ${step}): the solution may blow up there, or rtol/atol are too tight for float32`,
    );
  }
  fail(where, code);
}

/** The gradient of the last odeForward on the same pass memory: backprop through it, or (adjoint)
 *  the backward solve from its states (which must still be at `states`). Parameter gradients
 *  accumulate into grads, ∂L/∂h0 goes to dh0 (0: not wanted). */
export function odeBackward(where: string, mem: Blocks, s: OdeShape,
  t: { params: number; grads: number; times: number; states: number; dstates: number; dh0: number }): OdeStats {
  const desc = mem.get("desc"), o = writeShape(desc, desc + ODE_DESC_BYTES, s), h = heapF64();
  h[o + A.OD_PARAMS] = t.params;
  h[o + A.OD_GRADS] = t.grads;
  h[o + A.OD_TIMES] = t.times;
  h[o + A.OD_STATES] = t.states;
  h[o + A.OD_DSTATES] = t.dstates;
  h[o + A.OD_DH0] = t.dh0;
  h[o + A.OD_WS] = mem.get("ws");
  h[o + A.OD_WS_BYTES] = mem.bytes("ws");
  h[o + A.OD_STATS] = mem.get("stats");
  const code = core().ode_backward(desc);
  if (code !== A.OK) solveFailed(where, mem, s, code, true);
  return statsOf(mem);
}

/** dopri5: the accepted steps (t, dt) of sequence `row` in the last odeForward on this pass memory. */
export function odeSteps(where: string, mem: Blocks, s: OdeShape, t: { params: number; times: number },
  row: number): { t: Float64Array; dt: Float64Array } {
  const desc = mem.get("desc"), o = writeShape(desc, desc + ODE_DESC_BYTES, s), h = heapF64();
  h[o + A.OD_PARAMS] = t.params;
  h[o + A.OD_TIMES] = t.times;
  h[o + A.OD_WS] = mem.get("ws");
  h[o + A.OD_WS_BYTES] = mem.bytes("ws");
  h[o + A.OD_STATS] = mem.get("stats");
  const c = core();
  const n = c.ode_steps(desc, row, 0, 0);
  if (n < 0) fail(where, n);
  if (n === 0) return { t: new Float64Array(0), dt: new Float64Array(0) };
  const [out] = allocAll(where, [16 * n]);
  try {
    c.ode_steps(desc, row, out, n);
    const pairs = new Float64Array(c.memory.buffer, out, 2 * n);
    return { t: Float64Array.from({ length: n }, (_, k) => pairs[2 * k]),
      dt: Float64Array.from({ length: n }, (_, k) => pairs[2 * k + 1]) };
  } finally {
    free(out);
  }
}
