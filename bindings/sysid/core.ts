// The free-run simulator of a dynamical system u -> y: a recurrent sequence model (readout
// "sequence") that reads only the input, with its state initialized from a window of the first
// `window` samples of u and y, either by an encoder (a recurrent layer of the same shape reading
// [u, y] over the window, whose final state is the simulator's initial state) or by running the
// simulator over the window ("burnin"). Inputs and outputs are normalized inside, with the
// statistics of the training record. Training is fit.ts; the file is file.ts.
import * as check from "../core/check.js";
import { f32 } from "../core/arena.js";
import { RecurrentModel } from "../nn/model/model.js";
import type { Nonlinearity } from "../core/cells.js";
import { checkHead } from "../nn/model/config.js";
import type { HeadOptions } from "../nn/model/config.js";
import { GRU, LSTM, RNN } from "../nn/rnn/layers.js";
import type { RecurrentLayer } from "../nn/rnn/layers.js";
import type { CarriedState } from "../nn/rnn/stream.js";
import { Normalization, checkInput, denormalize, normalize } from "./record.js";

/** How the state is set from the window: an encoder ("encoder") or a run of the simulator over it
 *  ("burnin"). */
export type SimulatorInit = "encoder" | "burnin";

/** The simulator's settings. */
export interface SimulatorConfig {
  /** Channels of the input u. */
  inputs: number;
  /** Channels of the output y. */
  outputs: number;
  /** The recurrent cell: "gru" (default), "lstm" or "rnn" (Elman, tanh). */
  cell?: "gru" | "lstm" | "rnn";
  /** Cell "rnn": φ of h_t = φ(W_ih u_t + b_ih + W_hh h_{t−1} + b_hh), "tanh" (default), "relu" or
   *  "linear" (with a linear readout: a linear state-space output-error model). */
  nonlinearity?: Nonlinearity;
  /** Width of the state (default 32). */
  hiddenSize?: number;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** Hidden Linear layers between the state and the output (Model's head; default none). */
  head?: HeadOptions;
  /** n: the first n samples of u and y set the state; predictions start at step n (default 0:
   *  the state starts at zero and predictions at step 0). */
  window?: number;
  /** How the window sets the state (default "encoder" when window > 0, else "burnin"; "encoder" needs
   *  window > 0). */
  init?: SimulatorInit;
  /** Seed of the initial weights and of the training's shuffles (default 0). */
  seed?: number;
}

/** Every setting filled in. */
export type SimulatorSettings = Required<Omit<SimulatorConfig, "head">> & Pick<SimulatorConfig, "head">;

const KEYS = ["inputs", "outputs", "cell", "nonlinearity", "hiddenSize", "numLayers", "head", "window", "init", "seed"];
const W = "Simulator";

/** @internal Validate a config and fill in the defaults. */
export function checkSimulatorConfig(config: unknown): SimulatorSettings {
  const o = check.object(W, "config", config);
  check.known(W, o, KEYS);
  const window = check.int(W, "window", o.window ?? 0, 0, 1e6);
  if (o.head !== undefined) checkHead(o.head, W); // the Model checks it again, naming itself
  const head = o.head === undefined ? {} : { head: check.object(W, "head", o.head) as unknown as HeadOptions };
  const cell = check.oneOf(W, "cell", o.cell ?? "gru", ["gru", "lstm", "rnn"] as const);
  if (o.nonlinearity !== undefined && o.nonlinearity !== "tanh" && cell !== "rnn") {
    throw new TypeError(
      `${W}: nonlinearity applies to cell "rnn" only; this simulator's cell is ${JSON.stringify(cell)}`,
    );
  }
  return { ...head, inputs: check.int(W, "inputs", o.inputs, 1, 4096),
    outputs: check.int(W, "outputs", o.outputs, 1, 4096), cell,
    nonlinearity: check.oneOf(W, "nonlinearity", o.nonlinearity ?? "tanh", ["tanh", "relu", "linear"] as const),
    hiddenSize: check.int(W, "hiddenSize", o.hiddenSize ?? 32, 1, 4096),
    numLayers: check.int(W, "numLayers", o.numLayers ?? 1, 1, 16), window, init: initOf(o.init, window),
    seed: check.int(W, "seed", o.seed ?? 0, 0, 0xffffffff) };
}

/** The init setting: checked whatever the window; "encoder" (the default) needs a window to read. */
function initOf(v: unknown, window: number): SimulatorInit {
  const init = check.oneOf(W, "init", v ?? (window === 0 ? "burnin" : "encoder"), ["encoder", "burnin"] as const);
  if (init === "encoder" && window === 0) {
    throw new RangeError(
      `${W}: init "encoder" sets the state from the first window samples of u and y, so it needs window >= 1, got window 0 (leave init out, or use "burnin", for a zero initial state)`,
    );
  }
  return init;
}

const LAYERS = { gru: GRU, lstm: LSTM, rnn: RNN };

/** The simulator without its training and file (Simulator adds them). */
export class SimulatorCore {
  /** The settings, every default filled in. */
  readonly config: SimulatorSettings;
  /** @internal The simulator: a sequence model over the normalized input. */
  readonly model: RecurrentModel<"sequence">;
  /** @internal The encoder (init "encoder"): a recurrent layer over the normalized [u, y]. */
  readonly encoder: RecurrentLayer | null;
  /** The normalization (identity until the first fit; then the training record's statistics). */
  readonly normalization: Normalization;
  /** @internal Whether the normalization is set (by the first fit, or from a file). */
  normalized = false;

