// Hidden Markov models in float64: the forward–backward pass with per-step scaling (no underflow
// however long the sequence), its posteriors and expected transition counts (the E-step of
// Baum–Welch), Viterbi in log space, and the categorical emission helpers. Emissions enter as log
// densities logE [N, K] (row t: log p(x_t | z_t = k)), so one pass serves every emission model.
//
// Scaling: with m_t = max_k logE[t, k] and e_t(k) = exp(logE[t, k] − m_t) ∈ [0, 1],
//   a_t(j) = e_t(j) · Σ_i α̂_{t−1}(i) A(i, j)   (a_0(j) = e_0(j) π(j)),   c_t = Σ_j a_t(j),
//   α̂_t = a_t / c_t,   log P(x) = Σ_t (log c_t + m_t);
//   β̂_{T−1} = 1,   β̂_t(i) = Σ_j A(i, j) e_{t+1}(j) β̂_{t+1}(j) / c_{t+1};
//   γ_t = α̂_t ⊙ β̂_t (sums to 1),   ξ_t(i, j) = α̂_{t−1}(i) A(i, j) e_t(j) β̂_t(j) / c_t.
// The sums over states run two lanes at a time (f64x2). Every export checks its sizes and returns
// OK or an error code; pointers are the host's to get right (every tensor inside memory is checked,
// and no output may overlap the lengths or a state path the pass reads its loop bounds and indices
// from: ERR_OVERLAP).

import { OK, ERR_SIZE, ERR_BOUNDS, ERR_LENGTHS, ERR_ARGUMENT, ERR_ZERO_PROBABILITY, ERR_OVERLAP } from "../constants";
import { overlaps } from "../overlap";

// @ts-ignore: decorator
@inline function f64p(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}
function inside(p: usize, bytes: f64): bool {
  return p != 0 && <f64>p + bytes <= <f64>memory.size() * 65536;
}

/** Check K, N, the lengths (each ≥ 1, summing to N) and the tensors both passes read. */
function checkCommon(K: i32, N: i32, nSeq: i32, lengths: usize, logE: usize, start: usize, trans: usize): i32 {
  if (K < 1 || K > 65536 || N < 1 || nSeq < 1 || nSeq > N) return ERR_SIZE;
  if (!inside(lengths, <f64>nSeq * 4) || !inside(logE, <f64>N * <f64>K * 8) || !inside(start, <f64>K * 8)
    || !inside(trans, <f64>K * <f64>K * 8)) return ERR_BOUNDS;
  let sum: i64 = 0;
  for (let s = 0; s < nSeq; s++) {
    const l = load<i32>(lengths + (<usize>s << 2));
    if (l < 1) return ERR_LENGTHS;
    sum += l;
  }
  return sum == <i64>N ? OK : ERR_LENGTHS;
}

/** The longest sequence. */
function maxLength(nSeq: i32, lengths: usize): i32 {
  let m = 0;
  for (let s = 0; s < nSeq; s++) m = max(m, load<i32>(lengths + (<usize>s << 2)));
  return m;
}

/** Bytes of work hmm_forward_backward needs: α̂, β̂ and e for the longest sequence, c, and one
 *  row of K for the backward sweep. */
export function hmm_work_bytes(K: i32, maxLen: i32): f64 {
  return (3 * <f64>maxLen * <f64>K + <f64>maxLen + <f64>K) * 8;
}

/** dst[j] += a · src[j], j < K (f64x2). */
// @ts-ignore: decorator
@inline function axpy(K: i32, a: f64, src: usize, dst: usize): void {
  const av = f64x2.splat(a);
  let j = 0;
  for (; j + 2 <= K; j += 2) {
    const o = <usize>j << 3;
    v128.store(dst + o, f64x2.add(v128.load(dst + o), f64x2.mul(av, v128.load(src + o))));
  }
  if (j < K) store<f64>(f64p(dst, j), load<f64>(f64p(dst, j)) + a * load<f64>(f64p(src, j)));
}

