"""The shift-cover integer program: candidates, costs, the constraint matrix, and shifts from a solution.

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
exactly into independent parts (:func:`independent_parts`: a day each when shifts do not reach the
next day's demand; parts merge automatically when night shifts cross midnight into demand).
Aggregate integer counts have no agent symmetry to break. How a part is solved: ``cover_solve``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import LinearConstraint
from scipy.sparse import coo_matrix

from .cover_mix import AGENT_WEEK_COST, mix_rows
from .rules import WEEKDAYS, ScheduleRules
from .timeline import Grid

__all__ = ["Shape", "template_shapes", "earliest_sequence", "candidates", "CostClock", "Model", "build_model",
           "independent_parts", "extract_shifts"]

DAY_MIN = 1440


@dataclass(frozen=True)
class Shape:
    """A template on the interval grid: length in intervals, per-break offsets and their cover."""

    name: str
    length_iv: int
    rate_per_h: float
    offsets: list          # per break: array of offsets, minutes
    lengths: list          # per break: minutes
    paid: list             # per break: bool
    cut: list              # per break: (n_offsets, length_iv) share of each shift interval taken
    gap: int               # minutes of work at least between two breaks


def template_shapes(rules: ScheduleRules, interval_min: int) -> list[Shape]:
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
        if earliest_sequence(offsets, lengths, t.min_break_gap_min) is None:
            raise ValueError(f"templates[{i}].breaks: expected windows that fit every break in order with "
                             f"{t.min_break_gap_min} minutes between breaks, got none that do")
        rates = [k.hourly_cost for k in rules.contracts_for(t)]
        out.append(Shape(t.name, n_iv, float(min(rates)), offsets, lengths, paid, cut, t.min_break_gap_min))
    return out


def earliest_sequence(offsets, lengths, gap):
    """Earliest feasible offsets of the break sequence, or None."""
    seq, ready = [], 0
    for o, ln in zip(offsets, lengths):
        ok = o[o >= ready]
        if ok.size == 0:
            return None
        seq.append(int(ok[0]))
        ready = int(ok[0]) + ln + gap
    return seq


def candidates(rules: ScheduleRules, grid: Grid, queue: str) -> tuple[np.ndarray, np.ndarray]:
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


class CostClock:
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
class Model:
    """One part's MILP: minimise ``c @ v`` subject to ``lb <= A @ v <= ub``, ``v >= 0``. Columns:
    ``n_x`` shift counts, then the break counts (``y_index[c][b]``: columns of candidate ``c``'s
    ``b``-th break, one per offset), then the contract-mix columns (continuous, if any), then
    ``n_short`` shortfall columns (soft coverage, continuous). ``integrality``: 1 = integer column.
    ``c`` is in currency (paid cost; shortfall at its penalty)."""

    c: np.ndarray
    integrality: np.ndarray
    A: object
    lb: np.ndarray
    ub: np.ndarray
    n_x: int
    y_index: list
    n_short: int
    coupling: tuple = ()   # (row, key): contract-mix rows that are one part's share of a row of the week
    agent_col: int = -1     # contract mix: the column of the part's agent-weeks (-1: no mix)

    @property
    def constraints(self) -> LinearConstraint:
        return LinearConstraint(self.A, self.lb, self.ub)


def build_model(cands, shapes, clock, rows_of, req, soft_penalty_per_iv, interval_min, mix=None) -> Model:
    """The MILP of one independent part: candidates ``cands`` (template, start minute), coverage rows
    for the intervals ``rows_of`` maps to (>= 0); ``mix`` (a :class:`~scheduling.cover_mix.ContractMix`
    or None) adds the contract-mix rows and their continuous columns after the break counts."""
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
    n_mix, coupling, agent_col = 0, [], -1
    if mix is not None:
        length_min = np.array([s_.length_iv * interval_min for s_ in sh], np.int64)
        n_mix, mr, mc, mv, mlb, mub, keys, agent_col = mix_rows(mix, tpl, start, length_min, n_col, n_row)
        coupling = [(n_row + j, key) for j, key in enumerate(keys) if key is not None]
        ri.append(np.asarray(mr, np.int64)); ci.append(np.asarray(mc, np.int64)); val.append(np.asarray(mv, float))
        row_lb.append(mlb); row_ub.append(mub)
        cost.append(np.where(np.arange(n_col, n_col + n_mix) == agent_col, AGENT_WEEK_COST, 0.0))
        n_col += n_mix
        n_row += len(mlb)
    n_short = 0
    if soft_penalty_per_iv is not None and n_cov:
        ri.append(np.arange(n_cov)); ci.append(np.arange(n_col, n_col + n_cov)); val.append(np.ones(n_cov))
        cost.append(np.full(n_cov, soft_penalty_per_iv))
        n_col += n_cov
        n_short = n_cov
    A = coo_matrix((np.concatenate(val), (np.concatenate(ri), np.concatenate(ci))), shape=(n_row, n_col)).tocsr()
    integrality = np.ones(n_col)
    integrality[n_col - n_short - n_mix:] = 0
    return Model(np.concatenate(cost), integrality, A, np.concatenate([np.asarray(v, float) for v in row_lb]),
                  np.concatenate([np.asarray(v, float) for v in row_ub]), len(tpl), y_index, n_short,
                  tuple(coupling), agent_col)


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


def independent_parts(tpl, start, shapes, positive, interval_min) -> list[tuple[np.ndarray, np.ndarray]]:
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



def extract_shifts(q, tpl, start, x, m, shapes, clock, interval_min) -> list:
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
