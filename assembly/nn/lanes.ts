// Lane helpers for element-wise cell code written once for f32x4: with vec = false the same code
// handles a scalar tail element in lane 0 (so tails match the vector path bitwise).

// @ts-ignore: decorator
@inline export function ld4(p: usize, vec: bool): v128 {
  return vec ? v128.load(p) : v128.load32_splat(p);
}
// @ts-ignore: decorator
@inline export function st4(p: usize, v: v128, vec: bool): void {
  if (vec) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}
// @ts-ignore: decorator
@inline export function one4(): v128 {
  return f32x4.splat(1);
}
