// The two benchmarks' files (nonlinearbenchmark.org), their fixed splits, and a guard that counts
// every read of a test record.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The columns of a CSV file with a header row (quoted names), as Float64Arrays; empty cells NaN. */
export function readCsv(path) {
  const lines = readFileSync(path, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const names = lines[0].split(",").map((s) => s.replace(/"/g, "").trim());
  const cols = names.map(() => new Float64Array(lines.length - 1));
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(",");
    for (let j = 0; j < names.length; j++) cols[j][i - 1] = cells[j] === undefined || cells[j] === "" ? NaN : +cells[j];
  }
  return Object.fromEntries(names.filter(Boolean).map((n) => [n, cols[names.indexOf(n)]]));
}

const f32 = (a, from = 0, to = a.length) => Float32Array.from(a.subarray(from, to));

/** A test record behind a counter: read() hands out { u, y } and counts the read. */
export class TestRecord {
  constructor(name, u, y) {
    this.name = name;
    this.reads = 0;
    this.#rec = { u, y };
  }
  #rec;
  /** The input alone (free-run simulation reads only u after the window): not a read of y. */
  get length() {
    return this.#rec.u.length;
  }
  read() {
    this.reads++;
    return this.#rec;
  }
}

/** Cascaded Tanks: train on (uEst, yEst), test on (uVal, yVal); Ts = 4 s; window 5; RMSE in V. */
export function cascadedTanks(dir) {
  const path = join(dir, "cascaded-tanks.csv");
  if (!existsSync(path)) throw new Error(`${path} not found (the benchmark's files: nonlinearbenchmark.org)`);
  const c = readCsv(path);
  return { name: "cascaded-tanks", window: 5, unit: "V", scale: 1, Ts: 4, train: { u: f32(c.uEst), y: f32(c.yEst) },
    tests: [new TestRecord("test", f32(c.uVal), f32(c.yVal))] };
}

/** Silverbox (SNLS80mV): V1 input, V2 output. Train on the first 75% of the multisine part
 *  [40650, 127400); tests: its last 25% ("multisine"), the arrow [100, 40575) ("arrow full") and the
 *  arrow's first 32,000 samples ("arrow without extrapolation"). Window 50; RMSE in mV. */
export function silverbox(dir) {
  const path = join(dir, "silverbox-SNLS80mV.csv");
  if (!existsSync(path)) throw new Error(`${path} not found (the benchmark's files: nonlinearbenchmark.org)`);
  const c = readCsv(path), ms0 = 40650, ms1 = 127400, cut = ms0 + Math.floor(0.75 * (ms1 - ms0));
  const rec = (a, b) => [f32(c.V1, a, b), f32(c.V2, a, b)];
  return { name: "silverbox", window: 50, unit: "mV", scale: 1000, Ts: 1 / 610.35,
    train: { u: f32(c.V1, ms0, cut), y: f32(c.V2, ms0, cut) },
    tests: [new TestRecord("multisine", ...rec(cut, ms1)), new TestRecord("arrow full", ...rec(100, 40575)),
      new TestRecord("arrow without extrapolation", ...rec(100, 32100))] };
}

/** RMSE of the prediction p against y from step `window` on (p holds steps window… only). */
export function rmse(p, y, window) {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - y[window + i]) ** 2;
  return Math.sqrt(s / p.length);
}
