// Gradient checkpointing (LayerOptions.checkpoint / ModelConfig.checkpoint): the forward pass
// keeps one state per segment of ⌈√T⌉ steps and backward recomputes each segment from it. Both
// modes run the same segment loop, so everything must be BITWISE equal — outputs, h_n, c_n, ∂L/∂x,
// ∂L/∂h0, ∂L/∂c0, every parameter gradient and the recorded ∂L/∂h_t — for every cell, 1–3 layers,
// uni/bidirectional, variable lengths, h0/c0, full and truncated BPTT, segment counts that do and do
// not divide T. Memory: the workspace grows as √T with checkpointing and as T without.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, RNN, LSTM, GRU, Model, Rng } from "../../dist/index.js";
import { expectClose, f32of, lcg } from "../helpers";

beforeAll(async () => {
  await init();
});

type Kind = "tanh" | "relu" | "linear" | "lstm" | "gru";
function layerOf(kind: Kind, o: any) {
  return kind === "lstm" ? new LSTM(o) : kind === "gru" ? new GRU(o) : new RNN({ ...o, nonlinearity: kind });
}
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
function expectBitwise(label: string, got: Float32Array, want: Float32Array) {
  expect(got.length, `${label}: length`).toBe(want.length);
  const g = bits(got), w = bits(want);
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== w[i]) expect.fail(`${label}: element ${i} is ${got[i]}, without checkpointing ${want[i]}`);
  }
}

/** One forward + backward with the given mode; everything it produces. */
function pass(kind: Kind, o: any, ck: boolean, B: number, T: number, x: Float32Array, fo: any, g: any, bo: any) {
  const layer = layerOf(kind, { ...o, checkpoint: ck });
  expect(layer.checkpoint).toBe(ck);
  const r = layer.forward(x, { batch: B, steps: T, ...fo });
  const d = layer.backward(g, bo);
  const grads = layer.grads();
  layer.dispose();
  return { r, d, grads };
}

function compare(kind: Kind, L: number, bidirectional: boolean, B: number, T: number, withLengths: boolean,
  truncate?: number) {
  const I = 3, H = 5, D = bidirectional ? 2 : 1, rnd = lcg(100 * T + 10 * L + B);
  const o = { inputSize: I, hiddenSize: H, numLayers: L, bidirectional, seed: T + L };
  const x = f32of(B * T * I, rnd, 2);
  const lengths = withLengths
    ? Int32Array.from({ length: B }, (_, b) => (b === 0 ? T : 1 + ((b * 7919) % T)))
    : undefined;
  const fo: any = { ...(lengths ? { lengths } : {}), h0: f32of(L * D * B * H, rnd) };
  if (kind === "lstm") fo.c0 = f32of(L * D * B * H, rnd);
  const g: any = { output: f32of(B * T * D * H, rnd), hN: f32of(L * D * B * H, rnd) };
  if (kind === "lstm") g.cN = f32of(L * D * B * H, rnd);
  const bo = { stateGrads: true, ...(truncate ? { truncate } : {}) };
  const a = pass(kind, o, false, B, T, x, fo, g, bo), b = pass(kind, o, true, B, T, x, fo, g, bo);
  expectBitwise("output", b.r.output, a.r.output);
  expectBitwise("hN", b.r.hN, a.r.hN);
  if (kind === "lstm") {
    expectBitwise("cN", b.r.cN!, a.r.cN!);
    expectBitwise("dc0", b.d.c0!, a.d.c0!);
  }
  expectBitwise("dx", b.d.x, a.d.x);
  expectBitwise("dh0", b.d.h0, a.d.h0);
  expectBitwise("dh", b.d.dh!, a.d.dh!);
  for (const k of Object.keys(a.grads)) expectBitwise(`grad ${k}`, b.grads[k], a.grads[k]);
  // and the gradients are not trivially zero
  expect(a.grads[Object.keys(a.grads)[0]].some((v) => v !== 0)).toBe(true);
}

describe("checkpointed passes are bitwise equal to stored ones", () => {
  const kinds: Kind[] = ["tanh", "relu", "linear", "lstm", "gru"];
  for (const kind of kinds) {
    it(`${kind}: T = 1, 7, 37, 100 (⌈√T⌉ segments, the last one short), 1–3 layers, uni/bi, lengths, h0${kind === "lstm" ? "/c0" : ""}`, () => {
      for (const T of [1, 7, 37, 100]) {
        for (const [L, bi] of [[1, false], [2, true], [3, false], [3, true]] as const) {
          compare(kind, L, bi, 4, T, T > 1);
        }
      }
    });
    it(`${kind}: truncated BPTT(k) with k not aligned to the segments`, () => {
      compare(kind, 2, true, 3, 37, true, 5);
      compare(kind, 1, false, 5, 50, true, 1);
    });
  }
});

