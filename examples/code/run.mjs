// A character-level language model of real code: a GRU trained on the TypeScript compiler's own
// JavaScript (node_modules/typescript/lib/typescript.js, Apache-2.0, shipped in the `typescript`
// dev dependency; read at run time, nothing downloaded). Run: npm run example:code -- [options]
//
//   Training text: the file's first --train-mb MB (default 3); held out: its last 200 KB;
//   validation: the 100 KB before the held-out part (neither trained on nor tested: it picks the
//   checkpoint, evaluated every --eval-every 250 batches).
//   --chars 12e6     characters of training (32 streams side by side, chunks of 128 characters,
//                    the state carried from one chunk to the next: truncated BPTT over the streams)
//   --hidden 256     GRU width (one layer)
//   --embedding 64   width of the character embedding the GRU reads (a token model: ids in)
//   --threads 2      threads of the core
//   --samples 200    functions generated to check that they parse (--temperature 0.5)
//   --seed 0
//   --out reports    where code.json and code-samples.txt go
//   --save FILE      write the trained model (safetensors, its Vocabulary in the metadata);
//                    --load FILE: skip training, use it (a token model saved by this script)
//
// Reports held-out bits per character against an order-5 Kneser–Ney character n-gram trained on
// the same text (examples/code/ngram.mjs) and xz -9 given the training text (bits of train +
// held-out minus bits of train), then how many generated functions parse: each primed with
// "function " (after 1,000 characters of validation text ending where a top-level function
// starts) and generated until its braces close (at most 2,000 characters), parsed by the
// TypeScript compiler API (ts.createSourceFile, JavaScript; a sample parses when it has no
// syntactic diagnostics). Prints one line:
//   code: held-out X bits/char (n-gram Z, xz -9 Y); P% of 200 samples parse
// and writes reports/code.json and reports/code-samples.txt.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { init, Model, Adam, Vocabulary, coreInfo } from "../../dist/index.js";
import { kneserNey } from "./ngram.mjs";
import { numberArg, stringArg, outDir } from "../args.mjs";

const require = createRequire(import.meta.url);
const ts = require("typescript");
const arg = numberArg;
// the embedding: 64 columns for about 100 characters, so distinct characters keep room to differ
// (a one-hot row had one column each) while the GRU's input product shrinks from V × 3H to 64 × 3H
const TRAIN_MB = arg("train-mb", 3), CHARS = arg("chars", 12e6), H = arg("hidden", 256), THREADS = arg("threads", 2),
  E = arg("embedding", 64);
const SAMPLES = arg("samples", 200), TEMP = arg("temperature", 0.5), SEED = arg("seed", 0), HELD = 200_000,
  VALID = 100_000, EVAL_EVERY = arg("eval-every", 250);
const B = 32, T = 128, LOG2 = Math.log(2);
const t0 = Date.now(), secs = () => ((Date.now() - t0) / 1000).toFixed(0);
const log = (m) => process.stderr.write(`[${secs().padStart(4)} s] ${m}\n`);

const file = require.resolve("typescript/lib/typescript.js");
const text = readFileSync(file, "utf8");
const trainText = text.slice(0, Math.round(TRAIN_MB * 1e6)), heldText = text.slice(text.length - HELD),
  validText = text.slice(text.length - HELD - VALID, text.length - HELD);
if (trainText.length + VALID + HELD > text.length) {
  console.error(
    `--train-mb ${TRAIN_MB}: the training text would overlap the validation and held-out parts (the file has ${text.length} characters)`,
  );
  process.exit(2);
}
// tokens: the characters of the whole file, sorted by code point (so the held-out and validation
// parts have no unseen character and need no unknown symbol; the ids are those of the one-hot
// version, whose table was the same sort)
const vocab = Vocabulary.fromText(text), V = vocab.size;
const enc = (s) => vocab.encode(s);
const train = enc(trainText), held = enc(heldText), valid = enc(validText);
const version = JSON.parse(readFileSync(require.resolve("typescript/package.json"), "utf8")).version;
log(
  `typescript ${version} lib/typescript.js: ${text.length} characters; training on the first ${train.length}, holding out the last ${held.length}; ${V} distinct characters`,
);

