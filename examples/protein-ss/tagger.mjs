// One tagger (a bidirectional recurrent model with a readout at every residue) trained with
// dropout masks drawn anew every epoch, and the Q3 of predicted probabilities.
import { Model, Adam, Rng } from "../../dist/index.js";
import { o } from "./options.mjs";

export function softmax3(z) {
  const p = new Float32Array(z.length);
  for (let t = 0; t < z.length; t += 3) {
    const m = Math.max(z[t], z[t + 1], z[t + 2]);
    const e0 = Math.exp(z[t] - m), e1 = Math.exp(z[t + 1] - m), e2 = Math.exp(z[t + 2] - m), s = e0 + e1 + e2;
    p[t] = e0 / s;
    p[t + 1] = e1 / s;
    p[t + 2] = e2 / s;
  }
  return p;
}

/** Train one tagger. feats(s, rng) gives the inputs of protein s (rng: a fresh dropout mask, or
 *  null). With `val` proteins, keeps the epoch with the best validation accuracy. onEpoch(model, e)
 *  runs after every epoch. */
export async function trainTagger({ tr, val, feats, F, seed, H = o.hidden, ep = o.epochs, label, onEpoch = null }) {
  const model = new Model({ cell: o.cell, inputSize: F, hiddenSize: H, numLayers: o.layers, bidirectional: true,
    outputSize: 3, readout: "sequence", loss: "crossentropy", seed });
  const adam = new Adam({ learningRate: o.lr, weightDecay: o.wd });
  const noise = new Rng(1000 + seed);
  const data = (ss, rng) => ({ x: ss.map((s) => feats(s, rng)), y: ss.map((s) => Int32Array.from(s.ss)) });
  const valData = val?.length ? data(val, null) : null;
  let best = -1, bestEpoch = ep, bestParams = null;
  const curve = [];
  // one fit() call per epoch so that dropout draws new masks; the Adam instance keeps its state
  for (let e = 1; e <= ep; e++) {
    const h = await model.fit(data(tr, noise), { epochs: 1, batchSize: o.batch, optimizer: adam, clipNorm: 1,
      seed: seed * 1000 + e });
    let msg = `\r${label}: epoch ${e}/${ep} train acc ${(100 * h.train[0]).toFixed(1)}%`;
    if (valData) {
      const acc = model.evaluate(valData).accuracy;
      msg += ` val acc ${(100 * acc).toFixed(1)}%`;
      curve.push(acc);
      if (acc > best) {
        best = acc;
        bestEpoch = e;
        bestParams = model.stateDict();
      }
    }
    onEpoch?.(model, e);
    if (process.stderr.isTTY) process.stderr.write(msg + " ");
  }
  if (bestParams) model.loadStateDict(bestParams);
  const tty = process.stderr.isTTY ? "\n" : "";
  process.stderr.write(
    valData
      ? `${tty}${label}: ${ep} epochs, best validation epoch ${bestEpoch} (${(100 * best).toFixed(1)}%)\n`
      : `${tty}${label}: ${ep} epochs\n`,
  );
  return { model, best, bestEpoch, curve };
}

export function q3(test, probs) {
  const conf = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  let right = 0, n = 0;
  test.forEach((s, i) => s.ss.forEach((y, t) => {
    const p = probs[i].subarray(3 * t, 3 * t + 3), pred = p.indexOf(Math.max(...p));
    conf[y][pred]++;
    n++;
    if (pred === y) right++;
  }));
  return { acc: right / n, conf, n };
}
