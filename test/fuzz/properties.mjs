// Property-based fuzzing of the public API (fast-check). Every property generates a call with
// valid and certainly-invalid arguments and checks the one invariant:
//   - if every argument is valid, the call returns a correct result (shapes, finiteness, and the
//     same bits whether the arrays are plain, views at a byte offset, or SharedArrayBuffer-backed);
//   - otherwise it throws a TypeError, RangeError or Error whose message starts with the call's
//     name and names one of the invalid arguments;
//   - after every throw, the object it was called on and a canary model elsewhere in the same
//     memory are bitwise unchanged (weights and outputs).
// Used by test/fuzz/fuzz.test.ts (fixed seed, about a minute) and scripts/fuzz.mjs (longer, any seed).
import fc from "fast-check";
import { arg, badCount, floats, floatsOrBad, junk, options, place } from "./arbitraries.mjs";

const bitsOf = (a) => Array.from(new Uint32Array(Float32Array.from(a).buffer)).join(",");
const flatOf = (m) => bitsOf(m.parameters.flat());
const allFinite = (a) => Array.prototype.every.call(a, Number.isFinite);
const plain = (a) => (a instanceof Float32Array ? Float32Array.from(a) : a);
function must(cond, msg) {
  if (!cond) throw new Error(`invariant: ${msg}`);
}

/** A model elsewhere in the same memory whose weights and outputs must never change. */
export function makeCanary(R) {
  const model = new R.Model({ cell: "lstm", inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true,
    outputSize: 2, seed: 42 });
  const x = [Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)),
    Float32Array.from({ length: 6 }, (_, i) => Math.cos(i))];
  const weights = flatOf(model), out = bitsOf(model.predict(x));
  return { check() {
    must(flatOf(model) === weights, "the canary's weights changed");
    must(bitsOf(model.predict(x)) === out, "the canary's outputs changed");
  },
    dispose() {
      model.dispose();
    } };
}

/** Outcomes so far: valid calls that returned a checked result, and invalid ones that threw. */
export const stats = { valid: 0, errors: 0 };

/** Run a call; check the invariant. `bads`: name lists of the invalid arguments; `target`: the
 *  module it acts on (weights must survive a throw); `verify(result)` checks a valid call. */
function expectOutcome(R, canary, where, bads, call, verify, target) {
  const before = target ? flatOf(target) : null;
  let result, err = null;
  try {
    result = call();
  } catch (e) {
    err = e;
  }
  if (err === null) {
    must(bads.length === 0, `${where} accepted invalid ${bads.map((b) => b[0]).join(", ")}`);
    verify?.(result);
    stats.valid++;
    return;
  }
  const cls = err?.constructor;
  must(cls === TypeError || cls === RangeError || cls === Error,
    `${where} threw ${cls?.name ?? typeof err}: ${err?.message ?? String(err)}`);
  const msg = err.message;
  must(bads.length > 0, `${where} threw on valid arguments: ${msg}`);
  must(msg.startsWith(`${where}: `) || msg.startsWith(`${where.split(".")[0]}: `),
    `message does not start with ${where}: ${msg}`);
  must(bads.some((names) => names.some((n) => msg.includes(n))),
    `message names none of ${JSON.stringify(bads)}: ${msg}`);
  must(!/internal error|Cannot read|is not a function|\.\.NaN|NaN\.\.|undefined\.\./.test(msg),
    `message leaks: ${msg}`);
  if (target) must(flatOf(target) === before, `${where} threw and changed the weights of the module it was called on`);
  canary.check();
  stats.errors++;
}

/** The same for an async call (fit). */
async function expectOutcomeAsync(R, canary, where, bads, call, verify, target) {
  const before = target ? flatOf(target) : null;
  let result, err = null;
  try {
    result = await call();
  } catch (e) {
    err = e;
  }
  return expectOutcome(R, canary, where, bads, () => {
    if (err) {
      if (target) must(flatOf(target) === before, `${where} rejected and changed the weights`);
      throw err;
    }
    return result;
  }, verify, null);
}

const cellArb = fc.constantFrom("rnn", "lstm", "gru");

// ---- layers: constructor, forward, backward, loadStateDict ---------------------------------------
function layerCase() {
  return fc.record({ cell: cellArb, I: fc.integer({ min: 1, max: 5 }), H: fc.integer({ min: 1, max: 6 }),
    L: fc.integer({ min: 1, max: 2 }), D: fc.boolean(), B: fc.integer({ min: 1, max: 3 }),
    T: fc.integer({ min: 1, max: 5 }), seed: fc.nat(1000) }).chain((s) => {
      const LD = s.L * (s.D ? 2 : 1), DH = (s.D ? 2 : 1) * s.H, lstm = s.cell === "lstm";
      const ctor = options("ctor", { inputSize: arg(["inputSize"], fc.constant(s.I), badCount()),
        hiddenSize: arg(["hiddenSize"], fc.constant(s.H), badCount()),
        numLayers: arg(["numLayers"], fc.constant(s.L), badCount(64)),
        bidirectional: arg(["bidirectional"], fc.constant(s.D), junk, fc.constant(1)),
        seed: arg(["seed"], fc.constant(s.seed), fc.constantFrom(-1, 0.5, 2 ** 32, "1")) }, { required: true });
      const lengths = fc.array(fc.integer({ min: 1, max: s.T }), { minLength: s.B, maxLength: s.B });
      const fwd = options("forward", { batch: arg(["batch"], fc.constant(s.B), badCount()),
        steps: arg(["steps"], fc.constant(s.T), badCount()),
        lengths: arg(["lengths"], fc.oneof(lengths, lengths.map((l) => Int32Array.from(l))),
          fc.constant(new Array(s.B + 1).fill(1)), fc.constant(new Array(s.B).fill(s.T + 1)),
          fc.constant(new Array(s.B).fill(0)), junk), h0: floatsOrBad(["h0"], LD * s.B * s.H),
        ...(lstm ? { c0: floatsOrBad(["c0"], LD * s.B * s.H) } : {}) }, { required: false });
      return fc.record({ s: fc.constant(s), ctor, fwd, x: floatsOrBad(["x"], s.B * s.T * s.I),
        grads: options("backward", { output: floatsOrBad(["grads.output"], s.B * s.T * DH),
          hN: floatsOrBad(["grads.hN"], LD * s.B * s.H),
          ...(lstm ? { cN: floatsOrBad(["grads.cN"], LD * s.B * s.H) } : {}) }),
        bwd: options("backward", { truncate: arg(["truncate"], fc.integer({ min: 1, max: 6 }), badCount()) }),
        dict: fc.constantFrom("same", "missing", "extra", "short", "nan", "array") });
    });
}

function layerProperty(R, canary) {
  const names = { rnn: "RNN", lstm: "LSTM", gru: "GRU" };
  return fc.property(layerCase(), ({ s, ctor, fwd, x, grads, bwd, dict }) => {
    const Cls = R[names[s.cell]], N = names[s.cell];
    let layer = null;
    expectOutcome(R, canary, N, ctor.bads, () => (layer = new Cls(ctor.value)),
      (l) => must(l.numParams > 0, "no parameters"));
    if (!layer) return;
    try {
      // batch/steps that are wrong make x, lengths and h0 wrong too: any of them may be named
      const fb = fwd.bads.map((b) => (b[0] === "batch" || b[0] === "steps" ? [...b, "x", "lengths", "h0", "c0"] : b));
      const fwdBads = [...fb, ...(x.bad ? [x.bad] : [])];
      const required = fwd.value && typeof fwd.value === "object"
        && (!("batch" in fwd.value) || !("steps" in fwd.value));
      if (required) fwdBads.push(["batch", "steps"]);
      let ok = null;
      expectOutcome(R, canary, `${N}.forward`, fwdBads, () => layer.forward(x.value, fwd.value), (r) => {
        const { B, T, H } = s, D = s.D ? 2 : 1;
        must(r.output.length === B * T * D * H && r.hN.length === s.L * D * B * H, "forward shapes");
        must(allFinite(r.output) && allFinite(r.hN), "forward output not finite");
        // the same call on plain copies gives the same bits
        const o2 = { ...fwd.value };
        for (const k of ["h0", "c0"]) if (o2[k]) o2[k] = plain(o2[k]);
        const again = layer.forward(plain(x.value), o2);
        must(bitsOf(again.output) === bitsOf(r.output), "views or shared memory changed the result");
        const len = fwd.value.lengths;
        if (len) {
          for (let b = 0; b < B; b++) {
            for (let t = len[b]; t < T; t++) {
              for (let j = 0; j < D * H; j++) {
                must(r.output[(b * T + t) * D * H + j] === 0, "output past a sequence's length is not zero");
              }
            }
          }
        }
        ok = r;
      }, layer);
      if (ok) {
        const gb = [...grads.bads, ...bwd.bads];
        expectOutcome(R, canary, `${N}.backward`, gb, () => layer.backward(grads.value, bwd.value), (d) => {
          must(d.x.length === s.B * s.T * s.I && allFinite(d.x), "backward dx");
          for (const g of Object.values(layer.grads())) must(allFinite(g), "gradients not finite");
        }, layer);
      }
      // loadStateDict with one defect (or none)
      const sd = layer.stateDict(), k = Object.keys(sd)[0];
      const bad = { missing: [k], extra: ["bogus"], short: [k], nan: [k], array: [k] }[dict] ?? null;
      if (dict === "missing") delete sd[k];
      if (dict === "extra") sd.bogus = new Float32Array(1);
      if (dict === "short") sd[k] = sd[k].subarray(1);
      if (dict === "nan") {
        sd[k] = sd[k].slice();
        sd[k][0] = NaN;
      }
      if (dict === "array") sd[k] = Array.from(sd[k]);
      expectOutcome(R, canary, `${N}.loadStateDict`, bad ? [bad] : [], () => layer.loadStateDict(sd), null, layer);
    } finally {
      layer.dispose();
    }
  });
}

// ---- Model: constructor and every data call -------------------------------------------------------
function modelCase() {
  return fc.record({ cell: cellArb, I: fc.integer({ min: 1, max: 4 }), H: fc.integer({ min: 1, max: 5 }),
    O: fc.integer({ min: 2, max: 3 }), loss: fc.constantFrom("mse", "crossentropy"),
    readout: fc.constantFrom("last", "sequence"), init: fc.constantFrom("zeros", "learned", 2),
    lens: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), tok: fc.boolean() }).chain((s) => {
      const n = s.lens.length, perClass = s.init === 2, V = s.I + 2;
      // token models (vocabSize V, embeddingSize I) read Int32Array ids, the others Float32Array rows
      const inputs = s.tok
        ? { vocabSize: arg(["vocabSize"], fc.constant(V), badCount(1 << 24)),
          embeddingSize: arg(["embeddingSize"], fc.constant(s.I), badCount()) }
        : { inputSize: arg(["inputSize"], fc.constant(s.I), badCount()) };
      const ids = (l) =>
        fc.array(fc.integer({ min: 0, max: V - 1 }), { minLength: l, maxLength: l }).map((a) => Int32Array.from(a));
      const x = s.tok
        ? arg(["data.x"], fc.tuple(...s.lens.map(ids)), fc.constant([]),
          fc.constant(s.lens.map((l, i) => new Int32Array(i === 0 ? 0 : l))),
          fc.constant(s.lens.map((l) => Int32Array.from({ length: l }, (_, t) => (t === l - 1 ? V : 0)))),
          fc.constant(s.lens.map((l) => new Float32Array(l * s.I))), junk)
        : arg(["data.x"], fc.tuple(...s.lens.map((l) => floats(l * s.I))), fc.constant([]),
          fc.constant(s.lens.map((l, i) => new Float32Array(i === 0 ? 0 : l * s.I))), fc.constant(s.lens.map((l) => {
            const a = new Float32Array(l * s.I);
            a[0] = NaN;
            return a;
          })), fc.constant(s.lens.map((l) => new Int32Array(l))), junk);
      const config = options("Model", { cell: arg(["cell"], fc.constant(s.cell), fc.constantFrom("cnn", "", 1)),
        ...inputs, hiddenSize: arg(["hiddenSize"], fc.constant(s.H), badCount()),
        outputSize: arg(["outputSize"], fc.constant(s.O), badCount()),
        loss: arg(["loss"], fc.constant(s.loss), fc.constantFrom("mae", null)),
        readout: arg(["readout"], fc.constant(s.readout), fc.constantFrom("first", 0)),
        initialState: arg(["initialState"], fc.constant(perClass ? { perClass: 2 } : s.init),
          fc.constantFrom("random", { perClass: 0 }, { perClass: 1.5 }, { perclass: 2 })),
        ...Object.fromEntries(
          ["dropout", "inputDropout", "readoutDropout"].map((
            k,
          ) => [k, arg([k], fc.constantFrom(0, 0.3, 0.9), fc.constantFrom(1, -0.1, NaN, Infinity, "0.5", null))]),
        ) }, { required: true });
      const ce = s.loss === "crossentropy", seq = s.readout === "sequence";
      const yValid = seq
        ? fc.tuple(
          ...s.lens.map((l) => (ce
            ? fc.array(fc.integer({ min: 0, max: s.O - 1 }), { minLength: l, maxLength: l }).map((a) =>
              Int32Array.from(a)
            )
            : floats(l * s.O))
          ),
        )
        : ce
        ? fc.array(fc.integer({ min: 0, max: s.O - 1 }), { minLength: n, maxLength: n }).map((a) => Int32Array.from(a))
        : floats(n * s.O);
      const yBad = seq
        ? [fc.constant(new Float32Array(n * s.O)), junk]
        : ce
        ? [fc.constant(Int32Array.from({ length: n }, () => s.O)), fc.constant(new Float32Array(n)), junk]
        : [fc.constant(new Float32Array(n * s.O + 1)), junk];
      const data = fc.record({ x, y: arg(["data.y"], yValid, ...yBad),
        classes: perClass
          ? arg(["data.classes", "classes"],
            fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }).map((a) => Int32Array.from(a)),
            fc.constant(Int32Array.from({ length: n }, () => 2)), fc.constant(undefined), junk)
          : arg(["data.classes", "classes"], fc.constant(undefined), fc.constant(new Int32Array(n))) });
      return fc.constantFrom("predict", "evaluate", "trainBatch", "computeGradients", "gradientFlow").chain((method) =>
        fc.record({ s: fc.constant(s), config, data, method: fc.constant(method),
          opts: options("method",
            Object.fromEntries(
              Object.entries({ batchSize: arg(["batchSize"], fc.integer({ min: 1, max: 5 }), badCount(Infinity)),
                truncate: arg(["truncate"], fc.integer({ min: 1, max: 5 }), badCount(Infinity)),
                clipNorm: arg(["clipNorm"], fc.double({ min: 0.01, max: 10, noNaN: true }),
                  fc.constantFrom(0, -1, NaN, Infinity)) }).filter(([k]) => ALLOWED[method].includes(k)),
            )), optimizer: arg(["optimizer"], fc.constantFrom("adam", "sgd"), fc.constantFrom({}, null, "adam!")) })
      );
    });
}

