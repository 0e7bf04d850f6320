// Run by test/integration/relaxed.test.ts as `node --experimental-wasm-relaxed-simd test/helpers/relaxed-child.mjs`:
// the relaxed-SIMD build against the PyTorch fixtures (all cells) at the foundation's tolerances,
// and its GEMM against the scalar reference. Prints one JSON line.
import { init, coreInfo } from "../../dist/index.js";
import { core as wasm } from "../../dist/core.js";
import { checkAllFixtures } from "./fixture-check.mjs";

await init({ relaxedSimd: true });
const out = { relaxedSimd: coreInfo().relaxedSimd, ...checkAllFixtures(), gemmMaxRelErr: 0 };
// GEMM against the scalar reference on awkward sizes: equal up to the rounding of fused products
const c = wasm();
let s = 7;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
for (const [M, N, K] of [[1, 1, 1], [3, 5, 17], [17, 33, 5], [130, 33, 300], [64, 128, 64]]) {
  const a = c.alloc(4 * M * K), b = c.alloc(4 * K * N), c1 = c.alloc(4 * M * N), c2 = c.alloc(4 * M * N);
  new Float32Array(c.memory.buffer, a, M * K).forEach((_, i, v) => (v[i] = rnd()));
  new Float32Array(c.memory.buffer, b, K * N).forEach((_, i, v) => (v[i] = rnd()));
  c.gemm_f32_4x8_wasmsimd(M, N, K, a, K, 1, b, N, c1, N, false);
  c.gemm_ref(M, N, K, a, K, 1, b, N, c2, N, false);
  const x = new Float32Array(c.memory.buffer, c1, M * N), y = new Float32Array(c.memory.buffer, c2, M * N);
  // error relative to Σ|a||b| ≈ K/4 for entries in [−0.5, 0.5)
  for (let i = 0; i < M * N; i++) out.gemmMaxRelErr = Math.max(out.gemmMaxRelErr, Math.abs(x[i] - y[i]) / (K / 4));
  for (const p of [a, b, c1, c2]) c.free(p);
}
// the module's own self-test, whose meaning is the same for every build: 0 = pass
out.selftest = c.selftest_gemm();
console.log(JSON.stringify(out));
