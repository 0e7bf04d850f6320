// A character-level language model of real code, and the rules of code it learned, measured.
// Run: npm run example:code -- [options]. The modules: data.mjs (the text and its parts), kn.mjs
// and baselines.mjs (Kneser–Ney n-grams of every order up to --max-order, xz -9), train.mjs (the
// token model, truncated BPTT over streams, the wall-time learning-rate schedule, F16 files),
// lexer.mjs and measure.mjs (closing characters, interpretable cells, parse rate), report.mjs.
//
// Text: node_modules/typescript/lib/typescript.js up to its trailing tables of exported names
// (62 KB of identifier lists; --keep-exports keeps them); held out: the last 200 KB of that
// (reported only); validation: the 100 KB before (chooses the n-gram order, the checkpoint and the
// temperature); training: everything before.
//   --minutes 30       training budget (wall time, validation checks included); the learning
//                      rate warms up over the first 2% and decays by a cosine to 0 at the deadline
//   --train-chars N    instead, a budget of N training characters (the same schedule over the
//                      characters trained: equal work whatever the machine's load)
//   --cell gru         gru | lstm | rnn;  --hidden 512  width;  --layers 1  depth (chosen on
//                      validation among the settings of reports/code-search.json)
//   --embedding 64     width of the character embedding (a token model: ids in)
//   --seq 128          truncated-BPTT chunk;  --batch 32  streams read side by side
//   --lr 2e-3          peak learning rate (Adam, gradient norm clipped to 1)
//   --eval-every 60    seconds between validation checks (on the validation part's first 20,000)
//   --max-order 12     n-gram orders 1..12 (the best picked on validation)
//   --samples 200      functions generated per temperature (--temperatures 0.3,0.4,…,1.0)
//   --cells-chars 20000  characters of validation (unit choice) and held-out (correlation) text
//   --threads 2  --seed 0  --out reports  --no-plot
//   --save FILE        write the model (safetensors, F16 weights, its Vocabulary and the chosen
//                      temperature in the metadata)
//   --load FILE        no training: evaluate that file (the parse rate at its stored temperature;
//                      --temperatures to sweep again)
//   --dynamic          also dynamic evaluation of the held-out part (reported apart; its Adam
//                      learning rate chosen among 1e-4, 3e-4, 1e-3 on the validation part)
//   --chars N          use only the file's first N characters (short runs; --held/--valid sizes)
//
// Prints: code: held-out X bits/char (best n-gram Z at order K, KN-5 W, xz -9 Y); P% of 200
// samples parse — and writes reports/code.json, code-samples.txt and the plots.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { init, coreInfo, Model } from "../../dist/index.js";
import { numberArg, stringArg, outDir } from "../args.mjs";
import { loadCode } from "./data.mjs";
import { ngramBaselines, xzBits } from "./baselines.mjs";
import { makeModel, trainModel, streamBits, saveF16 } from "./train.mjs";
import { lexJs } from "./lexer.mjs";
import { closers, cells, primesFrom, parseRate, realFunctions } from "./measure.mjs";
import { unitSvg, writeReport, headline } from "./report.mjs";
import { dynamicEvaluation } from "./dynamic.mjs";

const t0 = Date.now();
const log = (m) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
const arg = numberArg, LOAD = stringArg("load"), SAVE = stringArg("save");
const CELL = stringArg("cell") ?? "gru";
if (!["gru", "lstm", "rnn"].includes(CELL)) {
  console.error(`--cell: expected gru, lstm or rnn, got ${CELL}`);
  process.exit(2);
}
const o = { minutes: arg("minutes", 30), hidden: arg("hidden", 512), layers: arg("layers", 1),
  embedding: arg("embedding", 64), seq: arg("seq", 128), batch: arg("batch", 32), lr: arg("lr", 2e-3),
  evalEvery: arg("eval-every", 60), maxOrder: arg("max-order", 12), samples: arg("samples", 200),
  cellsChars: arg("cells-chars", 20_000), threads: arg("threads", 2), seed: arg("seed", 0),
  chars: arg("chars", Infinity), held: arg("held", 200_000), valid: arg("valid", 100_000),
  maxLength: arg("max-length", 2000), trainChars: arg("train-chars", null) };
