// Recurrent layers with PyTorch's contract (shared/API.md): RNN (Elman), LSTM, GRU. The numbers live
// in WebAssembly memory: one flat parameter block (state_dict order), a gradient block with the
// same layout, and a workspace sized for the largest (batch, steps) seen, which holds what BPTT
// needs. The three classes share one implementation; only the cell code passed to the core differs.
import * as check from "./check.js";
import { checkInit, initializeBlock } from "./init.js";
import type { InitOptions } from "./init.js";
import { Scratch, f32, i32, wasm, threadPool } from "./loader.js";
import type { Job } from "./threads.js";

/** Elman activation φ: PyTorch's "tanh" and "relu", and "linear" (the identity; not in PyTorch,
 *  for experiments on gradient flow). */
export type Nonlinearity = "tanh" | "relu" | "linear";
export type CellType = "rnn" | "lstm" | "gru";

/** Gates per unit: 1 (Elman), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n). */
export const GATES: Record<CellType, number> = { rnn: 1, lstm: 4, gru: 3 };

export interface LayerOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Forward ⧺ reverse directions per layer (default false). */
  bidirectional?: boolean;
  /** Seed of the deterministic initialization (default 0). */
  seed?: number;
  /** Initialization (default: everything U(−1/√H, 1/√H), PyTorch's): e.g.
   *  { recurrent: "orthogonal", bias: "zeros" }. See InitOptions. */
  init?: InitOptions;
  /** Gradient checkpointing (default false): the forward pass keeps only the state entering each
   *  segment of ⌈√T⌉ steps and backward recomputes the rest, so activation memory grows as √T
   *  instead of T for about one extra forward pass of time. Outputs and gradients are bitwise
   *  the same as without it. Can be changed between calls (`layer.checkpoint = true`). */
  checkpoint?: boolean;
}

export interface RNNOptions extends LayerOptions {
  /** Elman nonlinearity φ (default "tanh"). */
  nonlinearity?: Nonlinearity;
}

export interface ForwardOptions {
  batch: number;
  steps: number;
  /** Int32Array [B], 1 <= lengths[b] <= steps (default: all `steps`). */
  lengths?: Int32Array | number[];
  /** Initial state [L·D, B, H] (default zeros). */
  h0?: Float32Array;
  /** Initial cell state [L·D, B, H] (LSTM only; default zeros). */
  c0?: Float32Array;
  /** Accept NaN/Infinity in x and h0 (default false: they are rejected). */
  allowNonFinite?: boolean;
}

export interface ForwardResult {
  /** [B, T, D·H]; zero at t >= lengths[b]. */
  output: Float32Array;
  /** [L·D, B, H]: each sequence's state at its own last step (reverse direction: at t = 0). */
  hN: Float32Array;
  /** [L·D, B, H]: the cell state likewise (LSTM only). */
  cN?: Float32Array;
}

export interface BackwardGrads {
  /** ∂L/∂output [B, T, D·H] (default zeros). */
  output?: Float32Array;
  /** ∂L/∂h_n [L·D, B, H] (default zeros). */
  hN?: Float32Array;
  /** ∂L/∂c_n [L·D, B, H] (LSTM only; default zeros). */
  cN?: Float32Array;
}

export interface BackwardOptions {
  /** Truncated BPTT(k), integer k >= 1 (default: full BPTT). See docs/TRUNCATION in the README. */
  truncate?: number;
  /** Also return the gradient-flow diagnostics `dh` and `stepNorms` (default false). */
  stateGrads?: boolean;
}

export interface BackwardResult {
  /** ∂L/∂x [B, T, I]. */
  x: Float32Array;
  /** ∂L/∂h0 [L·D, B, H]. */
  h0: Float32Array;
  /** ∂L/∂c0 [L·D, B, H] (LSTM only). */
  c0?: Float32Array;
  /** With `stateGrads`: the total ∂L/∂h_t of every layer-direction at every time step,
   *  [L·D, T, B, H] in time order (t = 0 is the state after reading x[:, 0]; for the reverse
   *  direction too), zero at t >= lengths[b]. As BPTT computed it: truncation included. */
  dh?: Float32Array;
  /** With `stateGrads`: ‖∂L/∂h_t‖ over the batch and the hidden units, [L·D, T]. */
  stepNorms?: Float32Array;
}

