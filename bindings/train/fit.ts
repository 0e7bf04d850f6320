// The training loop: one step (zero grads, forward, loss, BPTT, clip, optimizer step) and a
// Keras-like fit over epochs with seeded shuffling, validation, callbacks and progress, yielding to
// the event loop so a page stays responsive.
//
// Optimizer across fit() calls (the Keras way): the first fit() creates the optimizer its options
// name ("adam" by default) and keeps it as model.optimizer; later fit() calls without `optimizer`
// continue with it (moments and step count carry over, `learningRate` if given updates its rate).
// Passing `optimizer` (a name or an instance) replaces it. A new optimizer always starts fresh.
import * as check from "../core/check.js";
import { Rng } from "../core/random.js";
import { SequenceData, subset } from "../nn/model/data.js";
import type { RecurrentModel } from "../nn/model/model.js";
import type { CarriedState } from "../nn/rnn/stream.js";
import { Adam, AdamW, Optimizer, SGD, clipGradNorm, gradNorm } from "./optim.js";
import { checkSchedule } from "./schedule.js";
import type { Schedule, ScheduleRun } from "./schedule.js";

/** What onBatchEnd and onEpochEnd receive: a batch's loss and gradient norm, or an epoch's running
 *  averages, validation figures and time. */
export interface Logs {
  /** The loss: the batch's, or the epoch's running average over its batches. */
  loss: number;
  /** Epoch, mse models: the training RMSE over every output of every counted row of the epoch's
   *  batches (each batch measured before its step, as Keras' stateful metrics). */
  rmse?: number;
  /** Epoch, mse models: the training MAE, measured the same way. */
  mae?: number;
  /** Epoch, crossentropy models: the training accuracy, the share of counted rows of the epoch's
   *  batches whose largest logit is the target class. */
  accuracy?: number;
  /** Epoch: the validation loss (with validationSplit or validationData). */
  valLoss?: number;
  /** Epoch, mse models: the validation RMSE (Model.evaluate's, after the epoch). */
  valRmse?: number;
  /** Epoch, mse models: the validation MAE. */
  valMae?: number;
  /** Epoch, crossentropy models: the validation accuracy. */
  valAccuracy?: number;
  /** Batch: the global gradient norm before clipping (as clip_grad_norm_ returns it). Epoch: its mean. */
  gradNorm?: number;
  /** Batch: whether clipNorm scaled the gradients. */
  clipped?: boolean;
  /** Epoch: the largest pre-clip norm. */
  gradNormMax?: number;
  /** Epoch: how many batches clipNorm scaled. */
  clippedBatches?: number;
  /** The learning rate the batch used (epoch: its last batch's; with a schedule it changes). */
  learningRate?: number;
  /** Epoch: seconds since fit() started. */
  seconds?: number;
}

/** What fit() resolves with: one entry per finished epoch in every array that applies to the model
 *  (the others stay empty). Metrics count the rows (the last state, or a step) that the loss counts:
 *  steps past a sequence's length and steps of weight 0 do not; the others count alike (unweighted).
 *  mse models: rmse = √(Σ e² / (rows·outputSize)), mae = Σ |e| / (rows·outputSize) over every output;
 *  crossentropy models: accuracy = the share of rows whose largest logit is the target class. */
export interface History {
  /** The epochs, 1-based. */
  epoch: number[];
  /** Training loss per epoch (running average over its batches). */
  loss: number[];
  /** Validation loss per epoch (empty without validation data). */
  valLoss: number[];
  /** The main metric, copied into `train` and `val`: "rmse" (mse models) or "accuracy" (crossentropy). */
  metric: string;
  /** The training values of `metric` per epoch (the same numbers as `rmse` or `accuracy`). */
  train: number[];
  /** The validation values of `metric` per epoch (the same numbers as `valRmse` or `valAccuracy`). */
  val: number[];
  /** mse models: the training RMSE per epoch (Logs.rmse). */
  rmse: number[];
  /** mse models: the training MAE per epoch (Logs.mae). */
  mae: number[];
  /** crossentropy models: the training accuracy per epoch (Logs.accuracy). */
  accuracy: number[];
  /** mse models, with validation: the validation RMSE per epoch. */
  valRmse: number[];
  /** mse models, with validation: the validation MAE per epoch. */
  valMae: number[];
  /** crossentropy models, with validation: the validation accuracy per epoch. */
  valAccuracy: number[];
  /** The epoch with the lowest validation loss (1-based; -1 without validation). */
  bestEpoch: number;
  /** Per epoch: the mean pre-clip global gradient norm. */
  gradNorm: number[];
  /** Per epoch: the largest pre-clip global gradient norm. */
  gradNormMax: number[];
  /** Per epoch: how many batches clipNorm scaled. */
  clippedBatches: number[];
  /** Why training ended before `epochs`: "" when every epoch ran, else what stopped it (early
   *  stopping: the epoch, the patience and the best validation loss). */
  stopReason: string;
}

