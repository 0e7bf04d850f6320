// The safetensors format (Hugging Face): u64 little-endian header length N, N bytes of JSON
// header { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { str: str } },
// then the raw little-endian tensor bytes. `read` treats its input as hostile: it checks every
// field before it allocates, allocates at most the size of the input, and names the problem.
// Names and metadata keys are data: results are null-prototype objects, so "__proto__",
// "constructor" or "toString" are names like any other.
import { show } from "../core/check.js";

/** The element types this reader and writer know (safetensors' names). */
export type DType = "F32" | "F64" | "F16" | "BF16" | "I32";
/** A tensor to write. `data` holds the values (rounded to the dtype: F16/BF16 to nearest even,
 *  I32 must be integers in range); for F16/BF16 a Uint16Array holds raw bit patterns instead. */
export interface Tensor {
  /** The element type in the file. */
  dtype: DType;
  /** The dimensions (row-major). */
  shape: number[];
  /** The values, as many as the shape's product. */
  data: Float32Array | Float64Array | Int32Array | Uint16Array | ArrayLike<number>;
}
/** What read() returns: null-prototype records of tensors (F32, F16 and BF16 as Float32Array, F64
 *  as Float32Array or, with `float64: true`, Float64Array, I32 as Int32Array) and of metadata
 *  strings. */
export interface ReadResult {
  /** The tensors by name. */
  tensors: Record<string, ReadTensor>;
  /** The __metadata__ strings by key. */
  metadata: Record<string, string>;
}
/** A tensor as read(): its type in the file, its shape and its values. */
export interface ReadTensor {
  /** The element type in the file. */
  dtype: DType;
  /** The dimensions (row-major). */
  shape: number[];
  /** The values (see ReadResult for the array type of each dtype). */
  data: Float32Array | Float64Array | Int32Array;
}
/** read()'s options. float64: F64 tensors come back as Float64Array, every bit kept (default:
 *  converted to Float32Array like the other float types). */
export interface ReadOptions {
  /** F64 tensors as Float64Array (default false). */
  float64?: boolean;
}

const SIZE = new Map<string, number>([["F32", 4], ["F64", 8], ["F16", 2], ["BF16", 2], ["I32", 4]]);
const SUPPORTED = [...SIZE.keys()].join(", ");
const MAX_HEADER = 100 * 1024 * 1024;

function fail(msg: string): never {
  throw new Error(`safetensors: ${msg}`);
}
const q = (s: string) => JSON.stringify(s);

/** Own enumerable entries of a record or a Map (never the prototype chain). */
function entriesOf(what: string, v: unknown): [string, unknown][] {
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [String(k), x]);
  if (v === null || typeof v !== "object" || Array.isArray(v) || ArrayBuffer.isView(v)) fail(`${what}, got ${show(v)}`);
  return Object.entries(v as object);
}

function define<T>(o: Record<string, T>, k: string, v: T): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

// f32 -> binary16 / bfloat16 bits, round to nearest even (overflow to infinity, NaN stays NaN)
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
function toHalf(x: number): number {
  f32[0] = x;
  const b = u32[0], sign = (b >>> 16) & 0x8000, e = (b >>> 23) & 0xff, m = b & 0x7fffff;
  if (e === 0xff) return sign | (m ? 0x7e00 : 0x7c00);
  const he = e - 127 + 15;
  if (he >= 0x1f) return sign | 0x7c00;
  if (he <= 0) {
    // subnormal half (or zero): value = m' * 2^-24 with m' = round(|x| / 2^-24)
    if (he < -10) return sign;
    const full = m | 0x800000, shift = 14 - he; // 1.m * 2^(e-127) / 2^-24 = full >> (23 - (e - 127 + 24))
    let r = full >>> shift;
    const rem = full & ((1 << shift) - 1), half = 1 << (shift - 1);
    if (rem > half || (rem === half && (r & 1))) r++;
    return sign | r;
  }
  let r = (he << 10) | (m >>> 13);
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1))) r++; // a carry into the exponent is correct
  return sign | r;
}
function toBf16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) | 0x40) & 0xffff; // quiet NaN
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

function encode(name: string, dtype: string, data: ArrayLike<number>): Uint8Array {
  const n = data.length;
  for (let i = 0; i < n; i++) {
    if (typeof data[i] !== "number") fail(`tensor ${q(name)}: data[${i}] must be a number, got ${show(data[i])}`);
  }
  if (dtype === "F32") return new Uint8Array(Float32Array.from(data).buffer);
  if (dtype === "F64") return new Uint8Array(Float64Array.from(data).buffer);
  if (dtype === "I32") {
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
        fail(`tensor ${q(name)}: I32 data[${i}] is ${v}, not an integer in -2147483648..2147483647`);
      }
    }
    return new Uint8Array(Int32Array.from(data).buffer);
  }
  const out = new Uint16Array(n);
  if (data instanceof Uint16Array) out.set(data);
  else for (let i = 0; i < n; i++) out[i] = dtype === "F16" ? toHalf(data[i]) : toBf16(data[i]);
  return new Uint8Array(out.buffer);
}

