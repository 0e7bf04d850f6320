// dist/recurrent.trainer.js: what a WorkerModel's module Worker runs in browsers and bundled apps
// (the ESM builds start it as `new Worker(new URL("./recurrent.trainer.js", import.meta.url),
// { type: "module" })`, the form Vite and webpack 5 bundle as a worker of its own).
import { serveTrainer } from "./serve.js";

const g = globalThis as any;
serveTrainer(g, (handler) => g.addEventListener("message", (e: MessageEvent) => handler(e.data)));
