// The readout head: parameter names and shapes, PyTorch's nn.Linear init per layer, a model without
// one unchanged, save/load bitwise, streams bitwise equal to predict, and training through it.
// (Values and gradients against PyTorch: test/reference/head.test.ts.)
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model, Rng } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

const cfg = { cell: "lstm" as const, inputSize: 3, hiddenSize: 8, outputSize: 2, seed: 5,
  head: { hidden: [16, 4], activation: "tanh" as const } };

function seqs(seed: number, n: number, I: number) {
  const r = new Rng(seed), x: Float32Array[] = [];
  for (let i = 0; i < n; i++) x.push(Float32Array.from({ length: I * (2 + r.int(5)) }, () => r.normal()));
  return x;
}

describe("readout head", () => {
  it("slots named as nn.Sequential names them, the output layer last as readout.*; PyTorch's Linear init per layer", () => {
    const m = new Model(cfg);
    const shapes = Object.fromEntries(m.parameterSlots().map((s) => [s.name, s.shape]));
    expect(Object.keys(shapes).slice(4)).toEqual(["head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias",
      "readout.weight", "readout.bias"]);
    expect([shapes["head.0.weight"], shapes["head.2.weight"], shapes["readout.weight"]]).toEqual([[16, 8], [4, 16], [2,
      4]]);
    expect(m.config.head).toEqual({ hidden: [16, 4], activation: "tanh" });
    const sd = m.stateDict();
    for (const [k, fanIn] of [["head.0", 8], ["head.2", 16], ["readout", 4]] as const) {
      for (const t of [sd[`${k}.weight`], sd[`${k}.bias`]]) {
        const bound = 1 / Math.sqrt(fanIn);
        expect(Math.max(...t.map(Math.abs))).toBeLessThanOrEqual(bound);
        expect(Math.max(...t.map(Math.abs))).toBeGreaterThan(bound / 2); // spread over the range, not tiny
      }
    }
    // no head: the same weights as a model without the option
    const a = new Model({ ...cfg, head: undefined }), b = new Model({ ...cfg, head: { hidden: [] } });
    expect(a.save()).toEqual(b.save());
    expect(a.numParams).toBe(m.numParams - (16 * 8 + 16 + 4 * 16 + 4) - (2 * 4 + 2) + (2 * 8 + 2));
    for (const x of [m, a, b]) x.dispose();
  });

  it("save/load is bitwise (weights, config, predictions); a stream's outputs are predict()'s bits", () => {
    const m = new Model({ ...cfg, readout: "sequence" }), x = seqs(1, 4, 3);
    const m2 = Model.load(m.save());
    expect(m2.config.head).toEqual(cfg.head);
    expect(m2.save()).toEqual(m.save());
    const p = m.predict(x), p2 = m2.predict(x);
    expect(p2).toEqual(p);
    const s = m.stream({ batch: 1 });
    const steps = x[0].length / 3, outs: number[] = [];
    for (let t = 0; t < steps; t++) outs.push(...s.step(x[0].subarray(3 * t, 3 * t + 3)).output);
    expect(Float32Array.from(outs)).toEqual(p[0]);
    s.dispose();
    m.dispose();
    m2.dispose();
  });

  it("fit trains through the head (relu, crossentropy): the loss falls", async () => {
    const m = new Model({ cell: "gru", inputSize: 2, hiddenSize: 8, outputSize: 2, loss: "crossentropy", seed: 2,
      head: { hidden: [12] } });
    const x = seqs(3, 48, 2), y = Int32Array.from(x, (s) => (s[0] > 0 ? 1 : 0));
    const h = await m.fit({ x, y }, { epochs: 15, batchSize: 16, learningRate: 0.02 });
    expect(h.loss[h.loss.length - 1]).toBeLessThan(0.6 * h.loss[0]);
    m.dispose();
  });
});
