// A stack of recurrent layers (torch.nn.RNN / LSTM / GRU with batch_first=True), forward and
// backpropagation through time over a whole batch of sequences, for any cell (cells.ts).
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
// Dropout between layers (torch.nn.LSTM(dropout=p)): with a mask (RD_DROPOUT), layer l + 1 reads
// output_l ⊙ mask_l instead of output_l; the mask holds 0 or 1/(1−p) and comes from the host. The
// forward multiplies a hidden layer's output once it is complete (full mode: y, which the next
// layer gathers; checkpointed: yk, which then holds what the next layer reads when its segments are
// recomputed); the backward multiplies ∂L/∂(layer l + 1's input) by the same mask, giving
// ∂L/∂output_l, before layer l's BPTT. The recurrence itself (h_t → h_{t+1}) is not masked.
//
// Segments and gradient checkpointing (layout.ts): both passes run each direction in segments of
// S = ⌈√T⌉ steps. checkpoint = 1 keeps only the state entering each segment and recomputes the
// segment in the backward pass (segment_forward is the one routine for both), trading a second
// forward pass for O(√T) activation memory; the results are bitwise those of checkpoint = 0.

import { gemm_f32_4x8_packed as gemmp, pack_panels, colsum_f32_wasmsimd } from "../linalg";
import { RD_PARAMS, RD_GRADS, RD_X, RD_LENGTHS, RD_H0, RD_C0, RD_OUT, RD_HN, RD_CN, RD_DOUT, RD_DHN, RD_DCN, RD_DX,
  RD_DH0, RD_DC0, RD_DHS, RD_TRUNCATE, RD_DROPOUT } from "../constants";
import { f, getp, geti } from "../common";
import { RnnLayout, layerIn, paramOffset64, ld_regions, dAStride, STEPS_AT, REGIONS_AT } from "./layout";
import { Steps, Regions } from "./records";
import { cellHasC, cellSplit, cellGatedRows, cell_pack, cell_steps_forward, cell_steps_backward } from "./cells";
import { gather_steps, scatter_steps, zero_strided } from "./steps";

/** Offset (in floats) of the parameters of layer-direction ld (the block is known to fit). */
// @ts-ignore: decorator
@inline function paramOffset(lay: RnnLayout, ld: i32): usize {
  return <usize>paramOffset64(ld, lay.G, lay.I, lay.H, lay.D);
}

/** Pack W_ihᵀ into pk1, W_hhᵀ into pk2 (panels for gemm_f32_4x8_packed) and the input-side bias
 *  into bsum (b_ih + b_hh; split cells: b_ih, since b_hh sits inside the recurrence) for the
 *  layer-direction whose parameters start at w (In inputs). */
function pack_weights(lay: RnnLayout, ws: usize, In: i32, w: usize): void {
  const GH = lay.GH, H = lay.H, split = cellSplit(lay.cell);
  const wih = w, whh = f(w, GH * In), bih = f(whh, GH * H), bhh = f(bih, GH);
  const bsum = f(ws, lay.bsum);
  pack_panels(In, GH, wih, 1, In, f(ws, lay.pk1));
  cell_pack(lay.cell, H, whh, f(ws, lay.pk2), 0);
  for (let j = 0; j < GH; j++) {
    store<f32>(f(bsum, j), load<f32>(f(bih, j)) + (split ? <f32>0 : load<f32>(f(bhh, j))));
  }
}

/** Forward over the steps p.s0 <= s < p.s1 of one direction: the input projection of the segment's
 *  rows (xs holds them, step order, In floats each) into p.gz (one gate: p.hs[1..]), plus the
 *  input-side bias, then the cell's recurrence (cells.ts). p holds the segment's views. */
function segment_forward(lay: RnnLayout, ws: usize, p: Steps, xs: usize, In: i32): void {
  const GH = lay.GH, rows = (p.s1 - p.s0) * p.B, bsum = f(ws, lay.bsum);
  const P = lay.G == 1 ? f(p.hs, p.B * p.H) : p.gz;
  gemmp(rows, GH, In, xs, In, 1, f(ws, lay.pk1), P, GH, false);
  for (let r = 0; r < rows; r++) {
    const row = f(P, <usize>r * GH);
    let j = 0;
    for (; j + 4 <= GH; j += 4) v128.store(f(row, j), f32x4.add(v128.load(f(row, j)), v128.load(f(bsum, j))));
    for (; j < GH; j++) store<f32>(f(row, j), load<f32>(f(row, j)) + load<f32>(f(bsum, j)));
  }
  cell_steps_forward(p);
}

/** Points p at the segment [s0, s1) of the regions rg: in full mode the segment's rows of the
 *  layer-direction's own arrays, in checkpointed mode the shared one-segment buffers. */
