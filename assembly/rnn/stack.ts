// A stack of recurrent layers (torch.nn.RNN / LSTM / GRU with batch_first=True), forward and
// backpropagation through time over a whole batch of sequences, for any cell (layout.ts).
//
// Layers l = 0..L−1, directions d = 0..D−1; layer l > 0 reads [forward ⧺ reverse] outputs of layer
// l − 1. Per-sequence lengths: steps past len_b leave the state unchanged and output zeros; the
// reverse direction starts at each sequence's own last step (steps.ts). Per layer-direction:
//   forward:  xs = gather(input);  P = xs·W_ihᵀ + bias  (one GEMM for all T·B rows);
//             the cell's time loop (elman.ts, lstm.ts, gru.ts) adds h·W_hhᵀ step by step
//   backward: the cell's time loop writes dA (and dAh for GRU) for every step, then
//             dW_hh += dAhᵀ·hs[0..T−1],  dW_ih += dAᵀ·xs,  db += Σ dA,  dxs = dA·W_ih  (four GEMMs)
//
// Truncated BPTT(k): the recurrence is cut every k steps counted back from each sequence's own
// last step: ∂L/∂h (and ∂L/∂c) is zeroed as it passes from step s to step s−1 when
// (len_b − s) mod k == 0 (steps.ts, carry_and_cut). This is PyTorch run in chunks of k steps
// aligned to the sequence's end with h.detach() (and c.detach()) between chunks. A loss on the
// final state reaches exactly the last k steps. Per direction, in that direction's step order.
//
// Segments and gradient checkpointing (layout.ts): both passes run each direction in segments of
// S = ⌈√T⌉ steps. checkpoint = 1 keeps only the state entering each segment and recomputes the
// segment in the backward pass (segment_forward is the one routine for both), trading a second
// forward pass for O(√T) activation memory; the results are bitwise those of checkpoint = 0.

import { gemm_f32_4x8_wasmsimd as gemm, gemm_f32_4x8_packed as gemmp, pack_panels, colsum_f32_wasmsimd } from "../linalg";
import { CELL_GRU, CELL_LSTM } from "../constants";
import {
  gatesOf, layerIn, ldRegions, paramOffset, sharedLayout, segS, segN,
  rgXs, rgHs, rgGz, rgCs, rgHl, rgKh, rgKc, shY, shYk, shPk1, shPk2, shPk3, shPk4, shBsum, shRec, shDys, shDA, shDAh, shDh, shDhp, shDc, shDcp, shDxs, shDy0, shDy1, dAStride,
} from "./layout";
import { gather_steps, scatter_steps, zero_strided } from "./steps";
import { elman_steps_backward, elman_steps_forward } from "./elman";
import { lstm_steps_backward, lstm_steps_forward } from "./lstm";
import { gru_steps_backward, gru_steps_forward } from "./gru";

// @ts-ignore: decorator
@inline function f(ptr: usize, floats: usize): usize { return ptr + (floats << 2); }

/** Pack W_ihᵀ into pk1, W_hhᵀ into pk2 (panels for gemm_f32_4x8_packed) and the input-side bias
 *  into bsum (b_ih + b_hh; GRU: b_ih, since b_hn sits inside r ⊙ ·) for one layer-direction. */
function pack_weights(cell: i32, GH: i32, In: i32, H: i32, wih: usize, whh: usize, bih: usize, bhh: usize, pk1: usize, pk2: usize, bsum: usize): void {
  pack_panels(In, GH, wih, 1, In, pk1);
  pack_panels(H, GH, whh, 1, H, pk2);
  for (let j = 0; j < GH; j++) {
    store<f32>(f(bsum, j), load<f32>(f(bih, j)) + (cell == CELL_GRU ? <f32>0 : load<f32>(f(bhh, j))));
  }
}

/** Steps s0 <= s < s1 of one direction: input projection of the segment's rows (xs holds them, step
 *  order), then the cell's recurrence. hs[0] (and cs[0]) hold the state entering the segment;
 *  hs, gz, cs, hl are the segment's views (index s − s0). */
