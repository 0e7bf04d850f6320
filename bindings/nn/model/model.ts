// A recurrent sequence model: a sequence core (the recurrent stack of RNN, LSTM or GRU layers, or
// the ODE-RNN; core.ts) + an optional head (hidden Linear layers, each with an activation) + the
// linear readout y = W_hy h + b_y, a loss, optional learned initial states, and for token inputs an
// embedding (`embedding`, torch.nn.Embedding) whose rows the stack reads.
// All parameters share one parameter block, so an optimizer step or a clip is one pass; the
// state_dict uses the names of a PyTorch module with attributes `rnn` (torch.nn.RNN/LSTM/GRU,
// batch_first=True), `head` (torch.nn.Sequential of Linear and activations), `readout`
// (torch.nn.Linear), for learned initial states `h0` (and `c0` for LSTM), and the core's own (the
// ODE-RNN's `ode`). Training (fit) and files (save/load) are the layers above: train/ and io/.
import { CELLS } from "../../core/cells.js";
import * as check from "../../core/check.js";
import { Blocks, f32, reserveAll, untrack } from "../../core/arena.js";
import { core } from "../../core/loader.js";
import * as R from "../../functional/readout.js";
import { embeddingBackward, embeddingForward } from "../../functional/embedding.js";
import type { EmbeddingPass } from "../../functional/embedding.js";
import { ParameterBlock, TensorSlot, adopt } from "../params.js";
import type { RecurrentLayer } from "../rnn/layers.js";
import { MAX_STEPS } from "../rnn/stream.js";
import type { CarriedState } from "../rnn/stream.js";
import { MODEL_CELLS } from "./cells.js";
import type { ModelCellSpec } from "./cells.js";
import { ModelConfig, ModelSettings, Readout, checkConfig, modelSlots } from "./config.js";
import type { BatchResult, Evaluation, GradientFlow, Prediction } from "./results.js";
import type { SequenceCore } from "./core.js";
import { DataSpec, SequenceData, Staged, batchShape, checkData, dataSpec, recurrentInputSize, stage, stageBlocks,
  stepsOf } from "./data.js";
import { ModelDropout, applyMask } from "./dropout.js";
import { generateTokens } from "./generate.js";
import type { GenerateOptions } from "./generate.js";
import { initReadoutAndEmbedding } from "./init.js";
import { OdeRnn } from "./odernn.js";
import { StackCore } from "./stack.js";
import { ModelStream } from "./stream.js";
import type { StreamedModel } from "./stream.js";

export type { BatchResult, Evaluation, GradientFlow, Prediction } from "./results.js";

const W = "Model";

/** The class of each kind of sequence core (cells.ts, ModelCellSpec.core). */
const CORES: {
  readonly [K in ModelCellSpec["core"]]: new (cfg: ModelSettings, slots: readonly TensorSlot[]) => SequenceCore;
} = { stack: StackCore, odernn: OdeRnn };

/** The sequence model of nn/ (Model adds fit, save and load): a sequence core and a linear
 *  readout. Use Model. */
export class RecurrentModel<R extends Readout = Readout> {
  /** The model's settings, every default filled in. */
  readonly config: ModelSettings;
  /** The recurrent stack; its parameters are a view of the model's block. */
  readonly rnn: RecurrentLayer;
  /** Number of f32 parameters (recurrent stack, initial states, readout). */
  readonly numParams: number;
  /** All parameters and their gradients (state_dict order). */
  readonly parameters: ParameterBlock;
  /** The staged batch (data.ts); the initial and final states, the readout's and loss's buffers. */
  readonly #data = new Blocks();
  readonly #mem = new Blocks();
  /** The cell's row (cells.ts) and its sequence core, which runs the recurrence. */
  readonly #cell: ModelCellSpec;
  readonly #core: SequenceCore;
  /** The cell carries a cell state c beside h (LSTM): c0, cN, a learned c0. */
  readonly #cellState: boolean;
  readonly #spec: DataSpec;
  /** Offset of the first head slot (the readout's weight without a head); the head's shape. */
  readonly #headOffset: number;
  readonly #head: Omit<R.HeadShape, "rows">;
  /** Rows of the learned initial-state table (0: zeros); offset of the h0 table (c0 follows). */
  readonly #stateRows: number;
  readonly #stateOffset: number;
  /** @internal Dropout: the rates, the training-pass counter and the masks' memory (dropout.ts). */
  readonly dropoutState: ModelDropout;
  /** Token models: offset of the embedding table [V, E] (-1: float inputs). */
  readonly #embedding: number;

