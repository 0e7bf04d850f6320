// CategoricalHMM against brute-force enumeration of every state path on tiny models (score,
// posteriors, Viterbi path and log-probability, one exact Baum–Welch step), a float64 log-space
// forward pass on a sequence of 10⁵ steps, EM's monotonicity, sampling against the stationary law,
// and bad input.
import { beforeAll, describe, expect, it } from "vitest";
import { init, CategoricalHMM, GaussianHMM, Rng } from "../../dist/index.js";
import { readFileSync } from "node:fs";
import { expectClose } from "../helpers";

beforeAll(async () => {
  await init();
});

/** A random row-stochastic [rows, cols], rows strictly positive. */
function stoch(rng: InstanceType<typeof Rng>, rows: number, cols: number): Float64Array {
  const a = Float64Array.from({ length: rows * cols }, () => 0.05 + rng.uniform());
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += a[r * cols + c];
    for (let c = 0; c < cols; c++) a[r * cols + c] /= s;
  }
  return a;
}

/** Brute force over every state path of each sequence (concatenated, lengths lens): the total
 *  log-likelihood, the best path and its log-probability, posteriors [N, K], the first-step and
 *  transition posteriors, and onStep(w, k, t) for every step of every path (w: the path's
 *  posterior weight). dens(k, t): the emission density of global step t in state k. */
function bruteForce(K: number, lens: readonly number[], start: Float64Array, trans: Float64Array,
  dens: (k: number, t: number) => number, onStep: (w: number, k: number, t: number) => void) {
  const N = lens.reduce((a, b) => a + b, 0);
  let score = 0, vit = 0, t0 = 0;
  const best: number[] = [], post = new Float64Array(N * K), first = new Float64Array(K), xi = new Float64Array(K * K);
  for (const T of lens) {
    const all: { z: number[]; pr: number }[] = [];
    for (let n = 0; n < K ** T; n++) {
      const z = Array.from({ length: T }, (_, t) => Math.floor(n / K ** t) % K);
      let pr = start[z[0]] * dens(z[0], t0);
      for (let t = 1; t < T; t++) pr *= trans[z[t - 1] * K + z[t]] * dens(z[t], t0 + t);
      all.push({ z, pr });
    }
    const Z = all.reduce((a, q) => a + q.pr, 0);
    score += Math.log(Z);
    let top = all[0];
    for (const q of all) if (q.pr > top.pr) top = q;
    vit += Math.log(top.pr);
    best.push(...top.z);
    for (const q of all) {
      const w = q.pr / Z;
      first[q.z[0]] += w;
      q.z.forEach((k, t) => {
        post[(t0 + t) * K + k] += w;
        onStep(w, k, t0 + t);
        if (t > 0) xi[q.z[t - 1] * K + k] += w;
      });
    }
    t0 += T;
  }
  return { score, vit, best, post, first, xi };
}

describe("CategoricalHMM against brute force (every state path of tiny models)", () => {
  for (const [K, M, lens] of [[2, 3, [1, 3, 4]], [3, 2, [5, 2]], [3, 4, [6]]] as const) {
    it(`K = ${K}, M = ${M}, lengths ${lens.join(", ")}: score, posteriors, Viterbi, one Baum–Welch step`, () => {
      const rng = new Rng(K * 10 + M);
      const p = { startprob: stoch(rng, 1, K), transmat: stoch(rng, K, K), emissionprob: stoch(rng, K, M) };
      const N = lens.reduce((a, b) => a + b, 0);
      const X = Int32Array.from({ length: N }, () => rng.int(M)), L = Int32Array.from(lens);
      const hmm = new CategoricalHMM({ nComponents: K, nFeatures: M, nIter: 1 });
      hmm.setParams(p);
      // brute force per sequence
      const counts = new Float64Array(K * M);
      const { score, vit, best, post, first, xi } = bruteForce(K, lens, p.startprob, p.transmat,
        (k, t) => p.emissionprob[k * M + X[t]], (w, k, t) => {
        counts[k * M + X[t]] += w;
      });
      expect(Math.abs(hmm.score(X, L) - score)).toBeLessThan(1e-12 * Math.abs(score) + 1e-12);
      expectClose("posteriors", hmm.predictProba(X, L), post, 1e-12, 1e-10);
      const d = hmm.decode(X, L);
      expect(Array.from(d.states)).toEqual(best);
      expect(Math.abs(d.logProb - vit)).toBeLessThan(1e-12 * Math.abs(vit));
      // one EM iteration: the M-step normalizes the brute-force expected counts
      const r = hmm.fit(X, L, { initParams: "" });
      expect(r.iterations).toBe(1);
      expect(Math.abs(r.logLikelihood[0] - score)).toBeLessThan(1e-12 * Math.abs(score));
      const norm = (a: Float64Array, rows: number, cols: number) => {
        const o = a.slice();
        for (let i = 0; i < rows; i++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += a[i * cols + j];
          for (let j = 0; j < cols; j++) o[i * cols + j] /= s;
        }
        return o;
      };
      const q = hmm.params();
      expectClose("startprob", q.startprob, norm(first, 1, K), 1e-12, 1e-10);
      expectClose("transmat", q.transmat, norm(xi, K, K), 1e-12, 1e-10);
      expectClose("emissionprob", q.emissionprob, norm(counts, K, M), 1e-12, 1e-10);
      // the same step with Dirichlet priors (hmmlearn's MAP M-step): prior − 1 added to every
      // expected count, clipped at 0 (a prior below 1 can zero a rare entry)
      const priors = { startprobPrior: 2.5, transmatPrior: 1.5, emissionprobPrior: 0.9 };
      const map = new CategoricalHMM({ nComponents: K, nFeatures: M, nIter: 1, ...priors });
      map.setParams(p);
      map.fit(X, L, { initParams: "" });
      const plus = (a: Float64Array, c: number) => a.map((v) => Math.max(v + c, 0));
      const m = map.params();
      expectClose("startprob (prior 2.5)", m.startprob, norm(plus(first, 1.5), 1, K), 1e-12, 1e-10);
      expectClose("transmat (prior 1.5)", m.transmat, norm(plus(xi, 0.5), K, K), 1e-12, 1e-10);
      expectClose("emissionprob (prior 0.9)", m.emissionprob, norm(plus(counts, -0.1), K, M), 1e-12, 1e-10);
      expect(map.config).toMatchObject(priors);
      hmm.dispose();
      map.dispose();
    });
  }
  it("priors must be positive", () => {
    expect(() => new CategoricalHMM({ nComponents: 2, nFeatures: 2, emissionprobPrior: 0 })).toThrow(
      "CategoricalHMM: emissionprobPrior must be a finite number > 0, got 0",
    );
    expect(() => new GaussianHMM({ nComponents: 2, nFeatures: 2, transmatPrior: -1 })).toThrow(
      "GaussianHMM: transmatPrior must be a finite number > 0, got -1",
    );
  });
});