/** Named tensor inside a flat block: offset and size in floats. */
export interface TensorSlot { name: string; shape: number[]; offset: number; size: number }

/** PyTorch state_dict names, shapes and offsets of a recurrent stack (G gates per unit). */
export function rnnSlots(G: number, I: number, H: number, L: number, D: number): TensorSlot[] {
  const slots: TensorSlot[] = [];
  let o = 0;
  for (let l = 0; l < L; l++) {
    const In = l === 0 ? I : D * H;
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
      for (const [n, shape] of [
        ["weight_ih", [G * H, In]], ["weight_hh", [G * H, H]], ["bias_ih", [G * H]], ["bias_hh", [G * H]],
      ] as [string, number[]][]) {
        const size = shape.reduce((a, b) => a * b, 1);
        slots.push({ name: n + sfx, shape, offset: o, size });
        o += size;
      }
    }
  }
  return slots;
}

/** Where a layer's parameters and gradients live (owned by the layer or lent by a model). */
export interface Storage { params: number; grads: number; owned: boolean }

const MAX_DIM = 1 << 20;

/** What RNN, LSTM and GRU share. Use those classes. */
export class RecurrentLayer {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  /** Elman nonlinearity ("tanh" for LSTM and GRU, whose gates are fixed). */
  readonly nonlinearity: Nonlinearity;
  readonly mode: CellType;
  /** Number of f32 parameters. */
  readonly numParams: number;
  protected readonly slots: TensorSlot[];
  protected storage: Storage | null;
  private ws = new Scratch();
  private xBuf = new Scratch();
  private lenBuf = new Scratch();
  private h0Buf = new Scratch();
  private c0Buf = new Scratch();
  private cnBuf = new Scratch();
  private gCBuf = new Scratch();
  private dc0Buf = new Scratch();
  private outBuf = new Scratch();
  private hnBuf = new Scratch();
  private gOutBuf = new Scratch();
  private gHBuf = new Scratch();
  private dxBuf = new Scratch();
  private dh0Buf = new Scratch();
  private dhsBuf = new Scratch();
  private normBuf = new Scratch();
  /** Shape of the last forward pass (what backward differentiates), or null. */
  private last: { B: number; T: number; lengths: boolean; x: number; ck: number } | null = null;
  private ck = false;

  protected constructor(mode: CellType, options: RNNOptions, storage?: Storage) {
    const W = NAMES[mode];
    this.mode = mode;
    const o = check.object(W, "options", options);
    check.known(W, o, ["inputSize", "hiddenSize", "numLayers", "bidirectional", "seed", "init", "checkpoint", ...(mode === "rnn" ? ["nonlinearity"] : [])]);
    this.ck = check.bool(W, "checkpoint", o.checkpoint ?? false);
    this.init = checkInit(W, o.init);
    this.inputSize = check.int(W, "inputSize", o.inputSize, 1, MAX_DIM);
    this.hiddenSize = check.int(W, "hiddenSize", o.hiddenSize, 1, MAX_DIM);
    this.numLayers = check.int(W, "numLayers", o.numLayers ?? 1, 1, 64);
    this.bidirectional = check.bool(W, "bidirectional", o.bidirectional ?? false);
    this.nonlinearity = check.oneOf(W, "nonlinearity", o.nonlinearity ?? "tanh", ["tanh", "relu", "linear"] as const);
    const seed = check.int(W, "seed", o.seed ?? 0, 0, 0xffffffff);
    const c = wasm();
    this.slots = rnnSlots(GATES[mode], this.inputSize, this.hiddenSize, this.numLayers, this.directions);
    this.numParams = c.rnn_param_count(this.cell, this.inputSize, this.hiddenSize, this.numLayers, this.directions);
    const last = this.slots[this.slots.length - 1];
    if (last.offset + last.size !== this.numParams) throw new Error("recurrent-wasm: parameter layout mismatch with the core");
    if (storage) {
      this.storage = storage;
    } else {
      const bytes = this.numParams * 4;
      this.storage = { params: c.alloc(bytes), grads: c.alloc(bytes), owned: true };
    }
    this.resetParameters(seed);
  }