function segment_views(lay: RnnLayout, rg: Regions, p: Steps, s0: i32, s1: i32): void {
  const sb: usize = lay.ck != 0 ? 0 : <usize>s0 * lay.B, H = lay.H;
  p.s0 = s0;
  p.s1 = s1;
  p.hs = f(rg.hs, sb * H);
  p.cs = f(rg.cs, sb * H);
  p.gz = f(rg.gz, sb * lay.GH);
  p.hl = f(rg.hl, sb * H);
}

/** The Steps record in the header of workspace ws, with what every segment of a pass shares: the
 *  shape, the lengths, the truncation, the forward's recurrent panels and scratch. */
function stepsOf(lay: RnnLayout, ws: usize, lengths: usize, truncate: i32): Steps {
  const p = changetype<Steps>(ws + STEPS_AT);
  p.cell = lay.cell;
  p.B = lay.B;
  p.T = lay.T;
  p.H = lay.H;
  p.lengths = lengths;
  p.truncate = truncate;
  p.wt = f(ws, lay.pk2);
  p.rec = f(ws, lay.rec);
  return p;
}

/** y[t,b,:] ⊙= mask[b,l,t,:]: hidden layer l's output, or ∂L/∂ of the next layer's input, y
 *  [T,B,D·H] in time order; mask [B,L−1,T,D·H] (RD_DROPOUT). */
function mask_hidden(lay: RnnLayout, y: usize, mask: usize, l: i32): void {
  const T = lay.T, B = lay.B, F = lay.D * lay.H, L1 = lay.L - 1;
  for (let b = 0; b < B; b++) {
    const m = f(mask, (<usize>b * L1 + l) * T * F);
    for (let t = 0; t < T; t++) {
      const py = f(y, (<usize>t * B + b) * F), pm = f(m, <usize>t * F);
      let j = 0;
      for (; j + 4 <= F; j += 4) v128.store(f(py, j), f32x4.mul(v128.load(f(py, j)), v128.load(f(pm, j))));
      for (; j < F; j++) store<f32>(f(py, j), load<f32>(f(py, j)) * load<f32>(f(pm, j)));
    }
  }
}

/** Forward pass of descriptor d (pass.ts checked it) with workspace ws, laid out as lay.
 *  x [B,T,I] batch-first; lengths i32[B] or 0; h0, c0 [L·D,B,H] or 0 (c0: cells with a cell
 *  state); out [B,T,D·H] (zeros past each length); hn, cn [L·D,B,H] (cn may be 0).
 *  Full mode stores every step's activations for rnn_backward; checkpointed mode only one state per
 *  segment of ⌈√T⌉ steps (rnn_backward then recomputes the rest; same results, bitwise).
 *  packed: the workspace still holds this one-layer, one-direction stack's packed weights. */
