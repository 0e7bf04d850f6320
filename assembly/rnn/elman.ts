// Elman RNN (torch.nn.RNN), forward and backpropagation through time over a whole batch.
//
//   h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh),   φ = tanh (act 0) or relu (act 1)
//
// Stacked layers (L) and directions (D = 1 or 2); layer l > 0 reads [forward ⧺ reverse] outputs of
// layer l − 1. Per-sequence lengths: steps past len_b leave the state unchanged and output zeros;
// the reverse direction starts at each sequence's own last step. Layouts are in layout.ts, step
// order in steps.ts. Per layer-direction the forward pass is:
//   xs = gather(input)                         [T·B, In]
//   hs[1..T] = xs · W_ihᵀ + (b_ih + b_hh)      one GEMM for all steps
//   for s: hs[s+1] = φ(hs[s+1] + hs[s]·W_hhᵀ)  one [B,H]×[H,H] GEMM per step
// and backward:
//   for s = T−1..0: dA[s] = (dh + dy[s]) ⊙ φ'(hs[s+1]);  dh ← dA[s]·W_hh
//   dW_hh += dAᵀ·hs[0..T−1], dW_ih += dAᵀ·xs, db += Σ dA, dxs = dA·W_ih   (four big GEMMs)
//
// Truncated BPTT(k): the recurrence is cut every k steps counted back from each sequence's own
// last step: ∂L/∂h is zeroed as it passes from step s to step s−1 when (len_b − s) mod k == 0.
// This is PyTorch run in chunks of k steps aligned to the sequence's end with h.detach() between
// chunks. A loss on the final state reaches exactly the last k steps; a loss at step s reaches
// back to the start of its chunk (1..k steps). Per direction, in that direction's step order.

import { gemm_f32_4x8_wasmsimd as gemm, transpose_f32, colsum_f32_wasmsimd } from "../linalg";
import { tanh_f32_wasmsimd, relu_f32_wasmsimd } from "../nn/activations";
import { layerIn, paramOffset, sharedLayout, wsHs, wsXs } from "./layout";
import { gather_steps, scatter_steps, seqLen, zero_strided } from "./steps";

export const ACT_TANH = 0;
export const ACT_RELU = 1;

// @ts-ignore: decorator
@inline function f(ptr: usize, floats: usize): usize { return ptr + (floats << 2); }

/** Forward pass. x [B,T,I] batch-first; lengths i32[B] or 0; h0 [L·D,B,H] or 0;
 *  out [B,T,D·H] (zeros past each length); hn [L·D,B,H]. ws: see layout.ts (rnn_workspace_floats). */
export function elman_forward(
  act: i32, B: i32, T: i32, I: i32, H: i32, L: i32, D: i32,
  params: usize, ws: usize, x: usize, lengths: usize, h0: usize, out: usize, hn: usize,
): void {
  const sh = sharedLayout(B, T, I, H, L, D);
  const pk1 = f(ws, sh.pk1), pk2 = f(ws, sh.pk2), bsum = f(ws, sh.bsum), y = f(ws, sh.y);
  const BH = B * H;
  for (let l = 0; l < L; l++) {
    const In = layerIn(l, I, H, D);
    // input of this layer: the user's x (batch-first) or the previous layer's y (time-major)
    const src = l == 0 ? x : y;
    const sT = l == 0 ? I : B * D * H, sB = l == 0 ? T * I : D * H;
    // gather both directions before y is overwritten by this layer's output
    for (let d = 0; d < D; d++) {
      const ld = l * D + d;
      gather_steps(f(ws, wsXs(ld, B, T, I, H, D)), src, sT, sB, 0, In, lengths, T, B, d == 1);
    }
    const last = l == L - 1;
    const dst = last ? out : y;
    const oT = last ? D * H : B * D * H, oB = last ? T * D * H : D * H;
    zero_strided(dst, oT, oB, 0, D * H, T, B);
    for (let d = 0; d < D; d++) {
      const ld = l * D + d;
      const p = f(params, paramOffset(ld, 1, I, H, D));
      const wih = p, whh = f(p, H * In), bih = f(whh, H * H), bhh = f(bih, H);
      const xs = f(ws, wsXs(ld, B, T, I, H, D)), hs = f(ws, wsHs(ld, B, T, I, H, D));
      if (h0 != 0) memory.copy(hs, f(h0, ld * BH), <usize>BH << 2);
      else memory.fill(hs, 0, <usize>BH << 2);
      // pack Wᵀ once for the whole sequence
      transpose_f32(H, In, wih, In, pk1, H);
      transpose_f32(H, H, whh, H, pk2, H);
      for (let j = 0; j < H; j++) {
        store<f32>(f(bsum, j), load<f32>(f(bih, j)) + load<f32>(f(bhh, j)));
      }
      // input projection for all T·B rows at once, plus the biases
      const h1 = f(hs, BH);
      gemm(T * B, H, In, xs, In, 1, pk1, H, h1, H, false);
      for (let r = 0; r < T * B; r++) {
        const row = f(h1, r * H);
        let j = 0;
        for (; j + 4 <= H; j += 4) v128.store(f(row, j), f32x4.add(v128.load(f(row, j)), v128.load(f(bsum, j))));
        for (; j < H; j++) store<f32>(f(row, j), load<f32>(f(row, j)) + load<f32>(f(bsum, j)));
      }
      // the recurrence
      for (let s = 0; s < T; s++) {
        const hp = f(hs, s * BH), hc = f(hs, (s + 1) * BH);
        gemm(B, H, H, hp, H, 1, pk2, H, hc, H, true);
        if (act == ACT_RELU) relu_f32_wasmsimd(BH, hc, hc);
        else tanh_f32_wasmsimd(BH, hc, hc);
        // finished sequences keep their state
        for (let b = 0; b < B; b++) {
          if (s >= seqLen(lengths, b, T)) memory.copy(f(hc, b * H), f(hp, b * H), <usize>H << 2);
        }
      }
      scatter_steps(dst, oT, oB, d * H, h1, H, lengths, T, B, d == 1, false);
      memory.copy(f(hn, ld * BH), f(hs, T * BH), <usize>BH << 2);
    }
  }
}

