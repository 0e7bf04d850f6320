// init "keras" (Keras' defaults: glorot_uniform W_ih over the whole tensor, orthogonal W_hh per gate
// block, zero biases, LSTM forget bias 1) and init.forgetBias, on layers and on Model.
import { beforeAll, describe, expect, it } from "vitest";
import { init, GRU, LSTM, Model, RNN } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

/** max |WᵀW − I| of a square H×H block, in f64. */
function orthError(w: Float32Array, H: number): number {
  let worst = 0;
  for (let a = 0; a < H; a++) {
    for (let b = 0; b < H; b++) {
      let s = 0;
      for (let i = 0; i < H; i++) s += w[i * H + a] * w[i * H + b];
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

describe('init "keras"', () => {
  it("LSTM, 2 layers bidirectional: glorot bounds and variance, orthogonal gate blocks, zero biases but forget = 1 in bias_ih", () => {
    const I = 24, H = 32, G = 4;
    const l = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, init: "keras", seed: 3 });
    expect(l.init).toEqual({ input: "xavier", recurrent: "orthogonal", bias: "zeros", forgetBias: 1 });
    const sd = l.stateDict();
    for (const sfx of ["_l0", "_l0_reverse", "_l1", "_l1_reverse"]) {
      const In = sfx.startsWith("_l0") ? I : 2 * H, limit = Math.sqrt(6 / (In + G * H));
      const wih = sd["weight_ih" + sfx];
      expect(Math.max(...wih.map(Math.abs))).toBeLessThanOrEqual(limit);
      expect(Math.max(...wih.map(Math.abs))).toBeGreaterThan(0.98 * limit);
      // U(±limit) has variance limit²/3 = 2 / (fan_in + fan_out), Glorot's
      const mean = wih.reduce((a, v) => a + v, 0) / wih.length;
      const variance = wih.reduce((a, v) => a + (v - mean) ** 2, 0) / wih.length;
      expect(Math.abs(variance / (2 / (In + G * H)) - 1)).toBeLessThan(0.1);
      const whh = sd["weight_hh" + sfx];
      for (let g = 0; g < G; g++) expect(orthError(whh.subarray(g * H * H, (g + 1) * H * H), H)).toBeLessThan(1e-5);
      const bih = sd["bias_ih" + sfx], bhh = sd["bias_hh" + sfx];
      expect(Array.from(bih)).toEqual(Array.from({ length: G * H }, (_, i) => (i >= H && i < 2 * H ? 1 : 0)));
      expect(bhh.every((v) => v === 0)).toBe(true);
    }
    // seeded: the same seed gives the same weights, another seed others
    const same = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, init: "keras", seed: 3 });
    const other = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, init: "keras", seed: 4 });
    expect(same.stateDict()).toEqual(sd);
    expect(other.stateDict().weight_hh_l0).not.toEqual(sd.weight_hh_l0);
    expect(other.stateDict().weight_ih_l0).not.toEqual(sd.weight_ih_l0);
    for (const x of [l, same, other]) x.dispose();
  });

  it("GRU and RNN: no forget gate, every bias zero; resetParameters takes the preset too", () => {
    const g = new GRU({ inputSize: 5, hiddenSize: 6, init: "keras" });
    expect(g.init).toEqual({ input: "xavier", recurrent: "orthogonal", bias: "zeros" });
    for (const k of ["bias_ih_l0", "bias_hh_l0"]) expect(g.stateDict()[k].every((v) => v === 0)).toBe(true);
    for (let b = 0; b < 3; b++) {
      expect(orthError(g.stateDict().weight_hh_l0.subarray(b * 36, (b + 1) * 36), 6)).toBeLessThan(1e-5);
    }
    const r = new RNN({ inputSize: 5, hiddenSize: 6 });
    r.resetParameters(1, "keras");
    expect(r.stateDict().bias_ih_l0.every((v) => v === 0)).toBe(true);
    expect(orthError(r.stateDict().weight_hh_l0, 6)).toBeLessThan(1e-5);
    g.dispose();
    r.dispose();
  });

  it("forgetBias with PyTorch's init: only the forget blocks change (bias_ih = forgetBias, bias_hh = 0)", () => {
    const H = 7, base = new LSTM({ inputSize: 3, hiddenSize: H, seed: 9 });
    const fb = new LSTM({ inputSize: 3, hiddenSize: H, seed: 9, init: { forgetBias: 2.5 } });
    const a = base.stateDict(), b = fb.stateDict();
    for (const k of ["weight_ih_l0", "weight_hh_l0"]) expect(b[k]).toEqual(a[k]);
    for (let i = 0; i < 4 * H; i++) {
      const f = i >= H && i < 2 * H;
      expect(b.bias_ih_l0[i]).toBe(f ? 2.5 : a.bias_ih_l0[i]);
      expect(b.bias_hh_l0[i]).toBe(f ? 0 : a.bias_hh_l0[i]);
    }
    // the option beside init, the same; it overrides the preset's
    const top = new LSTM({ inputSize: 3, hiddenSize: H, seed: 9, forgetBias: 2.5 });
    expect(top.stateDict()).toEqual(b);
    expect(top.init).toEqual({ forgetBias: 2.5 });
    const k0 = new LSTM({ inputSize: 3, hiddenSize: H, init: "keras", forgetBias: 0 });
    expect(k0.stateDict().bias_ih_l0.every((v) => v === 0)).toBe(true);
    expect(k0.init.forgetBias).toBe(0);
    for (const x of [base, fb, top, k0]) x.dispose();
  });

  it('Model: init "keras" is saved as its options; the rnn.* weights are the layer\'s; bad values are refused', () => {
    const m = new Model({ cell: "lstm", inputSize: 4, hiddenSize: 6, outputSize: 1, init: "keras", seed: 2 });
    expect(m.config.init).toEqual({ input: "xavier", recurrent: "orthogonal", bias: "zeros", forgetBias: 1 });
    const l = new LSTM({ inputSize: 4, hiddenSize: 6, init: "keras", seed: 2 });
    const sd = m.stateDict();
    for (const [k, v] of Object.entries(l.stateDict())) expect(sd["rnn." + k]).toEqual(v);
    const back = Model.load(m.save());
    expect(back.config.init).toEqual(m.config.init);
    expect(back.save()).toEqual(m.save());
    expect(() => new Model({ cell: "gru", inputSize: 4, hiddenSize: 6, outputSize: 1, init: { forgetBias: 1 } }))
      .toThrow(new TypeError("Model: init.forgetBias applies only to LSTM (the cell with a forget gate)"));
    expect(() => new Model({ cell: "rnn", inputSize: 4, hiddenSize: 6, outputSize: 1, forgetBias: 1 })).toThrow(
      new TypeError(
        'Model: forgetBias applies only to cell "lstm" (the cell with a forget gate), got it with cell "rnn"',
      ),
    );
    expect(() => new GRU({ inputSize: 4, hiddenSize: 6, forgetBias: 1 } as any)).toThrow(/unknown option "forgetBias"/);
    // Model's forgetBias is saved inside init
    const mf = new Model({ cell: "lstm", inputSize: 4, hiddenSize: 6, outputSize: 1, init: "keras", forgetBias: 3 });
    expect(mf.config.init.forgetBias).toBe(3);
    expect("forgetBias" in mf.config).toBe(false);
    expect(Model.load(mf.save()).stateDict()).toEqual(mf.stateDict());
    mf.dispose();
    expect(() => new GRU({ inputSize: 4, hiddenSize: 6, init: "tf" as any })).toThrow(
      new TypeError('GRU: init must be "pytorch", "keras" or an object of InitOptions, got "tf"'),
    );
    expect(() => new LSTM({ inputSize: 4, hiddenSize: 6, init: { forgetBias: Infinity } })).toThrow(RangeError);
    expect(new GRU({ inputSize: 4, hiddenSize: 6, init: "pytorch", seed: 1 }).stateDict()).toEqual(
      new GRU({ inputSize: 4, hiddenSize: 6, seed: 1 }).stateDict(),
    );
    for (const x of [m, l, back]) x.dispose();
  });
});
