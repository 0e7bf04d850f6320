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

import { gemm_f32_4x8_wasmsimd as gemm, transpose_f32, colsum_f32_wasmsimd } from "../linalg";
import {
  CELL_GRU, CELL_LSTM, gatesOf, layerIn, ldRegions, paramOffset, sharedLayout,
  rgXs, rgHs, rgGz, rgCs, rgHl, shY, shPk1, shPk2, shBsum, shRec, shDys, shDA, shDAh, shDh, shDhp, shDc, shDcp, shDxs, shDy0, shDy1,
} from "./layout";
import { gather_steps, scatter_steps, zero_strided } from "./steps";
import { elman_steps_backward, elman_steps_forward } from "./elman";
import { lstm_steps_backward, lstm_steps_forward } from "./lstm";
import { gru_steps_backward, gru_steps_forward } from "./gru";

// @ts-ignore: decorator
@inline function f(ptr: usize, floats: usize): usize { return ptr + (floats << 2); }

/** Forward pass. x [B,T,I] batch-first; lengths i32[B] or 0; h0, c0 [L·D,B,H] or 0 (c0: LSTM);
 *  out [B,T,D·H] (zeros past each length); hn, cn [L·D,B,H] (cn: LSTM, may be 0). */
export function rnn_forward(
  cell: i32, B: i32, T: i32, I: i32, H: i32, L: i32, D: i32,
  params: usize, ws: usize, x: usize, lengths: usize, h0: usize, c0: usize, out: usize, hn: usize, cn: usize,
): void {
  const G = gatesOf(cell), GH = G * H;
  sharedLayout(cell, B, T, I, H, L, D);
  const pk1 = f(ws, shPk1), pk2 = f(ws, shPk2), bsum = f(ws, shBsum), y = f(ws, shY), rec = f(ws, shRec);
  const BH = B * H;
  for (let l = 0; l < L; l++) {
    const In = layerIn(l, I, H, D);
    const src = l == 0 ? x : y;
    const sT = l == 0 ? I : B * D * H, sB = l == 0 ? T * I : D * H;
    // gather both directions before y is overwritten by this layer's output
    for (let d = 0; d < D; d++) {
      ldRegions(l * D + d, cell, B, T, I, H, D);
      gather_steps(f(ws, rgXs), src, sT, sB, 0, In, lengths, T, B, d == 1);
    }
    const last = l == L - 1;
    const dst = last ? out : y;
    const oT = last ? D * H : B * D * H, oB = last ? T * D * H : D * H;
    zero_strided(dst, oT, oB, 0, D * H, T, B);
    for (let d = 0; d < D; d++) {
      const ld = l * D + d;
      const p = f(params, paramOffset(ld, G, I, H, D));
      const wih = p, whh = f(p, GH * In), bih = f(whh, GH * H), bhh = f(bih, GH);
      ldRegions(ld, cell, B, T, I, H, D);
      const xs = f(ws, rgXs), hs = f(ws, rgHs), gz = f(ws, rgGz), cs = f(ws, rgCs), hl = f(ws, rgHl);
      if (h0 != 0) memory.copy(hs, f(h0, ld * BH), <usize>BH << 2); else memory.fill(hs, 0, <usize>BH << 2);
      if (cell == CELL_LSTM) {
        if (c0 != 0) memory.copy(cs, f(c0, ld * BH), <usize>BH << 2); else memory.fill(cs, 0, <usize>BH << 2);
      }
      // pack Wᵀ once for the whole sequence; GRU keeps b_hh for the recurrent side (b_hn sits inside r ⊙ ·)
      transpose_f32(GH, In, wih, In, pk1, GH);
      transpose_f32(GH, H, whh, H, pk2, GH);
      for (let j = 0; j < GH; j++) {
        store<f32>(f(bsum, j), load<f32>(f(bih, j)) + (cell == CELL_GRU ? <f32>0 : load<f32>(f(bhh, j))));
      }
      // input projection for all T·B rows at once, plus the biases
      const P = G == 1 ? f(hs, BH) : gz;
      gemm(T * B, GH, In, xs, In, 1, pk1, GH, P, GH, false);
      for (let r = 0; r < T * B; r++) {
        const row = f(P, <usize>r * GH);
        let j = 0;
        for (; j + 4 <= GH; j += 4) v128.store(f(row, j), f32x4.add(v128.load(f(row, j)), v128.load(f(bsum, j))));
        for (; j < GH; j++) store<f32>(f(row, j), load<f32>(f(row, j)) + load<f32>(f(bsum, j)));
      }
      if (cell == CELL_LSTM) lstm_steps_forward(B, T, H, lengths, hs, cs, gz, pk2);
      else if (cell == CELL_GRU) gru_steps_forward(B, T, H, lengths, hs, gz, hl, pk2, bhh, rec);
      else elman_steps_forward(cell, B, T, H, lengths, hs, pk2);
      scatter_steps(dst, oT, oB, d * H, f(hs, BH), H, lengths, T, B, d == 1, false);
      memory.copy(f(hn, ld * BH), f(hs, T * BH), <usize>BH << 2);
      if (cell == CELL_LSTM && cn != 0) memory.copy(f(cn, ld * BH), f(cs, T * BH), <usize>BH << 2);
    }
  }
}

