// WorkerModel: a Model that lives in a dedicated Worker (a worker_threads Worker in Node), so that
// training never blocks the caller's thread (a page's frames keep coming). The same operations as
// Model, each returning a promise. Arguments are checked here, with Model's messages, before
// anything is posted; typed arrays are then copied to the trainer (structured clone), or moved
// with { transfer: true }, which leaves the caller's arrays detached (length 0).
import type { CoreInfo, CoreOptions } from "../core/loader.js";
import * as check from "../core/check.js";
import type { Evaluation, GradientFlow, Prediction } from "../nn/model/model.js";
import type { ModelConfig, ModelSettings, Readout } from "../nn/model/config.js";
import { checkData, dataSpec } from "../nn/model/data.js";
import type { DataSpec, SequenceData } from "../nn/model/data.js";
import { FitError, checkFitArgs } from "../train/fit.js";
import type { FitOptions, History, Logs } from "../train/fit.js";
import type { GenerateOptions } from "../nn/model/generate.js";
import { buffersOf, emptyHistory } from "./protocol.js";
import type { Reply, Request, WireError } from "./protocol.js";
import { spawnTrainer } from "./spawn.js";
import type { Endpoint, NodeResourceLimits } from "./spawn.js";

/** How the trainer starts: the core's options inside it (threads there are nested workers and need
 *  SharedArrayBuffer: a cross-origin isolated page in browsers), and the script to start it from. */
export interface WorkerModelOptions extends CoreOptions {
  /** The script the trainer Worker runs (default: this package's own; docs/browser.md says when to name another). */
  url?: string | URL;
  /** Node only: the trainer's JavaScript heap limits (worker_threads resourceLimits). A trainer
   *  that passes them ends, and its waiting calls reject. WebAssembly memory is not counted. */
  resourceLimits?: NodeResourceLimits;
}

/** Whether the typed arrays of a call are moved to the trainer instead of copied. */
export interface TransferOption {
  /** Transfer the call's typed arrays (no copy; the caller's arrays are left detached, length 0)
   *  instead of copying them (default false). */
  transfer?: boolean;
}

/** fit()'s options for a WorkerModel: those of Model.fit, the optimizer named ("adam" or "sgd":
 *  optimizer objects stay in their thread); callbacks run on the caller's thread, and training does
 *  not wait for them. */
export type WorkerFitOptions = Omit<FitOptions, "optimizer"> & {
  /** "adam", "adamw" or "sgd", created in the Worker (default: the model's, else a new Adam). */
  optimizer?: "adam" | "adamw" | "sgd";
} & TransferOption;

type Pending = { where: string; resolve: (v: any) => void; reject: (e: Error) => void;
  onEpoch?: (i: number, l: Logs) => unknown; onBatch?: (i: number, l: Logs) => unknown };

function rebuild(e: WireError): Error {
  if (e.kind) return new FitError(e.message, e.kind, e.epoch!, e.batch!, e.history!);
  const C = ({ TypeError, RangeError } as Record<string, ErrorConstructor>)[e.name] ?? Error;
  return new C(e.message);
}

/** A Model in a dedicated Worker (worker_threads in Node): Model's operations as promises, so that
 *  training never blocks the caller's thread. Create one with WorkerModel.create or
 *  WorkerModel.load. Every call settles: a trainer that crashes, runs out of memory or is ended
 *  rejects every call waiting on it. `R` is the readout, as for Model.
 *
 * @example
 * ```ts
 * import { WorkerModel } from "recurrent-wasm/worker";
 *
 * const model = await WorkerModel.create({ cell: "lstm", inputSize: 1, hiddenSize: 8, outputSize: 1, seed: 0 });
 * const x = [Float32Array.of(1, 2, 3), Float32Array.of(3, 2)], y = Float32Array.of(3, 2);
 * const history = await model.fit({ x, y }, { epochs: 20, learningRate: 0.05 }); // in the Worker
 * console.log(history.loss[19], await model.predict(x));
 * await model.dispose(); // ends the Worker
 * ```
 */
export class WorkerModel<R extends Readout = "last"> {
  #end: Endpoint;
  #next = 1;
  #pending = new Map<number, Pending>();
  /** Why the trainer can no longer answer (null while it can). */
  #dead: string | null = null;
  #spec!: DataSpec;
  /** The model's settings (defaults filled in), as the trainer holds them. */
  config!: ModelSettings;
  /** The core inside the trainer: its build, threads and memory at creation. */
  info!: CoreInfo;

