"""Replication statistics: per-metric values with 95% Student-t bounds, and the result tables.

A ratio metric (service level, ASA, ...) is the ratio of the means over replications, with a 95%
Student-t interval for a ratio estimator (residuals ``y - R x``); a plain metric (offered,
max_queue, ...) is the mean with its Student-t interval. Bounds are clipped to the metric's range
(shares such as service_level, p_wait, abandon_rate, occupancy to [0, 1], all other metrics at 0
from below), so a bound can equal the value where the interval reaches past it. Bounds are NaN
with a single replication. See :data:`METRIC_DEFINITIONS` for every metric.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from core import Targets
from .engine.inputs import SimConfig
from .engine.replication import Replication
from .scoring import TargetMisses, target_misses

__all__ = ["METRIC_DEFINITIONS", "EXTRA_DEFINITIONS", "RATIOS", "SimulationResult", "assemble", "ratio_ci", "mean_ci"]


METRIC_DEFINITIONS: dict[str, str] = {
    "offered": "contacts arriving (mean per replication), by arrival interval",
    "served": "contacts answered by an agent (mean per replication), by arrival interval",
    "abandoned": "contacts that hung up before an answer, balks included (mean per replication)",
    "balked": "contacts that hung up at once because no agent was free (mean per replication)",
    "service_level": "answered within awt_s (wait <= awt_s) / offered, by arrival interval",
    "service_level_answered": "answered within awt_s / answered (the answered-only denominator)",
    "service_level_excl_short_abandon": "answered within awt_s / (offered - abandoned within awt_s)",
    "asa_s": "average speed of answer: mean wait (s) of answered contacts",
    "p_wait": "share of offered contacts that found no free agent (waited, balked or abandoned)",
    "abandon_rate": "abandoned (balks included) / offered",
    "aht_s": "mean handle time (s) of answered contacts, as simulated (chat: stretched by load)",
    "occupancy": "handled contact-seconds / (concurrency x logged-in agent-seconds), within the "
    "interval; logged-in time includes agents finishing a contact after logging off",
    "agents_busy": "agent-seconds holding at least one contact / logged-in agent-seconds, within "
    "the interval (equals occupancy for one contact per agent)",
    "mean_queue": "time-average number of contacts waiting in the queue during the interval",
    "max_queue": "largest number of contacts waiting at once during the interval (mean over "
    "replications)",
    "queue_at_start": "contacts waiting at the start of the interval: the backlog carried over "
    "from the interval before (whole day: at time 0, so 0)",
}

# Redials and callbacks (only when the queue has them; counts by arrival interval, mean per
# replication). Conservation per replication and interval:
# offered = served + abandoned_final + retried + pending, abandoned = abandoned_final + retried + pending.
EXTRA_DEFINITIONS: dict[str, str] = {
    "retrials": "redials arriving (attempts after the first; included in offered)",
    "retried": "contacts that hung up (abandoned or balked) and redialed within the day",
    "pending": "contacts that hung up and would redial after the day ends (not simulated)",
    "abandoned_final": "contacts that hung up and did not redial (lost for good)",
    "callbacks": "contacts that accepted a callback (kept their place virtually, never abandon)",
    "callback_wait_s": "mean time (s) from arrival to the call back, of accepted callbacks",
    "callback_kept": "share of accepted callbacks called back within callback_promise_s",
}
METRIC_DEFINITIONS.update(EXTRA_DEFINITIONS)

RATIOS = {  # metric: (numerator, denominator) of per-replication sums
    "service_level": ("answered_in_awt", "offered"),
    "service_level_answered": ("answered_in_awt", "served"),
    "service_level_excl_short_abandon": ("answered_in_awt", "offered_less_short_abandon"),
    "asa_s": ("wait_sum_served", "served"),
    "p_wait": ("delayed", "offered"),
    "abandon_rate": ("abandoned", "offered"),
    "aht_s": ("handle_sum", "served"),
    "occupancy": ("busy_s", "capacity_s"),
    "agents_busy": ("agent_busy_s", "agent_capacity_s"),
    "mean_queue": ("queue_area_s", "horizon_s"),
    "callback_wait_s": ("callback_wait_sum", "callbacks"),
    "callback_kept": ("callbacks_in_promise", "callbacks"),
}
SHARES = {"service_level", "service_level_answered", "service_level_excl_short_abandon", "p_wait",
          "abandon_rate", "occupancy", "agents_busy", "callback_kept"}  # in [0, 1]; every other metric is >= 0
METRIC_ORDER = [
    "offered", "served", "abandoned", "balked", "service_level", "service_level_answered",
    "service_level_excl_short_abandon", "asa_s", "p_wait", "abandon_rate", "aht_s", "occupancy",
    "agents_busy", "mean_queue", "max_queue", "queue_at_start",
]


def ratio_ci(y: np.ndarray, x: np.ndarray, level: float = 0.95):
    """Ratio of means over replications (axis 0) with a Student-t interval for a ratio estimator."""
    n = y.shape[0]
    my, mx = y.mean(axis=0), x.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(mx > 0, my / np.where(mx > 0, mx, 1.0), np.nan)
        if n < 2:
            nan = np.full_like(r, np.nan)
            return r, nan, nan
        resid = y - np.nan_to_num(r) * x
        se = resid.std(axis=0, ddof=1) / (math.sqrt(n) * mx)
        half = stats.t.ppf(0.5 + level / 2, n - 1) * se
    return r, r - half, r + half


def mean_ci(y: np.ndarray, level: float = 0.95):
    n = y.shape[0]
    m = y.mean(axis=0)
    if n < 2:
        nan = np.full_like(m, np.nan)
        return m, nan, nan
    half = stats.t.ppf(0.5 + level / 2, n - 1) * y.std(axis=0, ddof=1) / math.sqrt(n)
    return m, m - half, m + half


def metric_table(sums: dict[str, np.ndarray]) -> dict[str, tuple]:
    """(value, lo, hi) per metric; the bounds are clipped to the metric's range (shares to [0, 1],
    everything else at 0), since the symmetric t interval can reach past it."""
    out = {}
    extra = list(EXTRA_DEFINITIONS) if "callbacks" in sums else []
    for name in METRIC_ORDER + extra:
        if name in RATIOS:
            num, den = RATIOS[name]
            value, lo, hi = ratio_ci(sums[num], sums[den])
        else:
            value, lo, hi = mean_ci(sums[name])
        top = 1.0 if name in SHARES else None
        out[name] = (value, np.clip(lo, 0.0, top), np.clip(hi, 0.0, top))
    return out


@dataclass
class SimulationResult:
    """What :func:`simulation.simulate` returns.

    Attributes
    ----------
    summary : DataFrame
        One row per metric (index), columns ``value``, ``lo``, ``hi`` (95% Student-t bounds,
        clipped to [0, 1] for shares and at 0 for the other metrics, all non-negative) and
        ``definition``; the whole day: counts summed over intervals, ``max_queue`` the day's peak,
        time-based metrics over the horizon ``[0, T)``.
    by_interval : DataFrame
        One row per interval: ``interval``, ``start_s``, (``interval_start`` when the rates came as
        a pandas Series), ``arrival_rate_per_h``, ``agents`` and for every metric the columns
        ``<metric>``, ``<metric>_lo``, ``<metric>_hi``.
    contacts : DataFrame or None
        With ``keep_contacts=True``: one row per contact: ``replication`` (0..n-1), ``arrival_s``,
        ``interval``, ``wait_s`` (time in queue; for an abandoned contact the time until it hung
        up, 0 for a balk), ``outcome`` (``served`` / ``abandoned``), ``balked``, ``handle_s`` (with
        redials or callbacks also ``attempt``, 0 for a first attempt, and ``callback``).
    per_replication : dict of (replications, intervals) arrays of the per-replication sums behind
        every metric (e.g. ``answered_in_awt``, ``offered``, ``busy_s``, ``capacity_s``).
    targets : core.Targets
        The targets the run was scored with (``awt_s`` counts the service level); see :meth:`misses`.
    """

    summary: pd.DataFrame
    by_interval: pd.DataFrame
    contacts: pd.DataFrame | None
    per_replication: dict[str, np.ndarray] = field(repr=False)
    replications: int = 0
    seed_entropy: Any = None
    engine: str = ""
    definitions: dict[str, str] = field(default_factory=lambda: dict(METRIC_DEFINITIONS), repr=False)
    targets: Targets = field(default_factory=Targets, repr=False)

    def misses(self, criterion: str = "confident_miss") -> TargetMisses:
        """Which intervals miss which of :attr:`targets` (see :func:`simulation.target_misses`)."""
        return target_misses(self.by_interval, self.targets, criterion)

    def __repr__(self):
        return (f"SimulationResult(engine={self.engine!r}, replications={self.replications}, "
                f"intervals={len(self.by_interval)})\n{self.summary[['value', 'lo', 'hi']]}")


def assemble(cfg: SimConfig, reps: list[Replication], labels, seed_entropy, targets: Targets) -> SimulationResult:
    """The result tables of the replications ``reps`` (in replication order) of ``cfg``."""
    sums = {key: np.stack([r.sums[key] for r in reps]) for key in reps[0].sums}
    contacts = _contacts(cfg, reps) if cfg.keep_contacts else None
    return SimulationResult(summary=_summary(sums), by_interval=_by_interval(cfg, sums, labels),
                            contacts=contacts, per_replication=sums, replications=len(reps),
                            seed_entropy=seed_entropy, engine=cfg.engine, targets=targets)


def _by_interval(cfg: SimConfig, sums: dict, labels) -> pd.DataFrame:
    n_int = cfg.agents.size
    by = pd.DataFrame({"interval": np.arange(n_int), "start_s": np.arange(n_int) * cfg.interval_s})
    if labels is not None:
        by["interval_start"] = labels
    by["arrival_rate_per_h"] = cfg.rate_per_s * 3600.0
    by["agents"] = cfg.agents
    for name, (v, lo, hi) in metric_table(sums).items():
        by[name] = v
        by[f"{name}_lo"] = lo
        by[f"{name}_hi"] = hi
    return by


def _summary(sums: dict) -> pd.DataFrame:
    """The whole day: counts summed, the peak queue, the queue at time 0, time sums over [0, T)."""
    day = {key: val.sum(axis=1, keepdims=True) for key, val in sums.items()}
    day["max_queue"] = sums["max_queue"].max(axis=1, keepdims=True)
    day["queue_at_start"] = sums["queue_at_start"][:, :1]
    rows = {name: [float(v[0]), float(lo[0]), float(hi[0]), METRIC_DEFINITIONS[name]]
            for name, (v, lo, hi) in metric_table(day).items()}
    summary = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "lo", "hi", "definition"])
    summary.index.name = "metric"
    return summary


def _contacts(cfg: SimConfig, reps: list[Replication]) -> pd.DataFrame:
    n_int = cfg.agents.size
    parts = []
    for r, rep in enumerate(reps):
        c = rep.contacts
        n = c["arrival_s"].size
        parts.append(pd.DataFrame({
            "replication": np.full(n, r, dtype=np.int64),
            "arrival_s": c["arrival_s"],
            "interval": np.minimum((c["arrival_s"] / cfg.interval_s).astype(np.int64), n_int - 1),
            "wait_s": c["wait_s"],
            "outcome": np.where(c["served"], "served", "abandoned"),
            "balked": c["balked"],
            "handle_s": c["handle_s"],
            **({"attempt": c["attempt"], "callback": c["callback"]} if "attempt" in c else {}),
        }))
    contacts = pd.concat(parts, ignore_index=True)
    contacts["outcome"] = pd.Categorical(contacts["outcome"], categories=["served", "abandoned"])
    return contacts
