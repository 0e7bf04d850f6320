// The reactor in examples/sysid (examples/sysid/reactor.mjs), in its quick version (seconds; its
// numbers mean nothing): `--only reactor` runs without --data from the shipped data/reactor-cstr.csv,
// prints the one reactor line (the model best on validation, with that model's numbers), adds
// benchmarks.reactor to an existing sysid.json (keeping the other benchmarks) with every model's
// errors (normalized = physical / the training standard deviation), events against the data's and
// speed against Cantera's CPU time, and writes the plot.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const script = new URL("../../examples/sysid/run.mjs", import.meta.url).pathname;
const reactorInfo = new URL("../../data/reactor-cstr.json", import.meta.url);

describe("examples/sysid: the reactor", () => {
  it("--only reactor needs no --data: the reactor's one line, benchmarks.reactor in sysid.json, the plot", () => {
    const dir = mkdtempSync(join(tmpdir(), "rw-sysid-"));
    // a report already there (another benchmark's run) keeps its entries
    writeFileSync(join(dir, "sysid.json"), JSON.stringify({ benchmarks: { "cascaded-tanks": { kept: true } } }));
    const r = spawnSync(process.execPath, [script, "--only", "reactor", "--quick", "--out", dir], { cwd: dir,
      encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("reactor"));
    expect(lines.length, r.stdout).toBe(1);
    const m =
      /^reactor: free-run RMSE T (\d+\.\d) K, CO2 (\d\.\d{4}) mole fraction \(normalized (\d+\.\d{3}); (GRU|LSTM|NeuralStateSpace), best on validation of GRU\/LSTM\/NeuralStateSpace\); (\d+)× faster than Cantera$/
        .exec(lines[0]);
    expect(m, lines[0]).not.toBeNull();
    const json = JSON.parse(readFileSync(join(dir, "sysid.json"), "utf8"));
    expect(json.benchmarks["cascaded-tanks"]).toEqual({ kept: true });
    const rep = json.benchmarks.reactor, info = JSON.parse(readFileSync(reactorInfo, "utf8"));
    expect(rep.quick).toBe(true);
    expect(rep.testReads).toBe(3);
    expect(rep.testSchedules).toEqual(
      info.schedules.flatMap((s: { split: string; schedule: number }) => s.split === "test" ? [s.schedule] : []),
    );
    for (const id of rep.validationSchedules) expect(rep.trainSchedules).not.toContain(id);
    const names = { gru: "GRU", lstm: "LSTM", ode: "NeuralStateSpace" } as Record<string, string>;
    for (const key of ["gru", "lstm", "ode"]) {
      const e = rep[key];
      expect(e.model).toBe(names[key]);
      for (const part of [e.test, e.first100, e.last100]) {
        expect(Object.keys(part.rmse)).toEqual(["T_K", "X_CO2", "X_CO", "X_H2O"]);
        for (const [o, v] of Object.entries(part.rmse)) {
          expect(Number.isFinite(v)).toBe(true);
          // normalized: the physical error over the training standard deviation
          expect(part.normalized[o]).toBeCloseTo((v as number) / rep.trainStd[o], 6);
        }
      }
      expect(e.events.map((v: { schedule: number; cantera: unknown }) => v.cantera)).toEqual(
        rep.testSchedules.map((s: number) => ({ ignitions: info.schedules[s].ignitions,
          extinctions: info.schedules[s].extinctions })
        ),
      );
      expect(e.speedupVsCantera).toBeCloseTo(info.canteraCpuSecondsPerSample / e.cpuSecondsPerStep, 6);
    }
    // the line reports the model best on validation, with its own numbers
    const best = rep[rep.best];
    for (const key of ["gru", "lstm", "ode"]) {
      expect(best.validation.meanNormalized).toBeLessThanOrEqual(rep[key].validation.meanNormalized);
    }
    expect(m![4]).toBe(best.model);
    expect(Number(m![1])).toBeCloseTo(best.test.rmse.T_K, 1);
    expect(Number(m![2])).toBeCloseTo(best.test.rmse.X_CO2, 4);
    expect(Number(m![3])).toBeCloseTo(best.test.meanNormalized, 3);
    expect(readFileSync(join(dir, "sysid-reactor.svg"), "utf8")).toMatch(/^<svg[^]*held-out schedule[^]*<\/svg>\n$/);
  }, 120_000);
});
