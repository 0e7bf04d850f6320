#!/usr/bin/env node
// Categorical HMMs against pomegranate 0.14 (Debian python3-pomegranate, Cython, one thread),
// alternated in one run: the posteriors of every sequence (forward–backward; ours predictProba,
// theirs predict_proba per sequence) and one Baum–Welch iteration (one E-step and one M-step: ours
// fit with nIter 1, theirs summarize + from_summaries), on the same parameters and symbols.
// pomegranate runs in a persistent Python process (bench/peers/pomegranate_worker.py) that times
// its own loop, so no process start or pipe is inside a sample; samples go ours, theirs, ours, …
// Usage: npm run build && node bench/peers/hmm.mjs [--rounds N]
// (needs: apt-get install python3-pomegranate). Writes bench/results/hmm-peer.json, prints a table and
// renders the HMM section of bench/RESULTS.md.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { writeFileSync } from "node:fs";
import * as R from "../../dist/index.js";
import { median } from "../tools/timing.mjs";
import { writeHmmSection } from "../tools/hmm-report.mjs";

const arg = (k, d) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const ROUNDS = arg("rounds", 9);
await R.init();

const py = spawn("/usr/bin/python3", [new URL("./pomegranate_worker.py", import.meta.url).pathname], {
  stdio: ["pipe", "pipe", "inherit"],
  env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
});
const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
const ask = async (cmd) => {
  py.stdin.write(JSON.stringify(cmd) + "\n");
  const { value } = await lines.next();
  const r = JSON.parse(value);
  if (r.error) throw new Error(r.error);
  return r;
};

const M = 20, S = 100, T = 1000;
const rows = [];
let version = "";
for (const K of [8, 32]) {
  // a sticky chain with peaked emissions, seeded; the symbols are sampled from it
  const rng = new R.Rng(K);
  const rowsOf = (r, c, diag) => {
    const a = Float64Array.from({ length: r * c },
      (_, i) => 0.05 + rng.uniform() + (diag && i % c === Math.floor(i / c) ? diag : 0));
    for (let i = 0; i < r; i++) {
      let s = 0;
      for (let j = 0; j < c; j++) s += a[i * c + j];
      for (let j = 0; j < c; j++) a[i * c + j] /= s;
    }
    return a;
  };
  const params = { startprob: rowsOf(1, K, 0), transmat: rowsOf(K, K, K / 2), emissionprob: rowsOf(K, M, 0) };
  const hmm = new R.CategoricalHMM({ nComponents: K, nFeatures: M, nIter: 1 });
  hmm.setParams(params);
  const X = new Int32Array(S * T);
  for (let s = 0; s < S; s++) X.set(hmm.sample(T, { seed: 1000 * K + s }).X, s * T);
  const L = new Int32Array(S).fill(T);
  const setup = await ask({ cmd: "setup", K, M, start: Array.from(params.startprob), trans: Array.from(params.transmat),
    emission: Array.from(params.emissionprob), X: Array.from(X), lengths: Array.from(L) });
  version = setup.pomegranate;
  const ours = hmm.score(X, L), theirs = (await ask({ cmd: "score" })).score;
  const ops = { posteriors: () => hmm.predictProba(X, L),
    em: () => {
      hmm.setParams(params);
      const t0 = performance.now();
      hmm.fit(X, L, { initParams: "" });
      return performance.now() - t0;
    } };
  for (const op of ["posteriors", "em"]) {
    const timeOurs = () => {
      if (op === "em") return ops.em();
      const t0 = performance.now();
      ops.posteriors();
      return performance.now() - t0;
    };
    timeOurs();
    await ask({ cmd: "time", op, reps: 1 }); // warm-up both
    const a = [], p = [];
    for (let r = 0; r < ROUNDS; r++) {
      let ms = 0;
      for (let i = 0; i < 3; i++) ms += timeOurs();
      a.push(ms / 3);
      p.push((await ask({ cmd: "time", op, reps: 1 })).ms);
    }
    const ratios = a.map((v, i) => p[i] / v);
    const row = { K, M, sequences: S, length: T, op, oursMs: median(a), pomegranateMs: median(p),
      speedup: median(ratios), spread: [Math.min(...ratios), Math.max(...ratios)], oursScore: ours,
      pomegranateScore: theirs, rounds: ROUNDS };
    rows.push(row);
    console.log(
      `K = ${K}, ${op}: ours ${row.oursMs.toFixed(1)} ms, pomegranate ${row.pomegranateMs.toFixed(1)} ms: ×${
        row.speedup.toFixed(2)
      } (rounds ${row.spread.map((v) => v.toFixed(2)).join("–")}); log-likelihood ${ours.toFixed(6)} vs ${
        theirs.toFixed(6)
      } (rel. ${(Math.abs(ours - theirs) / Math.abs(theirs)).toExponential(1)})`,
    );
  }
  hmm.dispose();
}
py.stdin.write(JSON.stringify({ cmd: "quit" }) + "\n");
writeFileSync(new URL("../results/hmm-peer.json", import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, pomegranate: version, rows }, null, 2)
    + "\n");
writeHmmSection();
