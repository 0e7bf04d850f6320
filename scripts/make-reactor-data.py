#!/usr/bin/env python3
"""The reactor data: a continuous stirred-tank reactor (CSTR) burning methane in air, simulated
by Cantera with the GRI-Mech 3.0 mechanism (gri30.yaml, 53 species, 325 reactions), whose feed
changes step-wise at random times.

    python3 scripts/make-reactor-data.py            # writes data/reactor-cstr.csv and .json

The reactor: an adiabatic, constant-volume ideal-gas reactor at 1 atm (a pressure controller lets
the products out), fed by a mass-flow controller with mdot = m / tau, so tau is the residence
time. Inputs (held constant between changes, zero-order hold):
    phi    equivalence ratio of the CH4 / air feed (air: O2 + 3.76 N2)
    tau_ms residence time, milliseconds
    T_in_K feed temperature, kelvin
Outputs, sampled every TS seconds (the state at the end of each interval): the reactor's
temperature T_K and the mole fractions X_CO2, X_CO, X_H2O.

Each schedule starts cold (the reactor full of unburnt feed) and draws segments of 40-150 samples
from three regimes: "ignite" (hot feed, long residence: the mixture ignites), "hold" (where a
burning reactor keeps burning and a cold one stays cold: the hysteresis of the S-curve) and
"quench" (cold feed, short residence: the flame blows out). A schedule is kept only if the
reactor both ignites and blows out in it at least twice; the draws come from one seeded
generator, so the output depends only on SEED and Cantera's version.

Also measured: Cantera's wall and CPU time per simulated sample (ReactorNet.advance only; every draw,
the rejected ones included), written to the
JSON beside the CSV with the script's SHA-256 (test/unit/reactor-data.test.ts checks both).
"""
import hashlib
import json
import os
import sys
import time

import cantera as ct
import numpy as np

SEED = 20240531
TS = 2e-4  # seconds between samples
STEPS = 1000  # samples per schedule
SCHEDULES = [("train", 8), ("test", 3), ("train", 13)]  # the last 13 appended: schedules 0-10 stay as drawn first
MECH = "gri30.yaml"
REGIMES = {
    # name: (weight, phi range, log10 tau_ms range, T_in range)
    "ignite": (0.3, (0.8, 1.2), (0.5, 1.5), (1350.0, 1500.0)),
    "hold": (0.45, (0.6, 1.3), (-0.5, 1.3), (600.0, 1150.0)),
    "quench": (0.25, (0.7, 1.3), (-1.7, -1.2), (500.0, 800.0)),
}
HOT = 1800.0  # K: burning above, cold below T_in + 300

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_CSV = os.path.join(ROOT, "data", "reactor-cstr.csv")
OUT_JSON = os.path.join(ROOT, "data", "reactor-cstr.json")


def draw_schedule(rng):
    """Segments (length, phi, tau_ms, T_in, regime) totalling STEPS samples; the first is "hold"."""
    names = list(REGIMES)
    weights = np.array([REGIMES[n][0] for n in names])
    segs, n, first = [], 0, True
    while n < STEPS:
        name = "hold" if first else names[rng.choice(len(names), p=weights / weights.sum())]
        first = False
        _, ph, lt, ti = REGIMES[name]
        length = min(int(rng.integers(40, 151)), STEPS - n)
        segs.append((length, float(rng.uniform(*ph)), float(10 ** rng.uniform(*lt)), float(rng.uniform(*ti)), name))
        n += length
    return segs


class Cstr:
    def __init__(self):
        self.feed = ct.Solution(MECH)
        self.inlet = ct.Reservoir(self.feed, clone=False)
        self.exhaust = ct.Reservoir(ct.Solution(MECH), clone=True)
        self.gas = ct.Solution(MECH)
        self.tau = 1e-3

    def start(self, phi, tau_ms, T_in):
        self.set_feed(phi, T_in)
        self.inlet.syncState()
        self.gas.TPX = T_in, ct.one_atm, self.feed.X
        self.reactor = ct.IdealGasReactor(self.gas, clone=True)
        self.reactor.volume = 1e-4
        r = self.reactor
        self.mfc = ct.MassFlowController(self.inlet, r, mdot=lambda t: r.mass / self.tau)
        self.pc = ct.PressureController(r, self.exhaust, primary=self.mfc, K=1e-5)
        self.net = ct.ReactorNet([r])
        self.tau = tau_ms * 1e-3

    def set_feed(self, phi, T_in):
        self.feed.set_equivalence_ratio(phi, "CH4", "O2:1.0, N2:3.76")
        self.feed.TP = T_in, ct.one_atm

    def change(self, phi, tau_ms, T_in):
        self.set_feed(phi, T_in)
        self.inlet.syncState()
        self.tau = tau_ms * 1e-3
        self.net.reinitialize()  # the feed jumps: restart the integrator at the discontinuity

    def sample(self):
        p = self.reactor.phase
        return (p.T, p["CO2"].X[0], p["CO"].X[0], p["H2O"].X[0])


