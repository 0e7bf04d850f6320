// The playground: a GRU on SMILES strings (or a dropped CSV), trained in a WorkerModel one epoch at
// a time; after each epoch the loss curves and a column of ‖∂L/∂h_t‖ (Model.gradientFlow on a
// fixed batch) are drawn. Plain script over the global Recurrent (dist/recurrent.iife.js) and
// ESOL_CSV (esol.js, written by scripts/build-site.mjs).
"use strict";
const $ = (id) => document.getElementById(id);
const threads = globalThis.crossOriginIsolated ? 2 : 1;
$("mode").textContent = globalThis.crossOriginIsolated
  ? "Mode: 2 threads in the Worker (the page is cross-origin isolated, so WebAssembly can share memory between workers)."
  : "Mode: 1 thread in the Worker (the page is served without COOP/COEP headers, so it is not cross-origin isolated and shared memory is unavailable).";

// --- data ------------------------------------------------------------------------------------
/** SMILES-aware characters: Cl and Br are one token (as the command line's tokenizer). */
function tokens(s) {
  const out = [];
  for (let i = 0; i < s.length; i++) {
    const two = s.slice(i, i + 2);
    if (two === "Cl" || two === "Br") {
      out.push(two);
      i++;
    } else out.push(s[i]);
  }
  return out;
}
/** Rows of a CSV (quoted fields with commas and doubled quotes allowed). */
function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      if (row.some((f) => f.trim() !== "")) rows.push(row);
      row = [];
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== "")) rows.push(row);
  return rows;
}
/** Sequences and targets from a CSV: the smiles column (else the first), the last numeric column. */
function datasetFrom(text, name) {
  const [header, ...rows] = parseCsv(text);
  if (!header || rows.length < 10) throw new Error(`${name}: need a header and at least 10 rows`);
  const lower = header.map((h) => h.trim().toLowerCase());
  const xi = lower.includes("smiles") ? lower.indexOf("smiles") : 0;
  let yi = -1;
  for (let j = header.length - 1; j >= 0; j--) {
    if (j !== xi && rows.every((r) => r[j] !== undefined && r[j].trim() !== "" && Number.isFinite(+r[j]))) {
      yi = j;
      break;
    }
  }
  if (yi < 0) throw new Error(`${name}: no numeric column to predict`);
  const seqs = rows.map((r) => r[xi].trim()), ys = rows.map((r) => +r[yi]);
  const vocab = new Map();
  for (const s of seqs) for (const t of tokens(s)) if (!vocab.has(t)) vocab.set(t, vocab.size + 1); // 0: unknown
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
  const std = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length) || 1;
  return { name, xName: header[xi].trim(), yName: header[yi].trim(), seqs, ys, vocab, mean, std };
}
function oneHot(s, vocab) {
  const t = tokens(s), V = vocab.size + 1, x = new Float32Array(Math.max(1, t.length) * V);
  t.forEach((tok, i) => {
    x[i * V + (vocab.get(tok) ?? 0)] = 1;
  });
  return x;
}

let data = datasetFrom(ESOL_CSV, "ESOL");
function describe(d) {
  $("dataset").textContent = `${d.name}: ${d.seqs.length} sequences (${d.xName}, ${d.vocab.size} tokens) → ${d.yName}`;
}
describe(data);

const drop = $("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", async (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const file = e.dataTransfer.files[0];
  if (!file) return;
  try {
    data = datasetFrom(await file.text(), file.name);
    describe(data);
    status(`Loaded ${file.name}.`);
  } catch (err) {
    status(String(err.message || err));
  }
});

