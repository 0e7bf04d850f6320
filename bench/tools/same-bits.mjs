// Do two builds compute bit for bit alike? Each trains the same models in both trees and compares
// every number they produce, bit for bit:
//   - RNN models (every cell; one layer, two bidirectional layers, checkpointed, H = 256;
//     sequences of unequal lengths): every parameter after three Adam steps; every layer's
//     forward and backward outputs (initial states, lengths, truncation, checkpointing, ∂x, ∂h0,
//     ∂c0, parameter gradients); a Model's gradient flow.
//   - NeuralODE (every method: euler, midpoint, rk4, dopri5; gradient backprop and adjoint with
//     both adjoint norms; time input or not; one shared grid, one grid per sequence, a decreasing
//     grid; each activation, the cube input map, one and two hidden layers): per Adam step the
//     forward's states and stats, dopri5's accepted steps, the backward's ∂h0, stats and every
//     parameter gradient, then the parameters; and solves that fail (maxSteps, a blow-up): the
//     error message (which names t and the step size).
//   - ODE-RNN (Model cell "odegru", fixed-step and dopri5, backprop and adjoint, sequence and last
//     readouts, masks): predictions, loss, every gradient and every parameter after Adam steps.
//   - CategoricalHMM and GaussianHMM fits: the log-likelihood history and every parameter.
//   node bench/tools/same-bits.mjs /tmp/a .      (directories with dist/index.js, as for bench/tools/ab.mjs)
//   [--only rnn,ode,odernn,hmm]            a subset of the families
//   [--relaxed]                            the relaxed-SIMD builds (node --experimental-wasm-relaxed-simd)
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : ["rnn", "ode", "odernn", "hmm"];
const [A, B] = await Promise.all(args.slice(0, 2).map((d) => import(pathToFileURL(resolve(d, "dist/index.js")).href)));
const relaxed = args.includes("--relaxed");
for (const M of [A, B]) {
  await M.init(relaxed ? { relaxedSimd: true } : {});
  if (relaxed && !M.coreInfo().relaxedSimd) {
    throw new Error("the relaxed-SIMD build did not load (run node with --experimental-wasm-relaxed-simd)");
  }
}
let s = 1;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
let bad = 0, compared = 0;

/** The bits of a typed array (f32 or f64), for comparison. */
const bits = (
  a,
) => (a instanceof Float64Array
  ? new BigUint64Array(a.buffer, a.byteOffset, a.length)
  : a instanceof Float32Array
  ? new Uint32Array(a.buffer, a.byteOffset, a.length)
  : a);
/** Compare two records of named values (typed arrays, numbers, strings, arrays of them): the names
 *  that differ. Numbers compare by their f64 bits (NaN payloads aside, Object.is). */
function differ(x, y, path = "") {
  if (ArrayBuffer.isView(x) || ArrayBuffer.isView(y)) {
    compared++;
    if (!ArrayBuffer.isView(x) || !ArrayBuffer.isView(y) || x.constructor !== y.constructor || x.length !== y.length) {
      return [path];
    }
    const a = bits(x), b = bits(y);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return [`${path}[${i}]`];
    return [];
  }
  if (typeof x === "number" || typeof y === "number" || typeof x === "string" || typeof x === "boolean" || x == null) {
    compared++;
    return Object.is(x, y) ? [] : [`${path}: ${x} vs ${y}`];
  }
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].flatMap((k) => differ(x[k], y[k], path ? `${path}.${k}` : k));
}
function report(label, rec) {
  const d = differ(rec[0], rec[1]);
  if (d.length) bad++;
  console.log(label, d.length ? `DIFFER: ${d.slice(0, 4).join(", ")}` : "bitwise equal");
}
/** Run fn(M) in each tree with the same random stream; the records it returns. */
function both(fn) {
  const seed = s, out = [];
  for (const M of [A, B]) {
    s = seed;
    out.push(fn(M));
  }
  return out;
}
const attempt = (fn) => {
  try {
    return fn();
  } catch (e) {
    return { error: `${e.constructor.name}: ${e.message}` };
  }
};

