// Elman RNN time loop (torch.nn.RNN):  h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh),
// φ = tanh, relu or the identity ("linear", not in PyTorch; for gradient-flow experiments). The stack (stack.ts) gathers the input, does the input projection for all steps
// and the weight-gradient GEMMs; this file runs the recurrence over the steps of one direction.
// Every loop runs the steps s0 <= s < s1 of a segment (stack.ts); its buffers hold only those steps
// (index s − s0; hs one more, the state entering the segment first), while lengths and
// truncation use the absolute step s.

import { CELL_RNN_TANH, CELL_RNN_RELU } from "../constants";
import { gemm_f32_4x8_packed as gemmp, add_f32_wasmsimd } from "../linalg";
import { tanh4, tanh1, relu_f32_wasmsimd } from "../nn/activations";
import { ld4, st4, one4 } from "../nn/lanes";
import { carry_and_cut, record_dh, seqLen } from "./steps";
import { dAStride } from "./layout";
import { Steps } from "./records";
import { f } from "../common";

/** y[i] = tanh(y[i] + a[i]) for n elements: the add and the activation in one pass over the step's
 *  states (bitwise the same as adding, then tanh_f32_wasmsimd). */
function addTanh(n: i32, a: usize, y: usize): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, tanh4(f32x4.add(v128.load(y + o), v128.load(a + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, tanh1(load<f32>(y + o) + load<f32>(a + o)));
  }
}

/** hs[1..n] holds the input projections (+ both biases) on entry and the states on return.
 *  wt = W_hhᵀ [H, H] as panels (pack_panels); rec: scratch [B, H]. Finished sequences keep their
 *  state. act: the cell id (CELL_RNN_TANH, CELL_RNN_RELU or CELL_RNN_LINEAR).
 *  The recurrent product goes to rec and is then added (rather than accumulated into hs by the
 *  GEMM): V8 compiles the accumulating 1×32 strip of B = 1 with spills. */
export function elman_steps_forward(p: Steps): void {
  const act = p.cell, B = p.B, T = p.T, s0 = p.s0, s1 = p.s1, H = p.H, lengths = p.lengths, hs = p.hs, wt = p.wt,
    rec = p.rec;
  const BH = B * H;
  for (let s = s0; s < s1; s++) {
    const q = s - s0, hp = f(hs, q * BH), hc = f(hs, (q + 1) * BH);
    gemmp(B, H, H, hp, H, 1, wt, rec, H, false);
    if (act == CELL_RNN_TANH) addTanh(BH, rec, hc);
    else {
      add_f32_wasmsimd(BH, rec, hc);
      if (act == CELL_RNN_RELU) relu_f32_wasmsimd(BH, hc, hc);
    }
    for (let b = 0; b < B; b++) {
      if (s >= seqLen(lengths, b, T)) memory.copy(f(hc, b * H), f(hp, b * H), <usize>H << 2);
    }
  }
}

// @ts-ignore: decorator
@inline function backAt(act: i32, dh: usize, dy: usize, h: usize, da: usize, vec: bool): void {
  const g = f32x4.add(ld4(dh, vec), ld4(dy, vec));
  const hv = ld4(h, vec);
  const dphi = act == CELL_RNN_RELU
    ? v128.and(one4(), f32x4.gt(hv, f32x4.splat(0)))
    : act == CELL_RNN_TANH
    ? f32x4.sub(one4(), f32x4.mul(hv, hv))
    : one4();
  st4(da, f32x4.mul(g, dphi), vec);
}

/** BPTT over the steps of one direction. dys [n,B,H]: upstream ∂L/∂h per step (step order);
 *  dh [B,H]: ∂L/∂h_n on entry, ∂L/∂h0 on return. Writes dA [n,B,H] = ∂L/∂(pre-activation), rows
 *  dAStride(H) floats apart, zero at inactive steps. whh = W_hh [H, H] as panels (pack_panels). dhp: scratch [B,H]. rec: 0, or [n,B,H]
 *  receiving the total ∂L/∂h_t in time order (record_dh; reverse: this is the reverse direction). */
export function elman_steps_backward(p: Steps): void {
  const act = p.cell, B = p.B, T = p.T, s0 = p.s0, s1 = p.s1, H = p.H, lengths = p.lengths;
  const hs = p.hs, whh = p.whh, dys = p.dys, dA = p.dA, dh = p.dh, dhp = p.dhp, rec = p.dhs;
  const BH = B * H, LA = dAStride(H), H4 = H & ~3;
  let cur = dh, nxt = dhp;
  for (let s = s1 - 1; s >= s0; s--) {
    const q = s - s0, hc = f(hs, (q + 1) * BH), da = f(dA, q * B * LA), dy = f(dys, q * BH);
    if (rec != 0) record_dh(p, s, cur, dy);
    for (let b = 0; b < B; b++) {
      const r = b * H, ra = b * LA;
      if (s >= seqLen(lengths, b, T)) {
        memory.fill(f(da, ra), 0, <usize>H << 2);
        continue;
      }
      let j = 0;
      for (; j < H4; j += 4) backAt(act, f(cur, r + j), f(dy, r + j), f(hc, r + j), f(da, ra + j), true);
      for (; j < H; j++) backAt(act, f(cur, r + j), f(dy, r + j), f(hc, r + j), f(da, ra + j), false);
    }
    gemmp(B, H, H, da, LA, 1, whh, nxt, H, false);
    carry_and_cut(p, s, cur, nxt, 0, 0);
    const t = cur;
    cur = nxt;
    nxt = t;
  }
  if (cur != dh) memory.copy(dh, cur, <usize>BH << 2);
}
