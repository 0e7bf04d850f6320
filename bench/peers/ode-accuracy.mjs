#!/usr/bin/env node
// Solver accuracy (issue 15): our dopri5 (float32) against scipy's DOP853 at rtol 1e-12 (float64)
// and beside JAX's odeint (Dormand–Prince) in float32 with the same tolerances, at the same times
// (ours lands on each; odeint steps past them and interpolates).
// Problems are vector fields a NeuralODE can hold (an MLP, optionally on h³): the DETEST-style
// classes it can express — A1 (y' = −y), A2 (y' = −y³/2), B2 and C1–C3 (linear systems of 3 and 10
// equations) — a damped and an undamped linear oscillator, the spiral y' = y³A, and three random
// MLP fields (tanh, softplus with time input). The damped oscillator is also checked against its
// matrix exponential. Error: the RMS over every requested time and component of (ours − reference),
// relative to the reference's RMS.
// Usage: npm run build && node bench/peers/ode-accuracy.mjs [--quick]   (JAX and SciPy: npm run
// bench:peers). Writes bench/results/ode-accuracy.json and the Neural ODE section of
// bench/RESULTS.md; --quick (the first three problems) writes ode-accuracy.partial.json and leaves
// RESULTS.md alone.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as R from "../../dist/index.js";
import { writeOdeSection } from "../tools/ode-report.mjs";
import { ONE_THREAD, odePython, resultsFile } from "./ode-common.mjs";

await R.init();
const TOLS = [[1e-3, 1e-6], [1e-6, 1e-9]];
const S = 11;
const grid = (T) => Array.from({ length: S }, (_, k) => T * (k / (S - 1)) ** 1.3); // irregular
const linear = (name, M, h0, T) => ({ name, widths: [M.length, M.length], activation: "tanh", timeInput: false,
  inputMap: "identity", params: { "net.0.weight": M.flat(), "net.0.bias": new Array(M.length).fill(0) }, h0,
  times: grid(T) });
const chain = (n, f) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => f(i, j)));

const PROBLEMS = [linear("A1: y' = −y", [[-1]], [1], 20), { ...linear("A2: y' = −y³/2", [[-0.5]], [1], 20),
  inputMap: "cube" }, linear("B2: 3 linear equations", [[-1, 1, 0], [1, -2, 1], [0, 1, -1]], [2, 0, 1], 20),
  linear("C1: 10-equation chain", chain(10, (i, j) => (i === j ? (i < 9 ? -1 : 0) : j === i - 1 ? 1 : 0)), [1, 0, 0, 0,
    0, 0, 0, 0, 0, 0], 20),
  linear("C2: 10-equation chain, rates 1..9",
    chain(10, (i, j) => (i === j ? (i < 9 ? -(i + 1) : 0) : j === i - 1 ? i : 0)), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], 20),
  linear("C3: 10-equation tridiagonal", chain(10, (i, j) => (i === j ? -2 : Math.abs(i - j) === 1 ? 1 : 0)), [1, 0, 0,
    0, 0, 0, 0, 0, 0, 0], 20), linear("damped oscillator (also vs expm)", [[-0.1, 2], [-2, -0.1]], [2, 0], 20),
  linear("undamped oscillator", [[0, 1], [-1, 0]], [1, 0], 20), {
  ...linear("spiral y' = y³A", [[-0.1, -2], [2, -0.1]], [2, 0], 25),
  inputMap: "cube",
}];
// random MLP fields (PyTorch's Linear init, seeded, weights ×2 for livelier dynamics)
for (const [name, widths, act, ti, T, seed] of [["MLP 2→16→2 tanh", [2, 16, 2], "tanh", false, 10, 1], [
  "MLP 3→32→32→3 softplus, time input",
  [4, 32, 32, 3],
  "softplus",
  true,
  5,
  2,
], ["MLP 4→64→4 tanh", [4, 64, 4], "tanh", false, 10, 3]]) {
  const D = widths[widths.length - 1];
  const m = new R.NeuralODE({ stateSize: D, hidden: widths.slice(1, -1), activation: act, timeInput: ti, seed });
  const params = Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v, (x) => 2 * x)]));
  m.dispose();
  const rng = new R.Rng(seed);
  PROBLEMS.push({ name, widths, activation: act, timeInput: ti, inputMap: "identity", params,
    h0: Array.from({ length: D }, () => 2 * rng.uniform() - 1), times: grid(T) });
}

