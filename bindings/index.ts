// recurrent-wasm: recurrent neural networks trained and run in WebAssembly SIMD.
export { init, wasm, coreInfo } from "./loader.js";
export type { Core, CoreOptions } from "./loader.js";
export { RNN, LSTM, GRU, RecurrentLayer, rnnSlots, GATES } from "./rnn.js";
export type { RNNOptions, LayerOptions, ForwardOptions, ForwardResult, BackwardGrads, BackwardOptions, BackwardResult, Nonlinearity, CellType, TensorSlot } from "./rnn.js";
export { Model, subset } from "./model.js";
export type { ModelConfig, SequenceData, FitOptions, History, Logs, Readout, Loss, InitialState, GradientFlow } from "./model.js";
export { Adam, SGD, clipGradNorm } from "./optim.js";
export type { Optimizer, AdamOptions, SGDOptions, Trainable } from "./optim.js";
export { Rng } from "./random.js";
export * as safetensors from "./safetensors.js";
export { singularValues, eigenvalues, spectralRadius, jacobianProducts, weightSpectrum } from "./diagnostics.js";
export type { SingularValueOptions, JacobianOptions, JacobianResult, WeightSpectrum } from "./diagnostics.js";
export { orthogonal } from "./init.js";
export type { InitOptions, InitName } from "./init.js";
