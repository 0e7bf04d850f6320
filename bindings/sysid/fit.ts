// Training a free-run simulator on long records: subsequences of window + steps samples drawn
// from the records every `stride` samples (overlapping), shuffled (seeded) and batched; the loss
// is the mean squared error of the normalized outputs over the `steps` samples after the window
// (the window itself is left out: it only sets the state). Validation is free-run simulation of
// the last part of each training record (or of given records), and the weights of the epoch with
// the best validation RMSE are kept.
import * as check from "../core/check.js";
import { core } from "../core/loader.js";
import { Rng } from "../core/random.js";
import { Adam } from "../train/optim.js";
import type { SimulatorCore } from "./core.js";
import { IoRecord, checkRecords, normalize, rows, statistics } from "./record.js";

/** Options of Simulator.fit. */
export interface SimulatorFitOptions {
  /** Simulated steps per subsequence after the window (the loss's horizon; default 64). */
  steps?: number;
  /** A subsequence starts every `stride` samples (default steps / 4: they overlap). */
  stride?: number;
  /** Subsequences per batch (default 32). */
  batchSize?: number;
  /** Passes over the subsequences (default 100). */
  epochs?: number;
  /** Adam's learning rate (default 3e-3), decayed by a cosine to 1% of it over the epochs. */
  learningRate?: number;
  /** Global gradient-norm clip over simulator and encoder (default 1; 0: none). */
  clipNorm?: number;
  /** The fraction of each training record's end kept out for validation (default 0.2; 0: none,
   *  unless `validation` is given). */
  validationSplit?: number;
  /** Validation records (in place of validationSplit). Never a test record. */
  validation?: IoRecord | IoRecord[];
  /** Stop when the validation RMSE has not improved for this many epochs (default: never). */
  patience?: number;
  /** Validate every this many epochs (default 1). */
  validateEvery?: number;
  /** Called after each epoch; returning true stops training. */
  onEpochEnd?: (epoch: number, logs: SimulatorEpochLogs) => boolean | void;
}

/** What onEpochEnd receives. */
export interface SimulatorEpochLogs {
  /** The epoch's mean training loss (normalized units). */
  loss: number;
  /** Free-run RMSE on the validation records, physical units, over all outputs (when validated). */
  validationRmse?: number;
  /** The learning rate of the epoch. */
  learningRate: number;
}

/** What fit returns. */
export interface SimulatorHistory {
  /** Training loss per epoch. */
  loss: number[];
  /** Validation RMSE per validated epoch (physical units). */
  validationRmse: number[];
  /** The epochs validationRmse was measured at. */
  validationEpochs: number[];
  /** The epoch whose weights were kept (the best validation RMSE; the last epoch without validation). */
  bestEpoch: number;
  /** Epochs run. */
  epochs: number;
  /** Subsequences per epoch. */
  subsequences: number;
}

const W = "Simulator.fit";
const KEYS = ["steps", "stride", "batchSize", "epochs", "learningRate", "clipNorm", "validationSplit", "validation",
  "patience", "validateEvery", "onEpochEnd"];

/** @internal Train sim on the records; every argument is checked before anything changes. On an
 *  error or a non-finite loss the weights and normalization are restored to what they were. */
export async function fitSimulator(sim: SimulatorCore, train: unknown,
  options: SimulatorFitOptions = {}): Promise<SimulatorHistory> {
  const c = sim.config, n = c.window, I = c.inputs, O = c.outputs;
  sim.model.parameters.paramsAt(W); // throws after dispose()
  const o = check.object(W, "options", options);
  check.known(W, o, KEYS);
  const T = check.int(W, "steps", o.steps ?? 64, 1, 1e6);
  const stride = check.int(W, "stride", o.stride ?? Math.max(1, Math.floor(T / 4)), 1, 1e9);
  const bs = check.int(W, "batchSize", o.batchSize ?? 32, 1, 65536);
  const epochs = check.int(W, "epochs", o.epochs ?? 100, 1, 1e9);
  const lr = check.num(W, "learningRate", o.learningRate ?? 3e-3, 0, Infinity, true);
  const clip = check.num(W, "clipNorm", o.clipNorm ?? 1, 0);
  const split = check.num(W, "validationSplit", o.validationSplit ?? (o.validation ? 0 : 0.2), 0, 0.9);
  const patience = o.patience === undefined ? Infinity : check.int(W, "patience", o.patience, 1);
  const every = check.int(W, "validateEvery", o.validateEvery ?? 1, 1);
  if (o.onEpochEnd !== undefined && typeof o.onEpochEnd !== "function") {
    throw new TypeError(`${W}: onEpochEnd must be a function, got ${check.show(o.onEpochEnd)}`);
  }
  if (o.validation !== undefined && split > 0) {
    throw new TypeError(`${W}: give validation or validationSplit, not both`);
  }
  const given = checkRecords(W, "train", train, c, n + T, `window ${n} + steps ${T}`);
  let fitRecs = given, valRecs: IoRecord[] = [];
  if (o.validation !== undefined) {
    valRecs = checkRecords(W, "options.validation", o.validation, c, n + 1, `window ${n} + 1 simulated step`);
  } else if (split > 0) {
    fitRecs = [];
    given.forEach((r, i) => {
      const N = r.u.length / I, cut = N - Math.floor(N * split);
      if (cut < n + T || N - cut < n + 1) {
        throw new RangeError(
          `${W}: train${Array.isArray(train) ? `[${i}]` : ""} has ${N} samples: too short to keep ${
            N - cut
          } of them (validationSplit ${split}) for validation and still have window ${n} + steps ${T} = ${
            n + T
          } to train on`,
        );
      }
      fitRecs.push(rows(r, c, 0, cut));
      valRecs.push(rows(r, c, cut, N));
    });
  }
  if (running.has(sim)) {
    throw new Error(`${W}: this simulator is already being trained by a fit() that has not finished; await it first`);
  }
  // everything is checked: from here on, a failure restores the weights and normalization
  const before = snapshot(sim);
  running.add(sim);
  try {
    return await train1(sim, fitRecs, valRecs, { T, stride, bs, epochs, lr, clip, patience, every,
      onEpochEnd: o.onEpochEnd as SimulatorFitOptions["onEpochEnd"] });
  } catch (e) {
    restore(sim, before);
    throw e;
  } finally {
    running.delete(sim);
  }
}

