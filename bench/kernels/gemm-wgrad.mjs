// The weight-gradient GEMMs of BPTT, ∂W += ∂Aᵀ·h per segment (M = G·H, N = H or I, K = a segment's
// rows; ∂A [K, M] read transposed, h packed into K×8 panels), samples alternated, 15 rounds:
//   ld = M        ∂A's rows M floats apart, as before issue 18 (2 KiB for an LSTM of H = 128)
//   ld = M + 16   one cache line further apart, as layout.ts's dAStride lays them out now
//   row-major     the same product with A row-major (what the kernel reaches without transposing)
// and, for 512×128, the packed kernel alone at K from 64 to 512 (does the K split matter?).
// Run: npm run build && node bench/kernels/gemm-wgrad.mjs
import { readFileSync } from "node:fs";
import { alternate } from "../tools/timing.mjs";

const e =
  (await WebAssembly.instantiate(readFileSync(new URL("../../build/recurrent.wasm", import.meta.url)), {
    env: { abort() {
      throw new Error("abort");
    } },
  })).instance.exports;
let s = 1;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
/** C += A·B with B packed; A [M, K] read as ∂A [K, ld] transposed (ld given) or row-major. */
function gemm(M, N, K, ld) {
  const a = e.alloc(4 * (ld ?? K) * (ld ? K : M)), b = e.alloc(4 * K * N), bp = e.alloc(4 * K * N),
    c = e.alloc(4 * M * N);
  const f = new Float32Array(e.memory.buffer);
  for (let i = 0; i < (ld ?? K) * (ld ? K : M); i++) f[a / 4 + i] = rnd();
  for (let i = 0; i < K * N; i++) f[b / 4 + i] = rnd();
  e.pack_panels(K, N, b, N, 1, bp);
  return ld
    ? () => e.gemm_f32_4x8_packed(M, N, K, a, 1, ld, bp, c, N, true)
    : () => e.gemm_f32_4x8_packed(M, N, K, a, K, 1, bp, c, N, true);
}
const gf = (M, N, K, ms) => (2 * M * N * K / ms / 1e6).toFixed(1);
console.log("| M×N×K | ld = M, GFLOP/s | ld = M + 16 | row-major A |\n|---|---|---|---|");
for (const [M, N, K] of [[512, 128, 320], [384, 128, 320], [128, 128, 320], [1024, 256, 640], [256, 64, 160]]) {
  const r = await alternate([gemm(M, N, K, M), gemm(M, N, K, M + 16), gemm(M, N, K)], { rounds: 15, minSampleMs: 20 });
  console.log(`| ${M}×${N}×${K} | ${r.map((x) => gf(M, N, K, x.ms)).join(" | ")} |`);
}
const Ks = [64, 128, 256, 320, 512];
const r = await alternate(Ks.map((K) => gemm(512, 128, K, 512 + 16)), { rounds: 9, minSampleMs: 20 });
console.log(`512×128×K, ld = M + 16, GFLOP/s: ${Ks.map((K, i) => `K ${K}: ${gf(512, 128, K, r[i].ms)}`).join(", ")}`);
