// Protein secondary structure (Qian & Sejnowski 1988 data): a bidirectional recurrent tagger that
// labels every residue coil (_), strand (e) or helix (h). Trained on data/protein-ss.train,
// evaluated once on data/protein-ss.test. Run: npm run example:protein -- [options]
//
//   --cell gru --hidden 32 --layers 1   the tagger (bidirectional, one output per residue)
//   --window 3       input = one-hot residue plus the one-hots of 3 neighbours on each side
//   --dropout 0.1    zero each residue's one-hot with this probability, drawn anew every epoch
//   --epochs 30 --lr 0.003 --batch 8 --wd 0
//   --seeds 5        ensemble size (probabilities averaged)
//   --holdout 12     proteins held out of training (per seed) to pick the epoch; 0 = train on all
//                    for exactly --epochs epochs
//   --cascade        Qian & Sejnowski's structure-to-structure second stage: a second bidirectional
//                    GRU reads the first stage's probabilities over a ±6 window. The first stage is
//                    cross-fitted (5 folds) so the second stage trains on out-of-fold predictions;
//                    the second stage's window (±3/6/9) and epochs (up to --epochs2 30) are chosen
//                    by 5-fold cross-validation on the training proteins.
//
// Prints Q3 (per-residue accuracy) and the confusion matrix on the 17 test proteins. Baselines on
// this test set: majority class (coil) 54.6%; Qian & Sejnowski's network 64.3%.
import { readFileSync } from "node:fs";
import { init, Model, Adam, Rng } from "../../dist/index.js";

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.lastIndexOf("--" + k); return i >= 0 ? args[i + 1] : d; };
const cell = opt("cell", "gru"), hidden = +opt("hidden", 32), layers = +opt("layers", 1), window = +opt("window", 3);
const epochs = +opt("epochs", 30), seeds = +opt("seeds", 5), lr = +opt("lr", 0.003), batch = +opt("batch", 8), wd = +opt("wd", 0);
const dropout = +opt("dropout", 0.1), holdout = +opt("holdout", 12), cascade = args.includes("--cascade");

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

/** Per-residue features: the one-hots of the residue and its ±w neighbours (zeros past the ends);
 *  with an rng, each residue is dropped (all zeros) with probability `dropout`. */
function onehots(s, w, rng = null) {
  const T = s.aa.length, F = 20 * (2 * w + 1), x = new Float32Array(T * F);
  const keep = Array.from({ length: T }, () => !rng || rng.uniform() >= dropout);
  for (let t = 0; t < T; t++) for (let o = -w; o <= w; o++) {
    const u = t + o;
    if (u >= 0 && u < T && s.aa[u] >= 0 && keep[u]) x[t * F + (o + w) * 20 + s.aa[u]] = 1;
  }
  return x;
}
/** Second-stage features: first-stage probabilities [T·3] over a ±w window. */
function windowed(p, T, w) {
  const F = 3 * (2 * w + 1), x = new Float32Array(T * F);
  for (let t = 0; t < T; t++) for (let o = -w; o <= w; o++) {
    const u = t + o;
    if (u >= 0 && u < T) x.set(p.subarray(3 * u, 3 * u + 3), t * F + (o + w) * 3);
  }
  return x;
}
function softmax3(z) {
  const p = new Float32Array(z.length);
  for (let t = 0; t < z.length; t += 3) {
    const m = Math.max(z[t], z[t + 1], z[t + 2]);
    const e0 = Math.exp(z[t] - m), e1 = Math.exp(z[t + 1] - m), e2 = Math.exp(z[t + 2] - m), s = e0 + e1 + e2;
    p[t] = e0 / s; p[t + 1] = e1 / s; p[t + 2] = e2 / s;
  }
  return p;
}

/** Train one tagger. feats(s, rng) gives the inputs of protein s (rng: a fresh dropout mask, or
 *  null). With `val` proteins, keeps the epoch with the best validation accuracy. */
