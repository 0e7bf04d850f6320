// Batches of variable-length sequences for a model: validation of a data set against the model's
// config, and staging a batch (padded to its longest sequence) into the model's blocks.
import * as check from "../../core/check.js";
import { Blocks, f32, i32 } from "../../core/arena.js";
import { core } from "../../core/loader.js";
import { MODEL_CELLS, MODEL_CELL_TYPES } from "./cells.js";
import type { ModelCell } from "./cells.js";

/** Sequences of different lengths. x[i] is [len_i, inputSize] row-major (token models: [len_i]
 *  ids). Targets:
 *  readout "last":     mse → Float32Array [N·outputSize];  crossentropy → Int32Array [N] class ids
 *  readout "sequence": mse → Float32Array[] with [len_i·outputSize] each; crossentropy → Int32Array[] with [len_i] */
export interface SequenceData {
  /** The sequences: x[i] holds [len_i, inputSize] row-major, or for a token model (vocabSize) an
   *  Int32Array of len_i ids in 0..vocabSize−1. */
  x: Float32Array[] | Int32Array[];
  /** The targets (see above; absent for predict-only data). */
  y?: Float32Array | Int32Array | Float32Array[] | Int32Array[];
  /** Class id of each sequence, 0..n−1 (only with initialState { perClass: n }). */
  classes?: Int32Array;
  /** The time of every step of each sequence, [len_i], non-decreasing (cell "odegru" and
   *  timeGap models; irregularly sampled series). */
  times?: Float64Array[];
  /** Which features were observed, [len_i, inputSize] of 0/1 (inputMask models): the recurrent
   *  input is [x ⊙ mask, mask]; an odegru step with nothing observed leaves the state to the ODE. */
  mask?: Float32Array[];
  /** Readout "sequence": a weight per step of each sequence, [len_i], finite and >= 0. The loss
   *  becomes Σ w·ℓ / Σ w over the batch's steps (ℓ: a step's mean squared error over its outputs,
   *  or its cross-entropy), as `(w * loss(reduction="none")).sum() / w.sum()` in PyTorch; a step of
   *  weight 0 (a warm-up prefix, a missing target) adds exactly nothing to the loss or gradients,
   *  and is left out of the metrics. A batch whose weights are all 0 has loss 0. Default: all 1. */
  weights?: Float32Array[];
}

/** @internal What of a model's config the data must agree with. */
export interface DataSpec {
  inputSize: number;
  outputSize: number;
  readout: "last" | "sequence";
  loss: "mse" | "crossentropy";
  /** n for initialState { perClass: n }, else 0; and the initialState for messages. */
  perClass: number;
  initialState: unknown;
  /** Who reads data.times: "" nobody; "cell" the cell, which also gets, for every step, whether
   *  anything was observed there (Staged.times, Staged.observed); "timeGap" the time-gap input. */
  times: "" | "cell" | "timeGap";
  /** What it reads them for (messages). */
  timesFor: string;
  /** data.mask is needed; the time gap is an input. */
  inputMask: boolean;
  timeGap: boolean;
  /** Token models: ids in 0..vocabSize−1, one per step (0: float inputs). */
  vocabSize: number;
}

/** @internal The DataSpec of a model's settings. */
export function dataSpec(
  cfg: Omit<DataSpec, "perClass" | "times" | "timesFor" | "vocabSize"> & { cell: string; timeGap: boolean;
    vocabSize?: number },
): DataSpec {
  const perClass = typeof cfg.initialState === "object" && cfg.initialState !== null
    ? (cfg.initialState as { perClass: number }).perClass
    : 0;
  const why = MODEL_CELLS[cfg.cell as ModelCell].times;
  const times = why ? "cell" : cfg.timeGap ? "timeGap" : "";
  const timesFor = why
    ? `cell ${JSON.stringify(cfg.cell)} ${why}`
    : cfg.timeGap
    ? "timeGap feeds the gap since the previous step"
    : "";
  return { ...cfg, perClass, times, timesFor, vocabSize: cfg.vocabSize ?? 0 };
}

/** @internal The steps of a sequence: its ids (token models), or its rows of inputSize floats. */
export function stepsOf(spec: Pick<DataSpec, "inputSize" | "vocabSize">, x: Float32Array | Int32Array): number {
  return spec.vocabSize > 0 ? x.length : x.length / spec.inputSize;
}

/** Who may read data.times, for the message when a model reads none. */
const TIMES_READERS = [...MODEL_CELL_TYPES.filter((c) => MODEL_CELLS[c].times).map((c) => `cell ${JSON.stringify(c)}`),
  "timeGap models"].join(" and by ");