describe("CategoricalHMM at scale and in EM", () => {
  it("10⁵ steps: no underflow; the score equals a float64 log-space forward pass", () => {
    const K = 4, M = 6, rng = new Rng(3);
    const hmm = new CategoricalHMM({ nComponents: K, nFeatures: M, seed: 1 });
    const p = { startprob: stoch(rng, 1, K), transmat: stoch(rng, K, K), emissionprob: stoch(rng, K, M) };
    hmm.setParams(p);
    const { X } = hmm.sample(100_000, { seed: 2 });
    // log-space forward in JS
    const lse = (a: number[]) => {
      const m = Math.max(...a);
      return m + Math.log(a.reduce((s, v) => s + Math.exp(v - m), 0));
    };
    let la = Array.from({ length: K }, (_, k) => Math.log(p.startprob[k]) + Math.log(p.emissionprob[k * M + X[0]]));
    for (let t = 1; t < X.length; t++) {
      la = Array.from({ length: K },
        (_, j) => lse(la.map((v, i) => v + Math.log(p.transmat[i * K + j]))) + Math.log(p.emissionprob[j * M + X[t]]));
    }
    const want = lse(la), got = hmm.score(X);
    expect(want).toBeLessThan(-1e5 * 0.5); // far below what exp() can represent
    expect(Math.abs(got - want)).toBeLessThan(1e-9 * Math.abs(want));
    hmm.dispose();
  });

  it("EM never lowers the likelihood, and stops when it rises by less than tol", () => {
    const truth = new CategoricalHMM({ nComponents: 3, nFeatures: 5 }), rng = new Rng(9);
    truth.setParams({ startprob: stoch(rng, 1, 3), transmat: stoch(rng, 3, 3), emissionprob: stoch(rng, 3, 5) });
    const parts = Array.from({ length: 20 }, (_, i) => truth.sample(30 + i, { seed: 100 + i }).X);
    const X = Int32Array.from(parts.flatMap((a) => Array.from(a))), L = Int32Array.from(parts.map((a) => a.length));
    for (const seed of [1, 2, 3]) {
      const hmm = new CategoricalHMM({ nComponents: 4, nFeatures: 5, nIter: 200, tol: 1e-6, seed });
      const r = hmm.fit(X, L);
      for (let i = 1; i < r.logLikelihood.length; i++) {
        expect(r.logLikelihood[i]).toBeGreaterThanOrEqual(
          r.logLikelihood[i - 1] - 1e-9 * Math.abs(r.logLikelihood[i - 1]),
        );
      }
      if (r.converged) expect(r.logLikelihood[r.iterations - 1] - r.logLikelihood[r.iterations - 2]).toBeLessThan(1e-6);
      // the fitted model scores the data as the last E-step did, up to one M-step's gain
      expect(hmm.score(X, L)).toBeGreaterThanOrEqual(r.logLikelihood[r.iterations - 1] - 1e-9);
      hmm.dispose();
    }
    truth.dispose();
  });

  it("sampling follows the stationary law of the chain and the emission rows", () => {
    const K = 3, M = 4;
    const hmm = new CategoricalHMM({ nComponents: K, nFeatures: M });
    const transmat = Float64Array.of(0.8, 0.15, 0.05, 0.1, 0.7, 0.2, 0.3, 0.1, 0.6);
    const emissionprob = Float64Array.of(0.7, 0.1, 0.1, 0.1, 0.1, 0.6, 0.2, 0.1, 0.25, 0.25, 0.25, 0.25);
    hmm.setParams({ startprob: Float64Array.of(1, 0, 0), transmat, emissionprob });
    // stationary π: power iteration
    let pi = [1 / 3, 1 / 3, 1 / 3];
    for (let i = 0; i < 1000; i++) pi = pi.map((_, j) => pi.reduce((s, v, k) => s + v * transmat[k * K + j], 0));
    const n = 200_000, { X, states } = hmm.sample(n, { seed: 5 });
    const freq = new Float64Array(K), em = new Float64Array(K * M);
    for (let t = 0; t < n; t++) {
      freq[states[t]]++;
      em[states[t] * M + X[t]]++;
    }
    for (let k = 0; k < K; k++) {
      expect(Math.abs(freq[k] / n - pi[k])).toBeLessThan(0.01);
      for (let m = 0; m < M; m++) {
        expect(Math.abs(em[k * M + m] / freq[k] - emissionprob[k * M + m])).toBeLessThan(0.01);
      }
    }
    // the same seed gives the same sequence
    expect(Array.from(hmm.sample(50, { seed: 5 }).X)).toEqual(Array.from(X.subarray(0, 50)));
    hmm.dispose();
  });

  it("a state that gets no responsibility keeps its rows: parameters stay stochastic, never NaN", () => {
    const hmm = new CategoricalHMM({ nComponents: 3, nFeatures: 2, nIter: 5, tol: 0 });
    // state 2 can never be reached and emits nothing seen
    hmm.setParams({ startprob: Float64Array.of(0.5, 0.5, 0),
      transmat: Float64Array.of(0.5, 0.5, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5),
      emissionprob: Float64Array.of(0.6, 0.4, 0.3, 0.7, 0.5, 0.5) });
    hmm.fit(Int32Array.of(0, 1, 1, 0, 1, 0, 0), undefined, { initParams: "" });
    const p = hmm.params();
    for (const v of [...p.startprob, ...p.transmat, ...p.emissionprob]) expect(Number.isFinite(v)).toBe(true);
    expect(Array.from(p.transmat.subarray(6))).toEqual([0.2, 0.3, 0.5]);
    expect(Array.from(p.emissionprob.subarray(4))).toEqual([0.5, 0.5]);
    hmm.dispose();
  });
});

