// Hidden Markov models with the semantics of hmmlearn 0.3 (names in camelCase; probabilities in
// float64, natural logs). BaseHMM holds what every emission model shares —
// the start and transition probabilities, scoring, posteriors, Viterbi, Baum–Welch, sampling —
// over the core's float64 passes (functional/hmm.ts); CategoricalHMM and GaussianHMM
// (models.ts) add their emissions. The parameters live in JS as Float64Arrays (they are
// small); each call stages X and the parameters into WebAssembly memory.
import * as check from "../../core/check.js";
import { Blocks, MemoryNeed, checkSizes, reserveAll, untrack, track } from "../../core/arena.js";
import { core } from "../../core/loader.js";
import { Rng } from "../../core/random.js";
import { HmmPass, forwardBackward, hmmWorkBytes, labelCounts, logInto, viterbi } from "../../functional/hmm.js";
import { draw, lengthsOf, normalizeRows, stochastic } from "./tables.js";

export type { HmmFitResult, HmmParams, HmmDecoded, HmmSample, HmmOptions } from "./types.js";
import type { HmmFitResult, HmmParams, HmmDecoded, HmmSample, HmmOptions } from "./types.js";
/** Where a call's named blocks are: their offsets in the module's memory and their sizes. */
export interface HmmBlocks {
  get(name: string): number;
  bytes(name: string): number;
}

/** The most values a sample's X holds (n × nFeatures): the bound on n. */
const SAMPLE_LIMIT = 2 ** 30;

/** What an emission model adds to BaseHMM. E: its parameters by name (Float64Arrays). */
export abstract class BaseHMM<E extends Record<string, Float64Array>> {
  /** Hidden states K. */
  readonly nComponents: number;
  /** The seed of the model's random stream (initializations, restarts, sample without a seed). */
  readonly seed: number;
  /** Baum–Welch iterations at most. */
  nIter: number;
  /** The convergence threshold on the log-likelihood's rise. */
  tol: number;
  /** Restarts of fit (the best kept). */
  nInit: number;
  /** The Dirichlet prior of the start probabilities. */
  readonly startprobPrior: number;
  /** The Dirichlet prior of every transition row. */
  readonly transmatPrior: number;
  /** What Baum–Welch adds to the emission statistics (the model's prior − 1; 0 by default). */
  protected emissionPseudocount = 0;
  protected rng: Rng;
  protected start: Float64Array | null = null;
  protected trans: Float64Array | null = null;
  protected emission: E | null = null;
  readonly #blocks = new Blocks();
  private disposed = false;
  /** @internal The named blocks of the current call (reserved by stage()). */
  protected get mem(): HmmBlocks {
    return this.#blocks;
  }

