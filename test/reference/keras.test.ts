// Model.fromKeras against TF.js 4.22 (and Keras 3 for the GRU with reset_after=True, which TF.js
// cannot build): test/fixtures/keras/<case>/ holds what TF.js' model.save() writes (model.json,
// weights.bin) and TF.js' own predictions (expected.json), written by scripts/make-keras-fixtures.mjs
// (scripts/make-keras3-fixtures.py for Keras 3). Each imported model's predict() (the logits, for a
// softmax output) and predictProba() (the softmax output Keras returns) equal them to 1e-5 abs +
// 1e-5 rel. The imported model saves and loads bitwise and trains; bad files are clear errors that
// leave no WebAssembly memory allocated (liveBlocks()).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model } from "../../dist/index.js";
import { liveBlocks } from "../../dist/core.js";
import { expectClose } from "../helpers";

const DIR = new URL("../fixtures/keras/", import.meta.url);
const CASES = readdirSync(DIR).filter((d) => existsSync(new URL(`${d}/model.json`, DIR))).sort();

interface Case {
  text: string;
  bytes: Uint8Array;
  fx: { shape: number[]; x: number[]; lengths: number[]; yShape: number[]; y: number[]; logits?: number[] };
}
function read(name: string): Case {
  return { text: readFileSync(new URL(`${name}/model.json`, DIR), "utf8"),
    bytes: new Uint8Array(readFileSync(new URL(`${name}/weights.bin`, DIR))),
    fx: JSON.parse(readFileSync(new URL(`${name}/expected.json`, DIR), "utf8")) };
}

/** Each sequence of the fixture at its own length: float rows [len, I] or token ids [len]. */
function inputs(fx: Case["fx"]): Float32Array[] | Int32Array[] {
  const [B, T] = fx.shape, I = fx.shape[2] ?? 1;
  const seqs = [];
  for (let b = 0; b < B; b++) {
    const part = fx.x.slice(b * T * I, (b * T + fx.lengths[b]) * I);
    seqs.push(fx.shape.length === 2 ? Int32Array.from(part) : Float32Array.from(part));
  }
  return seqs as Float32Array[] | Int32Array[];
}

/** TF.js' output rows of the steps each sequence has (readout "sequence"), or all of it. */
function wanted(fx: Case["fx"], values: number[]): number[] {
  if (fx.yShape.length === 2) return values;
  const [B, T, O] = fx.yShape, out: number[] = [];
  for (let b = 0; b < B; b++) out.push(...values.slice(b * T * O, (b * T + fx.lengths[b]) * O));
  return out;
}
const flat = (p: Float32Array | Float32Array[]) => Array.isArray(p) ? p.flatMap((a) => Array.from(a)) : Array.from(p);

beforeAll(async () => {
  await init();
});

describe("Model.fromKeras predicts what TF.js predicts", () => {
  it("has every case", () => {
    expect(CASES).toEqual(
      expect.arrayContaining(["simplernn-tanh", "simplernn-relu", "lstm", "gru-reset-before", "gru-reset-after",
        "bidirectional-lstm", "bidirectional-gru", "stacked-lstm", "stacked-simplernn-relu", "embedding-gru",
        "head-softmax", "head-tanh", "sequence-timedistributed", "sequence-bidirectional-stacked-softmax",
        "masking-lstm"]),
    );
  });
  for (const name of CASES) {
    it(name, () => {
      const { text, bytes, fx } = read(name);
      const m = Model.fromKeras(text, bytes);
      try {
        const x = inputs(fx);
        const p = m.predict(x) as Float32Array | Float32Array[];
        if (fx.logits) {
          expect(m.config.loss).toBe("crossentropy");
          expectClose(`${name} logits`, flat(p), wanted(fx, fx.logits), 1e-5, 1e-5);
          expectClose(`${name} predictProba`, flat(m.predictProba(x) as Float32Array | Float32Array[]),
            wanted(fx, fx.y), 1e-5, 1e-5);
        } else {
          expect(m.config.loss).toBe("mse");
          expectClose(`${name} predict`, flat(p), wanted(fx, fx.y), 1e-5, 1e-5);
        }
        expect(m.config.readout).toBe(fx.yShape.length === 3 ? "sequence" : "last");
      } finally {
        m.dispose();
      }
    });
  }
});

