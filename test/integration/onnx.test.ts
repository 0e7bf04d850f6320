// Model.toONNX() against ONNX's own tools: for a grid of configs (every cell, GRU with resetAfter
// false, 1–2 layers, bidirectional, lengths, learned and per-class initial states, token inputs,
// missing features and time gaps, a head, readout "last" and "sequence", crossentropy), random
// configs, and some models again on batches of other shapes (dynamic batch and steps), the exported
// model passes onnx.checker.check_model(full_check=True) and runs in onnxruntime (Python, one
// process for all: test/integration/onnx/run_onnx.py) and in onnxruntime-web 1.30.0 (its wasm
// backend in Node, one process: run-web.mjs, installed in test/integration/onnx from its own
// lockfile with npm ci), outputs equal to predict() within 1e-5 (absolute) and exactly zero past
// each length. Padding is filled with garbage so that a graph reading past a length would show.
// The writer round-trips through onnx's parser byte for byte (random configs, and random graphs of
// every attribute and tensor type with their values compared). The command line writes the same
// model; bad input is a clear error. docs/scale.md's samples run as written.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init, Model, Vocabulary } from "../../dist/index.js";
import type { ModelConfig } from "../../dist/index.js";
import { FLOAT, INT32, INT64, modelProto } from "../../bindings/export/onnx-proto.ts";
import type { Attribute, Graph, Tensor } from "../../bindings/export/onnx-proto.ts";
import { lcg } from "../helpers/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tools = join(root, "test/integration/onnx");
const cli = join(root, "dist/cli.js");
const dir = mkdtempSync(join(tmpdir(), "rw-onnx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Absolute tolerance against predict(): float32 rounding of the same arithmetic in another order. */
const TOL = 1e-5;

const CELLS: [string, ModelConfig | Record<string, unknown>][] = [["rnn-tanh", { cell: "rnn" }], ["rnn-relu", {
  cell: "rnn",
  nonlinearity: "relu",
}], ["rnn-linear", { cell: "rnn", nonlinearity: "linear" }], ["lstm", { cell: "lstm" }], ["gru", { cell: "gru" }], [
  "gru-reset-before",
  { cell: "gru", resetAfter: false },
]];
const SHAPES: [string, Record<string, unknown>][] = [["1-layer-last", { inputSize: 3 }], ["1-layer-sequence", {
  inputSize: 3,
  readout: "sequence",
}], ["2-layers-bi-sequence-learned-head", { inputSize: 3, numLayers: 2, bidirectional: true, readout: "sequence",
  initialState: "learned", head: { hidden: [5], activation: "tanh" }, dropout: 0.3 }], [
  "2-layers-last-perclass-head-ce",
  { inputSize: 3, numLayers: 2, initialState: { perClass: 3 }, head: { hidden: [4, 3] }, loss: "crossentropy",
    outputSize: 3 },
], ["tokens-bi-sequence-perclass", { vocabSize: 7, embeddingSize: 3, bidirectional: true, readout: "sequence",
  initialState: { perClass: 2 } }], ["tokens-2-layers-bi-last-learned", { vocabSize: 6, embeddingSize: 4, numLayers: 2,
  bidirectional: true, initialState: "learned", inputDropout: 0.2, readoutDropout: 0.1 }]];

interface Case {
  name: string;
  model: Model<any>;
  lengths: number[];
  steps: number;
  x: Float32Array[] | Int32Array[];
  classes?: Int32Array;
  /** inputMask models: 0/1 per feature (x is NaN where 0); timeGap models: irregular times. */
  mask?: Float32Array[];
  times?: Float64Array[];
}

/** A model of `config` with every parameter (learned initial states too) drawn from U(±0.6). */
function randomModel(config: Record<string, unknown>, seed: number): Model<any> {
  const m = new Model({ hiddenSize: 4, outputSize: 2, seed, ...config } as ModelConfig);
  const r = lcg(seed + 11), sd = m.stateDict();
  for (const k of Object.keys(sd)) sd[k] = sd[k].map(() => 1.2 * r());
  m.loadStateDict(sd);
  return m;
}

/** Sequences of the given lengths for model m (token ids or features), classes for per-class models. */
function makeCase(name: string, m: Model<any>, lengths: number[], seed: number): Case {
  const r = lcg(seed), c = m.config, V = c.vocabSize;
  const x = lengths.map((n) =>
    V === undefined
      ? Float32Array.from({ length: n * c.inputSize }, () => 2 * r())
      : Int32Array.from({ length: n }, () => Math.min(V - 1, Math.floor((r() + 0.5) * V)))
  ) as Float32Array[] | Int32Array[];
  const per = typeof c.initialState === "object" ? c.initialState.perClass : 0;
  const classes = per ? Int32Array.from(lengths, (_, b) => (b * 2 + 1) % per) : undefined;
  const k: Case = { name, model: m, lengths, steps: Math.max(...lengths), x, classes };
  if (c.inputMask) {
    // about a third missing, whole steps missing too (the time gap then reaches further back)
    k.mask = lengths.map((n) => Float32Array.from({ length: n * c.inputSize }, () => (r() < -0.17 ? 0 : 1)));
    k.mask.forEach((mk, b) => {
      if (lengths[b] > 2) mk.fill(0, c.inputSize, 2 * c.inputSize);
      mk.forEach((v, i) => v === 0 && ((x[b] as Float32Array)[i] = NaN));
    });
  }
  if (c.timeGap) {
    k.times = lengths.map((n) => {
      let t = 1000.123 + 10 * r();
      return Float64Array.from({ length: n }, () => (t += 0.05 + (r() + 0.5) * 3));
    });
  }
  return k;
}

/** The case's files: the model, its padded inputs (padding: garbage), and where each runtime writes y. */
function writeCase(k: Case, onnx: Uint8Array) {
  const c = k.model.config, B = k.lengths.length, T = k.steps, tokens = c.vocabSize !== undefined;
  const model = join(dir, `${k.name}.onnx`);
  writeFileSync(model, onnx);
  let xb: Float32Array | BigInt64Array;
  if (tokens) {
    xb = new BigInt64Array(B * T).fill(BigInt(c.vocabSize! - 1));
    k.lengths.forEach((n, b) => (k.x[b] as Int32Array).forEach((id, t) => (xb[b * T + t] = BigInt(id))));
  } else {
    xb = new Float32Array(B * T * c.inputSize).fill(9.5);
    k.lengths.forEach((_, b) => (xb as Float32Array).set(k.x[b] as Float32Array, b * T * c.inputSize));
  }
  const file = (n: string, a: ArrayBufferView) => {
    const p = join(dir, `${k.name}.${n}.bin`);
    writeFileSync(p, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return p;
  };
  const inputs: Record<string, unknown> = {
    x: { file: file("x", xb), dtype: tokens ? "int64" : "float32", shape: tokens ? [B, T] : [B, T, c.inputSize] },
    lengths: { file: file("lengths", Int32Array.from(k.lengths)), dtype: "int32", shape: [B] },
  };
  if (k.classes) inputs.classes = { file: file("classes", k.classes), dtype: "int32", shape: [B] };
  if (k.mask) {
    const mb = new Float32Array(B * T * c.inputSize).fill(1);
    k.mask.forEach((mk, b) => mb.set(mk, b * T * c.inputSize));
    inputs.mask = { file: file("mask", mb), dtype: "float32", shape: [B, T, c.inputSize] };
  }
  if (k.times) {
    const tb = new Float64Array(B * T).fill(-5);
    k.times.forEach((tt, b) => tb.set(tt, b * T));
    inputs.times = { file: file("times", tb), dtype: "float64", shape: [B, T] };
  }
  return { name: k.name, model, inputs, output: join(dir, `${k.name}.y.bin`) };
}

/** predict() as a padded tensor: [B, O] (readout "last") or [B, T, O] with zeros past each length. */
function expected(k: Case): { y: Float32Array; shape: number[] } {
  const O = k.model.config.outputSize, B = k.lengths.length, T = k.steps;
  const p = k.model.predict(k.x, { classes: k.classes, mask: k.mask, times: k.times });
  if (!Array.isArray(p)) return { y: p, shape: [B, O] };
  const y = new Float32Array(B * T * O);
  p.forEach((seq: Float32Array, b: number) => y.set(seq, b * T * O));
  return { y, shape: [B, T, O] };
}

const grid: Case[] = [];
const results: Record<string, any> = {};
let versions: Record<string, string> = {};
const parsed: Record<string, any> = {};
const graphs: Graph[] = [];
/** The largest |y − predict()| of each runtime over the grid (printed at the end). */
const maxDiff: Record<string, number> = { ort: 0, web: 0 };
afterAll(() =>
  console.log(
    `ONNX export: max |y - predict()| over ${grid.length} runs: onnxruntime ${
      maxDiff.ort.toExponential(2)
    }, onnxruntime-web ${maxDiff.web.toExponential(2)} (${JSON.stringify(versions)})`,
  )
);

/** A random exportable config (the writer's fuzz). */
function randomConfig(r: () => number): Record<string, unknown> {
  const pick = <T>(xs: T[]) => xs[Math.floor((r() + 0.5) * xs.length) % xs.length];
  const int = (a: number, b: number) => a + (Math.floor((r() + 0.5) * (b - a + 1)) % (b - a + 1));
  const cfg: Record<string, unknown> = { ...pick(CELLS)[1], hiddenSize: int(1, 6), numLayers: int(1, 3),
    bidirectional: r() < 0, readout: pick(["last", "sequence"]), seed: int(0, 1000) };
  if (r() < 0) Object.assign(cfg, { inputSize: int(1, 5), inputMask: r() < -0.2, timeGap: r() < -0.2 });
  else Object.assign(cfg, { vocabSize: int(1, 9), embeddingSize: int(1, 5) });
  const s = pick(["zeros", "learned", "perClass"]);
  cfg.initialState = s === "perClass" ? { perClass: int(1, 4) } : s;
  if (r() < 0) {
    cfg.head = { hidden: Array.from({ length: int(1, 2) }, () => int(1, 5)), activation: pick(["relu", "tanh"]) };
  }
  if (r() < -0.2) Object.assign(cfg, { loss: "crossentropy", outputSize: int(2, 4) });
  else cfg.outputSize = int(1, 4);
  return cfg;
}

/** A random graph of every attribute kind and tensor type (for the writer's round trip; not a valid model). */
function randomGraph(r: () => number, i: number): Graph {
  const int = (span: number) => Math.round(r() * 2 * span);
  const str = () => ["", "a", "Tanh", "ü→λ", "x".repeat(int(100) + 100), "\u{1F600}"][Math.abs(int(3)) % 6];
  const f32 = () => Math.fround([0, -0, 1e-40, 3.4e38, -1.5, r() * 1e6][Math.abs(int(3)) % 6]);
  const big = () =>
    [0, -1, 127, 128, -129, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, int(1e9)][Math.abs(int(5)) % 10];
  const attrs: Attribute[] = [{ name: "i", i: big() }, { name: "f", f: f32() }, { name: "s", s: str() }, { name: "ints",
    ints: Array.from({ length: Math.abs(int(3)) }, big) }, { name: "floats",
    floats: Array.from({ length: Math.abs(int(3)) }, f32) }, { name: "strings",
    strings: Array.from({ length: Math.abs(int(3)) }, str) }];
  const tensors: Tensor[] = [FLOAT, INT32, INT64].map((type, j) => {
    const dims = Array.from({ length: Math.abs(int(2)) }, () => Math.abs(int(3)));
    const n = dims.reduce((a, d) => a * d, 1);
    const data = type === FLOAT
      ? Float32Array.from({ length: n }, f32)
      : type === INT32
      ? Int32Array.from({ length: n }, () => int(2 ** 30))
      : Array.from({ length: n }, big);
    return { name: `t${j}`, type, dims, data } as Tensor;
  });
  return { name: `g${i}`, initializers: tensors,
    nodes: [{ op: "Op", name: "n0", inputs: ["a", "", "t0"], outputs: ["b"],
      attributes: attrs.filter(() => r() > -0.3) }], inputs: [{ name: "a", type: FLOAT, shape: ["batch", 3, str()] }],
    outputs: [{ name: "b", type: INT64, shape: [] }] };
}

// the grid and the random configs, built before the tests are named
await init();
{
  let seed = 1;
  for (const [cn, cc] of CELLS) {
    for (const [sn, sc] of SHAPES) {
      const m = randomModel({ ...cc, ...sc }, seed);
      if (m.config.vocabSize === 7) m.vocabulary = Vocabulary.fromText("abcdefg");
      grid.push(makeCase(`${cn}-${sn}`, m, [5, 1, 3, 5, 2], seed++));
    }
  }
  const r = lcg(2026);
  for (let i = 0; i < 24; i++) {
    const m = randomModel(randomConfig(r), 100 + i);
    const lengths = Array.from({ length: 1 + Math.floor((r() + 0.5) * 4) }, () => 1 + Math.floor((r() + 0.5) * 6));
    grid.push(makeCase(`random-${i}-${m.config.cell}`, m, lengths, 200 + i));
  }
  // irregularly sampled series: the time since the last observation, missing features
  const IRREGULAR: [string, Record<string, unknown>][] = [["gru-timegap-last", { cell: "gru", inputSize: 3,
    timeGap: true }], ["lstm-mask-bi-sequence", { cell: "lstm", inputSize: 3, inputMask: true, bidirectional: true,
    readout: "sequence" }], ["rnn-mask-timegap-2-layers-learned", { cell: "rnn", inputSize: 2, inputMask: true,
    timeGap: true, numLayers: 2, initialState: "learned" }], ["gru-reset-before-mask-timegap-perclass-head-sequence", {
    cell: "gru",
    resetAfter: false,
    inputSize: 3,
    inputMask: true,
    timeGap: true,
    initialState: { perClass: 2 },
    head: { hidden: [3] },
    readout: "sequence",
  }], ["lstm-timegap-bi-2-layers-sequence", { cell: "lstm", inputSize: 2, timeGap: true, numLayers: 2,
    bidirectional: true, readout: "sequence" }]];
  for (const [n, c] of IRREGULAR) grid.push(makeCase(n, randomModel(c, seed), [5, 1, 3, 6, 4], seed++));
  // dynamic batch and steps: models of the grid again, on batches of other shapes (one step of one sequence too)
  for (const name of ["lstm-2-layers-bi-sequence-learned-head", "gru-tokens-2-layers-bi-last-learned",
    "rnn-relu-2-layers-last-perclass-head-ce", "lstm-mask-bi-sequence"]) {
    const m = grid.find((k) => k.name === name)!.model;
    grid.push(makeCase(`${name}-B3-T9`, m, [9, 2, 9], seed++), makeCase(`${name}-B1-T1`, m, [1], seed++));
  }
  // the command line's export of a saved model (run in beforeAll)
  const saved = randomModel({ cell: "gru", inputSize: 2, numLayers: 2, bidirectional: true, readout: "sequence",
    initialState: { perClass: 2 } }, 77);
  grid.push(makeCase("cli", saved, [4, 2, 3], 78));
}

beforeAll(async () => {
  const r = lcg(7);
  writeFileSync(join(dir, "cli.safetensors"), grid[grid.length - 1].model.save());
  const out = spawnSync(process.execPath, [cli, "export", "--to", "onnx", "--model", join(dir, "cli.safetensors"),
    "--out", join(dir, "cli-out.onnx")], { encoding: "utf8" });
  expect(out.status, out.stderr).toBe(0);
  expect(out.stdout).toMatch(/^wrote .*cli-out\.onnx\n$/);

  const run = grid.map((k) =>
    writeCase(k, k.name === "cli" ? readFileSync(join(dir, "cli-out.onnx")) : k.model.toONNX())
  );
  const parse = [...grid.map((k) => ({ name: k.name, model: join(dir, `${k.name}.onnx`), check: true })),
    ...Array.from({ length: 20 }, (_, i) => {
      const g = randomGraph(r, i),
        info = { irVersion: 7, opset: 14, producerName: "fuzz", docString: "",
          metadata: [["k", "ü"]] as [string, string][] };
      graphs.push(g);
      const model = join(dir, `graph-${i}.onnx`);
      writeFileSync(model, modelProto(g, info));
      const expect = { ...info, nodes: g.nodes,
        initializers: g.initializers.map((t) => ({ ...t, data: Array.from(t.data) })), inputs: g.inputs,
        outputs: g.outputs };
      return { name: `graph-${i}`, model, expect };
    })];
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ run, parse }));
  const py = JSON.parse(
    execFileSync("python3", [join(tools, "run_onnx.py"), join(dir, "manifest.json")], { encoding: "utf8",
      timeout: 300_000, maxBuffer: 1 << 26 }),
  );
  versions = py.versions;
  Object.assign(parsed, py.parse);
  for (const [n, v] of Object.entries(py.run)) results[`ort:${n}`] = v;

  if (!existsSync(join(tools, "node_modules/onnxruntime-web"))) {
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: tools, stdio: "pipe",
      timeout: 300_000 });
  }
  const web = run.map((c) => ({ ...c, output: c.output.replace(/\.y\.bin$/, ".web.bin") }));
  writeFileSync(join(dir, "manifest-web.json"), JSON.stringify({ run: web }));
  const w = JSON.parse(
    execFileSync(process.execPath, [join(tools, "run-web.mjs"), join(dir, "manifest-web.json")], { cwd: tools,
      encoding: "utf8", timeout: 300_000, maxBuffer: 1 << 26 }),
  );
  Object.assign(versions, w.versions);
  for (const [n, v] of Object.entries(w.run)) results[`web:${n}`] = v;
}, 900_000);