/** Keras' EarlyStopping on the validation loss: stop after `patience` epochs in a row that did
 *  not lower the best validation loss by more than `minDelta`. */
export interface EarlyStopping {
  /** Epochs without improvement to allow (an integer >= 0; 0 stops at the first). */
  patience: number;
  /** How much lower than the best a validation loss must be to count as an improvement (default 0). */
  minDelta?: number;
}

/** Options of Model.fit (WorkerModel.fit takes the same, the optimizer named). */
export interface FitOptions {
  /** Passes over the training data (default 10). */
  epochs?: number;
  /** Sequences per optimizer step (default 32). */
  batchSize?: number;
  /** An optimizer instance, or "adam" / "adamw" / "sgd" (created with `learningRate`). Default: the model's
   *  optimizer from an earlier fit(), else a new Adam. */
  optimizer?: Optimizer | "adam" | "adamw" | "sgd";
  /** The learning rate of a new optimizer, or a new rate for the model's current one (default:
   *  the optimizer's own; Adam 1e-3). */
  learningRate?: number;
  /** Global-norm gradient clipping threshold (default: none). */
  clipNorm?: number;
  /** Truncated BPTT(k) (default: full BPTT). */
  truncate?: number;
  /** Seed of the shuffling and of the validation split (default 0). */
  seed?: number;
  /** Shuffle the training sequences every epoch (default true; seeded by `seed`). */
  shuffle?: boolean;
  /** Fraction of `data` held out for validation (default 0), taken after a seeded shuffle. */
  validationSplit?: number;
  /** Validation sequences given apart (instead of validationSplit). */
  validationData?: SequenceData;
  /** Keep the weights of the epoch with the lowest validation loss (default false). */
  restoreBest?: boolean;
  /** Stop when the validation loss stops improving (needs validationData or validationSplit);
   *  `history.stopReason` says when and why. */
  earlyStopping?: EarlyStopping;
  /** Print one line per epoch (its number, losses, metrics and seconds) to the console. */
  verbose?: boolean;
  /** The learning rate per batch step (see Schedule): from the optimizer's rate (or
   *  `learningRate`) at the start of the fit; each batch's rate is in its logs. */
  schedule?: Schedule;
  /** Called after every epoch with its number (1-based) and its logs; fit awaits a returned promise. */
  onEpochEnd?: (epoch: number, logs: Logs) => unknown;
  /** Called after every batch with its index in the epoch (0-based), its loss and gradient norm. */
  onBatchEnd?: (batch: number, logs: Logs) => unknown;
  /** Cancels training between batches: fit rejects with a FitError of kind "aborted" (the best
   *  weights restored first when restoreBest is set). */
  signal?: AbortSignal;
}

/** Why fit() stopped early: the loss became non-finite, or its signal aborted. The model is
 *  consistent (with restoreBest, it holds the best epoch's weights) and `history` holds every
 *  finished epoch. */
export class FitError extends Error {
  /** "nonFinite": the loss became NaN or ±Infinity; "aborted": the signal fired. */
  readonly kind: "nonFinite" | "aborted";
  /** 1-based epoch and batch: where the loss became non-finite, or the batch that did not run. */
  readonly epoch: number;
  /** The batch (1-based) within that epoch. */
  readonly batch: number;
  /** Every finished epoch. */
  readonly history: History;
  constructor(message: string, kind: "nonFinite" | "aborted", epoch: number, batch: number, history: History,
    cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = kind === "aborted" ? "AbortError" : "FitError";
    this.kind = kind;
    this.epoch = epoch;
    this.batch = batch;
    this.history = history;
  }
}