describe("CategoricalHMM: bad input", () => {
  const mk = () => {
    const h = new CategoricalHMM({ nComponents: 2, nFeatures: 3 });
    h.setParams({ startprob: Float64Array.of(0.5, 0.5), transmat: Float64Array.of(0.9, 0.1, 0.2, 0.8),
      emissionprob: Float64Array.of(0.5, 0.5, 0, 0.2, 0.3, 0.5) });
    return h;
  };
  it.each([["a symbol outside 0..M−1", (h: CategoricalHMM) => h.score(Int32Array.of(0, 3, 1)), RangeError,
    "CategoricalHMM.score: X[1] is 3; symbols must be in 0..2 (nFeatures = 3)"], ["lengths that do not sum to N",
    (h: CategoricalHMM) => h.score(Int32Array.of(0, 1, 1), Int32Array.of(2, 2)), RangeError,
    "CategoricalHMM.score: lengths sum to 4, but X has 3 steps"], ["a zero length",
    (h: CategoricalHMM) => h.decode(Int32Array.of(0, 1), Int32Array.of(2, 0)), RangeError,
    "CategoricalHMM.decode: lengths[1] is 0; every length must be at least 1"], ["a row that is not stochastic",
    (h: CategoricalHMM) => h.setParams({ transmat: Float64Array.of(0.9, 0.2, 0.2, 0.8) }), RangeError,
    "CategoricalHMM.setParams: transmat row 0 sums to 1.1, not 1 (±0.000001)"], ["a negative probability",
    (h: CategoricalHMM) => h.setParams({ startprob: Float64Array.of(1.5, -0.5) }), RangeError,
    "CategoricalHMM.setParams: startprob[0] is 1.5; probabilities must be in [0, 1]"], ["a plain array",
    (h: CategoricalHMM) => h.setParams({ startprob: [0.5, 0.5] as never }), TypeError,
    "CategoricalHMM.setParams: startprob must be a Float64Array [2], got"], ["a sequence of probability 0",
    (h: CategoricalHMM) => {
      h.setParams({ emissionprob: Float64Array.of(1, 0, 0, 1, 0, 0) });
      return h.score(Int32Array.of(0, 2));
    }, RangeError, "CategoricalHMM.score: X has probability 0 under the model (at X[1]"], ["X not an Int32Array",
    (h: CategoricalHMM) => h.score([0, 1] as never), TypeError,
    "CategoricalHMM.score: X must be an Int32Array of symbols 0..2"], ["initParams with another letter",
    (h: CategoricalHMM) => h.fit(Int32Array.of(0, 1), undefined, { initParams: "stx" }), TypeError,
    "CategoricalHMM.fit: initParams must be a string of the letters s, t, e"]])("%s", (_, call, cls, msg) => {
      const h = mk();
      const before = h.params();
      expect(() => call(h)).toThrow(cls as ErrorConstructor);
      expect(() => call(mk())).toThrow(msg as string);
      if (_ !== "a sequence of probability 0") expect(h.params()).toEqual(before); // nothing changed
      h.dispose();
    });
  it("a model without parameters says what is missing", () => {
    const h = new CategoricalHMM({ nComponents: 2, nFeatures: 2 });
    expect(() => h.score(Int32Array.of(0))).toThrow(
      "CategoricalHMM.score: the model has no startprob, transmat, emissionprob yet (call setParams or fit)",
    );
    h.dispose();
  });
});

