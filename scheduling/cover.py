"""Shift cover with implicitly placed breaks, by integer programming (HiGHS via scipy.optimize.milp).

Formulation (per queue; Aykin-style implicit break placement, exact):

- ``x[c]`` integer: shifts of candidate ``c`` = (template, start day, start interval);
- ``y[c, b, o]`` integer: how many of those shifts take their ``b``-th break at offset ``o``
  (minutes after the shift start, on the break's ``step_min`` grid);
- link: ``sum_o y[c, b, o] = x[c]`` for every break ``b``;
- order and gap between consecutive breaks ``b`` and ``b+1`` (length ``l_b``, gap ``g``): for every
  offset ``q`` of ``b+1``, ``sum_{o <= q} y[c, b+1, o] <= sum_{o <= q - l_b - g} y[c, b, o]``.
  Pairing the k-th earliest ``b`` with the k-th earliest ``b+1`` then gives every shift a valid
  sequence, so the aggregate counts always split into real shifts;
- coverage in interval ``i``: ``sum x[c] * [c on shift in i] - sum y[c,b,o] * share of i taken by
  the break >= required[i]`` (on duty is agent-minutes in the interval / interval minutes);
- soft coverage adds a shortfall ``u[i] >= 0`` on the left and its penalty to the cost;
- cost: paid minutes of every shift at the template's hourly cost (the cheapest contract allowed to
  work it) with premiums; an unpaid break takes its minutes back out.

Shifts only interact through intervals they share with positive requirement, so the problem splits
exactly into independent parts (a day each when shifts do not reach the next day's demand; parts
merge automatically when night shifts cross midnight into demand). Aggregate integer counts have no
agent symmetry to break.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from .rules import WEEKDAYS, ScheduleRules, ShiftTemplate
from .plan import ShiftPlan
from .timeline import Grid, requirement_grid

__all__ = ["solve_cover"]

DAY_MIN = 1440


@dataclass(frozen=True)
class _Shape:
    """A template on the interval grid: length in intervals, per-break offsets and their cover."""

    name: str
    length_iv: int
    rate_per_h: float
    offsets: list          # per break: array of offsets, minutes
    lengths: list          # per break: minutes
    paid: list             # per break: bool
    cut: list              # per break: (n_offsets, length_iv) share of each shift interval taken
    gap: int               # minutes of work at least between two breaks


def _shapes(rules: ScheduleRules, interval_min: int) -> list[_Shape]:
    """Each template's shape; ValueError (naming the template) when it cannot be placed."""
    out = []
    for i, t in enumerate(rules.templates):
        if t.length_min % interval_min or abs(t.length_h * 60 - t.length_min) > 1e-9:
            raise ValueError(f"templates[{i}].length_h: expected a multiple of the {interval_min}-minute "
                             f"interval, got {t.length_h}")
        for name, win in [("earliest_start_min", t.earliest_start_min), ("latest_start_min", t.latest_start_min)] + \
                [(f"start_windows.{d}", w[0]) for d, w in t.start_windows.items()]:
            if win % interval_min:
                raise ValueError(f"templates[{i}].{name}: expected a multiple of the {interval_min}-minute "
                                 f"interval, got {win}")
        n_iv = t.length_min // interval_min
        offsets, lengths, paid, cut = [], [], [], []
        for b in t.break_sequence():
            o = np.arange(b.earliest_offset_min, min(b.latest_offset_min, t.length_min - b.length_min) + 1,
                          b.step_min or interval_min)
            start_min = np.arange(n_iv) * interval_min
            overlap = np.clip(np.minimum(o[:, None] + b.length_min, start_min + interval_min)
                              - np.maximum(o[:, None], start_min), 0, None)
            offsets.append(o.astype(np.int64))
            lengths.append(b.length_min)
            paid.append(b.paid)
            cut.append(overlap / interval_min)
        if _earliest_sequence(offsets, lengths, t.min_break_gap_min) is None:
            raise ValueError(f"templates[{i}].breaks: expected windows that fit every break in order with "
                             f"{t.min_break_gap_min} minutes between breaks, got none that do")
        rates = [k.hourly_cost for k in rules.contracts_for(t)]
        out.append(_Shape(t.name, n_iv, float(min(rates)), offsets, lengths, paid, cut, t.min_break_gap_min))
    return out


