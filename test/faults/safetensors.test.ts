// Issue 14, weights files: names and metadata keys are data (no prototype games), write() refuses
// what read() would reject, and F16/BF16/I32 are converted exactly or refused.
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model, safetensors } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

const one = (dtype: string, data: unknown, shape: unknown = [(data as ArrayLike<number>).length]) =>
  ({ dtype, shape, data }) as any;
/** A record whose own keys include names such as "__proto__" (a literal would set the prototype). */
function record(entries: [string, unknown][]): any {
  const r: any = Object.create(null);
  for (const [k, v] of entries) {
    Object.defineProperty(r, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return r;
}

describe("safetensors names are data", () => {
  for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
    it(`tensor and metadata key ${JSON.stringify(name)} round-trip`, () => {
      const bytes = safetensors.write(
        record([[name, one("F32", Float32Array.of(1, 2))], ["w", one("F32", Float32Array.of(3))]]),
        record([[name, "meta"]]),
      );
      const { tensors, metadata } = safetensors.read(bytes);
      expect(Object.keys(tensors).sort()).toEqual([name, "w"].sort());
      expect(Array.from(Object.getOwnPropertyDescriptor(tensors, name)!.value.data)).toEqual([1, 2]);
      expect(Object.getOwnPropertyDescriptor(metadata, name)!.value).toBe("meta");
      expect(Object.getPrototypeOf(tensors)).toBe(null);
      expect(Object.getPrototypeOf(metadata)).toBe(null);
      expect((tensors as any).dtype).toBeUndefined();
    });
  }
  it("a Map works as the input too", () => {
    const bytes = safetensors.write(new Map([["__proto__", one("F32", Float32Array.of(5))]]) as any,
      new Map([["__proto__", "x"]]) as any);
    const r = safetensors.read(bytes);
    expect(Object.keys(r.tensors)).toEqual(["__proto__"]);
    expect(Object.keys(r.metadata)).toEqual(["__proto__"]);
  });
  for (const dtype of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
    it(`dtype ${JSON.stringify(dtype)} is unsupported, in read and in write`, () => {
      const h = new TextEncoder().encode(JSON.stringify({ t: { dtype, shape: [1], data_offsets: [0, 4] } }));
      const f = new Uint8Array(8 + h.length + 4);
      new DataView(f.buffer).setUint32(0, h.length, true);
      f.set(h, 8);
      expect(() => safetensors.read(f)).toThrow(
        new RegExp(`tensor "t": unsupported dtype "${dtype}" \\(supported: F32, F64, F16, BF16, I32\\)`),
      );
      expect(() => safetensors.write({ t: one(dtype, Float32Array.of(1)) })).toThrow(/tensor "t": unsupported dtype/);
    });
  }
});

describe("Model.load rejects every unexpected tensor the same way", () => {
  for (const extra of ["bogus", "__proto__", "constructor", "toString"]) {
    it(extra, () => {
      const m = new Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, seed: 1 });
      const { tensors, metadata } = safetensors.read(m.save());
      const all = record([...Object.entries(tensors), [extra, { dtype: "F32", shape: [1], data: Float32Array.of(0) }]]);
      expect(() => Model.load(safetensors.write(all, metadata))).toThrow(
        `Model.load: unexpected tensor ${JSON.stringify(extra)}`,
      );
      m.dispose();
    });
  }
});

