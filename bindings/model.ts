// A recurrent model: a recurrent stack (RNN, LSTM or GRU) + linear readout y = W_hy h + b_y, a
// loss, optional learned initial states, and a Keras-like fit(). All parameters share one flat
// block, so an optimizer step or a clip is one pass; the model's state_dict uses the names of a
// PyTorch module with attributes `rnn` (torch.nn.RNN/LSTM/GRU, batch_first=True), `readout`
// (torch.nn.Linear) and, for learned initial states, `h0` (and `c0` for LSTM).
import { checkInit } from "./init.js";
import type { InitOptions } from "./init.js";
import * as check from "./check.js";
import { Scratch, f32, i32, wasm } from "./loader.js";
import { Optimizer, Adam, SGD, Trainable, clipGradNorm } from "./optim.js";
import { Rng } from "./random.js";
import { CellType, Nonlinearity, RecurrentLayer, Storage, TensorSlot, makeLayer } from "./rnn.js";
import * as safetensors from "./safetensors.js";

export type Readout = "last" | "sequence";
export type Loss = "mse" | "crossentropy";
/** Initial state of the recurrence: zeros, one learned state (per layer and direction; for LSTM
 *  also the cell state), or a table of n learned states, one per class: each sequence picks its
 *  row by `data.classes` (e.g. a cell type or a patient group). */
export type InitialState = "zeros" | "learned" | { perClass: number };

export interface ModelConfig {
  /** Recurrent cell (default "rnn", Elman). */
  cell?: CellType;
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bidirectional?: boolean;
  nonlinearity?: Nonlinearity;
  /** Readout width: values to regress (mse) or number of classes (crossentropy). */
  outputSize: number;
  /** "last": one output per sequence, from the state at its end (bidirectional: forward state at
   *  the end ⧺ reverse state at the start, PyTorch's h_n); "sequence": one output per step. */
  readout?: Readout;
  loss?: Loss;
  /** Default "zeros". */
  initialState?: InitialState;
  seed?: number;
  /** Initialization of the recurrent layers (see InitOptions; default PyTorch's uniform). */
  init?: InitOptions;
  /** Gradient checkpointing (default false): O(√T) instead of O(T) activation memory for about
   *  one more forward pass of time; bitwise the same results. See LayerOptions.checkpoint. */
  checkpoint?: boolean;
}

/** Sequences of different lengths. x[i] is [len_i, inputSize] row-major. Targets:
 *  readout "last":     mse → Float32Array [N·outputSize];  crossentropy → Int32Array [N] class ids
 *  readout "sequence": mse → Float32Array[] with [len_i·outputSize] each; crossentropy → Int32Array[] with [len_i] */
export interface SequenceData {
  x: Float32Array[];
  y?: Float32Array | Int32Array | Float32Array[] | Int32Array[];
  /** Class id of each sequence, 0..n−1 (only with initialState { perClass: n }). */
  classes?: Int32Array;
}

export interface Logs {
  loss: number; rmse?: number; accuracy?: number; valLoss?: number; valRmse?: number; valAccuracy?: number;
  /** Batch: the global gradient norm before clipping (as clip_grad_norm_ returns it). Epoch: its mean. */
  gradNorm?: number;
  /** Batch: whether clipNorm scaled the gradients. */
  clipped?: boolean;
  /** Epoch: the largest pre-clip norm and how many batches were clipped. */
  gradNormMax?: number;
  clippedBatches?: number;
  seconds?: number;
}
export interface History {
  epoch: number[]; loss: number[]; valLoss: number[]; metric: string; train: number[]; val: number[]; bestEpoch: number;
  /** Per epoch: mean and largest pre-clip global gradient norm, and the number of clipped batches. */
  gradNorm: number[]; gradNormMax: number[]; clippedBatches: number[];
}

/** What Model.gradientFlow returns. Time order: t = 0 is the state after the first input (the
 *  reverse direction too); steps past a sequence's length are zero. */
export interface GradientFlow {
  loss: number;
  /** T (the longest sequence) and B (the batch), L·D (layers × directions). */
  steps: number; batch: number; layersDirections: number;
  /** ‖∂L/∂h_t‖ over the batch and the hidden units, [L·D, T]. */
  stepNorms: Float32Array;
  /** ‖∂L/∂h_t‖ per sequence, [L·D, T, B]. */
  seqNorms: Float32Array;
  /** ∂L/∂h_t itself, [L·D, T, B, H]. */
  dh: Float32Array;
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** An optimizer instance, or "adam" (default) / "sgd" with `learningRate`. */
  optimizer?: Optimizer | "adam" | "sgd";
  learningRate?: number;
  /** Global-norm gradient clipping threshold (default: none). */
  clipNorm?: number;
  /** Truncated BPTT(k) (default: full BPTT). */
  truncate?: number;
  /** Seed of the shuffling and of the validation split (default 0). */
  seed?: number;
  shuffle?: boolean;
  /** Fraction of `data` held out for validation (default 0), taken after a seeded shuffle. */
  validationSplit?: number;
  validationData?: SequenceData;
  /** Keep the weights of the epoch with the lowest validation loss (default false). */
  restoreBest?: boolean;
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: Logs) => void;
}

const W = "Model";

