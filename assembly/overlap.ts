// Whether two byte ranges of linear memory overlap, for the passes that refuse to write over what
// steers them: their descriptor, the lengths, the ODE's widths, the HMM's state paths (ERR_OVERLAP).
// Tensors that hold only values are not checked: overlapping them gives meaningless numbers, not a
// write outside the tensors a call names.

/** [a, a + aBytes) and [b, b + bBytes) share a byte; an absent tensor (pointer 0) or an empty
 *  range overlaps nothing. In f64: u32 pointers plus sizes below 2^53 are exact. */
export function overlaps(a: f64, aBytes: f64, b: f64, bBytes: f64): bool {
  return a != 0 && b != 0 && aBytes > 0 && bBytes > 0 && a < b + bBytes && b < a + aBytes;
}