/** @internal Width of the recurrent input: the features, their mask, the time gap. */
export function recurrentInputSize(spec: Pick<DataSpec, "inputSize" | "inputMask" | "timeGap">): number {
  return spec.inputSize * (spec.inputMask ? 2 : 1) + (spec.timeGap ? 1 : 0);
}

/** @internal Validate a data set; returns the number of sequences. */
export function checkData(where: string, spec: DataSpec, data: SequenceData, needTargets: boolean): number {
  const d = check.object(where, "data", data);
  const V = spec.vocabSize;
  if (!Array.isArray(d.x)) {
    throw new TypeError(
      `${where}: data.x must be an array of ${
        V > 0 ? "Int32Array sequences of token ids" : "Float32Array sequences [len, inputSize]"
      }, got ${check.show(d.x)}`,
    );
  }
  const N = d.x.length, I = spec.inputSize, O = spec.outputSize;
  if (N === 0) throw new RangeError(`${where}: data.x is empty`);
  for (let i = 0; V > 0 && i < N; i++) checkIds(where, d.x[i], i, V);
  for (let i = 0; V === 0 && i < N; i++) {
    const x = d.x[i];
    if (!(x instanceof Float32Array)) {
      throw new TypeError(
        `${where}: data.x[${i}] must be a Float32Array [len, inputSize=${I}]${
          x instanceof Int32Array ? " (token ids need a model with vocabSize)" : ""
        }, got ${check.show(x)}`,
      );
    }
    if (x.length === 0 || x.length % I !== 0) {
      throw new RangeError(
        `${where}: data.x[${i}] has ${x.length} elements, not a positive multiple of inputSize=${I}${check.emptied(x)}`,
      );
    }
    // with a mask, a missing value may be anything (NaN too): checked where observed below
    check.f32(where, `data.x[${i}]`, x, x.length, `[len, ${I}]`, spec.inputMask ? "allow" : "reject");
  }
  checkTimesMask(where, spec, d, N);
  const cls = d.classes;
  if (spec.perClass > 0) {
    const n = spec.perClass;
    if (!(cls instanceof Int32Array) || cls.length !== N) {
      throw new TypeError(
        `${where}: data.classes must be an Int32Array of ${N} class ids in 0..${n - 1} (initialState perClass), got ${
          check.show(cls)
        }`,
      );
    }
    for (let i = 0; i < N; i++) {
      if (cls[i] < 0 || cls[i] >= n) {
        throw new RangeError(`${where}: data.classes[${i}] must be in 0..${n - 1}, got ${cls[i]}`);
      }
    }
  } else if (cls !== undefined) {
    throw new TypeError(
      `${where}: data.classes is only used with initialState { perClass: n }; this model's initialState is ${
        JSON.stringify(spec.initialState)
      }`,
    );
  }
  checkWeights(where, spec, d, N);
  if (!needTargets) return N;
  const y = d.y, ce = spec.loss === "crossentropy";
  const label = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 0 || v >= O) {
      throw new RangeError(`${where}: ${name} must be a class id in 0..${O - 1}, got ${v}`);
    }
  };
  if (spec.readout === "last") {
    if (ce) {
      if (!(y instanceof Int32Array) || y.length !== N) {
        throw new TypeError(`${where}: data.y must be an Int32Array of ${N} class ids, got ${check.show(y)}`);
      }
      for (let i = 0; i < N; i++) label(y[i], `data.y[${i}]`);
    } else {
      check.f32(where, "data.y", y, N * O, `[N=${N}, outputSize=${O}]`);
    }
  } else {
    if (!Array.isArray(y) || y.length !== N) {
      throw new TypeError(`${where}: data.y must be an array of ${N} per-step targets, got ${check.show(y)}`);
    }
    for (let i = 0; i < N; i++) {
      const len = stepsOf(spec, d.x[i]), yi = y[i];
      if (ce) {
        if (!(yi instanceof Int32Array) || yi.length !== len) {
          throw new TypeError(
            `${where}: data.y[${i}] must be an Int32Array of ${len} class ids (one per step), got ${check.show(yi)}`,
          );
        }
        for (let t = 0; t < len; t++) label(yi[t], `data.y[${i}][${t}]`);
      } else {
        check.f32(where, `data.y[${i}]`, yi, len * O, `[len=${len}, outputSize=${O}]`);
      }
    }
  }
  return N;
}

