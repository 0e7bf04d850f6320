// Every error path of the public API, one call each (a table test holds their messages; the fuzz
// suite reuses the fixtures). `R` is the library's index module.
type Lib = typeof import("../../dist/index.js");

export function badCalls(R: Lib): [string, () => unknown][] {
  const f = (n: number, v = 0.1) => new Float32Array(n).fill(v);
  const rnn = new R.RNN({ inputSize: 2, hiddenSize: 3, seed: 1 });
  const lstm = new R.LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, seed: 1 });
  const m = new R.Model({ cell: "gru", inputSize: 2, hiddenSize: 3, outputSize: 1, seed: 1 });
  const clf = new R.Model({ cell: "gru", inputSize: 2, hiddenSize: 3, outputSize: 3, loss: "crossentropy", seed: 1 });
  const pc = new R.Model({ cell: "gru", inputSize: 2, hiddenSize: 3, outputSize: 1, initialState: { perClass: 2 },
    seed: 1 });
  const seq = new R.Model({ cell: "gru", inputSize: 2, hiddenSize: 3, outputSize: 1, readout: "sequence", seed: 1 });
  const tok = new R.Model({ cell: "gru", vocabSize: 9, embeddingSize: 4, hiddenSize: 3, outputSize: 3,
    loss: "crossentropy", seed: 1 });
  const gone = new R.GRU({ inputSize: 2, hiddenSize: 3 });
  gone.dispose();
  const goneM = new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1 });
  goneM.dispose();
  const data = { x: [f(4), f(6)], y: f(2) };
  const nan = f(6);
  nan[3] = NaN;
  const fresh = new R.GRU({ inputSize: 2, hiddenSize: 3 });
  const adam = new R.Adam();
  const ode = new R.NeuralODE({ stateSize: 2, hidden: [3], method: "rk4", seed: 1 });
  const freshOde = new R.NeuralODE({ stateSize: 2, hidden: [3], method: "euler" });
  const ss = new R.NeuralStateSpace({ inputSize: 2, stateSize: 3, outputSize: 1, hidden: [4], seed: 1 });
  const freshSs = new R.NeuralStateSpace({ inputSize: 2, stateSize: 3, outputSize: 1 });
  const sim = new R.Simulator({ inputs: 2, outputs: 1, hiddenSize: 3, window: 2, seed: 1 });
  const sd = () => rnn.stateDict();
  const st = (h: unknown, body = new Uint8Array(0)) => {
    const b = new TextEncoder().encode(typeof h === "string" ? h : JSON.stringify(h));
    const out = new Uint8Array(8 + b.length + body.length);
    new DataView(out.buffer).setUint32(0, b.length, true);
    out.set(b, 8);
    out.set(body, 8 + b.length);
    return out;
  };
  return [
    // layers: construction
    ["RNN options null", () => new R.RNN(null as any)],
    ["RNN options missing", () => new (R.RNN as any)()],
    ["RNN inputSize 0", () => new R.RNN({ inputSize: 0, hiddenSize: 3 })],
    ["RNN hiddenSize 2.5", () => new R.RNN({ inputSize: 1, hiddenSize: 2.5 })],
    ["RNN hiddenSize string", () => new R.RNN({ inputSize: 1, hiddenSize: "3" as any })],
    ["RNN numLayers 0", () => new R.RNN({ inputSize: 1, hiddenSize: 3, numLayers: 0 })],
    ["RNN numLayers null (found by fuzzing)", () => new R.RNN({ inputSize: 1, hiddenSize: 3, numLayers: null as any })],
    ["RNN typo", () => new R.RNN({ inputSize: 1, hiddenSize: 3, hidenSize: 3 } as any)],
    ["RNN nonlinearity", () => new R.RNN({ inputSize: 1, hiddenSize: 3, nonlinearity: "sigmoid" as any })],
    ["LSTM nonlinearity", () => new R.LSTM({ inputSize: 1, hiddenSize: 3, nonlinearity: "relu" } as any)],
    ["GRU bidirectional 1", () => new R.GRU({ inputSize: 1, hiddenSize: 3, bidirectional: 1 as any })],
    ["GRU seed -1", () => new R.GRU({ inputSize: 1, hiddenSize: 3, seed: -1 })],
    ["GRU huge", () => new R.GRU({ inputSize: 1, hiddenSize: 30000, numLayers: 4 })],
    ["GRU init typo", () => new R.GRU({ inputSize: 1, hiddenSize: 3, init: { recurent: "orthogonal" } } as any)],
    ["GRU init value", () => new R.GRU({ inputSize: 1, hiddenSize: 3, init: { recurrent: "he" } } as any)],
    // layers: forward / backward
    ["forward x not f32", () => rnn.forward([1, 2] as any, { batch: 1, steps: 1 })],
    ["forward x size", () => rnn.forward(f(5), { batch: 1, steps: 3 })],
    ["forward options missing", () => (rnn.forward as any)(f(6))],
    ["forward options null", () => rnn.forward(f(6), null as any)],
    ["forward batch 0", () => rnn.forward(f(6), { batch: 0, steps: 3 })],
    ["forward steps NaN", () => rnn.forward(f(6), { batch: 1, steps: NaN })],
    ["forward NaN in x", () => rnn.forward(nan, { batch: 1, steps: 3 })],
    ["forward lengths size", () => rnn.forward(f(6), { batch: 1, steps: 3, lengths: [1, 2] })],
    ["forward lengths value", () => rnn.forward(f(6), { batch: 1, steps: 3, lengths: [4] })],
    ["forward lengths type", () => rnn.forward(f(6), { batch: 1, steps: 3, lengths: "3" as any })],
    ["forward h0 size", () => rnn.forward(f(6), { batch: 1, steps: 3, h0: f(2) })],
    ["forward h0 NaN", () => rnn.forward(f(6), { batch: 1, steps: 3, h0: Float32Array.of(0, NaN, 0) })],
    ["forward c0 on RNN", () => rnn.forward(f(6), { batch: 1, steps: 3, c0: f(3) } as any)],
    ["forward allowNonFinite 1", () => rnn.forward(f(6), { batch: 1, steps: 3, allowNonFinite: 1 as any })],
    ["forward checkpoint-free huge", () => rnn.forward(f(2), { batch: 1, steps: 1 << 30 })],
    ["backward before forward", () => fresh.backward({ hN: f(3) })],
    ["backward grads null", () => {
      rnn.forward(f(6), { batch: 1, steps: 3 });
      return rnn.backward(null as any);
    }],
    ["backward grads typo", () => rnn.backward({ hn: f(3) } as any)],
    ["backward hN size", () => rnn.backward({ hN: f(4) })],
    ["backward output NaN", () => rnn.backward({ output: Float32Array.of(0, 0, 0, 0, NaN, 0, 0, 0, 0) })],
    ["backward hN null (found by fuzzing)", () => rnn.backward({ hN: null as any })],
    ["backward cN on RNN", () => rnn.backward({ cN: f(3) } as any)],
    ["backward truncate 0", () => rnn.backward({ hN: f(3) }, { truncate: 0 })],
    ["backward options typo", () => rnn.backward({ hN: f(3) }, { trunc: 1 } as any)],
    // layers: parameters
    ["loadStateDict null", () => rnn.loadStateDict(null as any)],
    ["loadStateDict missing", () => {
      const d = sd();
      delete d.bias_hh_l0;
      return rnn.loadStateDict(d);
    }],
    ["loadStateDict extra", () => rnn.loadStateDict({ ...sd(), extra: f(1) })],
    ["loadStateDict __proto__", () => {
      const d: any = sd();
      Object.defineProperty(d, "__proto__", { value: f(1), enumerable: true });
      return rnn.loadStateDict(d);
    }],
    ["loadStateDict size", () => rnn.loadStateDict({ ...sd(), bias_ih_l0: f(2) })],
    ["loadStateDict NaN", () => rnn.loadStateDict({ ...sd(), bias_ih_l0: Float32Array.of(0, NaN, 0) })],
    ["loadStateDict type", () => rnn.loadStateDict({ ...sd(), bias_ih_l0: [0, 0, 0] as any })],
    ["resetParameters seed", () => rnn.resetParameters(-1)],
    ["resetParameters init", () => rnn.resetParameters(0, { bias: "ones" } as any)],
    ["checkpoint not bool", () => {
      (rnn as any).checkpoint = "yes";
    }],
    ["workspaceBytes batch", () => rnn.workspaceBytes(0, 1)],
    ["after dispose forward", () => gone.forward(f(2), { batch: 1, steps: 1 })],
    ["after dispose stateDict", () => gone.stateDict()],
    ["setFlat size", () => rnn.parameters.setFlat("setFlat", f(2))],
    // Model: construction
    ["Model config null", () => new R.Model(null as any)],
    ["Model typo", () => new R.Model({ inputSize: 2, hiddenSize: 3, outputsize: 1 } as any)],
    ["Model cell", () => new R.Model({ cell: "transformer" as any, inputSize: 2, hiddenSize: 3 })],
    ["Model dropout 1", () => new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, numLayers: 2, dropout: 1 })],
    ["Model dropout negative", () => new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, dropout: -0.1 })],
    ["Model dropout string", () => new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, dropout: "0.5" as any })],
    ["Model inputDropout NaN", () => new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, inputDropout: NaN })],
    ["Model readoutDropout Infinity",
      () => new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, readoutDropout: Infinity })],
    ["Model odegru stacked",
      () => new R.Model({ cell: "odegru", inputSize: 1, hiddenSize: 2, outputSize: 1, numLayers: 2 })],
    ["Model ode without odegru",
      () => new R.Model({ cell: "gru", inputSize: 1, hiddenSize: 2, outputSize: 1, ode: {} })],
    ["Model odegru times missing", () => {
      const m = new R.Model({ cell: "odegru", inputSize: 1, hiddenSize: 2, outputSize: 1 });
      try {
        return m.predict([Float32Array.of(1, 2)]);
      } finally {
        m.dispose();
      }
    }],
    ["Model mask not 0/1", () => {
      const m = new R.Model({ cell: "gru", inputSize: 1, hiddenSize: 2, outputSize: 1, inputMask: true });
      try {
        return m.predict([Float32Array.of(1, 2)], { mask: [Float32Array.of(1, 2)] });
      } finally {
        m.dispose();
      }
    }],
    ["Model loss", () => new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, loss: "mae" as any })],
    ["Model crossentropy 1 class",
      () => new R.Model({ inputSize: 2, hiddenSize: 3, loss: "crossentropy", outputSize: 1 })],
    // Model: token inputs
    ["Model vocabSize with inputSize",
      () => new R.Model({ vocabSize: 9, embeddingSize: 4, inputSize: 4, hiddenSize: 3, outputSize: 1 })],
    ["Model vocabSize without embeddingSize", () => new R.Model({ vocabSize: 9, hiddenSize: 3, outputSize: 1 })],
    ["Model embeddingSize without vocabSize",
      () => new R.Model({ inputSize: 2, embeddingSize: 4, hiddenSize: 3, outputSize: 1 })],
    ["Model vocabSize 0", () => new R.Model({ vocabSize: 0, embeddingSize: 4, hiddenSize: 3, outputSize: 1 })],
    ["Model vocabSize odegru",
      () => new R.Model({ cell: "odegru", vocabSize: 9, embeddingSize: 4, hiddenSize: 3, outputSize: 1 })],
    ["Model vocabSize inputMask",
      () => new R.Model({ vocabSize: 9, embeddingSize: 4, hiddenSize: 3, outputSize: 1, inputMask: true })],
    ["Model id out of range", () => tok.predict([Int32Array.of(1, 2), Int32Array.of(3, 9, 1)])],
    ["Model id negative", () => tok.evaluate({ x: [Int32Array.of(-1)], y: Int32Array.of(0) })],
    ["Model tokens as floats", () => tok.predict([new Float32Array(3)])],
    ["Model tokens as array", () => tok.predict([[1, 2] as any])],
    ["Model tokens empty", () => tok.predict([new Int32Array(0)])],
    ["Model floats as tokens", () => m.predict([Int32Array.of(1, 2)])],
    ["Model stream ids as floats", () => tok.stream().step(new Float32Array(1))],
    ["Model stream id out of range", () => tok.stream({ batch: 2 }).step(Int32Array.of(1, 9))],
    ["Model generate prime id", () => tok.generate({ prime: [9], length: 3 })],
    ["Model loss null (found by fuzzing)",
      () => new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, loss: null as any })],
    ["Model initialState typo",
      () => new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, initialState: { perclass: 2 } as any })],
    ["Model readout", () => new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, readout: "first" as any })],
    ["Model initialState", () => new R.Model({ inputSize: 2, hiddenSize: 3, initialState: "random" as any })],
    ["Model perClass 0", () => new R.Model({ inputSize: 2, hiddenSize: 3, initialState: { perClass: 0 } })],
    ["Model nonlinearity on gru",
      () => new R.Model({ cell: "gru", inputSize: 2, hiddenSize: 3, nonlinearity: "relu" })],
    ["Model hiddenSize huge", () => new R.Model({ inputSize: 2, hiddenSize: 1e9 })],
    // Model: data
    ["predict x not array", () => m.predict(f(4) as any)],
    ["predict x empty", () => m.predict([])],
    ["predict x[1] type", () => m.predict([f(4), [1, 2] as any])],
    ["predict x[1] size", () => m.predict([f(4), f(3)])],
    ["predict x[0] NaN", () => m.predict([Float32Array.of(0, NaN)])],
    ["predict options null", () => m.predict([f(4)], null as any)],
    ["predict batchSize 0", () => m.predict([f(4)], { batchSize: 0 })],
    ["predict classes without perClass", () => m.predict([f(4)], { classes: Int32Array.of(0) })],
    ["predict perClass without classes", () => pc.predict([f(4)])],
    ["predict perClass class 5", () => pc.predict([f(4)], { classes: Int32Array.of(5) })],
    ["evaluate data null", () => m.evaluate(null as any)],
    ["evaluate y missing", () => m.evaluate({ x: [f(4)] } as any)],
    ["evaluate y size", () => m.evaluate({ x: [f(4), f(4)], y: f(3) })],
    ["evaluate y NaN", () => m.evaluate({ x: [f(4)], y: Float32Array.of(NaN) })],
    ["evaluate options typo", () => m.evaluate(data, { batchsize: 3 } as any)],
    ["evaluate classifier y float", () => clf.evaluate({ x: [f(4)], y: f(1) } as any)],
    ["evaluate classifier y 3", () => clf.evaluate({ x: [f(4)], y: Int32Array.of(3) })],
    ["evaluate sequence y", () => seq.evaluate({ x: [f(4)], y: f(2) } as any)],
    ["evaluate sequence y[0] size", () => seq.evaluate({ x: [f(4)], y: [f(3)] })],
    ["Model head not an array",
      () => new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, head: { hidden: 8 as any } })],
    ["Model head width 0", () => new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, head: { hidden: [4, 0] } })],
    ["Model head activation",
      () =>
        new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, head: { hidden: [4], activation: "gelu" as any } })],
    ["evaluate weights readout last", () => m.evaluate({ x: [f(4)], y: f(1), weights: [f(2)] })],
    ["evaluate weights not array", () => seq.evaluate({ x: [f(4)], y: [f(2)], weights: f(2) as any })],
    ["evaluate weights[0] size", () => seq.evaluate({ x: [f(4)], y: [f(2)], weights: [f(3)] })],
    ["evaluate weights negative", () => seq.evaluate({ x: [f(4)], y: [f(2)], weights: [Float32Array.of(1, -1)] })],
    ["evaluate weights NaN", () => seq.evaluate({ x: [f(4)], y: [f(2)], weights: [Float32Array.of(NaN, 1)] })],
    ["computeGradients truncate", () => m.computeGradients(data, { truncate: -1 })],
    ["gradientFlow options null", () => m.gradientFlow(data, null as any)],
    ["Model after dispose", () => goneM.predict([f(4)])],
    ["Model.toONNX after dispose", () => goneM.toONNX()],
    ["Model.toONNX odegru", () => new R.Model({ cell: "odegru", inputSize: 1, hiddenSize: 2, outputSize: 1 }).toONNX()],
    // Model: training
    ["trainBatch optimizer", () => m.trainBatch(data, {} as any)],
    ["trainBatch options null", () => m.trainBatch(data, adam, null as any)],
    ["trainBatch clipnorm typo", () => m.trainBatch(data, adam, { clipnorm: 1e-9 } as any)],
    ["trainBatch clipNorm 0", () => m.trainBatch(data, adam, { clipNorm: 0 })],
    // optimizers
    ["Adam options null", () => new R.Adam(null as any)],
    ["Adam lr 0", () => new R.Adam({ learningRate: 0 })],
    ["Adam beta1 1", () => new R.Adam({ beta1: 1 })],
    ["Adam typo", () => new R.Adam({ lr: 0.1 } as any)],
    ["Adam.step {}", () => adam.step({} as any)],
    ["Adam.step null", () => adam.step(null as any)],
    ["Adam.step disposed", () => adam.step(gone)],
    ["Adam learningRate NaN", () => {
      adam.learningRate = NaN;
    }],
    ["SGD nesterov", () => new R.SGD({ nesterov: true })],
    ["SGD momentum -1", () => new R.SGD({ momentum: -1 })],
    ["clipGradNorm {}", () => R.clipGradNorm({} as any, 1)],
    ["clipGradNorm maxNorm", () => R.clipGradNorm(rnn, -1)],
    // diagnostics and linear algebra
    ["jacobianProducts {}", () => R.jacobianProducts(rnn, f(6), {} as any)],
    ["jacobianProducts layer", () => R.jacobianProducts({} as any, f(6), { steps: 3 })],
    ["jacobianProducts layer 2", () => R.jacobianProducts(lstm, f(6), { steps: 3, layer: 2 })],
    ["jacobianProducts c0 on RNN", () => R.jacobianProducts(rnn, f(6), { steps: 3, c0: f(3) })],
    ["jacobianProducts x NaN", () => R.jacobianProducts(rnn, nan, { steps: 3 })],
    ["weightSpectrum options", () => R.weightSpectrum(rnn, { topk: 1 } as any)],
    ["singularValues rows", () => R.singularValues(f(4), 0, 4)],
    ["singularValues size", () => R.singularValues(f(3), 2, 2)],
    ["singularValues topK", () => R.singularValues(f(4), 2, 2, { topK: 3 })],
    ["eigenvalues NaN", () => R.eigenvalues(Float32Array.of(1, NaN, 0, 1), 2)],
    ["spectralRadius n", () => R.spectralRadius(f(4), 3)],
    ["orthogonal rows", () => R.orthogonal(0, 3)],
    ["orthogonal gain", () => R.orthogonal(3, 3, { gain: Infinity })],
    ["subset idx", () => R.subset(data, [5])],
    ["subset data", () => R.subset(null as any, [0])],
    // safetensors and model files
    ["read not bytes", () => R.safetensors.read("abc" as any)],
    ["read short", () => R.safetensors.read(new Uint8Array(3))],
    ["read bad dtype",
      () => R.safetensors.read(st({ t: { dtype: "toString", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)))],
    ["write shape", () => R.safetensors.write({ a: { dtype: "F32", shape: [-1, -2], data: f(2) } })],
    ["write F16 data", () => R.safetensors.write({ a: { dtype: "F16", shape: [1], data: ["x"] as any } })],
    ["load not bytes", () => R.Model.load(null as any)],
    ["load no config", () => R.Model.load(R.safetensors.write({}))],
    ["load bad config JSON", () => R.Model.load(R.safetensors.write({}, { format: "recurrent-wasm", config: "{" }))],
    ["load bad config",
      () =>
        R.Model.load(
          R.safetensors.write({}, { format: "recurrent-wasm",
            config: JSON.stringify({ inputSize: 0, hiddenSize: 3 }) }),
        )],
    ["load missing tensor",
      () =>
        R.Model.load(
          R.safetensors.write({}, { format: "recurrent-wasm",
            config: JSON.stringify({ inputSize: 2, hiddenSize: 3, outputSize: 1 }) }),
        )],
    ["save metadata", () => m.save({ a: 1 } as any)],
    ["save metadata null", () => m.save(null as any)],
    // Neural ODE
    ["NeuralODE options missing", () => new (R.NeuralODE as any)()],
    ["NeuralODE stateSize 0", () => new R.NeuralODE({ stateSize: 0, method: "rk4" })],
    ["NeuralODE hidden", () => new R.NeuralODE({ stateSize: 2, hidden: [4, 0], method: "rk4" })],
    ["NeuralODE method", () => new R.NeuralODE({ stateSize: 2, method: "rk45" as any })],
    ["NeuralODE adjointNorm",
      () => new R.NeuralODE({ stateSize: 2, gradient: "adjoint", adjointNorm: "semi" as never })],
    ["NeuralODE.steps adjoint", () => {
      const o = new R.NeuralODE({ stateSize: 1, hidden: [], gradient: "adjoint" });
      try {
        o.forward(Float32Array.of(1), Float64Array.of(0, 1), { batch: 1 });
        o.steps(0);
      } finally {
        o.dispose();
      }
    }],
    ["NeuralODE rtol 0", () => new R.NeuralODE({ stateSize: 2, rtol: 0 })],
    ["NeuralODE stiff past maxSteps", () => {
      const o = new R.NeuralODE({ stateSize: 1, hidden: [], maxSteps: 50 });
      o.loadStateDict({ "net.0.weight": Float32Array.of(-1e6), "net.0.bias": Float32Array.of(0) });
      try {
        return o.forward(Float32Array.of(1), Float64Array.of(0, 1), { batch: 1 });
      } finally {
        o.dispose();
      }
    }],
    ["NeuralODE typo", () => new R.NeuralODE({ stateSize: 2, method: "rk4", substep: 2 } as any)],
    ["ode.forward h0 size", () => ode.forward(f(3), Float64Array.of(0, 1), { batch: 2 })],
    ["ode.forward times type", () => ode.forward(f(4), [0, 1] as any, { batch: 2 })],
    ["ode.forward times not monotonic", () => ode.forward(f(4), Float64Array.of(0, 1, 1), { batch: 2, steps: 3 })],
    ["ode.forward times NaN", () => ode.forward(f(4), Float64Array.of(0, NaN), { batch: 2 })],
    ["ode.forward times length", () => ode.forward(f(4), Float64Array.of(0, 1, 2), { batch: 2, steps: 2 })],
    ["ode.forward batch", () => ode.forward(f(4), Float64Array.of(0, 1), { batch: 0 })],
    ["ode.backward before forward", () => freshOde.backward({ states: f(4) })],
    ["ode.backward size", () => {
      ode.forward(f(4), Float64Array.of(0, 1), { batch: 2 });
      return ode.backward({ states: f(3) });
    }],
    ["ode.backward typo", () => ode.backward({ state: f(8) } as any)],
    ["ode.steps on rk4", () => ode.steps(0)],
    ["ode.steps row", () => {
      const o = new R.NeuralODE({ stateSize: 2, hidden: [2] });
      try {
        o.forward(f(4), Float64Array.of(0, 1), { batch: 2 });
        return o.steps(2);
      } finally {
        o.dispose();
      }
    }],
    // streaming and generation
    ["stream bidirectional", () => {
      const l = new R.LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true });
      try {
        return l.stream();
      } finally {
        l.dispose();
      }
    }],
    ["stream.step x size", () => {
      const l = new R.GRU({ inputSize: 2, hiddenSize: 3 }), s = l.stream({ batch: 2 });
      try {
        return s.step(f(3));
      } finally {
        s.dispose();
        l.dispose();
      }
    }],
    ["stream.step out size", () => {
      const l = new R.GRU({ inputSize: 2, hiddenSize: 3 }), s = l.stream();
      try {
        return s.step(f(2), { out: { hN: f(2) } });
      } finally {
        s.dispose();
        l.dispose();
      }
    }],
    ["Model.stream timeGap", () => {
      const g = new R.Model({ inputSize: 2, hiddenSize: 3, outputSize: 1, timeGap: true });
      try {
        return g.stream();
      } finally {
        g.dispose();
      }
    }],
    ["trainBatch state size", () => m.trainBatch(data, adam, { state: { h: f(1) } })],
    ["generate on mse", () => m.generate({ prime: [0], length: 3 })],
    ["generate prime token", () => {
      const g = new R.Model({ inputSize: 3, hiddenSize: 2, outputSize: 3, loss: "crossentropy", readout: "sequence" });
      try {
        return g.generate({ prime: [3], length: 3 });
      } finally {
        g.dispose();
      }
    }],
    ["generate topP 0", () => {
      const g = new R.Model({ inputSize: 3, hiddenSize: 2, outputSize: 3, loss: "crossentropy", readout: "sequence" });
      try {
        return g.generate({ prime: [0], length: 3, topP: 0 });
      } finally {
        g.dispose();
      }
    }],
    // hidden Markov models
    ["CategoricalHMM nComponents 0", () => new R.CategoricalHMM({ nComponents: 0, nFeatures: 2 })],
    ["CategoricalHMM transmat row",
      () =>
        new R.CategoricalHMM({ nComponents: 2, nFeatures: 2 }).setParams({
          transmat: Float64Array.of(0.5, 0.6, 0.5, 0.5),
        })],
    ["CategoricalHMM.score X symbol", () => {
      const h = new R.CategoricalHMM({ nComponents: 1, nFeatures: 2 });
      h.setParams({ startprob: Float64Array.of(1), transmat: Float64Array.of(1),
        emissionprob: Float64Array.of(0.5, 0.5) });
      try {
        return h.score(Int32Array.of(0, 2));
      } finally {
        h.dispose();
      }
    }],
    ["CategoricalHMM.fit lengths",
      () => new R.CategoricalHMM({ nComponents: 2, nFeatures: 2 }).fit(Int32Array.of(0, 1, 1), Int32Array.of(2))],
    ["CategoricalHMM.fitSupervised state",
      () =>
        new R.CategoricalHMM({ nComponents: 2, nFeatures: 2 }).fitSupervised(Int32Array.of(0, 1), Int32Array.of(0, 2))],
    ["CategoricalHMM.load kind", () => {
      const h = new R.GaussianHMM({ nComponents: 1, nFeatures: 1 });
      h.setParams({ startprob: Float64Array.of(1), transmat: Float64Array.of(1), means: Float64Array.of(0),
        covars: Float64Array.of(1) });
      try {
        return R.CategoricalHMM.load(h.save());
      } finally {
        h.dispose();
      }
    }],
    ["GaussianHMM covars",
      () => new R.GaussianHMM({ nComponents: 1, nFeatures: 2 }).setParams({ covars: Float64Array.of(1, 0) })],
    // neural state-space ODE
    ["NeuralStateSpace options missing", () => new (R.NeuralStateSpace as any)()],
    ["NeuralStateSpace inputSize 0", () => new R.NeuralStateSpace({ inputSize: 0, stateSize: 2, outputSize: 1 })],
    ["NeuralStateSpace method dopri5",
      () => new R.NeuralStateSpace({ inputSize: 1, stateSize: 2, outputSize: 1, method: "dopri5" as any })],
    ["NeuralStateSpace sampleTime 0",
      () => new R.NeuralStateSpace({ inputSize: 1, stateSize: 2, outputSize: 1, sampleTime: 0 })],
    ["NeuralStateSpace typo",
      () => new R.NeuralStateSpace({ inputSize: 1, stateSize: 2, outputSize: 1, Ts: 1 } as any)],
    ["ss.simulate u type", () => ss.simulate([1, 2] as any, { batch: 1 })],
    ["ss.simulate u channels", () => ss.simulate(f(5), { batch: 1 })],
    ["ss.simulate u NaN", () => ss.simulate(Float32Array.of(0, 1, NaN, 2), { batch: 1 })],
    ["ss.simulate x0 size", () => ss.simulate(f(8), { batch: 2, x0: f(5) })],
    ["ss.simulate options typo", () => ss.simulate(f(4), { batch: 1, h0: f(3) } as any)],
    ["ss.backward before simulate", () => freshSs.backward({ outputs: f(2) })],
    ["ss.backward size", () => {
      ss.simulate(f(8), { batch: 2 });
      return ss.backward({ outputs: f(3) });
    }],
    ["ss.simulate blows up", () => {
      const o = new R.NeuralStateSpace({ inputSize: 1, stateSize: 1, outputSize: 1, hidden: [], method: "euler" });
      o.loadStateDict({ "f.net.0.weight": Float32Array.of(1e30, 0), "f.net.0.bias": Float32Array.of(1),
        "output.weight": Float32Array.of(1), "output.bias": Float32Array.of(0) });
      try {
        return o.simulate(f(3), { batch: 1 });
      } finally {
        o.dispose();
      }
    }],
    ["NeuralStateSpace.load format", () => R.NeuralStateSpace.load(m.save())],
    ["NeuralStateSpace.load settings", () => {
      const file = R.safetensors.read(ss.save());
      const config = JSON.stringify({ ...JSON.parse(file.metadata.config), stateSize: 0 });
      return R.NeuralStateSpace.load(R.safetensors.write(file.tensors, { ...file.metadata, config }));
    }],
    // the discrete-time simulator
    ["Simulator init bogus", () => new R.Simulator({ inputs: 1, outputs: 1, init: "bogus" as any })],
    ["Simulator init encoder, window 0", () => new R.Simulator({ inputs: 1, outputs: 1, init: "encoder" })],
    ["Simulator outputs 0", () => new R.Simulator({ inputs: 1, outputs: 0 })],
    ["Simulator head typo", () => new R.Simulator({ inputs: 1, outputs: 1, head: { hiden: [4] } as any })],
    ["sim.simulate u NaN", () => sim.simulate(Float32Array.of(0, 1, 0, 1, NaN, 1, 0, 1), { y: f(4) })],
    ["sim.simulate u channels", () => sim.simulate(f(7), { y: f(4) })],
    ["sim.simulate u Float64Array", () => sim.simulate(new Float64Array(8) as any, { y: f(4) })],
    ["sim.simulate window as long as u", () => sim.simulate(f(4), { y: f(2) })],
    ["sim.simulate y mismatched", () => sim.simulate(f(8), { y: f(3) })],
    ["sim.simulate y Infinity", () => sim.simulate(f(8), { y: Float32Array.of(0, Infinity, 0, 0) })],
    ["sim.computeGradients start", () => sim.computeGradients({ u: f(16), y: f(8) }, { starts: [5], steps: 2 })],
    // random numbers
    ["Rng seed", () => new R.Rng("x" as any)],
  ];
}
