"""What the planners' dashboard (``app.py``) shows, computed here so the dashboard only presents.

Every function takes plain values (a :class:`~planning.config.PlanConfig`, DataFrames, numbers)
and returns DataFrames / dicts, so the dashboard can cache them with ``st.cache_data`` and tests can
call them without Streamlit. Bad input raises :class:`~planning.config.InputError` with a message a
planner can act on (the dashboard shows it; never a traceback).

Times: tables keep the plan's timezone-aware ``interval_start``; :func:`local_naive` gives the
wall-clock time in the plan's zone for charts (so a chart shows plan-local time whatever the
browser's zone is).
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import math
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .config import WEEKDAYS, ConfigError, InputError, PlanConfig, QueueConfig, load_config
from .headcount import per_full_week
from .progress import Progress

__all__ = [
    "BUNDLED_PLAN", "MAX_UPLOAD_MB", "UPLOAD_TYPES", "FAST_MODEL", "MODEL_CHOICES", "EVENING_START_MIN",
    "CallbackProgress", "load_plan", "check_upload", "history_from_upload", "history_summary",
    "weekday_time_profile", "evening_share", "local_naive", "with_forecast_settings",
    "with_queue_settings", "forecast_queue", "backtest_table", "recent_actuals", "evening_peaks",
    "requirements_for_queue", "headcount_for_queue", "simulate_queue",
    "raised_intervals", "wait_distribution", "announcement_table", "list_runs", "run_vs_actual",
    "run_plan_now", "service_columns", "config_error_text", "BUNDLED_STUDY", "STUDY_MONEY_KEYS",
    "load_study_with", "study_money_defaults", "study_money_overrides", "run_study_for_dashboard",
    "comparison_view", "money_bars",
    "chat_window_grid", "below_target_intervals", "history_notes", "forecast_summary", "staffing_summary",
    "simulated_plan", "simulation_summary", "wait_summary", "announcement_intervals", "files_stamp", "segments",
]

BUNDLED_PLAN = Path(__file__).resolve().parents[1] / "data" / "plan.toml"
MAX_UPLOAD_MB = 20
MIN_UPLOAD_DAYS = 14  # forecast_volume needs two weeks (one to train, one to test)
UPLOAD_TYPES = ("csv", "parquet")
FAST_MODEL = "profile"  # recent weekday x time-of-day profile: seconds, and what auto picks on the bundled voice queue
MODEL_CHOICES = {
    "profile": "recent weekday profile (fast)",
    "mean4": "mean of the last 4 same weekdays (fastest)",
    "snaive": "seasonal naive, last week (baseline)",
    "glm_poisson": "Poisson regression (weekday x time, trend, holidays)",
    "daily_sarimax": "daily totals SARIMAX x intraday profile",
    "mstl_ets": "MSTL + ETS",
    "auto": "auto: backtest every model and their combinations, pick the best (slower)",
}
EVENING_START_MIN = 20 * 60
DAY_NAMES = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}


class CallbackProgress(Progress):
    """A :class:`Progress` that also reports ``callback(done_steps, total_steps, label)`` (for a
    progress bar) and keeps warnings in ``self.warnings``."""

    def __init__(self, callback: Callable[[int, int, str], None] | None = None, total_steps: int | None = None):
        super().__init__(stream=io.StringIO(), fmt="quiet", total_steps=total_steps)
        self.callback = callback
        self.warnings: list[str] = []
        self.messages: list[str] = []

    def warn(self, message: str, **fields):
        self.warnings.append(message)

    def info(self, message: str, **fields):
        self.messages.append(message)

    def step(self, name, label=None, **fields):
        if self.callback is not None:
            self.callback(self.n, self.total or (self.n + 1), label or name)
        return super().step(name, label, **fields)


# --------------------------------------------------------------------------- plan and history


def load_plan(path: str | Path = BUNDLED_PLAN) -> PlanConfig:
    return load_config(path)


def check_upload(name: str, size_bytes: int, max_mb: float = MAX_UPLOAD_MB) -> str | None:
    """A message when an upload must be refused (too large, wrong kind), else None."""
    suffix = Path(name or "").suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        return (f"{name!r} is not a history file: expected a .csv or .parquet file "
                f"(got {'.' + suffix if suffix else 'no extension'}).")
    if size_bytes > max_mb * 1024 * 1024:
        return (f"{name!r} is {size_bytes / 1024 / 1024:.1f} MB, above the {max_mb:g} MB upload limit; "
                "upload a shorter period or a Parquet file.")
    if size_bytes == 0:
        return f"{name!r} is empty; expected a CSV with a header row or a Parquet file."
    return None


def _sniff(name: str, data: bytes) -> str | None:
    suffix = Path(name).suffix.lower()
    if suffix == ".parquet":
        if not (data[:4] == b"PAR1" and data[-4:] == b"PAR1"):
            return f"{name!r} does not look like a Parquet file (no PAR1 marker); expected a Parquet history."
        return None
    head = data[:65536]
    if b"\x00" in head:
        return f"{name!r} is not a text CSV file (it holds binary data); expected a CSV with a header row."
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sniff boundary
            return f"{name!r} is not UTF-8 text ({exc.reason} at byte {exc.start}); save the CSV as UTF-8."
    header = head.split(b"\n", 1)[0]
    if b"," not in header and (b";" in header or b"\t" in header):
        sep = "semicolons" if b";" in header else "tabs"
        return (f"{name!r} separates its columns with {sep}; expected a comma-separated CSV (save it as "
                "'CSV UTF-8 (comma delimited)').")
    return None


def history_from_upload(config: PlanConfig, queue: str, name: str, data: bytes, *, time_col: str,
                        volume_col: str, aht_col: str | None = None, tz: str | None = None,
                        time_format: str | None = None,
                        max_mb: float = MAX_UPLOAD_MB) -> tuple[pd.DataFrame, list[str]]:
    """Read an uploaded history for ``queue`` exactly as the pipeline reads the plan's files
    (validated, placed in the plan's zone, resampled to the plan interval).

    Returns ``(history, notes)``. Raises :class:`InputError` with a planner-readable message.
    """
    from .pipeline import read_queue_history

    if queue not in config.queues:
        raise InputError(f"no queue {queue!r} in the plan (queues: {', '.join(config.queues)})")
    msg = check_upload(name, len(data), max_mb) or _sniff(name, data)
    if msg:
        raise InputError(msg)
    q = config.queues[queue]
    suffix = Path(name).suffix.lower()
    fd, tmp = tempfile.mkstemp(prefix="staffcast-upload-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        uq = replace(q, history=Path(tmp), time_col=time_col.strip(), volume_col=volume_col.strip(),
                     aht_col=(aht_col or "").strip() or None, queue_col=None, queue_value=None,
                     time_format=(time_format or "").strip() or None,
                     history_tz=tz or None)
        progress = CallbackProgress()
        try:
            hist = read_queue_history(uq, config.interval_s, config.timezone, progress)
        except InputError as exc:
            raise InputError(str(exc).replace(tmp, name)) from None
        except (ValueError, OSError, ImportError) as exc:  # e.g. a broken Parquet file
            raise InputError(f"{name}: cannot read the file: {exc}".replace(tmp, name)) from None
        notes = [w.replace(tmp, name) for w in progress.warnings]
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    hist.attrs["source_name"] = name
    hist.attrs["sha256"] = hashlib.sha256(data).hexdigest()
    span_days = (hist["interval_start"].max() - hist["interval_start"].min()).days + 1
    if span_days < MIN_UPLOAD_DAYS:
        raise InputError(f"{name}: covers {span_days} day(s); at least {MIN_UPLOAD_DAYS} days (two weeks) of "
                         "history are needed to forecast")
    if span_days < 35:
        notes.append(f"{name} covers {span_days} days: the backtest needs 5 weeks, so the forecast uses the "
                     "simple models (recent weekday profile, mean of weeks, seasonal naive) on weekly folds")
    if uq.aht_col is not None:
        hist.attrs["aht_col"] = uq.aht_col  # the planner asked for the file's handle times
    notes += history_notes(config, queue, hist)
    return hist, notes


def history_notes(config: PlanConfig, queue: str, history: pd.DataFrame) -> list[str]:
    """What the planner should know about a queue's history (see
    :func:`planning.pipeline.history_warnings`): outliers, contacts in closed hours, missing days."""
    from .pipeline import history_warnings

    return history_warnings(history, config.queues[queue], config.interval_s)


def history_summary(history: pd.DataFrame, interval_s: int) -> dict:
    """Facts about a history for the Data page: period, intervals, gaps, zeros, totals."""
    ts = pd.DatetimeIndex(history["interval_start"])
    vol = history["volume"].to_numpy(float)
    days = int(pd.Index(ts.normalize()).nunique())
    per_day = int(86400 // interval_s)
    return {
        "first": ts.min(), "last": ts.max(), "days": days, "intervals": int(len(history)),
        "interval_min": interval_s // 60,
        "source_interval_min": int(history.attrs.get("source_interval_s", interval_s)) // 60,
        "closed_intervals": int(max(days * per_day - len(history), 0)),
        "zero_intervals": int((vol == 0).sum()),
        "total_volume": float(vol.sum()),
        "mean_per_day": float(vol.sum() / days) if days else 0.0,
        "has_aht": bool("aht_s" in history and history["aht_s"].notna().any()),
        "timezone": str(ts.tz) if ts.tz is not None else None,
    }


def local_naive(values) -> pd.Series:
    """Wall-clock time in the timestamps' own zone, without the zone (for charts)."""
    s = pd.Series(pd.to_datetime(values)).reset_index(drop=True)
    if s.dt.tz is not None:
        s = s.dt.tz_localize(None)
    return s


