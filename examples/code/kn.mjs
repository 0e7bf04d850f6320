// Interpolated Kneser–Ney character n-grams of every order 1..maxOrder at once (Chen & Goodman
// 1998, one discount per order and kind, D = n1 / (n1 + 2·n2)), exact for any order: the counts
// come from the training tokens' suffixes sorted by their first maxOrder tokens (an LSD radix
// sort), so every n-gram is a contiguous range of that array and nothing is hashed or packed.
//
// Definitions (n-gram g, context h, next token w; V the vocabulary's size):
//   C_n(g)  occurrences of the n-gram g in the training tokens;
//   N_n(g)  distinct tokens that precede g (the start of the text counts as one more symbol);
//   the model of order K: p_K(w | h) = (max(C_K(hw) − D, 0) + D·T(h)·q_{K−1}(w | h')) / C(h•)
//     where h is the last K−1 tokens, h' the last K−2, T(h) the distinct tokens that follow h
//     and C(h•) the occurrences of h followed by a token; the lower orders use continuation
//     counts in place of occurrences: q_n(w | h) = (max(N_n(hw) − D, 0) + D·T(h)·q_{n−1}) /
//     Σ_w N_n(hw), and q_0 = 1 / V. A context never seen (or only at the text's end) keeps the
//     lower order's estimate. The probabilities of every order sum to 1 over the vocabulary.

/** Sort positions 0..N−1 of tokens by their next `depth` tokens (a shorter suffix first). */
function sortedSuffixes(tokens, depth, V) {
  const N = tokens.length;
  let sa = new Int32Array(N), tmp = new Int32Array(N);
  for (let i = 0; i < N; i++) sa[i] = i;
  const count = new Int32Array(V + 2);
  for (let k = depth - 1; k >= 0; k--) {
    count.fill(0);
    for (let i = 0; i < N; i++) count[(i + k < N ? tokens[i + k] + 1 : 0) + 1]++;
    for (let c = 1; c < count.length; c++) count[c] += count[c - 1];
    for (let i = 0; i < N; i++) {
      const p = sa[i], c = p + k < N ? tokens[p + k] + 1 : 0;
      tmp[count[c]++] = p;
    }
    [sa, tmp] = [tmp, sa];
  }
  return sa;
}

/**
 * The Kneser–Ney models of orders 1..maxOrder over a training token array (ids in 0..vocab−1).
 * Returns { prob(history, w, order), evaluate(seq, options), discounts, orders, seconds }.
 */