def _earliest_sequence(offsets, lengths, gap):
    """Earliest feasible offsets of the break sequence, or None."""
    seq, ready = [], 0
    for o, ln in zip(offsets, lengths):
        ok = o[o >= ready]
        if ok.size == 0:
            return None
        seq.append(int(ok[0]))
        ready = int(ok[0]) + ln + gap
    return seq


def _candidates(rules: ScheduleRules, grid: Grid, queue: str) -> tuple[np.ndarray, np.ndarray]:
    """(template index, start minute since grid start) of every allowed shift start."""
    tpl, start = [], []
    for i, t in enumerate(rules.templates):
        if t.queues and queue not in t.queues:
            continue
        for day in range(grid.n_days):
            win = t.window(WEEKDAYS[grid.weekday(day)])
            if win is None:
                continue
            s = np.arange(win[0], win[1] + 1, grid.interval_min) + day * DAY_MIN
            tpl.append(np.full(s.size, i))
            start.append(s)
    if not tpl:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(tpl).astype(np.int64), np.concatenate(start).astype(np.int64)


class _CostClock:
    """Cumulative premium-weighted minutes: cost of paid minutes [a, b) at hourly rate r is
    ``(r * (F[b] - F[a]) + (A[b] - A[a])) / 60``."""

    def __init__(self, rules: ScheduleRules, n_days: int):
        minute = np.arange((n_days + 2) * DAY_MIN) % DAY_MIN
        factor = np.ones(minute.size)
        add = np.zeros(minute.size)
        for p in rules.costs.premiums:
            inside = (minute >= p.start_min) & (minute < p.end_min) if p.start_min < p.end_min else \
                (minute >= p.start_min) | (minute < p.end_min)
            factor += inside * (p.multiplier - 1.0)
            add += inside * p.add_per_h
        self.F = np.concatenate([[0.0], np.cumsum(factor)])
        self.A = np.concatenate([[0.0], np.cumsum(add)])

    def cost(self, rate, a, b):
        return (rate * (self.F[b] - self.F[a]) + (self.A[b] - self.A[a])) / 60.0


@dataclass
class _Model:
    c: np.ndarray
    integrality: np.ndarray
    A: object
    lb: np.ndarray
    ub: np.ndarray
    n_x: int
    y_index: list           # per candidate: list per break of column-index arrays
    n_short: int


