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
//                    group (reproduces the random-fold runs of docs/applications.md; its CV estimates are inflated)
//
// Homology groups: training proteins that share more than 3% of their 5-mers are kept together in
// every held-out set and fold, so that validation proteins are as unlike the training proteins as
// the test proteins are (see homologyGroups). Nothing is ever chosen on the test set.
// Prints Q3 (per-residue accuracy) and the confusion matrix on the 17 test proteins. Baselines on
// this test set: majority class (coil) 54.6%; Qian & Sejnowski's network 64.3%.
import { init, Rng } from "../../dist/index.js";
import { o } from "./options.mjs";
import { NAMES, parse, onehots, standardizer, withGlobal, windowed } from "./data.mjs";
import { homologyGroups, assignFolds, heldOut } from "./folds.mjs";
import { softmax3, trainTagger, q3 } from "./tagger.mjs";

const { cascade, cell, hidden, layers, window, epochsArg, seeds, lr, wd, dropout, holdout, useGlobal, randomFolds,
  runSeed, sd, folds, opt } = o;
const train = parse("protein-ss.train"), test = parse("protein-ss.test");
await init();
const t0 = Date.now();
const pct = (v) => (100 * v).toFixed(1);
const F1 = 20 * (2 * window + 1) + (useGlobal ? 21 : 0);
const globalOf = standardizer(train);
const stage1 = useGlobal
  ? (s, rng) => withGlobal(onehots(s, window, rng), s.aa.length, globalOf(s))
  : (s, rng) => onehots(s, window, rng);
let probs = test.map((s) => new Float32Array(s.aa.length * 3));
let notes = "";

