"""Intraday page: a day's plan re-forecast and re-staffed from that day's actuals so far.

The day's original plan is the plan's forecast made as of that day (the plan's model and history
weeks, history before the day) and the agents the plan's targets need for it. Given the actuals of
the intervals that ended by a time of day (uploaded, or taken from the history for a demo),
:func:`forecast.reforecast_intraday` scales the rest of the day by the day's ratio
``(actual so far + prior) / (forecast so far + prior)``; the rest of the day is staffed again with
the same targets, and the difference is the agents to add (+) or release (-) per interval.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import InputError, PlanConfig
from .common import local_naive
from .settings import one_queue

__all__ = ["intraday_days", "cutoff_choices", "csv_columns", "day_plan", "actuals_from_history", "actuals_from_csv", "IntradayResult",
           "reforecast_day", "PRIOR_CONTACTS"]

SERIES = {"forecast_plan": "plan (forecast of the day)", "actual": "actual so far", "forecast_now": "re-forecast"}

PRIOR_CONTACTS = 20.0  # weight of the plan in the day's ratio, in contacts (forecast.reforecast_intraday's default)


def _midnight(day: dt.date, tz: str | None) -> pd.Timestamp:
    t = pd.Timestamp(day)
    return t.tz_localize(tz, nonexistent="shift_forward", ambiguous=False) if tz else t


def _cutoff(config: PlanConfig, day: dt.date, minute_of_day: int) -> pd.Timestamp:
    """The instant ``minute_of_day`` (0..1440 minutes after midnight, wall clock) on ``day`` in plan time."""
    if not 0 <= int(minute_of_day) <= 24 * 60:
        raise InputError(f"time of day: {minute_of_day} minutes is outside 00:00-24:00")
    return _midnight(day, config.timezone) + pd.Timedelta(minutes=int(minute_of_day))


def cutoff_choices(config: PlanConfig) -> dict[int, str]:
    """The times a planner can pick: every interval end of a day, minutes after midnight -> "HH:MM"."""
    step = config.interval_s // 60
    return {m: f"{m // 60:02d}:{m % 60:02d}" for m in range(step, 24 * 60 + 1, step)}


def csv_columns(data: bytes) -> list[str]:
    """The header of an uploaded CSV (separator detected), for picking its columns."""
    try:
        return list(pd.read_csv(io.BytesIO(data), sep=None, engine="python", nrows=5, dtype=str).columns)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError):
        return []


def intraday_days(history: pd.DataFrame, weeks: int = 8) -> list[dt.date]:
    """The days of the history's last ``weeks`` weeks (newest first) a demo can replay."""
    days = local_naive(history["interval_start"]).dt.date
    last = max(days)
    return sorted({d for d in days if d > last - dt.timedelta(weeks=weeks)}, reverse=True)


def day_plan(config: PlanConfig, histories: dict[str, pd.DataFrame], queue: str, day: dt.date):
    """The original plan of ``queue`` on ``day``: ``(forecast, phi)``, the plan's forecast of that
    one day made from the history before it (its settings: model, history weeks, backtest), with the
    forecast's calibrated dispersion ``phi`` (None when the model reports none)."""
    from ..pipeline import forecast_queues

    cfg = one_queue(config, queue)
    start = _midnight(day, config.timezone)
    end = _midnight(day + dt.timedelta(days=1), config.timezone)
    fc, models = forecast_queues(cfg, {queue: histories[queue]}, start, end)
    phi = (models[queue].get("backtest") or {}).get("phi")
    return fc.reset_index(drop=True), (float(phi) if phi is not None and np.isfinite(phi) else None)