export class Model implements Trainable {
  readonly config: Required<ModelConfig>;
  readonly rnn: RecurrentLayer;
  readonly numParams: number;
  private storage: Storage | null;
  private readonly rnnParams: number;
  private readonly featSize: number;
  /** Rows of the learned initial-state table (0: zeros). */
  private readonly stateRows: number;
  /** Offset (floats) of the h0 table; the c0 table (LSTM) follows it. */
  private readonly stateOffset: number;
  private clsBuf = new Scratch(); private h0Buf = new Scratch(); private c0Buf = new Scratch();
  private dhsBuf = new Scratch(); private normBuf = new Scratch();
  private states = new Map<string, number>();
  private xBuf = new Scratch(); private lenBuf = new Scratch(); private featBuf = new Scratch();
  private predBuf = new Scratch(); private tgtBuf = new Scratch(); private maskBuf = new Scratch();
  private dpredBuf = new Scratch(); private dfeatBuf = new Scratch(); private dhnBuf = new Scratch();
  private wtBuf = new Scratch();

  constructor(config: ModelConfig) {
    const o = check.object(W, "config", config);
    check.known(W, o, ["cell", "inputSize", "hiddenSize", "numLayers", "bidirectional", "nonlinearity", "outputSize", "readout", "loss", "initialState", "seed", "init", "checkpoint"]);
    const cell = check.oneOf(W, "cell", o.cell ?? "rnn", ["rnn", "lstm", "gru"] as const);
    // LSTM and GRU gates are fixed; "tanh" (what a saved config holds) is accepted as a no-op
    if (cell !== "rnn" && o.nonlinearity !== undefined && o.nonlinearity !== "tanh") throw new TypeError(`${W}: nonlinearity applies only to cell "rnn", got ${check.show(o.nonlinearity)} with cell ${JSON.stringify(cell)}`);
    let initialState: InitialState = "zeros";
    if (o.initialState === "zeros" || o.initialState === "learned" || o.initialState === undefined) initialState = (o.initialState as InitialState) ?? "zeros";
    else if (typeof o.initialState === "object" && o.initialState !== null && !Array.isArray(o.initialState)) {
      const is = o.initialState as Record<string, unknown>;
      check.known(W + " initialState", is, ["perClass"]);
      initialState = { perClass: check.int(W, "initialState.perClass", is.perClass, 1, 1 << 20) };
    } else throw new TypeError(`${W}: initialState must be "zeros", "learned" or { perClass: n }, got ${check.show(o.initialState)}`);
    const cfg: Required<ModelConfig> = {
      cell,
      inputSize: check.int(W, "inputSize", o.inputSize, 1, 1 << 20),
      hiddenSize: check.int(W, "hiddenSize", o.hiddenSize, 1, 1 << 20),
      numLayers: check.int(W, "numLayers", o.numLayers ?? 1, 1, 64),
      bidirectional: check.bool(W, "bidirectional", o.bidirectional ?? false),
      nonlinearity: check.oneOf(W, "nonlinearity", o.nonlinearity ?? "tanh", ["tanh", "relu", "linear"] as const),
      outputSize: check.int(W, "outputSize", o.outputSize, 1, 1 << 20),
      readout: check.oneOf(W, "readout", o.readout ?? "last", ["last", "sequence"] as const),
      loss: check.oneOf(W, "loss", o.loss ?? "mse", ["mse", "crossentropy"] as const),
      initialState,
      seed: check.int(W, "seed", o.seed ?? 0, 0, 0xffffffff),
      init: checkInit(W, o.init),
      checkpoint: check.bool(W, "checkpoint", o.checkpoint ?? false),
    };
    if (cfg.loss === "crossentropy" && cfg.outputSize < 2) throw new RangeError(`${W}: crossentropy needs outputSize >= 2 classes, got ${cfg.outputSize}`);
    this.config = cfg;
    const c = wasm();
    const D = cfg.bidirectional ? 2 : 1;
    this.featSize = D * cfg.hiddenSize;
    const cellCode = cell === "lstm" ? 2 : cell === "gru" ? 3 : 0; // the parameter count depends only on the gates
    this.rnnParams = c.rnn_param_count(cellCode, cfg.inputSize, cfg.hiddenSize, cfg.numLayers, D);
    this.stateRows = initialState === "zeros" ? 0 : initialState === "learned" ? 1 : initialState.perClass;
    this.stateOffset = this.rnnParams + cfg.outputSize * this.featSize + cfg.outputSize;
    const stateSize = this.stateRows * cfg.numLayers * D * cfg.hiddenSize * (cell === "lstm" ? 2 : 1);
    this.numParams = this.stateOffset + stateSize;
    const params = c.alloc(4 * this.numParams), grads = c.alloc(4 * this.numParams);
    this.storage = { params, grads, owned: true };
    this.rnn = makeLayer(cell, {
      inputSize: cfg.inputSize, hiddenSize: cfg.hiddenSize, numLayers: cfg.numLayers,
      bidirectional: cfg.bidirectional, seed: cfg.seed, init: cfg.init, checkpoint: cfg.checkpoint, ...(cell === "rnn" ? { nonlinearity: cfg.nonlinearity } : {}),
    }, { params, grads, owned: false });
    // readout: PyTorch nn.Linear default init U(−1/√F, 1/√F); learned initial states start at zero
    const rng = new Rng((cfg.seed ^ 0x5bd1e995) >>> 0);
    const k = 1 / Math.sqrt(this.featSize);
    const v = f32(params + 4 * this.rnnParams, this.stateOffset - this.rnnParams);
    for (let i = 0; i < v.length; i++) v[i] = (2 * rng.uniform() - 1) * k;
  }

