// The symbol source of the bias–variance experiment (experiments/claims/crossover.mjs): a sticky
// hidden Markov chain of K0 states, each emitting mostly its own M/K0 symbols, whose output is
// overwritten with probability rho by a copy of the symbol `lag` steps back:
//   x_t = x_{t−lag} with probability rho (t ≥ lag), else x_t ~ B(z_t, ·).
// The copy makes the process's memory reach `lag` symbols back, which no HMM with fewer than about
// M^lag states can represent (a K-state HMM's prediction of x_t depends on the past only through a
// K-dimensional filter); a recurrent network can learn to remember and copy. Its exact conditional
// P(x_t | x_<t) comes from a forward filter over z (the copy event is independent of z), so the
// truth's own log-loss, the floor of every model, is computed exactly.
import { Rng } from "../dist/index.js";

export function copySource({ M = 20, K0 = 5, stay = 0.9, lag = 3, rho = 0.25, T = 40, seed = 2024 } = {}) {
  const rng0 = new Rng(seed);
  const trans = Float64Array.from({ length: K0 * K0 }, (_, i) => (i % (K0 + 1) === 0 ? stay : (1 - stay) / (K0 - 1)));
  const emit = new Float64Array(K0 * M), own = M / K0;
  for (let k = 0; k < K0; k++) {
    let s = 0;
    for (let m = 0; m < M; m++) {
      const v = 0.01 + 0.05 * rng0.uniform() + (Math.floor(m / own) === k ? 0.4 + 0.4 * rng0.uniform() : 0);
      emit[k * M + m] = v;
      s += v;
    }
    for (let m = 0; m < M; m++) emit[k * M + m] /= s;
  }
  const start = new Float64Array(K0).fill(1 / K0);
  const draw = (rng, p, off, c) => {
    const u = rng.uniform();
    let a = 0;
    for (let i = 0; i < c - 1; i++) {
      a += p[off + i];
      if (u < a) return i;
    }
    return c - 1;
  };

  /** n sequences of T symbols (Int32Array each), seeded. */
  function sample(n, seed) {
    const rng = new Rng(seed), out = [];
    for (let i = 0; i < n; i++) {
      const s = new Int32Array(T);
      let z = draw(rng, start, 0, K0);
      for (let t = 0; t < T; t++) {
        if (t > 0) z = draw(rng, trans, z * K0, K0);
        const copy = t >= lag && rng.uniform() < rho;
        s[t] = copy ? s[t - lag] : draw(rng, emit, z * M, M);
      }
      out.push(s);
    }
    return out;
  }

  /** The truth's log-loss on sequences: −Σ log P(x_t | x_<t) / (number of symbols), in nats. */
  function nll(seqs) {
    let tot = 0, n = 0;
    const a = new Float64Array(K0), b = new Float64Array(K0);
    for (const s of seqs) {
      for (let t = 0; t < s.length; t++) {
        if (t === 0) a.set(start);
        else {
          b.fill(0);
          for (let i = 0; i < K0; i++) for (let j = 0; j < K0; j++) b[j] += a[i] * trans[i * K0 + j];
          a.set(b);
        }
        const copy = t >= lag ? rho * +(s[t] === s[t - lag]) : 0, w = t >= lag ? 1 - rho : 1;
        let p = 0;
        for (let k = 0; k < K0; k++) {
          b[k] = a[k] * (copy + w * emit[k * M + s[t]]);
          p += b[k];
        }
        for (let k = 0; k < K0; k++) a[k] = b[k] / p;
        tot -= Math.log(p);
        n++;
      }
    }
    return tot / n;
  }
  return { M, K0, lag, rho, T, stay, trans, emit, start, sample, nll };
}
