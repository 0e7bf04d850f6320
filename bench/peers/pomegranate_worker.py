#!/usr/bin/env python3
"""pomegranate 0.14 (Debian python3-pomegranate, Cython) as the HMM peer: a persistent process
reading one JSON command per line on stdin and answering one JSON line, so that the benchmark
alternates ours and pomegranate in one run with no process start inside a sample.

Commands:
  {"cmd": "setup", "K", "M", "start", "trans", "emission" (row-major), "X", "lengths"}
      builds HiddenMarkovModel.from_matrix (no end state: a sequence may end anywhere, as in
      hmmlearn and ours) and splits X into sequences; answers the version.
  {"cmd": "score"}        the total log-likelihood (log_probability summed over the sequences)
  {"cmd": "outputs"}      score, posteriors [N, K] (predict_proba), Viterbi path and log-probability
                          summed over sequences, and the parameters after one Baum–Welch step
                          (summarize + from_summaries on a copy)
  {"cmd": "time", "op": "posteriors" | "em", "reps"}   mean milliseconds per call of
                          predict_proba over every sequence / one Baum–Welch iteration
                          (summarize + from_summaries: one E-step and one M-step)
  {"cmd": "quit"}
"""
import json
import sys
import time

import numpy as np
import pomegranate
from pomegranate import DiscreteDistribution, HiddenMarkovModel


def build(K, M, start, trans, emission):
    dists = [DiscreteDistribution({m: float(emission[k * M + m]) for m in range(M)}) for k in range(K)]
    return HiddenMarkovModel.from_matrix(np.array(trans, dtype=np.float64).reshape(K, K), dists,
                                         np.array(start, dtype=np.float64), merge="None",
                                         state_names=[f"s{k:05d}" for k in range(K)])


def params_of(model, K, M):
    # bake sorts the states by name: named s00000, s00001, ..., they keep our order
    order = [i for i, s in enumerate(model.states) if s.distribution is not None]
    assert [model.states[i].name for i in order] == [f"s{k:05d}" for k in range(K)]
    dense = model.dense_transition_matrix()
    trans = dense[np.ix_(order, order)]
    start = dense[model.start_index, order]
    emission = [[model.states[i].distribution.parameters[0].get(m, 0.0) for m in range(M)] for i in order]
    return order, start, trans, np.array(emission)


def main():
    model = None
    seqs = None
    K = M = 0
    spec = None
    for line in sys.stdin:
        c = json.loads(line)
        cmd = c["cmd"]
        if cmd == "quit":
            break
        if cmd == "setup":
            K, M = c["K"], c["M"]
            spec = (c["start"], c["trans"], c["emission"])
            model = build(K, M, *spec)
            X = np.array(c["X"], dtype=np.int64)
            ends = np.cumsum(c["lengths"])
            seqs = [X[e - l:e] for e, l in zip(ends, c["lengths"])]
            out = {"pomegranate": pomegranate.__version__}
        elif cmd == "score":
            out = {"score": float(sum(model.log_probability(s) for s in seqs))}
        elif cmd == "outputs":
            order, _, _, _ = params_of(model, K, M)
            post = np.concatenate([model.predict_proba(s) for s in seqs])
            vit_lp, path = 0.0, []
            for s in seqs:
                lp, p = model.viterbi(s)
                vit_lp += lp
                # p: (index, state) pairs, the silent start first
                path += [order.index(i) for i, st in p if st.distribution is not None]
            score = float(sum(model.log_probability(s) for s in seqs))
            em = build(K, M, *spec)
            em.summarize(seqs)
            em.from_summaries()
            _, s2, t2, e2 = params_of(em, K, M)
            out = {"score": score, "posteriors": post.ravel().tolist(),
                   "viterbi": {"logProb": float(vit_lp), "states": path},
                   "step": {"startprob": s2.tolist(), "transmat": t2.ravel().tolist(), "emissionprob": e2.ravel().tolist()}}
        elif cmd == "time":
            reps = int(c["reps"])
            if c["op"] == "posteriors":
                t0 = time.perf_counter()
                for _ in range(reps):
                    for s in seqs:
                        model.predict_proba(s)
                ms = (time.perf_counter() - t0) * 1000 / reps
            else:
                ms = 0.0
                for _ in range(reps):
                    em = build(K, M, *spec)  # outside the timed part
                    t0 = time.perf_counter()
                    em.summarize(seqs)
                    em.from_summaries()
                    ms += (time.perf_counter() - t0) * 1000
                ms /= reps
            out = {"ms": ms}
        else:
            out = {"error": f"unknown command {cmd}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
