// The grammar check of the SMILES generator (examples/smiles.mjs): what a character model of SMILES
// must get right beyond its alphabet. Not chemistry: valence and aromaticity need a toolkit such as
// RDKit.

/** Balanced ( ) and [ ], every ring-closure label (outside brackets) used an even number of times. */
export function validSmiles(s) {
  if (!s) return false;
  let paren = 0, bracket = false;
  const rings = new Map();
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (bracket) {
      if (c === "]") bracket = false;
      else if (c === "[") return false;
      continue;
    }
    if (c === "[") bracket = true;
    else if (c === "]") return false;
    else if (c === "(") paren++;
    else if (c === ")") { if (--paren < 0) return false; }
    else if (c === "%") {
      const l = s.slice(i + 1, i + 3);
      if (!/^\d\d$/.test(l)) return false;
      rings.set(l, (rings.get(l) ?? 0) + 1);
      i += 2;
    } else if (c >= "0" && c <= "9") rings.set(c, (rings.get(c) ?? 0) + 1);
  }
  return paren === 0 && !bracket && [...rings.values()].every((n) => n % 2 === 0);
}