function checkWeights(where: string, spec: DataSpec, d: Record<string, unknown>, N: number): void {
  const w = d.weights;
  if (w === undefined) return;
  if (spec.readout !== "sequence") {
    throw new TypeError(
      `${where}: data.weights applies to readout "sequence" (one weight per step); this model's readout is ${
        JSON.stringify(spec.readout)
      }`,
    );
  }
  if (!Array.isArray(w) || w.length !== N) {
    throw new TypeError(
      `${where}: data.weights must be an array of ${N} Float32Array (one weight per step of each sequence), got ${
        check.show(w)
      }`,
    );
  }
  for (let i = 0; i < N; i++) {
    const wi = w[i], len = stepsOf(spec, (d.x as (Float32Array | Int32Array)[])[i]);
    if (!(wi instanceof Float32Array) || wi.length !== len) {
      throw new TypeError(
        `${where}: data.weights[${i}] must be a Float32Array of ${len} weights (one per step), got ${check.show(wi)}`,
      );
    }
    for (let t = 0; t < len; t++) {
      if (!(wi[t] >= 0 && wi[t] < Infinity)) {
        throw new RangeError(`${where}: data.weights[${i}][${t}] is ${wi[t]}; weights must be finite and >= 0`);
      }
    }
  }
}

/** The ids of sequence i of a token model: an Int32Array of at least one id, each in 0..V−1. */
function checkIds(where: string, x: unknown, i: number, V: number): void {
  if (!(x instanceof Int32Array)) {
    throw new TypeError(
      `${where}: data.x[${i}] must be an Int32Array of token ids in 0..${V - 1} (the model has vocabSize ${V})${
        x instanceof Float32Array ? "; float features need a model with inputSize" : ""
      }, got ${check.show(x)}`,
    );
  }
  if (x.length === 0) throw new RangeError(`${where}: data.x[${i}] is empty; a sequence needs at least one id`);
  for (let t = 0; t < x.length; t++) {
    if (x[t] < 0 || x[t] >= V) {
      throw new RangeError(`${where}: data.x[${i}][${t}] is ${x[t]}; ids must be in 0..${V - 1}`);
    }
  }
}

function checkTimesMask(where: string, spec: DataSpec, d: Record<string, unknown>, N: number): void {
  const xs = d.x as Float32Array[], I = spec.inputSize;
  if (spec.times) {
    const t = d.times;
    if (!Array.isArray(t) || t.length !== N) {
      throw new TypeError(
        `${where}: data.times must be an array of ${N} Float64Array (one time per step of each sequence; ${spec.timesFor}), got ${
          check.show(t)
        }`,
      );
    }
    for (let i = 0; i < N; i++) {
      const ti = t[i], len = xs[i].length / I;
      if (!(ti instanceof Float64Array) || ti.length !== len) {
        throw new TypeError(
          `${where}: data.times[${i}] must be a Float64Array of ${len} times (one per step), got ${check.show(ti)}`,
        );
      }
      for (let k = 0; k < len; k++) {
        if (!Number.isFinite(ti[k])) {
          throw new RangeError(`${where}: data.times[${i}][${k}] is ${ti[k]}; times must be finite`);
        }
        if (k > 0 && ti[k] < ti[k - 1]) {
          throw new RangeError(
            `${where}: data.times[${i}] must be non-decreasing, but times[${i}][${k}] = ${ti[k]} < times[${i}][${
              k - 1
            }] = ${ti[k - 1]}`,
          );
        }
      }
    }
  } else if (d.times !== undefined) {
    throw new TypeError(`${where}: data.times is only used by ${TIMES_READERS}; this model reads none`);
  }
  if (spec.inputMask) {
    const m = d.mask;
    if (!Array.isArray(m) || m.length !== N) {
      throw new TypeError(
        `${where}: data.mask must be an array of ${N} Float32Array [len, inputSize=${I}] of 0/1 (inputMask: 1 = observed), got ${
          check.show(m)
        }`,
      );
    }
    for (let i = 0; i < N; i++) {
      const mi = m[i];
      if (!(mi instanceof Float32Array) || mi.length !== xs[i].length) {
        throw new TypeError(
          `${where}: data.mask[${i}] must be a Float32Array of ${
            xs[i].length
          } elements [len, ${I}], like data.x[${i}], got ${check.show(mi)}`,
        );
      }
      for (let k = 0; k < mi.length; k++) {
        if (mi[k] !== 0 && mi[k] !== 1) {
          throw new RangeError(`${where}: data.mask[${i}][${k}] must be 0 (missing) or 1 (observed), got ${mi[k]}`);
        }
        if (mi[k] === 1 && !Number.isFinite(xs[i][k])) {
          throw new RangeError(
            `${where}: data.x[${i}][${k}] is ${
              xs[i][k]
            } where data.mask says observed; observed values must be finite (missing ones may be anything)`,
          );
        }
      }
    }
  } else if (d.mask !== undefined) {
    throw new TypeError(`${where}: data.mask is only used by models with inputMask: true`);
  }
}

