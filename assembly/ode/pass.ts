// The exported Neural ODE passes: each reads an ODE descriptor (constants.ts, OD_*: f64 fields),
// validates what is cheap to validate and only then solves. A host that passes nonsense gets an
// error code, never a trap or a write out of bounds:
//   - the descriptor itself inside memory (before any field is read);
//   - method and activation ids, every size >= 1 (S >= 1, substeps >= 1), the MLP's widths (the
//     first D + M inputs + time input, the last D); inputs (M > 0) only with a fixed-step method
//     and gradient backprop;
//   - every tensor's size and the workspace's in f64 against 4 GiB, every tensor inside memory;
//   - the workspace bytes the caller passes against what the shape needs;
//   - backward (backprop): the workspace must hold a forward solve of the same shape (a stamp in its
//     header of every field that shapes the workspace or the computation, widths included); the
//     adjoint's backward needs only the forward's states, given in OD_STATES.
//   - adjoint backward: the forward's states (OD_STATES) inside memory too;
//   - no tensor the pass writes overlaps what steers it (ERR_OVERLAP): the descriptor, the widths
//     and, for its outputs (states, gradients, ∂h0, stats), the workspace's header, where the
//     records the solver follows are.
// Times are the host's to check (finite, strictly monotonic per row).
// Methods: the fixed-step ones (rk.ts) and dopri5 (dopri5.ts). Gradients: "backprop" (the forward
// keeps what reverse mode needs: rk.ts, dopri5.ts) or "adjoint" (adjoint.ts: the forward keeps
// nothing; the backward solves the augmented system from the forward's states).

import { OK, ERR_SIZE, ERR_TOO_LARGE, ERR_WORKSPACE, ERR_BOUNDS, ERR_NO_FORWARD, ERR_ARGUMENT, ERR_OVERLAP,
  ODE_METHOD_COUNT, ODE_DOPRI5, ACT_COUNT, OD_METHOD, OD_ACT, OD_TIME_INPUT, OD_D, OD_LAYERS, OD_WIDTHS, OD_B, OD_S,
  OD_TIMES, OD_PER_SEQ, OD_SUBSTEPS, OD_PARAMS, OD_GRADS, OD_WS, OD_WS_BYTES, OD_H0, OD_STATES, OD_DSTATES, OD_DH0,
  OD_STATS, OD_RTOL, OD_ATOL, OD_MAX_STEPS, OD_GRADIENT, OD_ADJ_NORM, OD_INPUT_MAP, OD_FIELDS, ODE_GRAD_ADJOINT,
  ODE_NORM_SEMI, ODE_MAP_CUBE, OD_INPUTS, OD_U } from "../constants";
import { mlp_param_count, mlp_layout, mlp_setup, Mlp } from "./mlp";
import { overlaps } from "../overlap";
import { Problem } from "./problem";
import { Rk, rk_layout, rk_forward, rk_backward } from "./rk";
import { Dopri5, dopri5_layout, dopri5_forward, dopri5_backward, dopri5_steps } from "./dopri5";
import { Adjoint, adjoint_layout, adjoint_fixed, adjoint_dopri5 } from "./adjoint";

const MAX_FLOATS: f64 = 1073741824;
const STAMP: i32 = 0x4f444553; // "ODES"
/** Descriptor fields that shape the workspace or the computation of a backprop backward pass: the
 *  header stamps them (as i32: every one is an integer the checks bound below 2^31), then the K + 1
 *  widths. The tolerances, adj_norm and the tensors are not in it: the backward reads the forward's
 *  step sizes from the workspace, and the host vouches for the times and parameters. */
const SHAPE_FIELDS: StaticArray<i32> = [OD_METHOD, OD_ACT, OD_TIME_INPUT, OD_D, OD_LAYERS, OD_B, OD_S, OD_PER_SEQ,
  OD_SUBSTEPS, OD_MAX_STEPS, OD_GRADIENT, OD_INPUT_MAP, OD_INPUTS];
const SHAPE_WORDS: i32 = 14; // the stamp and SHAPE_FIELDS