  /** Number of directions D (1 or 2). */
  get directions(): number { return this.bidirectional ? 2 : 1; }

  /** Gradient checkpointing for the next forward pass (see LayerOptions.checkpoint). */
  get checkpoint(): boolean { return this.ck; }
  set checkpoint(on: boolean) { this.ck = check.bool(`${NAMES[this.mode]}.checkpoint`, "checkpoint", on); }

  /** Bytes of WebAssembly workspace a forward + backward pass over [batch, steps] uses (states and
   *  activations kept for BPTT, and scratch), with or without checkpointing (default: this
   *  layer's setting). Parameters, gradients and the input/output tensors come on top. */
  workspaceBytes(batch: number, steps: number, checkpoint = this.ck): number {
    const W = `${NAMES[this.mode]}.workspaceBytes`;
    const B = check.int(W, "batch", batch, 1, MAX_DIM), T = check.int(W, "steps", steps, 1, MAX_DIM);
    const ck = check.bool(W, "checkpoint", checkpoint);
    return 4 * wasm().rnn_workspace_floats(this.cell, B, T, this.inputSize, this.hiddenSize, this.numLayers, this.directions, ck ? 1 : 0);
  }

  /** Re-initialize every parameter with a seed, by the layer's `init` options (default: all
   *  U(−1/√H, 1/√H), PyTorch's) or by the options given here. */
  resetParameters(seed = 0, init?: InitOptions): void {
    const W = `${NAMES[this.mode]}.resetParameters`;
    const p = this.live("resetParameters").params;
    const s = check.int(W, "seed", seed, 0, 0xffffffff);
    const opts = init === undefined ? this.init : checkInit(W, init);
    // build in a copy, so that a failure leaves the weights as they were
    const v = new Float32Array(this.numParams);
    initializeBlock(v, this.slots, GATES[this.mode], this.hiddenSize, s, opts);
    f32(p, this.numParams).set(v);
  }
  /** The initialization options given at construction. */
  readonly init: InitOptions;

  protected live(method: string): Storage {
    if (!this.storage) throw new Error(`recurrent-wasm: ${NAMES[this.mode]}.${method}() called after dispose()`);
    return this.storage;
  }

  /** The core's cell code: 0/1/4 Elman tanh/relu/linear, 2 LSTM, 3 GRU. */
  get cell(): number {
    return this.mode === "lstm" ? 2 : this.mode === "gru" ? 3 : this.nonlinearity === "relu" ? 1 : this.nonlinearity === "linear" ? 4 : 0;
  }

  /** Forward over a batch of sequences (batch-first x [B, T, I]). */
  forward(x: Float32Array, options: ForwardOptions): ForwardResult {
    const W = `${NAMES[this.mode]}.forward`;
    const st = this.live("forward");
    const o = check.object(W, "options", options);
    const lstm = this.mode === "lstm";
    check.known(W, o, ["batch", "steps", "lengths", "h0", "allowNonFinite", ...(lstm ? ["c0"] : [])]);
    const B = check.int(W, "batch", o.batch, 1, MAX_DIM), T = check.int(W, "steps", o.steps, 1, MAX_DIM);
    const I = this.inputSize, H = this.hiddenSize, LD = this.numLayers * this.directions;
    const allow = check.bool(W, "allowNonFinite", o.allowNonFinite ?? false);
    check.f32(W, "x", x, B * T * I, `[batch=${B}, steps=${T}, inputSize=${I}]`, allow);
    const lens = o.lengths === undefined ? null : check.lengths(W, o.lengths, B, T);
    const shape = `[layers*directions=${LD}, batch=${B}, hidden=${H}]`;
    const h0 = o.h0 === undefined ? null : check.f32(W, "h0", o.h0, LD * B * H, shape, allow);
    const c0 = o.c0 === undefined ? null : check.f32(W, "c0", o.c0, LD * B * H, shape, allow);
    // all arguments valid: from here on, WebAssembly memory is written
    const { out, hn, cn } = this.forwardPtr(st, B, T, this.xBuf.put(x), lens ? this.lenBuf.put(lens) : 0, h0 ? this.h0Buf.put(h0) : 0, c0 ? this.c0Buf.put(c0) : 0);
    const r: ForwardResult = {
      output: f32(out, B * T * this.directions * H).slice(),
      hN: f32(hn, LD * B * H).slice(),
    };
    if (lstm) r.cN = f32(cn, LD * B * H).slice();
    return r;
  }

