// Elman RNN against PyTorch (test/fixtures/elman.json from scripts/make-fixtures.py), through the
// public API: tanh/relu, 1-2 layers, uni/bidirectional, variable lengths, non-zero h0.
// Tolerances: forward 1e-5 abs + 1e-4 rel; gradients 1e-4 abs + 1e-3 rel.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, RNN } from "../dist/index.js";
import { expectClose } from "./helpers";

const fx = JSON.parse(readFileSync(new URL("./fixtures/elman.json", import.meta.url), "utf8"));
const trunc = JSON.parse(readFileSync(new URL("./fixtures/elman-truncated.json", import.meta.url), "utf8"));
const F32 = (a: number[]) => Float32Array.from(a);

beforeAll(async () => { await init(); });

function build(cs: any): RNN {
  const rnn = new RNN({ inputSize: cs.I, hiddenSize: cs.H, numLayers: cs.numLayers, bidirectional: cs.bidirectional, nonlinearity: cs.nonlinearity });
  const sd: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(cs.params)) sd[k] = F32(v as number[]);
  rnn.loadStateDict(sd);
  return rnn;
}

function check(cs: any, truncate?: number) {
  const rnn = build(cs);
  const { output, hN } = rnn.forward(F32(cs.x), { batch: cs.B, steps: cs.T, lengths: Int32Array.from(cs.lengths), h0: F32(cs.h0) });
  expectClose(`${cs.name} output`, output, cs.output, 1e-5, 1e-4);
  expectClose(`${cs.name} hN`, hN, cs.hN, 1e-5, 1e-4);
  const d = rnn.backward({ output: F32(cs.gOutput), hN: F32(cs.gHN) }, truncate ? { truncate } : {});
  expectClose(`${cs.name} dx`, d.x, cs.dx, 1e-4, 1e-3);
  expectClose(`${cs.name} dh0`, d.h0, cs.dh0, 1e-4, 1e-3);
  const g = rnn.grads();
  expect(Object.keys(g).sort()).toEqual(Object.keys(cs.grads).sort());
  for (const k of Object.keys(cs.grads)) expectClose(`${cs.name} grad ${k}`, g[k], cs.grads[k], 1e-4, 1e-3);
  rnn.dispose();
}

describe(`Elman RNN vs PyTorch ${fx.torch}`, () => {
  for (const cs of fx.cases) it(cs.name, () => check(cs));
});

describe(`truncated BPTT(k) vs PyTorch ${trunc.torch} with h.detach() every k steps from each sequence's end`, () => {
  for (const cs of trunc.cases) it(`${cs.name}`, () => check(cs, cs.truncate));
});

describe("gradients accumulate until zeroGrad()", () => {
  it("two backward passes give twice the gradient", () => {
    const cs = fx.cases[3];
    const rnn = build(cs);
    const opts = { batch: cs.B, steps: cs.T, lengths: Int32Array.from(cs.lengths), h0: F32(cs.h0) };
    rnn.forward(F32(cs.x), opts);
    rnn.backward({ output: F32(cs.gOutput), hN: F32(cs.gHN) });
    rnn.backward({ output: F32(cs.gOutput), hN: F32(cs.gHN) });
    const g = rnn.grads();
    for (const k of Object.keys(cs.grads)) expectClose(`2x ${k}`, g[k], cs.grads[k].map((v: number) => 2 * v), 2e-4, 1e-3);
    rnn.zeroGrad();
    expect(Object.values(rnn.grads()).every((a) => a.every((v) => v === 0))).toBe(true);
    rnn.dispose();
  });
});