const tempArg = stringArg("temperatures");
const temperatures = tempArg ? tempArg.split(",").map(Number) : LOAD ? [] : [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
if (temperatures.some((t) => !(t > 0))) {
  console.error(`--temperatures: expected positive numbers separated by commas, got ${tempArg}`);
  process.exit(2);
}

const data = loadCode({ chars: o.chars, held: o.held, valid: o.valid,
  keepExports: process.argv.includes("--keep-exports") });
log(
  `typescript ${data.version} lib/typescript.js: ${data.text.length} characters (${data.droppedExportChars} of export tables left out), ${data.V} distinct; training ${data.train.length}, validation ${data.valid.length}, held-out ${data.held.length}`,
);
const first = data.vocab.id("\n");

// the closing characters of the held-out text (the n-gram scores every token there for its top-1)
const heldLex = lexJs(data.heldText), closerMask = new Uint8Array(data.held.length);
for (const [, c] of heldLex.pairs) closerMask[c] = 1;
const xzPending = xzBits(data.trainText, data.heldText, data.held.length); // in child processes meanwhile
const ngram = ngramBaselines(data, { maxOrder: o.maxOrder, topAt: closerMask, log });
const xz = await xzPending;
log(
  `KN-5 ${ngram.kn5?.toFixed(3)}, best order ${ngram.best} ${ngram.bestHeldOut.toFixed(3)}, xz -9 ${
    xz.toFixed(3)
  } bits/char held out`,
);

await init({ threads: o.threads });
let model, training = null, temperature = null;
if (LOAD) {
  model = Model.load(readFileSync(LOAD));
  if (model.config.vocabSize !== data.V || model.config.outputSize !== data.V) {
    console.error(
      `--load ${LOAD}: not a token model of this text's ${data.V} characters (vocabSize ${
        model.config.vocabSize ?? "absent: a one-hot model"
      }, outputSize ${model.config.outputSize})`,
    );
    process.exit(2);
  }
  const t = Number(model.metadata?.temperature);
  if (t > 0) temperature = t;
  log(
    `loaded ${LOAD}: ${model.config.cell} H = ${model.config.hiddenSize} × ${
      model.config.numLayers ?? 1
    }, ${model.numParams} parameters`,
  );
} else {
  model = makeModel({ cell: CELL, hidden: o.hidden, layers: o.layers, embedding: o.embedding, V: data.V,
    seed: o.seed });
  log(
    `${CELL} H = ${o.hidden} × ${o.layers} over a ${o.embedding}-wide embedding, ${model.numParams} parameters, ${coreInfo().threads} thread(s); ${
      o.trainChars === null ? `${o.minutes} min` : `${o.trainChars} characters`
    }, ${o.batch} streams × ${o.seq}, Adam ${o.lr}`,
  );
  training = trainModel(model, data.train, data.valid, first, { minutes: o.minutes, batch: o.batch, seq: o.seq,
    lr: o.lr, evalEvery: o.evalEvery, log, maxBatches: arg("max-batches", Infinity), trainChars: o.trainChars });
  log(
    `trained ${training.batches} batches (${(training.chars / 1e6).toFixed(2)}M characters, ${
      Math.round(training.charsPerSecond)
    } characters/s)`,
  );
}

const validBits = streamBits(model, data.valid, first).mean;
const heldPass = streamBits(model, data.held, first, { positions: true });
log(`model: validation ${validBits.toFixed(3)}, held-out ${heldPass.mean.toFixed(3)} bits/char`);

// 1. closing characters by distance to their opener
const closerRows = closers(data.heldText, data.held, { model: { bits: heldPass.bits, argmax: heldPass.argmax },
  ngram: ngram.positions });
// 2. interpretable cells: units chosen on validation, correlated on held-out
const nc = Math.min(o.cellsChars, data.valid.length, data.held.length);
const cellRun = cells(model, data.validText.slice(0, nc), data.valid.subarray(0, nc), data.heldText.slice(0, nc),
  data.held.subarray(0, nc));
const cellPlots = [];
{
  // the excerpt: 1,200 characters of held-out code from the last line that starts a function
  const starts = [...data.heldText.slice(0, Math.max(0, nc - 1200)).matchAll(/\n[ \t]*function /g)];
  const at = starts.length ? starts[starts.length - 1].index + 1 : 0;
  const excerpt = data.heldText.slice(at, Math.min(nc, at + 1200)), H = cellRun.H;
  for (const [f, what] of [["depth", "brace depth"], ["quoted", "inside a string or comment"]]) {
    const c = cellRun.result[f], vals = Array.from(excerpt, (_, i) => cellRun.heldStates[(at + i) * H + c.unit]);
    cellPlots.push([`code-cells-${f}`,
      unitSvg(excerpt, vals,
        `unit ${c.unit}, most correlated with ${what}: r = ${
          c.heldOut.toFixed(2)
        } on held-out text (red > 0 > blue)`)]);
  }
}
log(
  `cells: brace depth unit ${cellRun.result.depth.unit} (r = ${cellRun.result.depth.heldOut.toFixed(3)}), `
    + `string/comment unit ${cellRun.result.quoted.unit} (r = ${cellRun.result.quoted.heldOut.toFixed(3)}) on held-out`,
);

// 3. parse rate by temperature on validation primes; the headline at the best one, held-out primes
const validPrimes = primesFrom(data.validText, o.samples), heldPrimes = primesFrom(data.heldText, o.samples);
const byTemperature = [];
for (const t of temperatures) {
  const r = parseRate(model, data.vocab, validPrimes, { temperature: t, seed: 1000 * o.seed + Math.round(100 * t),
    maxLength: o.maxLength });
  byTemperature.push({ temperature: t, parsed: r.parsed, closed: r.closed, parsedShare: r.parsedShare,
    closedShare: r.closedShare, failures: r.failures });
  log(`temperature ${t}: ${r.parsed} of ${o.samples} parse, ${r.closed} close their braces (validation primes)`);
}
if (byTemperature.length) {
  temperature = byTemperature.reduce((a, b) => (b.parsedShare > a.parsedShare ? b : a)).temperature;
}
temperature ??= 0.5;
const head = parseRate(model, data.vocab, heldPrimes, { temperature, seed: 7919 + o.seed, maxLength: o.maxLength });
log(
  `temperature ${temperature} (${
    byTemperature.length ? "best on validation primes" : "stored in the file"
  }): ${head.parsed} of ${o.samples} parse on held-out primes`,
);

// the same protocol on the real functions after the held-out primes: what the cut and the parser accept
const real = realFunctions(data.heldText, o.samples, { maxLength: o.maxLength });
log(
  `real code after the held-out primes: ${real.parsed} of ${o.samples} parse, ${real.closed} close within ${o.maxLength}`,
);

if (SAVE) {
  mkdirSync(dirname(resolve(SAVE)), { recursive: true });
  writeFileSync(SAVE,
    saveF16(model, { vocabulary: data.vocab, temperature: String(temperature), trainedMinutes: String(o.minutes) }));
  log(`wrote ${SAVE}`);
}

const dynamic = process.argv.includes("--dynamic")
  ? dynamicEvaluation(model, data.valid, data.held, first, { seq: o.seq, log })
  : null;
if (dynamic) log(`dynamic evaluation (lr ${dynamic.lr}): held-out ${dynamic.heldOut.toFixed(3)} bits/char`);

const json = { typescript: data.version, characters: data.text.length, droppedExportChars: data.droppedExportChars,
  trainChars: data.train.length, validationChars: data.valid.length, heldOutChars: data.held.length, vocabulary: data.V,
  model: { cell: model.config.cell, hidden: model.config.hiddenSize, layers: model.config.numLayers ?? 1,
    embedding: model.config.embeddingSize, parameters: model.numParams, loaded: LOAD ?? null },
  threads: coreInfo().threads,
  training: training
    && { minutes: o.trainChars === null ? o.minutes : null, trainChars: o.trainChars, batch: o.batch, seq: o.seq,
      lr: o.lr,
      schedule: `warm-up 2% + cosine to 0 over ${o.trainChars === null ? "wall time" : "the training characters"}`,
      batches: training.batches, chars: training.chars, seconds: training.seconds,
      charsPerSecond: training.charsPerSecond, best: training.best, curve: training.curve },
  heldOutBitsPerChar: heldPass.mean, validationBitsPerChar: validBits,
  dynamicEvaluation: dynamic
    && { ...dynamic, note: "reported apart: the weights adapt to the held-out text as it is read" },
  ngram: { orders: ngram.orders, best: ngram.best, bestHeldOut: ngram.bestHeldOut, kn5: ngram.kn5,
    discounts: ngram.discounts, buildSeconds: ngram.buildSeconds, evaluateSeconds: ngram.evaluateSeconds,
    memoryMB: ngram.memoryMB }, xzBitsPerChar: xz,
  closers: {
    predictors: { model: `${model.config.cell.toUpperCase()}-${model.config.hiddenSize}`,
      ngram: `Kneser–Ney order ${ngram.best}` },
    rows: closerRows,
  }, cells: cellRun.result,
  parse: { byTemperature,
    temperatureChoice: byTemperature.length
      ? "the temperature with the most parsing functions after validation primes"
      : "stored in the loaded file",
    headline: { temperature, samples: o.samples, parsed: head.parsed, parsedPercent: 100 * head.parsedShare,
      closed: head.closed, closedPercent: 100 * head.closedShare, primes: "held-out", failures: head.failures },
    realCode: { parsed: real.parsed, closed: real.closed, parsedPercent: 100 * real.parsedShare,
      closedPercent: 100 * real.closedShare,
      note: "the real functions after the held-out primes, cut and parsed the same way" } },
  seconds: (Date.now() - t0) / 1000 };
await writeReport(outDir(), json, { samples: head.samples.slice(0, 20), cellPlots,
  noPlot: process.argv.includes("--no-plot"), log });
model.dispose();
console.log(headline(json));
