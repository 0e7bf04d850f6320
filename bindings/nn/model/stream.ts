// Streaming a Model (RecurrentModel.stream): its recurrent stack's LayerStream, then the readout
// at every step, so each call returns the readout per step ([B, k, O]: what a readout-"sequence"
// model predicts at those steps, bitwise; for a readout-"last" model, what it would predict if the
// sequences ended there). The initial state is the model's: zeros, its learned h0 (c0), or the rows
// of the given classes (initialState { perClass }).
import * as check from "../../core/check.js";
import { Blocks, f32, reserveAll, track, untrack } from "../../core/arena.js";
import * as R from "../../functional/readout.js";
import { LayerStream, MAX_STEPS, outArrays } from "../rnn/stream.js";
import type { CarriedState } from "../rnn/stream.js";

/** What a model stream's step() returns (the `out` arrays when given). */
export interface ModelStreamStepResult {
  /** Shape [batch, steps, outputSize]: the readout at each step (raw logits for crossentropy). */
  output: Float32Array;
  /** Shape [numLayers, batch, hidden]: the state after this call's steps. */
  hN: Float32Array;
  /** The cell state likewise (LSTM). */
  cN?: Float32Array;
}

/** What the stream needs of its model. */
export interface StreamedModel {
  /** The recurrent stack's input width (a token model's embeddingSize). */
  readonly inputSize: number;
  /** Token models: the vocabulary's size (0: float inputs). */
  readonly vocabSize: number;
  /** Token models: the embedding table [vocabSize, inputSize] (a pointer). */
  embedding(where: string): number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly outputSize: number;
  readonly cellState: boolean;
  /** The head's layers then the readout's weights [O, W] and bias [O] (a pointer, read at every step). */
  readoutWeights(where: string): number;
  /** The head before the readout (no hidden layers: none). */
  readonly head: { readonly hidden: readonly number[]; readonly activation: "relu" | "tanh" };
  /** The version of the parameters (raised by every write of them). */
  paramsVersion(): number;
  /** The initial state for the given classes (null: zeros). */
  initialState(where: string, classes: Int32Array | null, batch: number): { h0: Float32Array; c0?: Float32Array }
    | null;
}

/** A Model run step by step with its state carried between calls (model.stream()): the readout
 *  at every step, the same bits as predict() over the whole sequence. */
export class ModelStream {
  /** Sequences stepped side by side. */
  readonly batch: number;
  readonly #inner: LayerStream;
  readonly #model: StreamedModel;
  readonly #mem = new Blocks();
  readonly #classes: Int32Array | null;
  #reserved = 0;
  /** The parameters' version whose Wᵀ the wt block holds (-1: none). */
  #wtVersion = -1;
  #disposed = false;
  /** Token models: the embedding rows of a step's ids (grown to the largest call). */
  #rows = new Float32Array(0);

  /** @internal Use model.stream(options). */
  constructor(model: StreamedModel, inner: LayerStream, classes: Int32Array | null) {
    this.#model = model;
    this.#inner = inner;
    this.#classes = classes;
    this.batch = inner.batch;
    track(this, { release: () => {
      this.#mem.release();
      inner.dispose();
    } });
  }