  /** Floats in one initial-state table (h0 or c0): rows × L·D × H. */
  private get stateTable(): number {
    return this.stateRows * this.config.numLayers * (this.config.bidirectional ? 2 : 1) * this.config.hiddenSize;
  }

  private live(method: string): Storage {
    if (!this.storage) throw new Error(`recurrent-wasm: Model.${method}() called after dispose()`);
    return this.storage;
  }
  /** Gradient checkpointing for the next passes (ModelConfig.checkpoint). */
  get checkpoint(): boolean { return this.config.checkpoint; }
  set checkpoint(on: boolean) {
    this.rnn.checkpoint = on; // validates
    (this.config as { checkpoint: boolean }).checkpoint = on;
  }
  paramsPtr(): number { return this.live("paramsPtr").params; }
  gradsPtr(): number { return this.live("gradsPtr").grads; }
  stateBlock(key: string): number {
    let p = this.states.get(key);
    if (p === undefined) { p = wasm().alloc(4 * this.numParams); this.states.set(key, p); }
    return p;
  }

  /** Names, shapes and offsets of all parameters ("rnn.weight_ih_l0", …, "readout.weight", "readout.bias"). */
  parameterSlots(): TensorSlot[] {
    const F = this.featSize, O = this.config.outputSize;
    const slots: TensorSlot[] = [
      ...this.rnn.parameterSlots().map((s) => ({ ...s, name: "rnn." + s.name })),
      { name: "readout.weight", shape: [O, F], offset: this.rnnParams, size: O * F },
      { name: "readout.bias", shape: [O], offset: this.rnnParams + O * F, size: O },
    ];
    if (this.stateRows > 0) {
      const LD = this.config.numLayers * (this.config.bidirectional ? 2 : 1), H = this.config.hiddenSize;
      const shape = this.config.initialState === "learned" ? [LD, H] : [this.stateRows, LD, H];
      slots.push({ name: "h0", shape, offset: this.stateOffset, size: this.stateTable });
      if (this.config.cell === "lstm") slots.push({ name: "c0", shape, offset: this.stateOffset + this.stateTable, size: this.stateTable });
    }
    return slots;
  }

  stateDict(): Record<string, Float32Array> {
    const p = this.live("stateDict").params;
    const out: Record<string, Float32Array> = {};
    for (const s of this.parameterSlots()) out[s.name] = f32(p + 4 * s.offset, s.size).slice();
    return out;
  }

  loadStateDict(dict: Record<string, Float32Array>): void {
    const M = "Model.loadStateDict";
    const p = this.live("loadStateDict").params;
    const d = check.object(M, "dict", dict);
    const slots = this.parameterSlots();
    for (const s of slots) {
      if (!(s.name in d)) throw new RangeError(`${M}: missing tensor ${JSON.stringify(s.name)} [${s.shape.join(", ")}]`);
      check.f32(M, s.name, d[s.name], s.size, `[${s.shape.join(", ")}]`);
    }
    for (const k of Object.keys(d)) if (!slots.some((s) => s.name === k)) throw new RangeError(`${M}: unexpected tensor ${JSON.stringify(k)}`);
    for (const s of slots) f32(p + 4 * s.offset, s.size).set(d[s.name] as Float32Array);
  }

  zeroGrad(): void { f32(this.live("zeroGrad").grads, this.numParams).fill(0); }

  grads(): Record<string, Float32Array> {
    const g = this.live("grads").grads;
    const out: Record<string, Float32Array> = {};
    for (const s of this.parameterSlots()) out[s.name] = f32(g + 4 * s.offset, s.size).slice();
    return out;
  }

  // ---- batches ---------------------------------------------------------------------------------

