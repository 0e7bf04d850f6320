// A neural state-space ODE with an input: a continuous-time model of a system driven by a sampled
// input signal,
//   dx/dt = f_θ(x, u(t)),   u(t) = u_k for t_k ≤ t < t_{k+1} (zero-order hold),   t_k = k·Ts,
//   y_k = C x(t_{k+1}) + d,
// f an MLP whose input row is [x, u]. The solve runs in the core (functional/ode.ts with inputs:
// the held u of each interval is f's last input columns), by a fixed-step Runge–Kutta method with
// `substeps` equal steps per sample interval; the gradient is backprop through the solver's stages
// (the exact derivative of the computed solution). The readout C x + d runs here.
import * as check from "../../core/check.js";
import { Blocks, f32, reserveAll, untrack } from "../../core/arena.js";
import { core } from "../../core/loader.js";
import { Rng } from "../../core/random.js";
import { ODE_ACTIVATIONS, ODE_METHODS, OdeShape, odeBackward, odeBlocks, odeForward,
  odeShapeOf } from "../../functional/ode.js";
import { ParameterBlock, ParameterModule, TensorSlot, adopt, layoutSlots } from "../params.js";
import type { OdeActivation, OdeStats } from "./neural-ode.js";

/** The fixed-step solvers an input can drive (the held input changes at every sample). */
export type StateSpaceMethod = "euler" | "midpoint" | "rk4";

/** Options of NeuralStateSpace. */
export interface NeuralStateSpaceOptions {
  /** Input channels M of u. */
  inputSize: number;
  /** Dimension D of the state x. */
  stateSize: number;
  /** Output channels of y = C x + d. */
  outputSize: number;
  /** Widths of f's hidden layers (default [32]). */
  hidden?: number[];
  /** Between f's Linear layers (default "tanh"). */
  activation?: OdeActivation;
  /** Solver (default "rk4"). */
  method?: StateSpaceMethod;
  /** Equal solver steps per sample interval (default 1). */
  substeps?: number;
  /** The sample interval Ts in the model's time unit (default 1: time counted in samples). */
  sampleTime?: number;
  /** Seed of the deterministic initialization (default 0). */
  seed?: number;
}

/** What NeuralStateSpace.simulate returns. */
export interface StateSpaceResult {
  /** Shape [B, T, outputSize]. The output y_k = C x(t_{k+1}) + d, the output at the end of the interval over which
   *  u_k is held. */
  outputs: Float32Array;
  /** Shape [B, T + 1, stateSize]. The initial state x0, then the state at the end of every interval. */
  states: Float32Array;
  /** The solve's counts. */
  stats: OdeStats;
}

/** What NeuralStateSpace.backward returns; the parameter gradients accumulate into grads(). */
export interface StateSpaceBackwardResult {
  /** ∂L/∂x0, [B, D]. */
  x0: Float32Array;
  /** The backward solve's counts. */
  stats: OdeStats;
}

const W = "NeuralStateSpace";
const MAX_DIM = 1 << 20;
const METHODS: readonly StateSpaceMethod[] = ["euler", "midpoint", "rk4"];

/** A continuous-time neural state-space model dx/dt = f_θ(x, u), y = C x + d, with the input held
 *  constant over each sample interval; simulated free-run (it never sees a measured output). */
export class NeuralStateSpace extends ParameterModule {
  protected get moduleName(): string {
    return W;
  }
  /** Input channels M. */
  readonly inputSize: number;
  /** Dimension D of the state. */
  readonly stateSize: number;
  /** Output channels. */
  readonly outputSize: number;
  /** Widths of f's hidden layers. */
  readonly hidden: readonly number[];
  /** Between f's Linear layers. */
  readonly activation: OdeActivation;
  /** The solver. */
  readonly method: StateSpaceMethod;
  /** Solver steps per sample interval. */
  readonly substeps: number;
  /** The sample interval Ts. */
  readonly sampleTime: number;
  /** The initialization's seed. */
  readonly seed: number;
  /** Widths of f's layers: [D + M, ...hidden, D]. */
  readonly widths: readonly number[];
  /** Number of f32 parameters (f's, then C's and d's). */
  readonly numParams: number;
  /** The parameters and their gradients: "f.net.0.weight", ..., "output.weight", "output.bias". */
  readonly parameters: ParameterBlock;
  readonly #mem = new Blocks();
  readonly #pass = new Blocks();
  readonly #fFloats: number;
  #last: OdeShape | null = null;

