// Keras / TF.js LayersModel files (model.json with modelTopology and weightsManifest, and the
// weights' bytes): the layers read into a Model's config and its state dict. Pure: reads its
// arguments, checks everything, allocates no WebAssembly memory (Model.fromKeras builds the model
// from what this returns). The weights' mapping is keras-weights.ts's.
import { show } from "../core/check.js";
import type { ModelConfig } from "../nn/model/config.js";
import { kerasStateDict, readManifest } from "./keras-weights.js";
import type { KerasPlan, KerasRecurrent } from "./keras-weights.js";

const W = "Model.fromKeras";
const SUPPORTED = "InputLayer, Masking, Embedding, SimpleRNN, LSTM, GRU, Bidirectional (of one of these), Dropout, "
  + "Dense, TimeDistributed (of Dense), Activation";

type Obj = Record<string, unknown>;
/** A layer of the topology: its class, its name, its config. */
interface Layer {
  cls: string;
  name: string;
  config: Obj;
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Read a model.json (string or parsed) and its weight bytes into a Model config and state dict. */
export function readKeras(modelJson: unknown,
  weightBytes: unknown): { config: ModelConfig; dict: Record<string, Float32Array> } {
  let json: unknown = modelJson;
  if (typeof modelJson === "string") {
    try {
      json = JSON.parse(modelJson);
    } catch (e) {
      throw new Error(`${W}: modelJson is not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObj(json)) {
    throw new TypeError(`${W}: modelJson must be model.json's text or its parsed object, got ${show(modelJson)}`);
  }
  const bytes = weightBytesOf(weightBytes, json.weightsManifest);
  if (!isObj(json.modelTopology)) {
    throw new Error(
      `${W}: modelJson has no modelTopology object (got ${
        show(json.modelTopology)
      }): is it a TF.js LayersModel's model.json?`,
    );
  }
  if (json.format !== undefined && json.format !== "layers-model") {
    throw new Error(
      `${W}: modelJson's format is ${show(json.format)}; only "layers-model" (tf.LayersModel) files hold Keras layers`,
    );
  }
  const weights = readManifest(W, json.weightsManifest, bytes);
  const plan = planOf(layersOf(json.modelTopology));
  return { config: plan.config, dict: kerasStateDict(W, plan, weights) };
}

const isBytes = (v: unknown): v is Uint8Array | ArrayBuffer => v instanceof Uint8Array || v instanceof ArrayBuffer;

/** The weights as one run of bytes: one buffer (every file concatenated in the manifest's order), or
 *  an array of them, one per path of the manifest (its groups in order, each group's paths in order). */
function weightBytesOf(v: unknown, manifest: unknown): Uint8Array {
  if (isBytes(v)) return v instanceof Uint8Array ? v : new Uint8Array(v);
  if (!Array.isArray(v) || !v.every(isBytes)) {
    throw new TypeError(
      `${W}: weightBytes must be a Uint8Array or an ArrayBuffer (weights.bin; several files concatenated in the manifest's order), or an array of them, one per path of the manifest, got ${
        show(v)
      }`,
    );
  }
  const groups: unknown[] = Array.isArray(manifest) ? manifest : [];
  const nPaths = groups.reduce((a: number, g) => a + (isObj(g) && Array.isArray(g.paths) ? g.paths.length : 0), 0);
  if (v.length !== nPaths) {
    throw new RangeError(
      `${W}: weightBytes is an array of ${v.length} buffers, but weightsManifest names ${nPaths} files; give one per path, in the manifest's order`,
    );
  }
  const parts = v.map((b) => b instanceof Uint8Array ? b : new Uint8Array(b));
  // each group's files hold exactly its weights (a file given in the wrong place shows here)
  let k = 0;
  groups.forEach((g, gi) => {
    const paths = isObj(g) && Array.isArray(g.paths) ? g.paths : [],
      weights = isObj(g) && Array.isArray(g.weights) ? g.weights : [];
    const files = parts.slice(k, k += paths.length), have = files.reduce((a, b) => a + b.length, 0);
    const need = weights.reduce(
      (a: number, w) =>
        a + 4 * (isObj(w) && Array.isArray(w.shape) ? (w.shape as number[]).reduce((p, d) => p * d, 1) : 0),
      0,
    );
    // (a malformed shape is readManifest's to name)
    if (Number.isSafeInteger(need) && have !== need) {
      throw new RangeError(
        `${W}: weightsManifest[${gi}] (${
          paths.map((p) => show(p)).join(", ")
        }) has weights of ${need} bytes, but its files in weightBytes hold ${have}`,
      );
    }
  });
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const b of parts) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

/** The topology's layers in order: a Sequential's list, or a functional model that is a chain. */
function layersOf(topology: Obj): Layer[] {
  // Keras' own JSON (converted from an .h5 file) wraps the model in model_config
  const model = isObj(topology.model_config) ? topology.model_config : topology;
  const cls = model.class_name, config = model.config;
  const raw = Array.isArray(config) ? config : isObj(config) ? config.layers : undefined;
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new Error(`${W}: modelTopology has no layers (class_name ${show(cls)})`);
  }
  const layers = raw.map((l, i): Layer => {
    if (!isObj(l) || typeof l.class_name !== "string" || !isObj(l.config)) {
      throw new Error(`${W}: layer ${i} of modelTopology is not an object with class_name and config`);
    }
    const name = typeof l.config.name === "string" ? l.config.name : typeof l.name === "string" ? l.name : `#${i}`;
    return { cls: l.class_name, name, config: l.config };
  });
  if (cls === "Sequential") return layers;
  if (cls !== "Model" && cls !== "Functional") {
    throw new Error(`${W}: modelTopology's class_name is ${show(cls)}; expected "Sequential", "Model" or "Functional"`);
  }
  // a functional model: each layer must read the one before it (a chain from one input)
  raw.forEach((l, i) => {
    const from = inboundNames((l as Obj).inbound_nodes);
    const want = i === 0 ? [] : [layers[i - 1].name];
    if (from.join("\u0000") !== want.join("\u0000")) {
      throw new Error(
        `${W}: layer "${layers[i].name}" (class ${layers[i].cls}) reads ${
          from.length ? from.map((n) => JSON.stringify(n)).join(", ") : "no layer"
        }; only a chain of layers (each reading the one before it, as in a Sequential model) can be read`,
      );
    }
  });
  return layers;
}

/** The names of the layers a functional layer's inbound_nodes read (tf.keras 2 and Keras 3 forms). */
function inboundNames(nodes: unknown): string[] {
  if (!Array.isArray(nodes)) return [];
  const names: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      if (typeof v[0] === "string" && typeof v[1] === "number") names.push(v[0]);
      else v.forEach(visit);
    } else if (isObj(v)) {
      const hist = isObj(v.config) ? v.config.keras_history : undefined;
      if (Array.isArray(hist) && typeof hist[0] === "string") names.push(hist[0]);
      else if (Array.isArray(v.args)) v.args.forEach(visit);
    }
  };
  nodes.forEach(visit);
  return names;
}

