// model.toPyTorch() against PyTorch itself: for a grid of configs (every cell, the GRU with the reset
// gate before the recurrent product, 1–2 layers, bidirectional, variable lengths, learned and
// per-class initial states, token inputs, inputMask and timeGap, heads, readout "last" and
// "sequence", both losses, step weights) the exported module's predictions equal predict() to 1e-5
// and its loss and autograd gradients equal computeGradients() to 1e-5 and 1e-4; one Adam step in
// PyTorch, save(), and Model.load() gives back the module's weights bit for bit and its
// predictions; dropout is PyTorch's train()/eval(); the module also runs under Debian's torch 1.13
// (/usr/bin/python3).
// One python3 process (test/integration/pytorch/check_export.py) runs the whole grid.
// Needs torch and safetensors for python3 (test/requirements.txt, installed by .ci/run) and
// python3-torch for /usr/bin/python3 (.ci/run installs it with apt).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init, Model, Vocabulary } from "../../dist/index.js";
import type { ModelConfig, SequenceData } from "../../dist/index.js";
import { expectClose, lcg } from "../helpers/index.js";

const scripts = fileURLToPath(new URL("./pytorch/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "rw-pytorch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  name: string;
  config: ModelConfig;
  /** data.weights for readout "sequence" (some steps weight 0). */
  weights?: boolean;
  /** one Adam step in PyTorch, save(), Model.load(). */
  roundtrip?: boolean;
  /** dropout rates: compare eval() only, and check train() draws masks. */
  dropout?: boolean;
}

const I = 3, H = 4, V = 7, E = 3;
const GRID: Case[] = [{ name: "rnn tanh, last, mse",
  config: { cell: "rnn", inputSize: I, hiddenSize: H, outputSize: 2 } }, {
  name: "rnn relu, 2 layers, bidirectional, sequence, weights",
  weights: true,
  config: { cell: "rnn", nonlinearity: "relu", inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true,
    outputSize: 2, readout: "sequence" },
}, { name: "rnn linear, bidirectional, last, learned h0",
  config: { cell: "rnn", nonlinearity: "linear", inputSize: I, hiddenSize: H, bidirectional: true, outputSize: 2,
    initialState: "learned" } }, { name: "lstm, 2 layers, bidirectional, last, crossentropy, learned h0 and c0",
  roundtrip: true,
  config: { cell: "lstm", inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, outputSize: 3,
    loss: "crossentropy", initialState: "learned" } }, { name: "lstm, sequence, per-class h0 and c0",
  config: { cell: "lstm", inputSize: I, hiddenSize: H, outputSize: 2, readout: "sequence",
    initialState: { perClass: 3 } } }, { name: "lstm tokens, bidirectional, last, head",
  config: { cell: "lstm", vocabSize: V, embeddingSize: E, hiddenSize: H, bidirectional: true, outputSize: 2,
    head: { hidden: [5] } } }, { name: "gru, last, tokens, head relu, per-class h0", roundtrip: true,
  config: { cell: "gru", vocabSize: V, embeddingSize: E, hiddenSize: H, outputSize: 2, head: { hidden: [5] },
    initialState: { perClass: 2 } } }, { name: "gru, 2 layers, bidirectional, sequence, crossentropy, head tanh",
  weights: true,
  config: { cell: "gru", inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, outputSize: 3,
    readout: "sequence", loss: "crossentropy", head: { hidden: [4, 3], activation: "tanh" } } }, {
  name: "gru resetAfter false, last, learned h0",
  config: { cell: "gru", resetAfter: false, inputSize: I, hiddenSize: H, outputSize: 2, initialState: "learned" },
}, { name: "gru resetAfter false, 2 layers, bidirectional, sequence, tokens, per-class h0", roundtrip: true,
  config: { cell: "gru", resetAfter: false, vocabSize: V, embeddingSize: E, hiddenSize: H, numLayers: 2,
    bidirectional: true, outputSize: 2, readout: "sequence", initialState: { perClass: 3 } } }, {
  name: "gru resetAfter false, 2 layers, last, crossentropy, head",
  config: { cell: "gru", resetAfter: false, inputSize: I, hiddenSize: H, numLayers: 2, outputSize: 3,
    loss: "crossentropy", head: { hidden: [6] } },
}, { name: "rnn tokens, 2 layers, sequence, crossentropy, weights", weights: true,
  config: { cell: "rnn", vocabSize: V, embeddingSize: E, hiddenSize: H, numLayers: 2, outputSize: 3,
    readout: "sequence", loss: "crossentropy" } }, { name: "lstm timeGap, bidirectional, last",
  config: { cell: "lstm", inputSize: I, hiddenSize: H, bidirectional: true, outputSize: 2, timeGap: true } }, {
  name: "gru inputMask and timeGap, 2 layers, sequence, learned h0",
  config: { cell: "gru", inputSize: I, hiddenSize: H, numLayers: 2, outputSize: 2, readout: "sequence", inputMask: true,
    timeGap: true, initialState: "learned" },
}, { name: "gru resetAfter false, inputMask, last, crossentropy",
  config: { cell: "gru", resetAfter: false, inputSize: I, hiddenSize: H, outputSize: 3, loss: "crossentropy",
    inputMask: true } }, { name: "lstm dropout, 2 layers", dropout: true,
  config: { cell: "lstm", inputSize: I, hiddenSize: H, numLayers: 2, outputSize: 2, dropout: 0.3, inputDropout: 0.2,
    readoutDropout: 0.25 } }, { name: "gru resetAfter false dropout, 2 layers, sequence", dropout: true,
  config: { cell: "gru", resetAfter: false, inputSize: I, hiddenSize: H, numLayers: 2, outputSize: 2,
    readout: "sequence", dropout: 0.3, inputDropout: 0.2, readoutDropout: 0.25 } }];

/** Lengths of the batch: the longest first and last, one of a single step. */
const LENGTHS = [6, 3, 1, 5, 6];
const T = 6;

interface Built {
  c: Case;
  dir: string;
  data: SequenceData;
  lengths: number[];
  pred: Float32Array | Float32Array[];
  loss: number;
  grads: Record<string, Float32Array>;
  /** The file's __metadata__.config. */
  config: string;
}

function build(c: Case, i: number): Built {
  const rnd = lcg(1000 + i), m = new Model<"last" | "sequence">({ seed: 7 + i, ...c.config });
  try {
    const cfg = m.config, tokens = cfg.vocabSize !== undefined, O = cfg.outputSize, ce = cfg.loss === "crossentropy";
    // learned states start at zero: values of their own make their use visible
    const sd = m.stateDict();
    for (const k of ["h0", "c0"]) if (sd[k]) sd[k] = sd[k].map(() => rnd());
    m.loadStateDict(sd);
    // a token model's vocabulary travels in the file's metadata, through PyTorch and back
    if (tokens) m.vocabulary = Vocabulary.fromTokens(["a", "b", "c", "d", "é", "<end>", "<start>"]);
    const x = LENGTHS.map((n) =>
      tokens
        ? Int32Array.from({ length: n }, () => Math.floor((rnd() + 0.5) * V) % V)
        : Float32Array.from({ length: n * I }, () => 2 * rnd())
    ) as Float32Array[] | Int32Array[];
    const data: SequenceData = { x };
    // missing features hold values the mask must keep out; times with gaps of their own, repeats too
    if (cfg.inputMask) {
      data.mask = LENGTHS.map((n, b) =>
        Float32Array.from({ length: n * I }, (_, k) => ((k + b) % 4 === 1 || (b === 0 && k < 2 * I) ? 0 : 1))
      );
      data.mask.forEach((m, b) => m.forEach((v, k) => (v === 0 ? ((x[b] as Float32Array)[k] = 50) : 0)));
    }
    if (cfg.timeGap) {
      data.times = LENGTHS.map((n) => {
        let t = 0.25;
        return Float64Array.from({ length: n }, (_, k) => (t += k === 2 ? 0 : 0.1 + rnd() + 0.5));
      });
    }
    if (typeof cfg.initialState === "object") {
      data.classes = Int32Array.from(LENGTHS, (_, b) => b % (cfg.initialState as { perClass: number }).perClass);
    }
    const cls = () => Math.floor((rnd() + 0.5) * O) % O;
    if (cfg.readout === "last") {
      data.y = ce ? Int32Array.from(LENGTHS, cls) : Float32Array.from({ length: LENGTHS.length * O }, () => rnd());
    } else {
      data.y = (ce
        ? LENGTHS.map((n) => Int32Array.from({ length: n }, cls))
        : LENGTHS.map((n) => Float32Array.from({ length: n * O }, () => rnd()))) as Float32Array[] | Int32Array[];
      if (c.weights) {
        data.weights = LENGTHS.map((n) => Float32Array.from({ length: n }, (_, t) => (t % 3 === 1 ? 0 : 1 + rnd())));
      }
    }
    const pred = m.predict(x, predictOptions(data));
    const loss = c.dropout ? NaN : m.computeGradients(data);
    const grads = m.grads();
    const files = m.toPyTorch(), d = join(dir, `case${i}`);
    mkdirSync(d);
    writeFileSync(join(d, "model.py"), files["model.py"]);
    writeFileSync(join(d, "model.safetensors"), files["model.safetensors"]);
    return { c, dir: d, data, lengths: LENGTHS, pred, loss, grads, config: configOf(files["model.safetensors"]) };
  } finally {
    m.dispose();
  }
}

/** predict()'s options for the data's classes, mask and times. */
function predictOptions(d: SequenceData): { classes?: Int32Array; mask?: Float32Array[]; times?: Float64Array[] } {
  return { ...(d.classes ? { classes: d.classes } : {}), ...(d.mask ? { mask: d.mask } : {}),
    ...(d.times ? { times: d.times } : {}) };
}

/** __metadata__.config of a model file. */
function configOf(bytes: Uint8Array): string {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))).__metadata__.config;
}

