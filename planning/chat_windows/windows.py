"""Chat windows for a budget (:func:`chat_windows`) and the cost of given posted hours
(:func:`agent_hours_for_hours`), reported per weekday. See :mod:`planning.chat_windows` for the model."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import WEEKDAYS, OpeningHours, check_number, parse_hours

from ..pipeline import open_blocks
from .grid import WeekGrid, chat_week_grid
from .solver import solve_windows

__all__ = ["ChatWindowsResult", "HoursCost", "chat_windows", "agent_hours_for_hours", "as_opening_hours"]


def _fmt_min(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def _windows_to_hours(open_: np.ndarray, interval_s: int, allowed: OpeningHours | None = None) -> OpeningHours:
    """The open slots as posted hours, clipped to the allowed hours (a slot that only overlaps them
    is open by the one open-interval rule, but chat is posted only from where it is allowed)."""
    step = interval_s // 60
    days = []
    for d in range(7):
        ranges = [(s * step, e * step) for s, e in open_blocks(open_[d])]
        if allowed is not None:
            ranges = [(max(s, a), min(e, b)) for s, e in ranges for a, b in allowed.by_weekday[d]
                      if min(e, b) > max(s, a)]
        days.append(tuple(ranges))
    return OpeningHours(tuple(days))


def _evening_slots(grid: WeekGrid, evening: tuple[str, str]) -> np.ndarray:
    def parse(t):
        h, m = t.split(":")
        return int(h) * 60 + int(m)

    e0, e1 = parse(evening[0]), parse(evening[1])
    start_min = np.arange(grid.slots) * grid.interval_s // 60
    return (start_min >= e0) & (start_min < e1)


@dataclass
class ChatWindowsResult:
    """The chosen chat windows and what they deliver.

    - ``windows``: one row per weekday: ``weekday``, ``windows`` ("HH:MM-HH:MM, ..."),
      ``posted_hours``, ``demand`` (forecast chats per week in the windows), ``demand_share``
      (of that weekday's demand), ``agent_hours`` (per week, mean over the horizon weeks),
      ``evening_hours`` (posted hours within the evening window);
    - ``intervals``: the open intervals of every horizon week with ``volume``, ``agents``,
      ``p_wait`` and ``asa_s`` (predicted by the chat model at those agents);
    - ``posted_hours_per_week``, ``covered_share`` (served in real time / all forecast chat
      demand), ``agent_hours_per_week`` (mean) and ``agent_hours_max_week``,
      ``budget_agent_hours_per_week``, ``evening_windows`` (the evening hours that made it in),
      ``max_p_wait`` / ``max_asa_s`` over the open intervals, ``hours`` (as :class:`OpeningHours`).
    """

    windows: pd.DataFrame
    intervals: pd.DataFrame
    hours: OpeningHours
    posted_hours_per_week: float
    covered_share: float
    agent_hours_per_week: float
    agent_hours_max_week: float
    budget_agent_hours_per_week: float | None
    evening_windows: list
    max_p_wait: float
    max_asa_s: float
    targets: dict
    weeks: int
    status: str
    solver: str
    open: np.ndarray = field(repr=False, default=None)

    def summary(self) -> dict:
        return {
            "budget_agent_hours_per_week": self.budget_agent_hours_per_week,
            "agent_hours_per_week": round(self.agent_hours_per_week, 2),
            "agent_hours_max_week": round(self.agent_hours_max_week, 2),
            "posted_hours_per_week": round(self.posted_hours_per_week, 2),
            "covered_share": round(self.covered_share, 4),
            "evening_windows": self.evening_windows,
            "max_p_wait": round(self.max_p_wait, 4),
            "max_asa_s": round(self.max_asa_s, 2),
            "weeks": self.weeks,
            "status": self.status,
        }

    def to_text(self) -> str:
        w = self.windows.copy()
        for c in ("posted_hours", "agent_hours", "evening_hours", "demand"):
            w[c] = w[c].round(1)
        w["demand_share"] = (w["demand_share"] * 100).round(1).astype(str) + "%"
        lines = [w.to_string(index=False)]
        b = self.budget_agent_hours_per_week
        lines.append(
            f"posted {self.posted_hours_per_week:.1f} h/week; {self.covered_share:.1%} of forecast chats served in "
            f"real time; agent-hours {self.agent_hours_per_week:.1f}/week (max week {self.agent_hours_max_week:.1f}"
            + (f", budget {b:.1f})" if b is not None else ")"))
        lines.append(f"worst open interval: P(wait) {self.max_p_wait:.3f}, ASA {self.max_asa_s:.1f} s "
                     f"(targets: P(wait) <= {self.targets.get('p_wait')}, ASA <= {self.targets.get('asa_s')} s)")
        lines.append("evening hours open: " + (", ".join(self.evening_windows) or "none"))
        return "\n".join(lines)


def _result(grid: WeekGrid, open_: np.ndarray, budget, status, solver, evening,
            allowed: OpeningHours | None = None) -> ChatWindowsResult:
    h = grid.interval_s / 3600.0
    hours = _windows_to_hours(open_, grid.interval_s, allowed)
    posted_h = [sum(e - s for s, e in hours.by_weekday[d]) / 60.0 for d in range(7)]
    weeks = grid.demand.shape[0]
    total_demand = float(grid.demand.sum())
    ev = _evening_slots(grid, evening)
    rows, evening_windows = [], []
    for d in range(7):
        day_demand = float(grid.demand[:, d, :].sum()) / weeks
        dem = float(grid.demand[:, d, open_[d]].sum()) / weeks
        rows.append({
            "weekday": WEEKDAYS[d],
            "windows": ", ".join(f"{_fmt_min(s)}-{_fmt_min(e)}" for s, e in hours.by_weekday[d]) or "closed",
            "posted_hours": float(posted_h[d]),
            "demand": dem,
            "demand_share": dem / day_demand if day_demand > 0 else 0.0,
            "agent_hours": float(grid.cost[:, d, open_[d]].sum()) / weeks,
            "evening_hours": float((open_[d] & ev).sum() * h),
        })
        for s, e in open_blocks(open_[d] & ev):
            evening_windows.append(f"{WEEKDAYS[d]} {grid.slot_label(s)}-{_fmt_min(e * grid.interval_s // 60)}")
    t = grid.intervals
    sel = open_[t["weekday"].to_numpy(), t["slot"].to_numpy()]
    intervals = t.loc[sel].reset_index(drop=True)
    by_week = (grid.cost * open_[None]).sum(axis=(1, 2))
    return ChatWindowsResult(
        windows=pd.DataFrame(rows), intervals=intervals, hours=hours,
        posted_hours_per_week=float(sum(posted_h)),
        covered_share=float(grid.demand[:, open_].sum()) / total_demand if total_demand > 0 else 0.0,
        agent_hours_per_week=float(by_week.mean()), agent_hours_max_week=float(by_week.max()),
        budget_agent_hours_per_week=budget, evening_windows=evening_windows,
        max_p_wait=float(intervals["p_wait"].max()) if len(intervals) else 0.0,
        max_asa_s=float(intervals["asa_s"].max()) if len(intervals) else 0.0,
        targets=dict(grid.targets), weeks=weeks, status=status, solver=solver, open=open_,
    )


def _allowed_mask(grid: WeekGrid, allowed: OpeningHours | None) -> np.ndarray | None:
    """Slots where a window may open: those the allowed hours make open (the one open-interval rule
    of :mod:`core.hours`: overlap)."""
    return None if allowed is None else allowed.slot_mask(grid.interval_s)


def as_opening_hours(hours, name: str) -> OpeningHours:
    """``hours`` as :class:`OpeningHours`: given as such, or a dict like ``{"mon": "08:00-20:00",
    "default": "closed"}`` (days not named get ``default``, else closed); ValueError naming ``name``."""
    if isinstance(hours, OpeningHours):
        return hours
    if isinstance(hours, dict):
        unknown = [k for k in hours if k not in WEEKDAYS and k != "default"]
        if unknown:
            raise ValueError(f"{name}: unknown day(s) {unknown}; expected {', '.join(WEEKDAYS)} or 'default'")
        default = parse_hours(hours["default"]) if "default" in hours else ()
        try:
            days = tuple(parse_hours(hours[d]) if d in hours else default for d in WEEKDAYS)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        return OpeningHours(days)
    raise ValueError(f"{name}: expected OpeningHours or a dict like {{'mon': '08:00-20:00'}}, got {type(hours).__name__}")


def chat_windows(forecast: pd.DataFrame, interval_s: int, budget_agent_hours_per_week: float, *,
                 p_wait: float = 0.05, asa_s: float | None = 10.0, concurrency: int = 1, aht_by_concurrency_s=None,
                 patience_s: float | None = None, min_agents_open: int = 1, max_windows_per_day: int = 1,
                 min_window_intervals: int = 1, allowed_hours=None, budget_mode: str = "each_week",
                 evening: tuple[str, str] = ("20:00", "24:00"), grid: WeekGrid | None = None) -> ChatWindowsResult:
    """The chat opening windows per weekday that serve the most forecast chats in real time within
    a weekly agent-hour budget, every open interval meeting the "no waiting" target (module docstring).

    ``allowed_hours``: :class:`OpeningHours` or ``{"mon": "07:00-24:00", "default": ...}``; an
    interval may open when it is open under them (overlap, the one open-interval rule); the posted
    hours are clipped to them (allowed from 07:45: the 07:30 interval is staffed, chat posted from 07:45). ``grid``: a precomputed :func:`chat_week_grid` (the target
    arguments are then ignored).
    """
    grid = grid or chat_week_grid(forecast, interval_s, p_wait=p_wait, asa_s=asa_s, concurrency=concurrency,
                                  aht_by_concurrency_s=aht_by_concurrency_s, patience_s=patience_s,
                                  min_agents_open=min_agents_open)
    demand = grid.demand.sum(axis=0)
    allowed = None if allowed_hours is None else as_opening_hours(allowed_hours, "allowed_hours")
    sol = solve_windows(demand, grid.cost, budget_agent_hours_per_week, allowed=_allowed_mask(grid, allowed),
                        max_windows_per_day=max_windows_per_day, min_window_intervals=min_window_intervals,
                        budget_mode=budget_mode)
    return _result(grid, sol.open, float(budget_agent_hours_per_week), sol.status, sol.solver, evening, allowed)


@dataclass
class HoursCost:
    """Agent-hours needed to keep chat open in given posted hours with no waiting (the reverse).

    ``windows`` / ``intervals`` / ``covered_share`` etc. as in :class:`ChatWindowsResult`;
    ``agent_hours_by_week`` per horizon week; ``paid_hours_per_week`` = mean agent-hours /
    (1 - shrinkage).
    """

    result: ChatWindowsResult
    agent_hours_by_week: np.ndarray
    paid_hours_per_week: float


def agent_hours_for_hours(forecast: pd.DataFrame, interval_s: int, hours, *, p_wait: float = 0.05,
                          asa_s: float | None = 10.0, concurrency: int = 1, aht_by_concurrency_s=None,
                          patience_s: float | None = None, min_agents_open: int = 1, shrinkage: float = 0.0,
                          evening: tuple[str, str] = ("20:00", "24:00"), grid: WeekGrid | None = None) -> HoursCost:
    """Agent-hours per week to keep chat open in ``hours`` (posted hours, OpeningHours or a dict)
    with every open interval meeting the "no waiting" target. An interval is open when it overlaps
    the posted hours."""
    check_number("shrinkage", shrinkage, minimum=0.0, maximum=1.0, strict_max=True)
    posted = as_opening_hours(hours, "hours")
    grid = grid or chat_week_grid(forecast, interval_s, p_wait=p_wait, asa_s=asa_s, concurrency=concurrency,
                                  aht_by_concurrency_s=aht_by_concurrency_s, patience_s=patience_s,
                                  min_agents_open=min_agents_open)
    open_ = posted.slot_mask(grid.interval_s)
    res = _result(grid, open_, None, "given", "given", evening, posted)
    by_week = (grid.cost * open_[None]).sum(axis=(1, 2))
    return HoursCost(res, by_week, float(by_week.mean()) / (1.0 - shrinkage))
