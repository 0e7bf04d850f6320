// Data of the irregular-sampling example and experiment: Rubanova et al.'s periodic toy, and the
// theophylline series (R datasets::Theoph, shipped in data/theoph.csv).
import { readFileSync } from "node:fs";
import { Rng } from "../../dist/index.js";

/** Sinusoids a·sin(ω t + φ) on a grid of `points` times over [0, 5] (a ∈ [0.5, 1.5], ω ∈ [1, 3],
 *  φ ∈ [0, 2π)), observed with noise N(0, noise²) at a random `rate` of the points. Task
 *  "interp": the observations fall anywhere, and every unobserved point is a query; "extrap":
 *  they fall in the first half only, and the second half is the query. Each series has every grid
 *  point as a step: x (the noisy value where observed, 0 elsewhere), mask, times, y (the clean
 *  value everywhere) and query (1 where the point is scored). */
export function sinusoids({ n, rate, task, seed, points = 100, noise = 0.05 }) {
  const rng = new Rng(seed), T = 5;
  const times = Float64Array.from({ length: points }, (_, k) => (T * k) / (points - 1));
  const out = { x: [], y: [], times: [], mask: [], query: [] };
  const window = task === "extrap" ? points / 2 : points;
  const nObs = Math.max(2, Math.round(rate * window));
  for (let i = 0; i < n; i++) {
    const a = 0.5 + rng.uniform(), w = 1 + 2 * rng.uniform(), ph = 2 * Math.PI * rng.uniform();
    const y = Float32Array.from(times, (t) => a * Math.sin(w * t + ph));
    // nObs distinct points of the window
    const idx = Array.from({ length: window }, (_, k) => k);
    rng.shuffle(idx);
    const obs = new Set(idx.slice(0, nObs));
    const mask = Float32Array.from(times, (_, k) => (obs.has(k) ? 1 : 0));
    const x = Float32Array.from(y, (v, k) => (mask[k] ? v + noise * rng.normal() : 0));
    const query = Float32Array.from(times, (_, k) => (task === "extrap" ? (k >= window ? 1 : 0) : mask[k] ? 0 : 1));
    out.x.push(x);
    out.y.push(y);
    out.times.push(times);
    out.mask.push(mask);
    out.query.push(query);
  }
  return out;
}

/** Forward-filled copies of the inputs (the last observed value, 0 before the first). */
export function forwardFill(d) {
  return d.x.map((x, i) => {
    const m = d.mask[i], out = new Float32Array(x.length);
    let last = 0;
    for (let k = 0; k < x.length; k++) {
      if (m[k]) last = x[k];
      out[k] = last;
    }
    return out;
  });
}

/** Theophylline: 12 subjects, 11 samples each: { subject, weight, dose (mg/kg), time (h), conc (mg/L) }. */
export function theophylline() {
  const text = readFileSync(new URL("../../data/theoph.csv", import.meta.url), "utf8").trim().split("\n").slice(1);
  const bySubject = new Map();
  for (const line of text) {
    const [, subj, wt, dose, time, conc] = line.split(",").map((v) => v.replace(/"/g, ""));
    const s = Number(subj);
    if (!bySubject.has(s)) bySubject.set(s, { subject: s, weight: Number(wt), dose: Number(dose), time: [], conc: [] });
    bySubject.get(s).time.push(Number(time));
    bySubject.get(s).conc.push(Number(conc));
  }
  return [...bySubject.values()].sort((a, b) => a.subject - b.subject);
}
