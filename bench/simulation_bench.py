"""Simulation benchmark: staffcast's simulator against a plain SimPy model and Ciw, same run.

Scenario (issue 4): one queue, 12 agents, Poisson arrivals 4.2 per minute, exponential handle time
with mean 2 minutes, an 8-hour day, AWT 20 s, DAYS independent days (replications); then the same
with exponential patience of mean 1 minute. After 8 hours arrivals stop and the system empties.

Runners (all in this process, one core, one after the other):
- staffcast fast path: ``simulate(..., engine="fast")``, the earliest-free-agent recursion;
- staffcast SimPy model: ``simulate(..., engine="simpy")``, its SimPy event model;
- plain SimPy: a textbook SimPy process model written below (a process per customer, a Resource
  for the agents, ``request | timeout(patience)`` for abandonment);
- Ciw: ``ciw.Simulation`` with arrivals that stop after 8 hours and reneging for patience.

Printed per runner: service level (answered within 20 s / offered, with its 95% Student-t interval
over days, ratio-of-means estimator), ASA (mean wait of answered contacts, s), abandon rate, contacts
simulated per second (offered contacts / wall time) and the speed ratios. The analytic Erlang C / A
values of the staffcast core are printed for reference (steady state; a simulated day starts
empty and ends with the system draining, so it need not match the steady state exactly).

Run: ``.venv/bin/python bench/simulation_bench.py [--days 200]``.
"""
from __future__ import annotations

import argparse
import math
import random
import time

import numpy as np
from scipy import stats

AGENTS = 12
RATE_PER_S = 4.2 / 60
AHT_S = 120.0
HORIZON_S = 8 * 3600.0
AWT_S = 20.0


def ratio_ci(y, x):
    """Ratio of means over days and its 95% Student-t half-width (residuals y - R x)."""
    y, x = np.asarray(y, float), np.asarray(x, float)
    r = y.mean() / x.mean()
    half = stats.t.ppf(0.975, y.size - 1) * (y - r * x).std(ddof=1) / (math.sqrt(y.size) * x.mean())
    return r, half


# ------------------------------------------------------------------------------- plain SimPy model
def plain_simpy_day(seed: int, patience_s: float | None):
    """One day as a plain SimPy process model; returns per-day sums."""
    import simpy

    rnd = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    sums = {"offered": 0, "served": 0, "in_awt": 0, "wait_served": 0.0, "abandoned": 0}

    def customer():
        arrived = env.now
        sums["offered"] += 1
        with agents.request() as req:
            if patience_s is None:
                yield req
            else:
                outcome = yield req | env.timeout(rnd.expovariate(1.0 / patience_s))
                if req not in outcome:
                    sums["abandoned"] += 1
                    return
            wait = env.now - arrived
            sums["served"] += 1
            sums["wait_served"] += wait
            sums["in_awt"] += wait <= AWT_S
            yield env.timeout(rnd.expovariate(1.0 / AHT_S))

    def source():
        while True:
            gap = rnd.expovariate(RATE_PER_S)
            if env.now + gap >= HORIZON_S:
                return
            yield env.timeout(gap)
            env.process(customer())

    env.process(source())
    env.run()
    return sums


def run_plain_simpy(days: int, patience_s):
    return [plain_simpy_day(10_000 + d, patience_s) for d in range(days)]


# ------------------------------------------------------------------------------------------ Ciw
def run_ciw(days: int, patience_s):
    import ciw

    class ArrivalsUntilHorizon(ciw.dists.Distribution):
        """Exponential inter-arrival times; no arrival at or after the horizon."""

        def sample(self, t=None, ind=None):
            gap = random.expovariate(RATE_PER_S)
            return gap if t + gap < HORIZON_S else float("inf")

    out = []
    for d in range(days):
        ciw.seed(20_000 + d)
        network = ciw.create_network(
            arrival_distributions=[ArrivalsUntilHorizon()],
            service_distributions=[ciw.dists.Exponential(1.0 / AHT_S)],
            number_of_servers=[AGENTS],
            reneging_time_distributions=(
                None if patience_s is None else [ciw.dists.Exponential(1.0 / patience_s)]),
        )
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(HORIZON_S + 6 * 3600.0)  # long enough to empty the system
        served = [r for r in sim.get_all_records() if r.record_type == "service"]
        reneged = [r for r in sim.get_all_records() if r.record_type == "renege"]
        waits = np.array([r.waiting_time for r in served])
        out.append({"offered": len(served) + len(reneged), "served": len(served),
                    "in_awt": int((waits <= AWT_S).sum()), "wait_served": float(waits.sum()),
                    "abandoned": len(reneged)})
    return out


