// Second round: our single-thread rows, PyTorch's (the one peer within a few × of us) and the GEMM
// peak once more, minutes after the first; each keeps the lower of its two medians. Other tenants
// of this shared machine raise whole stretches of samples, so one round can be off by 1.5× on a
// row; the lower median of two rounds far apart is the less disturbed one.
import { CELLS, forwardFlops, gflops } from "./common.mjs";
import { gemmPeak, gemmFlops, stepRow } from "./steps.mjs";
import { runPeer } from "./peers.mjs";

/** Updates res.gemm and res.rows in place (lower medians); returns the two rounds of every row. */
export async function secondRound(c, res, torchPeer) {
  const rounds = [];
  const g2 = await gemmPeak(c, false);
  rounds.push({ row: "GEMM 128³ row-major", train: [res.gemm.rowMs, g2.rowMs] }, { row: "GEMM 128³ packed", train: [res.gemm.packedMs, g2.packedMs] });
  res.gemm.rowMs = Math.min(res.gemm.rowMs, g2.rowMs); res.gemm.packedMs = Math.min(res.gemm.packedMs, g2.packedMs);
  res.gemm.peak = gflops(gemmFlops, Math.min(res.gemm.rowMs, res.gemm.packedMs));
  console.log(`round 2 GEMM: row-major ${rounds[0].train.map((v) => v.toFixed(4)).join(" / ")} ms, packed ${rounds[1].train.map((v) => v.toFixed(4)).join(" / ")} ms; peak ${res.gemm.peak.toFixed(1)} GFLOP/s`);
  for (const r of res.rows) {
    const [cell, , G, Layer] = CELLS.find((x) => x[1] === r.cellName);
    const r2 = await stepRow(cell, r.cellName, G, Layer, r, false);
    const t1 = r.peers.torch, t2 = t1 && !t1.error ? runPeer(torchPeer, cell, r, false) : null;
    const rec = { row: `${r.cellName} ${r.name}`, train: [r.trainMs, r2.trainMs], fwd: [r.fwdMs, r2.fwdMs], torchTrain: t2 && !t2.error ? [t1.train, t2.train] : null, torchFwd: t2 && !t2.error ? [t1.forward, t2.forward] : null };
    rounds.push(rec);
    const f = forwardFlops(r.B, r.T, r.I, r.H, G);
    r.trainMs = Math.min(r.trainMs, r2.trainMs); r.fwdMs = Math.min(r.fwdMs, r2.fwdMs);
    r.trainGflops = gflops(3 * f, r.trainMs); r.fwdGflops = gflops(f, r.fwdMs);
    if (rec.torchTrain) { t1.train = Math.min(...rec.torchTrain); t1.forward = Math.min(...rec.torchFwd); }
    console.log(`round 2 ${rec.row}: train ${rec.train.map((v) => v.toFixed(2)).join(" / ")} ms, forward ${rec.fwd.map((v) => v.toFixed(2)).join(" / ")} ms${rec.torchTrain ? `; PyTorch train ${rec.torchTrain.map((v) => v.toFixed(2)).join(" / ")}, forward ${rec.torchFwd.map((v) => v.toFixed(2)).join(" / ")}` : ""}`);
  }
  return rounds;
}
