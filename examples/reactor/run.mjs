#!/usr/bin/env node
// Emulating the Cantera reactor (data/reactor-cstr.csv: a methane–air CSTR whose feed changes
// step-wise; scripts/make-reactor-data.py): a continuous-time neural state-space model
// (NeuralStateSpace: dx/dt = f(x, u), u held over each 0.2 ms sample, y = C x + d) against a GRU
// Model with readout "sequence", both run free (they read the feed, never the measured outputs).
//   inputs  u = [phi, log tau_ms, T_in_K], standardized with the training schedules' statistics;
//   outputs y = [T_K, X_CO2, X_CO, X_H2O], standardized likewise; errors reported in physical
//           units (K, mole fraction) and normalized (divided by the training standard deviation).
// Training: schedules 0–6 ("train" split); schedule 7 (also "train") is the validation schedule
// that picks the checkpoint; schedules 8–10 ("test") are read once, at the end. Both models start
// from a zero state at the cold start of a schedule and run over all of it; the first WINDOW samples
// are left out of the loss and of the errors (the state settles from zero there).
// NeuralStateSpace trains by truncated backpropagation over chunks of CHUNK samples, the state
// carried from chunk to chunk (the 7 schedules side by side in one batch); the GRU by Model.fit on
// the whole schedules (backpropagation through all 1000 steps).
// Prints one line per model, writes reports/reactor.json, with --save the two models
// (reactor-ode.safetensors, reactor-gru.safetensors), and a plot of the held-out schedules' temperature, measured and emulated
// (reactor.svg).
// Usage: npm run example:reactor [-- --epochs 1000 --gru-epochs 1000 --seed 0 --state 16 --hidden 48 --chunk 100
//        --lr 0.003 --save --out DIR]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { numberArg, outDir } from "../args.mjs";
import { Adam, Model, NeuralStateSpace, clipGradNorm, init } from "../../dist/index.js";

const EPOCHS = numberArg("epochs", 1000), GRU_EPOCHS = numberArg("gru-epochs", 1000), SEED = numberArg("seed", 0);
const CHUNK = numberArg("chunk", 100), STATE = numberArg("state", 16), HIDDEN = numberArg("hidden", 48);
const LR = numberArg("lr", 3e-3);
/** The learning rate at a fraction of the training: cosine from LR down to LR / 20. */
const rate = (frac) => LR * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * frac)));
const WINDOW = 10, VAL = 7, OUTPUTS = ["T_K", "X_CO2", "X_CO", "X_H2O"], UNITS = ["K", "", "", ""];

await init();

// ---- the data ------------------------------------------------------------------------------------
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
const T = schedules[0].u.length, M = 3, Y = 4;
const trainIds = schedules.map((s, i) => (s.split === "train" && i !== VAL ? i : -1)).filter((i) => i >= 0);
const testIds = schedules.map((s, i) => (s.split === "test" ? i : -1)).filter((i) => i >= 0);
const stats = (key, n) => {
  const rows = trainIds.flatMap((i) => schedules[i][key]);
  const mean = Array.from({ length: n }, (_, j) => rows.reduce((a, r) => a + r[j], 0) / rows.length);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((a, r) => a + (r[j] - m) ** 2, 0) / rows.length));
  return { mean, std };
};
const uN = stats("u", M), yN = stats("y", Y);
/** [ids.length, T, n] standardized, row-major. */
const block = (ids, key, n, norm) => {
  const out = new Float32Array(ids.length * T * n);
  ids.forEach((id, b) =>
    schedules[id][key].forEach((r, k) => {
      for (let j = 0; j < n; j++) out[(b * T + k) * n + j] = (r[j] - norm.mean[j]) / norm.std[j];
    })
  );
  return out;
};
const sliceSteps = (a, B, n, k0, k1) => {
  const out = new Float32Array(B * (k1 - k0) * n);
  for (let b = 0; b < B; b++) out.set(a.subarray((b * T + k0) * n, (b * T + k1) * n), b * (k1 - k0) * n);
  return out;
};

