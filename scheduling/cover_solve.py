"""Solving one part of the shift cover (a :class:`~scheduling.cover_model.Model`) within a time budget.

Steps, each keeping the cheapest schedule found so far (measured in docs/scheduling.md):

1. **LP relaxation** (all counts continuous): its optimum is the *LP bound* reported, a lower bound
   on every schedule of this model. HiGHS's own heuristics find good incumbents slowly on this
   model (seconds per day part, and at a 4-second share of a 30-second week often a poor one),
   while the LP optimum is nearly integral at high volumes;
2. **LP neighbourhood**: shift counts integer and restricted to ``floor(x_lp) .. ceil(x_lp)``,
   break counts continuous — a small MIP HiGHS solves in well under a second;
3. **break placement** (phase 2): the shift counts fixed, break counts integer. When no integer
   placement exists for those counts, the neighbourhood is solved with integer break counts;
4. unless step 2-3 is already within ``gap`` of the LP bound: **phase 1 on the whole model**
   (shift counts integer, break counts continuous: a relaxation, so its dual bound is a valid
   bound for the full problem) with most of the remaining time, then break placement again;
5. when still no schedule: the **full MIP** (every count integer) on the remaining time. It is not
   used to improve a schedule: HiGHS overran a 0.7-second limit on it by 3 s on a 1x day part.

scipy's ``milp`` takes no starting solution, so every step starts from scratch; the cheapest
schedule over all steps is returned with the best bound (the LP bound or a MIP dual bound).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, milp

from .cover_model import Model

__all__ = ["PartSolution", "solve_part", "CoverInfeasible"]

_TOL = 1e-6
_NEIGHBOURHOOD_SHARE = 0.25   # of the part's budget, at most, for step 2
_PLACEMENT_RESERVE = 0.1      # of the remaining time kept back for break placement after phase 1


class CoverInfeasible(ValueError):
    """The part's requirement cannot be met by the templates with their breaks."""


@dataclass
class PartSolution:
    """The cheapest schedule found for one part. ``values``: the model's column values (integral
    counts); ``objective``: its cost in currency (shortfall penalty included); ``lp_bound`` and
    ``bound`` (best valid lower bound, >= ``lp_bound``) in the same currency; ``found_by``: the step
    that found it (``"neighbourhood"``, ``"phase1"``, ``"full"``); ``time_s``: wall time spent."""

    values: np.ndarray
    objective: float
    lp_bound: float
    bound: float
    found_by: str
    time_s: float

    def gap(self) -> float:
        """Relative gap of the schedule to ``bound`` (0.01 = 1 %)."""
        return (self.objective - self.bound) / self.objective if self.objective > 0 else 0.0


class _Clock:
    def __init__(self, budget_s: float):
        self.t0 = time.perf_counter()
        self.end = self.t0 + budget_s

    def left(self, floor: float = 0.05) -> float:
        return max(self.end - time.perf_counter(), floor)

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0


def _milp(m: Model, integer_breaks: bool, lo, hi, time_s: float, gap: float):
    integrality = m.integrality.copy()
    if not integer_breaks:
        integrality[m.n_x:] = 0
    bounds = Bounds(lo, hi) if lo is not None else None
    return milp(m.c, integrality=integrality, constraints=m.constraints, bounds=bounds,
                options={"time_limit": float(time_s), "mip_rel_gap": gap})


def _x_bounds(m: Model, lo_x, hi_x):
    lo = np.zeros(m.c.size)
    hi = np.full(m.c.size, np.inf)
    lo[:m.n_x], hi[:m.n_x] = lo_x, hi_x
    return lo, hi


def _dual(res) -> float:
    dual = getattr(res, "mip_dual_bound", None)
    return float(dual) if dual is not None and np.isfinite(dual) else -np.inf


def _place_breaks(m: Model, x: np.ndarray, clock: _Clock, gap: float):
    """Integer break counts for fixed shift counts ``x``; the result or None."""
    res = _milp(m, True, *_x_bounds(m, x, x), clock.left(0.2), gap)
    return res if res.x is not None else None


def solve_part(m: Model, budget_s: float, gap: float) -> PartSolution:
    """The cheapest schedule the steps of the module docstring find in about ``budget_s`` seconds;
    stops early once it is within ``gap`` (relative) of the LP bound. Raises
    :class:`CoverInfeasible` when the LP relaxation is infeasible, RuntimeError when no schedule
    was found in the time."""
    clock = _Clock(budget_s)
    lp = milp(m.c, integrality=np.zeros_like(m.integrality), constraints=m.constraints,
              options={"time_limit": clock.left(1.0)})
    if lp.status == 2:
        raise CoverInfeasible("the LP relaxation is infeasible")
    if lp.x is None:
        raise RuntimeError("the LP relaxation was not solved within the time limit")
    lp_bound = bound = float(lp.fun)
    best: tuple[float, np.ndarray, str] | None = None

    def keep(res, how):
        nonlocal best
        if res is not None and res.x is not None and (best is None or res.fun < best[0] - _TOL):
            best = (float(res.fun), res.x, how)

    def done() -> bool:
        return best is not None and best[0] - bound <= gap * best[0] + _TOL

    # 2-3: the LP optimum's neighbourhood
    x_lp = lp.x[:m.n_x]
    lo_x, hi_x = np.floor(x_lp + _TOL), np.ceil(x_lp - _TOL)
    near = _milp(m, False, *_x_bounds(m, lo_x, hi_x), min(budget_s * _NEIGHBOURHOOD_SHARE, clock.left()), gap)
    if near.x is not None:
        placed = _place_breaks(m, np.rint(near.x[:m.n_x]), clock, gap)
        keep(placed if placed is not None else
             _milp(m, True, *_x_bounds(m, lo_x, hi_x), min(budget_s * _NEIGHBOURHOOD_SHARE, clock.left()), gap),
             "neighbourhood")
    # 4: phase 1 on the whole model, then break placement
    if not done() and clock.left(0) > 0.1:
        r1 = _milp(m, False, None, None, clock.left() * (1 - _PLACEMENT_RESERVE), gap)
        bound = max(bound, _dual(r1))
        if r1.x is not None:
            keep(_place_breaks(m, np.rint(r1.x[:m.n_x]), clock, gap), "phase1")
    # 5: the full MIP, only without a schedule (it takes seconds to start whatever its time limit)
    if best is None:
        full = _milp(m, True, None, None, clock.left(0.2), gap)
        bound = max(bound, _dual(full))
        keep(full, "full")
    if best is None:
        raise RuntimeError("no feasible schedule found within the time limit")
    return PartSolution(values=best[1], objective=best[0], lp_bound=lp_bound, bound=min(bound, best[0]),
                        found_by=best[2], time_s=clock.elapsed())