function compare(runtime: "ort" | "web", k: Case) {
  const res = results[`${runtime}:${k.name}`];
  expect(res, `${runtime} ran ${k.name}`).toBeDefined();
  expect(res.error, res.trace ?? "").toBeUndefined();
  const want = expected(k);
  expect(res.shape).toEqual(want.shape);
  const b = readFileSync(join(dir, `${k.name}.${runtime === "ort" ? "y" : "web"}.bin`));
  const got = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  expect(got.length).toBe(want.y.length);
  let max = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - want.y[i]);
    if (!(d <= TOL)) {
      expect.fail(`${runtime} ${k.name}: y[${i}] = ${got[i]}, predict() ${want.y[i]} (tolerance ${TOL})`);
    }
    max = Math.max(max, d);
  }
  maxDiff[runtime] = Math.max(maxDiff[runtime], max);
  if (want.shape.length === 3) {
    // exactly zero past each length, as predict() has no value there
    const [B, T, O] = want.shape;
    for (let b2 = 0; b2 < B; b2++) {
      for (let i = k.lengths[b2] * O; i < T * O; i++) expect(got[b2 * T * O + i], `${k.name} padding`).toBe(0);
    }
  }
  return max;
}

describe("exported models run in onnxruntime (Python) as predict() runs", () => {
  it("the runtimes are the ones the test means", () => {
    expect(versions.onnxruntime).toMatch(/^\d+\.\d+/);
    expect(versions["onnxruntime-web"]).toBe("1.30.0");
  });
  it.each(grid.map((k) => [k.name, k] as const))("%s: equal to predict() within 1e-5", (_, k) => {
    compare("ort", k);
  });
});

