"""Headcount from a roster, and exports (schedule, coverage, one iCalendar file per agent)."""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .roster import Roster

__all__ = ["Headcount", "headcount", "write_ical"]


@dataclass
class Headcount:
    """People by contract and queue (an agent counts in the queue of most of its paid hours),
    and the week's coverage figures. ``to_frame()``: one row per contract and queue."""

    table: pd.DataFrame
    coverage: pd.DataFrame
    fte_hours_per_week: float
    interval_h: float

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def summary(self) -> dict:
        h = self.interval_h
        req_h = float(self.coverage["required"].sum() * h)
        duty_h = float(self.coverage["on_duty"].sum() * h)
        paid_h = float(self.table["paid_h"].sum())
        ou = self.coverage["over_under"].to_numpy()
        return {
            "agents": int(self.table["agents"].sum()),
            "paid_h": round(paid_h, 2),
            "fte": round(paid_h / self.fte_hours_per_week, 2),
            "required_agent_h": round(req_h, 2),
            "on_duty_agent_h": round(duty_h, 2),
            "scheduling_efficiency_pct": round(100 * req_h / duty_h, 2) if duty_h > 0 else float("nan"),
            "over_agent_h": round(float(np.clip(ou, 0, None).sum() * h), 2),
            "under_agent_h": round(float(np.clip(-ou, 0, None).sum() * h), 2),
            "intervals_short": int((ou < -1e-9).sum()),
        }


def headcount(roster: Roster, *, fte_hours_per_week: float = 40.0) -> Headcount:
    """People, paid hours and FTE (paid hours / ``fte_hours_per_week``) by contract and queue;
    scheduling efficiency = required agent-hours / on-duty agent-hours (net of breaks)."""
    if not (isinstance(fte_hours_per_week, (int, float)) and fte_hours_per_week > 0):
        raise ValueError(f"fte_hours_per_week: expected a number > 0, got {fte_hours_per_week!r}")
    s = roster.to_frame()
    if s.empty:
        table = pd.DataFrame(columns=["contract", "queue", "agents", "paid_h", "fte"])
    else:
        per = s.groupby(["agent_id", "contract", "queue"], as_index=False)["paid_hours"].sum()
        main = per.sort_values("paid_hours", ascending=False).drop_duplicates("agent_id")
        hours = s.groupby("agent_id")["paid_hours"].sum()
        main = main.assign(paid_h=main["agent_id"].map(hours))
        table = (main.groupby(["contract", "queue"], as_index=False)
                 .agg(agents=("agent_id", "count"), paid_h=("paid_h", "sum")))
        table["fte"] = table["paid_h"] / fte_hours_per_week
    return Headcount(table=table, coverage=roster.coverage_frame(), fte_hours_per_week=float(fte_hours_per_week),
                     interval_h=roster.plan.grid.interval_s / 3600)


def write_ical(roster: Roster, folder: str | os.PathLike, *, calendar_name: str = "staffcast schedule") -> list[Path]:
    """One ``<agent_id>.ics`` per rostered agent in ``folder`` (each shift an event, its breaks in
    the description). Atomic: written to a temporary folder beside it, then renamed into place
    (an existing folder is replaced). Returns the written paths."""
    from icalendar import Calendar, Event

    folder = Path(folder)
    frame = roster.to_frame()
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for aid, rows in frame.groupby("agent_id"):
            cal = Calendar()
            cal.add("prodid", "-//staffcast//scheduling//EN")
            cal.add("version", "2.0")
            cal.add("x-wr-calname", f"{calendar_name}: {aid}")
            for r in rows.itertuples():
                ev = Event()
                ev.add("uid", str(uuid.uuid5(uuid.NAMESPACE_URL, f"staffcast/{aid}/{r.shift_start.isoformat()}")))
                ev.add("summary", f"{r.queue} shift ({r.template})")
                ev.add("dtstart", r.shift_start.to_pydatetime())
                ev.add("dtend", r.shift_end.to_pydatetime())
                ev.add("dtstamp", pd.Timestamp("2000-01-01", tz="UTC").to_pydatetime())
                ev.add("description", f"paid {r.paid_hours:g} h; breaks {r.breaks or 'none'}")
                cal.add_component(ev)
            (tmp / f"{aid}.ics").write_bytes(cal.to_ical())
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{uuid.uuid4().hex[:8]}")
            folder.rename(old)
        tmp.rename(folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(folder.glob("*.ics"))
