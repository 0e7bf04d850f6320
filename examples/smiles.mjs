// A SMILES generator: a character-level GRU language model trained on the shipped ESOL molecules
// (data/esol-delaney.csv, 1,128 SMILES), then sampled. Run: npm run example:smiles -- [options]
//   --epochs 60 --hidden 128 --embedding 16 --samples 1000 --temperature 0.8 --seed 0 --out reports
// Each molecule is a sequence: a start symbol, then its characters, then an end symbol to predict;
// a Vocabulary of its characters plus the two symbols gives the ids a token model (embedding) reads.
// A generated string counts as valid when it is non-empty, its parentheses and brackets balance
// (never closing more than is open) and its ring-closure labels (digits and %nn outside brackets)
// pair up; novel when it is valid and not one of the training molecules. This checks the
// grammar a character model must learn, not chemistry (valence, aromaticity: that needs RDKit).
// Prints: smiles: X% of N samples valid, Y% of the valid ones novel, Z distinct
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { init, Model, Vocabulary } from "../dist/index.js";
import { validSmiles } from "./smiles-grammar.mjs";
import { numberArg, outDir } from "./args.mjs";

const arg = numberArg;
const EPOCHS = arg("epochs", 60), H = arg("hidden", 128), SAMPLES = arg("samples", 1000),
  TEMP = arg("temperature", 0.8), SEED = arg("seed", 0);
const t0 = Date.now(),
  log = (m) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);

const rows = readFileSync(new URL("../data/esol-delaney.csv", import.meta.url), "utf8").trim().split("\n").slice(1);
const smiles = rows.map((r) => r.split(",").at(-1).trim()).filter(Boolean);
// the characters (sorted), then <end> and <start>: outputs 0..V−1, START only as input
const chars = [...new Set(smiles.join(""))].sort();
const vocab = Vocabulary.fromTokens([...chars, "<end>", "<start>"]), END = vocab.id("<end>"),
  START = vocab.id("<start>"), V = END + 1;
// --embedding 16: columns for 33 symbols, enough to tell atoms, bonds, brackets and ring digits apart
const E = arg("embedding", 16);

await init();
const data = { x: smiles.map((s) => vocab.encode(["<start>", ...s])),
  y: smiles.map((s) => vocab.encode([...s, "<end>"])) };
const valid0 = smiles.filter(validSmiles).length;
log(
  `${smiles.length} molecules (${valid0} pass the check themselves), ${chars.length} characters; GRU H = ${H} over a ${E}-wide embedding, ${EPOCHS} epochs`,
);
const model = new Model({ cell: "gru", vocabSize: vocab.size, embeddingSize: E, hiddenSize: H, numLayers: 2,
  outputSize: V, readout: "sequence", loss: "crossentropy", seed: SEED + 1 });
await model.fit(data, { epochs: EPOCHS, batchSize: 32, learningRate: 3e-3, clipNorm: 1, seed: SEED + 1,
  validationSplit: 0.1, restoreBest: true,
  onEpochEnd: (e, l) => {
    if ((e + 1) % 10 === 0) {
      log(`epoch ${e + 1}: loss ${l.loss.toFixed(3)}, validation ${l.valLoss.toFixed(3)} nats/char`);
    }
  } });
const known = new Set(smiles), seen = new Set(), out = [];
let valid = 0, novel = 0;
for (let i = 0; i < SAMPLES; i++) {
  const t = model.generate({ prime: [START], length: 200, temperature: TEMP, seed: 100000 * SEED + i, stop: END });
  const s = vocab.decode(t[t.length - 1] === END ? t.subarray(0, t.length - 1) : t, "");
  const ok = validSmiles(s);
  if (ok) {
    valid++;
    if (!known.has(s)) novel++;
  }
  seen.add(s);
  out.push(`${ok ? (known.has(s) ? "valid, in training" : "valid, novel") : "invalid"}\t${s}`);
}
model.dispose();
const dir = outDir();
mkdirSync(dir, { recursive: true });
writeFileSync(new URL("smiles-samples.txt", dir), out.join("\n") + "\n");
writeFileSync(new URL("smiles.json", dir),
  JSON.stringify({ molecules: smiles.length, epochs: EPOCHS, hidden: H, embedding: E, samples: SAMPLES,
    temperature: TEMP, valid, novel, distinct: seen.size, seconds: (Date.now() - t0) / 1000 }, null, 1) + "\n");
console.log(
  `smiles: ${(100 * valid / SAMPLES).toFixed(1)}% of ${SAMPLES} samples valid, ${
    valid ? (100 * novel / valid).toFixed(1) : "0.0"
  }% of the valid ones novel, ${seen.size} distinct`,
);
