// GRU time loop (torch.nn.GRU), gates r, z, n in that order:
//   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h  (computed n + z⊙(h − n))
// This is PyTorch's GRU (reset gate applied after the recurrent product); TF.js and brain.js run
// other variants. The stack (stack.ts) does the input projection for all steps into gz (with b_ih
// only) and the weight-gradient GEMMs; this file runs the recurrence of one direction.
// Every loop runs the steps s0 <= s < s1 of a segment (stack.ts); its buffers hold only those steps
// (index s − s0; hs one more, the state entering the segment first), while lengths and
// truncation use the absolute step s.

import { gemm_f32_4x8_packed as gemmp } from "../linalg";
import { sigmoid4, tanh4 } from "../nn/activations";
import { ld4, st4, one4 } from "../nn/lanes";
import { carry_and_cut, record_dh, seqLen } from "./steps";
import { dAStride } from "./layout";
import { Steps } from "./records";
import { f } from "../common";

// @ts-ignore: decorator
@inline function fwdAt(g: usize, rc: usize, H: i32, hp: usize, hc: usize, hl: usize, vec: bool): void {
  const r = sigmoid4(f32x4.add(ld4(g, vec), ld4(rc, vec)));
  const z = sigmoid4(f32x4.add(ld4(f(g, H), vec), ld4(f(rc, H), vec)));
  const hn = ld4(f(rc, 2 * H), vec);
  const n = tanh4(f32x4.add(ld4(f(g, 2 * H), vec), f32x4.mul(r, hn)));
  st4(g, r, vec);
  st4(f(g, H), z, vec);
  st4(f(g, 2 * H), n, vec);
  st4(hl, hn, vec);
  st4(hc, f32x4.add(n, f32x4.mul(z, f32x4.sub(ld4(hp, vec), n))), vec);
}

/** gz [n,B,3H] holds W_ih x + b_ih on entry and the gates r, z, n on return; hl [n,B,H] receives
 *  W_hn h + b_hn. wt = W_hhᵀ [H, 3H] as panels (pack_panels); bhh [3H]; rec: scratch [B, 3H]. */
export function gru_steps_forward(p: Steps): void {
  const B = p.B, T = p.T, s0 = p.s0, s1 = p.s1, H = p.H, lengths = p.lengths;
  const hs = p.hs, gz = p.gz, hl = p.hl, wt = p.wt, bhh = p.bhh, rec = p.rec;
  const BH = B * H, G = 3 * H, H4 = H & ~3;
  for (let s = s0; s < s1; s++) {
    const q = s - s0, hp = f(hs, q * BH), hc = f(hs, (q + 1) * BH), gs = f(gz, q * B * G), hls = f(hl, q * BH);
    gemmp(B, G, H, hp, H, 1, wt, rec, G, false);
    for (let b = 0; b < B; b++) {
      const r = b * H;
      if (s >= seqLen(lengths, b, T)) {
        memory.copy(f(hc, r), f(hp, r), <usize>H << 2);
        continue;
      }
      const rc = f(rec, b * G);
      // + b_hh on this row
      let j = 0;
      for (; j + 4 <= G; j += 4) v128.store(f(rc, j), f32x4.add(v128.load(f(rc, j)), v128.load(f(bhh, j))));
      for (; j < G; j++) store<f32>(f(rc, j), load<f32>(f(rc, j)) + load<f32>(f(bhh, j)));
      const g = f(gs, b * G);
      j = 0;
      for (; j < H4; j += 4) fwdAt(f(g, j), f(rc, j), H, f(hp, r + j), f(hc, r + j), f(hls, r + j), true);
      for (; j < H; j++) fwdAt(f(g, j), f(rc, j), H, f(hp, r + j), f(hc, r + j), f(hls, r + j), false);
    }
  }
}

