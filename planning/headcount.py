"""Headcount: full-time equivalents per queue and week from the interval staffing plan.

For one queue and one week (weeks start on the configured weekday, local time):

- ``agent_hours``      = sum over intervals of required agents x interval length (hours): the
                         productive time the plan needs on the phones / chats;
- ``paid_hours``       = agent_hours / (1 - shrinkage): paid time including breaks, training,
                         absence (shrinkage is the share of paid time not available for contacts);
- ``fte``              = paid_hours / paid_hours_per_week (e.g. 40 h);
- ``scheduled_hours``  = sum of the per-interval scheduled agents (required grossed up by
                         shrinkage and rounded up per interval) x interval length, an upper view
                         of the same need; ``fte_scheduled`` = scheduled_hours / paid_hours_per_week.

A week cut by the horizon is reported with its ``days`` so partial weeks are not mistaken for low
need. FTE are not rounded: rounding to people is a rostering decision.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .config import WEEKDAYS

__all__ = ["headcount", "per_full_week"]


def headcount(
    plan: pd.DataFrame,
    *,
    interval_s: int,
    shrinkage: float | dict[str, float],
    paid_hours_per_week: float,
    week_start: str = "mon",
    agents_col: str = "agents",
    scheduled_col: str | None = "scheduled",
) -> pd.DataFrame:
    """FTE per queue and week.

    ``plan`` is long format with ``queue``, ``interval_start`` and ``agents`` (required agents in
    the interval) and optionally ``scheduled`` and ``volume``. ``shrinkage`` is one share or a
    mapping queue -> share. Returns columns ``queue, week_start, days, volume, agent_hours,
    paid_hours, fte, scheduled_hours, fte_scheduled, peak_agents``.
    """
    if paid_hours_per_week <= 0:
        raise ValueError(f"paid_hours_per_week must be > 0, got {paid_hours_per_week}")
    if week_start not in WEEKDAYS:
        raise ValueError(f"week_start must be one of {WEEKDAYS}, got {week_start!r}")
    frame = plan.copy()
    if "queue" not in frame:
        frame["queue"] = "default"
    for col in ("interval_start", agents_col):
        if col not in frame:
            raise ValueError(f"plan has no column {col!r}; columns: {list(frame.columns)}")
    h = interval_s / 3600.0
    ts = pd.DatetimeIndex(frame["interval_start"])
    day = ts.normalize()
    offset = (ts.day_of_week - WEEKDAYS.index(week_start)) % 7
    frame["week_start"] = day - pd.to_timedelta(offset, unit="D")
    frame["_day"] = day
    frame["_agent_h"] = frame[agents_col].astype(float) * h
    has_sched = scheduled_col is not None and scheduled_col in frame
    frame["_sched_h"] = frame[scheduled_col].astype(float) * h if has_sched else np.nan
    if "volume" not in frame:
        frame["volume"] = np.nan
    rows = []
    for (queue, week), g in frame.groupby(["queue", "week_start"], sort=True):
        s = shrinkage.get(queue, 0.0) if isinstance(shrinkage, dict) else float(shrinkage)
        if not 0.0 <= s < 1.0:
            raise ValueError(f"shrinkage for queue {queue!r} must be in [0, 1), got {s}")
        agent_h = float(g["_agent_h"].sum())
        paid_h = agent_h / (1.0 - s)
        sched_h = float(g["_sched_h"].sum()) if has_sched else np.nan
        rows.append({
            "queue": queue,
            "week_start": week,
            "days": int(g["_day"].nunique()),
            "volume": float(g["volume"].sum()),
            "agent_hours": agent_h,
            "shrinkage": s,
            "paid_hours": paid_h,
            "paid_hours_per_fte": float(paid_hours_per_week),
            "fte": paid_h / paid_hours_per_week,
            "scheduled_hours": sched_h,
            "fte_scheduled": sched_h / paid_hours_per_week if has_sched else np.nan,
            "peak_agents": int(g[agents_col].max()),
        })
    return pd.DataFrame(rows)


def per_full_week(hc: pd.DataFrame, col: str = "fte") -> pd.Series:
    """``col`` (e.g. ``fte``) per queue for one full week of 7 days.

    The mean over the horizon's full weeks; when the horizon holds no full week, the partial weeks'
    total scaled to 7 days (sum / days x 7), so a 2 + 5 day split is not averaged as if each part
    were a week.
    """
    full = hc[hc["days"] == 7]
    if len(full):
        return full.groupby("queue")[col].mean()
    g = hc.groupby("queue")
    return g[col].sum() / g["days"].sum() * 7.0
