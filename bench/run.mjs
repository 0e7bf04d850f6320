// recurrent-wasm benchmarks. Runs the suites (bench/suites/) in order — GEMM peak; for Elman, LSTM
// and GRU the training step and forward pass on fixed configurations, each followed by the same
// step in every installed peer (PyTorch CPU on one thread, TF.js wasm and cpu, brain.js; `npm run
// bench:peers` installs them into bench/peers); the threaded and relaxed-SIMD builds in child
// processes; diagnostics; memory; scaling; checkpointing; a second round of the single-thread
// rows — then writes bench/results.json and, from it and bench/NOTES.md, bench/RESULTS.md
// (bench/report.mjs). Timing: bench/timing.mjs.
// Run: npm run bench [-- --quick] [-- --no-peers]   (about 30 minutes with peers; --quick: a few)
import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { init, coreInfo } from "../dist/index.js";
import { core } from "../dist/core.js";
import { gemmPeak, stepRows } from "./suites/steps.mjs";
import { peers as listPeers } from "./suites/peers.mjs";
import { otherBuilds } from "./suites/builds.mjs";
import { diagnostics } from "./suites/diagnostics.mjs";
import { memory, scaling } from "./suites/memory.mjs";
import { checkpointing } from "./suites/checkpoint.mjs";
import { secondRound } from "./suites/rounds.mjs";
import { report } from "./report.mjs";

const quick = process.argv.includes("--quick");
// --relaxed-child / --threads-child: run by suites/builds.mjs to measure another build on the same
// configurations; prints JSON and exits
const relaxedChild = process.argv.includes("--relaxed-child"), threadsChild = process.argv.includes("--threads-child");
const child = relaxedChild || threadsChild;
await init({ ...(relaxedChild ? { relaxedSimd: true } : {}), ...(threadsChild ? { threads: 2 } : {}) });
const c = core();

const gemm = await gemmPeak(c, quick);
console.log(`gemm 128x128x128: ${gemm.rowMs.toFixed(4)} ms row-major, ${gemm.packedMs.toFixed(4)} ms packed; peak ${gemm.peak.toFixed(1)} GFLOP/s`);
const peers = child ? [] : listPeers(!process.argv.includes("--no-peers")).filter((p) => p.on);
const rows = await stepRows(peers, quick, gemm.peak);
if (child) {
  console.log(JSON.stringify({ ...coreInfo(), peak: gemm.peak, rows: rows.map((r) => ({ cellName: r.cellName, name: r.name, trainMs: r.trainMs, fwdMs: r.fwdMs })) }));
  process.exit(0);
}
const builds = otherBuilds(quick);
if (builds.threaded) console.log(`2 threads: ${builds.threaded.rows.map((r, i) => `${r.cellName} ${r.name} train ${r.trainMs.toFixed(2)} ms (${(rows[i].trainMs / r.trainMs).toFixed(2)}x)`).join(", ")}`);
if (builds.relaxed) console.log(`relaxed SIMD: GEMM ${builds.relaxed.peak.toFixed(1)} GFLOP/s; ${builds.relaxed.rows.map((r) => `${r.cellName} ${r.name} train ${r.trainMs.toFixed(2)} ms`).join(", ")}`);
const res = {
  date: new Date().toISOString().slice(0, 10), quick, node: process.version, cores: execSync("nproc", { encoding: "utf8" }).trim(), cpu: "unknown",
  gemm, rows, ...builds, peers: peers.map(({ key, name }) => ({ key, name })),
  diag: await diagnostics(quick), memory: memory(), scaling: await scaling(quick), checkpoint: await checkpointing(quick), rounds: [],
};
try { res.cpu = execSync("lscpu", { encoding: "utf8" }).match(/Model name:\s*(.+)/)?.[1]?.trim() ?? res.cpu; } catch {}
if (!quick) res.rounds = await secondRound(c, res, peers.find((p) => p.key === "torch"));
writeFileSync(new URL(quick ? "./results.quick.json" : "./results.json", import.meta.url), JSON.stringify(res, null, 1));
if (quick) console.log("--quick: wrote bench/results.quick.json (RESULTS.md and results.json come from full runs only)");
else {
  writeFileSync(new URL("./RESULTS.md", import.meta.url), report(res));
  console.log("wrote bench/results.json and bench/RESULTS.md");
}