  constructor(config: SimulatorConfig) {
    const c = checkSimulatorConfig(config);
    this.config = c;
    const phi = c.cell === "rnn" ? { nonlinearity: c.nonlinearity } : {};
    this.model = new RecurrentModel<"sequence">({ cell: c.cell, ...phi, inputSize: c.inputs, hiddenSize: c.hiddenSize,
      numLayers: c.numLayers, outputSize: c.outputs, readout: "sequence", loss: "mse", seed: c.seed,
      ...(c.head ? { head: c.head } : {}) });
    try {
      this.encoder = c.init === "encoder"
        ? new LAYERS[c.cell]({ ...phi, inputSize: c.inputs + c.outputs, hiddenSize: c.hiddenSize,
          numLayers: c.numLayers, seed: (c.seed + 1) >>> 0 })
        : null;
    } catch (e) {
      this.model.dispose();
      throw e;
    }
    this.normalization = { uMean: new Float32Array(c.inputs), uStd: new Float32Array(c.inputs).fill(1),
      yMean: new Float32Array(c.outputs), yStd: new Float32Array(c.outputs).fill(1) };
  }

  /** Free-run simulation: the outputs ŷ_t for t = window … N−1 from the input u [N, inputs]
   *  (physical units), never reading the measured y after the window. `y`: the measured outputs
   *  of the first `window` samples (needed by init "encoder"; [window, outputs], or a whole
   *  record [N, outputs] of which only the first window rows are read). Returns [N − window,
   *  outputs]. */
  simulate(u: Float32Array, options: { y?: Float32Array } = {}): Float32Array {
    const M = "Simulator.simulate", c = this.config, n = c.window;
    this.model.parameters.paramsAt(M); // throws after dispose()
    const N = checkInput(M, "u", u, c.inputs);
    const o = check.object(M, "options", options);
    check.known(M, o, ["y"]);
    if (N <= n) {
      throw new RangeError(
        `${M}: u has ${N} samples but the window is ${n}; the record must be longer than the window`,
      );
    }
    let y: Float32Array | null = null;
    if (o.y !== undefined || c.init === "encoder") {
      if (!(o.y instanceof Float32Array)) {
        throw new TypeError(
          `${M}: options.y must be a Float32Array of the measured outputs of the first window=${n} samples [${n}, outputs=${c.outputs}] (init "encoder" reads them), got ${
            check.show(o.y)
          }`,
        );
      }
      if (o.y.length !== n * c.outputs && o.y.length !== N * c.outputs) {
        throw new RangeError(
          `${M}: options.y has ${o.y.length} elements; expected the window [${n}, outputs=${c.outputs}] = ${
            n * c.outputs
          } or the whole record [${N}, ${c.outputs}] = ${N * c.outputs} (mismatched u/y lengths?)`,
        );
      }
      y = check.f32(M, "options.y (its window)", o.y.subarray(0, n * c.outputs), n * c.outputs, `[${n}, ${c.outputs}]`);
    }
    const z = this.normalization, uN = normalize(u, z.uMean, z.uStd);
    const out = this.run(M, uN, y ? normalize(y, z.yMean, z.yStd) : null);
    return denormalize(out, z.yMean, z.yStd);
  }

