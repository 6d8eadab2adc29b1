"""Stages 3-5 of the plan: forecast -> requirements -> simulation check, per queue.

- :func:`forecast_queues`     forecast per queue (automatic model choice, prediction intervals);
- :func:`requirements_for`    agents per interval from the analytic queueing model;
- :func:`simulate_plan`       simulation check of the plan (and refinement where it misses), run
  as :class:`SimulationJob` s (one per block of consecutive open intervals, see
  :func:`open_blocks`) through :func:`core.map_jobs`.

These call ``forecast`` and ``simulation``; those packages never import this one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import QueueModel, Targets, check_number, map_jobs
from core.limits import check_simulation_size

from ..config import InputError, PlanConfig, QueueConfig
from ..progress import Progress
from .window import history_window

__all__ = [
    "forecast_queues",
    "queue_model",
    "queue_targets",
    "requirements_for",
    "scheduled_from",
    "interval_gaps",
    "open_blocks",
    "SimulationJob",
    "simulation_jobs",
    "simulate_block",
    "simulation_kwargs",
    "simulate_plan",
    "REQ_METRICS",
    "MAX_REFINE_ROUNDS",
]

REQ_METRICS = ("service_level", "asa_s", "p_wait", "abandon_rate", "occupancy", "agents_busy")


def forecast_queues(config: PlanConfig, histories: dict[str, pd.DataFrame], start, end,
                    progress: Progress | None = None) -> tuple[pd.DataFrame, dict]:
    """Forecast every queue over [start, end). Returns the long forecast and ``models`` info."""
    from forecast import forecast_volume

    frames, models = [], {}
    fc = config.forecast
    for name, q in config.queues.items():
        hist = history_window(histories[name], start, fc.history_weeks, name)
        try:
            result = forecast_volume(hist, start, end, model=fc.model, interval_s=config.interval_s, country=fc.country,
                                origins=fc.backtest_origins, horizon_days=fc.backtest_horizon_days,
                                opening_hours=q.hours)
        except ValueError as exc:
            raise InputError(f"queue {name}: forecast: {exc}") from None
        f = _full_grid(result.to_frame(), start, end, config.interval_s, config.timezone)
        f["queue"] = name
        aht_default = q.mean_handle_s
        if "aht_s" not in f or q.aht_col is None:
            f["aht_s"] = aht_default if aht_default is not None else np.nan
        if f["aht_s"].isna().any():
            fill = aht_default
            if fill is None and "aht_s" in hist:
                w = hist["volume"].to_numpy(float)
                a = hist["aht_s"].to_numpy(float)
                ok = np.isfinite(a) & (w > 0)
                fill = float((a[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else None
            if fill is None:
                raise InputError(f"queue {name}: no handle time for some forecast intervals; set queues.{name}.aht_s")
            f["aht_s"] = f["aht_s"].fillna(fill)
        backtest = result.report(name if name in result.reports else None).as_dict()
        chosen = sorted(set(map(str, f["model"].unique()))) if "model" in f else [fc.model]
        models[name] = {
            "model": chosen[0] if len(chosen) == 1 else chosen,
            "history_start": str(hist["interval_start"].min()),
            "history_end": str(hist["interval_start"].max()),
            "history_intervals": int(len(hist)),
            "backtest": _jsonable(backtest),
        }
        cols = ["queue", "interval_start", "volume", "volume_p10", "volume_p90", "aht_s", "model", "open_fraction"]
        for c in cols:
            if c not in f:
                f[c] = np.nan
        frames.append(f[cols])
        if progress is not None:
            progress.info(f"forecast {name}: model={models[name]['model']}", queue=name,
                          volume=round(float(f["volume"].sum()), 1))
    return pd.concat(frames, ignore_index=True), models


def _full_grid(f: pd.DataFrame, start, end, interval_s: int, tz) -> pd.DataFrame:
    """The forecast on every interval of [start, end): intervals the forecast leaves out (closed in
    the history) get volume 0 (they are also closed in the plan unless the opening hours say so)."""
    from forecast.grid import future_instants

    idx = future_instants(start, end, interval_s, tz)
    f = f.drop(columns=[c for c in ("queue",) if c in f]).copy()
    g = pd.DataFrame({"interval_start": idx})
    key = lambda s: (s.dt.tz_convert("UTC") if s.dt.tz is not None else s)  # noqa: E731
    g["_k"] = key(g["interval_start"])
    f["_k"] = key(pd.to_datetime(f["interval_start"])) if len(f) else pd.Series(dtype=g["_k"].dtype)
    out = g.merge(f.drop(columns=["interval_start"]), on="_k", how="left").drop(columns="_k")
    for c in ("volume", "volume_p10", "volume_p90"):
        if c in out:
            out[c] = out[c].fillna(0.0)
    if "model" in out and out["model"].notna().any():
        out["model"] = out["model"].fillna(out["model"].dropna().iloc[0])
    if "open_fraction" in out:
        out["open_fraction"] = out["open_fraction"].fillna(0.0)  # left out = closed
    return out


def _jsonable(obj):
    """A backtest report as plain JSON values (frames as records, NaN -> None, other objects as text)."""
    if obj is None:
        return None
    if isinstance(obj, pd.DataFrame):
        return json.loads(obj.to_json(orient="records", date_format="iso"))
    if isinstance(obj, pd.Series):
        return json.loads(obj.to_json(date_format="iso"))
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (str, int, bool)):
        return obj
    return str(obj)


def queue_model(q: QueueConfig, aht_s: float | None = None) -> QueueModel:
    """The queue's ``core.QueueModel`` (``aht_s`` overrides the configured AHT)."""
    return q.model if aht_s is None else q.model.with_values(aht_s=aht_s)