describe("an imported model", () => {
  it("maps the layers to the config", () => {
    const cfg = (name: string) => {
      const { text, bytes } = read(name);
      const m = Model.fromKeras(text, bytes), c = m.config;
      m.dispose();
      return c;
    };
    // Dropout(0.1) then SimpleRNN(dropout 0.2): kept by both with probability 0.9 · 0.8
    expect(cfg("dropout-nobias-activation")).toMatchObject({ cell: "rnn", numLayers: 2, inputDropout: 1 - 0.9 * 0.8,
      dropout: 0.3, readoutDropout: 0.25, loss: "crossentropy", outputSize: 3 });
    expect(cfg("head-softmax")).toMatchObject({ cell: "lstm", head: { hidden: [6, 5], activation: "relu" },
      outputSize: 3, loss: "crossentropy", readout: "last" });
    expect(cfg("gru-reset-before")).toMatchObject({ cell: "gru", resetAfter: false, inputSize: 3, hiddenSize: 4 });
    expect(cfg("gru-reset-after")).toMatchObject({ cell: "gru", resetAfter: true });
    expect(cfg("embedding-gru")).toMatchObject({ vocabSize: 7, embeddingSize: 3, outputSize: 7 });
    expect(cfg("simplernn-relu")).toMatchObject({ cell: "rnn", nonlinearity: "relu" });
    expect(cfg("keras3-bidirectional-gru-sequence")).toMatchObject({ bidirectional: true, numLayers: 2,
      readout: "sequence", resetAfter: true });
    expect(cfg("lstm-no-dense")).toMatchObject({ outputSize: 4, loss: "mse", readout: "sequence" });
  });

  it("reads the parsed object and an ArrayBuffer the same", () => {
    const { text, bytes, fx } = read("stacked-lstm");
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const a = Model.fromKeras(text, bytes), b = Model.fromKeras(JSON.parse(text), buf);
    expect(flat(b.predict(inputs(fx)) as Float32Array)).toEqual(flat(a.predict(inputs(fx)) as Float32Array));
    a.dispose();
    b.dispose();
  });

  for (const name of ["embedding-gru", "sequence-bidirectional-stacked-softmax", "gru-reset-after", "head-tanh"]) {
    it(`${name}: saves and loads bitwise, and trains one epoch`, async () => {
      const { text, bytes, fx } = read(name);
      const m = Model.fromKeras(text, bytes);
      const x = inputs(fx);
      const m2 = Model.load(m.save());
      expect(m2.config).toEqual(m.config);
      const sd = m.stateDict(), sd2 = m2.stateDict();
      for (const k of Object.keys(sd)) expect(Array.from(sd2[k]), k).toEqual(Array.from(sd[k]));
      expect(flat(m2.predict(x) as Float32Array)).toEqual(flat(m.predict(x) as Float32Array));
      m2.dispose();
      // targets of the model's kind: class ids (crossentropy) or values (mse), per step or per sequence
      const O = m.config.outputSize, seq = m.config.readout === "sequence", ce = m.config.loss === "crossentropy";
      const y = seq
        ? x.map((s) =>
          ce
            ? Int32Array.from({ length: stepsOf(s, m) }, (_, t) => t % O)
            : Float32Array.from({ length: stepsOf(s, m) * O }, (_, k) => Math.sin(k))
        )
        : ce
        ? Int32Array.from(x, (_, i) => i % O)
        : Float32Array.from({ length: x.length * O }, (_, k) => Math.cos(k));
      const data = { x, y } as any;
      const before = m.evaluate(data).loss;
      const h = await m.fit(data, { epochs: 1, batchSize: 3, learningRate: 0.05, verbose: false });
      expect(Number.isFinite(h.loss[0])).toBe(true);
      expect(m.evaluate(data).loss).toBeLessThan(before);
      m.dispose();
    });
  }
});

/** Steps of a sequence for a model (token ids: its length; rows: length / inputSize). */
function stepsOf(s: Float32Array | Int32Array, m: Model<any>): number {
  return m.config.vocabSize !== undefined ? s.length : s.length / m.config.inputSize;
}

