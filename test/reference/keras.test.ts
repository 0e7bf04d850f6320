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
    expect(CASES.length).toBe(20);
    expect(CASES).toEqual(
      expect.arrayContaining(["simplernn-tanh", "simplernn-relu", "lstm", "gru-reset-before", "gru-reset-after",
        "bidirectional-lstm", "bidirectional-gru", "stacked-lstm", "stacked-simplernn-relu", "embedding-gru",
        "head-softmax", "head-tanh", "sequence-timedistributed", "sequence-bidirectional-stacked-softmax",
        "masking-lstm", "keras3-bidirectional-gru-sequence", "embedding-maskzero-lstm", "dropout-nobias-activation",
        "lstm-no-dense", "masking-bidirectional-gru"]),
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

  it("a GRU config without reset_after takes it from the bias's shape", () => {
    for (const name of ["gru-reset-after", "gru-reset-before", "keras3-bidirectional-gru-sequence"]) {
      const { text, bytes, fx } = read(name);
      const j = JSON.parse(text);
      const strip = (v: any): void => {
        if (Array.isArray(v)) v.forEach(strip);
        else if (v && typeof v === "object") {
          delete v.reset_after;
          Object.values(v).forEach(strip);
        }
      };
      strip(j.modelTopology);
      expect(JSON.stringify(j)).not.toContain("reset_after");
      const a = Model.fromKeras(text, bytes), b = Model.fromKeras(j, bytes);
      expect(b.config.resetAfter, name).toBe(a.config.resetAfter);
      expect(flat(b.predict(inputs(fx)) as Float32Array), name).toEqual(flat(a.predict(inputs(fx)) as Float32Array));
      a.dispose();
      b.dispose();
    }
  });

  it("takes the weights as one buffer or one per path of the manifest", () => {
    const { text, bytes, fx } = read("stacked-lstm");
    const j = JSON.parse(text);
    expect(j.weightsManifest.map((g: any) => g.paths.length)).toEqual([1, 1]);
    // the first group's bytes: its weights' sizes
    const n0 = j.weightsManifest[0].weights.reduce(
      (a: number, w: any) => a + 4 * w.shape.reduce((p: number, d: number) => p * d, 1),
      0,
    );
    const files = [bytes.slice(0, n0), bytes.slice(n0).buffer];
    const a = Model.fromKeras(text, bytes), b = Model.fromKeras(text, files);
    expect(flat(b.predict(inputs(fx)) as Float32Array)).toEqual(flat(a.predict(inputs(fx)) as Float32Array));
    a.dispose();
    b.dispose();
    const blocks = liveBlocks();
    expect(() => Model.fromKeras(text, [bytes])).toThrow(
      "Model.fromKeras: weightBytes is an array of 1 buffers, but weightsManifest names 2 files; give one per path, in the manifest's order",
    );
    expect(() => Model.fromKeras(text, [files[1], files[0]])).toThrow(
      'Model.fromKeras: weightsManifest[0] ("group1-shard1of1.bin") has weights of 768 bytes, but its files in weightBytes hold 360',
    );
    expect(liveBlocks()).toEqual(blocks);
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
  ], ["recurrent_dropout", () =>
    edit((j) => {
      layers(j)[0].config.recurrent_dropout = 0.2;
    }), base.bytes, /layer "lstm_LSTM3" \(class LSTM\): recurrent_dropout 0.2 is not supported/], ["return_state",
    () =>
      edit((j) => {
        layers(j)[1].config.return_state = true;
      }), base.bytes, /layer "lstm_LSTM4" \(class LSTM\): return_state true is not supported/], ["a quantized weight",
    () =>
      edit((j) => {
        j.weightsManifest[0].weights[0].quantization = { dtype: "uint8", min: 0, scale: 1 };
      }), base.bytes, /weight "lstm_LSTM3\/kernel" is quantized; save the model without quantization/], [
    "a weight left over",
    () =>
      edit((j) => {
        j.weightsManifest.push({ paths: ["x.bin"], weights: [{ name: "extra/kernel", shape: [1], dtype: "float32" }] });
      }),
    Uint8Array.from([...base.bytes, 0, 0, 0, 0]),
    /weight "extra\/kernel" \[1\] belongs to no layer that was read/,
  ], ["no weightsManifest", () =>
    edit((j) => {
      delete j.weightsManifest;
    }), base.bytes, /modelJson.weightsManifest must be an array of weight groups, got undefined/], ["a graph model",
    () =>
      edit((j) => {
        j.format = "graph-model";
      }), base.bytes, /modelJson's format is "graph-model"; only "layers-model"/], [
    "a Dense before the recurrent layers",
    () =>
      edit((j) => {
        layers(j).unshift({ class_name: "Dense", config: { name: "d0", units: 3 } });
      }),
    base.bytes,
    /layer "d0" \(class Dense\): a Dense layer before the recurrent layers is not supported/,
  ], ["no recurrent layer", () =>
    edit((j) => {
      layers(j).splice(0, 2);
    }), base.bytes, /layer "dense_Dense7" \(class Dense\): a Dense layer before the recurrent layers/], [
    "a hidden Dense without activation",
    () => {
      const j = JSON.parse(read("head-softmax").text);
      layers(j)[1].config.activation = "linear";
      return j;
    },
    read("head-softmax").bytes,
    /layer "dense_Dense\d+" \(class Dense\): activation "linear" before the output layer is not supported/,
  ], ["hidden Dense layers of two activations", () => {
    const j = JSON.parse(read("head-softmax").text);
    layers(j)[2].config.activation = "tanh";
    return j;
  }, read("head-softmax").bytes, /activation "tanh" differs from "dense_Dense\d+"'s "relu"/], [
    "a functional model that is not a chain",
    () => {
      const j = JSON.parse(read("embedding-gru").text);
      layers(j)[3].inbound_nodes = [[["embedding_Embedding1", 0, 0, {}]]];
      return j;
    },
    read("embedding-gru").bytes,
    /layer "dense_Dense\d+" \(class Dense\) reads "embedding_Embedding1"; only a chain of layers/,
  ], ["TimeDistributed of a Conv1D", () => {
    const j = JSON.parse(read("sequence-timedistributed").text);
    layers(j)[1].config.layer.class_name = "Conv1D";
    return j;
  }, read("sequence-timedistributed").bytes, /\(class TimeDistributed\): wraps "Conv1D"; only Dense/], [
    "a sigmoid output",
    () =>
      edit((j) => {
        layers(j)[2].config.activation = "sigmoid";
      }),
    base.bytes,
    /layer "dense_Dense7" \(class Dense\): activation "sigmoid" on the output layer is not supported/,
  ]];
  for (const [what, json, bytes, message] of bad) {
    it(what, () => {
      const blocks = liveBlocks();
      expect(() => Model.fromKeras(json() as any, bytes as any)).toThrow(message);
      expect(liveBlocks()).toEqual(blocks);
    });
  }
});

