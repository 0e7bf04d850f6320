// dist/worker-entry.js: what a WorkerModel's worker_threads Worker runs in Node.
import { parentPort } from "node:worker_threads";
import { serveTrainer } from "./serve.js";

if (!parentPort) throw new Error("recurrent-wasm: worker-entry.js runs inside a WorkerModel's Worker");
const port = parentPort;
serveTrainer(port as any, (handler) => port.on("message", handler));
