/// <reference lib="esnext.disposable" preserve="true" />
// (the declarations name Symbol.dispose: this lib declares it for projects whose lib predates it)
// recurrent-wasm/worker: a Model in a dedicated Worker (worker_threads in Node).
export { WorkerModel } from "./client.js";
export type { WorkerModelOptions, WorkerFitOptions, TransferOption } from "./client.js";
export type { NodeResourceLimits } from "./spawn.js";
