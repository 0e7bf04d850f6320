// node build.mjs vite|webpack APP OUT: a production build of the app in APP (main.js, index.html,
// node_modules/recurrent-wasm from the packed tarball) into OUT, with the bundler installed here.
// Prints the emitted files and their sizes as JSON.
import { readdirSync, statSync, writeFileSync, readFileSync, mkdirSync } from "node:fs";
import { join, relative } from "node:path";

const [tool, app, out] = process.argv.slice(2);
if (tool === "vite") {
  const { build } = await import("vite");
  await build({ root: app, logLevel: "warn", build: { outDir: out, emptyOutDir: true, target: "es2022" }, worker: { format: "es" } });
} else if (tool === "webpack") {
  const { default: webpack } = await import("webpack");
  const stats = await new Promise((resolve, reject) => webpack({
    mode: "production", context: app, entry: "./main.js",
    output: { path: out, filename: "main.js", clean: true },
    resolve: { modules: [join(app, "node_modules")] },
    experiments: { futureDefaults: false },
    performance: { hints: false },
  }, (err, s) => (err ? reject(err) : resolve(s))));
  if (stats.hasErrors()) { console.error(stats.toString({ colors: false, all: false, errors: true })); process.exit(1); }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "index.html"), readFileSync(join(app, "index.html"), "utf8").replace('src="/main.js"', 'src="main.js"'));
} else {
  console.error("usage: node build.mjs vite|webpack APP OUT"); process.exit(2);
}
const files = (d) => readdirSync(d).flatMap((n) => statSync(join(d, n)).isDirectory() ? files(join(d, n)) : [join(d, n)]);
console.log(JSON.stringify(Object.fromEntries(files(out).map((f) => [relative(out, f), statSync(f).size]))));
