// Optimizers over a module's parameter block, one WebAssembly pass per step. Each optimizer OWNS
// its state: per parameter block, the step count and the moment blocks (Adam m and v, SGD's
// momentum buffer), allocated in core memory on the first step. So a new optimizer starts fresh
// (PyTorch's semantics: torch.optim.Adam(model.parameters()) has empty state), and one optimizer
// can step several modules. State is freed by dispose(), when the module's memory is freed, or
// when the optimizer is garbage-collected.
import * as check from "../core/check.js";
import { allocAll, f32, free, track, untrack } from "../core/arena.js";
import { core } from "../core/loader.js";
import { ParameterBlock } from "../nn/params.js";

/** Anything with a parameter block: RNN, LSTM, GRU, Model. */
export interface Trainable {
  /** The module's parameters and gradients. */
  readonly parameters: ParameterBlock;
}

/** What fit() and trainBatch() need of an optimizer (Adam, AdamW and SGD are the three). */
export interface Optimizer {
  /** "adam", "adamw" or "sgd". */
  readonly name: string;
  /** The learning rate of the next steps (may be changed between steps). */
  learningRate: number;
  /** One update of the module's parameters from its gradients. */
  step(module: Trainable): void;
  /** How many steps this optimizer has taken on the module (0 if none). */
  stepCount(module: Trainable): number;
  /** Forget all state (moments and step counts) and free its memory. */
  reset(): void;
  /** reset(), and the optimizer is no longer tracked for garbage collection. */
  dispose(): void;
}

interface State {
  t: number;
  b1t: number;
  b2t: number;
  blocks: number[];
  detach: () => void;
}

function dropState(states: Map<ParameterBlock, State>, block: ParameterBlock): void {
  const s = states.get(block);
  if (!s) return;
  s.blocks.forEach(free);
  states.delete(block);
}

/** What the optimizers share: state per parameter block, owned and freed here. */
abstract class StatefulOptimizer implements Optimizer {
  abstract readonly name: string;
  #lr = 0;
  readonly #states = new Map<ParameterBlock, State>();
  /** Moment blocks per parameter block (Adam 2, SGD with momentum 1). */
  protected abstract readonly moments: number;

  constructor() {
    const states = this.#states;
    track(this, { release: () => {
      for (const s of states.values()) {
        s.detach();
        s.blocks.forEach(free);
      }
      states.clear();
    } });
  }

