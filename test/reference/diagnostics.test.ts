// Gradient-flow diagnostics against independent references:
// - per-step ∂L/∂h_t (backward({ stateGrads: true })) against PyTorch's h_t.grad from a step-by-step
//   unrolled model (test/fixtures/diagnostics.json), full and truncated BPTT, all three cells;
// - Jacobian products ∂h_T/∂h_t against torch.autograd.functional.jacobian and against central
//   finite differences of our own forward pass;
// - singular values against torch.linalg.svdvals, eigenvalues against torch.linalg.eigvals,
//   the sign-corrected QR against torch.linalg.qr.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, RNN, LSTM, GRU, Model, singularValues, eigenvalues, spectralRadius, jacobianProducts,
  weightSpectrum } from "../../dist/index.js";
import { core } from "../../dist/core.js";
import { expectClose, lcg, f32of } from "../helpers";

const fx = JSON.parse(readFileSync(new URL("../fixtures/diagnostics.json", import.meta.url), "utf8"));
const F32 = (a: number[]) => Float32Array.from(a);

beforeAll(async () => {
  await init();
});

function build(cs: any) {
  const base = { inputSize: cs.I, hiddenSize: cs.H, numLayers: cs.numLayers ?? 1,
    bidirectional: cs.bidirectional ?? false };
  const layer = cs.mode === "lstm" ? new LSTM(base) : cs.mode === "gru" ? new GRU(base) : new RNN(base);
  const sd: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(cs.params)) sd[k] = F32(v as number[]);
  layer.loadStateDict(sd);
  return layer;
}

describe("per-step state gradients ∂L/∂h_t (backward with stateGrads) vs PyTorch h_t.grad", () => {
  for (const cs of fx.stateGrads) {
    it(`${cs.name}: dh [L·D,T,B,H] and stepNorms`, () => {
      const layer = build(cs);
      const lstm = cs.mode === "lstm";
      const opts: any = { batch: cs.B, steps: cs.T, lengths: Int32Array.from(cs.lengths), h0: F32(cs.h0) };
      if (lstm) opts.c0 = F32(cs.c0);
      layer.forward(F32(cs.x), opts);
      const g: any = { output: F32(cs.gOutput), hN: F32(cs.gHN) };
      if (lstm) g.cN = F32(cs.gCN);
      const d = layer.backward(g, { truncate: cs.truncate, stateGrads: true });
      expectClose(`${cs.name} dh`, d.dh!, cs.dh, 1e-4, 1e-3);
      // the gradients themselves are unchanged by recording
      expectClose(`${cs.name} dx`, d.x, cs.dx, 1e-4, 1e-3);
      // stepNorms = ‖dh[ld, t, :, :]‖ (f64 from the PyTorch values)
      const LD = cs.numLayers * (cs.bidirectional ? 2 : 1), BH = cs.B * cs.H;
      const want = Array.from({ length: LD * cs.T }, (_, r) => Math.hypot(...cs.dh.slice(r * BH, (r + 1) * BH)));
      expectClose(`${cs.name} stepNorms`, d.stepNorms!, want, 1e-4, 1e-3);
      layer.dispose();
    });
  }

  it("truncated BPTT(k): ∂L/∂h_t is exactly zero more than k steps before the end with a loss on h_n only", () => {
    const rnd = lcg(3);
    const rnn = new RNN({ inputSize: 2, hiddenSize: 5, seed: 4 });
    const T = 30, k = 7;
    rnn.forward(f32of(T * 2, rnd), { batch: 1, steps: T });
    const d = rnn.backward({ hN: f32of(5, rnd) }, { truncate: k, stateGrads: true });
    for (let t = 0; t < T; t++) {
      if (t < T - k) expect(d.stepNorms![t], `t=${t}`).toBe(0);
      else expect(d.stepNorms![t], `t=${t}`).toBeGreaterThan(0);
    }
    rnn.dispose();
  });
});

