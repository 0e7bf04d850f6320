// Generation (model.generate): seeded and deterministic; temperature 0 is the greedy path of the
// model's own stream; the token frequencies follow softmax(logits / T) restricted by top-k and
// top-p (a model whose logits are its readout bias at every step, 20 000 draws, 4.5σ); stop tokens
// end it; bad options are named. Node against Chromium: test/integration/browser.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model, Rng } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

/** A next-token model whose logits are `bias` at every step (every other weight zero: h = 0). */
function constantModel(bias: number[]) {
  const V = bias.length,
    m = new Model({ cell: "rnn", inputSize: V, hiddenSize: 3, outputSize: V, readout: "sequence", loss: "crossentropy",
      seed: 1 });
  const sd = m.stateDict();
  for (const k of Object.keys(sd)) {
    sd[k] = k === "readout.bias" ? Float32Array.from(bias) : new Float32Array(sd[k].length);
  }
  m.loadStateDict(sd);
  return m;
}
function frequencies(tokens: Int32Array, V: number): number[] {
  const f = new Array(V).fill(0);
  for (const t of tokens) f[t]++;
  return f.map((c) => c / tokens.length);
}
/** softmax(b / T), then the top-k / top-p set renormalized (float64, independent of the library). */
function expected(b: number[], T: number, topK = 0, topP = 1): number[] {
  const m = Math.max(...b), w = b.map((v) => Math.exp((v - m) / T));
  const order = w.map((_, i) => i).sort((i, j) => w[j] - w[i] || i - j);
  let kept = topK > 0 ? Math.min(topK, b.length) : b.length;
  const total = order.slice(0, kept).reduce((a, i) => a + w[i], 0);
  if (topP < 1) {
    let acc = 0;
    for (let j = 0; j < kept; j++) {
      acc += w[order[j]];
      if (acc >= topP * total) {
        kept = j + 1;
        break;
      }
    }
  }
  const keep = new Set(order.slice(0, kept)), z = [...keep].reduce((a, i) => a + w[i], 0);
  return w.map((v, i) => (keep.has(i) ? v / z : 0));
}

