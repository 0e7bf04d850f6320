// Neural ODE dh/dt = f_θ(t, h), torchdiffeq's odeint over a batch: f is an MLP
// nn.Sequential(Linear, Act, ..., Linear) with PyTorch's parameter names ("net.0.weight", ...),
// the solve runs in the core (functional/ode.ts), one time grid shared by the batch or one per
// sequence, each strictly monotonic; states[b, 0] = h0[b] and every requested time is reached
// exactly (no interpolation past it). Gradients: "backprop", the exact derivative of the computed solution, or "adjoint", the
// adjoint method (the augmented system solved backward from the forward's states; O(1) memory).
import * as check from "../../core/check.js";
import { Blocks, f32, reserveAll, untrack } from "../../core/arena.js";
import { core } from "../../core/loader.js";
import { Rng } from "../../core/random.js";
import { ODE_ACTIVATIONS, ODE_METHODS, OdeShape, checkAtol, odeBackward, odeBlocks, odeForward, odeParamCount,
  odeRemedies, odeShapeOf, odeSteps, odeWorkspaceBytes, orList } from "../../functional/ode.js";
import { ParameterBlock, ParameterModule, TensorSlot, adopt, layoutSlots } from "../params.js";

/** The solver: fixed-step euler, midpoint, rk4, or adaptive dopri5 (Dormand–Prince 5(4)). */
export type OdeMethod = "euler" | "midpoint" | "rk4" | "dopri5";
/** The activation between f's Linear layers. */
export type OdeActivation = "tanh" | "relu" | "softplus";

/** Options of NeuralODE. */
export interface NeuralODEOptions {
  /** Dimension D of the state h. */
  stateSize: number;
  /** Widths of f's hidden layers (default [64]; [] is a single Linear layer). */
  hidden?: number[];
  /** Between the Linear layers (default "tanh"). */
  activation?: OdeActivation;
  /** f sees [h, t] (the first Linear has D + 1 inputs, t last). Default false. */
  timeInput?: boolean;
  /** What f's first Linear sees of h: "identity" (default) or "cube", h³ elementwise (the field
   *  of torchdiffeq's spiral demo, f(t, h) = net(h³)). */
  inputMap?: "identity" | "cube";
  /** Solver (default "dopri5"). rk4 is the classic one: k1/6 + k2/3 + k3/3 + k4/6. A solution
   *  that blows up is a RangeError naming the time, never Inf or NaN states: dopri5's step size
   *  underflows there; a fixed-step solve names the first requested time whose state is not finite. */
  method?: OdeMethod;
  /** dopri5 tolerances (default 1e-7, 1e-9, torchdiffeq's). */
  rtol?: number;
  /** dopri5's absolute tolerance (default 1e-9; at least 2^-126 ≈ 1.18e-38, the smallest normal
   *  float32, the type of the error scale atol + rtol·|h|). */
  atol?: number;
  /** Fixed-step methods: equal steps per interval between consecutive requested times (default 1). */
  substeps?: number;
  /** dopri5: most steps (accepted + rejected) in one solve (default 10000). */
  maxSteps?: number;
  /** "backprop" (default): the exact gradient of the computed solution, keeping every step;
   *  "adjoint": the adjoint method, solving the augmented system backward in time as torchdiffeq's
   *  odeint_adjoint does (memory independent of the number of steps; the gradient converges to
   *  backprop's as the tolerance tightens or the substeps grow). */
  gradient?: "backprop" | "adjoint";
  /** gradient "adjoint" with dopri5: the backward solve's error norm per sequence. "mixed"
   *  (default, torchdiffeq's): max of the RMS norms of the state, its adjoint and each parameter
   *  tensor's adjoint; "seminorm": without the parameter terms (fewer steps; Kidger et al. 2021). */
  adjointNorm?: "mixed" | "seminorm";
  /** Seed of the deterministic initialization (default 0). */
  seed?: number;
}

/** Counts of one solve: nfe, the batched evaluations of f (backprop's backward: vector–Jacobian
 *  products of f, one per stage, from the activations the forward kept (fixed-step) or from a
 *  recomputation of each step's stages (dopri5); the adjoint's: evaluations of the augmented
 *  system, f and its VJP); steps, accepted and rejected steps, summed over the sequences. */
export interface OdeStats {
  /** Evaluations of f (batched over the sequences). */
  nfe: number;
  /** Steps taken (accepted + rejected). */
  steps: number;
  /** Accepted steps. */
  accepted: number;
  /** Rejected steps (dopri5). */
  rejected: number;
}

