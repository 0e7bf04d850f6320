// The other builds on the same configurations, each in child processes running bench/run.mjs with
// --threads-child / --relaxed-child (Node 20 needs a flag for relaxed SIMD): the threaded build on
// 2 threads, with relaxed SIMD too, and the relaxed-SIMD build on one thread. Each child runs twice
// (once with --quick) and the lower median per row is kept.
import { execFileSync } from "node:child_process";

const RUN = new URL("../run.mjs", import.meta.url).pathname;
const RELAXED_FLAG = ["--experimental-wasm-relaxed-simd"];

/** The lower median of two child runs, row by row; the higher GEMM peak. */
const lowerOf = (a, b) => (a && b ? { ...a, peak: Math.max(a.peak, b.peak), rows: a.rows.map((r, i) => ({ ...r, trainMs: Math.min(r.trainMs, b.rows[i].trainMs), fwdMs: Math.min(r.fwdMs, b.rows[i].fwdMs) })) } : a ?? b);

/** Run bench/run.mjs as a child with node flags and script flags (twice unless quick); null if the
 *  child did not get the build it asked for. */
function childRuns(nodeFlags, flags, ok, quick) {
  const once = () => {
    const out = execFileSync(process.execPath, [...nodeFlags, RUN, ...flags, ...(quick ? ["--quick"] : [])], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const r = JSON.parse(out.trim().split("\n").pop());
    return ok(r) ? r : null;
  };
  const first = once();
  return first && !quick ? lowerOf(first, once()) : first;
}

export function otherBuilds(quick) {
  let threaded = null, threadedRelaxed = null, relaxed = null;
  try {
    threaded = childRuns([], ["--threads-child"], (r) => r.threads === 2, quick);
    threadedRelaxed = childRuns(RELAXED_FLAG, ["--threads-child", "--relaxed-child"], (r) => r.threads === 2 && r.relaxedSimd, quick);
  } catch (e) { console.log(`threaded run failed: ${e.message}`); }
  try {
    relaxed = childRuns(RELAXED_FLAG, ["--relaxed-child"], (r) => r.relaxedSimd, quick);
  } catch (e) { console.log(`relaxed-SIMD run failed: ${e.message}`); }
  return { threaded, threadedRelaxed, relaxed };
}
