"""Staffing by simulation: raise the analytic plan where the simulated day misses the target.

:func:`refine_staffing` starts from :func:`simulation.staffing.required_agents` (steady state per
interval), simulates the day with everything the formula ignores (carry-over between intervals,
agents logging off, non-exponential handle times and patience, balking, forecast error, chat
slow-down), and adds agents where an interval misses a target *with confidence*: the 95% Student-t
interval of the simulated metric lies entirely on the wrong side of the target (service level:
upper bound below the target; ASA, abandon rate, P(wait), occupancy: lower bound above it).

Each round adds one agent to every interval that misses, and one to the interval before when a
backlog was carried into the missing interval (on average at least one contact waiting at its
start) and that interval is not raised in the same round. Every round simulates with the same seed
(common random numbers), so a change in the result comes from the plan, not from noise. It stops
when no interval misses, or when the rounds or the per-interval cap run out.
"""
from __future__ import annotations

import concurrent.futures as cf
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .distributions import as_distribution
from .simulator import SimulationResult, _as_patience, _build_config, _integer, simulate

__all__ = ["refine_staffing", "RefineResult"]

# metric -> (column of by_interval holding the bound that proves a miss, direction)
_CHECKS = {
    "service_level": ("service_level_hi", "below"),
    "asa_s": ("asa_s_lo", "above"),
    "abandon_rate": ("abandon_rate_lo", "above"),
    "p_wait": ("p_wait_lo", "above"),
    "max_occupancy": ("occupancy_lo", "above"),
}


@dataclass
class RefineResult:
    """What :func:`refine_staffing` returns.

    Attributes
    ----------
    agents : int array
        Refined agents per interval (logged in, handling contacts).
    scheduled : int array
        ``ceil(agents / (1 - shrinkage))``.
    formula_agents : int array
        The analytic requirement the search started from.
    added : int array
        ``agents - formula_agents`` per interval.
    added_agent_intervals : int
        Total agent-intervals the simulation added over the formula.
    changes : DataFrame
        One row per agent added: ``round``, ``interval``, ``added``, ``metric`` (the target missed),
        ``reason`` (the simulated value and interval against the target, or the carry-over).
    meets : bool array
        Per interval: no target missed with confidence in the final simulation.
    rounds : int
        Simulations run (the last one evaluates the final plan).
    stopped : str
        ``"met"``, ``"max_rounds"`` or ``"cap"``.
    simulation : SimulationResult
        The simulation of the final plan.
    formula_simulation : SimulationResult
        The simulation of the formula's plan (round 1).
    """

    agents: np.ndarray
    scheduled: np.ndarray
    formula_agents: np.ndarray
    added: np.ndarray
    added_agent_intervals: int
    changes: pd.DataFrame
    meets: np.ndarray
    rounds: int
    stopped: str
    simulation: SimulationResult = field(repr=False)
    formula_simulation: SimulationResult = field(repr=False)


# service-level definition (simulation.metrics.SL_DEFINITIONS) -> simulator column
_SL_COLUMNS = {"offered": "service_level", "answered": "service_level_answered",
               "offered_minus_short_abandons": "service_level_excl_short_abandon"}


def _misses(by: pd.DataFrame, targets: dict, criterion: str = "confident_miss",
            sl_definition: str = "offered"):
    """Per interval: missed (with confidence, or by the estimate), and (metric, reason) of the first
    target missed."""
    miss = np.zeros(len(by), bool)
    why: list[tuple[str, str] | None] = [None] * len(by)
    for metric, target in targets.items():
        if target is None:
            continue
        col, side = _CHECKS[metric]
        if metric == "service_level":
            col = _SL_COLUMNS[sl_definition] + "_hi"
        bound = by[col if criterion == "confident_miss" else col.rsplit("_", 1)[0]].to_numpy(float)
        bad = bound < target if side == "below" else bound > target
        bad &= ~np.isnan(bound)
        name = col.rsplit("_", 1)[0]
        value, lo, hi = (by[c].to_numpy(float) for c in (name, f"{name}_lo", f"{name}_hi"))
        for j in np.flatnonzero(bad & ~miss):
            why[j] = (metric, f"{name} {value[j]:.4g} [{lo[j]:.4g}, {hi[j]:.4g}] "
                              f"{'<' if side == 'below' else '>'} target {target:g}")
        miss |= bad
    return miss, why


