#!/usr/bin/env node
// Long fuzzing runs of the properties in test/fuzz/properties.mjs (the test suite runs them for
// about a minute with a fixed seed). Usage:
//   npm run fuzz -- [--minutes N] [--seed S] [--only NAME[,NAME]]
// Time is split evenly across the properties; prints the seed, the runs per property and any
// counterexample (replay it with the same --seed and --only). Exit code 1 on a failure.
import fc from "fast-check";
import * as R from "../dist/index.js";
import { makeCanary, properties, stats } from "../test/fuzz/properties.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
for (const a of args) {
  if (a.startsWith("--") && !["--minutes", "--seed", "--only", "--seconds"].includes(a)) {
    console.error(`fuzz: unknown option ${a} (options: --minutes N, --seed S, --only NAME[,NAME])`);
    process.exit(2);
  }
}
const minutes = Number(opt("minutes", "5")), seconds = opt("seconds", null);
const seed = Number(opt("seed", String((Math.random() * 2 ** 31) >>> 0)));
if (!(minutes > 0) || !Number.isInteger(seed)) {
  console.error("fuzz: --minutes must be > 0 and --seed an integer");
  process.exit(2);
}

await R.init();
const canary = makeCanary(R);
const props = properties(R, canary);
const names = opt("only", null)?.split(",") ?? Object.keys(props);
for (const n of names) {
  if (!props[n]) {
    console.error(`fuzz: no property ${n} (have: ${Object.keys(props).join(", ")})`);
    process.exit(2);
  }
}
const budget = seconds !== null ? Number(seconds) * 1000 : (minutes * 60_000) / names.length;
console.log(
  `fuzz: seed ${seed}, ${names.length} properties, ${(budget / 1000).toFixed(0)} s each (node ${process.version})`,
);
let failures = 0, total = 0;
for (const name of names) {
  const t0 = Date.now();
  const out = await fc.check(props[name], { seed, numRuns: 1e9, interruptAfterTimeLimit: budget,
    markInterruptAsFailure: false });
  total += out.numRuns;
  const line = `${name}: ${out.numRuns} runs in ${((Date.now() - t0) / 1000).toFixed(0)} s`;
  if (out.failed) {
    failures++;
    console.log(
      `${line}: FAILED\n  ${
        out.errorInstance?.message ?? out.error
      }\n  replay: npm run fuzz -- --seed ${seed} --only ${name}\n  counterexample (shrunk ${out.numShrinks} times):\n  ${
        fc.stringify(out.counterexample).slice(0, 4000)
      }`,
    );
  } else console.log(`${line}: ok`);
}
canary.dispose();
console.log(
  `fuzz: seed ${seed}: ${total} runs (${stats.valid} valid calls checked, ${stats.errors} invalid ones rejected cleanly), ${failures} failing properties; WebAssembly memory ${
    (R.coreInfo().memoryBytes / 2 ** 20).toFixed(0)
  } MiB`,
);
process.exit(failures ? 1 : 0);
