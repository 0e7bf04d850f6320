// Per-class initial states on synthetic gene expression by cell type.
//
// Four cell types start from different (unobserved) expression states of three genes, which then
// evolve under the same damped rotation dynamics. The model sees only a noisy reading of gene 0 at
// each step and must predict all three genes at the next step. A recurrent model whose initial
// state is learned per cell type (initialState: { perClass: 4 }, picking its row by data.classes)
// can start from the right place; a shared learned h0 can only start from the average, and a zero
// h0 from nowhere. Run: npm run example:per-class   (3 seeds per variant, about 5 s)
import { init } from "../dist/index.js";
import { compareInitialStates } from "../experiments/claims/per-class-data.mjs";

await init();
const rows = await compareInitialStates([0, 1, 2],
  ({ label, mean, sd, errs }) =>
    console.log(
      `${label.padEnd(18)} test MSE ${mean.toFixed(4)} ± ${sd.toFixed(4)}  (seeds 0,1,2: ${
        errs.map((e) => e.toFixed(4)).join(", ")
      })`,
    ));
const [z, s, p] = rows;
console.log(
  `per-class h0 cuts the error ${(z.mean / p.mean).toFixed(1)}x against zeros and ${
    (s.mean / p.mean).toFixed(1)
  }x against a shared learned h0`,
);
