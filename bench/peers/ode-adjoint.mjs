#!/usr/bin/env node
// The adjoint method, measured (issue 15): on the spiral demo's shape (MLP 2→50→tanh→2, a batch of
// 20 windows of 10 times, the same weights, times and gradients as bench/peers/ode.mjs):
//  1. memory: the workspace of backprop and of the adjoint as the steps grow 10× (rk4, 10 and 100
//     steps per interval; dopri5 at maxSteps 10⁴ and 10⁵), and the time of an iteration of each,
//     samples alternated;
//  2. tolerance: on a problem where the tolerance matters (the same MLP with its weights ×3, 10
//     times on [0, 10]; the spiral windows span 0.23 time units and every tolerance gives the
//     float32 gradient there), at rtol 1e-3 … 1e-7 (atol = rtol/100), the evaluations of the forward and of each
//     backward (backprop, adjoint with the mixed norm, adjoint with the seminorm), how far the
//     adjoint gradient is from backprop's, and how far each is from the converged gradient (JAX's
//     odeint in float64 at rtol 1e-12, through its adjoint); JAX's own float32 odeint adjoint
//     (one RMS norm over the whole augmented state, one step size for the batch) at the same
//     tolerance beside ours.
// Usage: npm run build && node bench/peers/ode-adjoint.mjs [--quick]   (JAX and SciPy: npm run
// bench:peers). Writes bench/results/ode-adjoint.json and the Neural ODE section of
// bench/RESULTS.md (bench/tools/ode-report.mjs); --quick (two memory cases, rtol 1e-3 and 1e-5)
// writes ode-adjoint.partial.json and leaves RESULTS.md alone.
import { writeFileSync } from "node:fs";
import * as R from "../../dist/index.js";
import { jaxPeer, resultsFile, spiralBatch } from "./ode-common.mjs";
import { median } from "../tools/timing.mjs";
import { writeOdeSection } from "../tools/ode-report.mjs";

await R.init();
const quick = process.argv.includes("--quick");
const peer = jaxPeer(), ask = peer.ask;
const { B, S, D, times, h0, g, gPeer } = spiralBatch();
const flatGrads = (m) => Float64Array.from(m.parameterSlots().flatMap((s) => Array.from(m.grads()[s.name])));
const relDiff = (a, b) => {
  let n = 0, d = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d / n);
};
const mk = (o) => new R.NeuralODE({ stateSize: D, hidden: [50], seed: 3, ...o });
const iterate = (m) => {
  m.zeroGrad();
  const f = m.forward(h0, times, { batch: B });
  const b = m.backward({ states: g });
  return { f: f.stats, b: b.stats };
};

// 1. memory and time as the steps grow
const memory = [];
for (const [label, o] of [["rk4, 10 steps per interval", { method: "rk4", substeps: 10 }], [
  "rk4, 100 steps per interval",
  { method: "rk4", substeps: 100 },
], ["dopri5 rtol 1e-7, maxSteps 10⁴", { maxSteps: 1e4 }], ["dopri5 rtol 1e-7, maxSteps 10⁵", { maxSteps: 1e5 }]].slice(
  0,
  quick ? 2 : 4,
)) {
  const bp = mk({ ...o, gradient: "backprop" }), adj = mk({ ...o, gradient: "adjoint" });
  const st = [iterate(bp), iterate(adj)];
  const ms = [[], []];
  const reps = o.substeps === 100 ? 1 : 5;
  for (let r = 0; r < 7; r++) {
    for (const [i, m] of [bp, adj].entries()) {
      const t0 = performance.now();
      for (let k = 0; k < reps; k++) iterate(m);
      ms[i].push((performance.now() - t0) / reps);
    }
  }
  memory.push({ label, stepsPerSequence: st[0].f.steps / B, backpropBytes: bp.workspaceBytes(B, S),
    adjointBytes: adj.workspaceBytes(B, S), backpropMs: median(ms[0]), adjointMs: median(ms[1]),
    forwardNfe: st[0].f.nfe, backpropBackwardNfe: st[0].b.nfe, adjointBackwardNfe: st[1].b.nfe });
  console.log(
    `${label}: ${st[0].f.steps / B} steps per sequence; workspace backprop ${bp.workspaceBytes(B, S)} B, adjoint ${
      adj.workspaceBytes(B, S)
    } B; ${median(ms[0]).toFixed(2)} / ${median(ms[1]).toFixed(2)} ms`,
  );
  bp.dispose();
  adj.dispose();
}

