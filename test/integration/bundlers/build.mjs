// node build.mjs vite|webpack|esbuild APP OUT: a production build of the app in APP (main.js,
// index.html, node_modules/recurrent-wasm from the packed tarball) into OUT: Vite and webpack
// installed here; esbuild the package's own devDependency, run by the shell commands of docs/browser.md's
// esbuild paragraph (in APP, `npx esbuild` naming that binary: nothing is downloaded), which
// build into APP/public, moved to OUT. Prints the emitted files and their sizes as JSON.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, readFileSync, mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/** The shell commands of docs/browser.md's esbuild paragraph (the ```sh block of its "- **esbuild**" item). */
function esbuildCommands(readme) {
  const item = readme.indexOf("- **esbuild**"), next = readme.indexOf("\n- ", item + 1);
  const m = /```sh\n([\s\S]*?)```/.exec(readme.slice(item, next < 0 ? undefined : next));
  if (item < 0 || !m) throw new Error("docs/browser.md: no ```sh block in the esbuild item of Bundlers");
  return m[1].split("\n").map((l) => l.trim()).filter(Boolean);
}

const [tool, app, out] = process.argv.slice(2);
if (tool === "vite") {
  const { build } = await import("vite");
  await build({ root: app, logLevel: "warn", build: { outDir: out, emptyOutDir: true, target: "es2022" },
    worker: { format: "es" } });
} else if (tool === "webpack") {
  const { default: webpack } = await import("webpack");
  const stats = await new Promise((resolve, reject) =>
    webpack({ mode: "production", context: app, entry: "./main.js",
      output: { path: out, filename: "main.js", clean: true }, resolve: { modules: [join(app, "node_modules")] },
      experiments: { futureDefaults: false }, performance: { hints: false } },
      (err, s) => (err ? reject(err) : resolve(s)))
  );
  if (stats.hasErrors()) {
    console.error(stats.toString({ colors: false, all: false, errors: true }));
    process.exit(1);
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "index.html"),
    readFileSync(join(app, "index.html"), "utf8").replace('src="/main.js"', 'src="main.js"'));
} else if (tool === "esbuild") {
  const esbuild = join(root, "node_modules/.bin/esbuild");
  const commands = esbuildCommands(readFileSync(join(root, "docs/browser.md"), "utf8")).map((c) =>
    c.replace(/^npx esbuild /, `${esbuild} `)
  );
  const stray = commands.find((c) => /\bnpx\b|\bnpm\b/.test(c));
  if (stray) {
    console.error(`docs/browser.md's esbuild commands: would download or install (${stray})`);
    process.exit(1);
  }
  rmSync(join(app, "public"), { recursive: true, force: true });
  for (const c of commands) execFileSync("sh", ["-ec", c], { cwd: app, stdio: ["ignore", "ignore", "inherit"] });
  rmSync(out, { recursive: true, force: true });
  renameSync(join(app, "public"), out);
  if (!existsSync(join(out, "dist/main.js"))) {
    console.error("docs/browser.md's esbuild commands: no public/dist/main.js");
    process.exit(1);
  }
  writeFileSync(join(out, "index.html"),
    readFileSync(join(app, "index.html"), "utf8").replace('src="/main.js"', 'src="/dist/main.js"'));
} else {
  console.error("usage: node build.mjs vite|webpack|esbuild APP OUT");
  process.exit(2);
}
const files = (d) =>
  readdirSync(d).flatMap((n) => statSync(join(d, n)).isDirectory() ? files(join(d, n)) : [join(d, n)]);
console.log(JSON.stringify(Object.fromEntries(files(out).map((f) => [relative(out, f), statSync(f).size]))));
