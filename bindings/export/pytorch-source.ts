// The Python source of an exported model's model.py (export/pytorch.ts): a torch.nn.Module of the
// cells rnn, lstm and gru with a Model's parameter names, its loss, and load()/save() of model
// files. __CONFIG_JSON__ is replaced by the config's JSON text as a Python string literal.
export const PYTORCH_SOURCE = String
  .raw`# A recurrent-wasm model as a torch.nn.Module: written by recurrent-wasm (model.toPyTorch(), or
# "recurrent-wasm export --to pytorch") from the model's config below. Needs torch (>= 1.13); load()
# and save() also need safetensors.
#
#   import model
#   net = model.load("model.safetensors")   # the module with the exported weights
#   y = net(x, lengths)                     # what predict() returns (net.eval() first: dropout)
#   model.save(net, "trained.safetensors")  # a file Model.load reads
#
# forward(x, lengths=None, classes=None, mask=None, times=None):
#   x        float [B, T, inputSize] padded sequences, or int64 [B, T] token ids (token models);
#   lengths  int [B], steps past a sequence's length are padding (default: every step counts);
#   classes  int [B], the row of each sequence's learned initial state (initialState perClass);
#   mask     inputMask models: [B, T, inputSize] of 0/1, 1 where a feature was observed (data.mask);
#   times    timeGap models: float64 [B, T], each step's time, non-decreasing (data.times).
#   Returns [B, outputSize] (readout "last": the state at each sequence's end, bidirectional the
#   forward state at the end beside the reverse state at the start) or [B, T, outputSize]
#   (readout "sequence", zero past each length). Crossentropy models return logits.
# loss(pred, target, lengths=None, weights=None) is the loss fit() minimizes.
import json

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

# The config exactly as the model file stores it (__metadata__["config"]).
CONFIG_JSON = __CONFIG_JSON__
CONFIG = json.loads(CONFIG_JSON)
FORMAT = "recurrent-wasm"


class Recurrence(nn.Module):
    """A stack of recurrent layers written step by step, with torch.nn.RNN/LSTM/GRU's parameter
    names and shapes (batch_first): the cells torch.nn has no module for (the GRU with the reset
    gate applied before the recurrent product, the Elman RNN without a nonlinearity). A step past
    a sequence's length keeps the state and outputs zeros."""

    GATES = {"rnn": 1, "lstm": 4, "gru": 3}

    def __init__(self, cell, input_size, hidden_size, num_layers, bidirectional, dropout, nonlinearity, reset_after):
        super().__init__()
        self.cell, self.hidden_size, self.num_layers = cell, hidden_size, num_layers
        self.directions = 2 if bidirectional else 1
        self.dropout, self.nonlinearity, self.reset_after = dropout, nonlinearity, reset_after
        G, H, k = self.GATES[cell], hidden_size, hidden_size ** -0.5
        for l in range(num_layers):
            I = input_size if l == 0 else self.directions * H
            for d in range(self.directions):
                s = "_l%d%s" % (l, "_reverse" if d else "")
                for name, shape in (("weight_ih", (G * H, I)), ("weight_hh", (G * H, H)), ("bias_ih", (G * H,)),
                                    ("bias_hh", (G * H,))):
                    setattr(self, name + s, nn.Parameter(torch.empty(shape).uniform_(-k, k)))

    def _step(self, gi, h, c, w_hh, b_hh):
        H = self.hidden_size
        if self.cell == "rnn":
            a = gi + F.linear(h, w_hh, b_hh)
            return {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda v: v}[self.nonlinearity](a), None
        if self.cell == "lstm":
            g = gi + F.linear(h, w_hh, b_hh)
            i, f, n, o = torch.sigmoid(g[:, :H]), torch.sigmoid(g[:, H:2 * H]), torch.tanh(g[:, 2 * H:3 * H]), \
                torch.sigmoid(g[:, 3 * H:])
            c = f * c + i * n
            return o * torch.tanh(c), c
        if self.reset_after:
            gh = F.linear(h, w_hh, b_hh)
            r = torch.sigmoid(gi[:, :H] + gh[:, :H])
            z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
            n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        else:
            gh = F.linear(h, w_hh[:2 * H], b_hh[:2 * H])
            r = torch.sigmoid(gi[:, :H] + gh[:, :H])
            z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:])
            n = torch.tanh(gi[:, 2 * H:] + F.linear(r * h, w_hh[2 * H:], b_hh[2 * H:]))
        return (1 - z) * n + z * h, None

    def forward(self, x, lengths, hx=None):
        """x [B, T, I], lengths [B] on x's device, hx: h0 (or (h0, c0) for LSTM) [L·D, B, H] or None.
        Returns out [B, T, D·H] and h_n (LSTM: (h_n, c_n)) [L·D, B, H]."""
        B, T, H, D = x.shape[0], x.shape[1], self.hidden_size, self.directions
        lstm = self.cell == "lstm"
        if hx is None:
            z = x.new_zeros(self.num_layers * D, B, H)
            hx = (z, z) if lstm else z
        h0, c0 = hx if lstm else (hx, None)
        hn, cn, inp = [], [], x
        for l in range(self.num_layers):
            outs = []
            for d in range(D):
                s = "_l%d%s" % (l, "_reverse" if d else "")
                gi = F.linear(inp, getattr(self, "weight_ih" + s), getattr(self, "bias_ih" + s))
                w_hh, b_hh = getattr(self, "weight_hh" + s), getattr(self, "bias_hh" + s)
                h, c = h0[l * D + d], c0[l * D + d] if lstm else None
                ys = [None] * T
                for t in (range(T - 1, -1, -1) if d else range(T)):
                    on = (lengths > t).unsqueeze(1)
                    h2, c2 = self._step(gi[:, t], h, c, w_hh, b_hh)
                    ys[t] = torch.where(on, h2, torch.zeros_like(h2))
                    h = torch.where(on, h2, h)
                    if lstm:
                        c = torch.where(on, c2, c)
                outs.append(torch.stack(ys, 1) if T else inp.new_zeros(B, 0, H))
                hn.append(h)
                cn.append(c)
            inp = torch.cat(outs, 2)
            if l < self.num_layers - 1 and self.dropout > 0:
                inp = F.dropout(inp, self.dropout, self.training)
        hn = torch.stack(hn)
        return inp, ((hn, torch.stack(cn)) if lstm else hn)


class RecurrentModel(nn.Module):
    """The model of CONFIG: [embedding] → input dropout → recurrent stack ("rnn") → readout dropout
    → [head] → readout, with recurrent-wasm's parameter names (its state_dict is the model file's
    tensors)."""

    def __init__(self, config=None):
        """config: None (CONFIG, this file's model), the config's JSON text (as a model file stores it)
        or a dict."""
        super().__init__()
        text = CONFIG_JSON if config is None else config if isinstance(config, str) else json.dumps(config)
        cfg = json.loads(text)
        self.config_json = text
        cell = cfg.get("cell", "rnn")
        if cell not in ("rnn", "lstm", "gru"):
            raise ValueError("cell %r has no PyTorch export (cells rnn, lstm, gru)" % (cell,))
        self.config = cfg
        self.cell, self.readout_kind, self.loss_kind = cell, cfg.get("readout", "last"), cfg.get("loss", "mse")
        H, L = cfg["hiddenSize"], cfg.get("numLayers", 1)
        D = 2 if cfg.get("bidirectional", False) else 1
        self.hidden_size, self.num_layers, self.directions = H, L, D
        self.output_size = cfg["outputSize"]
        self.tokens = "vocabSize" in cfg
        if self.tokens:
            self.embedding = nn.Embedding(cfg["vocabSize"], cfg["embeddingSize"])
            I = cfg["embeddingSize"]
        else:
            I = cfg["inputSize"]
        self.input_size = I
        self.input_mask, self.time_gap = bool(cfg.get("inputMask")), bool(cfg.get("timeGap"))
        # the width the stack reads: [x ⊙ mask, mask] with inputMask, then the time gap
        I = I * (2 if self.input_mask else 1) + (1 if self.time_gap else 0)
        self.input_dropout = nn.Dropout(cfg.get("inputDropout", 0))
        nl, reset_after, p = cfg.get("nonlinearity", "tanh"), cfg.get("resetAfter", True), cfg.get("dropout", 0)
        # torch.nn's cuDNN-backed modules where they are the same cell; Recurrence for the others
        self.packed = not ((cell == "gru" and not reset_after) or (cell == "rnn" and nl == "linear"))
        if self.packed:
            kw = dict(batch_first=True, bidirectional=D == 2, dropout=p if L > 1 else 0)
            if cell == "rnn":
                kw["nonlinearity"] = nl
            self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](I, H, L, **kw)
        else:
            self.rnn = Recurrence(cell, I, H, L, D == 2, p, nl, reset_after)
        self.readout_dropout = nn.Dropout(cfg.get("readoutDropout", 0))
        head = cfg.get("head", {"hidden": [], "activation": "relu"})
        layers, In = [], D * H
        for w in head["hidden"]:
            layers += [nn.Linear(In, w), nn.ReLU() if head.get("activation", "relu") == "relu" else nn.Tanh()]
            In = w
        self.head = nn.Sequential(*layers)
        self.readout = nn.Linear(In, self.output_size)
        init = cfg.get("initialState", "zeros")
        self.per_class = init["perClass"] if isinstance(init, dict) else 0
        if init != "zeros":
            shape = (L * D, H) if init == "learned" else (self.per_class, L * D, H)
            self.h0 = nn.Parameter(torch.zeros(shape))
            if cell == "lstm":
                self.c0 = nn.Parameter(torch.zeros(shape))
        self.metadata = {}

    def _initial(self, B, classes):
        if not hasattr(self, "h0"):
            return None
        if self.per_class:
            if classes is None:
                raise ValueError("initialState perClass needs classes, one class id per sequence (int [B])")
            classes = torch.as_tensor(classes, dtype=torch.long, device=self.h0.device)
            if classes.shape != (B,):
                raise ValueError("classes must have shape [%d], got %s" % (B, list(classes.shape)))
            pick = lambda t: t[classes].transpose(0, 1).contiguous()
        else:
            pick = lambda t: t.unsqueeze(1).expand(t.shape[0], B, t.shape[1]).contiguous()
        h0 = pick(self.h0)
        return (h0, pick(self.c0)) if self.cell == "lstm" else h0

    def _extras(self, x, mask, times):
        """[x ⊙ mask, mask, gap]: the gap is the time since the last step with an observation (any
        feature observed; without inputMask every step), 0 until there is one."""
        B, T = x.shape[0], x.shape[1]
        parts = [x]
        if self.input_mask:
            mask = None if mask is None else torch.as_tensor(mask, device=x.device).to(x.dtype)
            if mask is None or tuple(mask.shape) != tuple(x.shape):
                raise ValueError("inputMask models need mask [%d, %d, %d] of 0/1" % (B, T, x.shape[2]))
            parts = [torch.where(mask != 0, x, torch.zeros_like(x)), mask]
        if self.time_gap:
            times = None if times is None else torch.as_tensor(times, device=x.device).to(torch.float64)
            if times is None or tuple(times.shape) != (B, T):
                raise ValueError("timeGap models need times [%d, %d], each step's time" % (B, T))
            last, gaps = torch.full((B,), float("nan"), dtype=torch.float64, device=x.device), []
            for k in range(T):
                gaps.append(torch.where(torch.isnan(last), torch.zeros_like(last), times[:, k] - last))
                seen = (mask[:, k] != 0).any(1) if self.input_mask else torch.ones(B, dtype=torch.bool, device=x.device)
                last = torch.where(seen, times[:, k], last)
            parts.append(torch.stack(gaps, 1).to(x.dtype).unsqueeze(2))
        return torch.cat(parts, 2) if len(parts) > 1 else x

    def forward(self, x, lengths=None, classes=None, mask=None, times=None):
        B, T = x.shape[0], x.shape[1]
        if lengths is None:
            lengths = torch.full((B,), T, dtype=torch.long)
        lengths = torch.as_tensor(lengths, dtype=torch.long)
        if lengths.shape != (B,) or (B and (int(lengths.min()) < 1 or int(lengths.max()) > T)):
            raise ValueError("lengths must be [%d] values in 1..%d, got %s" % (B, T, lengths.tolist()))
        if self.tokens:
            x = self.embedding(x.long())
        elif self.input_mask or self.time_gap:
            x = self._extras(x, mask, times)
        x = self.input_dropout(x)
        hx = self._initial(B, classes)
        if self.packed:
            seq = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, hn = self.rnn(seq, hx)
            if self.readout_kind == "sequence":
                out = pad_packed_sequence(out, batch_first=True, total_length=T)[0]
        else:
            out, hn = self.rnn(x, lengths.to(x.device), hx)
        if self.cell == "lstm":
            hn = hn[0]
        L, D = self.num_layers, self.directions
        feat = torch.cat([hn[(L - 1) * D + d] for d in range(D)], 1) if self.readout_kind == "last" else out
        y = self.readout(self.head(self.readout_dropout(feat)))
        if self.readout_kind == "sequence":
            steps = torch.arange(T, device=y.device)
            y = y * (steps.unsqueeze(0) < lengths.to(y.device).unsqueeze(1)).unsqueeze(2).to(y.dtype)
        return y

    def loss(self, pred, target, lengths=None, weights=None):
        """The loss fit() minimizes. mse: Σ w·Σ_o (pred − target)² / (Σ w · outputSize); crossentropy:
        Σ w·(−log softmax(pred)[target]) / Σ w over rows whose target is >= 0. Rows: sequences (readout
        "last", w = 1; target [B, O] floats or [B] class ids) or steps (readout "sequence": target
        [B, T, O] or [B, T]; w = 1 up to each length, times "weights" [B, T] when given, 0 past it).
        A batch whose weights are all 0 has loss 0."""
        O = self.output_size
        if self.readout_kind == "sequence":
            B, T = pred.shape[0], pred.shape[1]
            w = torch.ones(B, T, dtype=pred.dtype, device=pred.device)
            if lengths is not None:
                steps = torch.arange(T, device=pred.device)
                w = w * (steps.unsqueeze(0) < torch.as_tensor(lengths, device=pred.device).unsqueeze(1)).to(pred.dtype)
            if weights is not None:
                w = w * torch.as_tensor(weights, dtype=pred.dtype, device=pred.device)
            pred, w = pred.reshape(B * T, O), w.reshape(B * T)
            target = target.reshape(B * T, O) if self.loss_kind == "mse" else target.reshape(B * T)
        else:
            if weights is not None:
                raise ValueError("weights apply to readout \"sequence\" (one weight per step)")
            w = torch.ones(pred.shape[0], dtype=pred.dtype, device=pred.device)
        if self.loss_kind == "mse":
            total = (w.unsqueeze(1) * (pred - target.to(pred.dtype)) ** 2).sum()
            ws = w.sum() * O
        else:
            target = target.long()
            w = w * (target >= 0).to(pred.dtype)
            total = (w * F.cross_entropy(pred, target.clamp(min=0), reduction="none")).sum()
            ws = w.sum()
        return torch.where(ws > 0, total / torch.where(ws > 0, ws, torch.ones_like(ws)), total * 0)


def _config_of(metadata, path):
    if metadata.get("format") != FORMAT or "config" not in metadata:
        raise ValueError("%s: __metadata__ has no recurrent-wasm config" % path)
    return metadata["config"]


def load(path):
    """The module with the weights of a recurrent-wasm model file (this model's, one trained from
    it, or any other model of cells rnn, lstm, gru: the file's config builds the module)."""
    from safetensors import safe_open

    with safe_open(path, framework="pt") as f:
        metadata = dict(f.metadata() or {})
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    module = RecurrentModel(_config_of(metadata, path))
    module.load_state_dict(tensors, strict=True)
    module.metadata = metadata
    return module


def save(module, path, metadata=None):
    """Write the module (or a DistributedDataParallel around it) as a file Model.load reads: every
    parameter as float32 by recurrent-wasm's names, the config in __metadata__ as the model file
    stores it, the metadata the module was loaded with (and "metadata", strings)."""
    from safetensors.torch import save_file

    module = getattr(module, "module", module)
    if not isinstance(module, RecurrentModel):
        raise TypeError("save: expected a RecurrentModel (or a DistributedDataParallel around one), got %s"
                        % type(module).__name__)
    meta = dict(getattr(module, "metadata", {}) or {})
    meta.update(metadata or {})
    meta["format"], meta["config"] = FORMAT, module.config_json
    for k, v in meta.items():
        if not isinstance(v, str):
            raise TypeError("save: metadata %r must be a string, got %s" % (k, type(v).__name__))
    tensors = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in module.state_dict().items()}
    save_file(tensors, path, metadata=meta)
`;