const ALLOWED = { predict: ["batchSize"], evaluate: ["batchSize"], trainBatch: ["clipNorm", "truncate"],
  computeGradients: ["truncate"], gradientFlow: ["truncate"] };
const bitsAny = (r) => (Array.isArray(r) ? r.map(bitsOf).join("|") : bitsOf(r));

function modelProperty(R, canary) {
  return fc.property(modelCase(), ({ s, config, data, method, opts, optimizer }) => {
    let model = null;
    expectOutcome(R, canary, "Model", config.bads, () => (model = new R.Model(config.value)),
      (m) => must(m.numParams > 0, "no parameters"));
    if (!model) return;
    let opt = null;
    try {
      const d = { x: data.x.value };
      if (method !== "predict") d.y = data.y.value;
      if (data.classes.value !== undefined) d.classes = data.classes.value;
      const bads = [...opts.bads];
      if (data.x.bad) bads.push(["data.x", "data.y", "data.classes"]); // y and classes are judged against x
      if (method !== "predict" && data.y.bad) bads.push(data.y.bad);
      if (data.classes.bad) bads.push(data.classes.bad);
      if (method === "trainBatch") {
        opt = optimizer.value === "adam"
          ? new R.Adam()
          : optimizer.value === "sgd"
          ? new R.SGD({ learningRate: 0.01 })
          : optimizer.value;
        if (optimizer.bad) bads.push(optimizer.bad);
      }
      // predict takes the classes as an option
      const popts = d.classes !== undefined && opts.value && typeof opts.value === "object"
        ? { ...opts.value, classes: d.classes }
        : opts.value;
      const call =
        { predict: () => model.predict(d.x, popts), evaluate: () => model.evaluate(d, opts.value),
          trainBatch: () => model.trainBatch(d, opt, opts.value),
          computeGradients: () => model.computeGradients(d, opts.value),
          gradientFlow: () => model.gradientFlow(d, opts.value) }[method];
      expectOutcome(R, canary, `Model.${method}`, bads, call, (r) => {
        if (method === "predict") {
          must(Array.isArray(r) ? r.every(allFinite) : allFinite(r), "predictions not finite");
          // a model file of it reads back to the same predictions
          const m2 = R.Model.load(model.save());
          try {
            must(bitsAny(m2.predict(d.x, popts)) === bitsAny(r), "save/load changed predictions");
          } finally {
            m2.dispose();
          }
        } else if (method === "evaluate") must(Number.isFinite(r.loss), "loss not finite");
        else if (method === "trainBatch") {
          must(Number.isFinite(r.loss) && allFinite(model.parameters.flat()), "trainBatch");
        } else if (method === "computeGradients") must(Number.isFinite(r), "computeGradients");
        else must(Number.isFinite(r.loss) && allFinite(r.dh), "gradientFlow");
      }, model);
    } finally {
      if (opt && typeof opt.dispose === "function") opt.dispose();
      model.dispose();
    }
  });
}

// ---- optimizers ------------------------------------------------------------------------------------
function optimizerProperty(R, canary) {
  const adamOpts = options("Adam", {
    learningRate: arg(["learningRate"], fc.double({ min: 1e-4, max: 0.1, noNaN: true }),
      fc.constantFrom(0, -1, NaN, Infinity, "0.1")),
    beta1: arg(["beta1"], fc.double({ min: 0, max: 0.99, noNaN: true }), fc.constantFrom(1, -0.1, NaN)),
    beta2: arg(["beta2"], fc.double({ min: 0, max: 0.999, noNaN: true }), fc.constantFrom(1, 2, NaN)),
    epsilon: arg(["epsilon"], fc.double({ min: 1e-10, max: 1e-6, noNaN: true }), fc.constantFrom(0, -1)),
    weightDecay: arg(["weightDecay"], fc.double({ min: 0, max: 0.1, noNaN: true }), fc.constantFrom(-1, NaN)),
  });
  const sgdOpts = options("SGD", {
    learningRate: arg(["learningRate"], fc.double({ min: 1e-4, max: 0.1, noNaN: true }), fc.constantFrom(0, -1, NaN)),
    momentum: arg(["momentum"], fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.constantFrom(-1, NaN)),
    nesterov: arg(["nesterov"], fc.boolean(), fc.constantFrom(1, "yes")),
  });
  const target = fc.constantFrom("layer", "model", "disposed", "object", "null");
  return fc.property(fc.constantFrom("Adam", "SGD"), adamOpts, sgdOpts, target, fc.integer({ min: 1, max: 3 }),
    (kind, ao, so, tgt, steps) => {
      const o = kind === "Adam" ? ao : so;
      // nesterov needs momentum > 0
      if (kind === "SGD" && so.value && typeof so.value === "object" && so.value.nesterov === true
        && !(so.value.momentum > 0)) o.bads.push(["nesterov", "momentum"]);
      let opt = null;
      expectOutcome(R, canary, kind, o.bads, () => (opt = new R[kind](o.value)));
      if (!opt) return;
      const layer = new R.GRU({ inputSize: 2, hiddenSize: 3, seed: 3 });
      const model = new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, seed: 3 });
      const dead = new R.RNN({ inputSize: 1, hiddenSize: 1 });
      dead.dispose();
      try {
        layer.forward(new Float32Array(2 * 2 * 2).fill(0.3), { batch: 2, steps: 2 });
        layer.backward({ hN: new Float32Array(6).fill(1) });
        model.computeGradients({ x: [new Float32Array(4).fill(0.5)], y: Float32Array.of(1) });
        const m = { layer, model, disposed: dead, object: {}, null: null }[tgt];
        const bads = tgt === "layer" || tgt === "model" ? [] : [["module", "parameters", "disposed"]];
        for (let k = 0; k < steps; k++) {
          expectOutcome(R, canary, `${kind}.step`, bads, () => opt.step(m),
            () => must(allFinite(m.parameters.flat()) && opt.stepCount(m) === k + 1, "step"),
            bads.length ? null : undefined);
        }
        expectOutcome(R, canary, "clipGradNorm", bads, () => R.clipGradNorm(m, 0.5),
          (n) => must(Number.isFinite(n) && n >= 0, "norm"));
      } finally {
        opt.dispose();
        layer.dispose();
        model.dispose();
      }
    });
}

// ---- safetensors write: names are data, shapes and dtypes are checked, values round-trip -------------
function half(x) {
  const f = new Float32Array([x]), b = new Uint32Array(f.buffer)[0];
  const e = (b >>> 23) & 0xff;
  if (e === 0xff) return x;
  // the nearest half, by brute force over the two neighbours of a coarse rounding
  if (Math.abs(x) >= 65520) return Math.sign(x) * Infinity;
  const ulp = Math.abs(x) < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(Math.abs(x))) - 10);
  const lo = Math.floor(x / ulp) * ulp, hi = lo + ulp;
  const dl = x - lo, dh = hi - x;
  const r = dl < dh ? lo : dh < dl ? hi : ((lo / ulp) % 2 === 0 ? lo : hi);
  return r === 0 ? (Object.is(x, -0) || x < 0 ? -0 : 0) : r;
}

function writeProperty(R, canary) {
  const name = fc.oneof(
    fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "a", "w.b", "", "__metadata__"),
    fc.string({ maxLength: 6 }),
  );
  const dims = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 });
  const tensor = fc.record({ dtype: fc.constantFrom("F32", "F32", "F64", "F16", "BF16", "I32", "toString", "F8"),
    shape: fc.oneof({ weight: 6, arbitrary: dims }, { weight: 1,
      arbitrary: fc.constantFrom([-1], [0.5, 2], "3", null) }), extra: fc.integer({ min: -1, max: 1 }),
    kind: fc.constantFrom("f32", "f64", "i32", "array", "shared", "junk"),
    values: fc.array(
      fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -70000, max: 70000, noNaN: true })),
      { minLength: 30, maxLength: 30 },
    ) });
  return fc.property(fc.uniqueArray(fc.tuple(name, tensor), { maxLength: 4, selector: ([n]) => n }), (list) => {
    const tensors = Object.create(null), bads = [];
    for (const [n, t] of list) {
      const count = Array.isArray(t.shape) ? t.shape.reduce((a, b) => a * b, 1) : 1;
      const len = Math.max(0,
        (Number.isFinite(count) ? count : 1)
          + (Array.isArray(t.shape) && t.shape.every((d) => Number.isInteger(d) && d >= 0) ? t.extra : 0));
      const v = t.values.slice(0, len).concat(new Array(Math.max(0, len - 30)).fill(0));
      const data =
        { f32: Float32Array.from(v), f64: Float64Array.from(v), i32: Int32Array.from(v), array: v,
          shared: place(v, "shared"), junk: "abc" }[t.kind];
      Object.defineProperty(tensors, n, { value: { dtype: t.dtype, shape: t.shape, data }, enumerable: true });
      const shapeOk = Array.isArray(t.shape) && t.shape.every((d) => Number.isInteger(d) && d >= 0);
      const intsOk = t.dtype !== "I32"
        || (t.kind !== "junk" && Array.from(data).every((x) => Number.isInteger(x) && Math.abs(x) < 2 ** 31));
      const sizeOk = shapeOk && data.length === count;
      if (n === "__metadata__" || !["F32", "F64", "F16", "BF16", "I32"].includes(t.dtype) || !shapeOk || !sizeOk
        || t.kind === "junk" || !intsOk) bads.push([JSON.stringify(n), "__metadata__"]);
    }
    expectOutcome(R, canary, "safetensors", bads, () => R.safetensors.write(tensors), (bytes) => {
      const r = R.safetensors.read(bytes);
      must(Object.keys(r.tensors).join("\0") === Object.keys(tensors).join("\0"), "names or order changed");
      for (const [n, t] of list) {
        const got = Object.getOwnPropertyDescriptor(r.tensors, n).value;
        must(got.shape.join() === t.shape.join(), `shape of ${n}`);
        const src = Array.from(tensors[n].data);
        const want = src.map((
          x,
        ) => (t.dtype === "F16"
          ? half(Math.fround(x))
          : t.dtype === "I32"
          ? x
          : t.dtype === "BF16"
          ? got.data[0] * 0 + bf16(x)
          : Math.fround(x))
        );
        for (let i = 0; i < want.length; i++) {
          must(Object.is(got.data[i], want[i]) || got.data[i] === want[i],
            `${n}[${i}] (${t.dtype}): ${got.data[i]} != ${want[i]} from ${src[i]}`);
        }
      }
    });
  });
}

