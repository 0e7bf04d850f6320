// recurrent-wasm/worker: a Model in a dedicated Worker (worker_threads in Node).
export { WorkerModel } from "./client.js";
export type { WorkerModelOptions, WorkerFitOptions, TransferOption } from "./client.js";
export type { NodeResourceLimits } from "./spawn.js";
