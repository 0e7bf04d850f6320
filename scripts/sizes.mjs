// The package's sizes as docs/getting-started.md states them: `node scripts/sizes.mjs` prints what `npm pack`
// would ship (packed and unpacked bytes, file count) and the size of each WebAssembly build, from
// the current build (run `npm run build` first). test/integration/docs.test.ts holds the page to these.
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** { packed, unpacked, files, wasm: { name: bytes } } of the package as it would be packed now. */
export function sizes() {
  const [p] = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"] }),
  );
  const wasm = Object.fromEntries(
    p.files.filter((f) => f.path.endsWith(".wasm")).map((f) => [f.path, statSync(root + f.path).size]),
  );
  return { packed: p.size, unpacked: p.unpackedSize, files: p.entryCount, wasm };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = sizes(), kB = (n) => `${(n / 1000).toFixed(1)} kB`;
  console.log(`npm pack: ${kB(s.packed)} packed, ${(s.unpacked / 1e6).toFixed(2)} MB unpacked, ${s.files} files`);
  for (const [f, n] of Object.entries(s.wasm)) console.log(`${f}: ${kB(n)}`);
}