function bf16(x) {
  const f = new Float32Array([x]), u = new Uint32Array(f.buffer);
  const b = u[0], r = ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) << 16;
  u[0] = r;
  return f[0];
}

// ---- safetensors read and Model.load: byte-level mutations of valid files ----------------------------
function readProperty(R, canary) {
  const seeds = [];
  const m = new R.Model({ cell: "gru", inputSize: 2, hiddenSize: 3, outputSize: 1, initialState: "learned", seed: 5 });
  seeds.push(m.save({ note: "x" }));
  m.dispose();
  seeds.push(
    R.safetensors.write({ a: { dtype: "F16", shape: [2], data: [1, 2] },
      b: { dtype: "I32", shape: [1, 2], data: [3, 4] }, c: { dtype: "F64", shape: [], data: [0.5] } }, { k: "v" }),
  );
  const mutation = fc.oneof(fc.record({ op: fc.constant("set"), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant("cut"), at: fc.nat() }),
    fc.record({ op: fc.constant("insert"), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
    fc.record({ op: fc.constant("text"), at: fc.nat(),
      text: fc.constantFrom('"', "{", "}", ",", "-1", "1e9", '"__proto__"', '"F16"', "null", "[]", "9999999999") }));
  return fc.property(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, muts) => {
    let b = Array.from(seeds[which]);
    for (const mu of muts) {
      const at = mu.at % (b.length + 1);
      if (mu.op === "set" && b.length) b[at % b.length] = mu.byte;
      else if (mu.op === "cut") b = b.slice(0, at);
      else if (mu.op === "insert") b.splice(at, 0, ...mu.bytes);
      else if (mu.op === "text") b.splice(at, 0, ...new TextEncoder().encode(mu.text));
    }
    const bytes = Uint8Array.from(b);
    const t0 = Date.now();
    // either reads (then every tensor is consistent) or says what is wrong; never another error
    let parsed = null;
    try {
      parsed = R.safetensors.read(bytes);
    } catch (e) {
      must(e.constructor === Error && e.message.startsWith("safetensors: "),
        `read threw ${e.constructor.name}: ${e.message}`);
    }
    if (parsed) {
      for (const t of Object.values(parsed.tensors)) {
        must(t.data.length === t.shape.reduce((a, c) => a * c, 1), "tensor size");
      }
    }
    let model = null;
    try {
      model = R.Model.load(bytes);
    } catch (e) {
      must(
        (e.constructor === Error || e.constructor === RangeError || e.constructor === TypeError)
          && /^(safetensors|Model\.load): /.test(e.message),
        `load threw ${e.constructor.name}: ${e.message}`,
      );
      must(!/internal error|Cannot read|is not a function/.test(e.message), e.message);
      canary.check();
    }
    if (model) {
      // it loaded: its weights are finite (Model.load rejects others), so are its predictions
      try {
        const p = model.predict([new Float32Array(model.config.inputSize * 2).fill(0.1)]);
        must(Array.isArray(p) ? p.every(allFinite) : allFinite(p), "a loaded model predicts non-finite values");
      } finally {
        model.dispose();
      }
    }
    must(Date.now() - t0 < 2000, "read or load took more than 2 s");
  });
}

// ---- diagnostics and linear algebra ------------------------------------------------------------------
function diagnosticsProperty(R, canary) {
  const names = { rnn: "RNN", lstm: "LSTM", gru: "GRU" };
  const cases = fc.record({ cell: cellArb, H: fc.integer({ min: 1, max: 4 }), L: fc.integer({ min: 1, max: 2 }),
    D: fc.boolean(), T: fc.integer({ min: 1, max: 4 }) }).chain((s) => {
      const LD = s.L * (s.D ? 2 : 1);
      return fc.record({ s: fc.constant(s), x: floatsOrBad(["x"], s.T * 2),
        o: options("jacobianProducts", { steps: arg(["steps", "x"], fc.constant(s.T), badCount()),
          layer: arg(["layer"], fc.integer({ min: 0, max: s.L - 1 }), fc.constantFrom(s.L, -1, 0.5, "0")),
          direction: arg(["direction"], fc.integer({ min: 0, max: s.D ? 1 : 0 }), fc.constantFrom(2, -1, "0")),
          h0: floatsOrBad(["h0"], LD * s.H),
          singularValues: arg(["singularValues"], fc.boolean(), fc.constantFrom(1, "no")),
          topK: arg(["topK"], fc.integer({ min: 1, max: s.H }), fc.constantFrom(0, s.H + 1, 1.5)) }),
        which: fc.constantFrom("layer", "layer", "object", "null"),
        rows: arg(["rows", "a"], fc.integer({ min: 1, max: 5 }), badCount(1 << 15)),
        cols: arg(["cols", "a"], fc.integer({ min: 1, max: 5 }), badCount(1 << 15)) });
    });
  return fc.property(cases, ({ s, x, o, which, rows, cols }) => {
    const layer = new R[names[s.cell]]({ inputSize: 2, hiddenSize: s.H, numLayers: s.L, bidirectional: s.D, seed: 1 });
    try {
      const l = { layer, object: {}, null: null }[which];
      const bads = [...o.bads, ...(x.bad ? [x.bad] : [])];
      if (o.value && typeof o.value === "object" && !("steps" in o.value)) bads.push(["steps"]);
      if (which !== "layer") bads.push(["layer"]);
      expectOutcome(R, canary, "jacobianProducts", bads, () => R.jacobianProducts(l, x.value, o.value), (r) => {
        must(r.products.length === s.T * s.H * s.H && allFinite(r.products), "jacobian products");
        if (r.singularValues) must(allFinite(r.singularValues), "singular values");
      }, layer);
      expectOutcome(R, canary, "weightSpectrum", which === "layer" ? [] : [["layer"]], () => R.weightSpectrum(l),
        (w) =>
          must(
            w.length === s.L * (s.D ? 2 : 1) * { rnn: 1, lstm: 4, gru: 3 }[s.cell]
              && w.every((e) => allFinite(e.singularValues) && Number.isFinite(e.spectralRadius)),
            "spectrum per layer, direction and gate",
          ));
      const M = rows.value, N = cols.value, ok = !rows.bad && !cols.bad;
      const a = Float32Array.from({ length: ok ? M * N : 6 }, (_, i) => Math.sin(i + s.H));
      expectOutcome(R, canary, "singularValues", [rows.bad, cols.bad].filter(Boolean), () => R.singularValues(a, M, N),
        (sv) => must(sv.length === Math.min(M, N) && allFinite(sv), "singular values"));
      if (ok && M === N) {
        expectOutcome(R, canary, "eigenvalues", [], () => R.eigenvalues(a, M),
          (e) => must(allFinite(e.re) && allFinite(e.im), "eigenvalues"));
      }
      expectOutcome(R, canary, "eigenvalues", [["a"]], () => R.eigenvalues(new Float32Array(s.H * s.H + 1), s.H));
    } finally {
      layer.dispose();
    }
  });
}

// ---- Model.fit (async): options, validation data, restoreBest, signal ---------------------------------
function fitProperty(R, canary) {
  const opts = options("Model.fit", { epochs: arg(["epochs"], fc.integer({ min: 1, max: 2 }), badCount(Infinity)),
    batchSize: arg(["batchSize"], fc.integer({ min: 1, max: 4 }), badCount(Infinity)),
    learningRate: arg(["learningRate"], fc.double({ min: 1e-3, max: 0.05, noNaN: true }),
      fc.constantFrom(0, -1, NaN, "0.1")),
    clipNorm: arg(["clipNorm"], fc.double({ min: 0.1, max: 5, noNaN: true }), fc.constantFrom(0, -1, NaN)),
    truncate: arg(["truncate"], fc.integer({ min: 1, max: 4 }), badCount(Infinity)),
    seed: arg(["seed"], fc.nat(100), fc.constantFrom(-1, 0.5, 2 ** 32)),
    shuffle: arg(["shuffle"], fc.boolean(), fc.constantFrom(1, "no")),
    validationSplit: arg(["validationSplit"], fc.constantFrom(0.25, 0.5), fc.constantFrom(-0.1, 0.95, NaN)),
    restoreBest: arg(["restoreBest"], fc.boolean(), fc.constantFrom(1, "yes")),
    optimizer: arg(["optimizer"], fc.constantFrom("adam", "sgd"), fc.constantFrom("rmsprop", {}, 1)),
    signal: arg(["signal"], fc.constantFrom("live", "aborted"), fc.constantFrom({}, "abort", 1)) });
  return fc.asyncProperty(opts, fc.integer({ min: 4, max: 8 }), async (o, n) => {
    const model = new R.Model({ cell: "gru", inputSize: 2, hiddenSize: 3, outputSize: 1, seed: 1 });
    try {
      const x = Array.from({ length: n },
        (_, i) => Float32Array.from({ length: 2 * (1 + (i % 3)) }, (_, j) => Math.sin(i + j)));
      const data = { x, y: Float32Array.from(x, (s) => s[0]) };
      const value = o.value && typeof o.value === "object" ? { ...o.value } : o.value;
      const bads = [...o.bads];
      let aborted = false;
      if (value && typeof value === "object") {
        if (value.signal === "live") value.signal = new AbortController().signal;
        else if (value.signal === "aborted") {
          value.signal = AbortSignal.abort();
          aborted = true;
        }
        // restoreBest needs validation data
        if (value.restoreBest === true && !(value.validationSplit > 0 && value.validationSplit <= 0.9)) {
          bads.push(["restoreBest", "validationSplit"]);
        }
      }
      const before = flatOf(model);
      let err = null, hist = null;
      try {
        hist = await model.fit(data, value);
      } catch (e) {
        err = e;
      }
      if (aborted && bads.length === 0) {
        // an aborted signal: a FitError before anything changed
        must(err instanceof R.FitError && err.kind === "aborted" && flatOf(model) === before,
          "an aborted fit must reject with FitError and change nothing");
        stats.valid++;
        return;
      }
      await expectOutcomeAsync(R, canary, "Model.fit", bads, async () => {
        if (err) throw err;
        return hist;
      }, (h) => {
        must(
          h.epoch.length === (value?.epochs ?? 10) && h.loss.every(Number.isFinite)
            && allFinite(model.parameters.flat()),
          "fit history",
        );
      });
      if (err) must(flatOf(model) === before, "a fit that rejected its arguments changed the weights");
    } finally {
      model.dispose();
    }
  });
}

// ---- NeuralODE: constructor, forward over shared or per-sequence grids, backward ------------------
function odeProperty(R, canary) {
  const cases = fc.record({ method: fc.constantFrom("euler", "midpoint", "rk4", "dopri5"),
    act: fc.constantFrom("tanh", "relu", "softplus"), timeInput: fc.boolean(), D: fc.integer({ min: 1, max: 4 }),
    hidden: fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 2 }), substeps: fc.integer({ min: 1, max: 3 }),
    B: fc.integer({ min: 1, max: 3 }), S: fc.integer({ min: 1, max: 4 }), perSeq: fc.boolean(),
    decreasing: fc.boolean() }).chain((s) => {
      const n = s.perSeq ? s.B * s.S : s.S;
      const grid = fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: n, maxLength: n }).map(
        (gaps) => {
          const t = new Float64Array(n);
          const rows = s.perSeq ? s.B : 1;
          for (let r = 0; r < rows; r++) {
            for (let i = 0; i < s.S; i++) {
              t[r * s.S + i] = (i === 0 ? r * 0.1 : t[r * s.S + i - 1]) + (i === 0 ? 0 : gaps[r * s.S + i]);
            }
          }
          if (s.decreasing) { for (let r = 0; r < rows; r++) t.subarray(r * s.S, (r + 1) * s.S).reverse(); }
          return t;
        },
      );
      return fc.record({ s: fc.constant(s),
        ctor: options("NeuralODE", {
          stateSize: arg(["stateSize"], fc.constant(s.D), badCount()),
          hidden: arg(["hidden"], fc.constant(s.hidden), fc.constantFrom([0], [1.5], "8", [-1])),
          activation: arg(["activation"], fc.constant(s.act), fc.constantFrom("gelu", 1)),
          timeInput: arg(["timeInput"], fc.constant(s.timeInput), fc.constantFrom(1, "no")),
          // net(h³) can blow up in finite time unless f is bounded (tanh hidden layers): that is a
          // RangeError or non-finite states by right, so the cube goes only where f is bounded
          inputMap: arg(["inputMap"],
            s.act === "tanh" && s.hidden.length > 0 ? fc.constantFrom("identity", "cube") : fc.constant("identity"),
            fc.constantFrom("square", 3)),
          method: arg(["method"], fc.constant(s.method), fc.constantFrom("rk45", "Dopri5", null)),
          rtol: arg(["rtol"], fc.constantFrom(1e-3, 1e-5), fc.constantFrom(0, -1, NaN)),
          substeps: arg(["substeps"], fc.constant(s.substeps), badCount()),
          gradient: arg(["gradient"], fc.constantFrom("backprop", "adjoint"), fc.constantFrom("adjoin", 0)),
          adjointNorm: arg(["adjointNorm"], fc.constantFrom("mixed", "seminorm"), fc.constantFrom("semi", true)),
          seed: arg(["seed"], fc.nat(100), fc.constantFrom(-1, 0.5)),
        }, { required: true }), h0: floatsOrBad(["h0"], s.B * s.D),
        times: arg(
          ["times"],
          grid,
          fc.constant(new Float64Array(0)),
          fc.constant(Float64Array.from({ length: s.B * s.S + s.S + 1 }, (_, i) => i)), // neither [S] nor [B, S]
          fc.constant(Float64Array.from({ length: n }, (_, i) => (i === Math.min(1, n - 1) ? NaN : i))),
          ...(s.S >= 2 ? [fc.constant(new Float64Array(n))] : []), // not strictly monotonic
          fc.constant([0, 1]),
          junk,
        ),
        fopts: options("NeuralODE.forward", { batch: arg(["batch", "h0", "times"], fc.constant(s.B), badCount()),
          steps: arg(["steps", "times"], fc.constant(s.S), badCount()) }, { required: true }),
        g: floatsOrBad(["grads.states"], s.B * s.S * s.D) });
    });
  return fc.property(cases, ({ s, ctor, h0, times, fopts, g }) => {
    let ode = null;
    const bads = [...ctor.bads];
    expectOutcome(R, canary, "NeuralODE", bads, () => (ode = new R.NeuralODE(ctor.value)),
      (o) => must(o.numParams > 0, "no parameters"));
    if (!ode) return;
    try {
      const fb = [...fopts.bads, ...(h0.bad ? [h0.bad] : []), ...(times.bad ? [times.bad] : [])];
      // a valid but too short grid for B = 1 in a per-sequence case is still a valid grid
      let ok = null;
      expectOutcome(R, canary, "NeuralODE.forward", fb, () => ode.forward(h0.value, times.value, fopts.value), (r) => {
        must(r.states.length === s.B * s.S * s.D && allFinite(r.states), "states");
        for (let b = 0; b < s.B; b++) {
          for (let k = 0; k < s.D; k++) {
            must(r.states[(b * s.S) * s.D + k] === h0.value[b * s.D + k], "states[b, 0] = h0[b]");
          }
        }
        const again = ode.forward(plain(h0.value), Float64Array.from(times.value), fopts.value);
        must(bitsOf(again.states) === bitsOf(r.states), "views changed the states");
        ok = r;
      }, ode);
      if (ok) {
        expectOutcome(R, canary, "NeuralODE.backward", g.bad ? [g.bad] : [], () => ode.backward({ states: g.value }),
          (d) => must(d.h0.length === s.B * s.D && allFinite(d.h0), "dh0"), ode);
      }
    } finally {
      ode.dispose();
    }
  });
}

