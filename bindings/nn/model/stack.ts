// The sequence core of the recurrent stack (every cell of CELLS): the model's recurrent layer run
// over the whole staged batch by one forward and one backward pass of the core (functional/rnn.ts),
// on pass memory of its own. The layer (a view of the model's parameters) gives the shape.
import { Blocks } from "../../core/arena.js";
import { PackedReuse, RnnShape, rnnBackward, rnnBackwardBlocks, rnnForward,
  rnnForwardBlocks } from "../../functional/rnn.js";
import type { ParameterBlock } from "../params.js";
import type { RecurrentLayer } from "../rnn/layers.js";
import type { ModelSettings } from "./config.js";
import { CoreBackward, CoreForward, SequenceCore, modelLayer } from "./core.js";
import type { Staged } from "./data.js";

const ADVICE = "use checkpoint: true (activation memory O(√steps)), shorter sequences or smaller batches";

export class StackCore implements SequenceCore {
  readonly #cfg: ModelSettings;
  /** The passes' workspaces and descriptors. */
  readonly #pass = new Blocks();
  readonly memory: readonly Blocks[] = [this.#pass];
  /** Whether the next forward may reuse the weights the last one packed (predict, evaluate). */
  readonly #packed = new PackedReuse();
  #parameters: ParameterBlock | null = null;
  #layer: RecurrentLayer | null = null;

  constructor(cfg: ModelSettings) {
    this.#cfg = cfg;
  }

  get layer(): RecurrentLayer {
    return this.#layer!;
  }

  init(parameters: ParameterBlock): void {
    this.#parameters = parameters;
    this.#layer = modelLayer(this.#cfg, parameters);
  }

  /** The pass's shape: the layer's cell and sizes; checkpointing as the model's config says
   *  (Model.checkpoint sets both). */
  #shape(B: number, T: number): RnnShape {
    const l = this.#layer!;
    return { cell: l.cell, batch: B, steps: T, inputSize: l.inputSize, hiddenSize: l.hiddenSize, numLayers: l.numLayers,
      directions: l.directions, checkpoint: this.#cfg.checkpoint };
  }

  blocks(B: number, T: number, backward: boolean, dhs: boolean): [Blocks, Record<string, number>][] {
    const s = this.#shape(B, T), pass = rnnForwardBlocks(s);
    if (backward) Object.assign(pass, rnnBackwardBlocks(s, this.#parameters!.numParams, dhs));
    return [[this.#pass, pass]];
  }

  advice(): string {
    return ADVICE;
  }

  forward(where: string, st: Staged, t: CoreForward): void {
    const version = this.#parameters!.version, packed = this.#packed.begin(version, this.#pass);
    rnnForward(where, this.#pass, this.#shape(st.B, st.T), { params: t.params, x: st.x, lengths: st.lengths, h0: t.h0,
      c0: t.c0, out: t.out, hn: t.hn, cn: t.cn, packed, dropout: t.dropout });
    this.#packed.done(version, this.#pass);
  }

  backward(where: string, st: Staged, t: CoreBackward): void {
    rnnBackward(where, this.#pass, this.#shape(st.B, st.T), { params: t.params, grads: t.grads, x: st.x,
      lengths: st.lengths, dOut: t.dOut, dhn: t.dhn, dcn: 0, dx: t.dx, dh0: t.dh0, dc0: t.dc0, dhs: t.dhs,
      truncate: t.truncate, dropout: t.dropout }, this.#parameters!.numParams);
  }

  release(): void {
    this.#pass.release();
  }
}
