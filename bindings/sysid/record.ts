// Input/output records of a dynamical system: checks (channels, lengths, finite values), the
// normalization statistics of a training record, and normalized copies.
import * as check from "../core/check.js";

/** One record of a system: the input u_t and the measured output y_t at the same N sampling
 *  instants, row-major: u [N, inputs], y [N, outputs] (volts, metres, kelvin: physical units). */
export interface IoRecord {
  /** The input, [N, inputs]. */
  u: Float32Array;
  /** The measured output, [N, outputs]. */
  y: Float32Array;
}

/** Per-channel mean and standard deviation of u and y (of the training record), in physical units:
 *  the simulator reads (u − uMean) / uStd and writes y = ỹ · yStd + yMean. */
export interface Normalization {
  /** Mean of each input channel, [inputs]. */
  uMean: Float32Array;
  /** Standard deviation of each input channel (1 for a constant one), [inputs]. */
  uStd: Float32Array;
  /** Mean of each output channel, [outputs]. */
  yMean: Float32Array;
  /** Standard deviation of each output channel, [outputs]. */
  yStd: Float32Array;
}

/** The channel counts a record must have. */
export interface Channels {
  /** Channels of u. */
  inputs: number;
  /** Channels of y. */
  outputs: number;
}

/** The rows of u: a Float32Array of finite values, a positive multiple of `inputs` long. */
export function checkInput(where: string, name: string, u: unknown, inputs: number): number {
  if (!(u instanceof Float32Array)) {
    throw new TypeError(`${where}: ${name} must be a Float32Array [N, inputs=${inputs}], got ${check.show(u)}`);
  }
  if (u.length === 0 || u.length % inputs !== 0) {
    throw new RangeError(
      `${where}: ${name} has ${u.length} elements, not a positive multiple of the model's inputs=${inputs} (a channel count that differs from the model's?)`,
    );
  }
  check.f32(where, name, u, u.length, `[N=${u.length / inputs}, inputs=${inputs}]`);
  return u.length / inputs;
}

/** A record (or an array of records) with the model's channels, u and y of the same rows, each
 *  at least minRows rows long. Returns the records as an array. */
export function checkRecords(where: string, name: string, v: unknown, ch: Channels, minRows: number,
  why: string): IoRecord[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new RangeError(`${where}: ${name} is empty; give at least one record { u, y }`);
  list.forEach((r, i) => {
    const nm = Array.isArray(v) ? `${name}[${i}]` : name;
    const o = check.object(where, nm, r);
    check.known(where, o, ["u", "y"], nm);
    const n = checkInput(where, `${nm}.u`, o.u, ch.inputs);
    if (!(o.y instanceof Float32Array)) {
      throw new TypeError(
        `${where}: ${nm}.y must be a Float32Array [N=${n}, outputs=${ch.outputs}], got ${check.show(o.y)}`,
      );
    }
    if (o.y.length !== n * ch.outputs) {
      throw new RangeError(
        `${where}: ${nm}.y has ${o.y.length} elements but ${nm}.u has ${n} rows, so y must have ${n} × outputs=${ch.outputs} = ${
          n * ch.outputs
        } (mismatched u/y lengths, or a channel count that differs from the model's)`,
      );
    }
    check.f32(where, `${nm}.y`, o.y, o.y.length, `[N=${n}, outputs=${ch.outputs}]`);
    if (n < minRows) {
      throw new RangeError(`${where}: ${nm} has ${n} samples; ${why} needs at least ${minRows}`);
    }
  });
  return list as IoRecord[];
}

/** Mean and standard deviation per channel over all rows of the records (f64 sums; a constant
 *  channel gets std 1). */
export function statistics(records: IoRecord[], ch: Channels): Normalization {
  const of = (key: "u" | "y", C: number) => {
    const s = new Float64Array(C), q = new Float64Array(C);
    let n = 0;
    for (const r of records) {
      const a = r[key], N = a.length / C;
      n += N;
      for (let t = 0; t < N; t++) for (let c = 0; c < C; c++) s[c] += a[t * C + c];
    }
    const mean = Float64Array.from(s, (v) => v / n);
    for (const r of records) {
      const a = r[key], N = a.length / C;
      for (let t = 0; t < N; t++) for (let c = 0; c < C; c++) q[c] += (a[t * C + c] - mean[c]) ** 2;
    }
    const std = Float32Array.from(q, (v) => Math.sqrt(v / n));
    for (let c = 0; c < C; c++) if (!(std[c] > 0)) std[c] = 1;
    return { mean: Float32Array.from(mean), std };
  };
  const u = of("u", ch.inputs), y = of("y", ch.outputs);
  return { uMean: u.mean, uStd: u.std, yMean: y.mean, yStd: y.std };
}

/** (a − mean) / std per channel, a new array. */
export function normalize(a: Float32Array, mean: Float32Array, std: Float32Array): Float32Array {
  const C = mean.length, out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] - mean[i % C]) / std[i % C];
  return out;
}

/** a · std + mean per channel, in place. */
export function denormalize(a: Float32Array, mean: Float32Array, std: Float32Array): Float32Array {
  const C = mean.length;
  for (let i = 0; i < a.length; i++) a[i] = a[i] * std[i % C] + mean[i % C];
  return a;
}

/** The rows [a, b) of a record (views). */
export function rows(r: IoRecord, ch: Channels, a: number, b: number): IoRecord {
  return { u: r.u.subarray(a * ch.inputs, b * ch.inputs), y: r.y.subarray(a * ch.outputs, b * ch.outputs) };
}
