"""Shift cover with implicitly placed breaks, by integer programming (HiGHS via scipy.optimize.milp).

The formulation (Aykin-style implicit break placement, exact) is in :mod:`scheduling.cover_model`;
how one part is solved within its time in :mod:`scheduling.cover_solve`. This module checks the
input, splits every queue's week into independent parts, solves them (``workers`` at once, in
threads: HiGHS releases the GIL) sharing the time limit by size, and collects the plan.
"""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .cover_model import CostClock, build_model, candidates, extract_shifts, independent_parts, template_shapes
from .cover_solve import CoverInfeasible, PartSolution, solve_part
from .plan import ShiftPlan
from .rules import ScheduleRules
from .timeline import requirement_grid

__all__ = ["solve_cover"]

_MIN_PART_BUDGET_S = 0.5


@dataclass(frozen=True)
class _Part:
    """One independent part: shift candidates (template index, start minute since the grid start)
    of ``queue`` and the positive-requirement intervals ``ivs`` they cover; ``req`` is the queue's
    requirement per interval (agents on duty)."""

    queue: str
    tpl: np.ndarray
    start: np.ndarray
    ivs: np.ndarray
    req: np.ndarray

    @property
    def size(self) -> int:
        return len(self.tpl)


def _check_args(rules, coverage, time_limit_s, mip_rel_gap, workers) -> str:
    if not isinstance(rules, ScheduleRules):
        raise ValueError(f"rules: expected ScheduleRules, got {type(rules).__name__}")
    mode = rules.coverage if coverage is None else coverage
    if mode not in ("hard", "soft"):
        raise ValueError(f"coverage: expected 'hard' or 'soft', got {coverage!r}")
    if not (isinstance(time_limit_s, (int, float)) and time_limit_s > 0):
        raise ValueError(f"time_limit_s: expected a number > 0, got {time_limit_s!r}")
    if not (isinstance(mip_rel_gap, (int, float)) and 0 <= mip_rel_gap < 1):
        raise ValueError(f"mip_rel_gap: expected a number in [0, 1), got {mip_rel_gap!r}")
    if workers is not None and not (isinstance(workers, (int, np.integer)) and not isinstance(workers, bool)
                                    and workers >= 1):
        raise ValueError(f"workers: expected None or an integer >= 1, got {workers!r}")
    return mode


