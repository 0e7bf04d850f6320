// The emission models of BaseHMM (base.ts), hmmlearn 0.3's semantics in camelCase:
// CategoricalHMM (symbols 0..M−1; default priors, so the M-step is the plain maximum-likelihood
// update) and GaussianHMM with diagonal covariances (hmmlearn's defaults: means_prior 0 with
// weight 0, covars_prior 1e-2 with weight 1, so σ² = (1e-2 + Σγ(x − μ)²) / max(Σγ, 1e-5): the
// prior is the variance floor; initial means by k-means on X, initial variances X's own plus
// min_covar 1e-3).
import * as check from "../../core/check.js";
import { core } from "../../core/loader.js";
import { Rng } from "../../core/random.js";
import { categoricalCounts, categoricalLogEmissions, gaussianLogEmissions, gaussianMoments,
  logInto } from "../../functional/hmm.js";
import { BaseHMM, HmmOptions, HmmParams } from "./base.js";
import { checkTable, draw, normalizeRows, stochastic } from "./tables.js";

export interface CategoricalHMMOptions extends HmmOptions {
  /** Number of symbols M (X holds 0..M−1). */
  nFeatures: number;
  /** Dirichlet prior of the emission rows (hmmlearn's emissionprob_prior; default 1: maximum
   *  likelihood). Baum–Welch adds prior − 1 to every expected count. */
  emissionprobPrior?: number;
}
/** The emission parameters of a CategoricalHMM. */
export type CategoricalEmission = {
  /** P(symbol | state), [K, M] row-major. */
  emissionprob: Float64Array;
};
/** Every parameter of a CategoricalHMM (params(), setParams()). */
export type CategoricalParams = HmmParams & CategoricalEmission;

/** A hidden Markov model with categorical emissions (the nn layer; the public class adds save and load). */
export class CategoricalHMM extends BaseHMM<CategoricalEmission> {
  /** Symbols M (observations are 0..M−1). */
  readonly nFeatures: number;
  protected readonly emissionNames = ["emissionprob"] as const;
  protected readonly initLetters = "e";

