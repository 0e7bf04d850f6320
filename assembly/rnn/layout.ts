// Layout of the flat parameter block and of the workspace of a recurrent stack.
//
// Cells (the CELL_* ids of ../constants.ts): Elman tanh, Elman relu, LSTM (gates i,f,g,o), GRU
// (gates r,z,n), Elman linear (identity activation); G gates.
// Parameters, PyTorch order: for layer l, direction d (index ld = l·D + d):
//   weight_ih [G·H, In_l], weight_hh [G·H, H], bias_ih [G·H], bias_hh [G·H]
// with In_0 = I and In_l = D·H above. Tensors are packed back to back (no padding), exactly the
// order of torch.nn.RNN/LSTM/GRU's state_dict. Gradients use the same layout in a second block.
//
// Segments: the steps of every direction are processed in segments of S = ⌈√T⌉ steps (segSteps);
// the backward pass walks the segments from last to first and does the weight-gradient GEMMs per
// segment, so its scratch is segment-sized. Two modes share that one loop:
//   full (checkpoint = 0): every step's activations are stored during the forward pass;
//   checkpointed (checkpoint = 1): only the state entering each segment is stored; the backward
//     pass recomputes a segment's activations from it (the same operations in the same order, so
//     outputs and gradients are bitwise identical to the full mode) just before going back through
//     it. Activation memory falls from O(T) to O(√T) per layer-direction, at the cost of a second
//     forward pass.
//
// Workspace (f32; every region rounded up to 4 floats so each starts 16-byte aligned):
//   per ld, full mode:
//           xs [T,B,In_l]   the layer input in step order (see steps.ts)
//           hs [T+1,B,H]    hs[0] = h0, hs[s+1] = state after step s (step order)
//           gz [T,B,G·H]    gate activations per step                  (LSTM, GRU)
//           cs [T+1,B,H]    cell states, cs[0] = c0                     (LSTM)
//           hl [T,B,H]      W_hn·h + b_hn per step                      (GRU)
//   per ld, checkpointed mode:
//           kh [N,B,H]      state entering each of the N = ⌈T/S⌉ segments
//           kc [N,B,H]      cell state likewise                         (LSTM)
//   checkpointed mode: one segment's xs, hs, gz, cs, hl ([S,…], hs and cs [S+1,B,H]), shared by all
//           ld; and yk [L−1,T,B,D·H], every hidden layer's output (the next layer's input, needed again
//           when its segments are recomputed)
//   y   [T,B,D·H]           output of a hidden layer, time order       (full mode, only if L > 1)
//   pk1 [maxIn, G·H], pk2 [H, G·H], bsum [G·H], rec [B, G·H]   W_ihᵀ, W_hhᵀ as panels, biases, scratch
//   pk3 [G·H, H], pk4 [G·H, maxIn]  W_hh, W_ih as panels (the backward's ∂h and ∂x GEMMs)
//   dys [S,B,H]             upstream ∂L/∂output of one direction, one segment, step order
//   dA  [S,B,G·H]           ∂L/∂(input-side pre-activations) per step of a segment, rows
//                           dAStride(G·H) floats apart (see there)
//   dAh [S,B,G·H]           ∂L/∂(recurrent-side pre-activations)      (GRU; = dA otherwise)
//   dh, dhp, dc, dcp [B,H]  ∂L/∂h and ∂L/∂c carried through time
//   dxs [S,B,maxIn]         ∂L/∂(layer input) of a segment, step order
//   dy0, dy1 [T,B,D·H]      ∂L/∂(hidden layer output), time order      (only if L > 1)
//   header [8]              a stamp of the shape of the last completed forward pass (pass.ts)

import { CELL_LSTM, CELL_GRU } from "../constants";

// @ts-ignore: decorator
@inline export function gatesOf(cell: i32): i32 { return cell == CELL_LSTM ? 4 : cell == CELL_GRU ? 3 : 1; }

/** n rounded up to a multiple of 4 floats. Sizes are computed in f64 throughout (exact below 2^53,
 *  and never wrapping): a shape whose workspace passes 4 GiB must be seen as such (and rejected
 *  by the caller), not wrap around to a small number. */
// @ts-ignore: decorator
@inline export function r4(n: f64): f64 { return Math.ceil(n * 0.25) * 4; }

// @ts-ignore: decorator
@inline export function layerIn(l: i32, I: i32, H: i32, D: i32): i32 { return l == 0 ? I : D * H; }

/** Number of f32 parameters of a stack with G gates (64-bit). */
export function paramCount(G: i32, I: i32, H: i32, L: i32, D: i32): f64 {
  return paramOffset64(L * D, G, I, H, D);
}

