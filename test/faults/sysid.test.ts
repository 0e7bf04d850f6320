// Bad input to the system-identification models, Simulator and NeuralStateSpace: every refused
// call names the argument, what was expected and what came, and changes nothing: the model saves
// the same bytes as before, simulates the same outputs, and another model in the same WebAssembly
// memory is untouched. A fit that throws (bad records, a callback that throws, a diverging loss,
// a record changed while it trains) leaves the weights and normalization it found, so nothing
// partially trained is saved. The exact messages of the synchronous calls are in messages.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init, NeuralStateSpace, Simulator } from "../../dist/index.js";
import type { IoRecord } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

const wave = (n: number, phase = 0) => Float32Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + phase));
/** A record of N samples with I input and O output channels (finite, varied values). */
const record = (N: number, I = 1, O = 1): IoRecord => ({ u: wave(N * I), y: wave(N * O, 1) });
const same = (a: Uint8Array | Float32Array, b: Uint8Array | Float32Array) =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
async function rejection(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => null, (err) => err);
  expect(e, "it must reject").toBeInstanceOf(Error);
  return e as Error;
}

// bystanders: a trained simulator and a state-space model that share the WebAssembly memory
let bystander: Simulator, ssBystander: NeuralStateSpace;
let bystanderBytes: Uint8Array, bystanderOut: Float32Array, ssBytes: Uint8Array, ssOut: Float32Array;
beforeAll(async () => {
  bystander = new Simulator({ inputs: 1, outputs: 1, hiddenSize: 5, window: 4, seed: 3 });
  await bystander.fit(record(80), { epochs: 2, steps: 10 });
  bystanderBytes = bystander.save();
  bystanderOut = bystander.simulate(wave(60), { y: wave(60, 1) });
  ssBystander = new NeuralStateSpace({ inputSize: 1, stateSize: 2, outputSize: 1, hidden: [4], seed: 3 });
  ssBytes = ssBystander.save();
  ssOut = ssBystander.simulate(wave(30), { batch: 1 }).outputs;
});
afterAll(() => {
  // every test left the bystanders as they were
  expect(same(bystander.save(), bystanderBytes)).toBe(true);
  expect(same(bystander.simulate(wave(60), { y: wave(60, 1) }), bystanderOut)).toBe(true);
  expect(same(ssBystander.save(), ssBytes)).toBe(true);
  expect(same(ssBystander.simulate(wave(30), { batch: 1 }).outputs, ssOut)).toBe(true);
  bystander.dispose();
  ssBystander.dispose();
});