/** A batch padded to T steps, as nested arrays: [B, T, w] (w = 0: [B, T]). */
function padded(seqs: ArrayLike<number>[], w: number, fill = 0): unknown[] {
  return seqs.map((s) =>
    Array.from({ length: T }, (_, t) =>
      w === 0
        ? (t < s.length ? s[t] : fill)
        : Array.from({ length: w }, (_, j) => (t * w < s.length ? s[t * w + j] : fill)))
  );
}

function manifestEntry(b: Built): Record<string, unknown> {
  const { c, data } = b, tokens = c.config.vocabSize !== undefined, O = c.config.outputSize;
  const ce = c.config.loss === "crossentropy", seq = c.config.readout === "sequence";
  const e: Record<string, unknown> = { name: c.name, dir: b.dir, lengths: b.lengths, x: padded(data.x, tokens ? 0 : I),
    dropout: !!c.dropout, roundtrip: !!c.roundtrip };
  if (data.classes) e.classes = Array.from(data.classes);
  if (seq) e.y = padded(data.y as ArrayLike<number>[], ce ? 0 : O, ce ? -1 : 0);
  else {
    e.y = ce
      ? Array.from(data.y as Int32Array)
      : Array.from({ length: b.lengths.length },
        (_, r) => Array.from((data.y as Float32Array).subarray(r * O, r * O + O)));
  }
  if (data.weights) e.weights = padded(data.weights, 0);
  if (data.mask) e.mask = padded(data.mask, I);
  if (data.times) e.times = padded(data.times, 0);
  return e;
}

