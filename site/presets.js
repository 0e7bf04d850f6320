// The playground's tasks (presets): each names its data, the model it trains (config), its default
// settings and how its results are shown. The data functions below use only their arguments and the
// library's Rng and Vocabulary, so "show the code" prints their own source into a Node module that
// rebuilds the same data (code.js): the page and that module train on the same numbers. Each data
// function therefore says what it does in a comment inside its body (which its source keeps).
//
// Adding a task is one entry of PRESETS: { id, title, summary, kind, defaults, data(input), config(d, s),
// functions, dataCode(input) }, kind being "forecast" (a series and the next value), "regress" (a
// sequence and a number), "classify" (a sequence and a class), "text" (next-character model) or
// "simulate" (whole input records, an output at every step, run free from a zero state: its
// results are the measured and emulated output of a held-out record over time).
"use strict";
const Rng = Recurrent.Rng, Vocabulary = Recurrent.Vocabulary;

function noisySine() {
  // A noisy sine: 400 steps of sin(2πt/25) plus seeded Gaussian noise of standard deviation 0.1.
  const rng = new Rng(7), series = [];
  for (let t = 0; t < 400; t++) series.push(Math.sin((2 * Math.PI * t) / 25) + 0.1 * rng.normal());
  return series;
}

function sunspotSeries(csv) {
  // Yearly sunspot numbers from a CSV of `year,sunspots` rows.
  const rows = csv.trim().split("\n").slice(1).map((line) => line.split(",").map(Number));
  return { years: rows.map((r) => r[0]), values: rows.map((r) => r[1]) };
}

function forecastWindows(series, width, split) {
  // Forecasting windows: x is `width` consecutive values, y the value after them, both standardized by
  // the mean and standard deviation of series[0, split); windows whose target index is >= split are the
  // validation set.
  const head = series.slice(0, split);
  const mean = head.reduce((a, b) => a + b, 0) / head.length;
  const std = Math.sqrt(head.reduce((a, b) => a + (b - mean) ** 2, 0) / head.length);
  const z = series.map((v) => (v - mean) / std), train = { x: [], y: [] }, val = { x: [], y: [] };
  for (let t = width; t < series.length; t++) {
    const set = t < split ? train : val;
    set.x.push(Float32Array.from(z.slice(t - width, t)));
    set.y.push(z[t]);
  }
  return { train: { x: train.x, y: Float32Array.from(train.y) }, val: { x: val.x, y: Float32Array.from(val.y) }, mean,
    std };
}

function waveShapes(n, seed) {
  // Strokes to classify: n sequences of 40 steps, each a sine, square or sawtooth wave (class 0, 1, 2 in
  // turn) with a random period of 8–20 steps, phase and amplitude (0.5–1.5), plus Gaussian noise of
  // standard deviation 0.15.
  const rng = new Rng(seed), x = [], y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 3, period = 8 + 12 * rng.uniform(), phase = rng.uniform(), amp = 0.5 + rng.uniform();
    const s = new Float32Array(40);
    for (let t = 0; t < 40; t++) {
      const u = (t / period + phase) % 1;
      const wave = label === 0 ? Math.sin(2 * Math.PI * u) : label === 1 ? (u < 0.5 ? 1 : -1) : 2 * u - 1;
      s[t] = amp * wave + 0.15 * rng.normal();
    }
    x.push(s);
    y[i] = label;
  }
  return { x, y };
}

function textWindows(text, vocab) {
  // Next-character data from a text: windows of up to 40 characters starting every 3rd character; x
  // holds a window's ids, y the ids one character later.
  const ids = vocab.encode(text), width = Math.min(40, ids.length - 1), x = [], y = [];
  for (let i = 0; i + width < ids.length; i += 3) {
    x.push(ids.slice(i, i + width));
    y.push(ids.slice(i + 1, i + width + 1));
  }
  return { x, y };
}