def simulate(segs):
    """Rows (phi, tau_ms, T_in, T, X_CO2, X_CO, X_H2O) per sample, and the wall and CPU seconds spent
    advancing."""
    cstr, rows, wall, cpu = Cstr(), [], 0.0, 0.0
    for k, (length, phi, tau_ms, T_in, _) in enumerate(segs):
        if k == 0:
            cstr.start(phi, tau_ms, T_in)
        else:
            cstr.change(phi, tau_ms, T_in)
        for _ in range(length):
            t0, c0 = time.perf_counter(), time.process_time()
            cstr.net.advance(cstr.net.time + TS)
            wall, cpu = wall + time.perf_counter() - t0, cpu + time.process_time() - c0
            rows.append((phi, tau_ms, T_in) + cstr.sample())
    return rows, wall, cpu


def events(rows):
    """Ignitions (cold to burning) and extinctions (burning to cold) along the temperature."""
    ign = ext = 0
    burning = False
    for phi, tau, T_in, T, *_ in rows:
        if not burning and T > HOT:
            burning, ign = True, ign + 1
        elif burning and T < T_in + 300:
            burning, ext = False, ext + 1
    return ign, ext


def main():
    rng = np.random.default_rng(SEED)
    out, wall, cpu, steps, meta = [], 0.0, 0.0, 0, []
    index = 0
    for split, count in SCHEDULES:
        for _ in range(count):
            for attempt in range(100):
                segs = draw_schedule(rng)
                rows, w, c = simulate(segs)
                wall, cpu, steps = wall + w, cpu + c, steps + len(rows)
                ign, ext = events(rows)
                if ign >= 2 and ext >= 2:
                    break
            else:
                sys.exit(f"no schedule with two ignitions and two extinctions in 100 draws (schedule {index})")
            meta.append({"schedule": index, "split": split, "segments": len(segs), "ignitions": ign,
                         "extinctions": ext, "draws": attempt + 1})
            for k, r in enumerate(rows):
                out.append((split, index, k) + r)
            print(f"schedule {index} ({split}): {len(segs)} segments, {ign} ignitions, {ext} extinctions, "
                  f"draw {attempt + 1}", flush=True)
            index += 1
    with open(OUT_CSV, "w") as fh:
        fh.write("split,schedule,step,phi,tau_ms,T_in_K,T_K,X_CO2,X_CO,X_H2O\n")
        for split, s, k, phi, tau, T_in, T, co2, co, h2o in out:
            fh.write(f"{split},{s},{k},{phi:.4f},{tau:.5g},{T_in:.2f},{T:.3f},{co2:.5e},{co:.5e},{h2o:.5e}\n")
    with open(os.path.abspath(__file__), "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    info = {
        "script": "scripts/make-reactor-data.py",
        "scriptSha256": digest,
        "seed": SEED,
        "cantera": ct.__version__,
        "mechanism": MECH,
        "sampleTime": TS,
        "stepsPerSchedule": STEPS,
        "inputs": ["phi", "tau_ms", "T_in_K"],
        "outputs": ["T_K", "X_CO2", "X_CO", "X_H2O"],
        "schedules": meta,
        "canteraSimulatedSamples": steps,
        "canteraSecondsPerSample": wall / steps,
        "canteraCpuSecondsPerSample": cpu / steps,
        "machine": f"{os.cpu_count()} cores, {sys.platform}",
    }
    with open(OUT_JSON, "w") as fh:
        json.dump(info, fh, indent=2)
        fh.write("\n")
    print(f"wrote {OUT_CSV} ({os.path.getsize(OUT_CSV)} bytes, {len(out)} rows); "
          f"Cantera {wall / steps * 1e3:.3f} ms per sample (CPU {cpu / steps * 1e3:.3f} ms) over {steps} samples")


if __name__ == "__main__":
    main()
