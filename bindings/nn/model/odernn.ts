// The ODE-RNN of Rubanova, Chen & Duvenaud (2019), cell "odegru" of a Model, over a batch of
// irregularly sampled sequences: at step s of sequence b (time t_{b,s}),
//   h'_s = ODESolve(f_θ, h_{s−1}, t_{b,s−1} → t_{b,s})     (s ≥ 1; h'_0 = the initial state)
//   h_s  = GRUCell(x_s, h'_s)   if anything was observed at s, else h'_s
// Each step runs two core passes on the sequences it concerns, gathered into compact rows: a
// Neural ODE solve over one interval (functional/ode.ts: two requested times per sequence, one grid
// per sequence) and a one-step GRU pass (functional/rnn.ts). No JS runs per function evaluation;
// the JS here runs per step.
//
// Backward, from the last step to the first: the GRU step is recomputed from the stored h'_s and
// differentiated; the interval's ODE is differentiated by backprop through a recomputed solve (the
// same rows, times and inputs give the same steps, bitwise: each sequence controls its own step)
// or, with gradient "adjoint", by the adjoint solve from the stored h_{s−1} and h'_s. Memory: the
// states h'_s and h_s of every step, and one interval's solve.
import * as A from "../../core/abi.js";
import { Blocks, f32, i32 } from "../../core/arena.js";
import { cellId } from "../../core/cells.js";
import { core } from "../../core/loader.js";
import { Rng } from "../../core/random.js";
import { OdeShape, odeBackward, odeBlocks, odeForward, odeRemedies, odeShapeOf, orList } from "../../functional/ode.js";
import { RnnShape, rnnBackward, rnnBackwardBlocks, rnnForward, rnnForwardBlocks } from "../../functional/rnn.js";
import type { ParameterBlock, TensorSlot } from "../params.js";
import type { RecurrentLayer } from "../rnn/layers.js";
import { MODEL_CELLS, odeWidths } from "./cells.js";
import type { ModelSettings } from "./config.js";
import { CoreBackward, CoreForward, SequenceCore, modelLayer } from "./core.js";
import { recurrentInputSize } from "./data.js";
import type { Staged } from "./data.js";

interface OdeRnnSpec {
  /** The GRU's cell id (assembly/constants.ts), recurrent input width (features, their mask),
   *  hidden size. */
  cell: number;
  inputSize: number;
  hiddenSize: number;
  /** The ODE's shape fields (method, activation, time input, widths, tolerances, gradient). */
  ode: Omit<OdeShape, "batch" | "steps" | "perSequence">;
  /** Float offsets of the GRU's and of the ODE's parameters in the model's block. */
  gruOffset: number;
  odeOffset: number;
}

export class OdeRnn implements SequenceCore {
  readonly #cfg: ModelSettings;
  readonly #slots: readonly TensorSlot[];
  readonly #spec: OdeRnnSpec;
  /** States of every step and compact per-step buffers; the GRU's and the ODE's pass memory. */
  readonly #mem = new Blocks();
  readonly #gruPass = new Blocks();
  readonly #odePass = new Blocks();
  readonly memory: readonly Blocks[] = [this.#mem, this.#gruPass, this.#odePass];
  #rows = new Int32Array(0);
  #layer: RecurrentLayer | null = null;
  /** Floats of the model's parameter block (the GRU passes' gradient blocks with threads). */
  #paramFloats = 0;

  /** The ODE-RNN of a model: its GRU over the model's "rnn." slots, its ODE over the "ode." ones. */
  constructor(cfg: ModelSettings, slots: readonly TensorSlot[]) {
    this.#cfg = cfg;
    this.#slots = slots;
    const at = (name: string) => slots.find((s) => s.name === name)!.offset;
    this.#spec = { cell: cellId(MODEL_CELLS[cfg.cell].layer, cfg.nonlinearity), inputSize: recurrentInputSize(cfg),
      hiddenSize: cfg.hiddenSize, ode: odeShapeOf(cfg.ode!, odeWidths(cfg)), gruOffset: at("rnn.weight_ih_l0"),
      odeOffset: at("ode.net.0.weight") };
    this.#odeShape = { ...this.#spec.ode, batch: 1, steps: 2, perSequence: true };
  }

  get layer(): RecurrentLayer {
    return this.#layer!;
  }

