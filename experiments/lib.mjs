// Helpers the claims share: seeded normals, number formatting, a least-squares slope, and the
// gradient decay of an Elman layer with W_hh = σ·Q.
import { RNN, Rng } from "../dist/index.js";

export const normals = (n, rng, scale = 1) => Float32Array.from({ length: n }, () => scale * rng.normal());
export const fmt = (v,
  d = 3) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(d));

/** Least-squares slope of y against x. */
export function slope(xs, ys) {
  const n = xs.length, mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxy / sxx;
}

/** ‖∂L/∂h_t‖ / ‖∂L/∂h_T‖ against τ = T−1−t for a loss L = <h_T, g> on the final state of an Elman
 *  layer whose W_hh = σ·Q (Q orthogonal: every singular value of W_hh is σ). */
export function gradientDecay({ sigma, act, T, H = 64, I = 4, B = 16, seed = 1 }) {
  const rnn = new RNN({ inputSize: I, hiddenSize: H, nonlinearity: act, seed,
    init: { recurrent: "orthogonal", gain: sigma, bias: "zeros" } });
  const rng = new Rng(100 + seed);
  rnn.forward(normals(B * T * I, rng), { batch: B, steps: T });
  const d = rnn.backward({ hN: normals(B * H, rng) }, { stateGrads: true });
  rnn.dispose();
  const n = d.stepNorms, last = n[T - 1];
  return Array.from({ length: T }, (_, tau) => n[T - 1 - tau] / last);
}
