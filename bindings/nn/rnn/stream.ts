// Streaming inference over a unidirectional recurrent layer (layer.stream(); a bidirectional layer
// cannot stream): a stream holds the state [L, B, H] (and c for LSTM) in WebAssembly memory and
// carries it from one step() call to the next. Each call runs the same core forward pass as
// RecurrentLayer.forward over its k steps, from the carried state, so stepping a sequence in
// chunks of any sizes gives outputs and final state bitwise equal to one forward() over the whole
// of it. The state lives in two buffers used in turn (read one, write the other), so a call that
// fails leaves the state as it was. Memory is reserved on the first call (and again only when a
// call asks for more steps than any before); later calls allocate no WebAssembly memory.
import * as check from "../../core/check.js";
import { Blocks, f32, heapf32, reserveAll, track, untrack } from "../../core/arena.js";
import { CELLS } from "../../core/cells.js";
import type { CellType } from "../../core/cells.js";
import { PackedReuse, RnnShape, rnnForward, rnnForwardAgain, rnnForwardBlocks,
  rnnForwardDesc } from "../../functional/rnn.js";
import type { ParameterBlock } from "../params.js";

/** Options of layer.stream(). */
export interface StreamOptions {
  /** Sequences stepped side by side (default 1). */
  batch?: number;
  /** Initial state [numLayers, batch, hidden] (default zeros). */
  h0?: Float32Array;
  /** Initial cell state, same shape (LSTM only; default zeros). */
  c0?: Float32Array;
}
/** Options of a stream's step(). */
export interface StreamStepOptions {
  /** Steps in this call (default 1): x is [batch, steps, inputSize]. */
  steps?: number;
  /** Arrays to write the results into instead of new ones (any of them; their sizes must match):
   *  with all given, a step allocates nothing at all. */
  out?: StreamOutputs;
}
/** Caller-provided arrays for step()'s results. */
export interface StreamOutputs {
  /** For the output, [batch, steps, hidden]. */
  output?: Float32Array;
  /** For the state, [numLayers, batch, hidden]. */
  hN?: Float32Array;
  /** For the cell state (LSTM), same shape. */
  cN?: Float32Array;
}
/** What step() returns (the `out` arrays when given). */
export interface StreamStepResult {
  /** Shape [batch, steps, hidden]: the last layer's output at each step of this call. */
  output: Float32Array;
  /** Shape [numLayers, batch, hidden]: the state after this call's steps. */
  hN: Float32Array;
  /** The cell state after this call's steps (LSTM), same shape. */
  cN?: Float32Array;
}

/** A recurrent state carried from one call to the next: what a stream's state() returns, and
 *  trainBatch's `state` (read as the batch's initial state, overwritten with its final one).
 *  h (and c for LSTM) [layers·directions, B, H]. */
export interface CarriedState {
  /** The hidden state, [layers·directions, B, H]. */
  h: Float32Array;
  /** The cell state (LSTM), same shape. */
  c?: Float32Array;
  /** @internal Given to a model's backward pass: it writes ∂L/∂h of the initial state here. */
  dh?: Float32Array;
  /** @internal Likewise ∂L/∂c (LSTM). */
  dc?: Float32Array;
}

/** What a stream needs of its layer (RecurrentLayer). */
export interface StreamableLayer {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly mode: CellType;
  readonly cell: number;
  readonly parameters: ParameterBlock;
}

export const MAX_STEPS = 1 << 20;
const NO_OPTIONS: StreamStepOptions = Object.freeze({});
/** Absent, or a Float32Array of len floats. */
function fits(v: unknown, len: number): boolean {
  return v === undefined || (v instanceof Float32Array && v.length === len);
}
/** len floats of memory at ptr into `into` (no allocation), or a new array. */
function copy(ptr: number, len: number, into: Float32Array | undefined): Float32Array {
  const hf = heapf32();
  if (!into) return hf.slice(ptr >>> 2, (ptr >>> 2) + len);
  for (let i = 0, j = ptr >>> 2; i < len; i++, j++) into[i] = hf[j];
  return into;
}

/** A step's `out` option checked: each given array a Float32Array of its length (specs: name,
 *  length, shape). */
export function outArrays(W: string, value: unknown, specs: [string, number, string][]): Record<string,
  Float32Array | undefined> | undefined {
  if (value === undefined) return undefined;
  const u = check.object(W, "out", value);
  check.known(W, u, specs.map(([n]) => n), "out");
  for (const [name, len, shape] of specs) {
    const v = u[name];
    if (v === undefined) continue;
    if (!(v instanceof Float32Array)) {
      throw new TypeError(`${W}: out.${name} must be a Float32Array ${shape}, got ${check.show(v)}`);
    }
    if (v.length !== len) throw new RangeError(`${W}: out.${name} must have ${len} elements ${shape}, got ${v.length}`);
  }
  return u as Record<string, Float32Array | undefined>;
}

/** A layer run step by step with its state carried between calls (layer.stream()). Stepping in
 *  chunks gives the same bits as one forward() over the whole sequence. */
