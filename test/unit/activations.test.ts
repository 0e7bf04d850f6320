// The vectorized tanh: accuracy over EVERY f32 in [2^-12, 16] against f64 tanh (the range where
// the result is neither x nor ±1), and exact behaviour at the edges.
import { beforeAll, describe, expect, it } from "vitest";
import { core } from "../helpers";

let c: any;
beforeAll(async () => {
  c = await core();
});

const bitsOf = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];

function run(fn: string, xs: number[]): Float32Array {
  const p = c.alloc(4 * xs.length + 16);
  new Float32Array(c.memory.buffer, p, xs.length).set(xs);
  c[fn](xs.length, p, p);
  const r = new Float32Array(c.memory.buffer, p, xs.length).slice();
  c.free(p);
  return r;
}

describe("tanh_f32_wasmsimd", () => {
  it("is within 2 ulp of f64 tanh for every f32 in [2^-12, 16]", () => {
    const lo = bitsOf(2 ** -12), hi = bitsOf(16);
    let worst = 0;
    const chunk = 1 << 24;
    for (let b = lo; b < hi; b += chunk) {
      worst = Math.max(worst, c.activation_max_ulp(0, b, Math.min(hi, b + chunk), 0));
    }
    console.log(`tanh: max error ${worst.toFixed(3)} ulp over ${(hi - lo).toLocaleString()} f32 inputs in [2^-12, 16]`);
    expect(worst).toBeLessThanOrEqual(2);
  });
  it("is x below 2^-12, ±1 from 9.01, odd, and keeps NaN and −0", () => {
    const xs = [0, -0, 1e-30, -1e-30, 2 ** -13, -(2 ** -13), 9.1, -9.1, 50, -50, 1e30, -1e30, Infinity, -Infinity, NaN,
      0.3, -0.3, 0.55, -0.55, 2, -2];
    const y = run("tanh_f32_wasmsimd", xs);
    expect(Object.is(y[0], 0)).toBe(true);
    expect(Object.is(y[1], -0)).toBe(true);
    expect(y[2]).toBe(Math.fround(1e-30));
    expect(y[3]).toBe(Math.fround(-1e-30));
    expect(y[4]).toBe(Math.fround(2 ** -13));
    for (let i = 6; i < 14; i += 2) {
      expect(y[i]).toBe(1);
      expect(y[i + 1]).toBe(-1);
    }
    expect(Number.isNaN(y[14])).toBe(true);
    for (let i = 15; i < xs.length; i += 2) expect(y[i + 1]).toBe(-y[i]);
  });
  it("tail elements (n mod 4) equal the vector path bitwise", () => {
    const xs = [0.1, 0.7, -3, 0.45, 0.1, 0.7, -3];
    const y = run("tanh_f32_wasmsimd", xs);
    for (let i = 0; i < 3; i++) expect(y[4 + i]).toBe(y[i]);
  });
});

describe("relu_f32_wasmsimd", () => {
  it("max(x, 0), NaN kept", () => {
    const y = run("relu_f32_wasmsimd", [-1, 2, -0, 0.5, NaN, -Infinity, 3]);
    expect(Array.from(y.slice(0, 4))).toEqual([0, 2, 0, 0.5]);
    expect(Number.isNaN(y[4])).toBe(true);
    expect(y[5]).toBe(0);
    expect(y[6]).toBe(3);
  });
});

describe("activation_backward_f32", () => {
  it("dy ⊙ (1 − y²) for tanh and dy ⊙ [y > 0] for relu, bitwise the f32 arithmetic, vector body and tail", () => {
    const f = Math.fround;
    const y = [-0.9, -0.5, 0, 1e-8, 0.25, 0.5, 0.99, 1, -1, 0.3, 2, -3, 0.75];
    const dy = y.map((v, i) => (i % 3) - 1.25 + v);
    const n = y.length, py = c.alloc(4 * n + 16), pd = c.alloc(4 * n + 16);
    for (const [act, want] of [[0, (v: number, g: number) => f(f(g) * f(1 - f(f(v) * f(v))))], [1,
      (v: number, g: number) => (f(v) > 0 ? f(g) : 0)]] as const) {
      new Float32Array(c.memory.buffer, py, n).set(y);
      new Float32Array(c.memory.buffer, pd, n).set(dy);
      c.activation_backward_f32(n, act, py, pd);
      const got = new Float32Array(c.memory.buffer, pd, n).slice();
      expect(Array.from(got), `act ${act}`).toEqual(y.map((v, i) => want(v, dy[i])));
    }
    c.free(py);
    c.free(pd);
  });
});

