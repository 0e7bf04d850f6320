// The B = 1 streaming section of bench/RESULTS.md, rendered from bench/stream-peer.json
// (bench/stream-peer.mjs). Run alone to re-render: node bench/stream-report.mjs
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeSection } from "./sections.mjs";

const BEGIN = "<!-- stream-b1:begin (bench/stream-peer.mjs) -->", END = "<!-- stream-b1:end -->";

/** The TF.js rows (bench/stream-tfjs.mjs), if it has run. */
function tfjsTable() {
  const u = new URL("./stream-tfjs.json", import.meta.url);
  if (!existsSync(u)) return [];
  const t = JSON.parse(readFileSync(u, "utf8")), f = (v) => v.toFixed(1);
  return [`Against TensorFlow.js ${t.tfjs} (wasm backend; \`node bench/stream-tfjs.mjs\`, ${t.date.slice(0, 10)}, alternated over ${t.rounds} rounds, the same weights; TF.js's GRU is the reset-before variant, so only Elman and LSTM carry PyTorch's weights):`, "",
    "| cell | one step: ours µs | TF.js µs | speed-up | 100 steps: ours µs | TF.js µs | speed-up | max \\|Δh\\| |", "|---|---|---|---|---|---|---|---|",
    ...t.rows.map((r) => `| ${r.cell} | ${f(r.stepUs)} | ${f(r.tfjsStepUs)} | ×${r.stepSpeedup.toFixed(1)} | ${r.forward100Us.toFixed(0)} | ${r.tfjsForward100Us.toFixed(0)} | ×${r.forwardSpeedup.toFixed(1)} | ${r.stepDiff.toExponential(1)} / ${r.fwdDiff.toExponential(1)} |`), ""];
}

/** The section's markdown (markers included), or "" when the benchmark has not run. */
export function streamSection() {
  const u = new URL("./stream-peer.json", import.meta.url);
  if (!existsSync(u)) return "";
  const r0 = JSON.parse(readFileSync(u, "utf8")), rows = r0.rows;
  const f = (v) => v.toFixed(1);
  return [
    "<!-- stream-b1:begin (bench/stream-peer.mjs) -->", "## Streaming at B = 1 against ONNX Runtime Web (issue 17)", "",
    `\`node bench/stream-peer.mjs\` (${r0.date.slice(0, 10)}): onnxruntime-web ${r0.ort} (wasm backend, 1 thread) in the same Node process, the same PyTorch weights (bench/peers/export_onnx.py: one layer, I = H = ${rows[0].H}), samples alternated over ${r0.rounds} rounds, medians of the per-round ratios (speed-up > 1: ours faster). One step carries the state (ours: \`stream().step\` with its packed weights reused; ORT: \`session.run\` with h0 = the last hn); 100 steps run from zeros (ours: \`forward()\`, and one 100-step \`stream().step\`).`, "",
    "| cell | one step: ours µs | ORT-web µs | speed-up | 100 steps: ours forward µs | ours stream µs | ORT-web µs | speed-up (forward / stream) | max \\|Δh\\| (step / 100) |", "|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.cell} | ${f(r.stepUs)} | ${f(r.ortStepUs)} | ×${r.stepSpeedup.toFixed(2)} | ${r.forward100Us.toFixed(0)} | ${r.stream100Us.toFixed(0)} | ${r.ortForward100Us.toFixed(0)} | ×${r.forwardSpeedup.toFixed(2)} / ×${r.streamSpeedup.toFixed(2)} | ${r.stepDiff.toExponential(1)} / ${r.fwdDiff.toExponential(1)} |`),
    "", "Goals of issue 17: one step ≥ 3× faster than ORT-web (met for Elman only), 100 steps faster for every cell (not met for LSTM and GRU: our time loop at B = 1 spends about 11 µs per GRU step where ORT spends under 10; the single step's lead is ORT's per-call overhead). Not yet measured: 2 threads.", "",
    ...tfjsTable(),
    "<!-- stream-b1:end -->"].join("\n");
}
export function writeStreamSection() { writeSection(BEGIN, END, streamSection()); }

if (process.argv[1] === fileURLToPath(import.meta.url)) { writeStreamSection(); console.log("wrote the B = 1 streaming section of bench/RESULTS.md"); }