  protected constructor(protected readonly kind: string, options: HmmOptions, extra: readonly string[]) {
    const W = kind;
    const o = check.object(W, "options", options);
    if (options === undefined) {
      throw new TypeError(`${W}: options must be an object with at least nComponents, got undefined`);
    }
    check.known(W, o, ["nComponents", "nIter", "tol", "seed", "nInit", "startprobPrior", "transmatPrior", ...extra]);
    this.startprobPrior = check.num(W, "startprobPrior", o.startprobPrior ?? 1, 0, Infinity, true);
    this.transmatPrior = check.num(W, "transmatPrior", o.transmatPrior ?? 1, 0, Infinity, true);
    this.nInit = check.int(W, "nInit", o.nInit ?? 1, 1, 1e6);
    this.nComponents = check.int(W, "nComponents", o.nComponents, 1, 4096);
    this.nIter = check.int(W, "nIter", o.nIter ?? 10, 1, 1e9);
    this.tol = check.num(W, "tol", o.tol ?? 1e-2, 0);
    this.seed = check.int(W, "seed", o.seed ?? 0, 0, 0xffffffff);
    this.rng = new Rng(this.seed);
    track(this, this.#blocks);
  }

  /** The emission parameters' names (as setParams takes them) and the letters fit's initParams
   *  accepts for them. */
  protected abstract readonly emissionNames: readonly string[];
  protected abstract readonly initLetters: string;
  /** Validate the emission parameters given (a subset of emissionNames). */
  protected abstract checkEmission(where: string, o: Record<string, unknown>): Partial<E>;
  /** Check X's type and shape; returns the number of steps N. */
  protected abstract stepsOf(where: string, X: unknown): number;
  /** Extra blocks of a pass over N steps: "x" (X staged) at least; fit adds its statistics. */
  protected abstract emissionBlocks(N: number, fit: boolean): Record<string, number>;
  /** Stage X at the "x" block, and write logE [N, K] at the "logE" block. */
  protected abstract writeEmissions(where: string, X: unknown, N: number, e: E): void;
  /** Zero the statistics, accumulate them from gamma [N, K] (block "gamma"), M-step them. */
  protected abstract zeroStats(): void;
  protected abstract accumulate(where: string, N: number): void;
  /** The M-step from the statistics. previous: the current parameters (kept for a state with no
   *  responsibility), or null in a supervised fit of a new model (such a state is then a
   *  RangeError from where). alpha: additive smoothing of probabilities. */
  protected abstract mstep(where: string, previous: E | null, alpha: number): E;
  /** Stage X (checked) at the "x" block, without emissions: a supervised fit's X. */
  protected abstract stageX(where: string, X: unknown, N: number): void;
  /** Initial emission parameters for X (letters of initParams given). */
  protected abstract initEmission(X: unknown, N: number, letters: string, current: E | null): E;
  /** One emission of state k into X's sample at step t. */
  protected abstract sampleInto(out: Float64Array | Int32Array, t: number, k: number, rng: Rng): void;
  protected abstract sampleArray(n: number): Float64Array | Int32Array;
  /** Values of X per sampled step (1 symbol, or nFeatures). */
  protected abstract readonly sampleWidth: number;
  protected abstract freeEmissionParams(): number;

  /** The options this model was built with (what a file stores; the constructor takes them). */
  abstract get config(): HmmOptions;
  /** The emission parameters' names, in the order files store them. */
  get emissionParamNames(): readonly string[] {
    return this.emissionNames;
  }

  protected alive(where: string): void {
    if (this.disposed) throw new Error(`${where}: this HMM was disposed`);
  }

  /** Set any of the parameters (validated: start and transition probabilities non-negative, rows
   *  summing to 1 within 1e-6; the emissions as the model says). */
  setParams(params: Partial<HmmParams & E>): void {
    const M = `${this.kind}.setParams`;
    this.alive(M);
    const o = check.object(M, "params", params);
    check.known(M, o, ["startprob", "transmat", ...this.emissionNames], "params");
    const K = this.nComponents;
    const s = o.startprob !== undefined ? stochastic(M, "startprob", o.startprob, 1, K) : null;
    const t = o.transmat !== undefined ? stochastic(M, "transmat", o.transmat, K, K) : null;
    const e = this.checkEmission(M, o);
    if (s) this.start = s;
    if (t) this.trans = t;
    if (Object.keys(e).length) this.emission = { ...(this.emission ?? {}), ...e } as E;
  }

  /** Copies of the parameters. */
  params(): HmmParams & E {
    const M = `${this.kind}.params`;
    this.alive(M);
    const p = this.ready(M);
    const e = Object.fromEntries(Object.entries(p.e).map(([k, v]) => [k, v.slice()])) as E;
    return { startprob: p.start.slice(), transmat: p.trans.slice(), ...e };
  }

  protected ready(where: string): { start: Float64Array; trans: Float64Array; e: E } {
    const missing = [!this.start && "startprob", !this.trans && "transmat",
      ...this.emissionNames.filter((n) => !this.emission?.[n])].filter(Boolean);
    if (missing.length) throw new Error(`${where}: the model has no ${missing.join(", ")} yet (call setParams or fit)`);
    return { start: this.start!, trans: this.trans!, e: this.emission! };
  }

  /** @internal Check X and lengths; stage X, the emissions and the parameters (logs for Viterbi). */
  protected stage(where: string, X: unknown, lengths: unknown, logParams: boolean, fit = false,
    checkedN = 0): { pass: HmmPass; N: number } {
    this.alive(where);
    const p = this.ready(where);
    const N = checkedN || this.stepsOf(where, X); // fit checks X once, not every iteration
    const { L, sizes, need } = this.passSizes(where, lengths, N, fit);
    const K = this.nComponents;
    reserveAll(where, [[this.#blocks, sizes]], need);
    const m = this.mem, buf = core().memory.buffer;
    new Int32Array(buf, m.get("lengths"), L.length).set(L);
    // logs in the core (not Math.log): the same bits in every JavaScript engine
    const put = (name: string, v: Float64Array) => {
      new Float64Array(buf, m.get(name), v.length).set(v);
      if (logParams) logInto(v.length, m.get(name), m.get(name));
    };
    put("start", p.start);
    put("trans", p.trans);
    this.writeEmissions(where, X, N, p.e);
    return {
      pass: { K, N, nSeq: L.length, lengths: m.get("lengths"), logE: m.get("logE"), start: m.get("start"),
        trans: m.get("trans"), work: m.get("work"), workBytes: m.bytes("work"), out: m.get("out") },
      N,
    };
  }

  /** The checked lengths of a pass over N steps, its blocks' sizes (bytes, in doubles) and how to
   *  word a failure to allocate them. */
  private passSizes(where: string, lengths: unknown, N: number,
    fit: boolean): { L: Int32Array; sizes: Record<string, number>; need: MemoryNeed } {
    const L = lengthsOf(where, lengths, N);
    const K = this.nComponents;
    let maxLen = 0;
    for (const l of L) maxLen = Math.max(maxLen, l);
    const sizes = { lengths: 4 * L.length, logE: 8 * N * K, gamma: 8 * N * K, start: 8 * K, trans: 8 * K * K,
      xi: fit ? 8 * K * K : 0, first: fit ? 8 * K : 0, work: hmmWorkBytes(K, maxLen), out: 16, bad: 4, states: 4 * N,
      ...this.emissionBlocks(N, fit) };
    return { L, sizes,
      need: { what: `HMM pass (${N} steps, ${K} states)`, advice: "pass fewer or shorter sequences per call" } };
  }

  /** The total log-likelihood log P(X) (natural log) over the sequences. */
  score(X: unknown, lengths?: Int32Array): number {
    return this.scoreAt(`${this.kind}.score`, X, lengths);
  }
  private scoreAt(where: string, X: unknown, lengths: unknown): number {
    const { pass } = this.stage(where, X, lengths, false);
    return forwardBackward(where, pass);
  }

  /** Posteriors P(z_t = k | its sequence): Float64Array [N, K]. */
  predictProba(X: unknown, lengths?: Int32Array): Float64Array {
    const M = `${this.kind}.predictProba`;
    const { pass } = this.stage(M, X, lengths, false);
    forwardBackward(M, pass, this.mem.get("gamma"));
    return new Float64Array(core().memory.buffer, this.mem.get("gamma"), pass.N * pass.K).slice();
  }

  /** The most probable state path (Viterbi) and its log-probability (summed over the sequences). */
  decode(X: unknown, lengths?: Int32Array): HmmDecoded {
    const M = `${this.kind}.decode`;
    const { pass } = this.stage(M, X, lengths, true);
    const logProb = viterbi(M, pass, this.mem.get("states"));
    return { logProb, states: new Int32Array(core().memory.buffer, this.mem.get("states"), pass.N).slice() };
  }

  /** Akaike and Bayesian information criteria (hmmlearn's counts of free parameters). */
  aic(X: unknown, lengths?: Int32Array): number {
    return -2 * this.scoreAt(`${this.kind}.aic`, X, lengths) + 2 * this.freeParams();
  }
  /** The Bayesian information criterion: −2 log L + (free parameters) · log N. */
  bic(X: unknown, lengths?: Int32Array): number {
    const ll = this.scoreAt(`${this.kind}.bic`, X, lengths);
    return -2 * ll + this.freeParams() * Math.log(this.stepsOf(`${this.kind}.bic`, X));
  }
  private freeParams(): number {
    const K = this.nComponents;
    return K - 1 + K * (K - 1) + this.freeEmissionParams();
  }

  /** Baum–Welch. initParams: letters of the parameters to initialize first (s start, t trans, and
   *  the emission letters of the model; default all); "" keeps the current ones. Each iteration's
   *  E-step gives the log-likelihood; fit stops when it rose by less than tol, or after nIter
   *  iterations. A state with no responsibility keeps its previous rows (hmmlearn would leave
   *  zeros): the parameters never turn NaN. With nInit > 1, fit restarts that many times from
   *  fresh initializations and keeps the run whose final log-likelihood is highest. A failure
   *  leaves the model as it was. */
  fit(X: unknown, lengths?: Int32Array, options: { initParams?: string } = {}): HmmFitResult {
    const M = `${this.kind}.fit`;
    this.alive(M);
    const o = check.object(M, "options", options);
    check.known(M, o, ["initParams"]);
    const letters = "st" + this.initLetters, init = o.initParams ?? letters;
    if (typeof init !== "string" || !new RegExp(`^[${letters}]*$`).test(init)) {
      throw new TypeError(
        `${M}: initParams must be a string of the letters ${letters.split("").join(", ")} (or ""), got ${
          check.show(init)
        }`,
      );
    }
    const N = this.stepsOf(M, X), K = this.nComponents;
    // the passes' memory checked before any initialization runs
    const pass = this.passSizes(M, lengths, N, true);
    checkSizes(M, Object.values(pass.sizes), pass.need);
    // every row uniform random, normalized (hmmlearn draws start and transition rows from
    // Dirichlet(1/K); uniform rows need no transcendental functions, so every engine agrees)
    const rows = (r: number, c: number) =>
      normalizeRows(Float64Array.from({ length: r * c }, () => 0.05 + this.rng.uniform()), r, c,
        new Float64Array(r * c));
    const saved = [this.start, this.trans, this.emission] as const;
    // nInit restarts from fresh initializations (with something to initialize); the best final
    // log-likelihood wins
    const runs = init === "" ? 1 : this.nInit;
    let best: { result: HmmFitResult; score: number;
      params: readonly [Float64Array | null, Float64Array | null, E | null] } | null = null;
    const scores: number[] = [];
    try {
      for (let run = 0; run < runs; run++) {
        [this.start, this.trans, this.emission] = saved;
        if (init.includes("s")) this.start = rows(1, K);
        if (init.includes("t")) this.trans = rows(K, K);
        if ([...this.initLetters].some((l) => init.includes(l))) {
          this.emission = this.initEmission(X, N, init, this.emission);
        }
        const result = this.em(M, X, lengths, N);
        const score = runs > 1 ? this.scoreAt(M, X, lengths) : 0;
        scores.push(score);
        if (!best || score > best.score) best = { result, score, params: [this.start, this.trans, this.emission] };
      }
      [this.start, this.trans, this.emission] = best!.params;
      return runs > 1 ? { ...best!.result, restarts: scores } : best!.result;
    } catch (e) {
      [this.start, this.trans, this.emission] = saved;
      throw e;
    }
  }

  /** EM from the current parameters. */
  private em(M: string, X: unknown, lengths: Int32Array | undefined, N: number): HmmFitResult {
    const K = this.nComponents, history: number[] = [];
    let converged = false;
    for (let it = 0; it < this.nIter; it++) {
      const { pass } = this.stage(M, X, lengths, false, true, N);
      const buf = core().memory.buffer, xi = this.mem.get("xi"), first = this.mem.get("first");
      new Float64Array(buf, xi, K * K).fill(0);
      new Float64Array(buf, first, K).fill(0);
      this.zeroStats();
      const ll = forwardBackward(M, pass, this.mem.get("gamma"), xi, first);
      this.accumulate(M, N);
      history.push(ll);
      if (history.length >= 2 && ll - history[history.length - 2] < this.tol) {
        converged = true;
        break;
      }
      const mem = core().memory.buffer;
      this.start = normalizeRows(new Float64Array(mem, first, K), 1, K, this.start!, this.startprobPrior - 1);
      this.trans = normalizeRows(new Float64Array(mem, xi, K * K), K, K, this.trans!, this.transmatPrior - 1);
      this.emission = this.mstep(M, this.emission!, this.emissionPseudocount);
    }
    return { logLikelihood: history, converged, iterations: history.length };
  }

  /** Supervised fit from labelled state paths (an HMM tagger): the maximum-likelihood counts of
   *  first states, transitions and emissions, each probability row with `smoothing` added to
   *  every count first (additive smoothing; default 1, Laplace; 0: plain maximum likelihood).
   *  states: Int32Array [N] of 0..nComponents−1 aligned with X. GaussianHMM fits each state's
   *  means and variances to its observations with the variance floor of fit (smoothing does not
   *  apply to them). A row with no counts at all (smoothing 0, or a Gaussian state never
   *  labelled) keeps the model's current parameters, and without any it is a RangeError. A failure
   *  leaves the model as it was. */
  fitSupervised(X: unknown, states: Int32Array, lengths?: Int32Array, options: { smoothing?: number } = {}): void {
    const W = `${this.kind}.fitSupervised`;
    this.alive(W);
    const o = check.object(W, "options", options);
    check.known(W, o, ["smoothing"]);
    const alpha = check.num(W, "smoothing", o.smoothing ?? 1, 0);
    const N = this.stepsOf(W, X), K = this.nComponents;
    if (!(states instanceof Int32Array)) {
      throw new TypeError(
        `${W}: states must be an Int32Array of states 0..${K - 1}, one per step of X, got ${check.show(states)}`,
      );
    }
    if (states.length !== N) throw new RangeError(`${W}: states has ${states.length} elements, but X has ${N} steps`);
    const L = lengthsOf(W, lengths, N);
    reserveAll(W, [[this.#blocks, { lengths: 4 * L.length, states: 4 * N, gamma: 8 * N * K, first: 8 * K, xi: 8 * K * K,
      bad: 4, ...this.emissionBlocks(N, true) }]], { what: `HMM supervised fit (${N} steps, ${K} states)`,
      advice: "pass fewer or shorter sequences per call" });
    const m = this.mem, buf = core().memory.buffer;
    new Int32Array(buf, m.get("lengths"), L.length).set(L);
    new Int32Array(buf, m.get("states"), N).set(states);
    new Float64Array(buf, m.get("first"), K).fill(0);
    new Float64Array(buf, m.get("xi"), K * K).fill(0);
    labelCounts(W, K, N, L.length, m.get("lengths"), m.get("states"), m.get("gamma"), m.get("first"), m.get("xi"),
      m.get("bad"));
    this.stageX(W, X, N);
    this.zeroStats();
    this.accumulate(W, N);
    const none = (what: (r: number) => string) => (r: number) =>
      `${W}: ${
        what(r)
      } has no counts (smoothing ${alpha}) and the model has no current value to keep; pass smoothing > 0 or setParams first`;
    const mem = core().memory.buffer;
    const start = normalizeRows(new Float64Array(mem, m.get("first"), K), 1, K, this.start, alpha,
      none(() => "startprob"));
    const trans = normalizeRows(new Float64Array(mem, m.get("xi"), K * K), K, K, this.trans, alpha,
      none((r) => `transmat row ${r} (state ${r} is never followed by another step)`));
    const emission = this.mstep(W, this.emission, alpha);
    this.start = start;
    this.trans = trans;
    this.emission = emission;
  }

  /** A sequence of n steps drawn from the model: { X, states }. Seeded (default: the model's own
   *  stream). */
  sample(n: number, options: { seed?: number } = {}): HmmSample {
    const M = `${this.kind}.sample`;
    this.alive(M);
    const len = check.int(M, "n", n, 1, 1 << 30);
    const o = check.object(M, "options", options);
    check.known(M, o, ["seed"]);
    const rng = o.seed === undefined ? this.rng : new Rng(check.int(M, "seed", o.seed, 0, 0xffffffff));
    const p = this.ready(M), K = this.nComponents;
    const values = len * this.sampleWidth;
    if (values > SAMPLE_LIMIT) {
      throw new RangeError(
        `${M}: n × nFeatures = ${len} × ${this.sampleWidth} = ${values} values in X; a sample holds at most ${SAMPLE_LIMIT}: draw fewer steps per call`,
      );
    }
    let X: Float64Array | Int32Array, states: Int32Array;
    try {
      X = this.sampleArray(len);
      states = new Int32Array(len);
    } catch (e) {
      throw new RangeError(
        `${M}: the host could not allocate the sample of n = ${len} steps (${values} values in X): ${
          (e as Error).message
        }; draw fewer steps per call`,
      );
    }
    let z = draw(rng, p.start, 0, K);
    for (let t = 0; t < len; t++) {
      if (t > 0) z = draw(rng, p.trans, z * K, K);
      states[t] = z;
      this.sampleInto(X, t, z, rng);
    }
    return { X, states };
  }

  /** Free the model's WebAssembly memory; later calls throw. */
  dispose(): void {
    untrack(this);
    this.#blocks.release();
    this.disposed = true;
  }
  /** dispose(), for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
