#!/usr/bin/env python3
"""recurrent.wasm from a host that is not JavaScript: Python on wasmtime.

Written from docs/ABI.md and include/recurrent.h alone. It
  1. reads include/recurrent.h: the function type of every export, the constants and the fields of
     the recurrent pass descriptor, and checks every signature against the module's own exports;
  2. runs the self-tests (0 = pass in every build);
  3. trains a small Elman RNN for a few SGD steps through the raw ABI (alloc, rnn_workspace_bytes,
     rnn_forward, rnn_backward, sgd_step; the loss and its gradient computed here);
  4. runs examples/host/reference.mjs, the same training through the JavaScript bindings, and
     compares: every loss and every final parameter must be equal bit for bit (the same code runs
     in both hosts);
  5. instantiates the threads build with a shared memory of its own (the env.memory import it
     names) and runs its self-test there.

Usage: npm run build && python3 -m pip install -r examples/host/requirements.txt
       python3 examples/host/train.py        (or: npm run example:host)
"""
import json
import re
from importlib.metadata import version
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
try:
    import wasmtime
except ImportError:
    sys.exit("examples/host/train.py needs the wasmtime package: python3 -m pip install -r examples/host/requirements.txt")

# sizes of the run: batch, steps, input, hidden; SGD steps and learning rate
B, T, I, H, STEPS, LR = 3, 7, 4, 8, 8, 0.05
C_TO_WASM = {"int32_t": "i32", "uint32_t": "i32", "rw_ptr": "i32", "float": "f32", "double": "f64"}


def read_header(path):
    """The constants (RW_*), the export signatures (rw_<name>_fn) and the descriptor's fields."""
    text = path.read_text(encoding="utf-8")
    consts = {m[1]: int(m[2]) for m in re.finditer(r"#define RW_(\w+) \((-?\d+)\)", text)}
    fns = {}
    for m in re.finditer(r"typedef (\w+) rw_(\w+)_fn\(([^)]*)\);", text):
        args = m[3].strip()
        params = [] if args in ("", "void") else [a.strip().rsplit(" ", 1)[0] for a in args.split(",")]
        fns[m[2]] = ([C_TO_WASM[p] for p in params], [] if m[1] == "void" else [C_TO_WASM[m[1]]])
    body = re.search(r"typedef struct rw_rnn_desc \{(.*?)\} rw_rnn_desc;", text, re.S)[1]
    fields = re.findall(r"^\s*u?int32_t (\w+);", body, re.M)
    return consts, fns, fields


class SharedMemoryImport(wasmtime.SharedMemory):
    """wasmtime.SharedMemory, importable: wasmtime-py 49 passes a pointer to its pointer when it
    turns a shared memory into an import (bytecodealliance/wasmtime-py#318, open), which ctypes
    refuses; this passes the pointer itself."""

    def _as_extern(self):
        from wasmtime import _ffi as ffi
        return ffi.wasmtime_extern_t(ffi.WASMTIME_EXTERN_SHAREDMEMORY, ffi.wasmtime_extern_union(sharedmemory=self.ptr()))


class Core:
    """One instance of a recurrent-wasm build, called by the header's signatures."""

    def __init__(self, path, fns, threads=False, relaxed=False):
        config = wasmtime.Config()
        config.wasm_simd = True
        config.wasm_relaxed_simd = relaxed
        config.wasm_threads = threads
        config.shared_memory = threads
        self.engine = wasmtime.Engine(config)
        self.store = wasmtime.Store(self.engine)
        module = wasmtime.Module.from_file(self.engine, str(path))
        imports = []
        for imp in module.imports:
            if imp.module == "env" and imp.name == "memory":
                # the threads build names its memory import: a shared memory of up to 65536 pages
                limits = wasmtime.Limits(imp.type.limits.min, imp.type.limits.max)
                self.shared = SharedMemoryImport(self.engine, wasmtime.MemoryType(limits, is_64=False, shared=True))
                imports.append(self.shared)
            elif imp.module == "env" and imp.name == "abort":
                def abort(msg, file, line, col):
                    raise RuntimeError(f"recurrent.wasm aborted at {line}:{col}")
                imports.append(wasmtime.Func(self.store, wasmtime.FuncType([wasmtime.ValType.i32()] * 4, []), abort))
            else:
                raise RuntimeError(f"{path.name}: unexpected import {imp.module}.{imp.name}")
        self.instance = wasmtime.Instance(self.store, module, imports)
        self.exports = self.instance.exports(self.store)
        self.memory = self.exports["memory"] if "memory" in self.exports else None
        self.fns = fns

    def check_signatures(self):
        """Every function export declared in the header with the same wasm types, and the reverse."""
        problems = []
        names = set()
        for name, item in self.exports.items():
            if not isinstance(item, wasmtime.Func):
                continue
            names.add(name)
            ty = item.type(self.store)
            got = ([str(p) for p in ty.params], [str(r) for r in ty.results])
            if name not in self.fns:
                problems.append(f"export {name} is not in include/recurrent.h")
            elif got != self.fns[name]:
                problems.append(f"{name}: the module has {got}, the header {self.fns[name]}")
        problems += [f"include/recurrent.h declares {n}, which the module does not export" for n in self.fns if n not in names]
        return len(names), problems

    def __getattr__(self, name):
        fn = self.exports[name]
        return lambda *args: fn(self.store, *args)

    # memory: little-endian f32 / i32 / u32 arrays at byte offsets
    def write(self, ptr, fmt, values):
        self.memory.write(self.store, struct.pack(f"<{len(values)}{fmt}", *values), ptr)

    def read(self, ptr, fmt, n):
        return list(struct.unpack(f"<{n}{fmt}", self.memory.read(self.store, ptr, ptr + 4 * n)))