def _build_model(cands, shapes, clock, rows_of, req, soft_penalty_per_iv, interval_min) -> _Model:
    """The MILP of one independent part: candidates ``cands`` (template, start minute), coverage rows
    for the intervals ``rows_of`` maps to (>= 0)."""
    tpl, start = cands
    n_cov = int(rows_of.max()) + 1 if rows_of.size else 0
    cost, ri, ci, val = [], [], [], []
    row_lb, row_ub = [np.asarray(req, float)], [np.full(n_cov, np.inf)]
    n_col, n_row = len(tpl), n_cov
    y_index = []
    sh = [shapes[t] for t in tpl]
    start_iv = start // interval_min
    cost.append(np.array([clock.cost(s_.rate_per_h, st, st + s_.length_iv * interval_min) for s_, st in zip(sh, start)]))
    for c, (s_, st, siv) in enumerate(zip(sh, start, start_iv)):
        rows = rows_of[siv: siv + s_.length_iv]
        keep = rows >= 0
        ri.append(rows[keep]); ci.append(np.full(keep.sum(), c)); val.append(np.ones(keep.sum()))
        cols_b = []
        for b, off in enumerate(s_.offsets):
            cols = np.arange(n_col, n_col + off.size)
            cols_b.append(cols)
            n_col += off.size
            cut = s_.cut[b]
            sub = cut[:, keep]
            kk, jj = np.nonzero(sub)
            ri.append(rows[keep][jj]); ci.append(cols[kk]); val.append(-sub[kk, jj])
            # link: sum_o y - x = 0
            ri.append(np.full(off.size + 1, n_row)); ci.append(np.append(cols, c)); val.append(np.append(np.ones(off.size), -1.0))
            row_lb.append([0.0]); row_ub.append([0.0]); n_row += 1
            a, b_ = st + off, st + off + s_.lengths[b]
            cost.append(np.zeros(off.size) if s_.paid[b] else -clock.cost(s_.rate_per_h, a, b_))
        for b in range(len(s_.offsets) - 1):
            n_row = _order_rows(s_, b, cols_b, ri, ci, val, row_lb, row_ub, n_row)
        y_index.append(cols_b)
    n_short = 0
    if soft_penalty_per_iv is not None and n_cov:
        ri.append(np.arange(n_cov)); ci.append(np.arange(n_col, n_col + n_cov)); val.append(np.ones(n_cov))
        cost.append(np.full(n_cov, soft_penalty_per_iv))
        n_col += n_cov
        n_short = n_cov
    A = coo_matrix((np.concatenate(val), (np.concatenate(ri), np.concatenate(ci))), shape=(n_row, n_col)).tocsr()
    integrality = np.ones(n_col)
    integrality[n_col - n_short:] = 0
    return _Model(np.concatenate(cost), integrality, A, np.concatenate([np.asarray(v, float) for v in row_lb]),
                  np.concatenate([np.asarray(v, float) for v in row_ub]), len(tpl), y_index, n_short)


def _order_rows(s_, b, cols_b, ri, ci, val, row_lb, row_ub, n_row) -> int:
    """Rows keeping break b+1 after break b plus its length and the gap (cumulative counts)."""
    o1, o2 = s_.offsets[b], s_.offsets[b + 1]
    need = s_.lengths[b] + s_.gap
    for q in o2:
        later = cols_b[b + 1][o2 <= q]
        earlier = cols_b[b][o1 <= q - need]
        ri.append(np.full(later.size + earlier.size, n_row))
        ci.append(np.concatenate([later, earlier]))
        val.append(np.concatenate([np.ones(later.size), -np.ones(earlier.size)]))
        row_lb.append([-np.inf]); row_ub.append([0.0])
        n_row += 1
    return n_row


def _parts(tpl, start, shapes, positive, interval_min) -> list[tuple[np.ndarray, np.ndarray]]:
    """Independent parts: (candidate indices, positive interval indices), found by merging the
    spans of positive intervals each candidate covers."""
    pos_idx = np.flatnonzero(positive)
    s_iv = start // interval_min
    e_iv = s_iv + np.array([shapes[t].length_iv for t in tpl], dtype=np.int64)
    first = np.searchsorted(pos_idx, s_iv)              # first positive >= start
    last = np.searchsorted(pos_idx, e_iv) - 1            # last positive < end
    useful = last >= first
    cand = np.flatnonzero(useful)
    if cand.size == 0:
        return []
    a, b = first[cand], last[cand]
    order = np.argsort(a, kind="stable")
    parts, cur, hi = [], [order[0]], b[order[0]]
    for k in order[1:]:
        if a[k] <= hi:
            cur.append(k); hi = max(hi, b[k])
        else:
            parts.append(cur); cur, hi = [k], b[k]
    parts.append(cur)
    out = []
    for p in parts:
        p = np.asarray(p)
        out.append((cand[p], pos_idx[a[p].min(): b[p].max() + 1]))
    return out


# --------------------------------------------------------------------------- solve


