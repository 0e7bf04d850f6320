// globalSetup of `npm run test:unit` (vitest.unit.config.ts), which tests the current build and does
// not rebuild: stops with a clear message when there is no build, and warns when a source file is
// newer than the build made from it (run `npm run build`; `npm test` always builds first).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The newest file under dir (skipping generated ones): [path, mtime]. */
function newest(dir: string, skip: RegExp): [string, number] {
  let best: [string, number] = ["", 0];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const got: [string, number] = e.isDirectory() ? newest(p, skip) : skip.test(p) ? ["", 0] : [p, statSync(p).mtimeMs];
    if (got[1] > best[1]) best = got;
  }
  return best;
}

export default function setup(): void {
  const outputs = { assembly: "build/recurrent.wasm", bindings: "dist/index.js" };
  for (const out of Object.values(outputs)) {
    if (!existsSync(join(root, out))) {
      throw new Error(`npm run test:unit: ${out} is missing; run \`npm run build\` first`);
    }
  }
  for (const [src, out] of Object.entries(outputs)) {
    const [file, time] = newest(join(root, src), /wasm-inline\.ts$/);
    if (time > statSync(join(root, out)).mtimeMs) {
      console.warn(
        `npm run test:unit: ${
          relative(root, file)
        } is newer than ${out}: these tests run the build, not the sources; run \`npm run build\` first`,
      );
    }
  }
}
