// The CommonJS build's one entry (dist/index.cjs): everything of "recurrent-wasm" and of
// "recurrent-wasm/core", so that require() of any entry point shares one core instance
// (dist/core.cjs and dist/worker.cjs re-export this module).
export * from "./index.js";
export * from "./core/index.js";
