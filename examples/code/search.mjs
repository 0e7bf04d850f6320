// The settings search of the code model, on VALIDATION only: each setting (cell:hidden:layers:seq)
// trained by train.mjs (the same recipe as run.mjs) for the same budget, then scored by its
// bits/char on the whole validation part; the held-out part is never read. The budget is
// --train-chars N training characters (equal work: the schedule runs over the characters, so the
// machine's load changes only the seconds) or else --minutes of wall time. Writes a table
// (code-search.md) and the figures (code-search.json) to --out.
// Run: node examples/code/search.mjs --train-chars 4000000 --configs gru:256:1:128,gru:512:1:128
//   [--minutes 10 --embedding 64 --batch 32 --lr 2e-3 --threads 2 --seed 0 --chars N --out reports]
import { mkdirSync, writeFileSync } from "node:fs";
import { init, coreInfo } from "../../dist/index.js";
import { numberArg, stringArg, outDir } from "../args.mjs";
import { loadCode } from "./data.mjs";
import { makeModel, trainModel, streamBits } from "./train.mjs";

const t0 = Date.now();
const log = (m) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
const arg = numberArg;
const spec = stringArg("configs") ?? "gru:256:1:128,gru:512:1:128,lstm:384:1:128,gru:256:2:128,gru:256:1:256";
const configs = spec.split(",").map((c) => {
  const [cell, hidden, layers, seq] = c.split(":");
  const cfg = { cell, hidden: Number(hidden), layers: Number(layers ?? 1), seq: Number(seq ?? 128) };
  if (!["gru", "lstm", "rnn"].includes(cell)
    || ![cfg.hidden, cfg.layers, cfg.seq].every((v) => Number.isInteger(v) && v > 0)) {
    console.error(`--configs: expected cell:hidden:layers:seq (cell gru, lstm or rnn; positive integers), got ${c}`);
    process.exit(2);
  }
  return cfg;
});
const o = { minutes: arg("minutes", 10), embedding: arg("embedding", 64), batch: arg("batch", 32), lr: arg("lr", 2e-3),
  threads: arg("threads", 2), seed: arg("seed", 0), chars: arg("chars", Infinity), held: arg("held", 200_000),
  valid: arg("valid", 100_000), trainChars: arg("train-chars", null) };
const budget = o.trainChars !== null ? `${(o.trainChars / 1e6).toFixed(2)}M training characters` : `${o.minutes} min`;
const data = loadCode({ chars: o.chars, held: o.held, valid: o.valid,
    keepExports: process.argv.includes("--keep-exports") }), first = data.vocab.id("\n");
await init({ threads: o.threads });
const rows = [];
function write() {
  const best = rows.reduce((a, b) => (b.validation < a.validation ? b : a)), dir = outDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("code-search.json", dir),
    JSON.stringify({ budget, trainChars: o.trainChars, minutes: o.trainChars === null ? o.minutes : null,
      threads: coreInfo().threads, embedding: o.embedding, batch: o.batch, lr: o.lr, seed: o.seed, rows, best }, null,
      1) + "\n");
  writeFileSync(new URL("code-search.md", dir),
    `Settings tried, ${budget} each on ${coreInfo().threads} thread(s), scored on the validation part only\n\n`
      + "| cell | hidden | layers | seq | parameters | characters trained | characters/s | seconds | validation bits/char |\n"
      + "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
      + rows.map((r) =>
        `| ${r.cell} | ${r.hidden} | ${r.layers} | ${r.seq} | ${r.parameters} | ${(r.chars / 1e6).toFixed(2)}M | ${
          Math.round(r.charsPerSecond)
        } | ${Math.round(r.seconds)} | ${r.validation.toFixed(3)}${r === best ? " (best)" : ""} |`
      ).join("\n") + "\n");
  return best;
}
for (const c of configs) {
  const model = makeModel({ ...c, embedding: o.embedding, V: data.V, seed: o.seed });
  const r = trainModel(model, data.train, data.valid, first, { minutes: o.minutes, batch: o.batch, seq: c.seq, lr: o.lr,
    evalEvery: Math.max(30, o.minutes * 6), trainChars: o.trainChars, log });
  const valid = streamBits(model, data.valid, first).mean;
  rows.push({ ...c, parameters: model.numParams, chars: r.chars, seconds: r.seconds, charsPerSecond: r.charsPerSecond,
    validation: valid, curve: r.curve });
  log(
    `${c.cell} H = ${c.hidden} × ${c.layers}, seq ${c.seq}: ${model.numParams} parameters, ${
      (r.chars / 1e6).toFixed(2)
    }M characters in ${r.seconds.toFixed(0)} s, validation ${valid.toFixed(3)} bits/char`,
  );
  model.dispose();
  write(); // after every setting: a long search interrupted keeps what it measured
}
const best = write();
console.log(
  `code search: best ${best.cell} H = ${best.hidden} × ${best.layers}, seq ${best.seq}: validation ${
    best.validation.toFixed(3)
  } bits/char (${rows.length} settings, ${budget} each)`,
);
