// Weight initializers, seeded and deterministic (the same seed gives the same weights in every run;
// Gaussian draws use Math.log/sin/cos, which V8 — Node and Chromium — computes identically).
//   uniform     U(−1/√H, 1/√H), PyTorch's default for RNN/LSTM/GRU
//   orthogonal  Q of the Householder QR of a Gaussian matrix, columns times sign(R_ii) (Haar
//               distributed, as PyTorch's orthogonal_), times gain; computed in the core
//   identity    gain · I (Le, Jaitly & Hinton 2015, "IRNN"), recurrent weights only
//   xavier      Glorot & Bengio 2010 uniform, U(±gain·√(6 / (fan_in + fan_out))) over the tensor
// and the preset "keras" (Keras' LSTM/GRU/SimpleRNN defaults), expanded by checkInit into options.
import * as check from "../core/check.js";
import { allocAll, f32, free } from "../core/arena.js";
import { core } from "../core/loader.js";
import { Rng } from "../core/random.js";

/** An initializer: uniform U(−1/√H, 1/√H) (PyTorch's), orthogonal (QR of a Gaussian matrix, per gate block), identity, or Xavier-uniform. */
export type InitName = "uniform" | "orthogonal" | "identity" | "xavier";

/** How a layer's parameters are initialized, by kind (InitName each). */
export interface InitOptions {
  /** Recurrent weights W_hh, per gate block [H, H] (default "uniform"). */
  recurrent?: InitName;
  /** Input weights W_ih, per gate block [H, In] (default "uniform"; not "identity"). */
  input?: Exclude<InitName, "identity">;
  /** Biases: "uniform" (default, PyTorch's) or "zeros". */
  bias?: "uniform" | "zeros";
  /** Scale of orthogonal, identity and xavier weights (default 1). */
  gain?: number;
  /** LSTM only: the forget gate's bias, set after the other biases: bias_ih's forget block (rows
   *  H..2H) = forgetBias and bias_hh's = 0, so their sum, what the gate sees, is exactly forgetBias
   *  (Keras' unit_forget_bias is 1). Default: not set (U(−1/√H, 1/√H) like every bias, PyTorch's;
   *  zeros with bias "zeros"); 1 with init "keras". */
  forgetBias?: number;
}

/** A layer's `init`: InitOptions, or a preset. "pytorch": {} (PyTorch's defaults). "keras": Keras'
 *  defaults, { input: "xavier", recurrent: "orthogonal", bias: "zeros" } and for LSTM forgetBias 1:
 *  glorot_uniform over the whole W_ih as Keras does over its kernel [In, G·H] (fan_in = In, the layer's
 *  input width; fan_out = G·H; limit √(6 / (In + G·H))), each H×H gate block of W_hh orthogonal,
 *  zero biases. */
export type InitSpec = InitOptions | "keras" | "pytorch";

/** A rows×cols matrix with orthonormal columns (rows >= cols) or rows (rows < cols), times gain. */
export function orthogonal(rows: number, cols: number, options: { gain?: number; seed?: number } = {}): Float32Array {
  const W = "orthogonal";
  const r = check.int(W, "rows", rows, 1, 1 << 14), c = check.int(W, "cols", cols, 1, 1 << 14);
  const o = check.object(W, "options", options);
  check.known(W, o, ["gain", "seed"]);
  const gain = check.num(W, "options.gain", o.gain ?? 1, -Infinity);
  const rng = new Rng(check.int(W, "options.seed", o.seed ?? 0, 0, 0xffffffff));
  const m = Math.max(r, c), n = Math.min(r, c);
  const g = new Float32Array(m * n);
  for (let i = 0; i < g.length; i++) g[i] = rng.normal();
  const k = core();
  const [p, work] = allocAll(W, [4 * m * n, 4 * k.qr_work_floats(m, n)]);
  try {
    f32(p, m * n).set(g);
    k.qr_orthogonal(m, n, p, gain, work);
    const q = f32(p, m * n).slice();
    if (r >= c) return q;
    const t = new Float32Array(r * c); // rows < cols: the transpose has orthonormal rows
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * c + i] = q[i * n + j];
    return t;
  } finally {
    free(p);
    free(work);
  }
}