describe("bad Keras files are clear errors and allocate nothing", () => {
  const base = read("stacked-lstm");
  const edit = (f: (j: any) => void) => {
    const j = JSON.parse(base.text);
    f(j);
    return j;
  };
  const layers = (j: any) => j.modelTopology.config.layers;
  const bad: [string, () => unknown, unknown, RegExp][] = [["corrupt JSON", () => base.text.slice(0, 100), base.bytes,
    /modelJson is not valid JSON/], ["not a model.json", () => ({ hello: 1 }), base.bytes,
    /modelJson has no modelTopology object/], ["weightBytes of the wrong type", () => base.text, [1, 2, 3],
    /weightBytes must be a Uint8Array or an ArrayBuffer/], ["a weight missing from the manifest", () =>
    edit((j) => {
      j.weightsManifest[1].weights.splice(1, 1); // lstm_LSTM4/bias
    }), base.bytes.subarray(0, base.bytes.length - 64), /layer "lstm_LSTM4" \(class LSTM\): weight "bias" is missing/],
    ["bytes short of the manifest", () => base.text, base.bytes.subarray(0, base.bytes.length - 4),
      /weightBytes holds \d+ bytes, but weight "dense_Dense7\/bias" \[2\] needs bytes/], ["bytes past the manifest",
    () => base.text, new Uint8Array(base.bytes.length + 8),
    /weightBytes holds \d+ bytes but the manifest's weights take \d+/], ["a weight of the wrong shape",
    () =>
      edit((j) => {
        j.weightsManifest[0].weights[0].shape = [4, 12];
      }), base.bytes, /weight "lstm_LSTM3\/kernel" has shape \[4,12\], expected \[4,16\]|reads 4/], [
    "a weight of another dtype",
    () =>
      edit((j) => {
        j.weightsManifest[0].weights[0].dtype = "int32";
      }),
    base.bytes,
    /weight "lstm_LSTM3\/kernel" has dtype "int32"; expected "float32"/,
  ], ["an unknown layer class", () =>
    edit((j) => {
      layers(j).splice(1, 0, { class_name: "Conv1D",
        config: { name: "conv1d_Conv1D1", filters: 4, kernel_size: [3] } });
    }), base.bytes,
    /layer "conv1d_Conv1D1" \(class Conv1D\): this layer class is not supported; supported: InputLayer/], [
    "Bidirectional merge_mode sum",
    () => {
      const j = JSON.parse(read("bidirectional-lstm").text);
      layers(j)[0].config.merge_mode = "sum";
      return j;
    },
    read("bidirectional-lstm").bytes,
    /layer "bidirectional_Bidirectional1" \(class Bidirectional\): merge_mode "sum" is not supported \(only "concat"/,
  ], ["hard_sigmoid gates", () =>
    edit((j) => {
      layers(j)[1].config.recurrent_activation = "hard_sigmoid";
    }), base.bytes, /layer "lstm_LSTM4" \(class LSTM\): recurrent_activation "hard_sigmoid" is not supported/], [
    "stateful",
    () =>
      edit((j) => {
        layers(j)[0].config.stateful = true;
      }),
    base.bytes,
    /layer "lstm_LSTM3" \(class LSTM\): stateful true is not supported/,
  ], ["go_backwards alone", () =>
    edit((j) => {
      layers(j)[0].config.go_backwards = true;
    }), base.bytes, /layer "lstm_LSTM3" \(class LSTM\): go_backwards true outside a Bidirectional/], [
    "stacked layers of different units",
    () =>
      edit((j) => {
        layers(j)[1].config.units = 5;
      }),
    base.bytes,
    /layer "lstm_LSTM4" \(class LSTM\): units 5 differs from the first recurrent layer's 4/,
  ], ["a sigmoid output", () =>
    edit((j) => {
      layers(j)[2].config.activation = "sigmoid";
    }), base.bytes, /layer "dense_Dense7" \(class Dense\): activation "sigmoid" on the output layer is not supported/]];
  for (const [what, json, bytes, message] of bad) {
    it(what, () => {
      const blocks = liveBlocks();
      expect(() => Model.fromKeras(json() as any, bytes as any)).toThrow(message);
      expect(liveBlocks()).toEqual(blocks);
    });
  }
});
