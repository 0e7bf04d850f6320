// Streaming (layer.stream, ../shared/API.md "Streaming"): stepping a sequence in chunks of any
// sizes gives outputs and final state BITWISE equal to one forward() over the whole sequence, for
// every cell and 1–3 layers, from zero or given initial states; state(), reset(), caller-provided
// output arrays; no WebAssembly allocation after the first step; bad input named; a bidirectional
// layer refused.
import { beforeAll, describe, expect, it } from "vitest";
import { init, RNN, LSTM, GRU, Rng, Model } from "../../dist/index.js";
import { liveBlocks, core } from "../../dist/core.js";

beforeAll(async () => {
  await init();
});

const normals = (n: number, rng: InstanceType<typeof Rng>) => Float32Array.from({ length: n }, () => rng.normal());
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const make = (cell: string, o: Record<string, unknown>) =>
  cell === "lstm"
    ? new LSTM(o as any)
    : cell === "gru"
    ? new GRU(o as any)
    : cell === "gru-reset-before"
    ? new GRU({ ...o, resetAfter: false } as any)
    : new RNN({ ...o, nonlinearity: cell === "relu" ? "relu" : "tanh" } as any);

describe("layer.stream: chunked stepping equals one forward pass, bitwise", () => {
  for (const cell of ["tanh", "relu", "lstm", "gru", "gru-reset-before"]) {
    for (const L of [1, 2, 3]) {
      it(`${cell}, ${L} layer(s): chunks of random sizes, zero and given initial states`, () => {
        const I = 5, H = 7, B = 3, T = 23, rng = new Rng(L * 31 + cell.length);
        const layer = make(cell, { inputSize: I, hiddenSize: H, numLayers: L, seed: 3 });
        const x = normals(B * T * I, rng);
        for (const given of [false, true]) {
          const h0 = given ? normals(L * B * H, rng) : undefined,
            c0 = given && cell === "lstm" ? normals(L * B * H, rng) : undefined;
          const full = layer.forward(x, { batch: B, steps: T, ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}) });
          const s = layer.stream({ batch: B, ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}) });
          const outs: number[][] = Array.from({ length: B }, () => []);
          let t = 0, last: any = null;
          while (t < T) {
            const k = Math.min(T - t, 1 + rng.int(6));
            // x [B, k, I] for steps t..t+k
            const chunk = new Float32Array(B * k * I);
            for (let b = 0; b < B; b++) chunk.set(x.subarray((b * T + t) * I, (b * T + t + k) * I), b * k * I);
            last = k === 1 && rng.uniform() < 0.5 ? s.step(chunk) : s.step(chunk, { steps: k });
            for (let b = 0; b < B; b++) outs[b].push(...bits(last.output.subarray(b * k * H, (b + 1) * k * H)));
            t += k;
          }
          expect(outs.flat()).toEqual(bits(full.output));
          expect(bits(last.hN)).toEqual(bits(full.hN));
          expect(bits(s.state().h)).toEqual(bits(full.hN));
          if (cell === "lstm") {
            expect(bits(last.cN)).toEqual(bits(full.cN!));
            expect(bits(s.state().c!)).toEqual(bits(full.cN!));
          } else expect(last.cN).toBeUndefined();
          s.dispose();
        }
        layer.dispose();
      });
    }
  }
});