def _weekday_order(week_start: str) -> list[str]:
    i = WEEKDAYS.index(week_start)
    return [DAY_NAMES[d] for d in WEEKDAYS[i:] + WEEKDAYS[:i]]


def weekday_time_profile(frame: pd.DataFrame, value: str, *, week_start: str = "mon", agg: str = "mean",
                         time_col: str = "interval_start") -> pd.DataFrame:
    """``value`` by weekday x time of day (long format for a heatmap): columns ``weekday`` (Mon..),
    ``weekday_order``, ``time_of_day`` ("HH:MM" local), ``value``, ``n`` (intervals averaged)."""
    ts = local_naive(frame[time_col])
    work = pd.DataFrame({
        "weekday": ts.dt.day_of_week.map(lambda i: DAY_NAMES[WEEKDAYS[i]]).to_numpy(),
        "time_of_day": ts.dt.strftime("%H:%M").to_numpy(),
        "v": frame[value].to_numpy(float),
    })
    out = work.groupby(["weekday", "time_of_day"]).agg(value=("v", agg), n=("v", "size")).reset_index()
    order = _weekday_order(week_start)
    out["weekday_order"] = out["weekday"].map({d: i for i, d in enumerate(order)})
    return out.sort_values(["weekday_order", "time_of_day"]).reset_index(drop=True)