/** Σ_j a[j]·b[j], j < K (f64x2, the two lanes added last). */
// @ts-ignore: decorator
@inline function dot(K: i32, a: usize, b: usize): f64 {
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 2 <= K; j += 2) {
    const o = <usize>j << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(a + o), v128.load(b + o)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (j < K) s += load<f64>(f64p(a, j)) * load<f64>(f64p(b, j));
  return s;
}

/** Forward–backward over nSeq sequences (lengths i32 [nSeq], concatenated in logE [N, K]) under
 *  start [K] and trans [K, K]. Writes the total log-likelihood to out[0]. Optional (0 = not
 *  wanted): gamma [N, K] posteriors; xi [K, K] and first [K] accumulate (+=) the expected
 *  transition counts and the posteriors at each sequence's first step. work: hmm_work_bytes. A
 *  sequence of probability 0 returns ERR_ZERO_PROBABILITY with its step (global index) in out[1]. */
export function hmm_forward_backward(K: i32, N: i32, nSeq: i32, lengths: usize, logE: usize, start: usize, trans: usize,
  gamma: usize, xi: usize, first: usize, work: usize, workBytes: f64, out: usize): i32 {
  let e = checkCommon(K, N, nSeq, lengths, logE, start, trans);
  if (e != OK) return e;
  const L = maxLength(nSeq, lengths);
  if (!inside(out, 16) || !inside(work, workBytes)) return ERR_BOUNDS;
  if (workBytes < hmm_work_bytes(K, L)) return ERR_ARGUMENT;
  if ((gamma != 0 && !inside(gamma, <f64>N * <f64>K * 8)) || (xi != 0 && !inside(xi, <f64>K * <f64>K * 8))
    || (first != 0 && !inside(first, <f64>K * 8))) return ERR_BOUNDS;
  const ln = <f64>nSeq * 4;
  if (overlaps(<f64>gamma, <f64>N * <f64>K * 8, <f64>lengths, ln)
    || overlaps(<f64>xi, <f64>K * <f64>K * 8, <f64>lengths, ln) || overlaps(<f64>first, <f64>K * 8, <f64>lengths, ln)
    || overlaps(<f64>work, workBytes, <f64>lengths, ln) || overlaps(<f64>out, 16, <f64>lengths, ln)) return ERR_OVERLAP;
  const KK = <usize>K << 3;
  const alpha = work, beta = alpha + <usize>L * KK, ee = beta + <usize>L * KK, c = ee + <usize>L * KK;
  const tmp = c + (<usize>L << 3);
  let total: f64 = 0, t0 = 0;
  for (let s = 0; s < nSeq; s++) {
    const T = load<i32>(lengths + (<usize>s << 2));
    // scaled emissions
    for (let t = 0; t < T; t++) {
      const row = logE + <usize>(t0 + t) * KK, er = ee + <usize>t * KK;
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = max(m, load<f64>(f64p(row, k)));
      if (m == -Infinity || !isFinite(m)) {
        if (isNaN(m) || m == Infinity) return ERR_ARGUMENT;
        store<f64>(out, -Infinity);
        store<f64>(out + 8, <f64>(t0 + t));
        return ERR_ZERO_PROBABILITY;
      }
      for (let k = 0; k < K; k++) store<f64>(f64p(er, k), Math.exp(load<f64>(f64p(row, k)) - m));
      total += m;
    }
    // forward
    for (let t = 0; t < T; t++) {
      const at = alpha + <usize>t * KK, er = ee + <usize>t * KK;
      if (t == 0) memory.copy(at, start, KK);
      else {
        memory.fill(at, 0, KK);
        const ap = at - KK;
        for (let i = 0; i < K; i++) {
          const a = load<f64>(f64p(ap, i));
          if (a != 0) axpy(K, a, trans + <usize>i * KK, at);
        }
      }
      let sum: f64 = 0;
      for (let j = 0; j < K; j++) {
        const v = load<f64>(f64p(at, j)) * load<f64>(f64p(er, j));
        store<f64>(f64p(at, j), v);
        sum += v;
      }
      if (!(sum > 0)) {
        store<f64>(out, -Infinity);
        store<f64>(out + 8, <f64>(t0 + t));
        return ERR_ZERO_PROBABILITY;
      }
      const inv = 1 / sum;
      for (let j = 0; j < K; j++) store<f64>(f64p(at, j), load<f64>(f64p(at, j)) * inv);
      store<f64>(f64p(c, t), sum);
      total += Math.log(sum);
    }
    if (gamma != 0 || xi != 0 || first != 0) {
      // backward: w = e_{t+1} ⊙ β̂_{t+1} / c_{t+1}; β̂_t(i) = A(i,:)·w; ξ_{t+1}(i,:) += α̂_t(i)·A(i,:) ⊙ w
      const bl = beta + <usize>(T - 1) * KK;
      for (let k = 0; k < K; k++) store<f64>(f64p(bl, k), 1);
      for (let t = T - 2; t >= 0; t--) {
        const bt = beta + <usize>t * KK, bn = bt + KK, en = ee + <usize>(t + 1) * KK,
          inv = 1 / load<f64>(f64p(c, t + 1));
        for (let j = 0; j < K; j++) store<f64>(f64p(tmp, j), load<f64>(f64p(en, j)) * load<f64>(f64p(bn, j)) * inv);
        for (let i = 0; i < K; i++) store<f64>(f64p(bt, i), dot(K, trans + <usize>i * KK, tmp));
        if (xi != 0) {
          const at = alpha + <usize>t * KK;
          for (let i = 0; i < K; i++) {
            const a = load<f64>(f64p(at, i));
            if (a == 0) continue;
            // xi(i, j) += a · A(i, j) · w(j)
            const ar = trans + <usize>i * KK, xr = xi + <usize>i * KK, av = f64x2.splat(a);
            let j = 0;
            for (; j + 2 <= K; j += 2) {
              const o = <usize>j << 3;
              v128.store(xr + o,
                f64x2.add(v128.load(xr + o), f64x2.mul(av, f64x2.mul(v128.load(ar + o), v128.load(tmp + o)))));
            }
            if (j < K) {
              store<f64>(f64p(xr, j), load<f64>(f64p(xr, j)) + a * (load<f64>(f64p(ar, j)) * load<f64>(f64p(tmp, j))));
            }
          }
        }
      }
      for (let t = 0; t < T; t++) {
        const at = alpha + <usize>t * KK, bt = beta + <usize>t * KK;
        if (gamma != 0) {
          const g = gamma + <usize>(t0 + t) * KK;
          for (let k = 0; k < K; k++) store<f64>(f64p(g, k), load<f64>(f64p(at, k)) * load<f64>(f64p(bt, k)));
        }
        if (t == 0 && first != 0) {
          for (let k = 0; k < K; k++) {
            store<f64>(f64p(first, k), load<f64>(f64p(first, k)) + load<f64>(f64p(at, k)) * load<f64>(f64p(bt, k)));
          }
        }
      }
    }
    t0 += T;
  }
  store<f64>(out, total);
  return OK;
}