describe("layer.stream: state, reset, output arrays, memory, bad input", () => {
  it("reset() goes back to zeros or a given state; out arrays are filled and returned; after the first step nothing is allocated", () => {
    const I = 3, H = 4, B = 2, rng = new Rng(9);
    const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, seed: 1 });
    const s = lstm.stream({ batch: B });
    const xs = Array.from({ length: 6 }, () => normals(B * I, rng));
    const first = xs.map((x) => s.step(x));
    s.reset();
    expect(Array.from(s.state().h)).toEqual(new Array(2 * B * H).fill(0));
    const out = { output: new Float32Array(B * H), hN: new Float32Array(2 * B * H), cN: new Float32Array(2 * B * H) };
    s.step(xs[0], { out }); // the first call at this size reserves; the rest must not
    const blocks = liveBlocks(), bytes = core().memory.buffer.byteLength;
    for (let i = 1; i < xs.length; i++) {
      const r = s.step(xs[i], { out });
      expect(r.output).toBe(out.output);
      expect(r.hN).toBe(out.hN);
      expect(r.cN).toBe(out.cN);
      expect(bits(out.output)).toEqual(bits(first[i].output));
      expect(bits(out.cN)).toEqual(bits(first[i].cN!));
    }
    expect(liveBlocks()).toEqual(blocks);
    expect(core().memory.buffer.byteLength).toBe(bytes);
    // reset to a given state: the same as a new stream from it
    const { h, c } = s.state();
    const fresh = lstm.stream({ batch: B, h0: h, c0: c });
    s.reset({ h0: h, c0: c });
    expect(bits(s.step(xs[2]).output)).toEqual(bits(fresh.step(xs[2]).output));
    fresh.dispose();
    s.dispose();
    expect(() => s.step(xs[0])).toThrow("LSTM.stream.step: this stream was disposed");
    lstm.dispose();
  });

  it("20 000 single steps (B = 1) allocate nothing after the first: the same blocks, the same memory", () => {
    for (const [Layer, cell] of [[LSTM, "lstm"], [GRU, "gru"], [RNN, "rnn"]] as const) {
      const layer = new (Layer as any)({ inputSize: 8, hiddenSize: 32, numLayers: 2, seed: 1 });
      const s = layer.stream(), rng = new Rng(3), x = normals(8, rng);
      const out = { output: new Float32Array(32), hN: new Float32Array(64),
        ...(cell === "lstm" ? { cN: new Float32Array(64) } : {}) };
      s.step(x, { out });
      const blocks = liveBlocks(), bytes = core().memory.buffer.byteLength;
      for (let i = 0; i < 20000; i++) {
        x[i & 7] = Math.sin(i);
        s.step(x, { out });
      }
      expect(liveBlocks(), cell).toEqual(blocks);
      expect(core().memory.buffer.byteLength, cell).toBe(bytes);
      expect(out.hN.every(Number.isFinite)).toBe(true);
      s.dispose();
      layer.dispose();
    }
  });

  it("with every output in `out`, a step allocates no JavaScript memory either (100 000 steps: no garbage collections, against ~110 before)", async () => {
    const { PerformanceObserver } = await import("node:perf_hooks");
    for (const [Layer, lstm] of [[GRU, false], [LSTM, true]] as const) {
      const layer = new (Layer as any)({ inputSize: 8, hiddenSize: 32, seed: 1 }), s = layer.stream(),
        x = new Float32Array(8).fill(0.5);
      const opts = {
        out: { output: new Float32Array(32), hN: new Float32Array(32), ...(lstm ? { cN: new Float32Array(32) } : {}) },
      };
      for (let i = 0; i < 100; i++) s.step(x, opts);
      const r0 = s.step(x, opts);
      let gcs = 0;
      const obs = new PerformanceObserver((list) => {
        gcs += list.getEntries().length;
      });
      obs.observe({ entryTypes: ["gc"] });
      for (let i = 0; i < 100000; i++) s.step(x, opts);
      await new Promise((r) => setTimeout(r, 20));
      obs.disconnect();
      expect(gcs).toBeLessThan(5);
      expect(s.step(x, opts)).toBe(r0); // the same result object, holding the caller's arrays
      expect(r0.output).toBe(opts.out.output);
      s.dispose();
      layer.dispose();
    }
  });

  it("bad input is named and leaves the state unchanged; a bidirectional layer cannot stream", () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, seed: 2 });
    const s = gru.stream({ batch: 2 });
    s.step(Float32Array.of(1, 2, 3, 4));
    const before = s.state().h;
    const cases: [() => unknown, string][] = [[() => s.step(new Float32Array(3)),
      "GRU.stream.step: x must have 4 elements [batch=2, steps=1, inputSize=2], got 3"], [
      () => s.step(new Float32Array(8), { steps: 0 }),
      "GRU.stream.step: steps must be an integer in 1..1048576, got 0",
    ], [() => s.step(Float32Array.of(1, NaN, 3, 4)), "GRU.stream.step: x[1] is NaN; it must be finite"], [
      () => s.step(new Float32Array(4), { out: { output: new Float32Array(5) } }),
      "GRU.stream.step: out.output must have 6 elements [batch=2, steps=1, hidden=3], got 5",
    ], [() => s.step(new Float32Array(4), { out: { cN: new Float32Array(6) } } as any),
      'GRU.stream.step: unknown option "out.cN"'], [() => s.reset({ h0: new Float32Array(5) }),
      "GRU.stream.reset: h0 must have 6 elements [numLayers=1, batch=2, hidden=3], got 5"], [
      () => gru.stream({ batch: 0 }),
      "GRU.stream: batch must be an integer in 1..1048576, got 0",
    ], [() => gru.stream({ c0: new Float32Array(3) } as any), 'GRU.stream: unknown option "c0"']];
    for (const [f, msg] of cases) expect(f).toThrow(msg);
    expect(bits(s.state().h)).toEqual(bits(before));
    const bi = new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true });
    expect(() => bi.stream()).toThrow(TypeError);
    expect(() => bi.stream()).toThrow("LSTM.stream: a bidirectional layer cannot stream");
    gru.dispose();
    expect(() => s.step(new Float32Array(4))).toThrow("GRU.stream.step: ");
    s.dispose();
    bi.dispose();
  });
});