/** An activation's name in either spelling ("hard_sigmoid" and TF.js' "hardSigmoid"). */
function activation(v: unknown, fallback: string): string {
  if (v === undefined || v === null) return fallback;
  const s = typeof v === "string" ? v : isObj(v) && typeof v.class_name === "string" ? v.class_name : show(v);
  return s.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase()).replace(/^_/, "");
}

const refuse = (l: Layer, what: string): Error => new Error(`${W}: layer "${l.name}" (class ${l.cls}): ${what}`);

/** A recurrent layer's settings, checked (inner: the layer a Bidirectional wraps). */
function recurrent(l: Layer, inner: Layer, bidirectional: boolean): KerasRecurrent {
  const c = inner.config,
    where = inner === l ? l : { ...l, name: `${l.name}/${inner.name}`, cls: `${l.cls}(${inner.cls})` };
  const cell = inner.cls === "SimpleRNN" ? "rnn" : inner.cls === "LSTM" ? "lstm" : "gru";
  if (c.return_state === true) {
    throw refuse(where, "return_state true is not supported (the model returns its outputs only)");
  }
  if (c.stateful === true) {
    throw refuse(where, "stateful true is not supported (use the model's stream() to carry state across calls)");
  }
  if (c.go_backwards === true && !bidirectional) {
    throw refuse(where,
      "go_backwards true outside a Bidirectional is not supported (only the backward half of a Bidirectional runs backwards)");
  }
  if (c.time_major === true) throw refuse(where, "time_major true is not supported (batch-major inputs only)");
  if (typeof c.recurrent_dropout === "number" && c.recurrent_dropout > 0) {
    throw refuse(where,
      `recurrent_dropout ${c.recurrent_dropout} is not supported (no dropout on the recurrent state)`);
  }
  if (typeof c.units !== "number" || !Number.isInteger(c.units) || c.units < 1) {
    throw refuse(where, `units must be an integer >= 1, got ${show(c.units)}`);
  }
  const act = activation(c.activation, "tanh");
  let nonlinearity: "tanh" | "relu" | "linear" = "tanh";
  if (cell === "rnn") {
    if (act !== "tanh" && act !== "relu" && act !== "linear") {
      throw refuse(where, `activation ${JSON.stringify(act)} is not supported (SimpleRNN: "tanh", "relu" or "linear")`);
    }
    nonlinearity = act;
  } else {
    if (act !== "tanh") {
      throw refuse(where, `activation ${JSON.stringify(act)} is not supported (${inner.cls}: "tanh")`);
    }
    const ra = activation(c.recurrent_activation, "sigmoid");
    if (ra !== "sigmoid") {
      throw refuse(where,
        `recurrent_activation ${
          JSON.stringify(ra)
        } is not supported (the gates are "sigmoid"; TF.js' default is "hardSigmoid": build with recurrentActivation: "sigmoid")`);
    }
  }
  return { cell, units: c.units, nonlinearity, resetAfter: c.reset_after as boolean | undefined,
    useBias: c.use_bias !== false, returnSequences: c.return_sequences === true, dropout: rate(where, c.dropout),
    name: l.name, inner: inner === l ? null : inner.name };
}