  constructor(options: NeuralStateSpaceOptions) {
    super();
    const o = check.object(W, "options", options);
    if (options === undefined) {
      throw new TypeError(`${W}: options must be an object with inputSize, stateSize and outputSize, got undefined`);
    }
    check.known(W, o, ["inputSize", "stateSize", "outputSize", "hidden", "activation", "method", "substeps",
      "sampleTime", "seed"]);
    this.inputSize = check.int(W, "inputSize", o.inputSize, 1, MAX_DIM);
    this.stateSize = check.int(W, "stateSize", o.stateSize, 1, MAX_DIM);
    this.outputSize = check.int(W, "outputSize", o.outputSize, 1, MAX_DIM);
    const hidden = o.hidden ?? [32];
    if (!Array.isArray(hidden) || hidden.length > 62) {
      throw new TypeError(`${W}: hidden must be an array of at most 62 layer widths, got ${check.show(hidden)}`);
    }
    this.hidden = hidden.map((h, i) => check.int(W, `hidden[${i}]`, h, 1, MAX_DIM));
    this.activation = check.oneOf(W, "activation", o.activation ?? "tanh", ODE_ACTIVATIONS);
    this.method = check.oneOf(W, "method", o.method ?? "rk4", METHODS);
    this.substeps = check.int(W, "substeps", o.substeps ?? 1, 1, MAX_DIM);
    this.sampleTime = check.num(W, "sampleTime", o.sampleTime ?? 1, 0, 1e300, true);
    this.seed = check.int(W, "seed", o.seed ?? 0, 0, 0xffffffff);
    this.widths = [this.stateSize + this.inputSize, ...this.hidden, this.stateSize];
    const entries: [string, number[]][] = [];
    for (let l = 0; l + 1 < this.widths.length; l++) {
      entries.push([`f.net.${2 * l}.weight`, [this.widths[l + 1], this.widths[l]]], [`f.net.${2 * l}.bias`, [
        this.widths[l + 1],
      ]]);
    }
    this.#fFloats = entries.reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
    entries.push(["output.weight", [this.outputSize, this.stateSize]], ["output.bias", [this.outputSize]]);
    const slots = layoutSlots(entries);
    this.numParams = this.#fFloats + this.outputSize * (this.stateSize + 1);
    this.parameters = new ParameterBlock(W, slots);
    adopt(this, this.parameters, [this.#mem, this.#pass], () => this.resetParameters(this.seed));
  }

  /** PyTorch's nn.Linear initialization, seeded: every weight and bias U(−1/√fan_in, 1/√fan_in)
   *  (fan_in: D + M for f's first layer, D for the readout). */
  resetParameters(seed = 0): void {
    const M = `${W}.resetParameters`;
    this.parameters.paramsAt(M);
    const rng = new Rng(check.int(M, "seed", seed, 0, 0xffffffff));
    const v = new Float32Array(this.numParams);
    for (const s of this.parameters.slots) {
      const fanIn = s.name.startsWith("output.") ? this.stateSize : this.widths[Number(s.name.split(".")[2]) / 2];
      const k = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < s.size; i++) v[s.offset + i] = (2 * rng.uniform() - 1) * k;
    }
    this.parameters.setFlat(M, v);
  }

  #shape(batch: number, steps: number): OdeShape {
    const s = odeShapeOf({ method: this.method, activation: this.activation, timeInput: false, rtol: 1e-7, atol: 1e-9,
      substeps: this.substeps, maxSteps: 1, gradient: "backprop", adjointNorm: "mixed" }, [...this.widths]);
    return { ...s, stateSize: this.stateSize, batch, steps, perSequence: false, inputs: this.inputSize };
  }

