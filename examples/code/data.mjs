// The text of the code model: the TypeScript compiler's own JavaScript
// (node_modules/typescript/lib/typescript.js, Apache-2.0, shipped in the `typescript` dev
// dependency; read at run time, nothing downloaded), its Vocabulary and its three parts:
// training (everything before the last VALID + HELD characters), validation (the VALID characters
// before the held-out part: picks settings, the checkpoint and the sampling temperature) and
// held-out (the last HELD characters: reported, never used to choose anything). The file ends
// with tables of exported names (`__export(ns, { name: () => name, … })`, then
// `0 && (module.exports = { name, … })`: 62,000 characters of identifier lists, not code);
// the text stops before them unless `keepExports`, so the held-out part is code.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Vocabulary } from "../../dist/index.js";

const require = createRequire(import.meta.url);

/**
 * The parts of the file. `chars` (default: all) keeps only the file's first `chars` characters
 * (a short run's slice; the parts are then cut from that slice's end, scaled by `scale`).
 */
export function loadCode({ chars = Infinity, held = 200_000, valid = 100_000, keepExports = false } = {}) {
  const file = require.resolve("typescript/lib/typescript.js");
  const full = readFileSync(file, "utf8");
  let text = Number.isFinite(chars) ? full.slice(0, chars) : full;
  const cut = keepExports ? -1 : exportTables(text);
  if (cut >= 0) text = text.slice(0, cut);
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
  return { version, vocab, V: vocab.size, text, all, droppedExportChars: cut >= 0 ? full.length - cut : 0,
    trainText: text.slice(0, nTrain), validText: text.slice(nTrain, nTrain + valid),
    heldText: text.slice(nTrain + valid), train: all.subarray(0, nTrain), valid: all.subarray(nTrain, nTrain + valid),
    held: all.subarray(nTrain + valid), offsets: { valid: nTrain, held: nTrain + valid } };
}

/** Where the trailing export tables start (the last line-initial "__export(" in the text's last 5%,
 *  with the comment and `var` lines just before it), or −1. */
export function exportTables(text) {
  const at = text.lastIndexOf("\n__export(");
  if (at < 0 || at < text.length * 0.95) return -1;
  let start = at + 1;
  for (let k = 0; k < 2; k++) {
    const prev = text.lastIndexOf("\n", start - 2) + 1, line = text.slice(prev, start - 1);
    if (!/^(\/\/ |var [\w$]+ = \{\};$)/.test(line)) break;
    start = prev;
  }
  return start;
}
