// The rules of code, measured on the code model and the best n-gram:
//   closers():   loss and top-1 accuracy on each closing character () ] } ' " `) by the distance
//                to its opener (found by lexer.mjs), bucketed in powers of two;
//   cells():     the hidden unit most correlated with brace depth and the one most correlated
//                with "inside a string, template or comment" (chosen on validation text, the
//                correlation reported on held-out text);
//   sampleFunctions() / parseRate(): functions generated after a prime ending in "function ",
//                cut where their braces close, parsed by the TypeScript compiler API.
import { createRequire } from "node:module";
import { Rng } from "../../dist/index.js";
import { lexJs, CODE, STRING, TEMPLATE, LINE_COMMENT, BLOCK_COMMENT } from "./lexer.mjs";

const require = createRequire(import.meta.url);
const ts = require("typescript");

/** Distance buckets: [1,2], [3,4], [5,8], …, the last one open (its `to` is Infinity). */
export const BUCKETS = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, Infinity].map((to, i, a) => ({
  from: i ? a[i - 1] + 1 : 1,
  to,
}));

/**
 * Closing characters of text (its lexer pairs) by distance to their opener: per bucket and per
 * predictor (name → { bits: Float64Array, argmax: Int32Array } over text's positions), the count,
 * mean bits and top-1 accuracy. Positions whose opener lies before `from` are kept (the opener is
 * in the text itself, so the distance is known).
 */
export function closers(text, tokens, predictors) {
  const { pairs } = lexJs(text);
  const rows = BUCKETS.map((b) => ({ ...b, count: 0,
    ...Object.fromEntries(Object.keys(predictors).map((k) => [k, { bits: 0, top1: 0 }])) })
  );
  for (const [open, close] of pairs) {
    const dist = close - open, r = rows.find((b) => dist >= b.from && dist <= b.to);
    r.count++;
    for (const [k, p] of Object.entries(predictors)) {
      r[k].bits += p.bits[close];
      if (p.argmax[close] === tokens[close]) r[k].top1++;
    }
  }
  for (const r of rows) {
    for (const k of Object.keys(predictors)) {
      r[k].bits = r.count ? r[k].bits / r.count : null;
      r[k].top1 = r.count ? r[k].top1 / r.count : null;
    }
  }
  return rows.map((r) => ({ ...r, to: Number.isFinite(r.to) ? r.to : null }));
}

/** The last layer's hidden state after each token of seq (a zero state first): Float32Array [n, H]. */
export function hiddenStates(model, seq) {
  const H = model.config.hiddenSize, L = model.config.numLayers ?? 1, s = model.stream({ batch: 1 });
  const out = new Float32Array(seq.length * H), x = new Int32Array(1);
  for (let t = 0; t < seq.length; t++) {
    x[0] = seq[t];
    const { hN } = s.step(x, { steps: 1 });
    out.set(hN.subarray((L - 1) * H, L * H), t * H);
  }
  s.dispose();
  return out;
}