  get learningRate(): number {
    return this.#lr;
  }
  set learningRate(v: number) {
    this.#lr = check.num(
      ({ adam: "Adam", adamw: "AdamW", sgd: "SGD" } as Record<string, string>)[this.name] ?? this.name,
      "learningRate",
      v,
      0,
      Infinity,
      true,
    );
  }

  /** @internal The state for a module's block, created (zeroed) on first use. */
  protected state(where: string, m: Trainable): { state: State; block: ParameterBlock } {
    const block = m?.parameters;
    if (!(block instanceof ParameterBlock)) {
      throw new TypeError(`${where}: expected a module with parameters (RNN, LSTM, GRU, Model), got ${check.show(m)}`);
    }
    block.paramsAt(where); // throws after dispose()
    let s = this.#states.get(block);
    if (!s) {
      const blocks = allocAll(where, new Array(this.moments).fill(4 * block.numParams), { what: "optimizer state" });
      const states = this.#states; // not `this`: the block must not keep the optimizer alive
      const detach = block.onDispose(() => dropState(states, block));
      s = { t: 0, b1t: 1, b2t: 1, blocks, detach };
      this.#states.set(block, s);
    }
    return { state: s, block };
  }

  /** One update of the module's parameters from its gradients. */
  abstract step(module: Trainable): void;

  /** How many steps this optimizer has taken on the module (0 if none). */
  stepCount(module: Trainable): number {
    return this.#states.get(module?.parameters)?.t ?? 0;
  }

  /** Forget all state (moments and step counts) and free its memory. */
  reset(): void {
    for (const [block, s] of [...this.#states]) {
      s.detach();
      dropState(this.#states, block);
    }
  }

  /** reset(), and the optimizer is no longer tracked for garbage collection. */
  dispose(): void {
    this.reset();
    untrack(this);
  }
  /** dispose(), for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Options of Adam (torch.optim.Adam's). */
export interface AdamOptions {
  /** Step size (default 1e-3). */
  learningRate?: number;
  /** Decay of the first moment (default 0.9). */
  beta1?: number;
  /** Decay of the second moment (default 0.999). */
  beta2?: number;
  /** Added to the second moment's square root (default 1e-8). */
  epsilon?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
}

/** Adam's and AdamW's options checked, defaults filled in (weightDecay's differs: 0 and 0.01). */
function adamOptions(W: string, o: AdamOptions, weightDecay: number): Required<AdamOptions> {
  check.known(W, check.object(W, "options", o), ["learningRate", "beta1", "beta2", "epsilon", "weightDecay"]);
  const beta1 = check.num(W, "beta1", o.beta1 ?? 0.9, 0, 1), beta2 = check.num(W, "beta2", o.beta2 ?? 0.999, 0, 1);
  if (beta1 >= 1 || beta2 >= 1) throw new RangeError(`${W}: beta1 and beta2 must be < 1, got ${beta1}, ${beta2}`);
  return { learningRate: o.learningRate ?? 1e-3, beta1, beta2,
    epsilon: check.num(W, "epsilon", o.epsilon ?? 1e-8, 0, Infinity, true),
    weightDecay: check.num(W, "weightDecay", o.weightDecay ?? weightDecay, 0) };
}

/** Adam, PyTorch's update rule (torch.optim.Adam, L2 weight decay added to the gradient). */
export class Adam extends StatefulOptimizer {
  /** "adam". */
  readonly name = "adam";
  /** Decay of the first moment. */
  readonly beta1: number;
  /** Decay of the second moment. */
  readonly beta2: number;
  /** Added to the second moment's square root. */
  readonly epsilon: number;
  /** L2 penalty added to the gradient. */
  readonly weightDecay: number;
  protected readonly moments = 2;
  constructor(o: AdamOptions = {}) {
    super();
    const a = adamOptions("Adam", o, 0);
    this.learningRate = a.learningRate;
    this.beta1 = a.beta1;
    this.beta2 = a.beta2;
    this.epsilon = a.epsilon;
    this.weightDecay = a.weightDecay;
  }
  /** One Adam update of the module's parameters from its gradients. */
  step(module: Trainable): void {
    const { state: s, block } = this.state("Adam.step", module);
    s.t++;
    s.b1t *= this.beta1;
    s.b2t *= this.beta2;
    const stepSize = this.learningRate / (1 - s.b1t);
    const bc2Sqrt = Math.sqrt(1 - s.b2t);
    core().adam_step(block.numParams, block.paramsAt("Adam.step"), block.gradsAt("Adam.step"), s.blocks[0], s.blocks[1],
      this.beta1, this.beta2, this.epsilon, this.weightDecay, stepSize, bc2Sqrt);
    block.touch();
  }
}

/** Options of AdamW (torch.optim.AdamW's). */
export interface AdamWOptions {
  /** Step size (default 1e-3). */
  learningRate?: number;
  /** Decay of the first moment (default 0.9). */
  beta1?: number;
  /** Decay of the second moment (default 0.999). */
  beta2?: number;
  /** Added to the second moment's square root (default 1e-8). */
  epsilon?: number;
  /** Decoupled weight decay: each step first scales the weights by 1 − learningRate·weightDecay
   *  (default 0.01). */
  weightDecay?: number;
}

/** AdamW, PyTorch's update rule (torch.optim.AdamW): decoupled weight decay (the weights shrink by
 *  1 − lr·weightDecay before the Adam step, which sees the plain gradient). */
export class AdamW extends StatefulOptimizer {
  /** "adamw". */
  readonly name = "adamw";
  /** Decay of the first moment. */
  readonly beta1: number;
  /** Decay of the second moment. */
  readonly beta2: number;
  /** Added to the second moment's square root. */
  readonly epsilon: number;
  /** Decoupled weight decay. */
  readonly weightDecay: number;
  protected readonly moments = 2;
  constructor(o: AdamWOptions = {}) {
    super();
    const a = adamOptions("AdamW", o, 0.01);
    this.learningRate = a.learningRate;
    this.beta1 = a.beta1;
    this.beta2 = a.beta2;
    this.epsilon = a.epsilon;
    this.weightDecay = a.weightDecay;
  }
  /** One AdamW update of the module's parameters from its gradients. */
  step(module: Trainable): void {
    const { state: s, block } = this.state("AdamW.step", module);
    s.t++;
    s.b1t *= this.beta1;
    s.b2t *= this.beta2;
    const params = block.paramsAt("AdamW.step");
    if (this.weightDecay !== 0) {
      // p ← p·(1 − lr·wd) in float32, as torch's p.mul_(1 - lr * weight_decay)
      const p = f32(params, block.numParams), k = Math.fround(1 - this.learningRate * this.weightDecay);
      for (let i = 0; i < p.length; i++) p[i] *= k;
    }
    core().adam_step(block.numParams, params, block.gradsAt("AdamW.step"), s.blocks[0], s.blocks[1], this.beta1,
      this.beta2, this.epsilon, 0, this.learningRate / (1 - s.b1t), Math.sqrt(1 - s.b2t));
    block.touch();
  }
}

/** Options of SGD (torch.optim.SGD's, dampening 0). */
export interface SGDOptions {
  /** Step size (default 1e-2). */
  learningRate?: number;
  /** Momentum factor (default 0: none). */
  momentum?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0). */
  nesterov?: boolean;
}

/** SGD with optional momentum (torch.optim.SGD, dampening 0). */
export class SGD extends StatefulOptimizer {
  /** "sgd". */
  readonly name = "sgd";
  /** Momentum factor. */
  readonly momentum: number;
  /** L2 penalty added to the gradient. */
  readonly weightDecay: number;
  /** Nesterov momentum. */
  readonly nesterov: boolean;
  protected readonly moments: number;
  constructor(o: SGDOptions = {}) {
    super();
    const W = "SGD";
    check.known(W, check.object(W, "options", o), ["learningRate", "momentum", "weightDecay", "nesterov"]);
    this.learningRate = o.learningRate ?? 1e-2;
    this.momentum = check.num(W, "momentum", o.momentum ?? 0, 0);
    this.weightDecay = check.num(W, "weightDecay", o.weightDecay ?? 0, 0);
    this.nesterov = check.bool(W, "nesterov", o.nesterov ?? false);
    if (this.nesterov && this.momentum === 0) throw new RangeError(`${W}: nesterov needs momentum > 0`);
    this.moments = this.momentum !== 0 ? 1 : 0;
  }
  /** One SGD update of the module's parameters from its gradients. */
  step(module: Trainable): void {
    const { state: s, block } = this.state("SGD.step", module);
    s.t++;
    core().sgd_step(block.numParams, block.paramsAt("SGD.step"), block.gradsAt("SGD.step"),
      this.momentum !== 0 ? s.blocks[0] : 0, this.learningRate, this.momentum, this.weightDecay, this.nesterov);
    block.touch();
  }
}

/** Global-norm gradient clipping over a module's gradients; returns the pre-clip norm
 *  (torch.nn.utils.clip_grad_norm_). */
export function clipGradNorm(module: Trainable, maxNorm: number): number {
  const W = "clipGradNorm";
  check.num(W, "maxNorm", maxNorm, 0, Infinity, true);
  const block = module?.parameters;
  if (!(block instanceof ParameterBlock)) {
    throw new TypeError(`${W}: expected a module with parameters, got ${check.show(module)}`);
  }
  return core().clip_grad_norm(block.numParams, block.gradsAt(W), maxNorm);
}

/** The global gradient norm without clipping (accumulated in f64). */
export function gradNorm(module: Trainable): number {
  const block = module.parameters;
  return Math.sqrt(core().sumsq_f64_wasmsimd(block.numParams, block.gradsAt("gradNorm")));
}