describe("safetensors.write validates what read would reject", () => {
  const bad: [string, () => unknown, RegExp][] = [["negative dims",
    () => safetensors.write({ a: one("F32", new Float32Array(2), [-1, -2]) }),
    /tensor "a": shape \[-1,-2\] must hold non-negative integers/], ["fractional dims",
    () => safetensors.write({ a: one("F32", new Float32Array(2), [0.5, 4]) }),
    /tensor "a": shape \[0.5,4\] must hold non-negative integers/], ["shape not an array",
    () => safetensors.write({ a: one("F32", new Float32Array(2), "2") }), /tensor "a": shape must be an array/], [
    "count mismatch",
    () => safetensors.write({ a: one("F32", new Float32Array(3), [2]) }),
    /tensor "a": shape \[2\] has 2 elements, data has 3/,
  ], ["data not numbers", () => safetensors.write({ a: one("F32", "abc", [3]) }),
    /tensor "a": data must be a typed array or an array of numbers, got "abc"/], ["I32 out of range",
    () => safetensors.write({ a: one("I32", [3e9]) }),
    /tensor "a": I32 data\[0\] is 3000000000, not an integer in -2147483648\.\.2147483647/], ["I32 fraction",
    () => safetensors.write({ a: one("I32", [1.5]) }), /tensor "a": I32 data\[0\] is 1.5/], ["entry null",
    () => safetensors.write({ a: null as any }), /tensor "a": must be an object \{ dtype, shape, data \}, got null/], [
    "tensors null",
    () => safetensors.write(null as any),
    /tensors must be an object or a Map of name -> \{ dtype, shape, data \}, got null/,
  ], ["metadata value", () => safetensors.write({}, { a: 1 } as any), /metadata "a" must be a string, got number/], [
    "__metadata__ as a name",
    () => safetensors.write({ __metadata__: one("F32", [1]) }),
    /"__metadata__" is reserved/,
  ]];
  for (const [label, f, msg] of bad) it(label, () => expect(f).toThrow(msg));

  it("F16 and BF16 from values: rounded to nearest even, read back exactly", () => {
    const vals = [0.5, 1.5, -2, 0, -0, 65504, 1e-7, 2 ** -24, 3.140625, Infinity, -Infinity, 1 + 2 ** -11,
      1 + 3 * 2 ** -11, 70000];
    const f16 = safetensors.read(safetensors.write({ h: one("F16", Float32Array.from(vals)) })).tensors.h.data;
    // expected halves, by hand: ties go to even (1+2^-11 -> 1, 1+3*2^-11 -> 1+2^-9), 70000 overflows
    expect(Array.from(f16)).toEqual([0.5, 1.5, -2, 0, -0, 65504, 2 ** -24 * 2, 2 ** -24, 3.140625, Infinity, -Infinity,
      1, 1 + 2 ** -9, Infinity]);
    const bf =
      safetensors.read(
        safetensors.write({ b: one("BF16", [0.5, 1.5, -2, 3.14159, 1 + 2 ** -8, 1 + 3 * 2 ** -8, NaN]) }),
      ).tensors.b.data;
    expect(Array.from(bf)).toEqual([0.5, 1.5, -2, 3.140625, 1, 1 + 2 ** -6, NaN]);
    const f16nan = safetensors.read(safetensors.write({ h: one("F16", [NaN]) })).tensors.h.data;
    expect(f16nan[0]).toBeNaN();
  });
  it("zero-size tensors round-trip (found by fuzzing: shape [1, 0] was refused by read)", () => {
    const r = safetensors.read(
      safetensors.write({ e: one("F32", new Float32Array(0), [1, 0]), f: one("I32", new Int32Array(0), [0, 1e6]),
        g: one("F32", Float32Array.of(2), []) }),
    );
    expect(r.tensors.e.shape).toEqual([1, 0]);
    expect(r.tensors.f.shape).toEqual([0, 1e6]);
    expect(Array.from(r.tensors.g.data)).toEqual([2]);
  });
  it("F16/BF16 from a Uint16Array are raw bit patterns", () => {
    const r = safetensors.read(
      safetensors.write({ h: one("F16", Uint16Array.of(0x3c00, 0xc000)), b: one("BF16", Uint16Array.of(0x3f80)) }),
    );
    expect(Array.from(r.tensors.h.data)).toEqual([1, -2]);
    expect(Array.from(r.tensors.b.data)).toEqual([1]);
  });
  it("F16 conversion agrees with a brute-force nearest half for 20,000 values", () => {
    // all finite halves, sorted; the nearest (ties to the even bit pattern) by search
    const halves: number[] = [];
    for (let b = 0; b < 0x7c00; b++) halves.push(fromHalf(b));
    let s = 12345;
    const vals = Float32Array.from({ length: 20000 }, () => {
      s = (s * 1103515245 + 12345) >>> 0;
      return (s / 2 ** 32 - 0.5) * 2 ** ((s % 40) - 25);
    });
    const got = safetensors.read(safetensors.write({ h: one("F16", vals) })).tensors.h.data;
    for (let i = 0; i < vals.length; i++) {
      const a = Math.abs(vals[i]);
      let lo = 0, hi = halves.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (halves[mid] <= a) lo = mid;
        else hi = mid;
      }
      const dl = a - halves[lo], dh = halves[hi] - a;
      let want = dl < dh ? halves[lo] : dh < dl ? halves[hi] : (lo % 2 === 0 ? halves[lo] : halves[hi]);
      if (a >= 65520) want = Infinity;
      expect(Math.abs(got[i])).toBe(want);
    }
  });
});

function fromHalf(h: number): number {
  const e = (h >> 10) & 0x1f, m = h & 0x3ff;
  return e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15);
}