  constructor(options: CategoricalHMMOptions) {
    super("CategoricalHMM", options, ["nFeatures", "emissionprobPrior"]);
    const o = options as unknown as Record<string, unknown>;
    this.nFeatures = check.int("CategoricalHMM", "nFeatures", o.nFeatures, 1, 1 << 20);
    // every pass holds log emissionprob, [K, M] float64, in one block
    checkTable("CategoricalHMM", this.nComponents, this.nFeatures, 8, "emission probabilities (float64)",
      "use fewer states or symbols");
    this.emissionprobPrior = check.num("CategoricalHMM", "emissionprobPrior", o.emissionprobPrior ?? 1, 0, Infinity,
      true);
    this.emissionPseudocount = this.emissionprobPrior - 1;
  }
  /** The Dirichlet prior of every emission row. */
  readonly emissionprobPrior: number;
  get config(): CategoricalHMMOptions {
    return { nComponents: this.nComponents, nFeatures: this.nFeatures, nIter: this.nIter, tol: this.tol,
      nInit: this.nInit, seed: this.seed, startprobPrior: this.startprobPrior, transmatPrior: this.transmatPrior,
      emissionprobPrior: this.emissionprobPrior };
  }
  protected checkEmission(where: string, o: Record<string, unknown>): Partial<CategoricalEmission> {
    return o.emissionprob !== undefined
      ? { emissionprob: stochastic(where, "emissionprob", o.emissionprob, this.nComponents, this.nFeatures) }
      : {};
  }
  protected stepsOf(where: string, X: unknown): number {
    if (!(X instanceof Int32Array)) {
      throw new TypeError(
        `${where}: X must be an Int32Array of symbols 0..${this.nFeatures - 1} (all sequences concatenated), got ${
          check.show(X)
        }`,
      );
    }
    if (X.length === 0) throw new RangeError(`${where}: X is empty`);
    return X.length;
  }
  protected emissionBlocks(N: number, fit: boolean): Record<string, number> {
    return { x: 4 * N, logB: 8 * this.nComponents * this.nFeatures,
      counts: fit ? 8 * this.nComponents * this.nFeatures : 0 };
  }
  protected writeEmissions(where: string, X: Int32Array, N: number, e: CategoricalEmission): void {
    const m = this.mem, buf = core().memory.buffer, KM = this.nComponents * this.nFeatures;
    new Int32Array(buf, m.get("x"), N).set(X);
    new Float64Array(buf, m.get("logB"), KM).set(e.emissionprob);
    logInto(KM, m.get("logB"), m.get("logB"));
    categoricalLogEmissions(where, this.nComponents, this.nFeatures, N, m.get("x"), m.get("logB"), m.get("logE"),
      m.get("bad"));
  }
  protected zeroStats(): void {
    new Float64Array(core().memory.buffer, this.mem.get("counts"), this.nComponents * this.nFeatures).fill(0);
  }
  protected accumulate(where: string, N: number): void {
    categoricalCounts(where, this.nComponents, this.nFeatures, N, this.mem.get("x"), this.mem.get("gamma"),
      this.mem.get("counts"));
  }
  protected mstep(where: string, previous: CategoricalEmission | null, alpha: number): CategoricalEmission {
    const K = this.nComponents, M = this.nFeatures;
    return {
      emissionprob: normalizeRows(new Float64Array(core().memory.buffer, this.mem.get("counts"), K * M), K, M,
        previous?.emissionprob ?? null, alpha,
        (k) =>
          `${where}: emissionprob row ${k} has no counts (state ${k} is never labelled, smoothing ${alpha}) and the model has no current value to keep; pass smoothing > 0 or setParams first`),
    };
  }
  protected stageX(where: string, X: Int32Array, N: number): void {
    const M = this.nFeatures;
    for (let t = 0; t < N; t++) {
      if (!(X[t] >= 0 && X[t] < M)) {
        throw new RangeError(`${where}: X[${t}] is ${X[t]}; symbols must be in 0..${M - 1} (nFeatures = ${M})`);
      }
    }
    new Int32Array(core().memory.buffer, this.mem.get("x"), N).set(X);
  }
  protected initEmission(): CategoricalEmission {
    const K = this.nComponents, M = this.nFeatures;
    return {
      emissionprob: normalizeRows(Float64Array.from({ length: K * M }, () => 0.05 + this.rng.uniform()), K, M,
        new Float64Array(K * M)),
    };
  }
  protected sampleArray(n: number): Int32Array {
    return new Int32Array(n);
  }
  protected readonly sampleWidth = 1;
  protected sampleInto(out: Int32Array, t: number, k: number, rng: Rng): void {
    out[t] = draw(rng, this.emission!.emissionprob, k * this.nFeatures, this.nFeatures);
  }
  protected freeEmissionParams(): number {
    return this.nComponents * (this.nFeatures - 1);
  }
}

export interface GaussianHMMOptions extends HmmOptions {
  /** Dimension F of each observation (X is [N, F]). */
  nFeatures: number;
  /** "diag" (the only one for now). */
  covarianceType?: "diag";
}
/** The emission parameters of a GaussianHMM. */
export type GaussianEmission = {
  /** The means, [K, F]. */
  means: Float64Array;
  /** The diagonal covariances, [K, F]. */
  covars: Float64Array;
};

const COVARS_PRIOR = 1e-2, MIN_COVAR = 1e-3;

/** A hidden Markov model with Gaussian emissions, diagonal covariances (the nn layer; the public class adds save and load). */
export class GaussianHMM extends BaseHMM<GaussianEmission> {
  /** Dimension F of each observation. */
  readonly nFeatures: number;
  /** "diag": diagonal covariances. */
  readonly covarianceType = "diag" as const;
  protected readonly emissionNames = ["means", "covars"] as const;
  protected readonly initLetters = "mc";

