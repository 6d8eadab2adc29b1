"""Helpers every dashboard page's view functions share: the bundled plan, plan-local time for
charts, weekday x time-of-day profiles, the evening share, service columns, error texts, a progress
reporter for progress bars, and a cache stamp of the history files.

Times: tables keep the plan's timezone-aware ``interval_start``; :func:`local_naive` gives the
wall-clock time in the plan's zone for charts (so a chart shows plan-local time whatever the
browser's zone is).
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..config import WEEKDAYS, ConfigError, PlanConfig, QueueConfig, load_config
from ..progress import Progress

__all__ = [
    "BUNDLED_PLAN", "EVENING_START_MIN", "DAY_NAMES", "CallbackProgress", "load_plan", "local_naive",
    "local_time_frame", "weekday_time_profile", "evening_share", "service_columns", "config_error_text",
    "files_stamp", "segments", "tz_label", "per_interval_text", "share_text", "weekday_order", "in_weekday_order",
    "days_between",
]

BUNDLED_PLAN = Path(__file__).resolve().parents[2] / "data" / "plan.toml"


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


def load_plan(path: str | Path = BUNDLED_PLAN) -> PlanConfig:
    """The plan configuration at ``path`` (the bundled example plan by default)."""
    return load_config(path)


def local_naive(values) -> pd.Series:
    """Wall-clock time in the timestamps' own zone, without the zone (for charts)."""
    s = pd.Series(pd.to_datetime(values)).reset_index(drop=True)
    if s.dt.tz is not None:
        s = s.dt.tz_localize(None)
    return s


def weekday_order(week_start: str) -> list[str]:
    """Weekday names ("Sun", "Mon", ...) from the plan's ``week_start``: the one order of every page."""
    i = WEEKDAYS.index(week_start)
    return [DAY_NAMES[d] for d in WEEKDAYS[i:] + WEEKDAYS[:i]]


def in_weekday_order(frame: pd.DataFrame, week_start: str, col: str = "weekday") -> pd.DataFrame:
    """``frame``'s rows sorted by the plan's week (``col`` holds "Mon" or "mon" names)."""
    order = {d.lower(): i for i, d in enumerate(weekday_order(week_start))}
    return frame.iloc[frame[col].astype(str).str[:3].str.lower().map(order).argsort(kind="stable")].reset_index(drop=True)


def days_between(frame: pd.DataFrame, first, last, col: str = "time") -> pd.DataFrame:
    """The rows of ``frame`` whose ``col`` (naive local time) falls on the days ``first`` to ``last``
    (dates, both included): what a date-range picker shows of a long chart."""
    t = pd.to_datetime(frame[col])
    day = t.dt.normalize()
    return frame[((day >= pd.Timestamp(first)) & (day <= pd.Timestamp(last))).to_numpy()]


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
    order = weekday_order(week_start)
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
    order = weekday_order(week_start)
    by = by.reindex([d for d in order if d in by.index]).reset_index()
    return {"overall": float(vol[ev].sum() / total) if total > 0 else float("nan"),
            "by_weekday": by[["weekday", "share", "evening", "total"]]}


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


def config_error_text(exc: Exception) -> str:
    """One readable text for a ConfigError / InputError."""
    if isinstance(exc, ConfigError) and getattr(exc, "problems", None):
        return "; ".join(f"{k}: {m}" for k, m in exc.problems)
    return str(exc)


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


def local_time_frame(frame: pd.DataFrame, col: str = "interval_start", *, interval_s: int | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with ``time`` = plan-local wall-clock time of ``col`` (for charts) and,
    given ``interval_s``, ``block`` = :func:`segments` (one line per open block)."""
    out = frame.copy()
    out["time"] = local_naive(out[col]).to_numpy()
    if interval_s is not None:
        out["block"] = segments(out[col], interval_s)
    return out


def tz_label(config: PlanConfig) -> str:
    """Axis title of plan-local times: ``"local time (Europe/Paris)"``."""
    return f"local time ({config.timezone})" if config.timezone else "local time"


def per_interval_text(config: PlanConfig) -> str:
    """``"per 30 min"``: the unit of a per-interval count."""
    return f"per {config.interval_min} min"


def share_text(x: float) -> str:
    """A target share as a percentage with the digits it needs (99.9%, not 100%)."""
    return f"{100 * x:.3g}%"

