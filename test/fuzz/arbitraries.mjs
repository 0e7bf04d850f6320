// Generators for the fuzz properties: valid arguments, and for each argument a pool of values that
// are certainly invalid. An argument is generated as { value, bad } where `bad` lists the names a
// message may use to point at it (null when the value is valid).
import fc from "fast-check";

/** Values that are never a valid anything (number, array, object) for an argument. */
export const junk = fc.constantFrom(null, "3", {}, Symbol.for("x"), () => 1, [], NaN);

/** A valid value (weight 4) or one of `bads` (weight 1), tagged with the names of the argument. */
export function arg(names, valid, ...bads) {
  const good = valid.map((value) => ({ value, bad: null }));
  if (bads.length === 0) return good;
  const mixed = fc.oneof({ weight: 4, arbitrary: good }, { weight: 1,
    arbitrary: fc.oneof(...bads).map((value) => ({ value, bad: names })) });
  mixed.validOnly = good; // options() draws all-valid objects half of the time
  return mixed;
}

/** Bad integers for a size in 1..max. */
export const badCount = (max = 1 << 20) =>
  fc.constantFrom(0, -1, 1.5, ...(max < 2 ** 52 ? [max + 1] : []), 2 ** 53, NaN, Infinity, "2", null);

/** Where a Float32Array lives: its own buffer, a view at a byte offset into a larger buffer, or a
 *  SharedArrayBuffer. The values are the same; results must not depend on it. */
export const container = fc.constantFrom("plain", "view", "shared");

export function place(values, where) {
  const n = values.length;
  if (where === "view") {
    const big = new Float32Array(n + 5).fill(7);
    const v = big.subarray(3, 3 + n);
    v.set(values);
    return v;
  }
  if (where === "shared" && typeof SharedArrayBuffer !== "undefined") {
    const v = new Float32Array(new SharedArrayBuffer(4 * n));
    v.set(values);
    return v;
  }
  return Float32Array.from(values);
}

/** n finite floats in [-2, 2] placed in a container. */
export function floats(n) {
  return fc.tuple(fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }), container).map((
    [v, where],
  ) => place(v, where));
}

/** A Float32Array of n elements, or certainly not one: wrong length, a NaN or ±Infinity inside, a
 *  different typed array, a plain array, null. */
export function floatsOrBad(names, n, { nonFiniteIsBad = true } = {}) {
  const bads = [fc.integer({ min: 0, max: n + 3 }).filter((k) => k !== n).map((k) => new Float32Array(k)),
    fc.constant(Float64Array.from({ length: n }, () => 0.5)), fc.constant(Array.from({ length: n }, () => 0.5)), junk];
  if (nonFiniteIsBad && n > 0) {
    bads.push(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constantFrom(NaN, Infinity, -Infinity)).map(([i, v]) => {
      const a = new Float32Array(n).fill(0.25);
      a[i] = v;
      return a;
    }));
  }
  return arg(names, floats(n), ...bads);
}

/** An options object: valid keys (each maybe bad), or null, or with an unknown key (a typo of a
 *  known one or a stranger). `fields` maps key -> arbitrary of { value, bad } or undefined. */
export function options(where, fields, { required = false } = {}) {
  const keys = Object.keys(fields);
  const allValid = Object.fromEntries(keys.map((k) => [k, fields[k].validOnly ?? fields[k]]));
  const record = fc.oneof(fc.record(fields, { requiredKeys: required ? keys : [] }),
    fc.record(allValid, { requiredKeys: required ? keys : [] })).map((o) => {
      const value = {}, bad = [];
      for (const [k, v] of Object.entries(o)) {
        if (v === undefined || v.value === undefined) continue;
        value[k] = v.value;
        if (v.bad) bad.push(v.bad);
      }
      return { value, bads: bad };
    });
  const typo = fc.tuple(record,
    fc.constantFrom(...keys.map((k) => k.toLowerCase() + "s"), "bogus", "__proto__", "constructor")).map(([o, k]) => {
      const value = { ...o.value };
      Object.defineProperty(value, k, { value: 1, enumerable: true, configurable: true, writable: true });
      return { value, bads: [...o.bads, [k, "options"]] };
    });
  return fc.oneof({ weight: 8, arbitrary: record }, { weight: 1, arbitrary: typo }, { weight: 1,
    arbitrary: fc.constantFrom(null, "opts", 3).map((value) => ({ value,
      bads: [["options", "grads", "config", "dict"]] })
    ) });
}