/** Offset (in floats) of the parameters of layer-direction ld, in 64 bits. */
export function paramOffset64(ld: i32, G: i32, I: i32, H: i32, D: i32): f64 {
  let n: f64 = 0;
  const GH = <f64>G * <f64>H;
  for (let k = 0; k < ld; k++) {
    const In: f64 = k / D == 0 ? <f64>I : <f64>D * <f64>H;
    n += GH * In + GH * <f64>H + 2 * GH;
  }
  return n;
}

/** Offset (in floats) of the parameters of layer-direction ld (the block is known to fit). */
// @ts-ignore: decorator
@inline export function paramOffset(ld: i32, G: i32, I: i32, H: i32, D: i32): usize {
  return <usize>paramOffset64(ld, G, I, H, D);
}

// Offsets are returned in module globals (wasm globals, one set per instance) rather than in an
// object: the core allocates nothing at start-up or inside a pass, so several instances can share
// one memory (the threaded build) without touching each other's state.

/** Steps per segment: ⌈√T⌉ (both modes, so that they do the same operations in the same order). */
export function segSteps(T: i32): i32 {
  let s = <i32>Math.sqrt(<f64>T);
  while (<i64>s * <i64>s < <i64>T) s++; // in 64 bits: 46341² passes 2^31
  return max(s, 1);
}

/** Segment length and count for the last sharedLayout call. */
export let segS: i32 = 1, segN: i32 = 1;

/** Offsets (floats) of one layer-direction's workspace regions, set by ldRegions: in full mode
 *  xs, hs, gz, cs, hl are that ld's own [T,…] arrays; in checkpointed mode they are the shared
 *  one-segment buffers and kh, kc its checkpoints. */
export let rgXs: usize = 0, rgHs: usize = 0, rgGz: usize = 0, rgCs: usize = 0, rgHl: usize = 0;
export let rgKh: usize = 0, rgKc: usize = 0;

// @ts-ignore: decorator
@inline function p3(a: i32, b: i32, c: i32): f64 { return <f64>a * <f64>b * <f64>c; }

/** Floats at the start of the workspace that stamp the shape of the last forward pass (so that a
 *  backward pass can refuse a workspace that holds no forward of its shape, and a forward reuse
 *  the packed weights only after one of its shape). */
export const WS_HEADER: i32 = 8;
/** Floats the header occupies: one 64-byte cache line, so that every region keeps the alignment
 *  it had when the header was at the end (shifting the regions by 32 bytes made small passes
 *  measurably slower). */
const WS_HEADER_SLOT: i32 = 16;

function ldSize(k: i32, cell: i32, B: i32, T: i32, I: i32, H: i32, D: i32, ck: bool): f64 {
  if (ck) {
    const n = r4(p3(segN, B, H));
    return cell == CELL_LSTM ? 2 * n : n;
  }
  const G = gatesOf(cell);
  let n = r4(p3(T, B, layerIn(k / D, I, H, D))) + r4(p3(T + 1, B, H));
  if (G > 1) n += r4(p3(T, B, G) * <f64>H);
  if (cell == CELL_LSTM) n += r4(p3(T + 1, B, H));
  if (cell == CELL_GRU) n += r4(p3(T, B, H));
  return n;
}

/** Sets rg* for layer-direction ld (after sharedLayout with the same arguments, whose total the
 *  caller has checked to fit in memory). */
export function ldRegions(ld: i32, cell: i32, B: i32, T: i32, I: i32, H: i32, D: i32, ck: bool): void {
  let o: f64 = WS_HEADER_SLOT; // the header first (sharedLayout)
  for (let k = 0; k < ld; k++) o += ldSize(k, cell, B, T, I, H, D, ck);
  if (ck) {
    rgKh = <usize>o; rgKc = <usize>(o + r4(p3(segN, B, H)));
    rgXs = shSx; rgHs = shSh; rgGz = shSg; rgCs = shSc; rgHl = shSl;
    return;
  }
  const G = gatesOf(cell);
  rgXs = <usize>o; o += r4(p3(T, B, layerIn(ld / D, I, H, D)));
  rgHs = <usize>o; o += r4(p3(T + 1, B, H));
  rgGz = <usize>o; if (G > 1) o += r4(p3(T, B, G) * <f64>H);
  rgCs = <usize>o; if (cell == CELL_LSTM) o += r4(p3(T + 1, B, H));
  rgHl = <usize>o;
  rgKh = 0; rgKc = 0;
}

