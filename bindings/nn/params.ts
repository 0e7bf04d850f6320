// The parameter block every module is built on: all of a module's parameters in one flat f32 block
// of core memory (named slots in PyTorch state_dict order), its gradients in a second block with
// the same layout. stateDict, loadStateDict, grads and zeroGrad are written once, here. A module
// inside another (a Model's recurrent stack) gets a view: the same memory at an offset.
import * as check from "../core/check.js";
import { allocAll, f32, formatBytes, free, track, MEMORY_LIMIT } from "../core/arena.js";
import type { Releasable } from "../core/arena.js";

/** A named tensor inside a flat block: shape, offset and size in floats. */
export interface TensorSlot {
  /** The tensor's state_dict name. */
  name: string;
  /** Its dimensions (row-major). */
  shape: number[];
  /** Where it starts in the block, in floats. */
  offset: number;
  /** Its number of floats. */
  size: number;
}

/** The memory behind a block and its views. */
interface Store {
  params: number;
  grads: number;
  numParams: number;
  live: boolean;
  listeners: Set<() => void>;
  version: number;
}

/** A module's parameters and gradients: two flat f32 blocks in WebAssembly memory (or a view of
 *  another block's range), with named tensors (slots). */
export class ParameterBlock {
  /** Number of f32 parameters. */
  readonly numParams: number;
  /** Names, shapes and offsets (floats, from this block's start) of the parameters. */
  readonly slots: readonly TensorSlot[];
  readonly #store: Store;
  readonly #offset: number;
  readonly #owner: boolean;

  /** Allocate a block (parameters and gradients, zero-filled) for these slots, which must tile
   *  [0, numParams). Sizes are checked in doubles before anything is allocated. */
  constructor(where: string, slots: TensorSlot[], view?: { of: ParameterBlock; offset: number }) {
    const numParams = slots.reduce((a, s) => Math.max(a, s.offset + s.size), 0);
    this.numParams = numParams;
    this.slots = slots;
    if (view) {
      this.#store = view.of.#store;
      this.#offset = view.of.#offset + view.offset;
      this.#owner = false;
      if (view.offset + numParams > view.of.numParams) {
        throw new Error(`${where}: a view past the end of its parameter block`);
      }
      return;
    }
    const bytes = 4 * numParams;
    if (2 * bytes > MEMORY_LIMIT) {
      throw new RangeError(
        `${where}: ${numParams} parameters need ${
          formatBytes(2 * bytes)
        } of WebAssembly memory (parameters and gradients); the limit is 4 GiB: use a smaller hiddenSize or fewer layers`,
      );
    }
    const [params, grads] = allocAll(where, [bytes, bytes], {
      what: `model (${numParams} parameters and their gradients)`,
      advice: "use a smaller hiddenSize or fewer layers",
    });
    this.#store = { params, grads, numParams, live: true, listeners: new Set(), version: 0 };
    this.#offset = 0;
    this.#owner = true;
  }

  /** A view of floats [offset, offset + size) of this block, with its own slot names. */
  view(where: string, offset: number, slots: TensorSlot[]): ParameterBlock {
    return new ParameterBlock(where, slots, { of: this, offset });
  }

  /** Whether the memory is still there (false after the owner's dispose()). */
  get live(): boolean {
    return this.#store.live;
  }

  /** A counter that every write of the parameters raises (setFlat, loadStateDict, optimizer steps,
   *  shared by a block and its views): what streams check before they reuse weights they packed. */
  get version(): number {
    return this.#store.version;
  }
  /** @internal Record a write of the parameters made through paramsAt(). */
  touch(): void {
    this.#store.version++;
  }

  /** @internal Byte offset of the parameters in core memory. Whoever writes through it calls
   *  touch(). */
  paramsAt(where: string): number {
    this.#check(where);
    return this.#store.params + 4 * this.#offset;
  }
  /** @internal Byte offset of the gradients in core memory. */
  gradsAt(where: string): number {
    this.#check(where);
    return this.#store.grads + 4 * this.#offset;
  }

  #check(where: string): void {
    if (!this.#store.live) throw new Error(`${where}: the module was disposed (its memory is freed); create a new one`);
  }

  /** A copy of all parameters, flat (state_dict order). */
  flat(where = "parameters"): Float32Array {
    return this.#all(where, false).slice();
  }
  /** Overwrite all parameters from a flat copy of numParams floats. */
  setFlat(where: string, v: Float32Array): void {
    this.#all(where, false, v);
  }
  /** A copy of all gradients, flat. */
  flatGrads(where = "grads"): Float32Array {
    return this.#all(where, true).slice();
  }
  /** Overwrite all gradients from a flat copy. */
  setFlatGrads(where: string, v: Float32Array): void {
    this.#all(where, true, v);
  }