export function kneserNeyFamily(tokens, { maxOrder = 12, vocab } = {}) {
  const t0 = performance.now(), N = tokens.length, K = maxOrder, V = vocab;
  if (!Number.isInteger(K) || K < 1 || K > 64) throw new RangeError(`maxOrder: expected an integer in 1..64, got ${K}`);
  if (!Number.isInteger(V) || V < 1) throw new RangeError(`vocab: expected the vocabulary's size, got ${V}`);
  for (let i = 0; i < N; i++) {
    if (!(tokens[i] >= 0 && tokens[i] < V)) throw new RangeError(`tokens[${i}] is ${tokens[i]}; expected 0..${V - 1}`);
  }
  const sa = sortedSuffixes(tokens, K, V);
  // common prefix (capped at K) of each sorted suffix with the one before it
  const lcp = new Uint8Array(N);
  for (let i = 1; i < N; i++) {
    const a = sa[i - 1], b = sa[i];
    let l = 0;
    while (l < K && a + l < N && b + l < N && tokens[a + l] === tokens[b + l]) l++;
    lcp[i] = l;
  }
  const left = (i) => (sa[i] > 0 ? tokens[sa[i] - 1] : V); // V: the start of the text
  // counts of counts per order: n-grams seen once and twice, and with one and two left neighbours
  const n1C = new Float64Array(K + 1), n2C = new Float64Array(K + 1), n1N = new Float64Array(K + 1),
    n2N = new Float64Array(K + 1);
  {
    const stamp = new Int32Array((K + 1) * (V + 1)).fill(-1), run = new Int32Array(K + 1),
      lefts = new Int32Array(K + 1);
    const close = (n) => {
      if (run[n] === 1) n1C[n]++;
      else if (run[n] === 2) n2C[n]++;
      if (lefts[n] === 1) n1N[n]++;
      else if (lefts[n] === 2) n2N[n]++;
      run[n] = 0;
      lefts[n] = 0;
    };
    for (let i = 0; i < N; i++) {
      const len = N - sa[i], l = left(i);
      for (let n = 1; n <= K; n++) {
        if (lcp[i] < n && run[n] > 0) close(n); // a new n-gram starts here
        if (len < n) continue; // too short to hold an n-gram
        run[n]++;
        const s = n * (V + 1) + l;
        if (stamp[s] !== i - run[n] + 1) {
          stamp[s] = i - run[n] + 1; // the run's first index marks the left symbols it has seen
          lefts[n]++;
        }
      }
    }
    for (let n = 1; n <= K; n++) if (run[n] > 0) close(n);
  }
  const disc = (a, b) => (a + b > 0 ? a / (a + 2 * b) : 0.5);
  const DC = Array.from({ length: K + 1 }, (_, n) => disc(n1C[n], n2C[n]));
  const DN = Array.from({ length: K + 1 }, (_, n) => disc(n1N[n], n2N[n]));

  // [lo, hi) of the suffixes in [lo, hi) (all sharing their first m tokens) whose token m is w
  function child(lo, hi, m, w) {
    const key = (i) => (sa[i] + m < N ? tokens[sa[i] + m] : -1);
    let a = lo, b = hi;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (key(mid) < w) a = mid + 1;
      else b = mid;
    }
    let c = a;
    b = hi;
    while (c < b) {
      const mid = (c + b) >>> 1;
      if (key(mid) <= w) c = mid + 1;
      else b = mid;
    }
    return [a, c];
  }
  // distinct left neighbours of the suffixes in [lo, hi): N_n of the n-gram that range is
  const seen = new Int32Array(V + 1).fill(-1);
  let mark = 0;
  function distinctLeft(lo, hi) {
    mark++;
    let d = 0;
    for (let i = lo; i < hi; i++) {
      const l = left(i);
      if (seen[l] !== mark) {
        seen[l] = mark;
        d++;
      }
    }
    return d;
  }
  const memoN = new Map(), memoCtx = new Map(), MEMO = 16; // ranges this wide or wider are remembered
  function contN(lo, hi, n) {
    if (hi - lo < MEMO) return distinctLeft(lo, hi);
    const k = lo * (K + 1) + n;
    let v = memoN.get(k);
    if (v === undefined) memoN.set(k, v = distinctLeft(lo, hi));
    return v;
  }
  // a context's statistics at order n (its range holds the suffixes starting with its n−1 tokens):
  // total (occurrences followed by a token), types (distinct next tokens), contTotal (Σ_w N_n(hw))
  function context(lo, hi, n) {
    const k = lo * (K + 1) + n;
    const big = hi - lo >= MEMO;
    if (big) {
      const v = memoCtx.get(k);
      if (v) return v;
    }
    let total = 0, types = 0, contTotal = 0;
    let i = lo;
    while (i < hi && sa[i] + n - 1 >= N) i++; // the context at the very end of the text
    while (i < hi) {
      const w = tokens[sa[i] + n - 1];
      let j = i + 1;
      while (j < hi && tokens[sa[j] + n - 1] === w) j++;
      total += j - i;
      types++;
      contTotal += distinctLeft(i, j);
      i = j;
    }
    const v = { total, types, contTotal };
    if (big) memoCtx.set(k, v);
    return v;
  }

  // one prediction of every order from the context ranges ranges[m] (the suffixes starting with
  // the last m tokens of the history; null: that context was never seen); writes p[K] for order K
  // and the ranges of the n-grams ending in w (the next position's contexts) to next
  function predict(ranges, w, p, next) {
    let q = 1 / V; // q_{n−1}: the continuation-count model one order below
    for (let n = 1; n <= K; n++) {
      const r = ranges[n - 1];
      if (!r) {
        for (let k = n; k <= K; k++) {
          p[k] = q; // every longer context is unseen too: back off to the orders below
          next[k] = null;
        }
        return;
      }
      const [lo, hi] = r, ctx = context(lo, hi, n);
      const [a, b] = child(lo, hi, n - 1, w);
      next[n] = b > a ? [a, b] : null;
      if (ctx.total === 0) {
        p[n] = q; // seen only at the end of the text: no next token to learn from
        continue;
      }
      p[n] = (Math.max(b - a - DC[n], 0) + DC[n] * ctx.types * q) / ctx.total;
      const c = b > a ? contN(a, b, n) : 0;
      q = (Math.max(c - DN[n], 0) + DN[n] * ctx.types * q) / ctx.contTotal;
    }
  }

  /** P(w | history) under the order-`order` model (history: the preceding tokens, any length). */
  function prob(history, w, order = K) {
    if (!(order >= 1 && order <= K)) throw new RangeError(`order: expected 1..${K}, got ${order}`);
    const ranges = [[0, N]];
    for (let m = 1; m < order; m++) {
      if (history.length < m) {
        ranges.push(null);
        continue;
      }
      let r = [0, N];
      for (let j = history.length - m, d = 0; j < history.length && r; j++, d++) {
        const c = child(r[0], r[1], d, history[j]);
        r = c[1] > c[0] ? c : null;
      }
      ranges.push(r);
    }
    while (ranges.length < K) ranges.push(null);
    const p = new Float64Array(K + 1), next = new Array(K + 1);
    predict(ranges, w, p, next);
    return p[order];
  }

  /**
   * Bits per token of seq under every order (seq read in order, each token predicted from the
   * ones before it in seq; the first from no context). Returns { bits: [order 1, …, maxOrder],
   * positions, argmax } where positions[order] is a Float64Array of the bits of each token (for the
   * orders listed in options.positions) and argmax (options.argmax { order, at: a mask over seq })
   * the most probable token of that order where the mask is set (−1 elsewhere).
   */
  function evaluate(seq, { positions = [], argmax = null } = {}) {
    const sums = new Float64Array(K + 1), per = {}, top = argmax ? new Int32Array(seq.length).fill(-1) : null;
    const pw = new Float64Array(K + 1), scratch = new Array(K + 1);
    for (const o of positions) per[o] = new Float64Array(seq.length);
    let ranges = new Array(K).fill(null);
    ranges[0] = [0, N];
    const p = new Float64Array(K + 1);
    for (let j = 0; j < seq.length; j++) {
      const next = new Array(K + 1).fill(null);
      predict(ranges, seq[j], p, next);
      if (argmax && argmax.at[j]) {
        // the most probable token of order argmax.order at this position (every token scored)
        let bestP = -1;
        for (let w = 0; w < V; w++) {
          predict(ranges, w, pw, scratch);
          if (pw[argmax.order] > bestP) {
            bestP = pw[argmax.order];
            top[j] = w;
          }
        }
      }
      for (let k = 1; k <= K; k++) sums[k] -= Math.log2(p[k]);
      for (const o of positions) per[o][j] = -Math.log2(p[o]);
      next[0] = [0, N];
      ranges = next.slice(0, K);
    }
    return { bits: Array.from(sums.subarray(1), (s) => s / seq.length), positions: per, argmax: top };
  }

  return { prob, evaluate, orders: K, discounts: { occurrence: DC.slice(1), continuation: DN.slice(1) },
    seconds: (performance.now() - t0) / 1000 };
}