def solve_cover(requirement: pd.DataFrame, interval_s: int, rules: ScheduleRules, *, time_limit_s: float = 30.0,
                mip_rel_gap: float = 0.005, coverage: str | None = None) -> ShiftPlan:
    """Cheapest shifts with placed breaks covering ``requirement`` (see the module docstring).

    ``requirement``: ``interval_start``, ``required`` (agents on duty), optional ``queue``;
    ``interval_s``: the interval length in seconds. ``coverage`` overrides ``rules.coverage``.
    ``time_limit_s`` bounds the whole solve (shared among the independent parts by size); the best
    schedule found is returned with its gap. HiGHS stops a part at ``mip_rel_gap``."""
    if not isinstance(rules, ScheduleRules):
        raise ValueError(f"rules: expected ScheduleRules, got {type(rules).__name__}")
    mode = rules.coverage if coverage is None else coverage
    if mode not in ("hard", "soft"):
        raise ValueError(f"coverage: expected 'hard' or 'soft', got {coverage!r}")
    if not (isinstance(time_limit_s, (int, float)) and time_limit_s > 0):
        raise ValueError(f"time_limit_s: expected a number > 0, got {time_limit_s!r}")
    if not (isinstance(mip_rel_gap, (int, float)) and 0 <= mip_rel_gap < 1):
        raise ValueError(f"mip_rel_gap: expected a number in [0, 1), got {mip_rel_gap!r}")
    t0 = time.perf_counter()
    grid = requirement_grid(requirement, interval_s)
    shapes = _shapes(rules, grid.interval_min)
    clock = _CostClock(rules, grid.n_days)
    penalty_iv = rules.costs.shortfall_penalty_per_h * grid.interval_s / 3600 if mode == "soft" else None
    jobs, uncovered = [], {}
    for q in grid.queues:
        req = np.concatenate([grid.required[q], np.zeros(grid.per_day, np.int64)])
        tpl, start = _candidates(rules, grid, q)
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
        for cand, ivs in _parts(tpl, start, shapes, (req > 0) & ~lonely, grid.interval_min):
            jobs.append((q, tpl[cand], start[cand], ivs, req))
    stats = dict(cost=0.0, penalty=0.0, lp_bound=0.0, dual_bound=0.0, parts=len(jobs), status="optimal")
    rows = []
    sizes = np.array([len(j[1]) for j in jobs], float)
    for k, (q, tpl, start, ivs, req) in enumerate(jobs):
        left = time_limit_s - (time.perf_counter() - t0)
        budget = max(left * sizes[k] / sizes[k:].sum(), 0.5)
        rows.extend(_solve_part(q, tpl, start, ivs, req, shapes, clock, penalty_iv, grid, mip_rel_gap, budget, stats))
    shifts = pd.DataFrame(rows, columns=["queue", "template", "day", "start_min", "end_min", "paid_min", "cost",
                                         "breaks_min"])
    short_h = sum(float(u.sum()) for u in uncovered.values()) * grid.interval_s / 3600
    fixed = short_h * rules.costs.shortfall_penalty_per_h if mode == "soft" else 0.0  # same in every solution
    for key in ("penalty", "lp_bound", "dual_bound"):
        stats[key] += fixed
    return ShiftPlan(grid=grid, rules=rules, shifts=shifts, coverage_mode=mode,
                     solve_time_s=time.perf_counter() - t0, stats=stats)


