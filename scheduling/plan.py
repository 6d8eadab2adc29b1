"""The shift plan (result of :func:`scheduling.solve_cover`) and on-duty counting.

On duty in an interval = agent-minutes on shift and not on a break or meal in that interval,
divided by the interval's minutes (so a 15-minute break in a 30-minute interval counts half)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .rules import ScheduleRules
from .timeline import Grid

__all__ = ["ShiftPlan", "on_duty_per_interval", "format_breaks"]

DAY_MIN = 1440


def on_duty_per_interval(start_min, end_min, breaks_min, grid: Grid) -> np.ndarray:
    """Agents on duty per grid interval (net of breaks) for shifts given as minutes since the grid
    start; ``breaks_min`` holds per shift a sequence of ``(start_min, end_min, paid)``."""
    n_min = (grid.n_days + 2) * DAY_MIN
    diff = np.zeros(n_min + 1)
    s = np.asarray(start_min, dtype=np.int64)
    e = np.asarray(end_min, dtype=np.int64)
    np.add.at(diff, s, 1.0)
    np.add.at(diff, e, -1.0)
    flat = [(a, b) for brk in breaks_min for a, b, _ in brk]
    if flat:
        a, b = np.asarray(flat, dtype=np.int64).T
        np.add.at(diff, a, -1.0)
        np.add.at(diff, b, 1.0)
    per_min = np.cumsum(diff)[:grid.n_days * DAY_MIN]
    return per_min.reshape(-1, grid.interval_min).mean(axis=1)


def format_breaks(breaks_min, grid: Grid) -> str:
    """``"HH:MM-HH:MM;..."`` wall-clock times of a shift's breaks."""
    def hhmm(m):
        m = int(m) % DAY_MIN
        return f"{m // 60:02d}:{m % 60:02d}"
    return ";".join(f"{hhmm(a)}-{hhmm(b)}" for a, b, _ in breaks_min)


@dataclass
class ShiftPlan:
    """Shifts (one row each) with placed breaks, and the solver's figures.

    ``shifts`` columns: ``queue, template, day`` (0 = first grid day), ``start_min, end_min``
    (minutes since the grid start), ``paid_min``, ``cost`` (currency, premiums included),
    ``breaks_min`` (tuple of ``(start_min, end_min, paid)``)."""

    grid: Grid
    rules: ScheduleRules
    shifts: pd.DataFrame
    coverage_mode: str
    solve_time_s: float
    stats: dict = field(default_factory=dict)

    def on_duty(self, queue: str) -> np.ndarray:
        """Agents on duty per interval of ``queue`` (net of breaks)."""
        s = self.shifts[self.shifts["queue"] == queue]
        return on_duty_per_interval(s["start_min"], s["end_min"], s["breaks_min"], self.grid)

    def coverage_frame(self) -> pd.DataFrame:
        """``queue, interval_start, required, on_duty, over_under`` (on duty minus required)."""
        return coverage_table(self.grid, {q: self.on_duty(q) for q in self.grid.queues})

    def to_frame(self) -> pd.DataFrame:
        """One row per shift: ``queue, template, date, shift_start, shift_end, paid_hours, cost, breaks``."""
        s = self.shifts
        g = self.grid
        return pd.DataFrame({
            "queue": s["queue"].to_numpy(), "template": s["template"].to_numpy(),
            "date": g.timestamps(s["day"].to_numpy() * DAY_MIN).date if len(s) else [],
            "shift_start": g.timestamps(s["start_min"]), "shift_end": g.timestamps(s["end_min"]),
            "paid_hours": s["paid_min"].to_numpy() / 60.0, "cost": s["cost"].to_numpy(),
            "breaks": [format_breaks(b, g) for b in s["breaks_min"]],
        })

    @property
    def cost(self) -> float:
        return float(self.stats["cost"])

    @property
    def summary(self) -> dict:
        """Flat dict of the plan's figures (units in the names)."""
        cov = self.coverage_frame()
        h = self.grid.interval_s / 3600
        req_h = float(cov["required"].sum() * h)
        paid_h = float(self.shifts["paid_min"].sum() / 60)
        obj = self.stats["cost"] + self.stats["penalty"]
        short = np.clip(-cov["over_under"].to_numpy(), 0, None)
        return {
            "cost": round(self.stats["cost"], 2),
            "shortfall_penalty": round(self.stats["penalty"], 2),
            "lp_bound": round(self.stats["lp_bound"], 2),
            "dual_bound": round(self.stats["dual_bound"], 2),
            "gap_to_lp_pct": 100 * (obj - self.stats["lp_bound"]) / obj if obj > 0 else 0.0,
            "mip_gap_pct": 100 * (obj - self.stats["dual_bound"]) / obj if obj > 0 else 0.0,
            "solve_time_s": round(self.solve_time_s, 3),
            "status": self.stats["status"],
            "subproblems": self.stats["parts"],
            "shifts": int(len(self.shifts)),
            "paid_h": round(paid_h, 2),
            "required_agent_h": round(req_h, 2),
            "on_duty_agent_h": round(float(cov["on_duty"].sum() * h), 2),
            "paid_over_required_pct": 100 * (paid_h / req_h - 1) if req_h > 0 else float("nan"),
            "intervals_short": int((short > 1e-9).sum()),
            "shortfall_agent_h": round(float(short.sum() * h), 3),
        }


def coverage_table(grid: Grid, on_duty: dict) -> pd.DataFrame:
    """Per queue and interval: required, on duty and their difference."""
    starts = grid.interval_starts()
    frames = []
    for q in grid.queues:
        od = np.round(np.asarray(on_duty[q], float), 6)
        frames.append(pd.DataFrame({"queue": q, "interval_start": starts, "required": grid.required[q],
                                    "on_duty": od, "over_under": od - grid.required[q]}))
    return pd.concat(frames, ignore_index=True)