describe("Jacobian products ∂h_T/∂h_t", () => {
  for (const cs of fx.jacobian) {
    it(`${cs.mode}: against torch.autograd.functional.jacobian (c_t fixed for LSTM)`, () => {
      const layer = build(cs);
      const o: any = { steps: cs.T, h0: F32(cs.h0) };
      if (cs.mode === "lstm") o.c0 = F32(cs.c0);
      const r = jacobianProducts(layer, F32(cs.x), o);
      expectClose(`${cs.mode} products`, r.products, cs.jac, 1e-5, 1e-4);
      // singular values of each product against a direct SVD of the reference products
      for (let t = 0; t < cs.T; t++) {
        const want = singularValues(F32(cs.jac.slice(t * cs.H * cs.H, (t + 1) * cs.H * cs.H)), cs.H, cs.H);
        expectClose(`${cs.mode} σ(P_${t})`, r.singularValues!.subarray(t * r.k, (t + 1) * r.k), want, 1e-5, 1e-4);
      }
      layer.dispose();
    });
  }

  it("equal central finite differences of the forward pass from a perturbed h_t (Elman, GRU, LSTM)", () => {
    const rnd = lcg(11);
    const I = 3, H = 4, T = 7;
    for (const mode of ["rnn", "gru", "lstm"] as const) {
      const opts = { inputSize: I, hiddenSize: H, seed: 6 };
      const one = mode === "lstm" ? new LSTM(opts) : mode === "gru" ? new GRU(opts) : new RNN(opts);
      const x = f32of(T * I, rnd, 2);
      const r = jacobianProducts(one, x, { steps: T, singularValues: false });
      const full = one.forward(x, { batch: 1, steps: T });
      for (let t = 0; t < T; t++) {
        // h_t (and c_t) from the prefix; then run the suffix x[t+1..T−1] from h_t ± ε e_j
        const pre: any = one.forward(x.slice(0, (t + 1) * I), { batch: 1, steps: t + 1 });
        const ht = full.output.slice(t * H, (t + 1) * H);
        const S = T - 1 - t, eps = 1e-2;
        const fd = new Float64Array(H * H);
        for (let j = 0; j < H; j++) {
          if (S === 0) {
            fd[j * H + j] = 1;
            continue;
          }
          const hp = ht.slice(), hm = ht.slice();
          hp[j] += eps;
          hm[j] -= eps;
          const op: any = { batch: 1, steps: S, h0: hp }, om: any = { batch: 1, steps: S, h0: hm };
          if (mode === "lstm") {
            op.c0 = pre.cN;
            om.c0 = pre.cN;
          }
          const yp = one.forward(x.slice((t + 1) * I), op).hN, ym = one.forward(x.slice((t + 1) * I), om).hN;
          for (let i = 0; i < H; i++) fd[i * H + j] = (yp[i] - ym[i]) / (2 * eps);
        }
        expectClose(`${mode} FD P_${t}`, r.products.subarray(t * H * H, (t + 1) * H * H), fd, 2e-3, 2e-2);
      }
      one.dispose();
    }
  });

  it("layer 1, reverse direction of a stacked bidirectional GRU = a one-layer GRU with those weights on the layer-0 outputs reversed in time", () => {
    const rnd = lcg(12);
    const I = 3, H = 4, T = 6;
    const stack = new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, seed: 8 });
    const x = f32of(T * I, rnd, 2);
    const r = jacobianProducts(stack, x, { steps: T, layer: 1, direction: 1, singularValues: false });
    const sd = stack.stateDict();
    const bottom = new GRU({ inputSize: I, hiddenSize: H, bidirectional: true });
    bottom.loadStateDict(Object.fromEntries(Object.entries(sd).filter(([k]) => k.includes("_l0"))));
    const y0 = bottom.forward(x, { batch: 1, steps: T }).output; // [T, 2H]
    const rev = new Float32Array(T * 2 * H);
    for (let t = 0; t < T; t++) rev.set(y0.subarray(t * 2 * H, (t + 1) * 2 * H), (T - 1 - t) * 2 * H);
    const top = new GRU({ inputSize: 2 * H, hiddenSize: H });
    top.loadStateDict(
      Object.fromEntries(
        ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map((n) => [`${n}_l0`, sd[`${n}_l1_reverse`]]),
      ),
    );
    const q = jacobianProducts(top, rev, { steps: T, singularValues: false });
    for (let t = 0; t < T; t++) {
      expectClose(`P_${t}`, r.products.subarray(t * H * H, (t + 1) * H * H),
        q.products.subarray((T - 1 - t) * H * H, (T - t) * H * H), 1e-6, 1e-5);
    }
    stack.dispose();
    bottom.dispose();
    top.dispose();
  });

  it("leaves the layer's accumulated gradients unchanged", () => {
    const rnd = lcg(2);
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, seed: 1 });
    gru.forward(f32of(10, rnd), { batch: 1, steps: 5 });
    gru.backward({ hN: f32of(3, rnd) });
    const before = gru.grads();
    jacobianProducts(gru, f32of(8, rnd), { steps: 4 });
    const after = gru.grads();
    for (const k of Object.keys(before)) expect(Array.from(after[k])).toEqual(Array.from(before[k]));
    gru.dispose();
  });

  it("rejects bad arguments naming them", () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3 });
    expect(() => jacobianProducts(rnn, new Float32Array(5), { steps: 3 })).toThrow(/x must have 6 elements/);
    expect(() => jacobianProducts(rnn, new Float32Array(6), { steps: 3, layer: 1 })).toThrow(
      /options.layer must be an integer in 0..0, got 1/,
    );
    expect(() => jacobianProducts(rnn, new Float32Array(6), { steps: 3, c0: new Float32Array(3) })).toThrow(
      /c0 applies only to LSTM/,
    );
    rnn.dispose();
  });
});

