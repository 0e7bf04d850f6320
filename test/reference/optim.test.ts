// Optimizers and clipping against PyTorch (test/fixtures/optim.json): three steps of Adam and SGD
// from the same parameters and gradients; clip_grad_norm_'s norm and clipped gradient.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, Adam, AdamW, SGD, clipGradNorm, ParameterBlock, Trainable, Model } from "../../dist/index.js";
import { expectClose } from "../helpers";

const fx = JSON.parse(readFileSync(new URL("../fixtures/optim.json", import.meta.url), "utf8"));
const rx = JSON.parse(readFileSync(new URL("../fixtures/optim-restart.json", import.meta.url), "utf8"));
beforeAll(async () => {
  await init();
});

/** A bare parameter block that optimizers can step. */
function block(
  p0: number[],
): Trainable & { p: () => Float32Array; g: () => Float32Array; setGrad: (g: number[]) => void } {
  const n = p0.length;
  const parameters = new ParameterBlock("test", [{ name: "p", shape: [n], offset: 0, size: n }]);
  parameters.setFlat("test", Float32Array.from(p0));
  return { parameters, p: () => parameters.flat(), g: () => parameters.flatGrads(),
    setGrad: (g: number[]) => parameters.setFlatGrads("test", Float32Array.from(g)) };
}

describe(`optimizers vs PyTorch ${fx.torch} (3 steps, f32; tolerance 1e-6 abs + 1e-5 rel)`, () => {
  const cases: [string, () => Adam | AdamW | SGD][] = [["adam",
    () => new Adam({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 })], ["adam_wd",
    () => new Adam({ learningRate: 0.003, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1 })], ["adamw",
    () => new AdamW({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.3 })], [
    "sgd_momentum",
    () => new SGD({ learningRate: 0.1, momentum: 0.9 }),
  ], ["sgd_nesterov_wd", () => new SGD({ learningRate: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 })]];
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
  it('AdamW: weightDecay 0 is Adam bit for bit; its decay is not Adam\'s L2 kind; fit takes "adamw"; bad options are refused', async () => {
    const a = block(fx.p0), w = block(fx.p0), l2 = block(fx.p0);
    const adam = new Adam({ learningRate: 0.01 }), adamw = new AdamW({ learningRate: 0.01, weightDecay: 0 }),
      adamL2 = new AdamW({ learningRate: 0.01, weightDecay: 0.3 });
    const adamWd = new Adam({ learningRate: 0.01, weightDecay: 0.3 }), wd = block(fx.p0);
    for (const g of fx.grads) {
      for (const b of [a, w, l2, wd]) b.setGrad(g);
      adam.step(a);
      adamw.step(w);
      adamL2.step(l2);
      adamWd.step(wd);
    }
    expect(Array.from(w.p())).toEqual(Array.from(a.p()));
    expect(Array.from(l2.p())).not.toEqual(Array.from(wd.p()));
    expect(new AdamW().weightDecay).toBe(0.01); // torch.optim.AdamW's default
    expect(() => new AdamW({ weightDecay: -1 })).toThrow(RangeError);
    expect(() => new AdamW({ beta1: 1 })).toThrow("AdamW: beta1 and beta2 must be < 1, got 1, 0.999");
    expect(() => {
      new AdamW().learningRate = 0;
    }).toThrow(/^AdamW: learningRate must be/);
    const m = new Model({ cell: "gru", inputSize: 1, hiddenSize: 4, outputSize: 1, seed: 1 });
    await m.fit({ x: [new Float32Array([1, 2]), new Float32Array([3])], y: new Float32Array([1, 0]) }, { epochs: 1,
      optimizer: "adamw", learningRate: 0.02 });
    expect(m.optimizer).toBeInstanceOf(AdamW);
    expect(m.optimizer!.learningRate).toBe(0.02);
    m.dispose();
  });
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
  const make = { adam: () => new Adam({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
    sgd_momentum: () => new SGD({ learningRate: 0.1, momentum: 0.9 }) };
  for (const name of ["adam", "sgd_momentum"] as const) {
    it(`${name}: 3 steps, a NEW optimizer, 3 more steps (fresh state); and one optimizer for all 6`, () => {
      for (const restart of [true, false]) {
        const b = block(rx.p0);
        let opt = make[name]();
        rx.grads.forEach((g: number[], s: number) => {
          if (restart && s === 3) opt = make[name]();
          b.setGrad(g);
          opt.step(b);
          expectClose(`${name} ${restart ? "restart" : "continue"} step ${s + 1}`, b.p(),
            rx[`${name}_${restart ? "restart" : "continue"}`][s], 1e-6, 1e-5);
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
