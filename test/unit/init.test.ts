// Initializers: orthogonal (Householder QR in the core), identity, xavier, PyTorch's uniform.
import { beforeAll, describe, expect, it } from "vitest";
import { init, orthogonal, RNN, LSTM, GRU, Model, singularValues } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

/** max |QᵀQ − I| (columns) or |QQᵀ − I| (rows), whichever is the smaller Gram matrix, in f64. */
function orthError(q: Float32Array, rows: number, cols: number, gain = 1): number {
  const n = Math.min(rows, cols), m = Math.max(rows, cols);
  // the n vectors (columns if rows >= cols, else rows), each contiguous, in f64
  const v = new Float64Array(n * m);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (rows >= cols) v[j * m + i] = q[i * cols + j] / gain;
      else v[i * m + j] = q[i * cols + j] / gain;
    }
  }
  let worst = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      const oa = a * m, ob = b * m;
      for (let i = 0; i < m; i++) s += v[oa + i] * v[ob + i];
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

describe("orthogonal", () => {
  it("H = 1024: QᵀQ = I within 1e-5, deterministic by seed (time printed; speed is measured in bench/)", () => {
    const t0 = performance.now();
    const q = orthogonal(1024, 1024, { seed: 7 });
    const ms = performance.now() - t0;
    const err = orthError(q, 1024, 1024);
    console.log(`orthogonal(1024, 1024): ${ms.toFixed(0)} ms, max |QᵀQ − I| = ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-5);
    expect(orthogonal(1024, 1024, { seed: 7 })).toEqual(q);
    expect(orthogonal(1024, 1024, { seed: 8 })[0]).not.toBe(q[0]);
  });

  it("rectangular (orthonormal columns or rows), gain, sizes not multiples of the block", () => {
    for (const [r, c] of [[1, 1], [5, 3], [3, 5], [33, 33], [100, 37], [37, 100], [65, 64]]) {
      const q = orthogonal(r, c, { seed: r * 100 + c, gain: 2.5 });
      expect(orthError(q, r, c, 2.5), `${r}x${c}`).toBeLessThan(1e-5);
    }
  });

  it("is Haar-like: no preferred sign on the diagonal, singular values all equal to the gain", () => {
    const n = 64;
    let pos = 0;
    for (let s = 0; s < 20; s++) {
      const q = orthogonal(n, n, { seed: s });
      for (let i = 0; i < n; i++) if (q[i * n + i] > 0) pos++;
    }
    // 1280 diagonal entries of Haar matrices are positive with probability 1/2: 640 ± 4.5σ (σ ≈ 17.9)
    expect(Math.abs(pos - 640)).toBeLessThan(80);
    const sv = singularValues(orthogonal(n, n, { seed: 3, gain: 0.9 }), n, n);
    for (const v of sv) expect(Math.abs(v - 0.9)).toBeLessThan(1e-5);
  });

  it("rejects bad arguments naming them", () => {
    expect(() => orthogonal(0, 3)).toThrow(/rows must be an integer/);
    expect(() => orthogonal(3, 3, { gain: NaN })).toThrow(/options.gain must be a number/);
    expect(() => orthogonal(3, 3, { sed: 1 } as any)).toThrow(/sed/);
  });
});

describe("layer and model init options", () => {
  it("default init is PyTorch's U(−1/√H, 1/√H), unchanged by the init option's existence", () => {
    const a = new RNN({ inputSize: 3, hiddenSize: 8, seed: 4 }),
      b = new RNN({ inputSize: 3, hiddenSize: 8, seed: 4, init: {} });
    expect(a.stateDict()).toEqual(b.stateDict());
    for (const v of Object.values(a.stateDict())) {
      for (const x of v) expect(Math.abs(x)).toBeLessThanOrEqual(1 / Math.sqrt(8));
    }
    a.dispose();
    b.dispose();
  });

  it("orthogonal recurrent weights per gate block, zero biases; identity; xavier bounds", () => {
    const H = 16;
    const lstm = new LSTM({ inputSize: 5, hiddenSize: H, seed: 1,
      init: { recurrent: "orthogonal", input: "orthogonal", bias: "zeros" } });
    const sd = lstm.stateDict();
    for (let g = 0; g < 4; g++) {
      expect(orthError(sd.weight_hh_l0.subarray(g * H * H, (g + 1) * H * H), H, H)).toBeLessThan(1e-5);
      expect(orthError(sd.weight_ih_l0.subarray(g * H * 5, (g + 1) * H * 5), H, 5)).toBeLessThan(1e-5);
    }
    expect(sd.bias_ih_l0.every((v) => v === 0) && sd.bias_hh_l0.every((v) => v === 0)).toBe(true);
    const irnn = new RNN({ inputSize: 2, hiddenSize: 4, nonlinearity: "relu",
      init: { recurrent: "identity", gain: 0.5 } });
    expect(Array.from(irnn.stateDict().weight_hh_l0)).toEqual([0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5]);
    const gru = new GRU({ inputSize: 10, hiddenSize: 20, init: { input: "xavier", recurrent: "xavier", gain: 2 } });
    const bound = 2 * Math.sqrt(6 / (60 + 10));
    const wi = gru.stateDict().weight_ih_l0;
    expect(Math.max(...wi.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...wi.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    lstm.dispose();
    irnn.dispose();
    gru.dispose();
  });

  it("Model passes init to its layers and saves it in the config; bad init options are rejected before anything changes", () => {
    const m = new Model({ inputSize: 2, hiddenSize: 6, outputSize: 1, init: { recurrent: "orthogonal" }, seed: 3 });
    const w = m.stateDict()["rnn.weight_hh_l0"];
    expect(orthError(w, 6, 6)).toBeLessThan(1e-5);
    const m2 = Model.load(m.save());
    expect(m2.stateDict()["rnn.weight_hh_l0"]).toEqual(w);
    expect(() => new Model({ inputSize: 2, hiddenSize: 6, outputSize: 1, init: { recurrent: "eye" } as any })).toThrow(
      /init.recurrent must be one of/,
    );
    expect(() => new RNN({ inputSize: 2, hiddenSize: 6, init: { input: "identity" } as any })).toThrow(
      /init.input must be one of "uniform", "orthogonal", "xavier"/,
    );
    const r = new RNN({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const before = r.stateDict();
    expect(() => r.resetParameters(2, { gain: Infinity })).toThrow(/init.gain/);
    expect(r.stateDict()).toEqual(before);
    m.dispose();
    m2.dispose();
    r.dispose();
  });
});
