// LSTM time loop (torch.nn.LSTM), gates i, f, g, o in that order:
//   [i f g o] = [σ σ tanh σ](W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)
//   c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
// The stack (stack.ts) does the input projection for all steps into gz and the weight-gradient
// GEMMs; this file runs the recurrence over the steps of one direction.
// Every loop runs the steps s0 <= s < s1 of a segment (stack.ts); its buffers hold only those steps
// (index s − s0; hs and cs one more, the state entering the segment first), while lengths and
// truncation use the absolute step s.

import { gemm_f32_4x8_packed as gemmp } from "../linalg";
import { sigmoid4, tanh4 } from "../nn/activations";
import { ld4, st4, one4 } from "../nn/lanes";
import { carry_and_cut, record_dh, seqLen } from "./steps";
import { dAStride } from "./layout";
import { Steps } from "./records";
import { f } from "../common";

// @ts-ignore: decorator
@inline function fwdAt(g: usize, rc: usize, H: i32, cp: usize, cc: usize, hc: usize, vec: bool): void {
  const i = sigmoid4(f32x4.add(ld4(g, vec), ld4(rc, vec)));
  const fg = sigmoid4(f32x4.add(ld4(f(g, H), vec), ld4(f(rc, H), vec)));
  const gg = tanh4(f32x4.add(ld4(f(g, 2 * H), vec), ld4(f(rc, 2 * H), vec)));
  const o = sigmoid4(f32x4.add(ld4(f(g, 3 * H), vec), ld4(f(rc, 3 * H), vec)));
  st4(g, i, vec);
  st4(f(g, H), fg, vec);
  st4(f(g, 2 * H), gg, vec);
  st4(f(g, 3 * H), o, vec);
  const c = f32x4.add(f32x4.mul(fg, ld4(cp, vec)), f32x4.mul(i, gg));
  st4(cc, c, vec);
  st4(hc, f32x4.mul(o, tanh4(c)), vec);
}

/** gz [n,B,4H] holds the input projections (+ both biases) on entry and the gate activations on
 *  return; hs[0], cs[0] hold h0, c0. wt = W_hhᵀ [H, 4H] as panels (pack_panels); rec: scratch
 *  [B, 4H] for the recurrent product, added to gz as the gates are read (an accumulating GEMM
 *  runs slower at B = 1: see elman_steps_forward). Finished sequences keep h and c. */
export function lstm_steps_forward(p: Steps): void {
  const B = p.B, T = p.T, s0 = p.s0, s1 = p.s1, H = p.H, lengths = p.lengths, hs = p.hs, cs = p.cs, gz = p.gz,
    wt = p.wt, rec = p.rec;
  const BH = B * H, G = 4 * H, H4 = H & ~3;
  for (let s = s0; s < s1; s++) {
    const q = s - s0;
    const hp = f(hs, q * BH), hc = f(hs, (q + 1) * BH), cp = f(cs, q * BH), cc = f(cs, (q + 1) * BH);
    const gs = f(gz, q * B * G);
    gemmp(B, G, H, hp, H, 1, wt, rec, G, false);
    for (let b = 0; b < B; b++) {
      const r = b * H;
      if (s >= seqLen(lengths, b, T)) {
        memory.copy(f(hc, r), f(hp, r), <usize>H << 2);
        memory.copy(f(cc, r), f(cp, r), <usize>H << 2);
        continue;
      }
      const g = f(gs, b * G), rc = f(rec, b * G);
      let j = 0;
      for (; j < H4; j += 4) fwdAt(f(g, j), f(rc, j), H, f(cp, r + j), f(cc, r + j), f(hc, r + j), true);
      for (; j < H; j++) fwdAt(f(g, j), f(rc, j), H, f(cp, r + j), f(cc, r + j), f(hc, r + j), false);
    }
  }
}

