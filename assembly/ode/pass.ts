// The exported Neural ODE passes: each reads an ODE descriptor (constants.ts, OD_*: f64 fields),
// validates what is cheap to validate and only then solves. A host that passes nonsense gets an
// error code, never a trap or a write out of bounds:
//   - the descriptor itself inside memory (before any field is read);
//   - method and activation ids, every size >= 1 (S >= 1, substeps >= 1), the MLP's widths (the
//     first D + time input, the last D);
//   - every tensor's size and the workspace's in f64 against 4 GiB, every tensor inside memory;
//   - the workspace bytes the caller passes against what the shape needs;
//   - backward (backprop): the workspace must hold a forward solve of the same shape (a stamp in its
//     header of every field that shapes the workspace or the computation, widths included); the
//     adjoint's backward needs only the forward's states, given in OD_STATES.
//   - adjoint backward: the forward's states (OD_STATES) inside memory too;
//   - no tensor the pass writes overlaps the descriptor or the widths, which steer it (ERR_OVERLAP).
// Times are the host's to check (finite, strictly monotonic per row).
// Methods: the fixed-step ones (rk.ts) and dopri5 (dopri5.ts). Gradients: "backprop" (the forward
// keeps what reverse mode needs: rk.ts, dopri5.ts) or "adjoint" (adjoint.ts: the forward keeps
// nothing; the backward solves the augmented system from the forward's states).

import {
  OK, ERR_SIZE, ERR_TOO_LARGE, ERR_WORKSPACE, ERR_BOUNDS, ERR_NO_FORWARD, ERR_ARGUMENT, ERR_OVERLAP, ODE_METHOD_COUNT, ODE_DOPRI5, ACT_COUNT,
  OD_METHOD, OD_ACT, OD_TIME_INPUT, OD_D, OD_LAYERS, OD_WIDTHS, OD_B, OD_S, OD_TIMES, OD_PER_SEQ, OD_SUBSTEPS,
  OD_PARAMS, OD_GRADS, OD_WS, OD_WS_BYTES, OD_H0, OD_STATES, OD_DSTATES, OD_DH0, OD_STATS, OD_RTOL, OD_ATOL, OD_MAX_STEPS,
  OD_GRADIENT, OD_ADJ_NORM, OD_INPUT_MAP, OD_FIELDS, ODE_GRAD_ADJOINT, ODE_NORM_SEMI, ODE_MAP_CUBE,
} from "../constants";
import { mlp_param_count, mlp_setup } from "./mlp";
import { overlaps } from "../overlap";
import { rk_workspace_floats, rk_layout, rk_forward, rk_backward, mlpBuf } from "./rk";
import { dopri5_workspace_floats, dopri5_layout, dopri5_forward, dopri5_backward, dopri5_steps, failT, failDt, walked } from "./dopri5";
import { adjoint_workspace_floats, adjoint_layout, adjoint_fixed, adjoint_dopri5, adjFailT, adjFailDt, adjSteps, adjAccepted, adjRejected } from "./adjoint";

const MAX_FLOATS: f64 = 1073741824;
const STAMP: i32 = 0x4f444553; // "ODES"
/** Descriptor fields that shape the workspace or the computation of a backprop backward pass: the
 *  header stamps them (as i32: every one is an integer the checks bound below 2^31), then the K + 1
 *  widths. The tolerances, adj_norm and the tensors are not in it: the backward reads the forward's
 *  step sizes from the workspace, and the host vouches for the times and parameters. */
const SHAPE_FIELDS: StaticArray<i32> = [OD_METHOD, OD_ACT, OD_TIME_INPUT, OD_D, OD_LAYERS, OD_B, OD_S, OD_PER_SEQ, OD_SUBSTEPS, OD_MAX_STEPS, OD_GRADIENT, OD_INPUT_MAP];
const SHAPE_WORDS: i32 = 13; // the stamp and SHAPE_FIELDS
/** Floats of the header: the stamp, SHAPE_FIELDS and up to 65 widths (K <= 64), rounded up to a
 *  64-byte line. */
const HEADER_FLOATS: f64 = 80;