// The workspace's header (floats from ws), then the solver's regions (rk.ts, dopri5.ts or
// adjoint.ts, f's scratch among them). Every part starts on a 64-byte line:
//   [0, 80)          the stamp of the last completed forward: the stamp word, SHAPE_FIELDS and up
//                    to 65 widths (K <= 64): at most 79 words;
//   PROBLEM_AT       this call's Problem (problem.ts): the descriptor in native types;
//   NET_AT           f's Mlp (mlp.ts);
//   SOLVER_AT        the solver's layout: an Rk, a Dopri5 or an Adjoint.
// The records are written by every pass before it solves and passed to the solver's functions:
// the core keeps nothing between calls, and in a threaded build several instances share one
// memory, so the caller's workspace is the one place that belongs to this call.
// (Floats of a record: its bytes rounded up to 64, over 4.)
const PROBLEM_AT: usize = 80;
const NET_AT: usize = PROBLEM_AT + ((offsetof<Problem>() + 63) >> 6 << 4);
const SOLVER_AT: usize = NET_AT + ((offsetof<Mlp>() + 63) >> 6 << 4);
const FIXED_OR_DOPRI5: usize = offsetof<Rk>() > offsetof<Dopri5>() ? offsetof<Rk>() : offsetof<Dopri5>();
const SOLVER_BYTES: usize = FIXED_OR_DOPRI5 > offsetof<Adjoint>() ? FIXED_OR_DOPRI5 : offsetof<Adjoint>();
const HEADER_FLOATS: usize = SOLVER_AT + ((SOLVER_BYTES + 63) >> 6 << 4);

// @ts-ignore: decorator
@inline function getf(d: usize, i: i32): f64 {
  return load<f64>(d + (<usize>i << 3));
}
function isInt(v: f64, lo: f64, hi: f64): bool {
  return v == Math.floor(v) && v >= lo && v <= hi;
}

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
 *  code. */
function check_shape(d: usize): i32 {
  if (!check_desc(d)) return ERR_BOUNDS;
  const method = getf(d, OD_METHOD), act = getf(d, OD_ACT), ti = getf(d, OD_TIME_INPUT);
  if (!isInt(method, 0, ODE_METHOD_COUNT - 1) || !isInt(act, 0, ACT_COUNT - 1) || !isInt(ti, 0, 1)) return ERR_ARGUMENT;
  const rtol = getf(d, OD_RTOL), atol = getf(d, OD_ATOL), maxSteps = getf(d, OD_MAX_STEPS);
  if (!isInt(getf(d, OD_GRADIENT), 0, 1) || !isInt(getf(d, OD_ADJ_NORM), 0, 1) || !isInt(getf(d, OD_INPUT_MAP), 0, 1)) {
    return ERR_ARGUMENT;
  }
  if (<i32>method == ODE_DOPRI5
    && (!(rtol > 0 && rtol < Infinity) || !(atol > 0 && atol < Infinity) || !isInt(maxSteps, 1, 1e9))) {
    return ERR_ARGUMENT;
  }
  const D = getf(d, OD_D), K = getf(d, OD_LAYERS), B = getf(d, OD_B), S = getf(d, OD_S), n = getf(d, OD_SUBSTEPS);
  if (!isInt(D, 1, 16777216) || !isInt(K, 1, 64) || !isInt(B, 1, 16777216) || !isInt(S, 1, 16777216)
    || !isInt(n, 1, 16777216) || !isInt(getf(d, OD_PER_SEQ), 0, 1)) return ERR_SIZE;
  const widths = getf(d, OD_WIDTHS);
  if (!inside(widths, (K + 1) * 4, true)) return ERR_BOUNDS;
  const wp = <usize>widths;
  for (let l = 0; l <= <i32>K; l++) {
    const wl = load<i32>(wp + (<usize>l << 2));
    if (wl < 1 || wl > (1 << 20)) return ERR_SIZE;
  }
  const M = getf(d, OD_INPUTS);
  if (!isInt(M, 0, 1048576)) return ERR_SIZE;
  // inputs: the fixed-step solvers with backprop (every row is on the same interval at once)
  if (M > 0 && (<i32>method == ODE_DOPRI5 || getf(d, OD_GRADIENT) == ODE_GRAD_ADJOINT)) return ERR_ARGUMENT;
  if (<f64>load<i32>(wp) != D + M + ti || <f64>load<i32>(wp + (<usize>(<i32>K) << 2)) != D) return ERR_SIZE;
  if (B * S * D > MAX_FLOATS || mlp_param_count(<i32>K, wp) > MAX_FLOATS || workspace_floats(d) > MAX_FLOATS) {
    return ERR_TOO_LARGE;
  }
  return OK;
}

