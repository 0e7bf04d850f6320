// Layout of the flat parameter block and of the workspace of a recurrent stack.
//
// Parameters, PyTorch order: for layer l, direction d (index ld = l·D + d):
//   weight_ih [G·H, In_l], weight_hh [G·H, H], bias_ih [G·H], bias_hh [G·H]
// with In_0 = I and In_l = D·H above, G the cell's gates (cells.ts). Tensors are packed back to
// back (no padding), exactly the order of torch.nn.RNN/LSTM/GRU's state_dict. Gradients use the
// same layout in a second block.
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
//   header [HEADER_FLOATS]  the stamp of the last completed forward pass (pass.ts), this layout
//                           (RnnLayout) and the arguments of the cell loops (Steps, cells.ts)
//   per ld, full mode:
//           xs [T,B,In_l]   the layer input in step order (see steps.ts)
//           hs [T+1,B,H]    hs[0] = h0, hs[s+1] = state after step s (step order)
//           gz [T,B,G·H]    gate activations per step                  (G > 1)
//           cs [T+1,B,H]    cell states, cs[0] = c0                     (cells with a cell state)
//           hl [T,B,H]      what the cell keeps per step for its backward (cells.ts: hl)
//   per ld, checkpointed mode:
//           kh [N,B,H]      state entering each of the N = ⌈T/S⌉ segments
//           kc [N,B,H]      cell state likewise                         (cells with a cell state)
//   checkpointed mode: one segment's xs, hs, gz, cs, hl ([S,…], hs and cs [S+1,B,H]), shared by all
//           ld; and yk [L−1,T,B,D·H], every hidden layer's output (the next layer's input, needed again
//           when its segments are recomputed)
//   y   [T,B,D·H]           output of a hidden layer, time order       (full mode, only if L > 1)
//   pk1 [maxIn, G·H], pk2 [H, G·H], bsum [G·H], rec [B, G·H]   W_ihᵀ, W_hhᵀ as panels, biases, scratch
//   pk3 [G·H, H], pk4 [G·H, maxIn]  W_hh, W_ih as panels (the backward's ∂h and ∂x GEMMs)
//   dys [S,B,H]             upstream ∂L/∂output of one direction, one segment, step order
//   dA  [S,B,G·H]           ∂L/∂(input-side pre-activations) per step of a segment, rows
//                           dAStride(G·H) floats apart (see there)
//   dAh [S,B,G·H]           ∂L/∂(recurrent-side pre-activations)      (split cells; = dA otherwise)
//   dh, dhp, dc, dcp [B,H]  ∂L/∂h and ∂L/∂c carried through time
//   dxs [S,B,maxIn]         ∂L/∂(layer input) of a segment, step order
//   dy0, dy1 [T,B,D·H]      ∂L/∂(hidden layer output), time order      (only if L > 1)

import { RD_CELL, RD_B, RD_T, RD_I, RD_H, RD_L, RD_D, RD_CHECKPOINT } from "../constants";
import { f, geti, r4 } from "../common";
import { cellGates, cellHasC, cellSplit, cellHl } from "./cells";
import { Steps, Regions } from "./records";

// @ts-ignore: decorator
@inline export function layerIn(l: i32, I: i32, H: i32, D: i32): i32 {
  return l == 0 ? I : D * H;
}

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

/** Steps per segment: ⌈√T⌉ (both modes, so that they do the same operations in the same order). */
export function segSteps(T: i32): i32 {
  let s = <i32>Math.sqrt(<f64>T);
  while (<i64>s * <i64>s < <i64>T) s++; // in 64 bits: 46341² passes 2^31
  return max(s, 1);
}

/** Floats between rows of dA and dAh: G·H and one cache line more. The weight-gradient GEMMs read
 *  dA transposed, one row per k; G·H floats apart (2 KiB for an LSTM of H = 128, a power of two)
 *  those rows fall into two of L1's 64 sets, so the 4×8 tiles that follow each other along dA's
 *  columns would re-fetch every line from L2; 16 floats further apart they run about as fast as
 *  with A row-major (bench/NOTES.md, "Kernel decisions"). */
// @ts-ignore: decorator
@inline export function dAStride(GH: i32): i32 {
  return GH + 16;
}

/** The layout of one shape's workspace: its shape, and every region's offset in floats from the
 *  start of the workspace. rnn_layout computes it; it lives in the workspace header, and the
 *  stack's passes take it as one argument. Offsets are meaningful only when total·4 fits in
 *  memory (the exports check that before a pass). */
