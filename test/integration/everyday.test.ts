// The three everyday examples (examples/everyday/), each on a short run in a temporary folder: the
// forecaster beats predicting the last value, the classifier is well above chance, and the
// generator prints a sample of the requested length made of the text's characters.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const run = (name: string, ...args: string[]) => {
  const script = new URL(`../../examples/everyday/${name}.mjs`, import.meta.url).pathname;
  const r = spawnSync(process.execPath, [script, ...args], { cwd: mkdtempSync(join(tmpdir(), "rw-everyday-")),
    encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

describe("examples/everyday", () => {
  it("sine.mjs: the GRU forecaster's test RMSE is well below the last value's", () => {
    const out = run("sine", "--epochs", "10", "--windows", "200");
    expect(out).toMatch(/^validation RMSE \d+\.\d{4} \(best epoch \d+ of \d+\)$/m);
    expect(out.match(/^ {2}predicted -?\d+\.\d{3} {2}truth -?\d+\.\d{3}$/gm)).toHaveLength(5);
    const m = /^sine: test RMSE (\d+\.\d{4}), last value (\d+\.\d{4})$/m.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(0.75 * Number(m![2]));
  }, 60_000);

  it("classify.mjs: prints the summary and the accuracies; the test accuracy is well above chance", () => {
    const out = run("classify", "--epochs", "10", "--sequences", "300");
    expect(out).toContain("Total params: 1,539");
    expect(out).toMatch(/^accuracy \d+\.\d%, validation accuracy \d+\.\d% after 10 epochs$/m);
    const m = /^classify: test accuracy (\d+\.\d)% over 300 sequences \(chance 33\.3%\)$/m.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(60);
  }, 60_000);

  it("chars.mjs: a line per epoch, then a sample of the requested length from the text's characters", () => {
    const out = run("chars", "--epochs", "3", "--length", "50", "--hidden", "32");
    expect(out.match(/^epoch \d\/3: loss \d/gm)).toHaveLength(3);
    const m = /^chars: 50 characters from a vocabulary of (\d+): (".*")$/m.exec(out);
    expect(m, out).not.toBeNull();
    const sample: string = JSON.parse(m![2]);
    expect(sample).toHaveLength(50);
    const source = readFileSync(new URL("../../examples/everyday/chars.mjs", import.meta.url), "utf8");
    const text = /const text = `([^`]*)`/.exec(source)![1];
    expect(new Set(text).size).toBe(Number(m![1]));
    for (const c of sample) expect(text).toContain(c);
  }, 60_000);
});