export function stack_forward(d: usize, lay: RnnLayout, ws: usize, packed: bool): void {
  const B = lay.B, T = lay.T, I = lay.I, H = lay.H, L = lay.L, D = lay.D, ck = lay.ck != 0, hasC = cellHasC(lay.cell);
  const S = lay.S, N = lay.N;
  const params = getp(d, RD_PARAMS), x = getp(d, RD_X), lengths = getp(d, RD_LENGTHS);
  const h0 = getp(d, RD_H0), c0 = getp(d, RD_C0), out = getp(d, RD_OUT), hn = getp(d, RD_HN), cn = getp(d, RD_CN);
  const mask = getp(d, RD_DROPOUT);
  const p = stepsOf(lay, ws, lengths, 0), rg = changetype<Regions>(ws + REGIONS_AT);
  p.whh = 0;
  p.dhs = 0;
  const BH = B * H, yStride = <usize>T * B * D * H;
  for (let l = 0; l < L; l++) {
    const In = layerIn(l, I, H, D);
    // layer input: x, or the layer below's output (full mode: y, gathered before this layer overwrites it)
    const src = l == 0 ? x : ck ? f(ws, lay.yk + <usize>(l - 1) * yStride) : f(ws, lay.y);
    const sT = l == 0 ? I : B * D * H, sB = l == 0 ? T * I : D * H;
    if (!ck) {
      for (let d = 0; d < D; d++) {
        ld_regions(lay, l * D + d, ws, rg);
        p.reverse = d;
        gather_steps(p, 0, T, rg.xs, src, sT, sB, 0, In);
      }
    }
    const last = l == L - 1;
    const dst = last ? out : ck ? f(ws, lay.yk + <usize>l * yStride) : f(ws, lay.y);
    const oT = last ? D * H : B * D * H, oB = last ? T * D * H : D * H;
    zero_strided(dst, oT, oB, 0, D * H, T, B);
    for (let d = 0; d < D; d++) {
      const ld = l * D + d;
      const w = f(params, paramOffset(lay, ld));
      p.bhh = f(w, lay.GH * (In + H + 1));
      p.reverse = d;
      ld_regions(lay, ld, ws, rg);
      const xs = rg.xs, hs = rg.hs, cs = rg.cs;
      if (h0 != 0) memory.copy(hs, f(h0, ld * BH), <usize>BH << 2);
      else memory.fill(hs, 0, <usize>BH << 2);
      if (hasC) {
        if (c0 != 0) memory.copy(cs, f(c0, ld * BH), <usize>BH << 2);
        else memory.fill(cs, 0, <usize>BH << 2);
      }
      // packed: the caller checked that this one-layer, one-direction workspace still holds them
      if (!packed) pack_weights(lay, ws, In, w);
      for (let j = 0; j < N; j++) {
        const s0 = j * S, s1 = min(T, s0 + S), n = s1 - s0;
        segment_views(lay, rg, p, s0, s1);
        if (ck) {
          // the shared segment buffers start at the state entering the segment; keep it
          memory.copy(f(rg.kh, <usize>j * BH), hs, <usize>BH << 2);
          if (hasC) memory.copy(f(rg.kc, <usize>j * BH), cs, <usize>BH << 2);
          gather_steps(p, s0, s1, xs, src, sT, sB, 0, In);
          segment_forward(lay, ws, p, xs, In);
          scatter_steps(p, s0, s1, dst, oT, oB, d * H, f(hs, BH), H, false);
          memory.copy(hs, f(hs, n * BH), <usize>BH << 2);
          if (hasC) memory.copy(cs, f(cs, n * BH), <usize>BH << 2);
        } else {
          segment_forward(lay, ws, p, f(xs, <usize>s0 * B * In), In);
        }
      }
      // state after the last step: hs[T] (full), or hs[0] of the shared buffer (checkpointed)
      const hT = ck ? hs : f(hs, T * BH), cT = ck ? cs : f(cs, T * BH);
      if (!ck) scatter_steps(p, 0, T, dst, oT, oB, d * H, f(hs, BH), H, false);
      memory.copy(f(hn, ld * BH), hT, <usize>BH << 2);
      if (hasC && cn != 0) memory.copy(f(cn, ld * BH), cT, <usize>BH << 2);
    }
    // what the next layer reads: this layer's output, both directions, masked
    if (!last && mask != 0) mask_hidden(lay, dst, mask, l);
  }
}

/** Backward pass of descriptor d for the last stack_forward with the same shape (the workspace
 *  holds its states). dOut [B,T,D·H], dhn, dcn [L·D,B,H]: each may be 0 (= zeros). Parameter
 *  gradients ACCUMULATE into grads (layout of params). dx [B,T,I], dh0, dc0 [L·D,B,H] are
 *  overwritten (each may be 0 = not wanted). truncate = 0 for full BPTT, k ≥ 1 for truncated
 *  BPTT(k). dhs: 0, or [L·D,T,B,H] receiving the total ∂L/∂h_t of every layer-direction at every
 *  time t (time order, zero past each length): the gradient-flow diagnostics.
 *  x is read only in checkpointed mode, to recompute the segments. */