describe("model.stream: the readout at every step", () => {
  for (const cell of ["rnn", "lstm", "gru"]) {
    for (const initialState of ["zeros", "learned", { perClass: 3 }] as const) {
      it(`${cell}, initialState ${JSON.stringify(initialState)}: bitwise what predict() gives per step (readout "sequence"); the last step of a readout-"last" model is its prediction`, () => {
        const I = 4, H = 6, O = 3, B = 3, T = 11, rng = new Rng(5);
        for (const readout of ["sequence", "last"] as const) {
          const m = new Model({ cell, inputSize: I, hiddenSize: H, numLayers: 2, outputSize: O, readout, initialState,
            seed: 4 });
          // learned initial states start at zero: give them values
          const sd = m.stateDict();
          for (const k of Object.keys(sd)) if (k === "h0" || k === "c0") sd[k] = normals(sd[k].length, rng);
          m.loadStateDict(sd);
          const xs = Array.from({ length: B }, () => normals(T * I, rng));
          const classes = Int32Array.of(2, 0, 1);
          const per = typeof initialState === "object";
          const pred = m.predict(xs, per ? { classes } : {});
          const s = m.stream({ batch: B, ...(per ? { classes } : {}) });
          const got: number[][] = Array.from({ length: B }, () => []);
          let t = 0;
          while (t < T) {
            const k = Math.min(T - t, 1 + rng.int(4)), x = new Float32Array(B * k * I);
            for (let b = 0; b < B; b++) x.set(xs[b].subarray(t * I, (t + k) * I), b * k * I);
            const r = s.step(x, { steps: k });
            for (let b = 0; b < B; b++) got[b].push(...bits(r.output.subarray(b * k * O, (b + 1) * k * O)));
            t += k;
          }
          if (readout === "sequence") (pred as Float32Array[]).forEach((p, b) => expect(got[b]).toEqual(bits(p)));
          else {
            for (let b = 0; b < B; b++) {
              expect(got[b].slice(-O)).toEqual(bits((pred as Float32Array).subarray(b * O, (b + 1) * O)));
            }
          }
          // reset: back to the model's initial state, the same outputs again
          s.reset();
          const x0 = new Float32Array(B * I);
          for (let b = 0; b < B; b++) x0.set(xs[b].subarray(0, I), b * I);
          const again = s.step(x0).output;
          for (let b = 0; b < B; b++) expect(bits(again.subarray(b * O, (b + 1) * O))).toEqual(got[b].slice(0, O));
          s.dispose();
          m.dispose();
        }
      });
    }
  }
  it("refuses what it cannot stream, naming why", () => {
    const bi = new Model({ cell: "gru", inputSize: 2, hiddenSize: 3, outputSize: 1, bidirectional: true });
    expect(() => bi.stream()).toThrow("Model.stream: a bidirectional model cannot stream");
    const gap = new Model({ cell: "gru", inputSize: 2, hiddenSize: 3, outputSize: 1, timeGap: true });
    expect(() => gap.stream()).toThrow(
      "Model.stream: timeGap models read data.times or data.mask, which stream steps do not take yet; use predict()",
    );
    const per = new Model({ cell: "gru", inputSize: 2, hiddenSize: 3, outputSize: 1, initialState: { perClass: 2 } });
    expect(() => per.stream({ batch: 2 })).toThrow(
      "Model.stream: initialState { perClass: 2 } needs classes, an Int32Array of 2 class ids",
    );
    expect(() => per.stream({ batch: 1, classes: Int32Array.of(2) })).toThrow(
      "Model.stream: classes[0] is 2; class ids must be in 0..1",
    );
    const s = per.stream({ batch: 1, classes: Int32Array.of(1) });
    expect(() => s.step(new Float32Array(3))).toThrow(
      "Model.stream.step: x must have 2 elements [batch=1, steps=1, inputSize=2], got 3",
    );
    per.dispose();
    expect(() => s.step(new Float32Array(2))).toThrow("Model.stream.step: ");
    s.dispose();
    bi.dispose();
    gap.dispose();
  });
});

