// An order-n character n-gram with interpolated Kneser–Ney smoothing (Chen & Goodman 1998, with
// one discount per order, D = n1 / (n1 + 2·n2)), the baseline of the code language model.
// Tokens are ids < 128; an n-gram is the number ((t1·128 + t2)·128 + …) + tn (exact in a double
// up to n = 7). The highest order counts occurrences; lower orders count continuations (how many
// distinct tokens precede the n-gram), and every order backs off to the one below it, the lowest
// to the uniform distribution over the vocabulary.
const V = 128;

export function kneserNey(tokens, order = 5, vocab = V) {
  // counts[n]: n-gram → count (n = order: occurrences; below: continuation counts)
  const counts = Array.from({ length: order + 1 }, () => new Map());
  const top = counts[order];
  for (let i = 0; i + order <= tokens.length; i++) {
    let g = 0;
    for (let j = 0; j < order; j++) g = g * V + tokens[i + j];
    top.set(g, (top.get(g) ?? 0) + 1);
  }
  // the first order−1 tokens start shorter n-grams that no longer one contains
  for (let n = order - 1; n >= 1; n--) {
    const up = counts[n + 1], here = counts[n], mod = V ** n;
    for (const g of up.keys()) {
      const s = g % mod;
      here.set(s, (here.get(s) ?? 0) + 1);
    }
    // an n-gram at the very start of the text has no left neighbour: count it once too
    let g = 0;
    for (let j = 0; j < n; j++) g = g * V + tokens[j];
    if (!here.has(g)) here.set(g, 1);
  }
  // per context (the n-gram without its last token): total count and number of distinct tokens
  const ctx = counts.map((m) => {
    const total = new Map(), types = new Map();
    for (const [g, c] of m) {
      const h = Math.floor(g / V);
      total.set(h, (total.get(h) ?? 0) + c);
      types.set(h, (types.get(h) ?? 0) + 1);
    }
    return { total, types };
  });
  const D = counts.map((m) => {
    let n1 = 0, n2 = 0;
    for (const c of m.values()) {
      if (c === 1) n1++;
      else if (c === 2) n2++;
    }
    return n1 + n2 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
  });

  /** P(w | the previous tokens h[0..len)), h given as the number of its last n−1 tokens per order. */
  function prob(history, w) {
    // history: array of the previous tokens (at most order − 1 used)
    let p = 1 / vocab;
    for (let n = 1; n <= order; n++) {
      const k = n - 1;
      if (history.length < k) break;
      let h = 0;
      for (let j = history.length - k; j < history.length; j++) h = h * V + history[j];
      const total = ctx[n].total.get(h);
      if (!total) continue; // unseen context: keep the lower order's estimate
      const c = counts[n].get(h * V + w) ?? 0;
      p = (Math.max(c - D[n], 0) + D[n] * ctx[n].types.get(h) * p) / total;
    }
    return p;
  }

  /** Bits per token of a token sequence (each predicted from its own preceding tokens). */
  function bits(seq) {
    let s = 0;
    const hist = [];
    for (let i = 0; i < seq.length; i++) {
      s -= Math.log2(prob(hist, seq[i]));
      hist.push(seq[i]);
      if (hist.length > order - 1) hist.shift();
    }
    return s / seq.length;
  }
  return { prob, bits, discounts: D.slice(1), sizes: counts.slice(1).map((m) => m.size) };
}
