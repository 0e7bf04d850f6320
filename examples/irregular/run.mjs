#!/usr/bin/env node
// Irregularly sampled series (issue 15's applications 2 and 3): an ODE-RNN (Model cell "odegru")
// against GRU-Δt (a GRU fed the mask and the time since the last observation) and a GRU on the
// forward-filled regular grid.
//  1. Rubanova et al.'s periodic toy (examples/irregular/data.mjs): sinusoids with random
//     amplitude, frequency and phase plus noise, 100 points on [0, 5], observed at a random 10%,
//     20% and 50%: "interp" scores the unobserved points, "extrap" observes the first half only and
//     scores the second. Mean squared error on the clean values, mean ± sd over seeds.
//  2. Theophylline (data/theoph.csv, 12 subjects × 11 samples at irregular times): observe each
//     subject's first 5 samples and forecast the other 6, leave-one-subject-out (the networks
//     train on the other 11 subjects' series, observed the same way). Against the one-compartment
//     model with first-order absorption, C(t) = D·ka / (V·(ka − ke)) · (e^(−ke·t) − e^(−ka·t)),
//     fitted by least squares to the same 5 samples (Levenberg–Marquardt on log ka, log ke, log V),
//     and the same with ke fixed at the median of the other subjects' full-series fits.
// Prints one line per result to stdout (progress to stderr), writes reports/irregular.json and
// plots reports/irregular-toy.svg and reports/theoph.svg (--no-plot: not):
//   irregular <rate>%: ODE-RNN interp MSE …, extrap MSE …; GRU-dt …; GRU-ffill …
//   theoph: RMSE ODE-RNN …, GRU-dt …, one-compartment …
// Usage: npm run example:irregular [-- --seeds 3 --epochs 25 --train 256 --only toy|theoph --no-plot
//        --out DIR (where irregular.json and the plots go; default reports/)]
import { mkdirSync, writeFileSync } from "node:fs";
import { outDir } from "../args.mjs";
import { Model, init } from "../../dist/index.js";
import { forwardFill, sinusoids, theophylline } from "./data.mjs";
import { fitCompartment, oneCompartment } from "./pk.mjs";

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${name}: expected a positive integer, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return v;
};
const SEEDS = arg("seeds", 3), EPOCHS = arg("epochs", 25), TRAIN = arg("train", 256), TEST = arg("test", 128),
  H = arg("hidden", 32);
const THEOPH_EPOCHS = arg("theoph-epochs", 300);
const onlyAt = process.argv.indexOf("--only"), ONLY = onlyAt > 0 ? process.argv[onlyAt + 1] : "";
if (ONLY && ONLY !== "toy" && ONLY !== "theoph") {
  console.error(`--only: expected toy or theoph, got ${ONLY}`);
  process.exit(2);
}