if (!cascade) {
  const vals = [], bestEpochs = [];
  for (let k = 0; k < seeds; k++) {
    const { order, out } = heldOut(train, holdout, new Rng(sd(100 + k)));
    const { model, best, bestEpoch } = await trainTagger({ tr: order.filter((i) => !out.has(i)).map((i) => train[i]),
      val: order.filter((i) => out.has(i)).map((i) => train[i]), feats: stage1, F: F1, seed: sd(k),
      label: `seed ${k}` });
    if (holdout) {
      vals.push(best);
      bestEpochs.push(bestEpoch);
    }
    (model.predict(test.map((s) => stage1(s, null)))).forEach((z, i) => {
      const p = softmax3(z);
      for (let j = 0; j < p.length; j++) probs[i][j] += p[j] / seeds;
    });
    model.dispose();
  }
  notes = holdout
    ? `mean validation accuracy ${pct(vals.reduce((a, b) => a + b, 0) / seeds)}% (${
      randomFolds ? holdout : `≥ ${holdout}`
    } held-out training proteins per seed${randomFolds ? "" : " in whole homology groups"}; best epochs ${
      bestEpochs.join(",")
    })`
    : `trained on all ${train.length} proteins`;
} else {
  // stage 1, cross-fitted: --folds folds of training proteins; each fold's model predicts that fold
  // (out-of-fold probabilities for stage 2) and the test set (averaged over folds and seeds)
  // With --epochs cv (the default here) every fold model trains --max-epochs epochs and predicts
  // after each one; the epoch is the one whose out-of-fold ensemble Q3 on the training proteins is best, and
  // that epoch's out-of-fold and test probabilities go on.
  const FOLDS = 5, byCV = epochsArg === "cv", E1 = o.epochs;
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
        model.predict(inFoldX).forEach((z, j) => {
          const p = softmax3(z);
          const o = oofAt[e - 1][inFold[j]];
          for (let q = 0; q < p.length; q++) o[q] += p[q] / seeds;
        });
        model.predict(testX).forEach((z, i) => {
          const p = softmax3(z);
          const o = testAt[e - 1][i];
          for (let q = 0; q < p.length; q++) o[q] += p[q] / (seeds * folds);
        });
      };
      const { model } = await trainTagger({ tr: order.filter((i) => fold[i] !== f).map((i) => train[i]), val: null,
        feats: stage1, F: F1, seed: sd(10 * k + f), ep: E1, label: `stage 1, seed ${k}, fold ${f}`, onEpoch });
      model.dispose();
    }
  }
  let cv1 = "";
  if (byCV) {
    const accs = oofAt.map((o) => q3(train, o).acc);
    o.epochs = accs.indexOf(Math.max(...accs)) + 1;
    cv1 = `, epochs by the out-of-fold Q3 on train: ${
      accs.map((a, e) => (e + 1) % 5 === 0 ? `${e + 1}: ${pct(a)}%` : "").filter(Boolean).join(", ")
    } -> ${o.epochs}`;
  }
  const oof = oofAt[o.epochs - 1];
  probs = testAt[o.epochs - 1];
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
      const { model, curve } = await trainTagger({ tr: order2.filter((i) => fold2[i] !== f).map((i) => train[i]),
        val: order2.filter((i) => fold2[i] === f).map((i) => train[i]), feats: stage2Of(w), F: 3 * (2 * w + 1),
        seed: sd(400 + f), H: 16, ep: E2, label: `stage 2 CV, window ±${w}, fold ${f}` });
      curve.forEach((a, e) => {
        mean[e] += a / FOLDS;
      });
      model.dispose();
    }
    const e = mean.indexOf(Math.max(...mean));
    cv.push({ w, epochs: e + 1, acc: mean[e] });
  }
  const pick = cv.reduce((a, b) => (b.acc > a.acc ? b : a));
  const W2 = pick.w, stage2 = stage2Of(W2), F2 = 3 * (2 * W2 + 1);
  const probs2 = test.map((s) => new Float32Array(s.aa.length * 3));
  for (let k = 0; k < seeds; k++) {
    const { model } = await trainTagger({ tr: train, val: null, feats: stage2, F: F2, seed: sd(500 + k), H: 16,
      ep: pick.epochs, label: `stage 2, seed ${k}` });
    model.predict(test.map((s) => stage2(s))).forEach((z, i) => {
      const p = softmax3(z);
      for (let q = 0; q < p.length; q++) probs2[i][q] += p[q] / seeds;
    });
    model.dispose();
  }
  notes =
    `cascade: stage 1 alone (${folds}-fold x ${seeds}-seed ensemble, ${o.epochs} epochs${cv1}, no early stopping) test Q3 ${
      pct(s1.acc)
    }%, out-of-fold on train ${pct(oofAcc)}%; `
    + `stage 2 = bidirectional GRU 16 over stage-1 probabilities, 5-fold CV on train: ${
      cv.map((c) => `±${c.w}: ${pct(c.acc)}% at ${c.epochs} epochs`).join(", ")
    } -> ±${W2}, ${pick.epochs} epochs`;
  probs = probs2;
}

const { acc, conf, n } = q3(test, probs);
console.log(
  `protein secondary structure, ${test.length} test proteins, ${n} residues: Q3 ${
    pct(acc)
  }% (majority class 54.6%, Qian & Sejnowski 1988 64.3%)`,
);
console.log(
  `model: bidirectional ${cell.toUpperCase()} ${layers}x${hidden}, window ±${window}${
    useGlobal ? " + global features" : ""
  }, dropout ${dropout}, ${seeds} seed(s)${runSeed ? ` (run seed ${runSeed})` : ""}, ${o.epochs} epochs, Adam ${lr}${
    wd ? ` wd ${wd}` : ""
  }; ${notes}; ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);
console.log(`confusion matrix (rows: true, columns: predicted):`);
console.log(`          ${NAMES.map((c) => c.padStart(7)).join("")}   recall`);
conf.forEach((row, y) =>
  console.log(
    `${NAMES[y].padEnd(10)}${row.map((v) => String(v).padStart(7)).join("")}   ${
      pct(row[y] / row.reduce((a, b) => a + b, 0))
    }%`,
  )
);
console.log(
  randomFolds
    ? "held-out proteins and folds: drawn protein by protein (--random-folds)"
    : `held-out proteins and folds: whole homology groups (${train.length} training proteins in ${
      homologyGroups(train).length
    } groups, the largest with ${Math.max(...homologyGroups(train).map((g) => g.length))})`,
);
