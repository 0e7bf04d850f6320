// The table of recurrent cells: the only place in the core that dispatches on the cell id. A cell
// is a row here (its gates, whether it carries a cell state, whether its recurrent side is split
// from its input side) and one file with its time loops over a segment (elman.ts, lstm.ts, gru.ts),
// each taking one Steps record (records.ts). The stack (stack.ts) does everything else: the input
// projection for all steps, the segments, the weight-gradient GEMMs.
//
//   cell             G  cell state  split  time loops
//   CELL_RNN_TANH    1  no          no     elman.ts (φ = tanh)
//   CELL_RNN_RELU    1  no          no     elman.ts (φ = relu)
//   CELL_RNN_LINEAR  1  no          no     elman.ts (φ = identity)
//   CELL_LSTM        4  c           no     lstm.ts
//   CELL_GRU         3  no          yes    gru.ts
//
// "Split": the recurrent side's pre-activations differ from the input side's (GRU's reset gate
// multiplies W_hn·h + b_hn): b_hh stays out of the input projection's bias and is added inside the
// loop, the loop keeps W_hn·h + b_hn per step (hl), and the backward pass writes a second dA (dAh)
// for W_hh and b_hh.

import { CELL_RNN_TANH, CELL_RNN_RELU, CELL_RNN_LINEAR, CELL_LSTM, CELL_GRU, GATES_RNN, GATES_LSTM, GATES_GRU } from "../constants";
import { Steps } from "./records";
import { elman_steps_backward, elman_steps_forward } from "./elman";
import { lstm_steps_backward, lstm_steps_forward } from "./lstm";
import { gru_steps_backward, gru_steps_forward } from "./gru";

/** Gates G of a cell (rows of its weights: G·H); 0 for an unknown id. */
export function cellGates(cell: i32): i32 {
  switch (cell) {
    case CELL_RNN_TANH: case CELL_RNN_RELU: case CELL_RNN_LINEAR: return GATES_RNN;
    case CELL_LSTM: return GATES_LSTM;
    case CELL_GRU: return GATES_GRU;
  }
  return 0;
}

/** The cell carries a cell state c beside h (c0, cN, the cs region, dc). */
// @ts-ignore: decorator
@inline export function cellHasC(cell: i32): bool { return cell == CELL_LSTM; }

/** The recurrent side is split from the input side (see above). */
// @ts-ignore: decorator
@inline export function cellSplit(cell: i32): bool { return cell == CELL_GRU; }

/** The cell's forward time loop over p's segment: p.gz (or, with one gate, p.hs[1..]) holds the
 *  input projection plus the input-side bias on entry; the states (and gates) on return. */
export function cell_steps_forward(p: Steps): void {
  const cell = p.cell;
  if (cell == CELL_LSTM) lstm_steps_forward(p);
  else if (cell == CELL_GRU) gru_steps_forward(p);
  else elman_steps_forward(p);
}

/** The cell's backward time loop over p's segment (BPTT): writes p.dA (and p.dAh) for every step
 *  and carries p.dh (p.dc) back to the state entering the segment. */
export function cell_steps_backward(p: Steps): void {
  const cell = p.cell;
  if (cell == CELL_LSTM) lstm_steps_backward(p);
  else if (cell == CELL_GRU) gru_steps_backward(p);
  else elman_steps_backward(p);
}
