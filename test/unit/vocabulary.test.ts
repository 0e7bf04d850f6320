// Vocabulary: characters and tokens to ids and back, the unknown symbol, JSON, and its place in a
// model file (Model.save({ vocabulary }) → Model.load(...).vocabulary).
import { beforeAll, describe, expect, it } from "vitest";
import { init, Model, safetensors, Vocabulary } from "../../dist/index.js";

beforeAll(async () => {
  await init();
});

describe("Vocabulary", () => {
  it("fromText: the distinct characters sorted by code point; encode and decode round-trip", () => {
    const v = Vocabulary.fromText("hello, wörld 🙂");
    expect(v.kind).toBe("characters");
    expect(v.tokens).toEqual([" ", ",", "d", "e", "h", "l", "o", "r", "w", "ö", "🙂"]);
    expect(v.size).toBe(11);
    const ids = v.encode("world 🙂");
    expect(ids).toBeInstanceOf(Int32Array);
    expect(Array.from(ids)).toEqual([8, 6, 7, 5, 2, 0, 10]);
    expect(v.decode(ids)).toBe("world 🙂");
    expect(v.encode(["h", "e"])).toEqual(Int32Array.of(4, 3));
  });

  it("an unseen symbol: a RangeError naming it and its position, or the unknown symbol", () => {
    const v = Vocabulary.fromText("abc");
    expect(() => v.encode("abxc")).toThrow(
      new RangeError(
        'Vocabulary.encode: "x" at position 2 is not in the vocabulary (3 symbols; give { unknown } to map unseen symbols)',
      ),
    );
    const u = Vocabulary.fromText("abc", { unknown: "?" });
    expect(u.tokens).toEqual(["?", "a", "b", "c"]);
    expect(Array.from(u.encode("abxc"))).toEqual([1, 2, 0, 3]);
    expect(u.decode(u.encode("a?z"))).toBe("a??");
    expect(() => Vocabulary.fromText("abc", { unknown: "??" })).toThrow(TypeError);
    expect(() => Vocabulary.fromText("")).toThrow(RangeError);
    expect(() => u.decode([4])).toThrow(new RangeError("Vocabulary.decode: ids[0] is 4; ids must be in 0..3"));
  });

  it("fromTokens: whole tokens in order of first appearance, decoded with spaces", () => {
    const v = Vocabulary.fromTokens(["the", "cat", "sat", "the"], { unknown: "<unk>" });
    expect(v.tokens).toEqual(["<unk>", "the", "cat", "sat"]);
    expect(Array.from(v.encode(["the", "dog", "sat"]))).toEqual([1, 0, 3]);
    expect(v.decode(Int32Array.of(1, 2, 3))).toBe("the cat sat");
    expect(v.decodeTokens([2, 2])).toEqual(["cat", "cat"]);
    expect(() => v.encode("the cat")).toThrow(TypeError);
  });

  it("toJSON / fromJSON round-trip and checks", () => {
    for (const v of [Vocabulary.fromText("xyz", { unknown: "_" }), Vocabulary.fromTokens(["a", "bb"])]) {
      const w = Vocabulary.fromJSON(JSON.stringify(v));
      expect(w.toJSON()).toEqual(v.toJSON());
      expect(Vocabulary.fromJSON(v.toJSON()).tokens).toEqual(v.tokens);
    }
    expect(() => Vocabulary.fromJSON("{")).toThrow(/not valid JSON/);
    expect(() => Vocabulary.fromJSON({ kind: "characters", tokens: ["ab"] })).toThrow(
      /tokens\[0\] must be one character/,
    );
    expect(() => Vocabulary.fromJSON({ kind: "tokens", tokens: ["a", "a"] })).toThrow(/appears twice/);
    expect(() => Vocabulary.fromJSON({ kind: "tokens", tokens: ["a"], unknown: "b" })).toThrow(/unknown must be one/);
  });

  it("lives in a model file's __metadata__: save({ vocabulary }) and Model.load give it back", () => {
    const v = Vocabulary.fromText("abcdefg");
    const m = new Model({ cell: "gru", vocabSize: v.size, embeddingSize: 3, hiddenSize: 4, outputSize: v.size,
      readout: "sequence", loss: "crossentropy" });
    const bytes = m.save({ vocabulary: v, note: "x" });
    expect(JSON.parse(safetensors.read(bytes).metadata.vocabulary)).toEqual(v.toJSON());
    const m2 = Model.load(bytes);
    expect(m2.vocabulary!.toJSON()).toEqual(v.toJSON());
    expect(m2.metadata.note).toBe("x");
    // a loaded model saves its vocabulary again
    expect(Model.load(m2.save()).vocabulary!.tokens).toEqual(v.tokens);
    expect(() => m.save({ vocabulary: Vocabulary.fromText("ab") })).toThrow(
      new RangeError("Model.save: the vocabulary has 2 symbols but the model's vocabSize is 7"),
    );
    const { tensors, metadata } = safetensors.read(bytes);
    const broken = safetensors.write(tensors, { ...metadata, vocabulary: '{"kind":"x"}' });
    expect(() => Model.load(broken)).toThrow(
      /Model.load: __metadata__.vocabulary is invalid: Vocabulary.fromJSON: kind/,
    );
    m.dispose();
    m2.dispose();
  });
});