/** Floats of workspace the descriptor's (valid) shape needs, the header included; in f64, also
 *  past 4 GiB. The adjoint's backward reuses the forward's workspace (it needs only the states). */
function workspace_floats(d: usize): f64 {
  const method = <i32>getf(d, OD_METHOD), K = <i32>getf(d, OD_LAYERS), widths = <usize>getf(d, OD_WIDTHS);
  const B = <i32>getf(d, OD_B), D = <i32>getf(d, OD_D), adj = getf(d, OD_GRADIENT) == ODE_GRAD_ADJOINT;
  const solve = method == ODE_DOPRI5
    ? dopri5_layout(null, 0, B, D, <i32>getf(d, OD_MAX_STEPS), !adj, K, widths)
    : rk_layout(null, 0, method, B, D, (getf(d, OD_S) - 1) * getf(d, OD_SUBSTEPS), !adj, K, widths);
  return <f64>HEADER_FLOATS + (adj ? max(solve, adjoint_layout(null, 0, method, B, D, K, widths)) : solve);
}

function check_tensors(d: usize, backward: bool): i32 {
  const D = getf(d, OD_D), B = getf(d, OD_B), S = getf(d, OD_S), K = getf(d, OD_LAYERS);
  const P = mlp_param_count(<i32>K, <usize>getf(d, OD_WIDTHS));
  if (!inside(getf(d, OD_TIMES), (getf(d, OD_PER_SEQ) == 1 ? B * S : S) * 8, true)) return ERR_BOUNDS;
  if (!inside(getf(d, OD_PARAMS), P * 4, true) || !inside(getf(d, OD_STATS), 32, true)) return ERR_BOUNDS;
  const uBytes = B * (S - 1) * getf(d, OD_INPUTS) * 4;
  if (!backward && !inside(getf(d, OD_U), uBytes, uBytes > 0)) return ERR_BOUNDS;
  const wsb = getf(d, OD_WS_BYTES);
  if (!inside(getf(d, OD_WS), wsb, true)) return ERR_BOUNDS;
  if (wsb < workspace_floats(d) * 4) return ERR_WORKSPACE;
  if (!backward) {
    if (!inside(getf(d, OD_H0), B * D * 4, true) || !inside(getf(d, OD_STATES), B * S * D * 4, true)) return ERR_BOUNDS;
  } else {
    if (!inside(getf(d, OD_GRADS), P * 4, true) || !inside(getf(d, OD_DSTATES), B * S * D * 4, true)
      || !inside(getf(d, OD_DH0), B * D * 4, false)) return ERR_BOUNDS;
    if (getf(d, OD_GRADIENT) == ODE_GRAD_ADJOINT && !inside(getf(d, OD_STATES), B * S * D * 4, true)) return ERR_BOUNDS;
  }
  // what the pass writes must not overlap what steers it: the workspace's header among it (the
  // records the solver follows)
  if (steered(d, getf(d, OD_WS), wsb) || written(d, getf(d, OD_STATS), 32)) return ERR_OVERLAP;
  if (!backward
    ? written(d, getf(d, OD_STATES), B * S * D * 4)
    : written(d, getf(d, OD_GRADS), P * 4) || written(d, getf(d, OD_DH0), B * D * 4)) return ERR_OVERLAP;
  return OK;
}

/** [p, p + bytes) overlaps the descriptor or the widths. */
function steered(d: usize, p: f64, bytes: f64): bool {
  return overlaps(p, bytes, <f64>d, <f64>(OD_FIELDS << 3))
    || overlaps(p, bytes, getf(d, OD_WIDTHS), (getf(d, OD_LAYERS) + 1) * 4);
}
/** An output at [p, p + bytes) overlaps what steers the pass: the descriptor, the widths or the
 *  workspace's header. */
function written(d: usize, p: f64, bytes: f64): bool {
  return steered(d, p, bytes) || overlaps(p, bytes, getf(d, OD_WS), <f64>(HEADER_FLOATS << 2));
}

/** Bytes of workspace a pass of this descriptor needs, or an error code. Computed in f64, also
 *  when it (or a tensor of the shape) passes 4 GiB, so that a host can report it. */
