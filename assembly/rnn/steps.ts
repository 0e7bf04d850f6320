// Step order: the recurrence of one direction runs over "steps" s = 0..T−1. Sequence b is active
// while s < len_b. The forward direction visits time t = s; the reverse direction visits
// t = len_b − 1 − s, i.e. it starts at each sequence's OWN last step (packed-sequence semantics).
// Gathering a layer's input into step order once lets the whole batch advance together, and the
// input projection for all steps becomes one GEMM.
//
// Tensors in time or batch order are addressed with element strides: element (t, b, f) of src is
// src[t·sT + b·sB + off + f], so batch-first [B,T,F] (sT = F, sB = T·F) and time-major [T,B,F]
// (sT = B·F, sB = F) and column slices (off) all go through the same code.

import { Steps } from "./records";

// @ts-ignore: decorator
@inline export function seqLen(lengths: usize, b: i32, T: i32): i32 {
  return lengths == 0 ? T : load<i32>(lengths + (<usize>b << 2));
}

// @ts-ignore: decorator
@inline export function stepTime(s: i32, len: i32, reverse: bool): i32 {
  return reverse ? len - 1 - s : s;
}

/** Copy n floats (rows of a step: F = I, H or D·H floats, 16 to a few thousand bytes) with f32x4
 *  moves: V8 runs memory.copy as a call into its runtime, whose fixed cost dominated rows this
 *  short (the output scatter was 6% of a medium Elman forward pass). */
// @ts-ignore: decorator
@inline function copyRow(dst: usize, src: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(dst + o, v128.load(src + o));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

/** dst[s−s0,b,0..F) = src(t(s,b), b, off..off+F) for the active steps s0 <= s < s1, 0 for the
 *  others. dst is [s1−s0,B,F]; p gives B, T, the lengths and the direction. */
export function gather_steps(p: Steps, s0: i32, s1: i32, dst: usize, src: usize, sT: i32, sB: i32, off: i32,
  F: i32): void {
  const B = p.B, T = p.T, lengths = p.lengths, reverse = p.reverse != 0;
  const row = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    const len = seqLen(lengths, b, T);
    for (let s = s0; s < s1; s++) {
      const pd = dst + (<usize>((s - s0) * B + b)) * row;
      if (s < len) {
        const t = stepTime(s, len, reverse);
        copyRow(pd, src + ((<usize>t * sT + <usize>b * sB + off) << 2), F);
      } else {
        memory.fill(pd, 0, row);
      }
    }
  }
}

/** dst(t(s,b), b, off..off+F) (+)= src[s−s0,b,0..F) for the active steps s0 <= s < s1; other
 *  positions untouched. src is [s1−s0,B,F]; p gives B, T, the lengths and the direction. */
export function scatter_steps(p: Steps, s0: i32, s1: i32, dst: usize, sT: i32, sB: i32, off: i32, src: usize, F: i32,
  accumulate: bool): void {
  const B = p.B, T = p.T, lengths = p.lengths, reverse = p.reverse != 0;
  const row = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    const len = seqLen(lengths, b, T);
    const e = min(len, s1);
    for (let s = s0; s < e; s++) {
      const t = stepTime(s, len, reverse);
      const pd = dst + ((<usize>t * sT + <usize>b * sB + off) << 2);
      const ps = src + (<usize>((s - s0) * B + b)) * row;
      if (accumulate) {
        let j = 0;
        for (; j + 4 <= F; j += 4) {
          const o = <usize>j << 2;
          v128.store(pd + o, f32x4.add(v128.load(pd + o), v128.load(ps + o)));
        }
        for (; j < F; j++) {
          const o = <usize>j << 2;
          store<f32>(pd + o, load<f32>(pd + o) + load<f32>(ps + o));
        }
      } else {
        copyRow(pd, ps, F);
      }
    }
  }
}

/** Zero the elements (t, b, off..off+F) of a strided tensor for all t < T, b < B. */
export function zero_strided(dst: usize, sT: i32, sB: i32, off: i32, F: i32, T: i32, B: i32): void {
  const row = <usize>F << 2;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      memory.fill(dst + ((<usize>t * sT + <usize>b * sB + off) << 2), 0, row);
    }
  }
}

/** After computing ∂L/∂h_{s−1} into dhp (and ∂L/∂c_{s−1} into dcp, LSTM) for step s: sequences that
 *  are past their length at s pass dh (dc) through unchanged; sequences at a truncation boundary
 *  ((len − s) mod k == 0, k = truncate > 0) are cut to zero. dc/dcp may be 0 (no cell state). */
export function carry_and_cut(p: Steps, s: i32, dh: usize, dhp: usize, dc: usize, dcp: usize): void {
  const B = p.B, H = p.H, T = p.T, lengths = p.lengths, truncate = p.truncate;
  const row = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const len = seqLen(lengths, b, T);
    const o = <usize>b * row;
    if (s >= len) {
      memory.copy(dhp + o, dh + o, row);
      if (dc != 0) memory.copy(dcp + o, dc + o, row);
    } else if (truncate > 0 && (len - s) % truncate == 0) {
      memory.fill(dhp + o, 0, row);
      if (dc != 0) memory.fill(dcp + o, 0, row);
    }
  }
}

/** Diagnostics: rec[t,b,:] = dh[b,:] + dy[b,:] (the total ∂L/∂h at time t = t(s,b)) for the
 *  sequences active at step s, rec = p.dhs ([T,B,H] in time order); inactive positions are left as
 *  they are (the stack zeroes rec first). */
export function record_dh(p: Steps, s: i32, dh: usize, dy: usize): void {
  const rec = p.dhs, B = p.B, H = p.H, T = p.T, lengths = p.lengths, reverse = p.reverse != 0;
  for (let b = 0; b < B; b++) {
    const len = seqLen(lengths, b, T);
    if (s >= len) continue;
    const t = stepTime(s, len, reverse);
    const o = <usize>(b * H) << 2, pd = rec + ((<usize>(t * B + b) * H) << 2);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const q = <usize>j << 2;
      v128.store(pd + q, f32x4.add(v128.load(dh + o + q), v128.load(dy + o + q)));
    }
    for (; j < H; j++) {
      const q = <usize>j << 2;
      store<f32>(pd + q, load<f32>(dh + o + q) + load<f32>(dy + o + q));
    }
  }
}