  /** Validate a data set against the model; returns the number of sequences. */
  private checkData(where: string, data: SequenceData, needTargets: boolean): number {
    const d = check.object(where, "data", data);
    if (!Array.isArray(d.x)) throw new TypeError(`${where}: data.x must be an array of Float32Array sequences [len, inputSize], got ${check.show(d.x)}`);
    const N = d.x.length, I = this.config.inputSize, O = this.config.outputSize;
    if (N === 0) throw new RangeError(`${where}: data.x is empty`);
    for (let i = 0; i < N; i++) {
      const x = d.x[i];
      if (!(x instanceof Float32Array)) throw new TypeError(`${where}: data.x[${i}] must be a Float32Array [len, inputSize=${I}], got ${check.show(x)}`);
      if (x.length === 0 || x.length % I !== 0) throw new RangeError(`${where}: data.x[${i}] has ${x.length} elements, not a positive multiple of inputSize=${I}`);
      check.f32(where, `data.x[${i}]`, x, x.length, `[len, ${I}]`);
    }
    const cls = d.classes;
    if (typeof this.config.initialState === "object") {
      const n = this.config.initialState.perClass;
      if (!(cls instanceof Int32Array) || cls.length !== N) throw new TypeError(`${where}: data.classes must be an Int32Array of ${N} class ids in 0..${n - 1} (initialState perClass), got ${check.show(cls)}`);
      for (let i = 0; i < N; i++) if (cls[i] < 0 || cls[i] >= n) throw new RangeError(`${where}: data.classes[${i}] must be in 0..${n - 1}, got ${cls[i]}`);
    } else if (cls !== undefined) {
      throw new TypeError(`${where}: data.classes is only used with initialState { perClass: n }; this model's initialState is ${JSON.stringify(this.config.initialState)}`);
    }
    if (!needTargets) return N;
    const y = d.y, ce = this.config.loss === "crossentropy";
    const label = (v: number, name: string) => {
      if (!Number.isInteger(v) || v < 0 || v >= O) throw new RangeError(`${where}: ${name} must be a class id in 0..${O - 1}, got ${v}`);
    };
    if (this.config.readout === "last") {
      if (ce) {
        if (!(y instanceof Int32Array) || y.length !== N) throw new TypeError(`${where}: data.y must be an Int32Array of ${N} class ids, got ${check.show(y)}`);
        for (let i = 0; i < N; i++) label(y[i], `data.y[${i}]`);
      } else {
        check.f32(where, "data.y", y, N * O, `[N=${N}, outputSize=${O}]`);
      }
    } else {
      if (!Array.isArray(y) || y.length !== N) throw new TypeError(`${where}: data.y must be an array of ${N} per-step targets, got ${check.show(y)}`);
      for (let i = 0; i < N; i++) {
        const len = d.x[i].length / I, yi = y[i];
        if (ce) {
          if (!(yi instanceof Int32Array) || yi.length !== len) throw new TypeError(`${where}: data.y[${i}] must be an Int32Array of ${len} class ids (one per step), got ${check.show(yi)}`);
          for (let t = 0; t < len; t++) label(yi[t], `data.y[${i}][${t}]`);
        } else {
          check.f32(where, `data.y[${i}]`, yi, len * O, `[len=${len}, outputSize=${O}]`);
        }
      }
    }
    return N;
  }

  /** Write the sequences idx into WASM memory padded to the longest; returns B, T, pointers. */
  private stage(data: SequenceData, idx: ArrayLike<number>, withTargets: boolean) {
    const I = this.config.inputSize, O = this.config.outputSize, B = idx.length;
    let T = 1;
    for (let b = 0; b < B; b++) T = Math.max(T, data.x[idx[b]].length / I);
    const xp = this.xBuf.ensure(4 * B * T * I), lp = this.lenBuf.ensure(4 * B);
    const xv = f32(xp, B * T * I), lv = i32(lp, B);
    xv.fill(0);
    for (let b = 0; b < B; b++) {
      const s = data.x[idx[b]];
      xv.set(s, b * T * I);
      lv[b] = s.length / I;
    }
    let cp = 0;
    if (data.classes) {
      cp = this.clsBuf.ensure(4 * B);
      const cv = i32(cp, B);
      for (let b = 0; b < B; b++) cv[b] = data.classes[idx[b]];
    }
    let tp = 0, mp = 0;
    if (withTargets) {
      const ce = this.config.loss === "crossentropy";
      if (this.config.readout === "last") {
        if (ce) {
          tp = this.tgtBuf.ensure(4 * B);
          const tv = i32(tp, B), y = data.y as Int32Array;
          for (let b = 0; b < B; b++) tv[b] = y[idx[b]];
        } else {
          tp = this.tgtBuf.ensure(4 * B * O);
          const tv = f32(tp, B * O), y = data.y as Float32Array;
          for (let b = 0; b < B; b++) tv.set(y.subarray(idx[b] * O, idx[b] * O + O), b * O);
        }
      } else if (ce) {
        tp = this.tgtBuf.ensure(4 * B * T);
        const tv = i32(tp, B * T), y = data.y as Int32Array[];
        tv.fill(-1); // padding rows are ignored by the loss
        for (let b = 0; b < B; b++) tv.set(y[idx[b]], b * T);
      } else {
        tp = this.tgtBuf.ensure(4 * B * T * O);
        const tv = f32(tp, B * T * O), y = data.y as Float32Array[];
        tv.fill(0);
        for (let b = 0; b < B; b++) tv.set(y[idx[b]], b * T * O);
        mp = this.maskBuf.ensure(4 * B * T);
        wasm().mask_from_lengths(mp, lp, B, T);
      }
    }
    return { B, T, xp, lp, tp, mp, cp };
  }

