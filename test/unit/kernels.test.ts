// Every SIMD kernel against its scalar reference on awkward sizes. GEMM, AXPY and scale use the
// same summation order as their references, so they must agree BITWISE; dot and sum of squares
// reorder the sum (four lanes), so they get a tolerance.
import { beforeAll, describe, expect, it } from "vitest";
import { core, f32of, lcg } from "../helpers";

let c: any;
beforeAll(async () => {
  c = await core();
});

function put(a: Float32Array): number {
  const p = c.alloc(Math.max(16, a.byteLength));
  new Float32Array(c.memory.buffer, p, a.length).set(a);
  return p;
}
const view = (p: number, n: number) => new Float32Array(c.memory.buffer, p, n).slice();
const bits = (a: Float32Array) => new Uint32Array(a.buffer.slice(0));

const SIZES = [1, 3, 5, 17, 33, 130];

describe("memory", () => {
  it("alloc returns 16-byte aligned, zeroed, disjoint blocks and survives growth", () => {
    const ptrs: number[] = [];
    for (const n of [1, 3, 17, 64, 1000, 3 << 20]) {
      const p = c.alloc(n);
      expect(p % 16).toBe(0);
      expect(Array.from(new Uint8Array(c.memory.buffer, p, Math.min(n, 4096))).every((v) => v === 0)).toBe(true);
      new Uint8Array(c.memory.buffer, p, n).fill(7);
      ptrs.push(p, n);
    }
    for (let i = 0; i < ptrs.length; i += 2) {
      expect(Array.from(new Uint8Array(c.memory.buffer, ptrs[i], ptrs[i + 1])).every((v) => v === 7)).toBe(true);
      c.free(ptrs[i]);
    }
  });
});

describe("gemm_f32_4x8_wasmsimd equals gemm_ref bitwise", () => {
  const rnd = lcg(1);
  for (const M of SIZES) {
    for (const N of SIZES) {
      const K = SIZES[(SIZES.indexOf(M) * 7 + SIZES.indexOf(N) * 3) % SIZES.length];
      it(`M=${M} N=${N} K=${K}: A·B, Aᵀ·B, accumulate`, () => {
        const a = f32of(M * K, rnd), b = f32of(K * N, rnd), c0 = f32of(M * N, rnd);
        const pa = put(a), pb = put(b);
        for (const [rsa, csa] of [[K, 1], [1, M]]) {
          for (const acc of [false, true]) {
            const p1 = put(c0), p2 = put(c0);
            c.gemm_f32_4x8_wasmsimd(M, N, K, pa, rsa, csa, pb, N, p1, N, acc);
            c.gemm_ref(M, N, K, pa, rsa, csa, pb, N, p2, N, acc);
            const r1 = view(p1, M * N), r2 = view(p2, M * N);
            expect(bits(r1)).toEqual(bits(r2));
            // and the reference is right: f64 dot products
            for (const [i, j] of [[0, 0], [M - 1, N - 1], [M >> 1, N >> 1]]) {
              let s = acc ? c0[i * N + j] : 0;
              for (let k = 0; k < K; k++) s += a[i * rsa + k * csa] * b[k * N + j];
              expect(Math.abs(r2[i * N + j] - s)).toBeLessThan(1e-5 * (K + 1));
            }
            c.free(p1);
            c.free(p2);
          }
        }
        c.free(pa);
        c.free(pb);
      });
    }
  }
  for (const K of [256, 257, 600]) {
    it(`K=${K} crosses the K-block boundary (KC = 256): still bitwise, and right in f64`, () => {
      const M = 9, N = 13;
      const a = f32of(M * K, rnd), b = f32of(K * N, rnd), c0 = f32of(M * N, rnd);
      const pa = put(a), pb = put(b);
      for (const [rsa, csa] of [[K, 1], [1, M]]) {
        for (const acc of [false, true]) {
          const p1 = put(c0), p2 = put(c0);
          c.gemm_f32_4x8_wasmsimd(M, N, K, pa, rsa, csa, pb, N, p1, N, acc);
          c.gemm_ref(M, N, K, pa, rsa, csa, pb, N, p2, N, acc);
          const r1 = view(p1, M * N), r2 = view(p2, M * N);
          expect(bits(r1)).toEqual(bits(r2));
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < N; j++) {
              let s = acc ? c0[i * N + j] : 0;
              for (let k = 0; k < K; k++) s += a[i * rsa + k * csa] * b[k * N + j];
              expect(Math.abs(r1[i * N + j] - s)).toBeLessThan(2e-5 * Math.sqrt(K));
            }
          }
          c.free(p1);
          c.free(p2);
        }
      }
      c.free(pa);
      c.free(pb);
    });
  }
  it("leading dimensions larger than the width (sub-matrices)", () => {
    const M = 6, N = 10, K = 7, lda = 11, ldb = 13, ldc = 12;
    const a = f32of(M * lda, rnd), b = f32of(K * ldb, rnd), c0 = f32of(M * ldc, rnd);
    const pa = put(a), pb = put(b), p1 = put(c0), p2 = put(c0);
    c.gemm_f32_4x8_wasmsimd(M, N, K, pa, lda, 1, pb, ldb, p1, ldc, true);
    c.gemm_ref(M, N, K, pa, lda, 1, pb, ldb, p2, ldc, true);
    const r1 = view(p1, M * ldc), r2 = view(p2, M * ldc);
    expect(bits(r1)).toEqual(bits(r2));
    // columns past N untouched
    for (let i = 0; i < M; i++) for (let j = N; j < ldc; j++) expect(r1[i * ldc + j]).toBe(c0[i * ldc + j]);
  });
});