/** Two dropouts one after the other: a unit is kept by both with probability (1 − a)(1 − b). */
const both = (a: number, b: number): number => a === 0 ? b : b === 0 ? a : 1 - (1 - a) * (1 - b);

function rate(l: Layer, v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !(v >= 0 && v < 1)) throw refuse(l, `dropout rate must be in [0, 1), got ${show(v)}`);
  return v;
}

/** The layers read into a plan: the embedding, the recurrent stack, the Dense layers, the config. */
function planOf(layers: Layer[]): KerasPlan {
  const rec: KerasRecurrent[] = [];
  const dense: { name: string; units: number; activation: string; useBias: boolean }[] = [];
  let embedding: { name: string; V: number; E: number } | null = null, masked = false;
  let inputDropout = 0, readoutDropout = 0, finalAct: string | null = null, inputSize: number | undefined;
  const between: number[] = [];
  for (const l of layers) {
    const c = l.config;
    const shape = Array.isArray(c.batch_input_shape)
      ? c.batch_input_shape
      : Array.isArray(c.batch_shape)
      ? c.batch_shape
      : null;
    if (shape && shape.length === 3 && typeof shape[2] === "number") inputSize ??= shape[2];
    if (finalAct !== null) throw refuse(l, `comes after the output's Activation layer; nothing may follow it`);
    switch (l.cls) {
      case "InputLayer":
        break;
      case "Masking":
      case "Embedding": {
        if (rec.length || embedding) {
          throw refuse(l, "must come before the recurrent layers (and at most one of Masking or Embedding)");
        }
        if (l.cls === "Masking") {
          masked = true;
          break;
        }
        if (typeof c.input_dim !== "number" || typeof c.output_dim !== "number") {
          throw refuse(l, `needs integer input_dim and output_dim, got ${show(c.input_dim)} and ${show(c.output_dim)}`);
        }
        masked = c.mask_zero === true;
        embedding = { name: l.name, V: c.input_dim, E: c.output_dim };
        break;
      }
      case "Dropout": {
        const p = rate(l, c.rate);
        if (dense.length) {
          throw refuse(l, "between Dense layers is not supported (dropout goes before the first Dense)");
        }
        // after the last recurrent layer so far: between layers if another follows, else on the readout
        if (!rec.length) inputDropout = both(inputDropout, p);
        else readoutDropout = both(readoutDropout, p);
        break;
      }
      case "SimpleRNN":
      case "LSTM":
      case "GRU":
      case "Bidirectional": {
        if (dense.length) throw refuse(l, "a recurrent layer after a Dense layer is not supported");
        let r: KerasRecurrent;
        if (l.cls === "Bidirectional") {
          const inner = isObj(c.layer) ? c.layer : null;
          const icls = inner?.class_name;
          if (!inner || !isObj(inner.config) || !["SimpleRNN", "LSTM", "GRU"].includes(icls as string)) {
            throw refuse(l, `wraps ${show(icls)}; only SimpleRNN, LSTM or GRU`);
          }
          const mode = c.merge_mode ?? "concat";
          if (mode !== "concat") {
            throw refuse(l,
              `merge_mode ${JSON.stringify(mode)} is not supported (only "concat": the two directions side by side)`);
          }
          const name = typeof inner.config.name === "string" ? inner.config.name : String(icls).toLowerCase();
          r = recurrent(l, { cls: icls as string, name, config: inner.config }, true);
          r.bidirectional = true;
        } else r = recurrent(l, l, false);
        if (rec.length) {
          const p = rec[0];
          if (!rec[rec.length - 1].returnSequences) {
            throw refuse(l,
              "reads a recurrent layer with return_sequences false (stacked layers need return_sequences true)");
          }
          for (const [k, a, b] of [["cell", p.cell, r.cell], ["units", p.units, r.units], ["bidirectional",
            !!p.bidirectional, !!r.bidirectional], ["activation", p.nonlinearity, r.nonlinearity], ["reset_after",
            p.resetAfter, r.resetAfter]] as const) {
            if (a !== b) {
              throw refuse(l,
                `${k} ${JSON.stringify(b)} differs from the first recurrent layer's ${
                  JSON.stringify(a)
                } (stacked layers must be alike)`);
            }
          }
          between.push(both(readoutDropout, r.dropout));
          readoutDropout = 0;
        } else inputDropout = both(inputDropout, r.dropout);
        rec.push(r);
        break;
      }
      case "Dense":
      case "TimeDistributed": {
        if (!rec.length) throw refuse(l, "a Dense layer before the recurrent layers is not supported");
        let d = l.config;
        if (l.cls === "TimeDistributed") {
          const inner = isObj(c.layer) ? c.layer : null;
          if (!inner || inner.class_name !== "Dense" || !isObj(inner.config)) {
            throw refuse(l, `wraps ${show(inner?.class_name)}; only Dense`);
          }
          if (!rec[rec.length - 1].returnSequences) {
            throw refuse(l, "needs a sequence: the last recurrent layer has return_sequences false");
          }
          d = inner.config;
        }
        if (typeof d.units !== "number") throw refuse(l, `units must be an integer >= 1, got ${show(d.units)}`);
        dense.push({ name: l.name, units: d.units, activation: activation(d.activation, "linear"),
          useBias: d.use_bias !== false });
        break;
      }
      case "Activation": {
        const a = activation(c.activation, "linear");
        if (a !== "softmax" && a !== "linear") {
          throw refuse(l,
            `activation ${
              JSON.stringify(a)
            } is not supported (an Activation layer must be the output's "softmax" or "linear")`);
        }
        if (!dense.length || dense[dense.length - 1].activation !== "linear") {
          throw refuse(l, "must follow a Dense layer with a linear activation (it is then the output's activation)");
        }
        finalAct = a;
        break;
      }
      default:
        throw refuse(l, `this layer class is not supported; supported: ${SUPPORTED}`);
    }
  }
  if (!rec.length) throw new Error(`${W}: the model has no recurrent layer (SimpleRNN, LSTM, GRU or Bidirectional)`);
  if (between.length && between.some((p) => p !== between[0])) {
    throw new Error(`${W}: the dropout between recurrent layers differs (${between.join(", ")}); it must be one rate`);
  }
  const first = rec[0], last = rec[rec.length - 1];
  if (finalAct !== null) dense[dense.length - 1].activation = finalAct;
  const out = dense[dense.length - 1];
  const hidden = dense.slice(0, -1);
  for (const d of hidden) {
    if (d.activation !== "relu" && d.activation !== "tanh") {
      throw new Error(
        `${W}: layer "${d.name}" (class Dense): activation ${
          JSON.stringify(d.activation)
        } before the output layer is not supported ("relu" or "tanh")`,
      );
    }
    if (d.activation !== hidden[0].activation) {
      throw new Error(
        `${W}: layer "${d.name}" (class Dense): activation ${JSON.stringify(d.activation)} differs from "${
          hidden[0].name
        }"'s ${JSON.stringify(hidden[0].activation)} (the hidden Dense layers share one activation)`,
      );
    }
  }
  if (out && out.activation !== "linear" && out.activation !== "softmax") {
    throw new Error(
      `${W}: layer "${out.name}" (class Dense): activation ${
        JSON.stringify(out.activation)
      } on the output layer is not supported ("linear": loss mse, or "softmax": loss crossentropy)`,
    );
  }
  if (out && out.activation === "softmax" && out.units < 2) {
    throw new Error(
      `${W}: layer "${out.name}" (class Dense): softmax over ${out.units} unit is constant; it needs >= 2`,
    );
  }
  const D = first.bidirectional ? 2 : 1;
  const config: ModelConfig = { cell: first.cell, hiddenSize: first.units, numLayers: rec.length,
    bidirectional: D === 2, outputSize: out ? out.units : D * first.units,
    readout: last.returnSequences ? "sequence" : "last", loss: out?.activation === "softmax" ? "crossentropy" : "mse" };
  if (first.cell === "rnn") config.nonlinearity = first.nonlinearity;
  if (hidden.length) config.head = { hidden: hidden.map((d) => d.units), activation: hidden[0].activation as "relu" };
  if (embedding) Object.assign(config, { vocabSize: embedding.V, embeddingSize: embedding.E });
  if (inputDropout) config.inputDropout = inputDropout;
  if (between.length && between[0]) config.dropout = between[0];
  if (readoutDropout) config.readoutDropout = readoutDropout;
  return { config, recurrent: rec, dense, embedding, masked, inputSize };
}