/** Per output: RMSE in physical units and normalized, over steps [k0, k1) of every schedule. */
function errors(pred, ids, k0 = WINDOW, k1 = T) {
  const sq = new Float64Array(Y);
  let n = 0;
  ids.forEach((id, b) => {
    for (let k = k0; k < k1; k++, n++) {
      for (let j = 0; j < Y; j++) {
        const p = pred[(b * T + k) * Y + j] * yN.std[j] + yN.mean[j];
        sq[j] += (p - schedules[id].y[k][j]) ** 2;
      }
    }
  });
  const rmse = Array.from(sq, (s) => Math.sqrt(s / n));
  return { rmse, normalized: rmse.map((r, j) => r / yN.std[j]) };
}

/** Ignitions and extinctions along a temperature trace (the data test's rule). */
function events(pred, b, id) {
  let burning = false, ign = 0, ext = 0;
  for (let k = 0; k < T; k++) {
    const Tk = pred[(b * T + k) * Y] * yN.std[0] + yN.mean[0], Tin = schedules[id].u[k][2];
    if (!burning && Tk > 1800) [burning, ign] = [true, ign + 1];
    else if (burning && Tk < Tin + 300) [burning, ext] = [false, ext + 1];
  }
  return { ignitions: ign, extinctions: ext };
}

/** f's result and its least CPU time over `reps` runs (the machine may be shared). */
const cpu = (f, reps = 20) => {
  let r, best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.cpuUsage();
    r = f();
    const d = process.cpuUsage(t0);
    best = Math.min(best, (d.user + d.system) / 1e6);
  }
  return { r, cpu: best };
};

// ---- the neural state-space ODE --------------------------------------------------------------------
const uTrain = block(trainIds, "u", M, uN), yTrain = block(trainIds, "y", Y, yN);
const uVal = block([VAL], "u", M, uN), uTest = block(testIds, "u", M, uN);
const B = trainIds.length;
const ode = new NeuralStateSpace({ inputSize: M, stateSize: STATE, outputSize: Y, hidden: [HIDDEN], method: "rk4",
  seed: SEED });
const opt = new Adam({ learningRate: LR });
let best = { val: Infinity, epoch: -1, bytes: null };
const t0 = performance.now();
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  opt.learningRate = rate(epoch / EPOCHS);
  let x0 = new Float32Array(B * STATE);
  for (let k0 = 0; k0 < T; k0 += CHUNK) {
    const k1 = Math.min(T, k0 + CHUNK), L = k1 - k0;
    const r = ode.simulate(sliceSteps(uTrain, B, M, k0, k1), { batch: B, x0 });
    const target = sliceSteps(yTrain, B, Y, k0, k1), g = new Float32Array(r.outputs.length);
    const n = B * (L - Math.max(0, WINDOW - k0)) * Y;
    for (let b = 0; b < B; b++) {
      for (let k = Math.max(0, WINDOW - k0); k < L; k++) {
        for (let j = 0; j < Y; j++) {
          const i = (b * L + k) * Y + j;
          g[i] = (2 * (r.outputs[i] - target[i])) / n;
        }
      }
    }
    ode.zeroGrad();
    ode.backward({ outputs: g });
    clipGradNorm(ode, 1);
    opt.step(ode);
    // the state carried into the next chunk (not differentiated through)
    x0 = new Float32Array(B * STATE);
    for (let b = 0; b < B; b++) {
      x0.set(r.states.subarray((b * (L + 1) + L) * STATE, (b * (L + 1) + L + 1) * STATE), b * STATE);
    }
  }
  if (epoch % 10 === 9 || epoch === EPOCHS - 1) {
    const v = errors(ode.simulate(uVal, { batch: 1 }).outputs, [VAL]).normalized;
    const val = Math.sqrt(v.reduce((a, e) => a + e * e, 0) / Y);
    if (val < best.val) best = { val, epoch, bytes: ode.save() };
    console.error(
      `ode epoch ${epoch + 1}: validation normalized RMSE ${val.toFixed(4)} (${
        ((performance.now() - t0) / 1e3).toFixed(0)
      } s)`,
    );
  }
}
const odeTrainSeconds = (performance.now() - t0) / 1e3;
const odeBest = NeuralStateSpace.load(best.bytes);
const odeRun = cpu(() => odeBest.simulate(uTest, { batch: testIds.length }).outputs);
const odeOne = cpu(() => odeBest.simulate(uTest.subarray(0, T * M), { batch: 1 }).outputs);

