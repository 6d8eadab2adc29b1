"""The hiring plan as a MILP: the cheapest hiring classes that keep supply >= need every month.

Months ``t = 0 .. T-1``, queues ``q``. All headcount figures are FTE (full-time equivalents).

Supply (productive FTE) of queue ``q`` in month ``t``::

    S[q,t] = start[q] (1 - a_q)^t + transfers[q,t]
             + sum_{s <= t} x[q,s] f p(t - s) (1 - a_q)^(t - s)

- ``x[q,s]`` (integer): people hired in a class for queue ``q`` whose training starts in month
  ``s``; ``s >= lead_months`` (recruiting lead time); at most one class per queue and month
  (``y[q,s]`` binary, ``class_min y <= x <= class_max y``); at most ``trainers`` classes in training
  at once over all queues;
- ``f = fte_per_hire`` (the hires' contract); ``a_q`` the monthly attrition rate (hires leave at the
  same rate, from their start);
- ``p(k)`` productivity share ``k`` months after the class starts: 0 for the ``training_months``,
  then the ``ramp`` shares (e.g. 0.5, 0.8: new hires are slower at first), then 1;
- ``transfers[q,t]``: planned net transfers in (cumulative FTE, a given input).

Levers (continuous, capped): overtime ``o[q,t] <= overtime_cap x S[q,t]``; outsourcing
``u[q,t] <= outsource_cap_fte``; shortfall ``z[q,t] >= 0`` at ``shortfall_penalty`` per FTE-month
(the price of worse service; it only appears when the budget or the limits make need unreachable).
Constraint: ``S + o + u + z >= need``.

Cost (minimised): salaries of all paid FTE ``H[q,t]`` (trainees are paid; the starting staff is a
constant) ``x salary_per_fte_month``, ``(hire_cost + training_cost) x`` per hire, ``class_cost``
per class, overtime and outsourcing per FTE-month, shortfall penalty. Budget cap (optional): the
hires' salaries + hiring + training + class costs <= ``hiring_budget``.

Solved by :func:`scipy.optimize.milp` (HiGHS); the result carries the objective, HiGHS' dual bound
and the relative gap ``(objective - bound) / |objective|``. The search stops at ``mip_rel_gap`` (status
``optimal`` when the gap is ~0, else ``within gap target``) or at ``time_limit_s`` (``time_limit``;
only then does the plan depend on the machine's speed).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from core import check_number

__all__ = ["HiringProblem", "HiringPlan", "solve_hiring", "productivity", "supply_matrix"]


@dataclass(frozen=True)
class HiringProblem:
    """Inputs of the hiring MILP (see the module docstring; money per month and per FTE)."""

    queues: tuple
    need_fte: np.ndarray                 # (Q, T) required FTE
    start_fte: np.ndarray                # (Q,) FTE at the start of month 0
    attrition_per_month: np.ndarray      # (Q,) share of FTE leaving per month
    salary_per_fte_month: float
    fte_per_hire: float = 1.0
    lead_months: int = 0
    training_months: int = 1
    ramp: tuple = ()
    class_min: int = 1
    class_max: int = 20
    trainers: int = 1
    hire_cost: float = 0.0
    training_cost: float = 0.0
    class_cost: float = 0.0
    transfers_fte: np.ndarray | None = None   # (Q, T) cumulative net FTE transferred in
    overtime_cap: float = 0.0
    overtime_cost_per_fte_month: float = 0.0
    outsource_cap_fte: float = 0.0
    outsource_cost_per_fte_month: float = 0.0
    shortfall_penalty: float = 1e6
    hiring_budget: float | None = None
    time_limit_s: float = 10.0
    mip_rel_gap: float = 1e-4

    def __post_init__(self):
        need = np.asarray(self.need_fte, float)
        if need.ndim != 2 or need.shape[0] != len(self.queues):
            raise ValueError(f"need_fte: expected shape (queues={len(self.queues)}, months), got {need.shape}")
        if not np.isfinite(need).all() or (need < 0).any():
            raise ValueError("need_fte: expected finite values >= 0")
        for name in ("start_fte", "attrition_per_month"):
            v = np.asarray(getattr(self, name), float)
            if v.shape != (len(self.queues),) or not np.isfinite(v).all() or (v < 0).any():
                raise ValueError(f"{name}: expected {len(self.queues)} finite values >= 0, got {v}")
        if (np.asarray(self.attrition_per_month, float) >= 1).any():
            raise ValueError("attrition_per_month: expected shares < 1")
        check_number("fte_per_hire", self.fte_per_hire, minimum=0.0, strict_min=True)
        check_number("lead_months", self.lead_months, minimum=0, integer=True)
        check_number("training_months", self.training_months, minimum=0, integer=True)
        check_number("class_min", self.class_min, minimum=1, integer=True)
        check_number("class_max", self.class_max, minimum=self.class_min, integer=True)
        check_number("trainers", self.trainers, minimum=1, integer=True)
        for r in self.ramp:
            check_number("ramp share", r, minimum=0.0, maximum=1.0)
        check_number("overtime_cap", self.overtime_cap, minimum=0.0, maximum=1.0)
        check_number("outsource_cap_fte", self.outsource_cap_fte, minimum=0.0)

    @property
    def months(self) -> int:
        return int(np.asarray(self.need_fte).shape[1])


def productivity(k: np.ndarray, training_months: int, ramp: tuple) -> np.ndarray:
    """Share of full productivity ``k`` months after a class starts (0 before it starts)."""
    k = np.asarray(k)
    out = np.where(k >= training_months, 1.0, 0.0)
    for i, share in enumerate(ramp):
        out = np.where(k == training_months + i, share, out)
    return np.where(k < 0, 0.0, out)


def supply_matrix(p: HiringProblem, q: int, *, productive: bool = True) -> np.ndarray:
    """(T, T) matrix ``M[t, s]``: FTE in month ``t`` per person hired in month ``s`` (productive, or
    paid when ``productive`` is False) for queue index ``q``."""
    T = p.months
    k = np.arange(T)[:, None] - np.arange(T)[None, :]
    surv = (1.0 - float(np.asarray(p.attrition_per_month)[q])) ** np.clip(k, 0, None)
    share = productivity(k, p.training_months, p.ramp) if productive else (k >= 0).astype(float)
    return p.fte_per_hire * share * surv * (k >= 0)


@dataclass
class HiringPlan:
    """The solved plan: ``classes`` (queue, start_month, hires, productive_from_month), ``monthly``
    (queue, month, need_fte, supply_fte, paid_fte, overtime_fte, outsourced_fte, shortfall_fte), the
    objective (cost), HiGHS' dual ``bound``, the relative ``gap`` and the solver ``status``."""

    classes: pd.DataFrame
    monthly: pd.DataFrame
    objective: float
    bound: float
    gap: float
    status: str
    solve_time_s: float
    cost_parts: dict = field(default_factory=dict)
    problem: HiringProblem | None = None

    def summary(self) -> str:
        return (f"hiring MILP (HiGHS): {self.status}; cost {self.objective:,.0f}, bound {self.bound:,.0f}, "
                f"gap {100 * self.gap:.3f}%, {self.solve_time_s:.2f} s; {int(self.classes['hires'].sum())} hires in "
                f"{len(self.classes)} classes; shortfall {self.monthly['shortfall_fte'].sum():.2f} FTE-months")