describe("Simulator.fit: bad records are refused before anything changes", () => {
  const nanU = record(60);
  nanU.u[17] = NaN;
  const infY = record(60);
  infY.y[23] = -Infinity;
  const cases: [string, unknown, Record<string, unknown>, RegExp][] = [["NaN in u", nanU, {},
    /^Simulator\.fit: train\.u\[17\] is NaN; it must be finite$/], ["Infinity in y", infY, {},
    /^Simulator\.fit: train\.y\[23\] is -Infinity; it must be finite$/], ["NaN in the second record of a list", [
    record(60),
    nanU,
  ], {}, /^Simulator\.fit: train\[1\]\.u\[17\] is NaN/], ["mismatched u/y lengths", { u: wave(60), y: wave(59) }, {},
    /^Simulator\.fit: train\.y has 59 elements but train\.u has 60 rows, so y must have 60 × outputs=1 = 60 \(mismatched u\/y lengths/],
    ["a window longer than the record", record(12), { steps: 4, validationSplit: 0 },
      /^Simulator\.fit: train has 12 samples; window 10 \+ steps 4 needs at least 14$/], [
    "a channel count that differs from the model's (u)",
    { u: wave(121), y: wave(60) },
    {},
    /^Simulator\.fit: train\.u has 121 elements, not a positive multiple of the model's inputs=2 \(a channel count that differs/,
  ], ["a channel count that differs from the model's (y)", { u: wave(120), y: wave(120) }, {},
    /^Simulator\.fit: train\.y has 120 elements but train\.u has 60 rows, so y must have 60 × outputs=1 = 60 \(.*a channel count that differs from the model's\)$/],
    ["an empty record", { u: new Float32Array(0), y: new Float32Array(0) }, {},
      /^Simulator\.fit: train\.u has 0 elements, not a positive multiple/], ["no records", [], {},
    /^Simulator\.fit: train is empty; give at least one record \{ u, y \}$/], ["u a Float64Array", {
    u: new Float64Array(120),
    y: wave(60),
  }, {}, /^Simulator\.fit: train\.u must be a Float32Array \[N, inputs=2\], got Float64Array\(120\)$/], [
    "y an Int32Array",
    { u: wave(120), y: new Int32Array(60) },
    {},
    /^Simulator\.fit: train\.y must be a Float32Array \[N=60, outputs=1\], got Int32Array\(60\)$/,
  ], ["u a plain array", { u: Array.from(wave(120)), y: wave(60) }, {},
    /^Simulator\.fit: train\.u must be a Float32Array .*got Array\(120\)$/], ["-Infinity in the validation record", {
    u: wave(120),
    y: wave(60),
  }, { validation: { u: wave(120), y: infY.y } },
    /^Simulator\.fit: options\.validation\.y\[23\] is -Infinity; it must be finite$/], ["steps 0", record(60), {
    steps: 0,
  }, /^Simulator\.fit: steps must be an integer in 1\.\.1000000, got 0$/], ["steps -4", record(60), { steps: -4 },
    /^Simulator\.fit: steps must be an integer in 1\.\.1000000, got -4$/], ["batchSize 0", record(60), { batchSize: 0 },
    /^Simulator\.fit: batchSize must be an integer in 1\.\.65536, got 0$/], ["epochs -1", record(60), { epochs: -1 },
    /^Simulator\.fit: epochs must be an integer in 1\.\.1000000000, got -1$/], ["stride 0", record(60), { stride: 0 },
    /^Simulator\.fit: stride must be an integer in 1\.\.1000000000, got 0$/], ["learningRate NaN", record(60), {
    learningRate: NaN,
  }, /^Simulator\.fit: learningRate must be a number, got NaN$/], ["validationSplit 1", record(60), {
    validationSplit: 1,
  }, /^Simulator\.fit: validationSplit must be a finite number >= 0 and <= 0\.9, got 1$/]];
  for (const [what, train, options, message] of cases) {
    it(what, async () => {
      // a simulator with two inputs and a window of 10 (the u/y cases with 2 channels use it)
      const twoInputs = /channel count|Float64|Int32|plain array|validation/.test(what);
      const sim = new Simulator({ inputs: twoInputs ? 2 : 1, outputs: 1, hiddenSize: 4, window: 10, seed: 1 });
      const before = sim.save();
      const e = await rejection(sim.fit(train as IoRecord, { epochs: 1, steps: 8, ...options }));
      expect(e.message).toMatch(message);
      expect(same(sim.save(), before), "the file it saves afterwards").toBe(true);
      expect(sim.normalized).toBe(false);
      sim.dispose();
    });
  }
});

describe("Simulator.fit: a fit that throws while it trains leaves the model as it was", () => {
  /** A simulator fitted once (its normalization set) and the bytes it saves. */
  async function trained(init: "encoder" | "burnin") {
    const sim = new Simulator({ inputs: 1, outputs: 1, hiddenSize: 4, window: 3, init, seed: 1 });
    await sim.fit(record(60), { epochs: 1, steps: 8 });
    return { sim, bytes: sim.save(), out: sim.simulate(wave(40), { y: wave(40, 1) }) };
  }
  for (const init of ["encoder", "burnin"] as const) {
    it(`a diverging loss (init ${init}): the fit's own message, the weights and normalization restored`, async () => {
      const { sim, bytes, out } = await trained(init);
      const e = await rejection(sim.fit(record(60, 1, 1), { epochs: 3, steps: 8, learningRate: 1e30, clipNorm: 0 }));
      expect(e.message).toMatch(
        /^Simulator\.fit: the training loss became (NaN|Infinity) at epoch \d+; lower learningRate or clipNorm \(the weights were restored\)$/,
      );
      expect(same(sim.save(), bytes)).toBe(true);
      expect(same(sim.simulate(wave(40), { y: wave(40, 1) }), out)).toBe(true);
      sim.dispose();
    });
  }
  it("a callback that throws on a fresh simulator: its error passed on, no normalization set, the same file", async () => {
    const sim = new Simulator({ inputs: 1, outputs: 1, hiddenSize: 4, window: 3, seed: 1 });
    const before = sim.save(), boom = new Error("boom");
    const e = await rejection(sim.fit(record(60), { epochs: 4, steps: 8, onEpochEnd: (epoch) => {
      if (epoch === 2) throw boom;
    } }));
    expect(e).toBe(boom);
    expect(sim.normalized).toBe(false);
    expect(Array.from(sim.normalization.uStd)).toEqual([1]);
    expect(same(sim.save(), before)).toBe(true);
    sim.dispose();
  });
  it("a training record turned NaN between epochs: the validation refuses it, the model restored", async () => {
    const { sim, bytes } = await trained("encoder");
    const r = record(60);
    const e = await rejection(sim.fit(r, { epochs: 3, steps: 8, onEpochEnd: () => {
      r.u[55] = NaN; // in the validation part (the last 20%)
    } }));
    expect(e.message).toMatch(/^Simulator\.simulate: u\[\d+\] is NaN; it must be finite$/);
    expect(same(sim.save(), bytes)).toBe(true);
    sim.dispose();
  });
  it("a second fit while one runs is refused and the first one finishes", async () => {
    const sim = new Simulator({ inputs: 1, outputs: 1, hiddenSize: 4, window: 3, seed: 1 });
    const first = sim.fit(record(60), { epochs: 2, steps: 8 });
    const e = await rejection(sim.fit(record(60), { epochs: 1, steps: 8 }));
    expect(e.message).toBe(
      "Simulator.fit: this simulator is already being trained by a fit() that has not finished; await it first",
    );
    expect((await first).epochs).toBe(2);
    sim.dispose();
  });
  it("after dispose: fit, simulate and save refuse", async () => {
    const sim = new Simulator({ inputs: 1, outputs: 1, hiddenSize: 4, seed: 1 });
    sim.dispose();
    await expect(sim.fit(record(60), { epochs: 1, steps: 8 })).rejects.toThrow(/disposed/);
    expect(() => sim.simulate(wave(10))).toThrow(/disposed/);
    expect(() => sim.save()).toThrow(/disposed/);
  });
});

describe("Simulator: settings and simulate", () => {
  it('init is checked whatever the window; "encoder" needs a window', () => {
    expect(() => new Simulator({ inputs: 1, outputs: 1, init: "bogus" as "burnin" })).toThrow(
      'Simulator: init must be one of "encoder", "burnin", got "bogus"',
    );
    expect(() => new Simulator({ inputs: 1, outputs: 1, init: "encoder" })).toThrow(
      /^Simulator: init "encoder" sets the state from the first window samples of u and y, so it needs window >= 1, got window 0/,
    );
    const defaults = [new Simulator({ inputs: 1, outputs: 1 }), new Simulator({ inputs: 1, outputs: 1, window: 2 })];
    expect(defaults.map((s) => s.config.init)).toEqual(["burnin", "encoder"]);
    for (const s of defaults) s.dispose();
  });
  it("negative and zero sizes are refused by name", () => {
    for (const [k, v] of [["inputs", 0], ["outputs", -1], ["hiddenSize", 0], ["numLayers", 0], ["window",
      -2]] as const) {
      expect(() => new Simulator({ inputs: 1, outputs: 1, [k]: v }), k).toThrow(
        new RegExp(`^Simulator: ${k} must be an integer in \\d+\\.\\.\\d+, got ${v}$`),
      );
    }
  });
  it("a refused simulate changes nothing (the next one returns the same outputs)", () => {
    const sim = new Simulator({ inputs: 2, outputs: 1, hiddenSize: 4, window: 2, seed: 1 });
    const u = wave(40), y = wave(20, 1), out = sim.simulate(u, { y });
    const bad = u.slice();
    bad[9] = Infinity;
    expect(() => sim.simulate(bad, { y })).toThrow("Simulator.simulate: u[9] is Infinity; it must be finite");
    expect(() => sim.simulate(u, { y: wave(19) })).toThrow(/mismatched u\/y lengths/);
    expect(() => sim.simulate(new Float32Array(0), { y })).toThrow(/u has 0 elements/);
    expect(same(sim.simulate(u, { y }), out)).toBe(true);
    sim.dispose();
  });
});

describe("NeuralStateSpace: bad input changes nothing", () => {
  it("bad u, x0, batch and sizes name the argument; the model simulates and saves as before", () => {
    const m = new NeuralStateSpace({ inputSize: 2, stateSize: 3, outputSize: 1, hidden: [4], seed: 1 });
    const bytes = m.save(), out = m.simulate(wave(12), { batch: 2 }).outputs;
    const nan = wave(12);
    nan[5] = NaN;
    const calls: [() => unknown, string | RegExp][] = [[() => m.simulate(nan, { batch: 2 }),
      "NeuralStateSpace.simulate: u[5] is NaN; it must be finite"], [
      () => m.simulate(wave(12), { batch: 2, x0: Float32Array.of(0, 0, 0, 0, Infinity, 0) }),
      "NeuralStateSpace.simulate: x0[4] is Infinity; it must be finite",
    ], [() => m.simulate(new Float64Array(12) as unknown as Float32Array, { batch: 2 }),
      "NeuralStateSpace.simulate: u must be a Float32Array [batch, T, inputSize=2], got Float64Array(12)"], [
      () => m.simulate(wave(9), { batch: 1 }),
      "NeuralStateSpace.simulate: u must have batch × T × inputSize = 1 × T × 2 elements (T ≥ 1), got 9",
    ], [() => m.simulate(new Float32Array(0), { batch: 1 }), /^NeuralStateSpace\.simulate: u must have .* got 0/], [
      () => m.simulate(wave(12), { batch: 0 }),
      "NeuralStateSpace.simulate: batch must be an integer in 1..1048576, got 0",
    ], [() => m.simulate(wave(12), { batch: -2 }),
      "NeuralStateSpace.simulate: batch must be an integer in 1..1048576, got -2"], [() => m.workspaceBytes(1, 0),
      "NeuralStateSpace.workspaceBytes: steps must be an integer in 1..1048576, got 0"], [
      () => new NeuralStateSpace({ inputSize: 1, stateSize: -1, outputSize: 1 }),
      "NeuralStateSpace: stateSize must be an integer in 1..1048576, got -1",
    ], [() => new NeuralStateSpace({ inputSize: 1, stateSize: 2, outputSize: 1, hidden: [0] }),
      "NeuralStateSpace: hidden[0] must be an integer in 1..1048576, got 0"]];
    for (const [call, message] of calls) expect(call).toThrow(message);
    expect(same(m.simulate(wave(12), { batch: 2 }).outputs, out)).toBe(true);
    expect(same(m.save(), bytes)).toBe(true);
    m.dispose();
  });
  it("a record too long for the core's workspace: a message with the sizes, and the model still works", () => {
    const m = new NeuralStateSpace({ inputSize: 1, stateSize: 2, outputSize: 1, hidden: [3], seed: 1 });
    const out = m.simulate(wave(8), { batch: 1 }).outputs;
    expect(() => m.simulate(new Float32Array(1 << 24), { batch: 1 })).toThrow(
      "NeuralStateSpace.simulate: batch 1 × 16777216 samples × 1 substeps (stateSize 2) is more than the WebAssembly core's workspace can address (4 GiB): simulate fewer or shorter records, or use fewer substeps",
    );
    expect(same(m.simulate(wave(8), { batch: 1 }).outputs, out)).toBe(true);
    m.dispose();
  });
  it("backward after a refused simulate differentiates the last good one; after a blow-up it refuses", () => {
    const m = new NeuralStateSpace({ inputSize: 1, stateSize: 2, outputSize: 1, hidden: [3], seed: 1 });
    m.simulate(wave(6), { batch: 1 });
    m.zeroGrad();
    const x0 = m.backward({ outputs: wave(6, 2) }).x0, grads = m.grads();
    expect(() => m.simulate(wave(5), { batch: 2 })).toThrow(/u must have batch × T × inputSize/);
    m.zeroGrad();
    expect(same(m.backward({ outputs: wave(6, 2) }).x0, x0)).toBe(true);
    for (const [k, g] of Object.entries(m.grads())) expect(same(g, grads[k]), k).toBe(true);
    m.dispose();
    // a linear f whose weight makes the solution blow up: the failed solve leaves nothing to differentiate
    const lin = new NeuralStateSpace({ inputSize: 1, stateSize: 1, outputSize: 1, hidden: [], method: "euler" });
    lin.simulate(wave(3), { batch: 1 });
    lin.loadStateDict({ "f.net.0.weight": Float32Array.of(1e30, 0), "f.net.0.bias": Float32Array.of(1),
      "output.weight": Float32Array.of(1), "output.bias": Float32Array.of(0) });
    expect(() => lin.simulate(wave(3), { batch: 1 })).toThrow(/solution is not finite/);
    expect(() => lin.backward({ outputs: wave(3) })).toThrow(
      "NeuralStateSpace.backward: no simulation to differentiate (call simulate() first)",
    );
    lin.dispose();
  });
  it("a file whose settings are invalid: NeuralStateSpace.load says so, and allocates nothing that stays", async () => {
    const { safetensors } = await import("../../dist/index.js");
    const m = new NeuralStateSpace({ inputSize: 1, stateSize: 2, outputSize: 1, hidden: [3], seed: 1 });
    const file = safetensors.read(m.save());
    const bad = (o: Record<string, unknown>) =>
      safetensors.write(file.tensors, { ...file.metadata,
        config: JSON.stringify({ ...JSON.parse(file.metadata.config), ...o }) });
    expect(() => NeuralStateSpace.load(bad({ sampleTime: -1 }))).toThrow(
      "NeuralStateSpace.load: the file's settings are invalid: NeuralStateSpace: sampleTime must be a finite number > 0 and <= 1e+300, got -1",
    );
    expect(() => NeuralStateSpace.load(bad({ inputSize: 3 }))).toThrow(
      "NeuralStateSpace.loadStateDict: f.net.0.weight must have 15 elements [3, 5], got 9",
    );
    m.dispose();
  });
});