describe("GaussianHMM (diagonal) against brute force", () => {
  it("K = 2, F = 2, lengths 3 and 2: score, posteriors, Viterbi, one Baum–Welch step (hmmlearn's M-step with covars_prior 1e-2)", () => {
    const K = 2, F = 2, rng = new Rng(21), lens = [3, 2], N = 5;
    const p = { startprob: stoch(rng, 1, K), transmat: stoch(rng, K, K), means: Float64Array.of(-1, 0.5, 1.2, -0.3),
      covars: Float64Array.of(0.5, 1.3, 0.8, 0.4) };
    const X = Float64Array.from({ length: N * F }, () => 2 * rng.normal());
    const dens = (k: number, t: number) => {
      let l = 0;
      for (let f = 0; f < F; f++) {
        const v = p.covars[k * F + f], d = X[t * F + f] - p.means[k * F + f];
        l += -0.5 * (Math.log(2 * Math.PI * v) + (d * d) / v);
      }
      return Math.exp(l);
    };
    const hmm = new GaussianHMM({ nComponents: K, nFeatures: F, nIter: 1 });
    hmm.setParams(p);
    const w0 = new Float64Array(K), w1 = new Float64Array(K * F), w2 = new Float64Array(K * F);
    const { score, vit, best, post, xi } = bruteForce(K, lens, p.startprob, p.transmat, dens, (w, k, t) => {
      w0[k] += w;
      for (let f = 0; f < F; f++) {
        const x = X[t * F + f];
        w1[k * F + f] += w * x;
        w2[k * F + f] += w * x * x;
      }
    });
    const L = Int32Array.from(lens);
    expect(Math.abs(hmm.score(X, L) - score)).toBeLessThan(1e-12 * Math.abs(score) + 1e-12);
    expectClose("posteriors", hmm.predictProba(X, L), post, 1e-12, 1e-10);
    const d = hmm.decode(X, L);
    expect(Array.from(d.states)).toEqual(best);
    expect(Math.abs(d.logProb - vit)).toBeLessThan(1e-12 * Math.abs(vit));
    hmm.fit(X, L, { initParams: "" });
    const q = hmm.params();
    const mu = Float64Array.from(w1, (v, i) => v / w0[Math.floor(i / F)]);
    const cv = Float64Array.from(w2, (v, i) => {
      const k = Math.floor(i / F);
      return (1e-2 + v - 2 * mu[i] * w1[i] + mu[i] * mu[i] * w0[k]) / Math.max(w0[k], 1e-5);
    });
    expectClose("means", q.means, mu, 1e-12, 1e-10);
    expectClose("covars", q.covars, cv, 1e-12, 1e-10);
    expectClose("transmat", q.transmat,
      Float64Array.from(xi, (v, i) => v / (xi[Math.floor(i / K) * K] + xi[Math.floor(i / K) * K + 1])), 1e-12, 1e-10);
    hmm.dispose();
  });

  it("fit recovers two well-separated states; sampling follows the means and variances; bad input is named", () => {
    const truth = new GaussianHMM({ nComponents: 2, nFeatures: 1 });
    truth.setParams({ startprob: Float64Array.of(0.5, 0.5), transmat: Float64Array.of(0.95, 0.05, 0.1, 0.9),
      means: Float64Array.of(-3, 4), covars: Float64Array.of(0.25, 1) });
    const { X, states } = truth.sample(20000, { seed: 7 });
    let m0 = 0, n0 = 0;
    states.forEach((z, t) => {
      if (z === 0) {
        m0 += X[t];
        n0++;
      }
    });
    expect(Math.abs(m0 / n0 + 3)).toBeLessThan(0.02);
    const hmm = new GaussianHMM({ nComponents: 2, nFeatures: 1, nIter: 50, tol: 1e-4, seed: 3 });
    const r = hmm.fit(X as Float64Array);
    expect(r.converged).toBe(true);
    const p = hmm.params(), lo = p.means[0] < p.means[1] ? 0 : 1;
    expect(Math.abs(p.means[lo] + 3)).toBeLessThan(0.05);
    expect(Math.abs(p.means[1 - lo] - 4)).toBeLessThan(0.05);
    expect(Math.abs(p.covars[lo] - 0.25)).toBeLessThan(0.02);
    expect(() => hmm.setParams({ covars: Float64Array.of(1, 0) })).toThrow(
      "GaussianHMM.setParams: covars[1, 0] is 0; variances must be positive and finite",
    );
    expect(() => hmm.score(Float64Array.of(1, NaN))).toThrow(
      "GaussianHMM.score: X[1, 0] is NaN; observations must be finite",
    );
    expect(() => hmm.score(Int32Array.of(1) as never)).toThrow(
      "GaussianHMM.score: X must be a Float64Array [N, nFeatures=1]",
    );
    truth.dispose();
    hmm.dispose();
  });
});