// ---- Model with irregular times: cell odegru (ODE-RNN), GRU-Δt (timeGap), inputMask -----------------
// ---- NeuralStateSpace: constructor, simulate (u held over each sample), backward, save/load -----------
function stateSpaceProperty(R, canary) {
  const cases = fc.record({ method: fc.constantFrom("euler", "midpoint", "rk4"),
    act: fc.constantFrom("tanh", "relu", "softplus"), M: fc.integer({ min: 1, max: 3 }),
    D: fc.integer({ min: 1, max: 4 }), Y: fc.integer({ min: 1, max: 3 }),
    hidden: fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 2 }), substeps: fc.integer({ min: 1, max: 3 }),
    B: fc.integer({ min: 1, max: 3 }), T: fc.integer({ min: 1, max: 5 }), Ts: fc.constantFrom(0.1, 0.5, 1),
    x0: fc.boolean() }).chain((s) => {
      const n = s.B * s.T * s.M;
      const notRows = fc.integer({ min: 0, max: n + 5 }).filter((k) => k === 0 || k % (s.B * s.M) !== 0);
      return fc.record({ s: fc.constant(s),
        ctor: options("NeuralStateSpace", { inputSize: arg(["inputSize"], fc.constant(s.M), badCount()),
          stateSize: arg(["stateSize"], fc.constant(s.D), badCount()),
          outputSize: arg(["outputSize"], fc.constant(s.Y), badCount()),
          hidden: arg(["hidden"], fc.constant(s.hidden), fc.constantFrom([0], [1.5], "8", [-1])),
          activation: arg(["activation"], fc.constant(s.act), fc.constantFrom("gelu", 1)),
          method: arg(["method"], fc.constant(s.method), fc.constantFrom("dopri5", "Rk4", null)),
          substeps: arg(["substeps"], fc.constant(s.substeps), badCount()),
          sampleTime: arg(["sampleTime"], fc.constant(s.Ts), fc.constantFrom(0, -1, NaN, Infinity, "1")),
          seed: arg(["seed"], fc.nat(100), fc.constantFrom(-1, 0.5)) }, { required: true }),
        u: arg(["u"], floats(n), notRows.map((k) => new Float32Array(k)),
          fc.constant(Float64Array.from({ length: n }, () => 0.5)),
          fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constantFrom(NaN, Infinity, -Infinity)).map(([i, v]) => {
            const a = new Float32Array(n).fill(0.25);
            a[i] = v;
            return a;
          }), junk), x0: floatsOrBad(["x0"], s.B * s.D), batch: arg(["batch", "u"], fc.constant(s.B), badCount()),
        g: floatsOrBad(["grads.outputs"], s.B * s.T * s.Y) });
    });
  return fc.property(cases, ({ s, ctor, u, x0, batch, g }) => {
    let m = null;
    expectOutcome(R, canary, "NeuralStateSpace", [...ctor.bads], () => (m = new R.NeuralStateSpace(ctor.value)),
      (o) => must(o.numParams > 0, "no parameters"));
    if (!m) return;
    try {
      const opts = s.x0 ? { batch: batch.value, x0: x0.value } : { batch: batch.value };
      const bads = [...(u.bad ? [u.bad] : []), ...(batch.bad ? [batch.bad] : []), ...(s.x0 && x0.bad ? [x0.bad] : [])];
      let ok = null;
      expectOutcome(R, canary, "NeuralStateSpace.simulate", bads, () => m.simulate(u.value, opts), (r) => {
        must(r.outputs.length === s.B * s.T * s.Y && allFinite(r.outputs), "outputs");
        must(r.states.length === s.B * (s.T + 1) * s.D && allFinite(r.states), "states");
        for (let b = 0; b < s.B; b++) {
          for (let k = 0; k < s.D; k++) {
            must(r.states[b * (s.T + 1) * s.D + k] === (s.x0 ? x0.value[b * s.D + k] : 0), "states[b, 0] = x0[b]");
          }
        }
        const again = m.simulate(plain(u.value), s.x0 ? { batch: s.B, x0: plain(x0.value) } : { batch: s.B });
        must(bitsOf(again.outputs) === bitsOf(r.outputs), "views changed the outputs");
        ok = r;
      }, m);
      if (ok) {
        expectOutcome(R, canary, "NeuralStateSpace.backward", g.bad ? [g.bad] : [],
          () => m.backward({ outputs: g.value }), (d) => must(d.x0.length === s.B * s.D && allFinite(d.x0), "dx0"), m);
        const copy = R.NeuralStateSpace.load(m.save());
        try {
          must(
            bitsOf(copy.simulate(plain(u.value), s.x0 ? { batch: s.B, x0: plain(x0.value) } : { batch: s.B }).outputs)
              === bitsOf(ok.outputs),
            "save/load changed the outputs",
          );
        } finally {
          copy.dispose();
        }
      }
    } finally {
      m.dispose();
    }
  });
}

function odeRnnProperty(R, canary) {
  const cases = fc.record({ kind: fc.constantFrom("odegru", "timeGap"),
    method: fc.constantFrom("euler", "rk4", "dopri5"), gradient: fc.constantFrom("backprop", "adjoint"),
    inputMask: fc.boolean(), readout: fc.constantFrom("last", "sequence"), I: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 4 }), lens: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }) })
    .chain((s) => {
      const n = s.lens.length;
      const gaps = fc.tuple(
        ...s.lens.map((l) => fc.array(fc.constantFrom(0, 0.05, 0.3, 1.2), { minLength: l, maxLength: l })),
      );
      const times = gaps.map((gs) =>
        gs.map((g) => {
          const t = new Float64Array(g.length);
          let c = 0;
          g.forEach((v, k) => {
            c += v;
            t[k] = c;
          });
          return t;
        })
      );
      const masks = fc.tuple(
        ...s.lens.map((l) =>
          fc.array(fc.constantFrom(0, 1), { minLength: l * s.I, maxLength: l * s.I }).map((a) => Float32Array.from(a))
        ),
      );
      return fc.record({ s: fc.constant(s),
        config: options("Model", { cell: arg(["cell"], fc.constant(s.kind === "odegru" ? "odegru" : "gru")),
          inputSize: arg(["inputSize"], fc.constant(s.I)), hiddenSize: arg(["hiddenSize"], fc.constant(s.H)),
          outputSize: arg(["outputSize"], fc.constant(1)), readout: arg(["readout"], fc.constant(s.readout)),
          inputMask: arg(["inputMask"], fc.constant(s.inputMask), fc.constantFrom(1, "yes")),
          ...(s.kind === "odegru"
            ? {
              ode: arg(["ode"], fc.constant({ method: s.method, gradient: s.gradient, hidden: [3], rtol: 1e-3 }),
                fc.constantFrom({ method: "rk45" }, { rtol: 0 }, { hiden: [3] }, null)),
              numLayers: arg(["numLayers"], fc.constant(1), fc.constant(2)),
            }
            : { timeGap: arg(["timeGap"], fc.constant(true), fc.constantFrom(1, "no")) }) }, { required: true }),
        x: arg(["data.x"], fc.tuple(...s.lens.map((l) => floats(l * s.I)))),
        times: arg(["data.times", "times"], times, fc.constant(undefined),
          fc.constant(s.lens.map((l) => new Float64Array(l + 1))),
          ...(s.lens.some((l) => l > 1)
            ? [fc.constant(s.lens.map((l) => Float64Array.from({ length: l }, (_, k) => -k)))]
            : []), fc.constant(s.lens.map((l) => new Float32Array(l))),
          fc.constant(s.lens.map((l) => Float64Array.from({ length: l }, (_, k) => (k === 0 ? NaN : k))))),
        mask: s.inputMask
          ? arg(["data.mask", "mask"], masks, fc.constant(undefined),
            fc.constant(s.lens.map((l) => new Float32Array(l * s.I).fill(0.5))),
            fc.constant(s.lens.map((l) => new Float32Array(l * s.I + 1))))
          : arg(["data.mask", "mask"], fc.constant(undefined), masks),
        y: arg(["data.y"], s.readout === "sequence" ? fc.tuple(...s.lens.map((l) => floats(l))) : floats(n)),
        method: fc.constantFrom("predict", "evaluate", "computeGradients", "trainBatch") });
    });
  return fc.property(cases, ({ s, config, x, times, mask, y, method }) => {
    let model = null;
    expectOutcome(R, canary, "Model", config.bads, () => (model = new R.Model(config.value)),
      (m) => must(m.numParams > 0, "no parameters"));
    if (!model) return;
    let opt = null;
    try {
      const d = { x: x.value, y: y.value };
      if (times.value !== undefined) d.times = times.value;
      if (mask.value !== undefined) d.mask = mask.value;
      const bads = [times.bad, mask.bad].filter(Boolean);
      if (method === "trainBatch") opt = new R.Adam();
      const popts = { ...(d.times ? { times: d.times } : {}), ...(d.mask ? { mask: d.mask } : {}) };
      const call =
        { predict: () => model.predict(d.x, popts), evaluate: () => model.evaluate(d),
          computeGradients: () => model.computeGradients(d), trainBatch: () => model.trainBatch(d, opt) }[method];
      expectOutcome(R, canary, `Model.${method}`, bads, call, (r) => {
        if (method === "predict") {
          must(Array.isArray(r) ? r.every(allFinite) : allFinite(r), "predictions not finite");
          const m2 = R.Model.load(model.save());
          try {
            must(bitsAny(m2.predict(d.x, popts)) === bitsAny(r), "save/load changed predictions");
          } finally {
            m2.dispose();
          }
        } else if (method === "computeGradients") {
          must(Number.isFinite(r) && allFinite(model.parameters.flat()), "computeGradients");
        } else must(Number.isFinite(r.loss), `${method}: loss not finite`);
      }, model);
    } finally {
      opt?.dispose?.();
      model.dispose();
    }
  });
}