export function ode_workspace_bytes(d: usize): f64 {
  const e = check_shape(d);
  return e != OK && e != ERR_TOO_LARGE ? <f64>e : workspace_floats(d) * 4;
}

/** Parameters of the vector field's MLP for K Linear layers of the given widths [K + 1]. */
export function ode_param_count(nLayers: i32, widths: usize): f64 {
  if (nLayers < 1 || nLayers > 64) return <f64>ERR_SIZE;
  if (widths == 0 || <u64>widths + (<u64>(nLayers + 1) << 2) > (<u64>memory.size() << 16)) return <f64>ERR_BOUNDS;
  return mlp_param_count(nLayers, widths);
}

// @ts-ignore: decorator
@inline function header(d: usize): usize {
  return <usize>getf(d, OD_WS);
}
/** Where the solver's regions start: after the header. */
// @ts-ignore: decorator
@inline function regions(d: usize): usize {
  return header(d) + (HEADER_FLOATS << 2);
}

/** The call's Problem, read from the (checked) descriptor into the header. */
function problem(d: usize): Problem {
  const p = changetype<Problem>(header(d) + (PROBLEM_AT << 2));
  p.method = <i32>getf(d, OD_METHOD);
  p.B = <i32>getf(d, OD_B);
  p.S = <i32>getf(d, OD_S);
  p.D = <i32>getf(d, OD_D);
  p.substeps = <i32>getf(d, OD_SUBSTEPS);
  p.maxSteps = <i32>getf(d, OD_MAX_STEPS);
  p.perSeq = getf(d, OD_PER_SEQ) == 1;
  p.store = getf(d, OD_GRADIENT) != ODE_GRAD_ADJOINT;
  p.semi = getf(d, OD_ADJ_NORM) == ODE_NORM_SEMI;
  p.times = <usize>getf(d, OD_TIMES);
  p.rtol = getf(d, OD_RTOL);
  p.atol = getf(d, OD_ATOL);
  p.M = <i32>getf(d, OD_INPUTS);
  p.u = <usize>getf(d, OD_U);
  return p;
}

/** f for this call, its scratch at `at` (a region of the solver's layout): the Mlp in the header,
 *  the weights packed into the scratch. */
function network(d: usize, at: usize): Mlp {
  const net = changetype<Mlp>(header(d) + (NET_AT << 2));
  mlp_layout(net, at, <i32>getf(d, OD_LAYERS), <usize>getf(d, OD_WIDTHS), <i32>getf(d, OD_B));
  mlp_setup(net, <usize>getf(d, OD_PARAMS), <i32>getf(d, OD_ACT), getf(d, OD_TIME_INPUT) == 1,
    getf(d, OD_INPUT_MAP) == ODE_MAP_CUBE);
  return net;
}

/** The fixed-step solver's layout of this call's workspace (forward, and backprop's backward). */
function rk(d: usize, p: Problem): Rk {
  const L = changetype<Rk>(header(d) + (SOLVER_AT << 2));
  rk_layout(L, regions(d), p.method, p.B, p.D, <f64>(p.S - 1) * <f64>p.substeps, p.store, <i32>getf(d, OD_LAYERS),
    <usize>getf(d, OD_WIDTHS));
  return L;
}

/** dopri5's layout of this call's workspace (forward, and backprop's backward). */
function dopri5(d: usize, p: Problem): Dopri5 {
  const L = changetype<Dopri5>(header(d) + (SOLVER_AT << 2));
  dopri5_layout(L, regions(d), p.B, p.D, p.maxSteps, p.store, <i32>getf(d, OD_LAYERS), <usize>getf(d, OD_WIDTHS));
  return L;
}

/** The adjoint backward's layout of this call's workspace. */
function adjoint(d: usize, p: Problem): Adjoint {
  const L = changetype<Adjoint>(header(d) + (SOLVER_AT << 2));
  adjoint_layout(L, regions(d), p.method, p.B, p.D, <i32>getf(d, OD_LAYERS), <usize>getf(d, OD_WIDTHS));
  return L;
}

/** Word i of the header for the descriptor d (after check_shape): the stamp, SHAPE_FIELDS, then
 *  the widths; SHAPE_WORDS + K + 1 words in all. */