// --- drawing ---------------------------------------------------------------------------------
const status = (t) => {
  $("status").textContent = t;
};
function drawCurves(train, val) {
  const c = $("curves"), g = c.getContext("2d"), W = c.width, H = c.height, pad = 34;
  g.fillStyle = "#fff";
  g.fillRect(0, 0, W, H);
  const all = train.concat(val).filter(Number.isFinite);
  if (!all.length) return;
  const lo = Math.min(...all), hi = Math.max(...all), n = Math.max(2, train.length);
  const X = (i) => pad + (i / (n - 1)) * (W - pad - 10),
    Y = (v) => H - pad - ((v - lo) / (hi - lo || 1)) * (H - pad - 10);
  g.strokeStyle = "#999";
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(pad, 10);
  g.lineTo(pad, H - pad);
  g.lineTo(W - 10, H - pad);
  g.stroke();
  g.fillStyle = "#666";
  g.font = "11px sans-serif";
  g.fillText(hi.toFixed(3), 2, 16);
  g.fillText(lo.toFixed(3), 2, H - pad);
  g.fillText(`epoch ${train.length}`, W - 70, H - pad + 16);
  for (const [series, color] of [[train, "#36c"], [val, "#e63"]]) {
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    series.forEach((v, i) => (i ? g.lineTo(X(i), Y(v)) : g.moveTo(X(i), Y(v))));
    g.stroke();
  }
}
function drawHeatmap(columns) {
  const c = $("heatmap"), g = c.getContext("2d"), W = c.width, H = c.height;
  g.fillStyle = "#fff";
  g.fillRect(0, 0, W, H);
  if (!columns.length) return;
  const T = columns[0].length, logs = columns.flatMap((col) => Array.from(col, (v) => Math.log10(v + 1e-12)));
  const lo = Math.min(...logs), hi = Math.max(...logs), cols = Math.max(columns.length, 10);
  const cw = W / cols, rh = H / T;
  columns.forEach((col, e) => col.forEach((v, t) => {
    const u = (Math.log10(v + 1e-12) - lo) / (hi - lo || 1); // 0 dark blue … 1 yellow
    g.fillStyle = `hsl(${240 - 180 * u}, 80%, ${20 + 45 * u}%)`;
    g.fillRect(e * cw, t * rh, Math.ceil(cw), Math.ceil(rh));
  }));
}

