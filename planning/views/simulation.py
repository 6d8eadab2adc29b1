"""Simulation page: one queue's plan replayed by the simulator exactly as the pipeline does it,
the intervals it raised or found below target, per-contact waits of a day, and the queue-position
announcement ("k ahead -> about m minutes")."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ..config import InputError, PlanConfig, QueueConfig
from .common import local_naive, service_columns
from .jobs import Job, start_job

__all__ = ["simulate_queue", "start_simulation", "raised_intervals", "below_target_intervals", "wait_distribution",
           "announcement_table", "simulated_plan", "simulation_summary", "wait_summary", "announcement_intervals",
           "raised_table", "intervals_text", "busiest_label", "announcement_row", "announcement_lines",
           "SimulationVerdict", "simulation_verdict"]

MAX_REPLICATIONS = 100  # the most replications the dashboard's form offers

def simulate_queue(config: PlanConfig, req: pd.DataFrame, queue: str, *, days: int | None = 7,
                   replications: int | None = None, refine: bool | None = None,
                   on_block: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Simulate one queue's plan exactly as the pipeline does (same blocks, same seeds), calling
    ``on_block(done, total)`` after each block. Returns the pipeline's simulation table (metrics with
    ``_lo``/``_hi`` bounds, ``agents_plan``, ``agents_final``) plus ``agents_added``."""
    from ..pipeline import simulate_plan

    sim_over = {k: v for k, v in dict(replications=replications, refine=refine).items() if v is not None}
    cfg = config.with_overrides(simulation=sim_over) if sim_over else config
    out = simulate_plan(cfg, req, days=days, queues=[queue], workers=1, on_block=on_block)
    out["agents_added"] = out["agents_final"] - out["agents_plan"]
    return out


def start_simulation(key, config: PlanConfig, req: pd.DataFrame, queue: str, *, days: int, replications: int,
                     refine: bool) -> Job:
    """:func:`simulate_queue` as a background :class:`~planning.views.jobs.Job` identified by ``key``
    (everything the result depends on): reports after every block, stops at the next block once
    cancelled; the same ``key`` from another session gets the same job and result."""
    def work(report):
        report(0, 1, "Simulating the first block ...")
        return simulate_queue(config, req, queue, days=days, replications=replications, refine=refine,
                              on_block=lambda n, tot: report(n, tot, f"Simulated block {n} of {tot}"))

    return start_job(("simulation", key), work, "Simulating ...")


def raised_intervals(sim: pd.DataFrame, config: PlanConfig, queue: str) -> pd.DataFrame:
    """Intervals where the simulation added agents to the formula's plan, and the simulated service."""
    if sim is None or sim.empty or "agents_added" not in sim:
        return pd.DataFrame(columns=["interval_start", "agents_plan", "agents_final", "agents_added"])
    cols = ["interval_start", "agents_plan", "agents_final", "agents_added"]
    cols += [c for c, *_ in service_columns(config.queues[queue]) if c in sim]
    out = sim.loc[sim["agents_added"] > 0, cols].reset_index(drop=True)
    return out


def below_target_intervals(sim: pd.DataFrame, config: PlanConfig, queue: str) -> pd.DataFrame:
    """Intervals whose simulated mean misses a target of the queue (service level below, P(wait),
    ASA or abandonment above), whether or not the miss is proven at 95% confidence: ``missed`` names
    the metrics."""
    cols = [(c, t) for c, _, t, _ in service_columns(config.queues[queue]) if t is not None and c in sim]
    if sim is None or sim.empty or not cols:
        return pd.DataFrame(columns=["interval_start", "missed"])
    miss = pd.DataFrame({c: (sim[c] < t) if c == "service_level" else (sim[c] > t) for c, t in cols})
    rows = miss.any(axis=1).to_numpy()
    out = sim.loc[rows, ["interval_start", "agents_final"] + [c for c, _ in cols]].reset_index(drop=True)
    out.insert(1, "missed", [", ".join(c for c, _ in cols if m[c]) for _, m in miss[rows].iterrows()])
    return out


def wait_distribution(config: PlanConfig, req: pd.DataFrame, queue: str, day, *, replications: int = 8,
                      agents_col: str = "agents") -> pd.DataFrame:
    """Per-contact waits of one local day's plan, simulated (``replication, interval, wait_s,
    outcome``). ``day`` is a date; the day's open intervals are simulated as one block."""
    from simulation import RunSettings, simulate

    from ..pipeline import simulation_kwargs

    q = config.queues[queue]
    r = req[req["queue"] == queue].reset_index(drop=True)
    local = local_naive(r["interval_start"])
    r = r[(local.dt.date == pd.Timestamp(day).date()).to_numpy() & r["open"].to_numpy(bool)].reset_index(drop=True)
    if r.empty:
        return pd.DataFrame(columns=["replication", "interval", "wait_s", "outcome"])
    rate_per_h = r["volume"].to_numpy(float) * 3600.0 / config.interval_s
    agents = np.maximum(r[agents_col].to_numpy(np.int64), 0)
    kw = simulation_kwargs(q, r)
    run = RunSettings(replications=replications, seed=config.simulation.seed, rate_cv=config.simulation.rate_cv,
                      executor="serial")
    res = simulate(rate_per_h, agents, config.interval_s, settings=run, keep_contacts=True, **kw)
    c = res.contacts
    return c[["replication", "interval", "wait_s", "outcome"]].reset_index(drop=True)