def lcg():
    """The 32-bit LCG reference.mjs draws from: values in [-0.5, 0.5), exact in f32 and f64."""
    s = 1
    while True:
        s = (s * 1664525 + 1013904223) % 2**32
        yield (s >> 8) / 16777216 - 0.5


def train(core, consts, fields):
    """STEPS SGD steps of an Elman RNN (tanh) on one batch, through the raw ABI: returns the losses
    and the final parameters' bits."""
    rnd = lcg()
    n = int(core.rnn_param_count(consts["CELL_RNN_TANH"], I, H, 1, 1))
    assert n == H * I + H * H + 2 * H, n
    f32 = lambda v: struct.unpack("<f", struct.pack("<f", v))[0]
    init = [f32(next(rnd)) for _ in range(n)]  # weight_ih, weight_hh, bias_ih, bias_hh
    x = [next(rnd) for _ in range(B * T * I)]
    y = [next(rnd) for _ in range(B * T * H)]
    N = B * T * H
    ptr = lambda nbytes: core.alloc(nbytes) & 0xFFFFFFFF  # pointers are unsigned
    params, grads, px, out, hn, dout = ptr(4 * n), ptr(4 * n), ptr(4 * len(x)), ptr(4 * N), ptr(4 * B * H), ptr(4 * N)
    desc = ptr(4 * consts["RD_FIELDS"])
    core.write(params, "f", init)
    core.write(px, "f", x)
    d = {name: 0 for name in fields}
    d.update(cell=consts["CELL_RNN_TANH"], b=B, t=T, i=I, h=H, l=1, d=1, params=params, grads=grads, x=px, out=out, hn=hn)
    put = lambda: core.write(desc, "I", [d[name] & 0xFFFFFFFF for name in fields])
    put()
    ws_bytes = int(core.rnn_workspace_bytes(desc))
    assert ws_bytes > 0, ws_bytes
    d.update(ws=ptr(ws_bytes), ws_bytes=ws_bytes)
    losses = []
    for _ in range(STEPS):
        d["dout"] = 0
        put()
        code = core.rnn_forward(desc)
        assert code == consts["OK"], f"rnn_forward: error {code}"
        o = core.read(out, "f", N)
        loss, g = 0.0, []
        for i in range(N):
            diff = o[i] - y[i]
            loss += diff * diff
            g.append(2 * diff / N)
        losses.append(loss / N)
        core.write(dout, "f", g)
        core.write(grads, "f", [0.0] * n)
        d["dout"] = dout
        put()
        code = core.rnn_backward(desc)
        assert code == consts["OK"], f"rnn_backward: error {code}"
        core.sgd_step(n, params, grads, 0, LR, 0.0, 0.0, 0)
    return losses, core.read(params, "I", n)


def main():
    consts, fns, fields = read_header(ROOT / "include/recurrent.h")
    assert len(fields) == consts["RD_FIELDS"], (len(fields), consts["RD_FIELDS"])
    wasm = ROOT / "build/recurrent.standalone.wasm"
    if not wasm.exists():
        sys.exit(f"{wasm} is missing: run npm run build first")
    core = Core(wasm, fns)
    count, problems = core.check_signatures()
    if problems:
        sys.exit("include/recurrent.h and the module disagree:\n  " + "\n  ".join(problems))
    print(f"include/recurrent.h: all {count} function exports have the signatures the module declares")
    selftest = core.selftest_gemm()
    worst = core.alloc(4) & 0xFFFFFFFF
    ulp = core.activation_max_ulp(0, 0x3F000000, 0x3F010000, worst)  # tanh on [0.5, 0.5078)
    print(f"self-tests: selftest_gemm {selftest}; tanh within {ulp:.2f} ulp on [0.5, 0.508), worst at x = {core.read(worst, 'f', 1)[0]:.9g}")
    if selftest != 0:
        sys.exit("selftest_gemm failed")

    losses, params = train(core, consts, fields)
    args = json.dumps({"B": B, "T": T, "I": I, "H": H, "steps": STEPS, "lr": LR})
    ref = json.loads(subprocess.run(["node", str(ROOT / "examples/host/reference.mjs"), args], check=True, capture_output=True, text=True).stdout)
    same_losses = losses == ref["losses"]
    same_params = params == ref["params"]
    differ = sum(a != b for a, b in zip(params, ref["params"]))
    print(f"trained an Elman RNN (I = {I}, H = {H}, batch {B} x {T} steps) for {STEPS} SGD steps through the raw ABI: "
          f"loss {losses[0]:.6f} -> {losses[-1]:.6f}")

    threaded = Core(ROOT / "build/recurrent.threads.wasm", fns, threads=True)
    tcount, tproblems = threaded.check_signatures()
    tself = threaded.selftest_gemm()
    print(f"threads build on a shared memory of its own (imports env.memory, env.abort): {tcount} exports, "
          f"signatures {'match' if not tproblems else 'differ'}, selftest_gemm {tself}")

    relaxed = Core(ROOT / "build/recurrent.relaxed.wasm", fns, relaxed=True)
    rself = relaxed.selftest_gemm()
    print(f"relaxed-SIMD build: selftest_gemm {rself} (its fused multiply-adds within the documented bound)")

    ok = same_losses and same_params and losses[-1] < losses[0] and tself == 0 and not tproblems and rself == 0
    print(f"host: wasmtime {version('wasmtime')} from Python: "
          f"{'every loss and all ' + str(len(params)) + ' parameters equal the JavaScript bindings bit for bit' if same_losses and same_params else f'differs from the JavaScript bindings: losses {same_losses}, {differ} parameters differ'}"
          f"; threads and relaxed builds {'pass their self-tests' if tself == 0 and not tproblems and rself == 0 else 'FAILED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