describe("HMM restarts", () => {
  it("nInit: fit keeps the restart with the highest final log-likelihood", () => {
    const truth = new CategoricalHMM({ nComponents: 3, nFeatures: 4 }), rng = new Rng(31);
    truth.setParams({ startprob: stoch(rng, 1, 3),
      transmat: Float64Array.of(0.9, 0.05, 0.05, 0.05, 0.9, 0.05, 0.05, 0.05, 0.9), emissionprob: stoch(rng, 3, 4) });
    const { X } = truth.sample(600, { seed: 4 });
    const many = new CategoricalHMM({ nComponents: 3, nFeatures: 4, nIter: 40, tol: 1e-3, nInit: 6, seed: 2 });
    const r = many.fit(X);
    expect(r.restarts).toHaveLength(6);
    expect(many.score(X)).toBe(Math.max(...r.restarts!));
    // a single run from the same seed is the first restart
    const one = new CategoricalHMM({ nComponents: 3, nFeatures: 4, nIter: 40, tol: 1e-3, seed: 2 });
    one.fit(X);
    expect(one.score(X)).toBe(r.restarts![0]);
    expect(() => new CategoricalHMM({ nComponents: 2, nFeatures: 2, nInit: 0 })).toThrow(
      "CategoricalHMM: nInit must be an integer in 1..1000000, got 0",
    );
    truth.dispose();
    many.dispose();
    one.dispose();
  });
});

/** Independent counts of labelled paths: first states, transitions within sequences, and per
 *  state the steps' indices. */
function labelled(states: Int32Array, lens: readonly number[], K: number) {
  const first = new Float64Array(K), trans = new Float64Array(K * K),
    steps: number[][] = Array.from({ length: K }, () => []);
  let t0 = 0;
  for (const T of lens) {
    first[states[t0]]++;
    for (let t = 0; t < T; t++) {
      steps[states[t0 + t]].push(t0 + t);
      if (t > 0) trans[states[t0 + t - 1] * K + states[t0 + t]]++;
    }
    t0 += T;
  }
  return { first, trans, steps };
}
function smoothed(counts: Float64Array, rows: number, cols: number, alpha: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += counts[r * cols + c] + alpha;
    for (let c = 0; c < cols; c++) out[r * cols + c] = (counts[r * cols + c] + alpha) / s;
  }
  return out;
}