/** Backward pass for the last forward call with the same arguments (the workspace holds its
 *  states). dOut [B,T,D·H] or 0, dhn [L·D,B,H] or 0. Parameter gradients ACCUMULATE into grads
 *  (layout of params). dx [B,T,I] and dh0 [L·D,B,H] are overwritten (either may be 0 = not wanted).
 *  truncate = 0 for full BPTT, k ≥ 1 for truncated BPTT(k) (see the file comment). */
export function elman_backward(
  act: i32, B: i32, T: i32, I: i32, H: i32, L: i32, D: i32,
  params: usize, grads: usize, ws: usize, lengths: usize,
  dOut: usize, dhn: usize, dx: usize, dh0: usize, truncate: i32,
): void {
  const sh = sharedLayout(B, T, I, H, L, D);
  const dA = f(ws, sh.dA), dxs = f(ws, sh.dxs);
  let dh = f(ws, sh.dh), dhp = f(ws, sh.dhp);
  let dyCur = dOut, dyNext = f(ws, sh.dy0);
  let cT = D * H, cB = T * D * H; // strides of dyCur (batch-first for the last layer)
  const BH = B * H;
  const relu = act == ACT_RELU;
  for (let l = L - 1; l >= 0; l--) {
    const In = layerIn(l, I, H, D);
    // where ∂L/∂(layer input) goes: the user's dx (batch-first) or the layer below (time-major)
    const dst = l == 0 ? dx : dyNext;
    const nT = l == 0 ? I : B * D * H, nB = l == 0 ? T * I : D * H;
    if (dst != 0) zero_strided(dst, nT, nB, 0, In, T, B);
    for (let d = 0; d < D; d++) {
      const ld = l * D + d;
      const off = paramOffset(ld, 1, I, H, D);
      const wih = f(params, off), whh = f(wih, H * In);
      const gih = f(grads, off), ghh = f(gih, H * In), gbih = f(ghh, H * H), gbhh = f(gbih, H);
      const xs = f(ws, wsXs(ld, B, T, I, H, D)), hs = f(ws, wsHs(ld, B, T, I, H, D));
      // upstream per-step gradient into dA (step order), and ∂L/∂h_n into dh
      if (dyCur != 0) gather_steps(dA, dyCur, cT, cB, d * H, H, lengths, T, B, d == 1);
      else memory.fill(dA, 0, <usize>(T * BH) << 2);
      if (dhn != 0) memory.copy(dh, f(dhn, ld * BH), <usize>BH << 2);
      else memory.fill(dh, 0, <usize>BH << 2);
      for (let s = T - 1; s >= 0; s--) {
        const hc = f(hs, (s + 1) * BH), da = f(dA, s * BH);
        for (let b = 0; b < B; b++) {
          if (s >= seqLen(lengths, b, T)) continue; // inactive: dA row is 0, dh passes unchanged
          const r = b * H;
          let j = 0;
          for (; j + 4 <= H; j += 4) {
            const g = f32x4.add(v128.load(f(dh, r + j)), v128.load(f(da, r + j)));
            const h = v128.load(f(hc, r + j));
            const dphi = relu
              ? v128.and(f32x4.splat(1), f32x4.gt(h, f32x4.splat(0)))
              : f32x4.sub(f32x4.splat(1), f32x4.mul(h, h));
            v128.store(f(da, r + j), f32x4.mul(g, dphi));
          }
          for (; j < H; j++) {
            const g = load<f32>(f(dh, r + j)) + load<f32>(f(da, r + j));
            const h = load<f32>(f(hc, r + j));
            const dphi: f32 = relu ? (h > 0 ? 1 : 0) : 1 - h * h;
            store<f32>(f(da, r + j), g * dphi);
          }
        }
        gemm(B, H, H, da, H, 1, whh, H, dhp, H, false);
        for (let b = 0; b < B; b++) {
          const len = seqLen(lengths, b, T);
          if (s >= len) memory.copy(f(dhp, b * H), f(dh, b * H), <usize>H << 2);
          else if (truncate > 0 && (len - s) % truncate == 0) memory.fill(f(dhp, b * H), 0, <usize>H << 2);
        }
        const tmp = dh; dh = dhp; dhp = tmp;
      }
      if (dh0 != 0) memory.copy(f(dh0, ld * BH), dh, <usize>BH << 2);
      // parameter gradients: four GEMMs over all T·B rows
      gemm(H, H, T * B, dA, 1, H, hs, H, ghh, H, true);
      gemm(H, In, T * B, dA, 1, H, xs, In, gih, In, true);
      colsum_f32_wasmsimd(T * B, H, dA, H, gbih, true);
      colsum_f32_wasmsimd(T * B, H, dA, H, gbhh, true);
      if (dst != 0) {
        gemm(T * B, In, H, dA, H, 1, wih, In, dxs, In, false);
        scatter_steps(dst, nT, nB, 0, dxs, In, lengths, T, B, d == 1, true);
      }
    }
    // the layer below reads what this layer wrote
    dyCur = dyNext; cT = B * D * H; cB = D * H;
    dyNext = dyNext == f(ws, sh.dy0) ? f(ws, sh.dy1) : f(ws, sh.dy0);
  }
}
