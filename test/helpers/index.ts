import { expect } from "vitest";
import { init, core as raw } from "../../dist/core.js";

export async function core() {
  await init();
  return raw();
}

/** Max |got − want| − (atol + rtol·|want|) must be ≤ 0; on failure, names the worst element. */
export function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, atol: number,
  rtol: number): number {
  expect(got.length, `${label}: length`).toBe(want.length);
  let worst = -Infinity, wi = -1, maxAbs = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= atol + rtol * Math.abs(want[i])) && (Number.isNaN(d) || d - (atol + rtol * Math.abs(want[i])) > worst)) {
      worst = Number.isNaN(d) ? Infinity : d - (atol + rtol * Math.abs(want[i]));
      wi = i;
    }
    if (d > maxAbs) maxAbs = d;
  }
  if (wi >= 0) {
    expect.fail(
      `${label}: element ${wi} is ${got[wi]}, expected ${
        want[wi]
      } (atol ${atol}, rtol ${rtol}; max abs diff ${maxAbs})`,
    );
  }
  return maxAbs;
}

/** Deterministic test data. */
export function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) / 16777216 - 0.5;
  };
}

export function f32of(n: number, rnd: () => number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rnd() * scale);
}
