// Model's dropout (dropout between layers, inputDropout, readoutDropout; nn/model/dropout.ts):
// never in the evaluation paths, inert at 0, seeded, and statistically what inverted dropout is.
// The gradients with fixed masks: test/reference/dropout.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model } from "../../dist/index.js";
import { f32 } from "../../dist/core.js";
import { lcg } from "../helpers";

beforeAll(async () => {
  await init();
});

const rates = { dropout: 0.5, inputDropout: 0.3, readoutDropout: 0.4 };
const base = { cell: "lstm" as const, inputSize: 3, hiddenSize: 6, numLayers: 3, outputSize: 2,
  readout: "sequence" as const, seed: 11 };

function data(n = 6, I = 3, O = 2, seed = 1) {
  const rnd = lcg(seed), lens = Array.from({ length: n }, (_, i) => 3 + (i * 5) % 7);
  return { x: lens.map((T) => Float32Array.from({ length: T * I }, () => 2 * rnd() - 1)),
    y: lens.map((T) => Float32Array.from({ length: T * O }, () => rnd())) };
}

const bits = (a: ArrayLike<number>) => Array.from(a);
const same = (a: Record<string, Float32Array>, b: Record<string, Float32Array>) => {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const k of Object.keys(a)) expect(bits(a[k]), k).toEqual(bits(b[k]));
};

describe("dropout is never applied outside training", () => {
  it("predict, evaluate, stream and fit's validation: bitwise those of the same weights without dropout", async () => {
    const d = data(), val = data(4, 3, 2, 7);
    const a = new Model({ ...base, ...rates }), b = new Model(base);
    same(a.stateDict(), b.stateDict()); // the rates do not change the initialization
    await a.fit(d, { epochs: 2, batchSize: 3, validationData: val, seed: 4 });
    b.loadStateDict(a.stateDict());
    const pa = a.predict(d.x), pb = b.predict(d.x);
    pa.forEach((p, i) => expect(bits(p)).toEqual(bits(pb[i])));
    expect(a.evaluate(val)).toEqual(b.evaluate(val));
    // fit's validation loss after the last epoch is the evaluation of the final weights
    const h = await a.fit(d, { epochs: 1, batchSize: 3, validationData: val, seed: 5 });
    b.loadStateDict(a.stateDict());
    expect(h.valLoss[0]).toBe(b.evaluate(val).loss);
    const sa = a.stream({ batch: 1 }), sb = b.stream({ batch: 1 });
    for (let t = 0; t < 4; t++) {
      const x = d.x[1].subarray(3 * t, 3 * t + 3); // 8 steps
      expect(bits(sa.step(x).output)).toEqual(bits(sb.step(x).output));
    }
    sa.dispose();
    sb.dispose();
    a.dispose();
    b.dispose();
  });

  it("generate: the same tokens as without dropout", () => {
    const cfg = { cell: "gru" as const, inputSize: 5, hiddenSize: 8, numLayers: 2, outputSize: 5,
      loss: "crossentropy" as const, readout: "sequence" as const, seed: 2 };
    const a = new Model({ ...cfg, ...rates }), b = new Model(cfg);
    const opts = { prime: [1, 2], length: 12, seed: 3 };
    expect(bits(a.generate(opts))).toEqual(bits(b.generate(opts)));
    a.dispose();
    b.dispose();
  });
});

describe("dropout in model files", () => {
  it("save and load keep the rates (and the loaded model draws from pass 0 again)", () => {
    const a = new Model({ ...base, ...rates });
    const b = Model.load(a.save());
    expect([b.config.dropout, b.config.inputDropout, b.config.readoutDropout]).toEqual([0.5, 0.3, 0.4]);
    for (const m of [a, b]) (m as any).dropoutState.record = true;
    const d = data();
    expect(a.computeGradients(d)).toBe(b.computeGradients(d));
    same(a.grads(), b.grads());
    a.dispose();
    b.dispose();
  });
});

describe("dropout 0 is no dropout", () => {
  it("fit, trainBatch and gradientFlow bitwise like a model without the options", async () => {
    const d = data();
    const a = new Model({ ...base, dropout: 0, inputDropout: 0, readoutDropout: 0 }), b = new Model(base);
    await a.fit(d, { epochs: 2, batchSize: 4, seed: 1 });
    await b.fit(d, { epochs: 2, batchSize: 4, seed: 1 });
    same(a.stateDict(), b.stateDict());
    expect(bits(a.gradientFlow(d).dh)).toEqual(bits(b.gradientFlow(d).dh));
    same(a.grads(), b.grads());
    a.dispose();
    b.dispose();
  });
});