/** Viterbi over nSeq sequences in log space: logStart [K], logTrans [K, K] (−∞ allowed), logE
 *  [N, K]. Writes the most probable state path to states i32 [N] and the sum of the sequences'
 *  path log-probabilities to out[0]. work: (2·K + maxLen·K) f64 + maxLen·K i32 bytes, as
 *  hmm_viterbi_work_bytes. Ties go to the lowest state. */
export function hmm_viterbi(K: i32, N: i32, nSeq: i32, lengths: usize, logE: usize, logStart: usize, logTrans: usize,
  states: usize, work: usize, workBytes: f64, out: usize): i32 {
  const e = checkCommon(K, N, nSeq, lengths, logE, logStart, logTrans);
  if (e != OK) return e;
  const L = maxLength(nSeq, lengths);
  if (!inside(out, 8) || !inside(states, <f64>N * 4) || !inside(work, workBytes)) return ERR_BOUNDS;
  if (workBytes < hmm_viterbi_work_bytes(K, L)) return ERR_ARGUMENT;
  const ln = <f64>nSeq * 4;
  if (overlaps(<f64>states, <f64>N * 4, <f64>lengths, ln) || overlaps(<f64>work, workBytes, <f64>lengths, ln)
    || overlaps(<f64>out, 8, <f64>lengths, ln)) return ERR_OVERLAP;
  const KK = <usize>K << 3;
  const d = work, dn = d + KK, back = dn + KK; // back: i32 [L, K]
  let total: f64 = 0, t0 = 0;
  for (let s = 0; s < nSeq; s++) {
    const T = load<i32>(lengths + (<usize>s << 2));
    for (let k = 0; k < K; k++) {
      store<f64>(f64p(d, k), load<f64>(f64p(logStart, k)) + load<f64>(f64p(logE + <usize>t0 * KK, k)));
    }
    for (let t = 1; t < T; t++) {
      const er = logE + <usize>(t0 + t) * KK, bt = back + (<usize>(t * K) << 2);
      for (let j = 0; j < K; j++) {
        let best = -Infinity, arg = 0;
        for (let i = 0; i < K; i++) {
          const v = load<f64>(f64p(d, i)) + load<f64>(f64p(logTrans + <usize>i * KK, j));
          if (v > best) {
            best = v;
            arg = i;
          }
        }
        store<f64>(f64p(dn, j), best + load<f64>(f64p(er, j)));
        store<i32>(bt + (<usize>j << 2), arg);
      }
      memory.copy(d, dn, KK);
    }
    let best = -Infinity, arg = 0;
    for (let k = 0; k < K; k++) {
      const v = load<f64>(f64p(d, k));
      if (v > best) {
        best = v;
        arg = k;
      }
    }
    total += best;
    for (let t = T - 1; t >= 0; t--) {
      store<i32>(states + (<usize>(t0 + t) << 2), arg);
      if (t > 0) arg = load<i32>(back + (<usize>(t * K + arg) << 2));
    }
    t0 += T;
  }
  store<f64>(out, total);
  return OK;
}

