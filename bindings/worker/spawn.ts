// Starting a trainer Worker. Node: a worker_threads Worker on dist/worker-entry.js. Browsers: a
// dedicated Worker on the bundle this code came from, named TRAINER_NAME (the bundle serves when it
// loads in a Worker of that name): the <script> bundle's own URL (captured when it loaded) as a
// classic Worker, the ESM build's import.meta.url as a module Worker. `url` overrides either.
import { TRAINER_NAME } from "./protocol.js";

/** Which build this is (esbuild define in scripts/build-js.mjs). */
declare const RW_BUILD: "node" | "iife" | "esm";

/** The <script> bundle's URL, read while it runs (document.currentScript is null later). */
const SCRIPT_URL: string | undefined = RW_BUILD === "iife" && typeof document !== "undefined" ? (document.currentScript as HTMLScriptElement | null)?.src : undefined;

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
    const w = new Worker(url ?? new URL("./worker-entry.js", import.meta.url), { name: TRAINER_NAME, ...(resourceLimits ? { resourceLimits } : {}) });
    let ending = false;
    return {
      post: (m, t) => w.postMessage(m, t),
      onMessage: (h) => w.on("message", h),
      // a Worker that ends by itself (a crash, running out of memory, process.exit) fails every
      // call waiting on it
      onError: (h) => {
        w.on("error", (e: Error & { code?: string }) => h(e.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? `the trainer ran out of JavaScript heap and was ended (${e.message}) (${where})`
          : `the trainer crashed: ${e.message} (${where})`));
        w.on("messageerror", (e: Error) => h(`a reply from the trainer could not be read (${e.message}); the trainer was ended (${where})`));
        w.on("exit", (code: number) => { if (!ending) h(`the trainer exited (code ${code}) (${where})`); });
      },
      terminate: async () => { ending = true; await w.terminate(); },
    };
  }
  const src = url ?? (RW_BUILD === "iife" ? SCRIPT_URL : import.meta.url);
  if (!src) throw new TypeError("WorkerModel: no URL to start the trainer from (the <script> bundle records its own src when it loads; pass { url } to name it)");
  const w = new Worker(src, { name: TRAINER_NAME, type: RW_BUILD === "esm" ? "module" : "classic" });
  return {
    post: (m, t) => w.postMessage(m, t),
    onMessage: (h) => { w.onmessage = (e) => h(e.data); },
    onError: (h) => {
      w.onerror = (e) => { e.preventDefault(); h(`the trainer failed to start or crashed: ${e.message || "see the console"} (${String(src)})`); };
      w.onmessageerror = () => h(`a reply from the trainer could not be read; the trainer was ended (${String(src)})`);
    },
    terminate: async () => { w.terminate(); },
  };
}
