// Soak: 10,000 cycles of create / train one batch / save / load / predict / dispose, cycling
// through every cell type and option that allocates differently (an ODE-RNN with dopri5 and the
// adjoint among them), with a Neural ODE solved and differentiated every fifth cycle. WebAssembly memory must stay
// flat (its size after the first 200 cycles is its size at the end), every block allocated must
// have been freed (liveBlocks(), exact), and the last model must still match a fresh one.
import { beforeAll, describe, expect, it } from "vitest";
import { init, coreInfo, Adam, Model, NeuralODE } from "../../dist/index.js";
import { liveBlocks } from "../../dist/core.js";

beforeAll(async () => {
  await init();
});

const CYCLES = 10_000;
const CONFIGS = [{ cell: "gru", inputSize: 2, hiddenSize: 4, outputSize: 1 }, { cell: "lstm", inputSize: 2,
  hiddenSize: 3, numLayers: 2, bidirectional: true, outputSize: 2, initialState: "learned" }, { cell: "rnn",
  inputSize: 2, hiddenSize: 5, outputSize: 3, loss: "crossentropy", initialState: { perClass: 2 } }, { cell: "gru",
  inputSize: 2, hiddenSize: 3, outputSize: 1, readout: "sequence", checkpoint: true }, { cell: "odegru", inputSize: 2,
  hiddenSize: 3, outputSize: 1, readout: "sequence", inputMask: true,
  ode: { hidden: [4], gradient: "adjoint" } }] as const;

function dataFor(cfg: (typeof CONFIGS)[number], i: number) {
  const x = [Float32Array.from({ length: 6 }, (_, j) => Math.sin(i + j)),
    Float32Array.from({ length: 4 }, (_, j) => Math.cos(i + j))];
  const O = cfg.outputSize;
  const y = "readout" in cfg
    ? x.map((s) => new Float32Array((s.length / 2) * O).fill(0.5))
    : "loss" in cfg
    ? Int32Array.of(0, 2)
    : new Float32Array(2 * O).fill(0.25);
  if (cfg.cell === "odegru") {
    return { x, y, times: [Float64Array.of(0, 0.4, 0.5), Float64Array.of(0.1, 0.9)],
      mask: [Float32Array.of(1, 1, 0, 0, 1, 0), Float32Array.of(1, 1, 1, 1)] };
  }
  return "initialState" in cfg && typeof cfg.initialState === "object"
    ? { x, y, classes: Int32Array.of(0, 1) }
    : { x, y };
}
/** predict()'s options for a data set: classes, times, mask as it has them. */
const popts = (d: Record<string, unknown>) =>
  Object.fromEntries(["classes", "times", "mask"].filter((k) => k in d).map((k) => [k, d[k]]));

describe("soak", () => {
  it(`${CYCLES} create/train/save/load/dispose cycles: WebAssembly memory flat`, () => {
    const t0 = performance.now();
    let settled = 0, last: Float32Array | null = null;
    let before = liveBlocks(); // after the first cycle: the one descriptor block the library keeps
    for (let i = 0; i < CYCLES; i++) {
      const k = i % CONFIGS.length, cfg = CONFIGS[k];
      const data = dataFor(cfg, i);
      const m = new Model({ ...cfg, seed: i } as any);
      const opt = new Adam({ learningRate: 0.01 });
      m.trainBatch(data as any, opt, { clipNorm: 1 });
      const bytes = m.save({ cycle: String(i) });
      const m2 = Model.load(bytes);
      const p1 = m.predict(data.x, popts(data));
      const p2 = m2.predict(data.x, popts(data));
      const flat = (
        p: Float32Array | Float32Array[],
      ) => (Array.isArray(p) ? Float32Array.from(p.flatMap((a) => Array.from(a))) : p);
      expect(flat(p2)).toEqual(flat(p1));
      if (i === CYCLES - 1) last = flat(p1);
      opt.dispose();
      m.dispose();
      m2.dispose();
      // and a Neural ODE (every fifth cycle, alternating dopri5 and rk4): solve, backprop, free
      if (k === 0) {
        const ode = new NeuralODE({ stateSize: 2, hidden: [4], method: i % 10 === 0 ? "dopri5" : "rk4", rtol: 1e-4,
          atol: 1e-6, seed: i });
        ode.forward(Float32Array.of(0.5, -0.5, 1, 0), Float64Array.of(0, 0.3, 0.7), { batch: 2 });
        ode.backward({ states: new Float32Array(12).fill(0.1) });
        ode.dispose();
      }
      if (i === 0) before = liveBlocks();
      if (i === 199) settled = coreInfo().memoryBytes;
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `soak: ${CYCLES} cycles in ${
        seconds.toFixed(1)
      } s; memory ${settled} bytes after 200 cycles, ${coreInfo().memoryBytes} at the end`,
    );
    expect(coreInfo().memoryBytes).toBe(settled);
    // exact: every block allocated in the cycles was freed
    expect(liveBlocks()).toEqual(before);
    // the last cycle's model, rebuilt from scratch, predicts the same bits
    const i = CYCLES - 1, cfg = CONFIGS[i % CONFIGS.length], data = dataFor(cfg, i);
    const m = new Model({ ...cfg, seed: i } as any);
    const opt = new Adam({ learningRate: 0.01 });
    m.trainBatch(data as any, opt, { clipNorm: 1 });
    const p = m.predict(data.x, popts(data));
    expect(Array.isArray(p) ? Float32Array.from(p.flatMap((a) => Array.from(a))) : p).toEqual(last);
    opt.dispose();
    m.dispose();
  }, 240_000);
});