/** Fill a layer's flat parameter block (PyTorch state_dict order) by the options. The "uniform"
 *  parts are drawn exactly as before any options existed, so default initialization is unchanged. */
export function initializeBlock(v: Float32Array,
  slots: readonly { name: string; shape: number[]; offset: number; size: number }[], G: number, H: number, seed: number,
  options: InitOptions): void {
  const rng = new Rng(seed);
  const k = 1 / Math.sqrt(H);
  for (let i = 0; i < v.length; i++) v[i] = (2 * rng.uniform() - 1) * k;
  const gain = options.gain ?? 1;
  slots.forEach((s, si) => {
    const kind = s.name.startsWith("weight_hh")
      ? options.recurrent
      : s.name.startsWith("weight_ih")
      ? options.input
      : undefined;
    const block = v.subarray(s.offset, s.offset + s.size);
    if (s.name.startsWith("bias")) {
      if (options.bias === "zeros") block.fill(0);
      // the forget gate (LSTM's second block): its whole bias in bias_ih
      if (options.forgetBias !== undefined) {
        block.subarray(H, 2 * H).fill(s.name.startsWith("bias_ih") ? options.forgetBias : 0);
      }
      return;
    }
    if (!kind || kind === "uniform") return;
    const cols = s.shape[1];
    if (kind === "xavier") {
      const bound = gain * Math.sqrt(6 / (s.shape[0] + cols));
      const r = new Rng((seed ^ Math.imul(si + 1, 0x9e3779b1)) >>> 0);
      for (let i = 0; i < block.length; i++) block[i] = (2 * r.uniform() - 1) * bound;
      return;
    }
    for (let gi = 0; gi < G; gi++) {
      const gate = block.subarray(gi * H * cols, (gi + 1) * H * cols);
      if (kind === "identity") {
        gate.fill(0);
        for (let i = 0; i < H; i++) gate[i * cols + i] = gain;
      } else {
        gate.set(orthogonal(H, cols, { gain, seed: (seed ^ Math.imul(si * 8 + gi + 1, 0x9e3779b1)) >>> 0 }));
      }
    }
  });
}

/** Validate an init (for layer and model constructors) and expand a preset into its options; lstm:
 *  whether the layer is an LSTM (the only cell with a forget gate). */
export function checkInit(where: string, v: unknown, lstm: boolean): InitOptions {
  if (v === undefined || v === "pytorch") return {};
  if (v === "keras") {
    return { recurrent: "orthogonal", input: "xavier", bias: "zeros", ...(lstm ? { forgetBias: 1 } : {}) };
  }
  if (typeof v === "string") {
    throw new TypeError(`${where}: init must be "pytorch", "keras" or an object of InitOptions, got ${check.show(v)}`);
  }
  const o = check.object(where, "init", v);
  check.known(where, o, ["recurrent", "input", "bias", "gain", "forgetBias"], "init");
  const r: InitOptions = {};
  if (o.recurrent !== undefined) {
    r.recurrent = check.oneOf(where, "init.recurrent", o.recurrent,
      ["uniform", "orthogonal", "identity", "xavier"] as const);
  }
  if (o.input !== undefined) {
    r.input = check.oneOf(where, "init.input", o.input, ["uniform", "orthogonal", "xavier"] as const);
  }
  if (o.bias !== undefined) r.bias = check.oneOf(where, "init.bias", o.bias, ["uniform", "zeros"] as const);
  if (o.gain !== undefined) r.gain = check.num(where, "init.gain", o.gain, -Infinity);
  if (o.forgetBias !== undefined) {
    if (!lstm) throw new TypeError(`${where}: init.forgetBias applies only to LSTM (the cell with a forget gate)`);
    r.forgetBias = check.num(where, "init.forgetBias", o.forgetBias, -Infinity);
  }
  return r;
}