def queue_targets(q: QueueConfig) -> Targets:
    """The queue's ``core.Targets`` (its targets and maximum occupancy)."""
    return q.targets


def requirements_for(q: QueueConfig, forecast: pd.DataFrame, interval_s: int) -> pd.DataFrame:
    """Agents per interval for one queue's forecast (columns interval_start, volume, aht_s, and
    optionally the forecast's open_fraction).

    Closed intervals (opening hours) get zero agents and no predicted metrics. A partial interval
    (``open_fraction`` f < 1, e.g. 21:00-21:30 of a day ending at 21:05) is staffed for its volume
    arriving in its f x interval_s open seconds, not spread over the whole interval.
    """
    from simulation import required_agents

    f = forecast.reset_index(drop=True)
    open_ = q.hours.mask(f["interval_start"], interval_s)
    vol = np.clip(f["volume"].to_numpy(float), 0.0, None)
    frac = f["open_fraction"].to_numpy(float) if "open_fraction" in f else np.ones(len(f))
    # the whole-interval volume at the open minutes' rate: required_agents takes contacts per interval
    rate_vol = np.where((frac > 0) & (frac < 1), vol / np.where(frac > 0, frac, 1.0), vol)
    aht = f["aht_s"].to_numpy(float)
    out = pd.DataFrame({"queue": q.name, "interval_start": f["interval_start"], "open": open_,
                        "volume": np.where(open_, vol, 0.0), "aht_s": aht})
    n = len(f)
    agents = np.zeros(n, dtype=np.int64)
    scheduled = np.zeros(n, dtype=np.int64)
    metrics = {m: np.full(n, np.nan) for m in REQ_METRICS}
    if open_.any():
        try:
            res = required_agents(rate_vol[open_], interval_s, queue_model(q), queue_targets(q), aht_s=aht[open_],
                                  shrinkage=q.shrinkage, min_agents=q.min_agents)
        except ValueError as exc:
            raise InputError(f"queue {q.name}: requirements: {exc}") from None
        agents[open_] = np.asarray(res.agents, dtype=np.int64)
        scheduled[open_] = np.asarray(res.scheduled, dtype=np.int64)
        for m in REQ_METRICS:
            v = getattr(res, m, None)
            if v is not None:
                metrics[m][open_] = np.asarray(v, dtype=float)
    out["agents_analytic"] = agents
    out["agents"] = agents.copy()
    out["scheduled"] = scheduled
    for m in REQ_METRICS:
        out[m] = metrics[m]
    return out


def scheduled_from(agents: np.ndarray, shrinkage: float) -> np.ndarray:
    """Scheduled agents = ceil(agents / (1 - shrinkage)) (tolerant of float noise)."""
    a = np.asarray(agents, dtype=float)
    return np.ceil(a / (1.0 - shrinkage) - 1e-9).astype(np.int64)


