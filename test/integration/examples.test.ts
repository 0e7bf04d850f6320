// The protein secondary-structure example, end to end on short runs: it parses the shipped data,
// trains, and prints a Q3 that agrees with its own confusion matrix over all 3,520 test residues;
// the cascade (with global features and cross-fitting) runs too; a bad option is refused clearly.
// The full runs and their Q3 are in docs/applications.md (minutes each), not here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const script = new URL("../../examples/protein-ss/train.mjs", import.meta.url).pathname;
// every run in a temporary folder of its own: nothing lands in the repository
const cwd = () => mkdtempSync(join(tmpdir(), "rw-example-"));
const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { cwd: cwd(), encoding: "utf8" });

/** Parses the example's output and checks Q3 = trace / total of the printed confusion matrix. */
function checkReport(stdout: string) {
  const q3 = /test proteins, 3520 residues: Q3 (\d+\.\d)%/.exec(stdout);
  expect(q3, stdout).not.toBeNull();
  const rows = ["coil", "strand", "helix"].map((c) => {
    const m = new RegExp(`^${c}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\d+\\.\\d%$`, "m").exec(stdout);
    expect(m, `${c} row in\n${stdout}`).not.toBeNull();
    return m!.slice(1, 4).map(Number);
  });
  const total = rows.flat().reduce((a, b) => a + b, 0);
  expect(total).toBe(3520);
  // true class counts of the test file: coil 1923, strand 748, helix 849 (54.6% coil)
  expect(rows.map((r) => r[0] + r[1] + r[2])).toEqual([1923, 748, 849]);
  const acc = (rows[0][0] + rows[1][1] + rows[2][2]) / total;
  expect(Number(q3![1])).toBeCloseTo(100 * acc, 1);
  return acc;
}

describe("examples/protein-ss", () => {
  it("a short single-stage run learns more than the majority class", () => {
    const r = run("--single", "--epochs", "4", "--seeds", "1");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/seed 0: 4 epochs, best validation epoch \d/);
    expect(checkReport(r.stdout)).toBeGreaterThan(0.546);
    // identical chains and globin families are kept together when proteins are held out
    expect(r.stdout).toContain("whole homology groups (111 training proteins in 76 groups, the largest with 9)");
  }, 60_000);
  it("a short cascade (epochs by out-of-fold Q3) runs end to end", () => {
    const r = run("--folds", "2", "--max-epochs", "5", "--epochs2", "2", "--seeds", "1");
    expect(r.status, r.stderr).toBe(0);
    // the out-of-fold Q3 after epoch 5 is printed and the picked epoch is one of 1..5
    expect(r.stdout).toMatch(
      /stage 1 alone \(2-fold x 1-seed ensemble, [1-5] epochs, epochs by the out-of-fold Q3 on train: 5: \d+\.\d% -> [1-5],/,
    );
    expect(r.stderr).toMatch(/stage 1, seed 0, fold 1: 5 epochs/);
    checkReport(r.stdout);
  }, 120_000);
  it("a short cascade with global features and a fixed number of epochs", () => {
    const r = run("--global", "--folds", "2", "--epochs", "2", "--epochs2", "2", "--seeds", "1", "--seed", "1");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("window ±3 + global features, dropout 0.1, 1 seed(s) (run seed 1), 2 epochs");
    expect(r.stdout).toMatch(/stage 1 alone \(2-fold x 1-seed ensemble, 2 epochs, no early stopping\)/);
    checkReport(r.stdout);
  }, 120_000);
  it.each([[["--cascade", "--folds", "11"], "--folds: expected an integer from 2 to 10, got 11"], [["--single",
    "--epochs", "cv"], "--epochs: expected a positive integer, got cv"], [["--single", "--cascade"],
    "--single and --cascade: expected one of them, got both"], [["--cascade", "--epochs", "0"],
    '--epochs: expected a positive integer or "cv", got 0'], [["--cascade", "--max-epochs", "0"],
    "--max-epochs: expected a positive integer, got 0"], [["--single", "--seed", "-1"],
    "--seed: expected an integer from 0 to 99, got -1"]])(
      "bad option %j is refused with the option, what was expected and the value",
      (args, message) => {
        const r = run(...args);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(message);
      },
    );
});

