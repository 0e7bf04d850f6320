// Protein secondary structure (Qian & Sejnowski 1988 data): a bidirectional recurrent tagger that
// labels every residue coil (_), strand (e) or helix (h). Trained on data/protein-ss.train,
// evaluated once on data/protein-ss.test. Run: npm run example:protein -- [options]
//
//   --cell gru --hidden 32 --layers 1   the tagger (bidirectional, one output per residue)
//   --window 3       input = one-hot residue plus the one-hots of 3 neighbours on each side
//   --dropout 0.1    zero each residue's one-hot with this probability, drawn anew every epoch
//   --epochs         cascade: "cv" (default) = picked by stage 1's out-of-fold Q3 among
//                    1..--max-epochs (30), or a fixed number; single stage: at most this many
//                    (default 30; the epoch is picked on --holdout proteins)
//   --lr 0.003 --batch 8 --wd 0
//   --seeds 5        ensemble size (probabilities averaged)
//   --seed 0         run seed: offsets every seed of the run (data order, folds, weights, dropout)
//   --cascade        (the default) Qian & Sejnowski's structure-to-structure second stage: a second
//                    bidirectional GRU (H = 16) reads the first stage's probabilities over a ±W
//                    window. The first stage is cross-fitted (--folds folds x --seeds seeds) so the
//                    second stage trains on out-of-fold predictions; W (3/6/9) and the second
//                    stage's epochs (up to --epochs2 60) are chosen by 5-fold cross-validation on
//                    the training proteins.
//   --folds 5        cross-fitting folds of the cascade's first stage (2 to 10)
//   --single         the first stage alone, a --seeds ensemble
//   --holdout 12     single stage: at least this many proteins (whole homology groups) held out of
//                    training per seed to pick the epoch; 0 = train on all for exactly --epochs epochs
//   --global         also give every residue its protein's global features: the amino-acid
//                    composition of the whole chain (20 fractions) and log length, each
//                    standardized over the training proteins (as in Rost & Sander's PHD)
//   --random-folds   held-out proteins and folds drawn protein by protein instead of by homology
//                    group (reproduces the README's earlier numbers; its CV estimates are inflated)
//
// Homology groups: training proteins that share more than 3% of their 5-mers are kept together in
// every held-out set and fold, so that validation proteins are as unlike the training proteins as
// the test proteins are (see homologyGroups). Nothing is ever chosen on the test set.
// Prints Q3 (per-residue accuracy) and the confusion matrix on the 17 test proteins. Baselines on
// this test set: majority class (coil) 54.6%; Qian & Sejnowski's network 64.3%.
import { readFileSync } from "node:fs";
import { init, Model, Adam, Rng } from "../../dist/index.js";

const args = process.argv.slice(2), cascade = !args.includes("--single");
if (args.includes("--single") && args.includes("--cascade")) throw new RangeError("--single and --cascade: expected one of them, got both");
const opt = (k, d) => { const i = args.lastIndexOf("--" + k); return i >= 0 ? args[i + 1] : d; };
const cell = opt("cell", "gru"), hidden = +opt("hidden", 32), layers = +opt("layers", 1), window = +opt("window", 3);
const epochsArg = opt("epochs", cascade ? "cv" : "30");
const maxEpochs = +opt("max-epochs", 30);
let epochs = epochsArg === "cv" ? maxEpochs : +epochsArg;
const seeds = +opt("seeds", 5), lr = +opt("lr", 0.003), batch = +opt("batch", 8), wd = +opt("wd", 0);
const dropout = +opt("dropout", 0.1), holdout = +opt("holdout", 12), useGlobal = args.includes("--global");
const randomFolds = args.includes("--random-folds");

