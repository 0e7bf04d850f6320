// Token models (Model with vocabSize and embeddingSize) through every call that takes data: save and
// load bitwise, streams in chunks bitwise equal to predict, generation of ids (greedy: each id the
// argmax of predict over the prime and the ids before it), fit, trainBatch, predictProba and
// predictClasses, the seeded N(0, 1) init, and the errors of wrong ids and wrong array types.
import { beforeAll, describe, expect, it } from "vitest";
import { Adam, init, Model } from "../../dist/index.js";
import { lcg } from "../helpers";

beforeAll(async () => {
  await init();
});

const V = 13, E = 6;
const cfg = (extra: object = {}) => ({ cell: "gru" as const, vocabSize: V, embeddingSize: E, hiddenSize: 7,
  outputSize: V, readout: "sequence" as const, loss: "crossentropy" as const, seed: 5, ...extra });

function seqs(n: number, seed: number): Int32Array[] {
  const r = lcg(seed);
  return Array.from({ length: n },
    (_, i) => Int32Array.from({ length: 1 + ((i * 5) % 9) }, () => Math.floor((r() + 0.5) * V) % V));
}
const shift = (x: Int32Array[]) => x.map((s) => Int32Array.from(s, (_, t) => s[(t + 1) % s.length]));

describe("token models", () => {
  it("initialize the embedding N(0, 1) from the seed; the state_dict names embedding.weight first", () => {
    const a = new Model(cfg()), b = new Model(cfg()), c = new Model(cfg({ seed: 6 }));
    const t = a.stateDict()["embedding.weight"];
    expect(Object.keys(a.stateDict())[0]).toBe("embedding.weight");
    expect(t.length).toBe(V * E);
    expect(t).toEqual(b.stateDict()["embedding.weight"]);
    expect(t).not.toEqual(c.stateDict()["embedding.weight"]);
    const mean = t.reduce((s, v) => s + v, 0) / t.length, sd = Math.sqrt(t.reduce((s, v) => s + v * v, 0) / t.length);
    expect(Math.abs(mean)).toBeLessThan(0.5);
    expect(sd).toBeGreaterThan(0.6);
    expect(sd).toBeLessThan(1.4);
    expect(a.config.inputSize).toBe(E);
    for (const m of [a, b, c]) m.dispose();
  });

  it("save and load: the same bits, and the file's config has no inputSize", () => {
    const m = new Model(cfg({ cell: "lstm", numLayers: 2 })), x = seqs(6, 1);
    const bytes = m.save(), m2 = Model.load(bytes);
    expect(m2.predict(x)).toEqual(m.predict(x));
    expect(m2.config).toEqual(m.config);
    expect(JSON.parse(m2.metadata.config).inputSize).toBeUndefined();
    m.dispose();
    m2.dispose();
  });

  it("a stream in chunks gives predict's bits (ids per step)", () => {
    for (const cell of ["rnn", "lstm", "gru"] as const) {
      const m = new Model(cfg({ cell, numLayers: 2 })), x = seqs(4, 2).slice(3);
      const ids = x[0], want = (m.predict(x) as Float32Array[])[0];
      const s = m.stream();
      const got: number[] = [];
      for (let t = 0; t < ids.length;) {
        const k = Math.min(1 + (t % 3), ids.length - t);
        got.push(...s.step(ids.slice(t, t + k), { steps: k }).output);
        t += k;
      }
      expect(Float32Array.from(got)).toEqual(want);
      s.dispose();
      m.dispose();
    }
  });

  it("generate feeds ids back: greedy ids are the argmax of predict over the prime and the ids before", () => {
    const m = new Model(cfg({ readout: "sequence" })), prime = [2, 7, 7];
    const out = m.generate({ prime, length: 6, temperature: 0 });
    expect(out).toBeInstanceOf(Int32Array);
    expect(out.length).toBe(6);
    const all = Int32Array.from([...prime, ...out]);
    const cls = m.predictClasses([all.slice(0, all.length - 1)])[0];
    expect(Array.from(cls.slice(prime.length - 1))).toEqual(Array.from(out));
    const sampled = m.generate({ prime, length: 20, seed: 3 });
    expect(sampled.every((t) => t >= 0 && t < V)).toBe(true);
    expect(m.generate({ prime, length: 20, seed: 3 })).toEqual(sampled);
    m.dispose();
  });

  it("fit, trainBatch, evaluate, predictProba and predictClasses take ids", async () => {
    const m = new Model(cfg()), x = seqs(24, 3), y = shift(x);
    const before = m.evaluate({ x, y }).loss;
    await m.fit({ x, y }, { epochs: 20, batchSize: 8, learningRate: 0.03 });
    expect(m.evaluate({ x, y }).loss).toBeLessThan(before * 0.8);
    const l = m.trainBatch({ x: x.slice(0, 4), y: y.slice(0, 4) }, new Adam({ learningRate: 0.01 }));
    expect(Number.isFinite(l.loss)).toBe(true);
    const p = m.predictProba(x.slice(0, 2)) as Float32Array[];
    expect(p[0].length).toBe(x[0].length * V);
    expect(m.predictClasses(x.slice(0, 2))[1].length).toBe(x[1].length);
    const last = new Model(cfg({ readout: "last", outputSize: 3 }));
    await last.fit({ x, y: Int32Array.from(x, (s) => s[0] % 3) }, { epochs: 2 });
    expect(last.predict(x).length).toBe(3 * x.length);
    m.dispose();
    last.dispose();
  });

  it("refuses out-of-range ids and the wrong array types, naming the sequence and the step", () => {
    const m = new Model(cfg()), f = new Model({ inputSize: 2, hiddenSize: 3, outputSize: 1 });
    const bad = seqs(4, 4);
    bad[3] = Int32Array.of(1, 2, 120);
    expect(() => m.predict(bad)).toThrow(new RangeError("Model.predict: data.x[3][2] is 120; ids must be in 0..12"));
    expect(() => m.evaluate({ x: [Int32Array.of(-1)], y: [Int32Array.of(0)] })).toThrow(RangeError);
    expect(() => m.predict([new Float32Array(4)])).toThrow(TypeError);
    expect(() => f.predict([Int32Array.of(1, 2)])).toThrow(
      /data\.x\[0\] must be a Float32Array \[len, inputSize=2\] \(token ids need a model with vocabSize\)/,
    );
    const s = m.stream();
    expect(() => s.step(new Float32Array(1))).toThrow(TypeError);
    expect(() => s.step(Int32Array.of(13))).toThrow(
      new RangeError("Model.stream.step: x[0] (sequence 0, step 0) is 13; ids must be in 0..12"),
    );
    expect(() => m.generate({ prime: [13], length: 2 })).toThrow(RangeError);
    expect(() => new Model(cfg({ inputSize: 4 }))).toThrow(/inputSize.*vocabSize/);
    expect(() => new Model(cfg({ embeddingSize: undefined }))).toThrow(/embeddingSize/);
    expect(() => new Model(cfg({ cell: "odegru" }))).toThrow(/"odegru"/);
    s.dispose();
    m.dispose();
    f.dispose();
  });
});