/** What NeuralODE.forward returns. */
export interface OdeForwardResult {
  /** Shape [B, S, D]: the state at every requested time; states[b, 0] = h0[b]. */
  states: Float32Array;
  /** The solve's counts. */
  stats: OdeStats;
}
/** What NeuralODE.backward returns; the parameter gradients accumulate into grads(). */
export interface OdeBackwardResult {
  /** ∂L/∂h0, [B, D]. */
  h0: Float32Array;
  /** The backward solve's counts. */
  stats: OdeStats;
}

const METHODS = ODE_METHODS as readonly OdeMethod[];
const ACTS = ODE_ACTIVATIONS as readonly OdeActivation[];
const MAX_DIM = 1 << 20;
const W = "NeuralODE";

/** The parameter slots of f: "net.{2l}.weight" [w_{l+1}, w_l], "net.{2l}.bias" [w_{l+1}]. */
export function odeSlots(widths: number[]): TensorSlot[] {
  const entries: [string, number[]][] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    entries.push([`net.${2 * l}.weight`, [widths[l + 1], widths[l]]], [`net.${2 * l}.bias`, [widths[l + 1]]]);
  }
  return layoutSlots(entries);
}

/** A Neural ODE dh/dt = f_θ(h, t) (Chen et al. 2018): f an MLP, solved by a fixed-step or an
 *  adaptive method, differentiated by backprop through the solver or by the adjoint method
 *  (torchdiffeq's odeint / odeint_adjoint).
 *
 * @example
 * ```ts
 * import { init, NeuralODE } from "recurrent-wasm";
 *
 * await init();
 * const ode = new NeuralODE({ stateSize: 2, hidden: [16], method: "dopri5", seed: 0 });
 * const h0 = Float32Array.of(1, 0); // [batch 1, stateSize 2]
 * const { states } = ode.forward(h0, Float64Array.of(0, 0.5, 1), { batch: 1 }); // [1, 3 times, 2]
 * const { h0: dh0 } = ode.backward({ states: new Float32Array(states.length).fill(1) }); // ∂(Σ states)
 * console.log(states.length, dh0.length, Object.keys(ode.grads())); // 6 2 [ "net.0.weight", … ]
 * ```
 */
export class NeuralODE extends ParameterModule {
  protected get moduleName(): string {
    return W;
  }
  /** Dimension D of the state. */
  readonly stateSize: number;
  /** Widths of f's hidden layers. */
  readonly hidden: readonly number[];
  /** Between f's Linear layers. */
  readonly activation: OdeActivation;
  /** Whether f sees t. */
  readonly timeInput: boolean;
  /** What f's first Linear sees of h. */
  readonly inputMap: "identity" | "cube";
  /** The solver. */
  readonly method: OdeMethod;
  /** dopri5's relative tolerance. */
  readonly rtol: number;
  /** dopri5's absolute tolerance. */
  readonly atol: number;
  /** Fixed-step methods: steps per interval. */
  readonly substeps: number;
  /** dopri5: most steps in one solve. */
  readonly maxSteps: number;
  /** How gradients are computed. */
  readonly gradient: "backprop" | "adjoint";
  /** The adjoint's error norm. */
  readonly adjointNorm: "mixed" | "seminorm";
  /** Widths of f's layers: [D (+1), ...hidden, D]. */
  readonly widths: readonly number[];
  /** Number of f32 parameters. */
  readonly numParams: number;
  /** The parameters and their gradients. */
  readonly parameters: ParameterBlock;
  readonly #mem = new Blocks();
  readonly #pass = new Blocks();
  #last: OdeShape | null = null;