def evening_share(history: pd.DataFrame, start_min: int = EVENING_START_MIN, *, week_start: str = "mon") -> dict:
    """Share of the volume arriving from ``start_min`` (default 20:00) to midnight, local time:
    ``{"overall": float, "by_weekday": DataFrame(weekday, share, evening, total)}``."""
    ts = local_naive(history["interval_start"])
    minutes = ts.dt.hour * 60 + ts.dt.minute
    vol = history["volume"].to_numpy(float)
    ev = (minutes >= start_min).to_numpy()
    total = vol.sum()
    frame = pd.DataFrame({"weekday": ts.dt.day_of_week.map(lambda i: DAY_NAMES[WEEKDAYS[i]]).to_numpy(),
                          "evening": np.where(ev, vol, 0.0), "total": vol})
    by = frame.groupby("weekday")[["evening", "total"]].sum()
    by["share"] = np.where(by["total"] > 0, by["evening"] / by["total"].where(by["total"] > 0, 1), np.nan)
    order = _weekday_order(week_start)
    by = by.reindex([d for d in order if d in by.index]).reset_index()
    return {"overall": float(vol[ev].sum() / total) if total > 0 else float("nan"),
            "by_weekday": by[["weekday", "share", "evening", "total"]]}


# --------------------------------------------------------------------------- settings


