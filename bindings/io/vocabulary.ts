// A vocabulary: the map between symbols (characters of a text, or whole tokens) and the ids
// 0..size−1 a token model reads (Model with vocabSize). Plain JavaScript, no core memory; stored in
// a model file's __metadata__ as its JSON (Model.save({ vocabulary }), Model.load → model.vocabulary).
import { show } from "../core/check.js";

/** What a vocabulary holds as JSON (toJSON, fromJSON, a model file's __metadata__.vocabulary). */
export interface VocabularyJSON {
  /** "characters": every symbol is one character (a Unicode code point) and a text is encoded
   *  character by character; "tokens": symbols are whole strings, encoded from arrays of them. */
  kind: "characters" | "tokens";
  /** The symbols, the one at index i having id i. */
  tokens: string[];
  /** The symbol that stands for every symbol not in the vocabulary (one of tokens), if any. */
  unknown?: string;
}

/** Options of Vocabulary.fromText and Vocabulary.fromTokens. */
export interface VocabularyOptions {
  /** A symbol for everything unseen: encode maps a symbol not in the vocabulary to it (without
   *  it, such a symbol is a RangeError). It gets id 0 unless it occurs in the text or tokens. */
  unknown?: string;
}

const W = "Vocabulary";

/** Symbols ⇄ ids for token models: `Vocabulary.fromText(text)` (its characters, sorted by code
 *  point) or `Vocabulary.fromTokens(tokens)` (in order of first appearance); `encode` gives the
 *  Int32Array of ids a token model reads, `decode` the text back.
 *
 * @example
 * ```ts
 * import { Vocabulary } from "recurrent-wasm";
 *
 * const vocab = Vocabulary.fromText("hello world");
 * const ids = vocab.encode("low"); // the ids a Model with vocabSize: vocab.size reads
 * console.log(vocab.size, ids, vocab.decode(ids)); // 8 Int32Array(3) [ … ] low
 * ```
 */
export class Vocabulary {
  /** "characters" or "tokens" (see VocabularyJSON.kind). */
  readonly kind: "characters" | "tokens";
  /** The symbols; tokens[i] has id i. */
  readonly tokens: readonly string[];
  /** The symbol of unseen symbols, or null. */
  readonly unknown: string | null;
  readonly #ids: Map<string, number>;

  private constructor(kind: "characters" | "tokens", tokens: string[], unknown: string | null) {
    if (tokens.length === 0) throw new RangeError(`${W}: no symbols (an empty text or list, and no unknown symbol)`);
    this.kind = kind;
    this.tokens = Object.freeze(tokens);
    this.unknown = unknown;
    this.#ids = new Map(tokens.map((t, i) => [t, i]));
  }