describe("HMM supervised fit (labelled state paths)", () => {
  it("CategoricalHMM: counts with additive smoothing, against independent counts", () => {
    const K = 3, M = 5, lens = [7, 1, 12, 4], rng = new Rng(77);
    const N = lens.reduce((a, b) => a + b, 0);
    const X = Int32Array.from({ length: N }, () => Math.floor(rng.uniform() * M));
    const S = Int32Array.from({ length: N }, () => Math.floor(rng.uniform() * K));
    const { first, trans, steps } = labelled(S, lens, K);
    const em = new Float64Array(K * M);
    for (let k = 0; k < K; k++) for (const t of steps[k]) em[k * M + X[t]]++;
    for (const alpha of [0.5, 1, 0]) {
      const h = new CategoricalHMM({ nComponents: K, nFeatures: M });
      if (alpha === 0) {
        // every row has counts here unless a state is never followed / never labelled: check
        const rows = [...Array(K).keys()];
        if (rows.some((k) =>
          trans.subarray(k * K, k * K + K).every((v) => v === 0) || em.subarray(k * M, k * M + M).every((v) => v === 0)
        )) continue;
      }
      alpha === 1
        ? h.fitSupervised(X, S, Int32Array.from(lens))
        : h.fitSupervised(X, S, Int32Array.from(lens), { smoothing: alpha });
      const p = h.params();
      expectClose(`startprob α=${alpha}`, p.startprob, smoothed(first, 1, K, alpha), 1e-15, 0);
      expectClose(`transmat α=${alpha}`, p.transmat, smoothed(trans, K, K, alpha), 1e-15, 0);
      expectClose(`emissionprob α=${alpha}`, p.emissionprob, smoothed(em, K, M, alpha), 1e-15, 0);
      h.dispose();
    }
  });

  it("GaussianHMM: each state's mean and variance (with fit's floor 1e-2) from its labelled steps", () => {
    const K = 2, F = 3, lens = [6, 9], rng = new Rng(5);
    const N = 15, X = Float64Array.from({ length: N * F }, () => rng.normal() * 2 + 1);
    const S = Int32Array.from({ length: N }, (_, t) => (t * 7 + 3) % 5 < 2 ? 0 : 1);
    const { first, trans, steps } = labelled(S, lens, K);
    const h = new GaussianHMM({ nComponents: K, nFeatures: F });
    h.fitSupervised(X, S, Int32Array.from(lens), { smoothing: 0.25 });
    const p = h.params();
    expectClose("startprob", p.startprob, smoothed(first, 1, K, 0.25), 1e-15, 0);
    expectClose("transmat", p.transmat, smoothed(trans, K, K, 0.25), 1e-15, 0);
    for (let k = 0; k < K; k++) {
      for (let f = 0; f < F; f++) {
        const xs = steps[k].map((t) => X[t * F + f]);
        const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
        const v = (1e-2 + xs.reduce((a, x) => a + (x - mu) ** 2, 0)) / xs.length;
        expect(p.means[k * F + f]).toBeCloseTo(mu, 12);
        expect(p.covars[k * F + f]).toBeCloseTo(v, 12);
      }
    }
    h.dispose();
  });

  it("a tagger: parameters fitted from 20 000 labelled steps approach the truth, and decode tags nearly as well as the true model", () => {
    const K = 3, M = 6, rng = new Rng(8);
    const truth = new CategoricalHMM({ nComponents: K, nFeatures: M });
    // each state prefers two symbols of its own
    const em = Float64Array.from({ length: K * M },
      (_, i) => (Math.floor((i % M) / 2) === Math.floor(i / M) ? 0.4 : 0.05) + 0.01 * rng.uniform());
    truth.setParams({ startprob: stoch(rng, 1, K),
      transmat: Float64Array.of(0.8, 0.15, 0.05, 0.1, 0.8, 0.1, 0.05, 0.15, 0.8),
      emissionprob: smoothed(em, K, M, 0) });
    const train = truth.sample(20000, { seed: 1 }), test = truth.sample(5000, { seed: 2 });
    const tagger = new CategoricalHMM({ nComponents: K, nFeatures: M });
    tagger.fitSupervised(train.X as Int32Array, train.states);
    const p = tagger.params(), q = truth.params();
    for (let i = 0; i < K * K; i++) expect(Math.abs(p.transmat[i] - q.transmat[i])).toBeLessThan(0.02);
    for (let i = 0; i < K * M; i++) expect(Math.abs(p.emissionprob[i] - q.emissionprob[i])).toBeLessThan(0.02);
    const acc = (h: CategoricalHMM) => {
      const z = h.decode(test.X).states;
      let c = 0;
      for (let t = 0; t < z.length; t++) c += +(z[t] === test.states[t]);
      return c / z.length;
    };
    const ours = acc(tagger), best = acc(truth);
    expect(best).toBeGreaterThan(1 / K + 0.2); // the tags are learnable at all
    expect(ours).toBeGreaterThan(best - 0.01);
    truth.dispose();
    tagger.dispose();
  });

  it("bad input is named, and a failed fit leaves the model as it was", () => {
    const h = new CategoricalHMM({ nComponents: 2, nFeatures: 3 });
    const X = Int32Array.of(0, 1, 2, 1), S = Int32Array.of(0, 0, 1, 1);
    h.fitSupervised(X, S);
    const before = h.params();
    const cases: [string, () => void, new (...a: never[]) => Error, string][] = [["states not Int32Array",
      () => h.fitSupervised(X, [0, 0, 1, 1] as unknown as Int32Array), TypeError,
      "CategoricalHMM.fitSupervised: states must be an Int32Array of states 0..1, one per step of X, got Array(4)"], [
      "states too short",
      () => h.fitSupervised(X, Int32Array.of(0, 1)),
      RangeError,
      "CategoricalHMM.fitSupervised: states has 2 elements, but X has 4 steps",
    ], ["a state out of range", () => h.fitSupervised(X, Int32Array.of(0, 2, 1, 1)), RangeError,
      "CategoricalHMM.fitSupervised: states[1] is 2; states must be in 0..1 (nComponents = 2)"], [
      "a symbol out of range",
      () => h.fitSupervised(Int32Array.of(0, 3, 1, 1), S),
      RangeError,
      "CategoricalHMM.fitSupervised: X[1] is 3; symbols must be in 0..2 (nFeatures = 3)",
    ], ["negative smoothing", () => h.fitSupervised(X, S, undefined, { smoothing: -1 }), RangeError,
      "CategoricalHMM.fitSupervised: smoothing must be"], ["lengths not summing to N",
      () => h.fitSupervised(X, S, Int32Array.of(1, 2)), RangeError,
      "CategoricalHMM.fitSupervised: lengths sum to 3, but X has 4 steps"]];
    for (const [, f, type, msg] of cases) {
      expect(f).toThrow(type);
      expect(f).toThrow(msg);
    }
    expect(h.params()).toEqual(before);
    // no smoothing and a state never followed by a step: kept from the current model, or an error
    h.fitSupervised(Int32Array.of(0, 1, 2), Int32Array.of(0, 0, 1), undefined, { smoothing: 0 });
    expect(Array.from(h.params().transmat.subarray(2))).toEqual(Array.from(before.transmat.subarray(2)));
    const fresh = new CategoricalHMM({ nComponents: 2, nFeatures: 3 });
    expect(() => fresh.fitSupervised(Int32Array.of(0, 1, 2), Int32Array.of(0, 0, 1), undefined, { smoothing: 0 }))
      .toThrow(
        "CategoricalHMM.fitSupervised: transmat row 1 (state 1 is never followed by another step) has no counts (smoothing 0) and the model has no current value to keep; pass smoothing > 0 or setParams first",
      );
    expect(() => fresh.params()).toThrow("no startprob");
    const g = new GaussianHMM({ nComponents: 2, nFeatures: 1 });
    expect(() => g.fitSupervised(Float64Array.of(1, 2, 3), Int32Array.of(0, 0, 0))).toThrow(
      "GaussianHMM.fitSupervised: state 1 is never labelled and the model has no means and covars to keep for it; label it or setParams first",
    );
    h.dispose();
    fresh.dispose();
    g.dispose();
  });
});

