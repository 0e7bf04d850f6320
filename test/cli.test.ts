// The command line, end to end on a short run: trains on the shipped ESOL data, prints the result
// line, saves a model that `predict` reads back; bad arguments give a clear message and exit 2.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const cli = new URL("../dist/cli.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "recurrent-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("recurrent-wasm CLI", () => {
  it("train (short run) then predict", () => {
    const model = join(dir, "m.safetensors");
    const r = spawnSync(process.execPath, [cli, "train", "--epochs", "3", "--hidden", "16", "--seed", "0", "--out", model], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^test RMSE \d+\.\d{3} \(mean predictor 2\.181, ESOL equation 0\.928\)\n$/);
    expect(r.stderr).toMatch(/epoch 3\/3 train rmse/);
    const p = execFileSync(process.execPath, [cli, "predict", "--model", model, "CCO", "c1ccccc1"], { encoding: "utf8" });
    const lines = p.trim().split("\n");
    expect(lines[0]).toBe("sequence,predicted measured log solubility in mols per litre");
    expect(lines[1]).toMatch(/^CCO,-?\d+\.\d{4}$/);
    expect(lines.length).toBe(3);
  });
  it("bad arguments exit 2 with a message", () => {
    const r = spawnSync(process.execPath, [cli, "train", "--hidden", "0"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--hidden must be a positive integer, got "0"');
    const r1 = spawnSync(process.execPath, [cli, "train", "--seed", "-1"], { encoding: "utf8" });
    expect(r1.status).toBe(2);
    expect(r1.stderr).toContain('--seed must be a non-negative integer in 0..4294967295, got "-1"');
    const r2 = spawnSync(process.execPath, [cli, "train", "--y", "nope"], { encoding: "utf8" });
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('has no column "nope"');
    const r3 = spawnSync(process.execPath, [cli, "train", "--threads", "0"], { encoding: "utf8" });
    expect(r3.status).toBe(2);
    expect(r3.stderr).toContain('--threads must be a positive integer in 1..64, got "0"');
  });
  it("train --threads 2 runs on two threads", () => {
    const r = spawnSync(process.execPath, [cli, "train", "--epochs", "2", "--hidden", "16", "--threads", "2", "--out", join(dir, "t.safetensors")], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 epochs, 2 threads/);
    expect(r.stdout).toMatch(/^test RMSE \d+\.\d{3} /);
  });
});

describe("README example", () => {
  it("examples/quickstart.mjs runs and learns", () => {
    const out = execFileSync(process.execPath, [new URL("../examples/quickstart.mjs", import.meta.url).pathname], { encoding: "utf8" });
    const [first, second] = out.trim().split("\n");
    expect(first).toBe("160 64 40 16");
    const [, a, b] = second.match(/rmse (\d+\.\d+) -> (\d+\.\d+)/)!.map(Number);
    expect(b).toBeLessThan(a / 4);
  });
});
