// Recurrent layers with torch.nn.RNN/LSTM/GRU's contract (batch_first, PyTorch's state_dict names,
// shapes and gate order): RNN, LSTM, GRU. A layer is a parameter block (nn/params.ts, state_dict
// order), its options, and the pass memory that a forward pass leaves for backward (workspace,
// staged inputs); the passes are functional/rnn.ts. The three classes share one implementation;
// what differs is their row of CELLS (core/cells.ts): the cell id passed to the core, the gates,
// the cell state.
import { CELLS, cellId, nonlinearityCells, resetAfterCells, takesNonlinearity,
  takesResetAfter } from "../../core/cells.js";
import type { CellType, Nonlinearity } from "../../core/cells.js";
import * as check from "../../core/check.js";
import { Blocks, f32, i32, reserveAll, untrack } from "../../core/arena.js";
import { core } from "../../core/loader.js";
import { checkInit, initializeBlock } from "../../functional/init.js";
import type { InitOptions, InitSpec } from "../../functional/init.js";
import { PackedReuse, RnnShape, rnnBackward, rnnBackwardBlocks, rnnForward, rnnForwardBlocks, rnnParamCount,
  rnnWorkspaceBytes } from "../../functional/rnn.js";
import { ParameterBlock, ParameterModule, TensorSlot, adopt, layoutSlots } from "../params.js";
import { LayerStream } from "./stream.js";
import type { StreamOptions } from "./stream.js";

export type { CellType, Nonlinearity };

import type { BackwardGrads, BackwardOptions, BackwardResult, CellOptions, ForwardOptions, ForwardResult, GRUOptions,
  LSTMOptions, RNNOptions } from "./options.js";
export type { BackwardGrads, BackwardOptions, BackwardResult, CellOptions, ForwardOptions, ForwardResult, GRUOptions,
  LayerOptions, LSTMOptions, RNNOptions } from "./options.js";

/** Gates per unit: 1 (Elman), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n). */
export const GATES: Record<CellType, number> = Object.fromEntries(
  Object.entries(CELLS).map(([type, c]) => [type, c.gates.length]),
) as Record<CellType, number>;
const MAX_DIM = 1 << 20;
const ADVICE = "use checkpoint: true (activation memory O(√steps)), shorter sequences or smaller batches";

/** PyTorch state_dict names, shapes and offsets of a recurrent stack (G gates per unit). */
export function rnnSlots(G: number, I: number, H: number, L: number, D: number): TensorSlot[] {
  const entries: [string, number[]][] = [];
  for (let l = 0; l < L; l++) {
    const In = l === 0 ? I : D * H;
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
      entries.push([`weight_ih${sfx}`, [G * H, In]], [`weight_hh${sfx}`, [G * H, H]], [`bias_ih${sfx}`, [G * H]], [
        `bias_hh${sfx}`,
        [G * H],
      ]);
    }
  }
  return layoutSlots(entries);
}

/** Set by makeLayer for the next constructor: a view of a model's block to use instead of owning one. */
let lent: ParameterBlock | null = null;

/** What RNN, LSTM and GRU share. Use those classes. */
export class RecurrentLayer extends ParameterModule {
  protected get moduleName(): string {
    return CELLS[this.mode].name;
  }
  /** Features per step, I. */
  readonly inputSize: number;
  /** Hidden units per layer and direction, H. */
  readonly hiddenSize: number;
  /** Stacked layers, L. */
  readonly numLayers: number;
  /** Two directions per layer (D = 2). */
  readonly bidirectional: boolean;
  /** Elman nonlinearity ("tanh" for LSTM and GRU, whose gates are fixed). */
  readonly nonlinearity: Nonlinearity;
  /** The cell: "rnn", "lstm" or "gru". */
  readonly mode: CellType;
  /** GRU: the reset gate after the recurrent product (PyTorch's, true) or before it (false); true
   *  for the other cells. */
  readonly resetAfter: boolean;
  /** Number of f32 parameters. */
  readonly numParams: number;
  /** The initialization options given at construction (a preset expanded). */
  readonly init: InitOptions;
  /** The parameters and their gradients (state_dict order). */
  readonly parameters: ParameterBlock;
  /** The staged inputs and outputs; the pass memory of functional/rnn.ts (workspaces, descriptors). */
  readonly #mem = new Blocks();
  readonly #pass = new Blocks();
  /** Shape of the last successful forward pass (what backward differentiates), or null. */
  #last: { shape: RnnShape; lengths: boolean } | null = null;
  /** Whether the next forward may reuse the weights the last one packed. */
  readonly #packed = new PackedReuse();
  #ck: boolean;

