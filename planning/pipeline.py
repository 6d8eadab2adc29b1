"""The planning pipeline: history -> forecast -> requirements -> simulation check -> headcount.

``run_plan(config)`` does the whole chain for every queue of a plan, stores the run (one
transaction) and exports its tables. Each stage is also usable on its own:

- :func:`load_histories`      read, validate and resample each queue's history (+ fingerprints);
- :func:`plan_window`         the forecast start (``as_of``), end and the history window;
- :func:`forecast_queues`     forecast per queue (automatic model choice, prediction intervals);
- :func:`requirements_for`    agents per interval from the analytic queueing model;
- :func:`simulate_plan`       simulation check of the plan (and refinement where it misses);
- :func:`headcount` (module ``planning.headcount``) FTE per queue and week.

The stage functions call ``forecast`` and ``simulation``; those packages never import this one.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from core import QueueModel
from core import Targets as CoreTargets
from .config import InputError, PlanConfig, QueueConfig, load_config
from .exports import export_run
from .headcount import headcount, per_full_week
from .progress import Progress
from .store import RunRecord, RunStore, resolve_store_url, run_key

__all__ = [
    "PlanResult",
    "run_plan",
    "load_histories",
    "read_queue_history",
    "plan_window",
    "forecast_queues",
    "requirements_for",
    "simulate_plan",
    "data_fingerprint",
    "file_sha256",
]

REQ_METRICS = ("service_level", "asa_s", "p_wait", "abandon_rate", "occupancy", "agents_busy")


# --------------------------------------------------------------------------- history


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def data_fingerprint(files: dict[str, str]) -> str:
    """One hash over the per-queue file hashes."""
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """One hash over the source of the forecast, simulation and planning packages: a stored run is
    reused only when the code that would recompute it is the same."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for pkg in ("forecast", "simulation", "planning"):
        for path in sorted((root / pkg).glob("*.py")):
            h.update(f"{pkg}/{path.name}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _read_raw(path: Path, time_col: str) -> pd.DataFrame:
    """The history file as read_history would read it, with plain ISO times parsed once (fast).

    Anything unusual (offsets, other formats, bad values) is left as text for read_history to
    check and report with row numbers."""
    if not path.is_file():
        raise ValueError("history file not found")
    if path.stat().st_size == 0:
        raise ValueError("empty file; expected a CSV or Parquet history with a header row")
    if path.suffix.lower() in (".parquet", ".pq"):
        return pd.read_parquet(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError as exc:
        raise ValueError(f"empty file; expected a CSV with a header row ({exc})") from None
    if time_col in raw:
        text = raw[time_col].str.strip()
        if not text.str.contains(r"(?:[+-]\d\d:?\d\d|Z)$", regex=True).any():
            ts = pd.to_datetime(text, errors="coerce", format="ISO8601")
            if not ts.isna().any():
                raw[time_col] = ts
    return raw


def _localize_wall_clock(frame: pd.DataFrame, time_col: str, tz: str, time_format: str | None = None
                         ) -> tuple[pd.DataFrame, dict]:
    """Place naive wall-clock times that ignore DST (one row per wall-clock slot every day, as in
    the bundled bank file) into ``tz``: times skipped at the spring change are dropped, the repeated
    autumn hour (present once) is read as summer time. Returns the frame and what was done."""
    ts = frame[time_col]
    if not pd.api.types.is_datetime64_any_dtype(ts):
        ts = pd.to_datetime(ts, format=time_format or "ISO8601")
    loc = pd.DatetimeIndex(ts).tz_localize(tz, ambiguous=np.ones(len(ts), dtype=bool), nonexistent="NaT")
    missing = np.asarray(loc.isna())
    out = frame.loc[~missing].copy()
    out[time_col] = loc[~missing]
    return out, {"dropped_nonexistent": int(missing.sum())}


def read_queue_history(q: QueueConfig, interval_s: int, tz: str | None, progress: Progress | None = None) -> pd.DataFrame:
    """Read one queue's history (validated by ``forecast.read_history``), at the plan interval."""
    from forecast.history import read_history, resample_history

    kw = dict(time_col=q.time_col, volume_col=q.volume_col, aht_col=q.aht_col,
              queue_col=q.queue_col, time_format=q.time_format)
    src = q.history
    zone = q.history_tz or tz
    try:
        raw = _read_raw(src, q.time_col)
        try:
            hist = read_history(raw, tz=zone, **kw)
        except ValueError as exc:
            if not zone or "cannot be placed in zone" not in str(exc):
                raise
            # Naive wall-clock file that ignores DST changes: localize here, say what was done.
            raw, info = _localize_wall_clock(raw, q.time_col, zone, q.time_format)
            if progress is not None:
                progress.warn(f"queue {q.name}: history times ignore daylight saving in {zone}; "
                              f"{info['dropped_nonexistent']} rows at non-existent times dropped, "
                              "repeated hour read as summer time", queue=q.name)
            hist = read_history(raw, tz=zone, **kw)
            hist.attrs["dst_fix"] = info
    except ValueError as exc:
        raise InputError(f"queue {q.name}: history {src}: {str(exc).replace('<DataFrame>', str(src))}") from None
    if zone is None and hist["interval_start"].dt.tz is not None:
        # one fixed UTC offset in the file (read_history refuses several without a zone): the plan
        # has no zone, so it works in the file's own wall-clock time
        attrs = dict(hist.attrs)
        hist["interval_start"] = hist["interval_start"].dt.tz_localize(None)
        hist.attrs = attrs
    if q.queue_col is not None and q.queue_value is not None:
        hist = hist[hist["queue"] == q.queue_value].reset_index(drop=True)
        if hist.empty:
            raise InputError(f"queue {q.name}: history {src} has no rows with {q.queue_col} == {q.queue_value!r}")
    if "queue" in hist:
        if hist["queue"].nunique() > 1:
            raise InputError(f"queue {q.name}: history {src} holds several queues "
                             f"({', '.join(map(str, hist['queue'].unique()[:5]))}); set queue_value")
        hist = hist.drop(columns="queue")
    src_s = int(hist.attrs["interval_s"])
    if src_s > interval_s:
        raise InputError(f"queue {q.name}: history {src} has {src_s // 60}-minute intervals, longer than "
                         f"the plan's {interval_s // 60} minutes; expected plan.interval_min >= {src_s // 60}")
    if interval_s % src_s:
        raise InputError(f"queue {q.name}: history interval {src_s} s does not divide the plan interval {interval_s} s")
    attrs = dict(hist.attrs)
    if src_s != interval_s:
        hist = resample_history(hist, interval_s)
    hist.attrs.update(attrs)
    hist.attrs["interval_s"] = interval_s
    hist.attrs["source_interval_s"] = src_s
    return hist


def load_histories(config: PlanConfig, progress: Progress | None = None) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Every queue's history at the plan interval, and the sha256 of each history file."""
    hist, files = {}, {}
    for name, q in config.queues.items():
        files[name] = file_sha256(q.history)
        hist[name] = read_queue_history(q, config.interval_s, config.timezone, progress)
        if progress is not None:
            for message in history_warnings(hist[name], q, config.interval_s):
                progress.warn(f"queue {name}: {message}", queue=name)
    return hist, files


OUTLIER_FACTOR = 10.0  # an interval above this multiple of the queue's 99th percentile is suspicious


def history_warnings(history: pd.DataFrame, q: QueueConfig, interval_s: int) -> list[str]:
    """What a planner should know before trusting a plan from this history (nothing is changed):
    intervals far above the queue's usual peak (a typo or a system dump?), contacts in hours the
    configuration closes (they get no forecast and no staff), and whole days missing on weekdays
    that are usually open."""
    out = []
    vol = history["volume"].to_numpy(float)
    ts = history["interval_start"]
    positive = vol[vol > 0]
    if positive.size >= 20:
        cap = OUTLIER_FACTOR * max(float(np.quantile(positive, 0.99)), 1.0)
        big = np.flatnonzero(vol > cap)
        if big.size:
            shown = ", ".join(f"{ts.iloc[i]} ({vol[i]:,.0f})" for i in big[:3])
            out.append(f"{big.size} interval(s) above {OUTLIER_FACTOR:g} x the 99th percentile ({cap:,.0f} contacts): "
                       f"{shown}{' ...' if big.size > 3 else ''}; check the history, they drive the forecast")
    wall = ts.dt.tz_localize(None) if ts.dt.tz is not None else ts
    minute = (wall.dt.hour * 60 + wall.dt.minute).to_numpy()
    dow = wall.dt.day_of_week.to_numpy()
    open_ = np.zeros(len(vol), bool)
    for d, ranges in enumerate(q.hours.by_weekday):
        on_day = dow == d
        for a, b in ranges:
            open_ |= on_day & (minute >= a) & (minute < b)
    total = vol.sum()
    closed = vol[~open_].sum()
    if total > 0 and closed / total > 0.005:
        out.append(f"{closed / total:.1%} of the history's contacts ({closed:,.0f}) arrived in hours the "
                   "configuration closes; they get no forecast and no staff (check the queue's hours)")
    # whole days without a row on a weekday that usually has rows: a gap in the data, read as closed
    seen_days = pd.DatetimeIndex(wall.dt.normalize().unique())
    span = pd.date_range(seen_days.min(), seen_days.max(), freq="D")
    usual = pd.Series(seen_days.day_of_week).value_counts() / pd.Series(span.day_of_week).value_counts()
    missing = span[~span.isin(seen_days) & (usual.reindex(span.day_of_week).fillna(0).to_numpy() >= 0.5)]
    if len(missing):
        shown = ", ".join(f"{d:%Y-%m-%d}" for d in missing[:5])
        out.append(f"{len(missing)} day(s) without any row although that weekday is usually open: {shown}"
                   f"{' ...' if len(missing) > 5 else ''}; they are read as closed (a gap in the data?)")
    return out


# --------------------------------------------------------------------------- window


def _local_midnight(day: dt.date, tz: str | None) -> pd.Timestamp:
    ts = pd.Timestamp(day)
    if tz:
        ts = ts.tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
    return ts


def plan_window(config: PlanConfig, histories: dict[str, pd.DataFrame], as_of: dt.date | None = None,
                progress: Progress | None = None):
    """``(start, end, as_of_date)``: the forecast horizon [start, end) in plan time.

    ``as_of`` (argument, else ``[forecast] as_of``, else the day after the earliest queue's last
    history day) is the first forecast day; the history used is the ``history_weeks`` before it.
    """
    tz = config.timezone
    as_of = as_of or config.forecast.as_of
    if as_of is None:
        firsts = {n: _first_day_to_forecast(h, config.interval_s) for n, h in histories.items()}
        as_of = min(firsts.values())
        late = {n: d for n, d in firsts.items() if d > as_of}
        if late and progress is not None:
            ahead = ", ".join(f"{n} (history to {d - dt.timedelta(days=1)})" for n, d in late.items())
            progress.warn(f"the plan starts on {as_of}, after the history that ends first; newer data of "
                          f"{ahead} is not used (set forecast.as_of to choose the start)")
    start = _local_midnight(as_of, tz)
    end = _local_midnight(as_of + dt.timedelta(days=config.forecast.horizon_days), tz)
    return start, end, as_of


def _first_day_to_forecast(history: pd.DataFrame, interval_s: int) -> dt.date:
    """The day after the history's last day; that last day itself when it stopped early (its last
    row before the latest time of day seen on the same weekday): a partial day is forecast again.
    Rows only in open hours are complete days (closed is not zero)."""
    ts = history["interval_start"]
    wall = ts.dt.tz_localize(None) if ts.dt.tz is not None else ts
    last = wall.max()
    tod_s = (wall - wall.dt.normalize()).dt.total_seconds()
    same_weekday = (wall.dt.day_of_week == last.day_of_week).to_numpy()
    latest_s = tod_s[same_weekday].max()
    last_s = (last - last.normalize()).total_seconds()
    day = last.date()
    return day if last_s < latest_s else day + dt.timedelta(days=1)


def history_window(history: pd.DataFrame, start: pd.Timestamp, weeks: int | None, queue: str) -> pd.DataFrame:
    ts = history["interval_start"]
    mask = ts < start
    if weeks:
        mask &= ts >= start - pd.Timedelta(weeks=weeks)
    out = history.loc[mask].reset_index(drop=True)
    out.attrs.update(history.attrs)
    if out.empty:
        first, last = ts.min(), ts.max()
        if start <= first:
            hint = "expected forecast.as_of after the history starts"
        else:
            hint = (f"the start is more than forecast.history_weeks = {weeks} weeks after the history ends; "
                    "expected forecast.as_of (--as-of) closer to the history, or more history_weeks")
        raise InputError(f"queue {queue}: no history before the forecast start {start} "
                         f"(history covers {first} .. {last}); {hint}")
    return out


# --------------------------------------------------------------------------- forecast


def forecast_queues(config: PlanConfig, histories: dict[str, pd.DataFrame], start, end,
                    progress: Progress | None = None) -> tuple[pd.DataFrame, dict]:
    """Forecast every queue over [start, end). Returns the long forecast and ``models`` info."""
    from forecast import forecast_volume

    frames, models = [], {}
    fc = config.forecast
    for name, q in config.queues.items():
        hist = history_window(histories[name], start, fc.history_weeks, name)
        kwargs = dict(model=fc.model, interval_s=config.interval_s, country=fc.country)
        extra = _optional_forecast_kwargs(forecast_volume, config, q)
        try:
            result = forecast_volume(hist, start, end, **kwargs, **extra)
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
        cols = ["queue", "interval_start", "volume", "volume_p10", "volume_p90", "aht_s", "model"]
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
    return out


def _optional_forecast_kwargs(fn, config: PlanConfig, q: QueueConfig) -> dict:
    """Pass backtest settings / opening hours only if ``forecast_volume`` accepts them."""
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}
    fc = config.forecast
    wanted = {
        "origins": fc.backtest_origins,
        "horizon_days": fc.backtest_horizon_days,
        "opening_hours": _hours_for_forecast(q),
    }
    return {k: v for k, v in wanted.items() if k in params}


def _hours_for_forecast(q: QueueConfig):
    return q.hours  # one open-interval rule: forecast takes core.OpeningHours directly


def _jsonable(obj):
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


# --------------------------------------------------------------------------- requirements


def queue_model(q: QueueConfig, aht_s: float | None = None) -> QueueModel:
    """The queue's ``core.QueueModel`` (``aht_s`` overrides the configured AHT)."""
    return q.model if aht_s is None else q.model.with_values(aht_s=aht_s)


def queue_targets(q: QueueConfig) -> CoreTargets:
    """The queue's ``core.Targets`` (its targets and maximum occupancy)."""
    return q.targets


def requirements_for(q: QueueConfig, forecast: pd.DataFrame, interval_s: int) -> pd.DataFrame:
    """Agents per interval for one queue's forecast (columns interval_start, volume, aht_s).

    Closed intervals (opening hours) get zero agents and no predicted metrics.
    """
    from simulation import required_agents

    f = forecast.reset_index(drop=True)
    open_ = q.hours.mask(f["interval_start"], interval_s)
    vol = np.clip(f["volume"].to_numpy(float), 0.0, None)
    aht = f["aht_s"].to_numpy(float)
    out = pd.DataFrame({"queue": q.name, "interval_start": f["interval_start"], "open": open_,
                        "volume": np.where(open_, vol, 0.0), "aht_s": aht})
    n = len(f)
    agents = np.zeros(n, dtype=np.int64)
    scheduled = np.zeros(n, dtype=np.int64)
    metrics = {m: np.full(n, np.nan) for m in REQ_METRICS}
    if open_.any():
        try:
            res = required_agents(vol[open_], interval_s, queue_model(q), queue_targets(q), aht_s=aht[open_],
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


# --------------------------------------------------------------------------- simulation


def _gaps(interval_start: pd.Series, interval_s: int) -> np.ndarray:
    """True at row i when row i does not follow row i-1 by exactly one interval."""
    ts = pd.to_datetime(pd.Series(interval_start)).reset_index(drop=True)
    if ts.dt.tz is not None:
        ts = ts.dt.tz_convert("UTC")
    step = ts.diff().dt.total_seconds().to_numpy()
    gap = step != interval_s
    if len(gap):
        gap[0] = False
    return gap


def _open_blocks(open_: np.ndarray, gaps: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Runs of consecutive open intervals (not crossing a time gap) as [i, j) index pairs."""
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


def simulation_jobs(config: PlanConfig, requirements: pd.DataFrame, *, refine: bool | None = None,
                    days: int | None = None, queues=None) -> list[tuple]:
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
        for bi, (i, j) in enumerate(_open_blocks(open_, _gaps(r["interval_start"], config.interval_s))):
            blk = r.iloc[i:j][["interval_start", "volume", "aht_s", "agents"]].reset_index(drop=True)
            jobs.append((config.interval_s, q, sc.replications, sc.rate_cv, blk,
                         _block_seed(sc.seed, qi, bi), refine))
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
    does not depend on ``workers`` (blocks run in a process pool when ``workers`` > 1; default:
    CPU count). ``queues`` limits the run to some queues; ``on_block(done, total)`` is called after
    each block (the blocks then run one by one in this process).
    """
    jobs = simulation_jobs(config, requirements, refine=refine, days=days, queues=queues)
    if not jobs:
        return pd.DataFrame(columns=["queue", "interval_start", "agents_plan", "agents_final"])
    workers = workers if workers is not None else (os.cpu_count() or 1)
    workers = max(1, min(workers, len(jobs)))
    if workers == 1 or on_block is not None:
        frames = []
        for n, job in enumerate(jobs, 1):
            frames.append(simulate_block(job))
            if on_block is not None:
                on_block(n, len(jobs))
    else:
        import concurrent.futures as cf

        with cf.ProcessPoolExecutor(max_workers=workers) as pool:
            frames = list(pool.map(simulate_block, jobs, chunksize=max(1, len(jobs) // (4 * workers))))
    out = pd.concat(frames, ignore_index=True)
    if progress is not None:
        added = int((out["agents_final"] - out["agents_plan"]).sum())
        progress.info(f"simulated {len(jobs)} open blocks; refinement added {added} agent-intervals",
                      blocks=len(jobs), agents_added=added)
    return out


MAX_REFINE_ROUNDS = 4  # agents added at most this many times per block (one per round)


def simulate_block(job: tuple) -> pd.DataFrame:
    """Run one job of :func:`simulation_jobs`."""
    return _simulate_block(*job)


def _simulate_block(interval_s: int, q: QueueConfig, replications: int, rate_cv: float, blk: pd.DataFrame,
                    seed: int, refine: bool) -> pd.DataFrame:
    """Simulate one block of open intervals; with ``refine``, raise it by simulation.

    Refinement is :func:`simulation.refine_staffing` started from the analytic plan: one agent
    more where a target is missed with 95% confidence (and in the interval before when a backlog was
    carried in), re-simulated with the same seed, at most ``MAX_REFINE_ROUNDS`` times.
    """
    from simulation import RefineSettings, RunSettings, refine_staffing, simulate

    rate_per_h = blk["volume"].to_numpy(float) * 3600.0 / interval_s
    plan = blk["agents"].to_numpy(np.int64)
    kw = simulation_kwargs(q, blk)
    run = RunSettings(replications=replications, seed=seed, rate_cv=rate_cv, executor="serial")
    if refine:
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


# --------------------------------------------------------------------------- the run


@dataclass
class PlanResult:
    run_id: str
    reused: bool
    run_key: str
    config: PlanConfig
    store_url: str | None
    as_of: dt.date | None = None
    horizon_start: pd.Timestamp | None = None
    horizon_end: pd.Timestamp | None = None
    forecast: pd.DataFrame | None = None
    requirements: pd.DataFrame | None = None
    simulation: pd.DataFrame | None = None
    headcount: pd.DataFrame | None = None
    models: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    exports: list = field(default_factory=list)
    export_dir: Path | None = None


def new_run_id() -> str:
    now = dt.datetime.now(dt.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def run_plan(
    config: PlanConfig | str | Path,
    *,
    store: RunStore | str | None = None,
    save: bool = True,
    force: bool = False,
    as_of: dt.date | None = None,
    simulate: bool | None = None,
    export: bool = True,
    out_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> PlanResult:
    """Run the whole plan. Returns a :class:`PlanResult`.

    If ``save`` and a run with the same configuration and the same input data is already in the
    store, nothing is computed and that run is returned (``reused=True``) unless ``force``.
    ``as_of`` and ``simulate`` override the config (and so are part of the run's identity).
    """
    t_all = time.perf_counter()
    if not isinstance(config, PlanConfig):
        config = load_config(config)
    overrides = {}
    if as_of is not None:
        overrides["forecast"] = {"as_of": as_of}
    if simulate is not None:
        overrides["simulation"] = {"enabled": bool(simulate)}
    if overrides:
        config = config.with_overrides(**overrides)
    sim_on = config.simulation.enabled
    steps = 5 + int(sim_on) + int(save) + int(export)
    progress = progress or Progress(fmt="quiet")
    progress.total = steps

    own_store = False
    url = None
    if save:
        if not isinstance(store, RunStore):
            store = RunStore(resolve_store_url(store, config.store))
            own_store = True
        url = store.url
    try:
        with progress.step("history", "read history"):
            histories, files = load_histories(config, progress)
            fingerprint = data_fingerprint(files)
            key = run_key(config.config_hash(), fingerprint, code_fingerprint())
        if save and not force:
            existing = store.find_run(key)
            if existing is not None:
                progress.info(f"identical run already stored: {existing} (same config, data and code; --force "
                              "recomputes)", run_id=existing)
                result = _stored_result(store, existing, key, config)
                if export:
                    _export(result, out_dir, progress)
                return result

        start, end, as_of_d = plan_window(config, histories, progress=progress)
        with progress.step("forecast", "forecast"):
            fc, models = forecast_queues(config, histories, start, end, progress)
        with progress.step("requirements", "requirements (analytic)"):
            req = pd.concat([requirements_for(q, fc[fc["queue"] == n], config.interval_s)
                             for n, q in config.queues.items()], ignore_index=True)
        sim = None
        if sim_on:
            with progress.step("simulation", "simulation check" + (" + refinement" if config.simulation.refine else "")):
                sim = simulate_plan(config, req, progress)
            if config.simulation.refine and len(sim):
                req = _apply_refinement(config, req, sim)
        with progress.step("headcount", "headcount"):
            hc = headcount(req, interval_s=config.interval_s,
                           shrinkage={n: q.shrinkage for n, q in config.queues.items()},
                           paid_hours_per_week=config.headcount.paid_hours_per_week,
                           week_start=config.week_start)
        summary = _summary(config, req, sim, hc)
        run_id = new_run_id()
        result = PlanResult(run_id=run_id, reused=False, run_key=key, config=config, store_url=url, as_of=as_of_d,
                            horizon_start=start, horizon_end=end, forecast=fc, requirements=req, simulation=sim,
                            headcount=hc, models=models, timings=progress.timings, summary=summary)
        if save:
            with progress.step("store", "store run"):
                record = RunRecord(
                    run_id=run_id, run_key=key, plan_name=config.name, config_hash=config.config_hash(),
                    config=config.raw, data_fingerprint=fingerprint,
                    inputs={n: {"path": str(config.queues[n].history), "sha256": s} for n, s in files.items()},
                    timezone=config.timezone, interval_s=config.interval_s, as_of=as_of_d.isoformat(),
                    horizon_start=start.isoformat(), horizon_end=end.isoformat(), models=models,
                    timings=dict(progress.timings), summary=summary,
                    forecast=fc, requirements=req, simulation=sim, headcount=hc,
                )
                stored_id, reused = store.save_run(record, force=force)
            if reused:  # an identical run was stored meanwhile by another process
                progress.info(f"identical run stored meanwhile by another process: {stored_id}", run_id=stored_id)
                result.run_id, result.reused = stored_id, True
        if export:
            _export(result, out_dir, progress)
        result.timings = dict(progress.timings)
        result.timings["total"] = time.perf_counter() - t_all
        return result
    finally:
        if own_store:
            store.close()


def _stored_result(store: RunStore, run_id: str, key: str, config: PlanConfig) -> PlanResult:
    """A stored run as a :class:`PlanResult` (reused=True): its tables, summary and window."""
    meta = store.get_run(run_id)
    tables = {name: store.load_frame(run_id, name) for name in ("forecast", "requirements", "simulation", "headcount")}
    sim = tables["simulation"]
    return PlanResult(
        run_id=meta["run_id"], reused=True, run_key=key, config=config, store_url=store.url,
        as_of=dt.date.fromisoformat(meta["as_of"]) if meta.get("as_of") else None,
        horizon_start=pd.Timestamp(meta["horizon_start"]) if meta.get("horizon_start") else None,
        horizon_end=pd.Timestamp(meta["horizon_end"]) if meta.get("horizon_end") else None,
        forecast=tables["forecast"], requirements=tables["requirements"],
        simulation=None if sim.empty else sim, headcount=tables["headcount"],
        models=meta.get("models") or {}, summary=meta.get("summary") or {})


def _export(result: PlanResult, out_dir, progress: Progress) -> None:
    base = Path(out_dir) if out_dir is not None else (result.config.output_dir or Path("out"))
    result.export_dir = base / result.run_id
    with progress.step("export", "export CSV + Parquet"):
        tables = {"forecast": result.forecast, "requirements": result.requirements,
                  "simulation": result.simulation, "headcount": result.headcount}
        result.exports = export_run(tables, result.export_dir)


def _apply_refinement(config: PlanConfig, req: pd.DataFrame, sim: pd.DataFrame) -> pd.DataFrame:
    req = req.copy()
    key = sim[["queue", "interval_start", "agents_final"]]
    m = req.merge(key, on=["queue", "interval_start"], how="left")
    final = m["agents_final"].to_numpy(float)
    has = np.isfinite(final)
    req.loc[has, "agents"] = final[has].astype(np.int64)
    for name, q in config.queues.items():
        sel = (req["queue"] == name).to_numpy() & has
        req.loc[sel, "scheduled"] = scheduled_from(req.loc[sel, "agents"].to_numpy(), q.shrinkage)
    return req


def _summary(config: PlanConfig, req: pd.DataFrame, sim: pd.DataFrame | None, hc: pd.DataFrame) -> dict:
    out = {"queues": list(config.queues), "fte_total": None, "by_queue": {}}
    fte_week = per_full_week(hc)
    out["fte_total"] = round(float(fte_week.sum()), 2)
    for name in config.queues:
        r = req[req["queue"] == name]
        q = {
            "volume": round(float(r["volume"].sum()), 1),
            "agent_hours": round(float(r["agents"].sum() * config.interval_s / 3600.0), 1),
            "peak_agents": int(r["agents"].max()) if len(r) else 0,
            "fte_per_week": round(float(fte_week.get(name, np.nan)), 2),
            "agents_added_by_simulation": int((r["agents"] - r["agents_analytic"]).sum()),
        }
        if sim is not None and len(sim):
            s = sim[sim["queue"] == name]
            for col in ("service_level", "asa_s", "p_wait", "abandon_rate", "occupancy"):
                if col in s and len(s):
                    w = r.set_index("interval_start").reindex(s["interval_start"])["volume"].to_numpy(float)
                    v = s[col].to_numpy(float)
                    ok = np.isfinite(v) & np.isfinite(w)
                    if ok.any() and w[ok].sum() > 0:
                        q[f"sim_{col}"] = round(float(np.average(v[ok], weights=w[ok])), 4)
        out["by_queue"][name] = q
    return out
