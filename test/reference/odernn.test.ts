// The ODE-RNN cell of Model ("odegru", Rubanova et al. 2019) against an independent float64
// reference (test/reference/odernn-reference.ts): predictions, the loss, and every parameter's gradient
// against central differences of the reference; fixed-step ODEs through the same scheme, dopri5
// against the converged reference; the adjoint against backprop; GRU-Δt (timeGap) and inputMask
// as the input columns they stand for; fit, predict, save and load; bad input.
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model } from "../../dist/index.js";
import type { ModelConfig, SequenceData } from "../../dist/index.js";
import { expectClose, lcg } from "../helpers";
import { OdeRnnRef, RefSeq, loss, predict } from "./odernn-reference";

beforeAll(async () => {
  await init();
});

const I = 2, H = 4, O = 2;

/** Three sequences of lengths 4, 2, 5 at irregular times, with a repeated time (no ODE between),
 *  a step where nothing was observed and partial masks; per-step and per-sequence targets. */
function dataset(seed: number): { data: SequenceData; seqs: RefSeq[]; ySeq: Float32Array[]; yLast: Float32Array } {
  const rnd = lcg(seed), lens = [4, 2, 5];
  const x: Float32Array[] = [], times: Float64Array[] = [], mask: Float32Array[] = [];
  lens.forEach((len, i) => {
    x.push(Float32Array.from({ length: len * I }, () => rnd() * 2));
    const t = new Float64Array(len);
    for (let k = 0; k < len; k++) {
      t[k] = (k === 0 ? 0.1 * i : t[k - 1]) + (i === 2 && k === 2 ? 0 : 0.2 + Math.abs(rnd()));
    }
    times.push(t);
    const m = Float32Array.from({ length: len * I }, (_, k) => (i === 0 && k === 2 ? 0 : 1));
    if (i === 2) {
      m[3 * I] = 0;
      m[3 * I + 1] = 0;
    } // step 3: nothing observed
    mask.push(m);
  });
  x[0][2] = NaN; // a missing value may be anything
  const ySeq = lens.map((len) => Float32Array.from({ length: len * O }, () => rnd()));
  const yLast = Float32Array.from({ length: lens.length * O }, () => rnd());
  const seqs = lens.map((_, i) => ({ x: x[i], times: times[i], mask: mask[i] }));
  return { data: { x, times, mask }, seqs, ySeq, yLast };
}

function setup(config: Partial<ModelConfig>, seed = 5) {
  const model = new Model(
    { cell: "odegru", inputSize: I, hiddenSize: H, outputSize: O, inputMask: true, seed: 3, ...config } as ModelConfig,
  );
  // random parameters (learned h0 too), so that every path carries a gradient
  const rnd = lcg(seed), sd = model.stateDict();
  for (const k in sd) sd[k] = sd[k].map(() => rnd() * 0.8);
  model.loadStateDict(sd);
  const cfg: OdeRnnRef = { I, H, O, inputMask: model.config.inputMask, readout: model.config.readout,
    learnedH0: model.config.initialState === "learned",
    ode: { widths: [H + (model.config.ode!.timeInput ? 1 : 0), ...model.config.ode!.hidden, H],
      act: model.config.ode!.activation, timeInput: model.config.ode!.timeInput,
      method: model.config.ode!.method as "rk4", substeps: model.config.ode!.substeps } };
  return { model, cfg };
}

const f64dict = (m: InstanceType<typeof Model>) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, Float64Array.from(v)]));

