// Command-line options: each command declares its options; anything else is an error with a
// suggestion, a value is required where one is expected, and no option may be given twice.
import { suggest } from "../core/check.js";
import { UsageError, decimal } from "./csv.js";

export interface Spec {
  flags: readonly string[];
  values: readonly string[];
}
export interface Args {
  opts: Record<string, string>;
  flags: Set<string>;
  rest: string[];
}

export function parseArgs(cmd: string, argv: string[], spec: Spec): Args {
  const opts: Record<string, string> = Object.create(null), flags = new Set<string>(), rest: string[] = [];
  const all = [...spec.flags, ...spec.values];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("--")) {
      rest.push(a);
      continue;
    }
    let name = a.slice(2), value: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (!all.includes(name)) {
      const near = suggest(name, all);
      throw new UsageError(
        `unknown option --${name} for ${cmd}${
          near ? `; did you mean --${near}?` : ""
        } (see recurrent-wasm ${cmd} --help)`,
      );
    }
    if (name in opts || flags.has(name)) throw new UsageError(`option --${name} is given twice`);
    if (spec.flags.includes(name)) {
      if (value !== undefined) throw new UsageError(`option --${name} takes no value`);
      flags.add(name);
    } else {
      if (value === undefined) {
        if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) {
          throw new UsageError(`option --${name} needs a value`);
        }
        value = argv[++i];
      }
      opts[name] = value;
    }
  }
  return { opts, flags, rest };
}

/** A numeric option: decimal, an integer if asked, at least `min` (exclusive with `open`). */
export function numberOption(opts: Record<string, string>, name: string, dflt: number,
  { int = true, min = 1, max = Infinity, open = false } = {}): number {
  const raw = opts[name];
  if (raw === undefined) return dflt;
  const v = decimal(raw);
  const what = int ? (min === 0 ? "a non-negative integer" : "a positive integer") : "a positive number";
  const range = max < Infinity ? ` in ${min}..${max}` : "";
  if (v === undefined || (int && !Number.isInteger(v)) || (open ? v <= min : v < min) || v > max) {
    throw new UsageError(`--${name} must be ${what}${range}, got ${JSON.stringify(raw)}`);
  }
  return v;
}