describe("trainBatch({ state }): the state carried across batches (truncated BPTT over long streams)", () => {
  for (const cell of ["rnn", "lstm", "gru"]) {
    it(`${cell}: chunks of a stream, state carried, end where one forward over the whole stream ends (bitwise); bad state is named`, async () => {
      const { SGD } = await import("../../dist/index.js");
      const I = 3, H = 5, O = 4, B = 2, T = 24, k = 6, rng = new Rng(4);
      const m = new Model({ cell, inputSize: I, hiddenSize: H, numLayers: 2, outputSize: O, readout: "sequence",
        loss: "crossentropy", seed: 2 });
      const xs = Array.from({ length: B }, () => normals(T * I, rng)),
        ys = Array.from({ length: B }, () => Int32Array.from({ length: T }, () => rng.int(O)));
      // a step too small to move any weight in f32 (checked below): the states stay comparable
      const sgd = new SGD({ learningRate: 1e-30 });
      const w0 = m.stateDict();
      const state = { h: new Float32Array(2 * B * H), ...(cell === "lstm" ? { c: new Float32Array(2 * B * H) } : {}) };
      for (let t = 0; t < T; t += k) {
        const r = m.trainBatch({ x: xs.map((x) => x.slice(t * I, (t + k) * I)), y: ys.map((y) => y.slice(t, t + k)) },
          sgd, { state });
        expect(Number.isFinite(r.loss)).toBe(true);
      }
      const x = new Float32Array(B * T * I);
      xs.forEach((v, b) => x.set(v, b * T * I));
      for (const [name, v] of Object.entries(m.stateDict())) expect(bits(v), name).toEqual(bits(w0[name]));
      const full = m.rnn.forward(x, { batch: B, steps: T });
      expect(bits(state.h)).toEqual(bits(full.hN));
      if (cell === "lstm") expect(bits(state.c!)).toEqual(bits(full.cN!));
      const before = state.h.slice();
      const chunk = { x: xs.map((v) => v.slice(0, k * I)), y: ys.map((y) => y.slice(0, k)) };
      expect(() => m.trainBatch(chunk, sgd, { state: { h: new Float32Array(3) } as any })).toThrow(
        `Model.trainBatch: state.h must have ${2 * B * H} elements [layers*directions=2, batch=2, hidden=5], got 3`,
      );
      expect(bits(state.h)).toEqual(bits(before));
      m.dispose();
      const learned = new Model({ cell, inputSize: I, hiddenSize: H, outputSize: O, initialState: "learned" });
      expect(() =>
        learned.trainBatch({ x: [normals(I, rng)], y: Float32Array.of(0, 0, 0, 0) }, sgd, {
          state: { h: new Float32Array(H) },
        })
      ).toThrow(
        'Model.trainBatch: state replaces the initial state, so the model\'s initialState must be "zeros", got "learned"',
      );
      learned.dispose();
    });
  }
});