describe("dropout masks are seeded", () => {
  const masksOf = (seed: number, calls: number) => {
    const m = new Model({ ...base, ...rates, seed });
    const drop = (m as any).dropoutState;
    drop.record = true;
    const d = data(), out: Record<string, Float32Array>[] = [];
    for (let i = 0; i < calls; i++) {
      m.computeGradients(d);
      out.push(drop.last);
    }
    const grads = m.grads();
    m.dispose();
    return { out, grads };
  };

  it("the same seed and calls give the same masks and gradients; another seed or the next pass other masks", () => {
    const r1 = masksOf(3, 2), r2 = masksOf(3, 2), r3 = masksOf(4, 1);
    for (const k of ["dropout", "input", "readout"]) {
      expect(bits(r1.out[0][k]), k).toEqual(bits(r2.out[0][k]));
      expect(bits(r1.out[1][k]), k).toEqual(bits(r2.out[1][k]));
      expect(bits(r1.out[1][k]), k).not.toEqual(bits(r1.out[0][k]));
      expect(bits(r3.out[0][k]), k).not.toEqual(bits(r1.out[0][k]));
    }
    same(r1.grads, r2.grads);
  });

  it("the masks' shapes: dropout [B, L−1, T, D·H], input [B, T, I], readout [B·T, D·H]", () => {
    const m = new Model({ ...base, ...rates, bidirectional: true });
    const drop = (m as any).dropoutState;
    drop.record = true;
    const d = data(4); // lengths 3, 8, 6, 4: T = 8
    m.computeGradients(d);
    expect(drop.last.dropout.length).toBe(4 * 2 * 8 * 12);
    expect(drop.last.input.length).toBe(4 * 8 * 3);
    expect(drop.last.readout.length).toBe(4 * 8 * 12);
    m.dispose();
  });
});

describe("dropout, statistically", () => {
  it("entries are 0 or 1/(1−p), kept with frequency 1 − p (within 5 standard deviations)", () => {
    for (const p of [0.1, 0.5, 0.8]) {
      const m = new Model({ ...base, hiddenSize: 32, dropout: p, inputDropout: p, readoutDropout: p });
      const drop = (m as any).dropoutState;
      drop.record = true;
      m.computeGradients(data(16));
      for (const k of ["dropout", "input", "readout"]) {
        const v: Float32Array = drop.last[k], keep = Math.fround(1 / (1 - p));
        let kept = 0;
        for (const e of v) {
          if (e === keep) kept++;
          else expect(e).toBe(0);
        }
        // kept ~ Binomial(n, 1 − p): the standard deviation of the fraction is √(p(1 − p)/n)
        const n = v.length, sd = Math.sqrt(p * (1 - p) / n);
        expect(Math.abs(kept / n - (1 - p)), `${k}, p = ${p}, n = ${n}`).toBeLessThan(5 * sd);
      }
      m.dispose();
    }
  });

  // Outputs linear in the mask (identity φ between the masked layers; a linear readout after the
  // readout's mask): E[masked output] = the unmasked output exactly, so the mean of K masked
  // forward passes is within a few standard errors s/√K of predict()'s output.
  for (const [name, cfg] of [["dropout between layers (linear cells)", { cell: "rnn", nonlinearity: "linear",
    numLayers: 2, dropout: 0.5 }], ["readoutDropout (tanh LSTM)", { cell: "lstm", numLayers: 1, readoutDropout: 0.5 }],
    ["inputDropout (linear cells)", { cell: "rnn", nonlinearity: "linear", numLayers: 1,
      inputDropout: 0.5 }]] as const) {
    it(`the mean of many masked forward passes converges to the evaluation output: ${name}`, () => {
      const m = new Model({ inputSize: 3, hiddenSize: 4, outputSize: 2, readout: "sequence", seed: 6, ...cfg });
      const d = data(2), eval0 = m.predict(d.x), K = 4000;
      const n = d.x.reduce((s, x) => s + (x.length / 3) * 2, 0);
      const sum = new Float64Array(n), sq = new Float64Array(n);
      for (let k = 0; k < K; k++) {
        // a training-mode forward pass without backward (runBatch's `training`)
        const r = (m as any).runBatch("test", d, [0, 1], "predict", 0, false, null, true);
        let i = 0;
        for (let b = 0; b < 2; b++) {
          const T = d.x[b].length / 3, v = f32(r.pred + 4 * b * r.staged.T * 2, T * 2);
          for (const e of v) {
            sum[i] += e;
            sq[i++] += e * e;
          }
        }
      }
      const want = eval0.flatMap((p) => Array.from(p));
      let varied = 0;
      for (let i = 0; i < n; i++) {
        const mean = sum[i] / K, s = Math.sqrt(Math.max(sq[i] / K - mean * mean, 0));
        if (s > 1e-3) varied++;
        expect(Math.abs(mean - want[i]), `output ${i}`).toBeLessThan(5 * s / Math.sqrt(K) + 1e-6);
      }
      expect(varied).toBeGreaterThan(n / 2); // the masks did act
      m.dispose();
    });
  }
});