  constructor(options: NeuralODEOptions) {
    super();
    const o = check.object(W, "options", options);
    if (options === undefined) {
      throw new TypeError(`${W}: options must be an object with at least stateSize, got undefined`);
    }
    check.known(W, o, ["stateSize", "hidden", "activation", "timeInput", "inputMap", "method", "rtol", "atol",
      "substeps", "maxSteps", "gradient", "adjointNorm", "seed"]);
    this.stateSize = check.int(W, "stateSize", o.stateSize, 1, MAX_DIM);
    const hidden = o.hidden ?? [64];
    if (!Array.isArray(hidden) || hidden.length > 62) {
      throw new TypeError(`${W}: hidden must be an array of at most 62 layer widths, got ${check.show(hidden)}`);
    }
    this.hidden = hidden.map((h, i) => check.int(W, `hidden[${i}]`, h, 1, MAX_DIM));
    this.activation = check.oneOf(W, "activation", o.activation ?? "tanh", ACTS);
    this.timeInput = check.bool(W, "timeInput", o.timeInput ?? false);
    this.inputMap = check.oneOf(W, "inputMap", o.inputMap ?? "identity", ["identity", "cube"] as const);
    this.method = check.oneOf(W, "method", o.method ?? "dopri5", METHODS);
    this.rtol = check.num(W, "rtol", o.rtol ?? 1e-7, 0, Infinity, true);
    this.atol = checkAtol(W, "atol", o.atol ?? 1e-9);
    this.substeps = check.int(W, "substeps", o.substeps ?? 1, 1, MAX_DIM);
    this.maxSteps = check.int(W, "maxSteps", o.maxSteps ?? 10000, 1, 1e9);
    this.gradient = check.oneOf(W, "gradient", o.gradient ?? "backprop", ["backprop", "adjoint"] as const);
    this.adjointNorm = check.oneOf(W, "adjointNorm", o.adjointNorm ?? "mixed", ["mixed", "seminorm"] as const);
    const seed = check.int(W, "seed", o.seed ?? 0, 0, 0xffffffff);
    this.widths = [this.stateSize + (this.timeInput ? 1 : 0), ...this.hidden, this.stateSize];
    const slots = odeSlots([...this.widths]);
    this.numParams = odeParamCount([...this.widths]);
    this.parameters = new ParameterBlock(W, slots);
    adopt(this, this.parameters, [this.#mem, this.#pass], () => this.resetParameters(seed));
  }

  /** PyTorch's nn.Linear initialization, seeded: every weight and bias U(−1/√fan_in, 1/√fan_in). */
  resetParameters(seed = 0): void {
    const M = `${W}.resetParameters`;
    this.parameters.paramsAt(M);
    const rng = new Rng(check.int(M, "seed", seed, 0, 0xffffffff));
    const v = new Float32Array(this.numParams);
    for (const s of this.parameters.slots) {
      const fanIn = this.widths[Number(s.name.split(".")[1]) / 2];
      const k = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < s.size; i++) v[s.offset + i] = (2 * rng.uniform() - 1) * k;
    }
    this.parameters.setFlat(M, v);
  }

  #shape(batch: number, steps: number, perSequence: boolean): OdeShape {
    return { ...odeShapeOf(this, [...this.widths]), batch, steps, perSequence };
  }

  /** Bytes of WebAssembly workspace a solve of `batch` sequences over `steps` requested times
   *  takes (exact). Backprop keeps f's input and activations at every stage (fixed-step) or room
   *  for maxSteps step starts per sequence (dopri5); the adjoint keeps nothing, so its workspace
   *  does not depend on the steps. */
  workspaceBytes(batch: number, steps: number): number {
    const M = `${W}.workspaceBytes`;
    return odeWorkspaceBytes(
      this.#shape(check.int(M, "batch", batch, 1, MAX_DIM), check.int(M, "steps", steps, 1, MAX_DIM), false),
    );
  }

  /** Solve from h0 [B, D] through the requested times: a Float64Array [S] shared by the batch, or
   *  [B, S] one grid per sequence (give `steps: S` when a per-sequence grid could also be read as
   *  one grid). Each grid strictly monotonic (increasing or decreasing). */
  forward(h0: Float32Array, times: Float64Array, options: { batch: number; steps?: number }): OdeForwardResult {
    const M = `${W}.forward`;
    this.parameters.paramsAt(M);
    const o = check.object(M, "options", options);
    if (options === undefined) throw new TypeError(`${M}: options must be an object { batch }, got undefined`);
    check.known(M, o, ["batch", "steps"]);
    const B = check.int(M, "batch", o.batch, 1, MAX_DIM), D = this.stateSize;
    check.f32(M, "h0", h0, B * D, `[batch=${B}, stateSize=${D}]`);
    const { S, perSequence } = checkTimes(M, times, B, o.steps);
    const shape = this.#shape(B, S, perSequence);
    const p = { times: 8 * times.length, h0: 4 * B * D, states: 4 * B * S * D };
    const dopri5 = this.method === "dopri5";
    reserveAll(M, [[this.#mem, p], [this.#pass, odeBlocks(shape)]], {
      what: `solve (${this.method}, gradient "${this.gradient}", batch ${B} × ${S} times, ${
        dopri5 ? `maxSteps ${this.maxSteps}` : `${(S - 1) * this.substeps} steps`
      }, stateSize ${D})`,
      advice: orList([`use a smaller batch (${B})`,
        ...(dopri5 && this.gradient === "backprop" ? [] : ["request fewer times"]), ...odeRemedies(shape)]),
    });
    this.#last = null;
    const c = this.#mem;
    new Float64Array(core().memory.buffer, c.get("times"), times.length).set(times);
    f32(c.get("h0"), B * D).set(h0);
    const stats = odeForward(M, this.#pass, shape, { params: this.parameters.paramsAt(M), times: c.get("times"),
      h0: c.get("h0"), states: c.get("states") });
    this.#last = shape;
    return { states: f32(c.get("states"), B * S * D).slice(), stats };
  }