export class LayerStream {
  /** Sequences stepped side by side. */
  readonly batch: number;
  readonly #layer: StreamableLayer;
  readonly #name: string;
  /** The cell carries a cell state c (LSTM): c0/c1 and cN beside h. */
  readonly #cellState: boolean;
  readonly #state = new Blocks();
  readonly #mem = new Blocks();
  readonly #pass = new Blocks();
  /** Which of the two state buffers holds the current state (0: "h0"/"c0", 1: "h1"/"c1"). */
  #cur = 0;
  /** The steps the staging blocks were reserved for (0: none yet). */
  #reserved = 0;
  /** Whether the next call may reuse the weights the last one packed (the core also requires the
   *  same steps: the shape in the workspace's header). */
  readonly #packed = new PackedReuse();
  #disposed = false;
  readonly #stepName: string;
  /** The result of steps given every output array (the same object each call). */
  readonly #result: StreamStepResult = { output: new Float32Array(0), hN: new Float32Array(0) };
  /** The descriptor of the last single-part forward and its steps: the next call of the same steps
   *  rewrites only its state pointers and calls the core (no allocation); null: none. */
  #fast: { k: number; desc: number } | null = null;

  /** @internal Use layer.stream(options). */
  constructor(layer: StreamableLayer, name: string, options: StreamOptions) {
    const W = `${name}.stream`;
    this.#layer = layer;
    this.#name = name;
    this.#cellState = CELLS[layer.mode].cellState;
    this.#stepName = `${name}.stream.step`;
    layer.parameters.paramsAt(W); // throws after the layer's dispose()
    const o = check.object(W, "options", options);
    check.known(W, o, ["batch", "h0", ...(this.#cellState ? ["c0"] : [])]);
    this.batch = check.int(W, "batch", o.batch ?? 1, 1, MAX_STEPS);
    const n = this.#stateSize, shape = this.#stateShape;
    const h0 = o.h0 === undefined ? null : check.f32(W, "h0", o.h0, n, shape);
    const c0 = o.c0 === undefined ? null : check.f32(W, "c0", o.c0, n, shape);
    reserveAll(W, [[this.#state, { h0: 4 * n, h1: 4 * n, c0: this.#cellState ? 4 * n : 0,
      c1: this.#cellState ? 4 * n : 0 }]], { what: `stream state (${shape})` });
    track(this, { release: () => this.#release() });
    this.#setState(h0, c0);
  }

  get #stateSize(): number {
    return this.#layer.numLayers * this.batch * this.#layer.hiddenSize;
  }
  get #stateShape(): string {
    return `[numLayers=${this.#layer.numLayers}, batch=${this.batch}, hidden=${this.#layer.hiddenSize}]`;
  }
  #alive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this stream was disposed`);
    this.#layer.parameters.paramsAt(where);
  }
  #setState(h0: Float32Array | null, c0: Float32Array | null): void {
    const n = this.#stateSize;
    this.#cur = 0;
    const h = f32(this.#state.get("h0"), n);
    if (h0) h.set(h0);
    else h.fill(0);
    if (this.#cellState) {
      const c = f32(this.#state.get("c0"), n);
      if (c0) c.set(c0);
      else c.fill(0);
    }
  }
  #shape(steps: number): RnnShape {
    const L = this.#layer;
    return { cell: L.cell, batch: this.batch, steps, inputSize: L.inputSize, hiddenSize: L.hiddenSize,
      numLayers: L.numLayers, directions: 1, checkpoint: false };
  }

  /** Run k more steps (x [batch, k, inputSize]) from the carried state; the state after them is
   *  carried into the next call. With every output in `out` (output, hN, and cN for LSTM) and the
   *  same options object each time, a step allocates nothing: the result is then the same object
   *  every call, holding your arrays. */
  step(x: Float32Array, options?: StreamStepOptions): StreamStepResult {
    const W = this.#stepName;
    this.#alive(W);
    const o = options === undefined ? NO_OPTIONS : options;
    // the checks of core/check.ts, inlined so that a valid call allocates nothing; any failure goes
    // through them for the message
    if (o === null || typeof o !== "object") check.object(W, "options", o);
    for (const key in o) {
      if (key !== "steps" && key !== "out") check.known(W, o as Record<string, unknown>, ["steps", "out"]);
    }
    const k = o.steps === undefined ? 1 : o.steps;
    if (!(Number.isInteger(k) && k >= 1 && k <= MAX_STEPS)) check.int(W, "steps", k, 1, MAX_STEPS);
    const B = this.batch, I = this.#layer.inputSize, H = this.#layer.hiddenSize, n = this.#stateSize;
    let bad = !(x instanceof Float32Array) || x.length !== B * k * I;
    for (let i = 0; !bad && i < x.length; i++) {
      const v = x[i];
      if (v - v !== 0) bad = true;
    }
    if (bad) check.f32(W, "x", x, B * k * I, `[batch=${B}, steps=${k}, inputSize=${I}]`);
    const out = o.out;
    if (out !== undefined && !this.#outOk(out, B * k * H, n)) {
      outArrays(W, out, [["output", B * k * H, `[batch=${B}, steps=${k}, hidden=${H}]`], ["hN", n, this.#stateShape],
        ...(this.#cellState ? [["cN", n, this.#stateShape] as [string, number, string]] : [])]);
    }
    const op = this.run(W, x, k), s = this.statePointers();
    if (out?.output && out.hN && (!this.#cellState || out.cN)) {
      const r = this.#result;
      r.output = copy(op, B * k * H, out.output);
      r.hN = copy(s.h, n, out.hN);
      if (this.#cellState) r.cN = copy(s.c, n, out.cN);
      return r;
    }
    const r: StreamStepResult = { output: copy(op, B * k * H, out?.output), hN: copy(s.h, n, out?.hN) };
    if (this.#cellState) r.cN = copy(s.c, n, out?.cN);
    return r;
  }

  /** Every array in out a Float32Array of its length, and no other key (no allocation). */
  #outOk(out: unknown, lenOut: number, n: number): boolean {
    if (out === null || typeof out !== "object") return false;
    const u = out as Record<string, unknown>;
    for (const key in u) if (key !== "output" && key !== "hN" && !(this.#cellState && key === "cN")) return false;
    return fits(u.output, lenOut) && fits(u.hN, n) && fits(u.cN, n);
  }

  /** @internal Run k steps of x (checked by the caller) from the carried state; returns the
   *  pointer of the output [B, k, H] (valid until the next call). */
  run(where: string, x: Float32Array, k: number): number {
    const B = this.batch, I = this.#layer.inputSize, H = this.#layer.hiddenSize;
    if (k > this.#reserved) {
      reserveAll(where, [[this.#mem, { x: 4 * B * k * I, out: 4 * B * k * H }], [this.#pass,
        rnnForwardBlocks(this.#shape(k))]], { what: `stream step (batch ${B} × ${k} steps)`,
        advice: "step fewer steps per call" });
      this.#reserved = k;
      this.#fast = null;
    }
    const xp = this.#mem.get("x"), op = this.#mem.get("out"), cur = this.#cur, next = 1 - cur;
    heapf32().set(x, xp >>> 2);
    const params = this.#layer.parameters, version = params.version;
    const packed = this.#packed.begin(version, this.#pass);
    const st = this.#state, cs = this.#cellState;
    const fast = this.#fast;
    if (fast && fast.k === k) {
      // the last call's descriptor, with the state buffers swapped
      params.paramsAt(where); // throws after dispose
      this.#fast = null; // until it succeeds
      rnnForwardAgain(where, fast.desc, st.get(cur ? "h1" : "h0"), cs ? st.get(cur ? "c1" : "c0") : 0,
        st.get(next ? "h1" : "h0"), cs ? st.get(next ? "c1" : "c0") : 0, packed);
      this.#fast = fast;
    } else {
      rnnForward(where, this.#pass, this.#shape(k), { params: params.paramsAt(where), x: xp, lengths: 0,
        h0: st.get(`h${cur}`), c0: cs ? st.get(`c${cur}`) : 0, out: op, hn: st.get(`h${next}`),
        cn: cs ? st.get(`c${next}`) : 0, packed });
      // one part (no threads split this batch): its descriptor serves the next calls of k steps
      const desc = rnnForwardDesc(this.#pass, B);
      this.#fast = desc ? { k, desc } : null;
    }
    this.#packed.done(version, this.#pass);
    this.#cur = next;
    return op;
  }

  /** @internal The current state's pointers. */
  statePointers(): { h: number; c: number } {
    const p = this.#pointers, c = this.#cur;
    p.h = this.#state.get(c ? "h1" : "h0");
    p.c = this.#cellState ? this.#state.get(c ? "c1" : "c0") : 0;
    return p;
  }
  readonly #pointers = { h: 0, c: 0 };

  /** Copies of the current state: h [numLayers, batch, hidden] (and c for LSTM). */
  state(): CarriedState {
    const W = `${this.#name}.stream.state`;
    this.#alive(W);
    const n = this.#stateSize,
      r: { h: Float32Array; c?: Float32Array } = { h: f32(this.#state.get(`h${this.#cur}`), n).slice() };
    if (this.#cellState) r.c = f32(this.#state.get(`c${this.#cur}`), n).slice();
    return r;
  }

  /** Back to the given state (default zeros). */
  reset(options: { h0?: Float32Array; c0?: Float32Array } = {}): void {
    const W = `${this.#name}.stream.reset`;
    this.#alive(W);
    const o = check.object(W, "options", options);
    check.known(W, o, ["h0", ...(this.#cellState ? ["c0"] : [])]);
    const n = this.#stateSize, shape = this.#stateShape;
    const h0 = o.h0 === undefined ? null : check.f32(W, "h0", o.h0, n, shape);
    const c0 = o.c0 === undefined ? null : check.f32(W, "c0", o.c0, n, shape);
    this.#setState(h0, c0);
  }

  #release(): void {
    this.#state.release();
    this.#mem.release();
    this.#pass.release();
  }
  /** Free the stream's memory (the layer stays); later calls throw. */
  dispose(): void {
    untrack(this);
    this.#release();
    this.#disposed = true;
  }
  /** dispose(), for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
