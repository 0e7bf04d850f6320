// The messages between a WorkerModel (the caller's thread) and its trainer (a dedicated Worker).
// Requests carry an id; the trainer answers each with one reply of the same id, and sends a fit's
// progress as events of the fit's id before its reply. "abort" has no reply: the fit it names
// rejects with a FitError of kind "aborted".
import type { CoreInfo, CoreOptions } from "../core/loader.js";
import type { ModelConfig, ModelSettings } from "../nn/model/config.js";
import type { SequenceData } from "../nn/model/data.js";
import type { FitOptions, History, Logs } from "../train/fit.js";
import type { GenerateOptions } from "../nn/model/generate.js";

/** The name a trainer Worker is started with: a bundle loaded in a Worker of this name serves. */
export const TRAINER_NAME = "recurrent-wasm-trainer";

/** fit()'s options that cross to the trainer (callbacks and the signal stay with the caller). */
export type WorkerFitOptions = Omit<FitOptions, "optimizer" | "onEpochEnd" | "onBatchEnd" | "signal"> & {
  optimizer?: "adam" | "adamw" | "sgd";
};

export type Request = { id: number; op: "create"; config: ModelConfig; init: CoreOptions } | { id: number; op: "load";
  bytes: Uint8Array; init: CoreOptions } | { id: number; op: "fit"; data: SequenceData; options: WorkerFitOptions;
  epochEvents: boolean; batchEvents: boolean } | { id: number; op: "evaluate"; data: SequenceData;
  options: { batchSize?: number } } | { id: number; op: "predict"; x: Float32Array[] | Int32Array[];
  options: Record<string, unknown> } | { id: number; op: "save"; metadata: Record<string, string> } | { id: number;
  op: "gradientFlow"; data: SequenceData; options: { truncate?: number } } | { id: number; op: "generate";
  options: GenerateOptions } | { id: number; op: "abort"; target: number };

/** An error as it crosses: its class by name, and a FitError's fields. */
export interface WireError {
  name: string;
  message: string;
  kind?: "nonFinite" | "aborted";
  epoch?: number;
  batch?: number;
  history?: History;
}

export type Reply = { id: number; ok: true; result: unknown; info?: CoreInfo; config?: ModelSettings } | { id: number;
  ok: false; error: WireError } | { id: number; event: "epoch" | "batch"; index: number; logs: Logs };

/** The history of a fit that never trained. */
export function emptyHistory(): History {
  return { epoch: [], loss: [], valLoss: [], metric: "", train: [], val: [], rmse: [], mae: [], accuracy: [],
    valRmse: [], valMae: [], valAccuracy: [], bestEpoch: 0, gradNorm: [], gradNormMax: [], clippedBatches: [],
    stopReason: "" };
}

/** The ArrayBuffers under the typed arrays of a value (arrays and plain objects searched), for a
 *  transfer list: each once; shared memory is never transferred. */
export function buffersOf(value: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) buffersOf(v, out);
  } else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) buffersOf(v, out);
  }
  return [...out];
}
