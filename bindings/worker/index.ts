/// <reference lib="esnext.disposable" preserve="true" />
// (the declarations name Symbol.dispose: this lib declares it for projects whose lib predates it)
// recurrent-wasm/worker: a Model in a dedicated Worker (worker_threads in Node).
/**
 * {@link WorkerModel}: a Model in a dedicated Worker (a Web Worker in browsers, worker_threads in
 * Node), with Model's operations as promises. `import { WorkerModel } from "recurrent-wasm/worker"`
 * (also exported by "recurrent-wasm").
 * @module recurrent-wasm/worker
 */
export { WorkerModel } from "./client.js";
export type { WorkerModelOptions, WorkerFitOptions, TransferOption } from "./client.js";
export type { NodeResourceLimits } from "./spawn.js";