// @ts-ignore: decorator
@inline function getf(d: usize, i: i32): f64 { return load<f64>(d + (<usize>i << 3)); }
function isInt(v: f64, lo: f64, hi: f64): bool { return v == Math.floor(v) && v >= lo && v <= hi; }

function inside(p: f64, bytes: f64, required: bool): bool {
  if (p == 0) return !required;
  return isInt(p, 1, 4294967295) && p + bytes <= <f64>memory.size() * 65536;
}

/** The descriptor itself inside memory (checked before any field is read; in 64 bits, so a
 *  pointer near 4 GiB cannot wrap). */
function check_desc(d: usize): bool {
  return d != 0 && <u64>d + (<u64>OD_FIELDS << 3) <= (<u64>memory.size() << 16);
}

/** Descriptor inside memory, shape and widths valid, sizes below 4 GiB; returns OK or an error
 *  code. Sets `need` (floats). */
let need: f64 = 0;
function check_shape(d: usize): i32 {
  if (!check_desc(d)) return ERR_BOUNDS;
  const method = getf(d, OD_METHOD), act = getf(d, OD_ACT), ti = getf(d, OD_TIME_INPUT);
  if (!isInt(method, 0, ODE_METHOD_COUNT - 1) || !isInt(act, 0, ACT_COUNT - 1) || !isInt(ti, 0, 1)) return ERR_ARGUMENT;
  const rtol = getf(d, OD_RTOL), atol = getf(d, OD_ATOL), maxSteps = getf(d, OD_MAX_STEPS);
  if (!isInt(getf(d, OD_GRADIENT), 0, 1) || !isInt(getf(d, OD_ADJ_NORM), 0, 1) || !isInt(getf(d, OD_INPUT_MAP), 0, 1)) return ERR_ARGUMENT;
  if (<i32>method == ODE_DOPRI5 && (!(rtol > 0 && rtol < Infinity) || !(atol > 0 && atol < Infinity) || !isInt(maxSteps, 1, 1e9))) return ERR_ARGUMENT;
  const D = getf(d, OD_D), K = getf(d, OD_LAYERS), B = getf(d, OD_B), S = getf(d, OD_S), n = getf(d, OD_SUBSTEPS);
  if (!isInt(D, 1, 16777216) || !isInt(K, 1, 64) || !isInt(B, 1, 16777216) || !isInt(S, 1, 16777216) || !isInt(n, 1, 16777216) || !isInt(getf(d, OD_PER_SEQ), 0, 1)) return ERR_SIZE;
  const widths = getf(d, OD_WIDTHS);
  if (!inside(widths, (K + 1) * 4, true)) return ERR_BOUNDS;
  const wp = <usize>widths;
  for (let l = 0; l <= <i32>K; l++) {
    const wl = load<i32>(wp + (<usize>l << 2));
    if (wl < 1 || wl > (1 << 20)) return ERR_SIZE;
  }
  if (<f64>load<i32>(wp) != D + ti || <f64>load<i32>(wp + (<usize>(<i32>K) << 2)) != D) return ERR_SIZE;
  const adj = getf(d, OD_GRADIENT) == ODE_GRAD_ADJOINT;
  const solve = <i32>method == ODE_DOPRI5
    ? dopri5_workspace_floats(<i32>K, wp, <i32>B, <i32>S, <i32>D, <i32>maxSteps, !adj)
    : rk_workspace_floats(<i32>method, <i32>K, wp, <i32>B, <i32>S, <i32>D, <i32>n, !adj);
  // the adjoint's backward reuses the forward's workspace (it needs only the states); `need` is
  // set also when a size is too large, for ode_workspace_bytes to report it
  need = HEADER_FLOATS + (adj ? max(solve, adjoint_workspace_floats(<i32>method, <i32>K, wp, <i32>B, <i32>D)) : solve);
  if (B * S * D > MAX_FLOATS || mlp_param_count(<i32>K, wp) > MAX_FLOATS || need > MAX_FLOATS) return ERR_TOO_LARGE;
  return OK;
}