def solve_hiring(p: HiringProblem, *, relax: bool = False) -> HiringPlan:
    """The cheapest hiring classes (see the module docstring); ``relax``: the LP relaxation
    (fractional classes: a lower bound and a time reference, not a plan to use)."""
    import time

    Q, T = len(p.queues), p.months
    n = Q * T  # one block per variable kind: x, y, o, u, z, each (Q, T) in row-major order
    X, Y, O, U, Z = (np.arange(n) + i * n for i in range(5))
    need = np.asarray(p.need_fte, float)
    a = np.asarray(p.attrition_per_month, float)
    surv = (1.0 - a[:, None]) ** np.arange(T)[None, :]
    base = np.asarray(p.start_fte, float)[:, None] * surv
    if p.transfers_fte is not None:
        base = base + np.asarray(p.transfers_fte, float)
    salary_per_hire = np.array([supply_matrix(p, q, productive=False).sum(axis=0) for q in range(Q)])  # FTE-months paid
    c = np.zeros(5 * n)
    hire_spend = salary_per_hire.ravel() * p.salary_per_fte_month + p.hire_cost + p.training_cost
    c[X] = hire_spend
    c[Y] = p.class_cost
    c[O] = p.overtime_cost_per_fte_month
    c[U] = p.outsource_cost_per_fte_month
    c[Z] = p.shortfall_penalty
    rows, lo, hi = [], [], []

    def add(mat, lower, upper):
        rows.append(sparse.csr_matrix(mat))
        lo.extend(np.broadcast_to(lower, mat.shape[0]))
        hi.extend(np.broadcast_to(upper, mat.shape[0]))

    blk = sparse.lil_matrix((n, 5 * n))
    ot = sparse.lil_matrix((n, 5 * n))
    for q in range(Q):
        M = supply_matrix(p, q)
        for t in range(T):
            r = q * T + t
            for s in range(t + 1):
                if M[t, s]:
                    blk[r, X[q * T + s]] = M[t, s]
                    ot[r, X[q * T + s]] = -p.overtime_cap * M[t, s]
            blk[r, O[r]] = blk[r, U[r]] = blk[r, Z[r]] = 1.0
            ot[r, O[r]] = 1.0
    add(blk, (need - base).ravel(), np.inf)                       # supply + levers >= need
    add(ot, -np.inf, (p.overtime_cap * base).ravel())             # overtime <= cap x supply
    link = sparse.hstack([sparse.eye(n), -p.class_max * sparse.eye(n), sparse.csr_matrix((n, 3 * n))])
    add(link, -np.inf, 0.0)                                       # x <= class_max y
    link2 = sparse.hstack([sparse.eye(n), -p.class_min * sparse.eye(n), sparse.csr_matrix((n, 3 * n))])
    add(link2, 0.0, np.inf)                                       # x >= class_min y
    if p.training_months > 0:
        tr = sparse.lil_matrix((T, 5 * n))                        # classes in training at once <= trainers
        for t in range(T):
            for q in range(Q):
                for s in range(max(0, t - p.training_months + 1), t + 1):
                    tr[t, Y[q * T + s]] = 1.0
        add(tr, -np.inf, p.trainers)
    if p.hiring_budget is not None:
        bud = np.zeros((1, 5 * n))
        bud[0, X] = hire_spend
        bud[0, Y] = p.class_cost
        add(bud, -np.inf, p.hiring_budget)
    ub = np.full(5 * n, np.inf)
    early = (np.arange(n) % T) < p.lead_months                    # no class before the recruiting lead time
    ub[X] = np.where(early, 0, p.class_max)
    ub[Y] = np.where(early, 0, 1)
    ub[U] = p.outsource_cap_fte
    integrality = np.zeros(5 * n)
    integrality[X] = integrality[Y] = 0 if relax else 1
    A = sparse.vstack(rows).tocsr()
    t0 = time.perf_counter()
    res = milp(c, constraints=LinearConstraint(A, lo, hi), integrality=integrality, bounds=Bounds(0, ub),
               options={"time_limit": p.time_limit_s, "mip_rel_gap": p.mip_rel_gap, "disp": False})
    dt = time.perf_counter() - t0
    if res.x is None:
        raise ValueError(f"hiring MILP: no plan found ({res.message})")
    plan = _plan(p, res, dt, base, salary_per_hire, X, O, U, Z, rounded=not relax)
    plan.problem = p
    return plan


