// The command line, end to end on a short run: trains on the shipped ESOL data, prints the result
// line, saves a model that `predict` reads back; bad arguments give a clear message and exit 2;
// the model file: never anything but a regular file replaced, Ctrl-C until it is written saves
// the best weights, a crash mid-save leaves the old file whole, no file of another's deleted.
// Every run has a temporary folder of its own as its working directory.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync,
  writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const cliPath = new URL("../../dist/cli.js", import.meta.url).pathname;
const hook = new URL("../helpers/cli-hook.mjs", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "recurrent-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** A folder of its own for one run. */
const fresh = () => mkdtempSync(join(dir, "run-"));
/** `recurrent-wasm ARGS` in folder `cwd` (a fresh one by default), optionally with a CLI_HOOK. */
function cli(args: string[], { cwd = fresh(), hookName = "", env = {} as Record<string, string> } = {}) {
  const pre = hookName ? ["--import", hook] : [];
  return spawnSync(process.execPath, [...pre, cliPath, ...args], { cwd, encoding: "utf8", timeout: 120_000,
    env: { ...process.env, CLI_HOOK: hookName, ...env } });
}
const short = ["--epochs", "1", "--hidden", "8", "--seed", "0"];

describe("recurrent-wasm CLI", () => {
  it("train (short run) then predict", () => {
    const model = join(dir, "m.safetensors");
    const r = cli(["train", "--epochs", "3", "--hidden", "16", "--seed", "0", "--out", model]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^test RMSE \d+\.\d{3} \(mean predictor 2\.181, ESOL equation 0\.928\)\n$/);
    expect(r.stderr).toMatch(/epoch 3\/3 train rmse/);
    const p = execFileSync(process.execPath, [cliPath, "predict", "--model", model, "CCO", "c1ccccc1"], { cwd: fresh(),
      encoding: "utf8" });
    const lines = p.trim().split("\n");
    expect(lines[0]).toBe("sequence,predicted measured log solubility in mols per litre");
    expect(lines[1]).toMatch(/^CCO,-?\d+\.\d{4}$/);
    expect(lines.length).toBe(3);
  });
  it("bad arguments exit 2 with a message, also where a model.safetensors already exists", () => {
    const here = fresh();
    writeFileSync(join(here, "model.safetensors"), "an earlier model");
    const r = cli(["train", "--hidden", "0"], { cwd: here });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--hidden must be a positive integer, got "0"');
    const r1 = cli(["train", "--seed", "-1"], { cwd: here });
    expect(r1.status).toBe(2);
    expect(r1.stderr).toContain('--seed must be a non-negative integer in 0..4294967295, got "-1"');
    const r2 = cli(["train", "--y", "nope"], { cwd: here });
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('has no column "nope"');
    const r3 = cli(["train", "--threads", "0"], { cwd: here });
    expect(r3.status).toBe(2);
    expect(r3.stderr).toContain('--threads must be a positive integer in 1..64, got "0"');
  });
  it("train --threads 2 runs on two threads", () => {
    const r = cli(["train", "--epochs", "2", "--hidden", "16", "--threads", "2", "--out", join(dir, "t.safetensors")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 epochs, 2 threads/);
    expect(r.stdout).toMatch(/^test RMSE \d+\.\d{3} /);
  });
});

describe("recurrent-wasm train: the model file", () => {
  it("--out must be absent or a regular file: a FIFO, a symbolic link or a folder is refused before training, --force included", () => {
    const here = fresh();
    execFileSync("mkfifo", [join(here, "pipe")]);
    writeFileSync(join(here, "target"), "left alone");
    symlinkSync(join(here, "target"), join(here, "link"));
    for (const [name, kind] of [["pipe", "a FIFO \\(named pipe\\)"], ["link", "a symbolic link"], [".", "a folder"]]) {
      const r = cli(["train", ...short, "--out", name, "--force"], { cwd: here });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^recurrent-wasm: --out ${
            name.replace(".", "\\.")
          } is ${kind}, not a regular file; .*--force replaces regular files only\\)\\n$`,
        ),
      );
    }
    expect(lstatSync(join(here, "pipe")).isFIFO()).toBe(true);
    expect(lstatSync(join(here, "link")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(here, "target"), "utf8")).toBe("left alone");
    expect(readdirSync(here).sort()).toEqual(["link", "pipe", "target"]);
  });

  for (const moment of ["predict", "save"]) {
    it(`Ctrl-C after the last epoch (in the test split's ${moment}) still saves the best weights, exit 130`, () => {
      const here = fresh();
      const r = cli(["train", ...short, "--out", "m.safetensors"], { cwd: here, hookName: `sigint-in-${moment}` });
      expect(r.signal, r.stderr).toBeNull();
      expect(r.status, r.stderr).toBe(130);
      expect(r.stderr).toMatch(
        moment === "predict"
          ? /recurrent-wasm: interrupted after the last epoch; saved the weights of epoch 1 \(best validation loss\) to m\.safetensors; no test result\n$/
          : /recurrent-wasm: interrupted while saving; the model \(best validation epoch 1\) was saved to m\.safetensors\n$/,
      );
      expect(r.stdout).toBe("");
      const p = execFileSync(process.execPath, [cliPath, "predict", "--model", join(here, "m.safetensors"), "CCO"], {
        encoding: "utf8",
      });
      expect(p).toMatch(/^sequence,predicted .*\nCCO,-?\d+\.\d{4}\n$/);
    });
  }

  it("a crash (kill -9) in the middle of saving leaves the old file whole", () => {
    const here = fresh();
    writeFileSync(join(here, "m.safetensors"), "the old model");
    const r = cli(["train", ...short, "--out", "m.safetensors", "--force"], { cwd: here, hookName: "kill-in-write" });
    expect(r.signal, r.stderr).toBe("SIGKILL");
    expect(readFileSync(join(here, "m.safetensors"), "utf8")).toBe("the old model");
    // what the crash left: the old file and a partial temporary file of that process's
    expect(readdirSync(here).filter((f) => f !== "m.safetensors")).toEqual([
      expect.stringMatching(/^m\.safetensors\.\d+\.tmp$/),
    ]);
  });

  it("a temporary file of the same name that this process did not create is left alone", () => {
    const here = fresh();
    const r = cli(["train", ...short, "--out", "m.safetensors"], { cwd: here, hookName: "foreign-tmp",
      env: { CLI_HOOK_OUT: join(here, "m.safetensors") } });
    expect(r.status, r.stderr).toBe(0);
    const others = readdirSync(here).filter((f) => f.endsWith(".tmp"));
    expect(others).toHaveLength(1);
    expect(readFileSync(join(here, others[0]), "utf8")).toBe("not this process's\n");
    expect(existsSync(join(here, "m.safetensors"))).toBe(true);
  });
});

describe("examples/quickstart.mjs", () => {
  it("examples/quickstart.mjs runs and learns", () => {
    const out = execFileSync(process.execPath, [new URL("../../examples/quickstart.mjs", import.meta.url).pathname], {
      cwd: fresh(),
      encoding: "utf8",
    });
    const [first, second] = out.trim().split("\n");
    expect(first).toBe("160 64 40 16");
    const [, a, b] = second.match(/rmse (\d+\.\d+) -> (\d+\.\d+)/)!.map(Number);
    expect(b).toBeLessThan(a / 4);
  });
});