// ---- CategoricalHMM: parameters, every pass, fit and sample -------------------------------------------
function hmmProperty(R, canary) {
  const stochastic = (rows, cols) =>
    fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: rows * cols, maxLength: rows * cols }).map(
      (a) => {
        const v = Float64Array.from(a);
        for (let r = 0; r < rows; r++) {
          let s = 0;
          for (let c = 0; c < cols; c++) s += v[r * cols + c];
          for (let c = 0; c < cols; c++) v[r * cols + c] /= s;
        }
        return v;
      },
    );
  const cases = fc.record({ K: fc.integer({ min: 1, max: 6 }), M: fc.integer({ min: 1, max: 7 }),
    lens: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }) }).chain((s) => {
      const N = s.lens.reduce((a, b) => a + b, 0);
      return fc.record({ s: fc.constant(s),
        startprob: arg(["startprob"], stochastic(1, s.K), fc.constant(new Float64Array(s.K)),
          fc.constant(new Float64Array(s.K + 1).fill(1 / (s.K + 1))), junk),
        transmat: arg(["transmat"], stochastic(s.K, s.K), fc.constant(new Float64Array(s.K * s.K).fill(-1)), junk),
        emissionprob: arg(["emissionprob"], stochastic(s.K, s.M), fc.constant(new Float64Array(s.K * s.M).fill(2)),
          junk),
        X: arg(["X"],
          fc.array(fc.integer({ min: 0, max: s.M - 1 }), { minLength: N, maxLength: N }).map((a) => Int32Array.from(a)),
          fc.constant(Int32Array.from({ length: N }, (_, i) => (i === N - 1 ? s.M : 0))),
          fc.constant(Int32Array.from({ length: N }, () => -1)), fc.constant(new Float64Array(N)),
          fc.constant(new Int32Array(0)), junk),
        lengths: arg(["lengths"], fc.constant(Int32Array.from(s.lens)), fc.constant(Int32Array.from([...s.lens, 1])),
          fc.constant(Int32Array.from(s.lens, (l, i) => (i === 0 ? 0 : l))), fc.constant([N])),
        states: arg(["states"],
          fc.array(fc.integer({ min: 0, max: s.K - 1 }), { minLength: N, maxLength: N }).map((a) => Int32Array.from(a)),
          fc.constant(Int32Array.from({ length: N }, (_, i) => (i === 0 ? s.K : 0))),
          fc.constant(new Int32Array(N + 1)), junk),
        method: fc.constantFrom("score", "predictProba", "decode", "fit", "sample", "aic", "fitSupervised", "save") });
    });
  return fc.property(cases, ({ s, startprob, transmat, emissionprob, X, lengths, states, method }) => {
    const hmm = new R.CategoricalHMM({ nComponents: s.K, nFeatures: s.M, nIter: 3, seed: 1 });
    const target = { parameters: { flat: () => {
      try {
        const p = hmm.params();
        return Float32Array.from([...p.startprob, ...p.transmat, ...p.emissionprob]);
      } catch {
        return new Float32Array(0);
      }
    } } };
    try {
      const pbads = [startprob.bad, transmat.bad, emissionprob.bad].filter(Boolean);
      let set = false;
      expectOutcome(R, canary, "CategoricalHMM.setParams", pbads,
        () => hmm.setParams({ startprob: startprob.value, transmat: transmat.value, emissionprob: emissionprob.value }),
        () => {
          set = true;
        });
      if (!set && method !== "fit" && method !== "fitSupervised") return;
      const bads = [X.bad, lengths.bad, ...(method === "fitSupervised" ? [states.bad] : [])].filter(Boolean);
      const N = X.value?.length ?? 0;
      const call =
        { score: () => hmm.score(X.value, lengths.value), predictProba: () => hmm.predictProba(X.value, lengths.value),
          decode: () => hmm.decode(X.value, lengths.value),
          fit: () => hmm.fit(X.value, lengths.value, { initParams: set ? "" : "ste" }),
          sample: () => hmm.sample(Math.max(1, N)), aic: () => hmm.aic(X.value, lengths.value),
          fitSupervised: () => hmm.fitSupervised(X.value, states.value, lengths.value),
          save: () => {
            const back = R.CategoricalHMM.load(hmm.save());
            try {
              return [back.params(), hmm.params()];
            } finally {
              back.dispose();
            }
          } }[method];
      expectOutcome(R, canary, `CategoricalHMM.${method}`, method === "sample" || method === "save" ? [] : bads, call,
        (r) => {
          if (method === "score" || method === "aic") must(typeof r === "number" && !Number.isNaN(r), "score");
          else if (method === "predictProba") {
            must(r.length === N * s.K && allFinite(r), "posteriors");
            for (let t = 0; t < N; t++) {
              let q = 0;
              for (let k = 0; k < s.K; k++) q += r[t * s.K + k];
              must(Math.abs(q - 1) < 1e-9, "posteriors sum to 1");
            }
          } else if (method === "decode") {
            must(r.states.length === N && r.states.every((z) => z >= 0 && z < s.K), "states");
          } else if (method === "fit") {
            must(r.logLikelihood.every((v) => !Number.isNaN(v)), "fit");
            const p = hmm.params();
            must([...p.startprob, ...p.transmat, ...p.emissionprob].every((v) => Number.isFinite(v) && v >= 0),
              "fitted parameters");
          } else if (method === "fitSupervised") {
            const p = hmm.params();
            must([...p.startprob, ...p.transmat, ...p.emissionprob].every((v) => Number.isFinite(v) && v > 0),
              "supervised parameters (add-one smoothing: all positive)");
          } else if (method === "save") {
            const [a, b] = r;
            for (const k of Object.keys(b)) {
              must(a[k].length === b[k].length && a[k].every((v, i) => Object.is(v, b[k][i])), `loaded ${k} bitwise`);
            }
          } else must(r.X.every((x) => x >= 0 && x < s.M), "sample");
        }, target);
    } catch (e) {
      // a zero-probability sequence is a RangeError by right (random parameters may forbid X)
      if (!(e instanceof Error && /X has probability 0 under the model/.test(e.message))) throw e;
    } finally {
      hmm.dispose();
    }
  });
}

// ---- GaussianHMM (diag): parameters, every pass, fit -------------------------------------------------
function gaussianHmmProperty(R, canary) {
  const cases = fc.record({ K: fc.integer({ min: 1, max: 4 }), F: fc.integer({ min: 1, max: 3 }),
    lens: fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 3 }) }).chain((s) => {
      const N = s.lens.reduce((a, b) => a + b, 0), KF = s.K * s.F;
      return fc.record({ s: fc.constant(s),
        means: arg(["means"],
          fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: KF, maxLength: KF }).map((a) =>
            Float64Array.from(a)
          ), fc.constant(new Float64Array(KF).fill(NaN)), fc.constant(new Float64Array(KF + 1)), junk),
        covars: arg(["covars"],
          fc.array(fc.double({ min: 0.05, max: 4, noNaN: true }), { minLength: KF, maxLength: KF }).map((a) =>
            Float64Array.from(a)
          ), fc.constant(new Float64Array(KF)), fc.constant(new Float64Array(KF).fill(-1)), junk),
        X: arg(["X"],
          fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: N * s.F, maxLength: N * s.F }).map((a) =>
            Float64Array.from(a)
          ), ...(s.F > 1 ? [fc.constant(new Float64Array(N * s.F + 1))] : []),
          fc.constant(Float64Array.from({ length: N * s.F }, (_, i) => (i === 0 ? Infinity : 0))),
          fc.constant(new Int32Array(N * s.F)), junk),
        method: fc.constantFrom("score", "predictProba", "decode", "fit", "sample") });
    });
  return fc.property(cases, ({ s, means, covars, X, method }) => {
    const hmm = new R.GaussianHMM({ nComponents: s.K, nFeatures: s.F, nIter: 3, seed: 1 });
    const target = { parameters: { flat: () => {
      try {
        const p = hmm.params();
        return Float32Array.from([...p.startprob, ...p.transmat, ...p.means, ...p.covars]);
      } catch {
        return new Float32Array(0);
      }
    } } };
    try {
      const K = s.K, uniform = (n) => new Float64Array(n).fill(1 / K);
      let set = false;
      expectOutcome(R, canary, "GaussianHMM.setParams", [means.bad, covars.bad].filter(Boolean),
        () =>
          hmm.setParams({ startprob: uniform(K), transmat: uniform(K * K), means: means.value, covars: covars.value }),
        () => {
          set = true;
        });
      if (!set && method !== "fit") return;
      const L = Int32Array.from(s.lens), N = X.value?.length / s.F;
      const call =
        { score: () => hmm.score(X.value, L), predictProba: () => hmm.predictProba(X.value, L),
          decode: () => hmm.decode(X.value, L), fit: () => hmm.fit(X.value, L, { initParams: set ? "" : "stmc" }),
          sample: () => hmm.sample(5) }[method];
      expectOutcome(R, canary, `GaussianHMM.${method}`, method === "sample" ? [] : [X.bad].filter(Boolean), call,
        (r) => {
          if (method === "score") must(Number.isFinite(r), "score");
          else if (method === "predictProba") must(r.length === N * K && allFinite(r), "posteriors");
          else if (method === "decode") must(r.states.every((z) => z >= 0 && z < K), "states");
          else if (method === "fit") {
            const p = hmm.params();
            must([...p.means, ...p.covars, ...p.transmat].every(Number.isFinite) && p.covars.every((v) => v > 0),
              "fitted parameters");
          } else must(r.X.length === 5 * s.F && allFinite(r.X), "sample");
        }, target);
    } finally {
      hmm.dispose();
    }
  });
}

// ---- streams: chunked stepping with bad calls in between, weights rewritten after a warm-up ------
function streamProperty(R, canary) {
  const chunk = fc.record({ k: fc.integer({ min: 1, max: 6 }),
    bad: fc.constantFrom("none", "none", "none", "x size", "x NaN", "steps 0", "out size") });
  const cases = fc.record({ cell: fc.constantFrom("rnn", "lstm", "gru"), L: fc.integer({ min: 1, max: 3 }),
    I: fc.integer({ min: 1, max: 5 }), H: fc.integer({ min: 1, max: 9 }), B: fc.integer({ min: 1, max: 3 }),
    h0: fc.boolean(), rewrite: fc.boolean(), seed: fc.integer({ min: 0, max: 1000 }),
    chunks: fc.array(chunk, { minLength: 1, maxLength: 8 }) });
  return fc.property(cases, ({ cell, L, I, H, B, h0, rewrite, seed, chunks }) => {
    const Layer = cell === "lstm" ? R.LSTM : cell === "gru" ? R.GRU : R.RNN,
      name = cell === "lstm" ? "LSTM" : cell === "gru" ? "GRU" : "RNN";
    const layer = new Layer({ inputSize: I, hiddenSize: H, numLayers: L, seed });
    const rng = new R.Rng(seed + 1), normal = (n) => Float32Array.from({ length: n }, () => rng.normal());
    const n = L * B * H, init = h0 ? { h0: normal(n), ...(cell === "lstm" ? { c0: normal(n) } : {}) } : {};
    const s = layer.stream({ batch: B, ...init });
    try {
      // warm up (the stream packs its weights), rewind, and rewrite the weights: the steps below must use the new ones
      s.step(normal(B * I));
      s.reset(init);
      if (rewrite) {
        const sd = layer.stateDict();
        for (const k of Object.keys(sd)) sd[k] = sd[k].map((v) => -0.5 * v);
        layer.loadStateDict(sd);
      }
      const T = chunks.filter((c) => c.bad === "none").reduce((a, c) => a + c.k, 0);
      const x = new Float32Array(B * Math.max(T, 1) * I), outs = Array.from({ length: B }, () => []);
      let t = 0, last = null;
      for (const { k, bad } of chunks) {
        const xs = normal(B * k * I);
        if (bad !== "none") {
          const before = bitsOf(s.state().h);
          const call = { "x size": () => s.step(xs.subarray(1), { steps: k }),
            "x NaN": () => {
              const v = xs.slice();
              v[v.length - 1] = NaN;
              return s.step(v, { steps: k });
            }, "steps 0": () => s.step(xs, { steps: 0 }),
            "out size": () => s.step(xs, { steps: k, out: { hN: new Float32Array(n + 1) } }) }[bad];
          expectOutcome(R, canary, `${name}.stream.step`, [[
            bad === "steps 0" ? "steps" : bad === "out size" ? "out.hN" : "x",
          ]], call);
          must(bitsOf(s.state().h) === before, `${bad}: the stream's state changed`);
          continue;
        }
        for (let b = 0; b < B; b++) x.set(xs.subarray(b * k * I, (b + 1) * k * I), (b * T + t) * I);
        last = s.step(xs, { steps: k });
        for (let b = 0; b < B; b++) outs[b].push(...last.output.subarray(b * k * H, (b + 1) * k * H));
        t += k;
      }
      if (T > 0) {
        const full = layer.forward(x, { batch: B, steps: T, ...init });
        must(bitsOf(Float32Array.from(outs.flat())) === bitsOf(full.output), "chunked outputs differ from forward()");
        must(bitsOf(last.hN) === bitsOf(full.hN), "the stream's state differs from forward()'s hN");
      }
      canary.check();
      stats.valid++;
    } finally {
      s.dispose();
      layer.dispose();
    }
  });
}

