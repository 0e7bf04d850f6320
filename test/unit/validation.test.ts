// Bad input: a clear TypeError/RangeError naming the argument, what was expected and what came;
// and the failed call leaves the layer usable with its weights unchanged.
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model, RNN, LSTM, GRU } from "../../dist/index.js";
import { f32of, lcg } from "../helpers";

beforeAll(async () => {
  await init();
});

const B = 2, T = 3, I = 4, H = 5;
const rnd = lcg(11);
const x = f32of(B * T * I, rnd);

function snapshot(m: { stateDict(): Record<string, Float32Array> }) {
  return JSON.stringify(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v)]));
}

describe("RNN constructor", () => {
  const cases: [string, any, any, RegExp][] = [["hiddenSize 0", { inputSize: 4, hiddenSize: 0 }, RangeError,
    /hiddenSize must be an integer in 1\.\.\d+, got 0/], ["hiddenSize 2.5", { inputSize: 4, hiddenSize: 2.5 },
    RangeError, /hiddenSize .* got 2\.5/], ["inputSize as string", { inputSize: "4", hiddenSize: 3 }, TypeError,
    /inputSize must be an integer, got "4"/], ["missing inputSize", { hiddenSize: 3 }, TypeError,
    /inputSize must be an integer, got undefined/], ["unknown option", { inputSize: 4, hiddenSize: 3, hidenSize: 3 },
    TypeError, /unknown option "hidenSize"/], ["bad nonlinearity", { inputSize: 4, hiddenSize: 3,
    nonlinearity: "sigmoid" }, TypeError, /nonlinearity must be one of "tanh", "relu", "linear", got "sigmoid"/], [
    "numLayers 0",
    { inputSize: 4, hiddenSize: 3, numLayers: 0 },
    RangeError,
    /numLayers/,
  ]];
  for (const [label, opts, type, msg] of cases) {
    it(label, () => {
      expect(() => new RNN(opts)).toThrow(type);
      expect(() => new RNN(opts)).toThrow(msg);
    });
  }
});

describe("RNN.forward / backward arguments", () => {
  const bad: [string, () => [Float32Array | any, any], any, RegExp][] = [["x is a Float64Array",
    () => [new Float64Array(B * T * I), { batch: B, steps: T }], TypeError,
    /x must be a Float32Array of 24 elements \[batch=2, steps=3, inputSize=4\], got Float64Array\(24\)/], [
    "x too short",
    () => [new Float32Array(23), { batch: B, steps: T }],
    RangeError,
    /x must have 24 elements .* got 23/,
  ], ["batch not an integer", () => [x, { batch: 1.5, steps: T }], RangeError, /batch must be an integer .* got 1\.5/],
    ["steps missing", () => [x, { batch: B }], TypeError, /steps must be an integer, got undefined/], [
    "lengths has a 0",
    () => [x, { batch: B, steps: T, lengths: [3, 0] }],
    RangeError,
    /lengths\[1\] must be an integer in 1\.\.3 \(steps\), got 0/,
  ], ["lengths above steps", () => [x, { batch: B, steps: T, lengths: Int32Array.from([4, 1]) }], RangeError,
    /lengths\[0\] must be an integer in 1\.\.3/], ["lengths wrong count",
    () => [x, { batch: B, steps: T, lengths: [3] }], RangeError, /lengths must have 2 elements/], [
    "lengths not integers",
    () => [x, { batch: B, steps: T, lengths: [2.5, 1] }],
    RangeError,
    /lengths\[0\]/,
  ], ["NaN in x", () => {
    const y = x.slice();
    y[7] = NaN;
    return [y, { batch: B, steps: T }];
  }, RangeError, /x\[7\] is NaN; it must be finite \(pass allowNonFinite: true/], ["Infinity in h0", () => {
    const h = new Float32Array(B * H);
    h[3] = Infinity;
    return [x, { batch: B, steps: T, h0: h }];
  }, RangeError, /h0\[3\] is Infinity/], ["h0 wrong size", () => [x, { batch: B, steps: T, h0: new Float32Array(3) }],
    RangeError, /h0 must have 10 elements \[layers\*directions=1, batch=2, hidden=5\], got 3/], ["unknown option",
    () => [x, { batch: B, steps: T, length: [1, 2] }], TypeError, /unknown option "length"/]];
  for (const [label, make, type, msg] of bad) {
    it(`${label}: throws, and the layer still works with unchanged weights`, () => {
      const rnn = new RNN({ inputSize: I, hiddenSize: H, seed: 1 });
      const before = snapshot(rnn);
      const ref = rnn.forward(x, { batch: B, steps: T }).output;
      const [xx, opts] = make();
      expect(() => rnn.forward(xx, opts)).toThrow(type);
      expect(() => rnn.forward(xx, opts)).toThrow(msg);
      expect(snapshot(rnn)).toBe(before);
      expect(Array.from(rnn.forward(x, { batch: B, steps: T }).output)).toEqual(Array.from(ref));
      rnn.dispose();
    });
  }
  it("allowNonFinite: true lets NaN through (and it propagates)", () => {
    const rnn = new RNN({ inputSize: I, hiddenSize: H });
    const y = x.slice();
    y[0] = NaN;
    const { output } = rnn.forward(y, { batch: B, steps: T, allowNonFinite: true });
    expect(Number.isNaN(output[0])).toBe(true);
    rnn.dispose();
  });
  it("backward: before forward, wrong sizes, bad truncate", () => {
    const rnn = new RNN({ inputSize: I, hiddenSize: H });
    expect(() => rnn.backward({})).toThrow(/call forward\(\) first/);
    rnn.forward(x, { batch: B, steps: T });
    expect(() => rnn.backward({ output: new Float32Array(5) })).toThrow(
      /grads\.output must have 30 elements \[batch=2, steps=3, directions\*hidden=5\], got 5/,
    );
    expect(() => rnn.backward({ hN: new Float32Array(B * H) }, { truncate: 0 })).toThrow(
      /options\.truncate must be an integer in 1\.\.\d+, got 0/,
    );
    expect(() => rnn.backward({ hN: new Float32Array(B * H) }, { truncate: 1.5 } as any)).toThrow(RangeError);
    expect(() => rnn.backward({ hn: new Float32Array(B * H) } as any)).toThrow(/unknown option "grads.hn"/);
    // nothing accumulated by the failed calls
    expect(Object.values(rnn.grads()).every((g) => g.every((v) => v === 0))).toBe(true);
    rnn.dispose();
  });
  it("use after dispose() is a clear error", () => {
    const rnn = new RNN({ inputSize: I, hiddenSize: H });
    rnn.dispose();
    expect(() => rnn.forward(x, { batch: B, steps: T })).toThrow(
      "RNN.forward: the module was disposed (its memory is freed); create a new one",
    );
    expect(() => rnn.stateDict()).toThrow(/the module was disposed/);
    expect(() => rnn.dispose()).not.toThrow();
  });
});

describe("loadStateDict", () => {
  it("missing, unexpected and mis-sized tensors are named; nothing is written", () => {
    const rnn = new RNN({ inputSize: I, hiddenSize: H, seed: 4 });
    const before = snapshot(rnn);
    const sd = rnn.stateDict();
    const changed = Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.map((e) => e + 1)]));
    const { bias_hh_l0, ...missing } = changed;
    expect(() => rnn.loadStateDict(missing)).toThrow(/missing tensor "bias_hh_l0" \[5\]/);
    expect(() => rnn.loadStateDict({ ...changed, extra: new Float32Array(1) })).toThrow(/unexpected tensor "extra"/);
    expect(() => rnn.loadStateDict({ ...changed, weight_hh_l0: new Float32Array(24) })).toThrow(
      /weight_hh_l0 must have 25 elements \[5, 5\], got 24/,
    );
    expect(snapshot(rnn)).toBe(before);
    rnn.loadStateDict(changed);
    expect(snapshot(rnn)).not.toBe(before);
    rnn.dispose();
  });
});