describe("gemm_f32_4x8_packed (B packed into K×8 panels) equals gemm_ref bitwise", () => {
  const rnd = lcg(5);
  // N = 8, 16, 24 (panels only), 5, 13, 30 (remainder block), 130; K across the KC = 256 boundary;
  // B read through strides (rs, cs) = (N, 1) row-major and (1, K) transposed, as the RNN packs it;
  // rows past the last 4-row tile with N ≥ 32 take the 1×32 strips (K blocks even, A rows
  // contiguous) or fall back to 1×8 tiles (an odd K block: 257 = 256 + 1; Aᵀ)
  const cases: [number, number, number][] = [[1, 8, 3], [5, 16, 17], [9, 24, 33], [4, 5, 7], [7, 13, 257], [33, 30, 5],
    [3, 130, 600], [32, 512, 128], [1, 512, 128], [1, 72, 257], [2, 40, 2], [6, 101, 31], [1, 64, 1]];
  for (const [M, N, K] of cases) {
    it(`M=${M} N=${N} K=${K}: A·B and Aᵀ·B, accumulate, row-major and transposed source`, () => {
      const a = f32of(M * K, rnd), b = f32of(K * N, rnd), c0 = f32of(M * N, rnd);
      const bt = new Float32Array(K * N);
      for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) bt[n * K + k] = b[k * N + n];
      const pa = put(a), pb = put(b), pbt = put(bt), pk = c.alloc(4 * K * N + 16), pk2 = c.alloc(4 * K * N + 16);
      c.pack_panels(K, N, pb, N, 1, pk);
      c.pack_panels(K, N, pbt, 1, K, pk2);
      expect(bits(view(pk2, K * N))).toEqual(bits(view(pk, K * N)));
      // the layout: B(k, 8p + q) at p·8K + 8k + q, the last N mod 8 columns row-major after the panels
      const packed = view(pk, K * N), N8 = N & ~7, R = N - N8;
      for (const [k, n] of [[0, 0], [K - 1, N - 1], [K >> 1, N >> 1], [K - 1, Math.max(0, N8 - 1)]]) {
        const at = n < N8 ? (n >> 3) * 8 * K + 8 * k + (n & 7) : N8 * K + k * R + (n - N8);
        expect(packed[at]).toBe(b[k * N + n]);
      }
      for (const [rsa, csa] of [[K, 1], [1, M]]) {
        for (const acc of [false, true]) {
          const p1 = put(c0), p2 = put(c0);
          c.gemm_f32_4x8_packed(M, N, K, pa, rsa, csa, pk, p1, N, acc);
          c.gemm_ref(M, N, K, pa, rsa, csa, pb, N, p2, N, acc);
          expect(bits(view(p1, M * N))).toEqual(bits(view(p2, M * N)));
          c.free(p1);
          c.free(p2);
        }
      }
      for (const p of [pa, pb, pbt, pk, pk2]) c.free(p);
    });
  }
});