// @ts-ignore: decorator
@inline function backAt(g: usize, H: i32, dh: usize, dy: usize, dc: usize, cp: usize, cc: usize, da: usize,
  dcp: usize, vec: bool): void {
  const one = one4();
  const i = ld4(g, vec), fg = ld4(f(g, H), vec), gg = ld4(f(g, 2 * H), vec), o = ld4(f(g, 3 * H), vec);
  const gh = f32x4.add(ld4(dh, vec), ld4(dy, vec));
  const tc = tanh4(ld4(cc, vec));
  const dct = f32x4.add(ld4(dc, vec), f32x4.mul(f32x4.mul(gh, o), f32x4.sub(one, f32x4.mul(tc, tc))));
  st4(da, f32x4.mul(f32x4.mul(dct, gg), f32x4.mul(i, f32x4.sub(one, i))), vec);
  st4(f(da, H), f32x4.mul(f32x4.mul(dct, ld4(cp, vec)), f32x4.mul(fg, f32x4.sub(one, fg))), vec);
  st4(f(da, 2 * H), f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(gg, gg))), vec);
  st4(f(da, 3 * H), f32x4.mul(f32x4.mul(gh, tc), f32x4.mul(o, f32x4.sub(one, o))), vec);
  st4(dcp, f32x4.mul(dct, fg), vec);
}

/** BPTT over the steps of one direction. dys [n,B,H]: upstream ∂L/∂h per step; dh, dc [B,H]:
 *  ∂L/∂h_n, ∂L/∂c_n on entry, ∂L/∂h0, ∂L/∂c0 on return. Writes dA [n,B,4H], rows dAStride(4H)
 *  floats apart (zero at inactive steps). whh = W_hh [4H, H] as panels (pack_panels). dhp, dcp: scratch [B,H]. rec, reverse: as elman_steps_backward. */
export function lstm_steps_backward(p: Steps): void {
  const B = p.B, T = p.T, s0 = p.s0, s1 = p.s1, H = p.H, lengths = p.lengths;
  const cs = p.cs, gz = p.gz, whh = p.whh, dys = p.dys, dA = p.dA;
  const dh = p.dh, dhp = p.dhp, dc = p.dc, dcp = p.dcp, rec = p.dhs;
  const BH = B * H, G = 4 * H, LA = dAStride(G), H4 = H & ~3;
  let ch = dh, nh = dhp, cc_ = dc, nc = dcp;
  for (let s = s1 - 1; s >= s0; s--) {
    const q = s - s0;
    const cp = f(cs, q * BH), cc = f(cs, (q + 1) * BH), dy = f(dys, q * BH);
    const gs = f(gz, q * B * G), da = f(dA, q * B * LA);
    if (rec != 0) record_dh(p, s, ch, dy);
    for (let b = 0; b < B; b++) {
      const r = b * H;
      if (s >= seqLen(lengths, b, T)) {
        memory.fill(f(da, b * LA), 0, <usize>G << 2);
        continue;
      }
      const g = f(gs, b * G), a = f(da, b * LA);
      let j = 0;
      for (; j < H4; j += 4) {
        backAt(f(g, j), H, f(ch, r + j), f(dy, r + j), f(cc_, r + j), f(cp, r + j), f(cc, r + j), f(a, j), f(nc, r + j),
          true);
      }
      for (; j < H; j++) {
        backAt(f(g, j), H, f(ch, r + j), f(dy, r + j), f(cc_, r + j), f(cp, r + j), f(cc, r + j), f(a, j), f(nc, r + j),
          false);
      }
    }
    gemmp(B, H, G, da, LA, 1, whh, nh, H, false);
    carry_and_cut(p, s, ch, nh, cc_, nc);
    let t = ch;
    ch = nh;
    nh = t;
    t = cc_;
    cc_ = nc;
    nc = t;
  }
  if (ch != dh) {
    memory.copy(dh, ch, <usize>BH << 2);
    memory.copy(dc, cc_, <usize>BH << 2);
  }
}