// baselines
const kn = kneserNey(train, 5);
const ngram = kn.bits(held);
const xzBytes = (s) => execFileSync("xz", ["-9", "-c"], { input: Buffer.from(s, "latin1"), maxBuffer: 1 << 30 }).length;
let xz = NaN;
try {
  xz = (xzBytes(trainText + heldText) - xzBytes(trainText)) * 8 / held.length;
} catch {
  log("xz not found: the compression reference is skipped");
}
log(
  `order-5 Kneser–Ney n-gram: ${ngram.toFixed(3)} bits/char held out (${
    kn.bits(valid).toFixed(3)
  } on the validation part); xz -9: ${xz.toFixed(3)} bits/char`,
);

await init({ threads: THREADS });
const LOAD = stringArg("load"), SAVE = stringArg("save");
const model = LOAD
  ? Model.load(readFileSync(LOAD))
  : new Model({ cell: "gru", vocabSize: V, embeddingSize: E, hiddenSize: H, outputSize: V, readout: "sequence",
    loss: "crossentropy", seed: SEED + 1 });
if (LOAD && (model.config.vocabSize !== V || model.config.outputSize !== V)) {
  // files saved by the one-hot version of this script (inputSize = V) are not read: retrain
  console.error(
    `--load ${LOAD}: not a token model of this text's ${V} characters (vocabSize ${
      model.config.vocabSize ?? "absent: a one-hot model"
    }, outputSize ${model.config.outputSize}); train and --save again`,
  );
  process.exit(2);
}
const adam = new Adam({ learningRate: 2e-3 });
// 32 streams: the training text cut into 32 contiguous segments read side by side
const seg = Math.floor((train.length - 1) / B), steps = LOAD ? 0 : Math.max(1, Math.floor(CHARS / (B * T)));
const xs = Array.from({ length: B }, () => new Int32Array(T)), ys = Array.from({ length: B }, () => new Int32Array(T));
const state = { h: new Float32Array(B * H) };
// bits/char of a text: one stream over it, the log-softmax of every step
function bitsPerChar(held) {
  const s = model.stream({ batch: 1 }), K = 1000, x = new Int32Array(K);
  let bits = 0;
  // the first character has no context: predicted after a newline (ids have no zero input)
  const first = vocab.id("\n");
  for (let i = 0; i < held.length; i += K) {
    const k = Math.min(K, held.length - i);
    for (let t = 0; t < k; t++) x[t] = i + t === 0 ? first : held[i + t - 1];
    const out = s.step(k === K ? x : x.subarray(0, k), { steps: k }).output;
    for (let t = 0; t < k; t++) {
      const z = out.subarray(t * V, (t + 1) * V);
      let m = -Infinity;
      for (const v of z) m = Math.max(m, v);
      let sum = 0;
      for (const v of z) sum += Math.exp(v - m);
      bits += (Math.log(sum) + m - z[held[i + t]]) / LOG2;
    }
  }
  s.dispose();
  return bits / held.length;
}
let pos = 0, lossSum = 0, lossN = 0, lastLog = Date.now(), trainMs = 0; // trainMs: batches only, no evaluation
let best = { bits: Infinity, batch: 0, params: null };
const curve = [];
log(
  `GRU H = ${H} over a ${E}-wide embedding, ${coreInfo().threads} thread(s): ${steps} batches of ${B} × ${T} characters (${
    (steps * B * T / 1e6).toFixed(1)
  }M), Adam 2e-3 decaying to 2e-4`,
);
for (let s = 0; s < steps; s++) {
  const tb = performance.now();
  if (pos + T > seg) {
    pos = 0;
    state.h.fill(0);
  } // a pass over the segments ends: start again from zero states
  for (let b = 0; b < B; b++) {
    const x = xs[b], y = ys[b], o = b * seg + pos;
    x.set(train.subarray(o, o + T));
    y.set(train.subarray(o + 1, o + T + 1));
  }
  adam.learningRate = 2e-3 * (0.1 ** (s / steps)); // exponential decay to a tenth
  const r = model.trainBatch({ x: xs, y: ys }, adam, { clipNorm: 1, state });
  trainMs += performance.now() - tb;
  lossSum += r.loss;
  lossN++;
  pos += T;
  if ((s + 1) % EVAL_EVERY === 0 || s === steps - 1) {
    const v = bitsPerChar(valid);
    curve.push({ batch: s + 1, train: lossSum / lossN / LOG2, valid: v });
    if (v < best.bits) best = { bits: v, batch: s + 1, params: model.stateDict() };
    log(
      `batch ${s + 1}/${steps}: training loss ${(lossSum / lossN / LOG2).toFixed(3)}, validation ${
        v.toFixed(3)
      } bits/char`,
    );
    lossSum = 0;
    lossN = 0;
    lastLog = Date.now();
  }
}
const charsPerSecond = steps ? steps * B * T / (trainMs / 1000) : NaN;
if (steps) log(`training: ${Math.round(charsPerSecond)} characters/s (batches, input building included)`);
if (best.params) {
  model.loadStateDict(best.params);
  log(`kept batch ${best.batch} (validation ${best.bits.toFixed(3)} bits/char)`);
} else best.bits = bitsPerChar(valid);
if (SAVE) writeFileSync(SAVE, model.save({ vocabulary: vocab }));

