// The SMILES task's extras: a dropped CSV as the data set, the grammar check behind the generator's
// ✓ and ✗ marks, and the generator (a next-character token model in its own Worker).
"use strict";

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

/** Strings and targets from a CSV: the smiles column (else the first), the last numeric column. */
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
  const kept = rows.filter((r) => (r[xi] ?? "").trim() !== "");
  if (kept.length < 10) throw new Error(`${name}: need at least 10 rows with a non-empty ${header[xi].trim()}`);
  return { name, xName: header[xi].trim(), yName: header[yi].trim(), strings: kept.map((r) => r[xi].trim()),
    targets: kept.map((r) => +r[yi]) };
}

/** SMILES grammar: balanced parentheses and brackets, and every ring-closure digit (or %nn) paired. */
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
    if (ch === "]") return false;
    if (ch === "(") depth++;
    else if (ch === ")") {
      if (--depth < 0) return false;
    } else if (ch === "%") {
      const d = s.slice(i, i + 3);
      if (!/^%\d\d$/.test(d)) return false;
      open.has(d) ? open.delete(d) : open.add(d);
      i += 2;
    } else if (ch >= "0" && ch <= "9") open.has(ch) ? open.delete(ch) : open.add(ch);
  }
  return depth === 0 && open.size === 0 && s.length > 0;
}

/** The generator's buttons: train a next-character model on strings() in its own Worker, sample. */
function setupGenerator($, strings, threads, report) {
  let gen = null, vocab = null, known = null, draws = 0;
  $("genTrain").addEventListener("click", async () => {
    $("genTrain").disabled = true;
    $("genSample").disabled = true;
    const seqs = strings(), chars = [...new Set(seqs.join(""))].sort();
    // a Vocabulary of the characters (sorted), then <end> (the last output) and <start> (an input only)
    const v = Recurrent.Vocabulary.fromTokens([...chars, "<end>", "<start>"]);
    const x = seqs.map((s) => v.encode(["<start>", ...s])), y = seqs.map((s) => v.encode([...s, "<end>"]));
    try {
      if (gen) await gen.dispose();
      gen = await Recurrent.WorkerModel.create({ cell: "gru", vocabSize: v.size, embeddingSize: 16, hiddenSize: 64,
        numLayers: 2, outputSize: v.id("<end>") + 1, readout: "sequence", loss: "crossentropy", seed: 1 }, { threads });
      const epochs = Math.max(1, +$("genEpochs").value | 0);
      await gen.fit({ x, y }, { epochs, batchSize: 32, learningRate: 3e-3, clipNorm: 1, seed: 1, validationSplit: 0.1,
        onEpochEnd: (e, logs) => {
          report.epochs = e;
          $("genStatus").textContent = `Epoch ${e}/${epochs}: ${logs.loss.toFixed(3)} nats per character (validation ${
            logs.valLoss.toFixed(3)
          }).`;
        } });
      vocab = v;
      known = new Set(seqs);
      report.trained = true;
      $("genSample").disabled = false;
    } catch (err) {
      report.error = String(err && err.message || err);
      $("genStatus").textContent = `Error: ${report.error}`;
    } finally {
      $("genTrain").disabled = false;
    }
  });
  $("genSample").addEventListener("click", async () => {
    const END = vocab.id("<end>"), START = vocab.id("<start>"), lines = [];
    for (let i = 0; i < 10; i++) {
      const t = await gen.generate({ prime: [START], length: 200, temperature: 0.8, seed: draws++, stop: END });
      const s = vocab.decode(t[t.length - 1] === END ? t.subarray(0, t.length - 1) : t, "");
      const ok = plausibleSmiles(s);
      report.samples.push({ s, ok, novel: !known.has(s) });
      lines.push(`${ok ? (known.has(s) ? "✓ in data " : "✓ novel   ") : "✗         "} ${s}`);
    }
    $("samples").textContent = lines.join("\n");
  });
}
