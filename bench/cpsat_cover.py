"""OR-Tools CP-SAT on staffcast's shift-cover model, for the bench (ortools is a `bench` extra only).

:func:`cpsat_part_solver` solves one part's :class:`scheduling.cover_model.Model` — the same
shift candidates, the same implicit break placement rows and costs HiGHS gets — with CP-SAT, so
``solve_cover(..., part_solver=cpsat_part_solver, workers=1)`` runs the parts one after another,
each with ``CPSAT_WORKERS`` search workers and its share of the same time limit. CP-SAT takes
integers only: every row is multiplied by the smallest factor making its coefficients and bounds
integral (a 15-minute break in a 30-minute interval counts 0.5: factor 2) and the costs by
``COST_SCALE`` (checked exact). The LP bound is HiGHS's LP relaxation of the same model; the
reported bound is the better of it and CP-SAT's proven objective bound.
"""
from __future__ import annotations

import time

import numpy as np
from ortools.sat.python import cp_model

from scheduling.cover_model import Model
from scheduling.cover_solve import CoverInfeasible, PartSolution, lp_relaxation

CPSAT_WORKERS = 2
COST_SCALE = 1000      # costs in thousandths of the currency unit
_ROW_SCALES = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)


def _integral(values: np.ndarray) -> int:
    for k in _ROW_SCALES:
        v = values * k
        if np.all(np.abs(v - np.rint(v)) < 1e-9):
            return k
    raise ValueError(f"cpsat: coefficients {values[:5]} are not integral at any scale up to 60")


def cpsat_part_solver(m: Model, budget_s: float, gap: float) -> PartSolution:
    """One part by CP-SAT within ``budget_s`` seconds, stopping at relative ``gap`` (as
    :func:`scheduling.cover_solve.solve_part`). Hard coverage only (every column integer)."""
    t0 = time.perf_counter()
    if not np.all(m.integrality > 0):
        raise ValueError("cpsat: expected a model with integer columns only (hard coverage, no contract mix)")
    lp_obj, _ = lp_relaxation(m, budget_s)
    cap = int(np.ceil(np.max(m.lb[np.isfinite(m.lb)], initial=0.0))) + 1  # no candidate needs more shifts
    model = cp_model.CpModel()
    v = [model.NewIntVar(0, cap, f"v{j}") for j in range(m.c.size)]
    a = m.A.tocsr()
    for r in range(a.shape[0]):
        cols, coef = a.indices[a.indptr[r]: a.indptr[r + 1]], a.data[a.indptr[r]: a.indptr[r + 1]]
        lo, hi = m.lb[r], m.ub[r]
        k = _integral(np.concatenate([coef, [b for b in (lo, hi) if np.isfinite(b)]]))
        expr = sum(int(round(k * c)) * v[j] for j, c in zip(cols, coef))
        if np.isfinite(lo):
            model.Add(expr >= int(round(k * lo)))
        if np.isfinite(hi):
            model.Add(expr <= int(round(k * hi)))
    cost = np.rint(m.c * COST_SCALE)
    if np.max(np.abs(cost - m.c * COST_SCALE), initial=0.0) > 1e-6:
        raise ValueError("cpsat: costs are not exact at COST_SCALE")
    model.Minimize(sum(int(c) * v[j] for j, c in enumerate(cost) if c))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(budget_s - (time.perf_counter() - t0), 0.05)
    solver.parameters.num_workers = CPSAT_WORKERS
    solver.parameters.relative_gap_limit = gap
    status = solver.Solve(model)
    if status == cp_model.INFEASIBLE:
        raise CoverInfeasible("CP-SAT: infeasible")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError("CP-SAT found no feasible schedule within the time limit")
    values = np.array([solver.Value(x) for x in v], float)
    objective = float(values @ m.c)
    bound = max(lp_obj, solver.BestObjectiveBound() / COST_SCALE)
    return PartSolution(values=values, objective=objective, lp_bound=lp_obj, bound=min(bound, objective),
                        found_by="cpsat-" + solver.StatusName(status).lower(), time_s=time.perf_counter() - t0,
                        timed_out=status == cp_model.FEASIBLE)