function headerWord(d: usize, i: i32): i32 {
  if (i == 0) return STAMP;
  if (i < SHAPE_WORDS) return <i32>getf(d, unchecked(SHAPE_FIELDS[i - 1]));
  return load<i32>(<usize>getf(d, OD_WIDTHS) + (<usize>(i - SHAPE_WORDS) << 2));
}
function headerWords(d: usize): i32 {
  return SHAPE_WORDS + <i32>getf(d, OD_LAYERS) + 1;
}
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
  const p = problem(d), h0 = <usize>getf(d, OD_H0), states = <usize>getf(d, OD_STATES),
    stats = <usize>getf(d, OD_STATS);
  store<i32>(header(d), 0); // no valid forward until this one completes
  if (p.method == ODE_DOPRI5) {
    const L = dopri5(d, p), r = dopri5_forward(p, network(d, L.net), L, h0, states, stats);
    if (r < 0) return r;
  } else {
    const L = rk(d, p);
    rk_forward(p, network(d, L.net), L, h0, states, stats);
  }
  stampHeader(d);
  return OK;
}

/** Backprop through the last forward solve held in the workspace: parameter gradients accumulate
 *  into OD_GRADS, ∂L/∂h0 goes to OD_DH0 (if not 0). Returns OK or an error code. */
export function ode_backward(d: usize): i32 {
  let e = check_shape(d);
  if (e == OK) e = check_tensors(d, true);
  if (e != OK) return e;
  const dstates = <usize>getf(d, OD_DSTATES), grads = <usize>getf(d, OD_GRADS), dh0 = <usize>getf(d, OD_DH0),
    stats = <usize>getf(d, OD_STATS);
  if (getf(d, OD_GRADIENT) == ODE_GRAD_ADJOINT) {
    // nothing of the forward is kept in the workspace: the states (OD_STATES) are all it needs
    const p = problem(d), L = adjoint(d, p), net = network(d, L.net), states = <usize>getf(d, OD_STATES);
    if (p.method == ODE_DOPRI5) {
      const r = adjoint_dopri5(p, net, L, states, dstates, grads, dh0, stats);
      return r < 0 ? r : OK;
    }
    adjoint_fixed(p, net, L, states, dstates, grads, dh0, stats);
    return OK;
  }
  if (!stamped(d)) return ERR_NO_FORWARD;
  const p = problem(d);
  if (p.method == ODE_DOPRI5) {
    const L = dopri5(d, p);
    dopri5_backward(p, network(d, L.net), L, dstates, grads, dh0, stats);
  } else {
    const L = rk(d, p);
    rk_backward(p, network(d, L.net), L, dstates, grads, dh0, stats);
  }
  return OK;
}

/** dopri5: the accepted steps of sequence `row` in the last forward solve held in the workspace:
 *  writes up to `capacity` (t, dt) pairs (f64) to out and returns the number of steps, or an error
 *  code (ERR_NO_FORWARD; ERR_ARGUMENT if the method is not dopri5, the gradient is "adjoint" (which
 *  keeps no steps) or row is out of range). */
export function ode_steps(d: usize, row: i32, out: usize, capacity: i32): i32 {
  // writes nothing but out, not even the header's records: where the steps are follows from the
  // shape (dopri5_steps)
  const e = check_shape(d);
  if (e != OK) return e;
  const wsb = getf(d, OD_WS_BYTES);
  if (!inside(getf(d, OD_WS), wsb, true) || !inside(getf(d, OD_TIMES), 8, true)
    || !inside(getf(d, OD_PARAMS), 4, true)) return ERR_BOUNDS;
  if (wsb < workspace_floats(d) * 4) return ERR_WORKSPACE;
  if (<i32>getf(d, OD_METHOD) != ODE_DOPRI5 || getf(d, OD_GRADIENT) == ODE_GRAD_ADJOINT || row < 0
    || <f64>row >= getf(d, OD_B) || capacity < 0) return ERR_ARGUMENT;
  if (!inside(<f64>out, <f64>capacity * 16, capacity > 0)) return ERR_BOUNDS;
  if (steered(d, <f64>out, <f64>capacity * 16) || overlaps(<f64>out, <f64>capacity * 16, getf(d, OD_WS), wsb)) {
    return ERR_OVERLAP;
  }
  if (!stamped(d)) return ERR_NO_FORWARD;
  return dopri5_steps(regions(d), <i32>getf(d, OD_B), <i32>getf(d, OD_MAX_STEPS), row, out, capacity);
}
