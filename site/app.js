// The playground: pick a task (presets.js), set the cell, layers, width and training options, and
// train in a WorkerModel one epoch at a time; after each epoch the loss curves, a column of
// ‖∂L/∂h_t‖ (gradientFlow on a fixed batch) and the validation predictions in the data's units are
// drawn (plots.js). The trained model downloads as safetensors; "show the code" prints the same
// training as library calls (code.js). Plain scripts over the global Recurrent
// (dist/recurrent.iife.js); the shipped data come as ESOL_CSV, SUNSPOTS_CSV and REACTOR_CSV (data.js).
"use strict";
const $ = (id) => document.getElementById(id);
const isolated = !!globalThis.crossOriginIsolated, threads = isolated ? 2 : 1;
const WHY = "https://developer.mozilla.org/en-US/docs/Web/API/Window/crossOriginIsolated";
$("mode").innerHTML = isolated
  ? `Training runs in the background (a Web Worker) on <b>2 threads</b>, so this page stays responsive. <a href="${WHY}">Why 2?</a>`
  : `Training runs in the background (a Web Worker) on <b>1 thread</b>, so this page stays responsive. More threads need the web server to isolate this page from other sites, which it does not do here. <a href="${WHY}">Why?</a>`;

// --- state and the report the tests read -----------------------------------------------------------
let preset = PRESETS[0], csvData = null, model = null, abort = null, trained = null;
const report =
  (globalThis.playground = { preset: preset.id, epochs: 0, planned: 0, train: [], val: [], heat: [], heatBox: null,
    resultsBox: null, resultsAxes: null, metric: null, seconds: 0, longestGapMs: 0, done: false, cancelled: false,
    error: null, threads: 0, written: "", generator: { trained: false, epochs: 0, samples: [], error: null } });
const status = (t) => {
  $("status").textContent = t;
};

// --- the task chooser and the controls --------------------------------------------------------------
for (const p of PRESETS) {
  const label = document.createElement("label");
  label.innerHTML = `<input type="radio" name="preset" value="${p.id}" id="preset-${p.id}">${p.title}`;
  $("presets").append(label);
}
const FIELDS = [["cell", "cell", (v) => v], ["numLayers", "layers", (v) => +v], ["hiddenSize", "hidden", (v) => +v], [
  "epochs",
  "epochs",
  (v) => +v,
], ["learningRate", "lr", (v) => +v], ["batchSize", "batch", (v) => +v]];
/** The controls' values, checked: an error names the field, its range and what it holds. */
function settings() {
  const s = {};
  for (const [key, id, read] of FIELDS) {
    const el = $(id), v = read(el.value);
    if (el.type === "number") {
      const lo = +el.min, hi = +el.max, integer = key !== "learningRate";
      if (!Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
        throw new RangeError(
          `${el.labels[0].firstChild.textContent.trim()} must be ${
            integer ? "a whole number" : "a number"
          } from ${lo} to ${hi}, got "${el.value}"`,
        );
      }
    }
    s[key] = v;
  }
  return s;
}
function applyDefaults() {
  for (const [key, id] of FIELDS) $(id).value = String(preset.defaults[key]);
}
const input = () => ({ text: $("paragraph").value, prompt: $("prompt").value, csv: csvData });

function placeholders() {
  placeholder($("curves"), ["The loss per epoch appears here", "once you press Train."]);
  placeholder($("heatmap"), ["How far back the gradient reaches,", "step by step, appears here."]);
  placeholder($("results"), resultsHint[preset.kind] ?? [""]);
  $("resultsNote").textContent = "";
}
const resultsHint = { forecast: ["The held-out part of the series and the", "model's one-step forecasts appear here."],
  regress: ["Predicted against measured values", "of the held-out molecules appear here."],
  classify: ["Which shapes the model gets right", "(a confusion matrix) appears here."],
  simulate: ["The measured and the emulated temperature", "of a held-out schedule appear here."] };
const resultsTitle = { forecast: "Forecast and actual (held-out part)", regress: "Predicted against measured",
  classify: "Confusion matrix (held-out strokes)", simulate: "Measured and emulated (held-out schedule, free run)" };

