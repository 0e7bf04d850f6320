// Inverted dropout masks and their application, over whole buffers.
//
// The mask is counter-based: element i of a mask drawn with seed s is decided by a hash of (s, i)
// alone, so it does not depend on the order elements are drawn in, on how a batch is split
// between threads, or on the engine; a kept element is 1/(1 − p) (rounded to f32), a dropped one 0.

/** A 32-bit integer hash with low bias (the "lowbias32" mixer: two multiply-xorshift rounds). */
// @ts-ignore: decorator
@inline function mix32(x: u32): u32 {
  x ^= x >>> 16;
  x *= 0x7feb352d;
  x ^= x >>> 15;
  x *= 0x846ca68b;
  x ^= x >>> 16;
  return x;
}

/** m[i] = 0 with probability p, else 1/(1 − p), for i < n: u_i = the top 24 bits of
 *  mix32(mix32(seed) + i·0x9e3779b9) over 2^24 (uniform in [0, 1)), dropped where u_i < p.
 *  0 <= p < 1 (the bindings check it). */
export function dropout_mask_f32(n: i32, p: f64, seed: u32, m: usize): void {
  const keep = <f32>(1 / (1 - p)), base = mix32(seed);
  for (let i = 0; i < n; i++) {
    const u = <f64>(mix32(base + <u32>i * 0x9e3779b9) >>> 8) * (1.0 / 16777216.0);
    store<f32>(m + (<usize>i << 2), u < p ? <f32>0 : keep);
  }
}

/** x[i] *= m[i] for n elements (f32x4; each product rounded once, as a scalar f32 multiply). */
export function mul_f32_wasmsimd(n: i32, x: usize, m: usize): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), v128.load(m + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * load<f32>(m + o));
  }
}
