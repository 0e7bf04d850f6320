#!/usr/bin/env python3
"""Keras 3 models in the TF.js LayersModel layout, for what TF.js 4.22 cannot build: the GRU with
reset_after=True (Keras' default, bias [2, 3H]: the input and the recurrent biases). Writes
test/fixtures/keras/<case>/{model.json, weights.bin, expected.json} as scripts/make-keras-fixtures.mjs
does: modelTopology is Keras' own model.to_json(), the manifest names each weight by its Keras path,
the predictions are Keras' (float32).

    python3 -m pip install keras          # Keras 3; runs on the torch backend here
    KERAS_BACKEND=torch python3 scripts/make-keras3-fixtures.py
"""
import json, os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "keras")
B, T, I, H = 3, 5, 3, 4
rng = np.random.default_rng(7)


def write(name, model, logits=False):
    for w in model.weights:
        w.assign(rng.uniform(-0.6, 0.6, size=w.shape).astype("float32"))
    x = rng.uniform(-1, 1, size=(B, T, I)).astype("float32")
    y = np.asarray(model.predict(x, verbose=0), dtype="float32")
    out = {"shape": [B, T, I], "x": x.reshape(-1).tolist(), "lengths": [T] * B, "yShape": list(y.shape),
           "y": y.reshape(-1).tolist()}
    if logits:
        last = model.layers[-1]
        act = last.activation
        last.activation = keras.activations.linear
        out["logits"] = np.asarray(model.predict(x, verbose=0), dtype="float32").reshape(-1).tolist()
        last.activation = act
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    manifest = [{"paths": ["weights.bin"], "weights": [
        {"name": w.path, "shape": list(w.shape), "dtype": "float32"} for w in model.weights]}]
    with open(os.path.join(d, "model.json"), "w") as f:
        json.dump({"modelTopology": json.loads(model.to_json()), "format": "layers-model",
                   "generatedBy": f"keras {keras.__version__}", "convertedBy": "scripts/make-keras3-fixtures.py",
                   "weightsManifest": manifest}, f)
    with open(os.path.join(d, "weights.bin"), "wb") as f:
        for w in model.weights:
            f.write(np.asarray(w.numpy(), dtype="<f4").tobytes())
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(out, f)
    print(name, y.shape)


write("gru-reset-after", keras.Sequential([keras.Input(shape=(T, I)), keras.layers.GRU(H), keras.layers.Dense(2)]))

# the functional API, Keras 3's form of inbound_nodes: two bidirectional GRU layers, a softmax per step
inp = keras.Input(shape=(T, I))
h = keras.layers.Bidirectional(keras.layers.GRU(H, return_sequences=True))(inp)
h = keras.layers.Bidirectional(keras.layers.GRU(H, return_sequences=True))(h)
write("keras3-bidirectional-gru-sequence",
      keras.Model(inp, keras.layers.Dense(3, activation="softmax")(h)), logits=True)
