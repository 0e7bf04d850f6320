// examples/reactor/run.mjs end to end on a short run (the full run's numbers are in
// docs/physical-systems.md): it reads the shipped CSV, trains both emulators, prints one line per
// model in the documented format and writes its report (into a temporary folder).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const script = new URL("../../examples/reactor/run.mjs", import.meta.url).pathname;

describe("examples/reactor/run.mjs", () => {
  it("a short run prints both emulators' errors, events and speed, and writes reactor.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "rw-reactor-"));
    const r = spawnSync(process.execPath, [script, "--epochs", "10", "--gru-epochs", "10", "--out", dir], {
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const num = "[\\d.e+-]+";
    for (const name of ["neural state-space ODE", "GRU"]) {
      expect(r.stdout).toMatch(
        new RegExp(
          `^reactor ${name}: free-run RMSE T_K ${num} K, X_CO2 ${num}, X_CO ${num}, X_H2O ${num} \\(normalized ${num}/${num}/${num}/${num}\\); first 100 samples .*; events (\\d/\\d vs \\d/\\d(, )?){3}; ${num} µs CPU per step \\(batch 1\\), ${num} µs \\(batch 3\\): ${num}× / ${num}× faster than Cantera's 0\\.257 ms$`,
          "m",
        ),
      );
    }
    const rep = JSON.parse(readFileSync(join(dir, "reactor.json"), "utf8"));
    const info = JSON.parse(readFileSync(new URL("../../data/reactor-cstr.json", import.meta.url), "utf8"));
    expect(rep.testSchedules).toEqual([8, 9, 10]);
    expect(rep.trainSchedules).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const m of [rep.neuralStateSpace, rep.gru]) {
      for (const v of Object.values(m.testRmse)) expect(Number.isFinite(v)).toBe(true);
      expect(m.events.map((e: { cantera: unknown }) => e.cantera)).toEqual(
        [8, 9, 10].map((s) => ({ ignitions: info.schedules[s].ignitions, extinctions: info.schedules[s].extinctions })),
      );
    }
  }, 120_000);
});
