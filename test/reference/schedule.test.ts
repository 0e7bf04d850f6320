// Learning-rate schedules against torch.optim.lr_scheduler (test/fixtures/schedules.json, made by
// scripts/make-fixtures.py --only schedules): the rate of each of 40 steps of StepLR, ExponentialLR,
// CosineAnnealingLR and LinearLR warm-up + cosine (SequentialLR), and ReduceLROnPlateau on a given
// sequence of validation losses; fit applies them per batch and reports each batch's rate.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model, Rng } from "../../dist/index.js";
import { checkSchedule } from "../../bindings/train/schedule.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/schedules.json", import.meta.url), "utf8"));
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.abs(b);
beforeAll(async () => {
  await init();
});

describe(`schedules vs torch ${fx.torch} (relative 1e-12: closed forms against torch's recursive updates)`, () => {
  for (const name of ["step", "exponential", "cosine", "cosine_warmup"]) {
    it(`${name}: the rate of each of 40 steps`, () => {
      const run = checkSchedule("test", fx[name].options, 40, false)(fx.lr0);
      fx[name].rates.forEach((r: number, t: number) =>
        expect(close(run.rate(t), r), `step ${t}: ${run.rate(t)} vs ${r}`).toBe(true)
      );
    });
  }
  it("plateau: the rate of each epoch as the validation loss goes", () => {
    const run = checkSchedule("test", fx.plateau.options, 40, true)(fx.lr0);
    fx.plateau.losses.forEach((v: number, e: number) => {
      expect(run.rate(0), `epoch ${e}`).toBeCloseTo(fx.plateau.rates[e], 15);
      run.epochEnd(v);
    });
  });
});

describe("fit with a schedule", () => {
  const data = () => {
    const r = new Rng(3), x: Float32Array[] = [], y: number[] = [];
    for (let i = 0; i < 40; i++) {
      const a = Float32Array.from({ length: 2 * (2 + r.int(4)) }, () => r.normal());
      x.push(a);
      y.push(a[0]);
    }
    return { x, y: Float32Array.from(y) };
  };
  const cfg = { cell: "gru" as const, inputSize: 2, hiddenSize: 5, outputSize: 1, seed: 2 };

  it("each batch trains with the schedule's rate (8 epochs × 5 batches = torch's 40 steps), reported in its logs", async () => {
    for (const name of ["step", "cosine_warmup"]) {
      const m = new Model(cfg), rates: number[] = [];
      const h = await m.fit(data(), { epochs: 8, batchSize: 8, optimizer: "sgd", learningRate: fx.lr0,
        schedule: fx[name].options, onBatchEnd: (_, l) => {
          rates.push(l.learningRate!);
        } });
      expect(rates).toHaveLength(40);
      rates.forEach((r, t) => expect(close(r, fx[name].rates[t]), `${name} step ${t}`).toBe(true));
      expect(h.loss).toHaveLength(8);
      // the same rates set by hand, batch by batch, train the same weights
      const ref = new Model(cfg);
      const { SGD } = await import("../../dist/index.js");
      const opt = new SGD({ learningRate: fx[name].rates[0] });
      let t = 0;
      await ref.fit(data(), { epochs: 8, batchSize: 8, optimizer: opt, onBatchEnd: () => {
        t++;
        if (t < 40) opt.learningRate = fx[name].rates[t];
      } });
      expect(Array.from(ref.save())).toEqual(Array.from(m.save()));
      m.dispose();
      ref.dispose();
    }
  });

  it("bad schedules are refused before training, naming the field", async () => {
    const m = new Model(cfg), before = m.save();
    await expect(m.fit(data(), { schedule: { type: "linear" } as any })).rejects.toThrow(
      'Model.fit: schedule.type must be one of "constant", "step", "exponential", "cosine", "plateau", got "linear"',
    );
    await expect(m.fit(data(), { schedule: { type: "step" } as any })).rejects.toThrow(
      "Model.fit: schedule.stepSize is required",
    );
    await expect(m.fit(data(), { schedule: { type: "exponential", gamma: 0 } })).rejects.toThrow(RangeError);
    await expect(m.fit(data(), { schedule: { type: "cosine", warmupSteps: 50, totalSteps: 40 } })).rejects.toThrow(
      /schedule\.warmupSteps must be an integer in 0\.\.39/,
    );
    await expect(m.fit(data(), { schedule: { type: "plateau" } })).rejects.toThrow(
      'Model.fit: schedule "plateau" needs validationData or validationSplit',
    );
    await expect(m.fit(data(), { schedule: { type: "step", stepSize: 2, gama: 0.5 } as any })).rejects.toThrow(
      /unknown option "schedule\.gama" \(did you mean "schedule\.gamma"\?\)/,
    );
    expect(Array.from(m.save())).toEqual(Array.from(before));
    m.dispose();
  });
});
