// System identification on two real benchmarks (nonlinearbenchmark.org): a recurrent Simulator
// trained on the estimation record and run in free-run simulation on the test records, from a
// state set by an encoder over the first `window` samples of u and y; a linear ARX baseline
// (least squares, orders chosen on validation) beside it.
//
//   npm run example:sysid -- --data DIR [--only cascaded-tanks|silverbox] [--seeds 3] [--workers SEEDS] [--linear] [--quick] [--out DIR]
//
// DIR holds cascaded-tanks.csv and silverbox-SNLS80mV.csv (../shared/data/SOURCES.md: columns, splits,
// metric). Validation is cut from the end of the training record; nothing is chosen on a test record,
// and every read of a test record's outputs is counted and printed. Writes reports/sysid.json and a plot
// of a test stretch (measured vs simulated) per benchmark: reports/sysid-<name>.svg. --quick: a few
// epochs (the test suite's run; its numbers mean nothing). The seeds train side by side in --workers
// worker threads; the ensemble line is the mean of the seeds' simulations, beside each seed's numbers.
// --linear: the linear path (linear.mjs) on every benchmark, whatever SETTINGS say.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { numberArg, outDir, stringArg } from "../args.mjs";
import { init, Simulator } from "../../dist/index.js";
import { chooseArx, fitArx, simulateArx } from "./arx.mjs";
import { residualRecord, residualSegments, simulateWithLinear } from "./linear.mjs";
import { trainAll } from "./pool.mjs";
import { cascadedTanks, rmse, silverbox } from "./data.mjs";

const DATA = stringArg("data");
if (!DATA && stringArg("only") !== "reactor") {
  console.error("--data DIR: the folder with cascaded-tanks.csv and silverbox-SNLS80mV.csv (nonlinearbenchmark.org)");
  process.exit(2);
}
const QUICK = process.argv.includes("--quick"), ONLY = stringArg("only"), SEEDS = numberArg("seeds", 3);
const WORKERS = numberArg("workers", SEEDS), LINEAR = process.argv.includes("--linear");
const OUT = outDir(), t0 = performance.now();
const log = (s) => console.log(s);
await init();

/** The settings of each benchmark, chosen on its validation cut (docs/physical-systems.md). */
const SETTINGS = {
  "cascaded-tanks": { model: { cell: "gru", hiddenSize: 32 },
    fit: { steps: 200, stride: 5, batchSize: 32, epochs: 200, learningRate: 3e-3, validationSplit: 0.2 }, cap: 600,
    oe: { hiddenSize: 8, learningRate: 1e-2, epochs: 100, steps: 100 },
    published: "published GRU 0.396, LSTM 0.490, best 0.343" },
  // linear: the linear path of linear.mjs (lost on validation here: docs/physical-systems.md)
  silverbox: { model: { cell: "gru", hiddenSize: 32 }, linear: false, cap: 1260,
    fit: { steps: 200, stride: 50, batchSize: 32, epochs: 400, learningRate: 5e-3, validationSplit: 0.2,
      validateEvery: 5 }, oe: { hiddenSize: 8, learningRate: 1e-2, epochs: 40 },
    published: "published GRU 0.31-0.33 / 1.31-1.65 / 0.29-0.34" },
};

const benches = ["cascaded-tanks", "silverbox"].filter((n) => !ONLY || n === ONLY);
if (benches.length === 0 && ONLY !== "reactor") {
  console.error(`--only: expected cascaded-tanks, silverbox or reactor, got ${ONLY}`);
  process.exit(2);
}

const report = { command: `npm run example:sysid -- ${process.argv.slice(2).join(" ")}`, node: process.version,
  cpu: cpus()[0]?.model, date: new Date().toISOString().slice(0, 10), quick: QUICK, benchmarks: {} };