/** predict()'s values as the module returns them: [B, O], or [B, T, O] with zeros past each length. */
function paddedPrediction(b: Built, O: number): Float32Array {
  if (!Array.isArray(b.pred)) return b.pred;
  const out = new Float32Array(b.pred.length * T * O);
  b.pred.forEach((p, i) => out.set(p, i * T * O));
  return out;
}

interface PyOut {
  version: string;
  pred: number[];
  loss?: number;
  grads?: Record<string, number[]>;
  train?: number[][];
  rates?: (number | null)[];
  after?: { pred: number[]; state: Record<string, number[]> };
}

let built: Built[] = [];
const maxDiff = { pred: 0, grad: 0, loss: 0 };
let py: Record<string, PyOut> = {};

beforeAll(async () => {
  await init();
  built = GRID.map(build);
  const manifest = join(dir, "manifest.json");
  writeFileSync(manifest, JSON.stringify(built.map(manifestEntry)));
  const r = spawnSync("python3", [join(scripts, "check_export.py"), manifest], { encoding: "utf8", timeout: 120_000,
    maxBuffer: 64 << 20 });
  expect(r.error, r.stderr).toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  py = JSON.parse(r.stdout);
});

describe("model.toPyTorch(): the exported module against predict() and computeGradients()", () => {
  GRID.forEach((c, i) => {
    it(c.name, () => {
      const b = built[i], p = py[c.name], O = c.config.outputSize;
      expect(p, `python3 printed no result for ${c.name}`).toBeDefined();
      const dp = expectClose(`${c.name}: predictions`, p.pred, paddedPrediction(b, O), 1e-5, 0);
      maxDiff.pred = Math.max(maxDiff.pred, dp);
      if (c.dropout) {
        // train() draws fresh masks each call (two draws differ, and differ from eval()); the rates are the config's
        expect(p.rates).toEqual([c.config.inputDropout, c.config.dropout, c.config.readoutDropout]);
        const [a, z] = p.train!,
          d = (u: number[], v: ArrayLike<number>) => Math.max(...u.map((x, j) => Math.abs(x - v[j])));
        expect(d(a, z)).toBeGreaterThan(1e-3);
        expect(d(a, p.pred)).toBeGreaterThan(1e-3);
        return;
      }
      expect(Math.abs(p.loss! - b.loss), `${c.name}: loss ${p.loss} vs ${b.loss}`).toBeLessThanOrEqual(1e-5);
      maxDiff.loss = Math.max(maxDiff.loss, Math.abs(p.loss! - b.loss));
      expect(Object.keys(p.grads!).sort()).toEqual(Object.keys(b.grads).sort());
      let nonzero = 0;
      for (const [k, g] of Object.entries(b.grads)) {
        maxDiff.grad = Math.max(maxDiff.grad, expectClose(`${c.name}: ∂loss/∂${k}`, p.grads![k], g, 1e-4, 0));
        nonzero += g.some((v) => v !== 0) ? 1 : 0;
      }
      // every parameter takes part (a per-class table: the rows the batch picks)
      expect(nonzero).toBe(Object.keys(b.grads).length);
      if (!c.roundtrip) return;
      // one Adam step in PyTorch, save(), Model.load(): the module's weights bit for bit, its predictions
      const file = readFileSync(join(b.dir, "trained.safetensors"));
      const m = Model.load(new Uint8Array(file.buffer, file.byteOffset, file.byteLength));
      try {
        expect(m.metadata.trainedBy).toBe("pytorch");
        if (c.config.vocabSize) expect(m.vocabulary?.tokens).toEqual(["a", "b", "c", "d", "é", "<end>", "<start>"]);
        expect(m.metadata.config).toBe(b.config);
        const sd = m.stateDict();
        expect(Object.keys(sd).sort()).toEqual(Object.keys(p.after!.state).sort());
        for (const [k, v] of Object.entries(p.after!.state)) expect(sd[k], k).toEqual(Float32Array.from(v));
        const again = m.predict(b.data.x, predictOptions(b.data));
        const mine = paddedPrediction({ ...b, pred: again }, O);
        expectClose(`${c.name}: predictions after the step`, p.after!.pred, mine, 1e-5, 0);
        const moved = Math.max(...mine.map((v, j) => Math.abs(v - paddedPrediction(b, O)[j])));
        expect(moved, "the step changed the predictions").toBeGreaterThan(1e-3);
      } finally {
        m.dispose();
      }
    });
  });

  it("the largest differences over the grid are far inside the tolerances", () => {
    console.log(
      `toPyTorch grid (torch ${
        Object.values(py)[0]?.version
      }): max |Δ| predictions ${maxDiff.pred}, loss ${maxDiff.loss}, gradients ${maxDiff.grad}`,
    );
    expect(maxDiff.pred).toBeGreaterThan(0); // the grid ran
  });
});

