// The exported recurrent passes: each reads a pass descriptor (constants.ts, RD_*), validates what
// is cheap to validate, and only then runs the stack (stack.ts). A host that passes nonsense gets
// an error code (constants.ts, ERR_*), never a write out of bounds:
//   - the cell id, every size >= 1, D in {1, 2}, checkpoint in {0, 1}, truncate >= 0;
//   - every tensor's size, computed in 64 bits (f64 first, so no product can wrap), and the
//     workspace's, against 4 GiB; every tensor [ptr, ptr + bytes) inside the current memory, and
//     the required ones non-zero;
//   - the workspace bytes the caller passes against what this shape needs;
//   - lengths in 1..T;
//   - no tensor the pass writes (ws, out, hn, cn; grads, dx, dh0, dc0, dhs) overlaps the descriptor
//     or the lengths, which steer it, nor the dropout mask, which both passes read; no output
//     overlaps the workspace's header, whose records steer it too (ERR_OVERLAP);
//   - backward: the workspace must hold a forward pass of the same shape (a stamp in its header).
// Not checked: that tensors holding only values (x, h0, params, ...) do not overlap the outputs.

import { CELL_COUNT, CELL_LSTM, OK, ERR_CELL, ERR_SIZE, ERR_TOO_LARGE, ERR_LENGTHS, ERR_WORKSPACE, ERR_BOUNDS,
  ERR_NO_FORWARD, ERR_ARGUMENT, ERR_OVERLAP, RD_CELL, RD_B, RD_T, RD_I, RD_H, RD_L, RD_D, RD_CHECKPOINT, RD_TRUNCATE,
  RD_PARAMS, RD_GRADS, RD_WS, RD_WS_BYTES, RD_X, RD_LENGTHS, RD_H0, RD_C0, RD_OUT, RD_HN, RD_CN, RD_DOUT, RD_DHN,
  RD_DCN, RD_DX, RD_DH0, RD_DC0, RD_DHS, RD_PACKED, RD_DROPOUT, RD_FIELDS } from "../constants";
import { geti, getp } from "../common";
import { paramCount, rnn_layout, RnnLayout, LAYOUT_AT, STAMP_WORDS, HEADER_FLOATS } from "./layout";
import { cellGates, cellHasC } from "./cells";
import { stack_forward, stack_backward } from "./stack";
import { overlaps } from "../overlap";

/** 4 GiB of f32: no tensor or workspace can be larger in wasm32. */
const MAX_FLOATS: f64 = 1073741824;
const STAMP: i32 = 0x52574653; // "RWFS"

/** Shape fields valid and every tensor of the shape (and the parameters) below 4 GiB (the
 *  workspace: validate). */
function check_shape(d: usize): i32 {
  const cell = geti(d, RD_CELL);
  if (cell < 0 || cell >= CELL_COUNT) return ERR_CELL;
  const B = geti(d, RD_B), T = geti(d, RD_T), I = geti(d, RD_I), H = geti(d, RD_H), L = geti(d, RD_L),
    D = geti(d, RD_D);
  if (B < 1 || T < 1 || I < 1 || H < 1 || L < 1 || L > 4096 || D < 1 || D > 2) return ERR_SIZE;
  const ck = geti(d, RD_CHECKPOINT);
  if (ck < 0 || ck > 1 || geti(d, RD_TRUNCATE) < 0 || geti(d, RD_PACKED) < 0 || geti(d, RD_PACKED) > 1) {
    return ERR_ARGUMENT;
  }
  const fB = <f64>B, fT = <f64>T, fH = <f64>H, G = <f64>cellGates(cell), LD = <f64>L * <f64>D;
  const maxIn = max(<f64>I, L > 1 ? <f64>D * fH : 0);
  // the largest tensors of the pass, in f64 (exact far beyond 2^30): inputs, outputs, states, gates,
  // per-step state gradients, parameters
  if (fB * fT * maxIn > MAX_FLOATS || fB * fT * <f64>D * fH > MAX_FLOATS || (fT + 1) * fB * fH * G > MAX_FLOATS
    || LD * fT * fB * fH > MAX_FLOATS || LD * G * fH * (maxIn + fH + 2) > MAX_FLOATS) return ERR_TOO_LARGE;
  return OK;
}

/** [p, p + floats·4) inside memory (p = 0 is allowed only when the tensor is optional). */
function inside(p: usize, floats: u64, required: bool): bool {
  if (p == 0) return !required;
  return <u64>p + (floats << 2) <= (<u64>memory.size() << 16);
}