def with_forecast_settings(config: PlanConfig, *, model: str | None = None, horizon_days: int | None = None,
                           history_weeks: int | None = None, as_of: dt.date | None = None,
                           backtest_origins: int | None = None) -> PlanConfig:
    """The plan with other forecast settings (validated like the TOML file)."""
    fc = {k: v for k, v in dict(model=model, horizon_days=horizon_days, history_weeks=history_weeks,
                                as_of=as_of, backtest_origins=backtest_origins).items() if v is not None}
    return config.with_overrides(forecast=fc) if fc else config


def _extend_aht(values: list[float], k: int) -> list[float]:
    vals = [float(v) for v in values]
    if k <= len(vals):
        return vals[:k]
    step = vals[-1] - vals[-2] if len(vals) >= 2 else 0.0
    while len(vals) < k:
        vals.append(vals[-1] + max(step, 0.0))
    return vals


def with_queue_settings(config: PlanConfig, queue: str, *, service_level: float | None = None,
                        awt_s: float | None = None, asa_s: float | None = None, p_wait: float | None = None,
                        abandon_rate: float | None = None, shrinkage: float | None = None,
                        max_occupancy: float | None = None, concurrency: int | None = None,
                        aht_s: float | None = None, patience_s: float | None = None,
                        clear_targets: bool = False) -> PlanConfig:
    """The plan with one queue's targets / staffing rules changed (validated like the TOML file;
    raises :class:`ConfigError` listing every problem).

    ``clear_targets`` drops the queue's existing targets first (so that e.g. a chat queue can be
    planned on service level instead of "no waiting"). Changing a chat queue's ``concurrency``
    shortens or extends ``aht_by_concurrency_s`` (extended by its last step)."""
    if queue not in config.queues:
        raise InputError(f"no queue {queue!r} in the plan (queues: {', '.join(config.queues)})")
    table = copy.deepcopy(config.raw.get("queues", {}).get(queue, {}))
    targets = {} if clear_targets else dict(table.get("targets") or {})
    for key, val in dict(service_level=service_level, awt_s=awt_s, asa_s=asa_s, p_wait=p_wait,
                         abandon_rate=abandon_rate).items():
        if val is not None:
            targets[key] = float(val)
    table["targets"] = targets
    for key, val in dict(shrinkage=shrinkage, max_occupancy=max_occupancy, aht_s=aht_s,
                         patience_s=patience_s).items():
        if val is not None:
            table[key] = float(val)
    if concurrency is not None:
        table["concurrency"] = int(concurrency)
        abc = table.get("aht_by_concurrency_s")
        if abc is None:
            abc = (config.raw.get("defaults") or {}).get("aht_by_concurrency_s")
        if abc:
            table["aht_by_concurrency_s"] = _extend_aht(abc, int(concurrency))
    queues = dict(config.raw.get("queues", {}))
    queues[queue] = table
    return config.with_overrides(queues=queues)


# --------------------------------------------------------------------------- forecast


def _one_queue(config: PlanConfig, queue: str) -> PlanConfig:
    if queue not in config.queues:
        raise InputError(f"no queue {queue!r} in the plan (queues: {', '.join(config.queues)})")
    return replace(config, queues={queue: config.queues[queue]})


