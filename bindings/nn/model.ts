// A recurrent sequence model: a recurrent stack (RNN, LSTM or GRU) + linear readout y = W_hy h + b_y,
// a loss, optional learned initial states. All parameters share one parameter block, so an
// optimizer step or a clip is one pass; the state_dict uses the names of a PyTorch module with
// attributes `rnn` (torch.nn.RNN/LSTM/GRU, batch_first=True), `readout` (torch.nn.Linear) and, for
// learned initial states, `h0` (and `c0` for LSTM). Training (fit) and files (save/load) are the
// layers above: train/ and io/.
import * as check from "../core/check.js";
import { Blocks, f32, reserveAll, untrack } from "../core/arena.js";
import { core } from "../core/loader.js";
import { Rng } from "../core/random.js";
import { checkInit } from "../functional/init.js";
import * as R from "../functional/readout.js";
import { RnnShape, rnnBackward, rnnBackwardBlocks, rnnForward, rnnForwardBlocks } from "../functional/rnn.js";
import { DataSpec, SequenceData, Staged, batchShape, checkData, recurrentInputSize, stage, stageBlocks } from "./data.js";
import { ParameterBlock, TensorSlot, adopt } from "./params.js";
import { CellType, RNNOptions, RecurrentLayer, cellId, makeLayer, rnnSlots, GATES } from "./rnn.js";
import { OdeActivation, OdeMethod, odeSlots } from "./ode.js";
import { OdeRnn, odeShapeOf } from "./odernn.js";

export type Readout = "last" | "sequence";
export type Loss = "mse" | "crossentropy";
/** Initial state of the recurrence: zeros, one learned state (per layer and direction; for LSTM
 *  also the cell state), or a table of n learned states, one per class: each sequence picks its
 *  row by `data.classes` (e.g. a cell type or a patient group). */
export type InitialState = "zeros" | "learned" | { perClass: number };

/** Cells of a Model: the recurrent layers' (rnn, lstm, gru) and "odegru", the ODE-RNN of
 *  Rubanova, Chen & Duvenaud (2019): between two steps the state follows dh/dt = f_θ(h) (a Neural
 *  ODE) from the previous step's time to this one's, and at each step a GRU cell reads the input. */
export type ModelCell = CellType | "odegru";

/** The ODE of cell "odegru" (NeuralODEOptions without stateSize: the state is the hidden state).
 *  Defaults: hidden [hiddenSize], tanh, no time input, dopri5 with rtol 1e-3 and atol 1e-4
 *  (Rubanova et al.'s), substeps 1, maxSteps 10000, gradient "backprop". */
export interface OdeCellOptions {
  hidden?: number[]; activation?: OdeActivation; timeInput?: boolean; method?: OdeMethod;
  rtol?: number; atol?: number; substeps?: number; maxSteps?: number;
  gradient?: "backprop" | "adjoint"; adjointNorm?: "mixed" | "seminorm";
}

/** The recurrent stack's options (inputSize, hiddenSize, numLayers, bidirectional, nonlinearity,
 *  seed, init, checkpoint: see RNNOptions), the cell, the readout and the loss. */
