#!/usr/bin/env node
// The Neural ODE against torchdiffeq on PyTorch (CPU, one thread), alternated in one run: the
// spiral demo's shape (MLP 2→50→tanh→2, a batch of 20 windows of 10 times), forward + backprop
// per training iteration, the same weights, times and gradients on both sides. torchdiffeq runs
// in a persistent Python process (bench/peers/torchdiffeq_worker.py) that times its own loop, so
// no process start or pipe is inside a sample; samples go ours, theirs, ours, … for ROUNDS rounds.
// Usage: npm run build && node bench/peers/ode.mjs [--rounds N]   (needs Debian python3-torch,
// python3-scipy, and ../shared/peers/torchdiffeq). Writes bench/results/ode-peer.json, prints a table, and
// renders the Neural ODE section of bench/RESULTS.md (bench/tools/ode-report.mjs).
import { writeFileSync } from "node:fs";
import * as R from "../../dist/index.js";
import { spiralBatch, torchdiffeqPeer } from "./ode-common.mjs";
import { median } from "../tools/timing.mjs";
import { writeOdeSection } from "../tools/ode-report.mjs";

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const ROUNDS = arg("rounds", 15);
await R.init();

const peer = torchdiffeqPeer(), ask = peer.ask;
const { B, S, D, times, h0, g, gTorch } = spiralBatch();

const CASES = [
  { label: "dopri5, backprop (rtol 1e-7, atol 1e-9)", method: "dopri5", rtol: 1e-7, atol: 1e-9, substeps: 1 },
  { label: "dopri5, backprop (rtol 1e-5, atol 1e-7)", method: "dopri5", rtol: 1e-5, atol: 1e-7, substeps: 1 },
  { label: "dopri5, adjoint (rtol 1e-7, atol 1e-9)", method: "dopri5", rtol: 1e-7, atol: 1e-9, substeps: 1, gradient: "adjoint" },
  { label: "dopri5, adjoint, seminorm (rtol 1e-7, atol 1e-9)", method: "dopri5", rtol: 1e-7, atol: 1e-9, substeps: 1, gradient: "adjoint", adjointNorm: "seminorm" },
  { label: "rk4, 2 steps per interval (torchdiffeq: its 3/8 rule)", method: "rk4", substeps: 2 },
  { label: "euler, 4 steps per interval", method: "euler", substeps: 4 },
];
const rows = [];
for (const c of CASES) {
  const ode = new R.NeuralODE({ stateSize: D, hidden: [50], method: c.method, rtol: c.rtol, atol: c.atol, substeps: c.substeps, gradient: c.gradient ?? "backprop", adjointNorm: c.adjointNorm ?? "mixed", seed: 3 });
  const setup = await ask({ cmd: "setup", widths: [...ode.widths], act: "tanh", params: Object.fromEntries(Object.entries(ode.stateDict()).map(([k, v]) => [k, Array.from(v)])), B, times: Array.from(times), h0: Array.from(h0), g: gTorch, method: c.method, rtol: c.rtol, atol: c.atol, substeps: c.substeps, gradient: c.gradient, adjointNorm: c.adjointNorm });
  const ours = () => { ode.zeroGrad(); const f = ode.forward(h0, times, { batch: B }); const b = ode.backward({ states: g }); return [f.stats, b.stats]; };
  const [fs, bs] = ours();
  // samples of about 100 ms each side
  const t0 = performance.now(); ours(); const one = performance.now() - t0;
  const reps = Math.max(1, Math.round(100 / Math.max(one, 0.05)));
  const peerOne = (await ask({ cmd: "time", reps: 1 })).ms;
  const peerReps = Math.max(1, Math.round(100 / Math.max(peerOne, 0.05)));
  const a = [], p = [];
  for (let r = 0; r < ROUNDS; r++) {
    const s0 = performance.now();
    for (let i = 0; i < reps; i++) ours();
    a.push((performance.now() - s0) / reps);
    p.push((await ask({ cmd: "time", reps: peerReps })).ms);
  }
  const ms = median(a), pms = median(p);
  const row = { case: c.label, oursMs: ms, torchdiffeqMs: pms, ratio: pms / ms, oursNfe: fs.nfe, oursBackwardNfe: bs.nfe, oursSteps: fs.steps, torchdiffeqNfe: setup.nfe_forward, torchdiffeqBackwardNfe: setup.nfe_backward, torch: setup.torch, rounds: ROUNDS };
  // at an equal number of evaluations: the iteration's cost per forward evaluation of f (its
  // backward included: autograd replays the graph, our backprop recomputes and takes a VJP); for
  // the adjoint, whose backward evaluations both sides count, per evaluation forward and backward
  row.perEvalRatio = c.gradient === "adjoint"
    ? (pms / (setup.nfe_forward + setup.nfe_backward)) / (ms / (fs.nfe + bs.nfe))
    : (pms / setup.nfe_forward) / (ms / fs.nfe);
  row.gradient = c.gradient ?? "backprop";
  rows.push(row);
  console.log(`${c.label}: ours ${ms.toFixed(3)} ms (${fs.nfe} evaluations forward, ${bs.nfe} back), torchdiffeq ${pms.toFixed(3)} ms (${setup.nfe_forward} evaluations forward, ${setup.nfe_backward || "autograd"} back); ×${row.ratio.toFixed(1)} per iteration, ×${row.perEvalRatio.toFixed(1)} per forward evaluation`);
  ode.dispose();
}
await peer.close();
writeFileSync(new URL("../results/ode-peer.json", import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, B, S, rows }, null, 2) + "\n");
writeOdeSection();
