"""Solving one part of the shift cover (a :class:`~scheduling.cover_model.Model`) within a time budget.

Steps, each keeping the cheapest schedule found so far (measured in docs/scheduling.md):

1. **LP relaxation** (all counts continuous): its optimum is the *LP bound* reported, a lower bound
   on every schedule of this model. The LP optimum is nearly integral at high volumes;
2. **LP neighbourhood**: shift counts integer and restricted to ``floor(x_lp) .. ceil(x_lp)``,
   break counts continuous: a small MIP HiGHS solves in well under a second;
3. **break placement**: those shift counts fixed, break counts integer (a small problem). When no
   integer placement exists for them, every count integer with shift counts within one of them;
4. only when steps 2-3 found no schedule: **phase 1** on the whole model (shift counts integer,
   break counts continuous: a relaxation, so its dual bound is valid for the full problem), then
   break placement;
5. unless the schedule is already within ``gap`` of the LP bound: the **full MIP** (every count
   integer) started from that schedule, with the time left. Its dual bound is a valid bound, and it
   stops once it proves the schedule within ``gap`` of it. HiGHS's own heuristics find good
   schedules late on this model, so the start matters: without one it takes seconds to find a
   first schedule of a day part, and at high volume a poor one.

With a ``node_limit`` (a solve defined by work, not time) step 4 always runs, from the step-2
schedule, and step 5 only when there is still no schedule: the full MIP's root (presolve, cuts)
costs seconds a day part whatever the node limit. On the bundled week it made the cover 1.7 times
as slow for a 0.02 % cheaper schedule (docs/scheduling.md).

The cheapest schedule over all steps is returned with the best valid bound (the LP bound or a
phase-1 / full-MIP dual bound). HiGHS is called through ``highspy`` (starting solutions; scipy's
``milp`` takes none).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from .cover_model import Model

__all__ = ["PartSolution", "solve_part", "improve_part", "lp_relaxation", "CoverInfeasible"]

_TOL = 1e-6
_NEIGHBOURHOOD_SHARE = 0.25   # of the part's budget, at most, for step 2
_PHASE1_SHARE = 0.5           # of the remaining time, for phase 1 without a node limit (step 4)
_INF = highspy.kHighsInf


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
    timed_out: bool = False   # a run stopped on its time limit (the schedule then depends on the machine's speed)

    def gap(self) -> float:
        """Relative gap of the schedule to ``bound`` (0.01 = 1 %)."""
        return (self.objective - self.bound) / self.objective if self.objective > 0 else 0.0


@dataclass
class _Run:
    """One HiGHS run: ``values`` None when it found no solution; ``bound`` its dual bound."""

    values: np.ndarray | None
    objective: float
    bound: float
    infeasible: bool
    timed_out: bool = False


class _Highs:
    """A part's model handed to HiGHS once per run with that run's integrality, shift-count
    bounds, limits and starting solution."""

    def __init__(self, m: Model, node_limit: int | None = None):
        a = m.A.tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
        lp.col_cost_ = m.c
        lp.row_lower_ = np.where(np.isfinite(m.lb), m.lb, -_INF)
        lp.row_upper_ = np.where(np.isfinite(m.ub), m.ub, _INF)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
        self.lp, self.m, self.node_limit = lp, m, node_limit
        self.timed_out = False  # any run so far stopped on its time limit

    def run(self, integer: str, time_s: float, gap: float, lo_x=None, hi_x=None, start=None, lp_solver=None) -> _Run:
        """``integer``: ``"none"`` (LP), ``"shifts"`` (shift counts) or ``"all"`` (the model's integer
        columns: contract-mix and shortfall columns stay continuous); ``lo_x``/``hi_x``: bounds on the shift counts; ``start``: column values."""
        m, lp = self.m, self.lp
        n = m.c.size
        lo, hi = np.zeros(n), np.full(n, _INF)
        if lo_x is not None:
            lo[:m.n_x], hi[:m.n_x] = lo_x, hi_x
        lp.col_lower_, lp.col_upper_ = lo, hi  # whole arrays: the attributes hand out copies
        kinds = np.zeros(n, bool)
        if integer == "shifts":
            kinds[:m.n_x] = True
        elif integer == "all":
            kinds = m.integrality > 0
        lp.integrality_ = [highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous for k in kinds]
        # the bound C++ class: the Python wrapper prints a banner on construction, before output can be switched off
        h = highspy._Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", float(max(time_s, 0.05)))
        h.setOptionValue("mip_rel_gap", float(gap))
        if lp_solver is not None:
            h.setOptionValue("solver", lp_solver)
        if self.node_limit is not None:  # a limit on work, not time: the same result on any machine load
            h.setOptionValue("mip_max_nodes", int(self.node_limit))
        h.passModel(lp)
        if start is not None:
            sol = highspy.HighsSolution()
            sol.col_value = list(start)
            sol.value_valid = True
            h.setSolution(sol)
        h.run()
        status, info = h.getModelStatus(), h.getInfo()
        infeasible = status == highspy.HighsModelStatus.kInfeasible
        timed_out = status == highspy.HighsModelStatus.kTimeLimit
        if timed_out:
            self.timed_out = True
        if infeasible or info.primal_solution_status != 2:  # 2: a feasible solution
            return _Run(None, np.inf, -np.inf, infeasible, timed_out)
        obj = float(info.objective_function_value)
        bound = obj if integer == "none" else float(info.mip_dual_bound)
        return _Run(np.asarray(h.getSolution().col_value), obj, bound if np.isfinite(bound) else -np.inf, False,
                    timed_out)


class _Clock:
    def __init__(self, budget_s: float):
        self.t0 = time.perf_counter()
        self.end = self.t0 + budget_s

    def left(self, floor: float = 0.05) -> float:
        return max(self.end - time.perf_counter(), floor)

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0


def lp_relaxation(m: Model, time_s: float, lp_solver: str | None = None) -> tuple[float, np.ndarray]:
    """Optimum (cost in currency) and column values of ``m``'s LP relaxation (every column
    continuous); ``lp_solver``: HiGHS's ``solver`` option (None: its default, ``"ipm"``: interior
    point). Raises :class:`CoverInfeasible` when it is infeasible, RuntimeError when it was not
    solved within ``time_s`` seconds."""
    run = _Highs(m).run("none", time_s, 0.0, lp_solver=lp_solver)
    if run.infeasible:
        raise CoverInfeasible("the LP relaxation is infeasible")
    if run.values is None:
        raise RuntimeError("the LP relaxation was not solved within the time limit")
    return run.objective, run.values


def _place_breaks(solver: _Highs, x: np.ndarray, clock: _Clock, gap: float, start=None) -> _Run:
    """Integer break counts for shift counts ``x``; when none exist, every count integer with the
    shift counts within one of ``x`` (started from ``start``, a schedule, when given)."""
    x = np.rint(x)
    placed = solver.run("all", clock.left(0.2), gap, x, x)
    if placed.values is None:
        placed = solver.run("all", clock.left(0.2), gap, np.maximum(x - 1, 0), x + 1, start=start)
    return placed


def solve_part(m: Model, budget_s: float, gap: float, node_limit: int | None = None) -> PartSolution:
    """The cheapest schedule the steps of the module docstring find in about ``budget_s`` seconds;
    stops early once it is within ``gap`` (relative) of the LP bound. ``node_limit``: branch-and-bound
    nodes each HiGHS run may explore (None: no limit); a part whose runs all end on the gap or the
    node limit before ``budget_s`` gets the same schedule however loaded the machine is. Raises
    :class:`CoverInfeasible` when the LP relaxation is infeasible, RuntimeError when no schedule
    was found in the time."""
    clock = _Clock(budget_s)
    solver = _Highs(m, node_limit)
    lp = solver.run("none", clock.left(1.0), gap)
    if lp.infeasible:
        raise CoverInfeasible("the LP relaxation is infeasible")
    if lp.values is None:
        raise RuntimeError("the LP relaxation was not solved within the time limit")
    bound = lp.objective
    best: tuple[_Run, str] | None = None

    def keep(run: _Run, how: str) -> None:
        nonlocal best
        if run.values is not None and (best is None or run.objective < best[0].objective - _TOL):
            best = (run, how)

    def done() -> bool:
        return best is not None and best[0].objective - bound <= gap * best[0].objective + _TOL

    x_lp = lp.values[:m.n_x]
    # with a node limit the work is bounded: no time cap that a loaded machine would hit first
    near_s = clock.left() if node_limit is not None else min(budget_s * _NEIGHBOURHOOD_SHARE, clock.left())
    near = solver.run("shifts", near_s, gap,
                      np.floor(x_lp + _TOL), np.ceil(x_lp - _TOL))
    if near.values is not None:
        keep(_place_breaks(solver, near.values[:m.n_x], clock, gap), "neighbourhood")
    # phase 1 when the neighbourhood found no schedule; with a node limit also to improve one (see below)
    if (best is None or node_limit is not None) and not done() and clock.left(0) > 0.1:
        r1 = solver.run("shifts", clock.left() * (_PHASE1_SHARE if node_limit is None else 1.0), gap,
                        start=None if best is None else best[0].values)
        bound = max(bound, r1.bound)
        if r1.values is not None:
            keep(_place_breaks(solver, r1.values[:m.n_x], clock, gap, None if best is None else best[0].values),
                 "phase1")
    if (node_limit is None or best is None) and not done() and clock.left(0) > 0.1:
        full = solver.run("all", clock.left(0.2), gap, start=None if best is None else best[0].values)
        bound = max(bound, full.bound)
        keep(full, "full")
    if best is None:
        raise RuntimeError("no feasible schedule found within the time limit")
    run, how = best
    return PartSolution(values=run.values, objective=run.objective, lp_bound=lp.objective,
                        bound=min(bound, run.objective), found_by=how, time_s=clock.elapsed(),
                        timed_out=solver.timed_out)


def improve_part(m: Model, sol: PartSolution, budget_s: float, gap: float, node_limit: int | None = None) -> PartSolution:
    """``sol`` (a schedule of ``m`` that stopped on its time) improved by the full MIP started from
    it, for about ``budget_s`` more seconds: the cheaper schedule and the better bound of the two
    runs, the time of both (the second pass of :func:`scheduling.solve_cover` when parts finished
    early and left time)."""
    clock = _Clock(budget_s)
    solver = _Highs(m, node_limit)
    run = solver.run("all", clock.left(0.2), gap, start=sol.values)
    better = run.values is not None and run.objective < sol.objective - _TOL
    values, objective = (run.values, run.objective) if better else (sol.values, sol.objective)
    return PartSolution(values=values, objective=objective, lp_bound=sol.lp_bound,
                        bound=min(max(sol.bound, run.bound), objective), found_by="full" if better else sol.found_by,
                        time_s=sol.time_s + clock.elapsed(), timed_out=solver.timed_out)