  private constructor(end: Endpoint) {
    this.#end = end;
    end.onMessage((m: Reply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      if ("event" in m) {
        this.#progress(m.id, p, m.event === "epoch" ? p.onEpoch : p.onBatch, m.index, m.logs);
        return;
      }
      this.#pending.delete(m.id);
      if (m.ok) {
        if (m.info) this.info = m.info;
        if (m.config) {
          this.config = m.config;
          this.#spec = dataSpec(m.config);
        }
        p.resolve(m.result);
      } else p.reject(rebuild(m.error));
    });
    end.onError((why) => {
      this.#fail(why);
      void end.terminate().catch(() => {/* already gone */});
    });
  }

  /** A progress callback of fit `id`: one that throws (or returns a promise that rejects) ends
   *  the fit with its error, as in Model.fit; the trainer is told to stop and stays usable. */
  #progress(id: number, p: Pending, cb: Pending["onEpoch"], index: number, logs: Logs): void {
    if (!cb) return;
    const stop = (e: unknown) => {
      if (this.#pending.get(id) !== p) return;
      this.#pending.delete(id);
      this.#abort(id);
      p.reject(e instanceof Error ? e : new Error(`${p.where}: a progress callback threw ${check.show(e)}`));
    };
    try {
      const r = cb(index, logs) as PromiseLike<unknown> | undefined;
      if (r && typeof r.then === "function") r.then(undefined, stop);
    } catch (e) {
      stop(e);
    }
  }

