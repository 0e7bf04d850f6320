// Training of the code model: a token model (Vocabulary ids → embedding → recurrent stack →
// softmax over the vocabulary) trained by stateful truncated BPTT over `batch` long contiguous
// streams of the training text read side by side (the state carried from one chunk of `seq`
// characters to the next), Adam with gradient clipping, and a learning rate that follows a
// schedule over WALL TIME: linear warm-up then cosine decay that reaches its end exactly at the
// deadline (--minutes), when training stops; or, given a character budget (trainChars), over the
// characters trained, which makes runs comparable at equal work whatever the machine's load. The library's schedules (fit's `schedule`) are
// defined over a number of batch steps fixed in advance; a deadline leaves that number unknown,
// so the same warm-up + cosine formula (CosineSchedule's) is applied here to the elapsed
// fraction of the budget instead.
import { Model, Adam, safetensors } from "../../dist/index.js";

/** The learning rate at `frac` (0..1) of the budget: CosineSchedule's warm-up + cosine, in time. */
export function wallTimeRate(frac, { lr, warmup = 0.02, warmupStart = 1 / 3, minLr = 0 }) {
  const f = Math.min(Math.max(frac, 0), 1);
  if (f < warmup) return lr * (warmupStart + (1 - warmupStart) * f / warmup);
  return minLr + (lr - minLr) * (1 + Math.cos(Math.PI * (f - warmup) / (1 - warmup))) / 2;
}

/** A fresh token model: cell "gru" | "lstm" | "rnn", width, depth, embedding width. */
export function makeModel({ cell = "gru", hidden = 256, layers = 1, embedding = 64, V, seed = 0 }) {
  return new Model({ cell, vocabSize: V, embeddingSize: embedding, hiddenSize: hidden, numLayers: layers, outputSize: V,
    readout: "sequence", loss: "crossentropy", seed: seed + 1, ...(cell === "lstm" ? { forgetBias: 1 } : {}) });
}

/** Bits per token of seq read as one stream from a zero state (the first token after "\n"). */
export function streamBits(model, seq, first, { positions = false } = {}) {
  const V = model.config.outputSize, s = model.stream({ batch: 1 }), K = 1000, x = new Int32Array(K);
  const bits = positions ? new Float64Array(seq.length) : null, argmax = positions ? new Int32Array(seq.length) : null;
  let total = 0;
  for (let i = 0; i < seq.length; i += K) {
    const k = Math.min(K, seq.length - i);
    for (let t = 0; t < k; t++) x[t] = i + t === 0 ? first : seq[i + t - 1];
    const out = s.step(k === K ? x : x.subarray(0, k), { steps: k }).output;
    for (let t = 0; t < k; t++) {
      const z = out.subarray(t * V, (t + 1) * V);
      let m = -Infinity, am = 0;
      for (let v = 0; v < V; v++) {
        if (z[v] > m) {
          m = z[v];
          am = v;
        }
      }
      let sum = 0;
      for (const v of z) sum += Math.exp(v - m);
      const b = (Math.log(sum) + m - z[seq[i + t]]) / Math.LN2;
      total += b;
      if (bits) {
        bits[i + t] = b;
        argmax[i + t] = am;
      }
    }
  }
  s.dispose();
  return { mean: total / seq.length, bits, argmax };
}

/**
 * Train until the deadline. opts: minutes, batch, seq, lr, warmup, clip, evalEvery (seconds
 * between validation checks), validChars (the validation prefix checked during training), log.
 * With trainChars, the budget is that many training characters instead of minutes (the schedule
 * runs over the characters trained, and the validation checks come every tenth of the budget).
 * Keeps the parameters of the best validation check. Returns { curve, batches, chars, seconds,
 * charsPerSecond (batches only), best }.
 */