def actuals_from_history(config: PlanConfig, history: pd.DataFrame, queue: str, day: dt.date,
                         minute_of_day: int) -> pd.DataFrame:
    """The history's actuals of ``day`` in the intervals that ended by ``minute_of_day`` (minutes
    after midnight; a demo of "today so far"): ``queue, interval_start, volume``."""
    start, cut = _midnight(day, config.timezone), _cutoff(config, day, minute_of_day)
    ts = history["interval_start"]
    ended = ((ts >= start) & (ts + pd.Timedelta(seconds=config.interval_s) <= cut)).to_numpy()
    return history.loc[ended, ["interval_start", "volume"]].assign(queue=queue)[["queue", "interval_start", "volume"]] \
        .reset_index(drop=True)


def _rows(frame: pd.DataFrame, bad: np.ndarray, most: int = 5) -> str:
    rows = [str(i + 2) for i in np.flatnonzero(bad)[:most]]  # +2: the header is line 1
    return ", ".join(rows) + (f" and {int(bad.sum()) - most} more" if bad.sum() > most else "")


def actuals_from_csv(config: PlanConfig, queue: str, day: dt.date, name: str, data: bytes, *, time_col: str,
                     volume_col: str) -> pd.DataFrame:
    """Today's actuals so far from an uploaded CSV (separator detected): ``time_col`` holds each
    interval's start (ISO 8601; naive times are plan-local), ``volume_col`` its contacts. Rows finer
    than the plan's interval are summed into it. Every kind of problem found is named in one
    :class:`InputError` (file, column, lines)."""
    try:
        raw = pd.read_csv(io.BytesIO(data), sep=None, engine="python", dtype=str)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot be read as CSV ({exc})") from None
    missing = [c for c in (time_col, volume_col) if c not in raw.columns]
    if missing:
        raise InputError(f"{name}: no column {', '.join(map(repr, missing))}; the header has {list(raw.columns)}")
    problems = []
    ts = pd.to_datetime(raw[time_col], errors="coerce", format="ISO8601")
    if ts.isna().any():
        problems.append(f"column {time_col!r}: not an ISO 8601 time on line(s) {_rows(raw, ts.isna().to_numpy())}")
    vol = pd.to_numeric(raw[volume_col], errors="coerce")
    bad_vol = (vol.isna() | (vol < 0)).to_numpy()
    if bad_vol.any():
        problems.append(f"column {volume_col!r}: not a number >= 0 on line(s) {_rows(raw, bad_vol)}")
    tz = config.timezone
    if ts.notna().any():
        ts = ts.dt.tz_convert(tz) if ts.dt.tz is not None else (ts.dt.tz_localize(tz, ambiguous="NaT",
                                                                               nonexistent="NaT") if tz else ts)
        other = (ts.notna() & (local_naive(ts).dt.date != day).to_numpy()).to_numpy()
        if other.any():
            problems.append(f"column {time_col!r}: line(s) {_rows(raw, other)} are not on {day:%Y-%m-%d}")
    if problems:
        raise InputError(f"{name}: " + "; ".join(problems))
    if raw.empty:
        raise InputError(f"{name}: no rows")
    step = pd.Timedelta(seconds=config.interval_s)
    start = _midnight(day, tz)
    slot = start + ((ts - start) // step) * step
    out = pd.DataFrame({"interval_start": slot, "volume": vol.to_numpy(float)}).groupby("interval_start",
                                                                                        as_index=False).sum()
    return out.assign(queue=queue)[["queue", "interval_start", "volume"]]


@dataclass(frozen=True)
class IntradayResult:
    """The day re-forecast and re-staffed. ``frame`` per interval of the day: ``interval_start``,
    ``time`` (naive plan-local), ``open``, ``part`` ("so far" / "rest of day"), ``forecast_plan``,
    ``actual`` (NaN where none), ``forecast_now``, ``agents_plan``, ``agents_now``, ``agents_change``
    (now - plan: + add, - release; 0 so far). ``summary``: ``ratio`` (the day's), ``actual_so_far``,
    ``plan_so_far``, ``rest_plan``, ``rest_now`` (contacts), ``agents_add`` / ``agents_release``
    (agent-intervals over the rest of the day), ``intervals_changed``."""

    frame: pd.DataFrame
    summary: dict

    def contacts_long(self) -> pd.DataFrame:
        """For a chart: ``time``, ``series`` (plan / actual so far / re-forecast, the re-forecast
        only on the rest of the day), ``contacts``."""
        f = self.frame.assign(forecast_now=self.frame["forecast_now"].where(self.frame["part"] == "rest of day"))
        long = f.melt(id_vars=["time"], value_vars=list(SERIES), var_name="series", value_name="contacts").dropna()
        return long.assign(series=long["series"].map(SERIES)).reset_index(drop=True)

    def rest_of_day(self) -> pd.DataFrame:
        """The open intervals of the rest of the day with ``clock`` ("HH:MM") and ``action``
        ("add", "release", "keep")."""
        r = self.frame[(self.frame["part"] == "rest of day") & self.frame["open"]].reset_index(drop=True)
        d = r["agents_change"].to_numpy()
        return r.assign(clock=r["time"].dt.strftime("%H:%M"),
                        action=np.where(d > 0, "add", np.where(d < 0, "release", "keep")))

    @property
    def cutoff_time(self) -> pd.Timestamp:
        """The end of the last interval with an actual (naive plan-local), where "now" is drawn."""
        seen = self.frame[self.frame["part"] == "so far"]
        step = self.frame["time"].diff().dropna().min() if len(self.frame) > 1 else pd.Timedelta(0)
        return seen["time"].max() + step if len(seen) else self.frame["time"].min()


def reforecast_day(config: PlanConfig, queue: str, forecast: pd.DataFrame, phi: float | None,
                   actuals: pd.DataFrame, *, prior_contacts: float = PRIOR_CONTACTS) -> IntradayResult:
    """Re-forecast the rest of the day of ``forecast`` (from :func:`day_plan`) from ``actuals``
    (``queue, interval_start, volume``: the intervals so far) and staff it again with the plan's
    targets: how many agents to add or release per interval against the original plan."""
    from forecast import reforecast_intraday

    from .staffing import requirements_for_queue

    if actuals.empty:
        raise InputError("no actuals so far: pick a later time, or upload the intervals of today that have ended")
    try:
        now = reforecast_intraday(forecast, actuals, prior_contacts=prior_contacts, phi=phi)
    except ValueError as exc:
        raise InputError(f"actuals: {exc}") from None
    before = requirements_for_queue(config, forecast, queue)
    after = requirements_for_queue(config, now, queue)
    last_seen = actuals["interval_start"].max()
    rest = (forecast["interval_start"] > last_seen).to_numpy()
    change = np.where(rest, after["agents"].to_numpy() - before["agents"].to_numpy(), 0)
    frame = pd.DataFrame({"interval_start": forecast["interval_start"], "time": local_naive(forecast["interval_start"]),
                          "open": before["open"].to_numpy(bool), "part": np.where(rest, "rest of day", "so far"),
                          "forecast_plan": forecast["volume"].to_numpy(float), "actual": now["actual"].to_numpy(float),
                          "forecast_now": now["volume"].to_numpy(float),
                          "agents_plan": before["agents"].to_numpy(), "agents_now": np.where(
                              rest, after["agents"].to_numpy(), before["agents"].to_numpy()),
                          "agents_change": change})
    seen = np.isfinite(frame["actual"].to_numpy())
    ratio = now["intraday_ratio"].to_numpy(float)[rest]
    summary = {"ratio": float(ratio[0]) if len(ratio) else 1.0,
               "actual_so_far": float(frame["actual"][seen].sum()),
               "plan_so_far": float(frame["forecast_plan"][seen].sum()),
               "rest_plan": float(frame["forecast_plan"][rest].sum()),
               "rest_now": float(frame["forecast_now"][rest].sum()),
               "agents_add": int(change[change > 0].sum()), "agents_release": int(-change[change < 0].sum()),
               "intervals_changed": int((change != 0).sum())}
    return IntradayResult(frame, summary)
