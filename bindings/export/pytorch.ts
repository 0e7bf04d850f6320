// A Model as PyTorch code and weights: model.py (a torch.nn.Module written from the model's config,
// its loss, and load()/save() of model files; export/pytorch-source.ts) beside the model file
// itself, whose tensors are the module's state_dict by name.
import { MODEL_CELLS } from "../nn/model/cells.js";
import { savedConfig } from "../nn/model/config.js";
import type { ModelSettings } from "../nn/model/config.js";
import { PYTORCH_SOURCE } from "./pytorch-source.js";

/** What Model.toPyTorch() returns: the files of a directory a Python program imports. */
export interface PyTorchExport {
  /** A self-contained torch.nn.Module (torch >= 1.13; load() and save() need safetensors). */
  "model.py": string;
  /** The model file (Model.save's bytes): model.load("model.safetensors") reads it. */
  "model.safetensors": Uint8Array;
}

/** Throws unless a model of these settings has a PyTorch export: the recurrent stacks (cells rnn,
 *  lstm, gru). */
export function checkPyTorchExport(where: string, cfg: ModelSettings): void {
  if (MODEL_CELLS[cfg.cell].core !== "stack") {
    throw new TypeError(
      `${where}: cell ${
        JSON.stringify(cfg.cell)
      } (the ODE-RNN) has no PyTorch export: its adaptive ODE solver is not written for PyTorch; cells rnn, lstm and gru export`,
    );
  }
}

/** model.py for a model of these settings: the module's source with the config's JSON text (as
 *  the model file stores it) as a Python string literal. */
export function pytorchSource(cfg: ModelSettings): string {
  if (!PYTORCH_SOURCE) {
    throw new Error("Model.toPyTorch: this build (the trainer Worker's) has no PyTorch export; call it on a Model");
  }
  // JSON's string escapes are Python's too
  return PYTORCH_SOURCE.replace("__CONFIG_JSON__", () => JSON.stringify(JSON.stringify(savedConfig(cfg))));
}
