// Simulator (bindings/sysid/): free-run simulation of a two-tank system the test simulates itself
// (test/helpers/two-tanks.ts), with both ways of setting the state from the window; save/load bit
// for bit with the normalization; bad records rejected with the argument named, and a fit that
// fails leaving the weights and normalization as they were. (Gradients: test/reference/simulator.test.ts.)
import { beforeAll, describe, expect, it } from "vitest";
import { init, safetensors, Simulator } from "../../dist/index.js";
import { lcg } from "../helpers/index.js";
import { twoTanks } from "../helpers/two-tanks.js";

beforeAll(async () => {
  await init();
});

const train = twoTanks(1000, 1), test = twoTanks(500, 2);

/** Free-run RMSE of a simulator on the test record from step window on, and the trivial
 *  predictor's (the training record's mean output). */
function errors(sim: Simulator): { rmse: number; trivial: number } {
  const n = sim.config.window, p = sim.simulate(test.u, { y: test.y.slice(0, n) });
  expect(p.length).toBe(test.u.length - n);
  const mean = train.y.reduce((a, v) => a + v, 0) / train.y.length;
  let sq = 0, sq0 = 0;
  for (let i = 0; i < p.length; i++) {
    sq += (p[i] - test.y[n + i]) ** 2;
    sq0 += (mean - test.y[n + i]) ** 2;
  }
  return { rmse: Math.sqrt(sq / p.length), trivial: Math.sqrt(sq0 / p.length) };
}

