// The HMM section of bench/RESULTS.md, rendered from bench/results/hmm-peer.json (bench/peers/hmm.mjs).
// Run alone to re-render: node bench/tools/hmm-report.mjs
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeSection } from "./sections.mjs";

const BEGIN = "<!-- hmm:begin (bench/tools/hmm-report.mjs) -->", END = "<!-- hmm:end -->";

/** The section's markdown (markers included), or "" when the benchmark has not run. */
export function hmmSection() {
  const u = new URL("../results/hmm-peer.json", import.meta.url);
  if (!existsSync(u)) return "";
  const r = JSON.parse(readFileSync(u, "utf8"));
  const what = { posteriors: "posteriors (forward–backward)", em: "one Baum–Welch iteration" };
  return [BEGIN, "## Hidden Markov models (issue 16)", "",
    `### Against pomegranate ${r.pomegranate} (\`node bench/peers/hmm.mjs\`, ${r.date.slice(0, 10)})`,
    `Categorical HMMs, M = ${r.rows[0].M} symbols, ${r.rows[0].sequences} sequences of ${
      r.rows[0].length
    } steps, float64 on both sides, one thread. pomegranate (Cython, Debian's python3-pomegranate) runs in a persistent process and times its own calls: \`predict_proba\` of every sequence, and \`summarize\` + \`from_summaries\` (one E-step, one M-step). Ours: \`predictProba\` and \`fit\` with nIter 1. Samples alternated, ${
      r.rows[0].rounds
    } rounds; speed-up = median of the per-round ratios (spread: their range).`, "",
    "| K | operation | ours ms | pomegranate ms | speed-up (spread) | log-likelihood: ours − pomegranate |",
    "|---|---|---|---|---|---|",
    ...r.rows.map((x) =>
      `| ${x.K} | ${what[x.op]} | ${x.oursMs.toFixed(1)} | ${x.pomegranateMs.toFixed(1)} | ×${x.speedup.toFixed(2)} (${
        x.spread.map((v) => v.toFixed(2)).join("–")
      }) | ${(x.oursScore - x.pomegranateScore).toExponential(1)} (of ${x.oursScore.toFixed(1)}) |`
    ), "", END].join("\n");
}
export function writeHmmSection() {
  writeSection(BEGIN, END, hmmSection());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeHmmSection();
  console.log("wrote the HMM section of bench/RESULTS.md");
}