  constructor(options: GaussianHMMOptions) {
    super("GaussianHMM", options, ["nFeatures", "covarianceType"]);
    const o = options as unknown as Record<string, unknown>;
    this.nFeatures = check.int("GaussianHMM", "nFeatures", o.nFeatures, 1, 1 << 16);
    // every pass's emissions take a scratch block of 2·K·F float64
    checkTable("GaussianHMM", this.nComponents, this.nFeatures, 16,
      "means (with the emission pass's scratch of 2 float64 each)", "use fewer states or features");
    check.oneOf("GaussianHMM", "covarianceType", o.covarianceType ?? "diag", ["diag"] as const);
  }
  get config(): GaussianHMMOptions {
    return { nComponents: this.nComponents, nFeatures: this.nFeatures, covarianceType: this.covarianceType,
      nIter: this.nIter, tol: this.tol, nInit: this.nInit, seed: this.seed, startprobPrior: this.startprobPrior,
      transmatPrior: this.transmatPrior };
  }
  protected checkEmission(where: string, o: Record<string, unknown>): Partial<GaussianEmission> {
    const KF = this.nComponents * this.nFeatures, out: Partial<GaussianEmission> = {};
    for (const name of ["means", "covars"] as const) {
      const v = o[name];
      if (v === undefined) continue;
      if (!(v instanceof Float64Array) || v.length !== KF) {
        throw new TypeError(
          `${where}: ${name} must be a Float64Array of ${KF} elements [nComponents=${this.nComponents}, nFeatures=${this.nFeatures}], got ${
            check.show(v)
          }`,
        );
      }
      for (let i = 0; i < KF; i++) {
        if (!Number.isFinite(v[i]) || (name === "covars" && !(v[i] > 0))) {
          throw new RangeError(
            `${where}: ${name}[${Math.floor(i / this.nFeatures)}, ${i % this.nFeatures}] is ${v[i]}; ${
              name === "covars" ? "variances must be positive and finite" : "means must be finite"
            }`,
          );
        }
      }
      out[name] = Float64Array.from(v);
    }
    return out;
  }
  protected stepsOf(where: string, X: unknown): number {
    const F = this.nFeatures;
    if (!(X instanceof Float64Array)) {
      throw new TypeError(
        `${where}: X must be a Float64Array [N, nFeatures=${F}] (all sequences concatenated), got ${check.show(X)}`,
      );
    }
    if (X.length === 0 || X.length % F !== 0) {
      throw new RangeError(`${where}: X has ${X.length} elements, not a positive multiple of nFeatures = ${F}`);
    }
    for (let i = 0; i < X.length; i++) {
      if (!Number.isFinite(X[i])) {
        throw new RangeError(`${where}: X[${Math.floor(i / F)}, ${i % F}] is ${X[i]}; observations must be finite`);
      }
    }
    return X.length / F;
  }
  protected emissionBlocks(N: number, fit: boolean): Record<string, number> {
    const KF = this.nComponents * this.nFeatures;
    return { x: 8 * N * this.nFeatures, means: 8 * KF, covars: 8 * KF, scratch: 16 * KF,
      post: fit ? 8 * this.nComponents : 0, obs: fit ? 8 * KF : 0, obs2: fit ? 8 * KF : 0 };
  }
  protected writeEmissions(where: string, X: Float64Array, N: number, e: GaussianEmission): void {
    const m = this.mem, buf = core().memory.buffer;
    new Float64Array(buf, m.get("x"), X.length).set(X);
    new Float64Array(buf, m.get("means"), e.means.length).set(e.means);
    new Float64Array(buf, m.get("covars"), e.covars.length).set(e.covars);
    gaussianLogEmissions(where, this.nComponents, this.nFeatures, N, m.get("x"), m.get("means"), m.get("covars"),
      m.get("logE"), m.get("scratch"), m.get("bad"));
  }
  protected zeroStats(): void {
    const buf = core().memory.buffer, KF = this.nComponents * this.nFeatures;
    new Float64Array(buf, this.mem.get("post"), this.nComponents).fill(0);
    new Float64Array(buf, this.mem.get("obs"), KF).fill(0);
    new Float64Array(buf, this.mem.get("obs2"), KF).fill(0);
  }
  protected accumulate(where: string, N: number): void {
    const m = this.mem;
    gaussianMoments(where, this.nComponents, this.nFeatures, N, m.get("x"), m.get("gamma"), m.get("post"), m.get("obs"),
      m.get("obs2"));
  }
  protected mstep(where: string, previous: GaussianEmission | null): GaussianEmission {
    const K = this.nComponents, F = this.nFeatures, buf = core().memory.buffer;
    const post = new Float64Array(buf, this.mem.get("post"), K),
      obs = new Float64Array(buf, this.mem.get("obs"), K * F),
      obs2 = new Float64Array(buf, this.mem.get("obs2"), K * F);
    const means = previous?.means.slice() ?? new Float64Array(K * F),
      covars = previous?.covars.slice() ?? new Float64Array(K * F);
    for (let k = 0; k < K; k++) {
      if (!(post[k] > 0)) { // no responsibility: keep the state's rows
        if (!previous) {
          throw new RangeError(
            `${where}: state ${k} is never labelled and the model has no means and covars to keep for it; label it or setParams first`,
          );
        }
        continue;
      }
      for (let f = 0; f < F; f++) {
        const i = k * F + f, mu = obs[i] / post[k];
        means[i] = mu;
        covars[i] = (COVARS_PRIOR + obs2[i] - 2 * mu * obs[i] + mu * mu * post[k]) / Math.max(post[k], 1e-5);
      }
    }
    return { means, covars };
  }
  /** Means: k-means (10 Lloyd iterations from K distinct random observations); variances: X's own
   *  per feature plus min_covar 1e-3, for every state. */
  protected initEmission(X: Float64Array, N: number, letters: string,
    current: GaussianEmission | null): GaussianEmission {
    const K = this.nComponents, F = this.nFeatures;
    let means = current?.means ?? new Float64Array(K * F), covars = current?.covars ?? new Float64Array(K * F);
    if (letters.includes("m")) {
      means = new Float64Array(K * F);
      const idx = Array.from({ length: N }, (_, i) => i);
      this.rng.shuffle(idx);
      for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) means[k * F + f] = X[idx[k % N] * F + f];
      const assign = new Int32Array(N);
      for (let it = 0; it < 10; it++) {
        for (let t = 0; t < N; t++) {
          let best = Infinity;
          for (let k = 0; k < K; k++) {
            let d = 0;
            for (let f = 0; f < F; f++) d += (X[t * F + f] - means[k * F + f]) ** 2;
            if (d < best) {
              best = d;
              assign[t] = k;
            }
          }
        }
        const sum = new Float64Array(K * F), cnt = new Float64Array(K);
        for (let t = 0; t < N; t++) {
          cnt[assign[t]]++;
          for (let f = 0; f < F; f++) sum[assign[t] * F + f] += X[t * F + f];
        }
        for (let k = 0; k < K; k++) {
          if (cnt[k] > 0) { for (let f = 0; f < F; f++) means[k * F + f] = sum[k * F + f] / cnt[k]; }
        }
      }
    }
    if (letters.includes("c")) {
      covars = new Float64Array(K * F);
      for (let f = 0; f < F; f++) {
        let m = 0, v = 0;
        for (let t = 0; t < N; t++) m += X[t * F + f];
        m /= N;
        for (let t = 0; t < N; t++) v += (X[t * F + f] - m) ** 2;
        v = (N > 1 ? v / (N - 1) : 0) + MIN_COVAR;
        for (let k = 0; k < K; k++) covars[k * F + f] = v;
      }
    }
    return { means, covars };
  }
  protected stageX(_where: string, X: Float64Array): void {
    new Float64Array(core().memory.buffer, this.mem.get("x"), X.length).set(X);
  }
  protected sampleArray(n: number): Float64Array {
    return new Float64Array(n * this.nFeatures);
  }
  protected get sampleWidth(): number {
    return this.nFeatures;
  }
  protected sampleInto(out: Float64Array, t: number, k: number, rng: Rng): void {
    const F = this.nFeatures, e = this.emission!;
    for (let f = 0; f < F; f++) out[t * F + f] = e.means[k * F + f] + Math.sqrt(e.covars[k * F + f]) * rng.normal();
  }
  protected freeEmissionParams(): number {
    return 2 * this.nComponents * this.nFeatures;
  }
}