if (only.includes("rnn")) {
  const cases = [];
  for (const cell of ["rnn", "lstm", "gru"]) {
    for (const [I, H, L, bi, ck, T] of [[16, 64, 1, false, false, 50], [32, 128, 2, true, false, 30], [5, 20, 1, false,
      true, 37], [8, 256, 1, false, false, 12]]) cases.push({ cell, I, H, L, bi, ck, T });
  }
  for (const c of cases) {
    const Bn = 7;
    const data = { x: Array.from({ length: Bn }, (_, b) => Float32Array.from({ length: (c.T - (b % 3)) * c.I }, rnd)),
      y: Float32Array.from({ length: Bn }, rnd) };
    report(JSON.stringify(c), both((M) => {
      const m = new M.Model({ cell: c.cell, inputSize: c.I, hiddenSize: c.H, outputSize: 1, numLayers: c.L,
        bidirectional: c.bi, checkpoint: c.ck, seed: 3 });
      const opt = new M.Adam({ learningRate: 1e-3 });
      for (let i = 0; i < 3; i++) m.trainBatch(data, opt);
      const sd = m.stateDict();
      m.dispose();
      opt.dispose();
      return sd;
    }));
  }
  for (const [cls, opts] of [["RNN", { nonlinearity: "tanh" }], ["RNN", { nonlinearity: "relu" }], ["RNN", {
    nonlinearity: "linear",
  }], ["LSTM", {}], ["GRU", {}]]) {
    for (const [L, bi, ck, truncate] of [[1, false, false, 0], [2, true, false, 3], [2, true, true, 0], [1, false, true,
      2]]) {
      const Bn = 5, T = 23, I = 6, H = 12, LD = L * (bi ? 2 : 1), lstm = cls === "LSTM";
      const x = Float32Array.from({ length: Bn * T * I }, rnd),
        lengths = Int32Array.from({ length: Bn }, (_, b) => T - 3 * b);
      const h0 = Float32Array.from({ length: LD * Bn * H }, rnd), c0 = Float32Array.from({ length: LD * Bn * H }, rnd);
      const gOut = Float32Array.from({ length: Bn * T * (bi ? 2 : 1) * H }, rnd),
        gH = Float32Array.from({ length: LD * Bn * H }, rnd);
      report(`${cls} ${JSON.stringify({ ...opts, L, bi, ck, truncate })}`, both((M) => {
        const r = new M[cls]({ inputSize: I, hiddenSize: H, numLayers: L, bidirectional: bi, seed: 5, ...opts });
        r.checkpoint = ck;
        const o = r.forward(x, { batch: Bn, steps: T, lengths, h0, ...(lstm ? { c0 } : {}) });
        const g = r.backward({ output: gOut, hN: gH, ...(lstm ? { cN: gH } : {}) }, truncate ? { truncate } : {});
        const rec = { o, g, grads: r.grads() };
        r.dispose();
        return rec;
      }));
    }
  }
  for (const cell of ["rnn", "lstm", "gru"]) {
    const data = { x: Array.from({ length: 6 }, (_, b) => Float32Array.from({ length: (20 - b) * 3 }, rnd)),
      y: Float32Array.from({ length: 6 }, rnd) };
    report(`gradientFlow ${cell}`, both((M) => {
      const m = new M.Model({ cell, inputSize: 3, hiddenSize: 9, outputSize: 1, numLayers: 2, seed: 2 });
      const g = m.gradientFlow(data, { truncate: 4 });
      m.dispose();
      return g;
    }));
  }
}