  /** Forward from pointers already in WebAssembly memory (used by models; no validation). */
  forwardPtr(st: Storage, B: number, T: number, x: number, lengths: number, h0: number, c0 = 0): { out: number; hn: number; cn: number } {
    const c = wasm();
    const I = this.inputSize, H = this.hiddenSize, L = this.numLayers, D = this.directions;
    const out = this.outBuf.ensure(4 * B * T * D * H);
    const hn = this.hnBuf.ensure(4 * L * D * B * H);
    const cn = this.mode === "lstm" ? this.cnBuf.ensure(4 * L * D * B * H) : 0;
    const ck = this.ck ? 1 : 0;
    const parts = this.split(B);
    if (parts.length === 1) {
      const ws = this.ws.ensure(4 * c.rnn_workspace_floats(this.cell, B, T, I, H, L, D, ck));
      c.rnn_forward(this.cell, B, T, I, H, L, D, st.params, ws, x, lengths, h0, c0, out, hn, cn, ck);
    } else {
      // threads: each part of the batch runs the whole recurrence on its own workspace;
      // [L·D, B, H] tensors are gathered into and scattered from per-part [L·D, Bk, H] copies
      const LD = L * D, jobs: Job[] = [];
      parts.forEach(([b0, b1], k) => {
        const Bk = b1 - b0, p = this.part(k);
        const ws = p.ws.ensure(4 * c.rnn_workspace_floats(this.cell, Bk, T, I, H, L, D, ck));
        const h0k = h0 ? p.h0.ensure(4 * LD * Bk * H) : 0, c0k = c0 ? p.c0.ensure(4 * LD * Bk * H) : 0;
        const hnk = p.hn.ensure(4 * LD * Bk * H), cnk = cn ? p.cn.ensure(4 * LD * Bk * H) : 0;
        jobs.push({ fn: "rnn_forward", args: [this.cell, Bk, T, I, H, L, D, st.params, ws, x + 4 * b0 * T * I, lengths ? lengths + 4 * b0 : 0, h0k, c0k, out + 4 * b0 * T * D * H, hnk, cnk, ck] });
      });
      // gathers after every allocation (allocation may grow memory)
      parts.forEach(([b0, b1], k) => {
        const Bk = b1 - b0, p = this.part(k);
        if (h0) c.copy2d_f32(LD, Bk * H, h0 + 4 * b0 * H, B * H, p.h0.ptr, Bk * H);
        if (c0) c.copy2d_f32(LD, Bk * H, c0 + 4 * b0 * H, B * H, p.c0.ptr, Bk * H);
      });
      runJobs(jobs);
      parts.forEach(([b0, b1], k) => {
        const Bk = b1 - b0, p = this.part(k);
        c.copy2d_f32(LD, Bk * H, p.hn.ptr, Bk * H, hn + 4 * b0 * H, B * H);
        if (cn) c.copy2d_f32(LD, Bk * H, p.cn.ptr, Bk * H, cn + 4 * b0 * H, B * H);
      });
    }
    this.last = { B, T, lengths: lengths !== 0, x, ck };
    this.lastLengths = lengths;
    return { out, hn, cn };
  }
  private lastLengths = 0;