# ------------------------------------------------------------------------------------- staffcast
def run_staffcast(days: int, patience_s, engine: str, executor="serial"):
    from core import QueueModel, Targets
    from simulation import RunSettings, simulate

    res = simulate([RATE_PER_S * 3600] * 16, [AGENTS] * 16, 1800, QueueModel(aht_s=AHT_S, patience_s=patience_s),
                   targets=Targets(awt_s=AWT_S),
                   settings=RunSettings(replications=days, seed=1, executor=executor, engine=engine))
    pr = res.per_replication
    return [{"offered": pr["offered"][d].sum(), "served": pr["served"][d].sum(),
             "in_awt": pr["answered_in_awt"][d].sum(), "wait_served": pr["wait_sum_served"][d].sum(),
             "abandoned": pr["abandoned"][d].sum()} for d in range(days)]


def summarise(per_day, seconds):
    get = {k: np.array([d[k] for d in per_day], float) for k in per_day[0]}
    sl = ratio_ci(get["in_awt"], get["offered"])
    asa = ratio_ci(get["wait_served"], get["served"])
    ab = ratio_ci(get["abandoned"], get["offered"])
    offered = get["offered"].sum()
    return {"sl": sl, "asa": asa, "ab": ab, "contacts": offered, "seconds": seconds,
            "rate": offered / seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--skip-ciw", action="store_true")
    args = parser.parse_args()
    days = args.days
    from simulation import erlang_a_metrics, erlang_c_metrics

    print(f"M/M/{AGENTS}, {RATE_PER_S * 60:.1f} arrivals/min, AHT {AHT_S / 60:.0f} min, "
          f"{HORIZON_S / 3600:.0f} h day, AWT {AWT_S:.0f} s, {days} days per runner; "
          "SL = answered within AWT / offered; +- = 95% Student-t half-width over days")
    for patience_s in (None, 60.0):
        volume = RATE_PER_S * 3600
        if patience_s is None:
            ref = erlang_c_metrics(AGENTS, volume, 3600, AHT_S, awt_s=AWT_S)
            title = "no abandonment (Erlang C)"
        else:
            ref = erlang_a_metrics(AGENTS, volume, 3600, AHT_S, patience_s, awt_s=AWT_S)
            title = f"exponential patience, mean {patience_s:.0f} s (Erlang A)"
        print(f"\n== {title}: steady-state SL {float(ref.service_level):.4f}, "
              f"ASA {float(ref.asa_s):.2f} s, abandon {float(ref.abandon_rate):.4f}")
        runners = [
            ("staffcast fast path", lambda: run_staffcast(days, patience_s, "fast")),
            ("staffcast SimPy model", lambda: run_staffcast(days, patience_s, "simpy")),
            ("plain SimPy model", lambda: run_plain_simpy(days, patience_s)),
        ]
        if not args.skip_ciw:
            runners.append(("Ciw", lambda: run_ciw(days, patience_s)))
        rows = {}
        for name, fn in runners:
            t0 = time.perf_counter()
            per_day = fn()
            rows[name] = summarise(per_day, time.perf_counter() - t0)
        t0 = time.perf_counter()
        pool = run_staffcast(days, patience_s, "simpy", executor=None)
        rows["staffcast SimPy, process pool"] = summarise(pool, time.perf_counter() - t0)
        print(f"{'runner':32s} {'SL':>16s} {'ASA s':>14s} {'abandon':>16s} {'contacts':>9s} "
              f"{'wall s':>7s} {'contacts/s':>11s}")
        for name, r in rows.items():
            print(f"{name:32s} {r['sl'][0]:.4f} +-{r['sl'][1]:.4f} {r['asa'][0]:6.2f} +-{r['asa'][1]:5.2f} "
                  f"{r['ab'][0]:.4f} +-{r['ab'][1]:.4f} {r['contacts']:9.0f} {r['seconds']:7.2f} "
                  f"{r['rate']:11.0f}")
        base = rows["plain SimPy model"]["rate"]
        print("speed ratios (contacts/s, one core):")
        for name in ("staffcast fast path", "staffcast SimPy model"):
            line = f"  {name:24s} {rows[name]['rate'] / base:6.2f}x plain SimPy"
            if "Ciw" in rows:
                line += f", {rows[name]['rate'] / rows['Ciw']['rate']:6.2f}x Ciw"
            print(line)
        if "Ciw" in rows:
            print(f"  {'plain SimPy model':24s} {base / rows['Ciw']['rate']:6.2f}x Ciw")
        fast = rows["staffcast fast path"]
        print("agreement with the fast path (difference / combined standard error, |z| < 1.96 agrees):")
        t = stats.t.ppf(0.975, days - 1)
        for name, r in rows.items():
            if name == "staffcast fast path":
                continue
            zs = [(r[m][0] - fast[m][0]) / math.hypot(r[m][1] / t, fast[m][1] / t)
                  for m in ("sl", "asa", "ab") if fast[m][1] > 0 or r[m][1] > 0]
            print(f"  {name:32s} z(SL) {zs[0]:+.2f}  z(ASA) {zs[1]:+.2f}"
                  + (f"  z(abandon) {zs[2]:+.2f}" if len(zs) > 2 else ""))


if __name__ == "__main__":
    main()