describe("checkpointed passes against PyTorch", () => {
  it("every fixture case (Elman, LSTM, GRU; full and truncated) at the foundation's tolerances", () => {
    let n = 0;
    for (const file of ["elman", "lstm", "gru"]) {
      const fx = JSON.parse(readFileSync(new URL(`../fixtures/${file}.json`, import.meta.url), "utf8"));
      for (const cs of [...fx.cases, ...fx.truncated]) {
        const base = { inputSize: cs.I, hiddenSize: cs.H, numLayers: cs.numLayers, bidirectional: cs.bidirectional,
          checkpoint: true };
        const layer = cs.mode === "lstm"
          ? new LSTM(base)
          : cs.mode === "gru"
          ? new GRU(base)
          : new RNN({ ...base, nonlinearity: cs.nonlinearity });
        layer.loadStateDict(
          Object.fromEntries(Object.entries(cs.params).map(([k, v]) => [k, Float32Array.from(v as number[])])),
        );
        const fo: any = { batch: cs.B, steps: cs.T, lengths: Int32Array.from(cs.lengths),
          h0: Float32Array.from(cs.h0) };
        if (cs.mode === "lstm") fo.c0 = Float32Array.from(cs.c0);
        const r = layer.forward(Float32Array.from(cs.x), fo);
        expectClose(`${cs.name} output`, r.output, cs.output, 1e-5, 1e-4);
        const g: any = { output: Float32Array.from(cs.gOutput), hN: Float32Array.from(cs.gHN) };
        if (cs.mode === "lstm") g.cN = Float32Array.from(cs.gCN);
        const d = layer.backward(g, cs.truncate ? { truncate: cs.truncate } : {});
        expectClose(`${cs.name} dx`, d.x, cs.dx, 1e-4, 1e-3);
        expectClose(`${cs.name} dh0`, d.h0, cs.dh0, 1e-4, 1e-3);
        const grads = layer.grads();
        for (const k of Object.keys(cs.grads)) expectClose(`${cs.name} ${k}`, grads[k], cs.grads[k], 1e-4, 1e-3);
        layer.dispose();
        n++;
      }
    }
    expect(n).toBe(28);
  });
});

describe("memory", () => {
  it("the workspace grows as √T with checkpointing and as T without (single layer)", () => {
    for (const kind of ["tanh", "lstm", "gru"] as Kind[]) {
      const layer = layerOf(kind, { inputSize: 32, hiddenSize: 128 });
      const full = (T: number) => layer.workspaceBytes(32, T, false),
        ck = (T: number) => layer.workspaceBytes(32, T, true);
      // T × 16 → full × 13–15 (segment-sized scratch and the packed weights do not grow), checkpointed × ~3.4
      expect(full(1600) / full(100)).toBeGreaterThan(12);
      expect(ck(1600) / ck(100)).toBeLessThan(4.5);
      expect(ck(1600) / ck(100)).toBeGreaterThan(3);
      expect(ck(1000)).toBeLessThan(full(1000) / 8);
      expect(layer.workspaceBytes(32, 100)).toBe(full(100));
      layer.checkpoint = true;
      expect(layer.workspaceBytes(32, 100)).toBe(ck(100));
      layer.dispose();
    }
  });
  it("stacked layers keep each hidden layer's output (O(T·D·H)), still far below storing everything", () => {
    const layer = new LSTM({ inputSize: 32, hiddenSize: 128, numLayers: 3, bidirectional: true });
    const ck = layer.workspaceBytes(32, 1000, true), full = layer.workspaceBytes(32, 1000, false);
    // per hidden layer: [T, B, 2H] floats (its output) plus ∂L/∂ of it twice (as without checkpointing)
    expect(ck).toBeGreaterThan(2 * 1000 * 32 * 256 * 4);
    expect(ck).toBeLessThan(full / 3);
    layer.dispose();
  });
});

describe("models and settings", () => {
  it("Model.fit with checkpoint: true gives bitwise the same history and weights", async () => {
    const rng = new Rng(3);
    const xs: Float32Array[] = [], ys: number[] = [], classes = new Int32Array(30);
    for (let i = 0; i < 30; i++) {
      const T = 3 + rng.int(20), x = new Float32Array(T * 2);
      for (let j = 0; j < x.length; j++) x[j] = rng.uniform() - 0.5;
      xs.push(x);
      ys.push(x.reduce((a, b) => a + b, 0));
      classes[i] = i % 2;
    }
    const run = async (checkpoint: boolean) => {
      const m = new Model({ cell: "gru", inputSize: 2, hiddenSize: 6, numLayers: 2, bidirectional: true, outputSize: 1,
        initialState: { perClass: 2 }, seed: 5, checkpoint });
      expect(m.checkpoint).toBe(checkpoint);
      const h = await m.fit({ x: xs, y: Float32Array.from(ys), classes }, { epochs: 3, batchSize: 8, learningRate: 0.01,
        clipNorm: 1, seed: 2, truncate: 6 });
      const w = m.stateDict();
      m.dispose();
      return { loss: Float32Array.from(h.loss), w };
    };
    const a = await run(false), b = await run(true);
    expectBitwise("loss", b.loss, a.loss);
    for (const k of Object.keys(a.w)) expectBitwise(k, b.w[k], a.w[k]);
  });
  it("backward uses the mode of the forward pass it differentiates, even if the setting changed in between", () => {
    const rnd = lcg(8), x = f32of(2 * 9 * 3, rnd);
    const g = { hN: f32of(2 * 4, rnd) };
    const a = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 }),
      b = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
    a.forward(x, { batch: 2, steps: 9 });
    b.checkpoint = true;
    b.forward(x, { batch: 2, steps: 9 });
    b.checkpoint = false;
    expectBitwise("dx", b.backward(g).x, a.backward(g).x);
    a.dispose();
    b.dispose();
  });
  it("a bad setting is rejected with a clear error and changes nothing", () => {
    expect(() => new GRU({ inputSize: 2, hiddenSize: 3, checkpoint: 1 as any })).toThrow(
      /GRU: checkpoint must be a boolean, got 1/,
    );
    expect(() => new Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, checkpoint: "yes" as any })).toThrow(
      /checkpoint must be a boolean/,
    );
    const layer = new RNN({ inputSize: 2, hiddenSize: 3 });
    expect(() => {
      layer.checkpoint = null as any;
    }).toThrow(/checkpoint must be a boolean/);
    expect(layer.checkpoint).toBe(false);
    expect(() => layer.workspaceBytes(0, 5)).toThrow(/batch/);
    layer.dispose();
  });
});