  /** A view of all parameters or gradients; with `from`, first overwritten by it (checked). */
  #all(where: string, grads: boolean, from?: Float32Array): Float32Array {
    if (from) check.f32(where, grads ? "grads" : "parameters", from, this.numParams, `[${this.numParams}]`, "allow");
    const v = f32(grads ? this.gradsAt(where) : this.paramsAt(where), this.numParams);
    if (from) {
      v.set(from);
      if (!grads) this.touch();
    }
    return v;
  }

  /** Parameters by name (copies, row-major). */
  stateDict(where = "stateDict"): Record<string, Float32Array> {
    return this.#named(this.paramsAt(where));
  }

  /** Gradients by name (copies). */
  grads(where = "grads"): Record<string, Float32Array> {
    return this.#named(this.gradsAt(where));
  }

  #named(base: number): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const s of this.slots) out[s.name] = f32(base + 4 * s.offset, s.size).slice();
    return out;
  }

  /** Load parameters by name. Every entry is checked (missing, unknown, wrong size, non-finite)
   *  before anything is written. */
  loadStateDict(where: string, dict: Record<string, Float32Array>): void {
    const p = this.paramsAt(where);
    const d = check.object(where, "dict", dict);
    for (const s of this.slots) {
      if (!Object.prototype.hasOwnProperty.call(d, s.name)) {
        throw new RangeError(`${where}: missing tensor ${JSON.stringify(s.name)} [${s.shape.join(", ")}]`);
      }
      check.f32(where, s.name, d[s.name], s.size, `[${s.shape.join(", ")}]`);
    }
    for (const k of Object.keys(d)) {
      if (!this.slots.some((s) => s.name === k)) {
        throw new RangeError(
          `${where}: unexpected tensor ${JSON.stringify(k)} (expected ${this.slots.map((s) => s.name).join(", ")})`,
        );
      }
    }
    for (const s of this.slots) f32(p + 4 * s.offset, s.size).set(d[s.name] as Float32Array);
    this.touch();
  }

  /** Set every gradient to zero. */
  zeroGrad(where = "zeroGrad"): void {
    f32(this.gradsAt(where), this.numParams).fill(0);
  }

  /** Call fn when the memory is freed (optimizers free their state for this block then). */
  onDispose(fn: () => void): () => void {
    this.#store.listeners.add(fn);
    return () => this.#store.listeners.delete(fn);
  }

  /** Free the memory (the owner only; a view's dispose does nothing). */
  dispose(): void {
    if (!this.#owner || !this.#store.live) return;
    releaseStore(this.#store);
  }

  /** @internal What frees this block's memory, holding no reference to the block itself. */
  releaser(): { release(): void } {
    const st = this.#store, owner = this.#owner;
    return { release: () => {
      if (owner && st.live) releaseStore(st);
    } };
  }
}

/** @internal The end of a module's constructor: run `init` (if it throws, the block is freed and the error
 *  passed on), then have the block and the module's other memory freed when the module is
 *  garbage-collected without dispose(). The closure that frees them is made here, not in the
 *  constructor: a closure there would share the constructor's context, which holds `this` when
 *  `init` uses it, and the module could never be collected. */
export function adopt(owner: object, block: ParameterBlock, mem: Releasable[], init: () => void): void {
  try {
    init();
  } catch (e) {
    block.dispose();
    throw e;
  }
  track(owner, releaseAll([...mem, block.releaser()]));
}

function releaseAll(parts: Releasable[]): Releasable {
  return { release: () => {
    for (const p of parts) p.release();
  } };
}

function releaseStore(st: Store): void {
  st.live = false;
  for (const fn of [...st.listeners]) fn();
  st.listeners.clear();
  free(st.params);
  free(st.grads);
}

/** The slots of a list of named shapes laid out back to back from `offset`. */
export function layoutSlots(entries: [string, number[]][], offset = 0): TensorSlot[] {
  let o = offset;
  return entries.map(([name, shape]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const s = { name, shape, offset: o, size };
    o += size;
    return s;
  });
}

/** A module whose parameters live in one ParameterBlock: the by-name access every module has, with
 *  errors named after the module (`${moduleName}.loadStateDict: …`). */
export abstract class ParameterModule {
  /** The parameters and their gradients. */
  abstract readonly parameters: ParameterBlock;
  /** The name errors start with. */
  protected abstract get moduleName(): string;

  /** Parameters by name (copies, row-major). */
  stateDict(): Record<string, Float32Array> {
    return this.parameters.stateDict(`${this.moduleName}.stateDict`);
  }
  /** Load parameters by name; every entry is checked (missing, unknown, wrong size, non-finite)
   *  before anything is written. */
  loadStateDict(dict: Record<string, Float32Array>): void {
    this.parameters.loadStateDict(`${this.moduleName}.loadStateDict`, dict);
  }
  /** Accumulated parameter gradients by name (copies). */
  grads(): Record<string, Float32Array> {
    return this.parameters.grads(`${this.moduleName}.grads`);
  }
  /** Set every parameter gradient to zero. */
  zeroGrad(): void {
    this.parameters.zeroGrad(`${this.moduleName}.zeroGrad`);
  }
  /** Names, shapes and offsets of the parameters in the flat block. */
  parameterSlots(): readonly TensorSlot[] {
    return this.parameters.slots;
  }
}