export function trainModel(model, train, valid, first, opts) {
  const { minutes, batch: B = 32, seq: T = 128, lr = 2e-3, warmup = 0.02, clip = 1, evalEvery = 60, validChars = 20_000,
    log = () => {}, maxBatches = Infinity, trainChars = null } = opts;
  const H = model.config.hiddenSize, L = model.config.numLayers ?? 1, budget = minutes * 60_000;
  if (trainChars !== null && !(trainChars >= B * T)) {
    throw new RangeError(`trainChars: expected at least one batch (${B * T} characters), got ${trainChars}`);
  }
  const byChars = trainChars !== null, evalChars = byChars ? trainChars / 10 : Infinity;
  const adam = new Adam({ learningRate: lr });
  const seg = Math.floor((train.length - 1) / B);
  if (seg < T + 1) throw new RangeError(`the training text (${train.length}) is too short for ${B} streams of ${T}`);
  const xs = Array.from({ length: B }, () => new Int32Array(T)),
    ys = Array.from({ length: B }, () => new Int32Array(T));
  const state = model.config.cell === "lstm"
    ? { h: new Float32Array(L * B * H), c: new Float32Array(L * B * H) }
    : { h: new Float32Array(L * B * H) };
  const vpart = valid.subarray(0, Math.min(validChars, valid.length));
  const t0 = performance.now(), curve = [];
  let pos = 0, batches = 0, lossSum = 0, lossN = 0, trainMs = 0, nextEval = byChars ? evalChars : evalEvery * 1000;
  let best = { bits: Infinity, seconds: 0, params: null };
  const check = (elapsed, rate) => {
    const v = streamBits(model, vpart, first).mean;
    curve.push({ seconds: elapsed / 1000, chars: batches * B * T, learningRate: rate,
      train: lossN ? lossSum / lossN / Math.LN2 : null, valid: v });
    if (v < best.bits) best = { bits: v, seconds: elapsed / 1000, chars: batches * B * T, params: model.stateDict() };
    log(
      `${(elapsed / 1000).toFixed(0)} s, ${(batches * B * T / 1e6).toFixed(2)}M chars, lr ${
        rate.toExponential(2)
      }: training ${(lossN ? lossSum / lossN / Math.LN2 : NaN).toFixed(3)}, validation ${
        v.toFixed(3)
      } bits/char (first ${vpart.length})`,
    );
    lossSum = 0;
    lossN = 0;
  };
  let rate = wallTimeRate(0, { lr, warmup });
  for (;;) {
    const elapsed = performance.now() - t0, done = batches * B * T;
    if ((byChars ? done >= trainChars : elapsed >= budget) || batches >= maxBatches) break;
    if ((byChars ? done : elapsed) >= nextEval) {
      check(elapsed, rate);
      nextEval += byChars ? evalChars : evalEvery * 1000;
    }
    const tb = performance.now();
    if (pos + T > seg) {
      pos = 0; // a pass over the streams ends: start again from zero states
      state.h.fill(0);
      state.c?.fill(0);
    }
    for (let b = 0; b < B; b++) {
      const o = b * seg + pos;
      xs[b].set(train.subarray(o, o + T));
      ys[b].set(train.subarray(o + 1, o + T + 1));
    }
    rate = wallTimeRate(byChars ? done / trainChars : elapsed / budget, { lr, warmup });
    adam.learningRate = rate;
    const r = model.trainBatch({ x: xs, y: ys }, adam, { clipNorm: clip, state });
    trainMs += performance.now() - tb;
    lossSum += r.loss;
    lossN++;
    batches++;
    pos += T;
  }
  check(performance.now() - t0, rate);
  if (best.params) model.loadStateDict(best.params);
  return { curve, batches, chars: batches * B * T, seconds: (performance.now() - t0) / 1000,
    charsPerSecond: batches * B * T / (trainMs / 1000),
    best: { validPrefixBits: best.bits, seconds: best.seconds, chars: best.chars } };
}

/** The model as safetensors bytes with F16 weights (Model.save writes F32; Model.load reads both). */
export function saveF16(model, metadata) {
  const { tensors, metadata: meta } = safetensors.read(model.save(metadata));
  const out = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = { dtype: "F16", shape: t.shape, data: t.data };
  return safetensors.write(out, meta);
}
