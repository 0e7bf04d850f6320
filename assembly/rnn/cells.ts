// The table of recurrent cells: the only place in the core that dispatches on the cell id. A cell
// is a row here and one file with its time loops over a segment (elman.ts, lstm.ts, gru.ts,
// gru-reset-before.ts), each taking one Steps record (records.ts). The stack (stack.ts) does
// everything else: the input projection for all steps, the segments, the weight-gradient GEMMs.
//
//   cell                  G  cell state  split  hl        gated rows  time loops
//   CELL_RNN_TANH         1  no          no     no        0           elman.ts (φ = tanh)
//   CELL_RNN_RELU         1  no          no     no        0           elman.ts (φ = relu)
//   CELL_RNN_LINEAR       1  no          no     no        0           elman.ts (φ = identity)
//   CELL_LSTM             4  c           no     no        0           lstm.ts
//   CELL_GRU              3  no          yes    W_hn·h+b  0           gru.ts
//   CELL_GRU_RESET_BEFORE 3  no          no     r ⊙ h     H (n)       gru-reset-before.ts
//
// Split: the recurrent side's pre-activations differ from the input side's (GRU's reset gate
// multiplies W_hn·h + b_hn): b_hh stays out of the input projection's bias and is added inside the
// loop, and the backward pass writes a second dA (dAh) for W_hh and b_hh.
// hl: a per-step [B,H] region the loops keep for their backward pass.
// Gated rows: the last rows of W_hh multiply hl instead of h, so their weight gradient is dAhᵀ·hl.
// Packing: the recurrent weights are packed as panels for the loops (cell_pack): whole, or, for a
// cell whose gated rows take a second product, the two row blocks one after the other.

import { CELL_RNN_TANH, CELL_RNN_RELU, CELL_RNN_LINEAR, CELL_LSTM, CELL_GRU, CELL_GRU_RESET_BEFORE, GATES_RNN,
  GATES_LSTM, GATES_GRU } from "../constants";
import { pack_panels } from "../linalg";
import { f } from "../common";
import { Steps } from "./records";
import { elman_steps_backward, elman_steps_forward } from "./elman";
import { lstm_steps_backward, lstm_steps_forward } from "./lstm";
import { gru_steps_backward, gru_steps_forward } from "./gru";
import { gru_reset_before_steps_backward, gru_reset_before_steps_forward } from "./gru-reset-before";

/** Gates G of a cell (rows of its weights: G·H); 0 for an unknown id. */
export function cellGates(cell: i32): i32 {
  switch (cell) {
    case CELL_RNN_TANH:
    case CELL_RNN_RELU:
    case CELL_RNN_LINEAR:
      return GATES_RNN;
    case CELL_LSTM:
      return GATES_LSTM;
    case CELL_GRU:
    case CELL_GRU_RESET_BEFORE:
      return GATES_GRU;
  }
  return 0;
}

/** The cell carries a cell state c beside h (c0, cN, the cs region, dc). */
// @ts-ignore: decorator
@inline export function cellHasC(cell: i32): bool {
  return cell == CELL_LSTM;
}

/** The recurrent side is split from the input side (see above). */
// @ts-ignore: decorator
@inline export function cellSplit(cell: i32): bool {
  return cell == CELL_GRU;
}

/** The loops keep a per-step [B,H] region hl. */
// @ts-ignore: decorator
@inline export function cellHl(cell: i32): bool {
  return cell == CELL_GRU || cell == CELL_GRU_RESET_BEFORE;
}

/** Rows at the end of W_hh that multiply hl instead of h (0 for most cells). */
// @ts-ignore: decorator
@inline export function cellGatedRows(cell: i32, H: i32): i32 {
  return cell == CELL_GRU_RESET_BEFORE ? H : 0;
}

/** Packs the recurrent weights W_hh [G·H, H] for the loops: transposed (wt, the forward's
 *  products h·W_hhᵀ) and as they are (whh, the backward's products dA·W_hh); either may be 0.
 *  Gated rows are packed as a block of their own after the others. */
export function cell_pack(cell: i32, H: i32, w: usize, wt: usize, whh: usize): void {
  const GH = cellGates(cell) * H, gr = cellGatedRows(cell, H), R = GH - gr;
  if (wt != 0) {
    pack_panels(H, R, w, 1, H, wt);
    if (gr > 0) pack_panels(H, gr, f(w, R * H), 1, H, f(wt, R * H));
  }
  if (whh != 0) {
    pack_panels(R, H, w, H, 1, whh);
    if (gr > 0) pack_panels(gr, H, f(w, R * H), H, 1, f(whh, R * H));
  }
}

/** The cell's forward time loop over p's segment: p.gz (or, with one gate, p.hs[1..]) holds the
 *  input projection plus the input-side bias on entry; the states (and gates) on return. */
export function cell_steps_forward(p: Steps): void {
  const cell = p.cell;
  if (cell == CELL_LSTM) lstm_steps_forward(p);
  else if (cell == CELL_GRU) gru_steps_forward(p);
  else if (cell == CELL_GRU_RESET_BEFORE) gru_reset_before_steps_forward(p);
  else elman_steps_forward(p);
}

/** The cell's backward time loop over p's segment (BPTT): writes p.dA (and p.dAh) for every step
 *  and carries p.dh (p.dc) back to the state entering the segment. */
export function cell_steps_backward(p: Steps): void {
  const cell = p.cell;
  if (cell == CELL_LSTM) lstm_steps_backward(p);
  else if (cell == CELL_GRU) gru_steps_backward(p);
  else if (cell == CELL_GRU_RESET_BEFORE) gru_reset_before_steps_backward(p);
  else elman_steps_backward(p);
}