/** Match eigenvalues greedily by distance in the complex plane; returns the worst distance. */
function eigDistance(re: ArrayLike<number>, im: ArrayLike<number>, wre: number[], wim: number[]): number {
  const used = new Array(wre.length).fill(false);
  let worst = 0;
  for (let i = 0; i < re.length; i++) {
    let best = Infinity, bj = -1;
    for (let j = 0; j < wre.length; j++) {
      if (used[j]) continue;
      const dd = Math.hypot(re[i] - wre[j], im[i] - wim[j]);
      if (dd < best) {
        best = dd;
        bj = j;
      }
    }
    used[bj] = true;
    worst = Math.max(worst, best);
  }
  return worst;
}

describe("dense linear algebra in the core vs torch.linalg (f64 on the same f32 matrices)", () => {
  it("singular values (one-sided Jacobi): all of them, relative to σ_max within 1e-6", () => {
    for (const c of fx.svd) {
      const s = singularValues(F32(c.a), c.M, c.N);
      expectClose(`svd ${c.M}x${c.N}`, s, c.s.map((v: number) => v), 1e-6 * c.s[0], 0);
    }
  });

  it("top-k singular values by subspace iteration", () => {
    for (const c of fx.svd.filter((c: any) => Math.min(c.M, c.N) >= 17)) {
      const s = singularValues(F32(c.a), c.M, c.N, { topK: 3, iterations: 200 });
      expectClose(`top-3 ${c.M}x${c.N}`, s, c.s.slice(0, 3), 1e-5 * c.s[0], 0);
    }
  });

  it("eigenvalues (Hessenberg + Francis QR) and the spectral radius, incl. an orthogonal matrix", () => {
    for (const c of fx.eig) {
      const { re, im } = eigenvalues(F32(c.a), c.n);
      const scale = Math.max(...c.re.map((r: number, i: number) => Math.hypot(r, c.im[i])));
      expect(eigDistance(re, im, c.re, c.im), `eig n=${c.n}`).toBeLessThan(1e-5 * scale);
      expect(Math.abs(spectralRadius(F32(c.a), c.n) - scale)).toBeLessThan(1e-6 * scale);
    }
  });

  it("sign-corrected Householder QR equals torch.linalg.qr with Q·sign(diag R)", () => {
    const c = core();
    for (const q of fx.qr) {
      const p = c.alloc(4 * q.M * q.N), work = c.alloc(4 * c.qr_work_floats(q.M, q.N));
      new Float32Array(c.memory.buffer, p, q.M * q.N).set(F32(q.a));
      c.qr_orthogonal(q.M, q.N, p, 1, work);
      expectClose(`Q ${q.M}x${q.N}`, new Float32Array(c.memory.buffer, p, q.M * q.N), q.q, 2e-6, 0);
      c.free(p);
      c.free(work);
    }
  });

  it("weightSpectrum: per gate block of W_hh, singular values and spectral radius", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 6, seed: 3 });
    const spec = weightSpectrum(lstm);
    expect(spec.map((s) => s.gate)).toEqual(["i", "f", "g", "o"]);
    const W = lstm.stateDict().weight_hh_l0; // [4H, H]: gate f is rows H..2H−1
    const f = W.subarray(36, 72);
    expectClose("σ(W_hf)", spec[1].singularValues, singularValues(f, 6, 6), 0, 0);
    expect(spec[1].spectralRadius).toBe(spectralRadius(f, 6));
    lstm.dispose();
  });
});

