// The public Model: the recurrent sequence model of nn/ with the training of train/ and the files
// of io/ (the top level is the one place that may join the layers).
import { RecurrentModel } from "./nn/model/model.js";
import type { Prediction } from "./nn/model/model.js";
import type { ModelConfig, Readout } from "./nn/model/config.js";
import type { CarriedState } from "./nn/rnn/stream.js";
import { argmaxRows, softmaxRows } from "./nn/model/outputs.js";
import type { SequenceData } from "./nn/model/data.js";
import { fit, trainBatch } from "./train/fit.js";
import type { FitOptions, History, Logs } from "./train/fit.js";
import type { Optimizer } from "./train/optim.js";
import { loadModel, saveModel } from "./io/model-file.js";
import { modelSummary } from "./nn/model/summary.js";
import { Vocabulary } from "./io/vocabulary.js";
import { checkPyTorchExport, pytorchSource } from "./export/pytorch.js";
import type { PyTorchExport } from "./export/pytorch.js";
import { checkExportable, modelToOnnx } from "./export/onnx.js";
import { readKeras } from "./io/keras.js";

/** A recurrent sequence model: RNN, LSTM, GRU or ODE-RNN layers and a linear readout, trained
 *  with fit() (or trainBatch()), saved as safetensors. `R` is the readout, inferred from the
 *  config ("last" when it names none), so that predict() returns the matching type.
 *
 * @example
 * ```ts
 * import { init, Model } from "recurrent-wasm";
 *
 * await init();
 * const x = [Float32Array.of(1, 2, 3), Float32Array.of(4, 5), Float32Array.of(6)]; // 1 feature per step
 * const y = Float32Array.of(6, 9, 6); // a target per sequence: its sum
 * const model = new Model({ cell: "gru", inputSize: 1, hiddenSize: 8, outputSize: 1, seed: 0 });
 * const history = await model.fit({ x, y }, { epochs: 50, learningRate: 0.05 });
 * const pred: Float32Array = model.predict([Float32Array.of(2, 2)]); // readout "last": one value each
 * const copy = Model.load(model.save()); // safetensors bytes
 * console.log(history.loss.length, pred[0], copy.predict([Float32Array.of(2, 2)])[0] === pred[0]); // 50 … true
 * ```
 */
export class Model<R extends Readout = "last"> extends RecurrentModel<R> {
  /** The optimizer fit() trains with, kept across fit() calls (null before the first). Set it, or
   *  pass `optimizer` to fit(), to replace it; a new optimizer starts with fresh state. */
  optimizer: Optimizer | null = null;
  /** __metadata__ of the file this model was loaded from (empty for a new model). */
  metadata: Record<string, string> = {};
  /** The vocabulary of a token model's ids, if it has one: save() stores it in the file
   *  (__metadata__.vocabulary, its JSON) and load() gives it back. */
  vocabulary: Vocabulary | null = null;

  /** Train on sequences (Keras-like): seeded shuffling, validation split or data, callbacks,
   *  yielding to the event loop. Keeps its optimizer across calls (see `optimizer`). */
  fit(data: SequenceData, options: FitOptions = {}): Promise<History> {
    return fit(this, data, options);
  }

  /** One optimization step on a batch of sequences: zero grads, forward, loss, BPTT, clip, step.
   *  `state` ({ h, c } [layers·directions, B, H], initialState "zeros" models) carries the
   *  recurrent state across batches, for truncated BPTT over streams longer than a batch: it is
   *  read as the batch's initial state and overwritten with its final state (gradients stop at
   *  the batch's start). */
  trainBatch(data: SequenceData, optimizer: Optimizer,
    options: { clipNorm?: number; truncate?: number; state?: CarriedState } = {}): Logs {
    return trainBatch(this, data, optimizer, options);
  }

  /** Class probabilities of a crossentropy model: the softmax of predict()'s logits over the
   *  outputSize classes, in predict()'s shapes (predict's options). */
  predictProba(x: Float32Array[] | Int32Array[],
    options: Parameters<RecurrentModel<R>["predict"]>[1] = {}): Prediction<R> {
    const O = this.#classes("Model.predictProba");
    const p = this.predict(x, options) as Float32Array | Float32Array[];
    return (Array.isArray(p) ? p.map((a) => softmaxRows(a, O)) : softmaxRows(p, O)) as Prediction<R>;
  }

  /** Predicted classes of a crossentropy model: the index of the largest logit (the first of equal
   *  ones), Int32Array [N] for readout "last", one Int32Array [len_i] per sequence for "sequence". */
  predictClasses(x: Float32Array[] | Int32Array[],
    options: Parameters<RecurrentModel<R>["predict"]>[1] = {}): R extends "sequence" ? Int32Array[] : Int32Array {
    const O = this.#classes("Model.predictClasses");
    const p = this.predict(x, options) as Float32Array | Float32Array[];
    return (Array.isArray(p) ? p.map((a) => argmaxRows(a, O)) : argmaxRows(p, O)) as R extends "sequence" ? Int32Array[]
      : Int32Array;
  }

