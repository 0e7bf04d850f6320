// RNN (Elman), LSTM and GRU against PyTorch (test/fixtures/{elman,lstm,gru}.json, written by
// scripts/make-fixtures.py), through the public API: 1-2 layers, uni/bidirectional, variable
// lengths, non-zero h0 (and c0), full and truncated BPTT. The GRU with resetAfter: false against
// a float64 autograd reference of its equation (gru-reset-before.json, make-fixtures.py --only
// gru-reset-before), whose forward the script checks against onnx's reference GRU
// (linear_before_reset = 0).
// Tolerances: forward 1e-5 abs + 1e-4 rel; gradients 1e-4 abs + 1e-3 rel.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, RNN, LSTM, GRU } from "../../dist/index.js";
import { expectClose } from "../helpers";

const load = (f: string) => JSON.parse(readFileSync(new URL(`../fixtures/${f}.json`, import.meta.url), "utf8"));
const F32 = (a: number[]) => Float32Array.from(a);

beforeAll(async () => {
  await init();
});

function build(cs: any) {
  const base = { inputSize: cs.I, hiddenSize: cs.H, numLayers: cs.numLayers, bidirectional: cs.bidirectional };
  const layer = cs.mode === "lstm"
    ? new LSTM(base)
    : cs.mode === "gru"
    ? new GRU(base)
    : cs.mode === "gru_rb"
    ? new GRU({ ...base, resetAfter: false })
    : new RNN({ ...base, nonlinearity: cs.nonlinearity });
  const sd: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(cs.params)) sd[k] = F32(v as number[]);
  layer.loadStateDict(sd);
  return layer;
}

export function checkCase(cs: any, truncate?: number) {
  const layer = build(cs);
  const lstm = cs.mode === "lstm";
  const opts: any = { batch: cs.B, steps: cs.T, lengths: Int32Array.from(cs.lengths), h0: F32(cs.h0) };
  if (lstm) opts.c0 = F32(cs.c0);
  const r = layer.forward(F32(cs.x), opts);
  expectClose(`${cs.name} output`, r.output, cs.output, 1e-5, 1e-4);
  expectClose(`${cs.name} hN`, r.hN, cs.hN, 1e-5, 1e-4);
  if (lstm) expectClose(`${cs.name} cN`, r.cN!, cs.cN, 1e-5, 1e-4);
  const g: any = { output: F32(cs.gOutput), hN: F32(cs.gHN) };
  if (lstm) g.cN = F32(cs.gCN);
  const d = layer.backward(g, { ...(truncate ? { truncate } : {}), ...(cs.dh ? { stateGrads: true } : {}) });
  // the total ∂L/∂h_t of every layer-direction at every step, where the fixture has it
  if (cs.dh) expectClose(`${cs.name} dh`, d.dh!, cs.dh, 1e-4, 1e-3);
  expectClose(`${cs.name} dx`, d.x, cs.dx, 1e-4, 1e-3);
  expectClose(`${cs.name} dh0`, d.h0, cs.dh0, 1e-4, 1e-3);
  if (lstm) expectClose(`${cs.name} dc0`, d.c0!, cs.dc0, 1e-4, 1e-3);
  const grads = layer.grads();
  expect(Object.keys(grads).sort()).toEqual(Object.keys(cs.grads).sort());
  for (const k of Object.keys(cs.grads)) expectClose(`${cs.name} grad ${k}`, grads[k], cs.grads[k], 1e-4, 1e-3);
  layer.dispose();
}

for (const file of ["elman", "lstm", "gru", "gru-reset-before"]) {
  const fx = load(file);
  describe(`${file} vs PyTorch ${fx.torch}`, () => {
    for (const cs of fx.cases) it(cs.name, () => checkCase(cs));
  });
  describe(`${file}: truncated BPTT(k) vs PyTorch with h.detach() (and c.detach()) every k steps from each sequence's end`, () => {
    for (const cs of fx.truncated) it(cs.name, () => checkCase(cs, cs.truncate));
  });
}

describe("gradients accumulate until zeroGrad()", () => {
  it("two backward passes give twice the gradient (LSTM, bidirectional, 2 layers)", () => {
    const cs = load("lstm").cases[3];
    const layer = build(cs);
    const opts = { batch: cs.B, steps: cs.T, lengths: Int32Array.from(cs.lengths), h0: F32(cs.h0), c0: F32(cs.c0) };
    layer.forward(F32(cs.x), opts);
    const g = { output: F32(cs.gOutput), hN: F32(cs.gHN), cN: F32(cs.gCN) };
    layer.backward(g);
    layer.backward(g);
    const grads = layer.grads();
    for (const k of Object.keys(cs.grads)) {
      expectClose(`2x ${k}`, grads[k], cs.grads[k].map((v: number) => 2 * v), 2e-4, 1e-3);
    }
    layer.zeroGrad();
    expect(Object.values(layer.grads()).every((a) => a.every((v) => v === 0))).toBe(true);
    layer.dispose();
  });
});
