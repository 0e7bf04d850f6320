// recurrent-wasm command line: train a character-level recurrent regressor on a CSV of sequences
// (default: the shipped ESOL solubility data), save it as safetensors, predict from a saved model.
// A user error prints one line (the stack trace only with --verbose) and exits with code 2.
import { accessSync, closeSync, constants, fsyncSync, lstatSync, openSync, renameSync, statSync, unlinkSync,
  writeSync } from "node:fs";
import type { Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { init, coreInfo, FitError, Model, Rng, Vocabulary } from "../index.js";
import { CELLS, CELL_TYPES, takesNonlinearity } from "../core/cells.js";
import type { CellType } from "../core/cells.js";
import { suggest } from "../core/check.js";
import { Spec, parseArgs, numberOption } from "./args.js";
import { UsageError, decimal, parseCsv, quoteCsv, readText } from "./csv.js";
import { EXPORT, EXPORT_HELP, exportModel, loadModelFile } from "./export.js";

const HELP = `recurrent-wasm — recurrent neural networks in WebAssembly

usage:
  recurrent-wasm help
  recurrent-wasm train   [--data file.csv --x COLUMN --y COLUMN] [options]
  recurrent-wasm predict --model model.safetensors (SEQUENCE ... | --data file.csv --x COLUMN)
  recurrent-wasm export  --to pytorch --model model.safetensors --out DIR  (or --to onnx --out FILE.onnx)

train options (defaults in brackets):
  --data FILE        CSV with a header row [the shipped ESOL set, data/esol-delaney.csv]
  --x COLUMN         column holding the sequences (strings, tokenized per character) [smiles]
  --y COLUMN         numeric target column [measured log solubility in mols per litre]
  --baseline COLUMN  a column of existing predictions to report on the test split
                     [ESOL predicted log solubility in mols per litre, if present]
  --cell C           ${CELL_TYPES.join(" | ")} [gru]  --bidirectional   forward and reverse directions
  --hidden N         hidden units [128]      --layers N     stacked layers [1]
  --embedding N      width of the token embedding [16]
  --epochs N         epochs [60]             --batch N      batch size [32]
  --lr X             Adam learning rate [0.002]
  --clip X           global gradient-norm clip [1]
  --seed N           seed of the 80/10/10 split, initialization and shuffling [0]
  --threads N        threads (the batch is split across worker threads) [1]
  --out FILE         where to save the model [model.safetensors]; written atomically
  --force            replace --out if it exists (otherwise an existing file is an error)
  --quiet            no progress output
  --verbose          stack traces with errors

predict options:
  --model FILE       a model saved by train
  --data FILE --x COLUMN   sequences from a CSV column [the column the model was trained on]

${EXPORT_HELP}
Errors print one line and exit with code 2 (1 if training diverged). Ctrl-C during training
(until the model file is written) stops after the current batch and saves the best weights so
far, exit code 130 (a second Ctrl-C quits at once).
`;

const TRAIN: Spec = { flags: ["bidirectional", "force", "quiet", "verbose", "help"],
  values: ["data", "x", "y", "baseline", "cell", "hidden", "embedding", "layers", "epochs", "batch", "lr", "clip",
    "seed", "threads", "out"] };
const PREDICT: Spec = { flags: ["verbose", "help"], values: ["model", "data", "x"] };
const q = (s: string) => JSON.stringify(s);

function column(header: string[], name: string, file: string, option: string): number {
  const i = header.indexOf(name);
  if (i < 0) throw new UsageError(`${file} has no column ${q(name)} (${option}; columns: ${header.map(q).join(", ")})`);
  return i;
}

/** SMILES-aware character tokens: two-letter halogens (Cl, Br) are one token. */
function tokens(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const two = s.slice(i, i + 2);
    if (two === "Cl" || two === "Br") {
      out.push(two);
      i++;
    } else out.push(s[i]);
  }
  return out;
}

