// Property-based fuzzing of every public call (properties in test/fuzz/properties.mjs): a fixed
// seed, about 60 s in all. `npm run fuzz -- --minutes N` runs the same properties longer with a
// random seed.
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import * as R from "../../dist/index.js";
import { makeCanary, properties, stats } from "./properties.mjs";

const SEED = 20261201;
const SECONDS: Record<string, number> = { layers: 7, model: 7, optimizers: 4, "safetensors.write": 5,
  "safetensors.read": 6, diagnostics: 4, fit: 7, ode: 6, "ode.inputs": 4, odernn: 5, hmm: 4, "hmm.gaussian": 3,
  stream: 4, "abi.raw": 5 };

let canary: ReturnType<typeof makeCanary>;
let props: Record<string, any>;
beforeAll(async () => {
  await R.init();
  canary = makeCanary(R);
  props = properties(R, canary) as typeof props;
});
afterAll(() => {
  canary.dispose();
  console.log(`fuzz: ${stats.valid} valid calls checked, ${stats.errors} invalid ones rejected cleanly`);
});

describe(`fuzz (fast-check, seed ${SEED})`, () => {
  for (const [name, seconds] of Object.entries(SECONDS)) {
    it(`${name}: ${seconds} s of generated calls, every one valid-and-correct or a clear error with nothing corrupted`,
      async () => {
        const out = await fc.check(props[name], { seed: SEED, numRuns: 1e6, interruptAfterTimeLimit: seconds * 1000,
          markInterruptAsFailure: false });
        if (out.failed) {
          throw new Error(
            `${(out.errorInstance as Error)?.message}\nreplay: npm run fuzz -- --seed ${SEED} --only ${name}\n${
              fc.stringify(out.counterexample).slice(0, 3000)
            }`,
          );
        }
        console.log(`fuzz ${name}: ${out.numRuns} runs in ${seconds} s, seed ${SEED}`);
        if (out.numRuns < 20) throw new Error(`only ${out.numRuns} runs`);
      }, (seconds + 60) * 1000);
  }
});
