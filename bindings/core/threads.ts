// A pool of worker threads that run core functions on one shared WebAssembly memory.
//
// The threaded build (build/recurrent.threads.wasm) imports a shared memory. The main thread and
// every worker instantiate the same module over it; only the main thread allocates. A parallel
// call hands each worker one core function call (name and numeric arguments) through a small
// SharedArrayBuffer, runs the first call itself, and waits until every worker has finished:
// Atomics.wait where the main thread may block (Node), a spin on Atomics.load where it may not
// (browser main threads). Workers block in Atomics.wait between calls.
//
// Node: worker_threads (evaluated from source, unref'd so the process can exit). Browsers: Web
// Workers from a Blob URL; SharedArrayBuffer needs cross-origin isolation (the page served with
// Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp).

/** Functions a worker may run (indices into this list travel through shared memory). */
export const PARALLEL_FUNCTIONS = ["rnn_forward", "rnn_backward"] as const;
export type ParallelFunction = (typeof PARALLEL_FUNCTIONS)[number];
export interface Job {
  fn: ParallelFunction;
  args: number[];
}

const SLOT = 32; // f64 per worker: function index, argument count, up to 30 arguments
const HEADER = 16; // bytes: i32 [sequence, done, status (0, an error code, or 1: a trap), unused]

/** The body every worker runs, for Node (`parentPort`) and browsers (`self`). */
const WORKER_SOURCE = `
const FNS = ${JSON.stringify(PARALLEL_FUNCTIONS)};
const isNode = typeof self === "undefined";
const port = isNode ? require("node:worker_threads").parentPort : self;
const on = (f) => isNode ? port.on("message", f) : (self.onmessage = (e) => f(e.data));
on(async (m) => {
  const { module, memory, ctrl, id } = m;
  const { exports: ex } = await WebAssembly.instantiate(module, { env: { memory, abort() { throw new Error("recurrent-wasm: internal error in the WebAssembly core (an invariant failed); please report it with the call that caused it"); } } });
  const c = new Int32Array(ctrl, 0, 4), f = new Float64Array(ctrl, ${HEADER});
  port.postMessage("ready");
  let seen = 0;
  for (;;) {
    Atomics.wait(c, 0, seen);
    seen = Atomics.load(c, 0);
    const base = id * ${SLOT}, fi = f[base];
    if (fi >= 0) {
      const n = f[base + 1], a = [];
      for (let i = 0; i < n; i++) a.push(f[base + 2 + i]);
      try { const r = ex[FNS[fi]](...a); if (r) Atomics.store(c, 2, r); } catch (e) { Atomics.store(c, 2, 1); }
    }
    Atomics.add(c, 1, 1);
    Atomics.notify(c, 1);
  }
});
`;

export class ThreadPool {
  readonly size: number; // threads including the main one
  private ctrl: SharedArrayBuffer;
  private c: Int32Array;
  private f: Float64Array;
  private workers: { terminate(): unknown }[];
  private canBlock: boolean;

  private constructor(size: number, ctrl: SharedArrayBuffer, workers: { terminate(): unknown }[]) {
    this.size = size;
    this.ctrl = ctrl;
    this.c = new Int32Array(ctrl, 0, 4);
    this.f = new Float64Array(ctrl, HEADER);
    this.workers = workers;
    this.canBlock = typeof (globalThis as any).window === "undefined";
  }

  /** Start size − 1 workers over the module and its shared memory. */
  static async create(size: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<ThreadPool> {
    const ctrl = new SharedArrayBuffer(HEADER + 8 * SLOT * Math.max(1, size - 1));
    const workers: any[] = [];
    const ready: Promise<void>[] = [];
    const isNode = typeof (globalThis as any).process?.versions?.node === "string"
      && typeof (globalThis as any).window === "undefined";
    for (let id = 0; id < size - 1; id++) {
      let w: any;
      if (isNode) {
        // a computed specifier keeps browser bundles from trying to resolve the Node module
        const wt = "node:worker_threads";
        const { Worker } = await import(/* @vite-ignore */ wt);
        w = new Worker(WORKER_SOURCE, { eval: true });
        w.unref();
        ready.push(new Promise((res, rej) => {
          w.once("message", () => res());
          w.once("error", rej);
        }));
      } else {
        const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
        w = new Worker(url);
        ready.push(new Promise((res, rej) => {
          w.onmessage = () => res();
          w.onerror = (e: any) => rej(new Error(String(e.message ?? e)));
        }));
      }
      w.postMessage({ module, memory, ctrl, id });
      workers.push(w);
    }
    await Promise.all(ready);
    return new ThreadPool(size, ctrl, workers);
  }

  /** Run jobs[0] here and jobs[1..] on workers 0.. at the same time; return when all are done:
   *  0, or the first error code a job returned (the core's ERR_* codes). */
  run(jobs: Job[], local: (job: Job) => number): number {
    const nw = this.size - 1;
    if (jobs.length - 1 > nw) throw new Error(`recurrent-wasm: ${jobs.length} jobs for ${this.size} threads`);
    for (let w = 0; w < nw; w++) {
      const job = jobs[w + 1], base = w * SLOT;
      if (!job) {
        this.f[base] = -1;
        continue;
      }
      this.f[base] = PARALLEL_FUNCTIONS.indexOf(job.fn);
      this.f[base + 1] = job.args.length;
      for (let i = 0; i < job.args.length; i++) this.f[base + 2 + i] = job.args[i];
    }
    Atomics.store(this.c, 1, 0);
    Atomics.store(this.c, 2, 0);
    Atomics.add(this.c, 0, 1);
    Atomics.notify(this.c, 0);
    let err: unknown = null, code = 0;
    try {
      code = local(jobs[0]);
    } catch (e) {
      err = e;
    }
    for (;;) {
      const done = Atomics.load(this.c, 1);
      if (done >= nw) break;
      if (this.canBlock) Atomics.wait(this.c, 1, done, 1000);
    }
    if (err) throw err;
    const status = Atomics.load(this.c, 2);
    if (status === 1) throw new Error("recurrent-wasm: a worker thread failed in the WebAssembly core");
    return code || status;
  }

  terminate(): void {
    for (const w of this.workers) w.terminate();
  }
}
