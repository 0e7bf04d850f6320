// Issue 14, the command line: RFC 4180 CSV, strict numbers, unknown options with suggestions,
// --out checked before training and written atomically, one-line errors with exit code 2,
// predict checking the model's vocabulary, quoting its CSV and rejecting empty sequences,
// Ctrl-C saving the best weights so far.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init, Model, safetensors } from "../../dist/index.js";
import { parseCsv, quoteCsv, decimal } from "../../bindings/cli/csv.ts";

const cli = new URL("../../dist/cli.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "recurrent-cli-faults-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await init();
});

const run = (args: string[], cwd = dir) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd });
const SMILES = ["CCO", "CC(C)O", "c1ccccc1", "CCCl", "CCBr", "OCCO", "CC(=O)O", "CCN", "C1CC1", "CCOC", "CCCC", "CO"];
function csv(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const good = () =>
  csv("good.csv", "s,y\n" + SMILES.map((s, i) => `${s},${(i * 0.37 - 2).toFixed(2)}`).join("\n") + "\n");
const tiny = ["--epochs", "1", "--hidden", "4", "--quiet"];
/** One line on stderr, no stack trace, exit 2. */
function userError(r: ReturnType<typeof run>, message: string) {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toBe(`recurrent-wasm: ${message}\n`);
  expect(r.stdout).toBe("");
}

describe("CSV per RFC 4180", () => {
  it("quoted fields with commas, quotes and line breaks; CRLF; a BOM; line numbers of rows", () => {
    const t = '\uFEFFa,b\r\n"x,1","say ""hi"""\r\n"two\nlines",3\r\n\r\nplain,4';
    const { header, rows, lines } = parseCsv(t, "f.csv");
    expect(header).toEqual(["a", "b"]);
    expect(rows).toEqual([["x,1", 'say "hi"'], ["two\nlines", "3"], ["plain", "4"]]);
    expect(lines).toEqual([2, 3, 6]);
  });
  it("errors name the file and line", () => {
    expect(() => parseCsv('a,b\n"open,1\n2,3', "f.csv")).toThrow("f.csv line 2: a quoted field is never closed");
    expect(() => parseCsv('a,b\nx"y,1', "f.csv")).toThrow("f.csv line 2: a quote inside an unquoted field");
    expect(() => parseCsv("a,b\n1,2,3", "f.csv")).toThrow("f.csv line 2: 3 fields, but the header has 2");
    expect(() => parseCsv("", "f.csv")).toThrow("f.csv is empty (expected a header row)");
  });
  it("decimal numbers only; quoting round-trips", () => {
    for (const s of ["1", "-1.5", " 2e-3 ", ".25", "+3.", "1E5"]) expect(decimal(s), s).toBe(Number(s));
    for (const s of ["", "   ", "0x10", "NaN", "Infinity", "1,5", "1e", "--1", "1 2", "0b1", "1e999"]) {
      expect(decimal(s), s).toBeUndefined();
    }
    for (const s of ["plain", "a,b", 'q"uote', "line\nbreak", " edge"]) {
      expect(parseCsv(`h\n${quoteCsv(s)}\n`).rows[0][0]).toBe(s);
    }
  });
});

describe("train: bad data and options", () => {
  const bad: [string, string, string][] = [["an empty target", "s,y\nCCO,1\nCO,\n",
    'line 3, column "y": "" is not a decimal number'], ["a blank target", "s,y\nCCO,1\nCO,   \n",
    'line 3, column "y": "   " is not a decimal number'], ["a hexadecimal target", "s,y\nCCO,0x10\n",
    'line 2, column "y": "0x10" is not a decimal number'], ["NaN", "s,y\nCCO,NaN\n",
    'line 2, column "y": "NaN" is not a decimal number'], ["an empty sequence", "s,y\nCCO,1\n  ,2\n",
    'line 3, column "s": the sequence is empty']];
  for (const [label, text, msg] of bad) {
    it(label, () => {
      const f = csv("bad.csv", text);
      userError(run(["train", "--data", f, "--x", "s", "--y", "y", ...tiny]), `${f} ${msg}`);
    });
  }
  it("quoted cells, CRLF and a BOM train", () => {
    const f = csv("quoted.csv", "\uFEFFs,y\r\n" + SMILES.map((s, i) => `"${s}","${i}"`).join("\r\n") + "\r\n");
    const r = run(["train", "--data", f, "--x", "s", "--y", "y", ...tiny, "--out", "q.safetensors"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^test RMSE /);
  });
  it("unknown options and repeated options", () => {
    userError(run(["train", "--epoch", "1"]),
      "unknown option --epoch for train; did you mean --epochs? (see recurrent-wasm train --help)");
    userError(run(["train", "--hiden=4"]),
      "unknown option --hiden for train; did you mean --hidden? (see recurrent-wasm train --help)");
    userError(run(["train", "--zzz"]), "unknown option --zzz for train (see recurrent-wasm train --help)");
    userError(run(["train", "--epochs", "1", "--epochs", "2"]), "option --epochs is given twice");
    userError(run(["train", "--out"]), "option --out needs a value");
    userError(run(["predict", "--epochs", "1"]),
      "unknown option --epochs for predict (see recurrent-wasm predict --help)");
    userError(run(["trian"]), 'unknown command "trian"; did you mean train? (commands: train, predict, export, help)');
    userError(run(["train", "--epochs", "0x10"]), '--epochs must be a positive integer, got "0x10"');
  });
  it("sizes the library refuses: one line, exit 2; --verbose adds the stack", () => {
    userError(run(["train", "--hidden", "1e9"]),
      "--hidden 1000000000 --layers 1 --embedding 16: Model: hiddenSize must be an integer in 1..1048576, got 1000000000");
    userError(run(["train", "--threads", "100"]), '--threads must be a positive integer in 1..64, got "100"');
    const v = run(["train", "--hidden", "1e9", "--verbose"]);
    expect(v.status).toBe(2);
    expect(v.stderr).toMatch(/^recurrent-wasm: --hidden 1000000000.*\n(.*\n)*\s+at /);
  });
  it("--out is checked before training, refuses to replace without --force, and is written atomically", () => {
    const f = good();
    userError(run(["train", "--data", f, "--x", "s", "--y", "y", "--out", "/nonexistent/dir/m.st"]),
      "--out /nonexistent/dir/m.st: the folder /nonexistent/dir does not exist");
    userError(run(["train", "--data", f, "--x", "s", "--y", "y", "--out", dir]),
      `--out ${dir} is a folder, not a regular file; the model is written to a new file renamed into place, so name a regular file or a new path (--force replaces regular files only)`);
    const out = join(dir, "keep.safetensors");
    writeFileSync(out, "precious");
    userError(run(["train", "--data", f, "--x", "s", "--y", "y", ...tiny, "--out", out]),
      `--out ${out} exists; pass --force to replace it, or choose another file`);
    expect(readFileSync(out, "utf8")).toBe("precious");
    const r = run(["train", "--data", f, "--x", "s", "--y", "y", "--epochs", "1", "--hidden", "4", "--out", out,
      "--force"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`model saved to ${out} (replaced the existing file)`);
    expect(readFileSync(out).subarray(8, 9).toString()).toBe("{");
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });
  it("the README's npm start command works twice in the same folder (its output is replaced, and it says so)", () => {
    const start = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).scripts
      .start as string;
    const args = start.split("node dist/cli.js ")[1].split(" ");
    const cwd = mkdtempSync(join(dir, "start-"));
    const a = run([...args, "--epochs", "1", "--hidden", "4"], cwd);
    expect(a.status, a.stderr).toBe(0);
    const b = run([...args, "--epochs", "1", "--hidden", "4"], cwd);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toContain("model saved to model.safetensors (replaced the existing file)");
  });
  it("diverging training exits 1 with one line", () => {
    const r = run(["train", "--data", good(), "--x", "s", "--y", "y", "--epochs", "3", "--hidden", "4", "--lr", "1e30",
      "--clip", "1e30", "--out", "div.safetensors", "--quiet"]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /^recurrent-wasm: training diverged: the loss became non-finite at epoch \d+, batch \d+ \(lower --lr or --clip\); (no epoch finished, nothing saved|saved the weights of epoch \d+ \(best validation loss\) to div\.safetensors)\n$/,
    );
  });
});

describe("predict: hostile model files and inputs", () => {
  let model = "";
  beforeAll(() => {
    model = join(dir, "p.safetensors");
    const r = run(["train", "--data", good(), "--x", "s", "--y", "y", ...tiny, "--out", model]);
    expect(r.status, r.stderr).toBe(0);
  });
  /** The trained model with some metadata replaced. */
  function withMetadata(name: string, patch: Record<string, string>, drop: string[] = []): string {
    const { tensors, metadata } = safetensors.read(readFileSync(model));
    const p = join(dir, name), md: Record<string, string> = { ...metadata, ...patch };
    for (const k of drop) delete md[k];
    writeFileSync(p, safetensors.write(tensors as any, md));
    return p;
  }
  it("empty, corrupt and missing files", () => {
    const empty = csv("empty.safetensors", "");
    userError(run(["predict", "--model", empty, "CCO"]),
      `${empty} is not a model file: safetensors: file is 0 bytes, shorter than the 8-byte header length`);
    const junk = csv("junk.safetensors", "\x10\0\0\0\0\0\0\0{not json}......");
    expect(run(["predict", "--model", junk, "CCO"]).stderr).toMatch(
      new RegExp(`^recurrent-wasm: ${junk} is not a model file: safetensors: header is not valid UTF-8 JSON .*\\n$`),
    );
    userError(run(["predict", "--model", join(dir, "none.safetensors"), "CCO"]),
      `cannot read --model ${join(dir, "none.safetensors")}: ENOENT`);
    userError(run(["predict", "--model", model, "--data", join(dir, "none.csv")]),
      `cannot read --data ${join(dir, "none.csv")}: ENOENT`);
  });
  it("a vocabulary that is missing, bad JSON, has no unknown symbol or does not match the model's vocabSize", () => {
    const none = withMetadata("v0.safetensors", {}, ["vocabulary"]);
    userError(run(["predict", "--model", none, "CCO"]),
      `${none} was not saved by \`recurrent-wasm train\` (it is not a token model with a vocabulary)`);
    const a = withMetadata("v1.safetensors", { vocabulary: "[" });
    expect(run(["predict", "--model", a, "CCO"]).stderr).toMatch(
      new RegExp(
        `^recurrent-wasm: ${a} is not a model file: Model\\.load: __metadata__\\.vocabulary is invalid: .*\\n$`,
      ),
    );
    const { unknown: _, ...noUnknown } = JSON.parse(safetensors.read(readFileSync(model)).metadata.vocabulary);
    const b = withMetadata("v2.safetensors", { vocabulary: JSON.stringify(noUnknown) });
    userError(run(["predict", "--model", b, "CCO"]),
      `${b} was not saved by \`recurrent-wasm train\` (its vocabulary has no unknown symbol)`);
    const c = withMetadata("v3.safetensors", {
      vocabulary: '{"kind":"tokens","tokens":["<unk>","C"],"unknown":"<unk>"}',
    });
    expect(run(["predict", "--model", c, "CCO"]).stderr).toMatch(
      /__metadata__\.vocabulary is invalid: it has 2 symbols but vocabSize is \d+\n$/,
    );
    const d = withMetadata("v4.safetensors", { targetStd: "0" });
    userError(run(["predict", "--model", d, "CCO"]),
      `${d} was not saved by \`recurrent-wasm train\` (targetMean and targetStd must be numbers, targetStd > 0)`);
  });
  it("empty sequences are rejected as train rejects them", () => {
    userError(run(["predict", "--model", model, "CCO", " "]), "sequence argument 2: the sequence is empty");
    const f = csv("pred.csv", 's\nCCO\n""\n');
    // a row holding only an empty quoted field is an empty line, so make it a real row
    const g = csv("pred2.csv", "s,t\nCCO,1\n,2\n");
    expect(run(["predict", "--model", model, "--data", f, "--x", "s"]).status).toBe(0);
    userError(run(["predict", "--model", model, "--data", g, "--x", "s"]),
      `${g} line 3, column "s": the sequence is empty`);
  });
  it("output is RFC 4180 CSV (sequences with commas and quotes are quoted)", () => {
    const r = run(["predict", "--model", model, "C,C", 'C"O', "CCO"]);
    expect(r.status, r.stderr).toBe(0);
    const { header, rows } = parseCsv(r.stdout);
    expect(header).toEqual(["sequence", "predicted y"]);
    expect(rows.map((x) => x[0])).toEqual(["C,C", 'C"O', "CCO"]);
    for (const x of rows) expect(decimal(x[1])).toBeTypeOf("number");
  });
});

describe("Ctrl-C during training", () => {
  it("stops after the batch, saves the best weights so far, exits 130", async () => {
    const out = join(dir, "int.safetensors");
    const child = spawn(process.execPath, [cli, "train", "--epochs", "500", "--hidden", "8", "--out", out], {
      cwd: dir,
    });
    let err = "";
    const code = await new Promise<number | null>((done) => {
      child.stderr.on("data", (d) => {
        err += d;
        if (/epoch 2\/500/.test(err) && !child.killed) child.kill("SIGINT");
      });
      child.on("exit", (c) => done(c));
    });
    expect(code, err).toBe(130);
    expect(err).toMatch(
      /recurrent-wasm: interrupted at epoch \d+; saved the weights of epoch \d+ \(best validation loss\) to .*int\.safetensors\n$/,
    );
    const m = Model.load(readFileSync(out));
    expect(m.config.hiddenSize).toBe(8);
    m.dispose();
    expect(statSync(out).size).toBeGreaterThan(100);
    expect(existsSync(out + `.${child.pid}.tmp`)).toBe(false);
  }, 60_000);
});
