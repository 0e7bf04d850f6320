// The protein secondary-structure example, end to end on short runs: it parses the shipped data,
// trains, and prints a Q3 that agrees with its own confusion matrix over all 3,520 test residues;
// the cascade (with global features and cross-fitting) runs too; a bad option is refused clearly.
// The full runs and their Q3 are in the README (minutes each), not here.
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

describe("examples/code and examples/smiles (short runs; the full numbers are in the README)", () => {
  it("the code model prints its line: held-out bits/char, the n-gram and xz references, parsed samples", () => {
    const dir = mkdtempSync(join(tmpdir(), "rw-code-"));
    const r = spawnSync(process.execPath, [new URL("../../examples/code/run.mjs", import.meta.url).pathname, "--chars",
      "40000", "--hidden", "32", "--samples", "3", "--threads", "1", "--out", dir], { cwd: cwd(), encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const m =
      /^code: held-out (\d+\.\d{3}) bits\/char \(n-gram (\d+\.\d{3}), xz -9 (\d+\.\d{3}|NaN)\); (\d+)% of 3 samples parse$/m
        .exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(m![2]).toBe("2.006"); // the order-5 Kneser–Ney n-gram on the first 3 MB, deterministic
    const j = JSON.parse(readFileSync(join(dir, "code.json"), "utf8"));
    expect(j.heldOutBitsPerChar).toBeCloseTo(Number(m![1]), 3);
    expect(j.heldOutBitsPerChar).toBeLessThan(Math.log2(j.vocabulary) + 0.5); // learned something
    expect(existsSync(join(dir, "code-samples.txt"))).toBe(true);
  }, 120_000);

  it("the n-gram's probabilities sum to 1 over the vocabulary in every context", async () => {
    const { kneserNey } = await import("../../examples/code/ngram.mjs");
    const text = "function f(a, b) { return a + b; }\nfunction g(x) { return f(x, x); }\n".repeat(3);
    const tokens = Int32Array.from(text, (c) => c.charCodeAt(0));
    const vocab = new Set(tokens), kn = kneserNey(tokens, 5, 128);
    for (const h of [[], [102], [117, 110], [40, 120, 44, 32], [1, 2, 3, 4]]) {
      let s = 0;
      for (let w = 0; w < 128; w++) s += kn.prob(h, w);
      expect(Math.abs(s - 1)).toBeLessThan(1e-12);
    }
    expect(vocab.size).toBeGreaterThan(10);
  });

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
