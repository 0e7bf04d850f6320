// The reactor of examples/sysid: emulating a methane–air CSTR simulated by Cantera
// (data/reactor-cstr.csv, made by scripts/make-reactor-data.py) with three models trained on the
// training schedules and run in free-run simulation on the held-out ones:
//   - a GRU and an LSTM Simulator (window 10: an encoder reads [u, y] over the first 10 samples and
//     sets the state; trained on overlapping subsequences of every training schedule);
//   - a continuous-time NeuralStateSpace (dx/dt = f(x, u), u held over each 0.2 ms sample,
//     y = C x + d), from x0 = 0 at the cold start of each schedule (every schedule starts with the
//     reactor full of unburnt feed), trained by truncated backpropagation through chunks of the
//     whole schedules, the state carried from chunk to chunk.
//   inputs  u = [phi, ln tau_ms, T_in_K]; outputs y = [T_K, X_CO2, X_CO, X_H2O] (mole fractions),
//   standardized with the training schedules' statistics, so every output weighs the same in the
//   losses and in the validation error.
// The validation schedules pick each model's checkpoint and the model the summary line reports;
// the held-out ("test") schedules are read once per model, at the end. Errors in physical units
// and normalized (divided by the training standard deviation), over the first 100 predicted
// samples, the last 100 and the whole schedule; ignitions and extinctions counted on the emulated
// temperature; CPU time per step against Cantera's (data/reactor-cstr.json).
//
//   npm run example:sysid -- --only reactor [--quick] [--reactor-seed 1] [--out DIR]   (npm run example:reactor)
import { readFileSync, writeFileSync } from "node:fs";
import { numberArg } from "../args.mjs";
import { Adam, NeuralStateSpace, Simulator, clipGradNorm } from "../../dist/index.js";

const OUTPUTS = ["T_K", "X_CO2", "X_CO", "X_H2O"], M = 3, Y = 4, WINDOW = 10, HOT = 1800;

/** The full run's settings (docs/physical-systems.md: how they were chosen, on validation only). */
export const REACTOR_SETTINGS = { models: ["gru", "lstm", "ode"], validation: [7, 22, 23],
  simulator: { hiddenSize: 64, window: WINDOW, init: "encoder" },
  fit: { steps: 400, stride: 40, batchSize: 32, epochs: 60, learningRate: 3e-3, validateEvery: 3 },
  ode: { stateSize: 16, hidden: [48], chunk: 100, epochs: 400, learningRate: 3e-3 } };
/** --quick (the test suite's run: seconds; its numbers mean nothing). */
const QUICK = { fit: { steps: 50, stride: 400, epochs: 1, validateEvery: 1 }, ode: { epochs: 2 } };

/** The shipped data: schedules of { split, u [T][3], y [T][4] } and the JSON beside the CSV. */
export function readReactor() {
  const info = JSON.parse(readFileSync(new URL("../../data/reactor-cstr.json", import.meta.url), "utf8"));
  const lines = readFileSync(new URL("../../data/reactor-cstr.csv", import.meta.url), "utf8").trimEnd().split("\n");
  const schedules = [];
  for (const line of lines.slice(1)) {
    const c = line.split(","), s = Number(c[1]);
    schedules[s] ??= { split: c[0], u: [], y: [] };
    const v = c.slice(3).map(Number);
    schedules[s].u.push([v[0], Math.log(v[1]), v[2]]);
    schedules[s].y.push(v.slice(3));
  }
  return { info, schedules };
}

/** Least CPU seconds of f over `reps` runs (the machine may be shared), and its result. */
function cpuTime(f, reps) {
  let r, best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.cpuUsage();
    r = f();
    const d = process.cpuUsage(t0);
    best = Math.min(best, (d.user + d.system) / 1e6);
  }
  return { r, cpu: best };
}

/** Ignitions and extinctions along a temperature trace (the data script's rule). */
export function events(T, Tin) {
  let burning = false, ignitions = 0, extinctions = 0;
  for (let k = 0; k < T.length; k++) {
    if (!burning && T[k] > HOT) [burning, ignitions] = [true, ignitions + 1];
    else if (burning && T[k] < Tin[k] + 300) [burning, extinctions] = [false, extinctions + 1];
  }
  return { ignitions, extinctions };
}

/**
 * Train the three emulators and measure them; writes `sysid-reactor.svg` into `out` (a directory
 * URL), prints one line with `log`, progress with `progress`. Returns the report's entry
 * (benchmarks.reactor of reports/sysid.json).
 */