// ---- abi.raw: the raw exports of a plain instance (no bindings), with valid and mutated descriptors --
// A fresh WebAssembly.instantiate of build/recurrent.wasm; the host grows its memory by ARENA_PAGES
// and lays every tensor out in that arena, which ends at the end of memory. A valid call is built
// per docs/ABI.md (rnn_*, ode_*, hmm_*), then 0–3 of its fields or arguments are mutated: sizes,
// ids and flags, pointers to 0, past the end of memory, into another tensor (overlap) or into the
// descriptor itself, and the descriptor is moved to straddle the end of memory. Every call must
//   - return (never trap), an error code or OK;
//   - write nothing outside the output tensors and the workspace its (mutated) arguments name, and
//     nothing at all when it refuses the arguments (a validation error);
//   - unmutated: give the bindings' result bit for bit (RNN, ODE, and the HMM's posteriors, Viterbi
//     path and its log-probability).
// The arena is checked byte for byte; the core's own memory below it (its static data) is restored
// before every run instead, since a mutated pointer may legally name a tensor there.
const ARENA_PAGES = 32;
const RAW = { OK: 0, ERR_ARGUMENT: -8, ERR_MAX_STEPS: -9, ERR_STEP_UNDERFLOW: -10, ERR_ZERO_PROBABILITY: -11 };
/** Codes that mean "refused before writing". */
const VALIDATION = new Set([-1, -2, -3, -4, -5, -6, -7, -8, -12]);
const RD = { FIELDS: 29, CELL: 0, B: 1, T: 2, I: 3, H: 4, L: 5, D: 6, CK: 7, TRUNC: 8, PARAMS: 9, GRADS: 10, WS: 11,
  WSB: 12, X: 13, LEN: 14, H0: 15, C0: 16, OUT: 17, HN: 18, CN: 19, DOUT: 20, DHN: 21, DCN: 22, DX: 23, DH0: 24,
  DC0: 25, DHS: 26, PACKED: 27, DROPOUT: 28 };
const OD = { FIELDS: 28, METHOD: 0, ACT: 1, TI: 2, D: 3, K: 4, WIDTHS: 5, B: 6, S: 7, TIMES: 8, PER_SEQ: 9, SUB: 10,
  RTOL: 11, ATOL: 12, MAX: 13, PARAMS: 14, GRADS: 15, WS: 16, WSB: 17, H0: 18, STATES: 19, DSTATES: 20, DH0: 21,
  STATS: 22, GRAD: 23, NORM: 24, MAP: 25, INPUTS: 26, U: 27 };

let rawPromise = null;
function rawInstance() {
  rawPromise ??= (async () => {
    const { readFileSync } = await import("node:fs");
    // ABI_RAW_WASM: another build to fuzz (an older one, to see that the property finds its bugs)
    const bytes = readFileSync(process.env.ABI_RAW_WASM ?? new URL("../../build/recurrent.wasm", import.meta.url));
    const { instance } = await WebAssembly.instantiate(bytes, { env: { abort: () => {
      throw new Error("abort called");
    } } });
    const e = instance.exports, mem = e.memory;
    const base = mem.buffer.byteLength;
    mem.grow(ARENA_PAGES); // the host's: the core's allocator never hands it out
    // the core's own memory as instantiated: a mutated pointer may name a tensor there (it is inside
    // memory, so the ABI allows it), so every run starts from this copy
    return { e, mem, base, end: mem.buffer.byteLength, pristine: new Uint8Array(mem.buffer).slice(0, base) };
  })();
  return rawPromise;
}

