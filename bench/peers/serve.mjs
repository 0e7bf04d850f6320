// The command loop of every JavaScript peer process of bench/passes/suites/alternated.mjs, the protocol of
// torch_worker.py: one JSON command per line on stdin, one JSON answer per line on stdout.
//   {"cmd":"info"}                                 -> info()
//   {"cmd":"setup","cell","B","T","I","H"}         -> setup(o) builds { train?, forward, dispose? };
//                                                     each step runs once (warm-up) before {"ok":true}
//   {"cmd":"time","what":"train"|"forward","reps"} -> {"ms": per call over reps calls}
//   {"cmd":"mm","n","reps"}                        -> mm(o): {"gflops"} (peers with a GEMM peak)
// A command that throws answers {"error": message} (brain.js's Elman diverges to NaN, for one).
import { createInterface } from "node:readline";
import { call } from "../tools/timing.mjs";

export async function serve({ info, setup, mm }) {
  let steps = null;
  for await (const line of createInterface({ input: process.stdin })) {
    const o = JSON.parse(line);
    let r;
    try {
      if (o.cmd === "info") r = await info();
      else if (o.cmd === "setup") {
        await steps?.dispose?.();
        steps = null;
        steps = await setup(o);
        if (steps.train) await call(steps.train, 1);
        await call(steps.forward, 1);
        r = { ok: true };
      } else if (o.cmd === "time") {
        if (!steps?.[o.what]) throw new Error(`no ${o.what} step set up`);
        r = { ms: await call(steps[o.what], o.reps) };
      } else if (o.cmd === "mm" && mm) r = await mm(o);
      else throw new Error(`unknown command ${o.cmd}`);
    } catch (e) {
      r = { error: String(e?.message ?? e).split("\n")[0] };
    }
    process.stdout.write(JSON.stringify(r) + "\n");
  }
}
