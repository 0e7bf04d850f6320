// A character-level text generator: learn the next character of a short text, then write more of it.
// node examples/everyday/chars.mjs [--epochs N] [--length N] [--hidden N] (after npm run build).
// The Keras version, line for line:
//
//   vocab = sorted(set(text)); ids = {c: i for i, c in enumerate(vocab)}
//   model = keras.Sequential([keras.Input((None,), dtype="int32"), layers.Embedding(len(vocab), 16),
//       layers.GRU(96, return_sequences=True), layers.Dropout(0.2), layers.GRU(96, return_sequences=True),
//       layers.Dense(len(vocab))])          # Dense on every step: TimeDistributed(Dense) in older Keras
//   model.compile(optimizer=keras.optimizers.Adam(0.005),
//       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
//   model.fit(x, y, epochs=30, batch_size=16, verbose=1)
//   # sampling: a loop feeding each drawn character back (keras_nlp samplers, or by hand)
import { init, Model, Vocabulary } from "../../dist/index.js";
import { numberArg } from "../args.mjs";

const epochs = numberArg("epochs", 30), length = numberArg("length", 200), hidden = numberArg("hidden", 96);
await init();

// the training text (written for this example; the repository's licence)
const text = `The river runs past the mill and the mill turns the wheel. The wheel turns the stone and the stone
grinds the grain. The miller sings to the river and the river sings back to the miller. In the morning the
miller opens the door and the light runs in over the floor. In the evening the miller shuts the door and
the river runs on in the dark. The grain comes in on carts and the flour goes out in sacks. The children
of the village run to the mill to hear the wheel and to see the white dust in the air. The old stone is
slow and the new stone is fast, but the river is the same river, and the wheel turns the same way. When
the rain comes the river is high and the wheel runs fast; when the sun is hot the river is low and the
wheel runs slow. The miller knows the river as a friend and the river knows the miller.
`;

const vocab = Vocabulary.fromText(text); // one id per distinct character
const ids = vocab.encode(text); // Int32Array
// chunks of 41 characters every 8: the input is the first 40, the target the same shifted by one
const x = [], y = [];
for (let i = 0; i + 41 <= ids.length; i += 8) {
  x.push(ids.slice(i, i + 40));
  y.push(ids.slice(i + 1, i + 41));
}

const model = new Model({
  vocabSize: vocab.size, // keras.Input((None,), dtype="int32"): ids in 0..vocab.size-1
  embeddingSize: 16, // Embedding(len(vocab), 16)
  cell: "gru", // GRU(hidden, return_sequences=True), twice:
  hiddenSize: hidden,
  numLayers: 2,
  dropout: 0.2, // Dropout(0.2) between the two GRUs (torch.nn.GRU(dropout=0.2))
  readout: "sequence", // return_sequences=True on the last GRU + Dense at every step
  outputSize: vocab.size, // Dense(len(vocab)): the next character's logits
  loss: "crossentropy", // SparseCategoricalCrossentropy(from_logits=True)
  init: "keras", // Keras' initializers: glorot, orthogonal, zero biases (LSTM: forget bias 1)
  seed: 3,
});
// epochs=30, batch_size=16, Adam(0.005), verbose=1 (a line per epoch: loss, accuracy, time)
await model.fit({ x, y }, { epochs, batchSize: 16, learningRate: 0.005, verbose: true });

// generate: feed "The ", then each drawn character back in; decode the ids to text
const out = model.generate({ prime: vocab.encode("The "), length, temperature: 0.6, seed: 1 });
console.log(`chars: ${out.length} characters from a vocabulary of ${vocab.size}: ${JSON.stringify(vocab.decode(out))}`);
