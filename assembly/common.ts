// Address and size helpers shared by every family of the core (rnn/, ode/, hmm/, linalg/, nn/).

/** The address of float number `floats` of a buffer that starts at ptr. */
// @ts-ignore: decorator
@inline export function f(ptr: usize, floats: usize): usize {
  return ptr + (floats << 2);
}

/** n rounded up to a multiple of 4 floats (so that the next region starts 16-byte aligned). Sizes
 *  are computed in f64 (exact below 2^53, never wrapping): a shape whose workspace passes 4 GiB
 *  must be seen as such and refused by the caller, not wrap around to a small number. */
// @ts-ignore: decorator
@inline export function r4(n: f64): f64 {
  return Math.ceil(n * 0.25) * 4;
}

/** Word i (i32) of a descriptor at d. */
// @ts-ignore: decorator
@inline export function geti(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

/** Word i of a descriptor at d, read as an unsigned pointer. */
// @ts-ignore: decorator
@inline export function getp(d: usize, i: i32): usize {
  return <usize>load<u32>(d + (<usize>i << 2));
}