def interval_gaps(interval_start: pd.Series, interval_s: int) -> np.ndarray:
    """True at row i when row i does not follow row i-1 by exactly ``interval_s`` seconds (row 0:
    False); aware times are compared in UTC, so a DST change is no gap."""
    ts = pd.to_datetime(pd.Series(interval_start)).reset_index(drop=True)
    if ts.dt.tz is not None:
        ts = ts.dt.tz_convert("UTC")
    step = ts.diff().dt.total_seconds().to_numpy()
    gap = step != interval_s
    if len(gap):
        gap[0] = False
    return gap


def open_blocks(open_: np.ndarray, gaps: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Runs of consecutive open intervals (True in ``open_``; not crossing a time gap, see
    :func:`interval_gaps`) as ``[i, j)`` index pairs."""
    blocks, i, n = [], 0, len(open_)
    gaps = np.zeros(n, dtype=bool) if gaps is None else gaps
    while i < n:
        if open_[i]:
            j = i + 1
            while j < n and open_[j] and not gaps[j]:
                j += 1
            blocks.append((i, j))
            i = j
        else:
            i += 1
    return blocks


def _block_seed(seed: int, queue_index: int, block: int) -> int:
    return int(np.random.SeedSequence([seed, queue_index, block]).generate_state(1)[0])


@dataclass(frozen=True)
class SimulationJob:
    """One block of consecutive open intervals of one queue, to simulate (see :func:`simulate_block`).

    ``block``: the plan rows (``interval_start``, ``volume`` contacts per interval, ``aht_s``
    seconds, ``agents``); ``interval_s``: interval length, seconds; ``replications``: independent
    runs; ``rate_cv``: per-replication busyness CV; ``seed``: this block's own seed, derived from
    (``[simulation] seed``, queue, block); ``refine``: add agents where a target is missed.
    """

    queue: QueueConfig
    block: pd.DataFrame
    interval_s: int
    replications: int
    rate_cv: float
    seed: int
    refine: bool


def simulation_jobs(config: PlanConfig, requirements: pd.DataFrame, *, refine: bool | None = None,
                    days: int | None = None, queues=None) -> list[SimulationJob]:
    """The simulation work of a plan: one job per block of consecutive open intervals per queue.

    Each job carries its own seed derived from (``[simulation] seed``, queue, block), so results do
    not depend on how the jobs are run; :func:`simulate_block` runs one.
    """
    sc = config.simulation
    refine = sc.refine if refine is None else refine
    days = sc.days if days is None else days
    jobs = []
    for qi, (name, q) in enumerate(config.queues.items()):
        if queues is not None and name not in queues:
            continue
        r = requirements[requirements["queue"] == name].reset_index(drop=True)
        if days:
            first = pd.Timestamp(r["interval_start"].min())
            r = r[r["interval_start"] < first + pd.Timedelta(days=days)].reset_index(drop=True)
        open_ = r["open"].to_numpy(bool).copy()
        for bi, (i, j) in enumerate(open_blocks(open_, interval_gaps(r["interval_start"], config.interval_s))):
            blk = r.iloc[i:j][["interval_start", "volume", "aht_s", "agents"]].reset_index(drop=True)
            jobs.append(SimulationJob(queue=q, block=blk, interval_s=config.interval_s,
                                      replications=sc.replications, rate_cv=sc.rate_cv,
                                      seed=_block_seed(sc.seed, qi, bi), refine=refine))
    return jobs


def simulate_plan(config: PlanConfig, requirements: pd.DataFrame, progress: Progress | None = None,
                  *, refine: bool | None = None, days: int | None = None, workers: int | None = None,
                  queues=None, on_block=None) -> pd.DataFrame:
    """Simulate each queue's plan and, with ``refine``, add agents where the simulation shows a
    target missed.

    The plan is simulated one block of consecutive open intervals at a time (arrivals stop at
    closing and the last staffing level drains the queue). Refinement: an interval misses a target
    when the simulated metric's 95% confidence bound is on the wrong side of it (service level
    ``_hi`` below target; ASA, P(wait), abandonment, occupancy ``_lo`` above); such intervals get
    one more agent (and the interval before, when a backlog was carried in) and the block is
    simulated again with the same seed (common random numbers), at most ``MAX_REFINE_ROUNDS`` times.
    Agents are never removed.

    Returns per interval: ``queue, interval_start``, the simulator's metrics (with ``_lo``/``_hi``
    bounds), ``agents_plan`` (analytic) and ``agents_final`` (simulated plan). Reproducible from
    ``[simulation] seed``: each block gets a seed derived from (seed, queue, block), so the result
    does not depend on ``workers`` (blocks run through :func:`core.map_jobs` in a process pool of
    ``workers`` processes; default: CPU count; 1: in this process). ``queues`` limits the run to
    some queues; ``on_block(done, total)`` is called after each block (the blocks then run one by
    one in this process).
    """
    workers = check_number("workers", workers, minimum=1, integer=True, allow_none=True)
    jobs = simulation_jobs(config, requirements, refine=refine, days=days, queues=queues)
    for job in jobs:  # refuse up front what the simulator cannot hold, before any block runs
        try:
            check_simulation_size(job.block["volume"].to_numpy(float) / job.interval_s,
                                  job.block["agents"].to_numpy(np.int64), job.interval_s, job.replications)
        except ValueError as exc:
            raise InputError(f"queue {job.queue.name}: simulation of the block from "
                             f"{job.block['interval_start'].iloc[0]}: {exc}; lower [simulation] replications or "
                             "days (or disable it)") from None
    if not jobs:
        return pd.DataFrame(columns=["queue", "interval_start", "agents_plan", "agents_final"])
    if on_block is None:
        frames = map_jobs(simulate_block, jobs, executor=workers)
    else:
        frames = []
        for n, job in enumerate(jobs, 1):
            frames.append(simulate_block(job))
            on_block(n, len(jobs))
    out = pd.concat(frames, ignore_index=True)
    if progress is not None:
        added = int((out["agents_final"] - out["agents_plan"]).sum())
        progress.info(f"simulated {len(jobs)} open blocks; refinement added {added} agent-intervals",
                      blocks=len(jobs), agents_added=added)
    return out


MAX_REFINE_ROUNDS = 4  # agents added at most this many times per block (one per round)


def simulate_block(job: SimulationJob) -> pd.DataFrame:
    """Simulate one block of open intervals (a :class:`SimulationJob`); with ``job.refine``, raise
    its staffing by simulation.

    Refinement is :func:`simulation.refine_staffing` started from the analytic plan: one agent
    more where a target is missed with 95% confidence (and in the interval before when a backlog was
    carried in), re-simulated with the same seed, at most ``MAX_REFINE_ROUNDS`` times.
    Returns per interval ``queue, interval_start``, the simulator's numeric metrics,
    ``agents_plan`` and ``agents_final``.
    """
    from simulation import RefineSettings, RunSettings, refine_staffing, simulate

    q, blk, interval_s = job.queue, job.block, job.interval_s
    replications, rate_cv, seed = job.replications, job.rate_cv, job.seed
    rate_per_h = blk["volume"].to_numpy(float) * 3600.0 / interval_s
    plan = blk["agents"].to_numpy(np.int64)
    kw = simulation_kwargs(q, blk)
    run = RunSettings(replications=replications, seed=seed, rate_cv=rate_cv, executor="serial")
    if job.refine:
        res = refine_staffing(rate_per_h, interval_s, start_agents=plan, shrinkage=q.shrinkage, settings=run,
                              search=RefineSettings(max_rounds=MAX_REFINE_ROUNDS + 1), **kw)
        by, agents = res.simulation.by_interval.reset_index(drop=True), res.agents
    else:
        result = simulate(rate_per_h, plan, interval_s, settings=run, **kw)
        by, agents = result.by_interval.reset_index(drop=True), plan
    drop = [c for c in ("interval", "interval_start", "queue", "start_s") if c in by.columns]
    by = by.drop(columns=drop)
    by = by[[c for c in by.columns if pd.api.types.is_numeric_dtype(by[c])]]
    out = pd.DataFrame({"queue": q.name, "interval_start": blk["interval_start"].to_numpy()})
    out = pd.concat([out, by.iloc[: len(out)].reset_index(drop=True)], axis=1)
    out["agents_plan"] = plan
    out["agents_final"] = np.asarray(agents, dtype=np.int64)
    return out


def simulation_kwargs(q: QueueConfig, blk: pd.DataFrame) -> dict:
    """Keyword arguments of ``simulation.simulate`` for a queue and a block of its plan (exponential
    handle times with the block's mean AHT, scaled to each interval's; exponential patience)."""
    aht = blk["aht_s"].to_numpy(float)
    mean_s = float(np.average(aht, weights=np.maximum(blk["volume"].to_numpy(float), 1e-9)))
    return dict(
        queue=queue_model(q, aht_s=mean_s),
        targets=queue_targets(q),
        service_scale=aht / mean_s,  # the forecast AHT of each interval, not only the block mean
    )