  /** The GRU layer (its own init), then the ODE's Linear layers: PyTorch's init
   *  U(−1/√fan_in, 1/√fan_in), seeded apart. */
  init(parameters: ParameterBlock): void {
    this.#layer = modelLayer(this.#cfg, parameters);
    this.#paramFloats = parameters.numParams;
    const widths = odeWidths(this.#cfg), rng = new Rng((this.#cfg.seed ^ 0x27d4eb2f) >>> 0);
    const all = f32(parameters.paramsAt("Model"), parameters.numParams);
    for (const sl of this.#slots) {
      if (!sl.name.startsWith("ode.")) continue;
      const k = 1 / Math.sqrt(widths[Number(sl.name.split(".")[2]) / 2]);
      for (let i = 0; i < sl.size; i++) all[sl.offset + i] = (2 * rng.uniform() - 1) * k;
    }
  }

  #gru(n: number): RnnShape {
    return { cell: this.#spec.cell, batch: n, steps: 1, inputSize: this.#spec.inputSize,
      hiddenSize: this.#spec.hiddenSize, numLayers: 1, directions: 1, checkpoint: false };
  }
  /** The interval solve's shape for n rows (one object, updated: this runs per step). */
  #ode(n: number): OdeShape {
    this.#odeShape.batch = n;
    return this.#odeShape;
  }
  readonly #odeShape: OdeShape;