def refine_staffing(
    arrival_rate_per_h,
    interval_s: float,
    service,
    *,
    awt_s: float = 20.0,
    service_level: float | None = None,
    asa_s: float | None = None,
    abandon_rate: float | None = None,
    p_wait: float | None = None,
    max_occupancy: float | None = None,
    patience=None,
    balk_prob: float = 0.0,
    concurrency: int = 1,
    aht_by_concurrency_s=None,
    rate_cv: float = 0.0,
    shrinkage: float = 0.0,
    min_agents: int = 0,
    replications: int = 100,
    seed=0,
    executor=None,
    max_rounds: int = 30,
    max_added_per_interval: int | None = None,
    criterion: str = "confident_miss",
    sl_definition: str = "offered",
    start_agents=None,
    service_scale=None,
) -> RefineResult:
    """Analytic staffing, checked and raised by simulation until every interval meets its targets.

    Parameters
    ----------
    arrival_rate_per_h : 1-D array-like
        Forecast arrival rate per interval, contacts per hour.
    interval_s : float
        Interval length, seconds.
    service : Distribution or float
        Handle-time distribution (a number: exponential with that mean, seconds). The formula uses
        its mean as AHT.
    awt_s, service_level, asa_s, abandon_rate, p_wait, max_occupancy :
        Targets as in :func:`simulation.staffing.required_agents` (service level: answered within
        ``awt_s`` / offered). At least one.
    patience : Distribution, float or None
        Customer patience (s); the formula uses Erlang A (or chat with abandonment) with its mean.
        ``None`` or ``inf``: nobody abandons.
    balk_prob, concurrency, aht_by_concurrency_s, rate_cv :
        As in :func:`simulation.simulate` (the formula ignores balking and forecast error).
    shrinkage : float
        Share of paid time not available for contacts; only for ``scheduled``.
    min_agents : int
        Floor on agents per interval (passed to the formula).
    replications, seed, executor :
        Of every simulation round (>= 2 replications, for confidence bounds). With ``executor=None``
        one process pool serves all rounds.
    max_rounds : int
        Most simulations to run.
    max_added_per_interval : int or None
        Cap on agents added to one interval (None: no cap other than ``max_rounds``).
    criterion : {"confident_miss", "estimate"}
        ``"confident_miss"`` (default): add where the 95% interval lies wholly on the wrong side of
        the target; ``"estimate"``: add wherever the simulated estimate misses (stricter, and the
        result then depends more on the number of replications).
    sl_definition : str
        Service-level definition of the target (see :mod:`simulation.metrics`), used by the
        formula and for the simulated service level that is checked.
    start_agents : int array, optional
        Start from this plan instead of the formula's (e.g. a plan already computed elsewhere);
        ``formula_agents`` is then this plan.
    service_scale : 1-D array, optional
        Handle-time multiplier per interval, as in :func:`simulation.simulate`; the formula then
        uses AHT = service mean x service_scale in each interval.

    Returns
    -------
    RefineResult

    Raises
    ------
    ValueError
        On bad input, naming the argument.
    """
    from .staffing import required_agents

    targets = {"service_level": service_level, "asa_s": asa_s, "abandon_rate": abandon_rate,
               "p_wait": p_wait, "max_occupancy": max_occupancy}
    if all(v is None for v in targets.values()):
        raise ValueError("refine_staffing: give at least one target (service_level, asa_s, "
                         "abandon_rate, p_wait or max_occupancy)")
    if criterion not in ("confident_miss", "estimate"):
        raise ValueError(f"criterion must be 'confident_miss' or 'estimate', got {criterion!r}")
    n_rep = _integer(replications, "replications", 2)
    rounds_max = _integer(max_rounds, "max_rounds", 1)
    cap_extra = None if max_added_per_interval is None else _integer(
        max_added_per_interval, "max_added_per_interval", 0)
    service_d = as_distribution(service, "service")
    patience_d = _as_patience(patience)
    # validate the simulation inputs once (agents checked later)
    rate = np.atleast_1d(np.asarray(
        arrival_rate_per_h.to_numpy() if isinstance(arrival_rate_per_h, pd.Series) else arrival_rate_per_h,
        dtype=float))
    cfg = _build_config(rate, np.ones(rate.size), interval_s, service_d, patience_d, balk_prob,
                        concurrency, aht_by_concurrency_s, awt_s, rate_cv, "auto", False, service_scale)
    aht_s = service_d.mean_s if cfg.service_scale is None else service_d.mean_s * cfg.service_scale

    if sl_definition not in _SL_COLUMNS:
        raise ValueError(f"sl_definition: {sl_definition!r} is not one of {tuple(_SL_COLUMNS)}")
    if start_agents is None:
        formula = required_agents(
            rate * float(interval_s) / 3600.0, float(interval_s), aht_s, awt_s=awt_s,
            service_level=service_level, asa_s=asa_s, p_wait=p_wait, abandon_rate=abandon_rate,
            max_occupancy=max_occupancy,
            patience_s=None if patience_d is None else patience_d.mean_s, shrinkage=shrinkage,
            concurrency=concurrency, aht_by_concurrency_s=aht_by_concurrency_s, min_agents=min_agents,
            sl_definition=sl_definition,
        )
        start = np.asarray(formula.agents, dtype=np.int64).ravel()
    else:
        start = np.asarray(start_agents, dtype=float).ravel()
        if start.shape != rate.shape or np.any(start < 0) or np.any(start != np.floor(start)):
            raise ValueError(f"start_agents: expected {rate.size} whole numbers >= 0, one per interval")
        start = start.astype(np.int64)
    if start[-1] == 0 and patience_d is None and np.any(rate > 0):
        start[-1] = 1  # the last level serves the backlog after the day; it must not be zero
    agents = start.copy()
    cap = None if cap_extra is None else start + cap_extra

    own_pool = None
    if executor is None:
        own_pool = cf.ProcessPoolExecutor(max_workers=os.cpu_count() or 1)
        executor = own_pool
    rows = []
    try:
        first = None
        stopped = "max_rounds"
        for rnd in range(1, rounds_max + 1):
            res = simulate(arrival_rate_per_h, agents, interval_s, service=service_d,
                           patience=patience_d, balk_prob=balk_prob, concurrency=concurrency,
                           awt_s=awt_s, rate_cv=rate_cv, replications=n_rep, seed=seed,
                           executor=executor, aht_by_concurrency_s=aht_by_concurrency_s,
                           service_scale=service_scale)
            first = first or res
            miss, why = _misses(res.by_interval, targets, criterion, sl_definition)
            if not miss.any():
                stopped = "met"
                break
            if rnd == rounds_max:
                break
            add = miss.astype(np.int64)
            carry = res.by_interval["queue_at_start"].to_numpy(float)
            for j in np.flatnonzero(miss):
                rows.append((rnd, j, 1, why[j][0], why[j][1]))
                if j > 0 and not miss[j - 1] and carry[j] >= 1.0 and add[j - 1] == 0:
                    add[j - 1] = 1
                    rows.append((rnd, j - 1, 1, why[j][0],
                                 f"carry-over: {carry[j]:.3g} contacts waiting on average at the "
                                 f"start of interval {j}"))
            if cap is not None:
                over = agents + add > cap
                if over.any():
                    dropped = {(r[1]) for r in rows if r[0] == rnd and over[r[1]]}
                    rows = [r for r in rows if not (r[0] == rnd and r[1] in dropped)]
                    add[over] = 0
            if not add.any():
                stopped = "cap"
                break
            agents = agents + add
    finally:
        if own_pool is not None:
            own_pool.shutdown()
    changes = pd.DataFrame(rows, columns=["round", "interval", "added", "metric", "reason"])
    added = agents - start
    scheduled = np.ceil(agents / (1.0 - float(shrinkage)) - 1e-9).astype(np.int64)
    return RefineResult(agents=agents, scheduled=scheduled, formula_agents=start, added=added,
                        added_agent_intervals=int(added.sum()), changes=changes, meets=~miss,
                        rounds=rnd, stopped=stopped, simulation=res, formula_simulation=first)