describe("Model cell odegru (ODE-RNN)", () => {
  const CASES: { label: string; config: Partial<ModelConfig> }[] = [{
    label: "rk4 ×2, tanh, sequence readout, learned h0",
    config: { readout: "sequence", initialState: "learned", ode: { method: "rk4", substeps: 2, hidden: [5] } },
  }, { label: "euler ×3, softplus with time input, last readout",
    config: { readout: "last",
      ode: { method: "euler", substeps: 3, hidden: [3, 4], activation: "softplus", timeInput: true } } }, {
    label: "midpoint, relu, sequence readout, no input mask",
    config: { readout: "sequence", inputMask: false, ode: { method: "midpoint", hidden: [6], activation: "relu" } },
  }];
  for (const c of CASES) {
    it(`${c.label}: predictions, loss and every gradient against a float64 reference (central differences)`, () => {
      const { model, cfg } = setup(c.config);
      const { data, seqs, ySeq, yLast } = dataset(11);
      const noMask = !model.config.inputMask;
      if (noMask) {
        delete data.mask;
        data.x[0][2] = 0.5;
        seqs.forEach((q) => delete q.mask);
      }
      const seq = cfg.readout === "sequence";
      const p64 = f64dict(model);
      const pred = model.predict(data.x, { times: data.times, ...(noMask ? {} : { mask: data.mask }) });
      const want = seqs.map((q) => predict(cfg, p64, q));
      expectClose("predictions", seq ? (pred as Float32Array[]).flatMap((a) => Array.from(a)) : (pred as Float32Array),
        want.flat(), 2e-5, 1e-4);
      const ys = seq ? ySeq : seqs.map((_, i) => yLast.subarray(i * O, i * O + O));
      const got = model.computeGradients({ ...data, y: seq ? ySeq : yLast });
      expect(Math.abs(got - loss(cfg, p64, seqs, ys))).toBeLessThan(1e-5);
      const grads = model.grads(), eps = 1e-6;
      for (const [name, v] of Object.entries(p64)) {
        const fd = Array.from(v, (_, k) => {
          const up = { ...p64, [name]: Float64Array.from(v) }, dn = { ...p64, [name]: Float64Array.from(v) };
          up[name][k] += eps;
          dn[name][k] -= eps;
          return (loss(cfg, up, seqs, ys) - loss(cfg, dn, seqs, ys)) / (2 * eps);
        });
        expectClose(`∂${name}`, grads[name], fd, 2e-5, 1e-3);
      }
      model.dispose();
    });
  }

  it("dopri5 (rtol 1e-7): predictions and gradients against the converged reference; the adjoint against backprop", () => {
    const { model, cfg } = setup({ readout: "sequence",
      ode: { method: "dopri5", rtol: 1e-7, atol: 1e-9, hidden: [5] } });
    const adj = new Model({ ...model.config, ode: { ...model.config.ode!, gradient: "adjoint" } });
    adj.loadStateDict(model.stateDict());
    const { data, seqs, ySeq } = dataset(13);
    const p64 = f64dict(model), ref = { ...cfg, ode: { ...cfg.ode, method: "rk4" as const, substeps: 64 } };
    const pred = (model.predict(data.x, { times: data.times, mask: data.mask }) as Float32Array[]).flatMap((a) =>
      Array.from(a)
    );
    expectClose("predictions", pred, seqs.flatMap((q) => predict(ref, p64, q)), 2e-5, 1e-4);
    const l = model.computeGradients({ ...data, y: ySeq });
    expect(adj.computeGradients({ ...data, y: ySeq })).toBe(l); // the same forward
    const eps = 1e-6, gm = model.grads(), ga = adj.grads();
    for (const [name, v] of Object.entries(p64)) {
      const fd = Array.from(v, (_, k) => {
        const up = { ...p64, [name]: Float64Array.from(v) }, dn = { ...p64, [name]: Float64Array.from(v) };
        up[name][k] += eps;
        dn[name][k] -= eps;
        return (loss(ref, up, seqs, ySeq) - loss(ref, dn, seqs, ySeq)) / (2 * eps);
      });
      expectClose(`backprop ∂${name}`, gm[name], fd, 5e-5, 2e-3);
      expectClose(`adjoint ∂${name}`, ga[name], gm[name], 2e-5, 1e-3);
    }
    model.dispose();
    adj.dispose();
  });

  it("fit lowers the loss; save and load give the same predictions, bit for bit", async () => {
    const { data, ySeq } = dataset(17);
    const model = new Model({ cell: "odegru", inputSize: I, hiddenSize: 8, outputSize: O, readout: "sequence",
      inputMask: true, ode: { method: "rk4" }, seed: 2 });
    const h = await model.fit({ ...data, y: ySeq }, { epochs: 30, batchSize: 3, learningRate: 0.02 });
    expect(h.loss[h.loss.length - 1]).toBeLessThan(0.5 * h.loss[0]);
    const back = Model.load(model.save());
    expect(back.config).toEqual(model.config);
    const a = model.predict(data.x, { times: data.times, mask: data.mask }) as Float32Array[];
    const b = back.predict(data.x, { times: data.times, mask: data.mask }) as Float32Array[];
    a.forEach((v, i) => expect(Array.from(b[i])).toEqual(Array.from(v)));
    model.dispose();
    back.dispose();
  });
});