describe("exported models run in onnxruntime-web (wasm backend) as predict() runs", () => {
  it.each(grid.map((k) => [k.name, k] as const))("%s: equal to predict() within 1e-5", (_, k) => {
    compare("web", k);
  });
});

describe("the writer round-trips through onnx's parser", () => {
  it("every exported model: parsed and written back byte for byte, check_model(full_check) accepts it", () => {
    expect(Object.keys(parsed).length).toBe(grid.length + 20);
    for (const k of grid) {
      expect(parsed[k.name].error, k.name).toBeUndefined();
      // metadata_props: the config (a Model built from it has the same settings) and the vocabulary
      const meta = parsed[k.name].metadata, again = new Model(JSON.parse(meta["recurrent-wasm.config"]));
      expect(again.config, k.name).toEqual(k.model.config);
      again.dispose();
      const v = k.model.vocabulary;
      expect(meta["recurrent-wasm.vocabulary"], k.name).toBe(v ? JSON.stringify(v.toJSON()) : undefined);
    }
    expect(grid.filter((k) => k.model.vocabulary).length).toBe(6);
  });
  it("random graphs of every attribute and tensor type: bytes and values as written", () => {
    for (let i = 0; i < 20; i++) {
      expect(parsed[`graph-${i}`], `graph-${i}: ${JSON.stringify(graphs[i]).slice(0, 300)}`).toEqual({});
    }
  });
});