@unmanaged export class RnnLayout {
  cell: i32;
  B: i32;
  T: i32;
  I: i32;
  H: i32;
  L: i32;
  D: i32;
  /** checkpointed mode (1) or full (0) */
  ck: i32;
  /** G gates, G·H, max(I, D·H if L > 1), steps per segment S, segments N */
  G: i32;
  GH: i32;
  maxIn: i32;
  S: i32;
  N: i32;
  /** layer-direction blocks: the first one's offset, the floats of a block of layer 0 and of a
   *  block of a layer above */
  blocks: usize;
  block0: usize;
  block1: usize;
  /** full mode, inside a block: hs after xs (layer 0, layers above); gz, cs, hl after hs.
   *  Checkpointed mode: kh at the block's start, kc at kcAt. */
  hsAt0: usize;
  hsAt1: usize;
  gzAfterHs: usize;
  csAfterHs: usize;
  hlAfterHs: usize;
  kcAt: usize;
  /** checkpointed mode: the shared one-segment buffers and every hidden layer's output */
  sx: usize;
  sh: usize;
  sg: usize;
  sc: usize;
  sl: usize;
  yk: usize;
  /** full mode: the output of a hidden layer (L > 1) */
  y: usize;
  pk1: usize;
  pk2: usize;
  pk3: usize;
  pk4: usize;
  bsum: usize;
  rec: usize;
  dys: usize;
  dA: usize;
  dAh: usize;
  dh: usize;
  dhp: usize;
  dc: usize;
  dcp: usize;
  dxs: usize;
  dy0: usize;
  dy1: usize;
  /** total floats of the workspace (f64: may exceed what memory can hold) */
  total: f64;
}

// @ts-ignore: decorator
@inline function p3(a: i32, b: i32, c: i32): f64 {
  return <f64>a * <f64>b * <f64>c;
}

// Where the header's parts sit (bytes from the start of the workspace), each on its own cache line
// boundary so that every region keeps the 64-byte alignment it would have without them.
/** Floats at the start of the header that stamp the shape of the last forward pass (pass.ts). */
export const STAMP_WORDS: i32 = 8;
/** The layout record (RnnLayout). */
export const LAYOUT_AT: usize = 64;
/** The cell loops' arguments (Steps, records.ts). */
export const STEPS_AT: usize = LAYOUT_AT + ((offsetof<RnnLayout>() + 63) & ~63);
/** One layer-direction's regions (Regions, records.ts). */
export const REGIONS_AT: usize = STEPS_AT + ((offsetof<Steps>() + 63) & ~63);
/** Floats the header occupies: 512 bytes (the stamp and the three records take 448). */
export const HEADER_FLOATS: i32 = 128;
// the records fit (constant-folded away; a header too small would trap at instantiation)
if (REGIONS_AT + offsetof<Regions>() > <usize>HEADER_FLOATS << 2) unreachable();

/** Lays out the workspace of the shape in descriptor d (RD_CELL .. RD_CHECKPOINT, checked by the
 *  caller) and returns its total floats, in f64 (exact below 2^53, never wrapping: a shape past
 *  4 GiB is seen as such). lay: the record to fill, or 0 for the total only. */