describe("Model.generate", () => {
  const bias = [1.2, 0.3, -0.5, 0.9, -2, 0];
  const cases: [string, { temperature?: number; topK?: number; topP?: number }][] = [["temperature 1", {}], [
    "temperature 0.5",
    { temperature: 0.5 },
  ], ["temperature 2", { temperature: 2 }], ["top-k 2", { topK: 2 }], ["top-p 0.6", { topP: 0.6 }], [
    "top-k 4 then top-p 0.8 at temperature 1.5",
    { topK: 4, topP: 0.8, temperature: 1.5 },
  ]];
  for (const [label, o] of cases) {
    it(`${label}: frequencies over 20 000 draws follow the filtered softmax`, () => {
      const m = constantModel(bias), N = 20000;
      const t = m.generate({ prime: [0], length: N, seed: 3, ...o });
      expect(t.length).toBe(N);
      const f = frequencies(t, bias.length), e = expected(bias, o.temperature ?? 1, o.topK, o.topP);
      f.forEach((v, i) => {
        if (e[i] === 0) expect(v).toBe(0);
        else expect(Math.abs(v - e[i])).toBeLessThan(4.5 * Math.sqrt(e[i] * (1 - e[i]) / N) + 1e-9);
      });
      m.dispose();
    });
  }

  it("is deterministic by seed; temperature 0 follows the model's own stream greedily; stop ends it", () => {
    const V = 7,
      m = new Model({ cell: "gru", inputSize: V + 1, hiddenSize: 16, outputSize: V, readout: "sequence",
        loss: "crossentropy", seed: 5 });
    const sd = m.stateDict(), rng = new Rng(2);
    for (const k of Object.keys(sd)) sd[k] = sd[k].map(() => 2 * rng.normal()); // peaked, input-dependent logits
    m.loadStateDict(sd);
    const a = m.generate({ prime: [V], length: 200, seed: 11 }), b = m.generate({ prime: [V], length: 200, seed: 11 }),
      c = m.generate({ prime: [V], length: 200, seed: 12 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // greedy: the argmax of the stream's readout, fed back
    const g = m.generate({ prime: [V, 3, 1], length: 50, temperature: 0 });
    const s = m.stream();
    const oneHot = (t: number) => {
      const x = new Float32Array(V + 1);
      x[t] = 1;
      return x;
    };
    let logits = s.step(Float32Array.from([...oneHot(V), ...oneHot(3), ...oneHot(1)]), { steps: 3 }).output.subarray(
      2 * V,
    );
    const want: number[] = [];
    for (let i = 0; i < 50; i++) {
      let arg = 0;
      for (let j = 1; j < V; j++) if (logits[j] > logits[arg]) arg = j;
      want.push(arg);
      logits = s.step(oneHot(arg)).output;
    }
    expect(Array.from(g)).toEqual(want);
    expect(Array.from(m.generate({ prime: [V, 3, 1], length: 50, topK: 1, seed: 9 }))).toEqual(want); // top-1 is greedy too
    // stop: the first stop token ends the text and is kept
    const stopAt = want[10];
    const cut = m.generate({ prime: [V, 3, 1], length: 50, temperature: 0, stop: [stopAt] });
    expect(Array.from(cut)).toEqual(want.slice(0, want.indexOf(stopAt) + 1));
    s.dispose();
    m.dispose();
  });

  it("a temperature below 1e-48 is greedy (1e-310 too, whose 1/T overflows): the tokens of temperature 0", () => {
    const V = 7,
      m = new Model({ cell: "gru", inputSize: V + 1, hiddenSize: 16, outputSize: V, readout: "sequence",
        loss: "crossentropy", seed: 5 });
    const sd = m.stateDict(), rng = new Rng(2);
    for (const k of Object.keys(sd)) sd[k] = sd[k].map(() => 2 * rng.normal());
    m.loadStateDict(sd);
    const greedy = Array.from(m.generate({ prime: [V, 3, 1], length: 50, temperature: 0 }));
    expect(new Set(greedy).size).toBeGreaterThan(1); // not one token over and over
    for (const temperature of [5e-324, 1e-310, 1e-300, 1e-49]) {
      expect(Array.from(m.generate({ prime: [V, 3, 1], length: 50, temperature, seed: 4 })),
        `temperature ${temperature}`).toEqual(greedy);
    }
    // just above it the weights are computed, and are one-hot already: no jump at the threshold
    expect(Array.from(m.generate({ prime: [V, 3, 1], length: 50, temperature: 1e-47, seed: 4 }))).toEqual(greedy);
    m.dispose();
  });

  it("bad options are named", () => {
    const m = constantModel([0, 1, 2]);
    const bad: [Record<string, unknown>, string][] = [[{ length: 5 },
      "Model.generate: prime must be a non-empty array or Int32Array of token ids, got undefined"], [{ prime: [3],
      length: 5 }, "Model.generate: prime[0] is 3; token ids must be integers in 0..2"], [{ prime: [0], length: -1 },
      "Model.generate: length must be an integer in 0..67108864, got -1"], [{ prime: [0], length: 5, temperature: -1 },
      "Model.generate: temperature must be a finite number >= 0"], [{ prime: [0], length: 5, topP: 0 },
      "Model.generate: topP must be a finite number > 0 and <= 1, got 0"], [{ prime: [0], length: 5, topK: 1.5 },
      "Model.generate: topK must be an integer"], [{ prime: [0], length: 5, stop: [7] },
      "Model.generate: stop[0] is 7; token ids must be integers in 0..2"], [{ prime: [0], length: 5, temp: 1 },
      'Model.generate: unknown option "temp"']];
    for (const [o, msg] of bad) expect(() => m.generate(o as any)).toThrow(msg);
    const reg = new Model({ cell: "gru", inputSize: 3, hiddenSize: 2, outputSize: 3 });
    expect(() => reg.generate({ prime: [0], length: 3 })).toThrow(
      'Model.generate: generation needs a next-token model (loss "crossentropy", a softmax over tokens), got loss "mse"',
    );
    m.dispose();
    reg.dispose();
  });
});