function check_tensors(d: usize, backward: bool): i32 {
  const D = getf(d, OD_D), B = getf(d, OD_B), S = getf(d, OD_S), K = getf(d, OD_LAYERS);
  const P = mlp_param_count(<i32>K, <usize>getf(d, OD_WIDTHS));
  if (!inside(getf(d, OD_TIMES), (getf(d, OD_PER_SEQ) == 1 ? B * S : S) * 8, true)) return ERR_BOUNDS;
  if (!inside(getf(d, OD_PARAMS), P * 4, true) || !inside(getf(d, OD_STATS), 32, true)) return ERR_BOUNDS;
  const wsb = getf(d, OD_WS_BYTES);
  if (!inside(getf(d, OD_WS), wsb, true)) return ERR_BOUNDS;
  if (wsb < need * 4) return ERR_WORKSPACE;
  if (!backward) {
    if (!inside(getf(d, OD_H0), B * D * 4, true) || !inside(getf(d, OD_STATES), B * S * D * 4, true)) return ERR_BOUNDS;
  } else {
    if (!inside(getf(d, OD_GRADS), P * 4, true) || !inside(getf(d, OD_DSTATES), B * S * D * 4, true) || !inside(getf(d, OD_DH0), B * D * 4, false)) return ERR_BOUNDS;
    if (getf(d, OD_GRADIENT) == ODE_GRAD_ADJOINT && !inside(getf(d, OD_STATES), B * S * D * 4, true)) return ERR_BOUNDS;
  }
  // what the pass writes must not overlap what steers it
  if (steered(d, getf(d, OD_WS), wsb) || steered(d, getf(d, OD_STATS), 32)) return ERR_OVERLAP;
  if (!backward ? steered(d, getf(d, OD_STATES), B * S * D * 4) : steered(d, getf(d, OD_GRADS), P * 4) || steered(d, getf(d, OD_DH0), B * D * 4)) return ERR_OVERLAP;
  return OK;
}

/** [p, p + bytes) overlaps the descriptor or the widths. */
function steered(d: usize, p: f64, bytes: f64): bool {
  return overlaps(p, bytes, <f64>d, <f64>(OD_FIELDS << 3)) || overlaps(p, bytes, getf(d, OD_WIDTHS), (getf(d, OD_LAYERS) + 1) * 4);
}

/** Bytes of workspace a pass of this descriptor needs, or an error code. Computed in f64, also
 *  when it (or a tensor of the shape) passes 4 GiB, so that a host can report it. */
export function ode_workspace_bytes(d: usize): f64 {
  const e = check_shape(d);
  return e != OK && e != ERR_TOO_LARGE ? <f64>e : need * 4;
}

/** Parameters of the vector field's MLP for K Linear layers of the given widths [K + 1]. */
export function ode_param_count(nLayers: i32, widths: usize): f64 {
  if (nLayers < 1 || nLayers > 64) return <f64>ERR_SIZE;
  if (widths == 0 || <u64>widths + (<u64>(nLayers + 1) << 2) > (<u64>memory.size() << 16)) return <f64>ERR_BOUNDS;
  return mlp_param_count(nLayers, widths);
}

/** Lay out the workspace for a forward solve, a backprop backward (the same layout) or, with
 *  adjointBackward, the adjoint's backward solve; set up f (which packs the weights into the
 *  workspace). */
function setup(d: usize, adjointBackward: bool): void {
  const scratch = layout(d, adjointBackward), K = <i32>getf(d, OD_LAYERS), widths = <usize>getf(d, OD_WIDTHS), B = <i32>getf(d, OD_B);
  mlp_setup(K, <i32>getf(d, OD_ACT), <i32>getf(d, OD_D), getf(d, OD_TIME_INPUT) == 1, getf(d, OD_INPUT_MAP) == ODE_MAP_CUBE, widths, <usize>getf(d, OD_PARAMS), B, scratch);
}

