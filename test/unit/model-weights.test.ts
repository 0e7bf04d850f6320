// Per-step loss weights (data.weights, readout "sequence"): the loss is Σ w·ℓ / Σ w over the batch's
// steps, exactly zero gradient from steps of weight 0, evaluate over several batches, metrics that
// leave weight-0 steps out, and validationSplit carrying the weights. (Gradients against float64
// finite differences: test/reference/gradcheck.test.ts.)
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model, Rng } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

function problem(seed: number, n: number, I: number, O: number) {
  const r = new Rng(seed), x: Float32Array[] = [], y: Float32Array[] = [], w: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const T = 3 + r.int(4);
    x.push(Float32Array.from({ length: I * T }, () => r.normal()));
    y.push(Float32Array.from({ length: O * T }, () => r.normal()));
    // a warm-up of 2 steps left out, then weights in [0, 2)
    w.push(Float32Array.from({ length: T }, (_, t) => (t < 2 ? 0 : 2 * r.uniform())));
  }
  return { x, y, weights: w };
}
const cfg = { cell: "gru" as const, inputSize: 2, hiddenSize: 5, outputSize: 2, readout: "sequence" as const, seed: 4 };
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe("per-step loss weights", () => {
  it("the loss is Σ w·ℓ / Σ w (ℓ: a step's mean squared error over its outputs), in one batch and over several", () => {
    const m = new Model(cfg), d = problem(1, 7, 2, 2), p = m.predict(d.x);
    let num = 0, den = 0;
    d.x.forEach((_, i) => {
      for (let t = 0; t < d.weights[i].length; t++) {
        const l = ((p[i][2 * t] - d.y[i][2 * t]) ** 2 + (p[i][2 * t + 1] - d.y[i][2 * t + 1]) ** 2) / 2;
        num += d.weights[i][t] * l;
        den += d.weights[i][t];
      }
    });
    expect(m.computeGradients(d)).toBeCloseTo(num / den, 5);
    expect(m.evaluate(d).loss).toBeCloseTo(num / den, 5);
    expect(m.evaluate(d, { batchSize: 2 }).loss).toBeCloseTo(num / den, 5);
    // all ones: the unweighted loss
    const ones = d.x.map((s) => new Float32Array(s.length / 2).fill(1));
    expect(m.evaluate({ ...d, weights: ones }).loss).toBe(m.evaluate({ x: d.x, y: d.y }).loss);
    m.dispose();
  });

  it("steps of weight 0 give exactly zero gradient: changing their targets changes no bit of the loss or gradients", () => {
    for (const loss of ["mse", "crossentropy"] as const) {
      const m = new Model({ ...cfg, outputSize: 3, loss });
      const d = problem(2, 5, 2, 3);
      const y = loss === "mse"
        ? d.y
        : d.x.map((s, i) => Int32Array.from({ length: s.length / 2 }, (_, t) => (i + t) % 3));
      const y2 = loss === "mse"
        ? d.y.map((yi, i) => yi.map((v, k) => (d.weights[i][Math.floor(k / 3)] === 0 ? v + 100 : v)))
        : (y as Int32Array[]).map((yi, i) => yi.map((v, t) => (d.weights[i][t] === 0 ? (v + 1) % 3 : v)));
      const l1 = m.computeGradients({ x: d.x, y, weights: d.weights } as any), g1 = m.grads();
      const l2 = m.computeGradients({ x: d.x, y: y2, weights: d.weights } as any), g2 = m.grads();
      expect(l2).toBe(l1);
      for (const k of Object.keys(g1)) expect(same(g1[k], g2[k]), k).toBe(true);
      // all weights 0: loss 0 and every gradient 0
      const zeros = d.weights.map((w) => new Float32Array(w.length));
      expect(m.computeGradients({ x: d.x, y, weights: zeros } as any)).toBe(0);
      for (const g of Object.values(m.grads())) expect(g.every((v) => v === 0)).toBe(true);
      m.dispose();
    }
  });

  it("metrics count the steps of weight > 0 alike; validationSplit carries the weights with their sequences", async () => {
    const m = new Model(cfg), d = problem(3, 8, 2, 2), p = m.predict(d.x);
    let sq = 0, abs = 0, n = 0;
    d.x.forEach((_, i) => {
      for (let t = 0; t < d.weights[i].length; t++) {
        if (d.weights[i][t] === 0) continue;
        for (let j = 0; j < 2; j++) {
          const e = p[i][2 * t + j] - d.y[i][2 * t + j];
          sq += e * e;
          abs += Math.abs(e);
        }
        n += 2;
      }
    });
    const ev = m.evaluate(d);
    expect(ev.rmse).toBeCloseTo(Math.sqrt(sq / n), 5);
    expect(ev.mae).toBeCloseTo(abs / n, 5);
    const h = await m.fit(d, { epochs: 1, learningRate: 1e-30, validationSplit: 0.25 });
    expect(h.valLoss[0]).toBeGreaterThan(0);
    const h2 = await new Model(cfg).fit({ ...d, weights: d.weights.map((w) => w.map(() => 0)) }, { epochs: 1,
      learningRate: 1e-30, validationSplit: 0.25 });
    expect([h2.loss[0], h2.valLoss[0]]).toEqual([0, 0]);
    m.dispose();
  });
});
