// Memory above 2 GiB: pointers are unsigned everywhere, so a layer whose blocks lie past 2 GiB
// (here: past 2.5 GiB) trains exactly as one in low memory. In its own file: the WebAssembly
// memory of this worker grows to about 3 GiB and never shrinks.
import { beforeAll, describe, expect, it } from "vitest";
import { init, coreInfo, LSTM, Model } from "../../dist/index.js";
import * as C from "../../dist/core.js";
import { f32of, lcg } from "../helpers";

beforeAll(async () => {
  await init();
});

describe("memory above 2 GiB", () => {
  it("a layer and a model allocated past 2.5 GiB train bitwise like ones in low memory", () => {
    const rnd = lcg(3), B = 3, T = 5, I = 4, H = 6;
    const x = f32of(B * T * I, rnd), g = f32of(B * H, rnd);
    const data = { x: [f32of(12, rnd), f32of(8, rnd), f32of(20, rnd)], y: f32of(3, rnd) };
    const run = () => {
      const l = new LSTM({ inputSize: I, hiddenSize: H, seed: 5 });
      const f = l.forward(x, { batch: B, steps: T, lengths: [5, 2, 4] });
      const d = l.backward({ hN: g });
      const m = new Model({ cell: "gru", inputSize: 4, hiddenSize: 8, outputSize: 1, seed: 6 });
      const loss = m.computeGradients(data);
      const where = (l.parameters as any).paramsAt("test") as number;
      const out = JSON.stringify([Array.from(f.output), Array.from(d.x), l.grads(), loss, m.grads()]);
      return { out, where, dispose: () => {
        l.dispose();
        m.dispose();
      } };
    };
    const low = run(); // kept until the end, so that the second run cannot reuse its blocks
    expect(low.where).toBeLessThan(2 ** 31);
    // fill memory up to 2.5 GiB with blocks of the allocator's largest size and a remainder
    const fillers = C.allocAll("test", [C.BLOCK_LIMIT, C.BLOCK_LIMIT]);
    fillers.push(...C.allocAll("test", [Math.round(2.6 * 2 ** 30) - coreInfo().memoryBytes]));
    expect(coreInfo().memoryBytes).toBeGreaterThan(2.5 * 2 ** 30);
    const high = run();
    expect(high.where).toBeGreaterThan(2.5 * 2 ** 30); // the premise: this layer lives above 2.5 GiB
    expect(high.out).toBe(low.out);
    high.dispose();
    low.dispose();
    fillers.forEach(C.free);
  });
});