/** The workspace's layout only (writes nothing); returns where f's scratch goes. */
function layout(d: usize, adjointBackward: bool): usize {
  const ws = <usize>getf(d, OD_WS) + (<usize>HEADER_FLOATS << 2);
  const K = <i32>getf(d, OD_LAYERS), widths = <usize>getf(d, OD_WIDTHS), B = <i32>getf(d, OD_B);
  const store = getf(d, OD_GRADIENT) != ODE_GRAD_ADJOINT;
  let scratch: usize;
  if (adjointBackward) {
    scratch = adjoint_layout(<i32>getf(d, OD_METHOD), B, <i32>getf(d, OD_S), <i32>getf(d, OD_D), <i32>getf(d, OD_SUBSTEPS),
      <usize>getf(d, OD_TIMES), getf(d, OD_PER_SEQ) == 1, getf(d, OD_RTOL), getf(d, OD_ATOL), <i32>getf(d, OD_MAX_STEPS),
      getf(d, OD_ADJ_NORM) == ODE_NORM_SEMI, ws, K, widths);
  } else if (<i32>getf(d, OD_METHOD) == ODE_DOPRI5) {
    scratch = dopri5_layout(B, <i32>getf(d, OD_S), <i32>getf(d, OD_D), <usize>getf(d, OD_TIMES), getf(d, OD_PER_SEQ) == 1,
      getf(d, OD_RTOL), getf(d, OD_ATOL), <i32>getf(d, OD_MAX_STEPS), ws, K, widths, store);
  } else {
    rk_layout(<i32>getf(d, OD_METHOD), B, <i32>getf(d, OD_S), <i32>getf(d, OD_D), <i32>getf(d, OD_SUBSTEPS),
      <usize>getf(d, OD_TIMES), getf(d, OD_PER_SEQ) == 1, ws, K, widths);
    scratch = mlpBuf;
  }
  return scratch;
}

function header(d: usize): usize { return <usize>getf(d, OD_WS); }
/** Word i of the header for the descriptor d (after check_shape): the stamp, SHAPE_FIELDS, then
 *  the widths; SHAPE_WORDS + K + 1 words in all. */
function headerWord(d: usize, i: i32): i32 {
  if (i == 0) return STAMP;
  if (i < SHAPE_WORDS) return <i32>getf(d, unchecked(SHAPE_FIELDS[i - 1]));
  return load<i32>(<usize>getf(d, OD_WIDTHS) + (<usize>(i - SHAPE_WORDS) << 2));
}
function headerWords(d: usize): i32 { return SHAPE_WORDS + <i32>getf(d, OD_LAYERS) + 1; }
/** Stamp the header (the stamp word last: until then no forward is valid). */
function stampHeader(d: usize): void {
  const h = header(d);
  for (let i = headerWords(d) - 1; i >= 0; i--) store<i32>(h + (<usize>i << 2), headerWord(d, i));
}
/** The workspace holds a completed forward of exactly this shape. */
function stamped(d: usize): bool {
  const h = header(d), n = headerWords(d);
  for (let i = 0; i < n; i++) if (load<i32>(h + (<usize>i << 2)) != headerWord(d, i)) return false;
  return true;
}

/** Solve forward: states [B, S, D]. Returns OK or an error code (dopri5: ERR_MAX_STEPS or
 *  ERR_STEP_UNDERFLOW with t and the step size in stats[0], stats[1]). */
export function ode_forward(d: usize): i32 {
  let e = check_shape(d);
  if (e == OK) e = check_tensors(d, false);
  if (e != OK) return e;
  setup(d, false);
  const h = header(d);
  store<i32>(h, 0); // no valid forward until this one completes
  if (<i32>getf(d, OD_METHOD) == ODE_DOPRI5) {
    const st = <usize>getf(d, OD_STATS);
    const r = dopri5_forward(<usize>getf(d, OD_H0), <usize>getf(d, OD_STATES), st);
    if (r < 0) { store<f64>(st, failT); store<f64>(st + 8, failDt); return r; }
    stampHeader(d);
    return OK;
  }
  const nfe = rk_forward(<usize>getf(d, OD_H0), <usize>getf(d, OD_STATES), getf(d, OD_GRADIENT) != ODE_GRAD_ADJOINT);
  stampHeader(d);
  const st = <usize>getf(d, OD_STATS), steps = getf(d, OD_B) * (getf(d, OD_S) - 1) * getf(d, OD_SUBSTEPS);
  store<f64>(st, <f64>nfe); store<f64>(st + 8, steps); store<f64>(st + 16, steps); store<f64>(st + 24, 0);
  return OK;
}

