// Activations on f32x4 lanes, forward and derivative, over whole buffers.
//
// tanh is on the critical path of every recurrent step, so it is vectorized and exact to a few
// ulp (the test sweeps every f32 in [2^-12, 16] against f64 tanh and reports the maximum):
//   |x| < 0.55 : odd polynomial x + x³·P(x²), P fitted (degree 4 in x², error < 4e-9 relative)
//   |x| ≥ 0.55 : 1 − 2/(e^{2|x|} + 1), |x| clamped to 10 (tanh is 1 in f32 beyond 9.01)
// with the sign copied back, so tanh(−x) = −tanh(x) exactly, and NaN propagates.

import { ACT_RELU } from "../constants";

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504;
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375; // 9 significant bits: n·LN2_HI is exact for |n| < 2^15
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;
// @ts-ignore: decorator
@inline const EXP_SHIFTER: f32 = 12582912.0; // 1.5·2^23
// @ts-ignore: decorator
@inline const EXP_SHIFTER_BITS: i32 = 0x4b400000; // its bits

/** e^x for x in [−87, 88] on four lanes: Cody–Waite reduction x = n·ln2 + r, a fitted degree-6 polynomial in r. */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  // e^r = 1 + r + r²·q(r), q a degree-4 fit of (e^r − 1 − r)/r² on |r| ≤ ln2/2 (relative error
  // < 0.25 of 2^-24 with f32 coefficients; Taylor needs two more terms for the same)
  let p = f32x4.splat(<f32>0.001385815441608429);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>0.008366706781089306));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>0.041667599231004715));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>0.16666541993618011));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>0.4999999701976776));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1.0));
  // 2^n from n's bits: n + 1.5·2^23 is exact for |n| < 2^22 and holds n in its low mantissa bits,
  // so its bits − the bits of 1.5·2^23 are n as an integer (the same as truncating n, which V8
  // lowers to a saturating conversion of five instructions and a constant load; this is two)
  const nBits = i32x4.sub(f32x4.add(n, f32x4.splat(EXP_SHIFTER)), i32x4.splat(EXP_SHIFTER_BITS));
  const scale = i32x4.shl(i32x4.add(nBits, i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** tanh on four lanes; see the file comment for the method and its accuracy. */
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const signMask = i32x4.splat(0x80000000);
  const ax = f32x4.abs(x);
  // small |x|: x + x³·P(x²), P a degree-4 fit of (tanh x − x)/x³ on |x| ≤ 0.55 (relative error
  // of the sum < 0.06 of 2^-24 with the coefficients rounded to f32; Taylor needs degree 8)
  const x2 = f32x4.mul(ax, ax);
  let p = f32x4.splat(<f32>-0.006286747753620148);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(<f32>0.021081430837512016));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(<f32>-0.05385497212409973));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(<f32>0.13332615792751312));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(<f32>-0.33333319425582886));
  const small = f32x4.add(ax, f32x4.mul(f32x4.mul(ax, x2), p));
  // large |x|: 1 − 2/(e^{2|x|}+1). pmin(a, b) = b < a ? b : a keeps a NaN first operand, and is
  // one instruction where min (NaN-propagating in both operands, ±0-ordered) is seven in V8
  const e = exp4(f32x4.mul(f32x4.pmin(ax, f32x4.splat(10)), f32x4.splat(2)));
  const one = f32x4.splat(1);
  const large = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(e, one)));
  const y = v128.bitselect(small, large, f32x4.lt(ax, f32x4.splat(<f32>0.55)));
  return v128.or(y, v128.and(x, signMask));
}

/** Logistic sigmoid 1/(1 + e^{−x}) on four lanes; x is clamped to [−88, 88] (σ(88) = 1 in f32;
 *  below −88 the result stays σ(−88) ≈ 6.1e−39, an absolute error under 1e−38). NaN propagates. */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  // pmin/pmax (b < a ? b : a, a < b ? b : a) keep a NaN first operand and cost one instruction
  // each (min and max are seven and eight in V8); the bounds are not zero, so ±0 order cannot matter
  const e = exp4(f32x4.pmax(f32x4.pmin(f32x4.neg(x), f32x4.splat(88)), f32x4.splat(-88)));
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, e));
}