  protected constructor(mode: CellType, options: CellOptions) {
    super();
    const block = lent;
    lent = null;
    const W = CELLS[mode].name;
    this.mode = mode;
    const o = check.object(W, "options", options);
    check.known(W, o, ["inputSize", "hiddenSize", "numLayers", "bidirectional", "seed", "init", "checkpoint",
      ...(takesNonlinearity(mode) ? ["nonlinearity"] : []), ...(takesResetAfter(mode) ? ["resetAfter"] : []),
      ...(mode === "lstm" ? ["forgetBias"] : [])]);
    this.#ck = check.bool(W, "checkpoint", o.checkpoint ?? false);
    this.init = withForgetBias(W, checkInit(W, o.init, mode === "lstm"), o.forgetBias);
    this.inputSize = check.int(W, "inputSize", o.inputSize, 1, MAX_DIM);
    this.hiddenSize = check.int(W, "hiddenSize", o.hiddenSize, 1, MAX_DIM);
    this.numLayers = check.int(W, "numLayers", o.numLayers ?? 1, 1, 64);
    this.bidirectional = check.bool(W, "bidirectional", o.bidirectional ?? false);
    this.nonlinearity = check.oneOf(W, "nonlinearity", o.nonlinearity ?? "tanh", ["tanh", "relu", "linear"] as const);
    this.resetAfter = check.bool(W, "resetAfter", o.resetAfter ?? true);
    const seed = check.int(W, "seed", o.seed ?? 0, 0, 0xffffffff);
    const slots = rnnSlots(CELLS[mode].gates.length, this.inputSize, this.hiddenSize, this.numLayers, this.directions);
    this.numParams = rnnParamCount(this.cell, this.inputSize, this.hiddenSize, this.numLayers, this.directions);
    if (slots[slots.length - 1].offset + slots[slots.length - 1].size !== this.numParams) {
      throw new Error(
        `recurrent-wasm: internal error: the parameter layout (${
          slots[slots.length - 1].offset + slots[slots.length - 1].size
        } floats) differs from the core's count (${this.numParams}); please report it with the layer's options`,
      );
    }
    // allocation last, after every check; a failure from here on frees what was allocated
    this.parameters = block ? block.view(W, 0, slots) : new ParameterBlock(W, slots);
    adopt(this, this.parameters, [this.#mem, this.#pass], () => this.resetParameters(seed));
  }

  /** Number of directions D (1 or 2). */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The core's cell id (assembly/constants.ts): 0/1/4 Elman tanh/relu/linear, 2 LSTM, 3 GRU,
   *  5 GRU with the reset gate before the recurrent product. */
  get cell(): number {
    return cellId(this.mode, this.nonlinearity, this.resetAfter);
  }

  /** Gradient checkpointing for the next forward pass (see LayerOptions.checkpoint). */
  get checkpoint(): boolean {
    return this.#ck;
  }
  /** Turn gradient checkpointing on or off for the next passes. */
  set checkpoint(on: boolean) {
    this.#ck = check.bool(`${CELLS[this.mode].name}.checkpoint`, "checkpoint", on);
  }

  #shape(batch: number, steps: number, checkpoint = this.#ck): RnnShape {
    return { cell: this.cell, batch, steps, inputSize: this.inputSize, hiddenSize: this.hiddenSize,
      numLayers: this.numLayers, directions: this.directions, checkpoint };
  }

  /** Bytes of WebAssembly workspace a forward + backward pass over [batch, steps] uses (states and
   *  activations kept for BPTT, and scratch), with or without checkpointing (default: this
   *  layer's setting). Exact, computed in 64 bits (it may exceed the 4 GiB a pass can have).
   *  Parameters, gradients and the input/output tensors come on top. */
  workspaceBytes(batch: number, steps: number, checkpoint = this.#ck): number {
    const W = `${CELLS[this.mode].name}.workspaceBytes`;
    const B = check.int(W, "batch", batch, 1, MAX_DIM), T = check.int(W, "steps", steps, 1, MAX_DIM);
    return rnnWorkspaceBytes(this.#shape(B, T, check.bool(W, "checkpoint", checkpoint)));
  }

  /** Re-initialize every parameter with a seed, by the layer's `init` options (default: all
   *  U(−1/√H, 1/√H), PyTorch's) or by the options given here. */
  resetParameters(seed = 0, init?: InitSpec): void {
    const W = `${CELLS[this.mode].name}.resetParameters`;
    this.parameters.paramsAt(W);
    const s = check.int(W, "seed", seed, 0, 0xffffffff);
    const opts = init === undefined ? this.init : checkInit(W, init, this.mode === "lstm");
    // build in a copy, so that a failure leaves the weights as they were
    const v = new Float32Array(this.numParams);
    initializeBlock(v, this.parameters.slots, CELLS[this.mode].gates.length, this.hiddenSize, s, opts);
    this.parameters.setFlat(W, v);
  }

  /** Forward over a batch of sequences (batch-first x [B, T, I]). */
  forward(x: Float32Array, options: ForwardOptions): ForwardResult {
    const W = `${CELLS[this.mode].name}.forward`;
    this.parameters.paramsAt(W); // throws after dispose()
    const o = check.object(W, "options", options);
    const cs = CELLS[this.mode].cellState;
    check.known(W, o, ["batch", "steps", "lengths", "h0", "allowNonFinite", ...(cs ? ["c0"] : [])]);
    const B = check.int(W, "batch", o.batch, 1, MAX_DIM), T = check.int(W, "steps", o.steps, 1, MAX_DIM);
    const I = this.inputSize, H = this.hiddenSize, D = this.directions, LD = this.numLayers * D;
    const allow = check.bool(W, "allowNonFinite", o.allowNonFinite ?? false);
    check.f32(W, "x", x, B * T * I, `[batch=${B}, steps=${T}, inputSize=${I}]`, allow ? "allow" : "hint");
    const lens = o.lengths === undefined ? null : check.lengths(W, o.lengths, B, T);
    const shape = `[layers*directions=${LD}, batch=${B}, hidden=${H}]`;
    const h0 = o.h0 === undefined ? null : check.f32(W, "h0", o.h0, LD * B * H, shape, allow ? "allow" : "hint");
    const c0 = o.c0 === undefined ? null : check.f32(W, "c0", o.c0, LD * B * H, shape, allow ? "allow" : "hint");
    // all arguments valid: reserve every block of the pass at once (a failure changes nothing)
    const s = this.#shape(B, T), st = 4 * LD * B * H;
    const p = { x: 4 * B * T * I, lengths: lens ? 4 * B : 0, h0: h0 ? st : 0, c0: c0 ? st : 0, out: 4 * B * T * D * H,
      hn: st, cn: cs ? st : 0 };
    reserveAll(W, [[this.#mem, p], [this.#pass, rnnForwardBlocks(s)]], {
      what:
        `pass (batch ${B} × steps ${T}, inputSize ${I}, hiddenSize ${H}, ${this.numLayers} layer(s) × ${D} direction(s))`,
      advice: ADVICE,
    });
    // from here on the previous forward's inputs are overwritten
    this.#last = null;
    f32(p.x, x.length).set(x);
    if (lens) i32(p.lengths, B).set(lens);
    if (h0) f32(p.h0, h0.length).set(h0);
    if (c0) f32(p.c0, c0.length).set(c0);
    const version = this.parameters.version, packed = this.#packed.begin(version, this.#pass);
    rnnForward(W, this.#pass, s, { params: this.parameters.paramsAt(W), x: p.x, lengths: p.lengths, h0: p.h0, c0: p.c0,
      out: p.out, hn: p.hn, cn: p.cn, packed });
    this.#packed.done(version, this.#pass);
    this.#last = { shape: s, lengths: lens !== null };
    const r: ForwardResult = { output: f32(p.out, B * T * D * H).slice(), hN: f32(p.hn, LD * B * H).slice() };
    if (cs) r.cN = f32(p.cn, LD * B * H).slice();
    return r;
  }

  /** A stream over this layer: state carried from one step() call to the next, for data that
   *  arrives a step (or a chunk) at a time. Stepping in chunks gives outputs and state bitwise
   *  equal to one forward() over the whole sequence. Unidirectional layers only (a bidirectional
   *  layer needs the whole sequence: a TypeError). The stream reads the layer's current weights
   *  at every step; dispose it when done (disposing the layer makes it throw). */
  stream(options: StreamOptions = {}): LayerStream {
    const W = `${CELLS[this.mode].name}.stream`;
    if (this.bidirectional) {
      throw new TypeError(
        `${W}: a bidirectional layer cannot stream (its reverse direction reads each sequence from its end); use forward() on whole sequences`,
      );
    }
    return new LayerStream(this, CELLS[this.mode].name, options);
  }

  /** Backward through the last successful forward call; parameter gradients accumulate into
   *  grads(). A forward that threw (bad arguments, not enough memory) before it ran leaves the
   *  previous one to differentiate; one that failed while running leaves none (backward throws). */
  backward(grads: BackwardGrads, options: BackwardOptions = {}): BackwardResult {
    const W = `${CELLS[this.mode].name}.backward`;
    this.parameters.paramsAt(W);
    if (!this.#last) {
      throw new Error(
        `${W}: no forward pass to differentiate (call forward() first; backward differentiates the last successful forward pass)`,
      );
    }
    const g = check.object(W, "grads", grads);
    const cs = CELLS[this.mode].cellState;
    check.known(W, g, ["output", "hN", ...(cs ? ["cN"] : [])], "grads");
    const o = check.object(W, "options", options);
    check.known(W, o, ["truncate", "stateGrads"]);
    const s = this.#last.shape, { batch: B, steps: T } = s;
    const I = this.inputSize, H = this.hiddenSize, D = this.directions, LD = this.numLayers * D;
    const gOut = g.output === undefined
      ? null
      : check.f32(W, "grads.output", g.output, B * T * D * H, `[batch=${B}, steps=${T}, directions*hidden=${D * H}]`);
    const shape = `[layers*directions=${LD}, batch=${B}, hidden=${H}]`;
    const gH = g.hN === undefined ? null : check.f32(W, "grads.hN", g.hN, LD * B * H, shape);
    const gC = g.cN === undefined ? null : check.f32(W, "grads.cN", g.cN, LD * B * H, shape);
    const k = o.truncate === undefined ? 0 : check.int(W, "options.truncate", o.truncate, 1, MAX_DIM);
    const diag = check.bool(W, "options.stateGrads", o.stateGrads ?? false);
    const st = 4 * LD * B * H;
    const p = { gOut: gOut ? 4 * B * T * D * H : 0, gH: gH ? st : 0, gC: gC ? st : 0, dx: 4 * B * T * I, dh0: st,
      dc0: cs ? st : 0, dhs: diag ? st * T : 0, norms: diag ? 4 * LD * T : 0 };
    reserveAll(W, [[this.#mem, p], [this.#pass, rnnBackwardBlocks(s, this.numParams, diag)]], {
      what: `backward pass (batch ${B} × steps ${T})`,
      advice: ADVICE,
    });
    if (gOut) f32(p.gOut, gOut.length).set(gOut);
    if (gH) f32(p.gH, gH.length).set(gH);
    if (gC) f32(p.gC, gC.length).set(gC);
    rnnBackward(W, this.#pass, s, { params: this.parameters.paramsAt(W), grads: this.parameters.gradsAt(W),
      x: this.#mem.get("x"), lengths: this.#last.lengths ? this.#mem.get("lengths") : 0, dOut: p.gOut, dhn: p.gH,
      dcn: p.gC, dx: p.dx, dh0: p.dh0, dc0: p.dc0, dhs: p.dhs, truncate: k }, this.numParams);
    const r: BackwardResult = { x: f32(p.dx, B * T * I).slice(), h0: f32(p.dh0, LD * B * H).slice() };
    if (cs) r.c0 = f32(p.dc0, LD * B * H).slice();
    if (diag) {
      core().row_norms_f32(LD * T, B * H, p.dhs, B * H, p.norms);
      r.dh = f32(p.dhs, LD * T * B * H).slice();
      r.stepNorms = f32(p.norms, LD * T).slice();
    }
    return r;
  }

  /** Free the layer's WebAssembly memory; later calls throw. (A layer that is never disposed is
   *  freed once it is garbage-collected; dispose() frees it now.) */
  dispose(): void {
    untrack(this);
    this.#mem.release();
    this.#pass.release();
    this.parameters.dispose();
    this.#last = null;
  }
  /** dispose(), for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Elman RNN, torch.nn.RNN: h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), φ = tanh | relu.
 *
 * @example
 * ```ts
 * import { init, RNN } from "recurrent-wasm";
 *
 * await init();
 * const rnn = new RNN({ inputSize: 3, hiddenSize: 8, numLayers: 2, seed: 0 });
 * const x = new Float32Array(2 * 5 * 3).fill(0.5); // [batch 2, steps 5, inputSize 3]
 * const { output, hN } = rnn.forward(x, { batch: 2, steps: 5, lengths: [5, 2] });
 * const d = rnn.backward({ hN: new Float32Array(hN.length).fill(1) }); // ∂(Σ hN)/∂x; weights' into grads()
 * console.log(output.length, hN.length, d.x.length, Object.keys(rnn.grads()).length); // 80 32 30 8
 * ```
 */
export class RNN extends RecurrentLayer {
  constructor(options: RNNOptions) {
    super("rnn", options);
  }
}

/** LSTM, torch.nn.LSTM: gates i, f, g, o; c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh(c_t).
 *
 * @example
 * ```ts
 * import { init, LSTM } from "recurrent-wasm";
 *
 * await init();
 * const lstm = new LSTM({ inputSize: 2, hiddenSize: 4, bidirectional: true, forgetBias: 1 });
 * const { hN, cN } = lstm.forward(new Float32Array(3 * 6 * 2).fill(1), { batch: 3, steps: 6 });
 * console.log(hN.length, cN?.length); // [2 directions, 3, 4]: 24 24
 * ```
 */
export class LSTM extends RecurrentLayer {
  constructor(options: LSTMOptions) {
    super("lstm", options);
  }
}

/** GRU, torch.nn.GRU: gates r, z, n; n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)),
 *  h' = (1−z)⊙n + z⊙h. With `resetAfter: false`, ONNX's default GRU, Keras reset_after=False and
 *  TF.js: n = tanh(W_in x + b_in + W_hn (r⊙h) + b_hn).
 *
 * @example
 * ```ts
 * import { init, GRU } from "recurrent-wasm";
 *
 * await init();
 * const gru = new GRU({ inputSize: 1, hiddenSize: 4, seed: 1 });
 * const stream = gru.stream({ batch: 1 }); // the state carried from one step to the next
 * for (const v of [0.1, 0.5, -0.2]) console.log(stream.step(Float32Array.of(v)).output); // [1, 1, 4]
 * ```
 */
export class GRU extends RecurrentLayer {
  constructor(options: GRUOptions) {
    super("gru", options);
  }
}

/** init with a forgetBias option (LSTMOptions.forgetBias, ModelConfig.forgetBias) folded in. */
export function withForgetBias(where: string, init: InitOptions, forgetBias: unknown): InitOptions {
  return forgetBias === undefined
    ? init
    : { ...init, forgetBias: check.num(where, "forgetBias", forgetBias, -Infinity) };
}

/** The public class of each cell. */
const CLASSES: { readonly [C in CellType]: new (options: CellOptions) => RecurrentLayer } = { rnn: RNN, lstm: LSTM,
  gru: GRU };

/** Construct the layer class for a cell type, over a view of a model's parameter block. */
export function makeLayer(mode: CellType, options: CellOptions, parameters: ParameterBlock): RecurrentLayer {
  let opts = options;
  if (!takesNonlinearity(mode)) {
    const { nonlinearity, ...rest } = opts;
    if (nonlinearity !== undefined && nonlinearity !== "tanh") {
      throw new TypeError(
        `${CELLS[mode].name}: nonlinearity applies only to cell ${nonlinearityCells()}, got ${
          JSON.stringify(nonlinearity)
        }`,
      );
    }
    opts = rest;
  }
  if (!takesResetAfter(mode)) {
    const { resetAfter, ...rest } = opts;
    if (resetAfter !== undefined && resetAfter !== true) {
      throw new TypeError(
        `${CELLS[mode].name}: resetAfter applies only to cell ${resetAfterCells()}, got ${JSON.stringify(resetAfter)}`,
      );
    }
    opts = rest;
  }
  lent = parameters;
  try {
    return new CLASSES[mode](opts);
  } finally {
    lent = null;
  }
}
