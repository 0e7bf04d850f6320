// Losses over rows with an optional per-row weight (0 masks a row: padding past a sequence's
// length). Each returns the loss and writes its gradient with respect to the predictions.

/** mask[b·T + t] = 1 if t < lengths[b] else 0 (rows in batch-first order). */
export function mask_from_lengths(mask: usize, lengths: usize, B: i32, T: i32): void {
  for (let b = 0; b < B; b++) {
    const len = load<i32>(lengths + (<usize>b << 2));
    for (let t = 0; t < T; t++) store<f32>(mask + ((<usize>(b * T + t)) << 2), t < len ? 1 : 0);
  }
}

/** Mean squared error over the unmasked rows and all C columns:
 *  L = Σ_r w_r Σ_c (p − y)² / (C·Σ_r w_r).  dpred = ∂L/∂pred (may be 0). w = 0 means all ones. */
export function mse_loss(R: i32, C: i32, pred: usize, target: usize, w: usize, dpred: usize): f32 {
  let wsum: f64 = 0;
  for (let r = 0; r < R; r++) wsum += w == 0 ? 1 : <f64>load<f32>(w + (<usize>r << 2));
  if (wsum == 0) {
    if (dpred != 0) memory.fill(dpred, 0, <usize>(R * C) << 2);
    return 0;
  }
  const scale = <f32>(2.0 / (wsum * C));
  let loss: f64 = 0;
  for (let r = 0; r < R; r++) {
    const wr: f32 = w == 0 ? 1 : load<f32>(w + (<usize>r << 2));
    for (let c = 0; c < C; c++) {
      const o = (<usize>(r * C + c)) << 2;
      const e = load<f32>(pred + o) - load<f32>(target + o);
      loss += <f64>(wr * e * e);
      if (dpred != 0) store<f32>(dpred + o, scale * wr * e);
    }
  }
  return <f32>(loss / (wsum * C));
}

/** Softmax cross-entropy over rows of C logits with integer labels (label < 0 ignores the row):
 *  L = Σ_r w_r · (−log softmax(z_r)[y_r]) / Σ_r w_r.  dlogits = ∂L/∂z (may be 0). */
export function softmax_ce_loss(R: i32, C: i32, logits: usize, labels: usize, w: usize, dlogits: usize): f32 {
  let wsum: f64 = 0;
  for (let r = 0; r < R; r++) {
    if (load<i32>(labels + (<usize>r << 2)) >= 0) wsum += w == 0 ? 1 : <f64>load<f32>(w + (<usize>r << 2));
  }
  let loss: f64 = 0;
  for (let r = 0; r < R; r++) {
    const z = logits + ((<usize>r * C) << 2);
    const y = load<i32>(labels + (<usize>r << 2));
    const wr: f32 = y < 0 || wsum == 0 ? 0 : (w == 0 ? 1 : load<f32>(w + (<usize>r << 2)));
    let m = load<f32>(z);
    for (let c = 1; c < C; c++) m = max(m, load<f32>(z + (<usize>c << 2)));
    let se: f32 = 0;
    for (let c = 0; c < C; c++) se += Mathf.exp(load<f32>(z + (<usize>c << 2)) - m);
    const lse = m + Mathf.log(se);
    if (wr != 0) loss += <f64>(wr * (lse - load<f32>(z + (<usize>y << 2))));
    if (dlogits != 0) {
      const sc = wsum == 0 ? <f32>0 : <f32>(<f64>wr / wsum);
      const dz = dlogits + ((<usize>r * C) << 2);
      for (let c = 0; c < C; c++) {
        const pc = Mathf.exp(load<f32>(z + (<usize>c << 2)) - lse);
        store<f32>(dz + (<usize>c << 2), sc * (pc - (c == y ? <f32>1 : <f32>0)));
      }
    }
  }
  return wsum == 0 ? 0 : <f32>(loss / wsum);
}