describe("streams reuse their packed weights only while the parameters are unchanged", () => {
  for (const cell of ["rnn", "lstm", "gru"]) {
    it(`${cell}: after loadStateDict, resetParameters or an optimizer step, the next step uses the new weights (recurrent and readout)`, async () => {
      const { Adam } = await import("../../dist/index.js");
      const I = 4, H = 6, rng = new Rng(12);
      const m = new Model({ cell, inputSize: I, hiddenSize: H, outputSize: 2, readout: "sequence", seed: 3 });
      const s = m.stream(), x = normals(I, rng);
      for (let i = 0; i < 3; i++) s.step(x); // packed from the second step on (fresh streams: packed on their first)
      /** The stream's next step against fresh streams (which pack) from the same state. */
      const nextStepIsFresh = () => {
        const st = s.state(), init = { h0: st.h, ...(st.c ? { c0: st.c } : {}) };
        const ref = m.rnn.stream(init), mref = m.stream();
        mref.reset(init);
        const r = ref.step(x), mr = mref.step(x), g = s.step(x);
        ref.dispose();
        mref.dispose();
        expect(bits(g.output)).toEqual(bits(mr.output)); // the readout: its Wᵀ transposed anew
        expect(bits(g.hN)).toEqual(bits(r.hN));
        return g;
      };
      // 1. loadStateDict: the next step differs from what the old weights would give
      const st0 = s.state(), old = m.rnn.stream({ h0: st0.h, ...(st0.c ? { c0: st0.c } : {}) });
      const withOld = old.step(x).hN;
      old.dispose();
      const sd = m.stateDict();
      for (const k of Object.keys(sd)) if (k.startsWith("rnn.")) sd[k] = sd[k].map((v) => v * 0.5);
      m.loadStateDict(sd);
      expect(bits(nextStepIsFresh().hN)).not.toEqual(bits(withOld));
      // 2. an optimizer step through the model
      const adam = new Adam({ learningRate: 0.1 });
      m.trainBatch({ x: [normals(3 * I, rng)], y: [normals(6, rng)] }, adam);
      nextStepIsFresh();
      // 3. resetParameters on the layer itself
      m.rnn.resetParameters(99);
      nextStepIsFresh();
      s.dispose();
      m.dispose();
    });
  }
});

describe("forward() and predict() reuse their packed weights only while the parameters are unchanged", () => {
  for (const cell of ["rnn", "lstm", "gru"]) {
    it(`${cell}: a layer's forward after loadStateDict, resetParameters or an optimizer step equals a fresh layer's; so does a model's predict after training`, async () => {
      const { Adam } = await import("../../dist/index.js");
      const I = 4, H = 6, T = 5, rng = new Rng(21);
      const layer = make(cell, { inputSize: I, hiddenSize: H, seed: 3 });
      const x = normals(T * I, rng), opts = { batch: 1, steps: T };
      /** This layer's forward (which may reuse what it packed) against a fresh layer's (which packs). */
      const forwardIsFresh = () => {
        const fresh = make(cell, { inputSize: I, hiddenSize: H });
        fresh.loadStateDict(layer.stateDict());
        const want = fresh.forward(x, opts), got = layer.forward(x, opts);
        fresh.dispose();
        expect(bits(got.output)).toEqual(bits(want.output));
        expect(bits(got.hN)).toEqual(bits(want.hN));
        return got.hN;
      };
      const before = forwardIsFresh();
      expect(bits(forwardIsFresh())).toEqual(bits(before)); // reused: the same bits
      const sd = layer.stateDict();
      for (const k of Object.keys(sd)) sd[k] = sd[k].map((v) => v * 0.5);
      layer.loadStateDict(sd);
      expect(bits(forwardIsFresh())).not.toEqual(bits(before));
      layer.resetParameters(77);
      forwardIsFresh();
      const adam = new Adam({ learningRate: 0.1 });
      layer.forward(x, opts);
      layer.backward({ output: normals(T * H, rng) });
      adam.step(layer);
      forwardIsFresh();
      adam.dispose?.();
      layer.dispose();

      const m = new Model({ cell, inputSize: I, hiddenSize: H, outputSize: 2, readout: "sequence", seed: 3 });
      const data = { x: [normals(T * I, rng)] };
      const p0 = m.predict(data.x), again = m.predict(data.x);
      expect(bits(again[0] as Float32Array)).toEqual(bits(p0[0] as Float32Array));
      m.trainBatch({ x: data.x, y: [normals(2 * T, rng)] }, adam);
      const fresh = new Model({ cell, inputSize: I, hiddenSize: H, outputSize: 2, readout: "sequence" });
      fresh.loadStateDict(m.stateDict());
      const p1 = m.predict(data.x);
      expect(bits(p1[0] as Float32Array)).toEqual(bits(fresh.predict(data.x)[0] as Float32Array));
      expect(bits(p1[0] as Float32Array)).not.toEqual(bits(p0[0] as Float32Array));
      m.dispose();
      fresh.dispose();
    });
  }
});
