// Issue 14, fit: divergence with restoreBest keeps the best weights and the history, a signal
// cancels between batches, one training call at a time per model, options are checked.
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model, Adam, SGD, FitError } from "../../dist/index.js";
import { f32of, lcg } from "../helpers";

beforeAll(async () => {
  await init();
});

function setup(seed = 1) {
  const rnd = lcg(seed);
  const x = Array.from({ length: 24 }, (_, i) => f32of(2 * (3 + (i % 4)), rnd));
  const y = Float32Array.from(x, (s) => s[0] - 0.5 * s[1]);
  const m = new Model({ cell: "gru", inputSize: 2, hiddenSize: 6, outputSize: 1, seed });
  return { m, data: { x, y } };
}
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe("fit: divergence", () => {
  it("restoreBest restores the best weights and rejects with the epoch, batch and history", async () => {
    const { m, data } = setup();
    const snap: Float32Array[] = [];
    const err = await m.fit(data, {
      epochs: 6,
      batchSize: 8,
      validationSplit: 0.25,
      restoreBest: true,
      optimizer: new SGD({ learningRate: 0.05 }),
      // two good epochs, then a learning rate that makes the loss non-finite
      onEpochEnd: (e) => {
        snap[e] = m.parameters.flat();
        if (e === 2) m.optimizer!.learningRate = 1e30;
      },
    }).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(FitError);
    expect(err.message).toMatch(
      /^Model\.fit: the loss became (NaN|Infinity|-Infinity) at epoch (3|4), batch \d+; restored the weights of epoch [12] \(best validation loss\); lower the learning rate or set clipNorm$/,
    );
    expect(err.kind).toBe("nonFinite");
    expect(err.epoch).toBeGreaterThanOrEqual(3);
    expect(err.batch).toBeGreaterThanOrEqual(1);
    expect(err.history.epoch.length).toBe(err.epoch - 1);
    expect(err.history.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(bits(m.parameters.flat())).toEqual(bits(snap[err.history.bestEpoch]));
    expect(m.predict(data.x.slice(0, 3)) as Float32Array).toSatisfy((p: Float32Array) => p.every(Number.isFinite));
    m.dispose();
  });
  it("without restoreBest it still rejects with the history (weights as the failing step left them)", async () => {
    const { m, data } = setup();
    const err = await m.fit(data, { epochs: 4, batchSize: 8, optimizer: new SGD({ learningRate: 1e30 }) }).then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(FitError);
    expect(err.message).toMatch(
      /^Model\.fit: the loss became \S+ at epoch \d+, batch \d+; lower the learning rate or set clipNorm$/,
    );
    expect(Array.isArray(err.history.loss)).toBe(true);
    m.dispose();
  });
  it("restoreBest needs validation data", async () => {
    const { m, data } = setup();
    const before = bits(m.parameters.flat());
    await expect(m.fit(data, { restoreBest: true })).rejects.toThrow(
      "Model.fit: restoreBest needs validationData or validationSplit (it keeps the weights of the epoch with the lowest validation loss)",
    );
    expect(bits(m.parameters.flat())).toEqual(before);
    m.dispose();
  });
  it("a callback that throws: best weights restored, its error passed on, the model free again", async () => {
    const { m, data } = setup();
    const snap: Float32Array[] = [];
    const boom = new Error("boom");
    let best = 0;
    const err = await m.fit(data, { epochs: 5, batchSize: 8, validationSplit: 0.25, restoreBest: true,
      onEpochEnd: (e) => {
        snap[e] = m.parameters.flat();
        if (e === 3) throw boom;
      } }).then(() => null, (e) => e);
    expect(err).toBe(boom);
    best = m.parameters.flat().length;
    expect(best).toBe(m.numParams);
    const match = snap.findIndex((s, e) => e >= 1 && s && bits(s).join() === bits(m.parameters.flat()).join());
    expect(match).toBeGreaterThanOrEqual(1);
    await m.fit(data, { epochs: 1 });
    m.dispose();
  });
});

describe("fit: cancel with an AbortSignal", () => {
  it("aborts between batches, restores the best weights, rejects with the history; the model trains again", async () => {
    const { m, data } = setup();
    const ac = new AbortController();
    const snap: Float32Array[] = [];
    let batches = 0;
    const err = await m.fit(data, { epochs: 10, batchSize: 6, validationSplit: 0.25, restoreBest: true,
      signal: ac.signal,
      onEpochEnd: (e) => {
        snap[e] = m.parameters.flat();
      },
      onBatchEnd: (b) => {
        batches++;
        if (batches === 5) ac.abort();
      } }).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(FitError);
    expect(err.kind).toBe("aborted");
    expect(err.name).toBe("AbortError");
    expect(err.message).toBe(
      "Model.fit: aborted at epoch 2, batch 3 (before it ran); restored the weights of epoch 1 (best validation loss)",
    );
    expect(err.history.epoch).toEqual([1]);
    expect(batches).toBe(5);
    expect(bits(m.parameters.flat())).toEqual(bits(snap[1]));
    const h = await m.fit(data, { epochs: 1 });
    expect(h.epoch).toEqual([1]);
    m.dispose();
  });
  it("without restoreBest the weights are those after the last finished batch", async () => {
    const { m, data } = setup();
    const ac = new AbortController();
    let after: Float32Array | null = null;
    const err = await m.fit(data, { epochs: 3, batchSize: 8, signal: ac.signal,
      onBatchEnd: (b) => {
        if (b === 1) {
          after = m.parameters.flat();
          ac.abort(new Error("user"));
        }
      } }).then(() => null, (e) => e);
    expect(err.kind).toBe("aborted");
    expect(err.cause).toEqual(new Error("user"));
    expect(bits(m.parameters.flat())).toEqual(bits(after!));
    m.dispose();
  });
  it("an already aborted signal rejects before anything changes", async () => {
    const { m, data } = setup();
    const before = bits(m.parameters.flat());
    await expect(m.fit(data, { signal: AbortSignal.abort() })).rejects.toThrow(
      "Model.fit: aborted at epoch 1, batch 1 (before it ran)",
    );
    expect(bits(m.parameters.flat())).toEqual(before);
    expect(m.optimizer).toBe(null);
    m.dispose();
  });
  it("arguments are checked before the signal (found by fuzzing: an aborted signal hid a bad optimizer)", async () => {
    const { m, data } = setup();
    await expect(m.fit(data, { optimizer: "rmsprop" as any, signal: AbortSignal.abort() })).rejects.toThrow(
      'Model.fit: optimizer must be "adam", "adamw", "sgd" or an optimizer instance, got "rmsprop"',
    );
    m.dispose();
  });
  it("signal must be an AbortSignal", async () => {
    const { m, data } = setup();
    await expect(m.fit(data, { signal: {} as any })).rejects.toThrow(
      "Model.fit: signal must be an AbortSignal, got Object",
    );
    m.dispose();
  });
});

describe("one training call at a time per model", () => {
  it("a second fit or a trainBatch during a fit is an error; the first fit is undisturbed", async () => {
    const { m, data } = setup();
    const { m: twin } = setup();
    const p = m.fit(data, { epochs: 3, batchSize: 8, seed: 3 });
    await expect(m.fit(data, { epochs: 1 })).rejects.toThrow(
      "Model.fit: this model is already being trained by a fit() that has not finished; await it (or cancel it with its signal) first",
    );
    expect(() => m.trainBatch(data, new Adam())).toThrow(
      "Model.trainBatch: this model is already being trained by a fit() that has not finished",
    );
    const h = await p;
    // the same training, alone, on a twin gives the same weights
    const h2 = await twin.fit(data, { epochs: 3, batchSize: 8, seed: 3 });
    expect(h.loss).toEqual(h2.loss);
    expect(bits(m.parameters.flat())).toEqual(bits(twin.parameters.flat()));
    // free again after the fit, and after a fit that failed
    m.trainBatch(data, new Adam());
    await expect(m.fit(data, { epochs: 1, signal: AbortSignal.abort() })).rejects.toThrow(FitError);
    await m.fit(data, { epochs: 1 });
    m.dispose();
    twin.dispose();
  });
  it("dispose() during a fit makes the fit reject naming Model.fit, and frees the model for nothing else", async () => {
    for (const when of ["onBatchEnd", "onEpochEnd"] as const) {
      const { m, data } = setup();
      const p = m.fit(data, { epochs: 3, batchSize: 8, [when]: () => m.dispose() });
      await expect(p).rejects.toThrow("Model.fit: the module was disposed (its memory is freed); create a new one");
    }
    const { m, data } = setup();
    m.dispose();
    expect(() => m.computeGradients(data)).toThrow("Model.computeGradients: the module was disposed");
  });
  it("two models train concurrently", async () => {
    const a = setup(1), b = setup(2);
    const [ha, hb] = await Promise.all([a.m.fit(a.data, { epochs: 2 }), b.m.fit(b.data, { epochs: 2 })]);
    expect(ha.epoch).toEqual([1, 2]);
    expect(hb.epoch).toEqual([1, 2]);
    a.m.dispose();
    b.m.dispose();
  });
});