/** Serialize tensors (a record or a Map of name -> tensor; optional string metadata) to
 *  safetensors bytes. Tensors are written in the order given, 8-byte aligned by padding the
 *  header with spaces. Throws an Error naming the tensor for anything read() would reject. */
export function write(tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata?: Record<string, string> | Map<string, string>): Uint8Array {
  const header: Record<string, unknown> = Object.create(null);
  const list = entriesOf("tensors must be an object or a Map of name -> { dtype, shape, data }", tensors);
  if (metadata !== undefined) {
    const md: Record<string, string> = Object.create(null);
    for (const [k, v] of entriesOf("metadata must be an object or a Map of strings", metadata)) {
      if (typeof v !== "string") fail(`metadata ${q(k)} must be a string, got ${typeof v}`);
      define(md, k, v);
    }
    define(header, "__metadata__", md);
  }
  let off = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of list) {
    if (name === "__metadata__") fail(`"__metadata__" is reserved for the metadata and cannot name a tensor`);
    if (t === null || typeof t !== "object") {
      fail(`tensor ${q(name)}: must be an object { dtype, shape, data }, got ${show(t)}`);
    }
    const { dtype, shape, data } = t as Record<string, unknown>;
    if (typeof dtype !== "string" || !SIZE.has(dtype)) {
      fail(`tensor ${q(name)}: unsupported dtype ${show(dtype)} (supported: ${SUPPORTED})`);
    }
    if (!Array.isArray(shape)) {
      fail(`tensor ${q(name)}: shape must be an array of non-negative integers, got ${show(shape)}`);
    }
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor ${q(name)}: shape [${shape}] must hold non-negative integers`);
    }
    const isNumbers =
      (ArrayBuffer.isView(data) && !(data instanceof DataView) && !(data instanceof BigInt64Array)
        && !(data instanceof BigUint64Array)) || Array.isArray(data);
    if (!isNumbers) fail(`tensor ${q(name)}: data must be a typed array or an array of numbers, got ${show(data)}`);
    const values = data as ArrayLike<number>;
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    if (values.length !== count) {
      fail(`tensor ${q(name)}: shape [${shape}] has ${count} elements, data has ${values.length}`);
    }
    const bytes = encode(name, dtype, values);
    define(header, name, { dtype, shape: [...shape], data_offsets: [off, off + bytes.length] });
    parts.push(bytes);
    off += bytes.length;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  const pad = (8 - (hb.length % 8)) % 8;
  if (pad) {
    json += " ".repeat(pad);
    hb = enc.encode(json);
  }
  const out = new Uint8Array(8 + hb.length + off);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, hb.length, true);
  dv.setUint32(4, 0, true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const b of parts) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** The first key that appears twice in one object of `json` (valid JSON text, which JSON.parse
 *  accepts keeping the last of the duplicates), with the object's own key in its parent ("" at
 *  the top) and its depth (1 at the top); null if every key is unique. Keys are compared as
 *  JSON.parse reads them, escapes decoded ("\u0061" is "a"). */
function duplicateKey(json: string): { key: string; parent: string; depth: number } | null {
  // per open object: its keys so far, its key in its parent, whether a key comes next; null: an array
  const stack: ({ keys: Set<string>; name: string; expectKey: boolean } | null)[] = [];
  let member = ""; // the key of the value that follows
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) { // a string: find its closing quote, stepping over escapes
      let j = i + 1;
      while (json.charCodeAt(j) !== 0x22) j += json.charCodeAt(j) === 0x5c ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && top.expectKey) {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { key, parent: top.name, depth: stack.length };
        top.keys.add(key);
        top.expectKey = false;
        member = key;
      }
      i = j;
    } else if (c === 0x7b) stack.push({ keys: new Set(), name: member, expectKey: true }); // {
    else if (c === 0x5b) stack.push(null); // [
    else if (c === 0x7d || c === 0x5d) stack.pop(); // } ]
    else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top) top.expectKey = true;
    } // ,
  }
  return null;
}

/** Parse safetensors bytes. F32 and I32 tensors come back as Float32Array / Int32Array; F16 and
 *  BF16 are converted to Float32Array, and F64 too unless options.float64. Throws an Error naming
 *  the tensor and the problem for any malformed input. */
export function read(bytes: Uint8Array, options: ReadOptions = {}): ReadResult {
  if (!(bytes instanceof Uint8Array)) fail(`input must be a Uint8Array, got ${show(bytes)}`);
  if (options === null || typeof options !== "object") fail(`options must be an object, got ${show(options)}`);
  for (const k of Object.keys(options)) if (k !== "float64") fail(`unknown option ${q(k)} (known: float64)`);
  if (options.float64 !== undefined && typeof options.float64 !== "boolean") {
    fail(`options.float64 must be a boolean, got ${show(options.float64)}`);
  }
  const keep64 = options.float64 === true;
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true), hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (n > MAX_HEADER) fail(`header length ${n} is absurdly large (limit ${MAX_HEADER})`);
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  let header: unknown, text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) fail(`header must be a JSON object`);
  // the format forbids duplicate keys, which JSON.parse would resolve silently to the last one
  const dup = duplicateKey(text);
  if (dup) {
    const { key, parent, depth } = dup;
    fail(
      depth === 1
        ? (key === "__metadata__"
          ? `"__metadata__" appears twice in the header`
          : `tensor ${q(key)} is named twice in the header (each name may appear once)`)
        : depth === 2
        ? (parent === "__metadata__"
          ? `__metadata__ ${q(key)} appears twice`
          : `tensor ${q(parent)}: field ${q(key)} appears twice`)
        : `key ${q(key)} appears twice in the header's object ${q(parent)}`,
    );
  }
  const dataStart = 8 + n, dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = Object.create(null);
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        fail(`__metadata__ must be an object of strings`);
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__ ${q(k)} must be a string, got ${typeof v}`);
        define(metadata, k, v);
      }
      continue;
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      fail(`tensor ${q(name)}: entry must be an object`);
    }
    const t = raw as Record<string, unknown>;
    if (typeof t.dtype !== "string" || !SIZE.has(t.dtype)) {
      fail(`tensor ${q(name)}: unsupported dtype ${JSON.stringify(t.dtype)} (supported: ${SUPPORTED})`);
    }
    const dtype = t.dtype as DType, size = SIZE.get(dtype)!;
    if (!Array.isArray(t.shape)) fail(`tensor ${q(name)}: shape must be an array`);
    for (const d of t.shape) {
      if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
        fail(`tensor ${q(name)}: shape [${t.shape}] has a dimension that is not a non-negative integer`);
      }
    }
    // the element count, bounded by the file as it grows (a zero dimension makes it 0)
    let count = (t.shape as number[]).includes(0) ? 0 : 1;
    for (const d of t.shape as number[]) {
      if (count === 0) break;
      count *= d;
      if (count > dataLen) fail(`tensor ${q(name)}: shape [${t.shape}] needs more bytes than the file holds`);
    }
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2
      || !off.every((v) => typeof v === "number" && Number.isInteger(v) && v >= 0)) {
      fail(`tensor ${q(name)}: data_offsets must be two non-negative integers`);
    }
    const [begin, end] = off as number[];
    if (begin > end || end > dataLen) {
      fail(`tensor ${q(name)}: data_offsets [${begin}, ${end}] out of range (data section is ${dataLen} bytes)`);
    }
    if (end - begin !== count * size) {
      fail(
        `tensor ${q(name)}: shape [${t.shape}] of ${dtype} needs ${count * size} bytes, data_offsets give ${
          end - begin
        }`,
      );
    }
    entries.push({ name, dtype, shape: t.shape as number[], begin, end });
  }
  // offsets must tile the data section exactly: no overlap, no gap
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin < pos) fail(`tensor ${q(e.name)}: data_offsets [${e.begin}, ${e.end}] overlap another tensor`);
    if (e.begin > pos) {
      fail(
        `tensor ${
          q(e.name)
        }: gap before data_offsets [${e.begin}, ${e.end}] (bytes ${pos}..${e.begin} belong to no tensor)`,
      );
    }
    pos = e.end;
  }
  if (pos !== dataLen) fail(`data section is ${dataLen} bytes but the tensors cover ${pos}`);
  const tensors: ReadResult["tensors"] = Object.create(null);
  for (const e of entries) {
    const size = SIZE.get(e.dtype)!;
    const src = new DataView(bytes.buffer, bytes.byteOffset + dataStart + e.begin, e.end - e.begin);
    const count = (e.end - e.begin) / size;
    let data: Float32Array | Float64Array | Int32Array;
    if (e.dtype === "I32") {
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = src.getInt32(4 * i, true);
    } else if (e.dtype === "F64" && keep64) {
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = src.getFloat64(8 * i, true);
    } else {
      const f = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        f[i] = e.dtype === "F32"
          ? src.getFloat32(4 * i, true)
          : e.dtype === "F64"
          ? src.getFloat64(8 * i, true)
          : e.dtype === "F16"
          ? f16ToF32(src.getUint16(2 * i, true))
          : (u32[0] = src.getUint16(2 * i, true) << 16, f32[0]);
      }
      data = f;
    }
    define(tensors, e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}
