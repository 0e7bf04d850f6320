// Issue 14, messages: the exact message and class of every error path of the public API (calls
// in bad-calls.ts). Each names the call and the argument, says what was expected and what came;
// none shows a core line number, "NaN"/"undefined" as a bound, or a JavaScript engine's own
// TypeError. Changing a message means changing this table, on purpose.
import { beforeAll, describe, expect, it } from "vitest";
import * as R from "../../dist/index.js";
import { badCalls } from "./bad-calls";

beforeAll(async () => {
  await R.init();
});

const MESSAGES: [string, ErrorConstructor, string][] = [["RNN options null", TypeError,
  "RNN: options must be an object, got null"], ["RNN options missing", TypeError,
  "RNN: inputSize must be an integer, got undefined"], ["RNN inputSize 0", RangeError,
  "RNN: inputSize must be an integer in 1..1048576, got 0"], ["RNN hiddenSize 2.5", RangeError,
  "RNN: hiddenSize must be an integer in 1..1048576, got 2.5"], ["RNN hiddenSize string", TypeError,
  'RNN: hiddenSize must be an integer, got "3"'], ["RNN numLayers 0", RangeError,
  "RNN: numLayers must be an integer in 1..64, got 0"], ["RNN numLayers null (found by fuzzing)", TypeError,
  "RNN: numLayers is null; leave it out (or undefined) for the default"], ["RNN typo", TypeError,
  'RNN: unknown option "hidenSize" (did you mean "hiddenSize"?); expected one of inputSize, hiddenSize, numLayers, bidirectional, seed, init, checkpoint, nonlinearity'],
  ["RNN nonlinearity", TypeError, 'RNN: nonlinearity must be one of "tanh", "relu", "linear", got "sigmoid"'], [
  "LSTM nonlinearity",
  TypeError,
  'LSTM: unknown option "nonlinearity"; expected one of inputSize, hiddenSize, numLayers, bidirectional, seed, init, checkpoint, forgetBias',
], ["GRU bidirectional 1", TypeError, "GRU: bidirectional must be a boolean, got 1"], ["GRU seed -1", RangeError,
  "GRU: seed must be an integer in 0..4294967295, got -1"], ["GRU huge", RangeError,
  "GRU: 18900810000 parameters need 140.8 GiB of WebAssembly memory (parameters and gradients); the limit is 4 GiB: use a smaller hiddenSize or fewer layers"],
  ["GRU init typo", TypeError,
    'GRU: unknown option "init.recurent" (did you mean "init.recurrent"?); expected one of init.recurrent, init.input, init.bias, init.gain, init.forgetBias'],
  ["GRU init value", TypeError,
    'GRU: init.recurrent must be one of "uniform", "orthogonal", "identity", "xavier", got "he"'], ["forward x not f32",
  TypeError, "RNN.forward: x must be a Float32Array of 2 elements [batch=1, steps=1, inputSize=2], got Array(2)"], [
  "forward x size",
  RangeError,
  "RNN.forward: x must have 6 elements [batch=1, steps=3, inputSize=2], got 5",
], ["forward options missing", TypeError, "RNN.forward: batch must be an integer, got undefined"], [
  "forward options null",
  TypeError,
  "RNN.forward: options must be an object, got null",
], ["forward batch 0", RangeError, "RNN.forward: batch must be an integer in 1..1048576, got 0"], ["forward steps NaN",
  RangeError, "RNN.forward: steps must be an integer in 1..1048576, got NaN"], ["forward NaN in x", RangeError,
  "RNN.forward: x[3] is NaN; it must be finite (pass allowNonFinite: true to allow NaN/Infinity)"], [
  "forward lengths size",
  RangeError,
  "RNN.forward: lengths must have 1 elements (one per sequence), got 2",
], ["forward lengths value", RangeError, "RNN.forward: lengths[0] must be an integer in 1..3 (steps), got 4"], [
  "forward lengths type",
  TypeError,
  'RNN.forward: lengths must be an Int32Array of 1 integers in 1..3, got "3"',
], ["forward h0 size", RangeError,
  "RNN.forward: h0 must have 3 elements [layers*directions=1, batch=1, hidden=3], got 2"], ["forward h0 NaN",
  RangeError, "RNN.forward: h0[1] is NaN; it must be finite (pass allowNonFinite: true to allow NaN/Infinity)"], [
  "forward c0 on RNN",
  TypeError,
  'RNN.forward: unknown option "c0" (did you mean "h0"?); expected one of batch, steps, lengths, h0, allowNonFinite',
], ["forward allowNonFinite 1", TypeError, "RNN.forward: allowNonFinite must be a boolean, got 1"], [
  "forward checkpoint-free huge",
  RangeError,
  "RNN.forward: steps must be an integer in 1..1048576, got 1073741824",
], ["backward before forward", Error,
  "GRU.backward: no forward pass to differentiate (call forward() first; backward differentiates the last successful forward pass)"],
  ["backward grads null", TypeError, "RNN.backward: grads must be an object, got null"], ["backward grads typo",
  TypeError,
  'RNN.backward: unknown option "grads.hn" (did you mean "grads.hN"?); expected one of grads.output, grads.hN'], [
  "backward hN size",
  RangeError,
  "RNN.backward: grads.hN must have 3 elements [layers*directions=1, batch=1, hidden=3], got 4",
], ["backward output NaN", RangeError, "RNN.backward: grads.output[4] is NaN; it must be finite"], [
  "backward hN null (found by fuzzing)",
  TypeError,
  "RNN.backward: grads.hN is null; leave it out (or undefined) for the default",
], ["backward cN on RNN", TypeError,
  'RNN.backward: unknown option "grads.cN" (did you mean "grads.hN"?); expected one of grads.output, grads.hN'], [
  "backward truncate 0",
  RangeError,
  "RNN.backward: options.truncate must be an integer in 1..1048576, got 0",
], ["backward options typo", TypeError, 'RNN.backward: unknown option "trunc"; expected one of truncate, stateGrads'], [
  "loadStateDict null",
  TypeError,
  "RNN.loadStateDict: dict must be an object, got null",
], ["loadStateDict missing", RangeError, 'RNN.loadStateDict: missing tensor "bias_hh_l0" [3]'], ["loadStateDict extra",
  RangeError,
  'RNN.loadStateDict: unexpected tensor "extra" (expected weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0)'], [
  "loadStateDict __proto__",
  RangeError,
  'RNN.loadStateDict: unexpected tensor "__proto__" (expected weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0)',
], ["loadStateDict size", RangeError, "RNN.loadStateDict: bias_ih_l0 must have 3 elements [3], got 2"], [
  "loadStateDict NaN",
  RangeError,
  "RNN.loadStateDict: bias_ih_l0[1] is NaN; it must be finite",
], ["loadStateDict type", TypeError,
  "RNN.loadStateDict: bias_ih_l0 must be a Float32Array of 3 elements [3], got Array(3)"], ["resetParameters seed",
  RangeError, "RNN.resetParameters: seed must be an integer in 0..4294967295, got -1"], ["resetParameters init",
  TypeError, 'RNN.resetParameters: init.bias must be one of "uniform", "zeros", got "ones"'], ["checkpoint not bool",
  TypeError, 'RNN.checkpoint: checkpoint must be a boolean, got "yes"'], ["workspaceBytes batch", RangeError,
  "RNN.workspaceBytes: batch must be an integer in 1..1048576, got 0"], ["after dispose forward", Error,
  "GRU.forward: the module was disposed (its memory is freed); create a new one"], ["after dispose stateDict", Error,
  "GRU.stateDict: the module was disposed (its memory is freed); create a new one"], ["setFlat size", RangeError,
  "setFlat: parameters must have 21 elements [21], got 2"], ["Model config null", TypeError,
  "Model: config must be an object, got null"], ["Model typo", TypeError,
  'Model: unknown option "outputsize" (did you mean "outputSize"?); expected one of cell, inputSize, hiddenSize, numLayers, bidirectional, nonlinearity, resetAfter, outputSize, readout, loss, initialState, seed, init, checkpoint, ode, timeGap, inputMask, head, forgetBias, dropout, inputDropout, readoutDropout, vocabSize, embeddingSize'],
  ["Model cell", TypeError, 'Model: cell must be one of "rnn", "lstm", "gru", "odegru", got "transformer"'], [
  "Model dropout 1",
  RangeError,
  "Model: dropout must be a probability >= 0 and < 1, got 1",
], ["Model dropout negative", RangeError, "Model: dropout must be a probability >= 0 and < 1, got -0.1"], [
  "Model dropout string",
  TypeError,
  'Model: dropout must be a number, got "0.5"',
], ["Model inputDropout NaN", TypeError, "Model: inputDropout must be a number, got NaN"], [
  "Model readoutDropout Infinity",
  RangeError,
  "Model: readoutDropout must be a probability >= 0 and < 1, got Infinity",
], ["Model odegru stacked", RangeError,
  'Model: cell "odegru" is one forward layer (numLayers 1, bidirectional false, checkpoint false), got numLayers 2, bidirectional false, checkpoint false'],
  ["Model ode without odegru", TypeError, 'Model: ode applies only to cell "odegru", got it with cell "gru"'], [
  "Model odegru times missing",
  TypeError,
  'Model.predict: data.times must be an array of 1 Float64Array (one time per step of each sequence; cell "odegru" evolves the state between the steps\' times), got undefined',
], ["Model mask not 0/1", RangeError, "Model.predict: data.mask[0][1] must be 0 (missing) or 1 (observed), got 2"], [
  "Model loss",
  TypeError,
  'Model: loss must be one of "mse", "crossentropy", got "mae"',
], ["Model crossentropy 1 class", RangeError, "Model: crossentropy needs outputSize >= 2 classes, got 1"], [
  "Model vocabSize with inputSize",
  TypeError,
  "Model: give inputSize (float inputs) or vocabSize (token ids, with embeddingSize), not both: a token model's input width is embeddingSize",
], ["Model vocabSize without embeddingSize", TypeError,
  "Model: vocabSize needs embeddingSize, the width of an embedding row (the stack's input width)"], [
  "Model embeddingSize without vocabSize",
  TypeError,
  "Model: embeddingSize is the width of a token model's embedding; give vocabSize with it",
], ["Model vocabSize 0", RangeError, "Model: vocabSize must be an integer in 1..16777216, got 0"], [
  "Model vocabSize odegru",
  TypeError,
  'Model: vocabSize (token inputs) applies to the recurrent stacks (cells "rnn", "lstm", "gru"), got cell "odegru"',
], ["Model vocabSize inputMask", TypeError,
  "Model: inputMask adds float inputs beside the features; a token model (vocabSize) has none"], [
  "Model id out of range",
  RangeError,
  "Model.predict: data.x[1][1] is 9; ids must be in 0..8",
], ["Model id negative", RangeError, "Model.evaluate: data.x[0][0] is -1; ids must be in 0..8"], [
  "Model tokens as floats",
  TypeError,
  "Model.predict: data.x[0] must be an Int32Array of token ids in 0..8 (the model has vocabSize 9); float features need a model with inputSize, got Float32Array(3)",
], ["Model tokens as array", TypeError,
  "Model.predict: data.x[0] must be an Int32Array of token ids in 0..8 (the model has vocabSize 9), got Array(2)"], [
  "Model tokens empty",
  RangeError,
  "Model.predict: data.x[0] is empty; a sequence needs at least one id",
], ["Model floats as tokens", TypeError,
  "Model.predict: data.x[0] must be a Float32Array [len, inputSize=2] (token ids need a model with vocabSize), got Int32Array(2)"],
  ["Model stream ids as floats", TypeError,
    "Model.stream.step: x must be an Int32Array of 1 token ids [batch=1, steps=1] in 0..8 (the model has vocabSize: it reads ids, not float features), got Float32Array(1)"],
  ["Model stream id out of range", RangeError,
    "Model.stream.step: x[1] (sequence 1, step 0) is 9; ids must be in 0..8"], ["Model generate prime id", RangeError,
  "Model.generate: prime[0] is 9; token ids must be integers in 0..8"], ["Model loss null (found by fuzzing)",
  TypeError, "Model: loss is null; leave it out (or undefined) for the default"], ["Model initialState typo", TypeError,
  'Model: unknown option "initialState.perclass" (did you mean "initialState.perClass"?); expected one of initialState.perClass'],
  ["Model readout", TypeError, 'Model: readout must be one of "last", "sequence", got "first"'], ["Model initialState",
  TypeError, 'Model: initialState must be "zeros", "learned" or { perClass: n }, got "random"'], ["Model perClass 0",
  RangeError, "Model: initialState.perClass must be an integer in 1..1048576, got 0"], ["Model nonlinearity on gru",
  TypeError, 'Model: nonlinearity applies only to cell "rnn", got "relu" with cell "gru"'], ["Model hiddenSize huge",
  RangeError, "Model: hiddenSize must be an integer in 1..1048576, got 1000000000"], ["predict x not array", TypeError,
  "Model.predict: data.x must be an array of Float32Array sequences [len, inputSize], got Float32Array(4)"], [
  "predict x empty",
  RangeError,
  "Model.predict: data.x is empty",
], ["predict x[1] type", TypeError, "Model.predict: data.x[1] must be a Float32Array [len, inputSize=2], got Array(2)"],
  ["predict x[1] size", RangeError, "Model.predict: data.x[1] has 3 elements, not a positive multiple of inputSize=2"],
  ["predict x[0] NaN", RangeError, "Model.predict: data.x[0][1] is NaN; it must be finite"], ["predict options null",
  TypeError, "Model.predict: options must be an object, got null"], ["predict batchSize 0", RangeError,
  "Model.predict: batchSize must be an integer >= 1, got 0"], ["predict classes without perClass", TypeError,
  'Model.predict: data.classes is only used with initialState { perClass: n }; this model\'s initialState is "zeros"'],
  ["predict perClass without classes", TypeError,
    "Model.predict: data.classes must be an Int32Array of 1 class ids in 0..1 (initialState perClass), got undefined"],
  ["predict perClass class 5", RangeError, "Model.predict: data.classes[0] must be in 0..1, got 5"], [
  "evaluate data null",
  TypeError,
  "Model.evaluate: data must be an object, got null",
], ["evaluate y missing", TypeError,
  "Model.evaluate: data.y must be a Float32Array of 1 elements [N=1, outputSize=1], got undefined"], ["evaluate y size",
  RangeError, "Model.evaluate: data.y must have 2 elements [N=2, outputSize=1], got 3"], ["evaluate y NaN", RangeError,
  "Model.evaluate: data.y[0] is NaN; it must be finite"], ["evaluate options typo", TypeError,
  'Model.evaluate: unknown option "batchsize" (did you mean "batchSize"?); expected one of batchSize'], [
  "evaluate classifier y float",
  TypeError,
  "Model.evaluate: data.y must be an Int32Array of 1 class ids, got Float32Array(1)",
], ["evaluate classifier y 3", RangeError, "Model.evaluate: data.y[0] must be a class id in 0..2, got 3"], [
  "evaluate sequence y",
  TypeError,
  "Model.evaluate: data.y must be an array of 1 per-step targets, got Float32Array(2)",
], ["evaluate sequence y[0] size", RangeError,
  "Model.evaluate: data.y[0] must have 2 elements [len=2, outputSize=1], got 3"], ["Model head not an array", TypeError,
  "Model: head.hidden must be an array of at most 16 layer widths (e.g. [64]), got 8"], ["Model head width 0",
  RangeError, "Model: head.hidden[1] must be an integer in 1..1048576, got 0"], ["Model head activation", TypeError,
  'Model: head.activation must be one of "relu", "tanh", got "gelu"'], ["evaluate weights readout last", TypeError,
  'Model.evaluate: data.weights applies to readout "sequence" (one weight per step); this model\'s readout is "last"'],
  ["evaluate weights not array", TypeError,
    "Model.evaluate: data.weights must be an array of 1 Float32Array (one weight per step of each sequence), got Float32Array(2)"],
  ["evaluate weights[0] size", TypeError,
    "Model.evaluate: data.weights[0] must be a Float32Array of 2 weights (one per step), got Float32Array(3)"], [
  "evaluate weights negative",
  RangeError,
  "Model.evaluate: data.weights[0][1] is -1; weights must be finite and >= 0",
], ["evaluate weights NaN", RangeError, "Model.evaluate: data.weights[0][0] is NaN; weights must be finite and >= 0"], [
  "computeGradients truncate",
  RangeError,
  "Model.computeGradients: truncate must be an integer >= 1, got -1",
], ["gradientFlow options null", TypeError, "Model.gradientFlow: options must be an object, got null"], [
  "Model after dispose",
  Error,
  "Model.predict: the module was disposed (its memory is freed); create a new one",
], ["Model.toONNX after dispose", Error,
  "Model.toONNX: the module was disposed (its memory is freed); create a new one"], ["Model.toONNX odegru", TypeError,
  'Model.toONNX: cell "odegru" (the ODE-RNN) has no ONNX operator: its ODE solve between steps cannot be written as RNN, LSTM or GRU nodes (export a cell "rnn", "lstm" or "gru" model)'],
  ["trainBatch optimizer", TypeError, "Model.trainBatch: optimizer must be an Adam, AdamW or SGD instance, got Object"],
  ["trainBatch options null", TypeError, "Model.trainBatch: options must be an object, got null"], [
  "trainBatch clipnorm typo",
  TypeError,
  'Model.trainBatch: unknown option "clipnorm" (did you mean "clipNorm"?); expected one of clipNorm, truncate, state',
], ["trainBatch clipNorm 0", RangeError, "Model.trainBatch: clipNorm must be a finite number > 0, got 0"], [
  "Adam options null",
  TypeError,
  "Adam: options must be an object, got null",
], ["Adam lr 0", RangeError, "Adam: learningRate must be a finite number > 0, got 0"], ["Adam beta1 1", RangeError,
  "Adam: beta1 and beta2 must be < 1, got 1, 0.999"], ["Adam typo", TypeError,
  'Adam: unknown option "lr"; expected one of learningRate, beta1, beta2, epsilon, weightDecay'], ["Adam.step {}",
  TypeError, "Adam.step: expected a module with parameters (RNN, LSTM, GRU, Model), got Object"], ["Adam.step null",
  TypeError, "Adam.step: expected a module with parameters (RNN, LSTM, GRU, Model), got null"], ["Adam.step disposed",
  Error, "Adam.step: the module was disposed (its memory is freed); create a new one"], ["Adam learningRate NaN",
  TypeError, "Adam: learningRate must be a number, got NaN"], ["SGD nesterov", RangeError,
  "SGD: nesterov needs momentum > 0"], ["SGD momentum -1", RangeError,
  "SGD: momentum must be a finite number >= 0, got -1"], ["clipGradNorm {}", TypeError,
  "clipGradNorm: expected a module with parameters, got Object"], ["clipGradNorm maxNorm", RangeError,
  "clipGradNorm: maxNorm must be a finite number > 0, got -1"], ["jacobianProducts {}", TypeError,
  "jacobianProducts: options.steps must be an integer, got undefined"], ["jacobianProducts layer", TypeError,
  "jacobianProducts: layer must be an RNN, LSTM or GRU, got Object"], ["jacobianProducts layer 2", RangeError,
  "jacobianProducts: options.layer must be an integer in 0..1, got 2"], ["jacobianProducts c0 on RNN", TypeError,
  "jacobianProducts: options.c0 applies only to LSTM layers"], ["jacobianProducts x NaN", RangeError,
  "jacobianProducts: x[3] is NaN; it must be finite"], ["weightSpectrum options", TypeError,
  'weightSpectrum: unknown option "topk" (did you mean "topK"?); expected one of topK, iterations'], [
  "singularValues rows",
  RangeError,
  "singularValues: rows must be an integer in 1..32768, got 0",
], ["singularValues size", RangeError, "singularValues: a must have 4 elements [rows=2, cols=2], got 3"], [
  "singularValues topK",
  RangeError,
  "singularValues: options.topK must be an integer in 1..2, got 3",
], ["eigenvalues NaN", RangeError, "eigenvalues: a[1] is NaN; it must be finite"], ["spectralRadius n", RangeError,
  "spectralRadius: a must have 9 elements [n=3, n=3], got 4"], ["orthogonal rows", RangeError,
  "orthogonal: rows must be an integer in 1..16384, got 0"], ["orthogonal gain", RangeError,
  "orthogonal: options.gain must be a finite number, got Infinity"], ["subset idx", RangeError,
  "subset: idx[0] must be an index into data.x (an integer in 0..1), got 5"], ["subset data", TypeError,
  "subset: data must be an object { x, y?, classes? }, got null"], ["read not bytes", Error,
  'safetensors: input must be a Uint8Array, got "abc"'], ["read short", Error,
  "safetensors: file is 3 bytes, shorter than the 8-byte header length"], ["read bad dtype", Error,
  'safetensors: tensor "t": unsupported dtype "toString" (supported: F32, F64, F16, BF16, I32)'], ["write shape", Error,
  'safetensors: tensor "a": shape [-1,-2] must hold non-negative integers'], ["write F16 data", Error,
  'safetensors: tensor "a": data[0] must be a number, got "x"'], ["load not bytes", Error,
  "safetensors: input must be a Uint8Array, got null"], ["load no config", Error,
  "Model.load: __metadata__ has no recurrent-wasm config (format undefined)"], ["load bad config JSON", Error,
  "Model.load: __metadata__.config is not valid JSON"], ["load bad config", Error,
  "Model.load: the file's config is invalid: Model: inputSize must be an integer in 1..1048576, got 0"], [
  "load missing tensor",
  Error,
  'Model.load: missing tensor "rnn.weight_ih_l0" [3,2]',
], ["save metadata", TypeError, 'Model.save: metadata "a" must be a string, got 1'], ["save metadata null", TypeError,
  "Model.save: metadata must be an object of strings, got null"], ["NeuralODE options missing", TypeError,
  "NeuralODE: options must be an object with at least stateSize, got undefined"], ["NeuralODE stateSize 0", RangeError,
  "NeuralODE: stateSize must be an integer in 1..1048576, got 0"], ["NeuralODE hidden", RangeError,
  "NeuralODE: hidden[1] must be an integer in 1..1048576, got 0"], ["NeuralODE method", TypeError,
  'NeuralODE: method must be one of "euler", "midpoint", "rk4", "dopri5", got "rk45"'], ["NeuralODE adjointNorm",
  TypeError, 'NeuralODE: adjointNorm must be one of "mixed", "seminorm", got "semi"'], ["NeuralODE.steps adjoint",
  Error,
  'NeuralODE.steps: gradient "adjoint" keeps no steps (that is its point: memory independent of the steps); use gradient "backprop" to inspect them'],
  ["NeuralODE rtol 0", RangeError, "NeuralODE: rtol must be a finite number > 0, got 0"], [
  "NeuralODE stiff past maxSteps",
  RangeError,
  "NeuralODE.forward: dopri5 needed more than maxSteps = 50 steps for one sequence; it stopped at t = 0.000009437406907650545 with step size 3.85e-7 (a stiff problem, or tolerances too tight for float32): raise maxSteps, loosen rtol/atol, or use a fixed-step method",
], ["NeuralODE typo", TypeError,
  'NeuralODE: unknown option "substep" (did you mean "substeps"?); expected one of stateSize, hidden, activation, timeInput, inputMap, method, rtol, atol, substeps, maxSteps, gradient, adjointNorm, seed'],
  ["ode.forward h0 size", RangeError, "NeuralODE.forward: h0 must have 4 elements [batch=2, stateSize=2], got 3"], [
  "ode.forward times type",
  TypeError,
  "NeuralODE.forward: times must be a Float64Array [S] (one grid) or [batch, S] (one per sequence), got Array(2)",
], ["ode.forward times not monotonic", RangeError,
  "NeuralODE.forward: times must be strictly increasing or strictly decreasing"], ["ode.forward times NaN", RangeError,
  "NeuralODE.forward: times[1] is NaN; times must be finite"], ["ode.forward times length", RangeError,
  "NeuralODE.forward: times has 3 elements; with steps 2 it must have 2 (one grid) or 4 (batch 2 \u00d7 2)"], [
  "ode.forward batch",
  RangeError,
  "NeuralODE.forward: batch must be an integer in 1..1048576, got 0",
], ["ode.backward before forward", Error,
  "NeuralODE.backward: no forward solve to differentiate (call forward() first)"], ["ode.backward size", RangeError,
  "NeuralODE.backward: grads.states must have 8 elements [batch=2, times=2, stateSize=2], got 3"], ["ode.backward typo",
  TypeError,
  'NeuralODE.backward: unknown option "grads.state" (did you mean "grads.states"?); expected one of grads.states'], [
  "ode.steps on rk4",
  Error,
  'NeuralODE.steps: only dopri5 chooses its steps (method is "rk4": 1 equal step(s) per interval)',
], ["ode.steps row", RangeError, "NeuralODE.steps: row must be an integer in 0..1, got 2"], ["stream bidirectional",
  TypeError,
  "LSTM.stream: a bidirectional layer cannot stream (its reverse direction reads each sequence from its end); use forward() on whole sequences"],
  ["stream.step x size", RangeError, "GRU.stream.step: x must have 4 elements [batch=2, steps=1, inputSize=2], got 3"],
  ["stream.step out size", RangeError,
    "GRU.stream.step: out.hN must have 3 elements [numLayers=1, batch=1, hidden=3], got 2"], ["Model.stream timeGap",
  TypeError,
  "Model.stream: timeGap models read data.times or data.mask, which stream steps do not take yet; use predict()"], [
  "trainBatch state size",
  RangeError,
  "Model.trainBatch: state.h must have 6 elements [layers*directions=1, batch=2, hidden=3], got 1",
], ["generate on mse", TypeError,
  'Model.generate: generation needs a next-token model (loss "crossentropy", a softmax over tokens), got loss "mse"'], [
  "generate prime token",
  RangeError,
  "Model.generate: prime[0] is 3; token ids must be integers in 0..2",
], ["generate topP 0", RangeError, "Model.generate: topP must be a finite number > 0 and <= 1, got 0"], [
  "CategoricalHMM nComponents 0",
  RangeError,
  "CategoricalHMM: nComponents must be an integer in 1..4096, got 0",
], ["CategoricalHMM transmat row", RangeError,
  "CategoricalHMM.setParams: transmat row 0 sums to 1.1, not 1 (±0.000001)"], ["CategoricalHMM.score X symbol",
  RangeError, "CategoricalHMM.score: X[1] is 2; symbols must be in 0..1 (nFeatures = 2)"], [
  "CategoricalHMM.fit lengths",
  RangeError,
  "CategoricalHMM.fit: lengths sum to 2, but X has 3 steps",
], ["CategoricalHMM.fitSupervised state", RangeError,
  "CategoricalHMM.fitSupervised: states[1] is 2; states must be in 0..1 (nComponents = 2)"], [
  "CategoricalHMM.load kind",
  Error,
  'CategoricalHMM.load: the file holds a "GaussianHMM", not a CategoricalHMM',
], ["GaussianHMM covars", RangeError,
  "GaussianHMM.setParams: covars[0, 1] is 0; variances must be positive and finite"], [
  "NeuralStateSpace options missing",
  TypeError,
  "NeuralStateSpace: options must be an object with inputSize, stateSize and outputSize, got undefined",
], ["NeuralStateSpace inputSize 0", RangeError, "NeuralStateSpace: inputSize must be an integer in 1..1048576, got 0"],
  ["NeuralStateSpace method dopri5", TypeError,
    'NeuralStateSpace: method must be one of "euler", "midpoint", "rk4", got "dopri5"'], [
  "NeuralStateSpace sampleTime 0",
  RangeError,
  "NeuralStateSpace: sampleTime must be a finite number > 0 and <= 1e+300, got 0",
], ["NeuralStateSpace typo", TypeError,
  'NeuralStateSpace: unknown option "Ts"; expected one of inputSize, stateSize, outputSize, hidden, activation, method, substeps, sampleTime, seed'],
  ["ss.simulate u type", TypeError,
    "NeuralStateSpace.simulate: u must be a Float32Array [batch, T, inputSize=2], got Array(2)"], [
  "ss.simulate u channels",
  RangeError,
  "NeuralStateSpace.simulate: u must have batch × T × inputSize = 1 × T × 2 elements (T ≥ 1), got 5",
], ["ss.simulate u NaN", RangeError, "NeuralStateSpace.simulate: u[2] is NaN; it must be finite"], [
  "ss.simulate x0 size",
  RangeError,
  "NeuralStateSpace.simulate: x0 must have 6 elements [batch=2, stateSize=3], got 5",
], ["ss.simulate options typo", TypeError,
  'NeuralStateSpace.simulate: unknown option "h0" (did you mean "x0"?); expected one of batch, x0'], [
  "ss.backward before simulate",
  Error,
  "NeuralStateSpace.backward: no simulation to differentiate (call simulate() first)",
], ["ss.backward size", RangeError,
  "NeuralStateSpace.backward: grads.outputs must have 4 elements [batch=2, T=2, outputSize=1], got 3"], [
  "ss.simulate blows up",
  RangeError,
  "NeuralStateSpace.simulate: euler's solution is not finite at t = 3 (after the interval from t = 2, in 1 step(s) of 1): the solution may blow up there, or the steps are too large for f: use more substeps (1), or scale u and y so that the dynamics are slower",
], ["NeuralStateSpace.load format", Error,
  'NeuralStateSpace.load: not a NeuralStateSpace file (metadata "format" is "recurrent-wasm", expected "recurrent-wasm/neural-state-space")'],
  ["NeuralStateSpace.load settings", Error,
    "NeuralStateSpace.load: the file's settings are invalid: NeuralStateSpace: stateSize must be an integer in 1..1048576, got 0"],
  ["Simulator init bogus", TypeError, 'Simulator: init must be one of "encoder", "burnin", got "bogus"'], [
  "Simulator init encoder, window 0",
  RangeError,
  'Simulator: init "encoder" sets the state from the first window samples of u and y, so it needs window >= 1, got window 0 (leave init out, or use "burnin", for a zero initial state)',
], ["Simulator outputs 0", RangeError, "Simulator: outputs must be an integer in 1..4096, got 0"], [
  "Simulator head typo",
  TypeError,
  'Simulator: unknown option "head.hiden" (did you mean "head.hidden"?); expected one of head.hidden, head.activation',
], ["sim.simulate u NaN", RangeError, "Simulator.simulate: u[4] is NaN; it must be finite"], ["sim.simulate u channels",
  RangeError,
  "Simulator.simulate: u has 7 elements, not a positive multiple of the model's inputs=2 (a channel count that differs from the model's?)"],
  ["sim.simulate u Float64Array", TypeError,
    "Simulator.simulate: u must be a Float32Array [N, inputs=2], got Float64Array(8)"], [
  "sim.simulate window as long as u",
  RangeError,
  "Simulator.simulate: u has 2 samples but the window is 2; the record must be longer than the window",
], ["sim.simulate y mismatched", RangeError,
  "Simulator.simulate: options.y has 3 elements; expected the window [2, outputs=1] = 2 or the whole record [4, 1] = 4 (mismatched u/y lengths?)"],
  ["sim.simulate y Infinity", RangeError,
    "Simulator.simulate: options.y (its window)[1] is Infinity; it must be finite"], ["sim.computeGradients start",
  RangeError, "Simulator.computeGradients: starts[0] must be an integer in 0..4, got 5"], ["Rng seed", TypeError,
  'Rng: seed must be an integer in 0..4294967295, got "x"']];

describe("the message of every error path", () => {
  it("the table covers every call in bad-calls.ts, in order", () => {
    expect(badCalls(R).map(([label]) => label)).toEqual(MESSAGES.map(([label]) => label));
  });
  const calls = new Map<string, () => unknown>();
  beforeAll(() => {
    for (const [label, fn] of badCalls(R)) calls.set(label, fn);
  });
  for (const [label, cls, message] of MESSAGES) {
    it(label, () => {
      let err: unknown = null;
      try {
        calls.get(label)!();
      } catch (e) {
        err = e;
      }
      expect(err, "it must throw").toBeInstanceOf(Error);
      expect((err as Error).constructor).toBe(cls);
      expect((err as Error).message).toBe(message);
    });
  }
  it("no message leaks internals or impossible bounds", () => {
    for (const [label, , m] of MESSAGES) {
      expect(m, label).not.toMatch(
        /\d+:\d+\)?$|abort|\.\.(NaN|undefined)|(NaN|undefined)\.\.|Cannot read properties|is not a function|layout mismatch/,
      );
      expect(m, label).toMatch(/^(recurrent-wasm: )?[A-Za-z.]+(\(\))?( init)?: /);
    }
  });
});