  /** Gradient of <states, gStates> for the last forward call: d.h0 [B, D]; parameter gradients
   *  accumulate into grads(). */
  backward(grads: { states: Float32Array }): OdeBackwardResult {
    const M = `${W}.backward`;
    this.parameters.paramsAt(M);
    const last = this.#last;
    if (!last) throw new Error(`${M}: no forward solve to differentiate (call forward() first)`);
    const g = check.object(M, "grads", grads);
    check.known(M, g, ["states"], "grads");
    const B = last.batch, S = last.steps, D = this.stateSize;
    check.f32(M, "grads.states", g.states, B * S * D, `[batch=${B}, times=${S}, stateSize=${D}]`);
    reserveAll(M, [[this.#mem, { dstates: 4 * B * S * D, dh0: 4 * B * D }]], { what: "backward solve" });
    const c = this.#mem;
    f32(c.get("dstates"), B * S * D).set(g.states as Float32Array);
    const stats = odeBackward(M, this.#pass, last, { params: this.parameters.paramsAt(M),
      grads: this.parameters.gradsAt(M), times: c.get("times"), states: c.get("states"), dstates: c.get("dstates"),
      dh0: c.get("dh0") });
    return { h0: f32(c.get("dh0"), B * D).slice(), stats };
  }

  /** dopri5: the accepted steps of sequence `row` in the last forward solve, as their start times
   *  and sizes (for plots of the step size, and to check gradients with the steps held fixed). */
  steps(row = 0): {
    /** Start time of each accepted step. */
    t: Float64Array;
    /** Size of each accepted step. */
    dt: Float64Array;
  } {
    const M = `${W}.steps`;
    this.parameters.paramsAt(M);
    const last = this.#last;
    if (!last) throw new Error(`${M}: no forward solve yet (call forward() first)`);
    if (this.method !== "dopri5") {
      throw new Error(
        `${M}: only dopri5 chooses its steps (method is "${this.method}": ${this.substeps} equal step(s) per interval)`,
      );
    }
    if (this.gradient === "adjoint") {
      throw new Error(
        `${M}: gradient "adjoint" keeps no steps (that is its point: memory independent of the steps); use gradient "backprop" to inspect them`,
      );
    }
    const r = check.int(M, "row", row, 0, last.batch - 1);
    return odeSteps(M, this.#pass, last, { params: this.parameters.paramsAt(M), times: this.#mem.get("times") }, r);
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

/** A shared grid [S] or per-sequence grids [B, S]: finite and strictly monotonic per row. */
function checkTimes(M: string, times: unknown, B: number, steps: unknown): { S: number; perSequence: boolean } {
  if (!(times instanceof Float64Array)) {
    throw new TypeError(
      `${M}: times must be a Float64Array [S] (one grid) or [batch, S] (one per sequence), got ${check.show(times)}`,
    );
  }
  const n = times.length;
  if (n === 0) throw new RangeError(`${M}: times is empty`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(times[i])) throw new RangeError(`${M}: times[${i}] is ${times[i]}; times must be finite`);
  }
  let S: number, perSequence: boolean;
  if (steps !== undefined) {
    S = check.int(M, "steps", steps, 1, MAX_DIM);
    if (n === S) perSequence = false;
    else if (n === B * S) perSequence = true;
    else {
      throw new RangeError(
        `${M}: times has ${n} elements; with steps ${S} it must have ${S} (one grid) or ${B * S} (batch ${B} × ${S})`,
      );
    }
  } else if (monotonic(times, 0, n) || B === 1) {
    S = n;
    perSequence = false;
  } else if (n % B === 0) {
    S = n / B;
    perSequence = true;
  } else {
    throw new RangeError(
      `${M}: times (${n} elements) is neither one strictly monotonic grid nor ${B} grids of equal length`,
    );
  }
  const rows = perSequence ? B : 1;
  for (let b = 0; b < rows; b++) {
    if (!monotonic(times, b * S, S)) {
      throw new RangeError(
        `${M}: times${perSequence ? `[${b}]` : ""} must be strictly increasing or strictly decreasing`,
      );
    }
  }
  return { S, perSequence };
}

function monotonic(t: Float64Array, o: number, n: number): boolean {
  if (n < 2) return true;
  const up = t[o + 1] > t[o];
  for (let i = o + 1; i < o + n; i++) if (up ? !(t[i] > t[i - 1]) : !(t[i] < t[i - 1])) return false;
  return true;
}
