// The data: the Qian & Sejnowski files (one residue and its label per line, proteins between
// "<>" lines) and the per-residue input features.
import { readFileSync } from "node:fs";
import { o } from "./options.mjs";

export const AA = "ACDEFGHIKLMNPQRSTVWY", LABELS = "_eh", NAMES = ["coil", "strand", "helix"];
export function parse(file) {
  const seqs = [];
  let cur = null;
  for (const line of readFileSync(new URL(`../../data/${file}`, import.meta.url), "utf8").split("\n")) {
    const t = line.trim().split(/\s+/);
    if (!t[0]) continue;
    if (t[0] === "<>" || t[0] === "end" || t[0] === "<end>") {
      if (cur?.aa.length) seqs.push(cur);
      cur = null;
      continue;
    }
    cur ??= { aa: [], ss: [] };
    cur.aa.push(AA.indexOf(t[0]));
    cur.ss.push(LABELS.indexOf(t[1]));
  }
  if (cur?.aa.length) seqs.push(cur);
  return seqs;
}

/** Per-residue features: the one-hots of the residue and its ±w neighbours (zeros past the ends);
 *  with an rng, each residue is dropped (all zeros) with probability `--dropout`. */
export function onehots(s, w, rng = null) {
  const T = s.aa.length, F = 20 * (2 * w + 1), x = new Float32Array(T * F);
  const keep = Array.from({ length: T }, () => !rng || rng.uniform() >= o.dropout);
  for (let t = 0; t < T; t++) {
    for (let o = -w; o <= w; o++) {
      const u = t + o;
      if (u >= 0 && u < T && s.aa[u] >= 0 && keep[u]) x[t * F + (o + w) * 20 + s.aa[u]] = 1;
    }
  }
  return x;
}
/** Global features of a protein: its amino-acid composition (20 fractions) and log length. */
export function composition(s) {
  const g = new Float64Array(21);
  for (const a of s.aa) if (a >= 0) g[a] += 1 / s.aa.length;
  g[20] = Math.log(s.aa.length);
  return g;
}
/** Standardizes global features with the training proteins' mean and standard deviation. */
export function standardizer(proteins) {
  const G = proteins.map(composition), mean = new Float64Array(21), variance = new Float64Array(21);
  for (const g of G) {
    g.forEach((v, j) => {
      mean[j] += v / G.length;
    });
  }
  for (const g of G) {
    g.forEach((v, j) => {
      variance[j] += (v - mean[j]) ** 2 / G.length;
    });
  }
  return (s) => Float32Array.from(composition(s), (v, j) => (v - mean[j]) / (Math.sqrt(variance[j]) || 1));
}
/** Appends a protein's global features (never dropped) to every residue's features. */
export function withGlobal(x, T, g) {
  const F = x.length / T, G = g.length, out = new Float32Array(T * (F + G));
  for (let t = 0; t < T; t++) {
    out.set(x.subarray(t * F, t * F + F), t * (F + G));
    out.set(g, t * (F + G) + F);
  }
  return out;
}
/** Second-stage features: first-stage probabilities [T·3] over a ±w window. */
export function windowed(p, T, w) {
  const F = 3 * (2 * w + 1), x = new Float32Array(T * F);
  for (let t = 0; t < T; t++) {
    for (let o = -w; o <= w; o++) {
      const u = t + o;
      if (u >= 0 && u < T) x.set(p.subarray(3 * u, 3 * u + 3), t * F + (o + w) * 3);
    }
  }
  return x;
}
