// recurrent-wasm command line: train a character-level recurrent regressor on a CSV of sequences
// (default: the shipped ESOL solubility data), save it as safetensors, predict from a saved model.
import { readFileSync, writeFileSync } from "node:fs";
import { init, coreInfo, Model, Rng } from "../index.js";

const HELP = `recurrent-wasm — recurrent neural networks in WebAssembly

usage:
  recurrent-wasm train   [--data file.csv --x COLUMN --y COLUMN] [options]
  recurrent-wasm predict --model model.safetensors (SEQUENCE ... | --data file.csv --x COLUMN)

train options (defaults in brackets):
  --data FILE        CSV with a header row [the shipped ESOL set, data/esol-delaney.csv]
  --x COLUMN         column holding the sequences (strings, tokenized per character) [smiles]
  --y COLUMN         numeric target column [measured log solubility in mols per litre]
  --baseline COLUMN  a column of existing predictions to report on the test split
                     [ESOL predicted log solubility in mols per litre, if present]
  --cell C           rnn | lstm | gru [gru]  --bidirectional   forward and reverse directions
  --hidden N         hidden units [128]      --layers N     stacked layers [1]
  --epochs N         epochs [60]             --batch N      batch size [32]
  --lr X             Adam learning rate [0.002]
  --clip X           global gradient-norm clip [1]
  --seed N           seed of the 80/10/10 split, initialization and shuffling [0]
  --threads N        threads (the batch is split across worker threads) [1]
  --out FILE         where to save the model [model.safetensors]
  --quiet            no progress output
`;

function parseArgs(argv: string[]): { cmd: string; opts: Record<string, string>; rest: string[] } {
  const [cmd = "help", ...args] = argv;
  const opts: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--quiet" || a === "--help" || a === "--bidirectional") opts[a.slice(2)] = "1";
    else if (a.startsWith("--")) {
      if (i + 1 >= args.length) fail(`option ${a} needs a value`);
      opts[a.slice(2)] = args[++i];
    } else rest.push(a);
  }
  return { cmd, opts, rest };
}

function fail(msg: string): never {
  process.stderr.write(`recurrent-wasm: ${msg}\n`);
  process.exit(2);
}

/** Minimal RFC 4180 CSV reader (quoted fields, embedded commas and quotes). */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const rows: string[][] = [];
  let row: string[] = [], field = "", q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else q = false; }
      else field += ch;
    } else if (ch === '"') q = true;
    else if (ch === ",") { row.push(field); field = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field); field = "";
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  const header = (rows.shift() ?? []).map((h) => h.trim());
  return { header, rows };
}

function column(header: string[], name: string, file: string): number {
  const i = header.indexOf(name);
  if (i < 0) fail(`${file} has no column ${JSON.stringify(name)} (columns: ${header.map((h) => JSON.stringify(h)).join(", ")})`);
  return i;
}

/** SMILES-aware character tokens: two-letter halogens (Cl, Br) are one token. */
function tokens(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const two = s.slice(i, i + 2);
    if (two === "Cl" || two === "Br") { out.push(two); i++; } else out.push(s[i]);
  }
  return out;
}

function oneHot(s: string, vocab: Map<string, number>): Float32Array {
  const t = tokens(s), V = vocab.size;
  const x = new Float32Array(Math.max(1, t.length) * V);
  t.forEach((tok, i) => { x[i * V + (vocab.get(tok) ?? 0)] = 1; });
  if (t.length === 0) x[0] = 1;
  return x;
}

function rmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

class Progress {
  private start = Date.now();
  constructor(private total: number, private quiet: boolean, private tty = !!process.stderr.isTTY) {}
  batch(epoch: number, frac: number, text: string) {
    if (this.quiet || !this.tty) return;
    const done = (epoch - 1 + frac) / this.total, w = 24, fill = Math.round(done * w);
    const el = (Date.now() - this.start) / 1000, eta = done > 0 ? el / done - el : 0;
    process.stderr.write(`\r[${"#".repeat(fill)}${".".repeat(w - fill)}] ${(100 * done).toFixed(0).padStart(3)}% epoch ${epoch}/${this.total} ${text} ${el.toFixed(0)}s eta ${eta.toFixed(0)}s \x1b[K`);
  }
  epoch(epoch: number, text: string) {
    if (this.quiet) return;
    if (this.tty) this.batch(epoch, 1, text);
    else process.stderr.write(`epoch ${epoch}/${this.total} ${text} (${((Date.now() - this.start) / 1000).toFixed(1)}s)\n`);
  }
  end() { if (!this.quiet && this.tty) process.stderr.write("\n"); }
}