describe("HMM sizes: checked in doubles before anything is allocated", () => {
  it("a model whose emission table can never be one block of WebAssembly memory is refused at construction", () => {
    const cat = () => new CategoricalHMM({ nComponents: 4096, nFeatures: 2 ** 20 });
    expect(cat).toThrow(RangeError);
    expect(cat).toThrow(
      "CategoricalHMM: nComponents × nFeatures = 4096 × 1048576 = 4294967296 emission probabilities (float64) need 32.0 GiB of WebAssembly memory in one block; the allocator's largest block is 1 GiB: use fewer states or symbols",
    );
    const gauss = () => new GaussianHMM({ nComponents: 4096, nFeatures: 65536 });
    expect(gauss).toThrow(RangeError);
    expect(gauss).toThrow(
      "GaussianHMM: nComponents × nFeatures = 4096 × 65536 = 268435456 means (with the emission pass's scratch of 2 float64 each) need 4.0 GiB of WebAssembly memory in one block",
    );
    new CategoricalHMM({ nComponents: 64, nFeatures: 2 ** 20 }).dispose(); // 512 MiB: fits
  });
  it("a fit whose passes cannot fit fails before it initializes anything: parameters and random stream as they were", () => {
    const K = 1024, mk = () => {
      const h = new CategoricalHMM({ nComponents: K, nFeatures: 2, seed: 3 });
      const rng = new Rng(5);
      h.setParams({ startprob: stoch(rng, 1, K), transmat: stoch(rng, K, K), emissionprob: stoch(rng, K, 2) });
      return h;
    };
    const h = mk(), twin = mk(), before = h.params();
    const X = new Int32Array(2 ** 18); // logE and gamma: 2^18 steps × 1024 states × 8 bytes = 2 GiB each
    expect(() => h.fit(X)).toThrow(RangeError);
    expect(() => h.fit(X)).toThrow(
      /^CategoricalHMM\.fit: this HMM pass \(262144 steps, 1024 states\) needs 10\.0 GiB of WebAssembly memory; the limit is 4 GiB \(wasm32 memory\): pass fewer or shorter sequences per call$/,
    );
    expect(h.params()).toEqual(before);
    expect(h.sample(20)).toEqual(twin.sample(20)); // the model's own stream was not drawn from
    h.dispose();
    twin.dispose();
  });
  it("sample checks n × nFeatures before it allocates X", () => {
    const F = 65536, g = new GaussianHMM({ nComponents: 1, nFeatures: F });
    g.setParams({ startprob: Float64Array.of(1), transmat: Float64Array.of(1), means: new Float64Array(F),
      covars: new Float64Array(F).fill(1) });
    expect(() => g.sample(2 ** 30)).toThrow(RangeError);
    expect(() => g.sample(2 ** 30)).toThrow(
      "GaussianHMM.sample: n × nFeatures = 1073741824 × 65536 = 70368744177664 values in X; a sample holds at most 1073741824: draw fewer steps per call",
    );
    expect(g.sample(3).X.length).toBe(3 * F);
    g.dispose();
  });
});

