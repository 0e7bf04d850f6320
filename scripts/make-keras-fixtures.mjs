#!/usr/bin/env node
// Writes TF.js LayersModel files and TF.js's own predictions to test/fixtures/keras/<case>/ (committed;
// test/reference/keras.test.ts reads them, so `npm test` needs neither TF.js nor this script):
//   model.json     what tfjs `model.save("file://…")` writes (modelTopology + weightsManifest)
//   weights.bin    the weights, every group of the manifest concatenated in its order
//   expected.json  the inputs (float features or token ids, [B, T, ·]), each sequence's length, and
//                  TF.js's predict() on them (float32 values; "logits" for a softmax output layer:
//                  the same model with the output's activation set to linear)
// Run with the TF.js 4.22 of bench/peers (`cd bench/peers && npm ci` installs it there):
//   node scripts/make-keras-fixtures.mjs
// The GRU with reset_after=True, which TF.js cannot build, comes from Keras 3:
//   scripts/make-keras3-fixtures.py
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const tf = createRequire(join(here, "..", "bench", "peers", "package.json"))("@tensorflow/tfjs");
const OUT = join(here, "..", "test", "fixtures", "keras");

// a small deterministic generator, so that the inputs do not change between runs
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;

const B = 3, T = 5, I = 3, H = 4;
const f32 = (a) => Array.from(Float32Array.from(a));

/** The layer's weights drawn again from U(±0.6) (biases too: TF.js initializes them to zeros). */
function randomize(model) {
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length) {
      layer.setWeights(ws.map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => 0.6 * rand()), w.shape)));
    }
  }
}