// --- the main thread's frame gaps while training (the Worker keeps them short) ------------------
let longestGap = 0, lastFrame = 0, watching = false;
function frame(now) {
  if (watching && lastFrame) longestGap = Math.max(longestGap, now - lastFrame);
  lastFrame = now;
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

// --- training --------------------------------------------------------------------------------
let model = null, abort = null, trained = null;
const report =
  (globalThis.playground = { epochs: 0, train: [], val: [], heat: [], longestGapMs: 0, done: false, cancelled: false,
    error: null, threads: 0 });

$("train").addEventListener("click", async () => {
  $("train").disabled = true;
  $("cancel").disabled = false;
  $("predict").disabled = true;
  Object.assign(report, { epochs: 0, train: [], val: [], heat: [], done: false, cancelled: false, error: null });
  abort = new AbortController();
  const d = data, V = d.vocab.size + 1, epochs = Math.max(1, +$("epochs").value | 0);
  const x = d.seqs.map((s) => oneHot(s, d.vocab)), y = Float32Array.from(d.ys, (v) => (v - d.mean) / d.std);
  // a fixed batch for the gradient picture: the 32 longest sequences
  const probe = [...x.keys()].sort((a, b) => x[b].length - x[a].length).slice(0, 32);
  const probeData = { x: probe.map((i) => x[i]), y: Float32Array.from(probe, (i) => y[i]) };
  try {
    if (model) await model.dispose();
    status("Starting the Worker…");
    model = await Recurrent.WorkerModel.create({ cell: "gru", inputSize: V,
      hiddenSize: Math.max(2, +$("hidden").value | 0), outputSize: 1, seed: 1 }, { threads });
    report.threads = model.info.threads;
    longestGap = 0;
    lastFrame = 0;
    watching = true;
    const t0 = performance.now();
    for (let e = 0; e < epochs; e++) {
      const h = await model.fit({ x, y }, { epochs: 1, batchSize: 32, learningRate: +$("lr").value,
        validationSplit: 0.1, seed: 1, signal: abort.signal });
      report.train.push(h.loss[0]);
      report.val.push(h.valLoss[0]);
      report.epochs = e + 1;
      const flow = await model.gradientFlow(probeData);
      report.heat.push(Array.from(flow.stepNorms));
      drawCurves(report.train, report.val);
      drawHeatmap(report.heat);
      report.longestGapMs = longestGap;
      status(
        `Epoch ${e + 1}/${epochs}: training loss ${h.loss[0].toFixed(4)}, validation ${
          h.valLoss[0].toFixed(4)
        } (standardized MSE); ${((performance.now() - t0) / 1000).toFixed(1)} s; longest frame gap ${
          longestGap.toFixed(0)
        } ms`,
      );
    }
    trained = d;
    report.done = true;
    status(`${$("status").textContent}. Done.`);
  } catch (err) {
    if (err && err.kind === "aborted") {
      report.cancelled = true;
      trained = d;
      status(`Cancelled after ${report.epochs} epoch(s).`);
    } else {
      report.error = String(err && err.message || err);
      status(`Error: ${report.error}`);
    }
  } finally {
    watching = false;
    report.longestGapMs = longestGap;
    $("train").disabled = false;
    $("cancel").disabled = true;
    $("predict").disabled = !model || !trained;
  }
});
$("cancel").addEventListener("click", () => abort?.abort());

$("predict").addEventListener("click", async () => {
  const s = $("smiles").value.trim();
  if (!s || !model || !trained) return;
  const unknown = tokens(s).filter((t) => !trained.vocab.has(t));
  const [p] = await model.predict([oneHot(s, trained.vocab)]);
  $("prediction").textContent = `${trained.yName}: ${(p * trained.std + trained.mean).toFixed(2)}${
    unknown.length ? ` (tokens not in the training data: ${[...new Set(unknown)].join(" ")})` : ""
  }`;
});

// --- generation: a next-character model over the dataset's strings ------------------------------
/** SMILES sanity: balanced parentheses and every ring-closure digit (or %nn) paired. */
function plausibleSmiles(s) {
  let depth = 0;
  const open = new Set();
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "[") {
      const j = s.indexOf("]", i);
      if (j < 0) return false;
      i = j;
      continue;
    }
    if (ch === "(") depth++;
    else if (ch === ")") { if (--depth < 0) return false; }
    else if (ch === "%") {
      const d = s.slice(i, i + 3);
      if (!/^%\d\d$/.test(d)) return false;
      open.has(d) ? open.delete(d) : open.add(d);
      i += 2;
    } else if (ch >= "0" && ch <= "9") open.has(ch) ? open.delete(ch) : open.add(ch);
  }
  return depth === 0 && open.size === 0 && s.length > 0;
}
let gen = null, genVocab = null, genKnown = null, genDraws = 0;
const genReport = (globalThis.playground.generator = { trained: false, epochs: 0, samples: [], error: null });
$("genTrain").addEventListener("click", async () => {
  $("genTrain").disabled = true;
  $("genSample").disabled = true;
  // a Vocabulary of the characters (sorted), then <end> (the last output) and <start> (an input only)
  const seqs = data.seqs, chars = [...new Set(seqs.join(""))].sort();
  const vocab = Recurrent.Vocabulary.fromTokens([...chars, "<end>", "<start>"]);
  const x = seqs.map((s) => vocab.encode(["<start>", ...s])), y = seqs.map((s) => vocab.encode([...s, "<end>"]));
  try {
    if (gen) await gen.dispose();
    // a token model: ids in, through a 16-wide embedding (a few dozen symbols)
    gen = await Recurrent.WorkerModel.create({ cell: "gru", vocabSize: vocab.size, embeddingSize: 16, hiddenSize: 64,
      numLayers: 2, outputSize: vocab.id("<end>") + 1, readout: "sequence", loss: "crossentropy", seed: 1 }, {
      threads,
    });
    const epochs = Math.max(1, +$("genEpochs").value | 0);
    await gen.fit({ x, y }, { epochs, batchSize: 32, learningRate: 3e-3, clipNorm: 1, seed: 1, validationSplit: 0.1,
      onEpochEnd: (e, logs) => {
        genReport.epochs = e;
        $("genStatus").textContent = `epoch ${e}/${epochs}: ${logs.loss.toFixed(3)} nats/char (validation ${
          logs.valLoss.toFixed(3)
        })`;
      } });
    genVocab = vocab;
    genKnown = new Set(seqs);
    genReport.trained = true;
    $("genSample").disabled = false;
  } catch (err) {
    genReport.error = String(err && err.message || err);
    $("genStatus").textContent = `Error: ${genReport.error}`;
  } finally {
    $("genTrain").disabled = false;
  }
});
$("genSample").addEventListener("click", async () => {
  const END = genVocab.id("<end>"), START = genVocab.id("<start>"), lines = [];
  for (let i = 0; i < 10; i++) {
    const t = await gen.generate({ prime: [START], length: 200, temperature: 0.8, seed: genDraws++, stop: END });
    const s = genVocab.decode(t[t.length - 1] === END ? t.subarray(0, t.length - 1) : t, "");
    const ok = plausibleSmiles(s);
    genReport.samples.push({ s, ok, novel: !genKnown.has(s) });
    lines.push(`${ok ? (genKnown.has(s) ? "✓ in data " : "✓ novel   ") : "✗         "} ${s}`);
  }
  $("samples").textContent = lines.join("\n");
});
