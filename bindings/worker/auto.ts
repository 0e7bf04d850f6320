// Browsers: a bundle of this package loaded in a dedicated Worker named TRAINER_NAME (what
// WorkerModel starts) serves as its trainer. Nowhere else does this do anything.
import { TRAINER_NAME } from "./protocol.js";
import { serveTrainer } from "./serve.js";

declare const RW_BUILD: "node" | "iife" | "esm";
const g = globalThis as any;
if (RW_BUILD !== "node" && typeof g.WorkerGlobalScope !== "undefined" && g.name === TRAINER_NAME) {
  serveTrainer(g, (handler) => g.addEventListener("message", (e: MessageEvent) => handler(e.data)));
}