function choose(id) {
  preset = PRESETS.find((p) => p.id === id) ?? PRESETS[0];
  report.preset = preset.id;
  $(`preset-${preset.id}`).checked = true;
  $("summary").textContent = preset.summary;
  $("textInput").hidden = preset.kind !== "text";
  $("csvInput").hidden = $("smilesExtras").hidden = preset.id !== "smiles";
  $("resultsPanel").hidden = preset.kind === "text";
  $("writePanel").hidden = preset.kind !== "text";
  $("resultsTitle").textContent = resultsTitle[preset.kind] ?? "";
  $("valLegend").hidden = preset.kind === "text";
  $("lossNote").textContent = preset.kind === "text"
    ? "Lower is better: how surprised the model is by each next character of the paragraph (no held-out text: it learns this paragraph by heart)."
    : "Lower is better. Training loss is measured on the examples the model learns from, validation loss on examples it never sees.";
  applyDefaults();
  forget();
  placeholders();
  status("Ready: press Train.");
  showCode();
}
/** The trained model no longer matches the task (a new task, paragraph or data set). */
function forget() {
  trained = null;
  $("download").disabled = $("predict").disabled = $("write").disabled = true;
  $("downloadNote").textContent = "Train a model first.";
}
$("presets").addEventListener("change", (e) => choose(e.target.value));
$("defaults").addEventListener("click", () => {
  applyDefaults();
  showCode();
});
for (const [, id] of FIELDS) $(id).addEventListener("input", () => showCode());
$("paragraph").value = DEFAULT_TEXT;
$("paragraph").addEventListener("input", () => {
  // a prompt the new paragraph cannot continue (a character it lacks) becomes its first two words
  const text = $("paragraph").value;
  if (Array.from($("prompt").value).some((ch) => !text.includes(ch))) {
    $("prompt").value = text.trim().split(/\s+/).slice(0, 2).join(" ");
  }
  forget();
  showCode();
});
$("prompt").addEventListener("input", () => showCode());

// --- show the code --------------------------------------------------------------------------------
function showCode() {
  try {
    const inp = input();
    $("code").textContent = codeFor(preset, settings(), inp, preset.data(inp));
  } catch (err) {
    $("code").textContent = `// ${err.message}`;
  }
}
$("copy").addEventListener("click", async () => {
  const text = $("code").textContent;
  try {
    await navigator.clipboard.writeText(text);
    $("copied").textContent = "Copied.";
  } catch {
    // no clipboard permission (an insecure origin, a headless browser): select it for Ctrl+C instead
    const range = document.createRange();
    range.selectNodeContents($("code"));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    $("copied").textContent = "Selected: press Ctrl+C (⌘C) to copy.";
  }
});

// --- a dropped or chosen CSV (the SMILES task) ------------------------------------------------------
function describeData() {
  $("dataset").textContent = csvData
    ? `${csvData.name}: ${csvData.strings.length} sequences (${csvData.xName}) → ${csvData.yName}`
    : "ESOL (Delaney 2004): 1,128 molecules, SMILES → measured log solubility (mol/L)";
}
async function loadCsv(file) {
  try {
    csvData = datasetFrom(await file.text(), file.name);
    describeData();
    forget();
    placeholders();
    showCode();
    status(`Loaded ${file.name}: press Train.`);
  } catch (err) {
    status(String(err.message || err));
  }
}
const drop = $("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  if (e.dataTransfer.files[0]) loadCsv(e.dataTransfer.files[0]);
});
$("csvFile").addEventListener("change", (e) => e.target.files[0] && loadCsv(e.target.files[0]));