  /** @internal Free-run over normalized u [N, inputs] (and the window's normalized y); the
   *  normalized predictions for steps window … N−1. */
  run(where: string, uN: Float32Array, yN: Float32Array | null): Float32Array {
    const c = this.config, n = c.window, I = c.inputs, O = c.outputs, N = uN.length / I;
    let state: CarriedState | null = null, x = uN, skip = n;
    if (this.encoder) {
      const h0 = this.encodeWindow([uN], [yN!], [0]);
      state = h0;
      x = uN.subarray(n * I);
      skip = 0;
    }
    const r = this.model.runBatch(where, { x: [x] }, [0], "predict", 0, false, state);
    return f32(r.pred + 4 * skip * O, (N - n) * O).slice();
  }

  /** @internal The encoder's final state over the windows [s, s + window) of the normalized
   *  records (one per start), [L, B, H] (and c for LSTM). */
  encodeWindow(us: Float32Array[], ys: Float32Array[], starts: number[]): CarriedState {
    const c = this.config, n = c.window, I = c.inputs, O = c.outputs, B = starts.length, F = I + O;
    const x = new Float32Array(B * n * F);
    for (let b = 0; b < B; b++) {
      const u = us[b], y = ys[b], s = starts[b];
      for (let t = 0; t < n; t++) {
        const row = (b * n + t) * F;
        x.set(u.subarray((s + t) * I, (s + t + 1) * I), row);
        x.set(y.subarray((s + t) * O, (s + t + 1) * O), row + I);
      }
    }
    const r = this.encoder!.forward(x, { batch: B, steps: n });
    return r.cN ? { h: r.hN, c: r.cN } : { h: r.hN };
  }

  /** Parameters by name (copies): "simulator.rnn.weight_ih_l0", …, "simulator.readout.weight",
   *  "simulator.readout.bias", and the encoder's "encoder.weight_ih_l0", … (PyTorch's names). */
  stateDict(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(this.model.stateDict())) out[`simulator.${k}`] = v;
    for (const [k, v] of Object.entries(this.encoder?.stateDict() ?? {})) out[`encoder.${k}`] = v;
    return out;
  }

  /** Gradients by name (copies), the names of stateDict(). */
  grads(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(this.model.grads())) out[`simulator.${k}`] = v;
    for (const [k, v] of Object.entries(this.encoder?.grads() ?? {})) out[`encoder.${k}`] = v;
    return out;
  }

  /** Load parameters by name (stateDict()'s names; every entry checked before anything is written). */
  loadStateDict(dict: Record<string, Float32Array>): void {
    const M = "Simulator.loadStateDict", o = check.object(M, "dict", dict);
    const part = (prefix: string) =>
      Object.fromEntries(
        Object.entries(o).filter(([k]) => k.startsWith(prefix)).map((
          [k, v],
        ) => [k.slice(prefix.length), v as Float32Array]),
      );
    const bad = Object.keys(o).find((k) => !k.startsWith("simulator.") && !(this.encoder && k.startsWith("encoder.")));
    if (bad !== undefined) {
      throw new TypeError(
        `${M}: unexpected entry ${JSON.stringify(bad)}; names start with "simulator."${
          this.encoder ? ' or "encoder."' : ""
        }`,
      );
    }
    const sim = part("simulator."), enc = part("encoder.");
    const before = this.model.stateDict();
    this.model.loadStateDict(sim);
    try {
      this.encoder?.loadStateDict(enc);
    } catch (e) {
      this.model.loadStateDict(before);
      throw e;
    }
  }

  /** Free the WebAssembly memory of the simulator and its encoder; later calls throw. */
  dispose(): void {
    this.model.dispose();
    this.encoder?.dispose();
  }
}
