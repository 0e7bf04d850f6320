// The Neural ODE section of bench/RESULTS.md, rendered from the JSON the ODE benchmarks write
// (bench/results/ode-peer.json, ode-adjoint.json, ode-accuracy.json), between two markers so that
// bench/tools/report.mjs (the recurrent rows) and these benchmarks can each rewrite their part.
// The peer is JAX (bench/peers/ode_jax_worker.py, ode_accuracy.py); JSON written when torchdiffeq
// was the peer (its fields are named torchdiffeq…) is rendered as it was then, one part at a time,
// until a run of that benchmark replaces it. Run alone to re-render: node bench/tools/ode-report.mjs
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeSection } from "./sections.mjs";

const BEGIN = "<!-- neural-ode:begin (bench/tools/ode-report.mjs) -->", END = "<!-- neural-ode:end -->";
const read = (name) => {
  const u = new URL(`../results/${name}`, import.meta.url);
  return existsSync(u) ? JSON.parse(readFileSync(u, "utf8")) : null;
};
const e = (v) => v.toExponential(1);
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;

/** The section's markdown (markers included), or "" when no ODE benchmark has run. */
export function odeSection() {
  const peer = read("ode-peer.json"), adj = read("ode-adjoint.json"), acc = read("ode-accuracy.json");
  if (!peer && !adj && !acc) return "";
  const out = [BEGIN, "## Neural ODE (issue 15)", ""];
  if (peer) out.push(...("torchdiffeqMs" in (peer.rows[0] ?? {}) ? peerTorchdiffeq(peer) : peerJax(peer)));
  if (adj) {
    out.push(...("torchdiffeqAdjointNfe" in (adj.tolerance[0] ?? {}) ? adjointTorchdiffeq(adj) : adjointJax(adj)));
  }
  if (acc) {
    out.push(...("torchdiffeq" in (acc.rows[0]?.tolerances[0] ?? {}) ? accuracyTorchdiffeq(acc) : accuracyJax(acc)));
  }
  out.push(END);
  return out.join("\n");
}

/** The adjoint's memory as the steps grow: ours alone, the same in every version of the JSON. */
function adjointMemory(adj) {
  return [`### The adjoint's memory as the steps grow (\`node bench/peers/ode-adjoint.mjs\`, ${adj.date.slice(0, 10)})`,
    "Workspace bytes of one solve (exact, `NeuralODE.workspaceBytes`) and the median time of a training iteration (forward + backward), the two modes alternated. Backprop keeps f's input and activations at every stage (fixed-step: its backward recomputes nothing) or room for `maxSteps` step starts per sequence (dopri5); the adjoint keeps nothing but the states.",
    "",
    "| case | steps per sequence | backprop workspace | adjoint workspace | backprop ms | adjoint ms | backward evaluations: backprop / adjoint |",
    "|---|---|---|---|---|---|---|",
    ...adj.memory.map((m) =>
      `| ${m.label} | ${m.stepsPerSequence} | ${kib(m.backpropBytes)} | ${kib(m.adjointBytes)} | ${
        m.backpropMs.toFixed(2)
      } | ${m.adjointMs.toFixed(2)} | ${m.backpropBackwardNfe} / ${m.adjointBackwardNfe} |`
    ), ""];
}

/** The parts as they were rendered when torchdiffeq was the peer. */
function peerTorchdiffeq(peer) {
  const out = [];
  out.push(`### One training iteration against torchdiffeq (\`npm run bench:ode\`, ${peer.date.slice(0, 10)})`,
    `Spiral shape: MLP 2→50→tanh→2, B = ${peer.B} windows of ${peer.S} times; torchdiffeq on PyTorch ${
      peer.rows[0]?.torch
    } (CPU, one thread) in a persistent process; samples alternated, ${
      peer.rows[0]?.rounds
    } rounds of ~100 ms; medians. Evaluations are batched calls of f (ours: per-sequence step control, landing on every time; torchdiffeq: one step size for the batch, interpolating).`,
    "",
    "| case | ours ms | evaluations fwd + back | torchdiffeq ms | evaluations fwd + back | per iteration | per evaluation (backprop: forward ones; adjoint: all) |",
    "|---|---|---|---|---|---|---|",
    ...peer.rows.map((r) =>
      `| ${r.case} | ${r.oursMs.toFixed(2)} | ${r.oursNfe} + ${r.oursBackwardNfe} | ${
        r.torchdiffeqMs.toFixed(1)
      } | ${r.torchdiffeqNfe} + ${r.torchdiffeqBackwardNfe || "autograd"} | ×${r.ratio.toFixed(1)} | ×${
        r.perEvalRatio.toFixed(1)
      } |`
    ), "");
  return out;
}