// @ts-ignore: decorator
@inline export function sigmoid1(x: f32): f32 {
  return f32x4.extract_lane(sigmoid4(f32x4.splat(x)), 0);
}

/** tanh of one f32, computed on a lane of tanh4 so scalar tails match the vector path bitwise. */
// @ts-ignore: decorator
@inline export function tanh1(x: f32): f32 {
  return f32x4.extract_lane(tanh4(f32x4.splat(x)), 0);
}

/** y[i] = tanh(x[i]) for n elements (y may be x). */
export function tanh_f32_wasmsimd(n: i32, x: usize, y: usize): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, tanh4(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, tanh1(load<f32>(x + o)));
  }
}

/** y[i] = σ(x[i]) for n elements (y may be x). */
export function sigmoid_f32_wasmsimd(n: i32, x: usize, y: usize): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, sigmoid4(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, sigmoid1(load<f32>(x + o)));
  }
}

/** y[i] = max(x[i], 0) for n elements (y may be x). NaN stays NaN. */
export function relu_f32_wasmsimd(n: i32, x: usize, y: usize): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    // x > 0 ? x : (x == x ? 0 : x): keeps NaN, maps −0 and negatives to +0
    v128.store(y + o, v128.bitselect(v, zero, v128.or(f32x4.gt(v, zero), f32x4.ne(v, v))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v > 0 || v != v ? v : 0);
  }
}

/** dy[i] *= φ'(x_i) for n elements, given y[i] = φ(x_i): the backward pass of an activation from
 *  its output. act: ACT_TANH (1 − y²) or ACT_RELU (1 where y > 0, else 0; NaN in dy stays NaN only
 *  where y > 0). */
export function activation_backward_f32(n: i32, act: i32, y: usize, dy: usize): void {
  const n4 = n & ~3, one = f32x4.splat(1), zero = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2, v = v128.load(y + o), g = v128.load(dy + o);
    v128.store(dy + o,
      act == ACT_RELU ? v128.and(g, f32x4.gt(v, zero)) : f32x4.mul(g, f32x4.sub(one, f32x4.mul(v, v))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2, v = load<f32>(y + o), g = load<f32>(dy + o);
    store<f32>(dy + o, act == ACT_RELU ? (v > 0 ? g : <f32>0) : g * (1 - v * v));
  }
}

// --- accuracy sweep, exported for the test suite -------------------------------------------------

/** Largest error in ulps of the f32 result of tanh (fn 0) or sigmoid (fn 1), over every f32 whose
 *  bit pattern is in [loBits, hiBits), against the f64 function. worst: 0, or where to store the
 *  f32 argument of the largest error. */
export function activation_max_ulp(fn: i32, loBits: u32, hiBits: u32, worst: usize): f64 {
  let most: f64 = 0, at: f32 = 0;
  for (let bits = loBits; bits < hiBits; bits++) {
    const x = reinterpret<f32>(bits);
    const ref = fn == 0 ? Math.tanh(<f64>x) : 1.0 / (1.0 + Math.exp(-<f64>x));
    const got = <f64>(fn == 0 ? tanh1(x) : sigmoid1(x));
    // ulp of f32 at the reference value: the gap to the neighbouring f32 toward zero... or away,
    // whichever is smaller (they differ at powers of two)
    const r32 = Mathf.abs(<f32>ref);
    const b = reinterpret<u32>(r32);
    const up = <f64>reinterpret<f32>(b + 1) - <f64>r32;
    const down = b > 0 ? <f64>r32 - <f64>reinterpret<f32>(b - 1) : up;
    const err = Math.abs(got - ref) / min(up, down);
    if (err > most) {
      most = err;
      at = x;
    }
  }
  if (worst != 0) store<f32>(worst, at);
  return most;
}