def solve_cover(requirement: pd.DataFrame, interval_s: int, rules: ScheduleRules, *, time_limit_s: float = 30.0,
                mip_rel_gap: float = 0.005, coverage: str | None = None, workers: int | None = None) -> ShiftPlan:
    """Cheapest shifts with placed breaks covering ``requirement``.

    ``requirement``: ``interval_start``, ``required`` (agents on duty), optional ``queue``;
    ``interval_s``: the interval length in seconds. ``coverage`` overrides ``rules.coverage``.
    ``time_limit_s`` bounds the whole solve (shared among the independent parts by size); the best
    schedule found is returned with its gap. A part stops once its schedule is within
    ``mip_rel_gap`` (relative) of its LP bound or HiGHS proves that gap to its dual bound.
    ``workers``: parts solved at once (None: one per CPU)."""
    mode = _check_args(rules, coverage, time_limit_s, mip_rel_gap, workers)
    t0 = time.perf_counter()
    grid = requirement_grid(requirement, interval_s)
    shapes = template_shapes(rules, grid.interval_min)
    clock = CostClock(rules, grid.n_days)
    penalty_iv = rules.costs.shortfall_penalty_per_h * grid.interval_s / 3600 if mode == "soft" else None
    parts, uncovered = [], {}
    for q in grid.queues:
        req = np.concatenate([grid.required[q], np.zeros(grid.per_day, np.int64)])
        tpl, start = candidates(rules, grid, q)
        reach = np.zeros(req.size + 1, np.int64)
        if tpl.size:
            s_iv = start // grid.interval_min
            np.add.at(reach, s_iv, 1)
            np.add.at(reach, np.minimum(s_iv + [shapes[t].length_iv for t in tpl], req.size), -1)
        lonely = (req > 0) & (np.cumsum(reach)[:-1] == 0)
        if lonely.any() and mode == "hard":
            first = grid.timestamps([int(np.flatnonzero(lonely)[0]) * grid.interval_min])[0]
            raise ValueError(f"requirement.required: {int(lonely.sum())} intervals of queue {q!r} need agents but "
                             f"no shift template covers them (first {first}); add templates or use coverage='soft'")
        uncovered[q] = np.where(lonely, req, 0)
        for cand, ivs in independent_parts(tpl, start, shapes, (req > 0) & ~lonely, grid.interval_min):
            parts.append(_Part(q, tpl[cand], start[cand], ivs, req))

    def solve_one(part: _Part, budget_s: float) -> tuple[PartSolution, object]:
        rows_of = np.full(part.req.size, -1, np.int64)
        rows_of[part.ivs] = np.arange(part.ivs.size)
        m = build_model((part.tpl, part.start), shapes, clock, rows_of, part.req[part.ivs], penalty_iv,
                        grid.interval_min)
        try:
            sol = solve_part(m, budget_s, mip_rel_gap)
        except CoverInfeasible:
            raise ValueError(f"requirement.required: queue {part.queue!r} cannot be covered by the templates with "
                             f"their breaks; use coverage='soft'") from None
        except RuntimeError as exc:
            raise RuntimeError(f"queue {part.queue!r}: {exc}; raise time_limit_s") from None
        return sol, m

    n_workers = min(workers or os.cpu_count() or 1, max(len(parts), 1))
    solved = _share_time(parts, solve_one, t0 + time_limit_s, n_workers)
    stats = dict(cost=0.0, penalty=0.0, lp_bound=0.0, dual_bound=0.0, parts=len(parts), status="optimal",
                 part_figures=[])
    rows = []
    for part, (sol, m) in zip(parts, solved):
        x = np.rint(sol.values).astype(np.int64)
        shortfall = float(sol.values[len(x) - m.n_short:].sum()) if m.n_short else 0.0
        penalty = shortfall * (penalty_iv or 0.0)
        stats["penalty"] += penalty
        stats["cost"] += sol.objective - penalty
        stats["lp_bound"] += sol.lp_bound
        stats["dual_bound"] += sol.bound
        if sol.gap() > mip_rel_gap + 1e-9:
            stats["status"] = "time_limit"
        stats["part_figures"].append(dict(queue=part.queue, day=int(part.ivs[0]) // grid.per_day,
                                          objective=sol.objective, lp_bound=sol.lp_bound, bound=sol.bound,
                                          found_by=sol.found_by, time_s=round(sol.time_s, 3)))
        rows.extend(extract_shifts(part.queue, part.tpl, part.start, x, m, shapes, clock, grid.interval_min))
    shifts = pd.DataFrame(rows, columns=["queue", "template", "day", "start_min", "end_min", "paid_min", "cost",
                                         "breaks_min"])
    short_h = sum(float(u.sum()) for u in uncovered.values()) * grid.interval_s / 3600
    fixed = short_h * rules.costs.shortfall_penalty_per_h if mode == "soft" else 0.0  # same in every solution
    for key in ("penalty", "lp_bound", "dual_bound"):
        stats[key] += fixed
    return ShiftPlan(grid=grid, rules=rules, shifts=shifts, coverage_mode=mode,
                     solve_time_s=time.perf_counter() - t0, stats=stats)


def _share_time(parts: list[_Part], solve_one, deadline: float, workers: int) -> list:
    """``solve_one(part, budget_s)`` for every part, ``workers`` at once. A part starting gets the
    time still free on all workers (not promised to running parts) in proportion to its size among
    the parts not yet started (at least ``_MIN_PART_BUDGET_S``, at most the time left)."""
    lock = threading.Lock()
    pending = [float(sum(p.size for p in parts))]
    promised: dict[int, float] = {}

    def run(k: int):
        with lock:
            now = time.perf_counter()
            left = max(deadline - now, 0.0)
            busy = sum(max(end - now, 0.0) for end in promised.values())
            share = parts[k].size / pending[0] if pending[0] > 0 else 1.0
            pending[0] -= parts[k].size
            budget = max(min(left, (left * workers - busy) * share), _MIN_PART_BUDGET_S)
            promised[k] = now + budget
        try:
            return solve_one(parts[k], budget)
        finally:
            with lock:
                promised.pop(k)

    if workers == 1:
        return [run(k) for k in range(len(parts))]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, range(len(parts))))
