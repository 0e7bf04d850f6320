// The trainer: the Worker side of a WorkerModel. One model per Worker; requests run one after
// another, except "abort", which fires its fit's AbortController at once: a running fit stops
// between batches (fit yields to the event loop, so the message is seen), a queued one rejects
// when its turn comes, before it trains.
import { init, coreInfo } from "../core/loader.js";
import { Model } from "../model.js";
import { FitError } from "../train/fit.js";
import { buffersOf, emptyHistory } from "./protocol.js";
import type { Reply, Request, WireError } from "./protocol.js";

/** Where the trainer reads requests and posts replies: a Worker's global scope or Node's parentPort. */
export interface TrainerPort {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

function wire(e: unknown): WireError {
  if (e instanceof FitError) {
    return { name: e.name, message: e.message, kind: e.kind, epoch: e.epoch, batch: e.batch, history: e.history };
  }
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: "Error", message: String(e) };
}

/** Serve requests arriving through `listen` on `port` until the Worker ends. */
export function serveTrainer(port: TrainerPort, listen: (handler: (request: Request) => void) => void): void {
  let model: Model | null = null;
  /** The AbortController of every fit received and not yet settled, running or queued. */
  const fits = new Map<number, AbortController>();
  let queue: Promise<void> = Promise.resolve();
  const post = (reply: Reply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

  async function handle(r: Exclude<Request, { op: "abort" }>): Promise<void> {
    try {
      let result: unknown;
      switch (r.op) {
        case "create":
        case "load": {
          if (model) throw new Error("WorkerModel: this trainer already holds a model");
          await init(r.init);
          model = r.op === "create" ? new Model(r.config) : Model.load(r.bytes);
          post({ id: r.id, ok: true, result: null, info: coreInfo(), config: model.config });
          return;
        }
        case "fit": {
          const ctl = fits.get(r.id)!;
          try {
            if (ctl.signal.aborted) {
              throw new FitError("WorkerModel.fit: aborted while it waited for an earlier call (it did not train)",
                "aborted", 1, 1, emptyHistory(), ctl.signal.reason);
            }
            result = await live(model).fit(r.data, { ...r.options, signal: ctl.signal,
              ...(r.epochEvents
                ? { onEpochEnd: (index: number, logs: any) => post({ id: r.id, event: "epoch", index, logs }) }
                : {}),
              ...(r.batchEvents
                ? { onBatchEnd: (index: number, logs: any) => post({ id: r.id, event: "batch", index, logs }) }
                : {}) });
          } finally {
            fits.delete(r.id);
          }
          break;
        }
        case "evaluate":
          result = live(model).evaluate(r.data, r.options);
          break;
        case "predict":
          result = live(model).predict(r.x, r.options as any);
          break;
        case "save":
          result = live(model).save(r.metadata);
          break;
        case "gradientFlow":
          result = live(model).gradientFlow(r.data, r.options);
          break;
        case "generate":
          result = live(model).generate(r.options);
          break;
      }
      post({ id: r.id, ok: true, result }, buffersOf(result));
    } catch (e) {
      post({ id: r.id, ok: false, error: wire(e) });
    }
  }

  listen((r) => {
    if (r.op === "abort") {
      fits.get(r.target)?.abort();
      return;
    }
    if (r.op === "fit") fits.set(r.id, new AbortController());
    queue = queue.then(() => handle(r));
  });
}

function live(m: Model | null): Model {
  if (!m) throw new Error("WorkerModel: no model in this trainer (create or load one first)");
  return m;
}