async function train(opts: Record<string, string>) {
  const defaultData = !opts.data;
  const file = opts.data ?? new URL("../data/esol-delaney.csv", import.meta.url).pathname;
  const xCol = opts.x ?? "smiles";
  const yCol = opts.y ?? "measured log solubility in mols per litre";
  const bCol = opts.baseline ?? (defaultData ? "ESOL predicted log solubility in mols per litre" : undefined);
  const num = (k: string, d: number, int = true, min = 1) => {
    if (opts[k] === undefined) return d;
    const v = Number(opts[k]);
    const what = min === 0 ? "non-negative" : "positive";
    if (opts[k].trim() === "" || !Number.isFinite(v) || (int && !Number.isInteger(v)) || v < min || (!int && v <= 0)) {
      fail(`--${k} must be a ${what} ${int ? "integer" : "number"}, got ${JSON.stringify(opts[k])}`);
    }
    return v;
  };
  const cell = opts.cell ?? "gru";
  if (cell !== "rnn" && cell !== "lstm" && cell !== "gru") fail(`--cell must be rnn, lstm or gru, got ${JSON.stringify(cell)}`);
  const bidirectional = opts.bidirectional === "1";
  const hidden = num("hidden", 128), layers = num("layers", 1), epochs = num("epochs", 60), batch = num("batch", 32);
  const lr = num("lr", 0.002, false), clip = num("clip", 1, false);
  const seed = num("seed", 0, true, 0);
  const threads = num("threads", 1);
  const out = opts.out ?? "model.safetensors";
  const quiet = opts.quiet === "1";

  let text: string;
  try { text = readFileSync(file, "utf8"); } catch (e) { fail(`cannot read ${file}: ${(e as Error).message}`); }
  const { header, rows } = parseCsv(text);
  const xi = column(header, xCol, file), yi = column(header, yCol, file);
  const bi = bCol !== undefined && header.includes(bCol) ? header.indexOf(bCol) : -1;
  if (bCol !== undefined && opts.baseline !== undefined && bi < 0) column(header, bCol, file);
  const seqs: string[] = [], ys: number[] = [], base: number[] = [];
  rows.forEach((r, n) => {
    const s = (r[xi] ?? "").trim(), y = Number(r[yi]);
    if (!s || !Number.isFinite(y)) fail(`${file} row ${n + 2}: needs a sequence in ${JSON.stringify(xCol)} and a number in ${JSON.stringify(yCol)}`);
    seqs.push(s); ys.push(y); if (bi >= 0) base.push(Number(r[bi]));
  });
  const N = seqs.length;
  if (N < 10) fail(`${file} has ${N} rows; need at least 10 for an 80/10/10 split`);

  // seeded 80/10/10 split
  const idx = Array.from({ length: N }, (_, i) => i);
  new Rng(seed).shuffle(idx);
  const nTest = Math.round(N * 0.1), nVal = Math.round(N * 0.1);
  const test = idx.slice(0, nTest), val = idx.slice(nTest, nTest + nVal), tr = idx.slice(nTest + nVal);

  // vocabulary from the training split; index 0 is <unk>
  const vocab = new Map<string, number>([["<unk>", 0]]);
  for (const i of tr) for (const t of tokens(seqs[i])) if (!vocab.has(t)) vocab.set(t, vocab.size);
  const mean = tr.reduce((a, i) => a + ys[i], 0) / tr.length;
  const std = Math.sqrt(tr.reduce((a, i) => a + (ys[i] - mean) ** 2, 0) / tr.length) || 1;
  const set = (ix: number[]) => ({
    x: ix.map((i) => oneHot(seqs[i], vocab)),
    y: Float32Array.from(ix, (i) => (ys[i] - mean) / std),
  });

  await init({ threads });
  const model = new Model({ cell, inputSize: vocab.size, hiddenSize: hidden, numLayers: layers, bidirectional, outputSize: 1, seed });
  if (!quiet) {
    process.stderr.write(`recurrent-wasm: ${N} sequences from ${file}: ${tr.length} train / ${val.length} validation / ${test.length} test (seed ${seed})\n`);
    const name = { rnn: "Elman RNN (tanh)", lstm: "LSTM", gru: "GRU" }[cell];
    process.stderr.write(`model: ${bidirectional ? "bidirectional " : ""}${name}, ${vocab.size} input tokens -> ${layers}x${hidden} hidden -> 1, ${model.numParams} parameters; Adam lr ${lr}, batch ${batch}, clip ${clip}, ${epochs} epochs${coreInfo().threads > 1 ? `, ${coreInfo().threads} threads` : ""}\n`);
  }
  const prog = new Progress(epochs, quiet);
  const nb = Math.ceil(tr.length / batch);
  const t0 = Date.now();
  let epochNow = 1;
  const hist = await model.fit(set(tr), {
    epochs, batchSize: batch, learningRate: lr, clipNorm: clip, seed, validationData: set(val), restoreBest: true,
    onBatchEnd: (b, logs) => prog.batch(epochNow, (b + 1) / nb, `loss ${logs.loss.toFixed(4)}`),
    onEpochEnd: (e, logs) => {
      prog.epoch(e, `train rmse ${(logs.rmse! * std).toFixed(3)} val rmse ${(logs.valRmse! * std).toFixed(3)}`);
      epochNow = e + 1;
    },
  });
  prog.end();
  const testSet = set(test);
  const pred = Array.from(model.predict(testSet.x) as Float32Array, (v) => v * std + mean);
  const truth = test.map((i) => ys[i]);
  const r = rmse(pred, truth);
  const meanR = rmse(test.map(() => mean), truth);
  writeFileSync(out, model.save({
    vocab: JSON.stringify([...vocab.keys()]), target: yCol, sequences: xCol,
    targetMean: String(mean), targetStd: String(std), tokenizer: "smiles-chars",
  }));
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (!quiet) process.stderr.write(`best validation epoch ${hist.bestEpoch}; trained in ${secs}s; model saved to ${out}\n`);
  const extra = bi >= 0 ? `, ${defaultData ? "ESOL equation" : bCol} ${rmse(test.map((i) => base[i]), truth).toFixed(3)}` : "";
  process.stdout.write(`test RMSE ${r.toFixed(3)} (mean predictor ${meanR.toFixed(3)}${extra})\n`);
  model.dispose();
}

