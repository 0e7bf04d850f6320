// Median wall time of an async step: one warm-up call, then samples until at least `minSamples`
// and either `maxSamples` or `budget` seconds are reached.
export async function timeIt(fn, budget = 8, minSamples = 3, maxSamples = 30) {
  await fn();
  const s = [];
  const t0 = performance.now();
  while (s.length < minSamples || (s.length < maxSamples && performance.now() - t0 < budget * 1000)) {
    const a = performance.now();
    await fn();
    s.push(performance.now() - a);
  }
  s.sort((a, b) => a - b);
  const m = s.length >> 1;
  return { ms: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, samples: s.length };
}
