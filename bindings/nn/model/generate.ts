// Generation from a next-token model (RecurrentModel.generate): a Model whose readout is a softmax
// over tokens (loss "crossentropy") and whose input is the previous token: its id (a token model,
// vocabSize ≥ outputSize) or its one-hot row (inputSize ≥ outputSize). Tokens 0..outputSize−1 are
// generated; inputs past them, e.g. a start symbol, may appear in the prime. Built on model.stream(): the prime runs as one chunk, then each drawn token
// is fed back. Seeded (core/random.ts) with the weights computed in the core
// (functional/sample.ts), so a seed gives the same tokens in Node and in browsers.
import * as check from "../../core/check.js";
import { Rng } from "../../core/random.js";
import { GREEDY_BELOW, drawToken } from "../../functional/sample.js";
import type { ModelStream } from "./stream.js";

/** Options of Model.generate(). */
export interface GenerateOptions {
  /** Token ids fed first (at least one; each in 0..vocabSize−1, or 0..inputSize−1 for a one-hot
   *  model), e.g. a start symbol or a prompt. */
  prime: Int32Array | readonly number[];
  /** How many tokens to generate at most. */
  length: number;
  /** Softmax temperature (default 1); 0 is greedy (the most probable token every time, ties to
   *  the lowest id), and so is any temperature below 1e-48, where the float64 weights of float32
   *  logits are one-hot already (the weights exp((l − max)/T) of every token below the maximum
   *  are exactly 0 there; far below it 1/T would overflow into NaN weights). */
  temperature?: number;
  /** Sample among the k most probable tokens only (default 0: all). */
  topK?: number;
  /** Nucleus sampling: among the smallest set of most probable tokens whose probability reaches p
   *  (default 1: all). Applied after topK. */
  topP?: number;
  /** Seed of the draws (default 0). */
  seed?: number;
  /** Token ids that end the generation (the stop token is kept as the last one). */
  stop?: number | readonly number[];
  /** initialState { perClass }: the class of the sequence (an Int32Array of one id). */
  classes?: Int32Array;
}

/** What generate needs of its model. */
export interface GeneratingModel {
  readonly config: { inputSize: number; outputSize: number; loss: string; vocabSize?: number };
  stream(options: { batch?: number; classes?: Int32Array }): ModelStream;
}

export function generateTokens(model: GeneratingModel, options: GenerateOptions): Int32Array {
  const W = "Model.generate";
  const o = check.object(W, "options", options);
  check.known(W, o, ["prime", "length", "temperature", "topK", "topP", "seed", "stop", "classes"]);
  const { outputSize: O, loss, vocabSize } = model.config, I = vocabSize ?? model.config.inputSize;
  if (loss !== "crossentropy") {
    throw new TypeError(
      `${W}: generation needs a next-token model (loss "crossentropy", a softmax over tokens), got loss ${
        JSON.stringify(loss)
      }`,
    );
  }
  if (I < O) {
    throw new TypeError(
      vocabSize === undefined
        ? `${W}: generation feeds each drawn token back as a one-hot input, so inputSize (${I}) must be at least outputSize (${O})`
        : `${W}: generation feeds each drawn token back as an id, so vocabSize (${I}) must be at least outputSize (${O})`,
    );
  }
  const tokens = (name: string, v: unknown, max: number, allowEmpty: boolean): number[] => {
    const list = typeof v === "number"
      ? [v]
      : v instanceof Int32Array || Array.isArray(v)
      ? Array.from(v as ArrayLike<number>)
      : null;
    if (!list || (!allowEmpty && list.length === 0)) {
      throw new TypeError(
        `${W}: ${name} must be ${
          allowEmpty ? "a token id, or an array or Int32Array of them" : "a non-empty array or Int32Array of token ids"
        }, got ${check.show(v)}`,
      );
    }
    list.forEach((t, i) => {
      if (!Number.isInteger(t) || t < 0 || t >= max) {
        throw new RangeError(`${W}: ${name}[${i}] is ${t}; token ids must be integers in 0..${max - 1}`);
      }
    });
    return list;
  };
  const prime = tokens("prime", o.prime, I, false);
  const length = check.int(W, "length", o.length, 0, 1 << 26);
  const temperature = check.num(W, "temperature", o.temperature ?? 1, 0, 1e6);
  const topK = check.int(W, "topK", o.topK ?? 0, 0, 1 << 24);
  const topP = check.num(W, "topP", o.topP ?? 1, 0, 1, true);
  const seed = check.int(W, "seed", o.seed ?? 0, 0, 0xffffffff);
  const stop = new Set(o.stop === undefined ? [] : tokens("stop", o.stop, O, true));
  const s = model.stream({ batch: 1, ...(o.classes !== undefined ? { classes: o.classes as Int32Array } : {}) });
  try {
    const rng = new Rng(seed), out = new Int32Array(length), order = new Int32Array(O);
    const sampling = { temperature, topK, topP };
    // the prime as one chunk; the logits of its last step predict the first token
    let pred = s.runIds(W, Int32Array.from(prime), prime.length) + 4 * (prime.length - 1) * O;
    const one = new Int32Array(1);
    let n = 0;
    while (n < length) {
      const t = drawToken(O, pred, s.weightsScratch, sampling, temperature < GREEDY_BELOW ? 0 : rng.uniform(), order);
      out[n++] = t;
      if (stop.has(t) || n === length) break;
      one[0] = t;
      pred = s.runIds(W, one, 1);
    }
    return out.slice(0, n);
  } finally {
    s.dispose();
  }
}
