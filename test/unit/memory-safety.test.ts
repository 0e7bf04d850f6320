// Memory safety, end to end (the layered-bindings issue): each bug that was found is reproduced
// here and must stay fixed. Every failing call is checked to leave a neighbour model's weights and
// outputs bitwise unchanged.
import { beforeAll, describe, expect, it } from "vitest";
import { init, coreInfo, Model, RNN, GRU, LSTM, safetensors } from "../../dist/index.js";
import * as C from "../../dist/core.js";
import { f32of, lcg } from "../helpers";

beforeAll(async () => {
  await init();
});
const rnd = lcg(5);

/** A model that is never touched by the failing calls, and a fingerprint of it. */
function neighbour() {
  const m = new Model({ cell: "lstm", inputSize: 3, hiddenSize: 7, outputSize: 2, seed: 9 });
  const xs = [f32of(15, lcg(1)), f32of(6, lcg(2))];
  const print = () =>
    JSON.stringify([Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v)]),
      Array.from(m.predict(xs) as Float32Array)]);
  return { m, print };
}

/** Run a call that must throw `re`, and check that the neighbour is bitwise unchanged. */
function harmless(nb: ReturnType<typeof neighbour>, fn: () => unknown, re: RegExp) {
  const before = nb.print();
  expect(fn).toThrow(re);
  expect(nb.print()).toBe(before);
}

