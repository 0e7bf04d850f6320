// Learning-rate schedules for fit(), stepped once per batch like a torch.optim.lr_scheduler stepped
// after every optimizer step (and, for "plateau", once per epoch on the validation loss, as
// ReduceLROnPlateau). Each gives the rate of step t (0-based) from the initial rate lr0.
import * as check from "../core/check.js";

/** lr0 throughout. */
export interface ConstantSchedule {
  /** "constant". */
  type: "constant";
}

/** StepLR: lr0 · gamma^⌊t / stepSize⌋. */
export interface StepSchedule {
  /** "step". */
  type: "step";
  /** Batch steps between decays. */
  stepSize: number;
  /** The factor of each decay (default 0.1). */
  gamma?: number;
}

/** ExponentialLR: lr0 · gamma^t. */
export interface ExponentialSchedule {
  /** "exponential". */
  type: "exponential";
  /** The factor per batch step. */
  gamma: number;
}

/** Linear warm-up from lr0 · warmupStart over warmupSteps (LinearLR), then cosine annealing to
 *  minLearningRate at totalSteps (CosineAnnealingLR with T_max = totalSteps − warmupSteps); the
 *  rate stays at minLearningRate after. */
export interface CosineSchedule {
  /** "cosine". */
  type: "cosine";
  /** Where the cosine reaches minLearningRate (default: every batch step of the fit). */
  totalSteps?: number;
  /** Batch steps of linear warm-up (default 0). */
  warmupSteps?: number;
  /** The first warm-up step's rate as a fraction of lr0 (default 1/3, LinearLR's). */
  warmupStart?: number;
  /** The rate at the end (default 0). */
  minLearningRate?: number;
}

/** ReduceLROnPlateau on the validation loss (mode "min", relative threshold): multiply the rate by
 *  factor when the loss has not improved by more than threshold·best for more than patience epochs. */
export interface PlateauSchedule {
  /** "plateau". */
  type: "plateau";
  /** The factor of each reduction (default 0.1). */
  factor?: number;
  /** Epochs without improvement before a reduction (default 10). */
  patience?: number;
  /** The relative improvement that counts (default 1e-4). */
  threshold?: number;
  /** The rate never goes below this (default 0). */
  minLearningRate?: number;
}

/** A learning-rate schedule (fit's `schedule`), stepped per batch (plateau: per epoch). */
export type Schedule = ConstantSchedule | StepSchedule | ExponentialSchedule | CosineSchedule | PlateauSchedule;

/** @internal A checked schedule: the rate of each batch step, and the epoch-end hook of "plateau". */
export interface ScheduleRun {
  /** The rate for step t (0-based; the rate the t-th optimizer step uses). */
  rate(t: number): number;
  /** After an epoch, with its validation loss (plateau only; the others ignore it). */
  epochEnd(valLoss: number | undefined): void;
}

/** @internal Check `schedule` for a fit of totalSteps batch steps; returns it bound to an initial
 *  rate (known once the optimizer is chosen). */
export function checkSchedule(where: string, s: unknown, totalSteps: number,
  hasValidation: boolean): (lr0: number) => ScheduleRun {
  const o = check.object(where, "schedule", s);
  const type = check.oneOf(where, "schedule.type", o.type,
    ["constant", "step", "exponential", "cosine", "plateau"] as const);
  const name = (k: string) => `schedule.${k}`;
  const num = (k: string, dflt: number, min: number, max = Infinity,
    open = false) => (o[k] === undefined ? dflt : check.num(where, name(k), o[k], min, max, open));
  const known = (names: string[]) => check.known(where, o, ["type", ...names], "schedule");
  switch (type) {
    case "constant":
      known([]);
      return (lr0) => ({ rate: () => lr0, epochEnd: () => {} });
    case "step": {
      known(["stepSize", "gamma"]);
      if (o.stepSize === undefined) {
        throw new TypeError(`${where}: schedule.stepSize is required (batch steps between decays, an integer >= 1)`);
      }
      const size = check.int(where, name("stepSize"), o.stepSize, 1), gamma = num("gamma", 0.1, 0, Infinity, true);
      return (lr0) => ({ rate: (t) => lr0 * gamma ** Math.floor(t / size), epochEnd: () => {} });
    }
    case "exponential": {
      known(["gamma"]);
      if (o.gamma === undefined) {
        throw new TypeError(`${where}: schedule.gamma is required (the factor per batch step, > 0)`);
      }
      const gamma = num("gamma", 1, 0, Infinity, true);
      return (lr0) => ({ rate: (t) => lr0 * gamma ** t, epochEnd: () => {} });
    }
    case "cosine": {
      known(["totalSteps", "warmupSteps", "warmupStart", "minLearningRate"]);
      const total = o.totalSteps === undefined ? totalSteps : check.int(where, name("totalSteps"), o.totalSteps, 1);
      const warm = o.warmupSteps === undefined ? 0 : check.int(where, name("warmupSteps"), o.warmupSteps, 0, total - 1);
      const start = num("warmupStart", 1 / 3, 0, 1, true), min = num("minLearningRate", 0, 0);
      return (lr0) => ({ rate: (t) => {
        if (t < warm) return lr0 * (start + (1 - start) * t / warm);
        const k = Math.min(t - warm, total - warm), T = total - warm;
        return min + (lr0 - min) * (1 + Math.cos(Math.PI * k / T)) / 2;
      }, epochEnd: () => {} });
    }
    case "plateau": {
      known(["factor", "patience", "threshold", "minLearningRate"]);
      if (!hasValidation) {
        throw new Error(
          `${where}: schedule "plateau" needs validationData or validationSplit (it watches the validation loss)`,
        );
      }
      const factor = num("factor", 0.1, 0, 1, true), threshold = num("threshold", 1e-4, 0),
        min = num("minLearningRate", 0, 0);
      if (factor >= 1) throw new RangeError(`${where}: schedule.factor must be < 1, got ${factor}`);
      const patience = o.patience === undefined ? 10 : check.int(where, name("patience"), o.patience, 0);
      return (lr0) => {
        let lr = lr0, best = Infinity, bad = 0;
        return { rate: () => lr,
          epochEnd: (v) => {
            if (v === undefined) return;
            if (v < best * (1 - threshold)) {
              best = v;
              bad = 0;
            } else bad++;
            if (bad > patience) {
              lr = Math.max(lr * factor, min);
              bad = 0;
            }
          } };
      };
    }
  }
}