const runSeed = +opt("seed", 0), sd = (n) => n + 7919 * runSeed; // every seed of the run, offset
if (!Number.isInteger(runSeed) || runSeed < 0 || runSeed > 99) throw new RangeError(`--seed: expected an integer from 0 to 99, got ${opt("seed")}`);
const folds = +opt("folds", 5);
if (epochsArg === "cv" ? !cascade : !(Number.isInteger(epochs) && epochs >= 1)) throw new RangeError(`--epochs: expected a positive integer${cascade ? ' or "cv"' : ""}, got ${epochsArg}`);
if (!Number.isInteger(maxEpochs) || maxEpochs < 1) throw new RangeError(`--max-epochs: expected a positive integer, got ${opt("max-epochs")}`);
if (!Number.isInteger(folds) || folds < 2 || folds > 10) throw new RangeError(`--folds: expected an integer from 2 to 10, got ${opt("folds")}`);

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
/** Homology groups of proteins: two are linked when they share more than `share` of the shorter
 *  one's distinct k-mers, and a group is a connected component. The default 3% is just above the
 *  most any test protein shares with any training protein (2.9%), so a held-out group is no closer to
 *  the proteins trained on than the test set is. The training file holds identical chains and whole
 *  families (proteases, globins, antibody chains): 111 proteins -> 76 groups, the largest with 9. */
function homologyGroups(seqs, k = 5, share = 0.03) {
  if (groupCache.has(seqs)) return groupCache.get(seqs);
  const kmers = seqs.map((s) => { const m = new Set(); for (let i = 0; i + k <= s.aa.length; i++) m.add(s.aa.slice(i, i + k).join(",")); return m; });
  const parent = seqs.map((_, i) => i), root = (i) => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  for (let i = 0; i < seqs.length; i++) for (let j = i + 1; j < seqs.length; j++) {
    const [a, b] = kmers[i].size <= kmers[j].size ? [kmers[i], kmers[j]] : [kmers[j], kmers[i]];
    let n = 0;
    for (const x of a) if (b.has(x)) n++;
    if (n > share * a.size) parent[root(i)] = root(j);
  }
  const groups = new Map();
  seqs.forEach((_, i) => { const r = root(i); if (!groups.has(r)) groups.set(r, []); groups.get(r).push(i); });
  groupCache.set(seqs, [...groups.values()]);
  return groupCache.get(seqs);
}
const groupCache = new WeakMap();
/** The proteins in an order shuffled by rng: whole homology groups, or with --random-folds protein
 *  by protein. */
function shuffled(seqs, rng) {
  if (randomFolds) { const idx = seqs.map((_, i) => i); rng.shuffle(idx); return [idx]; }
  const groups = homologyGroups(seqs).slice(); // shuffled copy; the cached list stays as it is
  rng.shuffle(groups);
  return groups;
}
/** Splits the proteins into n folds. Whole homology groups, in shuffled order, each go to the fold
 *  with the fewest residues so far; with --random-folds, shuffled proteins are dealt round-robin.
 *  Returns the shuffled order and the fold of every protein. */
function assignFolds(seqs, n, rng) {
  const groups = shuffled(seqs, rng), fold = new Int32Array(seqs.length), residues = new Array(n).fill(0);
  if (randomFolds) groups[0].forEach((i, j) => { fold[i] = j % n; });
  else for (const g of groups) {
    const f = residues.indexOf(Math.min(...residues));
    for (const i of g) { fold[i] = f; residues[f] += seqs[i].aa.length; }
  }
  return { order: groups.flat(), fold };
}
/** Proteins held out to pick the epoch: at least `count` of them, in whole homology groups (with
 *  --random-folds: exactly `count`, drawn one by one). Returns the shuffled order and the held-out set. */
function heldOut(seqs, count, rng) {
  const groups = shuffled(seqs, rng), out = new Set();
  if (randomFolds) groups[0].slice(0, count).forEach((i) => out.add(i));
  else for (const g of groups) { if (out.size >= count) break; g.forEach((i) => out.add(i)); }
  return { order: groups.flat(), out };
}
/** Global features of a protein: its amino-acid composition (20 fractions) and log length. */
function composition(s) {
  const g = new Float64Array(21);
  for (const a of s.aa) if (a >= 0) g[a] += 1 / s.aa.length;
  g[20] = Math.log(s.aa.length);
  return g;
}
/** Standardizes global features with the training proteins' mean and standard deviation. */
function standardizer(proteins) {
  const G = proteins.map(composition), mean = new Float64Array(21), variance = new Float64Array(21);
  for (const g of G) g.forEach((v, j) => { mean[j] += v / G.length; });
  for (const g of G) g.forEach((v, j) => { variance[j] += (v - mean[j]) ** 2 / G.length; });
  return (s) => Float32Array.from(composition(s), (v, j) => (v - mean[j]) / (Math.sqrt(variance[j]) || 1));
}
/** Appends a protein's global features (never dropped) to every residue's features. */
function withGlobal(x, T, g) {
  const F = x.length / T, G = g.length, out = new Float32Array(T * (F + G));
  for (let t = 0; t < T; t++) { out.set(x.subarray(t * F, t * F + F), t * (F + G)); out.set(g, t * (F + G) + F); }
  return out;
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
 *  null). With `val` proteins, keeps the epoch with the best validation accuracy. onEpoch(model, e)
 *  runs after every epoch. */
