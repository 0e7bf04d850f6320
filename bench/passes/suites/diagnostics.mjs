// Diagnostics and initialization: orthogonal init, SVD, eigenvalues, BPTT with per-step state
// gradients, Jacobian products (median ms, at least 5 samples).
import { RNN, orthogonal, jacobianProducts, singularValues, spectralRadius } from "../../../dist/index.js";
import { measure } from "../../tools/timing.mjs";
import { CONFIGS, rnd } from "./common.mjs";

export async function diagnostics(quick) {
  const few = async (fn) => (await measure(fn, { minSamples: 5, maxSeconds: quick ? 1 : 3 })).ms;
  const rows = [];
  for (const n of [256, 1024]) {
    rows.push([`orthogonal(${n}, ${n}) (Gaussian draw + blocked Householder QR)`,
      await few(() => orthogonal(n, n, { seed: 1 }))]);
  }
  const m = new Float32Array(128 * 128).map(rnd);
  rows.push(["all singular values of a 128×128 matrix (one-sided Jacobi, f64)",
    await few(() => singularValues(m, 128, 128))]);
  rows.push(["spectral radius of a 128×128 matrix (Hessenberg + Francis QR, f64)",
    await few(() => spectralRadius(m, 128))]);
  const cfg = CONFIGS[1], rnn = new RNN({ inputSize: cfg.I, hiddenSize: cfg.H, seed: 1 });
  const x = Float32Array.from({ length: cfg.B * cfg.T * cfg.I }, rnd),
    g = Float32Array.from({ length: cfg.B * cfg.H }, rnd);
  const plain = await few(() => {
    rnn.forward(x, { batch: cfg.B, steps: cfg.T });
    rnn.backward({ hN: g });
  });
  const rec = await few(() => {
    rnn.forward(x, { batch: cfg.B, steps: cfg.T });
    rnn.backward({ hN: g }, { stateGrads: true });
  });
  rows.push(["Elman medium forward + backward, plain / with stateGrads (per-step ∂L/∂h_t and norms)", plain, rec]);
  const one = new RNN({ inputSize: 16, hiddenSize: 64, seed: 1 }), x1 = Float32Array.from({ length: 100 * 16 }, rnd);
  rows.push(["jacobianProducts, H = 64, T = 100 (64 VJPs + 100 SVDs of 64×64)",
    await few(() => jacobianProducts(one, x1, { steps: 100 }))]);
  rnn.dispose();
  one.dispose();
  for (const d of rows) console.log(`${d[0]}: ${d.slice(1).map((v) => v.toFixed(2)).join(" / ")} ms`);
  return rows;
}
