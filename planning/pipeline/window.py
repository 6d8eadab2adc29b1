"""Stage 2 of the plan: the time window. Which days are forecast, and which history feeds them.

- :func:`plan_window`: the forecast horizon ``[start, end)`` (local midnights in the plan's zone)
  and its first day ``as_of``;
- :func:`first_day_to_forecast`: the day a queue's history calls for (the day after its last full
  day);
- :func:`history_window`: the ``history_weeks`` of history before the start.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..config import InputError, PlanConfig
from ..progress import Progress

__all__ = ["plan_window", "first_day_to_forecast", "history_window"]


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
        firsts = {n: first_day_to_forecast(h) for n, h in histories.items()}
        as_of = min(firsts.values())
        late = {n: d for n, d in firsts.items() if d > as_of}
        if late and progress is not None:
            ahead = ", ".join(f"{n} (history to {d - dt.timedelta(days=1)})" for n, d in late.items())
            progress.warn(f"the plan starts on {as_of}, after the history that ends first; newer data of "
                          f"{ahead} is not used (set forecast.as_of to choose the start)")
    start = _local_midnight(as_of, tz)
    end = _local_midnight(as_of + dt.timedelta(days=config.forecast.horizon_days), tz)
    return start, end, as_of


def first_day_to_forecast(history: pd.DataFrame) -> dt.date:
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
    """The rows of ``history`` before ``start`` (the last ``weeks`` weeks; all with ``weeks`` None or
    0); :class:`InputError` naming ``queue`` and the setting to change when none is left."""
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