async function predict(opts: Record<string, string>, rest: string[]) {
  if (!opts.model) fail("predict needs --model FILE (a model saved by `recurrent-wasm train`)");
  let bytes: Uint8Array;
  try { bytes = readFileSync(opts.model); } catch (e) { fail(`cannot read ${opts.model}: ${(e as Error).message}`); }
  await init();
  const model = Model.load(bytes);
  const md = model.metadata;
  if (!md.vocab) fail(`${opts.model} was not saved by \`recurrent-wasm train\` (no vocabulary in its metadata)`);
  const vocab = new Map<string, number>((JSON.parse(md.vocab) as string[]).map((t, i) => [t, i]));
  const mean = Number(md.targetMean), std = Number(md.targetStd);
  let seqs = rest;
  if (opts.data) {
    const { header, rows } = parseCsv(readFileSync(opts.data, "utf8"));
    const xi = column(header, opts.x ?? md.sequences ?? "smiles", opts.data);
    seqs = rows.map((r) => (r[xi] ?? "").trim());
  }
  if (seqs.length === 0) fail("predict: give sequences as arguments or --data file.csv --x COLUMN");
  const pred = model.predict(seqs.map((s) => oneHot(s, vocab))) as Float32Array;
  process.stdout.write(`sequence,predicted ${md.target ?? "value"}\n`);
  seqs.forEach((s, i) => process.stdout.write(`${s},${(pred[i] * std + mean).toFixed(4)}\n`));
  model.dispose();
}

const { cmd, opts, rest } = parseArgs(process.argv.slice(2));
if (cmd === "train" && !opts.help) await train(opts);
else if (cmd === "predict" && !opts.help) await predict(opts, rest);
else if (cmd === "help" || cmd === "--help" || opts.help) process.stdout.write(HELP);
else fail(`unknown command ${JSON.stringify(cmd)}\n${HELP}`);
