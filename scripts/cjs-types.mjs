// dist/cjs-types: the declarations of dist/types again, in a folder whose package.json says
// "commonjs", for TypeScript projects that require() the package (node16/nodenext resolution
// reads a .d.ts as ESM or CommonJS by its nearest package.json). Run by `npm run build:js`.
import { cpSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
rmSync(dist + "cjs-types", { recursive: true, force: true });
cpSync(dist + "types", dist + "cjs-types", { recursive: true });
writeFileSync(dist + "cjs-types/package.json", JSON.stringify({ type: "commonjs" }) + "\n");
