// The public Simulator: the free-run simulator of core.ts with its training (fit.ts) and its file
// (file.ts).
import { SimulatorCore } from "./core.js";
import type { SimulatorConfig } from "./core.js";
import { computeGradients, fitSimulator } from "./fit.js";
import type { SimulatorFitOptions, SimulatorHistory } from "./fit.js";
import { loadInto, readSimulator, saveSimulator } from "./file.js";
import type { IoRecord } from "./record.js";

/** A recurrent model of a dynamical system u -> y run in free-run simulation: it reads the input
 *  u_t and produces the output ŷ_t at every step, never seeing the measured y after the first
 *  `window` samples, which set its state (an encoder over [u, y], or a run over the window).
 *  Normalization of u and y (the training record's statistics) is inside: pass physical units. */
export class Simulator extends SimulatorCore {
  /** __metadata__ of the file this simulator was loaded from (empty for a new one). */
  metadata: Record<string, string> = {};

  constructor(config: SimulatorConfig) {
    super(config);
  }

  /** Train on one long record { u, y } (or several): subsequences of window + steps samples,
   *  overlapping, batched; the loss leaves the window out. The normalization is the first fit's
   *  training records' statistics (validation part excluded). Keeps the weights of the epoch with
   *  the best free-run validation RMSE. Every argument is checked before anything changes; an
   *  error or a diverging loss leaves the weights and normalization as they were. */
  fit(train: IoRecord | IoRecord[], options: SimulatorFitOptions = {}): Promise<SimulatorHistory> {
    return fitSimulator(this, train, options);
  }

  /** Zero the gradients, then run the loss of training and its backward pass over the
   *  subsequences of `record` that start at `starts` (window + steps samples each; the loss: the
   *  mean squared error of the normalized outputs over the steps after the window), leaving
   *  ∂loss/∂parameter in grads(). Returns the loss. The weights are not changed. */
  computeGradients(record: IoRecord, options: { starts: number[]; steps: number }): number {
    return computeGradients(this, record, options);
  }

  /** The simulator as one safetensors file: parameters, encoder, normalization and settings. */
  save(metadata: Record<string, string> = {}): Uint8Array {
    this.model.parameters.paramsAt("Simulator.save"); // throws after dispose()
    return saveSimulator(this, metadata);
  }

  /** Rebuild a simulator saved by save(); it simulates bit for bit as the saved one. */
  static load(bytes: Uint8Array): Simulator {
    const { config, tensors, metadata } = readSimulator(bytes);
    const sim = new Simulator(config);
    try {
      loadInto(sim, tensors);
    } catch (e) {
      sim.dispose();
      throw e;
    }
    sim.metadata = metadata;
    return sim;
  }
}