def forecast_queue(config: PlanConfig, histories: dict[str, pd.DataFrame], queue: str):
    """Forecast one queue over the plan window: ``(forecast, info)`` where ``info`` has ``model``,
    ``backtest`` (dict from the forecast), ``start``, ``end``, ``as_of``."""
    from .pipeline import forecast_queues, plan_window

    cfg = _one_queue(config, queue)
    hist = {queue: histories[queue]}
    aht_col = histories[queue].attrs.get("aht_col")
    if aht_col and cfg.queues[queue].aht_col is None:  # an upload with handle times: use them
        cfg = replace(cfg, queues={queue: replace(cfg.queues[queue], aht_col=aht_col)})
    start, end, as_of = plan_window(cfg, hist)
    fc, models = forecast_queues(cfg, hist, start, end)
    info = dict(models[queue])
    info.update(start=start, end=end, as_of=as_of)
    return fc, info


def backtest_table(info: dict) -> pd.DataFrame:
    """Backtest scores of the models tried (one row per model, the chosen one flagged)."""
    bt = info.get("backtest") or {}
    if isinstance(bt, dict) and "scores" not in bt and len(bt) == 1:
        bt = next(iter(bt.values())) or {}
    scores = pd.DataFrame(bt.get("scores") or [])
    if scores.empty:
        return scores
    chosen = bt.get("chosen") or info.get("model")
    scores.insert(0, "chosen", scores["model"].astype(str) == str(chosen))
    keep = [c for c in ("chosen", "model", "wape", "evening_wape", "mase", "bias", "coverage_80", "hit_80",
                        "poisson_floor_wape", "fit_s", "folds", "baseline") if c in scores]
    return scores[keep].sort_values("wape", na_position="last").reset_index(drop=True)


def recent_actuals(history: pd.DataFrame, start, weeks: float = 2) -> pd.DataFrame:
    """The history in the ``weeks`` before ``start`` (``interval_start``, ``volume``)."""
    ts = history["interval_start"]
    m = (ts < start) & (ts >= pd.Timestamp(start) - pd.Timedelta(weeks=weeks))
    return history.loc[m, ["interval_start", "volume"]].reset_index(drop=True)


def evening_peaks(forecast: pd.DataFrame, start_min: int = EVENING_START_MIN) -> pd.DataFrame:
    """Per local day: the evening window (from ``start_min`` to midnight) and its busiest interval.

    Columns ``day``, ``window_start``, ``window_end`` (naive local), ``peak_time`` (naive local),
    ``peak_volume``, ``evening_share`` (of the day's forecast volume)."""
    ts = local_naive(forecast["interval_start"])
    vol = forecast["volume"].to_numpy(float)
    minutes = (ts.dt.hour * 60 + ts.dt.minute).to_numpy()
    day = ts.dt.normalize()
    rows = []
    for d, idx in pd.Series(np.arange(len(ts))).groupby(day.to_numpy()).groups.items():
        idx = np.asarray(list(idx))
        ev = idx[minutes[idx] >= start_min]
        total = vol[idx].sum()
        if not len(ev) or total <= 0:
            continue
        k = ev[np.argmax(vol[ev])]
        d = pd.Timestamp(d)
        rows.append({"day": d, "window_start": d + pd.Timedelta(minutes=start_min),
                     "window_end": d + pd.Timedelta(days=1), "peak_time": ts.iloc[k],
                     "peak_volume": float(vol[k]), "evening_share": float(vol[ev].sum() / total)})
    return pd.DataFrame(rows, columns=["day", "window_start", "window_end", "peak_time", "peak_volume",
                                       "evening_share"])


# --------------------------------------------------------------------------- staffing


def requirements_for_queue(config: PlanConfig, forecast: pd.DataFrame, queue: str) -> pd.DataFrame:
    """Agents per interval (analytic queueing model) for one queue's forecast."""
    from .pipeline import requirements_for

    f = forecast[forecast["queue"] == queue] if "queue" in forecast else forecast
    return requirements_for(config.queues[queue], f, config.interval_s)