describe("hostile Keras files", () => {
  it("any value anywhere in the topology or manifest: a Model or an Error of fromKeras, nothing leaked", () => {
    const names = ["stacked-lstm", "embedding-gru", "sequence-bidirectional-stacked-softmax", "gru-reset-after"];
    const values = [null, -1, 0, 2.5, 1e9, "x", "relu", true, {}, [], [3], [null, 5, 3]];
    let seed = 1;
    const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    const blocks = liveBlocks();
    let threw = 0, built = 0;
    for (let trial = 0; trial < 400; trial++) {
      const { text, bytes } = read(names[trial % names.length]);
      const j = JSON.parse(text);
      // every (object, key) of the file, then one of them set to a value of the wrong kind
      const slots: [any, string | number][] = [];
      const walk = (v: any) => {
        if (v === null || typeof v !== "object") return;
        for (const k of Array.isArray(v) ? v.keys() : Object.keys(v)) {
          slots.push([v, k]);
          walk(v[k]);
        }
      };
      walk(j);
      const [o, k] = slots[rand(slots.length)];
      o[k] = values[rand(values.length)];
      try {
        // odd trials: the weights as an array of files (one file: right for all but stacked-lstm's two groups)
        Model.fromKeras(j, trial % 2 ? [bytes] : bytes).dispose();
        built++;
      } catch (e) {
        threw++;
        expect(e, JSON.stringify(k)).toBeInstanceOf(Error);
        expect((e as Error).message, String(k)).toMatch(/^Model\.fromKeras: /);
        expect((e as Error).message, String(k)).not.toMatch(/Cannot read properties|is not a function|is not iterable/);
      }
    }
    expect(liveBlocks()).toEqual(blocks);
    expect(threw).toBeGreaterThan(50);
    expect(built).toBeGreaterThan(50); // initializers, names of unread fields: ignored
  });
});