describe("model.py under Debian's torch 1.13 (/usr/bin/python3, without the safetensors package)", () => {
  it("imports, runs forward and backward, and predicts what predict() does", () => {
    const cases = built.filter((b) => !b.c.dropout), manifest = join(dir, "manifest-old.json");
    writeFileSync(manifest, JSON.stringify(cases.map(manifestEntry)));
    const r = spawnSync("/usr/bin/python3", [join(scripts, "check_old_torch.py"), manifest], { encoding: "utf8",
      timeout: 120_000, maxBuffer: 64 << 20 });
    expect(r.error, r.stderr).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { version: string; pred: Record<string, number[]> };
    expect(out.version).toMatch(/^1\.13\./);
    for (const b of cases) {
      expectClose(`torch ${out.version}, ${b.c.name}: predictions`, out.pred[b.c.name],
        paddedPrediction(b, b.c.config.outputSize), 1e-5, 0);
    }
  });
});

describe("model.toPyTorch(): refusals", () => {
  it("a disposed model throws; the ODE-RNN is refused by name", () => {
    const m = new Model({ inputSize: 2, hiddenSize: 3, outputSize: 1 });
    m.dispose();
    expect(() => m.toPyTorch()).toThrow(
      "Model.toPyTorch: the module was disposed (its memory is freed); create a new one",
    );
    const ode = new Model({ cell: "odegru", inputSize: 2, hiddenSize: 3, outputSize: 1, ode: {} });
    try {
      expect(() => ode.toPyTorch()).toThrow(
        'Model.toPyTorch: cell "odegru" (the ODE-RNN) has no PyTorch export: its adaptive ODE solver is not written for PyTorch; cells rnn, lstm and gru export',
      );
    } finally {
      ode.dispose();
    }
  });
});