/** @internal A staged batch: B sequences padded to T steps, and where they are. x is the recurrent
 *  input (features, then their mask and the time gap when the model takes them); times [B, T] f64
 *  and observed [B, T] i32 (any feature observed) for a cell that reads the times (DataSpec.times
 *  "cell": the ODE-RNN). */
export interface Staged {
  B: number;
  T: number;
  x: number;
  lengths: number;
  classes: number;
  target: number;
  mask: number;
  times: number;
  observed: number;
  /** Token models: the ids i32 [B, T] (0 past each length), to gather into x; 4 bytes of scratch
   *  for the gather's checks (0 for float models). */
  ids: number;
  bad: number;
}

/** @internal Batch size and padded length of the sequences idx. */
export function batchShape(spec: DataSpec, data: SequenceData, idx: ArrayLike<number>): { B: number; T: number } {
  let T = 1;
  for (let b = 0; b < idx.length; b++) T = Math.max(T, stepsOf(spec, data.x[idx[b]]));
  return { B: idx.length, T };
}

/** @internal Bytes of the staging blocks of a batch (reserve them with the pass's other blocks). */
export function stageBlocks(spec: DataSpec, B: number, T: number, data: SequenceData,
  withTargets: boolean): Record<string, number> {
  const I = recurrentInputSize(spec), O = spec.outputSize, seq = spec.readout === "sequence",
    ce = spec.loss === "crossentropy";
  const stepTimes = spec.times === "cell";
  return { x: 4 * B * T * I, ids: spec.vocabSize > 0 ? 4 * B * T : 0, bad: spec.vocabSize > 0 ? 4 : 0, lengths: 4 * B,
    classes: data.classes ? 4 * B : 0, times: stepTimes ? 8 * B * T : 0, observed: stepTimes ? 4 * B * T : 0,
    target: !withTargets ? 0 : 4 * B * (seq ? T : 1) * (ce ? 1 : O),
    mask: withTargets && seq && (!ce || data.weights !== undefined) ? 4 * B * T : 0 };
}

/** @internal Write the sequences idx (and targets) into blocks reserved with stageBlocks for the
 *  batch's shape B × T (batchShape). */
