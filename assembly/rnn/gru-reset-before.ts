// GRU time loop with the reset gate applied BEFORE the recurrent product: ONNX's GRU default
// (linear_before_reset = 0), Keras' GRU(reset_after=False) and TF.js. Gates r, z, n in PyTorch's
// order (the weights and biases have torch.nn.GRU's names and shapes):
//   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn),  h' = (1 − z) ⊙ n + z ⊙ h  (computed n + z⊙(h − n))
// Every bias sits outside the gates' products, so the stack folds b_hh into the input projection
// (gz holds W_ih x + b_ih + b_hh on entry). A step takes two recurrent products: h·W_h[rz]ᵀ, then
// (r ⊙ h)·W_hnᵀ. hl keeps r ⊙ h per step: the stack's weight-gradient GEMM reads it for W_hn's
// rows (cells.ts: the "gated rows"). Panels: wt = [W_h[rz]ᵀ as H×2H panels | W_hnᵀ as H×H panels];
// whh = [W_h[rz] as 2H×H panels | W_hn as H×H panels] (cells.ts, cell_pack).
// Every loop runs the steps s0 <= s < s1 of a segment (stack.ts); its buffers hold only those steps
// (index s − s0; hs one more, the state entering the segment first), while lengths and truncation
// use the absolute step s.

import { gemm_f32_4x8_packed as gemmp } from "../linalg";
import { sigmoid4, tanh4 } from "../nn/activations";
import { ld4, st4, one4 } from "../nn/lanes";
import { carry_and_cut, record_dh, seqLen } from "./steps";
import { dAStride } from "./layout";
import { Steps } from "./records";
import { f } from "../common";

// @ts-ignore: decorator
@inline function gatesAt(g: usize, rc: usize, H: i32, hp: usize, rh: usize, vec: bool): void {
  const r = sigmoid4(f32x4.add(ld4(g, vec), ld4(rc, vec)));
  const z = sigmoid4(f32x4.add(ld4(f(g, H), vec), ld4(f(rc, H), vec)));
  st4(g, r, vec);
  st4(f(g, H), z, vec);
  st4(rh, f32x4.mul(r, ld4(hp, vec)), vec);
}

// @ts-ignore: decorator
@inline function stateAt(g: usize, rc: usize, H: i32, hp: usize, hc: usize, vec: bool): void {
  const z = ld4(f(g, H), vec);
  const n = tanh4(f32x4.add(ld4(f(g, 2 * H), vec), ld4(f(rc, 2 * H), vec)));
  st4(f(g, 2 * H), n, vec);
  st4(hc, f32x4.add(n, f32x4.mul(z, f32x4.sub(ld4(hp, vec), n))), vec);
}

/** gz [n,B,3H] holds W_ih x + b_ih + b_hh on entry and the gates r, z, n on return; hl [n,B,H]
 *  receives r ⊙ h_{s−1} (0 for finished sequences). rec: scratch [B, 3H]. */
export function gru_reset_before_steps_forward(p: Steps): void {
  const B = p.B, T = p.T, s0 = p.s0, s1 = p.s1, H = p.H, lengths = p.lengths;
  const hs = p.hs, gz = p.gz, hl = p.hl, wt = p.wt, rec = p.rec;
  const BH = B * H, G = 3 * H, H4 = H & ~3, wn = f(wt, 2 * H * H);
  for (let s = s0; s < s1; s++) {
    const q = s - s0, hp = f(hs, q * BH), hc = f(hs, (q + 1) * BH), gs = f(gz, q * B * G), hls = f(hl, q * BH);
    gemmp(B, 2 * H, H, hp, H, 1, wt, rec, G, false);
    for (let b = 0; b < B; b++) {
      const r = b * H;
      if (s >= seqLen(lengths, b, T)) {
        memory.fill(f(hls, r), 0, <usize>H << 2);
        continue;
      }
      const g = f(gs, b * G), rc = f(rec, b * G);
      let j = 0;
      for (; j < H4; j += 4) gatesAt(f(g, j), f(rc, j), H, f(hp, r + j), f(hls, r + j), true);
      for (; j < H; j++) gatesAt(f(g, j), f(rc, j), H, f(hp, r + j), f(hls, r + j), false);
    }
    gemmp(B, H, H, hls, H, 1, wn, f(rec, 2 * H), G, false);
    for (let b = 0; b < B; b++) {
      const r = b * H;
      if (s >= seqLen(lengths, b, T)) {
        memory.copy(f(hc, r), f(hp, r), <usize>H << 2);
        continue;
      }
      const g = f(gs, b * G), rc = f(rec, b * G);
      let j = 0;
      for (; j < H4; j += 4) stateAt(f(g, j), f(rc, j), H, f(hp, r + j), f(hc, r + j), true);
      for (; j < H; j++) stateAt(f(g, j), f(rc, j), H, f(hp, r + j), f(hc, r + j), false);
    }
  }
}