  /** The distinct characters (Unicode code points) of a text, sorted by code point. */
  static fromText(text: string, options: VocabularyOptions = {}): Vocabulary {
    if (typeof text !== "string") throw new TypeError(`${W}.fromText: text must be a string, got ${show(text)}`);
    const unknown = unknownOption(`${W}.fromText`, options, true);
    const chars = [...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new Vocabulary("characters", withUnknown(chars, unknown), unknown);
  }

  /** The distinct tokens of a list (strings), in order of first appearance. */
  static fromTokens(tokens: readonly string[], options: VocabularyOptions = {}): Vocabulary {
    const M = `${W}.fromTokens`;
    if (!Array.isArray(tokens)) throw new TypeError(`${M}: tokens must be an array of strings, got ${show(tokens)}`);
    tokens.forEach((t, i) => {
      if (typeof t !== "string") throw new TypeError(`${M}: tokens[${i}] must be a string, got ${show(t)}`);
    });
    const unknown = unknownOption(M, options, false);
    return new Vocabulary("tokens", withUnknown([...new Set(tokens)], unknown), unknown);
  }

  /** A vocabulary from its JSON (an object or its string), checked. */
  static fromJSON(json: VocabularyJSON | string): Vocabulary {
    const M = `${W}.fromJSON`;
    let o: unknown = json;
    if (typeof json === "string") {
      try {
        o = JSON.parse(json);
      } catch {
        throw new TypeError(`${M}: not valid JSON`);
      }
    }
    if (o === null || typeof o !== "object" || Array.isArray(o)) {
      throw new TypeError(`${M}: expected { kind, tokens, unknown? }, got ${show(o)}`);
    }
    const { kind, tokens, unknown } = o as Record<string, unknown>;
    if (kind !== "characters" && kind !== "tokens") {
      throw new TypeError(`${M}: kind must be "characters" or "tokens", got ${show(kind)}`);
    }
    if (!Array.isArray(tokens) || tokens.length === 0) {
      throw new TypeError(`${M}: tokens must be a non-empty array of strings, got ${show(tokens)}`);
    }
    const seen = new Set<string>();
    tokens.forEach((t, i) => {
      if (typeof t !== "string" || (kind === "characters" && Array.from(t).length !== 1)) {
        throw new TypeError(
          `${M}: tokens[${i}] must be ${kind === "characters" ? "one character" : "a string"}, got ${show(t)}`,
        );
      }
      if (seen.has(t)) throw new TypeError(`${M}: tokens[${i}] (${JSON.stringify(t)}) appears twice`);
      seen.add(t);
    });
    if (unknown !== undefined && (typeof unknown !== "string" || !seen.has(unknown))) {
      throw new TypeError(`${M}: unknown must be one of the tokens, got ${show(unknown)}`);
    }
    return new Vocabulary(kind, [...tokens] as string[], (unknown as string | undefined) ?? null);
  }

  /** How many symbols (a token model's vocabSize). */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of a symbol (the unknown symbol's for one not in the vocabulary), or -1. */
  id(symbol: string): number {
    return this.#ids.get(symbol) ?? (this.unknown === null ? -1 : this.#ids.get(this.unknown)!);
  }

  /** The ids of a text (a characters vocabulary: character by character) or of an array of
   *  symbols. A symbol not in the vocabulary maps to the unknown symbol, or is a RangeError naming
   *  it and its position. */
  encode(text: string | readonly string[]): Int32Array {
    const M = `${W}.encode`;
    let symbols: readonly string[];
    if (typeof text === "string") {
      if (this.kind !== "characters") {
        throw new TypeError(`${M}: a tokens vocabulary encodes an array of tokens, got a string`);
      }
      symbols = Array.from(text);
    } else if (Array.isArray(text)) symbols = text;
    else throw new TypeError(`${M}: text must be a string or an array of symbols, got ${show(text)}`);
    const out = new Int32Array(symbols.length);
    for (let i = 0; i < symbols.length; i++) {
      const id = typeof symbols[i] === "string" ? this.id(symbols[i]) : -1;
      if (id < 0) {
        throw new RangeError(
          `${M}: ${
            show(symbols[i])
          } at position ${i} is not in the vocabulary (${this.size} symbols; give { unknown } to map unseen symbols)`,
        );
      }
      out[i] = id;
    }
    return out;
  }

  /** The symbols of ids (integers in 0..size−1). */
  decodeTokens(ids: ArrayLike<number>): string[] {
    const M = `${W}.decode`;
    if (ids === null || typeof ids !== "object" || typeof ids.length !== "number") {
      throw new TypeError(`${M}: ids must be an Int32Array or an array of ids, got ${show(ids)}`);
    }
    return Array.from({ length: ids.length }, (_, i) => {
      const v = ids[i];
      if (!Number.isInteger(v) || v < 0 || v >= this.size) {
        throw new RangeError(`${M}: ids[${i}] is ${v}; ids must be in 0..${this.size - 1}`);
      }
      return this.tokens[v];
    });
  }

  /** The text of ids: the symbols joined by `separator` (default "" for characters, " " for
   *  tokens). */
  decode(ids: ArrayLike<number>, separator = this.kind === "characters" ? "" : " "): string {
    return this.decodeTokens(ids).join(separator);
  }

  /** The vocabulary as plain JSON (fromJSON reads it back). */
  toJSON(): VocabularyJSON {
    return { kind: this.kind, tokens: [...this.tokens], ...(this.unknown === null ? {} : { unknown: this.unknown }) };
  }
}

function unknownOption(where: string, options: VocabularyOptions, character: boolean): string | null {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${where}: options must be an object, got ${show(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (k !== "unknown") throw new TypeError(`${where}: unknown option ${JSON.stringify(k)}; expected unknown`);
  }
  const u = options.unknown;
  if (u === undefined) return null;
  if (typeof u !== "string" || (character && Array.from(u).length !== 1) || u.length === 0) {
    throw new TypeError(
      `${where}: unknown must be ${character ? "one character" : "a non-empty string"}, got ${show(u)}`,
    );
  }
  return u;
}

/** The symbols with the unknown one first when it is not among them. */
function withUnknown(symbols: string[], unknown: string | null): string[] {
  return unknown === null || symbols.includes(unknown) ? symbols : [unknown, ...symbols];
}