export async function reactor(
  { quick = false, seed = numberArg("reactor-seed", 1), out, log = console.log, progress = console.error,
    settings = {} } = {},
) {
  const S = { ...REACTOR_SETTINGS, ...settings, simulator: { ...REACTOR_SETTINGS.simulator, ...settings.simulator },
    fit: { ...REACTOR_SETTINGS.fit, ...settings.fit, ...(quick ? QUICK.fit : {}) },
    ode: { ...REACTOR_SETTINGS.ode, ...settings.ode, ...(quick ? QUICK.ode : {}) } };
  const t0 = performance.now(), { info, schedules } = readReactor(), T = schedules[0].u.length;
  const valIds = S.validation;
  const trainIds = schedules.flatMap((s, i) => (s.split === "train" && !valIds.includes(i) ? [i] : []));
  const testIds = schedules.flatMap((s, i) => (s.split === "test" ? [i] : []));
  const rows = trainIds.flatMap((i) => schedules[i].y);
  const mean = OUTPUTS.map((_, j) => rows.reduce((a, r) => a + r[j], 0) / rows.length);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((a, r) => a + (r[j] - m) ** 2, 0) / rows.length));
  const uRows = trainIds.flatMap((i) => schedules[i].u);
  const uMean = [0, 1, 2].map((j) => uRows.reduce((a, r) => a + r[j], 0) / uRows.length);
  const uStd = uMean.map((m, j) => Math.sqrt(uRows.reduce((a, r) => a + (r[j] - m) ** 2, 0) / uRows.length));
  /** A schedule as a Simulator record, outputs standardized (physical inputs; the Simulator
   *  standardizes them itself). */
  const record = (id) => ({ u: Float32Array.from(schedules[id].u.flat()),
    y: Float32Array.from(schedules[id].y.flatMap((r) => r.map((v, j) => (v - mean[j]) / std[j]))) });
  const stdU = (ids) =>
    Float32Array.from(ids.flatMap((id) => schedules[id].u.flatMap((r) => r.map((v, j) => (v - uMean[j]) / uStd[j]))));

  /** Per output over steps [k0, k1) of the schedules: RMSE in physical units and normalized.
   *  pred(b) holds standardized outputs for steps WINDOW … T−1 of schedule ids[b]. */
  function errors(preds, ids, k0, k1) {
    const sq = new Float64Array(Y);
    let n = 0;
    ids.forEach((id, b) => {
      for (let k = k0; k < k1; k++, n++) {
        for (let j = 0; j < Y; j++) {
          sq[j] += (preds[b][(k - WINDOW) * Y + j] * std[j] + mean[j] - schedules[id].y[k][j]) ** 2;
        }
      }
    });
    const rmse = Array.from(sq, (s) => Math.sqrt(s / n));
    return { rmse: Object.fromEntries(OUTPUTS.map((o, j) => [o, rmse[j]])),
      normalized: Object.fromEntries(OUTPUTS.map((o, j) => [o, rmse[j] / std[j]])),
      meanNormalized: rmse.reduce((a, r, j) => a + r / std[j], 0) / Y };
  }

  // ---- GRU and LSTM Simulators ----------------------------------------------------------------
  const models = {};
  for (const cell of ["gru", "lstm"].filter((k) => S.models.includes(k))) {
    const ts = performance.now();
    const sim = new Simulator({ inputs: M, outputs: Y, cell, seed, ...S.simulator });
    const h = await sim.fit(trainIds.map(record), { ...S.fit, validation: valIds.map(record),
      onEpochEnd: (e, l) => {
        if (l.validationRmse !== undefined) {
          progress(
            `reactor ${cell} epoch ${e}: loss ${l.loss.toFixed(4)}, validation ${l.validationRmse.toFixed(4)} (${
              ((performance.now() - ts) / 1e3).toFixed(0)
            } s)`,
          );
        }
      } });
    const trainSeconds = (performance.now() - ts) / 1e3;
    const predict = (id) => {
      const r = record(id);
      return sim.simulate(r.u, { y: r.y.subarray(0, WINDOW * Y) });
    };
    const one = record(testIds[0]);
    models[cell] = { predict, dispose: () => sim.dispose(), trainSeconds, bestEpoch: h.bestEpoch, epochs: h.epochs,
      subsequences: h.subsequences, config: sim.config,
      step: () => cpuTime(() => sim.simulate(one.u, { y: one.y.subarray(0, WINDOW * Y) }), quick ? 2 : 10).cpu / T };
  }

  // ---- the continuous-time neural state-space model ---------------------------------------------
  if (S.models.includes("ode")) {
    const ts = performance.now(), o = S.ode, B = trainIds.length, C = o.chunk;
    const ode = new NeuralStateSpace({ inputSize: M, stateSize: o.stateSize, outputSize: Y, hidden: o.hidden,
      method: "rk4", seed });
    const u = stdU(trainIds), y = Float32Array.from(trainIds.flatMap((id) => [...record(id).y]));
    const slice = (a, n, k0, k1) => {
      const r = new Float32Array(B * (k1 - k0) * n);
      for (let b = 0; b < B; b++) r.set(a.subarray((b * T + k0) * n, (b * T + k1) * n), b * (k1 - k0) * n);
      return r;
    };
    const runOde = (m, id) => m.simulate(stdU([id]), { batch: 1 }).outputs.slice(WINDOW * Y);
    const valError = (m) => errors(valIds.map((id) => runOde(m, id)), valIds, WINDOW, T).meanNormalized;
    const opt = new Adam({ learningRate: o.learningRate });
    let best = { val: Infinity, epoch: 0, bytes: null };
    const every = quick ? 1 : 10;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      opt.learningRate = o.learningRate * (0.01 + 0.99 * 0.5 * (1 + Math.cos((Math.PI * epoch) / o.epochs)));
      let x0 = new Float32Array(B * o.stateSize);
      for (let k0 = 0; k0 < T; k0 += C) {
        const k1 = Math.min(T, k0 + C), L = k1 - k0, skip = Math.max(0, WINDOW - k0);
        const r = ode.simulate(slice(u, M, k0, k1), { batch: B, x0 });
        const target = slice(y, Y, k0, k1), g = new Float32Array(r.outputs.length), n = B * (L - skip) * Y;
        let loss = 0;
        for (let b = 0; b < B; b++) {
          for (let i = (b * L + skip) * Y; i < (b + 1) * L * Y; i++) {
            g[i] = (2 * (r.outputs[i] - target[i])) / n;
            loss += (r.outputs[i] - target[i]) ** 2 / n;
          }
        }
        if (!Number.isFinite(loss)) {
          throw new Error(`reactor: the NeuralStateSpace loss became ${loss} at epoch ${epoch + 1}`);
        }
        ode.zeroGrad();
        ode.backward({ outputs: g });
        clipGradNorm(ode, 1);
        opt.step(ode);
        x0 = new Float32Array(B * o.stateSize);
        for (let b = 0; b < B; b++) {
          x0.set(r.states.subarray((b * (L + 1) + L) * o.stateSize, (b * (L + 1) + L + 1) * o.stateSize),
            b * o.stateSize);
        }
      }
      if ((epoch + 1) % every === 0 || epoch === o.epochs - 1) {
        const val = valError(ode);
        if (val < best.val) best = { val, epoch: epoch + 1, bytes: ode.save() };
        progress(
          `reactor ode epoch ${epoch + 1}: validation ${val.toFixed(4)} (${
            ((performance.now() - ts) / 1e3).toFixed(0)
          } s)`,
        );
      }
    }
    ode.dispose();
    const m = NeuralStateSpace.load(best.bytes), one = stdU([testIds[0]]);
    models.ode = { predict: (id) => runOde(m, id), dispose: () => m.dispose(),
      trainSeconds: (performance.now() - ts) / 1e3, bestEpoch: best.epoch, epochs: o.epochs,
      config: { ...m.config(), chunk: C },
      step: () => cpuTime(() => m.simulate(one, { batch: 1 }), quick ? 2 : 10).cpu / T };
  }

  // ---- the report ---------------------------------------------------------------------------------
  const canteraCpu = info.canteraCpuSecondsPerSample, result = {};
  const names = { gru: "GRU", lstm: "LSTM", ode: "NeuralStateSpace" };
  const preds = {};
  for (const [key, m] of Object.entries(models)) {
    const val = errors(valIds.map(m.predict), valIds, WINDOW, T);
    const p = testIds.map(m.predict);
    preds[key] = p;
    const long = errors(p, testIds, WINDOW, T), short = errors(p, testIds, WINDOW, WINDOW + 100);
    const last = errors(p, testIds, T - 100, T);
    const ev = testIds.map((id, b) => {
      const Tk = schedules[id].y.map((r, k) => (k < WINDOW ? r[0] : p[b][(k - WINDOW) * Y] * std[0] + mean[0]));
      return { schedule: id,
        cantera: { ignitions: info.schedules[id].ignitions, extinctions: info.schedules[id].extinctions },
        emulator: events(Tk, schedules[id].u.map((r) => r[2])) };
    });
    const step = m.step();
    result[key] = { model: names[key], config: m.config, epochs: m.epochs, bestEpoch: m.bestEpoch,
      ...(m.subsequences ? { subsequences: m.subsequences } : {}), trainSeconds: m.trainSeconds,
      validation: { normalized: val.normalized, meanNormalized: val.meanNormalized },
      test: { rmse: long.rmse, normalized: long.normalized, meanNormalized: long.meanNormalized },
      first100: { rmse: short.rmse, normalized: short.normalized, meanNormalized: short.meanNormalized },
      last100: { rmse: last.rmse, normalized: last.normalized, meanNormalized: last.meanNormalized },
      perSchedule: testIds.map((id, b) => ({ schedule: id, ...errors([p[b]], [id], WINDOW, T) })), events: ev,
      eventsReproduced:
        ev.filter((e) =>
          e.emulator.ignitions === e.cantera.ignitions && e.emulator.extinctions === e.cantera.extinctions
        ).length, cpuSecondsPerStep: step, speedupVsCantera: canteraCpu / step };
    progress(
      `reactor ${names[key]}: validation ${val.meanNormalized.toFixed(3)}; test RMSE T ${
        long.rmse.T_K.toFixed(1)
      } K, CO2 ${long.rmse.X_CO2.toExponential(2)} (normalized ${long.meanNormalized.toFixed(3)}); first 100 T ${
        short.rmse.T_K.toFixed(1)
      } K; events ${ev.map((e) => `${e.emulator.ignitions}/${e.emulator.extinctions}`).join(", ")} (Cantera ${
        ev.map((e) => `${e.cantera.ignitions}/${e.cantera.extinctions}`).join(", ")
      }); ${(canteraCpu / step).toFixed(0)}× faster than Cantera`,
    );
  }
  for (const m of Object.values(models)) m.dispose();
  const bestKey = Object.keys(result).reduce((a, k) =>
    result[k].validation.meanNormalized < result[a].validation.meanNormalized ? k : a
  );
  const b = result[bestKey];
  log(
    `reactor: free-run RMSE T ${b.test.rmse.T_K.toFixed(1)} K, CO2 ${
      b.test.rmse.X_CO2.toFixed(4)
    } mole fraction (normalized ${
      b.test.meanNormalized.toFixed(3)
    }; ${b.model}, best on validation of GRU/LSTM/NeuralStateSpace); ${
      b.speedupVsCantera.toFixed(0)
    }× faster than Cantera`,
  );
  if (out) {
    writeFileSync(new URL("sysid-reactor.svg", out),
      plot(schedules, testIds[0], T, info.sampleTime, [["Cantera", null, "#222"],
        ...Object.keys(result).map((k, i) => [result[k].model, preds[k][0], ["#1f77b4", "#2ca02c", "#d62728"][i]])],
        (v) => v * std[0] + mean[0]));
  }
  // testReads: the held-out schedules' outputs are read once per model, after its training
  return { data: "data/reactor-cstr.csv", quick, seed, window: WINDOW, settings: S, trainSchedules: trainIds,
    validationSchedules: valIds, testSchedules: testIds, outputs: OUTPUTS,
    units: { T_K: "K", X_CO2: "mole fraction", X_CO: "mole fraction", X_H2O: "mole fraction" },
    trainStd: Object.fromEntries(OUTPUTS.map((o, j) => [o, std[j]])), canteraCpuSecondsPerSample: canteraCpu,
    best: bestKey, ...result, testReads: Object.keys(result).length, seconds: (performance.now() - t0) / 1e3 };
}