export function stage(spec: DataSpec, mem: Blocks, data: SequenceData, idx: ArrayLike<number>, withTargets: boolean,
  B: number, T: number): Staged {
  const I = spec.inputSize, O = spec.outputSize, IR = recurrentInputSize(spec), stepTimes = spec.times === "cell";
  const s: Staged = { B, T, x: mem.get("x"), lengths: mem.get("lengths"),
    classes: data.classes ? mem.get("classes") : 0, target: 0, mask: 0, times: stepTimes ? mem.get("times") : 0,
    observed: stepTimes ? mem.get("observed") : 0, ids: spec.vocabSize > 0 ? mem.get("ids") : 0,
    bad: spec.vocabSize > 0 ? mem.get("bad") : 0 };
  const xv = f32(s.x, B * T * IR), lv = i32(s.lengths, B);
  if (s.ids) {
    // x is left to the embedding's gather (the model's, with its table)
    const iv = i32(s.ids, B * T);
    iv.fill(0);
    for (let b = 0; b < B; b++) {
      iv.set(data.x[idx[b]] as Int32Array, b * T);
      lv[b] = data.x[idx[b]].length;
    }
  } else xv.fill(0);
  for (let b = 0; !s.ids && b < B; b++) {
    const q = data.x[idx[b]] as Float32Array, len = q.length / I;
    lv[b] = len;
    if (IR === I) {
      xv.set(q, b * T * I);
      continue;
    }
    // [x ⊙ m, m, Δt] per step; Δt: the time since the last step with an observation (0 before any)
    const m = spec.inputMask ? data.mask![idx[b]] : null, tt = spec.timeGap ? data.times![idx[b]] : null;
    let lastObs = -1;
    for (let k = 0; k < len; k++) {
      const o = (b * T + k) * IR;
      let any = m === null;
      for (let j = 0; j < I; j++) {
        const mj = m ? m[k * I + j] : 1;
        xv[o + j] = mj === 0 ? 0 : q[k * I + j];
        if (m) {
          xv[o + I + j] = mj;
          any ||= mj !== 0;
        }
      }
      if (tt) xv[o + IR - 1] = lastObs < 0 ? 0 : tt[k] - tt[lastObs];
      if (any) lastObs = k;
    }
  }
  if (stepTimes) {
    const tv = new Float64Array(core().memory.buffer, s.times, B * T), ov = i32(s.observed, B * T);
    tv.fill(0);
    ov.fill(0);
    for (let b = 0; b < B; b++) {
      const tt = data.times![idx[b]], m = spec.inputMask ? data.mask![idx[b]] : null;
      tv.set(tt, b * T);
      for (let k = 0; k < tt.length; k++) {
        let any = m === null;
        for (let j = 0; m && j < I && !any; j++) any = m[k * I + j] !== 0;
        ov[b * T + k] = any ? 1 : 0;
      }
    }
  }
  if (s.classes) {
    const cv = i32(s.classes, B);
    for (let b = 0; b < B; b++) cv[b] = data.classes![idx[b]];
  }
  if (!withTargets) return s;
  s.target = mem.get("target");
  const ce = spec.loss === "crossentropy";
  if (spec.readout === "last") {
    if (ce) {
      const tv = i32(s.target, B), y = data.y as Int32Array;
      for (let b = 0; b < B; b++) tv[b] = y[idx[b]];
    } else {
      const tv = f32(s.target, B * O), y = data.y as Float32Array;
      for (let b = 0; b < B; b++) tv.set(y.subarray(idx[b] * O, idx[b] * O + O), b * O);
    }
  } else if (ce) {
    const tv = i32(s.target, B * T), y = data.y as Int32Array[];
    tv.fill(-1); // padding rows are ignored by the loss
    for (let b = 0; b < B; b++) tv.set(y[idx[b]], b * T);
  } else {
    const tv = f32(s.target, B * T * O), y = data.y as Float32Array[];
    tv.fill(0);
    for (let b = 0; b < B; b++) tv.set(y[idx[b]], b * T * O);
    s.mask = mem.get("mask");
    if (!data.weights) core().mask_from_lengths(s.mask, s.lengths, B, T);
  }
  // the per-step weights are the loss's row weights (0 past each length)
  if (data.weights) {
    s.mask = mem.get("mask");
    const wv = f32(s.mask, B * T);
    wv.fill(0);
    for (let b = 0; b < B; b++) wv.set(data.weights[idx[b]], b * T);
  }
  return s;
}

/** The sequences (and targets) at idx, sharing the underlying arrays. */
export function subset(data: SequenceData, idx: number[]): SequenceData {
  const W = "subset";
  if (data === null || typeof data !== "object") {
    throw new TypeError(`${W}: data must be an object { x, y?, classes? }, got ${check.show(data)}`);
  }
  if (!Array.isArray(data.x)) {
    throw new TypeError(`${W}: data.x must be an array of sequences, got ${check.show(data.x)}`);
  }
  const N = data.x.length;
  if (!Array.isArray(idx)) {
    throw new TypeError(`${W}: idx must be an array of indices into data.x, got ${check.show(idx)}`);
  }
  idx.forEach((i, k) => {
    if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= N) {
      throw new RangeError(
        `${W}: idx[${k}] must be an index into data.x (${
          N === 0 ? "which is empty" : `an integer in 0..${N - 1}`
        }), got ${check.show(i)}`,
      );
    }
  });
  const out: SequenceData = { x: idx.map((i) => data.x[i]) as Float32Array[] | Int32Array[] };
  if (data.classes) out.classes = Int32Array.from(idx, (i) => data.classes![i]);
  if (data.times) out.times = idx.map((i) => data.times![i]);
  if (data.mask) out.mask = idx.map((i) => data.mask![i]);
  if (data.weights) out.weights = idx.map((i) => data.weights![i]);
  const y = data.y;
  if (y === undefined) return out;
  if (Array.isArray(y)) out.y = idx.map((i) => (y as Float32Array[])[i]) as Float32Array[];
  else if (y instanceof Int32Array) out.y = Int32Array.from(idx, (i) => y[i]);
  else {
    const O = y.length / data.x.length, yy = new Float32Array(idx.length * O);
    idx.forEach((i, k) => yy.set((y as Float32Array).subarray(i * O, i * O + O), k * O));
    out.y = yy;
  }
  return out;
}
