// Optimizers and clipping against PyTorch (test/fixtures/optim.json): three steps of Adam and SGD
// from the same parameters and gradients; clip_grad_norm_'s norm and clipped gradient.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, Adam, SGD, clipGradNorm, ParameterBlock, Trainable } from "../dist/index.js";
import { expectClose } from "./helpers";

const fx = JSON.parse(readFileSync(new URL("./fixtures/optim.json", import.meta.url), "utf8"));
const rx = JSON.parse(readFileSync(new URL("./fixtures/optim-restart.json", import.meta.url), "utf8"));
beforeAll(async () => { await init(); });

/** A bare parameter block that optimizers can step. */
function block(p0: number[]): Trainable & { p: () => Float32Array; g: () => Float32Array; setGrad: (g: number[]) => void } {
  const n = p0.length;
  const parameters = new ParameterBlock("test", [{ name: "p", shape: [n], offset: 0, size: n }]);
  parameters.setFlat("test", Float32Array.from(p0));
  return {
    parameters,
    p: () => parameters.flat(),
    g: () => parameters.flatGrads(),
    setGrad: (g: number[]) => parameters.setFlatGrads("test", Float32Array.from(g)),
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
    const g = b.g();
    expectClose("clipped grad", g, fx.clip.clipped, 1e-7, 1e-5);
    // below the threshold nothing changes
    const before = g.slice();
    expect(clipGradNorm(b, 100)).toBeCloseTo(fx.clip.maxNorm, 4);
    expect(Array.from(b.g())).toEqual(Array.from(before));
  });
});

describe(`optimizer state belongs to the optimizer, as in PyTorch ${rx.torch} (tolerance 1e-6 abs + 1e-5 rel)`, () => {
  const make = { adam: () => new Adam({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }), sgd_momentum: () => new SGD({ learningRate: 0.1, momentum: 0.9 }) };
  for (const name of ["adam", "sgd_momentum"] as const) {
    it(`${name}: 3 steps, a NEW optimizer, 3 more steps (fresh state); and one optimizer for all 6`, () => {
      for (const restart of [true, false]) {
        const b = block(rx.p0);
        let opt = make[name]();
        rx.grads.forEach((g: number[], s: number) => {
          if (restart && s === 3) opt = make[name]();
          b.setGrad(g);
          opt.step(b);
          expectClose(`${name} ${restart ? "restart" : "continue"} step ${s + 1}`, b.p(), rx[`${name}_${restart ? "restart" : "continue"}`][s], 1e-6, 1e-5);
        });
        expect(opt.stepCount(b)).toBe(restart ? 3 : 6);
        b.parameters.dispose();
      }
    });
  }
  it("the two schedules really differ (the test can fail)", () => {
    const a = rx.adam_restart[5], c = rx.adam_continue[5];
    expect(Math.max(...a.map((v: number, i: number) => Math.abs(v - c[i])))).toBeGreaterThan(1e-4);
  });
});