/** Backprop through the last forward solve held in the workspace: parameter gradients accumulate
 *  into OD_GRADS, ∂L/∂h0 goes to OD_DH0 (if not 0). Returns OK or an error code. */
export function ode_backward(d: usize): i32 {
  let e = check_shape(d);
  if (e == OK) e = check_tensors(d, true);
  if (e != OK) return e;
  const st = <usize>getf(d, OD_STATS);
  if (getf(d, OD_GRADIENT) == ODE_GRAD_ADJOINT) {
    // nothing of the forward is kept in the workspace: the states (OD_STATES) are all it needs
    setup(d, true);
    const states = <usize>getf(d, OD_STATES), dstates = <usize>getf(d, OD_DSTATES), grads = <usize>getf(d, OD_GRADS), dh0 = <usize>getf(d, OD_DH0);
    if (<i32>getf(d, OD_METHOD) == ODE_DOPRI5) {
      const r = adjoint_dopri5(states, dstates, grads, dh0);
      if (r < 0) { store<f64>(st, adjFailT); store<f64>(st + 8, adjFailDt); return r; }
      store<f64>(st, <f64>r); store<f64>(st + 8, adjSteps); store<f64>(st + 16, adjAccepted); store<f64>(st + 24, adjRejected);
      return OK;
    }
    const nfe = adjoint_fixed(states, dstates, grads, dh0), steps = getf(d, OD_B) * (getf(d, OD_S) - 1) * getf(d, OD_SUBSTEPS);
    store<f64>(st, <f64>nfe); store<f64>(st + 8, steps); store<f64>(st + 16, steps); store<f64>(st + 24, 0);
    return OK;
  }
  if (!stamped(d)) return ERR_NO_FORWARD;
  setup(d, false);
  if (<i32>getf(d, OD_METHOD) == ODE_DOPRI5) {
    const nfe = dopri5_backward(<usize>getf(d, OD_DSTATES), <usize>getf(d, OD_GRADS), <usize>getf(d, OD_DH0));
    store<f64>(st, <f64>nfe); store<f64>(st + 8, walked); store<f64>(st + 16, walked); store<f64>(st + 24, 0);
    return OK;
  }
  const nfe = rk_backward(<usize>getf(d, OD_DSTATES), <usize>getf(d, OD_GRADS), <usize>getf(d, OD_DH0));
  const steps = getf(d, OD_B) * (getf(d, OD_S) - 1) * getf(d, OD_SUBSTEPS);
  store<f64>(st, <f64>nfe); store<f64>(st + 8, steps); store<f64>(st + 16, steps); store<f64>(st + 24, 0);
  return OK;
}

/** dopri5: the accepted steps of sequence `row` in the last forward solve held in the workspace:
 *  writes up to `capacity` (t, dt) pairs (f64) to out and returns the number of steps, or an error
 *  code (ERR_NO_FORWARD; ERR_ARGUMENT if the method is not dopri5, the gradient is "adjoint" (which
 *  keeps no steps) or row is out of range). */
export function ode_steps(d: usize, row: i32, out: usize, capacity: i32): i32 {
  const e = check_shape(d);
  if (e != OK) return e;
  const wsb = getf(d, OD_WS_BYTES);
  if (!inside(getf(d, OD_WS), wsb, true) || !inside(getf(d, OD_TIMES), 8, true) || !inside(getf(d, OD_PARAMS), 4, true)) return ERR_BOUNDS;
  if (wsb < need * 4) return ERR_WORKSPACE;
  if (<i32>getf(d, OD_METHOD) != ODE_DOPRI5 || getf(d, OD_GRADIENT) == ODE_GRAD_ADJOINT || row < 0 || <f64>row >= getf(d, OD_B) || capacity < 0) return ERR_ARGUMENT;
  if (!inside(<f64>out, <f64>capacity * 16, capacity > 0)) return ERR_BOUNDS;
  if (steered(d, <f64>out, <f64>capacity * 16) || overlaps(<f64>out, <f64>capacity * 16, getf(d, OD_WS), wsb)) return ERR_OVERLAP;
  if (!stamped(d)) return ERR_NO_FORWARD;
  layout(d, false); // the steps are in the workspace: f is not needed (nor written into it)
  return dopri5_steps(row, out, capacity);
}