  /** The blocks a batch of B sequences × T steps needs, by Blocks (reserve them with the caller's). */
  blocks(B: number, T: number, backward: boolean): [Blocks, Record<string, number>][] {
    const paramFloats = this.#paramFloats;
    const H = this.#spec.hiddenSize, I = this.#spec.inputSize, st = 4 * B * H;
    const mem = { hp: st * T, hs: st * T, cx: 4 * B * I, ch: st, chn: st, cout: st, lengths: 4 * B, otimes: 16 * B,
      oh0: st, ostates: 2 * st, g: backward ? st : 0, cdh: backward ? st : 0, cg: backward ? st : 0,
      odst: backward ? 2 * st : 0, odh0: backward ? st : 0 };
    const gru = rnnForwardBlocks(this.#gru(B));
    if (backward) Object.assign(gru, rnnBackwardBlocks(this.#gru(B), paramFloats, false));
    return [[this.#mem, mem], [this.#gruPass, gru], [this.#odePass, odeBlocks(this.#ode(B))]];
  }

  /** Smaller batches or sequences, or what shrinks the ODE's workspace (the Model's ode options). */
  advice(B: number): string {
    return orList(["use smaller batches or shorter sequences", ...odeRemedies(this.#ode(B), "ode.")]);
  }

  release(): void {
    for (const b of this.memory) b.release();
  }

  /** The rows active at step s (s < len), optionally only those with a nonzero interval (ode) or
   *  something observed (observed). Returns their count; the ids are in this.#rows. */
  #select(st: Staged, s: number, what: "active" | "ode" | "observed"): number {
    const { B, T } = st, len = i32(st.lengths, B);
    if (this.#rows.length < B) this.#rows = new Int32Array(B);
    const rows = this.#rows, times = new Float64Array(core().memory.buffer, st.times, B * T),
      obs = i32(st.observed, B * T);
    let n = 0;
    for (let b = 0; b < B; b++) {
      if (s >= len[b]) continue;
      if (what === "ode" && !(s >= 1 && times[b * T + s] > times[b * T + s - 1])) continue;
      if (what === "observed" && obs[b * T + s] === 0) continue;
      rows[n++] = b;
    }
    return n;
  }

  /** dst[r] = src[rows[r]] (H floats each; src a [B, H] slab). */
  #gather(n: number, dst: number, src: number, w: number): void {
    const v = new Float32Array(core().memory.buffer), rows = this.#rows;
    for (let r = 0; r < n; r++) v.copyWithin(dst / 4 + r * w, src / 4 + rows[r] * w, src / 4 + rows[r] * w + w);
  }
  /** dst[rows[r]] = src[r] (stride: floats between compact rows). */
  #scatter(n: number, dst: number, src: number, w: number, stride = w): void {
    const v = new Float32Array(core().memory.buffer), rows = this.#rows;
    for (let r = 0; r < n; r++) v.copyWithin(dst / 4 + rows[r] * w, src / 4 + r * stride, src / 4 + r * stride + w);
  }

  /** The compact ODE inputs of the n rows at step s: times [n, 2] (t_{s−1}, t_s) and h0 = h_{s−1}. */
  #odeInputs(st: Staged, n: number, s: number): void {
    const { B, T } = st, H = this.#spec.hiddenSize, buf = core().memory.buffer, rows = this.#rows;
    const times = new Float64Array(buf, st.times, B * T), ot = new Float64Array(buf, this.#mem.get("otimes"), 2 * n);
    for (let r = 0; r < n; r++) {
      ot[2 * r] = times[rows[r] * T + s - 1];
      ot[2 * r + 1] = times[rows[r] * T + s];
    }
    this.#gather(n, this.#mem.get("oh0"), this.#mem.get("hs") + 4 * (s - 1) * B * H, H);
  }

  /** The compact GRU inputs of the n rows at step s: x_s and h'_s. */
  #gruInputs(st: Staged, n: number, s: number): void {
    const { B, T } = st, H = this.#spec.hiddenSize, I = this.#spec.inputSize, rows = this.#rows;
    const x = new Float32Array(core().memory.buffer), cx = this.#mem.get("cx") / 4;
    for (let r = 0; r < n; r++) {
      x.copyWithin(cx + r * I, st.x / 4 + (rows[r] * T + s) * I, st.x / 4 + (rows[r] * T + s) * I + I);
    }
    this.#gather(n, this.#mem.get("ch"), this.#mem.get("hp") + 4 * s * B * H, H);
    i32(this.#mem.get("lengths"), n).fill(1);
  }

  /** Forward over a staged batch: h0 [B, H] (0: zeros); writes every step's state to out [B, T, H]
   *  (if not 0) and each sequence's last state to hn [B, H]. params: the model's block. */
  forward(where: string, st: Staged, { params, h0, out, hn }: CoreForward): void {
    const { B, T } = st, H = this.#spec.hiddenSize, BH = B * H;
    const hp = this.#mem.get("hp"), hs = this.#mem.get("hs"), heap = () => new Float32Array(core().memory.buffer);
    const gruParams = params + 4 * this.#spec.gruOffset, odeParams = params + 4 * this.#spec.odeOffset;
    for (let s = 0; s < T; s++) {
      // h'_s = h_{s−1} (h0 at s = 0), then the ODE over the rows with an interval
      if (s === 0) {
        if (h0) heap().copyWithin(hp / 4, h0 / 4, h0 / 4 + BH);
        else heap().fill(0, hp / 4, hp / 4 + BH);
      } else heap().copyWithin((hp + 4 * s * BH) / 4, (hs + 4 * (s - 1) * BH) / 4, (hs + 4 * s * BH) / 4);
      let n = this.#select(st, s, "ode");
      if (n > 0) {
        this.#odeInputs(st, n, s);
        odeForward(where, this.#odePass, this.#ode(n), { params: odeParams, times: this.#mem.get("otimes"),
          h0: this.#mem.get("oh0"), states: this.#mem.get("ostates") });
        this.#scatter(n, hp + 4 * s * BH, this.#mem.get("ostates") + 4 * H, H, 2 * H);
      }
      // h_s = h'_s, then the GRU over the rows with an observation
      heap().copyWithin((hs + 4 * s * BH) / 4, (hp + 4 * s * BH) / 4, (hp + 4 * (s + 1) * BH) / 4);
      n = this.#select(st, s, "observed");
      if (n > 0) {
        this.#gruInputs(st, n, s);
        rnnForward(where, this.#gruPass, this.#gru(n), { params: gruParams, x: this.#mem.get("cx"),
          lengths: this.#mem.get("lengths"), h0: this.#mem.get("ch"), c0: 0, out: this.#mem.get("cout"),
          hn: this.#mem.get("chn"), cn: 0 });
        this.#scatter(n, hs + 4 * s * BH, this.#mem.get("chn"), H);
      }
    }
    const len = i32(st.lengths, B), v = heap();
    for (let b = 0; b < B; b++) {
      const last = (hs + 4 * ((len[b] - 1) * BH + b * H)) / 4;
      if (hn) v.copyWithin(hn / 4 + b * H, last, last + H);
      if (out) {
        for (let s = 0; s < T; s++) {
          const o = out / 4 + (b * T + s) * H;
          if (s < len[b]) v.copyWithin(o, (hs + 4 * (s * BH + b * H)) / 4, (hs + 4 * (s * BH + b * H)) / 4 + H);
          else v.fill(0, o, o + H);
        }
      }
    }
  }

  /** Backward after forward on the same batch: dOut [B, T, H] (per-step ∂L/∂h_s, or 0) and dhn
   *  [B, H] (∂L/∂ each sequence's last state, or 0); parameter gradients accumulate into grads (the
   *  model's block); ∂L/∂h0 goes to dh0 (if not 0). */
  backward(where: string, st: Staged, { params, grads, dOut, dhn, dh0 }: CoreBackward): void {
    const paramFloats = this.#paramFloats;
    const { B, T } = st, H = this.#spec.hiddenSize, BH = B * H, len = i32(st.lengths, B);
    const g = this.#mem.get("g"), heap = () => new Float32Array(core().memory.buffer);
    const gruParams = params + 4 * this.#spec.gruOffset, gruGrads = grads + 4 * this.#spec.gruOffset;
    const odeParams = params + 4 * this.#spec.odeOffset, odeGrads = grads + 4 * this.#spec.odeOffset;
    const hp = this.#mem.get("hp");
    heap().fill(0, g / 4, g / 4 + BH);
    for (let s = T - 1; s >= 0; s--) {
      // the readout's gradient at this step
      const v = heap();
      for (let b = 0; b < B; b++) {
        if (s >= len[b]) continue;
        const gb = g / 4 + b * H;
        if (dOut) {
          const d = dOut / 4 + (b * T + s) * H;
          for (let j = 0; j < H; j++) v[gb + j] += v[d + j];
        }
        if (dhn && s === len[b] - 1) {
          const d = dhn / 4 + b * H;
          for (let j = 0; j < H; j++) v[gb + j] += v[d + j];
        }
      }
      // through the GRU step (recomputed): g becomes ∂L/∂h'_s on the observed rows
      let n = this.#select(st, s, "observed");
      if (n > 0) {
        this.#gruInputs(st, n, s);
        const shape = this.#gru(n), cx = this.#mem.get("cx"), lengths = this.#mem.get("lengths");
        rnnForward(where, this.#gruPass, shape, { params: gruParams, x: cx, lengths, h0: this.#mem.get("ch"), c0: 0,
          out: this.#mem.get("cout"), hn: this.#mem.get("chn"), cn: 0 });
        this.#gather(n, this.#mem.get("cg"), g, H);
        rnnBackward(where, this.#gruPass, shape, { params: gruParams, grads: gruGrads, x: cx, lengths, dOut: 0,
          dhn: this.#mem.get("cg"), dcn: 0, dx: 0, dh0: this.#mem.get("cdh"), dc0: 0, dhs: 0, truncate: 0 },
          paramFloats);
        this.#scatter(n, g, this.#mem.get("cdh"), H);
      }
      // through the interval's ODE: g becomes ∂L/∂h_{s−1} on the rows with an interval
      n = this.#select(st, s, "ode");
      if (n > 0) {
        this.#odeInputs(st, n, s);
        const shape = this.#ode(n), states = this.#mem.get("ostates"), dst = this.#mem.get("odst");
        if (shape.gradient === A.ODE_GRAD_ADJOINT) {
          // the forward's states of the interval: (h_{s−1}, h'_s)
          const w = heap(), rows = this.#rows;
          for (let r = 0; r < n; r++) {
            w.copyWithin(states / 4 + 2 * r * H, this.#mem.get("oh0") / 4 + r * H,
              this.#mem.get("oh0") / 4 + r * H + H);
            const src = (hp + 4 * (s * BH + rows[r] * H)) / 4;
            w.copyWithin(states / 4 + (2 * r + 1) * H, src, src + H);
          }
        } else {
          odeForward(where, this.#odePass, shape, { params: odeParams, times: this.#mem.get("otimes"),
            h0: this.#mem.get("oh0"), states });
        }
        const w = heap(), rows = this.#rows;
        for (let r = 0; r < n; r++) {
          w.fill(0, dst / 4 + 2 * r * H, dst / 4 + 2 * r * H + H);
          w.copyWithin(dst / 4 + (2 * r + 1) * H, g / 4 + rows[r] * H, g / 4 + rows[r] * H + H);
        }
        odeBackward(where, this.#odePass, shape, { params: odeParams, grads: odeGrads, times: this.#mem.get("otimes"),
          states, dstates: dst, dh0: this.#mem.get("odh0") });
        this.#scatter(n, g, this.#mem.get("odh0"), H);
      }
    }
    if (dh0) heap().copyWithin(dh0 / 4, g / 4, g / 4 + BH);
  }
}
