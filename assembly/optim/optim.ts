// Optimizers and clipping over flat parameter / gradient / state blocks: one pass each.
// Update rules are PyTorch's (torch.optim.SGD with dampening 0, torch.optim.Adam, clip_grad_norm_).

import { sumsq_f64_wasmsimd, scale_f32_wasmsimd } from "../linalg";

/** SGD with momentum and L2 weight decay: d = g + wd·p; v = μ·v + d (v starts at 0, which equals
 *  PyTorch's first-step v = d); p −= lr·(nesterov ? d + μ·v : v). vel may be 0 when μ = 0. */
export function sgd_step(n: i32, params: usize, grads: usize, vel: usize, lr: f32, momentum: f32, weightDecay: f32,
  nesterov: bool): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const p = load<f32>(params + o);
    let d = load<f32>(grads + o);
    if (weightDecay != 0) d += weightDecay * p;
    if (momentum != 0) {
      const v = momentum * load<f32>(vel + o) + d;
      store<f32>(vel + o, v);
      d = nesterov ? d + momentum * v : v;
    }
    store<f32>(params + o, p - lr * d);
  }
}

/** Adam (PyTorch's rule, L2 weight decay added to the gradient):
 *  m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  p −= stepSize · m / (√v / bc2Sqrt + ε)
 *  with stepSize = lr / (1 − β1^t) and bc2Sqrt = √(1 − β2^t), both computed by the caller in f64. */
export function adam_step(n: i32, params: usize, grads: usize, m: usize, v: usize, beta1: f32, beta2: f32, eps: f32,
  weightDecay: f32, stepSize: f32, bc2Sqrt: f32): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const ve = f32x4.splat(eps), vs = f32x4.splat(stepSize), vb = f32x4.splat(bc2Sqrt), vw = f32x4.splat(weightDecay);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const p = v128.load(params + o);
    let g = v128.load(grads + o);
    if (weightDecay != 0) g = f32x4.add(g, f32x4.mul(vw, p));
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, g));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(g, g)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), vb), ve);
    v128.store(params + o, f32x4.sub(p, f32x4.mul(vs, f32x4.div(mi, denom))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const p = load<f32>(params + o);
    let g = load<f32>(grads + o);
    if (weightDecay != 0) g += weightDecay * p;
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * g;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * (g * g);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(params + o, p - stepSize * (mi / (Mathf.sqrt(vi) / bc2Sqrt + eps)));
  }
}

/** Global-norm clipping (torch.nn.utils.clip_grad_norm_): returns the pre-clip norm ‖g‖₂
 *  (accumulated in f64); if it exceeds maxNorm, scales g by maxNorm / (‖g‖ + 1e−6). */
export function clip_grad_norm(n: i32, grads: usize, maxNorm: f32): f32 {
  const norm = Math.sqrt(sumsq_f64_wasmsimd(n, grads));
  const coef = <f64>maxNorm / (norm + 1e-6);
  if (coef < 1) scale_f32_wasmsimd(n, <f32>coef, grads);
  return <f32>norm;
}
