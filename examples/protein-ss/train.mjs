// Protein secondary structure (Qian & Sejnowski 1988 data): a bidirectional recurrent tagger that
// labels every residue coil (_), strand (e) or helix (h). Trained on data/protein-ss.train, with 12
// training proteins held out to pick the epoch, evaluated once on data/protein-ss.test.
//
//   npm run example:protein -- [--cell gru] [--hidden 32] [--layers 1] [--window 0] [--epochs 40]
//                               [--seeds 1] [--lr 0.003] [--batch 8] [--wd 0]
//
// Prints Q3 (per-residue accuracy) and the confusion matrix on the test proteins. Baselines on this
// test set: majority class (coil) 54.6%; Qian & Sejnowski's windowed network 64.3%.
import { readFileSync } from "node:fs";
import { init, Model, Adam, Rng } from "../../dist/index.js";

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf("--" + k); return i >= 0 ? args[i + 1] : d; };
const cell = opt("cell", "gru"), hidden = +opt("hidden", 32), layers = +opt("layers", 1), window = +opt("window", 0);
const epochs = +opt("epochs", 40), seeds = +opt("seeds", 1), lr = +opt("lr", 0.003), batch = +opt("batch", 8), wd = +opt("wd", 0);

const AA = "ACDEFGHIKLMNPQRSTVWY", LABELS = "_eh", NAMES = ["coil", "strand", "helix"];
function parse(file) {
  const seqs = [];
  let cur = null;
  for (const line of readFileSync(new URL(`../../data/${file}`, import.meta.url), "utf8").split("\n")) {
    const t = line.trim().split(/\s+/);
    if (!t[0]) continue;
    if (t[0] === "<>" || t[0] === "end" || t[0] === "<end>") { if (cur?.aa.length) seqs.push(cur); cur = null; continue; }
    cur ??= { aa: [], ss: [] };
    cur.aa.push(AA.indexOf(t[0]));
    cur.ss.push(LABELS.indexOf(t[1]));
  }
  if (cur?.aa.length) seqs.push(cur);
  return seqs;
}

// features per residue: one-hot amino acid (20), and for --window w the one-hots of the w
// neighbours on each side (zeros past the ends)
const F = 20 * (2 * window + 1);
function encode(s) {
  const T = s.aa.length, x = new Float32Array(T * F);
  for (let t = 0; t < T; t++) {
    for (let o = -window; o <= window; o++) {
      const u = t + o;
      if (u >= 0 && u < T && s.aa[u] >= 0) x[t * F + (o + window) * 20 + s.aa[u]] = 1;
    }
  }
  return x;
}

const train = parse("protein-ss.train"), test = parse("protein-ss.test");
await init();
const t0 = Date.now();
const probs = test.map((s) => new Float64Array(s.aa.length * 3));
let valSum = 0;
for (let k = 0; k < seeds; k++) {
  // hold out 12 training proteins (seeded) to choose the epoch
  const idx = train.map((_, i) => i);
  new Rng(100 + k).shuffle(idx);
  const val = idx.slice(0, 12).map((i) => train[i]), tr = idx.slice(12).map((i) => train[i]);
  const data = (ss) => ({ x: ss.map(encode), y: ss.map((s) => Int32Array.from(s.ss)) });
  const model = new Model({ cell, inputSize: F, hiddenSize: hidden, numLayers: layers, bidirectional: true, outputSize: 3, readout: "sequence", loss: "crossentropy", seed: k });
  const h = await model.fit(data(tr), {
    epochs, batchSize: batch, optimizer: new Adam({ learningRate: lr, weightDecay: wd }), clipNorm: 1, seed: k,
    validationData: data(val), restoreBest: true,
    onEpochEnd: (e, l) => process.stderr.write(`\rseed ${k}: epoch ${e}/${epochs} train acc ${(100 * l.accuracy).toFixed(1)}% val acc ${(100 * l.valAccuracy).toFixed(1)}% `),
  });
  process.stderr.write(`\nseed ${k}: best validation epoch ${h.bestEpoch} (val acc ${(100 * h.val[h.bestEpoch - 1]).toFixed(1)}%)\n`);
  valSum += h.val[h.bestEpoch - 1];
  // softmax probabilities of this member, averaged into the ensemble
  const logits = model.predict(test.map(encode));
  logits.forEach((z, i) => {
    for (let t = 0; t < z.length / 3; t++) {
      const m = Math.max(z[3 * t], z[3 * t + 1], z[3 * t + 2]);
      const e = [0, 1, 2].map((c) => Math.exp(z[3 * t + c] - m)), sum = e[0] + e[1] + e[2];
      for (let c = 0; c < 3; c++) probs[i][3 * t + c] += e[c] / sum / seeds;
    }
  });
  model.dispose();
}
const conf = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
let right = 0, n = 0;
test.forEach((s, i) => s.ss.forEach((y, t) => {
  const p = probs[i].subarray(3 * t, 3 * t + 3), pred = p.indexOf(Math.max(...p));
  conf[y][pred]++; n++; if (pred === y) right++;
}));
const pct = (v) => (100 * v).toFixed(1);
console.log(`protein secondary structure, ${test.length} test proteins, ${n} residues: Q3 ${pct(right / n)}% (majority class 54.6%, Qian & Sejnowski 1988 64.3%)`);
console.log(`model: bidirectional ${cell.toUpperCase()} ${layers}x${hidden}, window ±${window}, ${seeds} seed(s), ${epochs} epochs, Adam ${lr}${wd ? ` wd ${wd}` : ""}; mean validation accuracy ${pct(valSum / seeds)}% (12 held-out training proteins per seed); ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`confusion matrix (rows: true, columns: predicted):`);
console.log(`          ${NAMES.map((c) => c.padStart(7)).join("")}   recall`);
conf.forEach((row, y) => console.log(`${NAMES[y].padEnd(10)}${row.map((v) => String(v).padStart(7)).join("")}   ${pct(row[y] / row.reduce((a, b) => a + b, 0))}%`));
