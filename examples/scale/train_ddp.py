"""Train an exported recurrent-wasm model on many processes with torch.distributed.

    recurrent-wasm export --to pytorch --model model.safetensors --out exported
    torchrun --nproc_per_node=4 train_ddp.py --export exported --data train.csv --out trained.safetensors

Each process (one per GPU with NCCL, or per CPU worker with gloo) trains the module of
exported/model.py from exported/model.safetensors under DistributedDataParallel on its share of
the sequences; rank 0 writes --out with the module's save(), which Model.load reads.

The CSV (a header row, one row per step, each sequence's rows together and in step order):
  seq            the sequence's id (any text; a new value starts a new sequence)
  x0 .. x{I-1}   the step's features (float models, inputSize columns), or
  token          the step's token id (token models, 0..vocabSize-1)
  y0 .. y{O-1}   targets (loss "mse", outputSize columns), or
  label          the class id (loss "crossentropy")
                 readout "last": read from each sequence's last row (other rows may leave them
                 empty); readout "sequence": every row
  weight         optional, readout "sequence": the step's weight in the loss (default 1)
  group          initialState { perClass: n } models: the sequence's class row, 0..n-1 (first row)
  m0 .. m{I-1}   inputMask models: 1 where the feature was observed, 0 where not (x may be empty)
  time           timeGap models: the step's time (non-decreasing within a sequence)
"""
import argparse
import csv
import gc
import importlib.util
import math
import os
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel


def load_exported(folder):
    spec = importlib.util.spec_from_file_location("exported_model", os.path.join(folder, "model.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_sequences(path, net):
    """The CSV as a list of sequences: dicts of x ([len, I] floats or [len] ids), y, weight, group,
    mask and time."""
    seq = net.readout_kind == "sequence"
    ce = net.loss_kind == "crossentropy"
    xcols = ["token"] if net.tokens else ["x%d" % i for i in range(net.input_size)]
    ycols = ["label"] if ce else ["y%d" % i for i in range(net.output_size)]
    mcols = ["m%d" % i for i in range(net.input_size)] if net.input_mask else []
    more = mcols + (["time"] if net.time_gap else [])
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    need = ["seq"] + xcols + ycols + more
    missing = [c for c in need if rows and c not in rows[0]]
    if missing or not rows:
        raise SystemExit("%s: needs a header with columns %s (missing: %s)" % (path, ", ".join(need),
                                                                             ", ".join(missing) or "every row"))
    if net.per_class and "group" not in rows[0]:
        raise SystemExit("%s: initialState perClass models need a column group (each sequence's class row)" % path)
    out, cur = [], None
    for line, r in enumerate(rows, start=2):
        if cur is None or r["seq"] != cur["id"]:
            cur = {"id": r["seq"], "x": [], "y": [], "weight": [], "mask": [], "time": [],
                   "group": int(r["group"]) if net.per_class else 0}
            out.append(cur)
        try:
            m = [float(r[c]) for c in mcols]
            cur["mask"].append(m)
            cur["x"].append(int(r["token"]) if net.tokens else
                            [float(r[c]) if not mcols or m[j] != 0 else 0.0 for j, c in enumerate(xcols)])
            if net.time_gap:
                cur["time"].append(float(r["time"]))
            if seq or all(r[c] != "" for c in ycols):
                cur["y"].append(int(r["label"]) if ce else [float(r[c]) for c in ycols])
            cur["weight"].append(float(r.get("weight") or 1))
        except ValueError as e:
            raise SystemExit("%s line %d: %s" % (path, line, e))
    for s in out:
        if not s["y"]:
            raise SystemExit("%s: sequence %r has no target" % (path, s["id"]))
        if not seq:
            s["y"] = s["y"][-1]
    return out


def batch_of(seqs, net, device):
    """Padded tensors of a list of sequences: x, lengths, classes, target, weights, and forward's
    mask and times."""
    B, T = len(seqs), max(len(s["x"]) for s in seqs)
    lengths = torch.tensor([len(s["x"]) for s in seqs])
    if net.tokens:
        x = torch.zeros(B, T, dtype=torch.long)
    else:
        x = torch.zeros(B, T, net.input_size)
    ce, seq = net.loss_kind == "crossentropy", net.readout_kind == "sequence"
    y = torch.full((B, T) if seq else (B,), -1, dtype=torch.long) if ce else \
        torch.zeros((B, T, net.output_size) if seq else (B, net.output_size))
    w = torch.zeros(B, T)
    extra = {}
    if net.input_mask:
        extra["mask"] = torch.zeros(B, T, net.input_size)
    if net.time_gap:
        extra["times"] = torch.zeros(B, T, dtype=torch.float64)
    for b, s in enumerate(seqs):
        n = len(s["x"])
        x[b, :n] = torch.tensor(s["x"], dtype=x.dtype)
        if net.input_mask:
            extra["mask"][b, :n] = torch.tensor(s["mask"])
        if net.time_gap:
            extra["times"][b, :n] = torch.tensor(s["time"], dtype=torch.float64)
        if seq:
            y[b, :n] = torch.tensor(s["y"], dtype=y.dtype)
            w[b, :n] = torch.tensor(s["weight"])
        else:
            y[b] = torch.tensor(s["y"], dtype=y.dtype)
    classes = torch.tensor([s["group"] for s in seqs]) if net.per_class else None
    return (x.to(device), lengths, None if classes is None else classes.to(device), y.to(device),
            w.to(device) if seq else None, {k: v.to(device) for k, v in extra.items()})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--export", required=True, help="folder of model.py and model.safetensors")
    p.add_argument("--data", required=True, help="CSV of sequences (see the top of this file)")
    p.add_argument("--out", required=True, help="where rank 0 saves the trained model")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=32, help="sequences per process and step")
    p.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate")
    p.add_argument("--clip", type=float, default=1.0, help="global gradient-norm clip (0: none)")
    p.add_argument("--seed", type=int, default=0, help="seed of the shuffling and the dropout masks")
    args = p.parse_args()

    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device("cuda", local) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    torch.manual_seed(args.seed + rank)

    exported = load_exported(args.export)
    net = exported.load(os.path.join(args.export, "model.safetensors")).to(device)
    data = read_sequences(args.data, net)
    model = DistributedDataParallel(net, device_ids=[local] if cuda else None)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    for epoch in range(args.epochs):
        t0 = time.time()
        # every process draws the same permutation and takes every world-th batch of it
        order = torch.randperm(len(data), generator=gen).tolist()
        steps = math.ceil(len(order) / (args.batch_size * world))
        total = torch.zeros(2, device=device)
        model.train()
        for k in range(steps):
            lo = (k * world + rank) * args.batch_size
            part = [data[i] for i in order[lo:lo + args.batch_size]] or [data[order[k % len(order)]]]
            x, lengths, classes, y, w, extra = batch_of(part, net, device)
            opt.zero_grad()
            loss = net.loss(model(x, lengths, classes, **extra), y, lengths, w)
            loss.backward()  # DistributedDataParallel averages the gradients over the processes
            if args.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            total += torch.stack([loss.detach() * len(part), torch.tensor(float(len(part)), device=device)])
        dist.all_reduce(total)
        if rank == 0:
            print("epoch %d: loss %.6f (%d sequences, %d processes, %.1f s)"
                  % (epoch + 1, (total[0] / total[1]).item(), int(total[1].item()), world, time.time() - t0), flush=True)
    if rank == 0:
        exported.save(model, args.out, {"trainedWith": "train_ddp.py, %d processes" % world})
        print("saved %s" % args.out, flush=True)
    dist.barrier()
    # DistributedDataParallel holds the process group: free it (and the optimizer) first, so that no
    # destructor reaches Gloo's threads after the group is gone (an abort at exit otherwise)
    del opt, model
    gc.collect()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