  /** How a batch is split across threads: [b0, b1) per part (one part without threads). */
  private split(B: number): [number, number][] {
    const n = Math.min(threadPool()?.size ?? 1, B);
    const parts: [number, number][] = [];
    for (let k = 0, b0 = 0; k < n; k++) { const b1 = b0 + Math.floor(B / n) + (k < B % n ? 1 : 0); parts.push([b0, b1]); b0 = b1; }
    return parts;
  }
  private parts: PartBuffers[] = [];
  private part(k: number): PartBuffers {
    while (this.parts.length <= k) this.parts.push({ ws: new Scratch(), h0: new Scratch(), c0: new Scratch(), hn: new Scratch(), cn: new Scratch(), gH: new Scratch(), gC: new Scratch(), dh0: new Scratch(), dc0: new Scratch(), dhs: new Scratch(), grads: new Scratch() });
    return this.parts[k];
  }

  /** Backward through the last forward call; parameter gradients accumulate into grads(). */
  backward(grads: BackwardGrads, options: BackwardOptions = {}): BackwardResult {
    const W = `${NAMES[this.mode]}.backward`;
    const st = this.live("backward");
    if (!this.last) throw new Error(`${W}: call forward() first (backward differentiates the last forward pass)`);
    const g = check.object(W, "grads", grads);
    const lstm = this.mode === "lstm";
    check.known(W, g, ["output", "hN", ...(lstm ? ["cN"] : [])]);
    const o = check.object(W, "options", options);
    check.known(W, o, ["truncate", "stateGrads"]);
    const { B, T } = this.last;
    const I = this.inputSize, H = this.hiddenSize, D = this.directions, LD = this.numLayers * D;
    const gOut = g.output === undefined ? null : check.f32(W, "grads.output", g.output, B * T * D * H, `[batch=${B}, steps=${T}, directions*hidden=${D * H}]`);
    const shape = `[layers*directions=${LD}, batch=${B}, hidden=${H}]`;
    const gH = g.hN === undefined ? null : check.f32(W, "grads.hN", g.hN, LD * B * H, shape);
    const gC = g.cN === undefined ? null : check.f32(W, "grads.cN", g.cN, LD * B * H, shape);
    const k = o.truncate === undefined ? 0 : check.int(W, "options.truncate", o.truncate, 1, MAX_DIM);
    const diag = check.bool(W, "options.stateGrads", o.stateGrads ?? false);
    const dhs = diag ? this.dhsBuf.ensure(4 * LD * T * B * H) : 0;
    const { dx, dh0, dc0 } = this.backwardPtr(st, gOut ? this.gOutBuf.put(gOut) : 0, gH ? this.gHBuf.put(gH) : 0, true, k, gC ? this.gCBuf.put(gC) : 0, true, dhs);
    const r: BackwardResult = { x: f32(dx, B * T * I).slice(), h0: f32(dh0, LD * B * H).slice() };
    if (lstm) r.c0 = f32(dc0, LD * B * H).slice();
    if (diag) {
      const norms = this.normBuf.ensure(4 * LD * T);
      wasm().row_norms_f32(LD * T, B * H, dhs, B * H, norms);
      r.dh = f32(dhs, LD * T * B * H).slice();
      r.stepNorms = f32(norms, LD * T).slice();
    }
    return r;
  }