// Models inside a fit() that has not settled: training them from elsewhere is an error.
const training = new WeakSet<RecurrentModel>();
function notTraining(where: string, model: RecurrentModel): void {
  if (training.has(model)) {
    throw new Error(
      `${where}: this model is already being trained by a fit() that has not finished; await it (or cancel it with its signal) first`,
    );
  }
}

/** A model that keeps its optimizer between fit() calls. */
export type FitModel = RecurrentModel & { optimizer: Optimizer | null };

/** One optimization step on the sequences idx of checked data. */
export function step(where: string, model: RecurrentModel, data: SequenceData, idx: ArrayLike<number>, opt: Optimizer,
  clip: number, k: number, state: CarriedState | null = null
): Logs & { sq: number; abs: number; correct: number; count: number } {
  model.parameters.zeroGrad(where);
  const r = model.runBatch(where, data, idx, "backward", k, false, state);
  // the pre-clip global norm, always (one pass over the gradient block)
  const norm = clip > 0 ? clipGradNorm(model, clip) : gradNorm(model);
  // a non-finite loss leaves the weights as they were (fit reports it)
  if (Number.isFinite(r.loss)) opt.step(model);
  return { loss: r.loss, sq: r.sq, abs: r.abs, correct: r.correct, count: r.count, gradNorm: norm,
    clipped: clip > 0 && norm > clip };
}

/** One optimization step on a batch of sequences (all of `data`). */
export function trainBatch(model: RecurrentModel, data: SequenceData, optimizer: Optimizer,
  options: { clipNorm?: number; truncate?: number; state?: CarriedState } = {}): Logs {
  const M = "Model.trainBatch";
  notTraining(M, model);
  const N = model.checkData(M, data, true);
  const o = check.object(M, "options", options);
  check.known(M, o, ["clipNorm", "truncate", "state"]);
  const state = o.state === undefined ? null : model.checkState(M, o.state, N);
  const clip = o.clipNorm === undefined ? 0 : check.num(M, "clipNorm", o.clipNorm, 0, Infinity, true);
  const k = o.truncate === undefined ? 0 : check.int(M, "truncate", o.truncate, 1);
  if (!optimizer || typeof optimizer.step !== "function") {
    throw new TypeError(`${M}: optimizer must be an Adam, AdamW or SGD instance, got ${check.show(optimizer)}`);
  }
  const { loss, gradNorm: g, clipped } = step(M, model, data, Array.from({ length: N }, (_, i) => i), optimizer, clip,
    k, state);
  return { loss, gradNorm: g, clipped };
}

function chooseOptimizer(model: FitModel, o: Record<string, unknown>, lr: number | undefined): Optimizer {
  if (o.optimizer === undefined && model.optimizer) {
    if (lr !== undefined) model.optimizer.learningRate = lr;
    return model.optimizer;
  }
  let opt: Optimizer;
  if (o.optimizer === undefined || o.optimizer === "adam") opt = new Adam(lr === undefined ? {} : { learningRate: lr });
  else if (o.optimizer === "sgd") opt = new SGD(lr === undefined ? {} : { learningRate: lr });
  else if (o.optimizer === "adamw") opt = new AdamW(lr === undefined ? {} : { learningRate: lr });
  else opt = o.optimizer as Optimizer;
  return opt;
}

/** Model.fit's option names. */
export const FIT_OPTIONS = ["epochs", "batchSize", "optimizer", "learningRate", "clipNorm", "truncate", "seed",
  "shuffle", "validationSplit", "validationData", "restoreBest", "earlyStopping", "verbose", "schedule", "onEpochEnd",
  "onBatchEnd", "signal"] as const;

/** @internal fit()'s arguments, checked. */
export interface FitArgs {
  o: Record<string, unknown>;
  N: number;
  epochs: number;
  bs: number;
  clip: number;
  k: number;
  seed: number;
  shuffle: boolean;
  split: number;
  restoreBest: boolean;
  signal: AbortSignal | undefined;
  lr: number | undefined;
  early: { patience: number; minDelta: number } | null;
  verbose: boolean;
  sched: ((lr0: number) => ScheduleRun) | null;
}

/** @internal Check fit()'s arguments without touching any model: `checkData` validates a data set
 *  against the model's config (Model.checkData, or checkData with a DataSpec in another thread);
 *  `extra` names options the caller adds. An aborted signal is not an error here: fit() reports it
 *  after every argument has passed. */
