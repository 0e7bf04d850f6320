// The public shapes of the HMMs' options and results (BaseHMM in base.ts).

/** What fit() returns. */
export interface HmmFitResult {
  /** The total log-likelihood before each iteration's M-step. */
  logLikelihood: number[];
  /** The last iteration raised the log-likelihood by less than tol (hmmlearn's monitor also
   *  reports convergence when nIter is reached; this flag does not). */
  converged: boolean;
  /** Baum–Welch iterations run (of the best restart). */
  iterations: number;
  /** With nInit > 1: each restart's final log-likelihood (the result above is the best one's). */
  restarts?: number[];
}
/** The parameters every HMM has (params(); the emission model adds its own). */
export type HmmParams = {
  /** The start probabilities, [K]. */
  startprob: Float64Array;
  /** The transition probabilities, [K, K] row-major. */
  transmat: Float64Array;
};
/** What decode() returns. */
export interface HmmDecoded {
  /** log P(X, path) of the most probable path, summed over the sequences. */
  logProb: number;
  /** The state at every step, [N]. */
  states: Int32Array;
}
/** What sample() returns. */
export interface HmmSample {
  /** The observations: symbols (CategoricalHMM, Int32Array [n]) or vectors (GaussianHMM, Float64Array [n, F]). */
  X: Float64Array | Int32Array;
  /** The hidden states, [n]. */
  states: Int32Array;
}
/** Options every HMM takes (hmmlearn's names, camel-cased). */
export interface HmmOptions {
  /** Hidden states K. */
  nComponents: number;
  /** Baum–Welch iterations at most (default 10). */
  nIter?: number;
  /** fit stops when an iteration raises the log-likelihood by less than this (default 1e-2). */
  tol?: number;
  /** Seed of the model's random stream (default 0). */
  seed?: number;
  /** Restarts of fit from fresh random initializations, keeping the best (default 1). */
  nInit?: number;
  /** Dirichlet priors (hmmlearn's startprob_prior, transmat_prior; default 1: the plain
   *  maximum-likelihood M-step): Baum–Welch adds prior − 1 to every expected count (clipped at 0)
   *  before normalizing, a MAP estimate. */
  startprobPrior?: number;
  /** The Dirichlet prior of every row of the transition matrix (default 1). */
  transmatPrior?: number;
}
