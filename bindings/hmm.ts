// The public HMMs: the models of nn/ with the files of io/ (the top level is the one place that
// may join the layers).
import * as nn from "./nn/hmm/models.js";
import type { CategoricalHMMOptions, GaussianHMMOptions } from "./nn/hmm/models.js";
import { loadHmm, saveHmm } from "./io/hmm-file.js";

/** A hidden Markov model with categorical emissions (hmmlearn's CategoricalHMM), with save() and CategoricalHMM.load().
 *
 * @example
 * ```ts
 * import { init, CategoricalHMM } from "recurrent-wasm";
 *
 * await init();
 * const X = Int32Array.of(0, 0, 1, 2, 2, 2, 1, 0, 0, 0, 2, 2); // one sequence of symbols 0..2
 * const hmm = new CategoricalHMM({ nComponents: 2, nFeatures: 3, nIter: 100, seed: 0 });
 * const { logLikelihood, converged } = hmm.fit(X); // Baum–Welch
 * console.log(converged, logLikelihood.length, hmm.score(X), hmm.decode(X).states);
 * const again = CategoricalHMM.load(hmm.save()); // safetensors, float64
 * console.log(again.score(X) === hmm.score(X)); // true
 * ```
 */
export class CategoricalHMM extends nn.CategoricalHMM {
  /** __metadata__ of the file this model was loaded from (empty for a new model). */
  metadata: Record<string, string> = {};
  /** The model as safetensors bytes: startprob, transmat and emissionprob as F64 (every bit
   *  kept), the kind and options in __metadata__. */
  save(metadata: Record<string, string> = {}): Uint8Array {
    return saveHmm(this, "CategoricalHMM", metadata);
  }
  /** Rebuild a model saved by save(); every tensor is checked against the file's options first. */
  static load(bytes: Uint8Array): CategoricalHMM {
    const { hmm, metadata } = loadHmm(bytes, "CategoricalHMM", (o) => new CategoricalHMM(o as CategoricalHMMOptions));
    hmm.metadata = metadata;
    return hmm;
  }
}

/** A hidden Markov model with Gaussian emissions (hmmlearn's GaussianHMM, diagonal covariances), with save() and GaussianHMM.load().
 *
 * @example
 * ```ts
 * import { init, GaussianHMM } from "recurrent-wasm";
 *
 * await init();
 * const X = Float64Array.of(0.1, -0.2, 0.05, 3.1, 2.9, 3.2, 0, 0.1); // 8 steps of 1 feature
 * const hmm = new GaussianHMM({ nComponents: 2, nFeatures: 1, seed: 0 });
 * hmm.fit(X);
 * console.log(hmm.params().means, hmm.decode(X).states); // two levels, and each step's state
 * ```
 */
export class GaussianHMM extends nn.GaussianHMM {
  /** __metadata__ of the file this model was loaded from (empty for a new model). */
  metadata: Record<string, string> = {};
  /** The model as safetensors bytes: startprob, transmat, means and covars as F64 (every bit
   *  kept), the kind and options in __metadata__. */
  save(metadata: Record<string, string> = {}): Uint8Array {
    return saveHmm(this, "GaussianHMM", metadata);
  }
  /** Rebuild a model saved by save(); every tensor is checked against the file's options first. */
  static load(bytes: Uint8Array): GaussianHMM {
    const { hmm, metadata } = loadHmm(bytes, "GaussianHMM", (o) => new GaussianHMM(o as GaussianHMMOptions));
    hmm.metadata = metadata;
    return hmm;
  }
}
