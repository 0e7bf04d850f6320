// Allocation over linear memory.
//
// Blocks come from AssemblyScript's TLSF allocator (runtime "minimal": segregated free lists with
// coalescing, O(1) alloc/free). Every block is 16-byte aligned, so f32x4 loads and stores on a
// block's start are aligned. Blocks are unmanaged: nothing is collected, the caller frees.
// Memory grows on demand (memory.grow); hosts must re-create views of memory.buffer afterwards.

/** The largest block TLSF can hand out (its BLOCK_MAXSIZE, 1 GiB minus the block header). */
export const MAX_BLOCK_BYTES: usize = (1 << 30) - 16;

/** Allocate `bytes` bytes, 16-byte aligned, zero-filled. Returns 0 when bytes == 0 or bytes is
 *  larger than MAX_BLOCK_BYTES. When memory cannot grow enough the call traps (unreachable) before
 *  the allocator's state changes, so a host may catch the trap and go on. */
export function alloc(bytes: usize): usize {
  if (bytes == 0 || bytes > MAX_BLOCK_BYTES) return 0;
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Free a block returned by alloc (0 is ignored). */
export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}
