// Hidden Markov models with the semantics of hmmlearn 0.3 (names in camelCase), per the contract
// of ../shared/API.md ("Hidden Markov models"): CategoricalHMM. The parameters live in JS as
// Float64Arrays (they are small); each call stages X and the parameters into WebAssembly memory
// and runs the core's float64 passes (functional/hmm.ts): forward–backward with scaling,
// Viterbi, the emission statistics. EM (Baum–Welch) with hmmlearn's default priors, so the M-step
// is the plain maximum-likelihood update.
import * as check from "../core/check.js";
import { Blocks, reserveAll, untrack, track } from "../core/arena.js";
import { core } from "../core/loader.js";
import { Rng } from "../core/random.js";
import { HmmPass, categoricalCounts, categoricalLogEmissions, forwardBackward, hmmWorkBytes, logInto, viterbi } from "../functional/hmm.js";

export interface CategoricalHMMOptions {
  /** Number of hidden states K. */
  nComponents: number;
  /** Number of symbols M (X holds 0..M−1). */
  nFeatures: number;
  /** Most EM iterations of fit (default 10, hmmlearn's). */
  nIter?: number;
  /** fit stops when an iteration raises the log-likelihood by less than tol (default 1e-2). */
  tol?: number;
  /** Seed of the random initialization (default 0). */
  seed?: number;
}

export interface CategoricalParams { startprob: Float64Array; transmat: Float64Array; emissionprob: Float64Array }
export interface HmmFitResult {
  /** The total log-likelihood before each iteration's M-step. */
  logLikelihood: number[];
  /** The last iteration raised the log-likelihood by less than tol (hmmlearn's monitor also
   *  reports convergence when nIter is reached; this flag does not). */
  converged: boolean;
  iterations: number;
}

const W = "CategoricalHMM";
const ROW_TOL = 1e-6;

/** A row-stochastic matrix [rows, cols] (or a vector, rows = 1): non-negative, rows summing to 1. */
function stochastic(where: string, name: string, v: unknown, rows: number, cols: number): Float64Array {
  const shape = rows === 1 ? `[${cols}]` : `[${rows}, ${cols}]`;
  if (!(v instanceof Float64Array)) throw new TypeError(`${where}: ${name} must be a Float64Array ${shape}, got ${check.show(v)}`);
  if (v.length !== rows * cols) throw new RangeError(`${where}: ${name} must have ${rows * cols} elements ${shape}, got ${v.length}`);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const x = v[r * cols + c];
      if (!(x >= 0 && x <= 1)) throw new RangeError(`${where}: ${name}[${rows === 1 ? c : `${r}, ${c}`}] is ${x}; probabilities must be in [0, 1]`);
      s += x;
    }
    if (Math.abs(s - 1) > ROW_TOL) throw new RangeError(`${where}: ${name}${rows === 1 ? "" : ` row ${r}`} sums to ${s}, not 1 (±${ROW_TOL})`);
  }
  return Float64Array.from(v);
}

export class CategoricalHMM {
  readonly nComponents: number;
  readonly nFeatures: number;
  nIter: number;
  tol: number;
  #rng: Rng;
  #start: Float64Array | null = null;
  #trans: Float64Array | null = null;
  #emit: Float64Array | null = null;
  readonly #mem = new Blocks();
  #disposed = false;

