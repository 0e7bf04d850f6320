// recurrent-wasm export: a model file in another engine's format, written into a folder (the files
// a Model's export returns, by name).
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { init, Model } from "../index.js";
import { suggest } from "../core/check.js";
import type { Spec } from "./args.js";
import { UsageError, readBytes } from "./csv.js";

export const EXPORT: Spec = { flags: ["force", "verbose", "help"], values: ["to", "model", "out"] };

export const EXPORT_HELP = `export options:
  --to FORMAT        pytorch: model.py (a torch.nn.Module: forward, loss, load, save) and
                     model.safetensors (the weights; model.py's save() writes what predict reads)
                     onnx: one ONNX model (opset 14; inputs x, lengths, and classes, mask, times
                     where the model reads them; output y, what predict returns; docs/scale.md)
  --model FILE       a model file (saved by train or Model.save)
  --out DIR          the folder to write into (made if missing); --to onnx: the file (model.onnx)
  --force            replace files of the same names in --out (otherwise they are an error)
`;

/** The formats, each the files a model's export returns. */
const FORMATS: Record<string, (m: Model) => Record<string, string | Uint8Array>> = {
  pytorch: (m) => ({ ...m.toPyTorch() }),
  onnx: (m) => ({ "": m.toONNX() }),
};

const q = (s: string) => JSON.stringify(s);

/** Export --model as --to into --out; prints the files written. */
export async function exportModel(opts: Record<string, string>, flags: Set<string>, rest: string[]): Promise<number> {
  if (rest.length) throw new UsageError(`export takes no arguments, got ${q(rest[0])}`);
  const names = Object.keys(FORMATS);
  if (opts.to === undefined) throw new UsageError(`export needs --to FORMAT (${names.join(", ")})`);
  if (!Object.prototype.hasOwnProperty.call(FORMATS, opts.to)) {
    const near = suggest(opts.to, names);
    throw new UsageError(
      `--to must be ${names.join(" or ")}, got ${q(opts.to)}${near ? `; did you mean ${near}?` : ""}`,
    );
  }
  if (opts.model === undefined) {
    throw new UsageError("export needs --model FILE (a model saved by train or Model.save)");
  }
  if (opts.out === undefined) throw new UsageError("export needs --out DIR (the folder to write the files into)");
  const model = await loadModelFile(opts.model);
  let files: Record<string, string | Uint8Array>;
  try {
    files = FORMATS[opts.to](model);
  } finally {
    model.dispose();
  }
  const out = opts.out;
  // a format of one file ("" its only name) writes --out itself
  const single = Object.keys(files).length === 1 && "" in files;
  if (single && existsSync(out) && !statSync(out).isFile()) {
    throw new UsageError(`--out ${out} exists and is not a file`);
  }
  if (!single && existsSync(out) && !statSync(out).isDirectory()) {
    throw new UsageError(`--out ${out} exists and is not a folder`);
  }
  const paths = Object.keys(files).map((n) => (single ? out : join(out, n)));
  const clash = paths.find((p) => existsSync(p));
  if (clash !== undefined && !flags.has("force")) {
    throw new UsageError(`${clash} exists; use --force to replace it (or another --out)`);
  }
  try {
    if (single) writeFileSync(out, files[""]);
    else {
      mkdirSync(out, { recursive: true });
      for (const [n, data] of Object.entries(files)) writeFileSync(join(out, n), data);
    }
  } catch (e) {
    throw new UsageError(
      `cannot write ${single ? "" : "into "}--out ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  process.stdout.write(`wrote ${paths.join(", ")}\n`);
  return 0;
}

/** The model in a file given as --model (read, the core started, loaded): a user error names the
 *  file when it cannot be read or is not a model file. */
export async function loadModelFile(file: string): Promise<Model> {
  const bytes = readBytes(file, "--model");
  await init();
  try {
    return Model.load(bytes);
  } catch (e) {
    throw new UsageError(`${file} is not a model file: ${(e as Error).message}`);
  }
}
