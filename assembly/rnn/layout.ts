// Layout of the flat parameter block and of the workspace of a recurrent stack.
//
// Cells: 0 Elman tanh, 1 Elman relu, 2 LSTM (gates i,f,g,o), 3 GRU (gates r,z,n), 4 Elman linear
// (identity activation); G gates.
// Parameters, PyTorch order: for layer l, direction d (index ld = l·D + d):
//   weight_ih [G·H, In_l], weight_hh [G·H, H], bias_ih [G·H], bias_hh [G·H]
// with In_0 = I and In_l = D·H above. Tensors are packed back to back (no padding), exactly the
// order of torch.nn.RNN/LSTM/GRU's state_dict. Gradients use the same layout in a second block.
//
// Workspace (f32; every region rounded up to 4 floats so each starts 16-byte aligned):
//   per ld: xs [T,B,In_l]   the layer input in step order (see steps.ts)
//           hs [T+1,B,H]    hs[0] = h0, hs[s+1] = state after step s (step order)
//           gz [T,B,G·H]    gate activations per step                  (LSTM, GRU)
//           cs [T+1,B,H]    cell states, cs[0] = c0                     (LSTM)
//           hl [T,B,H]      W_hn·h + b_hn per step                      (GRU)
//   y   [T,B,D·H]           output of a hidden layer, time order       (only if L > 1)
//   pk1 [maxIn, G·H], pk2 [H, G·H], bsum [G·H], rec [B, G·H]   packed Wᵀ, biases, scratch
//   dys [T,B,H]             upstream ∂L/∂output of one direction, step order
//   dA  [T,B,G·H]           ∂L/∂(input-side pre-activations) per step
//   dAh [T,B,G·H]           ∂L/∂(recurrent-side pre-activations)      (GRU; = dA otherwise)
//   dh, dhp, dc, dcp [B,H]  ∂L/∂h and ∂L/∂c carried through time
//   dxs [T,B,maxIn]         ∂L/∂(layer input), step order
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

/** Offsets (floats) of one layer-direction's workspace regions. */
export class LdRegions { xs: usize; hs: usize; gz: usize; cs: usize; hl: usize; }
const ldr = new LdRegions();

function ldSize(k: i32, cell: i32, B: i32, T: i32, I: i32, H: i32, D: i32): usize {
  const G = gatesOf(cell);
  let n = r4(T * B * layerIn(k / D, I, H, D)) + r4((T + 1) * B * H);
  if (G > 1) n += r4(T * B * G * H);
  if (cell == CELL_LSTM) n += r4((T + 1) * B * H);
  if (cell == CELL_GRU) n += r4(T * B * H);
  return n;
}

export function ldRegions(ld: i32, cell: i32, B: i32, T: i32, I: i32, H: i32, D: i32): LdRegions {
  let o: usize = 0;
  for (let k = 0; k < ld; k++) o += ldSize(k, cell, B, T, I, H, D);
  const G = gatesOf(cell);
  ldr.xs = o; o += r4(T * B * layerIn(ld / D, I, H, D));
  ldr.hs = o; o += r4((T + 1) * B * H);
  ldr.gz = o; if (G > 1) o += r4(T * B * G * H);
  ldr.cs = o; if (cell == CELL_LSTM) o += r4((T + 1) * B * H);
  ldr.hl = o;
  return ldr;
}

/** Offsets of the shared regions, after all per-ld regions. */
export class Shared {
  y: usize; pk1: usize; pk2: usize; bsum: usize; rec: usize; dys: usize; dA: usize; dAh: usize;
  dh: usize; dhp: usize; dc: usize; dcp: usize; dxs: usize; dy0: usize; dy1: usize; total: usize;
}
const sh = new Shared();

export function sharedLayout(cell: i32, B: i32, T: i32, I: i32, H: i32, L: i32, D: i32): Shared {
  const G = gatesOf(cell), GH = G * H;
  const maxIn = max(I, L > 1 ? D * H : 0);
  let o: usize = 0;
  for (let k = 0; k < L * D; k++) o += ldSize(k, cell, B, T, I, H, D);
  const yn: usize = L > 1 ? r4(T * B * D * H) : 0;
  sh.y = o; o += yn;
  sh.pk1 = o; o += r4(maxIn * GH);
  sh.pk2 = o; o += r4(H * GH);
  sh.bsum = o; o += r4(GH);
  sh.rec = o; o += r4(B * GH);
  sh.dys = o; o += r4(T * B * H);
  sh.dA = o; o += r4(T * B * GH);
  sh.dAh = cell == CELL_GRU ? o : sh.dA; if (cell == CELL_GRU) o += r4(T * B * GH);
  sh.dh = o; o += r4(B * H);
  sh.dhp = o; o += r4(B * H);
  sh.dc = o; o += r4(B * H);
  sh.dcp = o; o += r4(B * H);
  sh.dxs = o; o += r4(T * B * maxIn);
  sh.dy0 = o; o += yn;
  sh.dy1 = o; o += yn;
  sh.total = o;
  return sh;
}
