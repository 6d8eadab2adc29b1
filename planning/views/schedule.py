"""Schedule page: coverage against requirement, a day's Gantt of shifts and breaks, headcount by
contract. Inputs are the schedule stage's tables (:data:`planning.pipeline.SCHEDULE_TABLES`, as in
a :class:`~planning.pipeline.PlanResult` or loaded from the run store)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from ..config import InputError
from .common import local_naive

__all__ = ["coverage_for_queue", "schedule_days", "day_gantt", "headcount_by_contract", "StoredSchedule",
           "latest_schedule", "check_lines"]

_BREAK = re.compile(r"^\s*(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s*$")


def _need(frame: pd.DataFrame | None, cols: list[str], what: str) -> pd.DataFrame:
    if frame is None or not isinstance(frame, pd.DataFrame):
        raise InputError(f"{what}: no schedule in this run (the plan needs a [schedule] section)")
    missing = [c for c in cols if c not in frame]
    if missing:
        raise InputError(f"{what}: expected columns {cols}, missing {missing}")
    return frame


def coverage_for_queue(coverage: pd.DataFrame, queue: str) -> pd.DataFrame:
    """One queue's ``interval_start, time, required, on_duty, over, under`` (agents on duty net of
    breaks versus required; ``over`` = on duty above the requirement, ``under`` = below it, both >= 0;
    ``time`` = plan-local wall clock for charts)."""
    c = _need(coverage, ["queue", "interval_start", "required", "on_duty", "over_under"], "coverage")
    c = c[c["queue"] == queue]
    if c.empty:
        raise InputError(f"coverage: no queue {queue!r}; expected one of {sorted(coverage['queue'].unique())}")
    ou = c["over_under"].astype(float)
    return pd.DataFrame({"interval_start": c["interval_start"].to_numpy(),
                         "time": local_naive(c["interval_start"]).to_numpy(),
                         "required": c["required"].astype(float).to_numpy(),
                         "on_duty": c["on_duty"].astype(float).to_numpy(), "over": ou.clip(lower=0).to_numpy(),
                         "under": (-ou).clip(lower=0).to_numpy() + 0.0}).reset_index(drop=True)


def schedule_days(schedule: pd.DataFrame) -> list[dt.date]:
    """The days with shifts (by the shift's start date), in order."""
    s = _need(schedule, ["date"], "schedule")
    return sorted({pd.Timestamp(d).date() for d in s["date"]})


def _break_times(text, shift_start: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """``"HH:MM-HH:MM;..."`` as timestamps within the shift (a clock time before the shift's start
    is on the next day)."""
    out = []
    if not isinstance(text, str) or not text.strip():
        return out
    day = shift_start.normalize()
    for item in text.split(";"):
        m = _BREAK.match(item)
        if not m:
            raise InputError(f"schedule.breaks: expected 'HH:MM-HH:MM' items joined by ';', got {text!r}")
        a = day + pd.Timedelta(hours=int(m.group(1)), minutes=int(m.group(2)))
        b = day + pd.Timedelta(hours=int(m.group(3)), minutes=int(m.group(4)))
        if a < shift_start:
            a += pd.Timedelta(days=1)
        while b <= a:
            b += pd.Timedelta(days=1)
        out.append((a, b))
    return out


def day_gantt(schedule: pd.DataFrame, day, queue: str | None = None) -> pd.DataFrame:
    """The Gantt rows of one day (shifts starting that day): ``agent_id, contract, queue, kind``
    (``"shift"`` or ``"break"``), ``start, end``, ``start_time, end_time`` (plan-local wall clock, for
    charts), ``label`` (``HH:MM-HH:MM``); agents ordered by shift start. ``queue`` keeps one queue's shifts (None: all)."""
    s = _need(schedule, ["agent_id", "contract", "queue", "date", "shift_start", "shift_end", "breaks"], "schedule")
    day = pd.Timestamp(day).date()
    s = s[[pd.Timestamp(d).date() == day for d in s["date"]]]
    if queue is not None:
        s = s[s["queue"] == queue]
    rows = []
    for r in s.sort_values(["shift_start", "agent_id"]).itertuples(index=False):
        start, end = pd.Timestamp(r.shift_start), pd.Timestamp(r.shift_end)
        rows.append((r.agent_id, r.contract, r.queue, "shift", start, end))
        rows += [(r.agent_id, r.contract, r.queue, "break", a, b) for a, b in _break_times(r.breaks, start)]
    out = pd.DataFrame(rows, columns=["agent_id", "contract", "queue", "kind", "start", "end"])
    out["start_time"] = local_naive(out["start"]).to_numpy()
    out["end_time"] = local_naive(out["end"]).to_numpy()
    out["label"] = [f"{a:%H:%M}-{b:%H:%M}" for a, b in zip(out["start"], out["end"])]
    return out


def headcount_by_contract(schedule_headcount: pd.DataFrame) -> pd.DataFrame:
    """People, paid hours and FTE by contract and queue, per week (mean over the scheduled weeks),
    with a ``total`` row per contract over the queues."""
    h = _need(schedule_headcount, ["queue", "contract", "week_start", "agents", "paid_h", "fte"], "schedule_headcount")
    n = max(h["week_start"].nunique(), 1)
    by = h.groupby(["contract", "queue"], as_index=False)[["agents", "paid_h", "fte"]].sum()
    tot = h.groupby("contract", as_index=False)[["agents", "paid_h", "fte"]].sum().assign(queue="total")
    out = pd.concat([by, tot], ignore_index=True)
    out[["agents", "paid_h", "fte"]] = out[["agents", "paid_h", "fte"]] / n
    return out.sort_values(["contract", "queue"]).reset_index(drop=True)[["contract", "queue", "agents", "paid_h",
                                                                          "fte"]]


@dataclass(frozen=True)
class StoredSchedule:
    """The schedule tables of one stored run (see :func:`latest_schedule`)."""

    run_id: str
    created_at_utc: str
    summary: dict
    schedule: pd.DataFrame
    coverage: pd.DataFrame
    headcount: pd.DataFrame
    checks: pd.DataFrame


def latest_schedule(store_url: str, plan_name: str | None = None) -> StoredSchedule | None:
    """The newest stored run of the plan that has a schedule (``staffcast run`` / ``schedule`` with a
    ``[schedule]`` section, or the Runs page), or None when there is none (or no store yet)."""
    from ..store import RunStore, StoreError

    try:
        store = RunStore(store_url, create=False)
        runs = store.list_runs(limit=50, plan_name=plan_name)
    except (StoreError, InputError):
        return None
    for run_id, created in zip(runs["run_id"], runs["created_at_utc"]):
        schedule = store.load_frame(run_id, "schedule")
        if len(schedule):
            meta = store.get_run(run_id)
            return StoredSchedule(run_id, str(created), dict(meta.get("summary", {}).get("schedule", {}) or {}),
                                  schedule, store.load_frame(run_id, "coverage"),
                                  store.load_frame(run_id, "schedule_headcount"),
                                  store.load_frame(run_id, "schedule_checks"))
    return None


def check_lines(checks: pd.DataFrame, queue: str, limit: int = 20) -> tuple[list[str], int]:
    """The simulation check's intervals of ``queue`` as short lines, oldest first: ``"Mon 03 Jan 20:30
    (round 1): <reason>"`` (plan-local times), at most ``limit``; and how many more there are (all of
    them are in the ``schedule_checks`` download). Lines, not a table: the reasons are sentences."""
    rows = checks[checks["queue"] == queue] if "queue" in checks else checks
    if rows.empty:
        return [], 0
    rows = rows.sort_values("interval_start", kind="stable")
    starts = local_naive(pd.to_datetime(rows["interval_start"]))
    rounds = rows["round"] if "round" in rows else pd.Series([None] * len(rows), index=rows.index)
    lines = []
    for start, rnd, reason in zip(starts, rounds, rows.get("reason", pd.Series([""] * len(rows)))):
        when = pd.Timestamp(start).strftime("%a %d %b %H:%M")
        lines.append(f"{when}{f' (round {int(rnd)})' if pd.notna(rnd) else ''}: {reason}")
    return lines[:limit], max(0, len(lines) - limit)
