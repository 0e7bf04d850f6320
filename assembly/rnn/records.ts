// The records the recurrent passes hand down instead of long argument lists. Both live in the
// workspace header (layout.ts), so that the core allocates nothing and several instances sharing
// one memory (the threaded build) each use their own.

/** The arguments of a cell's time loop over one segment of one direction (cells.ts). The stack
 *  (stack.ts) fills it before each call; buffers are absolute addresses. */
@unmanaged export class Steps {
  /** cell id (CELL_*), batch, steps T of the pass, hidden size */
  cell: i32;
  B: i32;
  T: i32;
  H: i32;
  /** the segment's steps s0 <= s < s1 (absolute step numbers: lengths and truncation use them) */
  s0: i32;
  s1: i32;
  /** backward: 0 for full BPTT, k >= 1 for BPTT(k); 1 for the reverse direction */
  truncate: i32;
  reverse: i32;
  /** i32 [B] or 0 (every sequence T steps) */
  lengths: usize;
  /** the segment's activations, index s − s0: hs [n+1,B,H] (hs[0] the state entering it), cs
   *  [n+1,B,H] (cell state), gz [n,B,G·H] (gates), hl [n,B,H] (split cells: W_hn·h + b_hn) */
  hs: usize;
  cs: usize;
  gz: usize;
  hl: usize;
  /** forward: W_hhᵀ [H, G·H] as panels; b_hh [G·H] (split cells add it inside the loop) */
  wt: usize;
  bhh: usize;
  /** scratch [B, G·H] for the recurrent product */
  rec: usize;
  /** backward: W_hh [G·H, H] as panels */
  whh: usize;
  /** backward: upstream ∂L/∂h per step [n,B,H]; ∂L/∂(input-side, recurrent-side pre-activations)
   *  [n,B,G·H] with rows dAStride(G·H) apart (dAh = dA unless split) */
  dys: usize;
  dA: usize;
  dAh: usize;
  /** backward: ∂L/∂h (∂L/∂c) carried through time [B,H]: dh (dc) holds ∂L/∂ of the state leaving
   *  the segment on entry and of the state entering it on return; dhp, dcp are scratch */
  dh: usize;
  dhp: usize;
  dc: usize;
  dcp: usize;
  /** backward: 0, or [T,B,H] receiving the total ∂L/∂h_t in time order (record_dh) */
  dhs: usize;
}

/** One layer-direction's activation regions (absolute addresses): in full mode its own [T,…]
 *  arrays xs, hs, gz, cs, hl; in checkpointed mode the shared one-segment buffers, and its
 *  checkpoints kh, kc [N,B,H] (layout.ts). */
@unmanaged export class Regions {
  xs: usize;
  hs: usize;
  gz: usize;
  cs: usize;
  hl: usize;
  kh: usize;
  kc: usize;
}