  constructor(config: ModelConfig & { readout?: R }) {
    const cfg = checkConfig(config);
    this.config = cfg;
    const slots = modelSlots(cfg);
    const D = cfg.bidirectional ? 2 : 1;
    const bias = slots.find((s) => s.name === "readout.bias")!;
    this.#headOffset = slots.find((s) => s.name.startsWith("head.") || s.name === "readout.weight")!.offset;
    this.#head = { features: D * cfg.hiddenSize, outputs: cfg.outputSize, loss: cfg.loss, ...cfg.head };
    this.#stateRows = cfg.initialState === "zeros" ? 0 : cfg.initialState === "learned" ? 1 : cfg.initialState.perClass;
    this.#stateOffset = bias.offset + bias.size;
    this.#cell = MODEL_CELLS[cfg.cell];
    this.#cellState = CELLS[this.#cell.layer].cellState;
    this.#spec = dataSpec(cfg);
    this.#embedding = slots.find((s) => s.name === "embedding.weight")?.offset ?? -1;
    const seqCore = new CORES[this.#cell.core](cfg, slots);
    this.#core = seqCore;
    this.dropoutState = new ModelDropout(cfg.dropout, cfg.inputDropout, cfg.readoutDropout, cfg.seed);
    this.parameters = new ParameterBlock(W, slots);
    this.numParams = this.parameters.numParams;
    adopt(this, this.parameters, [this.#data, this.#mem, this.dropoutState.memory, ...seqCore.memory], () => {
      // the recurrent layer and the core's own parameters (each initialized by its own rule)
      seqCore.init(this.parameters);
      initReadoutAndEmbedding(cfg, this.parameters.paramsAt(W), this.#headOffset, this.#embedding);
      this.parameters.touch();
    });
    this.rnn = seqCore.layer;
  }

  /** Gradient checkpointing for the next passes (ModelConfig.checkpoint). */
  get checkpoint(): boolean {
    return this.config.checkpoint;
  }
  /** Turn gradient checkpointing on or off for the next passes. */
  set checkpoint(on: boolean) {
    this.rnn.checkpoint = on; // validates
    (this.config as { checkpoint: boolean }).checkpoint = on;
  }

  /** A stream over this model: the recurrent state carried from one step() call to the next and
   *  the readout at every step ([batch, steps, outputSize]; bitwise what predict() gives at those
   *  steps for readout "sequence"). It starts from the model's initial state: zeros, the learned
   *  h0, or the rows of `classes` (initialState { perClass }). Unidirectional stacks of RNN, LSTM
   *  and GRU cells without timeGap or inputMask (cell "odegru", timeGap and inputMask read
   *  data.times or data.mask, which a stream step does not take yet): others are a TypeError. */
  stream(options: { batch?: number; classes?: Int32Array } = {}): ModelStream {
    const M = "Model.stream", cfg = this.config;
    this.parameters.paramsAt(M);
    const o = check.object(M, "options", options);
    check.known(M, o, ["batch", "classes"]);
    if (cfg.bidirectional) {
      throw new TypeError(
        `${M}: a bidirectional model cannot stream (its reverse direction reads each sequence from its end)`,
      );
    }
    const reads = this.#cell.times
      ? `cell ${JSON.stringify(cfg.cell)}`
      : cfg.timeGap
      ? "timeGap"
      : cfg.inputMask
      ? "inputMask"
      : "";
    if (reads) {
      throw new TypeError(
        `${M}: ${reads} models read data.times or data.mask, which stream steps do not take yet; use predict()`,
      );
    }
    const B = check.int(M, "batch", o.batch ?? 1, 1, MAX_STEPS);
    const per = typeof cfg.initialState === "object" ? cfg.initialState.perClass : 0;
    let classes: Int32Array | null = null;
    if (per > 0) {
      if (!(o.classes instanceof Int32Array) || o.classes.length !== B) {
        throw new TypeError(
          `${M}: initialState { perClass: ${per} } needs classes, an Int32Array of ${B} class ids (one per sequence), got ${
            check.show(o.classes)
          }`,
        );
      }
      for (let b = 0; b < B; b++) {
        if (!(o.classes[b] >= 0 && o.classes[b] < per)) {
          throw new RangeError(`${M}: classes[${b}] is ${o.classes[b]}; class ids must be in 0..${per - 1}`);
        }
      }
      classes = Int32Array.from(o.classes);
    } else if (o.classes !== undefined) {
      throw new TypeError(
        `${M}: classes applies to initialState { perClass: n } only (this model's is ${
          JSON.stringify(cfg.initialState)
        })`,
      );
    }
    const cellState = this.#cellState, H = cfg.hiddenSize, L = cfg.numLayers;
    const model: StreamedModel = { inputSize: recurrentInputSize(cfg), vocabSize: cfg.vocabSize ?? 0,
      embedding: (where) => this.parameters.paramsAt(where) + 4 * this.#embedding, hiddenSize: H, numLayers: L,
      outputSize: cfg.outputSize, cellState,
      readoutWeights: (where) => this.parameters.paramsAt(where) + 4 * this.#headOffset, head: cfg.head,
      paramsVersion: () => this.parameters.version,
      initialState: (where, cls, batch) => {
        if (this.#stateRows === 0) return null;
        const rows = this.#stateRows, tab = this.parameters.paramsAt(where) + 4 * this.#stateOffset, n = L * batch * H;
        const gather = (ptr: number) => {
          const t = f32(ptr, rows * L * H), dst = new Float32Array(n);
          for (let b = 0; b < batch; b++) {
            for (let l = 0; l < L; l++) {
              dst.set(t.subarray(((cls ? cls[b] : 0) * L + l) * H, ((cls ? cls[b] : 0) * L + l + 1) * H),
                (l * batch + b) * H);
            }
          }
          return dst;
        };
        return cellState ? { h0: gather(tab), c0: gather(tab + 4 * rows * L * H) } : { h0: gather(tab) };
      } };
    const init = model.initialState(M, classes, B);
    const inner = this.rnn.stream({ batch: B, ...(init ?? {}) });
    return new ModelStream(model, inner, classes);
  }

  /** Generate tokens from a next-token model (loss "crossentropy", the previous token as input:
   *  its id for a token model, else its one-hot row): feed `prime`, then draw up to `length` tokens, each fed back, with temperature,
   *  top-k and top-p, seeded; `stop` tokens end it. Returns the drawn tokens (without the prime).
   *  The same seed gives the same tokens in Node and in browsers. */
  generate(options: GenerateOptions): Int32Array {
    return generateTokens(this, options);
  }

  /** Names, shapes and offsets of all parameters. */
  parameterSlots(): readonly TensorSlot[] {
    return this.parameters.slots;
  }
  /** Parameters by name (copies; PyTorch's names: "rnn.weight_ih_l0", …, "readout.weight", "readout.bias"). */
  stateDict(): Record<string, Float32Array> {
    return this.parameters.stateDict("Model.stateDict");
  }
  /** Load parameters by name (every entry checked before anything is written). */
  loadStateDict(dict: Record<string, Float32Array>): void {
    this.parameters.loadStateDict("Model.loadStateDict", dict);
  }
  /** Gradients by name (copies). */
  grads(): Record<string, Float32Array> {
    return this.parameters.grads("Model.grads");
  }
  /** Set every gradient to zero. */
  zeroGrad(): void {
    this.parameters.zeroGrad("Model.zeroGrad");
  }

  /** Validate a data set against this model; returns the number of sequences. */
  checkData(where: string, data: SequenceData, needTargets: boolean): number {
    this.parameters.paramsAt(where);
    return checkData(where, this.#spec, data, needTargets);
  }

  /** @internal Forward (and with `backward`, BPTT accumulating into the gradients) over the
   *  sequences idx of a checked data set; every block the batch needs is reserved first, so a
   *  failure changes nothing. dhs: record ∂L/∂h_t (gradientFlow). training: apply dropout (dropout.ts;
   *  every backward pass is a training pass). */
  runBatch(where: string, data: SequenceData, idx: ArrayLike<number>, mode: "predict" | "loss" | "backward",
    truncate = 0, dhs = false, state: CarriedState | null = null, training = mode === "backward"
  ): BatchResult & { staged: Staged; pred: number } {
    const cfg = this.config, withTargets = mode !== "predict", backward = mode === "backward";
    const H = cfg.hiddenSize, D = cfg.bidirectional ? 2 : 1, L = cfg.numLayers, LD = L * D, F = D * H,
      O = cfg.outputSize;
    const { B, T } = batchShape(this.#spec, data, idx);
    const last = cfg.readout === "last", rows = last ? B : B * T, seqCore = this.#core;
    const hs: R.HeadShape = { rows, ...this.#head }, hf = R.headFloats(hs);
    const st = 4 * LD * B * H, cellState = this.#cellState, learned = this.#stateRows > 0;
    const p = { h0: learned || state ? st : 0, c0: (learned || state) && cellState ? st : 0, out: 4 * B * T * F, hn: st,
      cn: cellState ? st : 0, feat: last ? 4 * B * F : 0, pred: 4 * rows * O, wt: 4 * hf.wt, acts: 4 * hf.acts,
      hgrad: backward ? 4 * hf.grad : 0, dpred: backward ? 4 * rows * O : 0, dfeat: backward ? 4 * rows * F : 0,
      dhn: backward && last ? st : 0, dh0: backward && (learned || state?.dh) ? st : 0,
      dc0: backward && (learned || state?.dh) && cellState ? st : 0, dhs: dhs ? st * T : 0,
      norms: dhs ? 4 * LD * T * (B + 1) : 0, dx: backward && this.#embedding >= 0 ? 4 * B * T * cfg.inputSize : 0 };
    if (!this.#cell.bptt && (truncate > 0 || dhs)) {
      throw new TypeError(
        `${where}: ${truncate > 0 ? "truncate" : "gradientFlow"} applies to the recurrent layers' BPTT; cell ${
          JSON.stringify(cfg.cell)
        } has no such option`,
      );
    }
    const drop = this.dropoutState, dsz = drop.blocks(training, B, T, L, F, recurrentInputSize(cfg), rows);
    reserveAll(where, [[this.#data, stageBlocks(this.#spec, B, T, data, withTargets)], [this.#mem, p], [drop.memory, {
      ...dsz,
    }], ...seqCore.blocks(B, T, backward, dhs)], { what: `batch (${B} sequences × ${T} steps)`,
      advice: seqCore.advice(B) });
    const staged = stage(this.#spec, this.#data, data, idx, withTargets, B, T);
    const masks = drop.draw(where, dsz);
    const params = this.parameters.paramsAt(where), grads = this.parameters.gradsAt(where);
    // token models: the embedding's rows of the ids are the recurrent input
    const emb = (table: number, rows: number): EmbeddingPass => ({ vocab: cfg.vocabSize!, width: cfg.inputSize,
      batch: B, steps: T, table, ids: staged.ids, lengths: staged.lengths, rows, bad: staged.bad });
    if (this.#embedding >= 0) embeddingForward(where, emb(params + 4 * this.#embedding, staged.x));
    // input dropout on what the stack reads: the features, or a token model's embedding rows
    applyMask(staged.x, masks.input, B * T * recurrentInputSize(cfg));
    if (state) {
      f32(p.h0, LD * B * H).set(state.h);
      if (cellState) f32(p.c0, LD * B * H).set(state.c!);
    } else if (learned) {
      const tab = params + 4 * this.#stateOffset, table = this.#stateRows * LD * H;
      R.gatherStates(p.h0, tab, staged.classes, B, LD, H);
      if (cellState) R.gatherStates(p.c0, tab + 4 * table, staged.classes, B, LD, H);
    }
    seqCore.forward(where, staged, { params, h0: p.h0, c0: p.c0, out: p.out, hn: p.hn, cn: p.cn,
      dropout: masks.dropout });
    const feat = last ? p.feat : p.out;
    if (last) R.lastStates(p.hn, p.feat, B, H, L, D);
    applyMask(feat, masks.readout, rows * F);
    const w = params + 4 * this.#headOffset;
    R.headForward(hs, feat, w, p.acts, p.pred, p.wt);
    // the carried state leaves with the batch's final states, once nothing can fail any more
    const carry = () => {
      if (state?.dh && backward) {
        state.dh.set(f32(p.dh0, LD * B * H));
        if (cellState) state.dc!.set(f32(p.dc0, LD * B * H));
      }
      if (state) {
        state.h.set(f32(p.hn, LD * B * H));
        if (cellState) state.c!.set(f32(p.cn, LD * B * H));
      }
    };
    if (!withTargets) {
      carry();
      return { loss: NaN, sq: 0, abs: 0, correct: 0, count: 0, weight: 0, staged, pred: p.pred };
    }
    const loss = R.loss(hs, p.pred, staged.target, staged.mask, p.dpred);
    const m = R.metrics(hs, p.pred, staged.target, staged.mask);
    if (backward) {
      R.headBackward(hs, feat, w, p.acts, p.dpred, grads + 4 * this.#headOffset, p.dfeat, p.hgrad);
      applyMask(p.dfeat, masks.readout, rows * F);
      if (last) R.lastStatesBackward(p.dfeat, p.dhn, B, H, L, D);
      seqCore.backward(where, staged, { params, grads, dOut: last ? 0 : p.dfeat, dhn: last ? p.dhn : 0, dh0: p.dh0,
        dc0: p.dc0, dhs: p.dhs, truncate, dropout: masks.dropout, dx: p.dx });
      if (this.#embedding >= 0) {
        applyMask(p.dx, masks.input, B * T * recurrentInputSize(cfg)); // ∂L/∂rows through the input dropout
        embeddingBackward(where, emb(grads + 4 * this.#embedding, p.dx));
      }
      if (learned && !state) {
        const g = grads + 4 * this.#stateOffset, table = this.#stateRows * LD * H;
        R.scatterStates(g, p.dh0, staged.classes, B, LD, H);
        if (cellState) R.scatterStates(g + 4 * table, p.dc0, staged.classes, B, LD, H);
      }
    }
    carry();
    return { loss, ...m, staged, pred: p.pred };
  }

  /** @internal Check a carried state for a batch of B sequences (trainBatch's `state`). */
  checkState(where: string, state: unknown, B: number): CarriedState {
    const cfg = this.config, cellState = this.#cellState;
    if (!this.#cell.bptt) {
      throw new TypeError(
        `${where}: state applies to the recurrent stacks; cell ${JSON.stringify(cfg.cell)} has none to carry`,
      );
    }
    if (cfg.initialState !== "zeros") {
      throw new TypeError(
        `${where}: state replaces the initial state, so the model's initialState must be "zeros", got ${
          JSON.stringify(cfg.initialState)
        }`,
      );
    }
    const o = check.object(where, "state", state);
    check.known(where, o, ["h", ...(cellState ? ["c"] : [])], "state");
    const n = cfg.numLayers * (cfg.bidirectional ? 2 : 1) * B * cfg.hiddenSize,
      shape = `[layers*directions=${
        cfg.numLayers * (cfg.bidirectional ? 2 : 1)
      }, batch=${B}, hidden=${cfg.hiddenSize}]`;
    const h = check.f32(where, "state.h", o.h, n, shape);
    const c = cellState ? check.f32(where, "state.c", o.c, n, shape) : undefined;
    return { h, c };
  }

  /** Predictions for a list of sequences: Float32Array [N·O] (readout "last", raw logits for
   *  crossentropy) or one Float32Array [len_i·O] per sequence (readout "sequence"). Give `times`
   *  and `mask` (as data.times, data.mask) when the model reads them. */
  predict(x: Float32Array[] | Int32Array[],
    options: { batchSize?: number; classes?: Int32Array; times?: Float64Array[]; mask?: Float32Array[] } =
      {}): Prediction<R> {
    const M = "Model.predict";
    const o = check.object(M, "options", options);
    check.known(M, o, ["batchSize", "classes", "times", "mask"]);
    const data: SequenceData = { x };
    if (o.classes !== undefined) data.classes = o.classes as Int32Array;
    if (o.times !== undefined) data.times = o.times as Float64Array[];
    if (o.mask !== undefined) data.mask = o.mask as Float32Array[];
    const N = this.checkData(M, data, false);
    const bs = check.int(M, "batchSize", o.batchSize ?? 128, 1);
    const O = this.config.outputSize, last = this.config.readout === "last";
    const flat = new Float32Array(last ? N * O : 0);
    const seqs: Float32Array[] = [];
    for (let i0 = 0; i0 < N; i0 += bs) {
      const idx = range(i0, Math.min(N, i0 + bs));
      const { staged: s, pred } = this.runBatch(M, data, idx, "predict");
      if (last) flat.set(f32(pred, s.B * O), i0 * O);
      else {
        for (let b = 0; b < s.B; b++) {
          seqs.push(f32(pred + 4 * b * s.T * O, stepsOf(this.#spec, x[idx[b]]) * O).slice());
        }
      }
    }
    return (last ? flat : seqs) as Prediction<R>;
  }

  /** Mean loss and metrics (rmse and mae for mse, accuracy for crossentropy) over a data set. */
  evaluate(data: SequenceData, options: { batchSize?: number } = {}): Evaluation {
    const M = "Model.evaluate";
    const N = this.checkData(M, data, true);
    const o = check.object(M, "options", options);
    check.known(M, o, ["batchSize"]);
    const bs = check.int(M, "batchSize", o.batchSize ?? 128, 1);
    let lossSum = 0, sq = 0, abs = 0, correct = 0, count = 0, weight = 0;
    for (let i0 = 0; i0 < N; i0 += bs) {
      const r = this.runBatch(M, data, range(i0, Math.min(N, i0 + bs)), "loss");
      lossSum += r.loss * r.weight;
      weight += r.weight;
      sq += r.sq;
      abs += r.abs;
      correct += r.correct;
      count += r.count;
    }
    // Σ w·ℓ / Σ w over the whole data set (the mean over the rows that count, without weights)
    const loss = weight > 0 ? lossSum / weight : 0;
    return this.config.loss === "mse"
      ? { loss, rmse: Math.sqrt(sq / (count * this.config.outputSize)), mae: abs / (count * this.config.outputSize) }
      : { loss, accuracy: correct / count };
  }

  /** Zero the gradients, then run forward, loss and BPTT on a batch of sequences, leaving
   *  ∂loss/∂parameter in grads(). Returns the loss. The weights are not changed. */
  computeGradients(data: SequenceData, options: { truncate?: number } = {}): number {
    const M = "Model.computeGradients";
    const N = this.checkData(M, data, true);
    const k = truncateOption(M, options);
    this.parameters.zeroGrad(M);
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
    this.parameters.zeroGrad(M);
    const r = this.runBatch(M, data, range(0, N), "backward", k, true);
    const { B, T } = r.staged, dhs = this.#mem.get("dhs"), norms = this.#mem.get("norms"), c = core();
    c.row_norms_f32(LD * T, B * H, dhs, B * H, norms);
    c.row_norms_f32(LD * T * B, H, dhs, H, norms + 4 * LD * T);
    return { loss: r.loss, steps: T, batch: B, layersDirections: LD, stepNorms: f32(norms, LD * T).slice(),
      seqNorms: f32(norms + 4 * LD * T, LD * T * B).slice(), dh: f32(dhs, LD * T * B * H).slice() };
  }

  /** Free the model's WebAssembly memory; later calls throw. (A model that is never disposed is
   *  freed once it is garbage-collected; dispose() frees it now.) */
  dispose(): void {
    untrack(this);
    this.rnn.dispose();
    for (const b of [this.#data, this.#mem, this.dropoutState.memory]) b.release();
    this.#core.release();
    this.parameters.dispose();
  }
  /** dispose(), for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
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