// every file is read before any training: a missing or unreadable one is one line and exit code 2
const loaded = new Map();
for (const name of benches) {
  try {
    loaded.set(name, name === "cascaded-tanks" ? cascadedTanks(DATA) : silverbox(DATA));
  } catch (e) {
    console.error(`--data ${DATA}: ${e.message}`);
    process.exit(2);
  }
}
const plots = [];
for (const name of benches) {
  const d = loaded.get(name);
  const s = SETTINGS[name], n = d.window, tb = performance.now();
  const N = d.train.u.length, cut = N - Math.floor(N * s.fit.validationSplit);
  const part = (a, b) => ({ u: d.train.u.subarray(a, b), y: d.train.y.subarray(a, b) });
  // ARX: orders on the validation cut, refitted on the whole training record
  const arx = chooseArx(d.train, part(0, cut), part(cut, N), n, QUICK ? 3 : 8);
  const res = { window: n, unit: d.unit, settings: { ...s, linear: Boolean(s.linear || LINEAR) },
    arx: { na: arx.na, nb: arx.nb, nk: arx.nk, validation: arx.validationRmse * d.scale, test: {} }, seeds: [],
    test: {} };
  const measured = d.tests.map(() => null);
  d.tests.forEach((rec) => {
    const { u, y } = rec.read();
    res.arx.test[rec.name] = rmse(simulateArx(arx, u, y, n), y, n) * d.scale;
  });
  // the seeds train side by side in worker threads (pool.mjs) on the training record alone; the test
  // records are read here, once per seed. With the linear path (linear.mjs), the recurrent part
  // trains on segments that each carry the ARX simulation from their own window.
  const lin = s.linear || LINEAR ? fitArx(part(0, cut), arx) : null;
  const fitOpts = { ...s.fit, ...(QUICK ? { epochs: 2, stride: s.fit.stride * 4 } : {}) };
  const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
  const jobs = seeds.map((seed) => {
    const config = { inputs: lin ? 2 : 1, outputs: 1, window: n, init: "encoder", seed, ...s.model };
    if (!lin) return { config, train: d.train, fit: fitOpts, seconds: s.cap };
    const { stride, validationSplit, ...rest } = fitOpts, val = residualRecord(lin, part(cut, N), n);
    return { config, train: residualSegments(lin, part(0, cut), n, fitOpts.steps, stride),
      fit: { ...rest, validation: { u: val.u, y: val.y } }, seconds: s.cap };
  });
  // the linear output-error model, a worker of its own beside the seeds: a linear state-space model
  // (Elman cell without a nonlinearity, linear readout) trained on the free-run simulation error like
  // the recurrent simulator, seed 1
  const { hiddenSize: oeOrder, ...oeFit } = s.oe;
  jobs.push({
    config: { inputs: 1, outputs: 1, window: n, cell: "rnn", nonlinearity: "linear", hiddenSize: oeOrder, seed: 1 },
    train: d.train,
    fit: { ...s.fit, ...oeFit, ...(QUICK ? { epochs: 2, stride: s.fit.stride * 4 } : {}) },
    seconds: 0,
  });
  const trained = await trainAll(jobs, WORKERS + 1);
  {
    const { bytes, history: h } = trained.pop(), oe = Simulator.load(bytes);
    res.oe = { hiddenSize: oeOrder, validation: Math.min(...h.validationRmse) * d.scale, test: {} };
    d.tests.forEach((rec) => {
      const { u, y } = rec.read();
      res.oe.test[rec.name] = rmse(oe.simulate(u, { y: y.subarray(0, n) }), y, n) * d.scale;
    });
    oe.dispose();
  }
  const preds = d.tests.map(() => []);
  trained.forEach(({ bytes, history: h, seconds }, k) => {
    const seed = seeds[k], sim = Simulator.load(bytes);
    const one = { seed, bestEpoch: h.bestEpoch, epochs: h.epochs, subsequences: h.subsequences,
      validation: Math.min(...h.validationRmse) * d.scale, seconds, test: {} };
    d.tests.forEach((rec, i) => {
      const { u, y } = rec.read();
      const p = lin ? simulateWithLinear(sim, lin, u, y.subarray(0, n), n) : sim.simulate(u, { y: y.subarray(0, n) });
      one.test[rec.name] = rmse(p, y, n) * d.scale;
      preds[i].push(p);
      if (seed === 1) measured[i] = { y, p };
    });
    res.seeds.push(one);
    log(
      `${name} seed ${seed}: test ${
        d.tests.map((r) => `${r.name} ${one.test[r.name].toFixed(3)}`).join(", ")
      } ${d.unit} (validation ${one.validation.toFixed(3)}, best epoch ${h.bestEpoch}/${h.epochs}${
        h.epochs < fitOpts.epochs ? ` of ${fitOpts.epochs}, stopped by the ${s.cap} s cap` : ""
      }, ${seconds.toFixed(0)} s)`,
    );
    sim.dispose();
  });
  // the ensemble: the mean of the seeds' simulations (from the reads above, no further read)
  res.ensemble = {};
  d.tests.forEach((rec, i) => {
    const m = new Float32Array(preds[i][0].length);
    for (const p of preds[i]) for (let t = 0; t < m.length; t++) m[t] += p[t] / preds[i].length;
    res.ensemble[rec.name] = rmse(m, measured[i].y, n) * d.scale;
  });
  for (const r of d.tests) res.test[r.name] = res.seeds.reduce((a, o) => a + o.test[r.name], 0) / res.seeds.length;
  res.reads = Object.fromEntries(d.tests.map((r) => [r.name, r.reads]));
  res.seconds = (performance.now() - tb) / 1000;
  report.benchmarks[name] = res;
  const f = (v) => v.toFixed(3);
  if (name === "cascaded-tanks") {
    log(
      `cascaded-tanks: test RMSE ${f(res.test.test)} V (window 5; seeds ${
        res.seeds.map((o) => f(o.test.test)).join("/")
      }; ARX ${f(res.arx.test.test)}; ${s.published})`,
    );
  } else {
    log(
      `silverbox: test RMSE multisine ${f(res.test.multisine)} mV, arrow ${
        f(res.test["arrow full"])
      } mV, arrow without extrapolation ${f(res.test["arrow without extrapolation"])} mV (${s.published})`,
    );
  }
  log(
    `${name} ensemble (mean of the ${res.seeds.length} seeds' simulations): test ${
      d.tests.map((r) => `${r.name} ${f(res.ensemble[r.name])}`).join(", ")
    } ${d.unit}`,
  );
  const all = (o) => d.tests.map((r) => f(o.test[r.name])).join(" / ");
  log(
    `${name} baselines: ARX ${all(res.arx)} ${d.unit} (na ${arx.na}, nb ${arx.nb}, nk ${arx.nk}), linear OE ${
      all(res.oe)
    } ${d.unit} (order ${res.oe.hiddenSize})`,
  );
  log(
    `${name}: test records read ${
      d.tests.map((r) => `${r.name} ${r.reads} times`).join(", ")
    } (ARX and linear OE once each, each seed once); ${res.seconds.toFixed(0)} s`,
  );
  // a stretch of the first test record: measured against simulated (seed 1)
  const { y, p } = measured[0], from = name === "cascaded-tanks" ? n : 2000,
    to = name === "cascaded-tanks" ? y.length : 2300;
  const values = [];
  for (let t = from; t < to; t++) {
    values.push({ t, v: y[t] * d.scale, what: "measured" }, { t, v: p[t - n] * d.scale, what: "simulated (seed 1)" });
  }
  plots.push([`sysid-${name}`, { title: `${name}: free-run simulation on the test record (${d.tests[0].name})`,
    data: { values }, mark: { type: "line", strokeWidth: 1 },
    encoding: { x: { field: "t", type: "quantitative", title: "sample" },
      y: { field: "v", type: "quantitative", title: `y (${d.unit})`, scale: { zero: false } },
      color: { field: "what", type: "nominal", title: null } } }]);
}
// the reactor (./reactor.mjs), from the shipped data/reactor-cstr.csv: `--only reactor` needs no --data
if (!ONLY || ONLY === "reactor") {
  mkdirSync(OUT, { recursive: true });
  report.benchmarks.reactor = await (await import("./reactor.mjs")).reactor({ quick: QUICK, out: OUT, log });
  log(`wrote ${new URL("sysid-reactor.svg", OUT).pathname}`);
}
report.seconds = (performance.now() - t0) / 1000;
log(`total ${report.seconds.toFixed(0)} s`);
// the reactor's results (another part of this example) may already be in the file: keep them
mkdirSync(OUT, { recursive: true });
const path = new URL("sysid.json", OUT);
const old = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {};
writeFileSync(path,
  JSON.stringify({ ...old, ...report, benchmarks: { ...old.benchmarks, ...report.benchmarks } }, null, 1) + "\n");
log(`wrote ${path.pathname}`);
if (!process.argv.includes("--no-plot")) {
  const { reportWriter } = await import("../../experiments/report.mjs");
  const w = reportWriter(OUT);
  for (const [file, spec] of plots) {
    await w.plot(file, spec);
    log(`wrote ${new URL(`${file}.svg`, OUT).pathname}`);
  }
}
