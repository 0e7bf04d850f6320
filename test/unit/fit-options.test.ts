// fit's early stopping (Keras EarlyStopping on the validation loss) and verbose lines; a
// crossentropy model's predictProba (softmax of predict's logits) and predictClasses (argmax).
import { beforeAll, describe, expect, it, vi } from "vitest";
import { init, Model, Rng } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

function regression(seed = 2, n = 40) {
  const r = new Rng(seed), x: Float32Array[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = Float32Array.from({ length: 2 * (3 + r.int(4)) }, () => r.normal());
    x.push(a);
    y.push(a[0] - 0.5 * a[1]);
  }
  return { x, y: Float32Array.from(y) };
}
const reg = { cell: "gru" as const, inputSize: 2, hiddenSize: 6, outputSize: 1, seed: 1 };

describe("fit: earlyStopping", () => {
  it("a constant validation loss with patience 2 runs exactly 3 epochs, and the history says why", async () => {
    const m = new Model(reg);
    // a learning rate of 1e-30 moves no float32 weight: every validation loss is the same
    const h = await m.fit(regression(), { epochs: 50, learningRate: 1e-30, validationSplit: 0.25,
      earlyStopping: { patience: 2 } });
    expect(h.epoch).toEqual([1, 2, 3]);
    expect(new Set(h.valLoss).size).toBe(1);
    expect(h.stopReason).toBe(
      `early stopping after epoch 3: the validation loss did not improve by more than 0 for 2 epochs (best ${
        h.valLoss[0]
      } at epoch 1)`,
    );
    const p0 = new Model(reg);
    expect(
      (await p0.fit(regression(), { epochs: 5, learningRate: 1e-30, validationSplit: 0.25,
        earlyStopping: { patience: 0 } })).epoch,
    ).toEqual([1, 2]);
    m.dispose();
    p0.dispose();
  });

  it("minDelta: improvements no larger than it do not count; an improving run with room to wait runs every epoch", async () => {
    const a = new Model(reg), b = new Model(reg);
    const plain = await a.fit(regression(), { epochs: 8, learningRate: 0.01, validationSplit: 0.25, seed: 3 });
    const patient = await b.fit(regression(), { epochs: 8, learningRate: 0.01, validationSplit: 0.25, seed: 3,
      earlyStopping: { patience: 8 } });
    expect(patient.valLoss).toEqual(plain.valLoss); // watching changes nothing
    expect(patient.stopReason).toBe("");
    // the same run with a minDelta larger than any of its improvements stops as soon as patience allows
    const c = new Model(reg);
    const strict = await c.fit(regression(), { epochs: 8, learningRate: 0.01, validationSplit: 0.25, seed: 3,
      earlyStopping: { patience: 1, minDelta: 1e6 } });
    expect(strict.epoch).toEqual([1, 2]);
    expect(strict.valLoss).toEqual(plain.valLoss.slice(0, 2));
    // with restoreBest, the weights are those of the best epoch
    const d = new Model(reg);
    const best = await d.fit(regression(), { epochs: 8, learningRate: 0.01, validationSplit: 0.25, seed: 3,
      restoreBest: true, earlyStopping: { patience: 1, minDelta: 1e6 } });
    expect(best.bestEpoch).toBe(best.valLoss.indexOf(Math.min(...best.valLoss)) + 1);
    const e = new Model(reg); // trained for the best epoch's count alone: the same weights, bit for bit
    await e.fit(regression(), { epochs: best.bestEpoch, learningRate: 0.01, validationSplit: 0.25, seed: 3 });
    expect(Array.from(d.save())).toEqual(Array.from(e.save()));
    for (const m of [a, b, c, d, e]) m.dispose();
  });

  it("bad earlyStopping options are refused before training", async () => {
    const m = new Model(reg), before = m.save();
    await expect(m.fit(regression(), { earlyStopping: { patience: 2 } })).rejects.toThrow(
      "Model.fit: earlyStopping needs validationData or validationSplit (it watches the validation loss)",
    );
    await expect(m.fit(regression(), { validationSplit: 0.2, earlyStopping: { patience: -1 } })).rejects.toThrow(
      new RangeError("Model.fit: earlyStopping.patience must be an integer >= 0, got -1"),
    );
    await expect(m.fit(regression(), { validationSplit: 0.2, earlyStopping: {} as any })).rejects.toThrow(
      "Model.fit: earlyStopping.patience is required",
    );
    await expect(m.fit(regression(), { validationSplit: 0.2, earlyStopping: { patience: 1, mindelta: 0 } as any }))
      .rejects.toThrow(/unknown option "earlyStopping.mindelta" \(did you mean "earlyStopping.minDelta"\?\)/);
    await expect(m.fit(regression(), { validationSplit: 0.2, earlyStopping: { patience: 1, minDelta: -1 } })).rejects
      .toThrow(RangeError);
    expect(Array.from(m.save())).toEqual(Array.from(before));
    m.dispose();
  });

  it("verbose prints one line per epoch with its losses and metrics", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const m = new Model(reg);
    await m.fit(regression(), { epochs: 2, validationSplit: 0.25, verbose: true });
    const lines = log.mock.calls.map((c) => String(c[0]));
    log.mockRestore();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^epoch 2\/2: loss \d\.\d+(e-\d+)?, rmse [\d.]+, mae [\d.]+, val loss [\d.]+, val rmse [\d.]+, val mae [\d.]+, \d+\.\d s$/,
    );
    m.dispose();
  });
});

