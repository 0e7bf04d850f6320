// recurrent-wasm as a peer process of bench/suites/alternated.mjs (protocol: serve.mjs): the steps of
// bench/suites/common.mjs on the build given by argv: `ours_worker.mjs THREADS [relaxed]` (a process
// runs one build and thread count; relaxed SIMD needs node --experimental-wasm-relaxed-simd on
// Node 20).
import { init } from "../../dist/index.js";
import { core } from "../../dist/core.js";
import { oursSteps, rnd } from "../suites/common.mjs";
import { serve } from "./serve.mjs";

const threads = +(process.argv[2] ?? 1), relaxedSimd = process.argv[3] === "relaxed";
const got = await init({ threads, relaxedSimd });
await serve({
  info: () => ({ threads: got.threads, relaxedSimd: got.relaxedSimd, ...(got.threads !== threads || got.relaxedSimd !== relaxedSimd ? { error: `asked for ${threads} thread(s)${relaxedSimd ? " and relaxed SIMD" : ""}, got ${got.threads}${got.relaxedSimd ? " with relaxed SIMD" : ""}` } : {}) }),
  setup: (o) => oursSteps(o.cell, o),
  mm: ({ n }) => ({ gflops: gemmGflops(n) }),
});

/** This build's packed f32x4 GEMM on N×N×N (B in K×8 panels, as the recurrences run it), GFLOP/s
 *  over about 150 ms of calls, after 300 ms of untimed ones (V8 starts a function in its baseline
 *  compiler and swaps in the optimized code when a background thread has it): the peak that
 *  bench/suites/alternated.mjs compares with its own. */
function gemmGflops(N) {
  const c = core(), [pa, pb, pc, pp] = [0, 1, 2, 3].map(() => c.alloc(4 * N * N));
  for (const p of [pa, pb]) { const v = new Float32Array(c.memory.buffer, p, N * N); for (let i = 0; i < v.length; i++) v[i] = rnd(); }
  c.pack_panels(N, N, pb, N, 1, pp);
  const fn = () => c.gemm_f32_4x8_packed(N, N, N, pa, N, 1, pp, pc, N, false);
  let calls = 0;
  for (const w0 = performance.now(); performance.now() - w0 < 300; calls++) fn();
  const reps = Math.max(1, Math.round(calls / 2)), t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const ms = (performance.now() - t0) / reps;
  for (const p of [pa, pb, pc, pp]) c.free(p);
  return (2 * N ** 3) / (ms * 1e6);
}
