"""Every rule checked on a finished roster, independently of how it was built."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from .agents import Agent
from .rules import WEEKDAYS, ScheduleRules

__all__ = ["Violation", "check_roster"]


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``rule`` is a short code (e.g. ``"min_rest"``), ``detail`` says how."""

    agent_id: str
    rule: str
    detail: str


def _clock(ts: pd.Timestamp) -> int:
    return ts.hour * 60 + ts.minute


def _parse_breaks(text: str) -> list[tuple[int, int]]:
    out = []
    for item in filter(None, str(text).split(";")):
        a, b = item.split("-")
        out.append((int(a[:2]) * 60 + int(a[3:5]), int(b[:2]) * 60 + int(b[3:5])))
    return out


def _shift_problems(row, agent: Agent | None, rules: ScheduleRules) -> list[tuple[str, str]]:
    """Rules one shift must meet on its own (template, contract, skills, availability, breaks)."""
    out = []
    names = {t.name: t for t in rules.templates}
    t = names.get(row["template"])
    start, end = row["shift_start"], row["shift_end"]
    s_clock, length = _clock(start), int(round((end - start).total_seconds() / 60))
    day = WEEKDAYS[start.day_of_week]
    when = f"shift {start:%a %Y-%m-%d %H:%M}"
    if agent is None:
        return [("unknown_agent", f"{when}: agent not in the agent list")]
    if row["contract"] != agent.contract:
        out.append(("contract", f"{when}: contract {row['contract']!r}, agent has {agent.contract!r}"))
    if not agent.can_work(row["queue"]):
        out.append(("skill", f"{when}: queue {row['queue']!r} not in skills {list(agent.skills)}"))
    win = agent.window(day)
    if win is None or not (win[0] <= s_clock and s_clock + length <= win[1]):
        out.append(("availability", f"{when}: outside availability {win} on {day}"))
    if t is None:
        return out + [("template", f"{when}: unknown template {row['template']!r}")]
    if t.contracts and agent.contract not in t.contracts:
        out.append(("template_contract", f"{when}: template {t.name} not allowed for contract {agent.contract}"))
    if t.queues and row["queue"] not in t.queues:
        out.append(("template_queue", f"{when}: template {t.name} not allowed on queue {row['queue']}"))
    w = t.window(day)
    if w is None or not (w[0] <= s_clock <= w[1]) or length != t.length_min:
        out.append(("template_window", f"{when}: {length} min from {s_clock // 60:02d}:{s_clock % 60:02d} does "
                    f"not fit template {t.name} on {day} ({w}, {t.length_min} min)"))
    if abs(row["paid_hours"] - t.paid_h) > 1e-6:
        out.append(("paid_hours", f"{when}: paid {row['paid_hours']} h, template pays {t.paid_h} h"))
    seq = t.break_sequence()
    brk = [((a - s_clock) % 1440, (b - a) % 1440) for a, b in _parse_breaks(row["breaks"])]
    if len(brk) != len(seq):
        return out + [("breaks", f"{when}: {len(brk)} breaks, template has {len(seq)}")]
    for i, ((off, ln), rule) in enumerate(zip(brk, seq)):
        if ln != rule.length_min or not (rule.earliest_offset_min <= off <= rule.latest_offset_min) \
                or off + ln > length:
            out.append(("break_window", f"{when}: break {i} at +{off} min for {ln} min outside "
                        f"[{rule.earliest_offset_min}, {rule.latest_offset_min}] / {rule.length_min} min"))
        if i and off < brk[i - 1][0] + brk[i - 1][1] + t.min_break_gap_min:
            out.append(("break_gap", f"{when}: break {i} starts {off - brk[i - 1][0] - brk[i - 1][1]} min "
                        f"after the previous one, expected >= {t.min_break_gap_min}"))
    return out