describe("Simulator on a two-tank system", () => {
  for (const mode of ["encoder", "burnin"] as const) {
    it(`init "${mode}": the free-run error after a short fit is under half the trivial predictor's`, async () => {
      const sim = new Simulator({ inputs: 1, outputs: 1, hiddenSize: 16, window: 5, init: mode, seed: 1 });
      const before = errors(sim);
      const h = await sim.fit(train, { steps: 40, epochs: 25, learningRate: 5e-3 });
      const after = errors(sim);
      expect(h.epochs).toBe(25);
      expect(h.validationRmse.length).toBe(25);
      expect(h.validationRmse[h.bestEpoch - 1]).toBe(Math.min(...h.validationRmse));
      expect(h.loss[h.loss.length - 1]).toBeLessThan(h.loss[0]);
      expect(after.rmse).toBeLessThan(0.5 * after.trivial);
      expect(after.rmse).toBeLessThan(before.rmse);
      // the normalization is the training part's (validation cut off): the mean of its first 800 rows
      const m = train.y.subarray(0, 800).reduce((a, v) => a + v, 0) / 800;
      expect(sim.normalization.yMean[0]).toBeCloseTo(m, 4);
      sim.dispose();
    }, 60_000);
  }

  it("save/load: one file (encoder, normalization, settings) that simulates bit for bit", async () => {
    const sim = new Simulator({ inputs: 1, outputs: 1, cell: "lstm", hiddenSize: 8, window: 5, seed: 3 });
    await sim.fit(train, { steps: 30, epochs: 2 });
    const bytes = sim.save({ note: "two tanks" });
    const { tensors, metadata } = safetensors.read(bytes);
    expect(Object.keys(tensors)).toEqual(
      expect.arrayContaining(["simulator.rnn.weight_ih_l0", "simulator.readout.weight", "encoder.weight_ih_l0",
        "encoder.bias_hh_l0", "normalization.u_mean", "normalization.u_std", "normalization.y_mean",
        "normalization.y_std"]),
    );
    expect(metadata.note).toBe("two tanks");
    const back = Simulator.load(bytes);
    expect(back.config).toEqual(sim.config);
    expect(back.metadata).toEqual({ note: "two tanks" });
    for (const k of ["uMean", "uStd", "yMean", "yStd"] as const) {
      expect(Array.from(back.normalization[k])).toEqual(Array.from(sim.normalization[k]));
    }
    expect(sim.normalization.yStd[0]).not.toBe(1);
    const a = sim.simulate(test.u, { y: test.y }), b = back.simulate(test.u, { y: test.y });
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    // a loaded simulator keeps its normalization when fitted again
    const z = back.normalization.yMean.slice();
    await back.fit(twoTanks(400, 9), { steps: 30, epochs: 1 });
    expect(Array.from(back.normalization.yMean)).toEqual(Array.from(z));
    sim.dispose();
    back.dispose();
  }, 60_000);

  it("bad records: errors name the argument; nothing changes", async () => {
    const sim = new Simulator({ inputs: 2, outputs: 1, hiddenSize: 4, window: 5, seed: 1 });
    const sd = sim.stateDict(), N = 200;
    const u = new Float32Array(2 * N).fill(1), y = new Float32Array(N).fill(1);
    const nan = u.slice();
    nan[7] = NaN;
    const inf = y.slice();
    inf[3] = Infinity;
    await expect(sim.fit({ u: nan, y }, { steps: 20 })).rejects.toThrow(/train\.u\[7\] is NaN/);
    await expect(sim.fit({ u, y: inf }, { steps: 20 })).rejects.toThrow(/train\.y\[3\] is Infinity/);
    await expect(sim.fit({ u, y: y.subarray(1) }, { steps: 20 })).rejects.toThrow(
      /train\.y has 199 elements.*mismatched/,
    );
    await expect(sim.fit({ u: u.subarray(1), y }, { steps: 20 })).rejects.toThrow(/train\.u .*inputs=2.*channel count/);
    await expect(sim.fit([{ u, y }, { u, y: y.subarray(2) }], { steps: 20 })).rejects.toThrow(/train\[1\]\.y/);
    await expect(sim.fit({ u, y }, { steps: 300 })).rejects.toThrow(/train has 200 samples; window 5 \+ steps 300/);
    await expect(sim.fit({ u, y }, { validation: { u: u.subarray(0, 8), y: y.subarray(0, 4) } })).rejects.toThrow(
      /options\.validation has 4 samples/,
    );
    expect(() => sim.simulate(u.subarray(0, 10), { y })).toThrow(/u has 5 samples but the window is 5/);
    expect(() => sim.simulate(u)).toThrow(/options\.y must be a Float32Array/);
    expect(() => sim.simulate(u, { y: y.subarray(0, 7) })).toThrow(/options\.y has 7 elements/);
    const ynan = y.slice(0, 5);
    ynan[2] = NaN;
    expect(() => sim.simulate(u, { y: ynan })).toThrow(/options\.y \(its window\)\[2\] is NaN/);
    expect(() => new Simulator({ inputs: 1, outputs: 1, window: 2, init: "guess" as "burnin" })).toThrow(
      /init must be one of/,
    );
    expect(() => new Simulator({ inputs: 1, outputs: 1, cell: "gru", nonlinearity: "linear" })).toThrow(
      /nonlinearity applies to cell "rnn" only/,
    );
    expect(sim.stateDict()).toEqual(sd);
    expect(Array.from(sim.normalization.uStd)).toEqual([1, 1]);
    sim.dispose();
  });

  it("a linear output-error model (cell rnn, nonlinearity linear) fits a first-order linear system and round-trips",
    async () => {
      // y_t = x_t, x_t = 0.9 x_{t−1} + 0.3 u_t; u: random levels held for 10 samples
      const N = 600, u = new Float32Array(N), y = new Float32Array(N), rnd = lcg(7);
      for (let t = 0, x = 0, level = 0; t < N; t++) {
        if (t % 10 === 0) level = 2 * rnd();
        u[t] = level;
        x = 0.9 * x + 0.3 * u[t];
        y[t] = x;
      }
      const oe = new Simulator({ inputs: 1, outputs: 1, cell: "rnn", nonlinearity: "linear", hiddenSize: 2, window: 5,
        seed: 4 });
      const h = await oe.fit({ u, y }, { steps: 40, stride: 2, batchSize: 8, epochs: 30, learningRate: 1e-2 });
      const rms = Math.sqrt(y.reduce((a, v) => a + v * v, 0) / N);
      expect(Math.min(...h.validationRmse)).toBeLessThan(0.02 * rms);
      const back = Simulator.load(oe.save());
      expect(back.config.nonlinearity).toBe("linear");
      expect(Array.from(back.simulate(u, { y }))).toEqual(Array.from(oe.simulate(u, { y })));
      oe.dispose();
      back.dispose();
    }, 60_000);

  it("a fit that fails mid-way (a callback throws at epoch 2) leaves weights and normalization as before", async () => {
    const sim = new Simulator({ inputs: 1, outputs: 1, hiddenSize: 4, window: 5, seed: 2 });
    const sd = sim.stateDict();
    await expect(sim.fit(train, { steps: 20, epochs: 5, onEpochEnd: (e) => {
      if (e === 2) throw new Error("stop here");
    } })).rejects.toThrow("stop here");
    expect(sim.stateDict()).toEqual(sd);
    expect(Array.from(sim.normalization.yMean)).toEqual([0]);
    expect(Array.from(sim.normalization.yStd)).toEqual([1]);
    const bytes = sim.save();
    expect(Array.from(safetensors.read(bytes).tensors["normalization.y_std"].data)).toEqual([1]);
    // a second fit while one runs is refused; the first finishes
    const first = sim.fit(train, { steps: 20, epochs: 1 });
    await expect(sim.fit(train, { steps: 20, epochs: 1 })).rejects.toThrow(/already being trained/);
    expect((await first).epochs).toBe(1);
    sim.dispose();
  });
});