describe("Model.gradientFlow", () => {
  it("gives per-step norms equal to the layer's own stateGrads for the same loss", () => {
    const rnd = lcg(5);
    const T = 6, N = 4;
    const x = Array.from({ length: N }, () => f32of(T * 2, rnd));
    const y = f32of(N, rnd);
    const m = new Model({ inputSize: 2, hiddenSize: 5, outputSize: 1, seed: 2 });
    const g = m.gradientFlow({ x, y });
    expect(g.stepNorms.length).toBe(T);
    expect(g.seqNorms.length).toBe(T * N);
    // the same loss by hand: MSE = mean (W h_T + b − y)², so ∂L/∂h_T = 2/N (pred − y) W
    const sd = m.stateDict(), pred = m.predict(x) as Float32Array;
    const rnn = new RNN({ inputSize: 2, hiddenSize: 5 });
    rnn.loadStateDict(
      Object.fromEntries(Object.entries(sd).filter(([k]) => k.startsWith("rnn.")).map(([k, v]) => [k.slice(4), v])),
    );
    const xb = new Float32Array(N * T * 2);
    x.forEach((xi, i) => xb.set(xi, i * T * 2));
    rnn.forward(xb, { batch: N, steps: T });
    const gH = new Float32Array(N * 5);
    for (let b = 0; b < N; b++) {
      for (let j = 0; j < 5; j++) gH[b * 5 + j] = (2 / N) * (pred[b] - y[b]) * sd["readout.weight"][j];
    }
    const d = rnn.backward({ hN: gH }, { stateGrads: true });
    expectClose("Model.gradientFlow dh", g.dh, d.dh!, 1e-6, 1e-4);
    expectClose("Model.gradientFlow stepNorms", g.stepNorms, d.stepNorms!, 1e-6, 1e-4);
    rnn.dispose();
    // the loss on the last state reaches every step; the norms are finite and positive
    for (let t = 0; t < T; t++) expect(g.stepNorms[t]).toBeGreaterThan(0);
    // with truncate: 2, steps before the last two get exactly zero
    const g2 = m.gradientFlow({ x, y }, { truncate: 2 });
    for (let t = 0; t < T; t++) expect(g2.stepNorms[t] === 0, `t=${t}`).toBe(t < T - 2);
    // per-sequence norms combine to the batch norm
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let b = 0; b < N; b++) s += g.seqNorms[t * N + b] ** 2;
      expect(Math.abs(Math.sqrt(s) - g.stepNorms[t])).toBeLessThan(1e-6 * g.stepNorms[t]);
    }
    m.dispose();
  });
});

describe("clipping statistics in fit", () => {
  it("onBatchEnd gets the pre-clip global norm and whether it was clipped; the history counts clipped batches", async () => {
    const rnd = lcg(8);
    const N = 12, T = 5;
    const data = { x: Array.from({ length: N }, () => f32of(T, rnd, 2)), y: f32of(N, rnd) };
    const m = new Model({ inputSize: 1, hiddenSize: 6, outputSize: 1, seed: 1 });
    // the first batch's norm, computed independently (no shuffle: batch 0 = sequences 0..3)
    const first = { x: data.x.slice(0, 4), y: data.y.slice(0, 4) };
    m.computeGradients(first);
    const g = Object.values(m.grads()).reduce((s, v) => s + v.reduce((a, x) => a + x * x, 0), 0);
    const seen: { gradNorm?: number; clipped?: boolean }[] = [];
    const h = await m.fit(data, { epochs: 2, batchSize: 4, shuffle: false, clipNorm: 1e-3, learningRate: 0.01,
      onBatchEnd: (_b, logs) => {
        seen.push(logs);
      } });
    expect(seen.length).toBe(6);
    expect(Math.abs(seen[0].gradNorm! - Math.sqrt(g))).toBeLessThan(1e-5 * Math.sqrt(g));
    expect(seen.every((l) => l.clipped === true)).toBe(true);
    expect(h.clippedBatches).toEqual([3, 3]);
    expect(h.gradNormMax[0]).toBe(Math.max(...seen.slice(0, 3).map((l) => l.gradNorm!)));
    const h2 = await m.fit(data, { epochs: 1, batchSize: 4, clipNorm: 1e6 });
    expect(h2.clippedBatches).toEqual([0]);
    const h3 = await m.fit(data, { epochs: 1, batchSize: 4 }); // no clipping: norms still reported
    expect(h3.gradNorm[0]).toBeGreaterThan(0);
    expect(h3.clippedBatches).toEqual([0]);
    m.dispose();
  });
});