def _week_problems(rows: pd.DataFrame, agent: Agent, rules: ScheduleRules, week_start) -> list[tuple[str, str]]:
    """Rules over one agent's week (days off, shift count, rest, hours, late shifts)."""
    w, out = rules.weekly, []
    k = rules.contract(agent.contract) if agent.contract in {c.name for c in rules.contracts} else None
    if k is None:
        return [("contract", f"unknown contract {agent.contract!r}")]
    rows = rows.sort_values("shift_start")
    starts = list(rows["shift_start"])
    ends = list(rows["shift_end"])
    days = [(s.normalize() - week_start).days for s in starts]
    if any(d < 0 or d > 6 for d in days):
        out.append(("week", f"shift days {days} outside the 7-day week from {week_start:%Y-%m-%d}"))
    if len(set(days)) != len(days):
        out.append(("one_shift_per_day", f"several shifts start on one day: days {days}"))
    if len(days) > w.max_shifts_per_week:
        out.append(("max_shifts", f"{len(days)} shifts, at most {w.max_shifts_per_week}"))
    off = [d for d in range(7) if d not in days]
    if len(off) < w.days_off:
        out.append(("days_off", f"{len(off)} days off, expected >= {w.days_off}"))
    if w.consecutive_days_off and not any(d + 1 in off for d in off):
        out.append(("consecutive_days_off", f"days off {off} include no two consecutive days"))
    for i in range(1, len(starts)):
        rest_h = (starts[i] - ends[i - 1]).total_seconds() / 3600
        if rest_h < w.min_rest_h - 1e-9:
            out.append(("min_rest", f"{rest_h:g} h between shifts ending {ends[i - 1]} and starting {starts[i]}, "
                        f"expected >= {w.min_rest_h:g}"))
    hours = float(rows["paid_hours"].sum())
    if not (k.min_hours_per_week - 1e-6 <= hours <= k.max_hours_per_week + 1e-6):
        out.append(("contract_hours", f"{hours:g} paid h, contract {k.name} allows "
                    f"[{k.min_hours_per_week:g}, {k.max_hours_per_week:g}]"))
    late = sum(((e - s.normalize()).total_seconds() / 60 > w.late_threshold_min) for s, e in zip(starts, ends))
    if late > w.max_late_shifts_per_week:
        out.append(("late_shifts", f"{late} shifts end after {w.late_threshold_min} min, "
                    f"at most {w.max_late_shifts_per_week}"))
    return out


def check_roster(schedule: pd.DataFrame, agents: Sequence[Agent], rules: ScheduleRules, *,
                 week_start=None) -> list[Violation]:
    """Every rule broken by ``schedule`` (the table of :meth:`Roster.to_frame`: ``agent_id,
    contract, queue, template, shift_start, shift_end, paid_hours, breaks``) for ``agents`` over
    the 7-day week from ``week_start`` (default: the first shift's date). Agents without shifts
    are checked too (contract minimum hours). An empty list means the roster is valid."""
    need = ["agent_id", "contract", "queue", "template", "shift_start", "shift_end", "paid_hours", "breaks"]
    missing = [c for c in need if c not in schedule]
    if missing:
        raise ValueError(f"schedule: expected columns {need}, missing {missing}")
    s = schedule.copy()
    for col in ("shift_start", "shift_end"):
        if getattr(s[col].dt, "tz", None) is not None:
            s[col] = s[col].dt.tz_localize(None)
    if week_start is None:
        if s.empty:
            raise ValueError("week_start: expected a date when the schedule is empty")
        week_start = s["shift_start"].min().normalize()
    week_start = pd.Timestamp(week_start).tz_localize(None).normalize() if pd.Timestamp(week_start).tz \
        else pd.Timestamp(week_start).normalize()
    by_id = {a.agent_id: a for a in agents}
    out = []
    for row in s.to_dict("records"):
        for rule, detail in _shift_problems(row, by_id.get(str(row["agent_id"])), rules):
            out.append(Violation(str(row["agent_id"]), rule, detail))
    groups = dict(tuple(s.groupby(s["agent_id"].astype(str)))) if len(s) else {}
    for a in agents:
        rows = groups.get(a.agent_id, s.iloc[:0])
        out.extend(Violation(a.agent_id, r, d) for r, d in _week_problems(rows, a, rules, week_start))
    return out