  constructor(options: CategoricalHMMOptions) {
    const o = check.object(W, "options", options);
    if (options === undefined) throw new TypeError(`${W}: options must be an object with at least nComponents and nFeatures, got undefined`);
    check.known(W, o, ["nComponents", "nFeatures", "nIter", "tol", "seed"]);
    this.nComponents = check.int(W, "nComponents", o.nComponents, 1, 4096);
    this.nFeatures = check.int(W, "nFeatures", o.nFeatures, 1, 1 << 20);
    this.nIter = check.int(W, "nIter", o.nIter ?? 10, 1, 1e9);
    this.tol = check.num(W, "tol", o.tol ?? 1e-2, 0);
    this.#rng = new Rng(check.int(W, "seed", o.seed ?? 0, 0, 0xffffffff));
    track(this, this.#mem);
  }

  #alive(where: string): void { if (this.#disposed) throw new Error(`${where}: this HMM was disposed`); }

  /** Set any of the parameters (validated: Float64Arrays of the right size, non-negative, rows
   *  summing to 1 within 1e-6). */
  setParams(params: Partial<CategoricalParams>): void {
    const M = `${W}.setParams`;
    this.#alive(M);
    const o = check.object(M, "params", params);
    check.known(M, o, ["startprob", "transmat", "emissionprob"], "params");
    const K = this.nComponents;
    const s = o.startprob !== undefined ? stochastic(M, "startprob", o.startprob, 1, K) : null;
    const t = o.transmat !== undefined ? stochastic(M, "transmat", o.transmat, K, K) : null;
    const e = o.emissionprob !== undefined ? stochastic(M, "emissionprob", o.emissionprob, K, this.nFeatures) : null;
    if (s) this.#start = s;
    if (t) this.#trans = t;
    if (e) this.#emit = e;
  }

  /** Copies of the parameters. */
  params(): CategoricalParams {
    const M = `${W}.params`;
    this.#alive(M);
    const p = this.#ready(M);
    return { startprob: p.startprob.slice(), transmat: p.transmat.slice(), emissionprob: p.emissionprob.slice() };
  }

  #ready(where: string): CategoricalParams {
    if (!this.#start || !this.#trans || !this.#emit) {
      const missing = [!this.#start && "startprob", !this.#trans && "transmat", !this.#emit && "emissionprob"].filter(Boolean).join(", ");
      throw new Error(`${where}: the model has no ${missing} yet (call setParams or fit)`);
    }
    return { startprob: this.#start, transmat: this.#trans, emissionprob: this.#emit };
  }

  /** Check X and lengths; stage them and the parameters (logs for Viterbi) into memory. */
  #stage(where: string, X: unknown, lengths: unknown, logParams: boolean, fit = false): { pass: HmmPass; p: CategoricalParams; x: number; N: number } {
    this.#alive(where);
    const p = this.#ready(where);
    if (!(X instanceof Int32Array)) throw new TypeError(`${where}: X must be an Int32Array of symbols 0..${this.nFeatures - 1} (all sequences concatenated), got ${check.show(X)}`);
    const N = X.length;
    if (N === 0) throw new RangeError(`${where}: X is empty`);
    let L: Int32Array;
    if (lengths === undefined) L = Int32Array.of(N);
    else {
      if (!(lengths instanceof Int32Array) || lengths.length === 0) throw new TypeError(`${where}: lengths must be a non-empty Int32Array of sequence lengths summing to X.length = ${N}, got ${check.show(lengths)}`);
      let sum = 0;
      for (let i = 0; i < lengths.length; i++) {
        if (!(lengths[i] >= 1)) throw new RangeError(`${where}: lengths[${i}] is ${lengths[i]}; every length must be at least 1`);
        sum += lengths[i];
      }
      if (sum !== N) throw new RangeError(`${where}: lengths sum to ${sum}, but X has ${N} symbols`);
      L = lengths;
    }
    const K = this.nComponents, Mf = this.nFeatures;
    let maxLen = 0;
    for (const l of L) maxLen = Math.max(maxLen, l);
    const work = hmmWorkBytes(K, maxLen);
    const sizes = {
      x: 4 * N, lengths: 4 * L.length, logE: 8 * N * K, gamma: 8 * N * K, start: 8 * K, trans: 8 * K * K, logB: 8 * K * Mf,
      xi: fit ? 8 * K * K : 0, first: fit ? 8 * K : 0, counts: fit ? 8 * K * Mf : 0, work, out: 16, bad: 4, states: 4 * N,
    };
    reserveAll(where, [[this.#mem, sizes]], { what: `HMM pass (${N} symbols, ${K} states)`, advice: "pass fewer or shorter sequences per call" });
    const buf = core().memory.buffer;
    new Int32Array(buf, sizes.x, N).set(X);
    new Int32Array(buf, sizes.lengths, L.length).set(L);
    // logs in the core (not Math.log): the same bits in every JavaScript engine
    const put = (ptr: number, v: Float64Array) => { new Float64Array(buf, ptr, v.length).set(v); if (logParams) logInto(v.length, ptr, ptr); };
    put(sizes.start, p.startprob); put(sizes.trans, p.transmat);
    new Float64Array(buf, sizes.logB, K * Mf).set(p.emissionprob);
    logInto(K * Mf, sizes.logB, sizes.logB);
    categoricalLogEmissions(where, K, Mf, N, sizes.x, sizes.logB, sizes.logE, sizes.bad);
    return { pass: { K, N, nSeq: L.length, lengths: sizes.lengths, logE: sizes.logE, start: sizes.start, trans: sizes.trans, work: sizes.work, workBytes: this.#mem.bytes("work"), out: sizes.out }, p, x: sizes.x, N };
  }

  /** The total log-likelihood log P(X) (natural log) over the sequences. */
  score(X: Int32Array, lengths?: Int32Array): number { return this.#score(`${W}.score`, X, lengths); }
  #score(where: string, X: unknown, lengths: unknown): number {
    const { pass } = this.#stage(where, X, lengths, false);
    return forwardBackward(where, pass);
  }

  /** Posteriors P(z_t = k | its sequence): Float64Array [N, K]. */
  predictProba(X: Int32Array, lengths?: Int32Array): Float64Array {
    const M = `${W}.predictProba`;
    const { pass } = this.#stage(M, X, lengths, false);
    const g = this.#mem.get("gamma");
    forwardBackward(M, pass, g);
    return new Float64Array(core().memory.buffer, g, pass.N * pass.K).slice();
  }

  /** The most probable state path (Viterbi) and its log-probability (summed over the sequences). */
  decode(X: Int32Array, lengths?: Int32Array): { logProb: number; states: Int32Array } {
    const M = `${W}.decode`;
    const { pass } = this.#stage(M, X, lengths, true);
    const st = this.#mem.get("states");
    const logProb = viterbi(M, pass, st);
    return { logProb, states: new Int32Array(core().memory.buffer, st, pass.N).slice() };
  }

  /** Akaike and Bayesian information criteria of X under the model (hmmlearn's counts of free
   *  parameters: (K − 1) + K(K − 1) + K(M − 1)). */
  aic(X: Int32Array, lengths?: Int32Array): number { return -2 * this.#score(`${W}.aic`, X, lengths) + 2 * this.#freeParams(); }
  bic(X: Int32Array, lengths?: Int32Array): number { return -2 * this.#score(`${W}.bic`, X, lengths) + this.#freeParams() * Math.log(X.length); }
  #freeParams(): number { const K = this.nComponents; return K - 1 + K * (K - 1) + K * (this.nFeatures - 1); }

  /** Baum–Welch. initParams: the letters of the parameters to initialize at random first (s start,
   *  t trans, e emission; default "ste"); "" keeps the current ones. Each iteration's E-step gives
   *  the log-likelihood; fit stops when it rose by less than tol, or after nIter iterations. A
   *  state with no responsibility keeps its previous row (hmmlearn would leave a row of zeros):
   *  the parameters stay stochastic, never NaN. */
  fit(X: Int32Array, lengths?: Int32Array, options: { initParams?: string } = {}): HmmFitResult {
    const M = `${W}.fit`;
    this.#alive(M);
    const o = check.object(M, "options", options);
    check.known(M, o, ["initParams"]);
    const init = o.initParams ?? "ste";
    if (typeof init !== "string" || !/^[ste]*$/.test(init)) throw new TypeError(`${M}: initParams must be a string of the letters s, t, e (or ""), got ${check.show(init)}`);
    const K = this.nComponents, Mf = this.nFeatures;
    // initialize into copies (a failure below leaves the model as it was): every row uniform
    // random, normalized (hmmlearn draws start and transition rows from Dirichlet(1/K); uniform
    // rows need no transcendental functions, so every JavaScript engine draws the same bits)
    const rows = (r: number, c: number) => normalizeRows(Float64Array.from({ length: r * c }, () => 0.05 + this.#rng.uniform()), r, c, new Float64Array(r * c));
    const start = init.includes("s") ? rows(1, K) : this.#start;
    const trans = init.includes("t") ? rows(K, K) : this.#trans;
    const emit = init.includes("e") ? rows(K, Mf) : this.#emit;
    const saved = [this.#start, this.#trans, this.#emit];
    [this.#start, this.#trans, this.#emit] = [start, trans, emit];
    try {
      const history: number[] = [];
      let converged = false;
      for (let it = 0; it < this.nIter; it++) {
        const { pass, x, N } = this.#stage(M, X, lengths, false, true);
        const buf = core().memory.buffer, xi = this.#mem.get("xi"), first = this.#mem.get("first"), counts = this.#mem.get("counts"), gamma = this.#mem.get("gamma");
        new Float64Array(buf, xi, K * K).fill(0); new Float64Array(buf, first, K).fill(0); new Float64Array(buf, counts, K * Mf).fill(0);
        const ll = forwardBackward(M, pass, gamma, xi, first);
        categoricalCounts(M, K, Mf, N, x, gamma, counts);
        history.push(ll);
        if (history.length >= 2 && ll - history[history.length - 2] < this.tol) { converged = true; break; }
        // M-step: normalize the expected counts; a row without mass keeps its previous values
        const mem = core().memory.buffer;
        this.#start = normalizeRows(new Float64Array(mem, first, K), 1, K, this.#start!);
        this.#trans = normalizeRows(new Float64Array(mem, xi, K * K), K, K, this.#trans!);
        this.#emit = normalizeRows(new Float64Array(mem, counts, K * Mf), K, Mf, this.#emit!);
      }
      return { logLikelihood: history, converged, iterations: history.length };
    } catch (e) {
      [this.#start, this.#trans, this.#emit] = saved;
      throw e;
    }
  }

  /** A sequence of n steps drawn from the model: { X, states }. Seeded (default: the model's seed
   *  stream). */
  sample(n: number, options: { seed?: number } = {}): { X: Int32Array; states: Int32Array } {
    const M = `${W}.sample`;
    this.#alive(M);
    const len = check.int(M, "n", n, 1, 1 << 30);
    const o = check.object(M, "options", options);
    check.known(M, o, ["seed"]);
    const rng = o.seed === undefined ? this.#rng : new Rng(check.int(M, "seed", o.seed, 0, 0xffffffff));
    const p = this.#ready(M), K = this.nComponents, Mf = this.nFeatures;
    const draw = (probs: Float64Array, off: number, count: number) => {
      const u = rng.uniform();
      let c = 0;
      for (let i = 0; i < count; i++) { c += probs[off + i]; if (u < c) return i; }
      for (let i = count - 1; i >= 0; i--) if (probs[off + i] > 0) return i; // rounding: the last possible
      return count - 1;
    };
    const X = new Int32Array(len), states = new Int32Array(len);
    let z = draw(p.startprob, 0, K);
    for (let t = 0; t < len; t++) {
      if (t > 0) z = draw(p.transmat, z * K, K);
      states[t] = z;
      X[t] = draw(p.emissionprob, z * Mf, Mf);
    }
    return { X, states };
  }

  dispose(): void {
    untrack(this);
    this.#mem.release();
    this.#disposed = true;
  }
  [Symbol.dispose](): void { this.dispose(); }
}

/** Rows of counts [rows, cols] normalized to sum 1; a row summing to 0 keeps `previous`'s row. */
function normalizeRows(counts: Float64Array, rows: number, cols: number, previous: Float64Array): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += counts[r * cols + c];
    for (let c = 0; c < cols; c++) out[r * cols + c] = s > 0 ? counts[r * cols + c] / s : previous[r * cols + c];
  }
  return out;
}
