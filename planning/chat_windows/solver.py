"""The exact choice of weekly chat windows: a 0/1 integer program solved by HiGHS, and a
brute-force enumeration to test it on small cases. See :mod:`planning.chat_windows` for the model.

Variables ``y[d, s]`` (interval s of weekday d open) and ``z[d, s]`` (a window starts there):
``z[d, s] >= y[d, s] - y[d, s-1]``, ``sum_s z[d, s] <= max_windows_per_day``, a start forces the
next ``min_window_intervals - 1`` intervals open, and one budget row per week. Stage 1 maximises
covered demand; stage 2 minimises agent-hours with the demand held at its optimum.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from core import as_float_array, check_number

__all__ = ["WindowSolution", "solve_windows", "brute_force_windows"]


@dataclass
class WindowSolution:
    """``open[d, s]``: the chosen intervals; ``demand`` covered (sum over weeks); ``cost_by_week``
    agent-hours per week; ``status`` of the solver ("optimal" or "closed": nothing fits)."""

    open: np.ndarray
    demand: float
    cost_by_week: np.ndarray
    status: str
    solver: str


def _check_solver_inputs(demand, cost, budget, allowed, max_windows_per_day, min_window_intervals, budget_mode):
    """The solver's inputs as arrays and numbers, checked; ValueError naming the bad one."""
    demand = as_float_array("demand", demand, minimum=0.0)  # forecast contacts
    cost = as_float_array("cost", cost, minimum=0.0)  # agent-hours
    if demand.ndim != 2:
        raise ValueError(f"demand: expected shape (weekdays, slots), got {demand.shape}")
    if cost.ndim == 2:
        cost = cost[None]
    if cost.ndim != 3 or cost.shape[1:] != demand.shape:
        raise ValueError(f"cost: expected shape (weeks, {demand.shape[0]}, {demand.shape[1]}), got {cost.shape}")
    budget = check_number("budget_agent_hours_per_week", budget, minimum=0.0)
    m = check_number("max_windows_per_day", max_windows_per_day, minimum=1, integer=True)
    L = check_number("min_window_intervals", min_window_intervals, minimum=1, integer=True)
    if budget_mode not in ("each_week", "average"):
        raise ValueError(f"budget_mode: expected 'each_week' or 'average', got {budget_mode!r}")
    if allowed is None:
        allowed = np.ones(demand.shape, dtype=bool)
    allowed = np.asarray(allowed, dtype=bool)
    if allowed.shape != demand.shape:
        raise ValueError(f"allowed: expected shape {demand.shape}, got {allowed.shape}")
    return demand, cost, budget, allowed, m, L


def _budget_rows(cost, budget_mode):
    return cost if budget_mode == "each_week" else cost.mean(axis=0, keepdims=True)


def _window_constraints(D: int, S: int, m: int, L: int, budget_rows: np.ndarray, budget: float):
    """The constraint rows ``lo <= A x <= hi`` of the window program over ``x = (y, z)`` (see the
    module docstring); ``budget_rows[w]`` is week w's agent-hours per slot."""
    from scipy.sparse import coo_matrix

    n = D * S
    y = lambda d, s: d * S + s  # noqa: E731
    z = lambda d, s: n + d * S + s  # noqa: E731
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0

    def add(entries, lower, upper):
        nonlocal r
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        lo.append(lower)
        hi.append(upper)
        r += 1

    for d in range(D):
        for s in range(S):
            # z[d,s] >= y[d,s] - y[d,s-1]
            entries = [(y(d, s), 1.0), (z(d, s), -1.0)]
            if s > 0:
                entries.append((y(d, s - 1), -1.0))
            add(entries, -np.inf, 0.0)
            # z[d,s] <= y[d,s]
            add([(z(d, s), 1.0), (y(d, s), -1.0)], -np.inf, 0.0)
            # a start forces the next L-1 slots open
            for j in range(1, L):
                if s + j < S:
                    add([(z(d, s), 1.0), (y(d, s + j), -1.0)], -np.inf, 0.0)
        add([(z(d, s), 1.0) for s in range(S)], -np.inf, float(m))
    for w in range(budget_rows.shape[0]):
        c = budget_rows[w].ravel()
        nz = np.flatnonzero(c)
        add([(int(i), float(c[i])) for i in nz], -np.inf, budget + 1e-9 * max(1.0, budget))
    return coo_matrix((vals, (rows, cols)), shape=(r, 2 * n)).tocsr(), lo, hi


