// The weight-gradient GEMMs of BPTT, ∂W += ∂Aᵀ·h per segment (M = G·H, N = H or I, K = a segment's
// rows; ∂A [K, M] read transposed), against other ways to run them, samples alternated, 9 rounds:
//   as run     gemm_f32_4x8_wasmsimd on ∂A transposed and h row-major (before issue 18's packing)
//   packed     pack_panels(h) + gemm_f32_4x8_packed (what stack_backward does now)
//   transposed transpose_f32(∂A) first, then A row-major (gemm_f32_4x8_wasmsimd)
// and, for 512×128, the packed kernel alone at K from 64 to 512 (does the K split matter?).
// Run: npm run build && node bench/gemm-wgrad.mjs
import { readFileSync } from "node:fs";
import { alternate } from "./timing.mjs";

const e = (await WebAssembly.instantiate(readFileSync(new URL("../build/recurrent.wasm", import.meta.url)), { env: { abort() { throw new Error("abort"); } } })).instance.exports;
let s = 1;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
function operands(M, N, K) {
  const a = e.alloc(4 * M * K), at = e.alloc(4 * M * K), b = e.alloc(4 * K * N), bp = e.alloc(4 * K * N), c = e.alloc(4 * M * N);
  const f = new Float32Array(e.memory.buffer);
  for (let i = 0; i < M * K; i++) f[a / 4 + i] = rnd();
  for (let i = 0; i < K * N; i++) f[b / 4 + i] = rnd();
  return { a, at, b, bp, c };
}
const gf = (M, N, K, ms) => (2 * M * N * K / ms / 1e6).toFixed(1);
console.log("| M×N×K | as run GFLOP/s | packed | transposed |\n|---|---|---|---|");
for (const [M, N, K] of [[512, 128, 320], [384, 128, 320], [128, 128, 320], [1024, 256, 640], [256, 64, 160]]) {
  const { a, at, b, bp, c } = operands(M, N, K);
  const r = await alternate([
    () => e.gemm_f32_4x8_wasmsimd(M, N, K, a, 1, M, b, N, c, N, true),
    () => { e.pack_panels(K, N, b, N, 1, bp); e.gemm_f32_4x8_packed(M, N, K, a, 1, M, bp, c, N, true); },
    () => { e.transpose_f32(K, M, a, M, at, K); e.gemm_f32_4x8_wasmsimd(M, N, K, at, K, 1, b, N, c, N, true); },
  ], { rounds: 9, minSampleMs: 20 });
  console.log(`| ${M}×${N}×${K} | ${r.map((x) => gf(M, N, K, x.ms)).join(" | ")} |`);
}
const Ks = [64, 128, 256, 320, 512], runs = Ks.map((K) => { const o = operands(512, 128, K); e.pack_panels(K, 128, o.b, 128, 1, o.bp); return () => e.gemm_f32_4x8_packed(512, 128, K, o.a, 1, 512, o.bp, o.c, 128, true); });
const r = await alternate(runs, { rounds: 9, minSampleMs: 20 });
console.log(`packed 512×128×K, GFLOP/s: ${Ks.map((K, i) => `K ${K}: ${gf(512, 128, K, r[i].ms)}`).join(", ")}`);
