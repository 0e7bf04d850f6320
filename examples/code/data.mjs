// The text of the code model: the TypeScript compiler's own JavaScript
// (node_modules/typescript/lib/typescript.js, Apache-2.0, shipped in the `typescript` dev
// dependency; read at run time, nothing downloaded), its Vocabulary and its three parts:
// training (everything before the last VALID + HELD characters), validation (the VALID characters
// before the held-out part: picks settings, the checkpoint and the sampling temperature) and
// held-out (the last HELD characters: reported, never used to choose anything).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Vocabulary } from "../../dist/index.js";

const require = createRequire(import.meta.url);

/**
 * The parts of the file. `chars` (default: all) keeps only the file's first `chars` characters
 * (a short run's slice; the parts are then cut from that slice's end, scaled by `scale`).
 */
export function loadCode({ chars = Infinity, held = 200_000, valid = 100_000 } = {}) {
  const file = require.resolve("typescript/lib/typescript.js");
  const full = readFileSync(file, "utf8");
  const text = Number.isFinite(chars) ? full.slice(0, chars) : full;
  if (held + valid >= text.length / 2) {
    throw new RangeError(
      `the held-out (${held}) and validation (${valid}) parts must leave at least half of the ${text.length} characters to train on`,
    );
  }
  const version = JSON.parse(readFileSync(require.resolve("typescript/package.json"), "utf8")).version;
  // tokens: the characters of the whole text sorted by code point (validation and held-out have
  // no unseen character, so no unknown symbol is needed)
  const vocab = Vocabulary.fromText(text), all = vocab.encode(text);
  const nTrain = text.length - held - valid;
  return { version, vocab, V: vocab.size, text, all, trainText: text.slice(0, nTrain),
    validText: text.slice(nTrain, nTrain + valid), heldText: text.slice(nTrain + valid), train: all.subarray(0, nTrain),
    valid: all.subarray(nTrain, nTrain + valid), held: all.subarray(nTrain + valid),
    offsets: { valid: nTrain, held: nTrain + valid } };
}