/** Backward pass for the last rnn_forward with the same arguments (the workspace holds its
 *  states). dOut [B,T,D·H], dhn, dcn [L·D,B,H]: each may be 0 (= zeros). Parameter gradients
 *  ACCUMULATE into grads (layout of params). dx [B,T,I], dh0, dc0 [L·D,B,H] are overwritten (each
 *  may be 0 = not wanted). truncate = 0 for full BPTT, k ≥ 1 for truncated BPTT(k).
 *  dhs: 0, or [L·D,T,B,H] receiving the total ∂L/∂h_t of every layer-direction at every time t
 *  (time order, zero past each length) — the gradient-flow diagnostics. */
export function rnn_backward(
  cell: i32, B: i32, T: i32, I: i32, H: i32, L: i32, D: i32,
  params: usize, grads: usize, ws: usize, lengths: usize,
  dOut: usize, dhn: usize, dcn: usize, dx: usize, dh0: usize, dc0: usize, truncate: i32, dhs: usize,
): void {
  const G = gatesOf(cell), GH = G * H;
  sharedLayout(cell, B, T, I, H, L, D);
  const dys = f(ws, shDys), dA = f(ws, shDA), dAh = f(ws, shDAh), dxs = f(ws, shDxs);
  const dh = f(ws, shDh), dhp = f(ws, shDhp), dc = f(ws, shDc), dcp = f(ws, shDcp);
  const dy0 = f(ws, shDy0), dy1 = f(ws, shDy1);
  let dyCur = dOut, dyNext = dy0;
  let cT = D * H, cB = T * D * H; // strides of dyCur (batch-first for the last layer)
  const BH = B * H;
  for (let l = L - 1; l >= 0; l--) {
    const In = layerIn(l, I, H, D);
    // where ∂L/∂(layer input) goes: the user's dx (batch-first) or the layer below (time-major)
    const dst = l == 0 ? dx : dyNext;
    const nT = l == 0 ? I : B * D * H, nB = l == 0 ? T * I : D * H;
    if (dst != 0) zero_strided(dst, nT, nB, 0, In, T, B);
    for (let d = 0; d < D; d++) {
      const ld = l * D + d;
      const off = paramOffset(ld, G, I, H, D);
      const wih = f(params, off), whh = f(wih, GH * In);
      const gih = f(grads, off), ghh = f(gih, GH * In), gbih = f(ghh, GH * H), gbhh = f(gbih, GH);
      ldRegions(ld, cell, B, T, I, H, D);
      const xs = f(ws, rgXs), hs = f(ws, rgHs), gz = f(ws, rgGz), cs = f(ws, rgCs), hl = f(ws, rgHl);
      const rec: usize = dhs == 0 ? <usize>0 : f(dhs, ld * T * BH), rev = d == 1;
      if (rec != 0) memory.fill(rec, 0, <usize>(T * BH) << 2);
      if (dyCur != 0) gather_steps(dys, dyCur, cT, cB, d * H, H, lengths, T, B, d == 1);
      else memory.fill(dys, 0, <usize>(T * BH) << 2);
      if (dhn != 0) memory.copy(dh, f(dhn, ld * BH), <usize>BH << 2); else memory.fill(dh, 0, <usize>BH << 2);
      if (cell == CELL_LSTM) {
        if (dcn != 0) memory.copy(dc, f(dcn, ld * BH), <usize>BH << 2); else memory.fill(dc, 0, <usize>BH << 2);
        lstm_steps_backward(B, T, H, lengths, truncate, hs, cs, gz, whh, dys, dA, dh, dhp, dc, dcp, rec, rev);
        if (dc0 != 0) memory.copy(f(dc0, ld * BH), dc, <usize>BH << 2);
      } else if (cell == CELL_GRU) {
        gru_steps_backward(B, T, H, lengths, truncate, hs, gz, hl, whh, dys, dA, dAh, dh, dhp, rec, rev);
      } else {
        elman_steps_backward(cell, B, T, H, lengths, truncate, hs, whh, dys, dA, dh, dhp, rec, rev);
      }
      if (dh0 != 0) memory.copy(f(dh0, ld * BH), dh, <usize>BH << 2);
      // parameter gradients: four GEMMs over all T·B rows (dAh = dA except for GRU)
      gemm(GH, H, T * B, dAh, 1, GH, hs, H, ghh, H, true);
      gemm(GH, In, T * B, dA, 1, GH, xs, In, gih, In, true);
      colsum_f32_wasmsimd(T * B, GH, dA, GH, gbih, true);
      colsum_f32_wasmsimd(T * B, GH, dAh, GH, gbhh, true);
      if (dst != 0) {
        gemm(T * B, In, GH, dA, GH, 1, wih, In, dxs, In, false);
        scatter_steps(dst, nT, nB, 0, dxs, In, lengths, T, B, d == 1, true);
      }
    }
    // the layer below reads what this layer wrote
    dyCur = dyNext; cT = B * D * H; cB = D * H;
    dyNext = dyNext == dy0 ? dy1 : dy0;
  }
}
