// The one timing helper of bench/: every script here and the JavaScript peers (bench/peers/) time
// with it (the peer processes of bench/passes/suites/alternated.mjs take their samples with `call`). Two ways
// to measure:
//   measure(fn)            the median of repeated samples of one function (each sample long
//                          enough for the timer: calls are batched to at least minSampleMs);
//   alternate([f, g, …])   samples taken in turn (f, g, f, g, …), so that the machine's drift
//                          (a third within minutes on this VM) hits every function alike: the way
//                          to compare two things.
// Functions may return a promise (TF.js steps do); it is awaited inside the timed region.
// benchmark.js (on the design card) is not used: it cannot alternate samples between functions,
// and its calibration targets nanosecond operations, not millisecond training steps.

/** The clock samples are read from, in ms: wall time (performance.now), or with BENCH_CLOCK=cpu the
 *  CPU time this process used (process.cpuUsage: user + system), which time spent waiting for a
 *  core that another process holds does not advance; for A/B runs on a busy machine. */
const cpuClock = typeof process !== "undefined" && process.env?.BENCH_CLOCK === "cpu";
const now = cpuClock
  ? () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  : () => performance.now();

/** The median of a list of numbers (the mean of the two middle ones for an even count). */
export function median(a) {
  const s = [...a].sort((x, y) => x - y), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** ms per call of a synchronous fn over reps calls (one sample). */
export function perCall(fn, reps) {
  const t0 = now();
  for (let i = 0; i < reps; i++) fn();
  return (now() - t0) / reps;
}

/** ms per call of fn over reps calls, awaiting any promise it returns (one sample). */
export async function call(fn, reps) {
  const t0 = now();
  for (let i = 0; i < reps; i++) {
    const r = fn();
    if (r && typeof r.then === "function") await r;
  }
  return (now() - t0) / reps;
}

/** How many calls make one sample of at least minSampleMs (after `warmup` untimed calls). */
async function calibrate(fn, warmup, minSampleMs) {
  for (let i = 0; i < warmup; i++) await call(fn, 1);
  const t = await call(fn, 1);
  return Math.max(1, Math.ceil(minSampleMs / Math.max(t, 1e-4)));
}

/** Median ms per call of fn: samples until at least minSamples and then until maxSeconds or
 *  maxSamples. Returns { ms, samples, rme } (rme: the relative margin of error of the mean, %). */
export async function measure(fn,
  { minSamples = 20, maxSeconds = 4, maxSamples = Infinity, minSampleMs = 1, warmup = 1 } = {}) {
  const reps = await calibrate(fn, warmup, minSampleMs);
  const s = [], t0 = performance.now();
  while (s.length < minSamples || (s.length < maxSamples && performance.now() - t0 < maxSeconds * 1000)) {
    s.push(await call(fn, reps));
  }
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, s.length - 1));
  return { ms: median(s), samples: s.length, rme: (100 * 1.96 * sd) / Math.sqrt(s.length) / mean };
}

/** Median ms per call of each function, sampled in turn for `rounds` rounds (after `warmup`
 *  rounds): [{ ms, samples, all }] in the order given. */
export async function alternate(fns, { rounds = 20, warmup = 1, minSampleMs = 0 } = {}) {
  const reps = [];
  for (const fn of fns) reps.push(minSampleMs > 0 ? await calibrate(fn, 0, minSampleMs) : 1);
  const all = fns.map(() => []);
  for (let r = 0; r < warmup + rounds; r++) {
    for (let k = 0; k < fns.length; k++) {
      const t = await call(fns[k], reps[k]);
      if (r >= warmup) all[k].push(t);
    }
  }
  return all.map((s) => ({ ms: median(s), samples: s.length, all: s }));
}