  /** Backward from pointers (used by models; no validation). Returns pointers to dx, dh0, dc0
   *  (0 when not wanted). */
  backwardPtr(st: Storage, gOut: number, gH: number, wantDx: boolean, truncate: number, gC = 0, wantDh0 = wantDx, dhs = 0): { dx: number; dh0: number; dc0: number } {
    const c = wasm();
    const last = this.last!;
    const { B, T, x, ck } = last;
    const I = this.inputSize, H = this.hiddenSize, L = this.numLayers, D = this.directions;
    const dx = wantDx ? this.dxBuf.ensure(4 * B * T * I) : 0;
    const dh0 = wantDh0 ? this.dh0Buf.ensure(4 * L * D * B * H) : 0;
    const dc0 = wantDh0 && this.mode === "lstm" ? this.dc0Buf.ensure(4 * L * D * B * H) : 0;
    const parts = this.split(B);
    if (parts.length === 1) {
      const ws = this.ws.ptr; // written by the forward pass
      c.rnn_backward(this.cell, B, T, I, H, L, D, st.params, st.grads, ws, this.lastLengths, gOut, gH, gC, dx, dh0, dc0, truncate, dhs, x, ck);
      return { dx, dh0, dc0 };
    }
    // threads: part 0 accumulates into the gradients, the others into zeroed blocks that are added
    // afterwards (so only the summation order of the weight gradients differs from one thread)
    const LD = L * D, P = this.numParams, jobs: Job[] = [];
    const lengths = this.lastLengths;
    parts.forEach(([b0, b1], k) => {
      const Bk = b1 - b0, p = this.part(k);
      const ws = p.ws.ptr; // written by the forward pass of the same split
      const gk = k === 0 ? st.grads : p.grads.ensure(4 * P);
      const gHk = gH ? p.gH.ensure(4 * LD * Bk * H) : 0, gCk = gC ? p.gC.ensure(4 * LD * Bk * H) : 0;
      const dh0k = dh0 ? p.dh0.ensure(4 * LD * Bk * H) : 0, dc0k = dc0 ? p.dc0.ensure(4 * LD * Bk * H) : 0;
      const dhsk = dhs ? p.dhs.ensure(4 * LD * T * Bk * H) : 0;
      jobs.push({ fn: "rnn_backward", args: [this.cell, Bk, T, I, H, L, D, st.params, gk, ws, lengths ? lengths + 4 * b0 : 0, gOut ? gOut + 4 * b0 * T * D * H : 0, gHk, gCk, dx ? dx + 4 * b0 * T * I : 0, dh0k, dc0k, truncate, dhsk, x + 4 * b0 * T * I, ck] });
    });
    parts.forEach(([b0, b1], k) => {
      const Bk = b1 - b0, p = this.part(k);
      if (k > 0) f32(p.grads.ptr, P).fill(0);
      if (gH) c.copy2d_f32(LD, Bk * H, gH + 4 * b0 * H, B * H, p.gH.ptr, Bk * H);
      if (gC) c.copy2d_f32(LD, Bk * H, gC + 4 * b0 * H, B * H, p.gC.ptr, Bk * H);
    });
    runJobs(jobs);
    parts.forEach(([b0, b1], k) => {
      const Bk = b1 - b0, p = this.part(k);
      if (k > 0) c.axpy_f32_wasmsimd(P, 1, p.grads.ptr, st.grads);
      if (dh0) c.copy2d_f32(LD, Bk * H, p.dh0.ptr, Bk * H, dh0 + 4 * b0 * H, B * H);
      if (dc0) c.copy2d_f32(LD, Bk * H, p.dc0.ptr, Bk * H, dc0 + 4 * b0 * H, B * H);
      if (dhs) c.copy2d_f32(LD * T, Bk * H, p.dhs.ptr, Bk * H, dhs + 4 * b0 * H, B * H);
    });
    return { dx, dh0, dc0 };
  }

  /** Parameters by PyTorch state_dict name (copies, row-major). */
  stateDict(): Record<string, Float32Array> {
    const p = this.live("stateDict").params;
    const out: Record<string, Float32Array> = {};
    for (const s of this.slots) out[s.name] = f32(p + 4 * s.offset, s.size).slice();
    return out;
  }

  /** Load parameters by name. Every entry is checked (missing, unknown, wrong size, non-finite)
   *  before anything is written. */
  loadStateDict(dict: Record<string, Float32Array>): void {
    const W = `${NAMES[this.mode]}.loadStateDict`;
    const p = this.live("loadStateDict").params;
    const d = check.object(W, "dict", dict);
    for (const s of this.slots) {
      if (!(s.name in d)) throw new RangeError(`${W}: missing tensor ${JSON.stringify(s.name)} [${s.shape.join(", ")}]`);
      check.f32(W, s.name, d[s.name], s.size, `[${s.shape.join(", ")}]`);
    }
    for (const k of Object.keys(d)) {
      if (!this.slots.some((s) => s.name === k)) throw new RangeError(`${W}: unexpected tensor ${JSON.stringify(k)} (this RNN has ${this.slots.map((s) => s.name).join(", ")})`);
    }
    for (const s of this.slots) f32(p + 4 * s.offset, s.size).set(d[s.name] as Float32Array);
  }