export function hmm_viterbi_work_bytes(K: i32, maxLen: i32): f64 {
  return 2 * <f64>K * 8 + <f64>maxLen * <f64>K * 4 + 8;
}

/** Categorical emissions: out [N, K] = logB[k, x_t] (logB [K, M]); ERR_ARGUMENT if a symbol is
 *  outside 0..M−1, with its index in bad[0] (i32). */
export function hmm_categorical_log_emissions(K: i32, M: i32, N: i32, x: usize, logB: usize, out: usize,
  bad: usize): i32 {
  if (K < 1 || M < 1 || N < 1) return ERR_SIZE;
  if (!inside(x, <f64>N * 4) || !inside(logB, <f64>K * <f64>M * 8) || !inside(out, <f64>N * <f64>K * 8)
    || !inside(bad, 4)) return ERR_BOUNDS;
  for (let t = 0; t < N; t++) {
    const v = load<i32>(x + (<usize>t << 2));
    if (v < 0 || v >= M) {
      store<i32>(bad, t);
      return ERR_ARGUMENT;
    }
    const row = out + (<usize>(t * K) << 3);
    for (let k = 0; k < K; k++) store<f64>(f64p(row, k), load<f64>(logB + (<usize>(k * M + v) << 3)));
  }
  return OK;
}

/** Categorical M-step statistics: counts [K, M] += Σ_t gamma[t, k]·[x_t = m]. */
export function hmm_categorical_counts(K: i32, M: i32, N: i32, x: usize, gamma: usize, counts: usize): i32 {
  if (K < 1 || M < 1 || N < 1) return ERR_SIZE;
  if (!inside(x, <f64>N * 4) || !inside(gamma, <f64>N * <f64>K * 8) || !inside(counts, <f64>K * <f64>M * 8)) {
    return ERR_BOUNDS;
  }
  for (let t = 0; t < N; t++) {
    const v = load<i32>(x + (<usize>t << 2));
    if (v < 0 || v >= M) return ERR_ARGUMENT;
    const g = gamma + (<usize>(t * K) << 3);
    for (let k = 0; k < K; k++) {
      const p = counts + (<usize>(k * M + v) << 3);
      store<f64>(p, load<f64>(p) + load<f64>(f64p(g, k)));
    }
  }
  return OK;
}