describe("dropout_mask_f32 and mul_f32_wasmsimd", () => {
  it("a counter-based mask: only 0 and 1/(1−p), seeded, prefix-stable, the kept fraction within 5σ of 1 − p", () => {
    const n = 100_000, p = 0.3, pm = c.alloc(4 * n + 16), pq = c.alloc(4 * n + 16);
    c.dropout_mask_f32(n, p, 7, pm);
    const m = new Float32Array(c.memory.buffer, pm, n).slice(), keep = Math.fround(1 / (1 - p));
    expect(m.every((v) => v === 0 || v === keep)).toBe(true);
    const kept = m.filter((v) => v !== 0).length / n;
    expect(Math.abs(kept - (1 - p))).toBeLessThan(5 * Math.sqrt(p * (1 - p) / n));
    c.dropout_mask_f32(1000, p, 7, pq); // element i does not depend on n
    expect(Array.from(new Float32Array(c.memory.buffer, pq, 1000))).toEqual(Array.from(m.subarray(0, 1000)));
    c.dropout_mask_f32(n, p, 8, pq); // another seed, another mask
    const other = new Float32Array(c.memory.buffer, pq, n);
    expect(m.filter((v, i) => v !== other[i]).length).toBeGreaterThan(n / 10);
    c.dropout_mask_f32(10, 0, 7, pq); // p = 0 keeps everything, at scale 1
    expect(Array.from(new Float32Array(c.memory.buffer, pq, 10))).toEqual(Array(10).fill(1));
    // applying it: x ⊙ m, each product an f32 multiply (vector body and tail)
    const x = Float32Array.from({ length: 11 }, (_, i) => 0.1 * i - 0.37);
    new Float32Array(c.memory.buffer, pq, 11).set(x);
    c.mul_f32_wasmsimd(11, pq, pm);
    expect(Array.from(new Float32Array(c.memory.buffer, pq, 11))).toEqual(
      Array.from(x, (v, i) => Math.fround(v * m[i])),
    );
    c.free(pm);
    c.free(pq);
  });
});

describe("sigmoid_f32_wasmsimd", () => {
  it("is within 3 ulp of f64 1/(1+e^-x) for every f32 with |x| in [2^-12, 17] (x > 0) or [2^-12, 87] (x < 0)", () => {
    const ranges: [number, number][] = [[bitsOf(2 ** -12), bitsOf(17)], [bitsOf(-(2 ** -12)), bitsOf(-87)]];
    let worst = 0, count = 0;
    const chunk = 1 << 24;
    for (const [lo, hi] of ranges) {
      for (let b = lo; b < hi; b += chunk) {
        worst = Math.max(worst, c.activation_max_ulp(1, b, Math.min(hi, b + chunk), 0));
      }
      count += hi - lo;
    }
    console.log(`sigmoid: max error ${worst.toFixed(3)} ulp over ${count.toLocaleString()} f32 inputs`);
    expect(worst).toBeLessThanOrEqual(3);
  });
  it("saturates: 1 from 17, σ(0) = 0.5, tiny and positive far left, NaN kept", () => {
    const y = run("sigmoid_f32_wasmsimd", [0, 17, 50, Infinity, -88, -1000, -Infinity, NaN, 1e-30]);
    expect(y[0]).toBe(0.5);
    expect(y[1]).toBe(1);
    expect(y[2]).toBe(1);
    expect(y[3]).toBe(1);
    for (const i of [4, 5, 6]) {
      expect(y[i]).toBeGreaterThan(0);
      expect(y[i]).toBeLessThan(1e-38);
    }
    expect(Number.isNaN(y[7])).toBe(true);
    expect(y[8]).toBe(0.5);
  });
});