describe("examples/ode-spiral.mjs", () => {
  const spiral = new URL("../../examples/ode-spiral.mjs", import.meta.url).pathname;
  it("a short run learns (the test trajectory's error falls) and prints its one result line", () => {
    const r = spawnSync(process.execPath, [spiral, "--iterations", "300", "--every", "300", "--no-plot"], { cwd: cwd(),
      encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const first = /iteration 0: test mean \|error\| ([\d.]+)/.exec(r.stderr),
      line =
        /^spiral: test trajectory mean \|error\| ([\d.]+) over 1000 points \(t 0\.\.25; the truth's mean \|y\| is 0\.530\), after 300 iterations of 20 windows × 10 points, \d+ evaluations per forward solve, [\d.]+ s$/m
          .exec(r.stdout);
    expect(first, r.stderr).not.toBeNull();
    expect(line, r.stdout).not.toBeNull();
    expect(Number(line![1])).toBeLessThan(0.6 * Number(first![1]));
  }, 60_000);
  it("refuses a bad option with the option and the value", () => {
    const r = spawnSync(process.execPath, [spiral, "--iterations", "-3"], { cwd: cwd(), encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--iterations: expected a non-negative number, got -3");
  });
});

describe("examples/irregular/run.mjs", () => {
  const script = new URL("../../examples/irregular/run.mjs", import.meta.url).pathname;
  it("a short run prints one line per rate and the theophylline line, every number finite", () => {
    // into a temporary directory: the committed reports/irregular.json is the full run's
    const dir = mkdtempSync(join(tmpdir(), "rw-irregular-"));
    const r = spawnSync(process.execPath, [script, "--seeds", "1", "--epochs", "2", "--train", "32", "--test", "16",
      "--hidden", "8", "--theoph-epochs", "3", "--no-plot", "--out", dir], { cwd: cwd(), encoding: "utf8" });
    expect(existsSync(join(dir, "irregular.json"))).toBe(true);
    expect(r.status, r.stderr).toBe(0);
    for (const rate of [10, 20, 50]) {
      expect(r.stdout).toMatch(
        new RegExp(
          `^irregular ${rate}%: ODE-RNN interp MSE [\\d.]+ ± [\\d.]+, extrap MSE [\\d.]+ ± [\\d.]+; GRU-dt interp MSE [\\d.]+ ± [\\d.]+, extrap MSE [\\d.]+ ± [\\d.]+; GRU-ffill interp MSE [\\d.]+ ± [\\d.]+, extrap MSE [\\d.]+ ± [\\d.]+$`,
          "m",
        ),
      );
    }
    expect(r.stdout).toMatch(
      /^theoph: RMSE ODE-RNN [\d.]+, GRU-dt [\d.]+, one-compartment [\d.]+ \(with the other subjects' median ke: [\d.]+\) mg\/L over 12 subjects × 6 forecasts, leave-one-subject-out/m,
    );
  }, 120_000);
  it("refuses a bad option", () => {
    const r = spawnSync(process.execPath, [script, "--only", "bogus"], { cwd: cwd(), encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--only: expected toy or theoph, got bogus");
  });
  it("the one-compartment fit recovers the parameters of a curve it generated (7 samples over the whole curve)", async () => {
    const { fitCompartment, oneCompartment } = await import("../../examples/irregular/pk.mjs");
    const p = [1.7, 0.09, 32], D = 320, ts = [0.25, 0.5, 1, 2, 5, 9, 24], cs = ts.map((t) => oneCompartment(p, D, t));
    const q = fitCompartment(D, ts, cs);
    q.forEach((v: number, i: number) => expect(Math.abs(v - p[i]) / p[i]).toBeLessThan(1e-4));
    // with ke given, ka and V alone
    const q2 = fitCompartment(D, ts, cs, 0.09);
    expect(Math.abs(q2[0] - 1.7) / 1.7).toBeLessThan(1e-4);
    expect(Math.abs(q2[2] - 32) / 32).toBeLessThan(1e-4);
  });
});

describe("examples/code and examples/smiles (short runs; the full numbers are in docs/applications.md)", () => {
  it("the code model prints its line and writes every measurement; --load evaluates its F16 file", () => {
    // a small slice of the file, a tiny model, 5 seconds of training: the plumbing of every measurement, not the numbers
    const dir = mkdtempSync(join(tmpdir(), "rw-code-")), file = join(dir, "m.safetensors");
    const script = new URL("../../examples/code/run.mjs", import.meta.url).pathname;
    const common = ["--chars", "200000", "--held", "20000", "--valid", "12000", "--max-order", "8", "--samples", "4",
      "--threads", "1", "--cells-chars", "2000", "--max-length", "200", "--out", dir];
    const r = spawnSync(process.execPath, [script, ...common, "--minutes", "0.08", "--lr", "0.01", "--hidden", "16",
      "--embedding", "8", "--batch", "8", "--seq", "32", "--eval-every", "3600", "--temperatures", "0.5,1", "--dynamic",
      "--save", file], { cwd: cwd(), encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const line =
      /^code: held-out (\d+\.\d{3}) bits\/char \(best n-gram (\d+\.\d{3}) at order (\d+), KN-5 (\d+\.\d{3}), xz -9 (\d+\.\d{3}|NaN)\); (\d+\.\d)% of 4 samples parse$/m;
    const m = line.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const j = JSON.parse(readFileSync(join(dir, "code.json"), "utf8"));
    expect(j.heldOutBitsPerChar).toBeCloseTo(Number(m![1]), 3);
    expect(j.heldOutBitsPerChar).toBeLessThan(Math.log2(j.vocabulary)); // learned something
    // the n-gram order is the validation's best, and its held-out figure is that order's
    const best = j.ngram.orders.reduce((a: { validation: number },
      b: { validation: number }) => (b.validation < a.validation ? b : a)
    );
    expect(Number(m![3])).toBe(best.order);
    expect(Number(m![6])).toBe(j.parse.headline.parsedPercent); // to 0.1%, never rounded
    expect(j.ngram.bestHeldOut).toBeCloseTo(Number(m![2]), 3);
    expect(j.ngram.orders).toHaveLength(8);
    expect(j.ngram.kn5).toBe(j.ngram.orders[4].heldOut);
    expect(j.training.batches).toBeGreaterThan(0);
    expect(j.droppedExportChars).toBe(0); // the slice has no trailing export tables
    expect([1e-4, 3e-4, 1e-3]).toContain(j.dynamicEvaluation.lr);
    expect(j.dynamicEvaluation.heldOut).toBeLessThan(Math.log2(j.vocabulary) + 1);
    expect(j.training.curve.length).toBeGreaterThan(0);
    // closers: every bucket's counts add up to the held-out text's pairs; both predictors scored
    const counted = j.closers.rows.reduce((s: number, row: { count: number }) => s + row.count, 0);
    expect(counted).toBeGreaterThan(100);
    for (const row of j.closers.rows.filter((x: { count: number }) => x.count > 0)) {
      for (const k of ["model", "ngram"]) expect(row[k].top1).toBeGreaterThanOrEqual(0);
    }
    for (const f of ["depth", "quoted"]) expect(Math.abs(j.cells[f].heldOut)).toBeLessThanOrEqual(1);
    expect(j.parse.byTemperature.map((t: { temperature: number }) => t.temperature)).toEqual([0.5, 1]);
    expect(j.parse.headline.samples).toBe(4);
    // why the closed samples fail: one first syntax error each, with the unbalanced ones among them
    const f = j.parse.headline.failures;
    expect(f.count).toBe(j.parse.headline.closed - j.parse.headline.parsed);
    expect(f.firstErrors.reduce((s: number, e: { count: number }) => s + e.count, 0)).toBe(f.count);
    expect(f.unbalancedBrackets).toBeLessThanOrEqual(f.count);
    // the reference: the real functions after the same held-out primes, cut and parsed the same way
    expect(j.parse.realCode.parsed).toBeLessThanOrEqual(j.parse.realCode.closed);
    expect(j.parse.realCode.closed).toBeLessThanOrEqual(4);
    expect(j.parse.realCode.parsedPercent).toBe(25 * j.parse.realCode.parsed);
    for (const f of ["code-samples.txt", "code-closers.svg", "code-parse.svg", "code-curve.svg", "code-cells-depth.svg",
      "code-cells-quoted.svg"]) expect(existsSync(join(dir, f)), f).toBe(true);
    // --load: no training; the F16 file's held-out bits are the trained model's to F16 rounding
    const l = spawnSync(process.execPath, [script, ...common, "--load", file, "--no-plot"], { cwd: cwd(),
      encoding: "utf8" });
    expect(l.status, l.stderr).toBe(0);
    const lm = line.exec(l.stdout);
    expect(lm, l.stdout).not.toBeNull();
    expect(Math.abs(Number(lm![1]) - Number(m![1]))).toBeLessThan(0.01);
    expect(lm![2]).toBe(m![2]);
    const lj = JSON.parse(readFileSync(join(dir, "code.json"), "utf8"));
    expect(lj.training).toBeNull();
    expect(lj.parse.headline.temperature).toBe(j.parse.headline.temperature); // stored in the file
    // a bad option is refused, naming it
    const bad = spawnSync(process.execPath, [script, "--cell", "tcn"], { cwd: cwd(), encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--cell: expected gru, lstm or rnn, got tcn");
  }, 120_000);

  it("the code settings search trains each setting and tables its validation bits/char", () => {
    const dir = mkdtempSync(join(tmpdir(), "rw-code-search-"));
    const r = spawnSync(process.execPath, [new URL("../../examples/code/search.mjs", import.meta.url).pathname,
      "--chars", "200000", "--held", "20000", "--valid", "12000", "--train-chars", "5120", "--configs",
      "gru:16:1:32,lstm:8:2:16", "--embedding", "8", "--batch", "8", "--threads", "1", "--out", dir], { cwd: cwd(),
      encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(join(dir, "code-search.json"), "utf8"));
    expect(
      j.rows.map((x: { cell: string; hidden: number; layers: number; seq: number }) =>
        `${x.cell}:${x.hidden}:${x.layers}:${x.seq}`
      ),
    ).toEqual(["gru:16:1:32", "lstm:8:2:16"]);
    // equal work: every setting trained the same characters (5120 = 20 batches of 8 × 32, 40 of 8 × 16)
    expect(j.rows.map((x: { chars: number }) => x.chars)).toEqual([5120, 5120]);
    expect(j.trainChars).toBe(5120);
    for (const x of j.rows) expect(x.seconds).toBeGreaterThan(0);
    const best = Math.min(...j.rows.map((x: { validation: number }) => x.validation));
    expect(j.best.validation).toBe(best);
    expect(r.stdout).toContain(`validation ${best.toFixed(3)} bits/char (2 settings`);
    expect(
      readFileSync(join(dir, "code-search.md"), "utf8").split("\n").filter((l) =>
        l.startsWith("| gru") || l.startsWith("| lstm")
      ),
    ).toHaveLength(2);
    const bad = spawnSync(process.execPath, [new URL("../../examples/code/search.mjs", import.meta.url).pathname,
      "--configs", "gru:0:1:32"], { cwd: cwd(), encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--configs: expected cell:hidden:layers:seq");
  }, 120_000);

  it("the SMILES generator prints validity and novelty; its grammar check accepts every shipped molecule it should",
    async () => {
      const { validSmiles } = await import("../../examples/smiles-grammar.mjs");
      for (const s of ["CCO", "c1ccccc1", "OCC3OC(OCC2OC(OC(C#N)c1ccccc1)C(O)C(O)C2O)C(O)C(O)C3O", "C[N+](C)(C)C",
        "C%12CC%12", "C1CC1C1CC1"]) expect(validSmiles(s), s).toBe(true);
      for (const s of ["", "C(C", "CC)", "c1cccc", "C[NH", "C]", "C%1CC"]) expect(validSmiles(s), s).toBe(false);
      const dir = mkdtempSync(join(tmpdir(), "rw-smiles-"));
      const r = spawnSync(process.execPath, [new URL("../../examples/smiles.mjs", import.meta.url).pathname, "--epochs",
        "2", "--hidden", "32", "--samples", "20", "--out", dir], { cwd: cwd(), encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /^smiles: \d+\.\d% of 20 samples valid, \d+\.\d% of the valid ones novel, \d+ distinct$/m,
      );
      expect(r.stderr).toMatch(/1128 molecules \((\d+) pass the check themselves\)/);
    }, 120_000);
});