def _solve_part(q, tpl, start, ivs, req, shapes, clock, penalty_iv, grid, gap, budget_s, stats) -> list:
    """Solve one independent part; returns its shift rows and adds its figures to ``stats``."""
    rows_of = np.full(req.size, -1, np.int64)
    rows_of[ivs] = np.arange(ivs.size)
    m = _build_model((tpl, start), shapes, clock, rows_of, req[ivs], penalty_iv, grid.interval_min)
    cons = LinearConstraint(m.A, m.lb, m.ub)
    t_lp = time.perf_counter()
    lp = milp(m.c, integrality=np.zeros_like(m.integrality), constraints=cons)
    if lp.status == 2:
        raise ValueError(f"requirement.required: queue {q!r} cannot be covered by the templates with their "
                         f"breaks; use coverage='soft'")
    res = _two_phase(m, cons, max(budget_s - (time.perf_counter() - t_lp), 0.2), gap)
    if res.x is None:
        raise RuntimeError(f"no feasible schedule for queue {q!r} found within the time limit; "
                           f"raise time_limit_s")
    if res.status != 0:
        stats["status"] = "time_limit"
    x = np.rint(res.x).astype(np.int64)
    shortfall = float(res.x[len(x) - m.n_short:].sum()) if m.n_short else 0.0
    stats["penalty"] += shortfall * (penalty_iv or 0.0)
    stats["cost"] += float(res.fun) - shortfall * (penalty_iv or 0.0)
    stats["lp_bound"] += float(lp.fun)
    stats["dual_bound"] += max(float(lp.fun), res.bound)
    return _extract(q, tpl, start, x, m, shapes, clock, grid.interval_min)


def _two_phase(m: _Model, cons, budget_s: float, gap: float):
    """Phase 1: shift counts integer, break counts continuous (a relaxation: its dual bound bounds
    the full problem). Phase 2: those counts fixed, integer break counts (a small problem). When
    phase 2 finds no placement, the full MIP gets the remaining time. Returns the solution with
    ``bound`` (a valid lower bound on the optimum) set."""
    t0 = time.perf_counter()
    opts = {"time_limit": budget_s, "mip_rel_gap": gap}
    first = m.integrality.copy()
    first[m.n_x:] = 0
    r1 = milp(m.c, integrality=first, constraints=cons, options=opts)
    if r1.x is not None:
        lo = np.zeros(m.c.size)
        hi = np.full(m.c.size, np.inf)
        lo[:m.n_x] = hi[:m.n_x] = np.rint(r1.x[:m.n_x])
        left = max(budget_s - (time.perf_counter() - t0), 0.2)
        r2 = milp(m.c, integrality=m.integrality, constraints=cons, bounds=Bounds(lo, hi),
                  options={"time_limit": left, "mip_rel_gap": gap})
        if r2.x is not None:
            r2.bound = _bound(r1)
            r2.status = r1.status if r2.status == 0 else r2.status
            return r2
    left = max(budget_s - (time.perf_counter() - t0), 0.2)
    res = milp(m.c, integrality=m.integrality, constraints=cons, options={"time_limit": left, "mip_rel_gap": gap})
    res.bound = max(_bound(res), _bound(r1) if r1.x is not None else -np.inf)
    return res


def _bound(res) -> float:
    dual = getattr(res, "mip_dual_bound", None)
    if dual is not None and np.isfinite(dual):
        return float(dual)
    return float(res.fun) if res.fun is not None else -np.inf


def _extract(q, tpl, start, x, m, shapes, clock, interval_min) -> list:
    """Shift rows from the solution: the k-th shift of a candidate takes the k-th earliest offset of
    every break (valid by the order rows)."""
    rows = []
    for c in np.flatnonzero(x[:m.n_x] > 0):
        s_, st, k = shapes[tpl[c]], int(start[c]), int(x[c])
        per_break = [np.repeat(off, x[cols]) for off, cols in zip(s_.offsets, m.y_index[c])]
        end = st + s_.length_iv * interval_min
        base = clock.cost(s_.rate_per_h, st, end)
        for j in range(k):
            brk = tuple((st + int(o[j]), st + int(o[j]) + ln, pd_) for o, ln, pd_ in
                        zip(per_break, s_.lengths, s_.paid))
            unpaid = [(a, b) for a, b, p in brk if not p]
            cost = base - sum(clock.cost(s_.rate_per_h, a, b) for a, b in unpaid)
            rows.append((q, s_.name, st // DAY_MIN, st, end, end - st - sum(b - a for a, b in unpaid),
                         float(cost), brk))
    return rows