function adjointTorchdiffeq(adj) {
  const out = [];
  out.push(...adjointMemory(adj), "### The adjoint gradient as the tolerance tightens (dopri5, atol = rtol/100)",
    "The same MLP with its weights ×3, B = 20, 10 times on [0, 10] (on the spiral windows, 0.23 time units long, every tolerance already gives the float32 gradient).",
    `Relative L2 distance between parameter gradients. "Converged": torchdiffeq in float64 at rtol 1e-12 through autograd (${adj.referenceNfe} evaluations). Evaluations are batched calls (ours: forward + backward, the adjoint's each an evaluation of f and its VJP); torchdiffeq's are its float32 odeint_adjoint's, with one step size for the batch.`,
    "",
    "| rtol | ours fwd | backprop back | adjoint back (mixed / seminorm) | adjoint vs backprop (mixed / seminorm) | vs converged: backprop | adjoint (mixed / seminorm) | torchdiffeq fwd + adjoint back (mixed / seminorm) | torchdiffeq adjoint vs converged |",
    "|---|---|---|---|---|---|---|---|---|",
    ...adj.tolerance.map((r) =>
      `| ${e(r.rtol)} | ${r.forwardNfe} | ${r.backpropNfe} | ${r.adjointNfe} / ${r.seminormNfe} | ${
        e(r.adjointVsBackprop)
      } / ${e(r.seminormVsBackprop)} | ${e(r.backpropVsConverged)} | ${e(r.adjointVsConverged)} / ${
        e(r.seminormVsConverged)
      } | ${r.torchdiffeqForwardNfe} + ${r.torchdiffeqAdjointNfe} / ${r.torchdiffeqSeminormNfe} | ${
        e(r.torchdiffeqAdjointVsConverged)
      } |`
    ), "");
  return out;
}

function accuracyTorchdiffeq(acc) {
  const out = [];
  const tols = acc.rows[0].tolerances;
  out.push(`### Solver accuracy (\`node bench/peers/ode-accuracy.mjs\`, ${acc.date.slice(0, 10)})`,
    `Our dopri5 (float32 states, float64 times and step control) against scipy's \`solve_ivp\` DOP853 at rtol 1e-12, atol 1e-14 (float64), beside torchdiffeq's dopri5 in float32 (PyTorch ${acc.torch}; its times float32 too) landing on the same ${acc.times} irregular times. Error: RMS of (solution − reference) over every time and component, relative to the reference's RMS; in brackets the evaluations of f. The DETEST-style problems a NeuralODE field can hold (linear layers, y³), oscillators, the spiral and random MLP fields; the damped oscillator's DOP853 reference is within ${
      e(acc.referenceVsExpm)
    } of its matrix exponential.`, "",
    `| problem | D | ${tols.map((t) => `rtol ${e(t.rtol)}, atol ${e(t.atol)}: ours | torchdiffeq f32`).join(" | ")} |`,
    `|---|---|${tols.map(() => "---|---|").join("")}`,
    ...acc.rows.map((r) =>
      `| ${r.problem} | ${r.D} | ${
        r.tolerances.map((t) =>
          `${e(t.ours)} (${t.oursEvaluations}) | ${e(t.torchdiffeq)} (${t.torchdiffeqEvaluations})`
        ).join(" | ")
      } |`
    ), "");
  const worst = Math.max(...acc.rows.flatMap((r) => r.tolerances.map((t) => t.ours / t.torchdiffeq)));
  const evals = acc.rows.flatMap((r) => r.tolerances.map((t) => t.oursEvaluations / t.torchdiffeqEvaluations));
  out.push(
    `Ours ÷ torchdiffeq's error: at most ${worst.toFixed(2)} (the goal: within 3×); evaluations ${
      Math.min(...evals).toFixed(2)
    }–${Math.max(...evals).toFixed(2)}× torchdiffeq's.`,
    "",
  );
  return out;
}

/** One training iteration against JAX (bench/peers/ode.mjs). */
function peerJax(peer) {
  const r0 = peer.rows[0];
  return [`### One training iteration against ${peer.peer} (\`npm run bench:ode\`, ${peer.date.slice(0, 10)})`,
    `Spiral shape: MLP 2→50→tanh→2, B = ${peer.B} windows of ${peer.S} times; JAX on the CPU, one thread, its iteration jitted once, in a persistent process (bench/peers/ode_jax_worker.py); samples alternated, ${r0?.rounds} rounds of ~100 ms; medians. dopri5 is JAX's \`odeint\`, whose gradient is always its adjoint (so our backprop rows are set beside its adjoint, and it has no seminorm); euler and rk4 (the classic one, as ours) are written in JAX, with autograd through the steps. Evaluations are batched calls of f (ours: per-sequence step control, landing on every time; JAX: one step size for the batch, interpolating). Per evaluation: each side's time over the evaluations it counts (forward ones with backprop or autograd, forward and backward ones with an adjoint).`,
    "",
    "| case | ours ms | evaluations fwd + back | JAX ms | evaluations fwd + back | per iteration | per evaluation |",
    "|---|---|---|---|---|---|---|",
    ...peer.rows.map((r) =>
      r.peerError
        ? `| ${r.case} | ${r.oursMs.toFixed(2)} | ${r.oursNfe} + ${r.oursBackwardNfe} | — (${r.peerError}) | | | |`
        : `| ${r.case} | ${r.oursMs.toFixed(2)} | ${r.oursNfe} + ${r.oursBackwardNfe} | ${
          r.peerMs.toFixed(2)
        } | ${r.peerNfe} + ${r.peerGradient === "adjoint" ? `${r.peerBackwardNfe} (adjoint)` : "autograd"} | ×${
          r.ratio.toFixed(1)
        } | ×${r.perEvalRatio.toFixed(1)} |`
    ), ""];
}

