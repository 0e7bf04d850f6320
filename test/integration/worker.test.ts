// WorkerModel (recurrent-wasm/worker): a Model in a dedicated Worker (worker_threads here; the
// browser test runs it in Chromium). Same results as a Model in this thread, bit for bit; progress
// events; typed arrays copied (or moved with transfer: true); abort, also of a queued fit; arguments
// checked before anything is posted; callbacks that throw; trainers that crash or run out of
// memory; errors with their classes; threads nested in the Worker.
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model, Rng, FitError } from "../../dist/index.js";
import { WorkerModel } from "../../dist/worker.js";

function data(seed = 4, n = 40) {
  const r = new Rng(seed), x: Float32Array[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const T = 3 + r.int(5), a = Float32Array.from({ length: T * 2 }, () => r.normal());
    x.push(a);
    y.push(a[0] * 0.5 - a[1]);
  }
  return { x, y: Float32Array.from(y) };
}
const cfg = { cell: "gru" as const, inputSize: 2, hiddenSize: 8, outputSize: 1, seed: 3 };
const opts = { epochs: 3, batchSize: 8, learningRate: 0.01, seed: 1, validationSplit: 0.25 };
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

beforeAll(async () => {
  await init();
});

describe("WorkerModel", () => {
  it("trains, predicts, evaluates, saves and loads in a Worker bit for bit like a Model here; progress events arrive; the caller's arrays are copied unless transfer: true", async () => {
    const m = new Model(cfg);
    const h1 = await m.fit(data(), opts);
    const p1 = m.predict(data().x) as Float32Array, e1 = m.evaluate(data());
    const w = await WorkerModel.create(cfg);
    expect(w.info.threads).toBe(1);
    expect(w.config.cell).toBe("gru");
    const epochs: number[] = [], batches: number[] = [], d = data();
    const h2 = await w.fit(d, { ...opts, transfer: true, onEpochEnd: (i, logs) => {
      epochs.push(i);
      expect(Number.isFinite(logs.loss)).toBe(true);
    }, onBatchEnd: (i) => batches.push(i) });
    expect(h2.loss).toEqual(h1.loss);
    expect(h2.valLoss).toEqual(h1.valLoss);
    for (const k of ["rmse", "mae", "valRmse", "valMae"] as const) expect(h2[k]).toEqual(h1[k]);
    expect(epochs.length).toBe(3);
    expect(epochs).toEqual([0, 1, 2].map((k) => epochs[0] + k)); // in order, one per epoch
    expect(batches.length).toBe(3 * 4); // 30 training sequences in batches of 8
    // transfer: true moved the caller's arrays (detached); by default they are copied
    expect(d.x[0].length).toBe(0);
    expect(d.y.length).toBe(0);
    const kept = data();
    const p2 = await w.predict(kept.x) as Float32Array;
    expect(kept.x[0].length).toBeGreaterThan(0);
    expect(bits(p2)).toEqual(bits(p1));
    expect(await w.evaluate(data())).toEqual(e1);
    const bytes = await w.save({ note: "worker" });
    const w2 = await WorkerModel.load(bytes);
    expect(bits(await w2.predict(data().x) as Float32Array)).toEqual(bits(p1));
    expect(Array.from(bytes)).toEqual(Array.from(m.save({ note: "worker" })));
    await w.dispose();
    await w2.dispose();
    m.dispose();
  });

  it("dropout: a fresh model in the Worker draws the masks a fresh Model here draws (the same training, bitwise)", async () => {
    const dc = { ...cfg, numLayers: 2, dropout: 0.5, inputDropout: 0.2, readoutDropout: 0.1 };
    const m = new Model(dc), w = await WorkerModel.create(dc);
    const [h1, h2] = [await m.fit(data(), opts), await w.fit(data(), opts)];
    expect(h2.loss).toEqual(h1.loss);
    expect(h2.valLoss).toEqual(h1.valLoss);
    const back = Model.load(await w.save()), sd = back.stateDict();
    for (const [k, v] of Object.entries(m.stateDict())) expect(bits(sd[k]), k).toEqual(bits(v));
    back.dispose();
    m.dispose();
    await w.dispose();
  });

  it('an AbortSignal stops fit between batches (FitError kind "aborted"), and the model stays usable', async () => {
    const w = await WorkerModel.create(cfg);
    const ac = new AbortController();
    const started = Date.now();
    const run = w.fit(data(5, 400), { epochs: 200, batchSize: 4, signal: ac.signal, onBatchEnd: (i) => {
      if (i === 3) ac.abort();
    } });
    const err = await run.then(() => null, (e) => e);
    expect(err).toBeInstanceOf(FitError);
    expect(err.kind).toBe("aborted");
    expect(err.name).toBe("AbortError");
    expect(err.epoch).toBeLessThan(200);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(Number.isFinite((await w.evaluate(data())).loss)).toBe(true);
    const gone = new AbortController();
    gone.abort();
    await expect(w.fit(data(), { signal: gone.signal })).rejects.toThrow("WorkerModel.fit: aborted before it started");
    await w.dispose();
  });

  it("errors keep their class and message; after dispose every call rejects", async () => {
    await expect(WorkerModel.create({ ...cfg, cell: "foo" as any })).rejects.toThrow(
      new TypeError('Model: cell must be one of "rnn", "lstm", "gru", "odegru", got "foo"'),
    );
    await expect(WorkerModel.create(cfg, null as any)).rejects.toThrow(
      "WorkerModel.create: options must be an object, got null",
    );
    await expect(WorkerModel.load("nope" as any)).rejects.toThrow(
      "WorkerModel.load: bytes must be a Uint8Array (what save() returns), got string",
    );
    const w = await WorkerModel.create(cfg);
    await expect(w.fit(data(), { optimizer: {} as any })).rejects.toThrow(TypeError);
    await expect(w.fit(data(), { epochs: 0 })).rejects.toThrow(RangeError);
    await expect(w.predict([new Float32Array(3)])).rejects.toThrow(RangeError); // 3 floats is not a multiple of inputSize 2
    expect((await w.fit(data(), { epochs: 1 })).loss.length).toBe(1); // still usable
    await w.dispose();
    await expect(w.predict(data().x)).rejects.toThrow("WorkerModel.predict: the model was disposed");
  });

  it("generate in the Worker gives the tokens Model.generate gives here, from the same seed", async () => {
    const V = 7,
      gcfg = { cell: "gru" as const, inputSize: V + 1, hiddenSize: 10, outputSize: V, readout: "sequence" as const,
        loss: "crossentropy" as const, seed: 4 };
    const m = new Model(gcfg), w = await WorkerModel.create(gcfg);
    const opts = { prime: [V], length: 60, temperature: 0.9, topK: 5, seed: 11 };
    const here = m.generate(opts), there = await w.generate(opts);
    expect(there).toBeInstanceOf(Int32Array);
    expect(Array.from(there)).toEqual(Array.from(here));
    await expect(w.generate({ ...opts, temperature: -1 })).rejects.toThrow(RangeError);
    m.dispose();
    await w.dispose();
  });

  it("a token model (vocabSize): Int32Array ids pass through; fit, predict, evaluate and generate as here, bit for bit", async () => {
    const V = 9,
      tcfg = { cell: "lstm" as const, vocabSize: V, embeddingSize: 4, hiddenSize: 6, outputSize: V,
        readout: "sequence" as const, loss: "crossentropy" as const, seed: 2 };
    const r = new Rng(5),
      x = Array.from({ length: 12 }, () => Int32Array.from({ length: 2 + r.int(6) }, () => r.int(V)));
    const d = { x, y: x.map((s) => Int32Array.from(s, (_, t) => s[(t + 1) % s.length])) };
    const m = new Model(tcfg), w = await WorkerModel.create(tcfg);
    const o = { epochs: 2, batchSize: 4, seed: 1 };
    expect((await w.fit(d, o)).loss).toEqual((await m.fit(d, o)).loss);
    const [p1, p2] = [m.predict(x), await w.predict(x)];
    p1.forEach((p, i) => expect(bits(p2[i])).toEqual(bits(p)));
    expect((await w.evaluate(d)).loss).toBe(m.evaluate(d).loss);
    const g = { prime: [1, 2], length: 10, seed: 3 };
    expect(Array.from(await w.generate(g))).toEqual(Array.from(m.generate(g)));
    await expect(w.predict([new Float32Array(2)] as any)).rejects.toThrow(TypeError);
    m.dispose();
    await w.dispose();
  });

  it("a trainer that ends by itself fails the waiting call instead of leaving it pending", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "rw-worker-"));
    writeFileSync(join(dir, "exits.mjs"), "process.exit(3);\n");
    await expect(WorkerModel.create(cfg, { url: join(dir, "exits.mjs") })).rejects.toThrow(
      /WorkerModel\.create: the trainer exited \(code 3\)/,
    );
  });

  it("threads inside the Worker (nested workers): 2 threads, the same training as 1 up to summation order", async () => {
    const one = await WorkerModel.create(cfg), two = await WorkerModel.create(cfg, { threads: 2 });
    expect(two.info.threads).toBe(2);
    expect(one.info.threads).toBe(1);
    const [h1, h2] = await Promise.all([one.fit(data(), opts), two.fit(data(), opts)]);
    // the batch is split across the threads and the gradient parts summed: as test/integration/threads.test.ts
    h2.loss.forEach((v, i) => expect(Math.abs(v - h1.loss[i])).toBeLessThan(1e-5 * Math.abs(h1.loss[i])));
    const p1 = await one.predict(data().x) as Float32Array, p2 = await two.predict(data().x) as Float32Array;
    p2.forEach((v, i) => expect(Math.abs(v - p1[i])).toBeLessThan(1e-5 + 1e-5 * Math.abs(p1[i])));
    await one.dispose();
    await two.dispose();
  });

  it("a progress callback that throws (or rejects) ends its fit with that error; the trainer stays usable", async () => {
    const w = await WorkerModel.create(cfg);
    const boom = new Error("stop here");
    await expect(w.fit(data(), { epochs: 50, onEpochEnd: (e) => {
      if (e === 2) throw boom;
    } })).rejects.toBe(boom);
    await expect(w.fit(data(), { epochs: 50, onBatchEnd: async () => {
      throw new RangeError("async stop");
    } })).rejects.toThrow("async stop");
    // the trainer stopped those fits: what comes next runs at once, and it trains
    const started = Date.now();
    expect(Number.isFinite((await w.evaluate(data())).loss)).toBe(true);
    expect((await w.fit(data(), { epochs: 2 })).loss.length).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
    await w.dispose();
  });

  it("calls on arrays a transfer emptied settle at once with an error that names the array; copied arrays can be used again", async () => {
    const w = await WorkerModel.create(cfg);
    const d = data();
    await w.fit(d, { epochs: 1 });
    expect((await w.fit(d, { epochs: 1 })).loss.length).toBe(1); // copied: the same arrays again
    await w.fit(d, { epochs: 1, transfer: true });
    expect(d.x[0].length).toBe(0);
    await expect(w.fit(d, { epochs: 1 })).rejects.toThrow(
      /^WorkerModel\.fit: data\.x\[0\] has 0 elements, not a positive multiple of inputSize=2 \(its buffer is empty: was it transferred to a Worker\?\)$/,
    );
    await expect(w.evaluate(d, { transfer: true })).rejects.toThrow(
      /WorkerModel\.evaluate: data\.x\[0\] has 0 elements/,
    );
    await expect(w.predict(d.x)).rejects.toThrow(/WorkerModel\.predict: data\.x\[0\] has 0 elements/);
    await expect(w.gradientFlow(d)).rejects.toThrow(/WorkerModel\.gradientFlow: data\.x\[0\] has 0 elements/);
    await w.dispose();
  });

  it("arguments are checked in the caller before anything moves: a failing call transfers nothing, and bad arguments beat an aborted signal", async () => {
    const w = await WorkerModel.create(cfg);
    const d = data(), gone = new AbortController();
    gone.abort();
    await expect(w.fit(d, { epochs: -5, transfer: true })).rejects.toThrow(
      new RangeError("WorkerModel.fit: epochs must be an integer >= 1, got -5"),
    );
    await expect(w.fit(d, { epochs: -5, transfer: true, signal: gone.signal })).rejects.toThrow(RangeError);
    await expect(w.fit(d, { epohcs: 3, transfer: true } as any)).rejects.toThrow(
      /WorkerModel\.fit: unknown option "epohcs" \(did you mean "epochs"\?\)/,
    );
    await expect(w.fit(d, { transfer: "yes" as any })).rejects.toThrow(TypeError);
    await expect(w.fit({ x: d.x, y: new Float32Array(3) }, { transfer: true })).rejects.toThrow(
      /WorkerModel\.fit: data\.y must have 40 elements/,
    );
    await expect(w.evaluate(d, { batchSize: 0, transfer: true })).rejects.toThrow(RangeError);
    await expect(w.predict(d.x, { batchSize: 1.5, transfer: true })).rejects.toThrow(RangeError);
    await expect(w.gradientFlow(d, { truncate: 0, transfer: true })).rejects.toThrow(RangeError);
    expect(d.x.every((a) => a.length > 0)).toBe(true);
    expect(d.y.length).toBe(40);
    await w.dispose();
  });

  it('an abort that fires while its fit waits behind another call rejects it (FitError "aborted") without training', async () => {
    const w = await WorkerModel.create(cfg);
    const before = await w.save();
    const ac = new AbortController();
    const first = w.fit(data(5, 200), { epochs: 3, batchSize: 4 });
    const queued = w.fit(data(), { epochs: 50, signal: ac.signal });
    ac.abort();
    const err = await queued.then(() => null, (e) => e);
    expect(err).toBeInstanceOf(FitError);
    expect(err.kind).toBe("aborted");
    expect(err.history.epoch).toEqual([]);
    expect((await first).loss.length).toBe(3); // the fit ahead of it was not disturbed
    // the weights are those of the first fit alone: a model here trained the same way agrees
    const m = Model.load(before);
    await m.fit(data(5, 200), { epochs: 3, batchSize: 4 });
    expect(Array.from(await w.save())).toEqual(Array.from(m.save()));
    m.dispose();
    await w.dispose();
  });

  it("a trainer that runs out of memory fails every waiting call with a clear error, and later calls too", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { pathToFileURL } = await import("node:url");
    const dir = mkdtempSync(join(tmpdir(), "rw-worker-"));
    const entry = pathToFileURL(new URL("../../dist/worker-entry.js", import.meta.url).pathname).href;
    // the package's trainer, plus a listener that exhausts the JavaScript heap when a fit arrives
    writeFileSync(join(dir, "hungry.mjs"),
      `import { parentPort } from "node:worker_threads";\nimport ${
        JSON.stringify(entry)
      };\nparentPort.on("message", (m) => { if (m.op === "fit") { const keep = []; for (;;) keep.push(new Array(1 << 16).fill(Math.random())); } });\n`);
    const w = await WorkerModel.create(cfg, { url: join(dir, "hungry.mjs"),
      resourceLimits: { maxOldGenerationSizeMb: 64 } });
    const started = Date.now();
    const calls = [w.fit(data(), { epochs: 2 }), w.evaluate(data()), w.save()];
    const errs = await Promise.all(calls.map((c) => c.then(() => null, (e) => e)));
    expect(errs.map((e) => e?.message.split(":")[0])).toEqual(["WorkerModel.fit", "WorkerModel.evaluate",
      "WorkerModel.save"]);
    for (const e of errs) {
      expect(e.message).toMatch(/the trainer ran out of JavaScript heap and was ended \(.*memory limit/);
    }
    expect(Date.now() - started).toBeLessThan(30_000);
    await expect(w.predict(data().x)).rejects.toThrow(/^WorkerModel\.predict: the trainer ran out of JavaScript heap/);
    await w.dispose();
  });
});
