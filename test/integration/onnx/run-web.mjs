// Runs the ONNX models that test/integration/onnx.test.ts wrote in onnxruntime-web (its wasm
// backend, in Node, one thread), in one process.
// usage: node run-web.mjs MANIFEST.json  (prints one JSON object to stdout)
// For every entry of manifest.run: an InferenceSession on the model's bytes, the output "y"
// written as raw float32. Failures are reported by name, never thrown.
import { readFileSync, writeFileSync } from "node:fs";
import * as ort from "onnxruntime-web";

const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array };

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";
const manifest = JSON.parse(readFileSync(process.argv[2], "utf8"));
const version =
  JSON.parse(readFileSync(new URL("node_modules/onnxruntime-web/package.json", import.meta.url), "utf8")).version;
const out = { versions: { "onnxruntime-web": version }, run: {} };
for (const c of manifest.run) {
  try {
    const session = await ort.InferenceSession.create(readFileSync(c.model), { executionProviders: ["wasm"] });
    const feeds = {};
    for (const [name, spec] of Object.entries(c.inputs)) {
      const b = readFileSync(spec.file);
      const data = new ARRAYS[spec.dtype](b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      feeds[name] = new ort.Tensor(spec.dtype, data, spec.shape);
    }
    const { y } = await session.run(feeds);
    writeFileSync(c.output, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
    out.run[c.name] = { shape: y.dims, backend: "wasm" };
    await session.release();
  } catch (e) {
    out.run[c.name] = { error: String((e && e.message) || e) };
  }
}
process.stdout.write(JSON.stringify(out));