describe("GRU-Δt (timeGap) and inputMask are the input columns they stand for", () => {
  it("a timeGap + inputMask GRU equals a plain GRU fed [x ⊙ m, m, time since the last observation], bit for bit (predictions and gradients)", () => {
    const { data, ySeq } = dataset(19);
    const a = new Model({ cell: "gru", inputSize: I, hiddenSize: H, outputSize: O, readout: "sequence", timeGap: true,
      inputMask: true, seed: 4 });
    const b = new Model({ cell: "gru", inputSize: 2 * I + 1, hiddenSize: H, outputSize: O, readout: "sequence",
      seed: 4 });
    b.loadStateDict(a.stateDict());
    const xb = data.x.map((x, i) => {
      const len = x.length / I, t = data.times![i], m = data.mask![i], out = new Float32Array(len * (2 * I + 1));
      let last = -1;
      for (let k = 0; k < len; k++) {
        for (let j = 0; j < I; j++) {
          out[k * (2 * I + 1) + j] = m[k * I + j] ? x[k * I + j] : 0;
          out[k * (2 * I + 1) + I + j] = m[k * I + j];
        }
        out[k * (2 * I + 1) + 2 * I] = last < 0 ? 0 : t[k] - t[last];
        if (m.subarray(k * I, k * I + I).some((v) => v !== 0)) last = k;
      }
      return out;
    });
    const pa = a.predict(data.x, { times: data.times, mask: data.mask }) as Float32Array[],
      pb = b.predict(xb) as Float32Array[];
    pa.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(pb[i])));
    expect(a.computeGradients({ ...data, y: ySeq })).toBe(b.computeGradients({ x: xb, y: ySeq }));
    const ga = a.grads(), gb = b.grads();
    for (const k in ga) expect(Array.from(ga[k])).toEqual(Array.from(gb[k]));
    a.dispose();
    b.dispose();
  });
});

