// The typed boundary to recurrent.wasm: the Core type (derived from SIGNATURES, which
// scripts/gen-abi.mjs generates from the AssemblyScript declarations) and the constants that the
// core and this layer share (assembly/constants.ts, imported here, never copied).
import { ERROR_TEXTS, SIGNATURES } from "./exports.js";
import { cellOf } from "./cells.js";

export * from "../../assembly/constants.js";
export { SIGNATURES };

type ParamOf<Kind> = Kind extends "bool" ? boolean | number : number;
type ArgsOf<P> = { -readonly [I in keyof P]: P[I] extends readonly [string, infer Kind] ? ParamOf<Kind> : never };
type ResultOf<Kind> = Kind extends "void" ? void : number;
type Signatures = typeof SIGNATURES;

/** Every function export of recurrent.wasm, typed (pointers are unsigned byte offsets). */
export type CoreFunctions = {
  [N in keyof Signatures]: (...args: ArgsOf<Signatures[N]["params"]>) => ResultOf<Signatures[N]["result"]>;
};
/** The core's linear memory: a WebAssembly.Memory, typed by what this package uses of it, so that
 *  a Node project's types need no DOM lib. */
export interface CoreMemory {
  /** The memory's bytes (a SharedArrayBuffer in the threads build); replaced when it grows. */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Grow by `delta` 64 KiB pages; returns the previous size in pages. */
  grow(delta: number): number;
}

/** The instantiated core: its functions and its memory (see docs/ABI.md). */
export interface Core extends CoreFunctions {
  readonly memory: CoreMemory;
}

/** The text of a core error code. */
export function errorText(code: number): string {
  return ERROR_TEXTS[code] ?? `error code ${code}`;
}

/** Gates per unit of a cell id: 1 (Elman), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n); 1 for an
 *  unknown id. The table is core/cells.ts. */
export function gatesOf(cell: number): number {
  return cellOf(cell)?.gates.length ?? 1;
}
