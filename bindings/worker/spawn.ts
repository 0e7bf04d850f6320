// Starting a trainer Worker. Node: a worker_threads Worker on dist/worker-entry.js. Browsers: the
// ESM build starts dist/recurrent.trainer.js beside it as a module Worker (in the one form bundlers
// rewrite, so it works in built apps); the <script> bundle starts itself from its own URL
// (captured when it loaded) as a classic Worker named TRAINER_NAME, in which it serves. `url`
// overrides either.
import { TRAINER_NAME } from "./protocol.js";

/** Which build this is (esbuild define in scripts/build-js.mjs). */
declare const RW_BUILD: "node" | "iife" | "esm";

/** The <script> bundle's URL, read while it runs (document.currentScript is null later). */
const SCRIPT_URL: string | undefined = RW_BUILD === "iife" && typeof document !== "undefined"
  ? (document.currentScript as HTMLScriptElement | null)?.src
  : undefined;

/** Node's worker_threads resourceLimits (megabytes), for the trainer's JavaScript heap. */
export interface NodeResourceLimits {
  /** The main heap's limit. */
  maxOldGenerationSizeMb?: number;
  /** The young generation's limit. */
  maxYoungGenerationSizeMb?: number;
  /** The space for generated code. */
  codeRangeSizeMb?: number;
  /** The thread's stack (default 4). */
  stackSizeMb?: number;
}

/** A started trainer: post requests, receive replies, learn why it can no longer answer (it
 *  crashed, ran out of memory, exited, or sent a message that could not be read), terminate. */
export interface Endpoint {
  post(message: unknown, transfer: ArrayBuffer[]): void;
  onMessage(handler: (message: any) => void): void;
  onError(handler: (why: string) => void): void;
  terminate(): Promise<void>;
}

export async function spawnTrainer(url?: string | URL, resourceLimits?: NodeResourceLimits): Promise<Endpoint> {
  if (RW_BUILD === "node") {
    const wt = "node:worker_threads"; // computed: browser bundles never resolve it
    const { Worker } = await import(/* @vite-ignore */ wt);
    const where = String(url ?? "worker-entry.js");
    const w = new Worker(url ?? new URL("./worker-entry.js", import.meta.url), { name: TRAINER_NAME,
      ...(resourceLimits ? { resourceLimits } : {}) });
    let ending = false;
    return {
      post: (m, t) => w.postMessage(m, t),
      onMessage: (h) => w.on("message", h),
      // a Worker that ends by itself (a crash, running out of memory, process.exit) fails every
      // call waiting on it
      onError: (h) => {
        w.on("error", (e: Error & { code?: string }) =>
          h(e.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? `the trainer ran out of JavaScript heap and was ended (${e.message}) (${where})`
            : `the trainer crashed: ${e.message} (${where})`));
        w.on("messageerror",
          (e: Error) =>
            h(`a reply from the trainer could not be read (${e.message}); the trainer was ended (${where})`));
        w.on("exit", (code: number) => {
          if (!ending) {
            h(`the trainer exited (code ${code}) (${where})`);
          }
        });
      },
      terminate: async () => {
        ending = true;
        await w.terminate();
      },
    };
  }
  let w: Worker, src: string;
  if (url !== undefined) {
    src = String(url);
    w = new Worker(url, { name: TRAINER_NAME, type: RW_BUILD === "esm" ? "module" : "classic" });
  } else if (RW_BUILD === "esm") {
    // literally this form, which bundlers recognise: the trainer becomes a worker bundle of its own
    src = "recurrent.trainer.js";
    w = new Worker(new URL("./recurrent.trainer.js", import.meta.url), { type: "module",
      name: "recurrent-wasm-trainer" });
  } else {
    if (!SCRIPT_URL) {
      throw new TypeError(
        "WorkerModel: no URL to start the trainer from (the <script> bundle records its own src when it loads; pass { url } to name it)",
      );
    }
    src = SCRIPT_URL;
    w = new Worker(SCRIPT_URL, { name: TRAINER_NAME });
  }
  return { post: (m, t) => w.postMessage(m, t),
    onMessage: (h) => {
      w.onmessage = (e) => h(e.data);
    },
    onError: (h) => {
      w.onerror = (e) => {
        e.preventDefault();
        h(`the trainer failed to start or crashed: ${e.message || "see the console"} (${String(src)})`);
      };
      w.onmessageerror = () => h(`a reply from the trainer could not be read; the trainer was ended (${String(src)})`);
    },
    terminate: async () => {
      w.terminate();
    } };
}