/** Every tensor of d inside memory and sized for its shape; the workspace (wsFloats: the layout's
 *  total) large enough; no output over what steers the pass. */
function check_tensors(d: usize, backward: bool, wsFloats: f64): i32 {
  const cell = geti(d, RD_CELL), B = geti(d, RD_B), T = geti(d, RD_T), I = geti(d, RD_I), H = geti(d, RD_H);
  const L = geti(d, RD_L), D = geti(d, RD_D);
  const P = <u64>paramCount(cellGates(cell), I, H, L, D);
  const state = <u64>L * <u64>D * <u64>B * <u64>H, xs = <u64>B * <u64>T * <u64>I,
    ys = <u64>B * <u64>T * <u64>D * <u64>H;
  const lstm = cellHasC(cell);
  if (!inside(getp(d, RD_PARAMS), P, true) || !inside(getp(d, RD_X), xs, !backward || geti(d, RD_CHECKPOINT) != 0)) {
    return ERR_BOUNDS;
  }
  if (!inside(getp(d, RD_H0), state, false) || (lstm && !inside(getp(d, RD_C0), state, false))) return ERR_BOUNDS;
  if (!backward) {
    if (!inside(getp(d, RD_OUT), ys, true) || !inside(getp(d, RD_HN), state, true)
      || (lstm && !inside(getp(d, RD_CN), state, false))) return ERR_BOUNDS;
  } else {
    if (!inside(getp(d, RD_GRADS), P, true) || !inside(getp(d, RD_DOUT), ys, false)
      || !inside(getp(d, RD_DHN), state, false)) return ERR_BOUNDS;
    if (!inside(getp(d, RD_DX), xs, false) || !inside(getp(d, RD_DH0), state, false)
      || !inside(getp(d, RD_DHS), state * <u64>T, false)) return ERR_BOUNDS;
    if (lstm && (!inside(getp(d, RD_DCN), state, false) || !inside(getp(d, RD_DC0), state, false))) return ERR_BOUNDS;
  }
  // the dropout mask [B, L−1, T, D·H] (empty for one layer: the pointer is then ignored)
  const mask = getp(d, RD_DROPOUT), maskFloats = <u64>B * <u64>(L - 1) * <u64>T * <u64>D * <u64>H;
  if (!inside(mask, maskFloats, false)) return ERR_BOUNDS;
  const len = getp(d, RD_LENGTHS);
  if (len != 0) {
    if (!inside(len, <u64>B, true)) return ERR_BOUNDS;
    for (let b = 0; b < B; b++) {
      const n = load<i32>(len + (<usize>b << 2));
      if (n < 1 || n > T) return ERR_LENGTHS;
    }
  }
  // the workspace: as large as the layout needs (below 4 GiB: validate)
  const ws = getp(d, RD_WS), wsBytes = <u64>load<u32>(d + (<usize>RD_WS_BYTES << 2));
  if (ws == 0 || <u64>ws + wsBytes > (<u64>memory.size() << 16)) return ERR_BOUNDS;
  if (<u64>wsFloats * 4 > wsBytes) return ERR_WORKSPACE;
  // what the pass writes must not overlap what steers it: the descriptor and the lengths
  const fs = <f64>(state << 2), fw = <f64>wsBytes;
  for (let i = 0; i < 6; i++) {
    let p: usize = 0, n: f64 = 0;
    if (!backward) {
      if (i == 0) {
        p = ws;
        n = fw;
      } else if (i == 1) {
        p = getp(d, RD_OUT);
        n = <f64>(ys << 2);
      } else if (i == 2) {
        p = getp(d, RD_HN);
        n = fs;
      } else if (i == 3 && lstm) {
        p = getp(d, RD_CN);
        n = fs;
      }
    } else {
      if (i == 0) {
        p = ws;
        n = fw;
      } else if (i == 1) {
        p = getp(d, RD_GRADS);
        n = <f64>(P << 2);
      } else if (i == 2) {
        p = getp(d, RD_DX);
        n = <f64>(xs << 2);
      } else if (i == 3) {
        p = getp(d, RD_DH0);
        n = fs;
      } else if (i == 4 && lstm) {
        p = getp(d, RD_DC0);
        n = fs;
      } else if (i == 5) {
        p = getp(d, RD_DHS);
        n = fs * <f64>T;
      }
    }
    if (overlaps(<f64>p, n, <f64>d, <f64>(RD_FIELDS << 2)) || overlaps(<f64>p, n, <f64>len, <f64>B * 4)
      || overlaps(<f64>p, n, <f64>mask, <f64>(maskFloats << 2))) {
      return ERR_OVERLAP;
    }
    // nor the workspace's header, whose records (the layout, the loops' arguments) steer the pass
    if (i > 0 && overlaps(<f64>p, n, <f64>ws, <f64>(HEADER_FLOATS << 2))) return ERR_OVERLAP;
  }
  return OK;
}