/** Save as tfjs' file:// handler does; `groups` > 1 splits the manifest into that many groups. */
async function save(model, dir, groups) {
  let art;
  await model.save(tf.io.withSaveHandler(async (a) => {
    art = a;
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
  }));
  const specs = art.weightSpecs, data = new Uint8Array(art.weightData);
  const manifest = [];
  const per = Math.ceil(specs.length / groups);
  for (let g = 0; g < groups; g++) {
    const weights = specs.slice(g * per, (g + 1) * per);
    if (weights.length) manifest.push({ paths: [`group${g + 1}-shard1of1.bin`], weights });
  }
  const json = { modelTopology: art.modelTopology, format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`, convertedBy: null, weightsManifest: manifest };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "model.json"), JSON.stringify(json));
  writeFileSync(join(dir, "weights.bin"), data);
}

/** One case: build, randomize, save, predict on B sequences of T steps. */
async function write(name, build,
  { tokens = 0, lengths = null, pad = 0, groups = 1, logits = false, nonzero = false } = {}) {
  const model = build();
  randomize(model);
  const dir = join(OUT, name);
  await save(model, dir, groups);
  const lens = lengths ?? Array(B).fill(T);
  let x, input;
  if (tokens) {
    x = Array.from({ length: B * T }, (_, k) =>
      (k % T) < lens[Math.floor(k / T)]
        ? (nonzero
          ? 1 + Math.floor((rand() + 1) / 2 * (tokens - 1)) % (tokens - 1)
          : Math.floor((rand() + 1) / 2 * tokens) % tokens)
        : 0);
    input = tf.tensor(x, [B, T], "float32");
  } else {
    x = f32(
      Array.from({ length: B * T * I }, (_, k) => Math.floor(k / I) % T < lens[Math.floor(k / (T * I))] ? rand() : pad),
    );
    input = tf.tensor(x, [B, T, I]);
  }
  const y = model.predict(input);
  const out = { shape: tokens ? [B, T] : [B, T, I], x, lengths: lens, yShape: y.shape, y: f32(await y.data()) };
  if (logits) {
    // the same model with a linear output layer: the logits our predict() returns
    const last = model.layers[model.layers.length - 1];
    const act = last.activation;
    last.activation = tf.layers.activation({ activation: "linear" }).activation;
    out.logits = f32(await model.predict(input).data());
    last.activation = act;
  }
  writeFileSync(join(dir, "expected.json"), JSON.stringify(out));
  console.log(name, "y", y.shape.join("x"));
}

const seq = (layers) => () => tf.sequential({ layers });
const input = { inputShape: [T, I] };
const rec = (Cls, o = {}) => Cls({ units: H, recurrentActivation: "sigmoid", ...o });

await write("simplernn-tanh", seq([tf.layers.simpleRNN({ units: H, ...input }), tf.layers.dense({ units: 2 })]));
await write("simplernn-relu",
  seq([tf.layers.simpleRNN({ units: H, activation: "relu", ...input }), tf.layers.dense({ units: 2 })]));
await write("lstm", seq([rec(tf.layers.lstm, input), tf.layers.dense({ units: 2 })]));
await write("gru-reset-before", seq([rec(tf.layers.gru, input), tf.layers.dense({ units: 2, activation: "linear" })]));
await write("bidirectional-lstm",
  seq([tf.layers.bidirectional({ layer: rec(tf.layers.lstm), mergeMode: "concat", ...input }),
    tf.layers.dense({ units: 2 })]));
await write("bidirectional-gru",
  seq([tf.layers.bidirectional({ layer: rec(tf.layers.gru), ...input }), tf.layers.dense({ units: 2 })]));
await write("stacked-lstm",
  seq([rec(tf.layers.lstm, { returnSequences: true, ...input }), rec(tf.layers.lstm), tf.layers.dense({ units: 2 })]), {
  groups: 2,
});
await write("stacked-simplernn-relu",
  seq([tf.layers.simpleRNN({ units: H, activation: "relu", returnSequences: true, ...input }),
    tf.layers.simpleRNN({ units: H, activation: "relu" }), tf.layers.dense({ units: 2 })]));
await write("embedding-gru", () => {
  // the functional API: a chain of layers from an Input
  const inp = tf.input({ shape: [T] });
  const e = tf.layers.embedding({ inputDim: 7, outputDim: 3 }).apply(inp);
  const g = rec(tf.layers.gru).apply(e);
  return tf.model({ inputs: inp, outputs: tf.layers.dense({ units: 7, activation: "softmax" }).apply(g) });
}, { tokens: 7, logits: true });
await write("head-softmax",
  seq([rec(tf.layers.lstm, input), tf.layers.dense({ units: 6, activation: "relu" }),
    tf.layers.dense({ units: 5, activation: "relu" }), tf.layers.dense({ units: 3, activation: "softmax" })]), {
  logits: true,
});
await write("head-tanh",
  seq([tf.layers.simpleRNN({ units: H, ...input }), tf.layers.dense({ units: 5, activation: "tanh" }),
    tf.layers.dense({ units: 1 })]));
await write("sequence-timedistributed",
  seq([rec(tf.layers.gru, { returnSequences: true, ...input }),
    tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) })]));
await write("sequence-bidirectional-stacked-softmax",
  seq([tf.layers.bidirectional({ layer: rec(tf.layers.lstm, { returnSequences: true }), ...input }),
    tf.layers.bidirectional({ layer: rec(tf.layers.lstm, { returnSequences: true }) }),
    tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 5, activation: "tanh" }) }),
    tf.layers.dense({ units: 3, activation: "softmax" })]), { logits: true });
await write("masking-lstm",
  seq([tf.layers.masking({ maskValue: 0, ...input }), rec(tf.layers.lstm), tf.layers.dense({ units: 2 })]), {
  lengths: [5, 3, 1],
});
// token ids 1..6 with 0 as trailing padding, which mask_zero masks
await write("embedding-maskzero-lstm",
  seq([tf.layers.embedding({ inputDim: 7, outputDim: 3, maskZero: true, inputLength: T }), rec(tf.layers.lstm),
    tf.layers.dense({ units: 2 })]), { tokens: 7, lengths: [5, 2, 4], nonzero: true });
// Dropout layers and a layer's dropout (training only: predictions ignore them), no biases, the
// output's softmax as an Activation layer
await write("dropout-nobias-activation",
  seq([tf.layers.dropout({ rate: 0.1, ...input }),
    tf.layers.simpleRNN({ units: H, useBias: false, dropout: 0.2, returnSequences: true }),
    tf.layers.dropout({ rate: 0.3 }), tf.layers.simpleRNN({ units: H, useBias: false }),
    tf.layers.dropout({ rate: 0.25 }), tf.layers.dense({ units: 3, useBias: false }),
    tf.layers.activation({ activation: "softmax" })]), { logits: true });
// no Dense: the model's output is the recurrent layer's (an identity readout)
await write("lstm-no-dense", seq([rec(tf.layers.lstm, { returnSequences: true, ...input })]));
// Masking before a Bidirectional: the backward half starts at each sequence's last unmasked step
await write("masking-bidirectional-gru",
  seq([tf.layers.masking({ maskValue: 0, ...input }), tf.layers.bidirectional({ layer: rec(tf.layers.gru) }),
    tf.layers.dense({ units: 2 })]), { lengths: [5, 3, 2] });
