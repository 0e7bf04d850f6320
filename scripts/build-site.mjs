// npm run site: the playground as static files in site/dist/ (index.html at its top), which work
// served as they are, with or without COOP/COEP headers: the page, its script, the <script>
// bundle (dist/recurrent.iife.js, the WebAssembly inlined) and the ESOL data as a script.
// Nothing is fetched from elsewhere. Usage: node scripts/build-site.mjs [--out DIR]
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const at = process.argv.indexOf("--out");
const out = resolve(at > 0 ? process.argv[at + 1] : root + "site/dist");
if (!existsSync(root + "dist/recurrent.iife.js")) {
  console.error("dist/recurrent.iife.js is missing: npm run build first");
  process.exit(1);
}
mkdirSync(out, { recursive: true });
for (const f of ["index.html", "app.js"]) copyFileSync(root + "site/" + f, out + "/" + f);
copyFileSync(root + "dist/recurrent.iife.js", out + "/recurrent.iife.js");
const csv = readFileSync(root + "data/esol-delaney.csv", "utf8");
writeFileSync(out + "/esol.js",
  `// ESOL (Delaney 2004), data/esol-delaney.csv; source and licence in data/SOURCES.md\nconst ESOL_CSV = ${
    JSON.stringify(csv)
  };\n`);
console.log(`site: ${out}/index.html (serve the folder; with COOP/COEP headers it trains on 2 threads)`);
