// The JavaScript side of examples/host/train.py: the same training through the public bindings
// (RNN, SGD), on the same data and initial weights (the same 32-bit LCG), printed as JSON: the loss
// of every step (f64) and the final parameters' bits (state_dict order). Run by train.py.
import { init, RNN, SGD } from "../../dist/index.js";

const { B, T, I, H, steps, lr } = JSON.parse(process.argv[2]);
await init();
let s = 1;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 16777216 - 0.5;
const layer = new RNN({ inputSize: I, hiddenSize: H });
// the initial weights first, then x, then y: the order train.py draws them in
const shapes = { weight_ih_l0: H * I, weight_hh_l0: H * H, bias_ih_l0: H, bias_hh_l0: H };
const sd = {};
for (const [k, n] of Object.entries(shapes)) sd[k] = Float32Array.from({ length: n }, rnd);
layer.loadStateDict(sd);
const x = Float32Array.from({ length: B * T * I }, rnd), y = Float32Array.from({ length: B * T * H }, rnd);
const sgd = new SGD({ learningRate: lr }), losses = [], N = B * T * H;
for (let step = 0; step < steps; step++) {
  const { output } = layer.forward(x, { batch: B, steps: T });
  let loss = 0;
  const dOut = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const d = output[i] - y[i];
    loss += d * d;
    dOut[i] = (2 * d) / N;
  }
  losses.push(loss / N);
  layer.zeroGrad();
  layer.backward({ output: dOut });
  sgd.step(layer);
}
const params = [];
for (const v of Object.values(layer.stateDict())) params.push(...new Uint32Array(v.buffer, v.byteOffset, v.length));
console.log(JSON.stringify({ losses, params }));
sgd.dispose?.();
layer.dispose();