export interface ModelConfig extends RNNOptions {
  /** Recurrent cell (default "rnn", Elman). */
  cell?: ModelCell;
  /** cell "odegru": the ODE between steps. */
  ode?: OdeCellOptions;
  /** The time since the previous step as one more input (0 at the first step), from data.times:
   *  the GRU-Δt baseline of irregularly sampled series (cells rnn, lstm, gru). Default false. */
  timeGap?: boolean;
  /** Missing features: data.mask [len, inputSize] of 0/1 says what was observed; the recurrent
   *  input becomes [x ⊙ mask, mask] (2·inputSize wide), and an "odegru" step where nothing was
   *  observed leaves the state to the ODE. Default false. */
  inputMask?: boolean;
  /** Readout width: values to regress (mse) or number of classes (crossentropy). */
  outputSize: number;
  /** "last": one output per sequence, from the state at its end (bidirectional: forward state at
   *  the end ⧺ reverse state at the start, PyTorch's h_n); "sequence": one output per step. */
  readout?: Readout;
  loss?: Loss;
  /** Default "zeros". */
  initialState?: InitialState;
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

/** Loss and metric sums of one batch. */
export interface BatchResult { loss: number; sq: number; correct: number; count: number }

const W = "Model";
const ADVICE = "use checkpoint: true (activation memory O(√steps)), shorter sequences or smaller batches";

/** A checked config: every option filled in (ode only for cell "odegru"). */
export type ModelSettings = Required<Omit<ModelConfig, "ode">> & { ode?: Required<OdeCellOptions> };

/** Validate a model config (defaults filled in). Pure: allocates nothing. */
export function checkConfig(config: ModelConfig): ModelSettings {
  const o = check.object(W, "config", config);
  check.known(W, o, ["cell", "inputSize", "hiddenSize", "numLayers", "bidirectional", "nonlinearity", "outputSize", "readout", "loss", "initialState", "seed", "init", "checkpoint", "ode", "timeGap", "inputMask"]);
  const cell = check.oneOf(W, "cell", o.cell ?? "rnn", ["rnn", "lstm", "gru", "odegru"] as const);
  // LSTM and GRU gates are fixed; "tanh" (what a saved config holds) is accepted as a no-op
  if (cell !== "rnn" && o.nonlinearity !== undefined && o.nonlinearity !== "tanh") throw new TypeError(`${W}: nonlinearity applies only to cell "rnn", got ${check.show(o.nonlinearity)} with cell ${JSON.stringify(cell)}`);
  let initialState: InitialState = "zeros";
  if (o.initialState === "zeros" || o.initialState === "learned" || o.initialState === undefined) initialState = (o.initialState as InitialState) ?? "zeros";
  else if (typeof o.initialState === "object" && o.initialState !== null && !Array.isArray(o.initialState)) {
    const is = o.initialState as Record<string, unknown>;
    check.known(W, is, ["perClass"], "initialState");
    initialState = { perClass: check.int(W, "initialState.perClass", is.perClass, 1, 1 << 20) };
  } else throw new TypeError(`${W}: initialState must be "zeros", "learned" or { perClass: n }, got ${check.show(o.initialState)}`);
  const cfg: ModelSettings = {
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
    timeGap: check.bool(W, "timeGap", o.timeGap ?? false),
    inputMask: check.bool(W, "inputMask", o.inputMask ?? false),
  };
  if (cfg.loss === "crossentropy" && cfg.outputSize < 2) throw new RangeError(`${W}: crossentropy needs outputSize >= 2 classes, got ${cfg.outputSize}`);
  if (cell === "odegru") {
    if (cfg.numLayers !== 1 || cfg.bidirectional || cfg.checkpoint) throw new RangeError(`${W}: cell "odegru" is one forward layer (numLayers 1, bidirectional false, checkpoint false), got numLayers ${cfg.numLayers}, bidirectional ${cfg.bidirectional}, checkpoint ${cfg.checkpoint}`);
    if (cfg.timeGap) throw new TypeError(`${W}: timeGap is the input of the GRU-Δt baseline; cell "odegru" carries the state across the gap with its ODE (use one or the other)`);
    cfg.ode = checkOdeCell(o.ode, cfg.hiddenSize);
  } else if (o.ode !== undefined) {
    throw new TypeError(`${W}: ode applies only to cell "odegru", got it with cell ${JSON.stringify(cell)}`);
  }
  return cfg;
}

function checkOdeCell(v: unknown, H: number): Required<OdeCellOptions> {
  const M = `${W}: ode`;
  const o = check.object(W, "ode", v);
  check.known(W, o, ["hidden", "activation", "timeInput", "method", "rtol", "atol", "substeps", "maxSteps", "gradient", "adjointNorm"], "ode");
  const hidden = o.hidden ?? [H];
  if (!Array.isArray(hidden) || hidden.length > 62) throw new TypeError(`${M}.hidden must be an array of at most 62 layer widths, got ${check.show(hidden)}`);
  return {
    hidden: hidden.map((h, i) => check.int(W, `ode.hidden[${i}]`, h, 1, 1 << 20)),
    activation: check.oneOf(W, "ode.activation", o.activation ?? "tanh", ["tanh", "relu", "softplus"] as const),
    timeInput: check.bool(W, "ode.timeInput", o.timeInput ?? false),
    method: check.oneOf(W, "ode.method", o.method ?? "dopri5", ["euler", "midpoint", "rk4", "dopri5"] as const),
    rtol: check.num(W, "ode.rtol", o.rtol ?? 1e-3, 0, Infinity, true),
    atol: check.num(W, "ode.atol", o.atol ?? 1e-4, 0, Infinity, true),
    substeps: check.int(W, "ode.substeps", o.substeps ?? 1, 1, 1 << 20),
    maxSteps: check.int(W, "ode.maxSteps", o.maxSteps ?? 10000, 1, 1e9),
    gradient: check.oneOf(W, "ode.gradient", o.gradient ?? "backprop", ["backprop", "adjoint"] as const),
    adjointNorm: check.oneOf(W, "ode.adjointNorm", o.adjointNorm ?? "mixed", ["mixed", "seminorm"] as const),
  };
}

/** The ODE's layer widths: [H (+1 with time input), ...hidden, H]. */
export function odeWidths(cfg: ModelSettings): number[] {
  const o = cfg.ode!;
  return [cfg.hiddenSize + (o.timeInput ? 1 : 0), ...o.hidden, cfg.hiddenSize];
}

/** The recurrent layer's cell: odegru's is a GRU. */
export function layerCell(cell: ModelCell): CellType { return cell === "odegru" ? "gru" : cell; }

/** Names, shapes and offsets of all of a model's parameters ("rnn.weight_ih_l0", …,
 *  "readout.weight", "readout.bias", "h0", "c0", and for odegru "ode.net.0.weight", …), from a
 *  checked config. Pure. */
export function modelSlots(cfg: ModelSettings): TensorSlot[] {
  const D = cfg.bidirectional ? 2 : 1, H = cfg.hiddenSize, F = D * H, O = cfg.outputSize, LD = cfg.numLayers * D;
  const rnn = rnnSlots(GATES[layerCell(cfg.cell)], recurrentInputSize(cfg), H, cfg.numLayers, D).map((s) => ({ ...s, name: "rnn." + s.name }));
  let o = rnn[rnn.length - 1].offset + rnn[rnn.length - 1].size;
  const slots: TensorSlot[] = [...rnn, { name: "readout.weight", shape: [O, F], offset: o, size: O * F }, { name: "readout.bias", shape: [O], offset: o + O * F, size: O }];
  o += O * F + O;
  const rows = cfg.initialState === "zeros" ? 0 : cfg.initialState === "learned" ? 1 : cfg.initialState.perClass;
  if (rows > 0) {
    const shape = cfg.initialState === "learned" ? [LD, H] : [rows, LD, H], size = rows * LD * H;
    slots.push({ name: "h0", shape, offset: o, size });
    if (cfg.cell === "lstm") slots.push({ name: "c0", shape, offset: o + size, size });
    o += cfg.cell === "lstm" ? 2 * size : size;
  }
  if (cfg.cell === "odegru") for (const s of odeSlots(odeWidths(cfg))) slots.push({ ...s, name: "ode." + s.name, offset: o + s.offset });
  return slots;
}

export class RecurrentModel {
  readonly config: ModelSettings;
  /** The recurrent stack; its parameters are a view of the model's block. */
  readonly rnn: RecurrentLayer;
  readonly numParams: number;
  /** All parameters and their gradients (state_dict order). */
  readonly parameters: ParameterBlock;
  /** The staged batch (nn/data.ts), the readout's and loss's buffers, and the recurrent pass memory. */
  readonly #data = new Blocks();
  readonly #mem = new Blocks();
  readonly #pass = new Blocks();
  readonly #spec: DataSpec;
  readonly #rnnParams: number;
  /** Rows of the learned initial-state table (0: zeros); offset of the h0 table (c0 follows). */
  readonly #stateRows: number;
  readonly #stateOffset: number;
  /** cell "odegru": the ODE-RNN's per-step passes (null for the other cells). */
  readonly #odeRnn: OdeRnn | null = null;