  /** Accumulated parameter gradients by state_dict name (copies). */
  grads(): Record<string, Float32Array> {
    const g = this.live("grads").grads;
    const out: Record<string, Float32Array> = {};
    for (const s of this.slots) out[s.name] = f32(g + 4 * s.offset, s.size).slice();
    return out;
  }

  /** Pointer to the flat gradient block in WebAssembly memory (numParams floats, state_dict order). */
  gradsPtr(): number { return this.live("gradsPtr").grads; }

  /** Set all parameter gradients to zero. */
  zeroGrad(): void {
    f32(this.live("zeroGrad").grads, this.numParams).fill(0);
  }

  /** Names, shapes and offsets of the parameters in the flat block. */
  parameterSlots(): readonly TensorSlot[] { return this.slots; }

  /** Free the layer's WebAssembly memory; later calls throw. */
  dispose(): void {
    if (!this.storage) return;
    const c = wasm();
    if (this.storage.owned) { c.free(this.storage.params); c.free(this.storage.grads); }
    for (const s of [this.ws, this.xBuf, this.lenBuf, this.h0Buf, this.c0Buf, this.outBuf, this.hnBuf, this.cnBuf, this.gOutBuf, this.gHBuf, this.gCBuf, this.dxBuf, this.dh0Buf, this.dc0Buf, this.dhsBuf, this.normBuf]) s.release();
    for (const p of this.parts) for (const s of Object.values(p)) s.release();
    this.parts = [];
    this.storage = null;
    this.last = null;
  }
}

const NAMES: Record<CellType, string> = { rnn: "RNN", lstm: "LSTM", gru: "GRU" };

/** Per-thread buffers of one part of a split batch. */
interface PartBuffers { ws: Scratch; h0: Scratch; c0: Scratch; hn: Scratch; cn: Scratch; gH: Scratch; gC: Scratch; dh0: Scratch; dc0: Scratch; dhs: Scratch; grads: Scratch }

/** Run core calls in parallel on the thread pool (the first on this thread). */
function runJobs(jobs: Job[]): void {
  const c = wasm();
  threadPool()!.run(jobs, (j) => c[j.fn](...j.args));
}

/** Elman RNN, torch.nn.RNN: h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), φ = tanh | relu. */
export class RNN extends RecurrentLayer {
  constructor(options: RNNOptions, storage?: Storage) { super("rnn", options, storage); }
}

/** LSTM, torch.nn.LSTM: gates i, f, g, o; c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh(c_t). */
export class LSTM extends RecurrentLayer {
  constructor(options: LayerOptions, storage?: Storage) { super("lstm", options, storage); }
}

/** GRU, torch.nn.GRU: gates r, z, n; n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)),
 *  h' = (1−z)⊙n + z⊙h. (PyTorch's variant; TF.js and brain.js differ.) */
export class GRU extends RecurrentLayer {
  constructor(options: LayerOptions, storage?: Storage) { super("gru", options, storage); }
}

/** Construct the layer class for a cell type. */
export function makeLayer(mode: CellType, options: RNNOptions, storage?: Storage): RecurrentLayer {
  if (mode === "lstm" || mode === "gru") {
    const { nonlinearity, ...rest } = options;
    if (nonlinearity !== undefined && nonlinearity !== "tanh") throw new TypeError(`${NAMES[mode]}: nonlinearity applies only to cell "rnn", got ${JSON.stringify(nonlinearity)}`);
    return mode === "lstm" ? new LSTM(rest, storage) : new GRU(rest, storage);
  }
  return new RNN(options, storage);
}

export { i32 };