def solve_windows(demand, cost, budget_agent_hours_per_week: float, *, allowed=None, max_windows_per_day: int = 1,
                  min_window_intervals: int = 1, budget_mode: str = "each_week",
                  time_limit_s: float | None = 60.0) -> WindowSolution:
    """Exact choice of weekly opening windows (see the module docstring).

    ``demand[d, s]``: demand served if slot s of weekday d is open (summed over weeks);
    ``cost[w, d, s]``: agent-hours that slot costs in week w (or ``cost[d, s]`` for one week);
    ``allowed[d, s]``: slots that may open. Returns a :class:`WindowSolution`.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    demand, cost, budget, allowed, m, L = _check_solver_inputs(
        demand, cost, budget_agent_hours_per_week, allowed, max_windows_per_day, min_window_intervals, budget_mode)
    D, S = demand.shape
    n = D * S
    z = lambda d, s: n + d * S + s  # noqa: E731
    A, lo, hi = _window_constraints(D, S, m, L, _budget_rows(cost, budget_mode), budget)
    ub = np.ones(2 * n)
    ub[:n] = allowed.ravel().astype(float)
    ub[n:] = allowed.ravel().astype(float)
    for d in range(D):  # a window cannot start where it would be shorter than L
        for s in range(max(0, S - L + 1), S):
            ub[z(d, s)] = 0.0
    bounds = Bounds(np.zeros(2 * n), ub)
    integrality = np.ones(2 * n)
    opts = {"mip_rel_gap": 0.0, "presolve": True}
    if time_limit_s is not None:
        opts["time_limit"] = float(time_limit_s)
    dem = demand.ravel()
    obj = np.concatenate([-dem, np.zeros(n)])
    cons = [LinearConstraint(A, lo, hi)]
    res1 = milp(obj, constraints=cons, integrality=integrality, bounds=bounds, options=opts)
    if res1.status != 0 or res1.x is None:
        raise RuntimeError(f"chat windows: HiGHS did not prove optimality (status {res1.status}: {res1.message})")
    best = float(dem @ np.round(res1.x[:n]))
    if best <= 0:
        return WindowSolution(np.zeros((D, S), bool), 0.0, np.zeros(cost.shape[0]), "closed", "milp")
    # stage 2: the fewest agent-hours (mean week) among the demand-optimal choices
    mean_cost = cost.mean(axis=0).ravel()
    keep = LinearConstraint(np.concatenate([dem, np.zeros(n)])[None, :], best - 1e-9 * max(1.0, best), np.inf)
    res2 = milp(np.concatenate([mean_cost, np.zeros(n)]), constraints=cons + [keep], integrality=integrality,
                bounds=bounds, options=opts)
    x = res2.x if (res2.status == 0 and res2.x is not None) else res1.x
    open_ = np.round(x[:n]).astype(bool).reshape(D, S)
    by_week = (cost * open_[None]).sum(axis=(1, 2))
    return WindowSolution(open_, float(demand[open_].sum()), by_week, "optimal", "milp")


def _day_masks(S: int, allowed_day: np.ndarray, m: int, L: int) -> list[np.ndarray]:
    """Every valid open pattern of one day (brute force helper): at most m runs, each >= L long."""
    out = []
    for bits in itertools.product((False, True), repeat=S):
        mask = np.array(bits, dtype=bool)
        if (mask & ~allowed_day).any():
            continue
        runs, length, ok = 0, 0, True
        for b in list(mask) + [False]:
            if b:
                length += 1
            elif length:
                runs += 1
                ok &= length >= L
                length = 0
        if ok and runs <= m:
            out.append(mask)
    return out


def brute_force_windows(demand, cost, budget_agent_hours_per_week: float, *, allowed=None,
                        max_windows_per_day: int = 1, min_window_intervals: int = 1,
                        budget_mode: str = "each_week") -> WindowSolution:
    """Enumerate every feasible choice (small cases only: used to test :func:`solve_windows`)."""
    demand, cost, budget, allowed, m, L = _check_solver_inputs(
        demand, cost, budget_agent_hours_per_week, allowed, max_windows_per_day, min_window_intervals, budget_mode)
    D, S = demand.shape
    if S > 12 or D > 4:
        raise ValueError("brute_force_windows: small cases only (<= 4 days of <= 12 slots)")
    per_day = [_day_masks(S, allowed[d], m, L) for d in range(D)]
    brow = _budget_rows(cost, budget_mode)
    mean_cost = cost.mean(axis=0)
    best_key, best = None, None
    for combo in itertools.product(*per_day):
        mask = np.stack(combo)
        if ((brow * mask[None]).sum(axis=(1, 2)) > budget + 1e-9 * max(1.0, budget)).any():
            continue
        key = (float(demand[mask].sum()), -float(mean_cost[mask].sum()))
        if best_key is None or key[0] > best_key[0] + 1e-9 or (abs(key[0] - best_key[0]) <= 1e-9 and key[1] > best_key[1] + 1e-12):
            best_key, best = key, mask
    by_week = (cost * best[None]).sum(axis=(1, 2))
    return WindowSolution(best, float(demand[best].sum()), by_week, "optimal" if best.any() else "closed", "brute_force")