/** A supervised fit's statistics from labelled state paths states i32 [N] (sequences of lengths
 *  i32 [nSeq]): first [K] += each sequence's first state, trans [K, K] += its transitions (i → j
 *  within a sequence), and, when gamma ≠ 0, gamma [N, K] = the one-hot rows of the states, so the
 *  emission statistics of Baum–Welch (hmm_categorical_counts, hmm_gaussian_moments) count them. A
 *  state outside 0..K−1 returns ERR_ARGUMENT with its index in bad[0] (i32). */
export function hmm_label_counts(K: i32, N: i32, nSeq: i32, lengths: usize, states: usize, gamma: usize, first: usize,
  trans: usize, bad: usize): i32 {
  if (K < 1 || K > 65536 || N < 1 || nSeq < 1 || nSeq > N) return ERR_SIZE;
  if (!inside(lengths, <f64>nSeq * 4) || !inside(states, <f64>N * 4) || !inside(first, <f64>K * 8)
    || !inside(trans, <f64>K * <f64>K * 8) || !inside(bad, 4)) return ERR_BOUNDS;
  if (gamma != 0 && !inside(gamma, <f64>N * <f64>K * 8)) return ERR_BOUNDS;
  // the lengths and the states steer the writes: no output may overlap them
  for (let i = 0; i < 4; i++) {
    const p = i == 0 ? gamma : i == 1 ? first : i == 2 ? trans : bad;
    const n = i == 0 ? <f64>N * <f64>K * 8 : i == 1 ? <f64>K * 8 : i == 2 ? <f64>K * <f64>K * 8 : 4;
    if (overlaps(<f64>p, n, <f64>lengths, <f64>nSeq * 4) || overlaps(<f64>p, n, <f64>states, <f64>N * 4)) {
      return ERR_OVERLAP;
    }
  }
  let sum: i64 = 0;
  for (let s = 0; s < nSeq; s++) {
    const l = load<i32>(lengths + (<usize>s << 2));
    if (l < 1) return ERR_LENGTHS;
    sum += l;
  }
  if (sum != <i64>N) return ERR_LENGTHS;
  for (let t = 0; t < N; t++) {
    const z = load<i32>(states + (<usize>t << 2));
    if (z < 0 || z >= K) {
      store<i32>(bad, t);
      return ERR_ARGUMENT;
    }
  }
  if (gamma != 0) memory.fill(gamma, 0, <usize>N * <usize>K * 8);
  let t0 = 0;
  for (let s = 0; s < nSeq; s++) {
    const T = load<i32>(lengths + (<usize>s << 2));
    let prev = load<i32>(states + (<usize>t0 << 2));
    store<f64>(f64p(first, prev), load<f64>(f64p(first, prev)) + 1);
    for (let t = 0; t < T; t++) {
      const z = load<i32>(states + (<usize>(t0 + t) << 2));
      if (gamma != 0) store<f64>(f64p(gamma, (t0 + t) * K + z), 1);
      if (t > 0) {
        const p = f64p(trans, prev * K + z);
        store<f64>(p, load<f64>(p) + 1);
      }
      prev = z;
    }
    t0 += T;
  }
  return OK;
}

/** dst[i] = ln src[i] for n doubles (ln 0 = −∞): the host's logs of probabilities, computed here so
 *  that every host gets the same bits (JavaScript engines' Math.log may differ in the last bit). */
