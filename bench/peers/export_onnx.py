#!/usr/bin/python3
"""Export one-layer RNN (tanh), LSTM and GRU models from PyTorch to ONNX for the B = 1 benchmark
(bench/peers/stream-ort.mjs), with their weights as JSON (PyTorch state_dict names, which recurrent-wasm
loads as they are). Run with Debian's torch: /usr/bin/python3 bench/peers/export_onnx.py
Writes bench/peers/onnx/{rnn,lstm,gru}.onnx and .json (generated files, not committed).

With arguments, `export_onnx.py batched CELL I H`: the forward pass of `npm run bench` instead
(bench/peers/ort_worker.mjs runs it on demand): one layer, batch_first, input x [B, T, I] with B and
T dynamic, zero initial state, output y [B, T, H]; written to onnx/batched-CELL-I-H.onnx."""
import json, os, sys
import torch

I, H = int(os.environ.get("I", 128)), int(os.environ.get("H", 128))
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)


class Wrap(torch.nn.Module):
    def __init__(self, mode):
        super().__init__()
        self.mode = mode
        self.rnn = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[mode](I, H, batch_first=True)

    def forward(self, x, h0, c0=None):
        if self.mode == "lstm":
            y, (h, c) = self.rnn(x, (h0, c0))
            return y, h, c
        y, h = self.rnn(x, h0)
        return y, h


if len(sys.argv) == 5 and sys.argv[1] == "batched":
    mode, I, H = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rnn = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[mode](I, H, batch_first=True).eval()

    class Seq(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = rnn

        def forward(self, x):
            return self.rnn(x)[0]

    path = os.path.join(OUT, f"batched-{mode}-{I}-{H}.onnx")
    torch.onnx.export(Seq(), (torch.randn(2, 3, I),), path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "B", 1: "T"}, "y": {0: "B", 1: "T"}}, opset_version=14)
    print(path)
    sys.exit(0)

for mode in ("rnn", "lstm", "gru"):
    m = Wrap(mode).eval()
    x, h0 = torch.randn(1, 1, I), torch.zeros(1, 1, H)
    args = (x, h0, torch.zeros(1, 1, H)) if mode == "lstm" else (x, h0)
    inputs = ["x", "h0", "c0"] if mode == "lstm" else ["x", "h0"]
    outputs = ["y", "hn", "cn"] if mode == "lstm" else ["y", "hn"]
    torch.onnx.export(m, args, os.path.join(OUT, f"{mode}.onnx"), input_names=inputs, output_names=outputs,
                      dynamic_axes={"x": {1: "T"}, "y": {1: "T"}}, opset_version=14)
    with open(os.path.join(OUT, f"{mode}.json"), "w") as f:
        json.dump({"I": I, "H": H, "torch": torch.__version__, "state": {k: v.flatten().tolist() for k, v in m.rnn.state_dict().items()}}, f)
print("wrote", OUT, file=sys.stderr)
