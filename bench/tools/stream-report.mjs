// The B = 1 streaming section of bench/RESULTS.md, rendered from bench/results/stream-peer.json
// (bench/peers/stream-ort.mjs). Run alone to re-render: node bench/tools/stream-report.mjs
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeSection } from "./sections.mjs";

const BEGIN = "<!-- stream-b1:begin (bench/peers/stream-ort.mjs) -->", END = "<!-- stream-b1:end -->";

/** The TF.js rows (bench/peers/stream-tfjs.mjs), if it has run. */
function tfjsTable() {
  const u = new URL("../results/stream-tfjs.json", import.meta.url);
  if (!existsSync(u)) return [];
  const t = JSON.parse(readFileSync(u, "utf8")), f = (v) => v.toFixed(1);
  return [
    `Against TensorFlow.js ${t.tfjs} (wasm backend; \`node bench/peers/stream-tfjs.mjs\`, ${
      t.date.slice(0, 10)
    }, alternated over ${t.rounds} rounds, the same weights; TF.js's GRU is the reset-before variant, so only Elman and LSTM carry PyTorch's weights):`,
    "",
    "| cell | one step: ours µs | TF.js µs | speed-up | 100 steps: ours µs | TF.js µs | speed-up | max \\|Δh\\| |",
    "|---|---|---|---|---|---|---|---|",
    ...t.rows.map((r) =>
      `| ${r.cell} | ${f(r.stepUs)} | ${f(r.tfjsStepUs)} | ×${r.stepSpeedup.toFixed(1)} | ${
        r.forward100Us.toFixed(0)
      } | ${r.tfjsForward100Us.toFixed(0)} | ×${r.forwardSpeedup.toFixed(1)} | ${r.stepDiff.toExponential(1)} / ${
        r.fwdDiff.toExponential(1)
      } |`
    ),
    "",
  ];
}

/** The section's markdown (markers included), or "" when the benchmark has not run. */
export function streamSection() {
  const u = new URL("../results/stream-peer.json", import.meta.url);
  if (!existsSync(u)) return "";
  const r0 = JSON.parse(readFileSync(u, "utf8")), rows = r0.rows;
  const f = (v) => v.toFixed(1), t = (r) => r.threads ?? 1;
  const met = (ok) => (ok ? "met" : "not met");
  const one = rows.filter((r) => t(r) === 1), cells = (rs) => rs.map((r) => r.cell).join(", ");
  const stepOk = rows.every((r) => r.stepSpeedup >= 3);
  const behind = rows.filter((r) => !(r.forwardSpeedup > 1 && r.streamSpeedup > 1));
  return [BEGIN, "## Streaming at B = 1 against ONNX Runtime Web (issue 17)", "",
    `\`node bench/peers/stream-ort.mjs\` (${
      r0.date.slice(0, 10)
    }): onnxruntime-web ${r0.ort} (wasm backend) in the same Node process, the same PyTorch weights (bench/peers/export_onnx.py: one layer, I = H = ${
      rows[0].H
    }), samples alternated over ${r0.rounds} rounds, medians of the per-round ratios (speed-up > 1: ours faster). One step carries the state (ours: \`stream().step\` with its packed weights reused; ORT: \`session.run\` with h0 = the last hn); 100 steps run from zeros (ours: \`forward()\`, and one 100-step \`stream().step\`). Threads: ours \`init({ threads })\`, ORT \`env.wasm.numThreads\`, one child process per count (ORT reads it once per process), ours and ORT alternated within each.`,
    "",
    "| threads | cell | one step: ours µs | ORT-web µs | speed-up | 100 steps: ours forward µs | ours stream µs | ORT-web µs | speed-up (forward / stream) | max \\|Δh\\| (step / 100) |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) =>
      `| ${t(r)} | ${r.cell} | ${f(r.stepUs)} | ${f(r.ortStepUs)} | ×${r.stepSpeedup.toFixed(2)} | ${
        r.forward100Us.toFixed(0)
      } | ${r.stream100Us.toFixed(0)} | ${r.ortForward100Us.toFixed(0)} | ×${r.forwardSpeedup.toFixed(2)} / ×${
        r.streamSpeedup.toFixed(2)
      } | ${r.stepDiff.toExponential(1)} / ${r.fwdDiff.toExponential(1)} |`
    ), "", "Goals of issue 17:",
    `- one step ≥ 3× faster than ORT-web: **${met(stepOk)}**${
      stepOk
        ? ` (×${Math.min(...rows.map((r) => r.stepSpeedup)).toFixed(1)} at least)`
        : ` (not for ${cells(rows.filter((r) => r.stepSpeedup < 3))})`
    };`,
    `- 100 steps faster than ORT-web for every cell: on 1 thread **${
      met(one.every((r) => r.forwardSpeedup > 1 && r.streamSpeedup > 1))
    }**; on 2 threads **${met(behind.length === 0)}**${
      behind.length ? ` (behind: ${behind.map((r) => `${r.cell} on ${t(r)}`).join(", ")})` : ""
    }. ORT splits each step's GEMMs across its threads; ours split a batch, and B = 1 has nothing to split, so our second thread idles while ORT's 100 steps go ${
      rows.filter((r) => t(r) === 1).map((r) => {
        const r2 = rows.find((q) => t(q) === 2 && q.cell === r.cell);
        return r2 ? `${r.cell} ${r.ortForward100Us.toFixed(0)} → ${r2.ortForward100Us.toFixed(0)} µs` : "";
      }).filter(Boolean).join(", ")
    } from 1 to 2 threads (separate processes). Parallelizing the input projection over time (a GEMM of T rows) across threads is what would close it.`,
    "",
    "What made the B = 1 path (issue 17, A/B in one process): packed weights reused while the parameters are unchanged (streams, then forward() and predict()); the rows past the last 4-row tile run as 1×32 strips unrolled by two in k, in small functions of their own (1.3–1.8× on 1×N×K products, `node bench/tools/kernel-ab.mjs`); the recurrent product of Elman and LSTM into a scratch row, added as the gates are read (V8 spills the accumulating strip: 11 against 18–30 GFLOP/s).",
    "", ...tfjsTable(), END].join("\n");
}
export function writeStreamSection() {
  writeSection(BEGIN, END, streamSection());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeStreamSection();
  console.log("wrote the B = 1 streaming section of bench/RESULTS.md");
}
