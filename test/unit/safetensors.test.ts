// safetensors: round trip, model save/load bit for bit, and hostile files rejected with clear errors.
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { init, LSTM, Model, safetensors } from "../../dist/index.js";
import { expectClose } from "../helpers";
import { f32of, lcg } from "../helpers";

beforeAll(async () => {
  await init();
});

/** A file with a hand-written header. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), lenOverride?: number): Uint8Array {
  const h = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, lenOverride ?? h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe("safetensors", () => {
  it("round trip of F32/I32 tensors and metadata; header is 8-byte aligned", () => {
    const a = Float32Array.from([1.5, -2, 3e-8, NaN]), b = Int32Array.from([7, -1]);
    const bytes = safetensors.write({ a: { dtype: "F32", shape: [2, 2], data: a },
      b: { dtype: "I32", shape: [2], data: b } }, { note: "hi" });
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const r = safetensors.read(bytes);
    expect(r.metadata).toEqual({ note: "hi" });
    expect(r.tensors.a.shape).toEqual([2, 2]);
    expect(new Uint32Array(r.tensors.a.data.buffer)).toEqual(new Uint32Array(a.buffer));
    expect(Array.from(r.tensors.b.data)).toEqual([7, -1]);
  });
  it("reads F64, F16 and BF16 as f32", () => {
    const f64 = new Uint8Array(new Float64Array([0.25, -3]).buffer);
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001]).buffer); // 1, -2, 2^-24
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0x4049]).buffer); // 1, 3.140625
    const data = new Uint8Array([...f64, ...f16, ...bf16]);
    const r = safetensors.read(
      file({ d: { dtype: "F64", shape: [2], data_offsets: [0, 16] },
        h: { dtype: "F16", shape: [3], data_offsets: [16, 22] },
        b: { dtype: "BF16", shape: [2], data_offsets: [22, 26] } }, data),
    );
    expect(Array.from(r.tensors.d.data)).toEqual([0.25, -3]);
    expect(Array.from(r.tensors.h.data)).toEqual([1, -2, 2 ** -24]);
    expect(Array.from(r.tensors.b.data)).toEqual([1, 3.140625]);
  });
  const four = new Uint8Array(4);
  /** A one-float F32 entry at [begin, end), as JSON text. */
  const A = (begin: number, end: number) => `{"dtype":"F32","shape":[1],"data_offsets":[${begin},${end}]}`;
  const hostile: [string, () => Uint8Array, RegExp][] = [
    ["shorter than 8 bytes", () => new Uint8Array(5), /shorter than the 8-byte header length/],
    ["header length past the end", () => file({}, four, 1000), /header length 1000 runs past the end/],
    ["absurd header length", () => {
      const f = file({});
      new DataView(f.buffer).setUint32(4, 0xffff, true);
      return f;
    }, /absurdly large/],
    ["invalid JSON", () => file("{not json"), /not valid UTF-8 JSON/],
    ["header not an object", () => file("[1,2]"), /header must be a JSON object/],
    ["unknown dtype", () => file({ t: { dtype: "F8", shape: [1], data_offsets: [0, 4] } }, four),
      /tensor "t": unsupported dtype "F8"/],
    ["negative dim", () => file({ t: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, four),
      /tensor "t": shape \[-1\] has a dimension that is not a non-negative integer/],
    ["non-integer dim", () => file({ t: { dtype: "F32", shape: [1.5], data_offsets: [0, 4] } }, four),
      /not a non-negative integer/],
    ["offsets out of range", () => file({ t: { dtype: "F32", shape: [1], data_offsets: [0, 8] } }, four),
      /tensor "t": data_offsets \[0, 8\] out of range/],
    ["size mismatch", () => file({ t: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, four),
      /tensor "t": shape \[2\] of F32 needs 8 bytes, data_offsets give 4/],
    ["overlapping tensors",
      () =>
        file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
          b: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, four), /overlap/],
    ["gap in data", () => file({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
      /gap before data_offsets/],
    ["trailing bytes", () => file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)),
      /data section is 8 bytes but the tensors cover 4/],
    ["huge shape", () => file({ a: { dtype: "F32", shape: [1e9, 1e9], data_offsets: [0, 4] } }, four),
      /needs more bytes than the file holds/],
    ["metadata not strings", () => file({ __metadata__: { a: 1 } }), /__metadata__ "a" must be a string/],
    // duplicate keys (JSON.parse keeps the last): named, whatever the offsets of the copies
    ["a tensor named twice", () => file(`{"a":${A(0, 4)},"a":${A(4, 8)}}`, new Uint8Array(8)),
      /^safetensors: tensor "a" is named twice in the header \(each name may appear once\)$/],
    ["a tensor named twice, the same entry", () => file(`{"a":${A(0, 4)},"a":${A(0, 4)}}`, four),
      /tensor "a" is named twice/],
    ["a tensor named twice, once escaped",
      () => file(`{"w\\"x":${A(0, 4)},"\\u0077\\"x":${A(4, 8)}}`, new Uint8Array(8)), /tensor "w\\"x" is named twice/],
    ["__metadata__ twice", () => file(`{"__metadata__":{},"a":${A(0, 4)},"__metadata__":{"k":"v"}}`, four),
      /"__metadata__" appears twice in the header/],
    ["a metadata key twice", () => file(`{"__metadata__":{"k":"v","k":"w"}}`), /__metadata__ "k" appears twice/],
    ["a field twice", () => file(`{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, four),
      /tensor "a": field "dtype" appears twice/],
  ];
  for (const [label, make, msg] of hostile) {
    it(`rejects: ${label}`, () => expect(() => safetensors.read(make())).toThrow(msg));
  }
  it("distinct keys that look alike are not duplicates (escapes, quotes and braces inside strings)", () => {
    const header = `{"x\\\\":${A(0, 4)},"x":${A(4, 8)},"__metadata__":{"x":"{\\"x\\": [1, 2]}","y":"\\\\"},"y\\"":${
      A(8, 12)
    }}`;
    const r = safetensors.read(file(header, new Uint8Array(12)));
    expect(Object.keys(r.tensors).sort()).toEqual(["x", "x\\", 'y"']);
    expect(r.metadata).toEqual({ x: '{"x": [1, 2]}', y: "\\" });
  });
});

describe("Model.save / Model.load", () => {
  it("round trip reproduces predictions bit for bit and keeps the config and metadata", async () => {
    const rnd = lcg(3);
    const m = new Model({ inputSize: 3, hiddenSize: 6, numLayers: 2, bidirectional: true, outputSize: 2, seed: 9 });
    const xs = [f32of(15, rnd), f32of(6, rnd), f32of(3, rnd)];
    await m.fit({ x: xs, y: f32of(6, rnd) }, { epochs: 2, batchSize: 2 });
    const p1 = m.predict(xs) as Float32Array;
    const m2 = Model.load(m.save({ note: "x" }));
    expect(m2.config).toEqual(m.config);
    expect(m2.metadata.note).toBe("x");
    const p2 = m2.predict(xs) as Float32Array;
    expect(new Uint32Array(p2.buffer)).toEqual(new Uint32Array(p1.buffer));
    m.dispose();
    m2.dispose();
  });
  for (const [cell, initialState] of [["lstm", "learned"], ["gru", { perClass: 3 }], ["rnn", { perClass: 2 }], ["lstm",
    { perClass: 2 }]] as const) {
    it(`round trip: ${cell}, initialState ${JSON.stringify(initialState)}`, async () => {
      const rnd = lcg(7);
      const m = new Model({ cell, initialState, inputSize: 2, hiddenSize: 5, bidirectional: true, outputSize: 1,
        seed: 2 });
      const xs = [f32of(8, rnd), f32of(4, rnd), f32of(6, rnd)], classes = Int32Array.from([1, 0, 1]);
      const data = typeof initialState === "object"
        ? { x: xs, y: f32of(3, rnd), classes }
        : { x: xs, y: f32of(3, rnd) };
      await m.fit(data, { epochs: 3, learningRate: 0.05 });
      const opts = typeof initialState === "object" ? { classes } : {};
      const p1 = m.predict(xs, opts) as Float32Array;
      const m2 = Model.load(m.save());
      expect(m2.config).toEqual(m.config);
      expect(m2.stateDict().h0).toEqual(m.stateDict().h0);
      expect(new Uint32Array((m2.predict(xs, opts) as Float32Array).buffer)).toEqual(new Uint32Array(p1.buffer));
      m.dispose();
      m2.dispose();
    });
  }
  it("rejects a file without a recurrent-wasm config, or with a wrong-shaped weight", () => {
    expect(() => Model.load(safetensors.write({}))).toThrow(/no recurrent-wasm config/);
    const m = new Model({ inputSize: 2, hiddenSize: 3, outputSize: 1 });
    const r = safetensors.read(m.save());
    r.tensors["readout.weight"] = { dtype: "F32", shape: [3, 1], data: new Float32Array(3) };
    const bad = safetensors.write(Object.fromEntries(Object.entries(r.tensors).map(([k, t]) => [k, { ...t }])) as any,
      r.metadata);
    expect(() => Model.load(bad)).toThrow(/"readout\.weight" has shape \[3,1\], expected \[1,3\]/);
    m.dispose();
  });
});

describe("files written by PyTorch (scripts/make-fixtures.py, a 20-line writer)", () => {
  const fx = JSON.parse(readFileSync(new URL("../fixtures/pytorch-files.json", import.meta.url), "utf8"));
  const file = (n: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${n}`, import.meta.url)));
  it("a GRU + Linear model saved from PyTorch loads as is and reproduces its predictions", () => {
    const m = Model.load(file("pytorch-gru-model.safetensors"));
    expect(m.config.cell).toBe("gru");
    expect(m.metadata.writer).toBe("scripts/make-fixtures.py");
    const y = m.predict(fx.gru_model.x.map((a: number[]) => Float32Array.from(a))) as Float32Array;
    expectClose("PyTorch GRU model predictions", y, fx.gru_model.y, 1e-5, 1e-4);
    // and our own save of it round-trips bit for bit
    const y2 = Model.load(m.save()).predict(fx.gru_model.x.map((a: number[]) => Float32Array.from(a))) as Float32Array;
    expect(new Uint32Array(y2.buffer)).toEqual(new Uint32Array(y.buffer));
    m.dispose();
  });
  it("a bare torch.nn.LSTM state_dict file loads into an LSTM layer", () => {
    const { tensors, metadata } = safetensors.read(file("pytorch-lstm.safetensors"));
    expect(metadata).toEqual({});
    const lstm = new LSTM({ inputSize: 4, hiddenSize: 3 });
    lstm.loadStateDict(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.data as Float32Array])));
    const r = lstm.forward(Float32Array.from(fx.lstm.x), { batch: 2, steps: 5 });
    expectClose("LSTM output", r.output, fx.lstm.output, 1e-5, 1e-4);
    expectClose("LSTM hN", r.hN, fx.lstm.hN, 1e-5, 1e-4);
    expectClose("LSTM cN", r.cN!, fx.lstm.cN, 1e-5, 1e-4);
    lstm.dispose();
  });
  it("rejects a PyTorch file with a missing tensor or an extra one, naming it", () => {
    const { tensors, metadata } = safetensors.read(file("pytorch-gru-model.safetensors"));
    const { ["rnn.bias_hh_l1_reverse"]: _, ...missing } = tensors;
    expect(() => Model.load(safetensors.write(missing as any, metadata))).toThrow(
      /missing tensor "rnn\.bias_hh_l1_reverse" \[21\]/,
    );
    const extra = { ...tensors, "rnn.weight_ih_l2": { dtype: "F32", shape: [1], data: new Float32Array(1) } };
    expect(() => Model.load(safetensors.write(extra as any, metadata))).toThrow(
      /unexpected tensor "rnn\.weight_ih_l2"/,
    );
  });
});