// --- the main thread's frame gaps while training (the Worker keeps them short) ---------------------
let longestGap = 0, lastFrame = 0, watching = false;
function frame(now) {
  if (watching && lastFrame) longestGap = Math.max(longestGap, now - lastFrame);
  lastFrame = now;
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

// --- training ---------------------------------------------------------------------------------------
/** Rows idx of a data set ({ x, y }). */
const rows = (d, idx) => ({ x: idx.map((i) => d.x[i]),
  y: Array.isArray(d.y) ? idx.map((i) => d.y[i]) : d.y.constructor.from(idx, (i) => d.y[i]) });

/** The validation results in the data's units, drawn; returns the headline metric. */
async function showResults(p, d) {
  if (p.kind === "text" || !d.val) return null;
  const out = await model.predict(d.val.x);
  if (p.kind === "classify") {
    const k = p.classes.length, m = p.classes.map(() => p.classes.map(() => 0));
    let right = 0;
    d.val.y.forEach((c, i) => {
      const row = Array.from(out.subarray(i * k, (i + 1) * k)), j = row.indexOf(Math.max(...row));
      m[c][j]++;
      if (j === c) right++;
    });
    report.resultsBox = drawConfusion($("results"), m, p.classes);
    const acc = right / d.val.y.length;
    $("resultsNote").textContent = `Validation accuracy ${(100 * acc).toFixed(1)}% (guessing: 33.3%).`;
    return { name: "validation accuracy", value: acc };
  }
  if (p.kind === "simulate") return showSimulation(p, d, out);
  const unit = (v) => v * d.std + d.mean, actual = Array.from(d.val.y, unit), predicted = Array.from(out, unit);
  const rmse = (ps) => Math.sqrt(ps.reduce((a, v, i) => a + (v - actual[i]) ** 2, 0) / actual.length);
  const error = rmse(predicted);
  if (p.kind === "forecast") {
    report.resultsBox = drawSeries($("results"), d.time, actual, predicted, p.units.x, p.units.y);
    const last = d.val.x.map((w) => unit(w[w.length - 1]));
    $("resultsNote").innerHTML =
      `<span style="color:#888">━</span> actual, <span style="color:#e63">━</span> forecast one step ahead. RMSE ${
        error.toPrecision(3)
      }${p.units.y === "value" ? "" : ` ${p.units.y}s`}; repeating the last value: ${rmse(last).toPrecision(3)}.`;
  } else {
    report.resultsBox = drawScatter($("results"), actual, predicted, p.units.y);
    const mean = actual.map(() => d.mean);
    $("resultsNote").textContent = `Each dot is a held-out molecule; on the dashed line the prediction is exact. RMSE ${
      error.toFixed(2)
    } log units; always predicting the mean: ${rmse(mean).toFixed(2)}.`;
  }
  return { name: "validation RMSE", value: error };
}

/** Free-run results: the first held-out record's measured and emulated output over time, and the
 *  RMSE in the data's units over every held-out record against always predicting the mean. */
function showSimulation(p, d, out) {
  const unit = (v) => v * d.std + d.mean;
  let sq = 0, sqMean = 0, n = 0;
  out.forEach((pred, i) =>
    pred.forEach((v, t) => {
      const actual = unit(d.val.y[i][t]);
      sq += (unit(v) - actual) ** 2;
      sqMean += (d.mean - actual) ** 2;
      n++;
    })
  );
  const error = Math.sqrt(sq / n), [label, units] = p.units.y.match(/^(.*) \((.*)\)$/).slice(1);
  report.resultsBox = drawSeries($("results"), d.time, Array.from(d.val.y[0], unit), Array.from(out[0], unit),
    p.units.x, p.units.y);
  report.resultsAxes = { x: p.units.x, y: p.units.y };
  $("resultsNote").innerHTML =
    `<span style="color:#888">━</span> measured, <span style="color:#e63">━</span> emulated from the feed alone (held-out schedule 1 of ${d.val.y.length}). ${
      label[0].toUpperCase() + label.slice(1)
    } RMSE ${error.toFixed(0)} ${units} over the ${d.val.y.length} held-out schedules; always predicting the mean: ${
      Math.sqrt(sqMean / n).toFixed(0)
    } ${units}.`;
  return { name: "validation RMSE", value: error };
}

$("train").addEventListener("click", async () => {
  const p = preset, inp = input();
  let s, d;
  try {
    s = settings();
    d = p.data(inp);
  } catch (err) {
    status(String(err.message || err));
    return;
  }
  $("train").disabled = $("presetList").disabled = true;
  $("cancel").disabled = false;
  forget();
  Object.assign(report, { preset: p.id, epochs: 0, planned: s.epochs, train: [], val: [], heat: [], resultsAxes: null,
    metric: null, done: false, cancelled: false, error: null, written: "" });
  abort = new AbortController();
  // a fixed batch for the gradient picture: the 32 longest training sequences
  const order = [...d.train.x.keys()].sort((a, b) => d.train.x[b].length - d.train.x[a].length || a - b);
  const probe = rows(d.train, order.slice(0, 32));
  let ended = "";
  const lossName = p.kind === "text"
    ? "nats per character"
    : p.kind === "classify"
    ? "cross-entropy"
    : "MSE (standardized)";
  try {
    if (model) await model.dispose();
    model = null;
    status("Starting the Worker…");
    model = await Recurrent.WorkerModel.create(p.config(d, s), { threads });
    report.threads = model.info.threads;
    longestGap = lastFrame = 0;
    watching = true;
    const t0 = performance.now();
    for (let e = 1; e <= s.epochs; e++) {
      const h = await model.fit(d.train, { epochs: 1, batchSize: s.batchSize, learningRate: s.learningRate, clipNorm: 1,
        seed: e, ...(d.val ? { validationData: d.val } : {}), signal: abort.signal });
      report.train.push(h.loss[0]);
      if (d.val) report.val.push(h.valLoss[0]);
      report.epochs = e;
      const flow = await model.gradientFlow(probe);
      report.heat.push(Array.from(flow.stepNorms));
      drawCurves($("curves"), report.train, report.val, s.epochs, lossName);
      report.heatBox = drawHeatmap($("heatmap"), report.heat, s.epochs);
      report.metric = await showResults(p, d);
      // the plots' text for screen readers
      $("curves").setAttribute("aria-label",
        `${lossName} per epoch: training ${report.train[0].toFixed(3)} at epoch 1, ${
          h.loss[0].toFixed(3)
        } at epoch ${e}${d.val ? `; validation ${h.valLoss[0].toFixed(3)}` : ""}`);
      $("results").setAttribute("aria-label", $("resultsNote").textContent);
      report.seconds = (performance.now() - t0) / 1000;
      report.longestGapMs = longestGap;
      const m = report.metric ? `; ${report.metric.name} ${+report.metric.value.toPrecision(3)}` : "";
      status(
        `Epoch ${e}/${s.epochs}: training loss ${h.loss[0].toFixed(4)}${
          d.val ? `, validation ${h.valLoss[0].toFixed(4)}` : ""
        }${m}. ${report.seconds.toFixed(1)} s; longest pause of this page ${longestGap.toFixed(0)} ms.`,
      );
    }
    trained = { p, d, s };
    ended = "done";
    status(`${$("status").textContent} Done.`);
  } catch (err) {
    if (err && err.kind === "aborted") {
      ended = "cancelled";
      trained = { p, d, s };
      status(`Cancelled after ${report.epochs} epoch(s).`);
    } else {
      report.error = String(err && err.message || err);
      status(`Error: ${report.error}`);
    }
  } finally {
    watching = false;
    report.longestGapMs = longestGap;
    $("train").disabled = $("presetList").disabled = false;
    $("cancel").disabled = true;
    if (trained) {
      $("download").disabled = $("predict").disabled = $("write").disabled = false;
      $("downloadNote").textContent =
        `${p.title}: ${s.cell}, ${s.numLayers} × ${s.hiddenSize}, ${report.epochs} epoch(s).`;
      if (p.kind === "text") await write();
      if (p.id === "smiles") $("prediction").textContent = "Type a SMILES string and press Predict.";
    }
    // the tests wait for these: set once the page is ready to be used
    if (ended === "done") report.done = true;
    if (ended === "cancelled") report.cancelled = true;
  }
});
$("cancel").addEventListener("click", () => abort?.abort());

// --- using the trained model ----------------------------------------------------------------------
$("download").addEventListener("click", async () => {
  const { p, d, s } = trained;
  const meta = { task: p.id };
  if (d.vocab) meta.vocabulary = JSON.stringify(d.vocab.toJSON());
  if (d.std !== undefined) Object.assign(meta, { targetMean: String(d.mean), targetStd: String(d.std) });
  if (d.inputMean) {
    Object.assign(meta, { inputMean: JSON.stringify(d.inputMean), inputStd: JSON.stringify(d.inputStd) });
  }
  const bytes = await model.save(meta), a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  a.download = `${p.id}-${s.cell}.safetensors`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  $("downloadNote").textContent = `Saved ${a.download} (${
    (bytes.length / 1024).toFixed(0)
  } KB): Model.load(bytes) reads it back.`;
});

async function write() {
  const { d } = trained, prompt = $("prompt").value, temperature = +$("temperature").value;
  const unknown = [...new Set(Array.from(prompt).filter((ch) => !d.vocab.tokens.includes(ch)))];
  if (!prompt || unknown.length) {
    $("written").textContent = prompt
      ? `The paragraph has no ${unknown.map((c) => JSON.stringify(c)).join(", ")}: start with characters it uses.`
      : "Type a few characters to start with.";
    return;
  }
  if (!(temperature >= 0 && temperature <= 2)) {
    $("written").textContent = `Temperature must be from 0 to 2, got "${$("temperature").value}".`;
    return;
  }
  const ids = await model.generate({ prime: d.vocab.encode(prompt), length: 200, temperature, seed: 0 });
  report.written = prompt + d.vocab.decode(ids);
  $("written").textContent = report.written;
}
$("write").addEventListener("click", write);

$("predict").addEventListener("click", async () => {
  const text = $("smiles").value.trim(), { d } = trained ?? {};
  if (!text || !d || !d.vocab) return;
  const toks = smilesTokens(text), unknown = toks.filter((t) => !d.vocab.tokens.includes(t));
  const [v] = await model.predict([d.vocab.encode(toks)]);
  const name = csvData ? csvData.yName : "log solubility";
  $("prediction").textContent = `${name}: ${(v * d.std + d.mean).toFixed(2)}${csvData ? "" : " (mol/L)"}${
    unknown.length ? ` (tokens not in the training data: ${[...new Set(unknown)].join(" ")})` : ""
  }`;
});

setupGenerator($, () => (csvData ? csvData.strings : esolRows(ESOL_CSV).strings), threads, report.generator);

describeData();
choose(new URLSearchParams(location.search).get("task") ?? PRESETS[0].id);