function segment_forward(
  cell: i32, B: i32, T: i32, s0: i32, s1: i32, In: i32, H: i32, lengths: usize,
  xs: usize, hs: usize, gz: usize, cs: usize, hl: usize, pk1: usize, pk2: usize, bsum: usize, bhh: usize, rec: usize,
): void {
  const G = gatesOf(cell), GH = G * H, BH = B * H, rows = (s1 - s0) * B;
  const P = G == 1 ? f(hs, BH) : gz;
  gemmp(rows, GH, In, xs, In, 1, pk1, P, GH, false);
  for (let r = 0; r < rows; r++) {
    const row = f(P, <usize>r * GH);
    let j = 0;
    for (; j + 4 <= GH; j += 4) v128.store(f(row, j), f32x4.add(v128.load(f(row, j)), v128.load(f(bsum, j))));
    for (; j < GH; j++) store<f32>(f(row, j), load<f32>(f(row, j)) + load<f32>(f(bsum, j)));
  }
  if (cell == CELL_LSTM) lstm_steps_forward(B, T, s0, s1, H, lengths, hs, cs, gz, pk2, rec);
  else if (cell == CELL_GRU) gru_steps_forward(B, T, s0, s1, H, lengths, hs, gz, hl, pk2, bhh, rec);
  else elman_steps_forward(cell, B, T, s0, s1, H, lengths, hs, pk2, rec);
}

/** Forward pass. x [B,T,I] batch-first; lengths i32[B] or 0; h0, c0 [L·D,B,H] or 0 (c0: LSTM);
 *  out [B,T,D·H] (zeros past each length); hn, cn [L·D,B,H] (cn: LSTM, may be 0).
 *  checkpoint: 0 stores every step's activations for rnn_backward; 1 stores only one state per
 *  segment of ⌈√T⌉ steps (rnn_backward then recomputes the rest; same results, bitwise). */
export function stack_forward(
  cell: i32, B: i32, T: i32, I: i32, H: i32, L: i32, D: i32,
  params: usize, ws: usize, x: usize, lengths: usize, h0: usize, c0: usize, out: usize, hn: usize, cn: usize,
  checkpoint: i32, packed: bool = false,
): void {
  const G = gatesOf(cell), GH = G * H, ck = checkpoint != 0;
  sharedLayout(cell, B, T, I, H, L, D, ck);
  const S = segS, N = segN;
  const pk1 = f(ws, shPk1), pk2 = f(ws, shPk2), bsum = f(ws, shBsum), rec = f(ws, shRec);
  const BH = B * H, yStride = <usize>T * B * D * H;
  for (let l = 0; l < L; l++) {
    const In = layerIn(l, I, H, D);
    // layer input: x, or the layer below's output (full mode: y, gathered before this layer overwrites it)
    const src = l == 0 ? x : ck ? f(ws, shYk + <usize>(l - 1) * yStride) : f(ws, shY);
    const sT = l == 0 ? I : B * D * H, sB = l == 0 ? T * I : D * H;
    if (!ck) {
      for (let d = 0; d < D; d++) {
        ldRegions(l * D + d, cell, B, T, I, H, D, ck);
        gather_steps(f(ws, rgXs), src, sT, sB, 0, In, lengths, T, B, d == 1, 0, T);
      }
    }
    const last = l == L - 1;
    const dst = last ? out : ck ? f(ws, shYk + <usize>l * yStride) : f(ws, shY);
    const oT = last ? D * H : B * D * H, oB = last ? T * D * H : D * H;
    zero_strided(dst, oT, oB, 0, D * H, T, B);
    for (let d = 0; d < D; d++) {
      const ld = l * D + d;
      const p = f(params, paramOffset(ld, G, I, H, D));
      const wih = p, whh = f(p, GH * In), bih = f(whh, GH * H), bhh = f(bih, GH);
      ldRegions(ld, cell, B, T, I, H, D, ck);
      const xs = f(ws, rgXs), hs = f(ws, rgHs), gz = f(ws, rgGz), cs = f(ws, rgCs), hl = f(ws, rgHl);
      if (h0 != 0) memory.copy(hs, f(h0, ld * BH), <usize>BH << 2); else memory.fill(hs, 0, <usize>BH << 2);
      if (cell == CELL_LSTM) {
        if (c0 != 0) memory.copy(cs, f(c0, ld * BH), <usize>BH << 2); else memory.fill(cs, 0, <usize>BH << 2);
      }
      // packed: the caller checked that this one-layer, one-direction workspace still holds them
      if (!packed) pack_weights(cell, GH, In, H, wih, whh, bih, bhh, pk1, pk2, bsum);
      for (let j = 0; j < N; j++) {
        const s0 = j * S, s1 = min(T, s0 + S), n = s1 - s0;
        if (ck) {
          // the shared segment buffers start at the state entering the segment; keep it
          memory.copy(f(ws, rgKh + <usize>j * BH), hs, <usize>BH << 2);
          if (cell == CELL_LSTM) memory.copy(f(ws, rgKc + <usize>j * BH), cs, <usize>BH << 2);
          gather_steps(xs, src, sT, sB, 0, In, lengths, T, B, d == 1, s0, s1);
          segment_forward(cell, B, T, s0, s1, In, H, lengths, xs, hs, gz, cs, hl, pk1, pk2, bsum, bhh, rec);
          scatter_steps(dst, oT, oB, d * H, f(hs, BH), H, lengths, T, B, d == 1, false, s0, s1);
          memory.copy(hs, f(hs, n * BH), <usize>BH << 2);
          if (cell == CELL_LSTM) memory.copy(cs, f(cs, n * BH), <usize>BH << 2);
        } else {
          const sb = s0 * B;
          segment_forward(cell, B, T, s0, s1, In, H, lengths, f(xs, sb * In), f(hs, sb * H), f(gz, sb * GH), f(cs, sb * H), f(hl, sb * H), pk1, pk2, bsum, bhh, rec);
        }
      }
      // state after the last step: hs[T] (full), or hs[0] of the shared buffer (checkpointed)
      const hT = ck ? hs : f(hs, T * BH), cT = ck ? cs : f(cs, T * BH);
      if (!ck) scatter_steps(dst, oT, oB, d * H, f(hs, BH), H, lengths, T, B, d == 1, false, 0, T);
      memory.copy(f(hn, ld * BH), hT, <usize>BH << 2);
      if (cell == CELL_LSTM && cn != 0) memory.copy(f(cn, ld * BH), cT, <usize>BH << 2);
    }
  }
}

