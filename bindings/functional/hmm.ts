// Stateless HMM passes over the core's exports (assembly/hmm/hmm.ts): the caller (a module) owns
// the memory and passes pointers; these call the core and turn an error code into an exception.
import * as A from "../core/abi.js";
import { core } from "../core/loader.js";

/** Bytes of work of the forward–backward pass and of Viterbi for K states and the longest
 *  sequence. */
export function hmmWorkBytes(K: number, maxLen: number): number {
  const c = core();
  return Math.max(c.hmm_work_bytes(K, maxLen), c.hmm_viterbi_work_bytes(K, maxLen));
}

function fail(where: string, code: number, what: string): never {
  throw new Error(`${where}: the WebAssembly core refused ${what}: ${A.errorText(code)} (code ${code})`);
}

/** Pointers of one pass: lengths i32 [S]; logE [N, K]; start [K]; trans [K, K]; optional outputs
 *  (0: not wanted) gamma [N, K], xi [K, K] and first [K] (accumulated); work; out f64 [2]. */
export interface HmmPass {
  K: number;
  N: number;
  nSeq: number;
  lengths: number;
  logE: number;
  start: number;
  trans: number;
  work: number;
  workBytes: number;
  out: number;
}

/** Forward–backward: the total log-likelihood; a sequence of probability 0 is a RangeError naming
 *  the step. */
export function forwardBackward(where: string, p: HmmPass, gamma = 0, xi = 0, first = 0): number {
  const code = core().hmm_forward_backward(p.K, p.N, p.nSeq, p.lengths, p.logE, p.start, p.trans, gamma, xi, first,
    p.work, p.workBytes, p.out);
  const out = new Float64Array(core().memory.buffer, p.out, 2);
  if (code === A.ERR_ZERO_PROBABILITY) {
    throw new RangeError(
      `${where}: X has probability 0 under the model (at X[${
        out[1]
      }]: a symbol no state can emit there, or a transition the model forbids)`,
    );
  }
  if (code !== A.OK) fail(where, code, "the forward–backward pass");
  return out[0];
}

/** Viterbi: the best path to states i32 [N]; returns the sum of the sequences' path
 *  log-probabilities. start and trans hold log-probabilities here. */
export function viterbi(where: string, p: HmmPass, states: number): number {
  const code = core().hmm_viterbi(p.K, p.N, p.nSeq, p.lengths, p.logE, p.start, p.trans, states, p.work, p.workBytes,
    p.out);
  if (code !== A.OK) fail(where, code, "Viterbi");
  return new Float64Array(core().memory.buffer, p.out, 1)[0];
}

/** Categorical log-emissions logE [N, K] from logB [K, M]; a symbol outside 0..M−1 is a
 *  RangeError naming it. bad: 4 bytes of scratch. */
export function categoricalLogEmissions(where: string, K: number, M: number, N: number, x: number, logB: number,
  logE: number, bad: number): void {
  const code = core().hmm_categorical_log_emissions(K, M, N, x, logB, logE, bad);
  if (code === A.ERR_ARGUMENT) {
    const t = new Int32Array(core().memory.buffer, bad, 1)[0];
    throw new RangeError(
      `${where}: X[${t}] is ${new Int32Array(core().memory.buffer, x, N)[t]}; symbols must be in 0..${
        M - 1
      } (nFeatures = ${M})`,
    );
  }
  if (code !== A.OK) fail(where, code, "the emissions");
}

/** counts [K, M] += Σ_t gamma[t, k]·[x_t = m]. */
export function categoricalCounts(where: string, K: number, M: number, N: number, x: number, gamma: number,
  counts: number): void {
  const code = core().hmm_categorical_counts(K, M, N, x, gamma, counts);
  if (code !== A.OK) fail(where, code, "the emission counts");
}

/** dst = ln src elementwise (n doubles), in the core: the same bits on every host. */
export function logInto(n: number, src: number, dst: number): void {
  const code = core().hmm_log(n, src, dst);
  if (code !== A.OK) fail("recurrent-wasm", code, "the logarithms");
}

/** Diagonal Gaussian log-emissions logE [N, K] from x [N, F], means and vars [K, F]; scratch
 *  2·K·F doubles, bad 4 bytes. A bad variance or observation is a RangeError naming it. */
export function gaussianLogEmissions(where: string, K: number, F: number, N: number, x: number, means: number,
  vars: number, logE: number, scratch: number, bad: number): void {
  const code = core().hmm_gaussian_log_emissions(K, F, N, x, means, vars, logE, scratch, bad);
  if (code === A.ERR_ARGUMENT) {
    const i = new Int32Array(core().memory.buffer, bad, 1)[0];
    throw new RangeError(
      i < 0
        ? `${where}: covars[${-1 - i}] is not a positive finite variance`
        : `${where}: X[${Math.floor(i / F)}, ${i % F}] is not finite`,
    );
  }
  if (code !== A.OK) fail(where, code, "the emissions");
}

/** post [K] += Σ_t γ[t, k]; obs, obs2 [K, F] += Σ_t γ[t, k]·x_t, ·x_t². */
export function gaussianMoments(where: string, K: number, F: number, N: number, x: number, gamma: number, post: number,
  obs: number, obs2: number): void {
  const code = core().hmm_gaussian_moments(K, F, N, x, gamma, post, obs, obs2);
  if (code !== A.OK) fail(where, code, "the emission moments");
}

/** A supervised fit's statistics from labelled paths states i32 [N]: first [K] and trans [K, K]
 *  accumulate (+=) the first states and the transitions; gamma [N, K] (0: not wanted) gets the
 *  states' one-hot rows. A state outside 0..K−1 is a RangeError naming it. bad: 4 bytes. */
export function labelCounts(where: string, K: number, N: number, nSeq: number, lengths: number, states: number,
  gamma: number, first: number, trans: number, bad: number): void {
  const code = core().hmm_label_counts(K, N, nSeq, lengths, states, gamma, first, trans, bad);
  if (code === A.ERR_ARGUMENT) {
    const t = new Int32Array(core().memory.buffer, bad, 1)[0];
    throw new RangeError(
      `${where}: states[${t}] is ${new Int32Array(core().memory.buffer, states, N)[t]}; states must be in 0..${
        K - 1
      } (nComponents = ${K})`,
    );
  }
  if (code !== A.OK) fail(where, code, "the labelled counts");
}