function rng32(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Lay out tensors [name, bytes] from the arena's start with random gaps (8-byte aligned). */
function lay(raw, specs, rnd) {
  let p = raw.base + 8 * Math.floor(rnd() * 8);
  const at = {};
  for (const [name, bytes] of specs) {
    if (bytes == null) {
      at[name] = 0;
      continue;
    }
    at[name] = p;
    p += Math.ceil(bytes / 8) * 8 + 8 * Math.floor(rnd() * 4);
  }
  must(p <= raw.end, `arena too small (${p - raw.base} bytes)`);
  return at;
}

/** [p, p + bytes) clipped to memory, or null. */
function region(raw, p, bytes) {
  p = Number(p) >>> 0;
  if (p === 0 || !(bytes > 0)) return null;
  return [p, Math.min(p + bytes, raw.end)];
}

/** Run one raw call; check it returned, and what it wrote. */
function rawCall(raw, what, call, allowed) {
  const before = new Uint8Array(raw.mem.buffer).slice(raw.base, raw.end);
  let code;
  try {
    code = call();
  } catch (e) {
    must(false, `${what} trapped: ${e?.message ?? e}`);
  }
  const now = new Uint8Array(raw.mem.buffer, raw.base, raw.end - raw.base);
  must(raw.mem.buffer.byteLength === raw.end, `${what}: memory grew`);
  const ok = (a) => allowed.some((r) => r && a >= r[0] && a < r[1]);
  // an HMM or embedding pass reports a bad symbol's index in `bad`, which it may write
  const refused = VALIDATION.has(code)
    && !((what.startsWith("hmm_") || what.startsWith("embedding_")) && code === RAW.ERR_ARGUMENT);
  for (let i = 0; i < now.length; i++) {
    if (now[i] === before[i]) continue;
    const a = raw.base + i;
    must(!refused && ok(a),
      `${what} returned ${code} and wrote byte ${a} (${
        refused ? "after refusing its arguments" : "outside the tensors it names"
      }; arena ${raw.base}..${raw.end})`);
  }
  return code;
}

/** A mutation: which field, which kind of value. */
const mutationArb = fc.record({ field: fc.nat(64),
  kind: fc.oneof({ weight: 3, arbitrary: fc.nat(15) }, { weight: 2, arbitrary: fc.constantFrom(5, 7, 8) }),
  v: fc.integer({ min: -3, max: 40 }), pick: fc.nat(63) });

/** The value a mutation puts into a pointer-or-size field. `ptrs`: pointers of this call. */
function mutated(raw, m, ptrs, current, f64field) {
  const end = raw.end;
  switch (m.kind) {
    case 0:
      return 0;
    case 1:
      return -1;
    case 2:
      return m.v;
    case 3:
      return 0x7fffffff;
    case 4:
      return f64field ? 4294967295 : -1 >>> 0;
    case 5:
      return end - Math.abs(m.v) * 4; // at or near the end of memory
    case 6:
      return end + Math.abs(m.v) * 4;
    case 7:
      return ptrs[m.pick % ptrs.length]; // overlap another tensor or the descriptor
    case 8:
      return ptrs[m.pick % ptrs.length] + 4 * (m.v % 5); // partly overlapping
    case 9:
      return current + m.v;
    case 10:
      return current * (m.v + 2);
    case 11:
      return f64field ? [0.5, NaN, Infinity, -0, 1e300, 2 ** 32, -(2 ** 31)][Math.abs(m.v) % 7] : 0x80000000 | m.v;
    case 12:
      return 2 ** 24 + m.v;
    default:
      return current; // unchanged
  }
}

/** Write the descriptor words, apply the mutations; maybe move the descriptor to straddle the end. */
function placeDesc(raw, descAt, words, f64, muts, ptrs, moveTo) {
  const n = words.length, size = n * (f64 ? 8 : 4), dv = new DataView(raw.mem.buffer);
  const w = words.slice();
  for (const m of muts) w[m.field % n] = mutated(raw, m, ptrs, w[m.field % n], f64);
  let at = descAt;
  if (moveTo !== null) at = raw.end - size + moveTo * 8; // moveTo ≤ 0 fits; > 0 passes the end
  for (let i = 0; i < n; i++) {
    const o = at + i * (f64 ? 8 : 4);
    if (o + (f64 ? 8 : 4) > raw.end) break;
    if (f64) dv.setFloat64(o, w[i], true);
    else dv.setInt32(o, w[i] | 0, true);
  }
  return { at, w };
}

const f32in = (raw, p, n) => new Float32Array(raw.mem.buffer, p, n);
const same = (a, b) => a.length === b.length && bitsOf(a) === bitsOf(b);

// ---- rnn_* ----
function rnnRaw(R, raw, s, muts, phase, moveTo) {
  const rnd = rng32(s.seed), G = [1, 1, 4, 3, 1][s.cell], lstm = s.cell === 2, LD = s.L * s.D;
  let P = 0;
  for (let l = 0; l < s.L; l++) P += s.D * G * s.H * ((l === 0 ? s.I : s.D * s.H) + s.H + 2);
  const state = LD * s.B * s.H, xs = s.B * s.T * s.I, ys = s.B * s.T * s.D * s.H;
  const lengths = s.lengths ? Int32Array.from({ length: s.B }, () => 1 + Math.floor(rnd() * s.T)) : null;
  // the workspace size from the core for the valid shape
  const q = raw.base;
  new Int32Array(raw.mem.buffer, q, RD.FIELDS).fill(0).set([s.cell, s.B, s.T, s.I, s.H, s.L, s.D, s.ck]);
  const wsb = raw.e.rnn_workspace_bytes(q);
  must(wsb > 0, `rnn_workspace_bytes of a valid shape: ${wsb}`);
  const at = lay(raw, [["desc", 4 * RD.FIELDS], ["params", 4 * P], ["grads", 4 * P], ["ws", wsb], ["x", 4 * xs], ["len",
    lengths ? 4 * s.B : null], ["h0", s.h0 ? 4 * state : null], ["c0", s.h0 && lstm ? 4 * state : null], ["out",
    4 * ys], ["hn", 4 * state], ["cn", lstm ? 4 * state : null], ["dout", s.dout ? 4 * ys : null], ["dhn", 4 * state], [
    "dcn",
    lstm ? 4 * state : null,
  ], ["dx", s.dx ? 4 * xs : null], ["dh0", 4 * state], ["dc0", lstm ? 4 * state : null], ["dhs",
    s.dhs ? 4 * state * s.T : null]], rnd);
  const fill = (p, n) => {
    if (p) {
      f32in(raw, p, n).forEach((_, i, a) => {
        a[i] = rnd() * 2 - 1;
      });
    }
  };
  f32in(raw, at.grads, P).fill(0); // gradients accumulate
  fill(at.params, P);
  fill(at.x, xs);
  fill(at.h0, state);
  fill(at.c0, state);
  fill(at.dout, ys);
  fill(at.dhn, state);
  fill(at.dcn, state);
  if (lengths) new Int32Array(raw.mem.buffer, at.len, s.B).set(lengths);
  const valid = [s.cell, s.B, s.T, s.I, s.H, s.L, s.D, s.ck, s.trunc, at.params, at.grads, at.ws, wsb, at.x, at.len,
    at.h0, at.c0, at.out, at.hn, at.cn, at.dout, at.dhn, at.dcn, at.dx, at.dh0, at.dc0, at.dhs, 0, 0];
  const ptrs = Object.values(at).filter(Boolean);
  const codes = [];
  for (const pass of ["forward", "backward"]) {
    const mine = phase === "both" || phase === pass;
    const { at: d, w } = placeDesc(raw, at.desc, valid, false, mine ? muts : [], ptrs, mine ? moveTo : null);
    // what this descriptor names as written, sized by its own (mutated) shape
    const u = (i) => w[i] >>> 0,
      sh = { B: w[RD.B] | 0, T: w[RD.T] | 0, I: w[RD.I] | 0, H: w[RD.H] | 0, L: w[RD.L] | 0, D: w[RD.D] | 0 };
    const g = [1, 1, 4, 3, 1][w[RD.CELL]] ?? 0;
    let mp = 0;
    for (let l = 0; l < Math.min(sh.L, 4096); l++) mp += sh.D * g * sh.H * ((l === 0 ? sh.I : sh.D * sh.H) + sh.H + 2);
    const mstate = 4 * sh.L * sh.D * sh.B * sh.H, mys = 4 * sh.B * sh.T * sh.D * sh.H, mxs = 4 * sh.B * sh.T * sh.I;
    const ws = region(raw, u(RD.WS), u(RD.WSB));
    const allowed = pass === "forward"
      ? [ws, region(raw, u(RD.OUT), mys), region(raw, u(RD.HN), mstate), region(raw, u(RD.CN), mstate)]
      : [ws, region(raw, u(RD.GRADS), 4 * mp), region(raw, u(RD.DX), mxs), region(raw, u(RD.DH0), mstate),
        region(raw, u(RD.DC0), mstate), region(raw, u(RD.DHS), mstate * sh.T)];
    if (pass === "forward") {
      const need = rawCall(raw, "rnn_workspace_bytes", () => raw.e.rnn_workspace_bytes(d), []);
      if (!mine) must(need === wsb, "rnn_workspace_bytes changed");
    }
    codes.push(rawCall(raw, `rnn_${pass}`, () => raw.e[`rnn_${pass}`](d), allowed));
  }
  if (muts.length || moveTo !== null) return;
  must(codes[0] === 0 && codes[1] === 0, `valid rnn passes returned ${codes}`);
  // the bindings, same inputs
  const Cls = { 0: R.RNN, 1: R.RNN, 2: R.LSTM, 3: R.GRU, 4: R.RNN }[s.cell];
  const layer = new Cls({ inputSize: s.I, hiddenSize: s.H, numLayers: s.L, bidirectional: s.D === 2,
    checkpoint: s.ck === 1, ...(G === 1 ? { nonlinearity: ["tanh", "relu", "", "", "linear"][s.cell] } : {}) });
  try {
    const copy = (p, n) => (p ? Float32Array.from(f32in(raw, p, n)) : undefined);
    layer.parameters.setFlat("abi.raw", copy(at.params, P));
    const f = layer.forward(copy(at.x, xs), { batch: s.B, steps: s.T, ...(lengths ? { lengths } : {}),
      ...(at.h0 ? { h0: copy(at.h0, state) } : {}), ...(at.c0 ? { c0: copy(at.c0, state) } : {}) });
    must(same(f.output, f32in(raw, at.out, ys)) && same(f.hN, f32in(raw, at.hn, state)),
      "rnn_forward differs from the bindings");
    if (lstm) must(same(f.cN, f32in(raw, at.cn, state)), "rnn_forward's cn differs from the bindings");
    const b = layer.backward({ ...(at.dout ? { output: copy(at.dout, ys) } : {}), hN: copy(at.dhn, state),
      ...(lstm ? { cN: copy(at.dcn, state) } : {}) }, { ...(s.trunc ? { truncate: s.trunc } : {}), stateGrads: true });
    must(same(layer.parameters.flatGrads(), f32in(raw, at.grads, P)),
      "rnn_backward's gradients differ from the bindings");
    must(same(b.h0, f32in(raw, at.dh0, state)), "rnn_backward's dh0 differs from the bindings");
    if (at.dx) must(same(b.x, f32in(raw, at.dx, xs)), "rnn_backward's dx differs from the bindings");
    if (lstm) must(same(b.c0, f32in(raw, at.dc0, state)), "rnn_backward's dc0 differs from the bindings");
    if (at.dhs) must(same(b.dh, f32in(raw, at.dhs, state * s.T)), "rnn_backward's dhs differs from the bindings");
  } finally {
    layer.dispose();
  }
}

// ---- ode_* ----
function odeRaw(R, raw, s, muts, phase, moveTo) {
  const rnd = rng32(s.seed), D = s.D, widths = [D + s.ti, ...s.hidden, D], K = widths.length - 1, B = s.B, S = s.S;
  let P = 0;
  for (let l = 1; l <= K; l++) P += widths[l] * widths[l - 1] + widths[l];
  const nt = s.perSeq ? B * S : S;
  const times = new Float64Array(nt);
  for (let r = 0; r < nt / S; r++) {
    let t = rnd() - 0.5;
    for (let k = 0; k < S; k++) {
      times[r * S + k] = t;
      t += 0.05 + rnd() * 0.4;
    }
  }
  const shape = [s.method, s.act, s.ti, D, K, 0, B, S, 0, s.perSeq, s.sub, 1e-4, 1e-6, s.maxSteps];
  const q = raw.base, dq = new Float64Array(raw.mem.buffer, q, OD.FIELDS).fill(0);
  const wq = q + 8 * OD.FIELDS;
  new Int32Array(raw.mem.buffer, wq, K + 1).set(widths);
  dq.set(shape);
  dq[OD.WIDTHS] = wq;
  dq[OD.GRAD] = s.grad;
  dq[OD.NORM] = s.norm;
  dq[OD.MAP] = s.map;
  const wsb = raw.e.ode_workspace_bytes(q);
  must(wsb > 0, `ode_workspace_bytes of a valid shape: ${wsb}`);
  const at = lay(raw, [["desc", 8 * OD.FIELDS], ["widths", 4 * (K + 1)], ["times", 8 * nt], ["params", 4 * P], ["grads",
    4 * P], ["ws", wsb], ["h0", 4 * B * D], ["states", 4 * B * S * D], ["dstates", 4 * B * S * D], ["dh0",
    s.dh0 ? 4 * B * D : null], ["stats", 32], ["steps", 16 * 8]], rnd);
  new Int32Array(raw.mem.buffer, at.widths, K + 1).set(widths);
  new Float64Array(raw.mem.buffer, at.times, nt).set(times);
  const fill = (p, n, a = 1) => {
    if (p) {
      f32in(raw, p, n).forEach((_, i, v) => {
        v[i] = (rnd() * 2 - 1) * a;
      });
    }
  };
  f32in(raw, at.grads, P).fill(0); // gradients accumulate
  fill(at.params, P, 0.7);
  fill(at.h0, B * D);
  fill(at.dstates, B * S * D);
  // no inputs (INPUTS 0, U 0): a mutation that sets them is refused (the widths leave no room)
  const valid = [...shape, at.params, at.grads, at.ws, wsb, at.h0, at.states, at.dstates, at.dh0, at.stats, s.grad,
    s.norm, s.map, 0, 0];
  valid[OD.WIDTHS] = at.widths;
  valid[OD.TIMES] = at.times;
  const ptrs = Object.values(at).filter(Boolean);
  const codes = [];
  for (const pass of ["forward", "backward", "steps"]) {
    const mine = phase === "both" || phase === pass || (phase === "backward" && pass === "steps");
    const { at: d, w } = placeDesc(raw, at.desc, valid, true, mine ? muts : [], ptrs, mine ? moveTo : null);
    const u = (i) => (Number.isInteger(w[i]) && w[i] > 0 && w[i] < 2 ** 32 ? w[i] : 0);
    const n = (i) => (Number.isFinite(w[i]) ? Math.max(0, w[i]) : 0);
    // P of the (mutated) widths as they are in memory now
    let mp = 0;
    const wp = u(OD.WIDTHS), mk = n(OD.K);
    if (wp && Number.isInteger(mk) && mk <= 64 && wp + 4 * (mk + 1) <= raw.end) {
      const wv = new Int32Array(raw.mem.buffer.slice(wp, wp + 4 * (mk + 1)));
      for (let l = 1; l <= mk; l++) mp += wv[l] * wv[l - 1] + wv[l];
    }
    const bsd = 4 * n(OD.B) * n(OD.S) * n(OD.D), bd = 4 * n(OD.B) * n(OD.D);
    const ws = region(raw, u(OD.WS), n(OD.WSB)), stats = region(raw, u(OD.STATS), 32);
    if (pass === "forward") {
      const need = rawCall(raw, "ode_workspace_bytes", () => raw.e.ode_workspace_bytes(d), []);
      if (!mine) must(need === wsb, "ode_workspace_bytes changed");
      codes.push(rawCall(raw, "ode_forward", () => raw.e.ode_forward(d), [ws, stats, region(raw, u(OD.STATES), bsd)]));
    } else if (pass === "backward") {
      codes.push(
        rawCall(raw, "ode_backward", () => raw.e.ode_backward(d), [ws, stats, region(raw, u(OD.GRADS), 4 * mp),
          region(raw, u(OD.DH0), bd)]),
      );
    } else {
      const row = s.row % (B + 1), cap = s.cap;
      const out = s.cap === 0 ? 0 : at.steps;
      const c = rawCall(raw, "ode_steps", () => raw.e.ode_steps(d, row, out, cap), [region(raw, out, 16 * cap)]);
      must(c >= -12, `ode_steps returned ${c}`);
    }
  }
  if (muts.length || moveTo !== null) return;
  const fwdOk = codes[0] === 0 || codes[0] === RAW.ERR_MAX_STEPS || codes[0] === RAW.ERR_STEP_UNDERFLOW;
  must(fwdOk, `a valid ode_forward returned ${codes[0]}`);
  const m = new R.NeuralODE({ stateSize: D, hidden: s.hidden, activation: ["tanh", "relu", "softplus"][s.act],
    timeInput: s.ti === 1, inputMap: s.map ? "cube" : "identity",
    method: ["euler", "midpoint", "rk4", "dopri5"][s.method], rtol: 1e-4, atol: 1e-6, substeps: s.sub,
    maxSteps: s.maxSteps, gradient: s.grad ? "adjoint" : "backprop", adjointNorm: s.norm ? "seminorm" : "mixed" });
  try {
    m.parameters.setFlat("abi.raw", Float32Array.from(f32in(raw, at.params, P)));
    let f = null;
    try {
      f = m.forward(Float32Array.from(f32in(raw, at.h0, B * D)), times, { batch: B, steps: S });
    } catch (e) {
      must(codes[0] !== 0 && e instanceof RangeError,
        `the bindings' forward threw where ode_forward returned ${codes[0]}: ${e.message}`);
      return;
    }
    must(codes[0] === 0, `ode_forward returned ${codes[0]}, the bindings solved`);
    must(same(f.states, f32in(raw, at.states, B * S * D)), "ode_forward's states differ from the bindings");
    let b = null;
    try {
      b = m.backward({ states: Float32Array.from(f32in(raw, at.dstates, B * S * D)) });
    } catch (e) {
      must(codes[1] < 0 && e instanceof RangeError,
        `the bindings' backward threw where ode_backward returned ${codes[1]}: ${e.message}`);
      return;
    }
    must(codes[1] === 0, `ode_backward returned ${codes[1]}, the bindings' backward did not fail`);
    must(same(m.parameters.flatGrads(), f32in(raw, at.grads, P)), "ode_backward's gradients differ from the bindings");
    if (at.dh0) must(same(b.h0, f32in(raw, at.dh0, B * D)), "ode_backward's dh0 differs from the bindings");
  } finally {
    m.dispose();
  }
}

// ---- hmm_* ----
const HMM_CALLS = ["pipeline", "label_counts", "categorical_counts", "gaussian_log_emissions", "gaussian_moments"];
function hmmRaw(R, raw, s, muts, which, moveTo) {
  const rnd = rng32(s.seed), K = s.K, M = s.M, F = s.F, lens = s.lens, N = lens.reduce((a, b) => a + b, 0),
    nSeq = lens.length, Lmax = Math.max(...lens);
  const stoch = (r, c) => {
    const v = Float64Array.from({ length: r * c }, () => 0.05 + rnd());
    for (let i = 0; i < r; i++) {
      let t = 0;
      for (let j = 0; j < c; j++) t += v[i * c + j];
      for (let j = 0; j < c; j++) v[i * c + j] /= t;
    }
    return v;
  };
  const start = stoch(1, K), trans = stoch(K, K), emis = stoch(K, M);
  const X = Int32Array.from({ length: N }, () => Math.floor(rnd() * M)),
    Z = Int32Array.from({ length: N }, () => Math.floor(rnd() * K));
  const wfb = raw.e.hmm_work_bytes(K, Lmax), wvit = raw.e.hmm_viterbi_work_bytes(K, Lmax);
  const at = lay(raw, [["lengths", 4 * nSeq], ["start", 8 * K], ["trans", 8 * K * K], ["emis", 8 * K * M], ["logStart",
    8 * K], ["logTrans", 8 * K * K], ["logB", 8 * K * M], ["x", 4 * N], ["z", 4 * N], ["logE", 8 * N * K], ["gamma",
    8 * N * K], ["xi", 8 * K * K], ["first", 8 * K], ["work", Math.max(wfb, wvit)], ["out", 16], ["states", 4 * N], [
    "bad",
    4,
  ], ["counts", 8 * K * M], ["xg", 8 * N * F], ["means", 8 * K * F], ["vars", 8 * K * F], ["scratch", 16 * K * F], [
    "post",
    8 * K,
  ], ["obs", 8 * K * F], ["obs2", 8 * K * F]], rnd);
  const H = new Float64Array(raw.mem.buffer);
  new Int32Array(raw.mem.buffer, at.lengths, nSeq).set(lens);
  H.set(start, at.start / 8);
  H.set(trans, at.trans / 8);
  H.set(emis, at.emis / 8);
  new Int32Array(raw.mem.buffer, at.x, N).set(X);
  new Int32Array(raw.mem.buffer, at.z, N).set(Z);
  for (let i = 0; i < N * F; i++) H[at.xg / 8 + i] = rnd() * 4 - 2;
  for (let i = 0; i < K * F; i++) {
    H[at.means / 8 + i] = rnd() * 2 - 1;
    H[at.vars / 8 + i] = 0.2 + rnd();
  }
  for (let i = 0; i < N * K; i++) H[at.gamma / 8 + i] = rnd();
  for (const k of ["xi", "first", "counts", "post", "obs", "obs2"]) {
    new Uint8Array(raw.mem.buffer, at[k],
      { xi: 8 * K * K, first: 8 * K, counts: 8 * K * M, post: 8 * K, obs: 8 * K * F, obs2: 8 * K * F }[k]).fill(0); // accumulated into
  }
  const ptrs = Object.values(at).filter(Boolean);
  // each call: its arguments and the [argument index, bytes(args)] of what it writes
  const calls = which === "pipeline"
    ? [["hmm_log", [K * M, at.emis, at.logB], (a) => [[2, 8 * a[0]]]], ["hmm_log", [K, at.start, at.logStart],
      (a) => [[2, 8 * a[0]]]], ["hmm_log", [K * K, at.trans, at.logTrans], (a) => [[2, 8 * a[0]]]], [
      "hmm_categorical_log_emissions",
      [K, M, N, at.x, at.logB, at.logE, at.bad],
      (a) => [[5, 8 * a[2] * a[0]], [6, 4]],
    ], ["hmm_forward_backward", [K, N, nSeq, at.lengths, at.logE, at.start, at.trans, at.gamma, s.xi ? at.xi : 0,
      s.xi ? at.first : 0, at.work, wfb, at.out],
      (a) => [[7, 8 * a[1] * a[0]], [8, 8 * a[0] * a[0]], [9, 8 * a[0]], [10, a[11]], [12, 16]]], ["hmm_viterbi", [K, N,
      nSeq, at.lengths, at.logE, at.logStart, at.logTrans, at.states, at.work, wvit, at.out],
      (a) => [[7, 4 * a[1]], [8, a[9]], [10, 8]]]]
    : {
      label_counts: [["hmm_label_counts", [K, N, nSeq, at.lengths, at.z, s.xi ? at.gamma : 0, at.first, at.trans,
        at.bad], (a) => [[5, 8 * a[1] * a[0]], [6, 8 * a[0]], [7, 8 * a[0] * a[0]], [8, 4]]]],
      categorical_counts: [["hmm_categorical_counts", [K, M, N, at.x, at.gamma, at.counts],
        (a) => [[5, 8 * a[0] * a[1]]]]],
      gaussian_log_emissions: [["hmm_gaussian_log_emissions", [K, F, N, at.xg, at.means, at.vars, at.logE, at.scratch,
        at.bad], (a) => [[6, 8 * a[2] * a[0]], [7, 16 * a[0] * a[1]], [8, 4]]]],
      gaussian_moments: [["hmm_gaussian_moments", [K, F, N, at.xg, at.gamma, at.post, at.obs, at.obs2],
        (a) => [[5, 8 * a[0]], [6, 8 * a[0] * a[1]], [7, 8 * a[0] * a[1]]]]],
    }[which];
  const target = muts.length ? Math.abs(muts[0].v) % calls.length : -1;
  const codes = [];
  for (let c = 0; c < calls.length; c++) {
    const [name, args, writes] = calls[c];
    const a = args.slice();
    if (c === target) {
      for (const m of muts) {
        const i = m.field % a.length;
        a[i] = mutated(raw, m, ptrs, a[i],
          name.includes("forward_backward") ? i === 11 : name === "hmm_viterbi" ? i === 9 : false);
      }
    }
    // i32 arguments as the wasm call converts them (f64 ones stay)
    const conv = a.map((v, i) => ((name === "hmm_forward_backward" && i === 11) || (name === "hmm_viterbi" && i === 9)
      ? Number(v)
      : Number(v) | 0)
    );
    const sizes = conv.map((v) => v); // sizes for the allowed regions, as the core reads them
    const allowed = writes(sizes.map((v, i) => (i < 3 ? Math.max(0, v) : v))).map(([i, bytes]) =>
      region(raw, conv[i] >>> 0, Number.isFinite(bytes) ? Math.max(0, bytes) : 0)
    );
    codes.push(rawCall(raw, name, () => raw.e[name](...conv), allowed));
  }
  if (muts.length || which !== "pipeline") return;
  must(codes.every((c) => c === 0), `a valid HMM pipeline returned ${codes}`);
  const hmm = new R.CategoricalHMM({ nComponents: K, nFeatures: M, seed: 1 });
  try {
    hmm.setParams({ startprob: start, transmat: trans, emissionprob: emis });
    const L = Int32Array.from(lens);
    const post = hmm.predictProba(X, L), gamma = new Float64Array(raw.mem.buffer, at.gamma, N * K);
    must(post.every((v, i) => Object.is(v, gamma[i])), "hmm_forward_backward's posteriors differ from the bindings");
    const dec = hmm.decode(X, L);
    must(dec.states.every((z, i) => z === new Int32Array(raw.mem.buffer, at.states, N)[i]),
      "hmm_viterbi's path differs from the bindings");
    must(Object.is(dec.logProb, H[at.out / 8]),
      `hmm_viterbi's log-probability ${H[at.out / 8]} differs from the bindings' ${dec.logProb}`);
  } finally {
    hmm.dispose();
  }
}

/** embedding_forward then embedding_backward on a padded batch of ids (garbage past each length
 *  when the lengths are given), one call's arguments maybe mutated. */
function embeddingRaw(raw, s, muts) {
  const rnd = rng32(s.seed), { V, E, lens } = s, B = lens.length, T = Math.max(...lens);
  const at = lay(raw, [["table", 4 * V * E], ["ids", 4 * B * T], ["lengths", 4 * B], ["out", 4 * B * T * E], ["dtable",
    4 * V * E], ["bad", 4]], rnd);
  const table = new Float32Array(raw.mem.buffer, at.table, V * E), ids = new Int32Array(raw.mem.buffer, at.ids, B * T);
  for (let i = 0; i < V * E; i++) table[i] = rnd() * 2 - 1;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) ids[b * T + t] = t < lens[b] || !s.lengths ? Math.floor(rnd() * V) % V : -3;
  }
  new Int32Array(raw.mem.buffer, at.lengths, B).set(lens);
  new Float32Array(raw.mem.buffer, at.dtable, V * E).fill(0);
  const len = s.lengths ? at.lengths : 0, ptrs = Object.values(at).filter(Boolean);
  const calls = [["embedding_forward", [V, E, B, T, at.table, at.ids, len, at.out, at.bad],
    (a) => [[7, 4 * a[1] * a[2] * a[3]], [8, 4]]], ["embedding_backward", [V, E, B, T, at.dtable, at.ids, len, at.out,
    at.bad], (a) => [[4, 4 * a[0] * a[1]], [8, 4]]]];
  const target = muts.length ? Math.abs(muts[0].v) % calls.length : -1, codes = [];
  for (let c = 0; c < calls.length; c++) {
    const [name, args, writes] = calls[c], a = args.slice();
    if (c === target) {
      for (const m of muts) {
        const i = m.field % a.length;
        a[i] = mutated(raw, m, ptrs, a[i], false);
      }
    }
    const conv = a.map((v) => Number(v) | 0);
    const allowed = writes(conv.map((v, i) => (i < 4 ? Math.max(0, v) : v))).map(([i, bytes]) =>
      region(raw, conv[i] >>> 0, Number.isFinite(bytes) ? Math.max(0, bytes) : 0)
    );
    codes.push(rawCall(raw, name, () => raw.e[name](...conv), allowed));
  }
  if (muts.length) return;
  must(codes.every((c) => c === 0), `a valid embedding pass returned ${codes}`);
  const out = new Float32Array(raw.mem.buffer, at.out, B * T * E);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < E; j++) {
        const want = s.lengths && t >= lens[b] ? 0 : table[ids[b * T + t] * E + j];
        must(Object.is(out[(b * T + t) * E + j], want), "embedding_forward's rows differ from the table's");
      }
    }
  }
}

