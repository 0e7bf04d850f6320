// fit's metrics in the history, the epoch logs and evaluate(), against values computed by hand from
// predict() on tiny cases: MAE and RMSE (mse models), accuracy (crossentropy models), training and
// validation. A learning rate of 1e-30 moves no float32 weight, so every batch of the epoch and the
// validation pass see the weights predict() saw.
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model, Rng } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

function seqs(seed: number, n: number, I: number) {
  const r = new Rng(seed), x: Float32Array[] = [];
  for (let i = 0; i < n; i++) x.push(Float32Array.from({ length: I * (2 + r.int(4)) }, () => r.normal()));
  return x;
}

describe("metrics", () => {
  it("mse, readout sequence: rmse and mae over every output of every step within the lengths", async () => {
    const m = new Model({ cell: "gru", inputSize: 2, hiddenSize: 5, outputSize: 2, readout: "sequence", seed: 3 });
    const x = seqs(1, 6, 2), r = new Rng(9);
    const y = x.map((s) => Float32Array.from({ length: s.length }, () => r.normal()));
    const p = m.predict(x);
    let sq = 0, abs = 0, n = 0;
    for (let i = 0; i < x.length; i++) {
      for (let k = 0; k < y[i].length; k++) {
        const e = p[i][k] - y[i][k];
        sq += e * e;
        abs += Math.abs(e);
        n++;
      }
    }
    const rmse = Math.sqrt(sq / n), mae = abs / n;
    const seen: Record<string, number | undefined>[] = [];
    const h = await m.fit({ x, y }, { epochs: 2, batchSize: 4, learningRate: 1e-30, shuffle: false,
      validationData: { x, y }, onEpochEnd: (_e, l) => void seen.push({ ...l }) });
    for (const k of ["rmse", "valRmse"] as const) for (const v of h[k]) expect(v).toBeCloseTo(rmse, 5);
    for (const k of ["mae", "valMae"] as const) for (const v of h[k]) expect(v).toBeCloseTo(mae, 5);
    expect(h.train).toEqual(h.rmse);
    expect(h.val).toEqual(h.valRmse);
    expect(h.accuracy).toEqual([]);
    expect(h.valAccuracy).toEqual([]);
    expect(seen.map((l) => [l.rmse, l.mae, l.valRmse, l.valMae])).toEqual(
      h.epoch.map((_, e) => [h.rmse[e], h.mae[e], h.valRmse[e], h.valMae[e]]),
    );
    const ev = m.evaluate({ x, y }, { batchSize: 5 });
    expect(ev.mae).toBeCloseTo(mae, 5);
    expect(ev.rmse).toBeCloseTo(rmse, 5);
    m.dispose();
  });

  it("mse, readout last: the same over the sequences' outputs; no validation leaves the val arrays empty", async () => {
    const m = new Model({ cell: "lstm", inputSize: 3, hiddenSize: 4, outputSize: 3, seed: 5 });
    const x = seqs(2, 5, 3), y = Float32Array.from({ length: 15 }, (_, i) => Math.sin(i));
    const p = m.predict(x);
    let sq = 0, abs = 0;
    for (let i = 0; i < 15; i++) {
      sq += (p[i] - y[i]) ** 2;
      abs += Math.abs(p[i] - y[i]);
    }
    const h = await m.fit({ x, y }, { epochs: 1, batchSize: 2, learningRate: 1e-30 });
    expect(h.rmse[0]).toBeCloseTo(Math.sqrt(sq / 15), 5);
    expect(h.mae[0]).toBeCloseTo(abs / 15, 5);
    expect([h.valRmse, h.valMae, h.valLoss, h.val]).toEqual([[], [], [], []]);
    m.dispose();
  });

  it("crossentropy: accuracy and validation accuracy, the share of rows whose largest logit is the target", async () => {
    const m = new Model({ cell: "rnn", inputSize: 2, hiddenSize: 6, outputSize: 3, loss: "crossentropy",
      readout: "sequence", seed: 7 });
    const x = seqs(4, 7, 2), p = m.predict(x);
    // targets: the argmax at even steps (correct), the next class at odd steps (wrong)
    let correct = 0, n = 0;
    const y = p.map((pi) => {
      const t = new Int32Array(pi.length / 3);
      for (let k = 0; k < t.length; k++) {
        let a = 0;
        for (let j = 1; j < 3; j++) if (pi[3 * k + j] > pi[3 * k + a]) a = j;
        t[k] = k % 2 === 0 ? a : (a + 1) % 3;
        correct += k % 2 === 0 ? 1 : 0;
        n++;
      }
      return t;
    });
    const h = await m.fit({ x, y }, { epochs: 2, batchSize: 3, learningRate: 1e-30, validationData: { x, y } });
    expect(h.metric).toBe("accuracy");
    expect(h.accuracy).toEqual([correct / n, correct / n]);
    expect(h.valAccuracy).toEqual([correct / n, correct / n]);
    expect(h.train).toEqual(h.accuracy);
    expect([h.rmse, h.mae, h.valRmse, h.valMae]).toEqual([[], [], [], []]);
    expect(m.evaluate({ x, y }).accuracy).toBe(correct / n);
    m.dispose();
  });
});