export function hmm_log(n: i32, src: usize, dst: usize): i32 {
  if (n < 1) return ERR_SIZE;
  if (!inside(src, <f64>n * 8) || !inside(dst, <f64>n * 8)) return ERR_BOUNDS;
  for (let i = 0; i < n; i++) store<f64>(f64p(dst, i), Math.log(load<f64>(f64p(src, i))));
  return OK;
}

/** Diagonal Gaussian emissions: out [N, K] = −½ Σ_f (ln(2π·v_kf) + (x_tf − μ_kf)²/v_kf) for x [N, F],
 *  means and vars [K, F]. ERR_ARGUMENT if a variance is not positive and finite, or an x is not
 *  finite (its index in bad[0], i32). scratch: 2·K·F doubles. */
export function hmm_gaussian_log_emissions(K: i32, F: i32, N: i32, x: usize, means: usize, vars: usize, out: usize,
  scratch: usize, bad: usize): i32 {
  if (K < 1 || F < 1 || N < 1) return ERR_SIZE;
  const KF = <f64>K * <f64>F;
  if (!inside(x, <f64>N * <f64>F * 8) || !inside(means, KF * 8) || !inside(vars, KF * 8)
    || !inside(out, <f64>N * <f64>K * 8) || !inside(scratch, 2 * KF * 8) || !inside(bad, 4)) return ERR_BOUNDS;
  const n = K * F, lc = scratch, iv = scratch + (<usize>n << 3);
  for (let i = 0; i < n; i++) {
    const v = load<f64>(f64p(vars, i));
    if (!(v > 0 && v < Infinity)) {
      store<i32>(bad, -1 - i);
      return ERR_ARGUMENT;
    }
    store<f64>(f64p(lc, i), Math.log(2 * Math.PI * v));
    store<f64>(f64p(iv, i), 1 / v);
  }
  for (let t = 0; t < N; t++) {
    const xr = x + (<usize>(t * F) << 3), orow = out + (<usize>(t * K) << 3);
    for (let f = 0; f < F; f++) {
      if (!isFinite(load<f64>(f64p(xr, f)))) {
        store<i32>(bad, t * F + f);
        return ERR_ARGUMENT;
      }
    }
    for (let k = 0; k < K; k++) {
      let s: f64 = 0;
      for (let f = 0; f < F; f++) {
        const d = load<f64>(f64p(xr, f)) - load<f64>(f64p(means, k * F + f));
        s += load<f64>(f64p(lc, k * F + f)) + d * d * load<f64>(f64p(iv, k * F + f));
      }
      store<f64>(f64p(orow, k), -0.5 * s);
    }
  }
  return OK;
}

/** Gaussian M-step statistics: post [K] += Σ_t γ[t, k]; obs [K, F] += Σ_t γ[t, k]·x_t; obs2 [K, F]
 *  += Σ_t γ[t, k]·x_t². */
export function hmm_gaussian_moments(K: i32, F: i32, N: i32, x: usize, gamma: usize, post: usize, obs: usize,
  obs2: usize): i32 {
  if (K < 1 || F < 1 || N < 1) return ERR_SIZE;
  const KF = <f64>K * <f64>F;
  if (!inside(x, <f64>N * <f64>F * 8) || !inside(gamma, <f64>N * <f64>K * 8) || !inside(post, <f64>K * 8)
    || !inside(obs, KF * 8) || !inside(obs2, KF * 8)) return ERR_BOUNDS;
  for (let t = 0; t < N; t++) {
    const xr = x + (<usize>(t * F) << 3), g = gamma + (<usize>(t * K) << 3);
    for (let k = 0; k < K; k++) {
      const w = load<f64>(f64p(g, k));
      if (w == 0) continue;
      store<f64>(f64p(post, k), load<f64>(f64p(post, k)) + w);
      for (let f = 0; f < F; f++) {
        const v = load<f64>(f64p(xr, f)), po = obs + (<usize>(k * F + f) << 3), p2 = obs2 + (<usize>(k * F + f) << 3);
        store<f64>(po, load<f64>(po) + w * v);
        store<f64>(p2, load<f64>(p2) + w * v * v);
      }
    }
  }
  return OK;
}
