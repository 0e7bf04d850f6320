// Layout of the flat parameter block and of the workspace of a recurrent stack.
//
// Cells: 0 Elman tanh, 1 Elman relu, 2 LSTM (gates i,f,g,o), 3 GRU (gates r,z,n), 4 Elman linear
// (identity activation); G gates.
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
//   dA  [S,B,G·H]           ∂L/∂(input-side pre-activations) per step of a segment
//   dAh [S,B,G·H]           ∂L/∂(recurrent-side pre-activations)      (GRU; = dA otherwise)
//   dh, dhp, dc, dcp [B,H]  ∂L/∂h and ∂L/∂c carried through time
//   dxs [S,B,maxIn]         ∂L/∂(layer input) of a segment, step order
//   dy0, dy1 [T,B,D·H]      ∂L/∂(hidden layer output), time order      (only if L > 1)

export const CELL_RNN_TANH = 0;
export const CELL_RNN_RELU = 1;
export const CELL_LSTM = 2;
export const CELL_GRU = 3;
export const CELL_RNN_LINEAR = 4;

// @ts-ignore: decorator
@inline export function gatesOf(cell: i32): i32 { return cell == CELL_LSTM ? 4 : cell == CELL_GRU ? 3 : 1; }

// @ts-ignore: decorator
@inline export function r4(n: i32): usize { return <usize>((n + 3) & ~3); }

// @ts-ignore: decorator
@inline export function layerIn(l: i32, I: i32, H: i32, D: i32): i32 { return l == 0 ? I : D * H; }

/** Number of f32 parameters of a stack with G gates. */
export function paramCount(G: i32, I: i32, H: i32, L: i32, D: i32): i32 {
  return paramOffset(L * D, G, I, H, D);
}

/** Offset (in floats) of the parameters of layer-direction ld. */
export function paramOffset(ld: i32, G: i32, I: i32, H: i32, D: i32): i32 {
  let n = 0;
  for (let k = 0; k < ld; k++) {
    const In = layerIn(k / D, I, H, D);
    n += G * H * In + G * H * H + 2 * G * H;
  }
  return n;
}

// Offsets are returned in module globals (wasm globals, one set per instance) rather than in an
// object: the core allocates nothing at start-up or inside a pass, so several instances can share
// one memory (the threaded build) without touching each other's state.

/** Steps per segment: ⌈√T⌉ (both modes, so that they do the same operations in the same order). */
export function segSteps(T: i32): i32 {
  let s = <i32>Math.sqrt(<f64>T);
  while (s * s < T) s++;
  return max(s, 1);
}

/** Segment length and count for the last sharedLayout call. */
export let segS: i32 = 1, segN: i32 = 1;

/** Offsets (floats) of one layer-direction's workspace regions, set by ldRegions: in full mode
 *  xs, hs, gz, cs, hl are that ld's own [T,…] arrays; in checkpointed mode they are the shared
 *  one-segment buffers and kh, kc its checkpoints. */
export let rgXs: usize = 0, rgHs: usize = 0, rgGz: usize = 0, rgCs: usize = 0, rgHl: usize = 0;
export let rgKh: usize = 0, rgKc: usize = 0;

function ldSize(k: i32, cell: i32, B: i32, T: i32, I: i32, H: i32, D: i32, ck: bool): usize {
  if (ck) {
    const n = r4(segN * B * H);
    return cell == CELL_LSTM ? 2 * n : n;
  }
  const G = gatesOf(cell);
  let n = r4(T * B * layerIn(k / D, I, H, D)) + r4((T + 1) * B * H);
  if (G > 1) n += r4(T * B * G * H);
  if (cell == CELL_LSTM) n += r4((T + 1) * B * H);
  if (cell == CELL_GRU) n += r4(T * B * H);
  return n;
}

/** Sets rg* for layer-direction ld (after sharedLayout with the same arguments). */
export function ldRegions(ld: i32, cell: i32, B: i32, T: i32, I: i32, H: i32, D: i32, ck: bool): void {
  let o: usize = 0;
  for (let k = 0; k < ld; k++) o += ldSize(k, cell, B, T, I, H, D, ck);
  if (ck) {
    rgKh = o; rgKc = o + r4(segN * B * H);
    rgXs = shSx; rgHs = shSh; rgGz = shSg; rgCs = shSc; rgHl = shSl;
    return;
  }
  const G = gatesOf(cell);
  rgXs = o; o += r4(T * B * layerIn(ld / D, I, H, D));
  rgHs = o; o += r4((T + 1) * B * H);
  rgGz = o; if (G > 1) o += r4(T * B * G * H);
  rgCs = o; if (cell == CELL_LSTM) o += r4((T + 1) * B * H);
  rgHl = o;
  rgKh = 0; rgKc = 0;
}

/** Offsets of the shared regions, after all per-ld regions, set by sharedLayout. */
export let shSx: usize = 0, shSh: usize = 0, shSg: usize = 0, shSc: usize = 0, shSl: usize = 0, shYk: usize = 0;
export let shY: usize = 0, shPk1: usize = 0, shPk2: usize = 0, shPk3: usize = 0, shPk4: usize = 0, shBsum: usize = 0, shRec: usize = 0;
export let shDys: usize = 0, shDA: usize = 0, shDAh: usize = 0, shDh: usize = 0, shDhp: usize = 0;
export let shDc: usize = 0, shDcp: usize = 0, shDxs: usize = 0, shDy0: usize = 0, shDy1: usize = 0, shTotal: usize = 0;

export function sharedLayout(cell: i32, B: i32, T: i32, I: i32, H: i32, L: i32, D: i32, ck: bool): void {
  const G = gatesOf(cell), GH = G * H;
  const maxIn = max(I, L > 1 ? D * H : 0);
  const S = segSteps(T);
  segS = S; segN = (T + S - 1) / S;
  let o: usize = 0;
  for (let k = 0; k < L * D; k++) o += ldSize(k, cell, B, T, I, H, D, ck);
  const yn: usize = L > 1 ? r4(T * B * D * H) : 0;
  if (ck) {
    shSx = o; o += r4(S * B * maxIn);
    shSh = o; o += r4((S + 1) * B * H);
    shSg = o; if (G > 1) o += r4(S * B * GH);
    shSc = o; if (cell == CELL_LSTM) o += r4((S + 1) * B * H);
    shSl = o; if (cell == CELL_GRU) o += r4(S * B * H);
    shYk = o; o += <usize>(L - 1) * yn;
    shY = 0;
  } else {
    shSx = 0; shSh = 0; shSg = 0; shSc = 0; shSl = 0; shYk = 0;
    shY = o; o += yn;
  }
  shPk1 = o; o += r4(maxIn * GH);
  shPk2 = o; o += r4(H * GH);
  shPk3 = o; o += r4(GH * H);
  shPk4 = o; o += r4(GH * maxIn);
  shBsum = o; o += r4(GH);
  shRec = o; o += r4(B * GH);
  shDys = o; o += r4(S * B * H);
  shDA = o; o += r4(S * B * GH);
  shDAh = cell == CELL_GRU ? o : shDA; if (cell == CELL_GRU) o += r4(S * B * GH);
  shDh = o; o += r4(B * H);
  shDhp = o; o += r4(B * H);
  shDc = o; o += r4(B * H);
  shDcp = o; o += r4(B * H);
  shDxs = o; o += r4(S * B * maxIn);
  shDy0 = o; o += yn;
  shDy1 = o; o += yn;
  shTotal = o;
}