function esolRows(csv) {
  // ESOL's molecules: the SMILES (the last column) and the measured log solubility in mol/L (the column
  // before it).
  const rows = csv.trim().split("\n").slice(1).map((line) => line.trim().split(","));
  return { strings: rows.map((f) => f[f.length - 1]), targets: rows.map((f) => +f[f.length - 2]) };
}

function smilesTokens(s) {
  // SMILES tokens: one per character, but Cl and Br are one token each.
  return s.match(/Cl|Br|./g) ?? [];
}

function regressionData(strings, targets, seed) {
  // Regression data from strings and numbers: a Vocabulary of the tokens ("?" for unseen ones), ids in,
  // targets standardized by the training rows' mean and standard deviation; a seeded tenth of the rows
  // is the validation set.
  const vocab = Vocabulary.fromTokens(strings.flatMap(smilesTokens), { unknown: "?" });
  const order = strings.map((_, i) => i), rng = new Rng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nVal = Math.round(order.length / 10), trainRows = order.slice(nVal), valRows = order.slice(0, nVal);
  const mean = trainRows.reduce((a, i) => a + targets[i], 0) / trainRows.length;
  const std = Math.sqrt(trainRows.reduce((a, i) => a + (targets[i] - mean) ** 2, 0) / trainRows.length) || 1;
  const pick = (rows) => ({ x: rows.map((i) => vocab.encode(smilesTokens(strings[i]))),
    y: Float32Array.from(rows, (i) => (targets[i] - mean) / std) });
  return { vocab, mean, std, train: pick(trainRows), val: pick(valRows), valRows };
}

function reactorSchedules(csv) {
  // The reactor's feed schedules from a CSV of `split,schedule,phi,tau_ms,T_in_K,T_K` rows (one
  // sample every 0.8 ms): per schedule its split ("train" or "test"), the feed per sample as
  // [phi, log10(tau_ms), T_in_K] (the residence time spans 0.02–30 ms, hence its logarithm) and
  // the reactor's temperature T_K.
  const byId = new Map();
  for (const line of csv.trim().split("\n").slice(1)) {
    const [split, id, phi, tau, tIn, temp] = line.split(",");
    if (!byId.has(id)) byId.set(id, { split, feed: [], temperature: [] });
    byId.get(id).feed.push([+phi, Math.log10(+tau), +tIn]);
    byId.get(id).temperature.push(+temp);
  }
  return [...byId.values()];
}

function emulatorData(schedules) {
  // Free-run emulation data: x is a whole schedule's feed (one [phi, log10 tau, T_in] row per
  // sample), y the temperature at every sample, both standardized per channel by the mean and
  // standard deviation of the training schedules; the "test" schedules are the validation set.
  // The model reads only the feed, from a zero state at the schedule's cold start: free run.
  const train = schedules.filter((s) => s.split === "train"), rows = train.flatMap((s) => s.feed);
  const temps = train.flatMap((s) => s.temperature), avg = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const inputMean = [0, 1, 2].map((c) => avg(rows.map((r) => r[c])));
  const inputStd = inputMean.map((m, c) => Math.sqrt(avg(rows.map((r) => (r[c] - m) ** 2))));
  const mean = avg(temps), std = Math.sqrt(avg(temps.map((v) => (v - mean) ** 2)));
  const pick = (set) => ({
    x: set.map((s) => Float32Array.from(s.feed.flat(), (v, i) => (v - inputMean[i % 3]) / inputStd[i % 3])),
    y: set.map((s) => Float32Array.from(s.temperature, (v) => (v - mean) / std)),
  });
  return { train: pick(train), val: pick(schedules.filter((s) => s.split === "test")), mean, std, inputMean, inputStd };
}

const DEFAULT_TEXT =
  "The river runs down from the hills and the river runs into the sea. The sea rises into the clouds, "
  + "the clouds drift over the hills, and the rain falls on the hills and runs into the river again. "
  + "So the water goes round and round: hills, river, sea, clouds, rain, and the hills again. "
  + "A boat on the river goes down to the sea, and a bird on the wind goes up to the clouds.";

