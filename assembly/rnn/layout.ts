// Layout of the flat parameter block and of the workspace of a recurrent stack.
//
// Parameters, PyTorch order: for layer l, direction d (index ld = l·D + d):
//   weight_ih [G·H, In_l], weight_hh [G·H, H], bias_ih [G·H], bias_hh [G·H]
// with In_0 = I and In_l = D·H above; G = 1 (Elman). Tensors are packed back to back (no padding),
// exactly the order of torch.nn.RNN's state_dict. Gradients use the same layout in a second block.
//
// Workspace (f32, every region rounded up to 4 floats so each starts 16-byte aligned):
//   per ld: xs [T,B,In_l]   the layer input in step order (see gather_steps)
//           hs [T+1,B,H]    hs[0] = h0, hs[s+1] = state after step s (step order)
//   y   [T,B,D·H]           output of a hidden layer, time order        (only if L > 1)
//   pk1 [maxIn, H], pk2 [H, H], bsum [H]   packed Wᵀ and summed biases
//   dA  [T,B,H]             ∂L/∂(pre-activation) per step
//   dh, dhp [B,H]           ∂L/∂h carried through time
//   dxs [T,B,maxIn]         ∂L/∂(layer input), step order
//   dy0, dy1 [T,B,D·H]      ∂L/∂(hidden layer output), time order      (only if L > 1)

// @ts-ignore: decorator
@inline export function r4(n: i32): usize { return <usize>((n + 3) & ~3); }

// @ts-ignore: decorator
@inline export function layerIn(l: i32, I: i32, H: i32, D: i32): i32 { return l == 0 ? I : D * H; }

/** Number of f32 parameters of a stack (G gates). */
export function paramCount(G: i32, I: i32, H: i32, L: i32, D: i32): i32 {
  let n = 0;
  for (let l = 0; l < L; l++) {
    const In = layerIn(l, I, H, D);
    n += D * (G * H * In + G * H * H + 2 * G * H);
  }
  return n;
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

/** Offset (floats) of the step-ordered input xs of ld in the workspace. */
export function wsXs(ld: i32, B: i32, T: i32, I: i32, H: i32, D: i32): usize {
  let o: usize = 0;
  for (let k = 0; k < ld; k++) {
    o += r4(T * B * layerIn(k / D, I, H, D)) + r4((T + 1) * B * H);
  }
  return o;
}

/** Offset (floats) of the states hs of ld in the workspace. */
export function wsHs(ld: i32, B: i32, T: i32, I: i32, H: i32, D: i32): usize {
  return wsXs(ld, B, T, I, H, D) + r4(T * B * layerIn(ld / D, I, H, D));
}

/** Offsets of the shared regions, after all per-ld regions. */
export class Shared {
  y: usize; pk1: usize; pk2: usize; bsum: usize; dA: usize; dh: usize; dhp: usize; dxs: usize;
  dy0: usize; dy1: usize; total: usize;
}

// one static instance (no allocation per call)
const sh = new Shared();

export function sharedLayout(B: i32, T: i32, I: i32, H: i32, L: i32, D: i32): Shared {
  const maxIn = max(I, L > 1 ? D * H : 0);
  let o = wsXs(L * D, B, T, I, H, D);
  const yn: usize = L > 1 ? r4(T * B * D * H) : 0;
  sh.y = o; o += yn;
  sh.pk1 = o; o += r4(maxIn * H);
  sh.pk2 = o; o += r4(H * H);
  sh.bsum = o; o += r4(H);
  sh.dA = o; o += r4(T * B * H);
  sh.dh = o; o += r4(B * H);
  sh.dhp = o; o += r4(B * H);
  sh.dxs = o; o += r4(T * B * maxIn);
  sh.dy0 = o; o += yn;
  sh.dy1 = o; o += yn;
  sh.total = o;
  return sh;
}