describe("Model data checks", () => {
  it("bad targets and options are rejected before training; the model still trains", async () => {
    const m = new Model({ inputSize: 2, hiddenSize: 4, outputSize: 3, loss: "crossentropy", seed: 1 });
    const data = { x: [f32of(6, rnd), f32of(4, rnd)], y: Int32Array.from([0, 2]) };
    const before = snapshot(m);
    await expect(m.fit({ ...data, y: Int32Array.from([0, 3]) }, { epochs: 1 })).rejects.toThrow(
      /data\.y\[1\] must be a class id in 0\.\.2, got 3/,
    );
    await expect(m.fit({ ...data, y: new Float32Array(2) }, { epochs: 1 })).rejects.toThrow(
      /data\.y must be an Int32Array of 2 class ids, got Float32Array\(2\)/,
    );
    await expect(m.fit({ x: [f32of(5, rnd)], y: Int32Array.from([0]) }, { epochs: 1 })).rejects.toThrow(
      /data\.x\[0\] has 5 elements, not a positive multiple of inputSize=2/,
    );
    await expect(m.fit(data, { epochs: 0 })).rejects.toThrow(/epochs must be an integer >= 1, got 0/);
    await expect(m.fit(data, { learningRate: -1 })).rejects.toThrow(/learningRate must be a finite number > 0, got -1/);
    await expect(m.fit(data, { epochs: 1, batchsize: 2 } as any)).rejects.toThrow(/unknown option "batchsize"/);
    expect(snapshot(m)).toBe(before);
    const h = await m.fit(data, { epochs: 3 });
    expect(h.loss.length).toBe(3);
    expect(snapshot(m)).not.toBe(before);
    m.dispose();
  });
});