/** Backward pass for the last stack_forward with the same arguments (the workspace holds its
 *  states). dOut [B,T,D·H], dhn, dcn [L·D,B,H]: each may be 0 (= zeros). Parameter gradients
 *  ACCUMULATE into grads (layout of params). dx [B,T,I], dh0, dc0 [L·D,B,H] are overwritten (each
 *  may be 0 = not wanted). truncate = 0 for full BPTT, k ≥ 1 for truncated BPTT(k).
 *  dhs: 0, or [L·D,T,B,H] receiving the total ∂L/∂h_t of every layer-direction at every time t
 *  (time order, zero past each length) — the gradient-flow diagnostics.
 *  x, h0, c0, checkpoint: as given to that rnn_forward (x, h0 and c0 are read only when
 *  checkpoint = 1, to recompute the segments). */
export function stack_backward(
  cell: i32, B: i32, T: i32, I: i32, H: i32, L: i32, D: i32,
  params: usize, grads: usize, ws: usize, lengths: usize,
  dOut: usize, dhn: usize, dcn: usize, dx: usize, dh0: usize, dc0: usize, truncate: i32, dhs: usize,
  x: usize, checkpoint: i32,
): void {
  const G = gatesOf(cell), GH = G * H, LA = dAStride(GH), ck = checkpoint != 0;
  sharedLayout(cell, B, T, I, H, L, D, ck);
  const S = segS, N = segN;
  const dys = f(ws, shDys), dA = f(ws, shDA), dAh = f(ws, shDAh), dxs = f(ws, shDxs);
  const dh = f(ws, shDh), dhp = f(ws, shDhp), dc = f(ws, shDc), dcp = f(ws, shDcp);
  const dy0 = f(ws, shDy0), dy1 = f(ws, shDy1);
  const pk1 = f(ws, shPk1), pk2 = f(ws, shPk2), pk3 = f(ws, shPk3), pk4 = f(ws, shPk4), bsum = f(ws, shBsum), recw = f(ws, shRec);
  let dyCur = dOut, dyNext = dy0;
  let cT = D * H, cB = T * D * H; // strides of dyCur (batch-first for the last layer)
  const BH = B * H, yStride = <usize>T * B * D * H;
  for (let l = L - 1; l >= 0; l--) {
    const In = layerIn(l, I, H, D);
    // where ∂L/∂(layer input) goes: the user's dx (batch-first) or the layer below (time-major)
    const dst = l == 0 ? dx : dyNext;
    const nT = l == 0 ? I : B * D * H, nB = l == 0 ? T * I : D * H;
    if (dst != 0) zero_strided(dst, nT, nB, 0, In, T, B);
    // checkpointed: the layer input, to recompute segments from
    const src = l == 0 ? x : f(ws, shYk + <usize>(l - 1) * yStride);
    const sT = l == 0 ? I : B * D * H, sB = l == 0 ? T * I : D * H;
    for (let d = 0; d < D; d++) {
      const ld = l * D + d, rev = d == 1;
      const off = paramOffset(ld, G, I, H, D);
      const wih = f(params, off), whh = f(wih, GH * In), bih = f(whh, GH * H), bhh = f(bih, GH);
      const gih = f(grads, off), ghh = f(gih, GH * In), gbih = f(ghh, GH * H), gbhh = f(gbih, GH);
      ldRegions(ld, cell, B, T, I, H, D, ck);
      const xs = f(ws, rgXs), hs = f(ws, rgHs), gz = f(ws, rgGz), cs = f(ws, rgCs), hl = f(ws, rgHl);
      if (ck) pack_weights(cell, GH, In, H, wih, whh, bih, bhh, pk1, pk2, bsum);
      // W_hh [GH,H] and W_ih [GH,In] as panels for the backward's ∂h and ∂x GEMMs
      pack_panels(GH, H, whh, H, 1, pk3);
      if (dst != 0) pack_panels(GH, In, wih, In, 1, pk4);
      const rec: usize = dhs == 0 ? <usize>0 : f(dhs, ld * T * BH);
      if (rec != 0) memory.fill(rec, 0, <usize>(T * BH) << 2);
      if (dhn != 0) memory.copy(dh, f(dhn, ld * BH), <usize>BH << 2); else memory.fill(dh, 0, <usize>BH << 2);
      if (cell == CELL_LSTM) {
        if (dcn != 0) memory.copy(dc, f(dcn, ld * BH), <usize>BH << 2); else memory.fill(dc, 0, <usize>BH << 2);
      }
      for (let j = N - 1; j >= 0; j--) {
        const s0 = j * S, s1 = min(T, s0 + S), n = s1 - s0, rows = n * B, sb = s0 * B;
        // the segment's activations: stored (full) or recomputed from its checkpoint
        let xj = f(xs, sb * In), hj = f(hs, sb * H), gj = f(gz, sb * GH), cj = f(cs, sb * H), lj = f(hl, sb * H);
        if (ck) {
          xj = xs; hj = hs; gj = gz; cj = cs; lj = hl;
          memory.copy(hs, f(ws, rgKh + <usize>j * BH), <usize>BH << 2);
          if (cell == CELL_LSTM) memory.copy(cs, f(ws, rgKc + <usize>j * BH), <usize>BH << 2);
          gather_steps(xs, src, sT, sB, 0, In, lengths, T, B, rev, s0, s1);
          segment_forward(cell, B, T, s0, s1, In, H, lengths, xs, hs, gz, cs, hl, pk1, pk2, bsum, bhh, recw);
        }
        if (dyCur != 0) gather_steps(dys, dyCur, cT, cB, d * H, H, lengths, T, B, rev, s0, s1);
        else memory.fill(dys, 0, <usize>(rows * H) << 2);
        if (cell == CELL_LSTM) {
          lstm_steps_backward(B, T, s0, s1, H, lengths, truncate, hj, cj, gj, pk3, dys, dA, dh, dhp, dc, dcp, rec, rev);
        } else if (cell == CELL_GRU) {
          gru_steps_backward(B, T, s0, s1, H, lengths, truncate, hj, gj, lj, pk3, dys, dA, dAh, dh, dhp, rec, rev);
        } else {
          elman_steps_backward(cell, B, T, s0, s1, H, lengths, truncate, hj, pk3, dys, dA, dh, dhp, rec, rev);
        }
        // parameter gradients of the segment: four GEMMs over its rows (dAh = dA except for GRU).
        // h and x are packed into K×8 panels first (into dys and dxs, free until the next
        // segment's gather and the ∂x GEMM below): their rows are 128–1024 B apart, a power of two
        // that keeps a panel out of L1, and the packed kernel gives the same bits 1.25× faster
        pack_panels(rows, H, hj, H, 1, dys);
        gemmp(GH, H, rows, dAh, 1, LA, dys, ghh, H, true);
        pack_panels(rows, In, xj, In, 1, dxs);
        gemmp(GH, In, rows, dA, 1, LA, dxs, gih, In, true);
        colsum_f32_wasmsimd(rows, GH, dA, LA, gbih, true);
        colsum_f32_wasmsimd(rows, GH, dAh, LA, gbhh, true);
        if (dst != 0) {
          gemmp(rows, In, GH, dA, LA, 1, pk4, dxs, In, false);
          scatter_steps(dst, nT, nB, 0, dxs, In, lengths, T, B, rev, true, s0, s1);
        }
      }
      if (dh0 != 0) memory.copy(f(dh0, ld * BH), dh, <usize>BH << 2);
      if (cell == CELL_LSTM && dc0 != 0) memory.copy(f(dc0, ld * BH), dc, <usize>BH << 2);
    }
    // the layer below reads what this layer wrote
    dyCur = dyNext; cT = B * D * H; cB = D * H;
    dyNext = dyNext == dy0 ? dy1 : dy0;
  }
}
