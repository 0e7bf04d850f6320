// Training runs in worker threads (worker.mjs), at most `lanes` at a time: each run trains one
// Simulator on its own thread, so seeds train side by side on a machine with several cores.
import { Worker } from "node:worker_threads";

const script = new URL("./worker.mjs", import.meta.url);

/** One run: { config, train, fit, seconds (a time cap, or 0) } → { bytes (the simulator's file), history, seconds }. */
export function trainInWorker(job) {
  return new Promise((resolve, reject) => {
    const w = new Worker(script, { workerData: job });
    let done = false;
    w.once("message", (m) => {
      done = true;
      resolve(m);
    });
    w.once("error", (e) => {
      done = true;
      reject(e);
    });
    w.once("exit", (code) => {
      if (!done) reject(new Error(`a training worker exited with code ${code} before it answered`));
    });
  });
}

/** Every job, at most `lanes` at a time; the results in the jobs' order. onDone(i, result) is
 *  called as each finishes. */
export async function trainAll(jobs, lanes, onDone = () => {}) {
  const out = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await trainInWorker(jobs[i]);
      onDone(i, out[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, jobs.length)) }, lane));
  return out;
}