async function trainTagger({ tr, val, feats, F, seed, H = hidden, ep = epochs, label }) {
  const model = new Model({ cell, inputSize: F, hiddenSize: H, numLayers: layers, bidirectional: true, outputSize: 3, readout: "sequence", loss: "crossentropy", seed });
  const adam = new Adam({ learningRate: lr, weightDecay: wd });
  const noise = new Rng(1000 + seed);
  const data = (ss, rng) => ({ x: ss.map((s) => feats(s, rng)), y: ss.map((s) => Int32Array.from(s.ss)) });
  const valData = val?.length ? data(val, null) : null;
  let best = -1, bestEpoch = ep, bestParams = null;
  const curve = [];
  // one fit() call per epoch so that dropout draws new masks; the Adam instance keeps its state
  for (let e = 1; e <= ep; e++) {
    const h = await model.fit(data(tr, noise), { epochs: 1, batchSize: batch, optimizer: adam, clipNorm: 1, seed: seed * 1000 + e });
    let msg = `\r${label}: epoch ${e}/${ep} train acc ${(100 * h.train[0]).toFixed(1)}%`;
    if (valData) {
      const acc = model.evaluate(valData).accuracy;
      msg += ` val acc ${(100 * acc).toFixed(1)}%`;
      curve.push(acc);
      if (acc > best) { best = acc; bestEpoch = e; bestParams = model.stateDict(); }
    }
    if (process.stderr.isTTY) process.stderr.write(msg + " ");
  }
  if (bestParams) model.loadStateDict(bestParams);
  const tty = process.stderr.isTTY ? "\n" : "";
  process.stderr.write(valData ? `${tty}${label}: ${ep} epochs, best validation epoch ${bestEpoch} (${(100 * best).toFixed(1)}%)\n` : `${tty}${label}: ${ep} epochs\n`);
  return { model, best, bestEpoch, curve };
}

function q3(test, probs) {
  const conf = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  let right = 0, n = 0;
  test.forEach((s, i) => s.ss.forEach((y, t) => {
    const p = probs[i].subarray(3 * t, 3 * t + 3), pred = p.indexOf(Math.max(...p));
    conf[y][pred]++; n++; if (pred === y) right++;
  }));
  return { acc: right / n, conf, n };
}

const train = parse("protein-ss.train"), test = parse("protein-ss.test");
await init();
const t0 = Date.now();
const pct = (v) => (100 * v).toFixed(1);
const F1 = 20 * (2 * window + 1);
const stage1 = (s, rng) => onehots(s, window, rng);
let probs = test.map((s) => new Float32Array(s.aa.length * 3));
let notes = "";