  #classes(where: string): number {
    if (this.config.loss !== "crossentropy") {
      throw new TypeError(
        `${where}: the model's loss is "${this.config.loss}"; class probabilities and classes need loss "crossentropy" (use predict)`,
      );
    }
    return this.config.outputSize;
  }

  /** A table of the model, like Keras' model.summary(): one row per module in the order of the
   *  parameters (rnn, the head's Linear and activation layers, readout, learned initial states, the
   *  ODE's f), each with its type, output shape ("batch" and "steps" for the batch's sizes; a learned
   *  state shows its table's shape) and parameter count, then the total (equal to numParams).
   *  Returns the string; `console.log(model.summary())` prints it. */
  summary(): string {
    this.parameters.paramsAt("Model.summary"); // throws after dispose()
    return modelSummary(this.config, this.parameterSlots());
  }

  /** The model as safetensors bytes: every parameter by name, the config in __metadata__, with
   *  the given metadata (strings). `vocabulary` (default: model.vocabulary) is stored as its JSON
   *  in __metadata__.vocabulary; for a token model its size must be vocabSize. */
  save(metadata: Record<string, string | Vocabulary> = {}): Uint8Array {
    const M = "Model.save";
    const given = metadata !== null && typeof metadata === "object" ? metadata.vocabulary : undefined;
    const v = given instanceof Vocabulary ? given : given === undefined ? this.vocabulary : null;
    if (v) {
      const V = this.config.vocabSize;
      if (V !== undefined && v.size !== V) {
        throw new RangeError(`${M}: the vocabulary has ${v.size} symbols but the model's vocabSize is ${V}`);
      }
      return saveModel(this, { ...metadata, vocabulary: JSON.stringify(v.toJSON()) });
    }
    return saveModel(this, metadata as Record<string, string>);
  }

  /** The model for PyTorch: "model.py", a torch.nn.Module written from the config whose
   *  forward(x, lengths, classes, mask, times) returns what predict() returns, with its loss and
   *  load()/save(), and "model.safetensors", the model file (save()'s bytes with the model's
   *  metadata and vocabulary), which model.load() reads and whose save() writes what Model.load()
   *  reads. Cells rnn, lstm and gru; the ODE-RNN is a TypeError. */
  toPyTorch(): PyTorchExport {
    const M = "Model.toPyTorch";
    this.parameters.paramsAt(M); // throws after dispose()
    checkPyTorchExport(M, this.config);
    const { format: _format, config: _config, ...metadata } = this.metadata;
    return { "model.py": pytorchSource(this.config), "model.safetensors": this.save(metadata) };
  }

  /** The model as an ONNX model (ModelProto bytes, opset 14) that ONNX Runtime runs: inputs "x"
   *  (float32 [batch, steps, inputSize], or int64 token ids [batch, steps]), "lengths" (int32
   *  [batch]; steps past a length are padding), for initialState { perClass } "classes" (int32
   *  [batch]), for inputMask "mask" (float32 [batch, steps, inputSize]), for timeGap "times" (float64
   *  [batch, steps]); output "y", what predict() returns ([batch, outputSize] for readout "last",
   *  [batch, steps, outputSize] zero past each length for "sequence"). Batch and steps are dynamic.
   *  ONNX's RNN, LSTM and GRU operators run the recurrence (docs/scale.md has the mapping). The
   *  model's metadata_props hold its config ("recurrent-wasm.config", JSON) and, if it has one, its
   *  vocabulary ("recurrent-wasm.vocabulary", the JSON save() stores). The
   *  ODE-RNN (cell "odegru") is a TypeError. */
  toONNX(): Uint8Array {
    const M = "Model.toONNX";
    this.parameters.paramsAt(M); // throws after dispose()
    checkExportable(M, this.config);
    const v = this.vocabulary;
    return modelToOnnx(this.config, this.stateDict(),
      v ? [["recurrent-wasm.vocabulary", JSON.stringify(v.toJSON())]] : []);
  }

  /** Rebuild a model saved by save() (or written by PyTorch with the same names). The file is
   *  checked against its config before anything is allocated. */
  static load(bytes: Uint8Array): Model<Readout> {
    const { model, metadata } = loadModel(bytes, (cfg: ModelConfig) => new Model<Readout>(cfg));
    model.metadata = metadata;
    if (metadata.vocabulary !== undefined) {
      try {
        const v = Vocabulary.fromJSON(metadata.vocabulary), V = model.config.vocabSize;
        if (V !== undefined && v.size !== V) throw new RangeError(`it has ${v.size} symbols but vocabSize is ${V}`);
        model.vocabulary = v;
      } catch (e) {
        model.dispose();
        throw new Error(`Model.load: __metadata__.vocabulary is invalid: ${(e as Error).message}`);
      }
    }
    return model;
  }

  /** A Keras / TF.js LayersModel as a Model: `modelJson` is model.json (its text or the parsed
   *  object: modelTopology and weightsManifest, what tfjs `model.save("file://…")` writes),
   *  `weightBytes` the weights: weights.bin (several files concatenated in the manifest's order), or
   *  an array of the files' bytes, one per path of the manifest.
   *  Reads Embedding, Masking, SimpleRNN, LSTM, GRU (either reset_after), Bidirectional (concat),
   *  stacked recurrent layers, Dropout, Dense (hidden layers become the head; the last is the
   *  readout: linear → loss "mse", softmax → "crossentropy", whose predictProba() is Keras'
   *  output) and TimeDistributed(Dense) (readout "sequence"). Anything else is an Error naming the
   *  layer, its class and the option. Everything is checked before the model is allocated. */
  static fromKeras(modelJson: string | object,
    weightBytes: Uint8Array | ArrayBuffer | (Uint8Array | ArrayBuffer)[]): Model<Readout> {
    const { config, dict } = readKeras(modelJson, weightBytes);
    const model = new Model<Readout>(config);
    try {
      model.loadStateDict(dict);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }
}
