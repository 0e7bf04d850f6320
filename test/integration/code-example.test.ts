// The code example's parts against independent references: its Kneser–Ney n-grams (kn.mjs)
// against a brute-force computation of the same definitions (every n-gram counted in a Map of
// strings) to 1e-12, and normalised over the vocabulary to 1e-12 for random contexts; its
// JavaScript lexer on hand-checked snippets; its wall-time schedule against the library's cosine
// schedule, and its character budget; its F16 files; its batched sampler against Model.generate
// at greedy temperature; the closers table and the correlation against direct computations; the
// first syntax error of a sample.
import { describe, expect, it } from "vitest";
import { init, Model, Vocabulary, safetensors } from "../../dist/index.js";
import { checkSchedule } from "../../bindings/train/schedule.js";
import { kneserNeyFamily } from "../../examples/code/kn.mjs";
import { lexJs, CODE, STRING, TEMPLATE, LINE_COMMENT, BLOCK_COMMENT, REGEX } from "../../examples/code/lexer.mjs";
import { wallTimeRate, saveF16, makeModel, streamBits, trainModel } from "../../examples/code/train.mjs";
import { closers, correlation, sampleFunctions, syntaxError, realFunctions, primesFrom,
  BUCKETS } from "../../examples/code/measure.mjs";
import { dynamicBits } from "../../examples/code/dynamic.mjs";
import { loadCode, exportTables } from "../../examples/code/data.mjs";

/** Interpolated Kneser–Ney by its definitions, by brute force: P(w | h) of the order-`order` model. */
function bruteKneserNey(text: number[], V: number, K: number) {
  const C = new Map<string, number>(), left = new Map<string, Set<number>>();
  for (let n = 1; n <= K; n++) {
    for (let i = 0; i + n <= text.length; i++) {
      const g = text.slice(i, i + n).join(",");
      C.set(g, (C.get(g) ?? 0) + 1);
      if (!left.has(g)) left.set(g, new Set());
      left.get(g)!.add(i > 0 ? text[i - 1] : V); // V: the start of the text
    }
  }
  const size = (g: string) => g.split(",").length;
  const discounts = (count: (g: string) => number) =>
    Array.from({ length: K + 1 }, (_, n) => {
      let n1 = 0, n2 = 0;
      for (const g of C.keys()) {
        if (size(g) !== n) continue;
        if (count(g) === 1) n1++;
        else if (count(g) === 2) n2++;
      }
      return n1 + n2 ? n1 / (n1 + 2 * n2) : 0.5;
    });
  const DC = discounts((g) => C.get(g)!), DN = discounts((g) => left.get(g)!.size);
  // per context (an n-gram without its last token): its occurrences followed by a token, its
  // distinct next tokens and the sum of their continuation counts
  const ctxStats = new Map<string, { total: number; types: number; cont: number }>();
  for (const [g, c] of C) {
    const t = g.split(",");
    const key = `${t.length}|${t.slice(0, -1).join(",")}`, v = ctxStats.get(key) ?? { total: 0, types: 0, cont: 0 };
    v.total += c;
    v.types++;
    v.cont += left.get(g)!.size;
    ctxStats.set(key, v);
  }
  return (h: number[], w: number, order: number) => {
    let q = 1 / V;
    for (let n = 1; n <= order; n++) {
      if (h.length < n - 1) return q;
      const ctx = h.slice(h.length - n + 1);
      const { total, types, cont } = ctxStats.get(`${n}|${ctx.join(",")}`) ?? { total: 0, types: 0, cont: 0 };
      if (total === 0) {
        if (n === order) return q;
        continue;
      }
      const key = [...ctx, w].join(",");
      const p = (Math.max((C.get(key) ?? 0) - DC[n], 0) + DC[n] * types * q) / total;
      if (n === order) return p;
      q = (Math.max((left.get(key)?.size ?? 0) - DN[n], 0) + DN[n] * types * q) / cont;
    }
    return q;
  };
}