describe("bad input", () => {
  const cfg = { inputSize: 2, hiddenSize: 3, outputSize: 1 };
  it("a disposed model throws, naming the call", () => {
    const m = new Model({ ...cfg, cell: "gru" });
    m.dispose();
    expect(() => m.toONNX()).toThrow("Model.toONNX: the module was disposed (its memory is freed); create a new one");
  });
  it("the ODE-RNN is a TypeError saying why; the model stays usable", () => {
    const x = [Float32Array.of(1, 2, 3, 4)], times = [Float64Array.of(0, 1)];
    const m = new Model({ ...cfg, cell: "odegru", ode: { method: "euler" } });
    const before = m.predict(x, { times });
    expect(() => m.toONNX()).toThrow(TypeError);
    expect(() => m.toONNX()).toThrow(
      'Model.toONNX: cell "odegru" (the ODE-RNN) has no ONNX operator: its ODE solve between steps cannot be written as RNN, LSTM or GRU nodes (export a cell "rnn", "lstm" or "gru" model)',
    );
    expect(m.predict(x, { times })).toEqual(before);
    m.dispose();
  });
});

describe("the command line", () => {
  const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: dir });
  const userError = (r: ReturnType<typeof run>, message: string) => {
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`recurrent-wasm: ${message}\n`);
  };
  it("writes the same bytes as toONNX() of the loaded model", () => {
    const m = Model.load(readFileSync(join(dir, "cli.safetensors")));
    expect(readFileSync(join(dir, "cli-out.onnx"))).toEqual(Buffer.from(m.toONNX()));
    m.dispose();
  });
  it("errors: no --to, an unknown format, no --model, an existing --out, an ODE-RNN model, not a model file", () => {
    userError(run(["export", "--model", "m.safetensors"]), "export needs --to FORMAT (pytorch, onnx)");
    userError(run(["export", "--to", "onx", "--model", "m.safetensors"]),
      '--to must be pytorch or onnx, got "onx"; did you mean onnx?');
    userError(run(["export", "--to", "onnx", "--out", "a.onnx"]),
      "export needs --model FILE (a model saved by train or Model.save)");
    userError(run(["export", "--to", "onnx", "--model", "cli.safetensors", "--out", "cli-out.onnx"]),
      "cli-out.onnx exists; use --force to replace it (or another --out)");
    userError(run(["export", "--to", "onnx", "--model", "cli.safetensors", "--out", "."]),
      "--out . exists and is not a file");
    const ode = new Model({ cell: "odegru", inputSize: 1, hiddenSize: 2, outputSize: 1 });
    writeFileSync(join(dir, "ode.safetensors"), ode.save());
    ode.dispose();
    const r = run(["export", "--to", "onnx", "--model", "ode.safetensors", "--out", "ode.onnx"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^recurrent-wasm: Model\.toONNX: cell "odegru" \(the ODE-RNN\) has no ONNX operator/);
    expect(existsSync(join(dir, "ode.onnx"))).toBe(false);
    writeFileSync(join(dir, "junk.safetensors"), "not a model");
    expect(run(["export", "--to", "onnx", "--model", "junk.safetensors", "--out", "j.onnx"]).stderr).toMatch(
      /^recurrent-wasm: junk\.safetensors is not a model file: /,
    );
  });
  it("--help shows the usage; --force replaces the file", () => {
    expect(run(["export", "--help"]).stdout).toContain("onnx: one ONNX model (opset 14;");
    const r = run(["export", "--to", "onnx", "--model", "cli.safetensors", "--out", "cli-out.onnx", "--force"]);
    expect(r.status, r.stderr).toBe(0);
  });
});