// @ts-ignore: decorator
@inline function backAt(g: usize, H: i32, dh: usize, dy: usize, hp: usize, hl: usize, dax: usize, dah: usize,
  dhp: usize, vec: bool): void {
  const one = one4();
  const r = ld4(g, vec), z = ld4(f(g, H), vec), n = ld4(f(g, 2 * H), vec);
  const gh = f32x4.add(ld4(dh, vec), ld4(dy, vec));
  const dan = f32x4.mul(f32x4.mul(gh, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
  const daz = f32x4.mul(f32x4.mul(gh, f32x4.sub(ld4(hp, vec), n)), f32x4.mul(z, f32x4.sub(one, z)));
  const dar = f32x4.mul(f32x4.mul(dan, ld4(hl, vec)), f32x4.mul(r, f32x4.sub(one, r)));
  st4(dax, dar, vec);
  st4(f(dax, H), daz, vec);
  st4(f(dax, 2 * H), dan, vec);
  st4(dah, dar, vec);
  st4(f(dah, H), daz, vec);
  st4(f(dah, 2 * H), f32x4.mul(dan, r), vec);
  st4(dhp, f32x4.mul(gh, z), vec);
}

/** BPTT over the steps of one direction. dys [n,B,H]: upstream ∂L/∂h per step; dh [B,H]: ∂L/∂h_n
 *  on entry, ∂L/∂h0 on return. Writes dA [n,B,3H] (∂L/∂ of W_ih x + b_ih, for W_ih, b_ih and the
 *  input) and dAh [n,B,3H] (∂L/∂ of W_hh h + b_hh, for W_hh, b_hh), rows dAStride(3H) floats apart,
 *  zero at inactive steps.
 *  whh = W_hh [3H, H] as panels (pack_panels). dhp: scratch [B,H]. rec, reverse: as elman_steps_backward. */
export function gru_steps_backward(p: Steps): void {
  const B = p.B, T = p.T, s0 = p.s0, s1 = p.s1, H = p.H, lengths = p.lengths;
  const hs = p.hs, gz = p.gz, hl = p.hl, whh = p.whh, dys = p.dys, dA = p.dA, dAh = p.dAh;
  const dh = p.dh, dhp = p.dhp, rec = p.dhs;
  const BH = B * H, G = 3 * H, LA = dAStride(G), H4 = H & ~3;
  let cur = dh, nxt = dhp;
  for (let s = s1 - 1; s >= s0; s--) {
    const q = s - s0, hp = f(hs, q * BH), dy = f(dys, q * BH), hls = f(hl, q * BH);
    const gs = f(gz, q * B * G), dax = f(dA, q * B * LA), dah = f(dAh, q * B * LA);
    if (rec != 0) record_dh(p, s, cur, dy);
    for (let b = 0; b < B; b++) {
      const r = b * H;
      if (s >= seqLen(lengths, b, T)) {
        memory.fill(f(dax, b * LA), 0, <usize>G << 2);
        memory.fill(f(dah, b * LA), 0, <usize>G << 2);
        memory.fill(f(nxt, r), 0, <usize>H << 2); // carry_and_cut copies dh in after the GEMM
        continue;
      }
      const g = f(gs, b * G);
      let j = 0;
      for (; j < H4; j += 4) {
        backAt(f(g, j), H, f(cur, r + j), f(dy, r + j), f(hp, r + j), f(hls, r + j), f(dax, b * LA + j),
          f(dah, b * LA + j), f(nxt, r + j), true);
      }
      for (; j < H; j++) {
        backAt(f(g, j), H, f(cur, r + j), f(dy, r + j), f(hp, r + j), f(hls, r + j), f(dax, b * LA + j),
          f(dah, b * LA + j), f(nxt, r + j), false);
      }
    }
    // ∂L/∂h_{s−1} = z ⊙ g (written above) + dAh[s]·W_hh
    gemmp(B, H, G, dah, LA, 1, whh, nxt, H, true);
    carry_and_cut(p, s, cur, nxt, 0, 0);
    const t = cur;
    cur = nxt;
    nxt = t;
  }
  if (cur != dh) memory.copy(dh, cur, <usize>BH << 2);
}
