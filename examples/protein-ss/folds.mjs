// Held-out proteins and folds that respect homology: whole groups of related proteins go together.
import { o } from "./options.mjs";

/** Homology groups of proteins: two are linked when they share more than `share` of the shorter
 *  one's distinct k-mers, and a group is a connected component. The default 3% is just above the
 *  most any test protein shares with any training protein (2.9%), so a held-out group is no closer to
 *  the proteins trained on than the test set is. The training file holds identical chains and whole
 *  families (proteases, globins, antibody chains): 111 proteins -> 76 groups, the largest with 9. */
export function homologyGroups(seqs, k = 5, share = 0.03) {
  if (groupCache.has(seqs)) return groupCache.get(seqs);
  const kmers = seqs.map((s) => {
    const m = new Set();
    for (let i = 0; i + k <= s.aa.length; i++) m.add(s.aa.slice(i, i + k).join(","));
    return m;
  });
  const parent = seqs.map((_, i) => i), root = (i) => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  for (let i = 0; i < seqs.length; i++) {
    for (let j = i + 1; j < seqs.length; j++) {
      const [a, b] = kmers[i].size <= kmers[j].size ? [kmers[i], kmers[j]] : [kmers[j], kmers[i]];
      let n = 0;
      for (const x of a) if (b.has(x)) n++;
      if (n > share * a.size) parent[root(i)] = root(j);
    }
  }
  const groups = new Map();
  seqs.forEach((_, i) => {
    const r = root(i);
    if (!groups.has(r)) groups.set(r, []);
    groups.get(r).push(i);
  });
  groupCache.set(seqs, [...groups.values()]);
  return groupCache.get(seqs);
}
const groupCache = new WeakMap();
/** The proteins in an order shuffled by rng: whole homology groups, or with --random-folds protein
 *  by protein. */
function shuffled(seqs, rng) {
  if (o.randomFolds) {
    const idx = seqs.map((_, i) => i);
    rng.shuffle(idx);
    return [idx];
  }
  const groups = homologyGroups(seqs).slice(); // shuffled copy; the cached list stays as it is
  rng.shuffle(groups);
  return groups;
}
/** Splits the proteins into n folds. Whole homology groups, in shuffled order, each go to the fold
 *  with the fewest residues so far; with --random-folds, shuffled proteins are dealt round-robin.
 *  Returns the shuffled order and the fold of every protein. */
export function assignFolds(seqs, n, rng) {
  const groups = shuffled(seqs, rng), fold = new Int32Array(seqs.length), residues = new Array(n).fill(0);
  if (o.randomFolds) {
    groups[0].forEach((i, j) => {
      fold[i] = j % n;
    });
  } else {
    for (const g of groups) {
      const f = residues.indexOf(Math.min(...residues));
      for (const i of g) {
        fold[i] = f;
        residues[f] += seqs[i].aa.length;
      }
    }
  }
  return { order: groups.flat(), fold };
}
/** Proteins held out to pick the epoch: at least `count` of them, in whole homology groups (with
 *  --random-folds: exactly `count`, drawn one by one). Returns the shuffled order and the held-out set. */
export function heldOut(seqs, count, rng) {
  const groups = shuffled(seqs, rng), out = new Set();
  if (o.randomFolds) groups[0].slice(0, count).forEach((i) => out.add(i));
  else {
    for (const g of groups) {
      if (out.size >= count) break;
      g.forEach((i) => out.add(i));
    }
  }
  return { order: groups.flat(), out };
}