if (only.includes("ode")) {
  // every method × gradient × time input × grid, the other options varied along
  const grids = ["shared", "perSeq", "decreasing"], acts = ["tanh", "relu", "softplus"];
  let n = 0;
  for (const method of ["euler", "midpoint", "rk4", "dopri5"]) {
    for (const gradient of ["backprop", "adjoint"]) {
      for (const timeInput of [false, true]) {
        for (const grid of grids) {
          n++;
          const c = { method, gradient, timeInput, grid, D: 2 + (n % 4),
            hidden: n % 5 === 0 ? [12, 9] : [16 + (n % 3) * 8], activation: acts[n % 3],
            inputMap: n % 7 === 3 ? "cube" : "identity", adjointNorm: n % 2 ? "seminorm" : "mixed",
            substeps: 1 + (n % 3), Bn: 1 + (n % 5), S: 2 + (n % 4) };
          odeCase(c, {});
        }
      }
    }
  }
  // larger shapes (the GEMM paths) and tighter tolerances
  for (const method of ["rk4", "dopri5"]) {
    for (const gradient of ["backprop", "adjoint"]) {
      odeCase({ method, gradient, timeInput: false, grid: "perSeq", D: 17, hidden: [64, 40], activation: "tanh",
        inputMap: "identity", adjointNorm: "mixed", substeps: 3, Bn: 9, S: 6 }, { rtol: 1e-7, atol: 1e-9 });
    }
  }
  // failing solves: maxSteps passed, forward and adjoint backward; a blow-up (step underflow)
  odeCase({ method: "dopri5", gradient: "backprop", timeInput: true, grid: "perSeq", D: 3, hidden: [16],
    activation: "tanh", inputMap: "identity", adjointNorm: "mixed", substeps: 1, Bn: 3, S: 4 }, { maxSteps: 3 });
  const fixed = { h0: Float32Array.from({ length: 9 }, (_, i) => Math.sin(i)),
    times: Float64Array.from({ length: 4 }, (_, i) => 0.1 + 0.37 * i) }; // the forward passes, the backward stops
  odeCase({ method: "dopri5", gradient: "adjoint", timeInput: false, grid: "shared", D: 3, hidden: [16],
    activation: "tanh", inputMap: "identity", adjointNorm: "mixed", substeps: 1, Bn: 3, S: 4 }, { maxSteps: 12,
    rtol: 1e-7, atol: 1e-9, ...fixed });
  odeCase({ method: "dopri5", gradient: "backprop", timeInput: false, grid: "shared", D: 1, hidden: [],
    activation: "tanh", inputMap: "cube", adjointNorm: "mixed", substeps: 1, Bn: 2, S: 3 }, { blowUp: true });
}

/** One NeuralODE case: three rounds of forward, backward, Adam step; everything recorded. */
function odeCase(c, o) {
  const { D, Bn, S } = c;
  let h0 = Float32Array.from({ length: Bn * D }, () => rnd() * 1.6), times;
  if (o.times) ({ h0, times } = o);
  else if (c.grid === "shared") times = Float64Array.from({ length: S }, (_, i) => 0.1 + 0.37 * i + 0.05 * rnd());
  else if (c.grid === "decreasing") times = Float64Array.from({ length: S }, (_, i) => 1.5 - 0.41 * i + 0.05 * rnd());
  else {
    times = Float64Array.from({ length: Bn * S },
      (_, i) => (i % S) * (0.3 + 0.04 * Math.floor(i / S)) + 0.02 * rnd() + (i % S === 0 ? 0 : 0.05));
  }
  const gs = Float32Array.from({ length: Bn * S * D }, rnd);
  const label = JSON.stringify({ ...c, ...o, h0: undefined, times: undefined }), wsBytes = [];
  const rec = both((M) => {
    const m = new M.NeuralODE({ stateSize: D, hidden: c.hidden, activation: c.activation, timeInput: c.timeInput,
      inputMap: c.inputMap, method: c.method, substeps: c.substeps, gradient: c.gradient, adjointNorm: c.adjointNorm,
      rtol: o.rtol ?? 1e-5, atol: o.atol ?? 1e-7, maxSteps: o.maxSteps ?? 10000, seed: 7 });
    if (o.blowUp) m.loadStateDict({ "net.0.weight": Float32Array.of(4), "net.0.bias": Float32Array.of(1) }); // dh/dt = 4h³ + 1: finite-time blow-up
    const opt = new M.Adam({ learningRate: 1e-2 }), rec = { rounds: [] };
    wsBytes.push(m.workspaceBytes(Bn, S)); // not compared: a layout change may change it
    for (let i = 0; i < 3; i++) {
      const r = {};
      r.forward = attempt(() => m.forward(h0, times, { batch: Bn, steps: S }));
      if (!r.forward.error) {
        if (c.method === "dopri5" && c.gradient === "backprop") {
          r.steps = Array.from({ length: Bn }, (_, b) => m.steps(b));
        }
        m.zeroGrad();
        r.backward = attempt(() => m.backward({ states: gs }));
        r.grads = m.grads();
        opt.step(m);
      }
      r.params = m.stateDict();
      rec.rounds.push(r);
    }
    m.dispose();
    opt.dispose();
    return rec;
  });
  const errors = rec[0].rounds.flatMap((r) => [r.forward.error, r.backward?.error]).filter(Boolean);
  const grew = wsBytes[1] - wsBytes[0];
  report(
    label + (errors.length ? ` (${errors.length} failed solves: ${errors[0].slice(0, 60)}…)` : "")
      + (grew ? ` (workspace ${grew > 0 ? "+" : ""}${grew} bytes)` : ""),
    rec,
  );
}

