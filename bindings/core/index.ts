// recurrent-wasm/core: the WebAssembly boundary for advanced hosts. The typed core (every export,
// pointers as unsigned byte offsets), the constants shared with the AssemblyScript side, and the
// memory arena (sizes checked in doubles, atomic allocation). Pointers into the core's memory are
// only valid until they are freed; views must be re-created after memory grows (f32/i32 do).
// docs/ABI.md describes every export.
import { core as loaded } from "./loader.js";
import type { Core } from "./abi.js";
export { init, coreInfo } from "./loader.js";
export type { CoreOptions, CoreInfo } from "./loader.js";
export * from "./abi.js";
export { allocAll, free, f32, i32, withBlocks, formatBytes, liveBlocks, Blocks, MEMORY_LIMIT,
  BLOCK_LIMIT } from "./arena.js";
export type { MemoryNeed } from "./arena.js";

/** The instantiated core (every export typed); throws if init() has not completed. */
export function core(): Core {
  return loaded();
}