if (!cascade) {
  const vals = [], bestEpochs = [];
  for (let k = 0; k < seeds; k++) {
    const idx = train.map((_, i) => i);
    new Rng(100 + k).shuffle(idx);
    const { model, best, bestEpoch } = await trainTagger({
      tr: idx.slice(holdout).map((i) => train[i]), val: idx.slice(0, holdout).map((i) => train[i]),
      feats: stage1, F: F1, seed: k, label: `seed ${k}`,
    });
    if (holdout) { vals.push(best); bestEpochs.push(bestEpoch); }
    (model.predict(test.map((s) => stage1(s, null)))).forEach((z, i) => { const p = softmax3(z); for (let j = 0; j < p.length; j++) probs[i][j] += p[j] / seeds; });
    model.dispose();
  }
  notes = holdout ? `mean validation accuracy ${pct(vals.reduce((a, b) => a + b, 0) / seeds)}% (${holdout} held-out training proteins per seed; best epochs ${bestEpochs.join(",")})` : `trained on all ${train.length} proteins`;
} else {
  // stage 1, cross-fitted: 5 folds of training proteins; each fold's model predicts that fold
  // (out-of-fold probabilities for stage 2) and the test set (averaged over folds and seeds)
  const FOLDS = 5, oof = train.map((s) => new Float32Array(s.aa.length * 3));
  for (let k = 0; k < seeds; k++) {
    const idx = train.map((_, i) => i);
    new Rng(200 + k).shuffle(idx);
    for (let f = 0; f < FOLDS; f++) {
      const inFold = idx.filter((_, j) => j % FOLDS === f);
      const { model } = await trainTagger({ tr: idx.filter((_, j) => j % FOLDS !== f).map((i) => train[i]), val: null, feats: stage1, F: F1, seed: 10 * k + f, label: `stage 1, seed ${k}, fold ${f}` });
      model.predict(inFold.map((i) => stage1(train[i], null))).forEach((z, j) => { const p = softmax3(z); const o = oof[inFold[j]]; for (let q = 0; q < p.length; q++) o[q] += p[q] / seeds; });
      model.predict(test.map((s) => stage1(s, null))).forEach((z, i) => { const p = softmax3(z); for (let q = 0; q < p.length; q++) probs[i][q] += p[q] / (seeds * FOLDS); });
      model.dispose();
    }
  }
  const s1 = q3(test, probs);
  // stage 2: a small bidirectional GRU over the stage-1 probabilities in a ±W2 window. Its window
  // and epochs are chosen by 5-fold cross-validation on the training proteins (whose stage-1
  // probabilities are out-of-fold), never on the test set.
  const trainP = new Map(train.map((s, i) => [s, oof[i]])), testP = new Map(test.map((s, i) => [s, probs[i]]));
  const stage2Of = (w) => (s) => windowed(trainP.get(s) ?? testP.get(s), s.aa.length, w);
  const oofAcc = q3(train, oof).acc;
  const E2 = +opt("epochs2", 30), cv = [];
  const order = train.map((_, i) => i);
  new Rng(300).shuffle(order);
  for (const w of [3, 6, 9]) {
    const mean = new Array(E2).fill(0);
    for (let f = 0; f < FOLDS; f++) {
      const { model, curve } = await trainTagger({
        tr: order.filter((_, j) => j % FOLDS !== f).map((i) => train[i]), val: order.filter((_, j) => j % FOLDS === f).map((i) => train[i]),
        feats: stage2Of(w), F: 3 * (2 * w + 1), seed: 400 + f, H: 16, ep: E2, label: `stage 2 CV, window ±${w}, fold ${f}`,
      });
      curve.forEach((a, e) => { mean[e] += a / FOLDS; });
      model.dispose();
    }
    const e = mean.indexOf(Math.max(...mean));
    cv.push({ w, epochs: e + 1, acc: mean[e] });
  }
  const pick = cv.reduce((a, b) => (b.acc > a.acc ? b : a));
  const W2 = pick.w, stage2 = stage2Of(W2), F2 = 3 * (2 * W2 + 1);
  const probs2 = test.map((s) => new Float32Array(s.aa.length * 3));
  for (let k = 0; k < seeds; k++) {
    const { model } = await trainTagger({ tr: train, val: null, feats: stage2, F: F2, seed: 500 + k, H: 16, ep: pick.epochs, label: `stage 2, seed ${k}` });
    model.predict(test.map((s) => stage2(s))).forEach((z, i) => { const p = softmax3(z); for (let q = 0; q < p.length; q++) probs2[i][q] += p[q] / seeds; });
    model.dispose();
  }
  notes = `cascade: stage 1 alone (5-fold x ${seeds}-seed ensemble, ${epochs} epochs, no early stopping) test Q3 ${pct(s1.acc)}%, out-of-fold on train ${pct(oofAcc)}%; ` +
    `stage 2 = bidirectional GRU 16 over stage-1 probabilities, 5-fold CV on train: ${cv.map((c) => `±${c.w}: ${pct(c.acc)}% at ${c.epochs} epochs`).join(", ")} -> ±${W2}, ${pick.epochs} epochs`;
  probs = probs2;
}

const { acc, conf, n } = q3(test, probs);
console.log(`protein secondary structure, ${test.length} test proteins, ${n} residues: Q3 ${pct(acc)}% (majority class 54.6%, Qian & Sejnowski 1988 64.3%)`);
console.log(`model: bidirectional ${cell.toUpperCase()} ${layers}x${hidden}, window ±${window}, dropout ${dropout}, ${seeds} seed(s), ${epochs} epochs, Adam ${lr}${wd ? ` wd ${wd}` : ""}; ${notes}; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`confusion matrix (rows: true, columns: predicted):`);
console.log(`          ${NAMES.map((c) => c.padStart(7)).join("")}   recall`);
conf.forEach((row, y) => console.log(`${NAMES[y].padEnd(10)}${row.map((v) => String(v).padStart(7)).join("")}   ${pct(row[y] / row.reduce((a, b) => a + b, 0))}%`));
