// The safetensors format (Hugging Face): u64 little-endian header length N, N bytes of JSON
// header { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { str: str } },
// then the raw little-endian tensor bytes. `read` treats its input as hostile: it checks every
// field before it allocates, allocates at most the size of the input, and names the problem.

export type DType = "F32" | "F64" | "F16" | "BF16" | "I32";
export interface Tensor { dtype: DType; shape: number[]; data: Float32Array | Float64Array | Int32Array | Uint16Array }
export interface ReadResult { tensors: Record<string, { dtype: DType; shape: number[]; data: Float32Array | Int32Array }>; metadata: Record<string, string> }

const SIZE: Record<DType, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I32: 4 };
const MAX_HEADER = 100 * 1024 * 1024;

function fail(msg: string): never { throw new Error(`safetensors: ${msg}`); }

/** Serialize tensors (and optional string metadata) to safetensors bytes. Tensors are written in
 *  the order given, 8-byte aligned by padding the header with spaces. */
export function write(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== "string") fail(`metadata ${JSON.stringify(k)} must be a string, got ${typeof v}`);
    header.__metadata__ = metadata;
  }
  let off = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__") fail(`"__metadata__" is not a valid tensor name`);
    const size = SIZE[t.dtype];
    if (!size) fail(`tensor ${JSON.stringify(name)}: unknown dtype ${JSON.stringify(t.dtype)}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) fail(`tensor ${JSON.stringify(name)}: shape [${t.shape}] has ${count} elements, data has ${t.data.length}`);
    let bytes: Uint8Array;
    if (t.dtype === "F32") bytes = new Uint8Array(Float32Array.from(t.data as ArrayLike<number>).buffer);
    else if (t.dtype === "F64") bytes = new Uint8Array(Float64Array.from(t.data as ArrayLike<number>).buffer);
    else if (t.dtype === "I32") bytes = new Uint8Array(Int32Array.from(t.data as ArrayLike<number>).buffer);
    else bytes = new Uint8Array(Uint16Array.from(t.data as ArrayLike<number>).buffer);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + bytes.length] };
    parts.push(bytes);
    off += bytes.length;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  const pad = (8 - (hb.length % 8)) % 8;
  if (pad) { json += " ".repeat(pad); hb = enc.encode(json); }
  const out = new Uint8Array(8 + hb.length + off);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, hb.length, true);
  dv.setUint32(4, 0, true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const b of parts) { out.set(b, p); p += b.length; }
  return out;
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Parse safetensors bytes. F32 and I32 tensors come back as Float32Array / Int32Array; F64, F16
 *  and BF16 are converted to Float32Array. Throws an Error naming the tensor and the problem for
 *  any malformed input. */
export function read(bytes: Uint8Array): ReadResult {
  if (!(bytes instanceof Uint8Array)) fail(`input must be a Uint8Array, got ${bytes === null ? "null" : typeof bytes}`);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true), hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (n > MAX_HEADER) fail(`header length ${n} is absurdly large (limit ${MAX_HEADER})`);
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) fail(`header must be a JSON object`);
  const dataStart = 8 + n, dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail(`__metadata__ must be an object of strings`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__ ${JSON.stringify(k)} must be a string, got ${typeof v}`);
        metadata[k] = v;
      }
      continue;
    }
    const q = JSON.stringify(name);
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail(`tensor ${q}: entry must be an object`);
    const t = raw as Record<string, unknown>;
    if (typeof t.dtype !== "string" || !(t.dtype in SIZE)) fail(`tensor ${q}: unsupported dtype ${JSON.stringify(t.dtype)} (supported: ${Object.keys(SIZE).join(", ")})`);
    const dtype = t.dtype as DType;
    if (!Array.isArray(t.shape)) fail(`tensor ${q}: shape must be an array`);
    let count = 1;
    for (const d of t.shape) {
      if (typeof d !== "number" || !Number.isInteger(d) || d < 0) fail(`tensor ${q}: shape [${t.shape}] has a dimension that is not a non-negative integer`);
      count *= d;
      if (count > dataLen) fail(`tensor ${q}: shape [${t.shape}] needs more bytes than the file holds`);
    }
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((v) => typeof v === "number" && Number.isInteger(v) && v >= 0)) {
      fail(`tensor ${q}: data_offsets must be two non-negative integers`);
    }
    const [begin, end] = off as number[];
    if (begin > end || end > dataLen) fail(`tensor ${q}: data_offsets [${begin}, ${end}] out of range (data section is ${dataLen} bytes)`);
    if (end - begin !== count * SIZE[dtype]) fail(`tensor ${q}: shape [${t.shape}] of ${dtype} needs ${count * SIZE[dtype]} bytes, data_offsets give ${end - begin}`);
    entries.push({ name, dtype, shape: t.shape as number[], begin, end });
  }
  // offsets must tile the data section exactly: no overlap, no gap
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin < pos) fail(`tensor ${JSON.stringify(e.name)}: data_offsets [${e.begin}, ${e.end}] overlap another tensor`);
    if (e.begin > pos) fail(`tensor ${JSON.stringify(e.name)}: gap before data_offsets [${e.begin}, ${e.end}] (bytes ${pos}..${e.begin} belong to no tensor)`);
    pos = e.end;
  }
  if (pos !== dataLen) fail(`data section is ${dataLen} bytes but the tensors cover ${pos}`);
  const tensors: ReadResult["tensors"] = {};
  for (const e of entries) {
    const src = new DataView(bytes.buffer, bytes.byteOffset + dataStart + e.begin, e.end - e.begin);
    const count = (e.end - e.begin) / SIZE[e.dtype];
    let data: Float32Array | Int32Array;
    if (e.dtype === "I32") {
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = src.getInt32(4 * i, true);
    } else {
      const f = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        f[i] = e.dtype === "F32" ? src.getFloat32(4 * i, true)
          : e.dtype === "F64" ? src.getFloat64(8 * i, true)
          : e.dtype === "F16" ? f16ToF32(src.getUint16(2 * i, true))
          : new Float32Array(new Uint32Array([src.getUint16(2 * i, true) << 16]).buffer)[0];
      }
      data = f;
    }
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data };
  }
  return { tensors, metadata };
}