export function rnn_layout(d: usize, lay: usize): f64 {
  const cell = geti(d, RD_CELL), B = geti(d, RD_B), T = geti(d, RD_T), I = geti(d, RD_I), H = geti(d, RD_H);
  const L = geti(d, RD_L), D = geti(d, RD_D), ck = geti(d, RD_CHECKPOINT) != 0;
  const G = cellGates(cell), GH = G * H, hasC = cellHasC(cell), split = cellSplit(cell), hasHl = cellHl(cell);
  const maxIn = max(I, L > 1 ? D * H : 0);
  const S = segSteps(T), N = (T + S - 1) / S;
  // one layer-direction block
  const hs: f64 = r4(p3(T + 1, B, H)), gz: f64 = G > 1 ? r4(p3(T, B, G) * <f64>H) : 0;
  const cs: f64 = hasC ? r4(p3(T + 1, B, H)) : 0, hl: f64 = hasHl ? r4(p3(T, B, H)) : 0;
  const xs0 = r4(p3(T, B, I)), xs1 = r4(p3(T, B, D * H)), kh = r4(p3(N, B, H));
  const block0: f64 = ck ? (hasC ? 2 * kh : kh) : xs0 + hs + gz + cs + hl;
  const block1: f64 = ck ? block0 : xs1 + hs + gz + cs + hl;
  let o: f64 = HEADER_FLOATS + <f64>D * block0 + <f64>(L - 1) * <f64>D * block1;
  const yn: f64 = L > 1 ? r4(p3(T, B, D) * <f64>H) : 0;
  let sx: f64 = 0, sh: f64 = 0, sg: f64 = 0, sc: f64 = 0, sl: f64 = 0, yk: f64 = 0, y: f64 = 0;
  if (ck) {
    sx = o;
    o += r4(p3(S, B, maxIn));
    sh = o;
    o += r4(p3(S + 1, B, H));
    sg = o;
    if (G > 1) o += r4(p3(S, B, GH));
    sc = o;
    if (hasC) o += r4(p3(S + 1, B, H));
    sl = o;
    if (hasHl) o += r4(p3(S, B, H));
    yk = o;
    o += <f64>(L - 1) * yn;
  } else {
    y = o;
    o += yn;
  }
  const pk1 = o;
  o += r4(p3(maxIn, GH, 1));
  const pk2 = o;
  o += r4(p3(H, GH, 1));
  const pk3 = o;
  o += r4(p3(GH, H, 1));
  const pk4 = o;
  o += r4(p3(GH, maxIn, 1));
  const bsum = o;
  o += r4(<f64>GH);
  const rec = o;
  o += r4(p3(B, GH, 1));
  const dys = o;
  o += r4(p3(S, B, H));
  const dA = o;
  o += r4(p3(S, B, dAStride(GH)));
  const dAh = split ? o : dA;
  if (split) o += r4(p3(S, B, dAStride(GH)));
  const dh = o;
  o += r4(p3(B, H, 1));
  const dhp = o;
  o += r4(p3(B, H, 1));
  const dc = o;
  o += r4(p3(B, H, 1));
  const dcp = o;
  o += r4(p3(B, H, 1));
  const dxs = o;
  o += r4(p3(S, B, maxIn));
  const dy0 = o;
  o += yn;
  const dy1 = o;
  o += yn;
  if (lay != 0) {
    const r = changetype<RnnLayout>(lay);
    r.cell = cell;
    r.B = B;
    r.T = T;
    r.I = I;
    r.H = H;
    r.L = L;
    r.D = D;
    r.ck = ck ? 1 : 0;
    r.G = G;
    r.GH = GH;
    r.maxIn = maxIn;
    r.S = S;
    r.N = N;
    r.blocks = HEADER_FLOATS;
    r.block0 = <usize>block0;
    r.block1 = <usize>block1;
    r.hsAt0 = <usize>xs0;
    r.hsAt1 = <usize>xs1;
    r.gzAfterHs = <usize>hs;
    r.csAfterHs = <usize>(hs + gz);
    r.hlAfterHs = <usize>(hs + gz + cs);
    r.kcAt = <usize>kh;
    r.sx = <usize>sx;
    r.sh = <usize>sh;
    r.sg = <usize>sg;
    r.sc = <usize>sc;
    r.sl = <usize>sl;
    r.yk = <usize>yk;
    r.y = <usize>y;
    r.pk1 = <usize>pk1;
    r.pk2 = <usize>pk2;
    r.pk3 = <usize>pk3;
    r.pk4 = <usize>pk4;
    r.bsum = <usize>bsum;
    r.rec = <usize>rec;
    r.dys = <usize>dys;
    r.dA = <usize>dA;
    r.dAh = <usize>dAh;
    r.dh = <usize>dh;
    r.dhp = <usize>dhp;
    r.dc = <usize>dc;
    r.dcp = <usize>dcp;
    r.dxs = <usize>dxs;
    r.dy0 = <usize>dy0;
    r.dy1 = <usize>dy1;
    r.total = o;
  }
  return o;
}

/** Offset (floats) of layer-direction ld's block. */
// @ts-ignore: decorator
@inline export function blockOf(lay: RnnLayout, ld: i32): usize {
  const D = lay.D;
  return ld < D
    ? lay.blocks + <usize>ld * lay.block0
    : lay.blocks + <usize>D * lay.block0 + <usize>(ld - D) * lay.block1;
}

/** Sets r to layer-direction ld's regions (absolute addresses; ws is the workspace). */
export function ld_regions(lay: RnnLayout, ld: i32, ws: usize, r: Regions): void {
  if (lay.ck != 0) {
    const k = f(ws, blockOf(lay, ld));
    r.xs = f(ws, lay.sx);
    r.hs = f(ws, lay.sh);
    r.gz = f(ws, lay.sg);
    r.cs = f(ws, lay.sc);
    r.hl = f(ws, lay.sl);
    r.kh = k;
    r.kc = f(k, lay.kcAt);
    return;
  }
  const b = f(ws, blockOf(lay, ld)), hs = f(b, ld < lay.D ? lay.hsAt0 : lay.hsAt1);
  r.xs = b;
  r.hs = hs;
  r.gz = f(hs, lay.gzAfterHs);
  r.cs = f(hs, lay.csAfterHs);
  r.hl = f(hs, lay.hlAfterHs);
  r.kh = 0;
  r.kc = 0;
}