if (only.includes("ode")) {
  // the raw exports of each tree's build/recurrent.wasm: the codes and stats of solves that fail
  // (t and the step size, f64, in stats[0], stats[1]) and of those that do not
  const { readFileSync } = await import("node:fs");
  const K = { OD_METHOD: 0, OD_D: 3, OD_LAYERS: 4, OD_WIDTHS: 5, OD_B: 6, OD_S: 7, OD_TIMES: 8, OD_SUBSTEPS: 10,
    OD_RTOL: 11, OD_ATOL: 12, OD_MAX_STEPS: 13, OD_PARAMS: 14, OD_GRADS: 15, OD_WS: 16, OD_WS_BYTES: 17, OD_H0: 18,
    OD_STATES: 19, OD_DSTATES: 20, OD_DH0: 21, OD_STATS: 22, OD_GRADIENT: 23, OD_FIELDS: 26 };
  const insts = await Promise.all(
    args.slice(0, 2).map(async (d) =>
      (await WebAssembly.instantiate(
        readFileSync(resolve(d, relaxed ? "build/recurrent.relaxed.wasm" : "build/recurrent.wasm")),
        { env: { abort() {
          throw new Error("abort");
        } } },
      )).instance.exports
    ),
  );
  const raw = (e, method, gradient, maxSteps, rtol, hidden) => {
    const mem = () => e.memory.buffer, B = 3, D = 3, S = 4, widths = [D, hidden, D],
      P = hidden * D + hidden + D * hidden + D;
    const alloc = (n) => e.alloc(n) >>> 0, desc = alloc(8 * K.OD_FIELDS), wp = alloc(16);
    new Int32Array(mem(), wp, 3).set(widths);
    const dv = () => new Float64Array(mem(), desc, K.OD_FIELDS);
    dv().fill(0);
    Object.assign(dv(), { [K.OD_METHOD]: method, [K.OD_D]: D, [K.OD_LAYERS]: 2, [K.OD_WIDTHS]: wp, [K.OD_B]: B,
      [K.OD_S]: S, [K.OD_SUBSTEPS]: 2, [K.OD_RTOL]: rtol, [K.OD_ATOL]: rtol / 100, [K.OD_MAX_STEPS]: maxSteps,
      [K.OD_GRADIENT]: gradient });
    const need = e.ode_workspace_bytes(desc);
    const [params, grads, times, h0, states, dstates, dh0, stats, ws] = [4 * P, 4 * P, 8 * S, 4 * B * D, 4 * B * S * D,
      4 * B * S * D, 4 * B * D, 32, need].map(alloc);
    new Float32Array(mem(), params, P).forEach((_, i, a) => {
      a[i] = Math.sin(i + 1) * 0.9;
    });
    new Float64Array(mem(), times, S).set([0, 0.3, 0.7, 1.6]);
    new Float32Array(mem(), h0, B * D).forEach((_, i, a) => {
      a[i] = Math.cos(3 * i) * 0.6;
    });
    new Float32Array(mem(), dstates, B * S * D).forEach((_, i, a) => {
      a[i] = Math.sin(7 * i);
    });
    new Float32Array(mem(), grads, P).fill(0);
    Object.assign(dv(), { [K.OD_PARAMS]: params, [K.OD_GRADS]: grads, [K.OD_TIMES]: times, [K.OD_H0]: h0,
      [K.OD_STATES]: states, [K.OD_DSTATES]: dstates, [K.OD_DH0]: dh0, [K.OD_STATS]: stats, [K.OD_WS]: ws,
      [K.OD_WS_BYTES]: need });
    const rec = { forward: e.ode_forward(desc), fstats: Float64Array.from(new Float64Array(mem(), stats, 4)),
      states: Float32Array.from(new Float32Array(mem(), states, B * S * D)) };
    if (rec.forward === 0) {
      if (method === 3 && gradient === 0) {
        rec.steps = [0, 1, 2].map((b) => {
          const n = e.ode_steps(desc, b, 0, 0), out = alloc(16 * n + 16);
          e.ode_steps(desc, b, out, n);
          return Float64Array.from(new Float64Array(mem(), out, 2 * n));
        });
      }
      rec.backward = e.ode_backward(desc);
      rec.bstats = Float64Array.from(new Float64Array(mem(), stats, 4));
      rec.grads = Float32Array.from(new Float32Array(mem(), grads, P));
      rec.dh0 = Float32Array.from(new Float32Array(mem(), dh0, B * D));
    }
    return rec;
  };
  for (const method of [0, 1, 2, 3]) {
    for (const gradient of [0, 1]) {
      for (const [maxSteps, rtol] of method === 3
        ? [[1000, 1e-5], [6, 1e-6], [14, 1e-7], [23, 1e-7], [40, 1e-9]]
        : [[1, 1e-5]]) {
        for (const hidden of [5, 24]) {
          const rec = insts.map((e) => raw(e, method, gradient, maxSteps, rtol, hidden));
          report(
            `raw ode: method ${method}, gradient ${gradient}, maxSteps ${maxSteps}, rtol ${rtol}, hidden ${hidden}: codes ${
              rec[0].forward
            }, ${rec[0].backward}`,
            rec,
          );
        }
      }
    }
  }
}

