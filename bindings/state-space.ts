// The public NeuralStateSpace: the model of nn/ode/ with the file of io/ (the top level is the one
// place that may join the layers).
import * as nn from "./nn/ode/state-space.js";
import type { NeuralStateSpaceOptions } from "./nn/ode/state-space.js";
import { loadStateSpace, saveStateSpace } from "./io/state-space-file.js";

/** A continuous-time neural state-space model dx/dt = f_θ(x, u), y = C x + d, the input held over
 *  each sample interval, with save() and NeuralStateSpace.load(). */
export class NeuralStateSpace extends nn.NeuralStateSpace {
  /** __metadata__ of the file this model was loaded from, but "format" and "config" (empty for a
   *  new model). */
  metadata: Record<string, string> = {};
  /** The model as safetensors bytes: every parameter (F32), the configuration in __metadata__
   *  ("format", "config") beside `metadata`'s strings. NeuralStateSpace.load reads it back bit for
   *  bit. */
  save(metadata: Record<string, string> = {}): Uint8Array {
    return saveStateSpace(this, metadata);
  }
  /** A model from save()'s bytes. */
  static load(bytes: Uint8Array): NeuralStateSpace {
    const { model, metadata } = loadStateSpace(bytes, (o: NeuralStateSpaceOptions) => new NeuralStateSpace(o));
    model.metadata = metadata;
    return model;
  }
}