  /** Bytes of WebAssembly workspace a simulation of `batch` records of `steps` samples takes (the
   *  solver keeps f's activations at every stage of every step for backward). */
  workspaceBytes(batch: number, steps: number): number {
    const M = `${W}.workspaceBytes`;
    const B = check.int(M, "batch", batch, 1, MAX_DIM), T = check.int(M, "steps", steps, 1, MAX_DIM);
    return this.#blocks(M, this.#shape(B, T + 1)).ws;
  }

  /** The solve's blocks; a shape whose workspace the core cannot address is a RangeError naming
   *  the sizes (not the core's). */
  #blocks(where: string, s: OdeShape): Record<string, number> {
    try {
      return odeBlocks(s);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new RangeError(
        `${where}: batch ${s.batch} × ${
          s.steps - 1
        } samples × ${this.substeps} substeps (stateSize ${this.stateSize}) is more than the WebAssembly core's workspace can address (4 GiB): simulate fewer or shorter records, or use fewer substeps`,
      );
    }
  }

  /** Free-run simulation of B input records u [B, T, M] (T = u.length / (B·M) samples) from x0
   *  [B, D] (default zeros): the states at t_0 … t_T and the outputs y_k = C x(t_{k+1}) + d. */
  simulate(u: Float32Array, options: { batch: number; x0?: Float32Array }): StateSpaceResult {
    const M = `${W}.simulate`;
    this.parameters.paramsAt(M);
    const o = check.object(M, "options", options);
    if (options === undefined) throw new TypeError(`${M}: options must be an object { batch }, got undefined`);
    check.known(M, o, ["batch", "x0"]);
    const B = check.int(M, "batch", o.batch, 1, MAX_DIM), D = this.stateSize, I = this.inputSize;
    if (!(u instanceof Float32Array)) {
      throw new TypeError(`${M}: u must be a Float32Array [batch, T, inputSize=${I}], got ${check.show(u)}`);
    }
    if (u.length === 0 || u.length % (B * I) !== 0) {
      throw new RangeError(
        `${M}: u must have batch × T × inputSize = ${B} × T × ${I} elements (T ≥ 1), got ${u.length}${
          check.emptied(u)
        }`,
      );
    }
    const T = u.length / (B * I);
    check.f32(M, "u", u, B * T * I, `[batch=${B}, T=${T}, inputSize=${I}]`);
    if (o.x0 !== undefined) check.f32(M, "x0", o.x0, B * D, `[batch=${B}, stateSize=${D}]`);
    const S = T + 1, shape = this.#shape(B, S);
    reserveAll(M, [[this.#mem, { times: 8 * S, h0: 4 * B * D, states: 4 * B * S * D, u: 4 * B * T * I }], [this.#pass,
      this.#blocks(M, shape)]], {
      what: `simulation (${this.method}, batch ${B} × ${T} samples × ${this.substeps} substeps, stateSize ${D})`,
      advice: `simulate fewer or shorter records (batch ${B}, T ${T}) or use fewer substeps (${this.substeps})`,
    });
    this.#last = null;
    const c = this.#mem, Ts = this.sampleTime;
    const times = new Float64Array(core().memory.buffer, c.get("times"), S);
    for (let k = 0; k < S; k++) times[k] = k * Ts;
    const h0 = f32(c.get("h0"), B * D);
    if (o.x0 !== undefined) h0.set(o.x0 as Float32Array);
    else h0.fill(0);
    // u [B, T, M] is the core's [B, S − 1, M]
    f32(c.get("u"), B * T * I).set(u);
    const params = this.parameters.paramsAt(M);
    let stats: OdeStats;
    try {
      stats = odeForward(M, this.#pass, shape, { params, times: c.get("times"), h0: c.get("h0"),
        states: c.get("states"), u: c.get("u") });
    } catch (e) {
      // a blow-up: the remedies this model has (no dopri5 here)
      if (!(e instanceof RangeError)) throw e;
      throw new RangeError(
        e.message.replace(/use more substeps, shorter intervals, or dopri5$/,
          `use more substeps (${this.substeps}), or scale u and y so that the dynamics are slower`),
      );
    }
    this.#last = shape;
    const states = f32(c.get("states"), B * S * D).slice();
    return { outputs: this.#readout(states, B, T), states, stats };
  }

  /** y[b, k] = C x[b, k + 1] + d, accumulated in f64. */
  #readout(states: Float32Array, B: number, T: number): Float32Array {
    const D = this.stateSize, Y = this.outputSize, p = this.#readoutParams();
    const out = new Float32Array(B * T * Y);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < T; k++) {
        const x = (b * (T + 1) + k + 1) * D, y = (b * T + k) * Y;
        for (let j = 0; j < Y; j++) {
          let s = p[Y * D + j];
          for (let i = 0; i < D; i++) s += p[j * D + i] * states[x + i];
          out[y + j] = s;
        }
      }
    }
    return out;
  }

  /** C [Y, D] then d [Y], copied. */
  #readoutParams(): Float32Array {
    return f32(this.parameters.paramsAt(W) + 4 * this.#fFloats, this.outputSize * (this.stateSize + 1)).slice();
  }

  /** Gradient of <outputs, g.outputs> (+ <states, g.states>) for the last simulate call: returns
   *  ∂L/∂x0 [B, D]; the parameter gradients (f's, C's and d's) accumulate into grads(). */
  backward(g: { outputs: Float32Array; states?: Float32Array }): StateSpaceBackwardResult {
    const M = `${W}.backward`;
    this.parameters.paramsAt(M);
    const last = this.#last;
    if (!last) throw new Error(`${M}: no simulation to differentiate (call simulate() first)`);
    const o = check.object(M, "grads", g);
    check.known(M, o, ["outputs", "states"], "grads");
    const B = last.batch, S = last.steps, T = S - 1, D = this.stateSize, Y = this.outputSize;
    const gy = check.f32(M, "grads.outputs", o.outputs, B * T * Y, `[batch=${B}, T=${T}, outputSize=${Y}]`);
    if (o.states !== undefined) {
      check.f32(M, "grads.states", o.states, B * S * D, `[batch=${B}, T + 1=${S}, stateSize=${D}]`);
    }
    reserveAll(M, [[this.#mem, { dstates: 4 * B * S * D, dh0: 4 * B * D }]], { what: "backward solve" });
    const c = this.#mem;
    const states = f32(c.get("states"), B * S * D).slice(), p = this.#readoutParams();
    const ds = new Float32Array(B * S * D), dro = new Float64Array(Y * (D + 1));
    if (o.states !== undefined) ds.set(o.states as Float32Array);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < T; k++) {
        const x = (b * S + k + 1) * D, y = (b * T + k) * Y;
        for (let j = 0; j < Y; j++) {
          const gj = gy[y + j];
          if (gj === 0) continue;
          dro[Y * D + j] += gj;
          for (let i = 0; i < D; i++) {
            dro[j * D + i] += gj * states[x + i];
            ds[x + i] += gj * p[j * D + i];
          }
        }
      }
    }
    f32(c.get("dstates"), B * S * D).set(ds);
    const grads = this.parameters.gradsAt(M);
    const stats = odeBackward(M, this.#pass, last, { params: this.parameters.paramsAt(M), grads, times: c.get("times"),
      states: c.get("states"), dstates: c.get("dstates"), dh0: c.get("dh0") });
    const gr = f32(grads + 4 * this.#fFloats, Y * (D + 1));
    for (let i = 0; i < gr.length; i++) gr[i] += dro[i];
    return { x0: f32(c.get("dh0"), B * D).slice(), stats };
  }

  /** The configuration, as the constructor takes it. */
  config(): Required<NeuralStateSpaceOptions> {
    return { inputSize: this.inputSize, stateSize: this.stateSize, outputSize: this.outputSize,
      hidden: [...this.hidden], activation: this.activation, method: this.method, substeps: this.substeps,
      sampleTime: this.sampleTime, seed: this.seed };
  }

  /** Free the module's WebAssembly memory; later calls throw. */
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
