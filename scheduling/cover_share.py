"""The week's contract-mix rows shared out among the independent parts of the shift cover.

The contract-mix rows (:mod:`scheduling.cover_mix`) hold for the week's shifts of every queue
together (agents work both queues and every day), not for each part: asking each day and queue to
have the mix on its own costs far more (measured on the bundled plan's first week, LP optima per
day: chat +44-74 %, Saturday's evening-only voice part +162 %: short evening demand must then be
covered by long shifts).
:func:`share_out` solves the week's LP once (every part's rows, the mix rows summed over the parts:
a fraction of a second) and bounds each part's share of a mix row by its value at that optimum
(resource-directive decomposition): schedules meeting those bounds meet the week's rows, and the
parts are solved independently as before. The week's LP optimum is a lower bound on every schedule
meeting the week's rows.
"""
from __future__ import annotations

import dataclasses

import numpy as np
from scipy.sparse import coo_matrix

from .cover_model import Model
from .cover_solve import lp_relaxation

__all__ = ["share_out"]

_TOL = 1e-7
LP_SOLVER = "ipm"  # interior point (with crossover): 3.2 s against 17.4 s by dual simplex on the bundled week (load 18)


def share_out(models: list, time_s: float) -> tuple[list, float]:
    """The week's LP: every part's rows, with each coupling row (``Model.coupling``) summed over the
    parts. Returns the models with each coupling row bounded by that part's value of it at the week's
    LP optimum (so schedules meeting them meet the week's rows, and the parts stay independent),
    and the week's LP optimum (a lower bound on every schedule meeting the week's rows).
    Raises :class:`~scheduling.cover_solve.CoverInfeasible` when the week's LP is infeasible."""
    keys = sorted({key for m in models for _, key in m.coupling}, key=str)
    key_row = {key: j for j, key in enumerate(keys)}
    ri, ci, vals, lb, ub, cost = [], [], [], [], [], []
    n_rows = n_cols = 0
    key_lb, key_ub = np.zeros(len(keys)), np.zeros(len(keys))
    for m in models:
        a = m.A.tocoo()
        local = np.full(a.shape[0], -1, np.int64)
        own = np.ones(a.shape[0], bool)
        for r, key in m.coupling:
            own[r] = False
            local[r] = key_row[key]
            key_lb[key_row[key]], key_ub[key_row[key]] = m.lb[r], m.ub[r]
        local[own] = len(keys) + n_rows + np.arange(own.sum())
        ri.append(local[a.row]); ci.append(a.col + n_cols); vals.append(a.data)
        lb.append(m.lb[own]); ub.append(m.ub[own]); cost.append(m.c)
        n_rows += int(own.sum()); n_cols += a.shape[1]
    A = coo_matrix((np.concatenate(vals), (np.concatenate(ri), np.concatenate(ci))),
                   shape=(len(keys) + n_rows, n_cols)).tocsr()
    week = Model(np.concatenate(cost), np.zeros(n_cols), A, np.concatenate([key_lb] + lb),
                 np.concatenate([key_ub] + ub), 0, [], 0)
    objective, values = lp_relaxation(week, time_s, LP_SOLVER)
    out, first = [], 0
    for m in models:
        v = values[first: first + m.c.size]
        first += m.c.size
        rows = np.array([r for r, _ in m.coupling], np.int64)
        act = m.A[rows] @ v
        slack = _TOL * (1.0 + np.abs(act))  # the LP's values are exact to its tolerances only
        lo, hi = m.lb.copy(), m.ub.copy()
        lo[rows] = np.where(np.isfinite(m.lb[rows]), act - slack, -np.inf)
        hi[rows] = np.where(np.isfinite(m.ub[rows]), act + slack, np.inf)
        out.append(dataclasses.replace(m, lb=lo, ub=hi))
    return out, objective
