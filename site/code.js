// "Show the code": the library calls that reproduce the playground's current task and settings, as
// one ES module for Node. It carries the preset's own data functions (their source), builds the
// same model and trains it one epoch per fit() call with the page's options, so it prints the
// losses the page draws (test/integration/site.test.ts runs it and compares).
"use strict";

/** A config object as a JavaScript literal on one line; `names` maps values to expressions. */
function literal(o, names = {}) {
  const parts = Object.entries(o).map(([k, v]) => `${k}: ${k in names ? names[k] : JSON.stringify(v)}`);
  return `{ ${parts.join(", ")} }`;
}

/** The module's text for a preset, its settings (cell, numLayers, hiddenSize, epochs, learningRate,
 *  batchSize), the preset's input (the paragraph, a dropped CSV) and its data (from preset.data). */
function codeFor(preset, s, input, d) {
  const config = preset.config(d, s);
  const names = d.vocab
    ? Object.fromEntries(
      Object.entries(config).filter(([k, v]) => (k === "vocabSize" || k === "outputSize") && v === d.vocab.size).map((
        [k],
      ) => [k, "vocab.size"]),
    )
    : {};
  const sources = preset.functions.map((f) => f.toString()).join("\n\n");
  const lib = ["init", "Model"];
  if (/\bRng\b/.test(sources)) lib.push("Rng");
  if (/\bVocabulary\b/.test(sources + preset.dataCode(input))) lib.push("Vocabulary");
  const fs = /readFileSync/.test(preset.dataCode(input)) ? "readFileSync, writeFileSync" : "writeFileSync";
  const val = d.val ? ", validationData: val" : "";
  const out = [
    `// ${preset.title}, as the playground trains it: ${s.cell}, ${s.numLayers} layer(s) of ${s.hiddenSize}, ${s.epochs} epochs.`,
    `// An ES module for Node >= 20 (save it as train.mjs next to node_modules/recurrent-wasm, run node train.mjs).`,
    `import { ${lib.join(", ")} } from "recurrent-wasm";`,
    `import { ${fs} } from "node:fs";`,
    ``,
    `await init();`,
    ``,
    sources,
    ``,
    preset.dataCode(input),
    `const model = new Model(${literal(config, names)});`,
    `// one epoch per fit() call, each shuffled with its own seed, as the page trains`,
    `for (let epoch = 1; epoch <= ${s.epochs}; epoch++) {`,
    `  const h = await model.fit(train, { epochs: 1, batchSize: ${s.batchSize}, learningRate: ${s.learningRate}, clipNorm: 1, seed: epoch${val} });`,
    `  console.log("epoch", epoch, "loss", h.loss[0]${d.val ? `, "validation loss", h.valLoss[0]` : ""});`,
    `}`,
  ];
  if (preset.kind === "forecast" || preset.kind === "regress") {
    out.push(`// validation predictions in the data's units`,
      `const predicted = model.predict(val.x).map((v) => v * std + mean), actual = val.y.map((v) => v * std + mean);`,
      `console.log("validation RMSE", Math.sqrt(predicted.reduce((a, p, i) => a + (p - actual[i]) ** 2, 0) / actual.length));`,
      `writeFileSync("model.safetensors", model.save(${
        preset.kind === "regress" ? "{ vocabulary: vocab, " : "{ "
      }targetMean: String(mean), targetStd: String(std) }));`);
  } else if (preset.kind === "simulate") {
    out.push(`// free run over the held-out records (the model reads only the inputs): RMSE in the data's units`,
      `const predicted = model.predict(val.x);`, `let sq = 0, n = 0;`,
      `predicted.forEach((p, i) => p.forEach((v, t) => {`,
      `  sq += ((v * std + mean) - (val.y[i][t] * std + mean)) ** 2;`, `  n++;`, `}));`,
      `console.log("validation RMSE", Math.sqrt(sq / n));`,
      `writeFileSync("model.safetensors", model.save({ targetMean: String(mean), targetStd: String(std), inputMean: JSON.stringify(inputMean), inputStd: JSON.stringify(inputStd) }));`);
  } else if (preset.kind === "classify") {
    out.push(`// validation accuracy: the class with the largest output`,
      `const logits = model.predict(val.x), k = model.config.outputSize;`, `let right = 0;`,
      `for (let i = 0; i < val.y.length; i++) {`, `  const row = Array.from(logits.subarray(i * k, (i + 1) * k));`,
      `  if (row.indexOf(Math.max(...row)) === val.y[i]) right++;`, `}`,
      `console.log("validation accuracy", right / val.y.length);`, `writeFileSync("model.safetensors", model.save());`);
  } else if (preset.kind === "text") {
    out.push(`// continue a prompt: 200 characters sampled at temperature 0.8`,
      `const prompt = ${JSON.stringify(input.prompt)};`,
      `const ids = model.generate({ prime: vocab.encode(prompt), length: 200, temperature: 0.8, seed: 0 });`,
      `console.log(prompt + vocab.decode(ids));`,
      `writeFileSync("model.safetensors", model.save({ vocabulary: vocab }));`);
  }
  return out.join("\n") + "\n";
}
