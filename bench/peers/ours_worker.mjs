// recurrent-wasm as a persistent child process for alternated timing (bench/torch-peer.mjs): the
// same commands as torch_worker.py, one JSON line each way, on the thread count given as argv[2]
// (a process runs one build and thread count, so 2 threads need a process of their own).
import { createInterface } from "node:readline";
import { init, coreInfo } from "../../dist/index.js";
import { oursSteps } from "../suites/common.mjs";

await init({ threads: +(process.argv[2] ?? 1) });
let fns = null;
const perCall = (fn, reps) => { const t0 = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t0) / reps; };
for await (const line of createInterface({ input: process.stdin })) {
  const o = JSON.parse(line);
  let r;
  if (o.cmd === "info") r = { threads: coreInfo().threads, relaxedSimd: coreInfo().relaxedSimd };
  else if (o.cmd === "setup") {
    fns?.dispose();
    fns = oursSteps(o.cell, o);
    fns.train(); fns.forward();
    r = { ok: true };
  } else if (o.cmd === "time") r = { ms: perCall(fns[o.what], o.reps) };
  else r = { error: `unknown command ${o.cmd}` };
  process.stdout.write(JSON.stringify(r) + "\n");
}
