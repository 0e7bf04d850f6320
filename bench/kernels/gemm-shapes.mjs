// The recurrences' per-step GEMM C[B, G·H] = h[B, H]·W_hhᵀ with W_hhᵀ row-major (G·H floats per
// row: 1–4 KiB, a power-of-two multiple of 256 bytes) against the same W_hhᵀ packed into K×8
// panels (pack_panels), for the bench configurations' shapes: the two alternated, 15 samples of
// at least 2 ms each. Run: npm run build && node bench/kernels/gemm-shapes.mjs
import { init } from "../../dist/index.js";
import { core as wasm } from "../../dist/core.js";
import { alternate } from "../tools/timing.mjs";

await init();
const c = wasm();
let s = 1;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
console.log("| shape M×N×K (B, G·H, H) | row-major B: GFLOP/s | packed B: GFLOP/s | speed-up |\n|---|---|---|---|");
for (const [M, N, K, what] of [[32, 256, 64, "LSTM small"], [32, 512, 128, "LSTM medium"], [32, 384, 128, "GRU medium"],
  [64, 1024, 256, "LSTM large"], [64, 768, 256, "GRU large"], [64, 256, 256, "Elman large"]]) {
  const a = c.alloc(4 * M * K), b = c.alloc(4 * K * N), bp = c.alloc(4 * K * N), out = c.alloc(4 * M * N);
  const f = new Float32Array(c.memory.buffer);
  for (let i = 0; i < M * K; i++) f[a / 4 + i] = rnd();
  for (let i = 0; i < K * N; i++) f[b / 4 + i] = rnd();
  c.pack_panels(K, N, b, N, 1, bp);
  const [row, packed] = await alternate([() => c.gemm_f32_4x8_wasmsimd(M, N, K, a, K, 1, b, N, out, N, false),
    () => c.gemm_f32_4x8_packed(M, N, K, a, K, 1, bp, out, N, false)], { rounds: 15, minSampleMs: 2 });
  const gf = (ms) => (2 * M * N * K) / (ms * 1e6);
  const tr = row.ms, tp = packed.ms;
  console.log(`| ${M}×${N}×${K} (${what}) | ${gf(tr).toFixed(1)} | ${gf(tp).toFixed(1)} | ${(tr / tp).toFixed(2)}× |`);
  for (const p of [a, b, bp, out]) c.free(p);
}
