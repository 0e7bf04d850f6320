// Dynamic evaluation (Krause et al. 2018), reported apart from the held-out figure: a copy of the
// model reads the text as one stream in chunks of `seq` characters; each chunk is scored first
// (trainBatch's loss is the forward pass before its update) and then learned from (one Adam step
// on it, the state carried to the next chunk), so every character is predicted by weights that
// have seen only the text before it. The learning rate is chosen on the validation part.
import { Model, Adam } from "../../dist/index.js";

/** Bits per character of seq under dynamic evaluation of a copy of model at learning rate lr. */
export function dynamicBits(model, seq, first, { lr, seq: T = 128, clip = 1 }) {
  const m = Model.load(model.save()), H = m.config.hiddenSize, L = m.config.numLayers ?? 1;
  const adam = new Adam({ learningRate: lr });
  const state = m.config.cell === "lstm"
    ? { h: new Float32Array(L * H), c: new Float32Array(L * H) }
    : { h: new Float32Array(L * H) };
  let bits = 0, n = 0;
  for (let i = 0; i + 1 < seq.length; i += T) {
    const k = Math.min(T, seq.length - i);
    const x = new Int32Array(k), y = seq.slice(i, i + k);
    for (let t = 0; t < k; t++) x[t] = i + t === 0 ? first : seq[i + t - 1];
    const r = m.trainBatch({ x: [x], y: [y] }, adam, { clipNorm: clip, state });
    bits += r.loss * k / Math.LN2; // the chunk's mean cross-entropy, before the update
    n += k;
  }
  m.dispose();
  return bits / n;
}

/** The learning rate of lrs best on the validation prefix, then the held-out bits/char with it. */
export function dynamicEvaluation(model, valid, held, first,
  { lrs = [1e-4, 3e-4, 1e-3], validChars = 20_000, seq = 128, log = () => {} } = {}) {
  const v = valid.subarray(0, Math.min(validChars, valid.length));
  const tried = lrs.map((lr) => ({ lr, validation: dynamicBits(model, v, first, { lr, seq }) }));
  const best = tried.reduce((a, b) => (b.validation < a.validation ? b : a));
  log(
    `dynamic evaluation: ${
      tried.map((t) => `lr ${t.lr} ${t.validation.toFixed(3)}`).join(", ")
    } on the validation prefix`,
  );
  return { tried, lr: best.lr, heldOut: dynamicBits(model, held, first, { lr: best.lr, seq }) };
}