async function trainTagger({ tr, val, feats, F, seed, H = hidden, ep = epochs, label, onEpoch = null }) {
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
    onEpoch?.(model, e);
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
const F1 = 20 * (2 * window + 1) + (useGlobal ? 21 : 0);
const globalOf = standardizer(train);
const stage1 = useGlobal ? (s, rng) => withGlobal(onehots(s, window, rng), s.aa.length, globalOf(s)) : (s, rng) => onehots(s, window, rng);
let probs = test.map((s) => new Float32Array(s.aa.length * 3));
let notes = "";

if (!cascade) {
  const vals = [], bestEpochs = [];
  for (let k = 0; k < seeds; k++) {
    const { order, out } = heldOut(train, holdout, new Rng(sd(100 + k)));
    const { model, best, bestEpoch } = await trainTagger({
      tr: order.filter((i) => !out.has(i)).map((i) => train[i]), val: order.filter((i) => out.has(i)).map((i) => train[i]),
      feats: stage1, F: F1, seed: sd(k), label: `seed ${k}`,
    });
    if (holdout) { vals.push(best); bestEpochs.push(bestEpoch); }
    (model.predict(test.map((s) => stage1(s, null)))).forEach((z, i) => { const p = softmax3(z); for (let j = 0; j < p.length; j++) probs[i][j] += p[j] / seeds; });
    model.dispose();
  }
  notes = holdout ? `mean validation accuracy ${pct(vals.reduce((a, b) => a + b, 0) / seeds)}% (${randomFolds ? holdout : `≥ ${holdout}`} held-out training proteins per seed${randomFolds ? "" : " in whole homology groups"}; best epochs ${bestEpochs.join(",")})` : `trained on all ${train.length} proteins`;
} else {
  // stage 1, cross-fitted: --folds folds of training proteins; each fold's model predicts that fold
  // (out-of-fold probabilities for stage 2) and the test set (averaged over folds and seeds)
  // With --epochs cv (the default here) every fold model trains --max-epochs epochs and predicts
  // after each one; the epoch is the one whose out-of-fold ensemble Q3 on the training proteins is best, and
  // that epoch's out-of-fold and test probabilities go on.
  const FOLDS = 5, byCV = epochsArg === "cv", E1 = epochs;
  const oofAt = [], testAt = [];
  for (let e = 0; e < E1; e++) {
    oofAt.push(byCV || e === E1 - 1 ? train.map((s) => new Float32Array(s.aa.length * 3)) : null);
    testAt.push(byCV || e === E1 - 1 ? test.map((s) => new Float32Array(s.aa.length * 3)) : null);
  }
  const testX = test.map((s) => stage1(s, null));
  for (let k = 0; k < seeds; k++) {
    const { order, fold } = assignFolds(train, folds, new Rng(sd(200 + k)));
    for (let f = 0; f < folds; f++) {
      const inFold = order.filter((i) => fold[i] === f), inFoldX = inFold.map((i) => stage1(train[i], null));
      const onEpoch = (model, e) => {
        if (!oofAt[e - 1]) return;
        model.predict(inFoldX).forEach((z, j) => { const p = softmax3(z); const o = oofAt[e - 1][inFold[j]]; for (let q = 0; q < p.length; q++) o[q] += p[q] / seeds; });
        model.predict(testX).forEach((z, i) => { const p = softmax3(z); const o = testAt[e - 1][i]; for (let q = 0; q < p.length; q++) o[q] += p[q] / (seeds * folds); });
      };
      const { model } = await trainTagger({ tr: order.filter((i) => fold[i] !== f).map((i) => train[i]), val: null, feats: stage1, F: F1, seed: sd(10 * k + f), ep: E1, label: `stage 1, seed ${k}, fold ${f}`, onEpoch });
      model.dispose();
    }
  }
  let cv1 = "";
  if (byCV) {
    const accs = oofAt.map((o) => q3(train, o).acc);
    epochs = accs.indexOf(Math.max(...accs)) + 1;
    cv1 = `, epochs by the out-of-fold Q3 on train: ${accs.map((a, e) => (e + 1) % 5 === 0 ? `${e + 1}: ${pct(a)}%` : "").filter(Boolean).join(", ")} -> ${epochs}`;
  }
  const oof = oofAt[epochs - 1];
  probs = testAt[epochs - 1];
  const s1 = q3(test, probs);
  // stage 2: a small bidirectional GRU over the stage-1 probabilities in a ±W2 window. Its window
  // and epochs are chosen by 5-fold cross-validation on the training proteins (whose stage-1
  // probabilities are out-of-fold), never on the test set.
  const trainP = new Map(train.map((s, i) => [s, oof[i]])), testP = new Map(test.map((s, i) => [s, probs[i]]));
  const stage2Of = (w) => (s) => windowed(trainP.get(s) ?? testP.get(s), s.aa.length, w);
  const oofAcc = q3(train, oof).acc;
  const E2 = +opt("epochs2", 60), cv = [];
  const { order: order2, fold: fold2 } = assignFolds(train, FOLDS, new Rng(sd(300)));
  for (const w of [3, 6, 9]) {
    const mean = new Array(E2).fill(0);
    for (let f = 0; f < FOLDS; f++) {
      const { model, curve } = await trainTagger({
        tr: order2.filter((i) => fold2[i] !== f).map((i) => train[i]), val: order2.filter((i) => fold2[i] === f).map((i) => train[i]),
        feats: stage2Of(w), F: 3 * (2 * w + 1), seed: sd(400 + f), H: 16, ep: E2, label: `stage 2 CV, window ±${w}, fold ${f}`,
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
    const { model } = await trainTagger({ tr: train, val: null, feats: stage2, F: F2, seed: sd(500 + k), H: 16, ep: pick.epochs, label: `stage 2, seed ${k}` });
    model.predict(test.map((s) => stage2(s))).forEach((z, i) => { const p = softmax3(z); for (let q = 0; q < p.length; q++) probs2[i][q] += p[q] / seeds; });
    model.dispose();
  }
  notes = `cascade: stage 1 alone (${folds}-fold x ${seeds}-seed ensemble, ${epochs} epochs${cv1}, no early stopping) test Q3 ${pct(s1.acc)}%, out-of-fold on train ${pct(oofAcc)}%; ` +
    `stage 2 = bidirectional GRU 16 over stage-1 probabilities, 5-fold CV on train: ${cv.map((c) => `±${c.w}: ${pct(c.acc)}% at ${c.epochs} epochs`).join(", ")} -> ±${W2}, ${pick.epochs} epochs`;
  probs = probs2;
}

const { acc, conf, n } = q3(test, probs);
console.log(`protein secondary structure, ${test.length} test proteins, ${n} residues: Q3 ${pct(acc)}% (majority class 54.6%, Qian & Sejnowski 1988 64.3%)`);
console.log(`model: bidirectional ${cell.toUpperCase()} ${layers}x${hidden}, window ±${window}${useGlobal ? " + global features" : ""}, dropout ${dropout}, ${seeds} seed(s)${runSeed ? ` (run seed ${runSeed})` : ""}, ${epochs} epochs, Adam ${lr}${wd ? ` wd ${wd}` : ""}; ${notes}; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`confusion matrix (rows: true, columns: predicted):`);
console.log(`          ${NAMES.map((c) => c.padStart(7)).join("")}   recall`);
conf.forEach((row, y) => console.log(`${NAMES[y].padEnd(10)}${row.map((v) => String(v).padStart(7)).join("")}   ${pct(row[y] / row.reduce((a, b) => a + b, 0))}%`));
console.log(randomFolds ? "held-out proteins and folds: drawn protein by protein (--random-folds)"
  : `held-out proteins and folds: whole homology groups (${train.length} training proteins in ${homologyGroups(train).length} groups, the largest with ${Math.max(...homologyGroups(train).map((g) => g.length))})`);
