#!/usr/bin/env node
// The Neural ODE against JAX (jax.experimental.ode.odeint and fixed-step schemes written in JAX; CPU,
// one thread), alternated in one run: the spiral demo's shape (MLP 2→50→tanh→2, a batch of 20
// windows of 10 times), forward + gradient per training iteration, the same weights, times and
// gradients on both sides. JAX runs in a persistent Python process (bench/peers/ode_jax_worker.py)
// that jits its iteration once and times its own loop, so no compilation, process start or pipe is
// inside a sample; samples go ours, theirs, ours, … for ROUNDS rounds. JAX's odeint differentiates
// by its adjoint only: our backprop rows are set beside it, and it has no seminorm (that row is ours
// alone).
// Usage: npm run bench:ode (this, then ode-adjoint.mjs and ode-accuracy.mjs), or
//   npm run build && node bench/peers/ode.mjs [--rounds N]   (JAX and SciPy: npm run bench:peers).
// Writes bench/results/ode-peer.json (ode-peer.partial.json with --rounds, leaving RESULTS.md alone),
// prints a table, and renders the Neural ODE section of bench/RESULTS.md (bench/tools/ode-report.mjs).
import { writeFileSync } from "node:fs";
import * as R from "../../dist/index.js";
import { jaxPeer, resultsFile, spiralBatch } from "./ode-common.mjs";
import { median } from "../tools/timing.mjs";
import { writeOdeSection } from "../tools/ode-report.mjs";

const arg = (k, d) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const ROUNDS = arg("rounds", 15), partial = process.argv.includes("--rounds");
await R.init();

const peer = jaxPeer(), ask = peer.ask;
const { B, S, D, times, h0, g, gPeer } = spiralBatch();

const CASES = [{ label: "dopri5, backprop (rtol 1e-7, atol 1e-9)", method: "dopri5", rtol: 1e-7, atol: 1e-9,
  substeps: 1 }, { label: "dopri5, backprop (rtol 1e-5, atol 1e-7)", method: "dopri5", rtol: 1e-5, atol: 1e-7,
  substeps: 1 }, { label: "dopri5, adjoint (rtol 1e-7, atol 1e-9)", method: "dopri5", rtol: 1e-7, atol: 1e-9,
  substeps: 1, gradient: "adjoint" }, { label: "dopri5, adjoint, seminorm (rtol 1e-7, atol 1e-9)", method: "dopri5",
  rtol: 1e-7, atol: 1e-9, substeps: 1, gradient: "adjoint", adjointNorm: "seminorm" }, {
  label: "rk4, 2 steps per interval",
  method: "rk4",
  substeps: 2,
}, { label: "euler, 4 steps per interval", method: "euler", substeps: 4 }];
const rows = [];
let version;
for (const c of CASES) {
  const ode = new R.NeuralODE({ stateSize: D, hidden: [50], method: c.method, rtol: c.rtol, atol: c.atol,
    substeps: c.substeps, gradient: c.gradient ?? "backprop", adjointNorm: c.adjointNorm ?? "mixed", seed: 3 });
  const setup = await ask({ cmd: "setup", widths: [...ode.widths], act: "tanh",
    params: Object.fromEntries(Object.entries(ode.stateDict()).map(([k, v]) => [k, Array.from(v)])), B,
    times: Array.from(times), h0: Array.from(h0), g: gPeer, method: c.method, rtol: c.rtol, atol: c.atol,
    substeps: c.substeps, gradient: c.gradient, adjointNorm: c.adjointNorm });
  const ours = () => {
    ode.zeroGrad();
    const f = ode.forward(h0, times, { batch: B });
    const b = ode.backward({ states: g });
    return [f.stats, b.stats];
  };
  const [fs, bs] = ours();
  if (!setup.error) version = setup.jax;
  // samples of about 100 ms each side (ours alone where the peer has no such solver)
  const t0 = performance.now();
  ours();
  const one = performance.now() - t0;
  const reps = Math.max(1, Math.round(100 / Math.max(one, 0.05)));
  const peerReps = setup.error
    ? 0
    : Math.max(1, Math.round(100 / Math.max((await ask({ cmd: "time", reps: 1 })).ms, 0.05)));
  const a = [], p = [];
  for (let r = 0; r < ROUNDS; r++) {
    const s0 = performance.now();
    for (let i = 0; i < reps; i++) ours();
    a.push((performance.now() - s0) / reps);
    if (peerReps) p.push((await ask({ cmd: "time", reps: peerReps })).ms);
  }
  const ms = median(a), oursGradient = c.gradient ?? "backprop";
  const row = { case: c.label, gradient: oursGradient, oursMs: ms, oursNfe: fs.nfe, oursBackwardNfe: bs.nfe,
    oursSteps: fs.steps, rounds: ROUNDS };
  if (setup.error) row.peerError = setup.error;
  else {
    const pms = median(p);
    Object.assign(row, { peerMs: pms, ratio: pms / ms, peerNfe: setup.nfe_forward, peerBackwardNfe: setup.nfe_backward,
      peerGradient: setup.gradient });
    // per evaluation each side counts: the forward ones where the backward is autograd or our
    // backprop (autograd replays the graph, our backprop recomputes and takes a VJP), forward and
    // backward ones where it is an adjoint (its backward evaluations are counted)
    row.perEvalRatio = (pms / (setup.nfe_forward + setup.nfe_backward))
      / (ms / (fs.nfe + (oursGradient === "adjoint" ? bs.nfe : 0)));
  }
  rows.push(row);
  console.log(
    `${c.label}: ours ${ms.toFixed(3)} ms (${fs.nfe} evaluations forward, ${bs.nfe} back), ${
      row.peerError
        ? `JAX: ${row.peerError}`
        : `JAX ${row.peerMs.toFixed(3)} ms (${row.peerNfe} evaluations forward, ${
          row.peerBackwardNfe || "autograd"
        } back; ${row.peerGradient}); ×${row.ratio.toFixed(1)} per iteration, ×${
          row.perEvalRatio.toFixed(1)
        } per evaluation`
    }`,
  );
  ode.dispose();
}
await peer.close();
writeFileSync(resultsFile("ode-peer", partial),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, peer: `JAX ${version}`, B, S, rows }, null, 2)
    + "\n");
if (!partial) writeOdeSection();