// the references and JAX, one Python process
const quick = process.argv.includes("--quick");
if (quick) PROBLEMS.splice(3);
const py = spawnSync(odePython(), [new URL("./ode_accuracy.py", import.meta.url).pathname], {
  input: JSON.stringify(PROBLEMS.map((p) => ({ ...p, tolerances: TOLS }))),
  encoding: "utf8",
  env: { ...process.env, ...ONE_THREAD },
  maxBuffer: 1 << 28,
});
if (py.status !== 0) {
  console.error(py.stderr);
  process.exit(1);
}
const { peer, scipy, results } = JSON.parse(py.stdout);

const relErr = (got, ref) => {
  let e = 0, n = 0;
  ref.forEach((row, s) =>
    row.forEach((v, d) => {
      e += (got[s][d] - v) ** 2;
      n += v * v;
    })
  );
  return Math.sqrt(e / n);
};
const rows = [];
for (const [i, p] of PROBLEMS.entries()) {
  const ref = results[i].reference, D = p.h0.length;
  const row = { problem: p.name, D, referenceEvaluations: results[i].referenceEvaluations, tolerances: [] };
  for (const [k, [rtol, atol]] of TOLS.entries()) {
    const m = new R.NeuralODE({ stateSize: D, hidden: p.widths.slice(1, -1), activation: p.activation,
      timeInput: p.timeInput, inputMap: p.inputMap, rtol, atol, maxSteps: 100000 });
    m.loadStateDict(Object.fromEntries(Object.entries(p.params).map(([n, v]) => [n, Float32Array.from(v)])));
    const r = m.forward(Float32Array.from(p.h0), Float64Array.from(p.times), { batch: 1 });
    m.dispose();
    const ours = Array.from({ length: S }, (_, s) => Array.from(r.states.subarray(s * D, s * D + D)));
    const q = results[i].peer[k];
    row.tolerances.push({ rtol, atol, ours: relErr(ours, ref), oursEvaluations: r.stats.nfe,
      peer: relErr(q.states, ref), peerEvaluations: q.evaluations });
  }
  rows.push(row);
  console.log(
    `${p.name}: ${
      row.tolerances.map((t) =>
        `rtol ${t.rtol}: ours ${t.ours.toExponential(1)} (${t.oursEvaluations}), JAX f32 ${
          t.peer.toExponential(1)
        } (${t.peerEvaluations})`
      ).join("; ")
    }`,
  );
}

// the damped oscillator against its matrix exponential: y(t) = e^{−0.1t}·[2cos 2t, −2 sin 2t]
const osc = PROBLEMS.findIndex((p) => p.name.startsWith("damped"));
let refVsExpm = null;
if (osc >= 0) {
  const expm = PROBLEMS[osc].times.map((
    t,
  ) => [2 * Math.exp(-0.1 * t) * Math.cos(2 * t), -2 * Math.exp(-0.1 * t) * Math.sin(2 * t)]);
  refVsExpm = relErr(results[osc].reference, expm);
  console.log(`the DOP853 reference of the damped oscillator against expm: ${refVsExpm.toExponential(1)}`);
}
writeFileSync(resultsFile("ode-accuracy", quick),
  JSON.stringify({ date: new Date().toISOString(), peer, scipy, times: S, referenceVsExpm: refVsExpm, rows }, null, 1)
    + "\n");
if (!quick) writeOdeSection();