  /** Forward from staged pointers; returns the prediction pointer ([B,O] or [B·T,O]) and rows. */
  private forwardStaged(B: number, T: number, xp: number, lp: number, cp: number): { pred: number; rows: number; feat: number } {
    const st = this.live("forward"), c = wasm(), cfg = this.config;
    const H = cfg.hiddenSize, D = cfg.bidirectional ? 2 : 1, L = cfg.numLayers, F = this.featSize, O = cfg.outputSize;
    let h0 = 0, c0 = 0;
    if (this.stateRows > 0) {
      const LD = L * D, tab = st.params + 4 * this.stateOffset;
      h0 = this.h0Buf.ensure(4 * LD * B * H);
      c.init_state_gather(h0, tab, cp, B, LD, H);
      if (cfg.cell === "lstm") {
        c0 = this.c0Buf.ensure(4 * LD * B * H);
        c.init_state_gather(c0, tab + 4 * this.stateTable, cp, B, LD, H);
      }
    }
    const { out, hn } = this.rnn.forwardPtr(st, B, T, xp, lp, h0, c0);
    let feat: number, rows: number;
    if (cfg.readout === "last") {
      rows = B;
      feat = this.featBuf.ensure(4 * B * F);
      for (let d = 0; d < D; d++) c.copy2d_f32(B, H, hn + 4 * ((L - 1) * D + d) * B * H, H, feat + 4 * d * H, F);
    } else {
      rows = B * T;
      feat = out;
    }
    const pred = this.predBuf.ensure(4 * rows * O);
    const w = st.params + 4 * this.rnnParams;
    c.linear_forward(rows, F, O, feat, w, w + 4 * O * F, pred, this.wtBuf.ensure(4 * O * F));
    return { pred, rows, feat };
  }

  /** Loss of a staged batch; with `backward`, also accumulates gradients into grads(). */
  private lossStaged(s: ReturnType<Model["stage"]>, backward: boolean, truncate: number): { loss: number; sq: number; correct: number; count: number } {
    const c = wasm(), cfg = this.config, st = this.live("train");
    const H = cfg.hiddenSize, D = cfg.bidirectional ? 2 : 1, L = cfg.numLayers, F = this.featSize, O = cfg.outputSize;
    const { pred, rows, feat } = this.forwardStaged(s.B, s.T, s.xp, s.lp, s.cp);
    const dpred = backward ? this.dpredBuf.ensure(4 * rows * O) : 0;
    const loss = cfg.loss === "mse"
      ? c.mse_loss(rows, O, pred, s.tp, s.mp, dpred)
      : c.softmax_ce_loss(rows, O, pred, s.tp, 0, dpred);
    // metrics for reporting (sum of squared errors / correct predictions over the valid rows)
    let sq = 0, correct = 0, count = 0;
    const pv = f32(pred, rows * O);
    if (cfg.loss === "mse") {
      const tv = f32(s.tp, rows * O), mv = s.mp ? f32(s.mp, rows) : null;
      for (let r = 0; r < rows; r++) {
        if (mv && mv[r] === 0) continue;
        count++;
        for (let j = 0; j < O; j++) { const e = pv[r * O + j] - tv[r * O + j]; sq += e * e; }
      }
    } else {
      const tv = i32(s.tp, rows);
      for (let r = 0; r < rows; r++) {
        if (tv[r] < 0) continue;
        count++;
        let arg = 0;
        for (let j = 1; j < O; j++) if (pv[r * O + j] > pv[r * O + arg]) arg = j;
        if (arg === tv[r]) correct++;
      }
    }
    if (backward) {
      const w = st.params + 4 * this.rnnParams, gw = st.grads + 4 * this.rnnParams;
      if (cfg.readout === "last") {
        const dfeat = this.dfeatBuf.ensure(4 * rows * F);
        c.linear_backward(rows, F, O, feat, w, dpred, gw, gw + 4 * O * F, dfeat);
        const LD = L * D;
        const dhn = this.dhnBuf.ensure(4 * LD * s.B * H);
        f32(dhn, LD * s.B * H).fill(0);
        for (let d = 0; d < D; d++) c.copy2d_f32(s.B, H, dfeat + 4 * d * H, F, dhn + 4 * ((L - 1) * D + d) * s.B * H, H);
        this.backwardState(st, this.rnn.backwardPtr(st, 0, dhn, false, truncate, 0, this.stateRows > 0, this.recordDh), s.B, s.cp);
      } else {
        const dout = this.dfeatBuf.ensure(4 * rows * F);
        c.linear_backward(rows, F, O, feat, w, dpred, gw, gw + 4 * O * F, dout);
        this.backwardState(st, this.rnn.backwardPtr(st, dout, 0, false, truncate, 0, this.stateRows > 0, this.recordDh), s.B, s.cp);
      }
    }
    return { loss, sq, correct, count };
  }

  /** ∂L/∂h0 (and ∂L/∂c0) of the batch into the gradient of the learned initial-state table. */
  private backwardState(st: Storage, d: { dh0: number; dc0: number }, B: number, cp: number): void {
    if (this.stateRows === 0) return;
    const c = wasm(), LD = this.config.numLayers * (this.config.bidirectional ? 2 : 1), H = this.config.hiddenSize;
    const g = st.grads + 4 * this.stateOffset;
    c.init_state_scatter_add(g, d.dh0, cp, B, LD, H);
    if (this.config.cell === "lstm") c.init_state_scatter_add(g + 4 * this.stateTable, d.dc0, cp, B, LD, H);
  }

