// npm run site: the playground as static files in site/dist/ (index.html at its top), which work
// served as they are, with or without COOP/COEP headers: the page, its scripts, the <script>
// bundle (dist/recurrent.iife.js, the WebAssembly inlined) and the shipped data it uses (ESOL,
// sunspots, the reactor's playground view) as a script, data.js.
// Nothing is fetched from elsewhere. Usage: node scripts/build-site.mjs [--out DIR]
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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
for (const f of readdirSync(root + "site")) {
  if (/\.(html|js)$/.test(f)) copyFileSync(root + "site/" + f, out + "/" + f);
}
copyFileSync(root + "dist/recurrent.iife.js", out + "/recurrent.iife.js");
const csv = (name) => JSON.stringify(readFileSync(root + "data/" + name, "utf8"));
writeFileSync(out + "/data.js",
  `// data/esol-delaney.csv, data/sunspots.csv and data/reactor-playground.csv; sources and licences in data/SOURCES.md
const ESOL_CSV = ${csv("esol-delaney.csv")};
const SUNSPOTS_CSV = ${csv("sunspots.csv")};
const REACTOR_CSV = ${csv("reactor-playground.csv")};
`);
console.log(`site: ${out}/index.html (serve the folder; with COOP/COEP headers it trains on 2 threads)`);
