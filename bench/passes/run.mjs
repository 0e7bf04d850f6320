// recurrent-wasm benchmarks: `npm run bench` writes bench/results/results.json and, from it and the
// hand-kept prose of bench/results/prose.md, bench/RESULTS.md (bench/tools/report.mjs). In order:
//   - the GEMM peaks, alternated: ours, the relaxed-SIMD build's and torch.mm's;
//   - for Elman, LSTM and GRU on three configurations, the training step (forward + BPTT + Adam) and
//     the forward pass, every sample of a peer or of another build of ours right after one of ours
//     (bench/passes/suites/alternated.mjs): ours on 2 threads, ours with relaxed SIMD, PyTorch 2 and 1.13
//     (one thread), TF.js wasm and cpu, brain.js, ONNX Runtime Web (forward); whichever
//     `npm run bench:peers` installed;
//   - diagnostics, memory, scaling and checkpointing (ours alone).
// Run: npm run bench [-- options]   (about 20 minutes with every peer)
//   --quick              3 rounds, small configuration only, no other sections: checks the script
//   --no-peers           ours alone
//   --peers k1,k2        only these peers (keys in bench/passes/suites/alternated.mjs PEERS)
//   --rounds N           rounds per row (default 7)
//   --configs a,b --cells a,b --steps-only    a part of the run
// Anything but a full run writes bench/results/results.partial.json and leaves RESULTS.md alone.
import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { init, coreInfo } from "../../dist/index.js";
import { core } from "../../dist/core.js";
import { CONFIGS, CELLS, gemmSampler } from "./suites/common.mjs";
import { startPeers, gemmPeaks, alternatedRow } from "./suites/alternated.mjs";
import { diagnostics } from "./suites/diagnostics.mjs";
import { memory, scaling } from "./suites/memory.mjs";
import { checkpointing } from "./suites/checkpoint.mjs";
import { report } from "../tools/report.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const quick = args.includes("--quick"), stepsOnly = args.includes("--steps-only") || quick;
const rounds = +opt("--rounds", quick ? 3 : 7);
const configs = CONFIGS.filter((c) =>
  opt("--configs", quick ? "small" : "small,medium,large").split(",").includes(c.name)
);
const cells = CELLS.filter(([c]) => opt("--cells", "rnn,lstm,gru").split(",").includes(c));
const partial = stepsOnly
  || args.some((a) => ["--no-peers", "--peers", "--rounds", "--configs", "--cells"].includes(a));

const t0 = Date.now();
await init();
const c = core();
const peers = args.includes("--no-peers") ? [] : await startPeers(opt("--peers", null)?.split(","));
console.log(
  `alternating with: ${
    peers.length
      ? peers.map((p) => `${p.name}${p.info.version ? ` ${p.info.version}` : ""}`).join(", ")
      : "nothing (ours alone)"
  }; ${rounds} rounds`,
);

const sampler = gemmSampler(c);
const gemm = await gemmPeaks(sampler, peers, rounds);
console.log(
  `GEMM peak (GFLOP/s): ours ${gemm.ours.toFixed(1)}${
    Object.entries(gemm.peers).map(([k, v]) =>
      `, ${peers.find((p) => p.key === k).name} ${v.error ? v.error : v.gflops.toFixed(1)}`
    ).join("")
  }`,
);

const rows = [];
for (const [cell, cellName, G] of cells) {
  for (const cfg of configs) {
    const r = await alternatedRow(cell, cellName, G, cfg, peers, { rounds, gemm: sampler });
    rows.push(r);
    const line = (w) =>
      `${r[w].ms.toFixed(2)} ms (${r[w].pctOfPeak.toFixed(0)}% of peak)${
        peers.filter((p) => r[w].peers[p.key]).map((p) => {
          const x = r[w].peers[p.key];
          return `, ${p.key} ${x.error ? "error" : `${x.ratio.toFixed(2)}${x.disagree ? "!" : ""}`}`;
        }).join("")
      }`;
    console.log(
      `${cellName} ${cfg.name}: train ${line("train")}; forward ${line("forward")}   (ratios: ours ÷ peer, time)`,
    );
  }
}
for (const p of peers) p.close();
sampler.free();

const res = { date: new Date().toISOString(), quick, partial, node: process.version,
  cores: execSync("nproc", { encoding: "utf8" }).trim(), cpu: "unknown", rounds,
  peers: peers.map(({ key, name, info }) => ({ key, name, ...info })), gemm, rows, ...coreInfo() };
try {
  res.cpu = execSync("lscpu", { encoding: "utf8" }).match(/Model name:\s*(.+)/)?.[1]?.trim() ?? res.cpu;
} catch {}
if (!stepsOnly) {
  res.diag = await diagnostics(quick);
  res.memory = memory();
  res.scaling = await scaling(quick);
  res.checkpoint = await checkpointing(quick);
}
res.seconds = (Date.now() - t0) / 1000;
writeFileSync(new URL(partial ? "../results/results.partial.json" : "../results/results.json", import.meta.url),
  JSON.stringify(res, null, 1) + "\n");
if (partial) {
  console.log(
    `a partial run (${
      res.seconds.toFixed(0)
    } s): wrote bench/results/results.partial.json (RESULTS.md and results.json come from full runs only)`,
  );
} else {
  writeFileSync(new URL("../RESULTS.md", import.meta.url), report(res));
  console.log(`wrote bench/results/results.json and bench/RESULTS.md (${res.seconds.toFixed(0)} s)`);
}