/** Offsets of the shared regions, after all per-ld regions, set by sharedLayout. */
export let shSx: usize = 0, shSh: usize = 0, shSg: usize = 0, shSc: usize = 0, shSl: usize = 0, shYk: usize = 0;
export let shY: usize = 0, shPk1: usize = 0, shPk2: usize = 0, shPk3: usize = 0, shPk4: usize = 0, shBsum: usize = 0, shRec: usize = 0;
/** Floats between rows of dA and dAh: G·H and one cache line more. The weight-gradient GEMMs read
 *  dA transposed, one row per k; G·H floats apart (2 KiB for an LSTM of H = 128, a power of two)
 *  those rows fall into two of L1's 64 sets, so the 4×8 tiles that follow each other along dA's
 *  columns re-fetched every line from L2. 16 floats further apart they run about as fast as with A
 *  row-major: `node bench/gemm-wgrad.mjs` (alternated) 1024×256×640 14.1 → 25.0 GFLOP/s, row-major
 *  27.2; 512×128×320 16.1 → 19.6, row-major 19.1. */
// @ts-ignore: decorator
@inline export function dAStride(GH: i32): i32 { return GH + 16; }

export let shDys: usize = 0, shDA: usize = 0, shDAh: usize = 0, shDh: usize = 0, shDhp: usize = 0;
export let shDc: usize = 0, shDcp: usize = 0, shDxs: usize = 0, shDy0: usize = 0, shDy1: usize = 0;
/** Offset (floats) of the header that stamps the last completed forward pass: 0. */
export let shHeader: usize = 0;
/** Total workspace floats of the last sharedLayout (f64: may exceed what memory can hold). */
export let shTotal: f64 = 0;

/** Lays out the workspace for a shape. Offsets are computed in f64; the usize offsets are
 *  meaningful only when shTotal·4 fits in memory, which callers check before using them. */
export function sharedLayout(cell: i32, B: i32, T: i32, I: i32, H: i32, L: i32, D: i32, ck: bool): void {
  const G = gatesOf(cell), GH = G * H;
  const maxIn = max(I, L > 1 ? D * H : 0);
  const S = segSteps(T);
  segS = S; segN = (T + S - 1) / S;
  // the header first, at the same place for every shape: a pass of one shape overwrites the stamp
  // of a pass of another (at the end, a stamp could outlive the activations and packed weights
  // that a pass of another shape overwrote, and vouch for them)
  shHeader = 0;
  let o: f64 = WS_HEADER_SLOT;
  for (let k = 0; k < L * D; k++) o += ldSize(k, cell, B, T, I, H, D, ck);
  const yn: f64 = L > 1 ? r4(p3(T, B, D) * <f64>H) : 0;
  if (ck) {
    shSx = <usize>o; o += r4(p3(S, B, maxIn));
    shSh = <usize>o; o += r4(p3(S + 1, B, H));
    shSg = <usize>o; if (G > 1) o += r4(p3(S, B, GH));
    shSc = <usize>o; if (cell == CELL_LSTM) o += r4(p3(S + 1, B, H));
    shSl = <usize>o; if (cell == CELL_GRU) o += r4(p3(S, B, H));
    shYk = <usize>o; o += <f64>(L - 1) * yn;
    shY = 0;
  } else {
    shSx = 0; shSh = 0; shSg = 0; shSc = 0; shSl = 0; shYk = 0;
    shY = <usize>o; o += yn;
  }
  shPk1 = <usize>o; o += r4(p3(maxIn, GH, 1));
  shPk2 = <usize>o; o += r4(p3(H, GH, 1));
  shPk3 = <usize>o; o += r4(p3(GH, H, 1));
  shPk4 = <usize>o; o += r4(p3(GH, maxIn, 1));
  shBsum = <usize>o; o += r4(<f64>GH);
  shRec = <usize>o; o += r4(p3(B, GH, 1));
  shDys = <usize>o; o += r4(p3(S, B, H));
  shDA = <usize>o; o += r4(p3(S, B, dAStride(GH)));
  shDAh = cell == CELL_GRU ? <usize>o : shDA; if (cell == CELL_GRU) o += r4(p3(S, B, dAStride(GH)));
  shDh = <usize>o; o += r4(p3(B, H, 1));
  shDhp = <usize>o; o += r4(p3(B, H, 1));
  shDc = <usize>o; o += r4(p3(B, H, 1));
  shDcp = <usize>o; o += r4(p3(B, H, 1));
  shDxs = <usize>o; o += r4(p3(S, B, maxIn));
  shDy0 = <usize>o; o += yn;
  shDy1 = <usize>o; o += yn;
  shTotal = o;
}