/** A sequence's token ids (unseen tokens: the vocabulary's unknown symbol). */
const ids = (s: string, vocab: Vocabulary): Int32Array => vocab.encode(tokens(s));

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
    process.stderr.write(
      `\r[${"#".repeat(fill)}${".".repeat(w - fill)}] ${
        (100 * done).toFixed(0).padStart(3)
      }% epoch ${epoch}/${this.total} ${text} ${el.toFixed(0)}s eta ${eta.toFixed(0)}s \x1b[K`,
    );
  }
  epoch(epoch: number, text: string) {
    if (this.quiet) return;
    if (this.tty) this.batch(epoch, 1, text);
    else {
      process.stderr.write(
        `epoch ${epoch}/${this.total} ${text} (${((Date.now() - this.start) / 1000).toFixed(1)}s)\n`,
      );
    }
  }
  end() {
    if (!this.quiet && this.tty) process.stderr.write("\n");
  }
}

/** What a path is, when it is not a regular file (which alone may be replaced). */
function notRegular(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return "a folder";
  if (st.isSymbolicLink()) return "a symbolic link";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** The path's status without following a symbolic link, or null when nothing is there. */
function lstatOrNull(path: string, out: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    throw new UsageError(`--out ${out}: cannot inspect it (${code ?? (e as Error).message})`);
  }
}

/** Where the model goes: its folder must exist and be writable, and it must be absent or a
 *  regular file (--force to replace one; never a device, FIFO, socket, link or folder). Checked
 *  before training, so a long run never ends in a failed save. */
