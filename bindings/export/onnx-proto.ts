// The messages of an ONNX model (onnx.proto, proto2) that the exporter writes, over ProtoWriter:
// ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto (raw little-endian data) and
// ValueInfoProto with tensor types. Fields go out in field-number order and repeated scalars
// unpacked where onnx.proto does not ask for packing, as onnx's own serializer writes them, so that
// onnx.load(...).SerializeToString() gives back the same bytes.
import { ProtoWriter } from "./protobuf.js";

/** TensorProto.DataType values. */
export const FLOAT = 1, INT32 = 6, INT64 = 7, DOUBLE = 11;

/** AttributeProto.AttributeType values. */
const A_FLOAT = 1, A_INT = 2, A_STRING = 3, A_FLOATS = 6, A_INTS = 7, A_STRINGS = 8;

/** A node attribute: exactly one of the value fields. */
export type Attribute = { name: string; i: number } | { name: string; f: number } | { name: string; s: string } | {
  name: string;
  ints: readonly number[];
} | { name: string; floats: readonly number[] } | { name: string; strings: readonly string[] };

/** An initializer: a named constant tensor. */
export interface Tensor {
  name: string;
  type: typeof FLOAT | typeof INT32 | typeof INT64;
  dims: readonly number[];
  /** The values, row-major (INT64 from plain numbers within ±2^53). */
  data: Float32Array | Int32Array | readonly number[];
}

/** A graph input or output: a tensor with an element type and a shape whose dims are sizes or
 *  named symbols (dynamic). */
export interface ValueInfo {
  name: string;
  type: typeof FLOAT | typeof INT32 | typeof INT64 | typeof DOUBLE;
  shape: readonly (number | string)[];
}

export interface Node {
  op: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: readonly Attribute[];
}

export interface Graph {
  name: string;
  nodes: readonly Node[];
  initializers: readonly Tensor[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

export interface ModelInfo {
  irVersion: number;
  opset: number;
  producerName: string;
  docString: string;
  /** metadata_props, in this order. */
  metadata: readonly [string, string][];
}

function attribute(a: Attribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ("f" in a) return w.float(2, a.f).int(20, A_FLOAT);
  if ("i" in a) return w.int(3, a.i).int(20, A_INT);
  if ("s" in a) return w.string(4, a.s).int(20, A_STRING);
  if ("floats" in a) {
    for (const x of a.floats) w.float(7, x);
    return w.int(20, A_FLOATS);
  }
  if ("ints" in a) {
    for (const n of a.ints) w.int(8, n);
    return w.int(20, A_INTS);
  }
  for (const s of a.strings) w.string(9, s);
  return w.int(20, A_STRINGS);
}

function node(n: Node): ProtoWriter {
  const w = new ProtoWriter();
  for (const s of n.inputs) w.string(1, s);
  for (const s of n.outputs) w.string(2, s);
  w.string(3, n.name).string(4, n.op);
  for (const a of n.attributes) w.message(5, attribute(a));
  return w;
}

/** The little-endian bytes of a tensor's values. */
function rawData(t: Tensor): Uint8Array {
  const n = t.data.length, size = t.type === INT64 ? 8 : 4, b = new Uint8Array(n * size), v = new DataView(b.buffer);
  for (let i = 0; i < n; i++) {
    const x = t.data[i];
    if (t.type === FLOAT) v.setFloat32(4 * i, x, true);
    else if (t.type === INT32) v.setInt32(4 * i, x, true);
    else v.setBigInt64(8 * i, BigInt(x), true);
  }
  return b;
}

function tensor(t: Tensor): ProtoWriter {
  const expected = t.dims.reduce((a, d) => a * d, 1);
  if (expected !== t.data.length) {
    throw new Error(
      `recurrent-wasm: internal error: ONNX initializer ${t.name} has ${t.data.length} values for dims [${t.dims}]`,
    );
  }
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  return w.int(2, t.type).string(8, t.name).bytes(9, rawData(t));
}

function valueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    shape.message(1, typeof d === "number" ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  }
  const tensorType = new ProtoWriter().int(1, v.type).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function graph(g: Graph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, node(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensor(t));
  for (const v of g.inputs) w.message(11, valueInfo(v));
  for (const v of g.outputs) w.message(12, valueInfo(v));
  return w;
}

/** The bytes of a ModelProto holding `g` (default domain, one opset import). */
export function modelProto(g: Graph, info: ModelInfo): Uint8Array {
  const w = new ProtoWriter().int(1, info.irVersion).string(2, info.producerName).string(6, info.docString).message(7,
    graph(g)).message(8, new ProtoWriter().string(1, "").int(2, info.opset));
  for (const [k, v] of info.metadata) w.message(14, new ProtoWriter().string(1, k).string(2, v));
  return w.finish();
}