describe("predictProba and predictClasses", () => {
  const V = 5;
  const cls = { cell: "lstm" as const, inputSize: 3, hiddenSize: 7, outputSize: V, loss: "crossentropy" as const,
    seed: 4 };
  const xs = () => {
    const r = new Rng(8);
    return Array.from({ length: 9 }, () => Float32Array.from({ length: 3 * (2 + r.int(5)) }, () => 2 * r.normal()));
  };

  it("probabilities: rows sum to 1 and their ratios are exp of the logits' differences; classes are the first largest logit", () => {
    for (const readout of ["last", "sequence"] as const) {
      const m = new Model({ ...cls, readout });
      const logits = m.predict(xs()), probs = m.predictProba(xs()), classes = m.predictClasses(xs());
      const L = (Array.isArray(logits) ? logits : [logits]) as Float32Array[],
        P = (Array.isArray(probs) ? probs : [probs]) as Float32Array[];
      const C = (Array.isArray(classes) ? classes : [classes]) as Int32Array[];
      expect(P.map((p) => p.length)).toEqual(L.map((l) => l.length));
      L.forEach((l, s) => {
        for (let r = 0; r < l.length / V; r++) {
          const row = Array.from(l.subarray(r * V, (r + 1) * V)), p = Array.from(P[s].subarray(r * V, (r + 1) * V));
          expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
          for (let j = 1; j < V; j++) expect(Math.abs(p[j] / p[0] / Math.exp(row[j] - row[0]) - 1)).toBeLessThan(1e-5);
          expect(C[s][r]).toBe(row.indexOf(Math.max(...row)));
        }
      });
      if (readout === "sequence") expect(C.map((c) => c.length)).toEqual(xs().map((x) => x.length / 3));
      m.dispose();
    }
  });

  it("an mse model has no probabilities: a TypeError naming the call", () => {
    const m = new Model(reg);
    expect(() => m.predictProba([new Float32Array(4)])).toThrow(
      new TypeError(
        'Model.predictProba: the model\'s loss is "mse"; class probabilities and classes need loss "crossentropy" (use predict)',
      ),
    );
    expect(() => m.predictClasses([new Float32Array(4)])).toThrow(/^Model\.predictClasses: /);
    m.dispose();
  });
});
