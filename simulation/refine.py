"""Staffing by simulation: raise the analytic plan where the simulated day misses the target.

:func:`refine_staffing` starts from :func:`simulation.required_agents` (steady state per interval),
simulates the day with everything the formula ignores (carry-over between intervals, agents logging
off, non-exponential handle times and patience, balking, forecast error, chat slow-down), and adds
agents where an interval misses a target *with confidence*: the 95% Student-t interval of the
simulated metric lies entirely on the wrong side of the target (service level: upper bound below
the target; ASA, abandon rate, P(wait), occupancy: lower bound above it; see
:mod:`simulation.scoring`).

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

from core import QueueModel, Targets
from .engine.inputs import SimConfig
from .queueing.staffing import required_agents
from .scoring import TargetMisses
from .settings import RefineSettings, RunSettings
from .simulator import SimulationResult, simulate

__all__ = ["refine_staffing", "RefineResult", "REFINE_RUN"]

REFINE_RUN = RunSettings(replications=100, seed=0)  # the default run of every refinement round


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


@dataclass(frozen=True)
class _Change:
    """One agent added: in ``round`` to ``interval`` for ``metric``, with the ``reason``."""

    round: int
    interval: int
    metric: str
    reason: str


def refine_staffing(arrival_rate_per_h, interval_s: float, queue: QueueModel, targets: Targets, *,
                    settings: RunSettings = REFINE_RUN, search: RefineSettings = RefineSettings(),
                    start_agents=None, shrinkage: float = 0.0, min_agents: int = 0,
                    service=None, patience=None, service_scale=None) -> RefineResult:
    """Analytic staffing, checked and raised by simulation until every interval meets its targets.

    Parameters
    ----------
    arrival_rate_per_h : 1-D array-like
        Forecast arrival rate per interval, contacts per hour.
    interval_s : float
        Interval length, seconds.
    queue : core.QueueModel
        As in :func:`simulation.simulate`. The formula uses Erlang A (or chat with abandonment) with
        the mean of the patience simulated, and the mean of the handle time simulated as AHT.
    targets : core.Targets
        At least one target; AWT and service-level definition as in
        :func:`simulation.required_agents`, used by the formula and to check the simulation.
    settings : simulation.RunSettings
        Of every simulation round (>= 2 replications, for confidence bounds); default
        :data:`REFINE_RUN` (100 replications, seed 0). With ``executor=None`` one process pool
        serves all rounds.
    search : simulation.RefineSettings
        Most rounds, cap on agents added per interval, miss criterion.
    start_agents : int array, optional
        Start from this plan instead of the formula's (e.g. a plan already computed elsewhere);
        ``formula_agents`` is then this plan.
    shrinkage : float in [0, 1)
        Share of paid time not available for contacts; only for ``scheduled``.
    min_agents : int
        Floor on agents per interval (passed to the formula).
    service, patience, service_scale :
        As in :func:`simulation.simulate`; with ``service_scale`` the formula uses
        AHT = service mean x service_scale in each interval.

    Returns
    -------
    RefineResult

    Raises
    ------
    ValueError
        On bad input, naming the argument.
    """
    _check_options(targets, settings, search)
    rate = np.atleast_1d(np.asarray(
        arrival_rate_per_h.to_numpy() if isinstance(arrival_rate_per_h, pd.Series) else arrival_rate_per_h,
        dtype=float))
    # validate the simulation inputs once (agents checked later) and resolve the distributions
    cfg = SimConfig.build(rate, np.ones(rate.size), interval_s, queue, awt_s=targets.awt_s,
                          settings=settings, service=service, patience=patience,
                          service_scale=service_scale)
    if start_agents is None:
        start = _formula_plan(rate, float(interval_s), cfg, queue, targets, shrinkage, min_agents)
    else:
        start = _checked_plan(start_agents, rate.size)
    if start[-1] == 0 and cfg.patience is None and np.any(rate > 0):
        start[-1] = 1  # the last level serves the backlog after the day; it must not be zero

    own_pool = None
    if settings.executor is None:  # one pool for all rounds, not one per round
        own_pool = cf.ProcessPoolExecutor(max_workers=os.cpu_count() or 1)
    run_settings = settings if own_pool is None else settings.with_values(executor=own_pool)

    def run(agents) -> SimulationResult:
        return simulate(arrival_rate_per_h, agents, interval_s, queue, targets=targets,
                        settings=run_settings, service=cfg.service, patience=cfg.patience,
                        service_scale=service_scale)

    try:
        return _search(run, start, search, shrinkage)
    finally:
        if own_pool is not None:
            own_pool.shutdown()


def _check_options(targets, settings, search) -> None:
    if not isinstance(targets, Targets):
        raise ValueError(f"targets: expected a core.Targets, got {targets!r:.80}")
    targets.require_any("refine_staffing")
    if not isinstance(search, RefineSettings):
        raise ValueError(f"search: expected a simulation.RefineSettings, got {search!r:.80}")
    if not isinstance(settings, RunSettings):
        raise ValueError(f"settings: expected a simulation.RunSettings, got {settings!r:.80}")
    if settings.replications < 2:
        raise ValueError(f"replications must be an integer >= 2 to refine (confidence bounds), "
                         f"got {settings.replications!r}")


def _checked_plan(start_agents, n_intervals: int) -> np.ndarray:
    start = np.asarray(start_agents, dtype=float).ravel()
    if start.shape != (n_intervals,) or np.any(start < 0) or np.any(start != np.floor(start)):
        raise ValueError(f"start_agents: expected {n_intervals} whole numbers >= 0, one per interval")
    return start.astype(np.int64)


def _formula_plan(rate, interval_s, cfg: SimConfig, queue: QueueModel, targets: Targets, shrinkage,
                  min_agents) -> np.ndarray:
    """The analytic plan for the simulated means: AHT (x service_scale) and patience."""
    aht_s = cfg.service.mean_s if cfg.service_scale is None else cfg.service.mean_s * cfg.service_scale
    formula_queue = queue.with_values(patience_s=None if cfg.patience is None else cfg.patience.mean_s)
    formula = required_agents(rate * interval_s / 3600.0, interval_s, formula_queue, targets,
                              aht_s=aht_s, shrinkage=shrinkage, min_agents=min_agents)
    return np.asarray(formula.agents, dtype=np.int64).ravel()


def _search(run, start: np.ndarray, search: RefineSettings, shrinkage) -> RefineResult:
    """Simulate, add agents where targets are missed, repeat (see the module docstring)."""
    agents = start.copy()
    cap = None if search.max_added_per_interval is None else start + search.max_added_per_interval
    changes: list[_Change] = []
    first = None
    stopped = "max_rounds"
    for rnd in range(1, search.max_rounds + 1):
        res = run(agents)
        first = first or res
        misses = res.misses(search.criterion)
        if not misses.missed.any():
            stopped = "met"
            break
        if rnd == search.max_rounds:
            break
        add, new = _additions(rnd, misses, res.by_interval["queue_at_start"].to_numpy(float))
        if cap is not None:
            over = agents + add > cap
            if over.any():  # an interval at its cap drops every change of this round that names it
                new = [c for c in new if not over[c.interval]]
                add[over] = 0
        changes += new
        if not add.any():
            stopped = "cap"
            break
        agents = agents + add
    frame = pd.DataFrame([(c.round, c.interval, 1, c.metric, c.reason) for c in changes],
                         columns=["round", "interval", "added", "metric", "reason"])
    added = agents - start
    scheduled = np.ceil(agents / (1.0 - float(shrinkage)) - 1e-9).astype(np.int64)
    return RefineResult(agents=agents, scheduled=scheduled, formula_agents=start, added=added,
                        added_agent_intervals=int(added.sum()), changes=frame, meets=~misses.missed,
                        rounds=rnd, stopped=stopped, simulation=res, formula_simulation=first)


def _additions(rnd: int, misses: TargetMisses, carry: np.ndarray) -> tuple[np.ndarray, list[_Change]]:
    """One agent for every interval that misses, and one for the interval before when a backlog was
    carried in (``carry``: contacts waiting at the start, on average) and it is not raised itself."""
    miss = misses.missed
    add = miss.astype(np.int64)
    new = []
    for j in np.flatnonzero(miss):
        new.append(_Change(rnd, int(j), misses.metric[j], misses.reason[j]))
        if j > 0 and not miss[j - 1] and carry[j] >= 1.0 and add[j - 1] == 0:
            add[j - 1] = 1
            new.append(_Change(rnd, int(j - 1), misses.metric[j],
                               f"carry-over: {carry[j]:.3g} contacts waiting on average at the "
                               f"start of interval {j}"))
    return add, new