  /** Predictions for a list of sequences: Float32Array [N·O] (readout "last", raw logits for
   *  crossentropy) or one Float32Array [len_i·O] per sequence (readout "sequence"). */
  predict(x: Float32Array[], options: { batchSize?: number; classes?: Int32Array } = {}): Float32Array | Float32Array[] {
    const M = "Model.predict";
    this.live("predict");
    const o = check.object(M, "options", options);
    check.known(M, o, ["batchSize", "classes"]);
    const data: SequenceData = o.classes === undefined ? { x } : { x, classes: o.classes as Int32Array };
    const N = this.checkData(M, data, false);
    const bs = check.int(M, "batchSize", o.batchSize ?? 128, 1);
    const O = this.config.outputSize, I = this.config.inputSize;
    const last = this.config.readout === "last";
    const flat = new Float32Array(last ? N * O : 0);
    const seqs: Float32Array[] = [];
    for (let i0 = 0; i0 < N; i0 += bs) {
      const idx = Array.from({ length: Math.min(bs, N - i0) }, (_, k) => i0 + k);
      const s = this.stage(data, idx, false);
      const { pred } = this.forwardStaged(s.B, s.T, s.xp, s.lp, s.cp);
      if (last) flat.set(f32(pred, s.B * O), i0 * O);
      else for (let b = 0; b < s.B; b++) seqs.push(f32(pred + 4 * b * s.T * O, (x[idx[b]].length / I) * O).slice());
    }
    return last ? flat : seqs;
  }

  /** Mean loss and metric (rmse for mse, accuracy for crossentropy) over a data set. */
  evaluate(data: SequenceData, options: { batchSize?: number } = {}): Logs {
    const M = "Model.evaluate";
    this.live("evaluate");
    const N = this.checkData(M, data, true);
    const bs = check.int(M, "batchSize", options.batchSize ?? 128, 1);
    return this.evalChecked(data, N, bs);
  }

  private evalChecked(data: SequenceData, N: number, bs: number): Logs {
    let lossSum = 0, sq = 0, correct = 0, count = 0;
    for (let i0 = 0; i0 < N; i0 += bs) {
      const idx = Array.from({ length: Math.min(bs, N - i0) }, (_, k) => i0 + k);
      const r = this.lossStaged(this.stage(data, idx, true), false, 0);
      lossSum += r.loss * r.count; sq += r.sq; correct += r.correct; count += r.count;
    }
    const logs: Logs = { loss: lossSum / count };
    if (this.config.loss === "mse") logs.rmse = Math.sqrt(sq / (count * this.config.outputSize));
    else logs.accuracy = correct / count;
    return logs;
  }

  /** Zero the gradients, then run forward, loss and BPTT on a batch of sequences, leaving
   *  ∂loss/∂parameter in grads(). Returns the loss. The weights are not changed. */
  computeGradients(data: SequenceData, options: { truncate?: number } = {}): number {
    const M = "Model.computeGradients";
    this.live("computeGradients");
    this.checkData(M, data, true);
    const o = check.object(M, "options", options);
    check.known(M, o, ["truncate"]);
    const k = o.truncate === undefined ? 0 : check.int(M, "truncate", o.truncate, 1);
    this.zeroGrad();
    return this.lossStaged(this.stage(data, Array.from({ length: data.x.length }, (_, i) => i), true), true, k).loss;
  }

  /** Gradient-flow diagnostics for a batch: like computeGradients (zeroes the gradients, runs
   *  forward, loss and BPTT, leaves ∂loss/∂parameter in grads(), weights unchanged), and returns
   *  the total ∂loss/∂h_t of every layer and direction at every step t, with its norms. */
  gradientFlow(data: SequenceData, options: { truncate?: number } = {}): GradientFlow {
    const M = "Model.gradientFlow";
    this.live("gradientFlow");
    const N = this.checkData(M, data, true);
    const o = check.object(M, "options", options);
    check.known(M, o, ["truncate"]);
    const k = o.truncate === undefined ? 0 : check.int(M, "truncate", o.truncate, 1);
    const cfg = this.config, H = cfg.hiddenSize, LD = cfg.numLayers * (cfg.bidirectional ? 2 : 1);
    this.zeroGrad();
    const s = this.stage(data, Array.from({ length: N }, (_, i) => i), true);
    const T = s.T, B = s.B, c = wasm();
    const dhs = this.dhsBuf.ensure(4 * LD * T * B * H);
    this.recordDh = dhs;
    let loss: number;
    try { loss = this.lossStaged(s, true, k).loss; } finally { this.recordDh = 0; }
    const norms = this.normBuf.ensure(4 * LD * T * (B + 1));
    c.row_norms_f32(LD * T, B * H, dhs, B * H, norms);
    c.row_norms_f32(LD * T * B, H, dhs, H, norms + 4 * LD * T);
    return {
      loss, steps: T, batch: B, layersDirections: LD,
      stepNorms: f32(norms, LD * T).slice(),
      seqNorms: f32(norms + 4 * LD * T, LD * T * B).slice(),
      dh: f32(dhs, LD * T * B * H).slice(),
    };
  }
  private recordDh = 0;

  /** One optimization step on a batch of sequences: zero grads, forward, loss, BPTT, clip, step. */
  trainBatch(data: SequenceData, optimizer: Optimizer, options: { clipNorm?: number; truncate?: number } = {}): Logs {
    const M = "Model.trainBatch";
    this.live("trainBatch");
    this.checkData(M, data, true);
    const clip = options.clipNorm === undefined ? 0 : check.num(M, "clipNorm", options.clipNorm, 0, Infinity, true);
    const k = options.truncate === undefined ? 0 : check.int(M, "truncate", options.truncate, 1);
    if (!optimizer || typeof optimizer.step !== "function") throw new TypeError(`${M}: optimizer must be an Adam or SGD instance, got ${check.show(optimizer)}`);
    const { loss, gradNorm, clipped } = this.stepChecked(data, Array.from({ length: data.x.length }, (_, i) => i), optimizer, clip, k);
    return { loss, gradNorm, clipped };
  }