describe("HMM files (safetensors, F64)", () => {
  it("save and load keep every bit and the options; the file is checked before anything is set", async () => {
    const { safetensors } = await import("../../dist/index.js");
    const rng = new Rng(12);
    const c = new CategoricalHMM({ nComponents: 3, nFeatures: 4, nIter: 7, tol: 1e-3, seed: 9 });
    c.setParams({ startprob: stoch(rng, 1, 3), transmat: stoch(rng, 3, 3), emissionprob: stoch(rng, 3, 4) });
    const X = c.sample(200, { seed: 1 }).X as Int32Array;
    const back = CategoricalHMM.load(c.save({ note: "hi" }));
    expect(back.params()).toEqual(c.params());
    expect(back.config).toEqual(c.config);
    expect(back.metadata.note).toBe("hi");
    expect(back.score(X)).toBe(c.score(X));
    const g = new GaussianHMM({ nComponents: 2, nFeatures: 2, seed: 3 });
    g.setParams({ startprob: Float64Array.of(0.3, 0.7), transmat: Float64Array.of(0.9, 0.1, 0.2, 0.8),
      means: Float64Array.of(0.1, -1 / 3, 2, Math.PI), covars: Float64Array.of(0.5, 1e-7, 2, 1 / 7) });
    const gb = GaussianHMM.load(g.save());
    expect(gb.params()).toEqual(g.params());
    expect(gb.config).toEqual(g.config);

    // hostile files: each names its problem
    const file = c.save(), { tensors, metadata } = safetensors.read(file, { float64: true });
    const rewrite = (
      edit: (t: Record<string, { dtype: string; shape: number[]; data: any }>, m: Record<string, string>) => void,
    ) => {
      const t: Record<string, { dtype: string; shape: number[]; data: any }> = {}, m = { ...metadata };
      for (const [k, v] of Object.entries(tensors)) {
        t[k] = { dtype: v.dtype, shape: [...v.shape], data: v.data.slice() };
      }
      edit(t, m);
      return safetensors.write(t as any, m);
    };
    const bad: [string, Uint8Array, string][] = [["kind", rewrite((_, m) => {
      m.kind = "GaussianHMM";
    }), 'CategoricalHMM.load: the file holds a "GaussianHMM", not a CategoricalHMM'], ["format", rewrite((_, m) => {
      m.format = "x";
    }), "CategoricalHMM.load: __metadata__ has no recurrent-wasm HMM options"], ["options", rewrite((_, m) => {
      m.config = JSON.stringify({ nComponents: 0, nFeatures: 4 });
    }), "CategoricalHMM.load: the file's options are invalid: CategoricalHMM: nComponents must be"], ["missing",
      rewrite((t) => {
        delete t.transmat;
      }), 'CategoricalHMM.load: missing tensor "transmat" [3,3]'], ["shape", rewrite((t) => {
        t.emissionprob.shape = [4, 3];
      }), 'CategoricalHMM.load: tensor "emissionprob" has shape [4,3], expected [3,4]'], ["dtype", rewrite((t) => {
        t.startprob = { dtype: "F32", shape: [3], data: Float32Array.from(t.startprob.data) };
      }), 'CategoricalHMM.load: tensor "startprob" has dtype F32, expected F64'], ["extra", rewrite((t) => {
        t.more = { dtype: "F64", shape: [1], data: Float64Array.of(1) };
      }), 'CategoricalHMM.load: unexpected tensor "more"'], ["values", rewrite((t) => {
        t.transmat.data[0] += 0.01;
      }), "CategoricalHMM.load: the file's parameters are invalid: CategoricalHMM.setParams: transmat row 0 sums to"]];
    for (const [, bytes, msg] of bad) expect(() => CategoricalHMM.load(bytes)).toThrow(msg);
    expect(() => GaussianHMM.load(file)).toThrow(
      'GaussianHMM.load: the file holds a "CategoricalHMM", not a GaussianHMM',
    );
    expect(() => safetensors.read(file, { float32: true } as any)).toThrow(
      'safetensors: unknown option "float32" (known: float64)',
    );
    // without the option, F64 reads as Float32Array (as before)
    expect(safetensors.read(file).tensors.startprob.data).toBeInstanceOf(Float32Array);
    expect(() => new CategoricalHMM({ nComponents: 2, nFeatures: 2 }).save()).toThrow(
      "no startprob, transmat, emissionprob yet",
    );
    for (const h of [c, back, g, gb]) h.dispose();
  });
});

describe("CategoricalHMM against pomegranate 0.14 (committed outputs, scripts/make-fixtures.py --only hmm)", () => {
  const fx = JSON.parse(readFileSync(new URL("../fixtures/hmm-pomegranate.json", import.meta.url), "utf8"));
  for (const c of fx.cases as any[]) {
    it(`K = ${c.K}, M = ${c.M}, lengths ${c.lengths.join(", ")}: score, posteriors, Viterbi, one Baum–Welch step`, () => {
      const h = new CategoricalHMM({ nComponents: c.K, nFeatures: c.M, nIter: 1 });
      h.setParams({ startprob: Float64Array.from(c.startprob), transmat: Float64Array.from(c.transmat),
        emissionprob: Float64Array.from(c.emissionprob) });
      const X = Int32Array.from(c.X), L = Int32Array.from(c.lengths);
      // float64 on both sides, different summation orders: relative 1e-12 on the score
      expect(Math.abs(h.score(X, L) - c.score)).toBeLessThan(1e-12 * Math.abs(c.score));
      expectClose("posteriors", h.predictProba(X, L), c.posteriors, 1e-10, 0);
      const v = h.decode(X, L);
      expect(Math.abs(v.logProb - c.viterbi.logProb)).toBeLessThan(1e-12 * Math.abs(c.viterbi.logProb));
      expect(Array.from(v.states)).toEqual(c.viterbi.states);
      h.fit(X, L, { initParams: "" });
      const p = h.params();
      expectClose("startprob after one step", p.startprob, c.step.startprob, 1e-10, 0);
      expectClose("transmat after one step", p.transmat, c.step.transmat, 1e-10, 0);
      expectClose("emissionprob after one step", p.emissionprob, c.step.emissionprob, 1e-10, 0);
      h.dispose();
    });
  }
});