describe("level-1/2 kernels", () => {
  const rnd = lcg(2);
  for (const n of [...SIZES, 0, 4, 8]) {
    it(`n=${n}: axpy and scale bitwise; dot, sumsq, gemv within tolerance`, () => {
      const x = f32of(n, rnd), y = f32of(n, rnd);
      const px = put(x), py1 = put(y), py2 = put(y);
      c.axpy_f32_wasmsimd(n, 0.37, px, py1);
      c.axpy_ref(n, 0.37, px, py2);
      expect(bits(view(py1, n))).toEqual(bits(view(py2, n)));
      c.scale_f32_wasmsimd(n, -1.7, py1);
      c.scale_ref(n, -1.7, py2);
      expect(bits(view(py1, n))).toEqual(bits(view(py2, n)));
      let dot = 0, ss = 0;
      for (let i = 0; i < n; i++) {
        dot += x[i] * y[i];
        ss += x[i] * x[i];
      }
      const py = put(y);
      expect(Math.abs(c.dot_f32_wasmsimd(n, px, py) - dot)).toBeLessThan(1e-6 * (n + 1));
      expect(Math.abs(c.dot_ref(n, px, py) - dot)).toBeLessThan(1e-6 * (n + 1));
      expect(Math.abs(c.sumsq_f64_wasmsimd(n, px) - ss)).toBeLessThan(1e-12 * (n + 1));
      expect(Math.abs(c.sumsq_ref(n, px) - ss)).toBeLessThan(1e-12 * (n + 1));
      // gemv: [3, n] · x
      if (n > 0) {
        const A = f32of(3 * n, rnd), pA = put(A), o1 = c.alloc(16), o2 = c.alloc(16);
        c.gemv_f32_wasmsimd(3, n, pA, n, px, o1, false);
        c.gemv_ref(3, n, pA, n, px, o2, false);
        const g1 = view(o1, 3), g2 = view(o2, 3);
        for (let i = 0; i < 3; i++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += A[i * n + k] * x[k];
          expect(Math.abs(g1[i] - s)).toBeLessThan(1e-6 * (n + 1));
          expect(Math.abs(g2[i] - s)).toBeLessThan(1e-6 * (n + 1));
        }
      }
    });
  }
  it("colsum, transpose, copy2d", () => {
    const M = 7, N = 9, a = f32of(M * N, rnd), pa = put(a);
    const pd = c.alloc(64);
    c.colsum_f32_wasmsimd(M, N, pa, N, pd, false);
    const cs = view(pd, N);
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += a[i * N + j];
      expect(Math.abs(cs[j] - s)).toBeLessThan(1e-6);
    }
    const pt = c.alloc(4 * M * N);
    c.transpose_f32(M, N, pa, N, pt, M);
    const t = view(pt, M * N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) expect(t[j * M + i]).toBe(a[i * N + j]);
    const pc = c.alloc(4 * M * 4);
    c.copy2d_f32(M, 3, pa + 8, N, pc, 4);
    const cp = view(pc, M * 4);
    for (let i = 0; i < M; i++) for (let j = 0; j < 3; j++) expect(cp[i * 4 + j]).toBe(a[i * N + 2 + j]);
  });
});

describe("self-test export for hosts without JavaScript", () => {
  it("selftest_gemm() returns 0", () => {
    expect(c.selftest_gemm()).toBe(0);
  });
});