await init();
const t0 = performance.now();
const log = (m) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${m}`);
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a) => (a.length < 2 ? 0 : Math.sqrt(a.reduce((s, v) => s + (v - mean(a)) ** 2, 0) / (a.length - 1)));

const KINDS = { "ODE-RNN": (seed) => ({ cell: "odegru", inputMask: true, ode: { method: "rk4", hidden: [H] }, seed }),
  "GRU-dt": (seed) => ({ cell: "gru", inputMask: true, timeGap: true, seed }),
  "GRU-ffill": (seed) => ({ cell: "gru", seed }) };
/** The data a model kind reads: times and mask, or the forward-filled values alone. */
function view(kind, d) {
  if (kind === "GRU-ffill") return { x: forwardFill(d), y: d.y };
  return { x: d.x, y: d.y, times: d.times, mask: d.mask };
}
/** Mean squared error over the query points. */
function queryMse(pred, d, scale = 1) {
  let s = 0, n = 0;
  pred.forEach((p, i) =>
    p.forEach((v, k) => {
      if (d.query[i][k]) {
        s += ((v - d.y[i][k]) * scale) ** 2;
        n++;
      }
    })
  );
  return s / n;
}
async function trainPredict(kind, seed, train, test, epochs, opts = {}) {
  const m = new Model({ inputSize: 1, hiddenSize: opts.hidden ?? H, outputSize: 1, readout: "sequence",
    ...KINDS[kind](seed) });
  try {
    await m.fit(view(kind, train), { epochs, batchSize: opts.batchSize ?? 32, learningRate: opts.learningRate ?? 5e-3,
      clipNorm: 1, seed });
    const tv = view(kind, test);
    return m.predict(tv.x, tv.times ? { times: tv.times, mask: tv.mask } : {});
  } finally {
    m.dispose();
  }
}

const results = { toy: [], theoph: null,
  settings: { seeds: SEEDS, epochs: EPOCHS, train: TRAIN, test: TEST, hidden: H } };
const plots = [], toyPoints = [];

if (ONLY !== "theoph") {
  for (const rate of [0.1, 0.2, 0.5]) {
    const row = { rate, models: {} };
    for (const kind of Object.keys(KINDS)) row.models[kind] = { interp: [], extrap: [] };
    for (const task of ["interp", "extrap"]) {
      for (let s = 0; s < SEEDS; s++) {
        const train = sinusoids({ n: TRAIN, rate, task, seed: 1000 + 17 * s }),
          test = sinusoids({ n: TEST, rate, task, seed: 5000 + 17 * s });
        for (const kind of Object.keys(KINDS)) {
          const mse = queryMse(await trainPredict(kind, s, train, test, EPOCHS), test);
          row.models[kind][task].push(mse);
          log(`${(rate * 100).toFixed(0)}% ${task} seed ${s}: ${kind} MSE ${mse.toFixed(4)}`);
        }
      }
    }
    results.toy.push(row);
    for (const kind of Object.keys(KINDS)) {
      for (const task of ["interp", "extrap"]) {
        toyPoints.push({ rate: 100 * rate, task, kind, mse: mean(row.models[kind][task]),
          lo: mean(row.models[kind][task]) - sd(row.models[kind][task]),
          hi: mean(row.models[kind][task]) + sd(row.models[kind][task]) });
      }
    }
    const f = (k) =>
      `interp MSE ${mean(row.models[k].interp).toFixed(4)} ± ${sd(row.models[k].interp).toFixed(4)}, extrap MSE ${
        mean(row.models[k].extrap).toFixed(4)
      } ± ${sd(row.models[k].extrap).toFixed(4)}`;
    console.log(
      `irregular ${(rate * 100).toFixed(0)}%: ODE-RNN ${f("ODE-RNN")}; GRU-dt ${f("GRU-dt")}; GRU-ffill ${
        f("GRU-ffill")
      }`,
    );
  }
}

// ---- theophylline --------------------------------------------------------------------------------
if (ONLY !== "toy") {
  const subjects = theophylline(), OBS = 5, TS = 24, CS = 10; // days and tens of mg/L for the networks
  const seq = (s) => ({ x: [Float32Array.from(s.conc, (c, k) => (k < OBS ? c / CS : 0))],
    y: [Float32Array.from(s.conc, (c) => c / CS)], times: [Float64Array.from(s.time, (t) => t / TS)],
    mask: [Float32Array.from(s.conc, (_, k) => (k < OBS ? 1 : 0))],
    query: [Float32Array.from(s.conc, (_, k) => (k < OBS ? 0 : 1))] });
  const join = (list) => ({ x: list.flatMap((d) => d.x), y: list.flatMap((d) => d.y),
    times: list.flatMap((d) => d.times), mask: list.flatMap((d) => d.mask), query: list.flatMap((d) => d.query) });
  const sq = { "ODE-RNN": [], "GRU-dt": [], "one-compartment": [], "one-compartment, population ke": [] };
  const curves = []; // for the plot: data, seed 0's forecasts, the fitted curves
  // each subject's full-series fit, for the population ke of the others
  const fullKe = subjects.map((s) => fitCompartment(s.dose * s.weight, s.time, s.conc)[1]);
  for (const [i, s] of subjects.entries()) {
    const test = seq(s), train = join(subjects.filter((_, j) => j !== i).map(seq));
    for (const kind of ["ODE-RNN", "GRU-dt"]) {
      for (let r = 0; r < SEEDS; r++) {
        const pred = await trainPredict(kind, r, train, test, THEOPH_EPOCHS, { hidden: 16, batchSize: 11,
          learningRate: 1e-2 });
        pred[0].forEach((v, k) => {
          if (k >= OBS) sq[kind].push(((v - test.y[0][k]) * CS) ** 2);
        });
        if (r === 0) {
          pred[0].forEach((v, k) => {
            if (k >= OBS - 1) curves.push({ subject: s.subject, t: s.time[k], conc: v * CS, series: kind });
          });
        }
      }
    }
    const D = s.dose * s.weight, ts = s.time.slice(0, OBS), cs = s.conc.slice(0, OBS);
    const p = fitCompartment(D, ts, cs);
    const others = fullKe.filter((_, j) => j !== i).sort((a, b) => a - b),
      keMed = others[Math.floor(others.length / 2)];
    const pPop = fitCompartment(D, ts, cs, keMed);
    s.time.forEach((t, k) =>
      curves.push({ subject: s.subject, t, conc: s.conc[k],
        series: k < OBS ? "observed (the model sees these)" : "held out (to forecast)" })
    );
    for (let t = 0; t <= 25; t += 0.25) {
      curves.push({ subject: s.subject, t, conc: oneCompartment(p, D, t), series: "one-compartment, fitted to the 5" });
      curves.push({ subject: s.subject, t, conc: oneCompartment(pPop, D, t),
        series: "one-compartment, population ke" });
    }
    for (let k = OBS; k < s.time.length; k++) {
      sq["one-compartment"].push((oneCompartment(p, D, s.time[k]) - s.conc[k]) ** 2);
      sq["one-compartment, population ke"].push((oneCompartment(pPop, D, s.time[k]) - s.conc[k]) ** 2);
    }
    log(`theoph subject ${s.subject}: fitted ka ${p[0].toFixed(2)}/h, ke ${p[1].toFixed(3)}/h, V ${p[2].toFixed(1)} L`);
  }
  const rmse = Object.fromEntries(Object.entries(sq).map(([k, v]) => [k, Math.sqrt(mean(v))]));
  results.theoph = { rmse, forecasts: 12 * 6, seeds: SEEDS, epochs: THEOPH_EPOCHS };
  plots.push(["theoph", {
    title: `Theophylline: forecasts from each subject's first ${OBS} samples (leave-one-subject-out; networks: seed 0)`,
    data: { values: curves.map((c) => ({ ...c, conc: Math.max(-1, Math.min(15, c.conc)) })) },
    width: 150,
    height: 110,
    facet: { field: "subject", type: "ordinal", title: "subject" },
    columns: 4,
    spec: { width: 150, height: 110,
      layer: [{ mark: { type: "line", strokeWidth: 1.2 },
        transform: [{
          filter:
            "indexof(datum.series, 'one-compartment') === 0 || datum.series === 'ODE-RNN' || datum.series === 'GRU-dt'",
        }],
        encoding: { x: { field: "t", type: "quantitative", title: "hours" },
          y: { field: "conc", type: "quantitative", title: "mg/L", scale: { domain: [-1, 15] } },
          color: { field: "series", type: "nominal", title: null } } }, {
        mark: { type: "point", filled: true, size: 22 },
        transform: [{ filter: "indexof(datum.series, 'observed') === 0 || indexof(datum.series, 'held out') === 0" }],
        encoding: { x: { field: "t", type: "quantitative" }, y: { field: "conc", type: "quantitative" },
          color: { field: "series", type: "nominal", title: null } },
      }] },
  }]);
  console.log(
    `theoph: RMSE ODE-RNN ${rmse["ODE-RNN"].toFixed(3)}, GRU-dt ${rmse["GRU-dt"].toFixed(3)}, one-compartment ${
      rmse["one-compartment"].toFixed(3)
    } (with the other subjects' median ke: ${
      rmse["one-compartment, population ke"].toFixed(3)
    }) mg/L over 12 subjects × 6 forecasts, leave-one-subject-out, the networks' errors pooled over ${SEEDS} seeds`,
  );
}