/** Simulators inside a fit() that has not settled. */
const running = new WeakSet<SimulatorCore>();

interface Plan {
  T: number;
  stride: number;
  bs: number;
  epochs: number;
  lr: number;
  clip: number;
  patience: number;
  every: number;
  onEpochEnd?: SimulatorFitOptions["onEpochEnd"];
}

async function train1(sim: SimulatorCore, fitRecs: IoRecord[], valRecs: IoRecord[],
  p: Plan): Promise<SimulatorHistory> {
  const c = sim.config, n = c.window, I = c.inputs, O = c.outputs, L = n + p.T;
  if (!sim.normalized) Object.assign(sim.normalization, statistics(fitRecs, c));
  sim.normalized = true;
  const z = sim.normalization;
  const us = fitRecs.map((r) => normalize(r.u, z.uMean, z.uStd)),
    ys = fitRecs.map((r) => normalize(r.y, z.yMean, z.yStd));
  // every subsequence: (record, start); the last start of a record is included
  const subs: [number, number][] = [];
  us.forEach((u, k) => {
    const N = u.length / I;
    for (let s = 0; s + L <= N; s += p.stride) subs.push([k, s]);
    if ((N - L) % p.stride !== 0) subs.push([k, N - L]);
  });
  const burnWeights = new Float32Array(L).fill(1).fill(0, 0, n);
  const rng = new Rng(c.seed), opt = new Adam({ learningRate: p.lr });
  const hist: SimulatorHistory = { loss: [], validationRmse: [], validationEpochs: [], bestEpoch: 0, epochs: 0,
    subsequences: subs.length };
  let best = Infinity, bestWeights = snapshot(sim), since = 0;
  try {
    for (let epoch = 1; epoch <= p.epochs; epoch++) {
      opt.learningRate = p.lr * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * (epoch - 1) / p.epochs)));
      shuffle(subs, rng);
      let sum = 0, count = 0;
      for (let i0 = 0; i0 < subs.length; i0 += p.bs) {
        const batch = subs.slice(i0, i0 + p.bs);
        const loss = step(W, sim, us, ys, batch, n, L, burnWeights, p.clip);
        if (!Number.isFinite(loss)) {
          throw new Error(
            `${W}: the training loss became ${loss} at epoch ${epoch}; lower learningRate or clipNorm (the weights were restored)`,
          );
        }
        opt.step(sim.model);
        if (sim.encoder) opt.step(sim.encoder);
        sum += loss * batch.length;
        count += batch.length;
      }
      const logs: SimulatorEpochLogs = { loss: sum / count, learningRate: opt.learningRate };
      hist.loss.push(logs.loss);
      hist.epochs = epoch;
      let stop = false;
      if (valRecs.length > 0 && (epoch % p.every === 0 || epoch === p.epochs)) {
        const v = validate(sim, valRecs);
        logs.validationRmse = v;
        hist.validationRmse.push(v);
        hist.validationEpochs.push(epoch);
        if (v < best) {
          best = v;
          hist.bestEpoch = epoch;
          bestWeights = snapshot(sim);
          since = 0;
        } else if ((since += p.every) >= p.patience) stop = true;
      } else if (valRecs.length === 0) hist.bestEpoch = epoch;
      if (p.onEpochEnd?.(epoch, logs) === true) stop = true;
      await new Promise((r) => setTimeout(r, 0));
      if (stop) break;
    }
    if (valRecs.length > 0) restore(sim, bestWeights);
  } finally {
    opt.dispose();
  }
  return hist;
}

/** @internal Simulator.computeGradients: zero the gradients, then forward, loss and backward over
 *  the subsequences of `record` starting at `starts` (window + steps samples each); returns the loss. */
