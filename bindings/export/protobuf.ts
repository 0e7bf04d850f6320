// A small Protocol Buffers writer (proto3 wire format): varints, 64-bit integers (negative ones as
// ten-byte two's complement), fixed32 floats, length-delimited strings, bytes and nested messages,
// and packed repeated floats and integers. Enough to write the messages of an ONNX model; it reads
// nothing and knows no schema: the caller names each field by its number.

/** Wire types of the protobuf encoding. */
const VARINT = 0, FIXED32 = 5, LENGTH = 2;

const utf8 = new TextEncoder();

/** Builds one message's bytes field by field; finish() returns them. */
export class ProtoWriter {
  /** Finished pieces (large byte fields go in whole), then the small bytes not yet flushed. */
  readonly #parts: Uint8Array[] = [];
  #small: number[] = [];
  #length = 0;

  #flush(): void {
    if (this.#small.length) {
      this.#parts.push(Uint8Array.from(this.#small));
      this.#small = [];
    }
  }

  #byte(b: number): void {
    this.#small.push(b);
    this.#length++;
  }

  #raw(bytes: Uint8Array): void {
    if (bytes.length < 64) {
      for (let i = 0; i < bytes.length; i++) this.#small.push(bytes[i]);
    } else {
      this.#flush();
      this.#parts.push(bytes);
    }
    this.#length += bytes.length;
  }

  /** An unsigned or signed integer as a varint: a negative value is its 64-bit two's complement
   *  (ten bytes), as protobuf writes int32 and int64. Must be an integer within ±2^53. */
  #varint(n: number): void {
    if (!Number.isSafeInteger(n)) throw new RangeError(`protobuf: ${n} is not an integer within ±2^53`);
    let v = n < 0 ? (1n << 64n) + BigInt(n) : BigInt(n);
    while (v >= 0x80n) {
      this.#byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#byte(Number(v));
  }

  #tag(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  /** A varint field (int32, int64, uint64, enum, bool as 0/1). */
  int(field: number, n: number): this {
    this.#tag(field, VARINT);
    this.#varint(n);
    return this;
  }

  /** A float field (fixed32, little-endian IEEE 754 single). */
  float(field: number, x: number): this {
    this.#tag(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, x, true);
    this.#raw(b);
    return this;
  }

  /** A bytes field, or a nested message's finished bytes. */
  bytes(field: number, b: Uint8Array): this {
    this.#tag(field, LENGTH);
    this.#varint(b.length);
    this.#raw(b);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** A nested message. */
  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** A packed repeated float field (fixed32 each). */
  packedFloats(field: number, xs: ArrayLike<number>): this {
    const b = new Uint8Array(4 * xs.length), v = new DataView(b.buffer);
    for (let i = 0; i < xs.length; i++) v.setFloat32(4 * i, xs[i], true);
    return this.bytes(field, b);
  }

  /** A packed repeated varint field (int64 values, negative ones in ten bytes). */
  packedInts(field: number, ns: ArrayLike<number>): this {
    const w = new ProtoWriter();
    for (let i = 0; i < ns.length; i++) w.#varint(ns[i]);
    return this.bytes(field, w.finish());
  }

  /** The message's bytes so far. */
  finish(): Uint8Array {
    this.#flush();
    if (this.#parts.length === 1) return this.#parts[0];
    const out = new Uint8Array(this.#length);
    let o = 0;
    for (const p of this.#parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