  constructor(config: ModelConfig) {
    const cfg = checkConfig(config);
    this.config = cfg;
    const slots = modelSlots(cfg);
    const D = cfg.bidirectional ? 2 : 1;
    this.#rnnParams = slots.find((s) => s.name === "readout.weight")!.offset;
    this.#stateRows = cfg.initialState === "zeros" ? 0 : cfg.initialState === "learned" ? 1 : cfg.initialState.perClass;
    this.#stateOffset = this.#rnnParams + cfg.outputSize * (D * cfg.hiddenSize + 1);
    const ode = cfg.cell === "odegru";
    this.#spec = { ...cfg, perClass: typeof cfg.initialState === "object" ? cfg.initialState.perClass : 0, times: ode ? "odegru" : cfg.timeGap ? "timeGap" : "" };
    this.parameters = new ParameterBlock(W, slots);
    this.numParams = this.parameters.numParams;
    const odeOffset = ode ? slots.find((s) => s.name === "ode.net.0.weight")!.offset : 0;
    if (ode) this.#odeRnn = new OdeRnn({ inputSize: recurrentInputSize(cfg), hiddenSize: cfg.hiddenSize, ode: odeShapeOf(cfg.ode!, odeWidths(cfg)), gruOffset: 0, odeOffset });
    const odeBlocks = this.#odeRnn ? [this.#odeRnn.mem, this.#odeRnn.gruPass, this.#odeRnn.odePass] : [];
    let rnn: RecurrentLayer | null = null;
    adopt(this, this.parameters, [this.#data, this.#mem, this.#pass, ...odeBlocks], () => {
      rnn = makeLayer(layerCell(cfg.cell), {
        inputSize: recurrentInputSize(cfg), hiddenSize: cfg.hiddenSize, numLayers: cfg.numLayers,
        bidirectional: cfg.bidirectional, seed: cfg.seed, init: cfg.init, checkpoint: cfg.checkpoint, ...(cfg.cell === "rnn" ? { nonlinearity: cfg.nonlinearity } : {}),
      }, this.parameters);
      // readout: PyTorch nn.Linear default init U(−1/√F, 1/√F); learned initial states start at zero
      const rng = new Rng((cfg.seed ^ 0x5bd1e995) >>> 0);
      const k = 1 / Math.sqrt(D * cfg.hiddenSize);
      const v = f32(this.parameters.paramsAt(W) + 4 * this.#rnnParams, this.#stateOffset - this.#rnnParams);
      for (let i = 0; i < v.length; i++) v[i] = (2 * rng.uniform() - 1) * k;
      // the ODE's Linear layers: PyTorch's init U(−1/√fan_in, 1/√fan_in), seeded apart
      if (ode) {
        const widths = odeWidths(cfg), orng = new Rng((cfg.seed ^ 0x27d4eb2f) >>> 0);
        const all = f32(this.parameters.paramsAt(W), this.numParams);
        for (const sl of slots) {
          if (!sl.name.startsWith("ode.")) continue;
          const kk = 1 / Math.sqrt(widths[Number(sl.name.split(".")[2]) / 2]);
          for (let i = 0; i < sl.size; i++) all[sl.offset + i] = (2 * orng.uniform() - 1) * kk;
        }
      }
    });
    this.rnn = rnn!;
  }

  /** Gradient checkpointing for the next passes (ModelConfig.checkpoint). */
  get checkpoint(): boolean { return this.config.checkpoint; }
  set checkpoint(on: boolean) {
    this.rnn.checkpoint = on; // validates
    (this.config as { checkpoint: boolean }).checkpoint = on;
  }

  /** Names, shapes and offsets of all parameters. */
  parameterSlots(): readonly TensorSlot[] { return this.parameters.slots; }
  stateDict(): Record<string, Float32Array> { return this.parameters.stateDict("Model.stateDict"); }
  loadStateDict(dict: Record<string, Float32Array>): void { this.parameters.loadStateDict("Model.loadStateDict", dict); }
  grads(): Record<string, Float32Array> { return this.parameters.grads("Model.grads"); }
  zeroGrad(): void { this.parameters.zeroGrad("Model.zeroGrad"); }

  /** Validate a data set against this model; returns the number of sequences. */
  checkData(where: string, data: SequenceData, needTargets: boolean): number {
    this.parameters.paramsAt(where);
    return checkData(where, this.#spec, data, needTargets);
  }

  #shape(B: number, T: number): RnnShape {
    const c = this.config;
    return { cell: cellId(layerCell(c.cell), c.nonlinearity), batch: B, steps: T, inputSize: recurrentInputSize(c), hiddenSize: c.hiddenSize, numLayers: c.numLayers, directions: c.bidirectional ? 2 : 1, checkpoint: c.checkpoint };
  }

  /** @internal Forward (and with `backward`, BPTT accumulating into the gradients) over the
   *  sequences idx of a checked data set; every block the batch needs is reserved first, so a
   *  failure changes nothing. dhs: record ∂L/∂h_t (gradientFlow). */
  runBatch(where: string, data: SequenceData, idx: ArrayLike<number>, mode: "predict" | "loss" | "backward", truncate = 0, dhs = false): BatchResult & { staged: Staged; pred: number } {
    const cfg = this.config, withTargets = mode !== "predict", backward = mode === "backward";
    const H = cfg.hiddenSize, D = cfg.bidirectional ? 2 : 1, L = cfg.numLayers, LD = L * D, F = D * H, O = cfg.outputSize;
    const { B, T } = batchShape(this.#spec, data, idx);
    const s = this.#shape(B, T), last = cfg.readout === "last", rows = last ? B : B * T;
    const st = 4 * LD * B * H, lstm = cfg.cell === "lstm", learned = this.#stateRows > 0;
    const p = {
      h0: learned ? st : 0, c0: learned && lstm ? st : 0, out: 4 * B * T * F, hn: st, cn: lstm ? st : 0,
      feat: last ? 4 * B * F : 0, pred: 4 * rows * O, wt: 4 * O * F,
      dpred: backward ? 4 * rows * O : 0, dfeat: backward ? 4 * rows * F : 0, dhn: backward && last ? st : 0,
      dh0: backward && learned ? st : 0, dc0: backward && learned && lstm ? st : 0,
      dhs: dhs ? st * T : 0, norms: dhs ? 4 * LD * T * (B + 1) : 0,
    };
    const odeRnn = this.#odeRnn;
    if (odeRnn && (truncate > 0 || dhs)) throw new TypeError(`${where}: ${truncate > 0 ? "truncate" : "gradientFlow"} applies to the recurrent layers' BPTT; cell "odegru" has no such option`);
    const passes: [Blocks, Record<string, number>][] = [];
    if (odeRnn) passes.push(...odeRnn.blocks(B, T, backward, this.parameters.numParams));
    else {
      const pass = rnnForwardBlocks(s);
      if (backward) Object.assign(pass, rnnBackwardBlocks(s, this.parameters.numParams, dhs));
      passes.push([this.#pass, pass]);
    }
    reserveAll(where, [[this.#data, stageBlocks(this.#spec, B, T, data, withTargets)], [this.#mem, p], ...passes], { what: `batch (${B} sequences × ${T} steps)`, advice: odeRnn ? "use smaller batches or shorter sequences" : ADVICE });
    const staged = stage(this.#spec, this.#data, data, idx, withTargets, B, T);
    const params = this.parameters.paramsAt(where), grads = this.parameters.gradsAt(where);
    if (learned) {
      const tab = params + 4 * this.#stateOffset, table = this.#stateRows * LD * H;
      R.gatherStates(p.h0, tab, staged.classes, B, LD, H);
      if (lstm) R.gatherStates(p.c0, tab + 4 * table, staged.classes, B, LD, H);
    }
    if (odeRnn) odeRnn.forward(where, staged, params, p.h0, p.out, p.hn);
    else rnnForward(where, this.#pass, s, { params, x: staged.x, lengths: staged.lengths, h0: p.h0, c0: p.c0, out: p.out, hn: p.hn, cn: p.cn });
    const feat = last ? p.feat : p.out;
    if (last) R.lastStates(p.hn, p.feat, B, H, L, D);
    const rs: R.ReadoutShape = { rows, features: F, outputs: O, loss: cfg.loss };
    const w = params + 4 * this.#rnnParams;
    R.readoutForward(rs, feat, w, p.pred, p.wt);
    if (!withTargets) return { loss: NaN, sq: 0, correct: 0, count: 0, staged, pred: p.pred };
    const loss = R.loss(rs, p.pred, staged.target, staged.mask, p.dpred);
    const m = R.metrics(rs, p.pred, staged.target, staged.mask);
    if (backward) {
      R.readoutBackward(rs, feat, w, p.dpred, grads + 4 * this.#rnnParams, p.dfeat);
      if (last) R.lastStatesBackward(p.dfeat, p.dhn, B, H, L, D);
      if (odeRnn) odeRnn.backward(where, staged, params, grads, this.parameters.numParams, last ? 0 : p.dfeat, last ? p.dhn : 0, p.dh0);
      else rnnBackward(where, this.#pass, s, {
        params, grads, x: staged.x, lengths: staged.lengths, dOut: last ? 0 : p.dfeat, dhn: last ? p.dhn : 0, dcn: 0,
        dx: 0, dh0: p.dh0, dc0: p.dc0, dhs: p.dhs, truncate,
      }, this.parameters.numParams);
      if (learned) {
        const g = grads + 4 * this.#stateOffset, table = this.#stateRows * LD * H;
        R.scatterStates(g, p.dh0, staged.classes, B, LD, H);
        if (lstm) R.scatterStates(g + 4 * table, p.dc0, staged.classes, B, LD, H);
      }
    }
    return { loss, ...m, staged, pred: p.pred };
  }

  /** Predictions for a list of sequences: Float32Array [N·O] (readout "last", raw logits for
   *  crossentropy) or one Float32Array [len_i·O] per sequence (readout "sequence"). Give `times`
   *  and `mask` (as data.times, data.mask) when the model reads them. */
  predict(x: Float32Array[], options: { batchSize?: number; classes?: Int32Array; times?: Float64Array[]; mask?: Float32Array[] } = {}): Float32Array | Float32Array[] {
    const M = "Model.predict";
    const o = check.object(M, "options", options);
    check.known(M, o, ["batchSize", "classes", "times", "mask"]);
    const data: SequenceData = { x };
    if (o.classes !== undefined) data.classes = o.classes as Int32Array;
    if (o.times !== undefined) data.times = o.times as Float64Array[];
    if (o.mask !== undefined) data.mask = o.mask as Float32Array[];
    const N = this.checkData(M, data, false);
    const bs = check.int(M, "batchSize", o.batchSize ?? 128, 1);
    const O = this.config.outputSize, I = this.config.inputSize, last = this.config.readout === "last";
    const flat = new Float32Array(last ? N * O : 0);
    const seqs: Float32Array[] = [];
    for (let i0 = 0; i0 < N; i0 += bs) {
      const idx = range(i0, Math.min(N, i0 + bs));
      const { staged: s, pred } = this.runBatch(M, data, idx, "predict");
      if (last) flat.set(f32(pred, s.B * O), i0 * O);
      else for (let b = 0; b < s.B; b++) seqs.push(f32(pred + 4 * b * s.T * O, (x[idx[b]].length / I) * O).slice());
    }
    return last ? flat : seqs;
  }

  /** Mean loss and metric (rmse for mse, accuracy for crossentropy) over a data set. */
  evaluate(data: SequenceData, options: { batchSize?: number } = {}): { loss: number; rmse?: number; accuracy?: number } {
    const M = "Model.evaluate";
    const N = this.checkData(M, data, true);
    const o = check.object(M, "options", options);
    check.known(M, o, ["batchSize"]);
    const bs = check.int(M, "batchSize", o.batchSize ?? 128, 1);
    let lossSum = 0, sq = 0, correct = 0, count = 0;
    for (let i0 = 0; i0 < N; i0 += bs) {
      const r = this.runBatch(M, data, range(i0, Math.min(N, i0 + bs)), "loss");
      lossSum += r.loss * r.count; sq += r.sq; correct += r.correct; count += r.count;
    }
    return this.config.loss === "mse" ? { loss: lossSum / count, rmse: Math.sqrt(sq / (count * this.config.outputSize)) } : { loss: lossSum / count, accuracy: correct / count };
  }

  /** Zero the gradients, then run forward, loss and BPTT on a batch of sequences, leaving
   *  ∂loss/∂parameter in grads(). Returns the loss. The weights are not changed. */
  computeGradients(data: SequenceData, options: { truncate?: number } = {}): number {
    const M = "Model.computeGradients";
    const N = this.checkData(M, data, true);
    const k = truncateOption(M, options);
    this.zeroGrad();
    return this.runBatch(M, data, range(0, N), "backward", k).loss;
  }

  /** Gradient-flow diagnostics for a batch: like computeGradients (zeroes the gradients, runs
   *  forward, loss and BPTT, leaves ∂loss/∂parameter in grads(), weights unchanged), and returns
   *  the total ∂loss/∂h_t of every layer and direction at every step t, with its norms. */
  gradientFlow(data: SequenceData, options: { truncate?: number } = {}): GradientFlow {
    const M = "Model.gradientFlow";
    const N = this.checkData(M, data, true);
    const k = truncateOption(M, options);
    const cfg = this.config, H = cfg.hiddenSize, LD = cfg.numLayers * (cfg.bidirectional ? 2 : 1);
    this.zeroGrad();
    const r = this.runBatch(M, data, range(0, N), "backward", k, true);
    const { B, T } = r.staged, dhs = this.#mem.get("dhs"), norms = this.#mem.get("norms"), c = core();
    c.row_norms_f32(LD * T, B * H, dhs, B * H, norms);
    c.row_norms_f32(LD * T * B, H, dhs, H, norms + 4 * LD * T);
    return {
      loss: r.loss, steps: T, batch: B, layersDirections: LD,
      stepNorms: f32(norms, LD * T).slice(),
      seqNorms: f32(norms + 4 * LD * T, LD * T * B).slice(),
      dh: f32(dhs, LD * T * B * H).slice(),
    };
  }

  /** Free the model's WebAssembly memory; later calls throw. (A model that is never disposed is
   *  freed once it is garbage-collected; dispose() frees it now.) */
  dispose(): void {
    untrack(this);
    this.rnn.dispose();
    for (const b of [this.#data, this.#mem, this.#pass]) b.release();
    this.#odeRnn?.release();
    this.parameters.dispose();
  }
  [Symbol.dispose](): void { this.dispose(); }
}

/** The indices a, a + 1, …, b − 1. */
function range(a: number, b: number): number[] {
  const r = new Array<number>(b - a);
  for (let i = a; i < b; i++) r[i - a] = i;
  return r;
}

function truncateOption(where: string, options: { truncate?: number }): number {
  const o = check.object(where, "options", options);
  check.known(where, o, ["truncate"]);
  return o.truncate === undefined ? 0 : check.int(where, "truncate", o.truncate, 1);
}