describe("examples/code: Kneser–Ney n-grams of every order", () => {
  const src =
    "function f(a, b) { return a + b; }\nfunction g(x) { return f(x, x); }\nvar y = g(1) + f(2, 3);\n".repeat(2)
    + "if (y) { g(y); }\n";
  const chars = [...new Set(src)].sort(), V = chars.length + 3; // 3 symbols never seen
  const tokens = Array.from(src, (c) => chars.indexOf(c)), K = 7;
  const kn = kneserNeyFamily(Int32Array.from(tokens), { maxOrder: K, vocab: V }), brute = bruteKneserNey(tokens, V, K);
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

  it("every order's P(w | h) equals the brute-force computation and sums to 1 over the vocabulary", () => {
    let worst = 0, worstSum = 0, nonUniform = 0;
    for (let trial = 0; trial < 80; trial++) {
      const L = Math.floor(rand() * 9);
      // half the contexts from the text (seen), half random ids (mostly unseen)
      const at = Math.floor(rand() * (tokens.length - L));
      const h = trial % 2 ? tokens.slice(at, at + L) : Array.from({ length: L }, () => Math.floor(rand() * V));
      for (let o = 1; o <= K; o++) {
        let sum = 0;
        for (let w = 0; w < V; w++) {
          const p = kn.prob(h, w, o), b = brute(h, w, o);
          sum += p;
          worst = Math.max(worst, Math.abs(p - b));
          if (Math.abs(p - 1 / V) > 0.01) nonUniform++;
        }
        worstSum = Math.max(worstSum, Math.abs(sum - 1));
      }
    }
    expect(worst).toBeLessThan(1e-12);
    expect(worstSum).toBeLessThan(1e-12);
    expect(nonUniform).toBeGreaterThan(1000); // the contexts taught it something
  });

  it("evaluate() gives each order's mean bits, per-position bits and the most probable token", () => {
    const seq = tokens.slice(10, 60), at = new Uint8Array(seq.length);
    at[5] = at[17] = at[40] = 1;
    const r = kn.evaluate(Int32Array.from(seq), { positions: [3, K], argmax: { order: 4, at } });
    for (const o of [1, 3, 5, K]) {
      let bits = 0;
      for (let j = 0; j < seq.length; j++) {
        const b = -Math.log2(brute(seq.slice(0, j), seq[j], o));
        bits += b;
        if (o === 3 || o === K) expect(Math.abs(r.positions[o][j] - b)).toBeLessThan(1e-9);
      }
      expect(Math.abs(r.bits[o - 1] - bits / seq.length)).toBeLessThan(1e-9);
    }
    for (let j = 0; j < seq.length; j++) {
      if (!at[j]) {
        expect(r.argmax[j]).toBe(-1);
        continue;
      }
      const ps = Array.from({ length: V }, (_, w) => brute(seq.slice(0, j), w, 4));
      expect(r.argmax[j]).toBe(ps.indexOf(Math.max(...ps)));
    }
  });

  it("refuses tokens outside the vocabulary and orders out of range, naming them", () => {
    expect(() => kneserNeyFamily(Int32Array.from([0, 1, 5]), { maxOrder: 3, vocab: 4 })).toThrow(
      "tokens[2] is 5; expected 0..3",
    );
    expect(() => kneserNeyFamily(Int32Array.from([0]), { maxOrder: 0, vocab: 4 })).toThrow("maxOrder");
    expect(() => kn.prob([], 0, K + 1)).toThrow(`order: expected 1..${K}`);
  });
});