export function computeGradients(sim: SimulatorCore, record: unknown, options: unknown): number {
  const M = "Simulator.computeGradients", c = sim.config, n = c.window;
  sim.model.parameters.paramsAt(M);
  const o = check.object(M, "options", options);
  check.known(M, o, ["starts", "steps"]);
  const T = check.int(M, "steps", o.steps, 1, 1e6);
  const [r] = checkRecords(M, "record", record, c, n + T, `window ${n} + steps ${T}`);
  const N = r.u.length / c.inputs;
  if (!Array.isArray(o.starts) || o.starts.length === 0) {
    throw new TypeError(`${M}: starts must be a non-empty array of sample indices, got ${check.show(o.starts)}`);
  }
  const starts = o.starts.map((s, i) => check.int(M, `starts[${i}]`, s, 0, N - n - T));
  const z = sim.normalization;
  const us = [normalize(r.u, z.uMean, z.uStd)], ys = [normalize(r.y, z.yMean, z.yStd)];
  return step(M, sim, us, ys, starts.map((s) => [0, s]), n, n + T, new Float32Array(n + T).fill(1).fill(0, 0, n), 0);
}

/** Forward, loss and backward of one batch of subsequences, gradients of simulator and encoder
 *  clipped together by their global norm; returns the loss. */
function step(where: string, sim: SimulatorCore, us: Float32Array[], ys: Float32Array[], batch: [number, number][],
  n: number, L: number, burnWeights: Float32Array, clip: number): number {
  const c = sim.config, I = c.inputs, O = c.outputs, B = batch.length, model = sim.model, enc = sim.encoder;
  model.parameters.zeroGrad(where);
  const idx = Array.from({ length: B }, (_, b) => b);
  let loss: number;
  if (enc) {
    enc.zeroGrad();
    const st = sim.encodeWindow(batch.map(([k]) => us[k]), batch.map(([k]) => ys[k]), batch.map(([, s]) => s));
    const state = { ...st, dh: new Float32Array(st.h.length), dc: st.c ? new Float32Array(st.c.length) : undefined };
    const data = { x: batch.map(([k, s]) => us[k].subarray((s + n) * I, (s + L) * I)),
      y: batch.map(([k, s]) => ys[k].subarray((s + n) * O, (s + L) * O)) };
    loss = model.runBatch(where, data, idx, "backward", 0, false, state).loss;
    if (!Number.isFinite(loss)) return loss; // diverged: fit says so (the encoder's backward refuses a non-finite ∂L/∂h0)
    enc.backward(state.dc ? { hN: state.dh, cN: state.dc } : { hN: state.dh });
  } else {
    const data = { x: batch.map(([k, s]) => us[k].subarray(s * I, (s + L) * I)),
      y: batch.map(([k, s]) => ys[k].subarray(s * O, (s + L) * O)), weights: batch.map(() => burnWeights) };
    loss = model.runBatch(where, data, idx, "backward").loss;
  }
  if (clip > 0) clipTogether(sim, clip);
  return loss;
}

/** Scale the simulator's and the encoder's gradients by clip / (their global norm) when that
 *  norm exceeds clip (torch.nn.utils.clip_grad_norm_ over both modules' parameters). */
function clipTogether(sim: SimulatorCore, clip: number): void {
  const k = core(), blocks = [sim.model.parameters, ...(sim.encoder ? [sim.encoder.parameters] : [])];
  const norms = blocks.map((b) => Math.sqrt(k.sumsq_f64_wasmsimd(b.numParams, b.gradsAt(W))));
  const total = Math.hypot(...norms);
  if (!(total > clip)) return;
  // clipping each block to (its norm) · clip / total scales it by exactly clip / total
  blocks.forEach((b, i) => {
    if (norms[i] > 0) k.clip_grad_norm(b.numParams, b.gradsAt(W), norms[i] * clip / total);
  });
}

/** Free-run RMSE over every output of the validation records (physical units). */
function validate(sim: SimulatorCore, recs: IoRecord[]): number {
  const c = sim.config, n = c.window, O = c.outputs;
  let sq = 0, count = 0;
  for (const r of recs) {
    const p = sim.simulate(r.u, c.init === "encoder" ? { y: r.y } : {}), y = r.y.subarray(n * O);
    for (let i = 0; i < p.length; i++) sq += (p[i] - y[i]) ** 2;
    count += p.length;
  }
  return Math.sqrt(sq / count);
}

interface Snapshot {
  model: Record<string, Float32Array>;
  encoder: Record<string, Float32Array> | null;
  norm: Float32Array[];
  normalized: boolean;
}

function snapshot(sim: SimulatorCore): Snapshot {
  const z = sim.normalization;
  return { model: sim.model.stateDict(), encoder: sim.encoder?.stateDict() ?? null,
    norm: [z.uMean, z.uStd, z.yMean, z.yStd].map((a) => a.slice()), normalized: sim.normalized };
}

function restore(sim: SimulatorCore, s: Snapshot): void {
  sim.model.loadStateDict(s.model);
  if (s.encoder) sim.encoder!.loadStateDict(s.encoder);
  const z = sim.normalization;
  [z.uMean, z.uStd, z.yMean, z.yStd].forEach((a, i) => a.set(s.norm[i]));
  sim.normalized = s.normalized;
}

function shuffle<T>(a: T[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
}