describe("memory growth", () => {
  it("layers keep working after the WebAssembly memory grows (views are re-created)", async () => {
    const { core: wasm } = await import("../../dist/core.js");
    const rnn = new RNN({ inputSize: I, hiddenSize: H, seed: 3 });
    const a = rnn.forward(x, { batch: B, steps: T });
    const before = wasm().memory.buffer.byteLength;
    const big = wasm().alloc(64 << 20); // forces memory.grow
    expect(wasm().memory.buffer.byteLength).toBeGreaterThan(before);
    const b = rnn.forward(x, { batch: B, steps: T });
    expect(Array.from(b.output)).toEqual(Array.from(a.output));
    expect(Object.keys(rnn.stateDict()).length).toBe(4);
    wasm().free(big);
    rnn.dispose();
  });
});

describe("LSTM / GRU specific arguments", () => {
  it("nonlinearity is an RNN option only; c0/cN are LSTM only", () => {
    expect(() => new LSTM({ inputSize: I, hiddenSize: H, nonlinearity: "relu" } as any)).toThrow(
      /LSTM: unknown option "nonlinearity"/,
    );
    expect(() => new GRU({ inputSize: I, hiddenSize: H, nonlinearity: "tanh" } as any)).toThrow(
      /GRU: unknown option "nonlinearity"/,
    );
    const rnn = new RNN({ inputSize: I, hiddenSize: H });
    expect(() => rnn.forward(x, { batch: B, steps: T, c0: new Float32Array(B * H) } as any)).toThrow(
      /RNN\.forward: unknown option "c0"/,
    );
    rnn.dispose();
    const gru = new GRU({ inputSize: I, hiddenSize: H });
    gru.forward(x, { batch: B, steps: T });
    expect(() => gru.backward({ cN: new Float32Array(B * H) } as any)).toThrow(
      /GRU\.backward: unknown option "grads.cN"/,
    );
    gru.dispose();
  });
  it("LSTM: wrong-size c0 and cN are named; the layer still works", () => {
    const lstm = new LSTM({ inputSize: I, hiddenSize: H, seed: 2 });
    const before = snapshot(lstm);
    expect(() => lstm.forward(x, { batch: B, steps: T, c0: new Float32Array(3) })).toThrow(
      /LSTM\.forward: c0 must have 10 elements \[layers\*directions=1, batch=2, hidden=5\], got 3/,
    );
    const r = lstm.forward(x, { batch: B, steps: T });
    expect(r.cN!.length).toBe(B * H);
    expect(() => lstm.backward({ cN: new Float32Array(1) })).toThrow(/grads\.cN must have 10 elements/);
    const d = lstm.backward({ cN: new Float32Array(B * H).fill(1) });
    expect(d.c0!.length).toBe(B * H);
    expect(snapshot(lstm)).toBe(before);
    lstm.dispose();
  });
});

describe("Model: cell and initial state options", () => {
  it("rejects bad combinations with clear errors", () => {
    expect(() => new Model({ cell: "lstm", nonlinearity: "relu", inputSize: 2, hiddenSize: 3, outputSize: 1 })).toThrow(
      /nonlinearity applies only to cell "rnn"/,
    );
    expect(() => new Model({ cell: "transformer" as any, inputSize: 2, hiddenSize: 3, outputSize: 1 })).toThrow(
      /cell must be one of "rnn", "lstm", "gru", "odegru", got "transformer"/,
    );
    expect(() => new Model({ initialState: "random" as any, inputSize: 2, hiddenSize: 3, outputSize: 1 })).toThrow(
      /initialState must be "zeros", "learned" or \{ perClass: n \}, got "random"/,
    );
    expect(() => new Model({ initialState: { perClass: 0 }, inputSize: 2, hiddenSize: 3, outputSize: 1 })).toThrow(
      /initialState\.perClass must be an integer in 1\.\./,
    );
  });
  it("per-class data needs valid classes; a zeros model refuses classes", async () => {
    const m = new Model({ cell: "gru", initialState: { perClass: 2 }, inputSize: 2, hiddenSize: 3, outputSize: 1 });
    const data = { x: [f32of(4, rnd), f32of(6, rnd)], y: f32of(2, rnd) };
    await expect(m.fit(data, { epochs: 1 })).rejects.toThrow(
      /data\.classes must be an Int32Array of 2 class ids in 0\.\.1 \(initialState perClass\), got undefined/,
    );
    await expect(m.fit({ ...data, classes: Int32Array.from([0, 2]) }, { epochs: 1 })).rejects.toThrow(
      /data\.classes\[1\] must be in 0\.\.1, got 2/,
    );
    expect(() => m.predict(data.x)).toThrow(/data\.classes must be an Int32Array/);
    const before = snapshot(m);
    expect(Object.keys(m.stateDict())).toContain("h0");
    expect(m.stateDict().h0.length).toBe(2 * 3);
    await m.fit({ ...data, classes: Int32Array.from([0, 1]) }, { epochs: 2 });
    expect(snapshot(m)).not.toBe(before);
    m.dispose();
    const z = new Model({ inputSize: 2, hiddenSize: 3, outputSize: 1 });
    await expect(z.fit({ ...data, classes: Int32Array.from([0, 1]) }, { epochs: 1 })).rejects.toThrow(
      /data\.classes is only used with initialState \{ perClass: n \}/,
    );
    z.dispose();
  });
});