describe("examples/code: the text's parts", () => {
  it("the held-out part ends before the file's trailing tables of exported names; the parts tile the text", () => {
    const d = loadCode(), all = loadCode({ keepExports: true });
    expect(d.droppedExportChars).toBeGreaterThan(10_000);
    expect(d.text.length + d.droppedExportChars).toBe(all.text.length);
    expect(all.text.slice(d.text.length)).toMatch(/^(\/\/ [^\n]*\n)?(var [\w$]+ = \{\};\n)?__export\(/);
    expect(d.heldText).not.toContain("module.exports = {");
    expect(d.trainText + d.validText + d.heldText).toBe(d.text);
    expect([d.valid.length, d.held.length, d.train.length]).toEqual([100_000, 200_000, d.text.length - 300_000]);
    const code = "code;\n".repeat(1000);
    expect(exportTables(code + "// x\nvar e = {};\n__export(e, {\n  a: () => a\n});\n")).toBe(code.length);
    expect(exportTables("__export(e, {});\n" + "code;\n".repeat(100))).toBe(-1); // not at the end
  });
});

describe("examples/code: the JavaScript lexer", () => {
  const kinds = (s: string) => Array.from(lexJs(s).kind as Uint8Array).join("");
  const pairsOf = (s: string) => (lexJs(s).pairs as [number, number][]).map(([a, b]) => s[a] + s[b] + (b - a));

  it("strings with escapes, comments and regex literals hide their brackets", () => {
    const s = `a("}\\"", '{') // }\nb /* ) */ = /[/}]\\//g;`;
    expect(pairsOf(s)).toEqual(['""4', "''2", "()11"]);
    const k = lexJs(s).kind as Uint8Array;
    expect(k[s.indexOf("//")]).toBe(LINE_COMMENT);
    expect(k[s.indexOf("/*") + 3]).toBe(BLOCK_COMMENT);
    expect(k[s.indexOf("/[")]).toBe(REGEX);
    expect(k[s.length - 2]).toBe(REGEX); // the flag g
    expect(k[s.length - 1]).toBe(CODE);
    expect(kinds(`x = "a"`)).toBe(`${CODE}${CODE}${CODE}${CODE}${STRING}${STRING}${STRING}`);
  });

  it("a slash after a value divides; after an operator or a keyword it starts a regex", () => {
    const k1 = lexJs("a = b / c / d;").kind as Uint8Array;
    expect([...k1].every((v) => v === CODE)).toBe(true);
    const k2 = lexJs("return /x)/.test(s) + (y) / 2;");
    expect((k2.kind as Uint8Array)[7]).toBe(REGEX);
    expect(k2.pairs.length).toBe(2); // the ( ) of test(s) and of (y); the ) inside the regex is not code
    expect((lexJs("f(a) / 2").kind as Uint8Array)[5]).toBe(CODE);
  });

  it("templates nest through ${ } to any depth, and braces count depth", () => {
    const s = "f(`a${ {b: `c${d}`}.b }e`) {}";
    const r = lexJs(s);
    expect(pairsOf(s)).toEqual(["{}2", "``6", "{}11", "{}17", "``22", "()24", "{}1"]);
    expect(r.kind[s.indexOf("a")]).toBe(TEMPLATE);
    expect(r.kind[s.indexOf("c")]).toBe(TEMPLATE);
    expect(r.kind[s.indexOf("d")]).toBe(CODE);
    expect(r.kind[s.indexOf("e")]).toBe(TEMPLATE);
    // depth: the ${ brace, the object literal's, the inner ${: 3 around d; 0 after the call
    expect(r.depth[s.indexOf("d")]).toBe(3);
    expect(r.depth[s.indexOf("e")]).toBe(0);
    expect(r.depth[s.length - 2]).toBe(1);
    expect(r.opener[s.length - 1]).toBe(s.length - 2);
  });

  it("the TypeScript compiler's own source lexes into balanced brackets", async () => {
    const { readFileSync } = await import("node:fs");
    const { createRequire } = await import("node:module");
    const text = readFileSync(createRequire(import.meta.url).resolve("typescript/lib/typescript.js"), "utf8").slice(0,
      300_000);
    const cut = text.lastIndexOf("\n}\n") + 2, r = lexJs(text.slice(0, cut));
    // every { ( [ in code is closed within the slice but the two of the module wrapper
    // "((module) => {" that the file's last line closes
    const paired = new Set(r.pairs.map(([a]: number[]) => a)), unpaired = [];
    for (let i = 0; i < cut; i++) if ("{([".includes(text[i]) && r.kind[i] === CODE && !paired.has(i)) unpaired.push(i);
    const wrapper = text.indexOf("((module) => {");
    expect(unpaired).toEqual([wrapper, wrapper + 13]);
    expect(r.pairs.length).toBeGreaterThan(5000);
    expect(r.depth[cut - 1]).toBe(2); // the last top-level block's closing brace, inside the wrapper
  });
});

describe("examples/code: training, files, sampling and measurements", () => {
  it("the wall-time schedule is the library's cosine schedule over the budget's fraction", () => {
    const total = 1000, warm = 20;
    const lib = checkSchedule("test", { type: "cosine", warmupSteps: warm, minLearningRate: 0 }, total, false)(2e-3);
    for (const t of [0, 5, 19, 20, 21, 300, 500, 999, 1000]) {
      expect(Math.abs(wallTimeRate(t / total, { lr: 2e-3, warmup: warm / total }) - lib.rate(t))).toBeLessThan(1e-15);
    }
    expect(wallTimeRate(1.5, { lr: 2e-3 })).toBe(0); // past the deadline: the end of the schedule
  });

  it("a character budget trains exactly that many characters, the schedule over the characters trained", async () => {
    await init({ threads: 1 });
    const V = 7, B = 4, T = 8, train = Int32Array.from({ length: 3000 }, (_, i) => (i * 5 + (i >> 3)) % V);
    const valid = train.subarray(0, 200), m = makeModel({ hidden: 8, embedding: 4, V, seed: 2 });
    // ten batches of 4 × 8; a huge wall-time budget that never binds
    const r = trainModel(m, train, valid, 0, { minutes: 1e6, batch: B, seq: T, lr: 1e-2, trainChars: 10 * B * T });
    expect(r.batches).toBe(10);
    expect(r.chars).toBe(10 * B * T);
    // a check after every tenth of the budget and one at the end: each records the rate of the
    // batch before it, the schedule at that batch's fraction of the characters
    expect(r.curve.map((c: { chars: number }) => c.chars)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => k * B * T),
    );
    r.curve.forEach((c: { learningRate: number }, k: number) =>
      expect(c.learningRate).toBe(wallTimeRate(k / 10, { lr: 1e-2, warmup: 0.02 }))
    );
    expect(() => trainModel(m, train, valid, 0, { minutes: 1, batch: B, seq: T, trainChars: B * T - 1 })).toThrow(
      /trainChars: expected at least one batch \(32 characters\), got 31/,
    );
    m.dispose();
  });

  it("realFunctions cuts the real code after primesFrom's primes by the sampler's rule and parses it", () => {
    const text = "x\nfunction a(b) { return { c: b }; }\nfunction d({ e }) { return e; }\nfunction f() { if (x) {\n";
    expect(primesFrom(text, 3, 1)).toEqual(["\n", "\n", "\n"].map((p) => p + "function "));
    const r = realFunctions(text, 3, { length: 1 });
    expect(r.samples.map((x: { src: string }) => x.src)).toEqual([
      "function a(b) { return { c: b }; }", // closes at the brace that balances the first one
      "function d({ e }", // a destructured parameter's braces close first: the rule's known blind spot
      "function f() { if (x) {\n", // the text ends before the braces close
    ]);
    expect([r.parsed, r.closed]).toEqual([1, 2]);
    // at most maxLength characters after "function "
    expect(realFunctions(text, 1, { length: 1, maxLength: 10 }).samples[0]).toEqual({ src: "function a(b) { ret",
      closed: false, ok: false });
  });

  it("syntaxError gives a sample's first syntax error and whether its ( ) [ ] are unbalanced", () => {
    expect(syntaxError("function f(a) {\n  return [a, (a + 1)];\n}")).toBeNull();
    const paren = syntaxError("function f(a) {\n  if (g(a) {\n    return a;\n  }\n}");
    expect(paren).toEqual({ message: "')' expected.", line: 2, unbalanced: true });
    // balanced but not a statement: a case label outside a switch
    const label = syntaxError("function f(a) {\n  case 1:\n  return a;\n}");
    expect(label?.unbalanced).toBe(false);
    expect(label?.line).toBe(2);
    // brackets inside strings, comments and regex literals are not code
    expect(syntaxError('function f() { return ")" + /[(]/.test("x") /* ( */; }')).toBeNull();
    expect(syntaxError('function f() { return ")" + ; }')?.unbalanced).toBe(false);
  });

  it("saveF16 writes F16 tensors that Model.load reads back with the vocabulary and metadata", async () => {
    await init({ threads: 1 });
    const vocab = Vocabulary.fromText("ab{}()\n"), m = makeModel({ hidden: 8, embedding: 4, V: vocab.size });
    const bytes = saveF16(m, { vocabulary: vocab, temperature: "0.6" });
    const { tensors, metadata } = safetensors.read(bytes);
    expect(Object.values(tensors).every((t) => t.dtype === "F16")).toBe(true);
    expect(metadata.temperature).toBe("0.6");
    const back = Model.load(bytes), a = m.stateDict(), b = back.stateDict();
    for (const k of Object.keys(a)) {
      // F16 keeps 11 significant bits: relative error at most 2^-11 (plus the subnormal floor)
      a[k].forEach((v: number, i: number) =>
        expect(Math.abs(b[k][i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -24)
      );
    }
    expect(back.vocabulary!.size).toBe(vocab.size);
    m.dispose();
    back.dispose();
  });

  it("the batched sampler at a near-zero temperature follows Model.generate's greedy tokens", async () => {
    await init({ threads: 1 });
    const vocab = Vocabulary.fromText("function f(a) { return a; }\n"), V = vocab.size;
    const m = makeModel({ hidden: 16, embedding: 8, V, seed: 3 });
    const primes = ["a\nfunction ", "}\nfunction "].map((p) => vocab.encode(p));
    const gen = sampleFunctions(m, primes, { temperature: 1e-4, seed: 1, maxLength: 40, open: vocab.id("{"),
      close: vocab.id("}") });
    primes.forEach((p: Int32Array, b: number) => {
      const ref = m.generate({ prime: p, length: 40, temperature: 1e-4, seed: 2 });
      const g = gen[b].tokens as Int32Array;
      expect(g.length).toBeGreaterThan(0);
      expect(Array.from(g)).toEqual(Array.from(ref.subarray(0, g.length)));
    });
    // the bits of a stream equal the mean of its per-position bits, and the argmax is a valid id
    const seq = vocab.encode("function f(a) { return a; }\n");
    const r = streamBits(m, seq, vocab.id("\n"), { positions: true });
    expect(Math.abs(r.mean - r.bits.reduce((s: number, x: number) => s + x, 0) / seq.length)).toBeLessThan(1e-12);
    expect(r.argmax.every((v: number) => v >= 0 && v < V)).toBe(true);
    m.dispose();
  });

  it("dynamic evaluation scores each chunk before learning from it: with no learning it is the stream's bits", async () => {
    await init({ threads: 1 });
    const text = "function f(a) { return a + 1; }\nfunction g(b) { return f(b) * 2; }\n".repeat(6);
    const vocab = Vocabulary.fromText(text), seq = vocab.encode(text), first = vocab.id("\n");
    const m = makeModel({ hidden: 12, embedding: 6, V: vocab.size, seed: 5 });
    const still = streamBits(m, seq, first).mean;
    // chunks of 16 with the state carried and steps of 1e-30 (Adam refuses 0; no f32 weight moves):
    // the same predictions as one stream, to f32 sums
    expect(Math.abs(dynamicBits(m, seq, first, { lr: 1e-30, seq: 16 }) - still)).toBeLessThan(1e-5);
    // learning from a text that repeats itself lowers its bits, and the model itself is untouched
    expect(dynamicBits(m, seq, first, { lr: 1e-2, seq: 16 })).toBeLessThan(still - 0.1);
    expect(streamBits(m, seq, first).mean).toBe(still);
    // one chunk: scored before its own update, whatever the rate
    const one = seq.subarray(0, 16);
    expect(Math.abs(dynamicBits(m, one, first, { lr: 0.5, seq: 16 }) - streamBits(m, one, first).mean)).toBeLessThan(
      1e-5,
    );
    m.dispose();
  });

  it("closers() buckets each closing character by its distance; correlation() is Pearson's r", () => {
    const text = 'f(a)[1]; g("xy") {' + " ".repeat(40) + "}";
    const tokens = Int32Array.from(text, (c) => c.charCodeAt(0)), n = text.length;
    const bits = Float64Array.from({ length: n }, (_, i) => i), argmax = Int32Array.from(tokens);
    argmax[text.indexOf(")")] = 0; // one miss
    const rows = closers(text, tokens, { p: { bits, argmax } });
    const by = (d: number) =>
      rows.find((r: { from: number; to: number | null }) => d >= r.from && d <= (r.to ?? Infinity));
    // f(a): distance 2; [1]: 2; "xy": 3; g(…): 5; { … }: 41
    expect(by(2).count).toBe(2);
    expect(by(2).p.bits).toBe((3 + 6) / 2);
    expect(by(2).p.top1).toBe(0.5);
    expect(by(3).count).toBe(1);
    expect(by(5).count).toBe(1);
    expect(by(41).count).toBe(1);
    expect(by(41).p.bits).toBe(n - 1);
    expect(rows.length).toBe(BUCKETS.length);
    const states = Float32Array.from([1, 0, 2, 5, 3, 1, 4, 2]), y = [2, 4, 6, 8]; // H = 2
    expect(Math.abs(correlation(states, 2, 0, y) - 1)).toBeLessThan(1e-12);
    const x = [0, 5, 1, 2], mx = 2, my = 5;
    const r = (x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0))
      / Math.sqrt(x.reduce((s, v) => s + (v - mx) ** 2, 0) * y.reduce((s, v) => s + (v - my) ** 2, 0));
    expect(Math.abs(correlation(states, 2, 1, y) - r)).toBeLessThan(1e-12);
  });
});