  private stepChecked(data: SequenceData, idx: ArrayLike<number>, opt: Optimizer, clip: number, k: number): Logs & { sq: number; correct: number; count: number } {
    this.zeroGrad();
    const r = this.lossStaged(this.stage(data, idx, true), true, k);
    // the pre-clip global norm, always (one pass over the gradient block)
    const gradNorm = clip > 0 ? clipGradNorm(this, clip) : Math.sqrt(wasm().sumsq_f64_wasmsimd(this.numParams, this.gradsPtr()));
    // a non-finite loss leaves the weights as they were (fit reports it)
    if (Number.isFinite(r.loss)) opt.step(this);
    return { loss: r.loss, sq: r.sq, correct: r.correct, count: r.count, gradNorm, clipped: clip > 0 && gradNorm > clip };
  }

  /** Train on sequences (Keras-like). Shuffles with a seed, optionally holds out a validation
   *  split, reports progress through callbacks, and yields to the event loop so a page stays
   *  responsive. Resolves to the history of losses and metrics per epoch. */
  async fit(data: SequenceData, options: FitOptions = {}): Promise<History> {
    const M = "Model.fit";
    this.live("fit");
    const o = check.object(M, "options", options);
    check.known(M, o, ["epochs", "batchSize", "optimizer", "learningRate", "clipNorm", "truncate", "seed", "shuffle", "validationSplit", "validationData", "restoreBest", "onEpochEnd", "onBatchEnd"]);
    const N = this.checkData(M, data, true);
    const epochs = check.int(M, "epochs", o.epochs ?? 10, 1);
    const bs = check.int(M, "batchSize", o.batchSize ?? 32, 1);
    const clip = o.clipNorm === undefined ? 0 : check.num(M, "clipNorm", o.clipNorm, 0, Infinity, true);
    const k = o.truncate === undefined ? 0 : check.int(M, "truncate", o.truncate, 1);
    const seed = check.int(M, "seed", o.seed ?? 0, 0, 0xffffffff);
    const shuffle = check.bool(M, "shuffle", o.shuffle ?? true);
    const split = check.num(M, "validationSplit", o.validationSplit ?? 0, 0, 0.9);
    const restoreBest = check.bool(M, "restoreBest", o.restoreBest ?? false);
    for (const cb of ["onEpochEnd", "onBatchEnd"] as const) {
      if (o[cb] !== undefined && typeof o[cb] !== "function") throw new TypeError(`${M}: ${cb} must be a function, got ${check.show(o[cb])}`);
    }
    let opt: Optimizer;
    if (o.optimizer === undefined || o.optimizer === "adam") opt = new Adam(o.learningRate === undefined ? {} : { learningRate: o.learningRate as number });
    else if (o.optimizer === "sgd") opt = new SGD(o.learningRate === undefined ? {} : { learningRate: o.learningRate as number });
    else if (typeof o.optimizer === "object" && o.optimizer !== null && typeof (o.optimizer as Optimizer).step === "function") opt = o.optimizer as Optimizer;
    else throw new TypeError(`${M}: optimizer must be "adam", "sgd" or an optimizer instance, got ${check.show(o.optimizer)}`);
    const rng = new Rng(seed);
    let trainIdx = Array.from({ length: N }, (_, i) => i);
    let valData: SequenceData | null = null, valN = 0;
    if (o.validationData !== undefined) {
      valData = o.validationData as SequenceData;
      valN = this.checkData(M + " (validationData)", valData, true);
    } else if (split > 0) {
      rng.shuffle(trainIdx);
      const nv = Math.max(1, Math.round(N * split));
      if (nv >= N) throw new RangeError(`${M}: validationSplit ${split} leaves no training data`);
      const vIdx = trainIdx.slice(0, nv);
      trainIdx = trainIdx.slice(nv);
      valData = subset(data, vIdx);
      valN = nv;
    }
    const metric = this.config.loss === "mse" ? "rmse" : "accuracy";
    const hist: History = { epoch: [], loss: [], valLoss: [], metric, train: [], val: [], bestEpoch: -1, gradNorm: [], gradNormMax: [], clippedBatches: [] };
    let best = Infinity, bestParams: Float32Array | null = null;
    let lastYield = Date.now();
    for (let e = 0; e < epochs; e++) {
      const t0 = Date.now();
      if (shuffle) rng.shuffle(trainIdx);
      let lossSum = 0, n = 0, sq = 0, correct = 0, count = 0, gnSum = 0, gnMax = 0, clipped = 0;
      const nb = Math.ceil(trainIdx.length / bs);
      for (let bi = 0; bi < nb; bi++) {
        const idx = trainIdx.slice(bi * bs, (bi + 1) * bs);
        const logs = this.stepChecked(data, idx, opt, clip, k);
        if (!Number.isFinite(logs.loss)) throw new Error(`${M}: loss became ${logs.loss} at epoch ${e + 1}, batch ${bi + 1}; lower the learning rate or set clipNorm`);
        lossSum += logs.loss * idx.length; n += idx.length;
        sq += logs.sq; correct += logs.correct; count += logs.count;
        gnSum += logs.gradNorm!; gnMax = Math.max(gnMax, logs.gradNorm!); if (logs.clipped) clipped++;
        (o.onBatchEnd as FitOptions["onBatchEnd"])?.(bi, { loss: logs.loss, gradNorm: logs.gradNorm, clipped: logs.clipped });
        if (Date.now() - lastYield > 50) { await new Promise((r) => setTimeout(r, 0)); lastYield = Date.now(); }
      }
      // training loss and metric: running averages over the epoch's batches (as Keras reports them)
      const logs: Logs = { loss: lossSum / n, gradNorm: gnSum / nb, gradNormMax: gnMax, clippedBatches: clipped };
      hist.gradNorm.push(gnSum / nb); hist.gradNormMax.push(gnMax); hist.clippedBatches.push(clipped);
      if (metric === "rmse") logs.rmse = Math.sqrt(sq / (count * this.config.outputSize)); else logs.accuracy = correct / count;
      hist.epoch.push(e + 1); hist.loss.push(logs.loss); hist.train.push((metric === "rmse" ? logs.rmse : logs.accuracy)!);
      if (valData) {
        const v = this.evalChecked(valData, valN, 128);
        logs.valLoss = v.loss;
        if (metric === "rmse") logs.valRmse = v.rmse; else logs.valAccuracy = v.accuracy;
        hist.valLoss.push(v.loss); hist.val.push((metric === "rmse" ? v.rmse : v.accuracy)!);
        if (v.loss < best) {
          best = v.loss; hist.bestEpoch = e + 1;
          if (restoreBest) bestParams = f32(this.paramsPtr(), this.numParams).slice();
        }
      }
      logs.seconds = (Date.now() - t0) / 1000;
      await (o.onEpochEnd as FitOptions["onEpochEnd"])?.(e + 1, logs);
      await new Promise((r) => setTimeout(r, 0)); lastYield = Date.now();
    }
    if (restoreBest && bestParams) f32(this.paramsPtr(), this.numParams).set(bestParams);
    return hist;
  }