// ---- the GRU ---------------------------------------------------------------------------------------
const seqs = (ids, a, n) => ids.map((_, b) => a.slice(b * T * n, (b + 1) * T * n));
const weights = trainIds.map(() => Float32Array.from({ length: T }, (_, k) => (k < WINDOW ? 0 : 1)));
const gru = new Model({ cell: "gru", inputSize: M, hiddenSize: HIDDEN, outputSize: Y, readout: "sequence",
  seed: SEED });
const gruOpt = new Adam({ learningRate: LR });
const t1 = performance.now();
let gbest = { val: Infinity, epoch: -1, bytes: null };
for (let e = 0; e < GRU_EPOCHS; e += 10) {
  gruOpt.learningRate = rate(e / GRU_EPOCHS);
  await gru.fit({ x: seqs(trainIds, uTrain, M), y: seqs(trainIds, yTrain, Y), weights }, {
    epochs: Math.min(10, GRU_EPOCHS - e),
    batchSize: B,
    optimizer: gruOpt,
    clipNorm: 1,
    verbose: false,
  });
  const p = gru.predict([uVal.slice()]);
  const v = errors(p[0], [VAL]).normalized, val = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / Y);
  if (val < gbest.val) gbest = { val, epoch: e + 9, bytes: gru.save() };
  console.error(
    `gru epoch ${e + 10}: validation normalized RMSE ${val.toFixed(4)} (${
      ((performance.now() - t1) / 1e3).toFixed(0)
    } s)`,
  );
}
const gruTrainSeconds = (performance.now() - t1) / 1e3;
const gruBest = Model.load(gbest.bytes);
const flat = (arrs) => {
  const out = new Float32Array(arrs.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const x of arrs) (out.set(x, o), (o += x.length));
  return out;
};
const gruRun = cpu(() => flat(gruBest.predict(seqs(testIds, uTest, M))));
const gruOne = cpu(() => flat(gruBest.predict([uTest.slice(0, T * M)])));