describe("recurrent-wasm export --to pytorch", () => {
  const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
  const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: dir });
  /** One line on stderr, exit 2. */
  const userError = (r: ReturnType<typeof run>, message: string) => {
    expect(r.stderr).toBe(`recurrent-wasm: ${message}\n`);
    expect(r.status).toBe(2);
  };

  it("writes what model.toPyTorch() returns for the model file; --force replaces; errors name the option", () => {
    const m = new Model({ cell: "gru", inputSize: 2, hiddenSize: 3, outputSize: 1, seed: 3 });
    const file = join(dir, "cli.safetensors"), out = join(dir, "cli-out");
    let want: ReturnType<typeof m.toPyTorch>;
    try {
      writeFileSync(file, m.save({ note: "kept" }));
      const back = Model.load(readFileSync(file));
      want = back.toPyTorch();
      back.dispose();
    } finally {
      m.dispose();
    }
    const r = run(["export", "--to", "pytorch", "--model", file, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`wrote ${join(out, "model.py")}, ${join(out, "model.safetensors")}\n`);
    expect(readFileSync(join(out, "model.py"), "utf8")).toBe(want["model.py"]);
    expect(new Uint8Array(readFileSync(join(out, "model.safetensors")))).toEqual(want["model.safetensors"]);
    const again = Model.load(readFileSync(join(out, "model.safetensors")));
    expect(again.metadata.note).toBe("kept");
    again.dispose();
    userError(run(["export", "--to", "pytorch", "--model", file, "--out", out]),
      `${join(out, "model.py")} exists; use --force to replace it (or another --out)`);
    expect(run(["export", "--to", "pytorch", "--model", file, "--out", out, "--force"]).status).toBe(0);
    userError(run(["export", "--model", file, "--out", out]), "export needs --to FORMAT (pytorch, onnx)");
    userError(run(["export", "--to", "pytroch", "--model", file, "--out", out]),
      '--to must be pytorch or onnx, got "pytroch"; did you mean pytorch?');
    userError(run(["export", "--to", "pytorch", "--out", out]),
      "export needs --model FILE (a model saved by train or Model.save)");
    userError(run(["export", "--to", "pytorch", "--model", file]),
      "export needs --out DIR (the folder to write the files into)");
    userError(run(["export", "--to", "pytorch", "--model", join(dir, "none"), "--out", out]),
      `cannot read --model ${join(dir, "none")}: ENOENT`);
    userError(run(["export", "--to", "pytorch", "--model", file, "--out", file]),
      `--out ${file} exists and is not a folder`);
    const ode = new Model({ cell: "odegru", inputSize: 2, hiddenSize: 3, outputSize: 1, ode: {} }),
      f2 = join(dir, "ode.st");
    writeFileSync(f2, ode.save());
    ode.dispose();
    const r2 = run(["export", "--to", "pytorch", "--model", f2, "--out", join(dir, "ode-out")]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/^recurrent-wasm: Model\.toPyTorch: cell "odegru" \(the ODE-RNN\) has no PyTorch export/);
    writeFileSync(f2, "not a model");
    expect(run(["export", "--to", "pytorch", "--model", f2, "--out", join(dir, "ode-out")]).stderr).toMatch(
      new RegExp(`^recurrent-wasm: ${f2.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is not a model file: `),
    );
  });
});
