// The shipped reactor data (data/reactor-cstr.csv, made by scripts/make-reactor-data.py with
// Cantera; Cantera does not run here): its shape and columns, that the JSON beside it names the
// script as it is now (SHA-256) and the script's seed, and that every schedule holds the events
// the script promises: the reactor ignites and blows out at least twice, in the training and the
// held-out schedules alike.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const script = readFileSync(new URL("scripts/make-reactor-data.py", root), "utf8");
const info = JSON.parse(readFileSync(new URL("data/reactor-cstr.json", root), "utf8"));
const csvPath = new URL("data/reactor-cstr.csv", root);
const lines = readFileSync(csvPath, "utf8").trimEnd().split("\n");
const HEADER = "split,schedule,step,phi,tau_ms,T_in_K,T_K,X_CO2,X_CO,X_H2O";

describe("data/reactor-cstr.csv", () => {
  it("was made by the committed script: its SHA-256, seed, sample time and mechanism", () => {
    expect(info.scriptSha256).toBe(createHash("sha256").update(script).digest("hex"));
    expect(info.seed).toBe(Number(/^SEED = (\d+)$/m.exec(script)![1]));
    expect(info.sampleTime).toBe(Number(/^TS = ([\d.e-]+)/m.exec(script)![1]));
    expect(info.mechanism).toBe("gri30.yaml");
    expect(info.canteraCpuSecondsPerSample).toBeGreaterThan(0);
    expect(info.canteraSecondsPerSample).toBeGreaterThan(0);
  });

  it("has the header, 8 training, 3 held-out and 13 more training schedules of 1000 samples, finite values, under 2 MB",
    () => {
      expect(statSync(csvPath).size).toBeLessThan(2_000_000);
      expect(lines[0]).toBe(HEADER);
      expect(lines.length - 1).toBe(24 * 1000);
      const splits = new Map<number, string>();
      lines.slice(1).forEach((line, i) => {
        const c = line.split(",");
        expect(c.length, `row ${i + 1}`).toBe(10);
        const [split, schedule, step] = [c[0], Number(c[1]), Number(c[2])];
        expect(["train", "test"]).toContain(split);
        expect(schedule).toBe(Math.floor(i / 1000));
        expect(step).toBe(i % 1000);
        if (!splits.has(schedule)) splits.set(schedule, split);
        expect(split, `row ${i + 1}`).toBe(splits.get(schedule));
        for (const v of c.slice(3)) expect(Number.isFinite(Number(v)), `row ${i + 1}: ${v}`).toBe(true);
        const [phi, tau, Tin, T] = c.slice(3, 7).map(Number);
        expect(phi >= 0.6 && phi <= 1.3 && tau > 0.01 && tau < 40 && Tin >= 500 && Tin <= 1500 && T > 400 && T < 3000,
          `row ${i + 1} in range`).toBe(true);
      });
      expect([...splits.values()]).toEqual([...Array(8).fill("train"), ...Array(3).fill("test"),
        ...Array(13).fill("train")]);
      expect(info.schedules.map((s: { split: string }) => s.split)).toEqual([...splits.values()]);
    });

  it("every schedule ignites and blows out at least twice (the S-curve's hysteresis), as the JSON records", () => {
    for (let s = 0; s < 24; s++) {
      let burning = false, ign = 0, ext = 0;
      for (const line of lines.slice(1 + s * 1000, 1 + (s + 1) * 1000)) {
        const c = line.split(",").map(Number), Tin = c[5], T = c[6];
        if (!burning && T > 1800) [burning, ign] = [true, ign + 1];
        else if (burning && T < Tin + 300) [burning, ext] = [false, ext + 1];
      }
      expect(ign, `schedule ${s} ignitions`).toBeGreaterThanOrEqual(2);
      expect(ext, `schedule ${s} extinctions`).toBeGreaterThanOrEqual(2);
      expect([ign, ext]).toEqual([info.schedules[s].ignitions, info.schedules[s].extinctions]);
    }
  });
});

describe("data/reactor-playground.csv (the playground's reactor task)", () => {
  it("is what scripts/make-reactor-playground.mjs makes from data/reactor-cstr.csv: every 4th sample, 6 columns", async () => {
    const { reactorPlayground } = await import("../../scripts/make-reactor-playground.mjs");
    const shipped = readFileSync(new URL("data/reactor-playground.csv", root), "utf8");
    expect(shipped).toBe(reactorPlayground(readFileSync(csvPath, "utf8")));
    const rows = shipped.trimEnd().split("\n");
    expect(rows[0]).toBe("split,schedule,phi,tau_ms,T_in_K,T_K");
    expect(rows.length - 1).toBe(11 * 250);
    // row j of schedule s is source row s·1000 + 4j + 3, its columns copied as written
    for (const j of [0, 1, 137, 249]) {
      for (const s of [0, 8, 10]) {
        const src = lines[1 + s * 1000 + 4 * j + 3].split(",");
        expect(rows[1 + s * 250 + j]).toBe([src[0], src[1], src[3], src[4], src[5], src[6]].join(","));
      }
    }
  });
});