  #alive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this stream was disposed`);
  }

  /** Run k more steps (x [batch, k, inputSize]; a token model's: Int32Array [batch, k] of ids)
   *  from the carried state and read out every step. */
  step(x: Float32Array | Int32Array,
    options: { steps?: number; out?: { output?: Float32Array; hN?: Float32Array; cN?: Float32Array } } =
      {}): ModelStreamStepResult {
    const W = "Model.stream.step", m = this.#model;
    this.#alive(W);
    const o = check.object(W, "options", options);
    check.known(W, o, ["steps", "out"]);
    const k = check.int(W, "steps", o.steps ?? 1, 1, MAX_STEPS);
    const B = this.batch, I = m.inputSize, H = m.hiddenSize, O = m.outputSize, n = m.numLayers * B * H;
    m.readoutWeights(W); // throws after the model's dispose()
    if (m.vocabSize > 0) checkIds(W, x, B, k, m.vocabSize);
    else {
      if (x instanceof Int32Array) {
        throw new TypeError(
          `${W}: x must be a Float32Array [batch=${B}, steps=${k}, inputSize=${I}]; token ids need a model with vocabSize`,
        );
      }
      check.f32(W, "x", x, B * k * I, `[batch=${B}, steps=${k}, inputSize=${I}]`);
    }
    const st = `[numLayers=${m.numLayers}, batch=${B}, hidden=${H}]`;
    const out = outArrays(W, o.out, [["output", B * k * O, `[batch=${B}, steps=${k}, outputSize=${O}]`], ["hN", n, st],
      ...(m.cellState ? [["cN", n, st] as [string, number, string]] : [])]);
    const pred = m.vocabSize > 0 ? this.runIds(W, x as Int32Array, k) : this.run(W, x as Float32Array, k);
    const s = this.#inner.statePointers();
    const copy = (ptr: number, len: number, into: Float32Array | undefined) => {
      const v = f32(ptr, len);
      if (into) {
        into.set(v);
        return into;
      }
      return v.slice();
    };
    const r: ModelStreamStepResult = { output: copy(pred, B * k * O, out?.output), hN: copy(s.h, n, out?.hN) };
    if (m.cellState) r.cN = copy(s.c, n, out?.cN);
    return r;
  }

  /** @internal Run k steps of x (checked by the caller) and the readout; returns the pointer of
   *  the readout [B, k, O] (valid until the next call). */
  run(where: string, x: Float32Array, k: number): number {
    const m = this.#model, B = this.batch, H = m.hiddenSize, O = m.outputSize;
    const hs: R.HeadShape = { rows: B * k, features: H, outputs: O, loss: "mse", ...m.head }, hf = R.headFloats(hs);
    if (k > this.#reserved) {
      reserveAll(where, [[this.#mem, { pred: 4 * B * k * O, wt: 4 * hf.wt, acts: 4 * hf.acts, weights: 8 * O }]], {
        what: `stream readout (batch ${B} × ${k} steps)`,
      });
      this.#reserved = k;
      this.#wtVersion = -1; // a new wt block: nothing transposed in it
    }
    const feat = this.#inner.run(where, x, k), pred = this.#mem.get("pred");
    if (m.head.hidden.length > 0) {
      // a head: every layer's Wᵀ is transposed at every call (one wt block serves them all)
      R.headForward(hs, feat, m.readoutWeights(where), this.#mem.get("acts"), pred, this.#mem.get("wt"));
      return pred;
    }
    // Wᵀ is transposed once per version of the parameters (every write raises it), not every step
    const version = m.paramsVersion(), shape = { rows: B * k, features: H, outputs: O, loss: "mse" as const };
    if (version === this.#wtVersion) R.readoutForwardT(shape, feat, m.readoutWeights(where), pred, this.#mem.get("wt"));
    else {
      R.readoutForward(shape, feat, m.readoutWeights(where), pred, this.#mem.get("wt"));
      this.#wtVersion = version;
    }
    return pred;
  }
  /** @internal Run k steps of checked token ids [B, k]: a token model reads their embedding rows,
   *  a float model their one-hot rows (ids below inputSize). */
  runIds(where: string, ids: Int32Array, k: number): number {
    const m = this.#model, I = m.inputSize, n = ids.length * I;
    if (this.#rows.length < n) this.#rows = new Float32Array(n);
    const x = this.#rows.subarray(0, n);
    if (m.vocabSize > 0) {
      const table = f32(m.embedding(where), m.vocabSize * I);
      for (let i = 0; i < ids.length; i++) x.set(table.subarray(ids[i] * I, ids[i] * I + I), i * I);
    } else {
      x.fill(0);
      for (let i = 0; i < ids.length; i++) x[i * I + ids[i]] = 1;
    }
    return this.run(where, x, k);
  }

  /** @internal O f64 of scratch (after the first run). */
  get weightsScratch(): number {
    return this.#mem.get("weights");
  }

  /** Copies of the current state. */
  state(): CarriedState {
    this.#alive("Model.stream.state");
    return this.#inner.state();
  }

  /** Back to the model's initial state (zeros, learned, or the classes' rows), or a given one. */
  reset(options: { h0?: Float32Array; c0?: Float32Array } = {}): void {
    const W = "Model.stream.reset";
    this.#alive(W);
    const o = check.object(W, "options", options);
    if (o.h0 === undefined && o.c0 === undefined) {
      const init = this.#model.initialState(W, this.#classes, this.batch);
      this.#inner.reset(init ?? {});
    } else this.#inner.reset(options);
  }

  /** Free the stream's memory; later steps throw. */
  dispose(): void {
    untrack(this);
    this.#mem.release();
    this.#inner.dispose();
    this.#disposed = true;
  }
  /** dispose(), for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** A stream step's token ids: an Int32Array [B, k] of ids in 0..V−1. */
function checkIds(where: string, x: unknown, B: number, k: number, V: number): void {
  const n = B * k;
  if (!(x instanceof Int32Array) || x.length !== n) {
    throw new TypeError(
      `${where}: x must be an Int32Array of ${n} token ids [batch=${B}, steps=${k}] in 0..${V - 1}${
        x instanceof Float32Array ? " (the model has vocabSize: it reads ids, not float features)" : ""
      }, got ${check.show(x)}`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (x[i] < 0 || x[i] >= V) {
      throw new RangeError(
        `${where}: x[${i}] (sequence ${Math.floor(i / k)}, step ${i % k}) is ${x[i]}; ids must be in 0..${V - 1}`,
      );
    }
  }
}
