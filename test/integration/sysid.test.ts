// examples/sysid end to end on a two-tank system the test simulates itself (test/helpers/two-tanks.ts),
// written in the Cascaded Tanks file's layout, so no outside file is needed: the example prints its
// line and the read counts, and writes reports/sysid.json and the plot. Its ARX baseline recovers an
// ARX system exactly. When ../shared/data/sysid (the benchmarks' files) exists, a short run on them too.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { twoTanks } from "../helpers/two-tanks.js";
// @ts-expect-error: a plain .mjs module of the example
import { chooseArx, fitArx, simulateArx } from "../../examples/sysid/arx.mjs";
// @ts-expect-error: a plain .mjs module of the example
import { linearSimulation, residualRecord, residualSegments } from "../../examples/sysid/linear.mjs";

const script = new URL("../../examples/sysid/run.mjs", import.meta.url).pathname;
const shared = new URL("../../../shared/data/sysid/", import.meta.url).pathname;

describe("examples/sysid", () => {
  it("ARX by least squares recovers a noise-free ARX system's coefficients and simulates it exactly", () => {
    const N = 400, u = new Float64Array(N), y = new Float64Array(N);
    for (let t = 0; t < N; t++) u[t] = Math.sin(0.1 * t) + Math.sin(0.37 * t) + (t % 7) / 7;
    for (let t = 2; t < N; t++) y[t] = 0.3 + 1.2 * y[t - 1] - 0.5 * y[t - 2] + 0.7 * u[t - 1] + 0.2 * u[t - 2];
    const m = fitArx({ u, y }, { na: 2, nb: 2, nk: 1 });
    [0.3, 1.2, -0.5, 0.7, 0.2].forEach((v, i) => expect(m.theta[i]).toBeCloseTo(v, 6));
    const p = simulateArx(m, u, y, 5);
    for (let t = 5; t < N; t++) expect(p[t - 5]).toBeCloseTo(y[t], 6);
    const c = chooseArx({ u, y }, { u: u.subarray(0, 300), y: y.subarray(0, 300) }, { u: u.subarray(300),
      y: y.subarray(300) }, 5, 3);
    expect(c.validationRmse).toBeLessThan(1e-6);
  });

  it(
    "the linear path: an exact ARX system leaves a zero residual; each segment's linear simulation starts from its own window",
    () => {
      const N = 300, u = new Float32Array(N), y = new Float32Array(N);
      for (let t = 0; t < N; t++) u[t] = Math.sin(0.1 * t) + Math.sin(0.37 * t);
      for (let t = 2; t < N; t++) y[t] = 0.1 + 1.2 * y[t - 1] - 0.5 * y[t - 2] + 0.7 * u[t - 1];
      const m = fitArx({ u: Float64Array.from(u), y: Float64Array.from(y) }, { na: 2, nb: 1, nk: 1 });
      const r = residualRecord(m, { u, y }, 5);
      expect(r.u.length).toBe(2 * N);
      for (let t = 0; t < N; t++) {
        expect(r.u[2 * t]).toBe(u[t]);
        expect(r.y[t]).toBeCloseTo(0, 4);
      }
      // a wrong model: the residual is exactly zero on each segment's window (the measured y), not after
      const bad = { ...m, theta: m.theta.map((v: number, i: number) => (i === 3 ? v * 0.5 : v)) };
      const segs = residualSegments(bad, { u, y }, 5, 40, 30);
      expect(segs.length).toBe(Math.floor((N - 45) / 30) + 2);
      for (const [k, s] of segs.entries()) {
        const start = k < segs.length - 1 ? 30 * k : N - 45;
        expect(Array.from(s.y.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
        expect(s.u[2 * 5 + 1]).not.toBeCloseTo(y[start + 5], 3);
        expect(Array.from(linearSimulation(bad, u.subarray(start, start + 45), y.subarray(start, start + 45), 5)))
          .toEqual(Array.from(s.u.filter((_: number, i: number) => i % 2 === 1)));
      }
    },
  );

  it("runs on a simulated two-tank system in the Cascaded Tanks layout: its line, the read counts, the report and plot",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "rw-sysid-")), a = twoTanks(1024, 1), b = twoTanks(1024, 2);
      const lines = ['"uEst","uVal","yEst","yVal","Ts",'];
      for (let t = 0; t < 1024; t++) lines.push(`${a.u[t]},${b.u[t]},${a.y[t]},${b.y[t]},${t === 0 ? 4 : ""},`);
      writeFileSync(join(dir, "cascaded-tanks.csv"), lines.join("\n") + "\n");
      const r = spawnSync(process.execPath, [script, "--data", dir, "--only", "cascaded-tanks", "--quick", "--seeds",
        "2", "--out", dir], { cwd: dir, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /^cascaded-tanks: test RMSE \d+\.\d{3} V \(window 5; seeds \d+\.\d{3}\/\d+\.\d{3}; ARX \d+\.\d{3}; published GRU 0\.396, LSTM 0\.490, best 0\.343\)$/m,
      );
      // the test record is read once by ARX, once by the linear OE model and once per seed
      expect(r.stdout).toMatch(/cascaded-tanks: test records read test 4 times/);
      expect(r.stdout).toMatch(
        /^cascaded-tanks baselines: ARX \d+\.\d{3} V \(na \d, nb \d, nk \d\), linear OE \d+\.\d{3} V \(order 8\)$/m,
      );
      expect(r.stdout).toMatch(
        /^cascaded-tanks ensemble \(mean of the 2 seeds' simulations\): test test \d+\.\d{3} V$/m,
      );
      const rep = JSON.parse(readFileSync(join(dir, "sysid.json"), "utf8")).benchmarks["cascaded-tanks"];
      expect(Number.isFinite(rep.ensemble.test)).toBe(true);
      expect(rep.reads).toEqual({ test: 4 });
      expect(rep.seeds.length).toBe(2);
      expect(Number.isFinite(rep.test.test) && Number.isFinite(rep.arx.test.test)).toBe(true);
      expect(readFileSync(join(dir, "sysid-cascaded-tanks.svg"), "utf8")).toMatch(/^<svg/);
    }, 120_000);

  it("--linear: the linear path beside the GRU runs end to end on the simulated two-tank system", () => {
    const dir = mkdtempSync(join(tmpdir(), "rw-sysid-")), a = twoTanks(1024, 1), b = twoTanks(1024, 2);
    const lines = ['"uEst","uVal","yEst","yVal","Ts",'];
    for (let t = 0; t < 1024; t++) lines.push(`${a.u[t]},${b.u[t]},${a.y[t]},${b.y[t]},${t === 0 ? 4 : ""},`);
    writeFileSync(join(dir, "cascaded-tanks.csv"), lines.join("\n") + "\n");
    const r = spawnSync(process.execPath, [script, "--data", dir, "--only", "cascaded-tanks", "--quick", "--seeds", "1",
      "--linear", "--out", dir, "--no-plot"], { cwd: dir, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^cascaded-tanks seed 1: test test \d+\.\d{3} V /m);
    const rep = JSON.parse(readFileSync(join(dir, "sysid.json"), "utf8")).benchmarks["cascaded-tanks"];
    expect(rep.settings.linear).toBe(true);
    expect(rep.reads).toEqual({ test: 3 });
    // the linear path starts from the ARX model: a few epochs of the residual keep it near ARX's error
    expect(rep.seeds[0].test.test).toBeLessThan(3 * rep.arx.test.test + 0.05);
  }, 120_000);

  it("refuses a missing --data and an unknown --only", () => {
    expect(spawnSync(process.execPath, [script], { encoding: "utf8" }).stderr).toMatch(/--data DIR/);
    const r = spawnSync(process.execPath, [script, "--data", "/nonexistent", "--only", "tanks"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--only: expected cascaded-tanks, silverbox or reactor, got tanks/);
  });

  it("on the benchmarks' own files (../shared/data/sysid) a short run prints both lines; without them, one clear line",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "rw-sysid-"));
      const present = existsSync(join(shared, "silverbox-SNLS80mV.csv"));
      const r = spawnSync(process.execPath, [script, "--data", present ? shared : dir, "--quick", "--seeds", "1",
        "--out", dir, "--no-plot"], { cwd: dir, encoding: "utf8" });
      if (!present) {
        // a clone without the outside data (they are read, never committed): the example names the file
        expect(r.status).toBe(2);
        expect(r.stderr).toBe(
          `--data ${dir}: ${
            join(dir, "cascaded-tanks.csv")
          } not found (the benchmark's files: nonlinearbenchmark.org)\n`,
        );
        return;
      }
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^cascaded-tanks: test RMSE /m);
      expect(r.stdout).toMatch(
        /^silverbox: test RMSE multisine \d+\.\d{3} mV, arrow \d+\.\d{3} mV, arrow without extrapolation \d+\.\d{3} mV \(published GRU 0\.31-0\.33 \/ 1\.31-1\.65 \/ 0\.29-0\.34\)$/m,
      );
      expect(r.stdout).toMatch(
        /silverbox: test records read multisine 3 times, arrow full 3 times, arrow without extrapolation 3 times/,
      );
    }, 120_000);
});