function checkOut(out: string, force: boolean): boolean {
  const path = resolve(out), dir = dirname(path);
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UsageError(`--out ${out}: the folder ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new UsageError(`--out ${out}: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${out}: cannot write in ${dir}`);
  }
  const there = lstatOrNull(path, out);
  if (!there) return false;
  const kind = notRegular(there);
  if (kind) {
    throw new UsageError(
      `--out ${out} is ${kind}, not a regular file; the model is written to a new file renamed into place, so name a regular file or a new path (--force replaces regular files only)`,
    );
  }
  if (!force) throw new UsageError(`--out ${out} exists; pass --force to replace it, or choose another file`);
  return true;
}

/** Write through a temporary file of this process's own in the same folder, flushed, then renamed:
 *  the file is whole or as it was. Only a temporary file this call created is ever deleted. */
function writeAtomic(path: string, out: string, bytes: Uint8Array): void {
  const fail = (e: unknown, what = "") =>
    new UsageError(`cannot write ${path}${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  let tmp = "", fd = -1;
  for (let k = 0; fd < 0; k++) {
    tmp = `${path}.${process.pid}${k ? `.${k}` : ""}.tmp`;
    try {
      fd = openSync(tmp, "wx", 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && k < 100) continue; // someone else's: leave it
      throw fail(e, ` (creating ${tmp})`);
    }
  }
  try {
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    // what is at the path now (it may have changed since checkOut) must still be absent or a file
    const there = lstatOrNull(path, out), kind = there && notRegular(there);
    if (kind) {
      throw new UsageError(`--out ${out} became ${kind} during training; not replacing it (the model is in ${tmp})`);
    }
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch { /* closing is all that is left */ }
    }
    if (e instanceof UsageError) throw e;
    try {
      unlinkSync(tmp);
    } catch { /* already gone */ }
    throw fail(e);
  }
}

async function train(opts: Record<string, string>, flags: Set<string>, rest: string[]): Promise<number> {
  if (rest.length) {
    throw new UsageError(`train takes no sequences as arguments (got ${q(rest[0])}); give a CSV with --data`);
  }
  const defaultData = opts.data === undefined;
  const file = opts.data ?? new URL("../data/esol-delaney.csv", import.meta.url).pathname;
  const xCol = opts.x ?? "smiles";
  const yCol = opts.y ?? "measured log solubility in mols per litre";
  const bCol = opts.baseline ?? (defaultData ? "ESOL predicted log solubility in mols per litre" : undefined);
  const cell = (opts.cell ?? "gru") as CellType;
  if (!CELL_TYPES.includes(cell)) {
    throw new UsageError(
      `--cell must be ${CELL_TYPES.slice(0, -1).join(", ")} or ${CELL_TYPES[CELL_TYPES.length - 1]}, got ${q(cell)}`,
    );
  }
  const bidirectional = flags.has("bidirectional");
  const hidden = numberOption(opts, "hidden", 128), layers = numberOption(opts, "layers", 1);
  const embedding = numberOption(opts, "embedding", 16);
  const epochs = numberOption(opts, "epochs", 60), batch = numberOption(opts, "batch", 32);
  const lr = numberOption(opts, "lr", 0.002, { int: false, min: 0, open: true }),
    clip = numberOption(opts, "clip", 1, { int: false, min: 0, open: true });
  const seed = numberOption(opts, "seed", 0, { min: 0, max: 0xffffffff });
  const threads = numberOption(opts, "threads", 1, { max: 64 });
  const out = opts.out ?? "model.safetensors";
  const quiet = flags.has("quiet");

  const { header, rows, lines } = parseCsv(readText(file, "--data"), file);
  const xi = column(header, xCol, file, "--x"), yi = column(header, yCol, file, "--y");
  const bi = bCol !== undefined && (opts.baseline !== undefined || header.includes(bCol))
    ? column(header, bCol, file, "--baseline")
    : -1;
  const seqs: string[] = [], ys: number[] = [], base: number[] = [];
  rows.forEach((r, k) => {
    const at = `${file} line ${lines[k]}`;
    const s = (r[xi] ?? "").trim();
    if (!s) throw new UsageError(`${at}, column ${q(xCol)}: the sequence is empty`);
    const y = decimal(r[yi] ?? "");
    if (y === undefined) throw new UsageError(`${at}, column ${q(yCol)}: ${q(r[yi] ?? "")} is not a decimal number`);
    seqs.push(s);
    ys.push(y);
    if (bi >= 0) {
      const b = decimal(r[bi] ?? "");
      if (b === undefined) throw new UsageError(`${at}, column ${q(bCol!)}: ${q(r[bi] ?? "")} is not a decimal number`);
      base.push(b);
    }
  });
  const N = seqs.length;
  if (N < 10) throw new UsageError(`${file} has ${N} rows; need at least 10 for an 80/10/10 split`);
  const replacing = checkOut(out, flags.has("force"));

  // seeded 80/10/10 split
  const idx = Array.from({ length: N }, (_, i) => i);
  new Rng(seed).shuffle(idx);
  const nTest = Math.round(N * 0.1), nVal = Math.round(N * 0.1);
  const test = idx.slice(0, nTest), val = idx.slice(nTest, nTest + nVal), tr = idx.slice(nTest + nVal);

  // vocabulary from the training split; index 0 is <unk>
  const vocab = Vocabulary.fromTokens(tr.flatMap((i) => tokens(seqs[i])), { unknown: "<unk>" });
  const mean = tr.reduce((a, i) => a + ys[i], 0) / tr.length;
  const std = Math.sqrt(tr.reduce((a, i) => a + (ys[i] - mean) ** 2, 0) / tr.length) || 1;
  const set = (ix: number[]) => ({ x: ix.map((i) => ids(seqs[i], vocab)),
    y: Float32Array.from(ix, (i) => (ys[i] - mean) / std) });

  await init({ threads });
  let model: Model;
  try {
    model = new Model({ cell, vocabSize: vocab.size, embeddingSize: embedding, hiddenSize: hidden, numLayers: layers,
      bidirectional, outputSize: 1, seed });
  } catch (e) {
    throw new UsageError(`--hidden ${hidden} --layers ${layers} --embedding ${embedding}: ${(e as Error).message}`);
  }
  model.vocabulary = vocab;
  if (!quiet) {
    process.stderr.write(
      `recurrent-wasm: ${N} sequences from ${file}: ${tr.length} train / ${val.length} validation / ${test.length} test (seed ${seed})\n`,
    );
    const name = `${CELLS[cell].title}${takesNonlinearity(cell) ? " (tanh)" : ""}`;
    process.stderr.write(
      `model: ${
        bidirectional ? "bidirectional " : ""
      }${name}, ${vocab.size} tokens embedded in ${embedding} -> ${layers}x${hidden} hidden -> 1, ${model.numParams} parameters; Adam lr ${lr}, batch ${batch}, clip ${clip}, ${epochs} epochs${
        coreInfo().threads > 1 ? `, ${coreInfo().threads} threads` : ""
      }\n`,
    );
  }
  const save = () => {
    writeAtomic(resolve(out), out,
      model.save({ target: yCol, sequences: xCol, targetMean: String(mean), targetStd: String(std),
        tokenizer: "smiles-chars" }));
    return `${out}${replacing ? " (replaced the existing file)" : ""}`;
  };
  // Ctrl-C, from the first epoch until the file is written: stop after the current batch and save
  // the best weights (exit 130); a second one quits at once
  const stop = new AbortController();
  const onInt = () => {
    process.stderr.write("\nrecurrent-wasm: stopping after this batch (Ctrl-C again to quit now)\n");
    stop.abort();
    process.once("SIGINT", () => process.exit(130));
  };
  process.once("SIGINT", onInt);
  // a signal that came during synchronous work is seen here
  const interrupted = async () => {
    await new Promise((r) => setImmediate(r));
    return stop.signal.aborted;
  };
  const prog = new Progress(epochs, quiet);
  const nb = Math.ceil(tr.length / batch);
  const t0 = Date.now();
  let epochNow = 1;
  try {
    let hist;
    try {
      hist = await model.fit(set(tr), { epochs, batchSize: batch, learningRate: lr, clipNorm: clip, seed,
        validationData: set(val), restoreBest: true, signal: stop.signal,
        onBatchEnd: (b, logs) => prog.batch(epochNow, (b + 1) / nb, `loss ${logs.loss.toFixed(4)}`),
        onEpochEnd: (e, logs) => {
          prog.epoch(e, `train rmse ${(logs.rmse! * std).toFixed(3)} val rmse ${(logs.valRmse! * std).toFixed(3)}`);
          epochNow = e + 1;
        } });
    } catch (e) {
      prog.end();
      if (!(e instanceof FitError)) throw e;
      const best = e.history.bestEpoch;
      const saved = best >= 1
        ? `; saved the weights of epoch ${best} (best validation loss) to ${save()}`
        : "; no epoch finished, nothing saved";
      const what = e.kind === "aborted"
        ? `interrupted at epoch ${e.epoch}`
        : `training diverged: the loss became non-finite at epoch ${e.epoch}, batch ${e.batch} (lower --lr or --clip)`;
      process.stderr.write(`recurrent-wasm: ${what}${saved}\n`);
      return e.kind === "aborted" ? 130 : 1;
    }
    prog.end();
    // every epoch ran: the model holds the best epoch's weights (restoreBest)
    const lateStop = () => {
      process.stderr.write(
        `recurrent-wasm: interrupted after the last epoch; saved the weights of epoch ${hist.bestEpoch} (best validation loss) to ${save()}; no test result\n`,
      );
      return 130;
    };
    if (await interrupted()) return lateStop();
    const testSet = set(test);
    const pred = Array.from(model.predict(testSet.x) as Float32Array, (v) => v * std + mean);
    if (await interrupted()) return lateStop();
    const truth = test.map((i) => ys[i]);
    const r = rmse(pred, truth);
    const meanR = rmse(test.map(() => mean), truth);
    const where = save();
    if (await interrupted()) {
      process.stderr.write(
        `recurrent-wasm: interrupted while saving; the model (best validation epoch ${hist.bestEpoch}) was saved to ${where}\n`,
      );
      return 130;
    }
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (!quiet) {
      process.stderr.write(`best validation epoch ${hist.bestEpoch}; trained in ${secs}s; model saved to ${where}\n`);
    }
    const extra = bi >= 0
      ? `, ${defaultData ? "ESOL equation" : bCol} ${rmse(test.map((i) => base[i]), truth).toFixed(3)}`
      : "";
    process.stdout.write(`test RMSE ${r.toFixed(3)} (mean predictor ${meanR.toFixed(3)}${extra})\n`);
    return 0;
  } finally {
    process.removeListener("SIGINT", onInt);
    model.dispose();
  }
}

/** The metadata `train` writes, checked against the model it came with. */
function trainMetadata(model: Model, file: string) {
  const md = model.metadata, vocab = model.vocabulary;
  const bad = (what: string) => new UsageError(`${file} was not saved by \`recurrent-wasm train\` (${what})`);
  if (model.config.vocabSize === undefined || vocab === null) throw bad("it is not a token model with a vocabulary");
  if (vocab.unknown === null) throw bad("its vocabulary has no unknown symbol");
  if (md.tokenizer !== undefined && md.tokenizer !== "smiles-chars") throw bad(`unknown tokenizer ${q(md.tokenizer)}`);
  const mean = decimal(md.targetMean ?? ""), std = decimal(md.targetStd ?? "");
  if (mean === undefined || std === undefined || !(std > 0)) {
    throw bad("targetMean and targetStd must be numbers, targetStd > 0");
  }
  return { vocab, mean, std, target: md.target ?? "value", sequences: md.sequences };
}

async function predict(opts: Record<string, string>, rest: string[]): Promise<number> {
  if (opts.model === undefined) {
    throw new UsageError("predict needs --model FILE (a model saved by `recurrent-wasm train`)");
  }
  if (opts.x !== undefined && opts.data === undefined) throw new UsageError("--x needs --data FILE");
  if (opts.data !== undefined && rest.length) {
    throw new UsageError(`give sequences either as arguments or with --data, not both (got ${q(rest[0])})`);
  }
  const model = await loadModelFile(opts.model);
  try {
    const md = trainMetadata(model, opts.model);
    let seqs: string[], where: (i: number) => string;
    if (opts.data !== undefined) {
      const { header, rows, lines } = parseCsv(readText(opts.data, "--data"), opts.data);
      const col = opts.x ?? md.sequences ?? "smiles";
      const xi = column(header, col, opts.data, "--x");
      seqs = rows.map((r) => (r[xi] ?? "").trim());
      where = (i) => `${opts.data} line ${lines[i]}, column ${q(col)}`;
    } else {
      seqs = rest.map((s) => s.trim());
      where = (i) => `sequence argument ${i + 1}`;
    }
    if (seqs.length === 0) throw new UsageError("predict: give sequences as arguments or --data file.csv --x COLUMN");
    seqs.forEach((s, i) => {
      if (!s) throw new UsageError(`${where(i)}: the sequence is empty`);
    });
    const pred = model.predict(seqs.map((s) => ids(s, md.vocab))) as Float32Array;
    let text = `sequence,${quoteCsv(`predicted ${md.target}`)}\n`;
    seqs.forEach((s, i) => {
      text += `${quoteCsv(s)},${(pred[i] * md.std + md.mean).toFixed(4)}\n`;
    });
    process.stdout.write(text);
    return 0;
  } finally {
    model.dispose();
  }
}

async function main(argv: string[]): Promise<number> {
  const [cmd = "help", ...args] = argv;
  if (cmd === "help" || cmd === "--help" || cmd === "-h") {
    process.stdout.write(HELP);
    return 0;
  }
  const specs: Record<string, Spec> = { train: TRAIN, predict: PREDICT, export: EXPORT };
  if (!Object.prototype.hasOwnProperty.call(specs, cmd)) {
    const near = suggest(cmd, [...Object.keys(specs), "help"]);
    throw new UsageError(
      `unknown command ${q(cmd)}${near ? `; did you mean ${near}?` : ""} (commands: train, predict, export, help)`,
    );
  }
  const { opts, flags, rest } = parseArgs(cmd, args, specs[cmd]);
  if (flags.has("help")) {
    process.stdout.write(HELP);
    return 0;
  }
  return cmd === "train"
    ? train(opts, flags, rest)
    : cmd === "export"
    ? exportModel(opts, flags, rest)
    : predict(opts, rest);
}

const argv = process.argv.slice(2);
try {
  process.exitCode = await main(argv);
} catch (e) {
  // every error is one line; the library's own errors name the argument. Internal errors (a
  // broken invariant) exit 1, everything else is the user's to fix: exit 2.
  const err = e as Error;
  const internal = /internal error/.test(String(err?.message));
  process.stderr.write(`recurrent-wasm: ${String(err?.message ?? err).replace(/\s*\n\s*/g, " ")}\n`);
  if (argv.includes("--verbose")) process.stderr.write(`${err?.stack ?? ""}\n`);
  process.exitCode = internal ? 1 : 2;
}
