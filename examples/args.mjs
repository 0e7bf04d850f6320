// The command-line options the examples share.

/** --name N: a non-negative number (default def); anything else exits with code 2 and says why. */
export function numberArg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) {
    console.error(`--${name}: expected a non-negative number, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return v;
}

/** --name VALUE as a string, or null. */
export function stringArg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? null : process.argv[i + 1];
}

/** --out DIR as a directory URL; default: the repository's reports/. */
export function outDir() {
  const d = stringArg("out");
  return d ? new URL(`file://${d.replace(/\/?$/, "/")}`) : new URL("../reports/", import.meta.url);
}