def _plan(p, res, dt, base, salary_per_hire, X, O, U, Z, *, rounded: bool) -> HiringPlan:
    Q, T = len(p.queues), p.months
    x = (np.round(res.x[X]) if rounded else res.x[X]).reshape(Q, T)
    o, u, z = (res.x[i].reshape(Q, T) for i in (O, U, Z))
    classes, monthly = [], []
    for q, name in enumerate(p.queues):
        for s in np.nonzero(x[q] > 0)[0]:
            classes.append({"queue": name, "start_month": int(s), "hires": int(x[q, s]) if rounded else float(x[q, s]),
                            "productive_from_month": int(s + p.training_months)})
        S = base[q] + supply_matrix(p, q) @ x[q]
        H = base[q] + supply_matrix(p, q, productive=False) @ x[q]
        for t in range(T):
            monthly.append({"queue": name, "month": t, "need_fte": float(p.need_fte[q][t]), "supply_fte": float(S[t]),
                            "paid_fte": float(H[t]), "new_hires_paid_fte": float(H[t] - base[q][t]),
                            "overtime_fte": float(o[q, t]), "outsourced_fte": float(u[q, t]),
                            "shortfall_fte": float(max(z[q, t], 0.0))})
    obj = float(res.fun)
    bound = getattr(res, "mip_dual_bound", None)
    bound = obj if bound is None else float(bound)   # an LP (relax=True) is its own bound
    gap = float(getattr(res, "mip_gap", None) or 0.0)
    parts = {"new_hire_salaries": float((salary_per_hire * x).sum() * p.salary_per_fte_month),
             "hiring_and_training": float(x.sum() * (p.hire_cost + p.training_cost)),
             "classes": float((x > 0).sum() * p.class_cost),
             "overtime": float(o.sum() * p.overtime_cost_per_fte_month),
             "outsourcing": float(u.sum() * p.outsource_cost_per_fte_month),
             "shortfall_penalty": float(z.sum() * p.shortfall_penalty)}
    cls = pd.DataFrame(classes, columns=["queue", "start_month", "hires", "productive_from_month"])
    status = {0: "optimal" if gap <= 1e-6 else "within gap target", 1: "time_limit", 2: "infeasible",
              3: "unbounded", 4: "other"}.get(res.status, str(res.status))
    return HiringPlan(cls, pd.DataFrame(monthly), obj, bound, gap, status, dt, parts)
