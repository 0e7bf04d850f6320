// Optimizers over a model's flat parameter block (one WebAssembly pass per step).
import * as check from "./check.js";
import { wasm } from "./loader.js";

/** What an optimizer steps: a flat parameter block, its gradients, and a place for state. */
export interface Trainable {
  readonly numParams: number;
  paramsPtr(): number;
  gradsPtr(): number;
  /** A zero-initialized f32 block of numParams floats owned by the model, created once per key. */
  stateBlock(key: string): number;
}

export interface Optimizer {
  readonly name: string;
  readonly learningRate: number;
  step(model: Trainable): void;
}

export interface AdamOptions { learningRate?: number; beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number }

/** Adam, PyTorch's update rule (torch.optim.Adam, L2 weight decay added to the gradient). */
export class Adam implements Optimizer {
  readonly name = "adam";
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private steps = new WeakMap<Trainable, { t: number; b1t: number; b2t: number }>();
  constructor(o: AdamOptions = {}) {
    const W = "Adam";
    check.known(W, check.object(W, "options", o), ["learningRate", "beta1", "beta2", "epsilon", "weightDecay"]);
    this.learningRate = check.num(W, "learningRate", o.learningRate ?? 1e-3, 0, Infinity, true);
    this.beta1 = check.num(W, "beta1", o.beta1 ?? 0.9, 0, 1);
    this.beta2 = check.num(W, "beta2", o.beta2 ?? 0.999, 0, 1);
    if (this.beta1 >= 1 || this.beta2 >= 1) throw new RangeError(`${W}: beta1 and beta2 must be < 1, got ${this.beta1}, ${this.beta2}`);
    this.epsilon = check.num(W, "epsilon", o.epsilon ?? 1e-8, 0, Infinity, true);
    this.weightDecay = check.num(W, "weightDecay", o.weightDecay ?? 0, 0);
  }
  step(model: Trainable): void {
    const s = this.steps.get(model) ?? { t: 0, b1t: 1, b2t: 1 };
    s.t++; s.b1t *= this.beta1; s.b2t *= this.beta2;
    this.steps.set(model, s);
    const stepSize = this.learningRate / (1 - s.b1t);
    const bc2Sqrt = Math.sqrt(1 - s.b2t);
    wasm().adam_step(model.numParams, model.paramsPtr(), model.gradsPtr(), model.stateBlock("adam.m"), model.stateBlock("adam.v"),
      this.beta1, this.beta2, this.epsilon, this.weightDecay, stepSize, bc2Sqrt);
  }
}

export interface SGDOptions { learningRate?: number; momentum?: number; weightDecay?: number; nesterov?: boolean }

/** SGD with optional momentum (torch.optim.SGD, dampening 0). */
export class SGD implements Optimizer {
  readonly name = "sgd";
  readonly learningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  constructor(o: SGDOptions = {}) {
    const W = "SGD";
    check.known(W, check.object(W, "options", o), ["learningRate", "momentum", "weightDecay", "nesterov"]);
    this.learningRate = check.num(W, "learningRate", o.learningRate ?? 1e-2, 0, Infinity, true);
    this.momentum = check.num(W, "momentum", o.momentum ?? 0, 0);
    this.weightDecay = check.num(W, "weightDecay", o.weightDecay ?? 0, 0);
    this.nesterov = check.bool(W, "nesterov", o.nesterov ?? false);
    if (this.nesterov && this.momentum === 0) throw new RangeError(`${W}: nesterov needs momentum > 0`);
  }
  step(model: Trainable): void {
    const vel = this.momentum !== 0 ? model.stateBlock("sgd.momentum") : 0;
    wasm().sgd_step(model.numParams, model.paramsPtr(), model.gradsPtr(), vel, this.learningRate, this.momentum, this.weightDecay, this.nesterov);
  }
}

/** Global-norm gradient clipping over a flat block; returns the pre-clip norm (clip_grad_norm_). */
export function clipGradNorm(model: Trainable, maxNorm: number): number {
  check.num("clipGradNorm", "maxNorm", maxNorm, 0, Infinity, true);
  return wasm().clip_grad_norm(model.numParams, model.gradsPtr(), maxNorm);
}
