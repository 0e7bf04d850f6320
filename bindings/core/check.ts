// Argument validation. Every public call checks everything before WebAssembly memory is touched,
// so a call that throws leaves the model exactly as it was.

function show(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})${emptied(v)}`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  return typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v;
}

/** A hint for a typed array with no buffer left: one transferred (to a Worker) reads as empty. */
export function emptied(v: unknown): string {
  return ArrayBuffer.isView(v) && v.byteLength === 0 && v.buffer.byteLength === 0
    ? " (its buffer is empty: was it transferred to a Worker?)"
    : "";
}

/** An integer in [min, max]. */
export function int(where: string, name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number") throw new TypeError(`${where}: ${name} must be an integer, got ${show(v)}`);
  if (!Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    throw new RangeError(`${where}: ${name} must be an integer ${range}, got ${show(v)}`);
  }
  return v;
}

/** A finite number in [min, max] (exclusive bounds when open). */
export function num(where: string, name: string, v: unknown, min: number, max = Infinity, openMin = false): number {
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new TypeError(`${where}: ${name} must be a number, got ${show(v)}`);
  }
  if (!(openMin ? v > min : v >= min) || v > max || !Number.isFinite(v)) {
    const bounds = [min > -Infinity ? `${openMin ? ">" : ">="} ${min}` : "", max < Infinity ? `<= ${max}` : ""].filter(
      Boolean,
    ).join(" and ");
    throw new RangeError(`${where}: ${name} must be a finite number${bounds ? " " + bounds : ""}, got ${show(v)}`);
  }
  return v;
}

export function oneOf<T extends string>(where: string, name: string, v: unknown, options: readonly T[]): T {
  if (typeof v !== "string" || !options.includes(v as T)) {
    throw new TypeError(
      `${where}: ${name} must be one of ${options.map((o) => JSON.stringify(o)).join(", ")}, got ${show(v)}`,
    );
  }
  return v as T;
}

export function bool(where: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new TypeError(`${where}: ${name} must be a boolean, got ${show(v)}`);
  return v;
}

/** A Float32Array of exactly n elements (shape given for the message). Non-finite values are
 *  rejected, or allowed ("allow"); "hint" rejects them and names the call's allowNonFinite option. */
export function f32(where: string, name: string, v: unknown, n: number, shape: string,
  nonFinite: "reject" | "hint" | "allow" = "reject"): Float32Array {
  if (!(v instanceof Float32Array)) {
    throw new TypeError(`${where}: ${name} must be a Float32Array of ${n} elements ${shape}, got ${show(v)}`);
  }
  if (v.length !== n) {
    throw new RangeError(`${where}: ${name} must have ${n} elements ${shape}, got ${v.length}${emptied(v)}`);
  }
  if (nonFinite !== "allow") {
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (x - x !== 0) {
        throw new RangeError(
          `${where}: ${name}[${i}] is ${x}; it must be finite${
            nonFinite === "hint" ? " (pass allowNonFinite: true to allow NaN/Infinity)" : ""
          }`,
        );
      }
    }
  }
  return v;
}

/** Sequence lengths: B integers in 1..T. Accepts an Int32Array or an array of numbers. */
export function lengths(where: string, v: unknown, B: number, T: number): Int32Array {
  if (!(v instanceof Int32Array) && !Array.isArray(v)) {
    throw new TypeError(`${where}: lengths must be an Int32Array of ${B} integers in 1..${T}, got ${show(v)}`);
  }
  if (v.length !== B) {
    throw new RangeError(`${where}: lengths must have ${B} elements (one per sequence), got ${v.length}`);
  }
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const x = (v as ArrayLike<unknown>)[b];
    if (typeof x !== "number" || !Number.isInteger(x) || x < 1 || x > T) {
      throw new RangeError(`${where}: lengths[${b}] must be an integer in 1..${T} (steps), got ${show(x)}`);
    }
    out[b] = x;
  }
  return out;
}

export function object(where: string, name: string, v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new TypeError(`${where}: ${name} must be an object, got ${show(v)}`);
  }
  return v as Record<string, unknown>;
}

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours), for suggestions. */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d = Array.from({ length: a.length + 1 },
    (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** The known name closest to `name` if it is close enough to be a typo, else undefined. */
export function suggest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const n of names) {
    const d = distance(name, n);
    if (d < bestD) {
      best = n;
      bestD = d;
    }
  }
  return bestD <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** Reject option names that are not known (catches typos such as `hidenSize`). */
export function known(where: string, opts: Record<string, unknown>, names: readonly string[], within = ""): void {
  const path = within ? `${within}.` : "";
  for (const k of Object.keys(opts)) {
    if (opts[k] === null && names.includes(k)) {
      throw new TypeError(`${where}: ${path}${k} is null; leave it out (or undefined) for the default`);
    }
    if (!names.includes(k)) {
      const near = suggest(k, names);
      throw new TypeError(
        `${where}: unknown option ${JSON.stringify(path + k)}${
          near ? ` (did you mean ${JSON.stringify(path + near)}?)` : ""
        }; expected one of ${names.map((n) => path + n).join(", ")}`,
      );
    }
  }
}

export { show };