function abiRawProperty(R, canary) {
  const rnnCase = fc.record({ cell: fc.integer({ min: 0, max: 4 }), B: fc.integer({ min: 1, max: 3 }),
    T: fc.integer({ min: 1, max: 4 }), I: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 5 }),
    L: fc.integer({ min: 1, max: 2 }), D: fc.integer({ min: 1, max: 2 }), ck: fc.integer({ min: 0, max: 1 }),
    trunc: fc.integer({ min: 0, max: 3 }), lengths: fc.boolean(), h0: fc.boolean(), dout: fc.boolean(),
    dx: fc.boolean(), dhs: fc.boolean(), seed: fc.nat() });
  const odeCase = fc.record({ method: fc.integer({ min: 0, max: 3 }), act: fc.integer({ min: 0, max: 2 }),
    ti: fc.integer({ min: 0, max: 1 }), D: fc.integer({ min: 1, max: 3 }),
    hidden: fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 2 }), B: fc.integer({ min: 1, max: 3 }),
    S: fc.integer({ min: 1, max: 4 }), perSeq: fc.integer({ min: 0, max: 1 }), sub: fc.integer({ min: 1, max: 3 }),
    maxSteps: fc.integer({ min: 20, max: 200 }), grad: fc.integer({ min: 0, max: 1 }),
    norm: fc.integer({ min: 0, max: 1 }), map: fc.integer({ min: 0, max: 1 }), dh0: fc.boolean(), row: fc.nat(4),
    cap: fc.integer({ min: 0, max: 8 }), seed: fc.nat() });
  const hmmCase = fc.record({ K: fc.integer({ min: 1, max: 4 }), M: fc.integer({ min: 1, max: 4 }),
    F: fc.integer({ min: 1, max: 3 }), lens: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
    xi: fc.boolean(), seed: fc.nat() });
  const embCase = fc.record({ V: fc.integer({ min: 1, max: 6 }), E: fc.integer({ min: 1, max: 9 }),
    lens: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }), lengths: fc.boolean(),
    seed: fc.nat() });
  const muts = fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 3,
    arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) });
  const move = fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1,
    arbitrary: fc.integer({ min: -1, max: 30 }) });
  const phase = fc.constantFrom("both", "forward", "backward");
  const cases = fc.oneof(fc.record({ family: fc.constant("rnn"), s: rnnCase, muts, phase, move }),
    fc.record({ family: fc.constant("ode"), s: odeCase, muts, phase, move }),
    fc.record({ family: fc.constant("hmm"), s: hmmCase, muts, phase: fc.constantFrom(...HMM_CALLS),
      move: fc.constant(null) }),
    fc.record({ family: fc.constant("embedding"), s: embCase, muts, phase: fc.constant("both"),
      move: fc.constant(null) }));
  return fc.asyncProperty(cases, async ({ family, s, muts: m, phase: ph, move: mv }) => {
    const raw = await rawInstance();
    if (process.env.ABI_RAW_TRACE) {
      (await import("node:fs")).writeFileSync(process.env.ABI_RAW_TRACE,
        JSON.stringify({ family, s, muts: m, phase: ph, move: mv }));
    }
    new Uint8Array(raw.mem.buffer).set(raw.pristine);
    new Uint32Array(raw.mem.buffer, raw.base, (raw.end - raw.base) / 4).fill(0xa5c3e1f7); // canary bytes
    if (family === "rnn") rnnRaw(R, raw, s, m, ph, mv);
    else if (family === "ode") odeRaw(R, raw, s, m, ph, mv);
    else if (family === "embedding") embeddingRaw(raw, s, m);
    else hmmRaw(R, raw, s, m, ph, mv);
    if (!m.length && mv === null) {
      canary.check();
      stats.valid++;
    } else stats.errors++;
  });
}

/** The properties, by name. Each closes over a canary model in the same memory. */
export function properties(R, canary) {
  return { layers: layerProperty(R, canary), model: modelProperty(R, canary), optimizers: optimizerProperty(R, canary),
    "safetensors.write": writeProperty(R, canary), "safetensors.read": readProperty(R, canary),
    diagnostics: diagnosticsProperty(R, canary), fit: fitProperty(R, canary), ode: odeProperty(R, canary),
    "ode.inputs": stateSpaceProperty(R, canary), odernn: odeRnnProperty(R, canary), hmm: hmmProperty(R, canary),
    "hmm.gaussian": gaussianHmmProperty(R, canary), stream: streamProperty(R, canary),
    "abi.raw": abiRawProperty(R, canary) };
}
