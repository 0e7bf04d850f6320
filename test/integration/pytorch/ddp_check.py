# DistributedDataParallel on the exported modules (pytorch-ddp.test.ts), started as
#   ddp_check.py CASES.json RANK WORLD   with MASTER_ADDR and MASTER_PORT set (a gloo process group).
# For every case each rank loads the case's exported module and takes STEPS steps of SGD on its
# share of a fixed batch under DistributedDataParallel (which averages the gradients over the
# ranks); rank 0 save()s the result to the case's ddp.safetensors. Rank 0 then trains the module
# again from the file, in this process alone without a process group, on the whole batch and
# save()s that to single.safetensors. Prints, as JSON, each rank's losses and rank 0's predictions
# after the distributed training.
import importlib.util
import json
import os
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

STEPS, LR = 3, 0.5


def train(case, mod, share, distributed):
    net = mod.load(os.path.join(case["dir"], "model.safetensors"))
    x = torch.tensor(case["x"], dtype=torch.long if net.tokens else torch.float32)
    lengths = torch.tensor(case["lengths"])
    classes = torch.tensor(case["classes"]) if "classes" in case else None
    y = torch.tensor(case["y"], dtype=torch.long if net.loss_kind == "crossentropy" else torch.float32)
    model = DistributedDataParallel(net) if distributed else net
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        c = None if classes is None else classes[share]
        loss = net.loss(model(x[share], lengths[share], c), y[share], lengths[share])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    net.eval()
    with torch.no_grad():
        pred = net(x, lengths, classes).reshape(-1).tolist()
    return model, losses, pred


def main():
    cases = json.load(open(sys.argv[1]))
    rank, world = int(sys.argv[2]), int(sys.argv[3])
    dist.init_process_group("gloo", rank=rank, world_size=world)
    out = {"world": dist.get_world_size()}
    for i, case in enumerate(cases):
        spec = importlib.util.spec_from_file_location("rw_ddp_%d" % i, os.path.join(case["dir"], "model.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        B = len(case["lengths"])
        model, losses, pred = train(case, mod, slice(rank * B // world, (rank + 1) * B // world), True)
        out[case["name"]] = {"losses": losses, "module": type(model).__name__}
        if rank == 0:
            mod.save(model, os.path.join(case["dir"], "ddp.safetensors"))
            out[case["name"]]["pred"] = pred
            alone, _, _ = train(case, mod, slice(0, B), False)
            mod.save(alone, os.path.join(case["dir"], "single.safetensors"))
    dist.barrier()
    dist.destroy_process_group()
    print(json.dumps(out))


main()