/** The descriptor itself must lie inside memory. */
function check_desc(d: usize): bool {
  return d != 0 && <u64>d + (<u64>RD_FIELDS << 2) <= (<u64>memory.size() << 16);
}

/** Word i of the workspace header for the shape in d: the stamp, then cell, B, T, I, H, L, and
 *  D | checkpoint << 8. */
function header(d: usize, i: i32): i32 {
  return i == 0 ? STAMP : i < 7 ? geti(d, RD_CELL + i - 1) : geti(d, RD_D) | (geti(d, RD_CHECKPOINT) << 8);
}

/** Bytes of workspace rnn_forward / rnn_backward need for the shape in a descriptor (RD_CELL ..
 *  RD_CHECKPOINT), computed in f64 (exact below 2^53, never wrapping); a negative error code if the
 *  shape is invalid. Returns the size even when it exceeds 4 GiB, so hosts can report it. */
export function rnn_workspace_bytes(d: usize): f64 {
  if (!check_desc(d)) return <f64>ERR_BOUNDS;
  const r = check_shape(d);
  if (r != OK && r != ERR_TOO_LARGE) return <f64>r;
  return rnn_layout(d, 0) * 4;
}

/** Number of f32 parameters of a recurrent stack (64-bit, as f64); a negative error code for an
 *  unknown cell or a size < 1. */
export function rnn_param_count(cell: i32, I: i32, H: i32, L: i32, D: i32): f64 {
  if (cell < 0 || cell >= CELL_COUNT) return <f64>ERR_CELL;
  if (I < 1 || H < 1 || L < 1 || L > 4096 || D < 1 || D > 2) return <f64>ERR_SIZE;
  return paramCount(cellGates(cell), I, H, L, D);
}

/** The descriptor, its shape and its tensors: OK, or the first error found. */
function validate(d: usize, backward: bool): i32 {
  if (!check_desc(d)) return ERR_BOUNDS;
  const r = check_shape(d);
  if (r != OK) return r;
  const total = rnn_layout(d, 0); // the pass lays it out into the workspace once it is validated
  return total > MAX_FLOATS ? ERR_TOO_LARGE : check_tensors(d, backward, total);
}

/** Forward pass described by d (RD_* fields: shape, params, ws, x, lengths, h0, c0, out, hn, cn,
 *  checkpoint). Returns OK or an ERR_* code (nothing is written then). */
export function rnn_forward(d: usize): i32 {
  const r = validate(d, false);
  if (r != OK) return r;
  // the stamp sits at the start of the workspace, the same place for every shape: a pass of one
  // shape overwrites the stamp of a pass of another, so no stamp outlives the activations and
  // packed weights it vouches for
  const ws = getp(d, RD_WS), hd = ws;
  // reuse the packed weights only after a completed forward of this very shape (the header says
  // so) on a one-layer, one-direction stack (whose packing region holds its only weights)
  let packed = geti(d, RD_PACKED) == 1 && geti(d, RD_L) * geti(d, RD_D) == 1;
  for (let i = 0; packed && i < STAMP_WORDS; i++) if (load<i32>(hd + (<usize>i << 2)) != header(d, i)) packed = false;
  store<i32>(hd, 0); // no valid forward while the pass runs
  rnn_layout(d, ws + LAYOUT_AT);
  stack_forward(d, changetype<RnnLayout>(ws + LAYOUT_AT), ws, packed);
  for (let i = STAMP_WORDS - 1; i >= 0; i--) store<i32>(hd + (<usize>i << 2), header(d, i));
  return OK;
}

/** Backward pass (BPTT) through the forward pass whose workspace d names (same shape, lengths,
 *  params, and with checkpoint = 1 the same x). Returns OK or an ERR_* code (nothing written). */
export function rnn_backward(d: usize): i32 {
  const r = validate(d, true);
  if (r != OK) return r;
  const ws = getp(d, RD_WS), hd = ws;
  for (let i = 0; i < STAMP_WORDS; i++) if (load<i32>(hd + (<usize>i << 2)) != header(d, i)) return ERR_NO_FORWARD;
  rnn_layout(d, ws + LAYOUT_AT);
  stack_backward(d, changetype<RnnLayout>(ws + LAYOUT_AT), ws);
  return OK;
}