const OUT = outDir();
mkdirSync(OUT, { recursive: true });
if (toyPoints.length) {
  plots.push(["irregular-toy", {
    title: `Sinusoids observed at a random fraction of 100 points: test MSE (mean ± sd over ${SEEDS} seeds)`,
    data: { values: toyPoints },
    facet: { field: "task", type: "nominal", title: null, sort: ["interp", "extrap"] },
    columns: 2,
    spec: { width: 260, height: 200,
      layer: [{ mark: { type: "line", point: true },
        encoding: {
          x: { field: "rate", type: "quantitative", scale: { type: "log", domain: [8, 60] }, title: "% observed",
            axis: { values: [10, 20, 50] } },
          y: { field: "mse", type: "quantitative", scale: { type: "log" }, title: "MSE" },
          color: { field: "kind", type: "nominal", title: null },
        } }, { mark: "rule",
        encoding: { x: { field: "rate", type: "quantitative" }, y: { field: "lo", type: "quantitative" },
          y2: { field: "hi" }, color: { field: "kind", type: "nominal" } } }] },
  }]);
}
if (!ONLY) {
  writeFileSync(new URL("irregular.json", OUT),
    JSON.stringify({ date: new Date().toISOString().slice(0, 10), seconds: (performance.now() - t0) / 1000,
      ...results }, null, 1) + "\n");
}
if (!process.argv.includes("--no-plot") && plots.length) {
  const { reportWriter } = await import("../../experiments/report.mjs");
  const w = reportWriter(OUT);
  for (const [name, spec] of plots) {
    await w.plot(name, spec);
    log(`wrote reports/${name}.svg`);
  }
}
log("done");
