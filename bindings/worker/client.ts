// WorkerModel: a Model that lives in a dedicated Worker (a worker_threads Worker in Node), so that
// training never blocks the caller's thread (a page's frames keep coming). The same operations as
// Model, each returning a promise. Typed arrays given to it are transferred, not copied: after
// the call the caller's arrays are detached (length 0); pass { copy: true } to keep them.
import type { CoreInfo, CoreOptions } from "../core/loader.js";
import type { Evaluation, GradientFlow, ModelConfig, ModelSettings } from "../nn/model.js";
import type { SequenceData } from "../nn/data.js";
import { FitError } from "../train/fit.js";
import type { FitOptions, History, Logs } from "../train/fit.js";
import type { GenerateOptions } from "../nn/generate.js";
import { buffersOf } from "./protocol.js";
import type { Reply, Request, WireError } from "./protocol.js";
import { spawnTrainer } from "./spawn.js";
import type { Endpoint } from "./spawn.js";

/** How the trainer starts: the core's options inside it (threads there are nested workers and need
 *  SharedArrayBuffer: a cross-origin isolated page in browsers), and the script to start it from. */
export interface WorkerModelOptions extends CoreOptions {
  /** The script the trainer Worker runs (default: this package's own; see the README). */
  url?: string | URL;
}

/** Whether the typed arrays of a call are copied (default false: transferred, the caller's detached). */
export interface TransferOption {
  /** Copy the call's typed arrays instead of transferring them (default false). */
  copy?: boolean;
}

/** fit()'s options for a WorkerModel: those of Model.fit, the optimizer named ("adam" or "sgd":
 *  optimizer objects stay in their thread); callbacks run on the caller's thread, and training does
 *  not wait for them. */
export type WorkerFitOptions = Omit<FitOptions, "optimizer"> & {
  /** "adam" or "sgd", created in the Worker (default: the model's, else a new Adam). */
  optimizer?: "adam" | "sgd";
} & TransferOption;

type Pending = { resolve: (v: any) => void; reject: (e: Error) => void; onEpoch?: (i: number, l: Logs) => void; onBatch?: (i: number, l: Logs) => void };

function rebuild(e: WireError): Error {
  if (e.kind) return new FitError(e.message, e.kind, e.epoch!, e.batch!, e.history!);
  const C = ({ TypeError, RangeError } as Record<string, ErrorConstructor>)[e.name] ?? Error;
  return new C(e.message);
}

/** A Model in a dedicated Worker (worker_threads in Node): Model's operations as promises, so that
 *  training never blocks the caller's thread. Create one with WorkerModel.create or
 *  WorkerModel.load. */
export class WorkerModel {
  #end: Endpoint;
  #next = 1;
  #pending = new Map<number, Pending>();
  #dead: Error | null = null;
  /** The model's settings (defaults filled in), as the trainer holds them. */
  config!: ModelSettings;
  /** The core inside the trainer: its build, threads and memory at creation. */
  info!: CoreInfo;