/** Pearson correlation of unit u of states [n, H] with the series y. */
export function correlation(states, H, u, y) {
  const n = y.length;
  let mx = 0, my = 0;
  for (let t = 0; t < n; t++) {
    mx += states[t * H + u];
    my += y[t];
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let t = 0; t < n; t++) {
    const a = states[t * H + u] - mx, b = y[t] - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** The features a cell may track, per character of text: brace depth and inside string/comment. */
export function features(text) {
  const { kind, depth } = lexJs(text);
  const quoted = Float64Array.from(kind,
    (k) => (k === STRING || k === TEMPLATE || k === LINE_COMMENT || k === BLOCK_COMMENT ? 1 : 0));
  return { depth: Float64Array.from(depth), quoted };
}

/**
 * For each feature: the unit of largest |correlation| on the validation excerpt, and its
 * correlation on the held-out excerpt (same sign convention). Returns { feature: { unit,
 * validation, heldOut } } and the held-out states for the plot.
 */
export function cells(model, validText, validTokens, heldText, heldTokens) {
  const H = model.config.hiddenSize;
  const sv = hiddenStates(model, validTokens), sh = hiddenStates(model, heldTokens);
  const fv = features(validText), fh = features(heldText), result = {};
  for (const f of ["depth", "quoted"]) {
    let best = { unit: 0, r: 0 };
    for (let u = 0; u < H; u++) {
      const r = correlation(sv, H, u, fv[f]);
      if (Math.abs(r) > Math.abs(best.r)) best = { unit: u, r };
    }
    result[f] = { unit: best.unit, validation: best.r, heldOut: correlation(sh, H, best.unit, fh[f]) };
  }
  return { result, heldStates: sh, H };
}

/**
 * Generate one function after each prime (token arrays of the same length, each ending in
 * "function "), all side by side in one stream: each continues until its braces close (counted
 * from its first "{") or `maxLength` tokens. Returns the generated token arrays and whether
 * their braces closed.
 */
export function sampleFunctions(model, primes, { temperature, seed = 0, maxLength = 2000, open, close }) {
  const B = primes.length, P = primes[0].length, V = model.config.outputSize;
  const rng = new Rng(seed), s = model.stream({ batch: B });
  // the primes in chunks of at most 128 steps (the stream's workspace grows with batch × steps)
  let out, stride = 0;
  for (let at = 0; at < P; at += 128) {
    const k = Math.min(128, P - at), x = new Int32Array(B * k);
    primes.forEach((p, b) => x.set(p.subarray(at, at + k), b * k));
    out = s.step(x, { steps: k }).output; // [B, k, V]: the last step's logits predict token 1
    stride = k;
  }
  const gen = Array.from({ length: B }, () => []), depth = new Int32Array(B), opened = new Uint8Array(B),
    done = new Uint8Array(B), step = new Int32Array(B), probs = new Float64Array(V);
  let left = B;
  for (let t = 0; t < maxLength && left > 0; t++) {
    for (let b = 0; b < B; b++) {
      // sample token t of sequence b (finished sequences keep stepping a filler that is ignored)
      const z = out.subarray((b * stride + stride - 1) * V, (b * stride + stride) * V);
      let m = -Infinity;
      for (let v = 0; v < V; v++) m = Math.max(m, z[v] / temperature);
      let sum = 0;
      for (let v = 0; v < V; v++) sum += probs[v] = Math.exp(z[v] / temperature - m);
      let u = rng.uniform() * sum, w = V - 1;
      for (let v = 0; v < V; v++) {
        u -= probs[v];
        if (u < 0) {
          w = v;
          break;
        }
      }
      step[b] = w;
      if (done[b]) continue;
      gen[b].push(w);
      if (w === open) {
        depth[b]++;
        opened[b] = 1;
      } else if (w === close) depth[b]--;
      if (opened[b] && depth[b] <= 0) {
        done[b] = 1;
        left--;
      }
    }
    out = s.step(step, { steps: 1 }).output;
    stride = 1;
  }
  s.dispose();
  return gen.map((g, b) => ({ tokens: Int32Array.from(g), closed: done[b] === 1 }));
}

/** Whether src parses as JavaScript (TypeScript's parser, no syntactic diagnostics). */
export function parses(src) {
  return syntaxError(src) === null;
}

/**
 * The first syntax error of src as JavaScript (TypeScript's parser), or null: { message, line
 * (1-based), unbalanced (a ( ) [ ] of its code without its partner, by lexJs) }.
 */
export function syntaxError(src) {
  const sf = ts.createSourceFile("sample.js", src, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const d = sf.parseDiagnostics[0];
  if (!d) return null;
  const lex = lexJs(src), paired = new Uint8Array(src.length);
  for (const [a, b] of lex.pairs) paired[a] = paired[b] = 1;
  let unbalanced = false;
  for (let i = 0; i < src.length && !unbalanced; i++) {
    unbalanced = lex.kind[i] === CODE && "()[]".includes(src[i]) && !paired[i];
  }
  return { message: ts.flattenDiagnosticMessageText(d.messageText, " "),
    line: sf.getLineAndCharacterOfPosition(d.start).line + 1, unbalanced };
}

/** The positions of `count` line-initial "function " of text after `length` characters, spread evenly (repeated when fewer). */
function functionStarts(text, count, length) {
  const starts = [];
  for (const m of text.matchAll(/\n[ \t]*function /g)) {
    const at = m.index + m[0].length - "function ".length;
    if (at >= length) starts.push(at);
  }
  if (!starts.length) throw new Error(`no line-initial "function " after ${length} characters of the text`);
  return Array.from({ length: count }, (_, i) => starts[Math.floor(i * starts.length / count) % starts.length]);
}

/**
 * Primes from text: the `length` characters before `count` "function " that start a line (after
 * any indentation), spread evenly over the text (repeated when it has fewer), each followed by
 * "function ".
 */
export function primesFrom(text, count, length = 1000) {
  return functionStarts(text, count, length).map((at) => text.slice(at - length, at) + "function ");
}

/**
 * The reference for the parse rate: the real functions that follow the primes of
 * primesFrom(text, count, length), cut by the sampler's rule (where the braces counted from the
 * first "{" close, at most maxLength characters after "function "), and parsed the same way.
 */
export function realFunctions(text, count, { length = 1000, maxLength = 2000 } = {}) {
  const samples = functionStarts(text, count, length).map((at) => {
    let depth = 0, opened = false, end = -1;
    for (let i = at + "function ".length; i < Math.min(text.length, at + "function ".length + maxLength); i++) {
      if (text[i] === "{") {
        depth++;
        opened = true;
      } else if (text[i] === "}") depth--;
      if (opened && depth <= 0) {
        end = i + 1;
        break;
      }
    }
    const src = text.slice(at, end < 0 ? at + "function ".length + maxLength : end);
    return { src, closed: end >= 0, ok: end >= 0 && parses(src) };
  });
  const parsed = samples.filter((s) => s.ok).length, closed = samples.filter((s) => s.closed).length;
  return { samples, parsed, closed, parsedShare: parsed / count, closedShare: closed / count };
}

/** Parse rate of functions sampled after the primes at a temperature. */
export function parseRate(model, vocab, primeTexts, { temperature, seed, maxLength }) {
  const primes = primeTexts.map((p) => vocab.encode(p));
  const gen = sampleFunctions(model, primes, { temperature, seed, maxLength, open: vocab.id("{"),
    close: vocab.id("}") });
  const samples = gen.map((g) => {
    const src = "function " + vocab.decode(g.tokens), error = g.closed ? syntaxError(src) : null;
    return { src, closed: g.closed, ok: g.closed && error === null, error };
  });
  const parsed = samples.filter((s) => s.ok).length, closed = samples.filter((s) => s.closed).length;
  // why the closed ones fail: their first syntax error, and how many have unbalanced ( ) [ ]
  const failing = samples.filter((s) => s.error), messages = new Map();
  for (const s of failing) messages.set(s.error.message, (messages.get(s.error.message) ?? 0) + 1);
  const failures = { count: failing.length, unbalancedBrackets: failing.filter((s) => s.error.unbalanced).length,
    firstErrors: [...messages].sort((a, b) => b[1] - a[1]).map(([message, count]) => ({ message, count })) };
  return { temperature, samples, parsed, closed, parsedShare: parsed / samples.length,
    closedShare: closed / samples.length, failures };
}