def headcount_for_queue(config: PlanConfig, req: pd.DataFrame, queue: str) -> pd.DataFrame:
    """FTE per week for one queue's requirements."""
    from .headcount import headcount

    return headcount(req, interval_s=config.interval_s, shrinkage={queue: config.queues[queue].shrinkage},
                     paid_hours_per_week=config.headcount.paid_hours_per_week, week_start=config.week_start)


def service_columns(q: QueueConfig) -> list[tuple[str, str, float | None, str]]:
    """The predicted-service metrics that matter for the queue's targets:
    ``(column, label, target, unit)`` with unit ``"share"`` or ``"s"``."""
    t = q.targets
    out = []
    if t.service_level is not None:
        out.append(("service_level", f"service level (answered within {t.awt_s:g} s / offered)",
                    t.service_level, "share"))
    if t.p_wait is not None:
        out.append(("p_wait", "P(wait): share of contacts that wait at all", t.p_wait, "share"))
    if t.asa_s is not None:
        out.append(("asa_s", "ASA: mean wait of answered contacts", t.asa_s, "s"))
    if t.abandon_rate is not None:
        out.append(("abandon_rate", "abandonment rate", t.abandon_rate, "share"))
    if not out:
        out.append(("service_level", "service level", None, "share"))
    return out


# --------------------------------------------------------------------------- simulation