  private constructor(end: Endpoint) {
    this.#end = end;
    end.onMessage((m: Reply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      if ("event" in m) { (m.event === "epoch" ? p.onEpoch : p.onBatch)?.(m.index, m.logs); return; }
      this.#pending.delete(m.id);
      if (m.ok) {
        if (m.info) this.info = m.info;
        if (m.config) this.config = m.config;
        p.resolve(m.result);
      } else p.reject(rebuild(m.error));
    });
    end.onError((e) => this.#fail(e instanceof Error ? e : new Error(String(e))));
  }

  #fail(e: Error): void {
    this.#dead ??= e;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }

  #call<T>(req: Omit<Request, "id"> & Record<string, unknown>, transfer: Transferable[], hooks: Partial<Pending> = {}, id = this.#next++): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, ...hooks });
      try { this.#end.post({ ...req, id }, transfer); } catch (e) { this.#pending.delete(id); reject(e as Error); }
    });
  }

  static async #start(req: Omit<Request, "id"> & Record<string, unknown>, url: string | URL | undefined): Promise<WorkerModel> {
    const m = new WorkerModel(await spawnTrainer(url));
    try {
      await m.#call(req, []);
    } catch (e) {
      await m.#end.terminate();
      throw e;
    }
    return m;
  }

  /** A new model (the options of `new Model(config)`) in a new trainer Worker. */
  static async create(config: ModelConfig, options: WorkerModelOptions = {}): Promise<WorkerModel> {
    const { url, ...init } = checkOptions("WorkerModel.create", options);
    return WorkerModel.#start({ op: "create", config, init }, url);
  }

  /** A model from save()'s bytes (as Model.load) in a new trainer Worker. The bytes are copied. */
  static async load(bytes: Uint8Array, options: WorkerModelOptions = {}): Promise<WorkerModel> {
    const { url, ...init } = checkOptions("WorkerModel.load", options);
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`WorkerModel.load: bytes must be a Uint8Array (what save() returns), got ${bytes === null ? "null" : typeof bytes}`);
    return WorkerModel.#start({ op: "load", bytes, init }, url);
  }

  /** Train in the Worker (Model.fit's options; onEpochEnd / onBatchEnd are called here as the
   *  trainer reports, signal aborts between batches). Resolves with the history, or rejects as
   *  Model.fit does (FitError, TypeError, RangeError). */
  fit(data: SequenceData, options: WorkerFitOptions = {}): Promise<History> {
    if (options === null || typeof options !== "object") return Promise.reject(new TypeError(`WorkerModel.fit: options must be an object, got ${options === null ? "null" : typeof options}`));
    const { onEpochEnd, onBatchEnd, signal, copy, ...rest } = options;
    if (rest.optimizer !== undefined && typeof rest.optimizer !== "string") {
      return Promise.reject(new TypeError('WorkerModel.fit: optimizer must be "adam" or "sgd" (an optimizer object cannot cross to the Worker; its state would stay behind)'));
    }
    if (signal?.aborted) return Promise.reject(new FitError("WorkerModel.fit: aborted before it started", "aborted", 1, 1, emptyHistory()));
    const id = this.#next++; // the fit's request id, which its abort message names
    const onAbort = () => { try { this.#end.post({ op: "abort", id: 0, target: id }, []); } catch { /* the trainer is gone */ } };
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = this.#call<History>({ op: "fit", data, options: rest, epochEvents: !!onEpochEnd, batchEvents: !!onBatchEnd },
      copy ? [] : buffersOf(data), { onEpoch: onEpochEnd as any, onBatch: onBatchEnd as any }, id);
    return done.finally(() => signal?.removeEventListener("abort", onAbort));
  }

  /** Loss and metrics on data (Model.evaluate). */
  evaluate(data: SequenceData, options: { batchSize?: number } & TransferOption = {}): Promise<Evaluation> {
    const { copy, ...rest } = options ?? {};
    return this.#call({ op: "evaluate", data, options: rest }, copy ? [] : buffersOf(data));
  }

  /** Predictions (Model.predict); the result's arrays come back transferred. */
  predict(x: Float32Array[], options: { batchSize?: number; classes?: Int32Array; times?: Float64Array[]; mask?: Float32Array[] } & TransferOption = {}): Promise<Float32Array | Float32Array[]> {
    const { copy, ...rest } = options ?? {};
    return this.#call({ op: "predict", x, options: rest }, copy ? [] : buffersOf([x, rest]));
  }

  /** Gradient-flow diagnostics for a batch (Model.gradientFlow: ‖∂L/∂h_t‖ per step and sequence;
   *  the weights do not change). */
  gradientFlow(data: SequenceData, options: { truncate?: number } & TransferOption = {}): Promise<GradientFlow> {
    const { copy, ...rest } = options ?? {};
    return this.#call({ op: "gradientFlow", data, options: rest }, copy ? [] : buffersOf(data));
  }

  /** Tokens sampled from a next-token model (Model.generate: seeded, the same tokens as in this
   *  thread). */
  generate(options: GenerateOptions): Promise<Int32Array> {
    return this.#call({ op: "generate", options }, []);
  }

  /** The model as safetensors bytes (Model.save). */
  save(metadata: Record<string, string> = {}): Promise<Uint8Array> {
    return this.#call({ op: "save", metadata }, []);
  }

  /** End the trainer Worker (its memory goes with it). Calls after this reject. */
  async dispose(): Promise<void> {
    if (this.#dead) return;
    this.#fail(new Error("WorkerModel: disposed"));
    await this.#end.terminate();
  }
}

function checkOptions(where: string, options: WorkerModelOptions): WorkerModelOptions {
  if (options === null || typeof options !== "object") throw new TypeError(`${where}: options must be an object, got ${options === null ? "null" : typeof options}`);
  return options;
}

function emptyHistory(): History {
  return { epoch: [], loss: [], valLoss: [], metric: "", train: [], val: [], bestEpoch: 0, gradNorm: [], gradNormMax: [], clippedBatches: [] };
}