if (only.includes("odernn")) {
  const I = 3, O = 2;
  const configs = [{ ode: { method: "rk4", hidden: [12] }, readout: "sequence" }, {
    ode: { method: "euler", hidden: [10], substeps: 3, timeInput: true },
    readout: "last",
  }, { ode: { method: "midpoint", hidden: [8, 8], gradient: "adjoint", activation: "softplus" }, readout: "sequence" },
    { ode: { method: "dopri5", hidden: [12], rtol: 1e-4, atol: 1e-6 }, readout: "sequence" }, {
    ode: { method: "dopri5", hidden: [12], rtol: 1e-4, atol: 1e-6, gradient: "adjoint" },
    readout: "last",
    initialState: "learned",
  }, {
    ode: { method: "dopri5", hidden: [12], rtol: 1e-4, atol: 1e-6, gradient: "adjoint", adjointNorm: "seminorm",
      timeInput: true },
    readout: "sequence",
  }];
  for (const cfg of configs) {
    for (const H of [6, 20]) {
      const lens = [7, 4, 9, 1, 6];
      const x = lens.map((len) => Float32Array.from({ length: len * I }, rnd));
      const mask = lens.map((len) => Float32Array.from({ length: len * I }, () => (rnd() > -0.3 ? 1 : 0)));
      // non-decreasing times with repeats
      const times = lens.map((len) => {
        let t = rnd();
        return Float64Array.from({ length: len },
          (_, k) => (k === 0 ? t : (t += rnd() > 0.3 ? 0 : 0.1 + 0.5 * (rnd() + 0.5))));
      });
      const y = cfg.readout === "sequence"
        ? lens.map((len) => Float32Array.from({ length: len * O }, rnd))
        : Float32Array.from({ length: lens.length * O }, rnd);
      const data = { x, times, mask, y };
      report(JSON.stringify({ odegru: cfg, H }), both((M) => {
        const m = new M.Model({ cell: "odegru", inputSize: I, hiddenSize: H, outputSize: O, inputMask: true, seed: 4,
          ...cfg });
        const opt = new M.Adam({ learningRate: 1e-2 }), rec = { rounds: [] };
        for (let i = 0; i < 3; i++) {
          const r = {};
          r.loss = m.computeGradients(data);
          r.grads = m.grads();
          r.train = m.trainBatch(data, opt);
          r.pred = m.predict(x, { times, mask });
          r.params = m.stateDict();
          rec.rounds.push(r);
        }
        m.dispose();
        opt.dispose();
        return rec;
      }));
    }
  }
}

if (only.includes("hmm")) {
  const lens = [40, 25, 60, 13];
  const N = lens.reduce((a, b) => a + b, 0), L = Int32Array.from(lens);
  const Xc = Int32Array.from({ length: N }, () => Math.floor((rnd() + 0.5) * 5) % 5);
  const Xg = Float64Array.from({ length: N * 2 }, (_, i) => rnd() * 3 + (Math.floor(i / 30) % 2) * 2);
  for (const [kind, X, opts] of [["CategoricalHMM", Xc, { nComponents: 3, nFeatures: 5 }], ["GaussianHMM", Xg, {
    nComponents: 3,
    nFeatures: 2,
  }]]) {
    report(`${kind} fit`, both((M) => {
      const h = new M[kind]({ ...opts, nIter: 15, tol: 0, seed: 2 });
      const fit = h.fit(X, L);
      const rec = { fit, params: h.params(), score: h.score(X, L), decode: h.decode(X, L),
        proba: h.predictProba(X, L) };
      h.dispose();
      return rec;
    }));
  }
}
console.log(`${compared} values compared; ${bad ? `${bad} case(s) DIFFER` : "all bitwise equal"}`);
process.exit(bad ? 1 : 0);
