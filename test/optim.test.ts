// Optimizers and clipping against PyTorch (test/fixtures/optim.json): three steps of Adam and SGD
// from the same parameters and gradients; clip_grad_norm_'s norm and clipped gradient.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, wasm, Adam, SGD, clipGradNorm, Trainable } from "../dist/index.js";
import { expectClose } from "./helpers";

const fx = JSON.parse(readFileSync(new URL("./fixtures/optim.json", import.meta.url), "utf8"));
beforeAll(async () => { await init(); });

/** A bare flat block that optimizers can step. */
function block(p0: number[]): Trainable & { p: () => Float32Array; setGrad: (g: number[]) => void } {
  const c = wasm(), n = p0.length;
  const params = c.alloc(4 * n), grads = c.alloc(4 * n), states = new Map<string, number>();
  new Float32Array(c.memory.buffer, params, n).set(p0);
  return {
    numParams: n,
    paramsPtr: () => params, gradsPtr: () => grads,
    stateBlock: (k: string) => { if (!states.has(k)) states.set(k, c.alloc(4 * n)); return states.get(k)!; },
    p: () => new Float32Array(c.memory.buffer, params, n).slice(),
    setGrad: (g: number[]) => new Float32Array(c.memory.buffer, grads, n).set(g),
  };
}

describe(`optimizers vs PyTorch ${fx.torch} (3 steps, f32; tolerance 1e-6 abs + 1e-5 rel)`, () => {
  const cases: [string, () => Adam | SGD][] = [
    ["adam", () => new Adam({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 })],
    ["adam_wd", () => new Adam({ learningRate: 0.003, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1 })],
    ["sgd_momentum", () => new SGD({ learningRate: 0.1, momentum: 0.9 })],
    ["sgd_nesterov_wd", () => new SGD({ learningRate: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 })],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const b = block(fx.p0), opt = make();
      fx.grads.forEach((g: number[], s: number) => {
        b.setGrad(g);
        opt.step(b);
        expectClose(`${name} step ${s + 1}`, b.p(), fx[name][s], 1e-6, 1e-5);
      });
    });
  }
  it("clip_grad_norm_: returns the pre-clip norm and scales by maxNorm / (norm + 1e-6)", () => {
    const b = block(new Array(fx.n).fill(0));
    b.setGrad(fx.clip.grad);
    const norm = clipGradNorm(b, fx.clip.maxNorm);
    expect(Math.abs(norm - fx.clip.norm)).toBeLessThan(1e-5 * fx.clip.norm);
    const g = new Float32Array(wasm().memory.buffer, b.gradsPtr(), fx.n);
    expectClose("clipped grad", g, fx.clip.clipped, 1e-7, 1e-5);
    // below the threshold nothing changes
    const before = g.slice();
    expect(clipGradNorm(b, 100)).toBeCloseTo(fx.clip.maxNorm, 4);
    expect(Array.from(new Float32Array(wasm().memory.buffer, b.gradsPtr(), fx.n))).toEqual(Array.from(before));
  });
});
