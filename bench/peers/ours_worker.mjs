// recurrent-wasm as a peer process of bench/passes/suites/alternated.mjs (protocol: serve.mjs): the steps of
// bench/passes/suites/common.mjs on the build given by argv: `ours_worker.mjs THREADS [relaxed]` (a process
// runs one build and thread count; relaxed SIMD needs node --experimental-wasm-relaxed-simd on
// Node 20).
import { init } from "../../dist/index.js";
import { core } from "../../dist/core.js";
import { oursSteps, gemmSampler } from "../passes/suites/common.mjs";
import { serve } from "./serve.mjs";

const threads = +(process.argv[2] ?? 1), relaxedSimd = process.argv[3] === "relaxed";
const got = await init({ threads, relaxedSimd }), samplers = {};
await serve({
  info: () => ({ threads: got.threads, relaxedSimd: got.relaxedSimd,
    ...(got.threads !== threads || got.relaxedSimd !== relaxedSimd
      ? {
        error: `asked for ${threads} thread(s)${relaxedSimd ? " and relaxed SIMD" : ""}, got ${got.threads}${
          got.relaxedSimd ? " with relaxed SIMD" : ""
        }`,
      }
      : {}) }),
  setup: (o) => oursSteps(o.cell, o),
  // this build's GEMM peak: one sampler per size, warmed up once (common.mjs gemmSampler)
  mm: ({ n }) => ({ gflops: (samplers[n] ??= gemmSampler(core(), { N: n })).sample() }),
});