describe("a legal shape too large for wasm32", () => {
  it("RNN H=1025, T=2^20 (4.3 GB of workspace): a RangeError saying what it needs, nothing corrupted", () => {
    const nb = neighbour();
    const rnn = new RNN({ inputSize: 1, hiddenSize: 1025 });
    const x = new Float32Array(2 ** 20);
    const need = rnn.workspaceBytes(1, 2 ** 20);
    expect(need).toBeGreaterThan(2 ** 32); // the count that used to wrap modulo 2^32
    harmless(nb, () => rnn.forward(x, { batch: 1, steps: 2 ** 20 }),
      /RNN\.forward: this pass \(batch 1 × steps 1048576, .*\) needs \d\.\d GiB of WebAssembly memory; the limit is 4 GiB \(wasm32 memory\): use checkpoint: true/);
    // the same layer and new layers still work, and checkpointing makes the pass fit
    rnn.checkpoint = true;
    expect(rnn.workspaceBytes(1, 2 ** 20)).toBeLessThan(need / 100);
    const small = new GRU({ inputSize: 2, hiddenSize: 3 });
    expect(small.forward(f32of(12, rnd), { batch: 2, steps: 3 }).output.length).toBe(18);
    small.dispose();
    rnn.dispose();
    nb.m.dispose();
  });

  it("GRU B=64, T=8000, I=16, H=512: workspaceBytes is exact (an independent count of the layout)", () => {
    const gru = new GRU({ inputSize: 16, hiddenSize: 512 });
    const B = 64, T = 8000, I = 16, H = 512, G = 3, GH = G * H, S = Math.ceil(Math.sqrt(T));
    const r4 = (n: number) => Math.ceil(n / 4) * 4;
    // layout.ts, full mode, one layer-direction: the header (128 floats: stamp, layout, loop records); xs, hs,
    // gz, hl; then the shared scratch
    const floats = 128 + r4(T * B * I) + r4((T + 1) * B * H) + r4(T * B * GH) + r4(T * B * H)
      + r4(I * GH) + r4(H * GH) + r4(GH * H) + r4(GH * I) + r4(GH) + r4(B * GH)
      + r4(S * B * H) + 2 * r4(S * B * (GH + 16)) + 4 * r4(B * H) + r4(S * B * I); // dA, dAh: rows GH + 16 apart (layout.ts dAStride)
    expect(gru.workspaceBytes(B, T)).toBe(4 * floats);
    expect(gru.workspaceBytes(B, T)).toBeGreaterThan(2 ** 32);
    const nb = neighbour();
    harmless(nb, () => gru.forward(new Float32Array(B * T * I), { batch: B, steps: T }),
      /GRU\.forward: this pass .* needs \d+\.\d GiB of WebAssembly memory; the limit is 4 GiB/);
    gru.dispose();
    nb.m.dispose();
  });

  it("a pass between 1 and 4 GiB names the allocator's 1 GiB block limit", () => {
    const lstm = new LSTM({ inputSize: 4, hiddenSize: 256 });
    const T = 4000, B = 64;
    expect(lstm.workspaceBytes(B, T)).toBeGreaterThan(2 ** 30);
    expect(lstm.workspaceBytes(B, T)).toBeLessThan(2 ** 32);
    const nb = neighbour();
    harmless(nb, () => lstm.forward(new Float32Array(B * T * 4), { batch: B, steps: T }),
      /one block of it is \d\.\d GiB, and the allocator's largest block is 1 GiB/);
    lstm.dispose();
    nb.m.dispose();
  });
});

describe("a failed call does not poison the next one", () => {
  it("backward after a forward that failed to allocate differentiates the last successful forward", () => {
    const B = 2, T = 4, I = 3, H = 64;
    const x = f32of(B * T * I, rnd), g = f32of(B * H, rnd);
    const a = new GRU({ inputSize: I, hiddenSize: H, seed: 4 }), b = new GRU({ inputSize: I, hiddenSize: H, seed: 4 });
    a.forward(x, { batch: B, steps: T });
    // 64 × 65536 steps need 5.4 GB (over 4 GiB); 16 × 65536 need 1.4 GB (over the 1 GiB block limit)
    expect(() => a.forward(new Float32Array(64 * 65536 * I), { batch: 64, steps: 65536 })).toThrow(
      /needs \d+\.\d GiB of WebAssembly memory; the limit is 4 GiB/,
    );
    expect(() => a.forward(new Float32Array(16 * 65536 * I), { batch: 16, steps: 65536 })).toThrow(
      /needs \d+\.\d GiB of WebAssembly memory; one block of it/,
    );
    const da = a.backward({ hN: g });
    b.forward(x, { batch: B, steps: T });
    const db = b.backward({ hN: g });
    expect(Array.from(da.x)).toEqual(Array.from(db.x));
    expect(JSON.stringify(a.grads())).toBe(JSON.stringify(b.grads()));
    expect(Number.isFinite(da.x[0])).toBe(true);
    a.dispose();
    b.dispose();
  });
  it("backward before any forward, or after dispose, throws and says why", () => {
    const r = new RNN({ inputSize: 2, hiddenSize: 2 });
    expect(() => r.backward({})).toThrow(/RNN\.backward: no forward pass to differentiate/);
    r.dispose();
    expect(() => r.backward({})).toThrow(/the module was disposed/);
    expect(() => r.forward(new Float32Array(2), { batch: 1, steps: 1 })).toThrow(/the module was disposed/);
  });
});

describe("constructors", () => {
  it("300 failing constructors leave memory within one page of where it was, and a neighbour as it was", () => {
    const nb = neighbour(), print = nb.print();
    const before = coreInfo().memoryBytes;
    for (let i = 0; i < 100; i++) {
      expect(() => new RNN({ inputSize: 1, hiddenSize: 46341 })).toThrow(
        /RNN: 2147627304 parameters need 16\.0 GiB of WebAssembly memory \(parameters and gradients\); the limit is 4 GiB/,
      );
      expect(() => new Model({ cell: "gru", inputSize: 20000, hiddenSize: 20000, outputSize: 1 })).toThrow(RangeError);
      expect(() => new LSTM({ inputSize: 3, hiddenSize: 4, init: { gain: "big" } as any })).toThrow(TypeError);
    }
    expect(coreInfo().memoryBytes).toBeLessThanOrEqual(before + 65536);
    expect(nb.print()).toBe(print);
    nb.m.dispose();
  });
  it("layers and models free their memory on dispose and with `using`", () => {
    const before = coreInfo().memoryBytes;
    for (let i = 0; i < 50; i++) {
      using m = new Model({ cell: "gru", inputSize: 32, hiddenSize: 256, outputSize: 4, loss: "crossentropy" });
      m.predict([f32of(64 * 32, rnd)]);
    }
    const l = new RNN({ inputSize: 2, hiddenSize: 3 });
    {
      using k = l;
      k.forward(f32of(4, rnd), { batch: 1, steps: 2 });
    }
    expect(() => l.stateDict()).toThrow(/the module was disposed/);
    expect(coreInfo().memoryBytes).toBeLessThanOrEqual(before + 8 * 2 ** 20);
  });
});

describe("Model.load of a hostile file", () => {
  it("a 204-byte file whose config says hiddenSize 12000 is rejected in < 100 ms, without memory growth", () => {
    const cfg = { cell: "gru", inputSize: 4, hiddenSize: 12000, outputSize: 1 };
    const bytes = safetensors.write({ "readout.bias": { dtype: "F32", shape: [1], data: new Float32Array(1) } }, {
      format: "recurrent-wasm",
      config: JSON.stringify(cfg),
    });
    expect(bytes.length).toBeLessThan(256);
    const nb = neighbour(), print = nb.print();
    const before = coreInfo().memoryBytes, t0 = performance.now();
    expect(() => Model.load(bytes)).toThrow(/Model\.load: missing tensor "rnn\.weight_ih_l0" \[36000,4\]/);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(coreInfo().memoryBytes).toBe(before);
    expect(nb.print()).toBe(print);
    nb.m.dispose();
  });
  it("every tensor's dtype and shape is checked against the config before anything is allocated", () => {
    const m = new Model({ cell: "rnn", inputSize: 2, hiddenSize: 3, outputSize: 1, seed: 2 });
    const { tensors, metadata } = safetensors.read(m.save());
    const i32 = { ...tensors, "readout.bias": { dtype: "I32", shape: [1], data: new Int32Array(1) } };
    expect(() => Model.load(safetensors.write(i32 as any, metadata))).toThrow(
      /tensor "readout\.bias" has dtype I32, expected a float type/,
    );
    const shaped = { ...tensors, "rnn.weight_hh_l0": { dtype: "F32", shape: [9], data: new Float32Array(9) } };
    expect(() => Model.load(safetensors.write(shaped as any, metadata))).toThrow(
      /tensor "rnn\.weight_hh_l0" has shape \[9\], expected \[3,3\]/,
    );
    const badCfg = safetensors.write(tensors as any, { ...metadata,
      config: JSON.stringify({ ...m.config, hiddenSize: -1 }) });
    expect(() => Model.load(badCfg)).toThrow(
      /Model\.load: the file's config is invalid: Model: hiddenSize must be an integer/,
    );
    m.dispose();
  });
});

describe("the raw core refuses nonsense with an error code", () => {
  /** A descriptor for a small GRU pass, all blocks allocated. */
  function pass() {
    const c = C.core(), B = 2, T = 3, I = 2, H = 4, L = 1, D = 1, cell = C.CELL_GRU;
    const P = c.rnn_param_count(cell, I, H, L, D);
    const [desc] = C.allocAll("test", [4 * C.RD_FIELDS]);
    const v = () => C.i32(desc, C.RD_FIELDS);
    const fill = () => {
      const d = v();
      d.fill(0);
      d[C.RD_CELL] = cell;
      d[C.RD_B] = B;
      d[C.RD_T] = T;
      d[C.RD_I] = I;
      d[C.RD_H] = H;
      d[C.RD_L] = L;
      d[C.RD_D] = D;
    };
    fill();
    const wsBytes = c.rnn_workspace_bytes(desc);
    const [params, grads, ws, x, out, hn, lengths] = C.allocAll("test", [4 * P, 4 * P, wsBytes, 4 * B * T * I,
      4 * B * T * H, 4 * B * H, 4 * B]);
    C.i32(lengths, B).set([3, 2]);
    const set = (f: Record<number, number>) => {
      fill();
      const d = v();
      Object.assign(d, { [C.RD_PARAMS]: params, [C.RD_GRADS]: grads, [C.RD_WS]: ws, [C.RD_WS_BYTES]: wsBytes,
        [C.RD_X]: x, [C.RD_OUT]: out, [C.RD_HN]: hn, [C.RD_LENGTHS]: lengths }, f);
      return desc;
    };
    const free = () => [desc, params, grads, ws, x, out, hn, lengths].forEach(C.free);
    return { c, set, free, wsBytes, lengths };
  }
  it("bad cell id, bad sizes, bad lengths, a short workspace, out-of-memory tensors, no forward", () => {
    const nb = neighbour(), before = nb.print();
    const p = pass(), c = p.c;
    expect(c.rnn_forward(p.set({}))).toBe(C.OK);
    expect(c.rnn_backward(p.set({}))).toBe(C.OK);
    expect(c.rnn_forward(p.set({ [C.RD_CELL]: 7 }))).toBe(C.ERR_CELL);
    expect(c.rnn_forward(p.set({ [C.RD_CELL]: -1 }))).toBe(C.ERR_CELL);
    expect(c.rnn_forward(p.set({ [C.RD_B]: -5 }))).toBe(C.ERR_SIZE);
    expect(c.rnn_forward(p.set({ [C.RD_D]: 3 }))).toBe(C.ERR_SIZE);
    expect(c.rnn_forward(p.set({ [C.RD_T]: 2 ** 30, [C.RD_H]: 2 ** 20 }))).toBe(C.ERR_TOO_LARGE);
    expect(c.rnn_forward(p.set({ [C.RD_CHECKPOINT]: 2 }))).toBe(C.ERR_ARGUMENT);
    expect(c.rnn_forward(p.set({ [C.RD_WS_BYTES]: p.wsBytes - 4 }))).toBe(C.ERR_WORKSPACE);
    expect(c.rnn_forward(p.set({ [C.RD_OUT]: 0 }))).toBe(C.ERR_BOUNDS);
    expect(c.rnn_forward(p.set({ [C.RD_X]: (C.coreInfo().memoryBytes - 8) >>> 0 }))).toBe(C.ERR_BOUNDS);
    expect(c.rnn_forward(p.set({ [C.RD_HN]: 0xfffffff0 | 0 }))).toBe(C.ERR_BOUNDS);
    expect(c.rnn_forward(0)).toBe(C.ERR_BOUNDS);
    C.i32(p.lengths, 2).set([4, 1]);
    expect(c.rnn_forward(p.set({}))).toBe(C.ERR_LENGTHS);
    C.i32(p.lengths, 2).set([0, 1]);
    expect(c.rnn_forward(p.set({}))).toBe(C.ERR_LENGTHS);
    C.i32(p.lengths, 2).set([3, 2]);
    // backward needs a completed forward of the same shape in the workspace
    expect(c.rnn_backward(p.set({ [C.RD_B]: 1 }))).toBe(C.ERR_NO_FORWARD);
    expect(c.rnn_backward(p.set({ [C.RD_CHECKPOINT]: 1 }))).toBe(C.ERR_NO_FORWARD);
    expect(c.rnn_backward(p.set({ [C.RD_GRADS]: 0 }))).toBe(C.ERR_BOUNDS);
    expect(c.rnn_backward(p.set({ [C.RD_TRUNCATE]: -1 }))).toBe(C.ERR_ARGUMENT);
    expect(c.rnn_backward(p.set({}))).toBe(C.OK);
    expect(c.rnn_workspace_bytes(p.set({ [C.RD_CELL]: 9 }))).toBe(C.ERR_CELL);
    expect(c.rnn_param_count(2, 0, 3, 1, 1)).toBe(C.ERR_SIZE);
    expect(c.rnn_param_count(2, 100000, 100000, 8, 2)).toBeGreaterThan(2 ** 32); // exact, not wrapped
    p.free();
    expect(nb.print()).toBe(before);
    nb.m.dispose();
  });
});

describe("optimizer state has one owner", () => {
  it("a new Adam on a trained model starts fresh; fit() keeps its optimizer across calls", async () => {
    const { Adam } = await import("../../dist/index.js");
    const data = { x: [f32of(8, rnd), f32of(4, rnd), f32of(6, rnd)], y: f32of(3, rnd) };
    const m1 = new Model({ cell: "gru", inputSize: 2, hiddenSize: 4, outputSize: 1, seed: 3 });
    const m2 = new Model({ cell: "gru", inputSize: 2, hiddenSize: 4, outputSize: 1, seed: 3 });
    await m1.fit(data, { epochs: 2, batchSize: 3, shuffle: false });
    await m2.fit(data, { epochs: 2, batchSize: 3, shuffle: false });
    // m1: a second fit continues with the same Adam (step count 2 -> 4)
    const opt = m1.optimizer!;
    await m1.fit(data, { epochs: 2, batchSize: 3, shuffle: false });
    expect(m1.optimizer).toBe(opt);
    expect(opt.stepCount(m1)).toBe(4);
    // m2: a new Adam has no state for it: its first step is a fresh Adam's first step
    const fresh = new Adam({ learningRate: 1e-3 });
    expect(fresh.stepCount(m2)).toBe(0);
    await m2.fit(data, { epochs: 2, batchSize: 3, shuffle: false, optimizer: fresh });
    expect(fresh.stepCount(m2)).toBe(2);
    expect(JSON.stringify(m1.stateDict())).not.toBe(JSON.stringify(m2.stateDict()));
    m1.dispose();
    m2.dispose();
    // the optimizer's state for a disposed model is gone; stepping it throws
    expect(() => fresh.step(m2)).toThrow(/the module was disposed/);
    expect(fresh.stepCount(m2)).toBe(0);
    fresh.dispose();
  });
});
