// The GRU with the reset gate before the recurrent product (resetAfter: false; ONNX's default
// GRU, Keras reset_after=False) through the public API: the option reaches the core, Models save
// and load it, and what does not take it says so. Its numerics: test/reference/torch-fixtures
// (every output and gradient against a float64 reference) and gradcheck (finite differences of
// a Model's loss); its streams: test/unit/stream.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { init, GRU, LSTM, Model } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
let s = 7;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;

describe("GRU resetAfter", () => {
  it("false runs the other equation on the same weights (same names and shapes)", () => {
    const a = new GRU({ inputSize: 3, hiddenSize: 5, seed: 1 }),
      b = new GRU({ inputSize: 3, hiddenSize: 5, seed: 1, resetAfter: false });
    expect(a.resetAfter).toBe(true);
    expect(b.resetAfter).toBe(false);
    const sa = a.stateDict(), sb = b.stateDict();
    expect(Object.keys(sb)).toEqual(Object.keys(sa));
    for (const k of Object.keys(sa)) expect(bits(sb[k])).toEqual(bits(sa[k]));
    const x = Float32Array.from({ length: 2 * 4 * 3 }, rnd), h0 = Float32Array.from({ length: 2 * 5 }, rnd);
    const ya = a.forward(x, { batch: 2, steps: 4, h0 }).output, yb = b.forward(x, { batch: 2, steps: 4, h0 }).output;
    // the first step already differs where r ⊙ h enters W_hn before or after the product
    expect(Math.max(...ya.map((v, i) => Math.abs(v - yb[i])))).toBeGreaterThan(1e-3);
    a.dispose();
    b.dispose();
  });

  it("a Model with resetAfter false saves and loads it; predictions bitwise the same", () => {
    const m = new Model({ cell: "gru", resetAfter: false, inputSize: 2, hiddenSize: 6, numLayers: 2,
      bidirectional: true, outputSize: 1, seed: 4 });
    expect(m.config.resetAfter).toBe(false);
    const x = [Float32Array.from({ length: 5 * 2 }, rnd), Float32Array.from({ length: 3 * 2 }, rnd)];
    const m2 = Model.load(m.save());
    expect(m2.config.resetAfter).toBe(false);
    expect(bits(m2.predict(x) as Float32Array)).toEqual(bits(m.predict(x) as Float32Array));
    // and differs from the default GRU with the same weights
    const d = new Model({ cell: "gru", inputSize: 2, hiddenSize: 6, numLayers: 2, bidirectional: true, outputSize: 1,
      seed: 4 });
    expect(d.config.resetAfter).toBe(true);
    expect(bits(d.predict(x) as Float32Array)).not.toEqual(bits(m.predict(x) as Float32Array));
    m.dispose();
    m2.dispose();
    d.dispose();
  });

  it("cells without the variant refuse resetAfter false, naming the option; true is accepted (a saved config)", () => {
    expect(() => new LSTM({ inputSize: 2, hiddenSize: 3, resetAfter: false } as any)).toThrow(
      /LSTM: unknown option "?resetAfter"?/,
    );
    expect(() => new Model({ cell: "lstm", resetAfter: false, inputSize: 2, hiddenSize: 3, outputSize: 1 })).toThrow(
      TypeError,
    );
    expect(() => new Model({ cell: "lstm", resetAfter: false, inputSize: 2, hiddenSize: 3, outputSize: 1 })).toThrow(
      /resetAfter applies only to cell "gru", got false with cell "lstm"/,
    );
    expect(() => new Model({ cell: "odegru", resetAfter: false, inputSize: 2, hiddenSize: 3, outputSize: 1 })).toThrow(
      /resetAfter applies only to cell "gru"/,
    );
    expect(() => new GRU({ inputSize: 2, hiddenSize: 3, resetAfter: "no" as any })).toThrow(
      /GRU: resetAfter must be a boolean/,
    );
    const m = new Model({ cell: "rnn", resetAfter: true, inputSize: 2, hiddenSize: 3, outputSize: 1 });
    m.dispose();
  });
});
