// One training run of the example in a worker thread: builds a Simulator, fits it on the training
// records it is handed (never a test record), within an optional time cap, and posts back the simulator's file (Simulator.save)
// and its training history. The main thread (run.mjs) runs the test records.
import { parentPort, workerData } from "node:worker_threads";
import { init, Simulator } from "../../dist/index.js";

await init();
const { config, train, fit, seconds: cap } = workerData, t0 = performance.now();
const sim = new Simulator(config);
// a time cap (seconds, or none): training stops after the epoch that passes it, keeping the weights
// of the best validated epoch so far
const history = await sim.fit(train, { ...fit, onEpochEnd: () => cap > 0 && performance.now() - t0 > 1000 * cap });
const bytes = sim.save().slice();
sim.dispose();
parentPort.postMessage({ bytes, history, seconds: (performance.now() - t0) / 1000 }, [bytes.buffer]);