export function checkFitArgs(M: string, checkData: (where: string, data: SequenceData) => number, data: SequenceData,
  options: unknown, extra: readonly string[] = []): FitArgs {
  const o = check.object(M, "options", options);
  check.known(M, o, [...FIT_OPTIONS, ...extra]);
  const N = checkData(M, data);
  const epochs = check.int(M, "epochs", o.epochs ?? 10, 1);
  const bs = check.int(M, "batchSize", o.batchSize ?? 32, 1);
  const clip = o.clipNorm === undefined ? 0 : check.num(M, "clipNorm", o.clipNorm, 0, Infinity, true);
  const k = o.truncate === undefined ? 0 : check.int(M, "truncate", o.truncate, 1);
  const seed = check.int(M, "seed", o.seed ?? 0, 0, 0xffffffff);
  const shuffle = check.bool(M, "shuffle", o.shuffle ?? true);
  const split = check.num(M, "validationSplit", o.validationSplit ?? 0, 0, 0.9);
  const restoreBest = check.bool(M, "restoreBest", o.restoreBest ?? false);
  for (const cb of ["onEpochEnd", "onBatchEnd"] as const) {
    if (o[cb] !== undefined && typeof o[cb] !== "function") {
      throw new TypeError(`${M}: ${cb} must be a function, got ${check.show(o[cb])}`);
    }
  }
  const signal = o.signal as AbortSignal | undefined;
  if (signal !== undefined
    && !(typeof signal === "object" && signal !== null && typeof signal.aborted === "boolean"
      && typeof signal.addEventListener === "function")) {
    throw new TypeError(`${M}: signal must be an AbortSignal, got ${check.show(signal)}`);
  }
  if (restoreBest && o.validationData === undefined && split === 0) {
    throw new Error(
      `${M}: restoreBest needs validationData or validationSplit (it keeps the weights of the epoch with the lowest validation loss)`,
    );
  }
  let early: FitArgs["early"] = null;
  if (o.earlyStopping !== undefined) {
    const es = check.object(M, "earlyStopping", o.earlyStopping);
    check.known(M, es, ["patience", "minDelta"], "earlyStopping");
    if (es.patience === undefined) {
      throw new TypeError(
        `${M}: earlyStopping.patience is required (epochs without improvement to allow, an integer >= 0)`,
      );
    }
    early = { patience: check.int(M, "earlyStopping.patience", es.patience, 0),
      minDelta: es.minDelta === undefined ? 0 : check.num(M, "earlyStopping.minDelta", es.minDelta, 0) };
    if (o.validationData === undefined && split === 0) {
      throw new Error(`${M}: earlyStopping needs validationData or validationSplit (it watches the validation loss)`);
    }
  }
  const verbose = check.bool(M, "verbose", o.verbose ?? false);
  const lr = o.learningRate === undefined ? undefined : check.num(M, "learningRate", o.learningRate, 0, Infinity, true);
  const instance = typeof o.optimizer === "object" && o.optimizer !== null
    && typeof (o.optimizer as Optimizer).step === "function";
  if (o.optimizer !== undefined && o.optimizer !== "adam" && o.optimizer !== "adamw" && o.optimizer !== "sgd"
    && !instance) {
    throw new TypeError(
      `${M}: optimizer must be "adam", "adamw", "sgd" or an optimizer instance, got ${check.show(o.optimizer)}`,
    );
  }
  if (o.validationData !== undefined) checkData(M + " (validationData)", o.validationData as SequenceData);
  else if (split > 0 && Math.max(1, Math.round(N * split)) >= N) {
    throw new RangeError(`${M}: validationSplit ${split} leaves no training data`);
  }
  const nTrain = o.validationData === undefined && split > 0 ? N - Math.max(1, Math.round(N * split)) : N;
  const sched = o.schedule === undefined
    ? null
    : checkSchedule(M, o.schedule, epochs * Math.ceil(nTrain / bs), o.validationData !== undefined || split > 0);
  return { o, N, epochs, bs, clip, k, seed, shuffle, split, restoreBest, signal, lr, early, verbose, sched };
}