const bpc = bitsPerChar(held);
log(`held-out: ${bpc.toFixed(3)} bits/char`);

// generated functions: primed with "function " (after real code), cut where the braces close
// the prime: "function " at the start of a line, after the 1,000 characters of validation text
// that precede its last top-level function (a warm state: the model was trained on running text)
const at = validText.lastIndexOf("\nfunction ") + 1;
const context = validText.slice(Math.max(0, at - 1000), at);
const prime = Array.from(enc(context + "function "));
const open = vocab.id("{"), close = vocab.id("}");
const samples = [];
let parsed = 0;
for (let i = 0; i < SAMPLES; i++) {
  const out = model.generate({ prime, length: 2000, temperature: TEMP, seed: 1000 * SEED + i });
  let depth = 0, end = out.length, seen = false;
  for (let j = 0; j < out.length; j++) {
    if (out[j] === open) {
      depth++;
      seen = true;
    } else if (out[j] === close) depth--;
    if (seen && depth === 0) {
      end = j + 1;
      break;
    }
  }
  const src = "function " + vocab.decode(out.subarray(0, end));
  const sf = ts.createSourceFile("sample.js", src, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const ok = sf.parseDiagnostics.length === 0;
  if (ok) parsed++;
  samples.push({ src, ok, closed: seen && depth === 0 });
}
const pct = (100 * parsed) / SAMPLES;
log(`${parsed} of ${SAMPLES} generated functions parse`);
const dir = outDir();
mkdirSync(dir, { recursive: true });
writeFileSync(new URL("code.json", dir),
  JSON.stringify({ typescript: version, trainChars: train.length, heldOutChars: held.length, vocabulary: V,
    embedding: E, hidden: H, threads: coreInfo().threads, trainedChars: steps * B * T, heldOutBitsPerChar: bpc,
    validationBitsPerChar: best.bits, keptBatch: best.batch, trainCharsPerSecond: charsPerSecond, curve,
    ngramBitsPerChar: ngram, ngramValidationBitsPerChar: kn.bits(valid), xzBitsPerChar: xz, samples: SAMPLES,
    temperature: TEMP, parsed, parsedPercent: pct, seconds: (Date.now() - t0) / 1000 }, null, 1) + "\n");
writeFileSync(new URL("code-samples.txt", dir),
  samples.slice(0, 20).map((s, i) => `// sample ${i} (${s.ok ? "parses" : "does not parse"})\n${s.src}\n`).join("\n"));
model.dispose();
console.log(
  `code: held-out ${bpc.toFixed(3)} bits/char (n-gram ${ngram.toFixed(3)}, xz -9 ${xz.toFixed(3)}); ${
    pct.toFixed(0)
  }% of ${SAMPLES} samples parse`,
);