// ∂L/∂ of the z and n pre-activations from gh = ∂L/∂h'
// @ts-ignore: decorator
@inline function backZN(g: usize, H: i32, dh: usize, dy: usize, hp: usize, da: usize, vec: bool): void {
  const one = one4();
  const z = ld4(f(g, H), vec), n = ld4(f(g, 2 * H), vec);
  const gh = f32x4.add(ld4(dh, vec), ld4(dy, vec));
  st4(f(da, H), f32x4.mul(f32x4.mul(gh, f32x4.sub(ld4(hp, vec), n)), f32x4.mul(z, f32x4.sub(one, z))), vec);
  st4(f(da, 2 * H), f32x4.mul(f32x4.mul(gh, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n))), vec);
}

// ∂L/∂ of the r pre-activation from drh = ∂L/∂(r ⊙ h), and the direct part of ∂L/∂h:
// gh ⊙ z + drh ⊙ r (the GEMM through W_h[rz] adds the rest)
// @ts-ignore: decorator
@inline function backR(g: usize, H: i32, dh: usize, dy: usize, hp: usize, drh: usize, da: usize, dhp: usize,
  vec: bool): void {
  const one = one4();
  const r = ld4(g, vec), z = ld4(f(g, H), vec), d = ld4(drh, vec);
  const gh = f32x4.add(ld4(dh, vec), ld4(dy, vec));
  st4(da, f32x4.mul(f32x4.mul(d, ld4(hp, vec)), f32x4.mul(r, f32x4.sub(one, r))), vec);
  st4(dhp, f32x4.add(f32x4.mul(gh, z), f32x4.mul(d, r)), vec);
}

/** BPTT over the steps of one direction. dys [n,B,H]: upstream ∂L/∂h per step; dh [B,H]: ∂L/∂h_n
 *  on entry, ∂L/∂h0 on return. Writes dA [n,B,3H] (∂L/∂ of the pre-activations, both sides),
 *  rows dAStride(3H) floats apart, zero at inactive steps. rec: scratch [B, H] for ∂L/∂(r ⊙ h). */
export function gru_reset_before_steps_backward(p: Steps): void {
  const B = p.B, T = p.T, s0 = p.s0, s1 = p.s1, H = p.H, lengths = p.lengths;
  const hs = p.hs, gz = p.gz, whh = p.whh, dys = p.dys, dA = p.dA, dh = p.dh, dhp = p.dhp, rec = p.dhs, drh = p.rec;
  const BH = B * H, G = 3 * H, LA = dAStride(G), H4 = H & ~3, wn = f(whh, 2 * H * H);
  let cur = dh, nxt = dhp;
  for (let s = s1 - 1; s >= s0; s--) {
    const q = s - s0, hp = f(hs, q * BH), dy = f(dys, q * BH), gs = f(gz, q * B * G), da = f(dA, q * B * LA);
    if (rec != 0) record_dh(p, s, cur, dy);
    for (let b = 0; b < B; b++) {
      const r = b * H, ra = b * LA;
      if (s >= seqLen(lengths, b, T)) {
        memory.fill(f(da, ra), 0, <usize>G << 2);
        continue;
      }
      const g = f(gs, b * G);
      let j = 0;
      for (; j < H4; j += 4) backZN(f(g, j), H, f(cur, r + j), f(dy, r + j), f(hp, r + j), f(da, ra + j), true);
      for (; j < H; j++) backZN(f(g, j), H, f(cur, r + j), f(dy, r + j), f(hp, r + j), f(da, ra + j), false);
    }
    // ∂L/∂(r ⊙ h) = dA_n · W_hn
    gemmp(B, H, H, f(da, 2 * H), LA, 1, wn, drh, H, false);
    for (let b = 0; b < B; b++) {
      const r = b * H, ra = b * LA;
      if (s >= seqLen(lengths, b, T)) {
        memory.fill(f(nxt, r), 0, <usize>H << 2);
        continue;
      } // carry_and_cut copies dh in
      const g = f(gs, b * G);
      let j = 0;
      for (; j < H4; j += 4) {
        backR(f(g, j), H, f(cur, r + j), f(dy, r + j), f(hp, r + j), f(drh, r + j), f(da, ra + j), f(nxt, r + j), true);
      }
      for (; j < H; j++) {
        backR(f(g, j), H, f(cur, r + j), f(dy, r + j), f(hp, r + j), f(drh, r + j), f(da, ra + j), f(nxt, r + j),
          false);
      }
    }
    // ∂L/∂h_{s−1} += [dA_r, dA_z] · W_h[rz]
    gemmp(B, H, 2 * H, da, LA, 1, whh, nxt, H, true);
    carry_and_cut(p, s, cur, nxt, 0, 0);
    const t = cur;
    cur = nxt;
    nxt = t;
  }
  if (cur != dh) memory.copy(dh, cur, <usize>BH << 2);
}