// ---- the report ------------------------------------------------------------------------------------
const canteraCpu = info.canteraCpuSecondsPerSample;
function report(name, run, one, epochs, trainSeconds, val) {
  const all = errors(run.r, testIds), short = errors(run.r, testIds, WINDOW, WINDOW + 100);
  const ev = testIds.map((id, b) => ({ schedule: id,
    cantera: { ignitions: info.schedules[id].ignitions, extinctions: info.schedules[id].extinctions },
    emulator: events(run.r, b, id) })
  );
  const perStep = one.cpu / T, perStepBatch = run.cpu / (T * testIds.length);
  const fmt = (e) =>
    e.rmse.map((r, j) =>
      `${OUTPUTS[j]} ${j === 0 ? r.toFixed(1) : r.toExponential(2)}${UNITS[j] ? " " + UNITS[j] : ""}`
    ).join(", ");
  const norm = (e) => e.normalized.map((r) => r.toFixed(3)).join("/");
  console.log(
    `reactor ${name}: free-run RMSE ${fmt(all)} (normalized ${norm(all)}); first 100 samples ${fmt(short)}; `
      + `events ${
        ev.map((e) =>
          `${e.emulator.ignitions}/${e.emulator.extinctions} vs ${e.cantera.ignitions}/${e.cantera.extinctions}`
        ).join(", ")
      }; `
      + `${(perStep * 1e6).toFixed(1)} µs CPU per step (batch 1), ${(perStepBatch * 1e6).toFixed(1)} µs (batch 3): `
      + `${(canteraCpu / perStep).toFixed(0)}× / ${(canteraCpu / perStepBatch).toFixed(0)}× faster than Cantera's ${
        (canteraCpu * 1e3).toFixed(3)
      } ms`,
  );
  const perSchedule = testIds.map((id, b) => errors(run.r.subarray(b * T * Y, (b + 1) * T * Y), [id]).rmse[0]);
  return { testRmseTPerSchedule: perSchedule, testRmse: Object.fromEntries(OUTPUTS.map((o, j) => [o, all.rmse[j]])),
    testNormalized: Object.fromEntries(OUTPUTS.map((o, j) => [o, all.normalized[j]])),
    first100Rmse: Object.fromEntries(OUTPUTS.map((o, j) => [o, short.rmse[j]])), events: ev, bestEpoch: val.epoch + 1,
    validationNormalizedRmse: val.val, epochs, trainSeconds, cpuSecondsPerStepBatch1: perStep,
    cpuSecondsPerStepBatch3: perStepBatch, speedupVsCanteraCpu: canteraCpu / perStep };
}
const out = { data: "data/reactor-cstr.csv", window: WINDOW, validationSchedule: VAL, trainSchedules: trainIds,
  testSchedules: testIds, canteraCpuSecondsPerSample: canteraCpu,
  neuralStateSpace: { config: odeBest.config(), chunk: CHUNK,
    ...report("neural state-space ODE", odeRun, odeOne, EPOCHS, odeTrainSeconds, best) },
  gru: { hiddenSize: HIDDEN, ...report("GRU", gruRun, gruOne, GRU_EPOCHS, gruTrainSeconds, gbest) } };
const dir = outDir();
mkdirSync(dir, { recursive: true });
writeFileSync(new URL("reactor.json", dir), JSON.stringify(out, null, 2) + "\n");
if (process.argv.includes("--save")) {
  writeFileSync(new URL("reactor-ode.safetensors", dir), best.bytes);
  writeFileSync(new URL("reactor-gru.safetensors", dir), gbest.bytes);
}
writeFileSync(new URL("reactor.svg", dir),
  plot([["Cantera", null, "#222"], ["neural state-space ODE", odeRun.r, "#d62728"], ["GRU", gruRun.r, "#1f77b4"]]));

/** The temperature of every held-out schedule against time: Cantera's and each emulator's. */
function plot(traces) {
  const W = 900, H = 190, pad = 40, n = testIds.length, Tmax = 3000;
  const x = (k) => pad + (k / (T - 1)) * (W - pad - 10), y = (v, p) => p * H + H - 25 - (v / Tmax) * (H - 40);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${
    n * H + 30
  }" font-family="sans-serif" font-size="12">\n`;
  testIds.forEach((id, p) => {
    svg += `<text x="${pad}" y="${p * H + 14}">schedule ${id} (held out): reactor temperature, K, over ${
      (T * info.sampleTime * 1e3).toFixed(0)
    } ms</text>\n`;
    for (const v of [0, 1000, 2000, 3000]) {
      svg += `<text x="2" y="${y(v, p) + 4}">${v}</text><line x1="${pad}" x2="${W - 10}" y1="${y(v, p)}" y2="${
        y(v, p)
      }" stroke="#ddd"/>\n`;
    }
    for (const [, pred, color] of traces) {
      const pts = Array.from({ length: T }, (_, k) => {
        const v = pred ? pred[(p * T + k) * Y] * yN.std[0] + yN.mean[0] : schedules[id].y[k][0];
        return `${x(k).toFixed(1)},${y(Math.max(0, Math.min(Tmax, v)), p).toFixed(1)}`;
      });
      svg += `<polyline fill="none" stroke="${color}" stroke-width="1.3" points="${pts.join(" ")}"/>\n`;
    }
  });
  traces.forEach(([name, , color], i) => {
    svg += `<text x="${pad + i * 220}" y="${n * H + 20}" fill="${color}">${name}</text>\n`;
  });
  return svg + "</svg>\n";
}