def announcement_table(agents: int, aht_s: float, *, patience_s: float | None = None, concurrency: int = 1,
                       ahead_max: int = 20, quantile: float = 0.8) -> pd.DataFrame:
    """"k ahead -> about m minutes": mean and ``quantile`` wait for 0..``ahead_max`` contacts ahead."""
    from simulation import announced_wait

    if agents < 1:
        raise InputError("the queue-position announcement needs at least one agent logged in")
    ahead = np.arange(0, int(ahead_max) + 1)
    w = announced_wait(ahead, int(agents), float(aht_s), patience_s=patience_s, quantile=quantile,
                       concurrency=int(concurrency))
    mean = np.ravel(np.asarray(w.mean_wait_s, dtype=float))
    qv = np.ravel(np.asarray(w.quantile_wait_s, dtype=float))
    out = pd.DataFrame({"ahead": ahead, "mean_wait_s": mean, f"p{int(round(quantile * 100))}_wait_s": qv})
    out["announce"] = [f"{k} ahead -> about {_minutes_text(m)}" for k, m in zip(ahead, qv)]
    return out


def _minutes_text(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "unknown"
    if seconds < 60:
        return "less than a minute"
    m = int(math.ceil(seconds / 60.0))
    return f"{m} minute{'s' if m != 1 else ''}"


def simulated_plan(req: pd.DataFrame, sim: pd.DataFrame) -> pd.DataFrame:
    """The requirements restricted to the simulated intervals, with ``agents_sim`` = the agents the
    simulation ended with (``agents`` where it did not run) and the simulated ``offered``."""
    cols = ["interval_start", "agents_final"] + (["offered"] if "offered" in sim else [])
    out = req.merge(sim[cols].rename(columns={"offered": "offered_sim"}), on="interval_start", how="inner")
    out["agents_sim"] = out["agents_final"].fillna(out["agents"]).astype(np.int64)
    return out.reset_index(drop=True)


def simulation_summary(sim: pd.DataFrame) -> dict:
    """Intervals simulated, agent-intervals added, and the busiest simulated local day."""
    days = local_naive(sim["interval_start"]).dt.date
    by_day = sim.assign(_d=days.to_numpy()).groupby("_d")["offered"].sum() if "offered" in sim else None
    return {"intervals": int(len(sim)),
            "agents_added": int(sim["agents_added"].sum()) if "agents_added" in sim else 0,
            "days": sorted(set(days)),
            "busiest_day": by_day.idxmax() if by_day is not None and len(by_day) else (min(days) if len(days) else None)}


def wait_summary(waits: pd.DataFrame, awt_s: float) -> dict:
    """From per-contact simulated waits: contacts, share that waited at all, share answered within
    ``awt_s`` (of answered), share abandoned; and ``waited_s`` (the waits > 0 of answered contacts)."""
    served = waits[waits["outcome"] == "served"]
    w = np.clip(served["wait_s"].to_numpy(float), 0, None)
    return {"contacts": int(len(waits)),
            "waited_share": float((w > 1e-9).mean()) if len(w) else float("nan"),
            "within_awt_share": float((w <= awt_s).mean()) if len(w) else float("nan"),
            "abandoned_share": float((waits["outcome"] == "abandoned").mean()) if len(waits) else float("nan"),
            "waited_s": pd.DataFrame({"wait_s": w[w > 1e-9]})}


def announcement_intervals(plan: pd.DataFrame, q: QueueConfig) -> pd.DataFrame:
    """Staffed simulated intervals to announce for (from :func:`simulated_plan`): ``interval_start``,
    ``label`` (local), ``agents`` (after simulation), ``aht_s`` (for chat: the per-chat handle time at
    full concurrency), ``busiest`` (True for the interval with most simulated contacts)."""
    p = plan[plan["agents_sim"] > 0].reset_index(drop=True)
    aht = (np.full(len(p), float(q.aht_by_concurrency_s[-1])) if q.aht_by_concurrency_s
           else p["aht_s"].to_numpy(float))
    out = pd.DataFrame({"interval_start": p["interval_start"],
                        "label": local_naive(p["interval_start"]).dt.strftime("%a %d %b %H:%M").to_numpy(),
                        "agents": p["agents_sim"].to_numpy(), "aht_s": aht})
    vol = p["offered_sim"].to_numpy(float) if "offered_sim" in p else p["volume"].to_numpy(float)
    out["busiest"] = False
    if len(out):
        out.loc[int(np.nanargmax(vol)), "busiest"] = True
    return out


def raised_table(raised: pd.DataFrame) -> pd.DataFrame:
    """:func:`raised_intervals` with ``interval_start`` as plan-local text ("Sat 2000-01-01 20:00")."""
    return raised.assign(interval_start=local_naive(raised["interval_start"]).dt.strftime("%a %Y-%m-%d %H:%M"))


def intervals_text(frame: pd.DataFrame, most: int = 8) -> str:
    """The first ``most`` intervals of ``frame`` as plan-local "Sat 20:00" texts ("..." for more)."""
    texts = local_naive(frame["interval_start"]).dt.strftime("%a %H:%M").head(most)
    return ", ".join(texts) + (" ..." if len(frame) > most else "")


def busiest_label(intervals: pd.DataFrame) -> str:
    """The ``label`` of the busiest interval of :func:`announcement_intervals`."""
    return intervals["label"].iloc[int(np.flatnonzero(intervals["busiest"].to_numpy())[0])]


def announcement_row(intervals: pd.DataFrame, label: str) -> dict:
    """The interval of :func:`announcement_intervals` with this ``label``: ``agents`` (int) and
    ``aht_s`` (float seconds)."""
    row = intervals.iloc[intervals["label"].tolist().index(label)]
    return {"agents": int(row["agents"]), "aht_s": float(row["aht_s"])}


def announcement_lines(table: pd.DataFrame, ahead_max: int) -> list[str]:
    """The announcements of :func:`announcement_table` for 0, 4, 9 and ``ahead_max`` contacts ahead."""
    picks = sorted({0, min(4, ahead_max), min(9, ahead_max), ahead_max})
    return [table.loc[k, "announce"] for k in picks]


@dataclass(frozen=True)
class SimulationVerdict:
    """What a planner does with a simulation, in one word and one sentence.

    ``kind``: ``"holds"`` (no interval misses a target), ``"misses"`` (intervals miss with 95%
    confidence: raised by the simulation, or to raise), ``"undecided"`` (simulated means below a
    target that ``replications`` replications cannot tell apart from it); ``intervals``: the
    intervals concerned (plan-local "Sat 20:00" text); ``replications_to_decide``: how many
    replications would likely decide the undecided intervals (None unless undecided)."""

    kind: str
    text: str
    intervals: str = ""
    replications_to_decide: int | None = None


def _replications_to_decide(sim: pd.DataFrame, below: pd.DataFrame, config: PlanConfig, queue: str,
                            replications: int) -> int:
    """Replications at which the 95% band of every undecided interval would no longer hold the
    target, given its present gap (the band narrows as 1 / sqrt(replications)); at most 100."""
    need = 2 * replications
    rows = sim[sim["interval_start"].isin(below["interval_start"])]
    for col, _, target, _ in service_columns(config.queues[queue]):
        if target is None or f"{col}_lo" not in rows:
            continue
        half = (rows[f"{col}_hi"] - rows[f"{col}_lo"]).to_numpy(float) / 2.0
        gap = np.abs(rows[col].to_numpy(float) - target)
        ok = np.isfinite(half) & (gap > 1e-9)
        if ok.any():
            need = max(need, int(math.ceil(replications * float(np.max((half[ok] / gap[ok]) ** 2)) * 1.2)))
    return int(min(MAX_REPLICATIONS, need))


def simulation_verdict(sim: pd.DataFrame, config: PlanConfig, queue: str, replications: int,
                       refine: bool) -> SimulationVerdict:
    """The verdict on a simulation of :func:`simulate_queue`: does the formula's plan hold, miss in
    named intervals, or can ``replications`` replications not tell?"""
    raised = raised_intervals(sim, config, queue)
    below = below_target_intervals(sim, config, queue)
    if len(raised):
        return SimulationVerdict(
            "misses", f"The formula's plan misses a target in {len(raised)} interval(s) with 95% confidence; "
            f"the simulation raised them by {int(raised['agents_added'].sum())} agent-interval(s) in total.",
            intervals_text(raised))
    if len(below) and not refine:
        proven = _proven_misses(sim, below, config, queue)
        if len(proven):
            return SimulationVerdict(
                "misses", f"The plan misses a target in {len(proven)} interval(s) with 95% confidence "
                "(adding agents is switched off).", intervals_text(proven))
    if len(below):
        n = _replications_to_decide(sim, below, config, queue, replications)
        return SimulationVerdict(
            "undecided", f"{len(below)} interval(s) have a simulated mean below a target that cannot be told "
            f"apart from it with {replications} replications.", intervals_text(below), n)
    return SimulationVerdict("holds", "The plan holds: every simulated interval meets its targets.")


def _proven_misses(sim: pd.DataFrame, below: pd.DataFrame, config: PlanConfig, queue: str) -> pd.DataFrame:
    """The intervals of ``below`` whose 95% band lies wholly on the wrong side of a target."""
    rows = sim[sim["interval_start"].isin(below["interval_start"])]
    proven = np.zeros(len(rows), dtype=bool)
    for col, _, target, _ in service_columns(config.queues[queue]):
        if target is None or f"{col}_lo" not in rows:
            continue
        proven |= ((rows[f"{col}_hi"] < target) if col == "service_level" else (rows[f"{col}_lo"] > target)).to_numpy()
    return rows[proven]