/** The adjoint's memory and tolerance tables (bench/peers/ode-adjoint.mjs), JAX as the reference. */
function adjointJax(adj) {
  return [...adjointMemory(adj), "### The adjoint gradient as the tolerance tightens (dopri5, atol = rtol/100)",
    "The same MLP with its weights ×3, B = 20, 10 times on [0, 10] (on the spiral windows, 0.23 time units long, every tolerance already gives the float32 gradient).",
    `Relative L2 distance between parameter gradients. "Converged": ${adj.peer}'s \`odeint\` in float64 at rtol 1e-12, atol 1e-14, through its adjoint (${adj.referenceNfe} evaluations). Evaluations are batched calls (ours: forward + backward, the adjoint's each an evaluation of f and its VJP); JAX's are its float32 \`odeint\` adjoint's at the same tolerance (one RMS norm over the whole augmented state, one step size for the batch).`,
    "",
    "| rtol | ours fwd | backprop back | adjoint back (mixed / seminorm) | adjoint vs backprop (mixed / seminorm) | vs converged: backprop | adjoint (mixed / seminorm) | JAX fwd + adjoint back | JAX adjoint vs converged |",
    "|---|---|---|---|---|---|---|---|---|",
    ...adj.tolerance.map((r) =>
      `| ${e(r.rtol)} | ${r.forwardNfe} | ${r.backpropNfe} | ${r.adjointNfe} / ${r.seminormNfe} | ${
        e(r.adjointVsBackprop)
      } / ${e(r.seminormVsBackprop)} | ${e(r.backpropVsConverged)} | ${e(r.adjointVsConverged)} / ${
        e(r.seminormVsConverged)
      } | ${r.peerForwardNfe} + ${r.peerAdjointNfe} | ${e(r.peerAdjointVsConverged)} |`
    ), ""];
}

/** Solver accuracy (bench/peers/ode-accuracy.mjs), JAX's float32 odeint beside ours. */
function accuracyJax(acc) {
  const tols = acc.rows[0].tolerances;
  const worst = Math.max(...acc.rows.flatMap((r) => r.tolerances.map((t) => t.ours / t.peer)));
  const evals = acc.rows.flatMap((r) => r.tolerances.map((t) => t.oursEvaluations / t.peerEvaluations));
  return [`### Solver accuracy (\`node bench/peers/ode-accuracy.mjs\`, ${acc.date.slice(0, 10)})`,
    `Our dopri5 (float32 states, float64 times and step control) against SciPy ${acc.scipy}'s \`solve_ivp\` DOP853 at rtol 1e-12, atol 1e-14 (float64), beside ${acc.peer}'s \`odeint\` (the same Dormand–Prince pair) in float32, its times float32 too, interpolating at the same ${acc.times} irregular times where ours lands on each. Error: RMS of (solution − reference) over every time and component, relative to the reference's RMS; in brackets the evaluations of f. The DETEST-style problems a NeuralODE field can hold (linear layers, y³), oscillators, the spiral and random MLP fields${
      acc.referenceVsExpm == null
        ? ""
        : `; the damped oscillator's DOP853 reference is within ${e(acc.referenceVsExpm)} of its matrix exponential`
    }.`, "", `| problem | D | ${tols.map((t) => `rtol ${e(t.rtol)}, atol ${e(t.atol)}: ours | JAX f32`).join(" | ")} |`,
    `|---|---|${tols.map(() => "---|---|").join("")}`,
    ...acc.rows.map((r) =>
      `| ${r.problem} | ${r.D} | ${
        r.tolerances.map((t) => `${e(t.ours)} (${t.oursEvaluations}) | ${e(t.peer)} (${t.peerEvaluations})`).join(" | ")
      } |`
    ), "",
    `Ours ÷ JAX's error: at most ${worst.toFixed(2)} (the goal: within 3×); evaluations ${
      Math.min(...evals).toFixed(2)
    }–${Math.max(...evals).toFixed(2)}× JAX's.`, ""];
}

/** Replace (or append) the section in bench/RESULTS.md. */
export function writeOdeSection() {
  writeSection(BEGIN, END, odeSection());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeOdeSection();
  console.log("wrote the Neural ODE section of bench/RESULTS.md");
}