def simulate_queue(config: PlanConfig, req: pd.DataFrame, queue: str, *, days: int | None = 7,
                   replications: int | None = None, refine: bool | None = None,
                   on_block: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Simulate one queue's plan exactly as the pipeline does (same blocks, same seeds), calling
    ``on_block(done, total)`` after each block. Returns the pipeline's simulation table (metrics with
    ``_lo``/``_hi`` bounds, ``agents_plan``, ``agents_final``) plus ``agents_added``."""
    from .pipeline import simulate_plan

    sim_over = {k: v for k, v in dict(replications=replications, refine=refine).items() if v is not None}
    cfg = config.with_overrides(simulation=sim_over) if sim_over else config
    out = simulate_plan(cfg, req, days=days, queues=[queue], workers=1, on_block=on_block)
    out["agents_added"] = out["agents_final"] - out["agents_plan"]
    return out


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

    from .pipeline import simulation_kwargs

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


# --------------------------------------------------------------------------- runs


def list_runs(store_url: str, plan_name: str | None = None, limit: int = 50) -> pd.DataFrame:
    from .store import RunStore

    with RunStore(store_url) as store:
        return store.list_runs(limit=limit, plan_name=plan_name)


def run_vs_actual(store_url: str, run_id: str, config: PlanConfig,
                  histories: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """A stored run's forecast next to the actuals the plan's history now holds.

    Returns ``(series, scores, meta)``: ``series`` per queue and interval with ``forecast``,
    ``volume_p10``, ``volume_p90`` and ``actual`` (NaN where no actual exists yet); ``scores`` from
    :func:`planning.accuracy.score_forecast` (WAPE, evening WAPE, bias, coverage per lead week)."""
    from .accuracy import score_forecast
    from .store import RunStore

    with RunStore(store_url) as store:
        meta = store.get_run(run_id)
        fc = store.load_frame(meta["run_id"], "forecast")
        req = store.load_frame(meta["run_id"], "requirements")
    if fc.empty:
        return fc, pd.DataFrame(), meta
    acts = []
    for name in fc["queue"].unique():
        h = histories.get(name)
        if h is not None:
            acts.append(h.assign(queue=name)[["queue", "interval_start", "volume"]])
    actual = pd.concat(acts, ignore_index=True) if acts else pd.DataFrame(columns=["queue", "interval_start",
                                                                                    "volume"])

    def utc(s):
        s = pd.to_datetime(s)
        return s.dt.tz_convert("UTC") if s.dt.tz is not None else s

    f = fc.assign(_k=utc(fc["interval_start"]))
    a = actual.assign(_k=utc(actual["interval_start"]))[["queue", "_k", "volume"]].rename(columns={"volume": "actual"})
    series = f.merge(a, on=["queue", "_k"], how="left").drop(columns="_k").rename(columns={"volume": "forecast"})
    if not req.empty and "open" in req:
        series = series.merge(req[["queue", "interval_start", "open"]], on=["queue", "interval_start"], how="left")
    else:
        series["open"] = True
    series["open"] = series["open"].fillna(True).astype(bool)
    scores = score_forecast(fc, actual, horizon_start=meta["horizon_start"],
                            open_mask=series["open"].to_numpy()) if len(actual) else pd.DataFrame()
    return series, scores, meta


def run_plan_now(config: PlanConfig, store_url: str, *, as_of: dt.date | None = None, model: str | None = None,
                 simulate: bool = False, callback: Callable[[int, int, str], None] | None = None):
    """Run the whole plan (bundled / configured history files) and store it. Returns the
    :class:`~planning.pipeline.PlanResult` (``reused`` when an identical run is already stored)."""
    from .pipeline import run_plan
    from .store import RunStore

    cfg = with_forecast_settings(config, model=model) if model else config
    progress = CallbackProgress(callback)
    with RunStore(store_url) as store:
        return run_plan(cfg, store=store, save=True, as_of=as_of, simulate=simulate, export=False,
                        progress=progress)


def config_error_text(exc: Exception) -> str:
    """One readable text for a ConfigError / InputError."""
    if isinstance(exc, ConfigError) and getattr(exc, "problems", None):
        return "; ".join(f"{k}: {m}" for k, m in exc.problems)
    return str(exc)


# --------------------------------------------------------------------------- scenarios (finance, chat windows)

BUNDLED_STUDY = Path(__file__).resolve().parents[1] / "data" / "scenarios.toml"
STUDY_MONEY_KEYS = ("cost_per_agent_hour", "customer_lifetime_value", "churn_if_abandoned", "conversion_rate",
                    "margin_per_sale")
COMPARISON_COLUMNS = ("scenario", "fte", "total_cost", "cross_sell_value", "churn_cost", "abandon_cost", "net_value",
                      "delta_net_value", "net_present_value", "delta_net_present_value", "service_level", "sl_awt_s", "asa_s",
                      "abandon_rate", "cost_per_handled_contact", "churn_avoided")


def load_study_with(path: str | Path = BUNDLED_STUDY, *, money: dict | None = None,
                    chat_budget_agent_hours_per_week: float | None = None):
    """The scenario study with the planner's changes to the study-wide money defaults (``money``:
    key -> value, see :data:`STUDY_MONEY_KEYS`) and the chat-window budget; validated like the TOML
    (raises :class:`ConfigError`). Scenario- and queue-level money settings still win."""
    from .scenarios import load_study, parse_study

    study = load_study(path)
    if not money and chat_budget_agent_hours_per_week is None:
        return study
    raw = copy.deepcopy(study.raw)
    if money:
        raw.setdefault("money", {}).update({k: float(v) for k, v in money.items() if v is not None})
    if chat_budget_agent_hours_per_week is not None and raw.get("chat_windows") is not None:
        raw["chat_windows"]["budget_agent_hours_per_week"] = float(chat_budget_agent_hours_per_week)
    src = Path(study.source) if study.source else Path(path)
    return parse_study(raw, base_dir=src.resolve().parent, source=src)


def study_money_defaults(study) -> dict:
    return {k: (study.raw.get("money") or {}).get(k) for k in STUDY_MONEY_KEYS}


def study_money_overrides(study) -> dict[str, list[str]]:
    """Per study-wide money key, the scenarios (and queues) that set their own value, which the
    study-wide value therefore does not change: ``{"conversion_rate": ["value_center (voice, chat)"]}``."""
    out: dict[str, list[str]] = {}
    for name, scenario in study.scenarios.items():
        raw = scenario.raw or {}
        for key in STUDY_MONEY_KEYS:
            where = []
            if key in (raw.get("money") or {}):
                where.append("all queues")
            where += [q for q, t in (raw.get("queues") or {}).items() if key in ((t or {}).get("money") or {})]
            if where:
                out.setdefault(key, []).append(f"{name} ({', '.join(where)})")
    return out


def run_study_for_dashboard(study, forecast: pd.DataFrame, *, simulate: bool = False):
    """:func:`planning.scenarios.run_study` on a given forecast, in this process (no pool)."""
    from .scenarios import run_study

    try:
        return run_study(study, forecast=forecast, simulate=simulate, workers=1, executor="serial")
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"scenario study: {exc}") from None


def comparison_view(result) -> pd.DataFrame:
    comp = result.comparison
    cols = [c for c in COMPARISON_COLUMNS if c in comp] + [c for c in comp if c.startswith("sim_")]
    return comp[cols]


def money_bars(result) -> pd.DataFrame:
    """Cost, value and net value per scenario in long format (for a grouped bar chart)."""
    comp = result.comparison
    rows = []
    for _, r in comp.iterrows():
        for key, label, sign in (("total_cost", "cost (labour + overhead + outsourcing)", -1),
                                 ("cross_sell_value", "cross-sell value", 1),
                                 ("churn_cost", "churn cost (customers lost)", -1),
                                 ("abandon_cost", "abandonment cost", -1),
                                 ("net_value", "net value", 1)):
            if key in comp:
                rows.append({"scenario": r["scenario"], "item": label, "amount": float(r[key]) *
                             (1 if key == "net_value" else sign)})
    return pd.DataFrame(rows)


def chat_window_grid(windows_result, interval_s: int) -> pd.DataFrame:
    """The chosen chat windows as weekday x time of day (``weekday``, ``weekday_order``,
    ``time_of_day``, ``open``) for a heatmap."""
    open_ = np.asarray(windows_result.open, dtype=bool)
    rows = []
    for d in range(open_.shape[0]):
        for s in range(open_.shape[1]):
            m = s * interval_s // 60
            rows.append({"weekday": DAY_NAMES[WEEKDAYS[d]], "weekday_order": d,
                         "time_of_day": f"{m // 60:02d}:{m % 60:02d}", "open": bool(open_[d, s])})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- page summaries


def forecast_summary(forecast: pd.DataFrame) -> dict:
    """Total forecast contacts and the evening share (20:00-24:00 local) of the forecast."""
    return {"total": float(forecast["volume"].sum()), "evening_share": evening_share(forecast)["overall"]}


def staffing_summary(req: pd.DataFrame, hc: pd.DataFrame, interval_s: int) -> dict:
    """Headcount (FTE per full week, see :func:`planning.headcount.per_full_week`), peak agents,
    agent-hours and scheduled hours over the horizon."""
    h = interval_s / 3600.0
    return {"fte_per_week": float(per_full_week(hc).sum()) if len(hc) else float("nan"),
            "fte_scheduled_per_week": float(per_full_week(hc, "fte_scheduled").sum()) if len(hc) else float("nan"),
            "peak_agents": int(req["agents"].max()) if len(req) else 0,
            "agent_hours": float(req["agents"].sum() * h),
            "scheduled_hours": float(req["scheduled"].sum() * h)}


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


def files_stamp(config: PlanConfig) -> tuple:
    """(path, size, mtime) of every queue's history file: a cache key that changes with the files."""
    out = []
    for q in config.queues.values():
        try:
            st_ = os.stat(q.history)
            out.append((str(q.history), st_.st_size, st_.st_mtime_ns))
        except OSError:
            out.append((str(q.history), None, None))
    return tuple(out)


def segments(interval_start, interval_s: int) -> np.ndarray:
    """A run id per row that changes wherever consecutive rows are more than one interval apart
    (closed hours), so charts draw one line per open block instead of bridging the night."""
    ts = pd.Series(pd.to_datetime(interval_start)).reset_index(drop=True)
    if ts.dt.tz is not None:
        ts = ts.dt.tz_convert("UTC")
    step = ts.diff().dt.total_seconds().to_numpy()
    return np.cumsum(np.nan_to_num(step, nan=interval_s) != interval_s)
