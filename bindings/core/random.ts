// Seeded pseudo-random numbers with integer arithmetic only (mulberry32), so the same seed gives
// bitwise-identical weights and shuffles in every JavaScript engine.
/** A seeded random stream (mulberry32, integer arithmetic only): the same seed gives the same numbers in every JavaScript engine. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      const msg = `Rng: seed must be an integer in 0..4294967295, got ${
        typeof seed === "string" ? JSON.stringify(seed) : String(seed)
      }`;
      throw typeof seed === "number" ? new RangeError(msg) : new TypeError(msg);
    }
    this.s = (seed >>> 0) ^ 0x9e3779b9;
  }
  /** Next 32 random bits. */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, 1) with 24 random bits (exact in f32). */
  uniform(): number {
    return (this.u32() >>> 8) / 16777216;
  }
  /** Standard normal (Box–Muller on two uniforms with 32 random bits each). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u1 = (this.u32() + 1) / 4294967297, u2 = this.u32() / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
  private spare: number | null = null;
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor((this.u32() / 4294967296) * (i + 1));
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
