// Nine claims about recurrent networks (among them one about Neural ODE solvers and one about
// irregularly sampled series), reproduced with recurrent-wasm's own diagnostics, one file per claim
// in experiments/claims/:
//   npm run experiments   →   reports/experiments.md, reports/*.svg, reports/experiments.json
// Every experiment is seeded; the whole run takes about 50 s here (2 cores), plus the build.
import { init } from "../dist/index.js";
import { reportWriter } from "./report.mjs";
import vanishing from "./claims/vanishing.mjs";
import perfectMemory from "./claims/perfect-memory.mjs";
import truncation from "./claims/truncation.mjs";
import bidirectional from "./claims/bidirectional.mjs";
import perClassH0 from "./claims/per-class-h0.mjs";
import clipping from "./claims/clipping.mjs";
import odeStability from "./claims/ode-stability.mjs";
import irregular from "./claims/irregular.mjs";
import crossover from "./claims/crossover.mjs";

// REPORTS_DIR (a directory path) redirects the output, e.g. for the test that re-runs the claims
const OUT = process.env.REPORTS_DIR
  ? new URL(`file://${process.env.REPORTS_DIR.replace(/\/?$/, "/")}`)
  : new URL("../reports/", import.meta.url);
const t0 = Date.now();
const progress = (msg) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
const report = reportWriter(OUT);
const ctx = { json: {}, md: [], plot: report.plot, progress };

await init();
for (const claim of [vanishing, perfectMemory, truncation, bidirectional, perClassH0, clipping, odeStability, irregular,
  crossover]) await claim(ctx);
const seconds = (Date.now() - t0) / 1000;
report.write(ctx.json, ctx.md, seconds);
progress(`done: reports/experiments.md, reports/*.svg, reports/experiments.json (${seconds.toFixed(0)} s)`);