export function stack_backward(d: usize, lay: RnnLayout, ws: usize): void {
  const B = lay.B, T = lay.T, I = lay.I, H = lay.H, L = lay.L, D = lay.D, GH = lay.GH, ck = lay.ck != 0;
  const hasC = cellHasC(lay.cell), gr = cellGatedRows(lay.cell, H), LA = dAStride(GH), S = lay.S, N = lay.N;
  const params = getp(d, RD_PARAMS), grads = getp(d, RD_GRADS), lengths = getp(d, RD_LENGTHS), x = getp(d, RD_X);
  const dOut = getp(d, RD_DOUT), dhn = getp(d, RD_DHN), dcn = getp(d, RD_DCN);
  const dx = getp(d, RD_DX), dh0 = getp(d, RD_DH0), dc0 = getp(d, RD_DC0), dhs = getp(d, RD_DHS);
  const mask = getp(d, RD_DROPOUT);
  const p = stepsOf(lay, ws, lengths, geti(d, RD_TRUNCATE)), rg = changetype<Regions>(ws + REGIONS_AT);
  p.whh = f(ws, lay.pk3);
  const dys = f(ws, lay.dys), dA = f(ws, lay.dA), dAh = f(ws, lay.dAh), dxs = f(ws, lay.dxs);
  const dh = f(ws, lay.dh), dc = f(ws, lay.dc);
  p.dys = dys;
  p.dA = dA;
  p.dAh = dAh;
  p.dh = dh;
  p.dhp = f(ws, lay.dhp);
  p.dc = dc;
  p.dcp = f(ws, lay.dcp);
  const dy0 = f(ws, lay.dy0), dy1 = f(ws, lay.dy1), pk3 = f(ws, lay.pk3), pk4 = f(ws, lay.pk4);
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
    const src = l == 0 ? x : f(ws, lay.yk + <usize>(l - 1) * yStride);
    const sT = l == 0 ? I : B * D * H, sB = l == 0 ? T * I : D * H;
    for (let d = 0; d < D; d++) {
      const ld = l * D + d;
      const off = paramOffset(lay, ld);
      const wih = f(params, off), whh = f(wih, GH * In);
      const gih = f(grads, off), ghh = f(gih, GH * In), gbih = f(ghh, GH * H), gbhh = f(gbih, GH);
      p.bhh = f(whh, GH * H + GH);
      p.reverse = d;
      ld_regions(lay, ld, ws, rg);
      if (ck) pack_weights(lay, ws, In, wih);
      // W_hh [GH,H] and W_ih [GH,In] as panels for the backward's ∂h and ∂x GEMMs
      cell_pack(lay.cell, H, whh, 0, pk3);
      if (dst != 0) pack_panels(GH, In, wih, In, 1, pk4);
      const rec: usize = dhs == 0 ? <usize>0 : f(dhs, ld * T * BH);
      if (rec != 0) memory.fill(rec, 0, <usize>(T * BH) << 2);
      p.dhs = rec;
      if (dhn != 0) memory.copy(dh, f(dhn, ld * BH), <usize>BH << 2);
      else memory.fill(dh, 0, <usize>BH << 2);
      if (hasC) {
        if (dcn != 0) memory.copy(dc, f(dcn, ld * BH), <usize>BH << 2);
        else memory.fill(dc, 0, <usize>BH << 2);
      }
      for (let j = N - 1; j >= 0; j--) {
        const s0 = j * S, s1 = min(T, s0 + S), n = s1 - s0, rows = n * B;
        // the segment's activations: stored (full) or recomputed from its checkpoint
        segment_views(lay, rg, p, s0, s1);
        let xj = f(rg.xs, <usize>s0 * B * In);
        if (ck) {
          xj = rg.xs;
          memory.copy(rg.hs, f(rg.kh, <usize>j * BH), <usize>BH << 2);
          if (hasC) memory.copy(rg.cs, f(rg.kc, <usize>j * BH), <usize>BH << 2);
          gather_steps(p, s0, s1, rg.xs, src, sT, sB, 0, In);
          segment_forward(lay, ws, p, rg.xs, In);
        }
        if (dyCur != 0) gather_steps(p, s0, s1, dys, dyCur, cT, cB, d * H, H);
        else memory.fill(dys, 0, <usize>(rows * H) << 2);
        cell_steps_backward(p);
        // parameter gradients of the segment: four GEMMs over its rows (dAh = dA except for split
        // cells). h and x are packed into K×8 panels first (into dys and dxs, free until the next
        // segment's gather and the ∂x GEMM below): their rows are 128–1024 B apart, a power of two
        // that keeps a panel out of L1, and the packed kernel gives the same bits faster
        pack_panels(rows, H, p.hs, H, 1, dys);
        gemmp(GH - gr, H, rows, dAh, 1, LA, dys, ghh, H, true);
        if (gr > 0) {
          // the gated rows of W_hh multiply hl (cells.ts)
          pack_panels(rows, H, p.hl, H, 1, dys);
          gemmp(gr, H, rows, f(dAh, GH - gr), 1, LA, dys, f(ghh, (GH - gr) * H), H, true);
        }
        pack_panels(rows, In, xj, In, 1, dxs);
        gemmp(GH, In, rows, dA, 1, LA, dxs, gih, In, true);
        colsum_f32_wasmsimd(rows, GH, dA, LA, gbih, true);
        colsum_f32_wasmsimd(rows, GH, dAh, LA, gbhh, true);
        if (dst != 0) {
          gemmp(rows, In, GH, dA, LA, 1, pk4, dxs, In, false);
          scatter_steps(p, s0, s1, dst, nT, nB, 0, dxs, In, true);
        }
      }
      if (dh0 != 0) memory.copy(f(dh0, ld * BH), dh, <usize>BH << 2);
      if (hasC && dc0 != 0) memory.copy(f(dc0, ld * BH), dc, <usize>BH << 2);
    }
    // the layer below reads what this layer wrote: ∂L/∂(its masked output), times the mask
    if (l > 0 && mask != 0) mask_hidden(lay, dyNext, mask, l - 1);
    dyCur = dyNext;
    cT = B * D * H;
    cB = D * H;
    dyNext = dyNext == dy0 ? dy1 : dy0;
  }
}