describe("docs/scale.md, ## Serve at scale: ONNX Runtime", () => {
  it("its samples run as written: the model's predict() (JavaScript) equals onnxruntime's y (Python) within 1e-5", () => {
    const md = readFileSync(join(root, "docs/scale.md"), "utf8");
    const start = md.indexOf("## Serve at scale: ONNX Runtime"), end = md.indexOf("\n## ", start + 1);
    const section = md.slice(start, end < 0 ? undefined : end);
    const block = (lang: string) => {
      const m = section.match(new RegExp("```" + lang + "\\n([\\s\\S]*?)```"));
      expect(m, `a ${lang} block`).not.toBeNull();
      return m![1];
    };
    const work = join(dir, "docs");
    mkdirSync(join(work, "node_modules"), { recursive: true });
    symlinkSync(root, join(work, "node_modules/recurrent-wasm"));
    writeFileSync(join(work, "sample.mjs"), block("js"));
    writeFileSync(join(work, "sample.py"), block("python"));
    const js = spawnSync(process.execPath, ["sample.mjs"], { cwd: work, encoding: "utf8", timeout: 60_000 });
    expect(js.status, js.stderr).toBe(0);
    const sh = block("sh").trim().replace(/^npx recurrent-wasm /, `"${process.execPath}" "${cli}" `);
    const cmd = spawnSync("sh", ["-c", sh], { cwd: work, encoding: "utf8", timeout: 60_000 });
    expect(cmd.status, cmd.stderr).toBe(0);
    const py = spawnSync("python3", ["sample.py"], { cwd: work, encoding: "utf8", timeout: 60_000 });
    expect(py.status, py.stderr).toBe(0);
    const want = JSON.parse(js.stdout.trim()), got = JSON.parse(py.stdout.trim());
    expect(got.length).toBe(2);
    for (let i = 0; i < 2; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(TOL);
  });
});