/** One epoch's line for verbose: "epoch 3/10: loss 0.1234, rmse 0.2345, mae 0.1876, val loss …, 0.4 s". */
function epochLine(e: number, epochs: number, l: Logs): string {
  const f = (v: number | undefined) => (v === undefined ? "" : v.toPrecision(4));
  const parts = [`loss ${f(l.loss)}`];
  if (l.rmse !== undefined) parts.push(`rmse ${f(l.rmse)}`);
  if (l.mae !== undefined) parts.push(`mae ${f(l.mae)}`);
  if (l.accuracy !== undefined) parts.push(`accuracy ${f(l.accuracy)}`);
  if (l.valLoss !== undefined) parts.push(`val loss ${f(l.valLoss)}`);
  if (l.valRmse !== undefined) parts.push(`val rmse ${f(l.valRmse)}`);
  if (l.valMae !== undefined) parts.push(`val mae ${f(l.valMae)}`);
  if (l.valAccuracy !== undefined) parts.push(`val accuracy ${f(l.valAccuracy)}`);
  return `epoch ${e}/${epochs}: ${parts.join(", ")}, ${(l.seconds ?? 0).toFixed(1)} s`;
}

/** Train on sequences. Resolves to the history of losses and metrics per epoch. */
export async function fit(model: FitModel, data: SequenceData, options: FitOptions = {}): Promise<History> {
  const M = "Model.fit";
  if (options !== null && typeof options === "object") notTraining(M, model);
  const { o, N, epochs, bs, clip, k, seed, shuffle, split, restoreBest, signal, lr, early, verbose, sched } =
    checkFitArgs(M, (w, d) => model.checkData(w, d, true), data, options);
  const rng = new Rng(seed);
  let trainIdx = Array.from({ length: N }, (_, i) => i);
  let valData: SequenceData | null = null;
  if (o.validationData !== undefined) {
    valData = o.validationData as SequenceData;
  } else if (split > 0) {
    rng.shuffle(trainIdx);
    const nv = Math.max(1, Math.round(N * split));
    valData = subset(data, trainIdx.slice(0, nv));
    trainIdx = trainIdx.slice(nv);
  }
  const metric = model.config.loss === "mse" ? "rmse" : "accuracy";
  const hist: History = { epoch: [], loss: [], valLoss: [], metric, train: [], val: [], rmse: [], mae: [], accuracy: [],
    valRmse: [], valMae: [], valAccuracy: [], bestEpoch: -1, gradNorm: [], gradNormMax: [], clippedBatches: [],
    stopReason: "" };
  if (signal?.aborted) {
    throw new FitError(`${M}: aborted at epoch 1, batch 1 (before it ran)`, "aborted", 1, 1, hist, signal.reason);
  }
  // every argument checked: from here on the model trains, and is restored on any exit
  const opt = chooseOptimizer(model, o, lr);
  const run = sched ? sched(opt.learningRate) : null;
  let t = 0; // batch steps taken (the schedule's clock)
  model.optimizer = opt;
  let best = Infinity, bestParams: Float32Array | null = null;
  let esBest = Infinity, esWait = 0; // early stopping: its best validation loss, epochs since
  const restored = () =>
    restoreBest
      ? (bestParams
        ? `; restored the weights of epoch ${hist.bestEpoch} (best validation loss)`
        : "; no epoch finished, so there were no best weights to restore")
      : "";
  training.add(model);
  try {
    let lastYield = Date.now();
    for (let e = 0; e < epochs; e++) {
      const t0 = Date.now();
      if (shuffle) rng.shuffle(trainIdx);
      let lossSum = 0, n = 0, sq = 0, abs = 0, correct = 0, count = 0, gnSum = 0, gnMax = 0, clipped = 0;
      const nb = Math.ceil(trainIdx.length / bs);
      for (let bi = 0; bi < nb; bi++) {
        if (signal?.aborted) {
          if (restoreBest && bestParams) model.parameters.setFlat(M, bestParams);
          throw new FitError(`${M}: aborted at epoch ${e + 1}, batch ${bi + 1} (before it ran)${restored()}`, "aborted",
            e + 1, bi + 1, hist, signal.reason);
        }
        const idx = trainIdx.slice(bi * bs, (bi + 1) * bs);
        // a rate that underflows to 0 is the smallest positive one (optimizers take rates > 0)
        if (run) opt.learningRate = Math.max(run.rate(t), Number.MIN_VALUE);
        t++;
        const logs = step(M, model, data, idx, opt, clip, k);
        if (!Number.isFinite(logs.loss)) {
          if (restoreBest && bestParams) model.parameters.setFlat(M, bestParams);
          throw new FitError(
            `${M}: the loss became ${logs.loss} at epoch ${e + 1}, batch ${
              bi + 1
            }${restored()}; lower the learning rate or set clipNorm`,
            "nonFinite",
            e + 1,
            bi + 1,
            hist,
          );
        }
        lossSum += logs.loss * idx.length;
        n += idx.length;
        sq += logs.sq;
        abs += logs.abs;
        correct += logs.correct;
        count += logs.count;
        gnSum += logs.gradNorm!;
        gnMax = Math.max(gnMax, logs.gradNorm!);
        if (logs.clipped) clipped++;
        (o.onBatchEnd as FitOptions["onBatchEnd"])?.(bi, { loss: logs.loss, gradNorm: logs.gradNorm,
          clipped: logs.clipped, learningRate: opt.learningRate });
        if (Date.now() - lastYield > 50) {
          await new Promise((r) => setTimeout(r, 0));
          lastYield = Date.now();
        }
      }
      // training loss and metric: running averages over the epoch's batches (as Keras reports them)
      const logs: Logs = { loss: lossSum / n, gradNorm: gnSum / nb, gradNormMax: gnMax, clippedBatches: clipped,
        learningRate: opt.learningRate };
      hist.gradNorm.push(gnSum / nb);
      hist.gradNormMax.push(gnMax);
      hist.clippedBatches.push(clipped);
      const O = model.config.outputSize;
      if (metric === "rmse") {
        logs.rmse = Math.sqrt(sq / (count * O));
        logs.mae = abs / (count * O);
        hist.rmse.push(logs.rmse);
        hist.mae.push(logs.mae);
      } else {
        logs.accuracy = correct / count;
        hist.accuracy.push(logs.accuracy);
      }
      hist.epoch.push(e + 1);
      hist.loss.push(logs.loss);
      hist.train.push((metric === "rmse" ? logs.rmse : logs.accuracy)!);
      if (valData) {
        const v = model.evaluate(valData);
        logs.valLoss = v.loss;
        if (metric === "rmse") {
          logs.valRmse = v.rmse;
          logs.valMae = v.mae;
          hist.valRmse.push(v.rmse!);
          hist.valMae.push(v.mae!);
        } else {
          logs.valAccuracy = v.accuracy;
          hist.valAccuracy.push(v.accuracy!);
        }
        hist.valLoss.push(v.loss);
        hist.val.push((metric === "rmse" ? v.rmse : v.accuracy)!);
        if (v.loss < best) {
          best = v.loss;
          hist.bestEpoch = e + 1;
          if (restoreBest) bestParams = model.parameters.flat(M);
        }
      }
      logs.seconds = (Date.now() - t0) / 1000;
      if (verbose) console.log(epochLine(e + 1, epochs, logs));
      await (o.onEpochEnd as FitOptions["onEpochEnd"])?.(e + 1, logs);
      await new Promise((r) => setTimeout(r, 0));
      lastYield = Date.now();
      run?.epochEnd(logs.valLoss);
      if (early && valData) {
        if (logs.valLoss! + early.minDelta < esBest) {
          esBest = logs.valLoss!;
          esWait = 0;
        } else esWait++;
        if (esWait > 0 && esWait >= early.patience) {
          hist.stopReason = `early stopping after epoch ${
            e + 1
          }: the validation loss did not improve by more than ${early.minDelta} for ${esWait} epoch${
            esWait > 1 ? "s" : ""
          } (best ${esBest} at epoch ${e + 1 - esWait})`;
          break;
        }
      }
    }
  } catch (err) {
    // a callback threw (or the model was disposed): restore what restoreBest promises, pass it on
    if (!(err instanceof FitError) && restoreBest && bestParams) {
      try {
        model.parameters.setFlat(M, bestParams);
      } catch { /* disposed meanwhile: nothing to restore */ }
    }
    throw err;
  } finally {
    training.delete(model);
  }
  if (restoreBest && bestParams) model.parameters.setFlat(M, bestParams);
  return hist;
}