  #abort(target: number): void {
    try {
      this.#end.post({ op: "abort", id: 0, target }, []);
    } catch { /* the trainer is gone */ }
  }

  #fail(why: string): void {
    this.#dead ??= why;
    for (const p of this.#pending.values()) p.reject(new Error(`${p.where}: ${why}`));
    this.#pending.clear();
  }

  #call<T>(where: string, req: Omit<Request, "id"> & Record<string, unknown>, transfer: ArrayBuffer[],
    hooks: Partial<Pending> = {}, id = this.#next++): Promise<T> {
    if (this.#dead) return Promise.reject(new Error(`${where}: ${this.#dead}`));
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { where, resolve, reject, ...hooks });
      try {
        this.#end.post({ ...req, id }, transfer);
      } catch (e) {
        this.#pending.delete(id);
        reject(e as Error);
      }
    });
  }

  /** Run `checks` (the caller's side of a call); a failure rejects the call, and nothing is posted. */
  #checked<T>(checks: () => () => Promise<T>): Promise<T> {
    let go: () => Promise<T>;
    try {
      go = checks();
    } catch (e) {
      return Promise.reject(e);
    }
    return go();
  }

  #data(where: string, data: SequenceData, needTargets: boolean): number {
    if (this.#dead) throw new Error(`${where}: ${this.#dead}`);
    return checkData(where, this.#spec, data, needTargets);
  }

  static async #start<R extends Readout>(where: string, req: Omit<Request, "id"> & Record<string, unknown>,
    options: WorkerModelOptions): Promise<WorkerModel<R>> {
    const { url, resourceLimits, ...init } = options;
    const m = new WorkerModel<R>(await spawnTrainer(url, resourceLimits));
    try {
      await m.#call(where, { ...req, init }, []);
    } catch (e) {
      await m.#end.terminate();
      throw e;
    }
    return m;
  }

  /** A new model (the options of `new Model(config)`) in a new trainer Worker. */
  static async create<R extends Readout = "last">(config: ModelConfig & { readout?: R },
    options: WorkerModelOptions = {}): Promise<WorkerModel<R>> {
    return WorkerModel.#start<R>("WorkerModel.create", { op: "create", config },
      checkOptions("WorkerModel.create", options));
  }

  /** A model from save()'s bytes (as Model.load) in a new trainer Worker. The bytes are copied. */
  static async load(bytes: Uint8Array, options: WorkerModelOptions = {}): Promise<WorkerModel<Readout>> {
    const o = checkOptions("WorkerModel.load", options);
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(
        `WorkerModel.load: bytes must be a Uint8Array (what save() returns), got ${
          bytes === null ? "null" : typeof bytes
        }`,
      );
    }
    return WorkerModel.#start<Readout>("WorkerModel.load", { op: "load", bytes }, o);
  }

  /** Train in the Worker (Model.fit's options; onEpochEnd / onBatchEnd are called here as the
   *  trainer reports, signal aborts between batches, also while the fit waits behind another
   *  call). Resolves with the history, or rejects as Model.fit does (FitError, TypeError,
   *  RangeError, a callback's own error). */
  fit(data: SequenceData, options: WorkerFitOptions = {}): Promise<History> {
    const M = "WorkerModel.fit";
    return this.#checked(() => {
      if (options !== null && typeof options === "object" && options.optimizer !== undefined
        && typeof options.optimizer !== "string") {
        throw new TypeError(
          `${M}: optimizer must be "adam", "adamw" or "sgd" (an optimizer object cannot cross to the Worker; its state would stay behind)`,
        );
      }
      const { o, signal } = checkFitArgs(M, (w, d) => this.#data(w, d, true), data, options, ["transfer"]);
      const transfer = check.bool(M, "transfer", o.transfer ?? false);
      if (signal?.aborted) {
        throw new FitError(`${M}: aborted before it started`, "aborted", 1, 1, emptyHistory(), signal.reason);
      }
      const { onEpochEnd, onBatchEnd, signal: _, transfer: __, ...rest } = o as WorkerFitOptions;
      return () => {
        const id = this.#next++; // the fit's request id, which its abort message names
        const onAbort = () => this.#abort(id);
        signal?.addEventListener("abort", onAbort, { once: true });
        const done = this.#call<History>(M, { op: "fit", data, options: rest, epochEvents: !!onEpochEnd,
          batchEvents: !!onBatchEnd }, transfer ? buffersOf([data, rest.validationData]) : [], { onEpoch: onEpochEnd,
          onBatch: onBatchEnd }, id);
        return done.finally(() => signal?.removeEventListener("abort", onAbort));
      };
    });
  }

  /** Loss and metrics on data (Model.evaluate). */
  evaluate(data: SequenceData, options: { batchSize?: number } & TransferOption = {}): Promise<Evaluation> {
    const M = "WorkerModel.evaluate";
    return this.#checked(() => {
      this.#data(M, data, true);
      const { transfer, rest } = callOptions(M, options, ["batchSize"]);
      if (rest.batchSize !== undefined) check.int(M, "batchSize", rest.batchSize, 1);
      return () => this.#call(M, { op: "evaluate", data, options: rest }, transfer ? buffersOf(data) : []);
    });
  }

  /** Predictions (Model.predict); the result's arrays come back transferred. */
  predict(x: Float32Array[] | Int32Array[],
    options: { batchSize?: number; classes?: Int32Array; times?: Float64Array[]; mask?: Float32Array[] }
      & TransferOption = {}): Promise<Prediction<R>> {
    const M = "WorkerModel.predict";
    return this.#checked(() => {
      const { transfer, rest } = callOptions(M, options, ["batchSize", "classes", "times", "mask"]);
      this.#data(M, { x, ...rest } as SequenceData, false);
      if (rest.batchSize !== undefined) check.int(M, "batchSize", rest.batchSize, 1);
      return () => this.#call(M, { op: "predict", x, options: rest }, transfer ? buffersOf([x, rest]) : []);
    });
  }

  /** Gradient-flow diagnostics for a batch (Model.gradientFlow: ‖∂L/∂h_t‖ per step and sequence;
   *  the weights do not change). */
  gradientFlow(data: SequenceData, options: { truncate?: number } & TransferOption = {}): Promise<GradientFlow> {
    const M = "WorkerModel.gradientFlow";
    return this.#checked(() => {
      this.#data(M, data, true);
      const { transfer, rest } = callOptions(M, options, ["truncate"]);
      if (rest.truncate !== undefined) check.int(M, "truncate", rest.truncate, 1);
      return () => this.#call(M, { op: "gradientFlow", data, options: rest }, transfer ? buffersOf(data) : []);
    });
  }

  /** Tokens sampled from a next-token model (Model.generate: seeded, the same tokens as in this
   *  thread). */
  generate(options: GenerateOptions): Promise<Int32Array> {
    return this.#call("WorkerModel.generate", { op: "generate", options }, []);
  }

  /** The model as safetensors bytes (Model.save). */
  save(metadata: Record<string, string> = {}): Promise<Uint8Array> {
    return this.#call("WorkerModel.save", { op: "save", metadata }, []);
  }

  /** End the trainer Worker (its memory goes with it). Waiting calls and calls after this reject. */
  async dispose(): Promise<void> {
    if (this.#dead) return;
    this.#fail("the model was disposed (WorkerModel.dispose ended its trainer)");
    await this.#end.terminate();
  }
}

/** A call's options object: `transfer` taken out, the rest checked against `names`. */
function callOptions(where: string, options: unknown,
  names: readonly string[]): { transfer: boolean; rest: Record<string, any> } {
  const o = check.object(where, "options", options ?? {});
  check.known(where, o, [...names, "transfer"]);
  const { transfer, ...rest } = o;
  return { transfer: check.bool(where, "transfer", transfer ?? false), rest };
}

function checkOptions(where: string, options: WorkerModelOptions): WorkerModelOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${where}: options must be an object, got ${options === null ? "null" : typeof options}`);
  }
  return options;
}
