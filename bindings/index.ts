/// <reference lib="esnext.disposable" preserve="true" />
// (the declarations name Symbol.dispose: this lib declares it for projects whose lib predates it)
// recurrent-wasm: recurrent neural networks trained and run in WebAssembly SIMD.
// Public names only. The layers below (docs/architecture.md): core/ (the typed
// WebAssembly boundary and its memory; advanced hosts: "recurrent-wasm/core"), functional/
// (stateless passes), nn/ (modules), train/ (optimizers, fit), io/ (files), export/ (other engines), cli/.
/**
 * Recurrent neural networks (Elman RNN, LSTM, GRU), Neural ODEs and hidden Markov models, trained
 * and run in WebAssembly SIMD. Call {@link init} once, then build a {@link Model} (or a layer,
 * {@link RNN}, {@link LSTM}, {@link GRU}; a {@link NeuralODE}; a {@link CategoricalHMM} or
 * {@link GaussianHMM}). `import … from "recurrent-wasm"`.
 * @module recurrent-wasm
 */
export { init, coreInfo } from "./core/loader.js";
export type { CoreOptions, CoreInfo } from "./core/loader.js";
export { Rng } from "./core/random.js";
export { RNN, LSTM, GRU, RecurrentLayer, GATES } from "./nn/rnn/layers.js";
export type { RNNOptions, GRUOptions, LSTMOptions, LayerOptions, ForwardOptions, ForwardResult, BackwardGrads,
  BackwardOptions, BackwardResult, Nonlinearity, CellType } from "./nn/rnn/layers.js";
export { ParameterBlock } from "./nn/params.js";
export { LayerStream } from "./nn/rnn/stream.js";
export { ModelStream } from "./nn/model/stream.js";
export type { ModelStreamStepResult } from "./nn/model/stream.js";
export type { GenerateOptions } from "./nn/model/generate.js";
export type { StreamOptions, StreamStepOptions, StreamStepResult, StreamOutputs,
  CarriedState } from "./nn/rnn/stream.js";
export type { TensorSlot } from "./nn/params.js";
export { Model } from "./model.js";
export type { Evaluation, Prediction, GradientFlow } from "./nn/model/model.js";
export type { PyTorchExport } from "./export/pytorch.js";
export type { ModelConfig, ModelSettings, ModelCell, OdeCellOptions, Readout, Loss, HeadOptions,
  InitialState } from "./nn/model/config.js";
export { subset } from "./nn/model/data.js";
export type { SequenceData } from "./nn/model/data.js";
export { FitError } from "./train/fit.js";
export type { FitOptions, History, Logs, EarlyStopping } from "./train/fit.js";
export type { Schedule, ConstantSchedule, StepSchedule, ExponentialSchedule, CosineSchedule,
  PlateauSchedule } from "./train/schedule.js";
export { Adam, AdamW, SGD, clipGradNorm } from "./train/optim.js";
export type { Optimizer, AdamOptions, AdamWOptions, SGDOptions, Trainable } from "./train/optim.js";
export * as safetensors from "./io/safetensors.js";
export { Vocabulary } from "./io/vocabulary.js";
export type { VocabularyJSON, VocabularyOptions } from "./io/vocabulary.js";
export { singularValues, eigenvalues, spectralRadius } from "./functional/linalg.js";
export type { SingularValueOptions, Eigenvalues } from "./functional/linalg.js";
export { jacobianProducts, weightSpectrum } from "./nn/rnn/diagnostics.js";
export type { JacobianOptions, JacobianResult, WeightSpectrum } from "./nn/rnn/diagnostics.js";
export { orthogonal } from "./functional/init.js";
export { NeuralODE } from "./nn/ode/neural-ode.js";
export type { NeuralODEOptions, OdeMethod, OdeActivation, OdeForwardResult, OdeBackwardResult,
  OdeStats } from "./nn/ode/neural-ode.js";
export { NeuralStateSpace } from "./state-space.js";
export type { NeuralStateSpaceOptions, StateSpaceMethod, StateSpaceResult,
  StateSpaceBackwardResult } from "./nn/ode/state-space.js";
export type { InitOptions, InitName, InitSpec } from "./functional/init.js";
export { CategoricalHMM, GaussianHMM } from "./hmm.js";
export type { CategoricalHMMOptions, CategoricalParams, CategoricalEmission, GaussianHMMOptions,
  GaussianEmission } from "./nn/hmm/models.js";
export { BaseHMM } from "./nn/hmm/base.js";
export { Simulator } from "./sysid/simulator.js";
export type { SimulatorConfig, SimulatorSettings, SimulatorInit } from "./sysid/core.js";
export type { SimulatorFitOptions, SimulatorHistory, SimulatorEpochLogs } from "./sysid/fit.js";
export type { IoRecord, Normalization } from "./sysid/record.js";
export { WorkerModel } from "./worker/client.js";
export type { WorkerModelOptions, WorkerFitOptions, TransferOption } from "./worker/client.js";
export type { NodeResourceLimits } from "./worker/spawn.js";
import "./worker/auto.js"; // browsers: a bundle loaded as a WorkerModel's trainer serves
export type { HmmFitResult, HmmOptions, HmmParams, HmmDecoded, HmmSample } from "./nn/hmm/base.js";