describe("odegru and timeGap: bad input", () => {
  const base = { inputSize: I, hiddenSize: H, outputSize: O };
  it.each([[{ ...base, cell: "odegru", numLayers: 2 }, RangeError,
    'Model: cell "odegru" is one forward layer (numLayers 1, bidirectional false, checkpoint false), got numLayers 2, bidirectional false, checkpoint false'],
    [{ ...base, cell: "gru", ode: {} }, TypeError, 'Model: ode applies only to cell "odegru", got it with cell "gru"'],
    [{ ...base, cell: "odegru", timeGap: true }, TypeError,
      'Model: timeGap is the input of the GRU-Δt baseline; cell "odegru" carries the state across the gap with its ODE (use one or the other)'],
    [{ ...base, cell: "odegru", ode: { method: "rk45" } }, TypeError,
      'Model: ode.method must be one of "euler", "midpoint", "rk4", "dopri5", got "rk45"'], [{ ...base, cell: "odegru",
    ode: { substep: 2 } }, TypeError, 'Model: unknown option "ode.substep" (did you mean "ode.substeps"?)'], [{ ...base,
    cell: "odegru", ode: { rtol: 1e-300, atol: 1e-300 } }, RangeError,
    "Model: ode.atol must be at least 2^-126 ≈ 1.18e-38 (dopri5 scales its error estimate by atol + rtol·|h| in float32, where a smaller atol can be 0), got 1e-300"]])(
      "config %#",
      (config, cls, msg) => {
        expect(() => new Model(config as ModelConfig)).toThrow(cls as ErrorConstructor);
        expect(() => new Model(config as ModelConfig)).toThrow(msg as string);
      },
    );

  it("a batch whose ODE workspace cannot fit names the call, the bytes and the ode options that lower them", () => {
    const m = new Model({ ...base, cell: "odegru", ode: { maxSteps: 5e8 } });
    const before = m.stateDict(), x = [Float32Array.of(1, 2, 3, 4)], times = [Float64Array.of(0, 1)];
    expect(() => m.predict(x, { times })).toThrow(RangeError);
    expect(() => m.predict(x, { times })).toThrow(
      'Model.predict: this batch (1 sequences × 2 steps) needs 18.6 GiB of WebAssembly memory; the limit is 4 GiB (wasm32 memory): use smaller batches or shorter sequences, lower ode.maxSteps (500000000: backprop keeps room for that many steps per sequence), or use ode.gradient: "adjoint" (its memory does not grow with the steps)',
    );
    expect(m.stateDict()).toEqual(before);
    m.dispose();
  });

  it("a fixed-step ODE between steps that overflows is a RangeError naming the time, not NaN predictions", () => {
    const m = new Model({ ...base, cell: "odegru", readout: "last", ode: { method: "euler" } });
    const before = m.stateDict(), x = [Float32Array.of(1, 2, 3, 4)], times = [Float64Array.of(0, 1e300)];
    const msg = "euler's solution is not finite at t = 1e+300 (after the interval from t = 0, in 1 step(s) of 1e+300)";
    expect(() => m.predict(x, { times })).toThrow(RangeError);
    expect(() => m.predict(x, { times })).toThrow(`Model.predict: ${msg}`);
    expect(() => m.computeGradients({ x, y: Float32Array.of(0, 1), times })).toThrow(`Model.computeGradients: ${msg}`);
    expect(m.stateDict()).toEqual(before);
    const ok = m.predict(x, { times: [Float64Array.of(0, 1)] }) as Float32Array;
    expect(ok.length).toBe(O);
    expect(ok.every(Number.isFinite)).toBe(true);
    m.dispose();
  });

  it("data: times and mask checked, named, and refused where unused", () => {
    const m = new Model({ ...base, cell: "odegru", inputMask: true, readout: "last" });
    const x = [Float32Array.of(1, 2, 3, 4)], y = Float32Array.of(0, 1), mask = [Float32Array.of(1, 1, 1, 0)];
    expect(() => m.evaluate({ x, y, mask })).toThrow(
      'Model.evaluate: data.times must be an array of 1 Float64Array (one time per step of each sequence; cell "odegru" evolves the state between the steps\' times), got undefined',
    );
    expect(() => m.evaluate({ x, y, mask, times: [Float64Array.of(1)] })).toThrow(
      "Model.evaluate: data.times[0] must be a Float64Array of 2 times (one per step), got Float64Array(1)",
    );
    expect(() => m.evaluate({ x, y, mask, times: [Float64Array.of(2, 1)] })).toThrow(
      "Model.evaluate: data.times[0] must be non-decreasing, but times[0][1] = 1 < times[0][0] = 2",
    );
    expect(() => m.evaluate({ x, y, mask: [Float32Array.of(1, 0.5, 1, 1)], times: [Float64Array.of(0, 1)] })).toThrow(
      "Model.evaluate: data.mask[0][1] must be 0 (missing) or 1 (observed), got 0.5",
    );
    expect(() =>
      m.evaluate({ x: [Float32Array.of(1, NaN, 3, 4)], y, mask: [Float32Array.of(1, 1, 1, 1)],
        times: [Float64Array.of(0, 1)] })
    ).toThrow("Model.evaluate: data.x[0][1] is NaN where data.mask says observed");
    expect(() => m.predict(x, { mask })).toThrow("Model.predict: data.times must be an array of 1 Float64Array");
    expect(Number.isFinite(m.evaluate({ x, y, mask, times: [Float64Array.of(0, 1)] }).loss)).toBe(true);
    expect(() => m.computeGradients({ x, y, mask, times: [Float64Array.of(0, 1)] }, { truncate: 1 })).toThrow(
      'Model.computeGradients: truncate applies to the recurrent layers\' BPTT; cell "odegru" has no such option',
    );
    m.dispose();
    const g = new Model({ ...base, cell: "gru", readout: "last" });
    expect(() => g.evaluate({ x, y, times: [Float64Array.of(0, 1)] })).toThrow(
      'Model.evaluate: data.times is only used by cell "odegru" and by timeGap models; this model reads none',
    );
    expect(() => g.evaluate({ x, y, mask })).toThrow(
      "Model.evaluate: data.mask is only used by models with inputMask: true",
    );
    g.dispose();
  });
});