// 2. the tolerance table: weights ×3, times 0, 10/9, …, 10
const T2 = Float64Array.from({ length: S }, (_, i) => (i * 10) / (S - 1)), W2 = 3;
const mk2 = (o) => {
  const m = mk({ maxSteps: 100000, ...o });
  const sd = m.stateDict();
  for (const k in sd) sd[k] = sd[k].map((v) => v * W2);
  m.loadStateDict(sd);
  return m;
};
const iterate2 = (m) => {
  m.zeroGrad();
  const f = m.forward(h0, T2, { batch: B });
  const b = m.backward({ states: g });
  return { f: f.stats, b: b.stats };
};
const base = mk2({});
const common = { widths: [...base.widths], act: "tanh",
  params: Object.fromEntries(Object.entries(base.stateDict()).map(([k, v]) => [k, Array.from(v)])), B,
  times: Array.from(T2), h0: Array.from(h0), g: gPeer, method: "dopri5", substeps: 1 };
base.dispose();
const { jax } = await ask({ ...common, cmd: "setup", rtol: 1e-7, atol: 1e-9 });
const ref = await ask({ cmd: "reference", rtol: 1e-12, atol: 1e-14 });
const tolerance = [];
for (const rtol of quick ? [1e-3, 1e-5] : [1e-3, 1e-4, 1e-5, 1e-6, 1e-7]) {
  const atol = rtol / 100;
  const ms = [mk2({ rtol, atol }), mk2({ rtol, atol, gradient: "adjoint" }),
    mk2({ rtol, atol, gradient: "adjoint", adjointNorm: "seminorm" })];
  const st = ms.map(iterate2), gr = ms.map(flatGrads);
  const peer = await ask({ ...common, cmd: "setup", rtol, atol, gradient: "adjoint" });
  const row = { rtol, atol, forwardNfe: st[0].f.nfe, forwardSteps: st[0].f.steps, backpropNfe: st[0].b.nfe,
    adjointNfe: st[1].b.nfe, adjointSteps: st[1].b.steps, seminormNfe: st[2].b.nfe, seminormSteps: st[2].b.steps,
    adjointVsBackprop: relDiff(gr[1], gr[0]), seminormVsBackprop: relDiff(gr[2], gr[0]),
    backpropVsConverged: relDiff(gr[0], ref.grads), adjointVsConverged: relDiff(gr[1], ref.grads),
    seminormVsConverged: relDiff(gr[2], ref.grads), peerForwardNfe: peer.nfe_forward, peerAdjointNfe: peer.nfe_backward,
    peerAdjointVsConverged: relDiff(peer.grads, ref.grads) };
  tolerance.push(row);
  console.log(
    `rtol ${rtol}: forward ${row.forwardNfe}; backward backprop ${row.backpropNfe}, adjoint ${row.adjointNfe} (seminorm ${row.seminormNfe}); adjoint vs backprop ${
      row.adjointVsBackprop.toExponential(2)
    }; vs converged: backprop ${row.backpropVsConverged.toExponential(2)}, adjoint ${
      row.adjointVsConverged.toExponential(2)
    }; JAX ${row.peerForwardNfe} + ${row.peerAdjointNfe}, vs converged ${row.peerAdjointVsConverged.toExponential(2)}`,
  );
  ms.forEach((m) => m.dispose());
}
await peer.close();
writeFileSync(resultsFile("ode-adjoint", quick),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, peer: `JAX ${jax}`, B, S,
    referenceNfe: ref.nfe, memory, tolerance }, null, 2) + "\n");
if (!quick) writeOdeSection();