/** The temperature of one held-out schedule against time: Cantera's and each emulator's. */
function plot(schedules, id, T, Ts, traces, toK) {
  const W = 900, H = 320, pad = 45, Tmax = 3000;
  const x = (k) => pad + (k / (T - 1)) * (W - pad - 10), y = (v) => H - 30 - (v / Tmax) * (H - 50);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 20}" font-family="sans-serif" `
    + `font-size="12">\n<text x="${pad}" y="14">reactor, held-out schedule ${id}: temperature (K) over ${
      (T * Ts * 1e3).toFixed(0)
    } ms, Cantera against free-run emulators (state set from the first ${WINDOW} samples)</text>\n`;
  for (const v of [0, 1000, 2000, 3000]) {
    svg += `<text x="2" y="${y(v) + 4}">${v}</text><line x1="${pad}" x2="${W - 10}" y1="${y(v)}" y2="${
      y(v)
    }" stroke="#ddd"/>\n`;
  }
  for (const [, pred, color] of traces) {
    const pts = [];
    for (let k = pred ? WINDOW : 0; k < T; k++) {
      const v = pred ? toK(pred[(k - WINDOW) * Y]) : schedules[id].y[k][0];
      pts.push(`${x(k).toFixed(1)},${y(Math.max(0, Math.min(Tmax, v))).toFixed(1)}`);
    }
    svg += `<polyline fill="none" stroke="${color}" stroke-width="1.3" points="${pts.join(" ")}"/>\n`;
  }
  traces.forEach(([name, , color], i) => {
    svg += `<text x="${pad + i * 200}" y="${H + 10}" fill="${color}">${name}</text>\n`;
  });
  return svg + "</svg>\n";
}