  /** The model as safetensors bytes: every parameter by name, the config in __metadata__. */
  save(metadata: Record<string, string> = {}): Uint8Array {
    const tensors: Record<string, safetensors.Tensor> = {};
    const sd = this.stateDict();
    for (const s of this.parameterSlots()) tensors[s.name] = { dtype: "F32", shape: s.shape, data: sd[s.name] };
    return safetensors.write(tensors, { ...metadata, format: "recurrent-wasm", config: JSON.stringify(this.config) });
  }

  /** Rebuild a model saved by save(); returns it with the file's metadata. */
  static load(bytes: Uint8Array): Model {
    const { tensors, metadata } = safetensors.read(bytes);
    if (metadata.format !== "recurrent-wasm" || typeof metadata.config !== "string") {
      throw new Error(`Model.load: __metadata__ has no recurrent-wasm config (format ${JSON.stringify(metadata.format)})`);
    }
    let cfg: ModelConfig;
    try { cfg = JSON.parse(metadata.config); } catch { throw new Error("Model.load: __metadata__.config is not valid JSON"); }
    const m = new Model(cfg);
    try {
      const dict: Record<string, Float32Array> = {};
      for (const [k, t] of Object.entries(tensors)) {
        if (!(t.data instanceof Float32Array)) throw new Error(`Model.load: tensor ${JSON.stringify(k)} has dtype ${t.dtype}, expected a float type`);
        const slot = m.parameterSlots().find((s) => s.name === k);
        if (slot && slot.shape.join(",") !== t.shape.join(",")) throw new Error(`Model.load: tensor ${JSON.stringify(k)} has shape [${t.shape}], expected [${slot.shape}]`);
        dict[k] = t.data;
      }
      m.loadStateDict(dict);
      m.metadata = metadata;
    } catch (e) {
      m.dispose();
      throw e;
    }
    return m;
  }

  /** __metadata__ of the file this model was loaded from (empty for a new model). */
  metadata: Record<string, string> = {};

  dispose(): void {
    if (!this.storage) return;
    const c = wasm();
    this.rnn.dispose();
    c.free(this.storage.params); c.free(this.storage.grads);
    for (const p of this.states.values()) c.free(p);
    this.states.clear();
    for (const s of [this.xBuf, this.lenBuf, this.featBuf, this.predBuf, this.tgtBuf, this.maskBuf, this.dpredBuf, this.dfeatBuf, this.dhnBuf, this.wtBuf, this.clsBuf, this.h0Buf, this.c0Buf, this.dhsBuf, this.normBuf]) s.release();
    this.storage = null;
  }
}

/** The sequences (and targets) at idx, sharing the underlying arrays. */
export function subset(data: SequenceData, idx: number[]): SequenceData {
  const out: SequenceData = { x: idx.map((i) => data.x[i]) };
  if (data.classes) out.classes = Int32Array.from(idx, (i) => data.classes![i]);
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
