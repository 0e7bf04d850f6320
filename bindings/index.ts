// recurrent-wasm: recurrent neural networks trained and run in WebAssembly SIMD.
export { init, wasm } from "./loader.js";
export type { Core } from "./loader.js";
export { RNN, rnnSlots } from "./rnn.js";
export type { RNNOptions, ForwardOptions, ForwardResult, BackwardGrads, BackwardOptions, BackwardResult, Nonlinearity, TensorSlot } from "./rnn.js";
export { Model, subset } from "./model.js";
export type { ModelConfig, SequenceData, FitOptions, History, Logs, Readout, Loss } from "./model.js";
export { Adam, SGD, clipGradNorm } from "./optim.js";
export type { Optimizer, AdamOptions, SGDOptions, Trainable } from "./optim.js";
export { Rng } from "./random.js";
export * as safetensors from "./safetensors.js";