const PRESETS = [{ id: "sine", title: "Forecast a noisy sine",
  summary:
    "400 steps of a sine wave (period 25) with noise. The model reads 24 steps and predicts the next one; the last 20% of the series is held out to check it.",
  kind: "forecast", units: { x: "time step", y: "value" },
  defaults: { cell: "gru", numLayers: 1, hiddenSize: 32, epochs: 15, learningRate: 0.01, batchSize: 32 },
  functions: [noisySine, forecastWindows],
  data() {
    const series = noisySine(), d = forecastWindows(series, 24, 320);
    return { ...d, time: series.map((_, t) => t).slice(24 + d.train.x.length) };
  }, dataCode: () => "const { train, val, mean, std } = forecastWindows(noisySine(), 24, 320);",
  config: (d, s) => ({ cell: s.cell, inputSize: 1, hiddenSize: s.hiddenSize, numLayers: s.numLayers, outputSize: 1,
    seed: 1 }) }, { id: "sunspots", title: "Forecast sunspots",
  summary:
    "Yearly sunspot numbers, 1700–2008 (NOAA, public domain): the roughly 11-year solar cycle. The model reads 20 years and predicts the next; it trains on 1700–1928 and is checked on 1929–2008.",
  kind: "forecast", units: { x: "year", y: "sunspot number" },
  defaults: { cell: "gru", numLayers: 1, hiddenSize: 32, epochs: 20, learningRate: 0.005, batchSize: 16 },
  functions: [forecastWindows],
  data() {
    const { years, values } = sunspotSeries(SUNSPOTS_CSV), d = forecastWindows(values, 20, 229);
    return { ...d, time: years.slice(229) };
  },
  dataCode() {
    const { values } = sunspotSeries(SUNSPOTS_CSV), lines = [];
    for (let i = 0; i < values.length; i += 20) lines.push("  " + values.slice(i, i + 20).join(", ") + ",");
    return [`// yearly sunspot numbers 1700–2008 (data/sunspots.csv of the repository: NOAA, public domain)`,
      `const values = [\n${lines.join("\n")}\n];`,
      `const { train, val, mean, std } = forecastWindows(values, 20, 229);`].join("\n");
  },
  config: (d, s) => ({ cell: s.cell, inputSize: 1, hiddenSize: s.hiddenSize, numLayers: s.numLayers, outputSize: 1,
    seed: 1 }) }, { id: "text", title: "Write like a paragraph",
  summary:
    "A character-level language model learns the paragraph below (edit it!) and then writes text that continues a prompt, one character at a time.",
  kind: "text", units: { y: "nats per character" },
  defaults: { cell: "gru", numLayers: 1, hiddenSize: 96, epochs: 30, learningRate: 0.01, batchSize: 16 },
  functions: [textWindows],
  data(input) {
    const text = input.text;
    if (text.length < 20) throw new Error("The paragraph is too short: write at least 20 characters.");
    const vocab = Vocabulary.fromText(text);
    return { vocab, train: textWindows(text, vocab) };
  },
  dataCode: (input) =>
    [`const text = ${JSON.stringify(input.text)};`, `const vocab = Vocabulary.fromText(text);`,
      `const train = textWindows(text, vocab);`].join("\n"),
  config: (d, s) => ({ cell: s.cell, vocabSize: d.vocab.size, embeddingSize: 16, hiddenSize: s.hiddenSize,
    numLayers: s.numLayers, outputSize: d.vocab.size, readout: "sequence", loss: "crossentropy", seed: 1 }) }, {
  id: "shapes",
  title: "Classify wave shapes",
  summary:
    "Strokes of 40 samples, each a sine, square or sawtooth wave of random period, phase and size, with noise. The model reads a stroke and names its shape; 150 fresh strokes check it.",
  kind: "classify",
  classes: ["sine", "square", "sawtooth"],
  units: {},
  defaults: { cell: "gru", numLayers: 1, hiddenSize: 32, epochs: 12, learningRate: 0.01, batchSize: 32 },
  functions: [waveShapes],
  data: () => ({ train: waveShapes(450, 1), val: waveShapes(150, 2) }),
  dataCode: () => "const train = waveShapes(450, 1), val = waveShapes(150, 2);",
  config: (d, s) => ({ cell: s.cell, inputSize: 1, hiddenSize: s.hiddenSize, numLayers: s.numLayers, outputSize: 3,
    loss: "crossentropy", seed: 1 }),
}, { id: "smiles", title: "Solubility from SMILES",
  summary:
    "1,128 molecules written as SMILES strings (ESOL, Delaney 2004) and their measured solubility in water (log mol/L). The model reads a molecule's string and predicts its solubility; a tenth of them check it.",
  kind: "regress", units: { y: "log solubility (mol/L)" },
  defaults: { cell: "gru", numLayers: 1, hiddenSize: 64, epochs: 15, learningRate: 0.005, batchSize: 32 },
  functions: [esolRows, smilesTokens, regressionData],
  data(input) {
    const rows = input.csv ? input.csv : esolRows(ESOL_CSV);
    return regressionData(rows.strings, rows.targets, 1);
  },
  dataCode: (input) =>
    input.csv
      ? [`// ${input.csv.name}: its column "${input.csv.xName}" as the strings, "${input.csv.yName}" as the targets`,
        `const strings = ${JSON.stringify(input.csv.strings)};`,
        `const targets = ${JSON.stringify(input.csv.targets)};`,
        `const { vocab, train, val, mean, std } = regressionData(strings, targets, 1);`].join("\n")
      : [`// data/esol-delaney.csv of the recurrent-wasm package (see data/SOURCES.md)`,
        `const { strings, targets } = esolRows(readFileSync("node_modules/recurrent-wasm/data/esol-delaney.csv", "utf8"));`,
        `const { vocab, train, val, mean, std } = regressionData(strings, targets, 1);`].join("\n"),
  config: (d, s) => ({ cell: s.cell, vocabSize: d.vocab.size, embeddingSize: 16, hiddenSize: s.hiddenSize,
    numLayers: s.numLayers, outputSize: 1, seed: 1 }) }, { id: "reactor", title: "Emulate a chemical reactor",
  summary:
    "A methane–air stirred-tank reactor simulated by Cantera (GRI-Mech 3.0) while its feed (fuel-to-air ratio, residence time, feed temperature) changes step by step: it ignites and blows out. The model reads only the feed and emulates the reactor's temperature from a cold start, never seeing the measured one (free run); 8 schedules of 200 ms train it, 3 held-out ones check it.",
  kind: "simulate", units: { x: "time (ms)", y: "temperature (K)" },
  defaults: { cell: "gru", numLayers: 1, hiddenSize: 32, epochs: 40, learningRate: 0.005, batchSize: 2 },
  functions: [reactorSchedules, emulatorData],
  data() {
    const d = emulatorData(reactorSchedules(REACTOR_CSV));
    // sample j is the state at the end of the 0.8 ms interval j
    return { ...d, time: Array.from(d.val.y[0], (_, j) => +(0.8 * (j + 1)).toFixed(1)) };
  },
  dataCode: () =>
    [`// data/reactor-playground.csv of the recurrent-wasm package (see data/SOURCES.md)`,
      `const schedules = reactorSchedules(readFileSync("node_modules/recurrent-wasm/data/reactor-playground.csv", "utf8"));`,
      `const { train, val, mean, std, inputMean, inputStd } = emulatorData(schedules);`].join("\n"),
  config: (d, s) => ({ cell: s.cell, inputSize: 3, hiddenSize: s.hiddenSize, numLayers: s.numLayers, outputSize: 1,
    readout: "sequence", seed: 1 }) }];
