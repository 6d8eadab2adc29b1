"""Contract mix in the shift cover: rows that let a roster with the contracts' shares work the shifts.

Generated agents follow the contracts' shares (:func:`scheduling.generate_agents`), but a cover that
only minimises cost picks mostly short shifts, and a full-time agent cannot reach its minimum hours
with them: the roster then misses the shares. These rows add to a part's MILP the aggregate
conditions a roster of ``N`` agents with shares ``s_k`` must meet (``N`` free):

- ``z[k, t] >= 0`` (continuous): shifts of template ``t`` worked by contract ``k`` (only the
  contracts allowed to work ``t``); ``sum_k z[k, t] = sum of x[c] over candidates of t``;
- ``n >= 0`` (continuous): agent-weeks this part accounts for (``N`` is their sum over the parts);
- per contract ``k`` (``h_t``: the template's paid hours, ``W_k``: :attr:`ContractMix.shifts_k`):
  ``sum_t h_t z[k, t] >= min_hours_k * s_k * n``, ``sum_t h_t z[k, t] <= max_hours_k * s_k * n``,
  ``sum_t z[k, t] <= W_k * s_k * n``;
- late shifts (ending after ``late_threshold_min``): ``sum x[c] over late c <= max_late * (1 - slack) * n``.

The template rows hold within a part; the others are one part's share of a row of the week (all
queues and days: agents work both), summed over the parts by :func:`scheduling.cover_share.share_out`,
which keeps the parts independent. The week's shifts then split by contract into ``N = sum n``
agent-weeks within every contract's hours, shift count and the late-shift limit; the roster starts
from ``ceil(N)`` generated agents (``ShiftPlan.stats["mix_agents"]``). They are necessary
conditions, not sufficient ones: days off, rest and integral agent counts are left to the roster
builder, hence the slack :data:`ROSTER_SLACK`.

Applies when every contract has a ``share`` or none has (equal shares, as ``generate_agents``);
with fixed ``count`` s there is no mix to keep proportional, and without a contract minimum the
rows never bind (``N`` can grow): :func:`contract_mix` then returns None. Each agent-week costs
:data:`AGENT_WEEK_COST` so that ``N`` is the fewest agents the rows allow, where the roster starts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rules import ScheduleRules

__all__ = ["ContractMix", "contract_mix", "mix_rows", "ROSTER_SLACK", "AGENT_WEEK_COST"]

# Shifts and late shifts an agent may work a week that the rows leave to the roster's per-agent rules
# (days off, rest, availability). Measured on the bench's 1x week (both queues, 20 s; with an earlier
# form of these rows that also asked for 2 spare agents): with none the roster had 29 full-timers of
# 57 (share 0.6 asks 34), with 0.10 34 of 59 (asks 35), with 0.15 37 of 62, the share, no problem.
ROSTER_SLACK = 0.15
AGENT_WEEK_COST = 1e-3   # currency per agent-week: negligible against paid hours, picks the smallest N


@dataclass(frozen=True)
class ContractMix:
    """Per contract (in ``rules.contracts`` order): ``share`` (summing to 1), ``min_h``/``max_h``
    (paid hours a week); ``allowed[k, t]``: contract ``k`` may work template ``t``; ``paid_h[t]``;
    ``shifts_per_week`` (``W``); ``shifts_k``: the shifts a week the rows allow contract ``k``'s agents
    (``W`` less :data:`ROSTER_SLACK`, at least what its minimum needs at its longest template);
    ``late_end_min`` (a shift ending after it, counted from midnight of
    its start day, is late) and ``max_late`` per agent and week."""

    share: np.ndarray
    min_h: np.ndarray
    max_h: np.ndarray
    allowed: np.ndarray
    paid_h: np.ndarray
    shifts_per_week: int
    shifts_k: np.ndarray
    late_end_min: int
    max_late: int


def contract_mix(rules: ScheduleRules) -> ContractMix | None:
    """The mix rows' data, or None when a contract has a fixed ``count``."""
    ks = rules.contracts
    if not ks or any(k.count is not None for k in ks) or all(k.min_hours_per_week <= 0 for k in ks):
        return None  # no minimum: any N large enough meets every row, so they never bind
    share = np.array([k.share if k.share is not None else 1.0 for k in ks], float)
    allowed = np.array([[k in rules.contracts_for(t) for t in rules.templates] for k in ks], bool)
    w = rules.weekly
    per_week = min(w.max_shifts_per_week, 7 - w.days_off)
    paid_h = np.array([t.paid_h for t in rules.templates], float)
    min_h = np.array([k.min_hours_per_week for k in ks], float)
    longest = np.array([max(paid_h[a], default=0.0) for a in allowed])
    # the slack, but never so much that the minimum needs more than the shifts left
    shifts_k = np.minimum(np.maximum(per_week * (1 - ROSTER_SLACK), min_h / np.maximum(longest, 1e-9)), per_week)
    return ContractMix(share / share.sum(), min_h, np.array([k.max_hours_per_week for k in ks], float), allowed,
                       paid_h, per_week, shifts_k, w.late_threshold_min, w.max_late_shifts_per_week)


def mix_rows(mix: ContractMix, tpl: np.ndarray, start_min: np.ndarray, length_min: np.ndarray, first_col: int,
             first_row: int):
    """The rows above for candidates ``tpl`` (template index), ``start_min`` (since the week's
    midnight) and ``length_min``; new columns start at ``first_col``, rows at ``first_row``.
    Returns ``(n_cols, rows, cols, vals, lb, ub, keys, n)`` (COO entries; the new columns cost
    nothing but ``n``, at :data:`AGENT_WEEK_COST`; ``keys[j]``: None for a row of this part alone, else the key of the week's row it is
    part of; ``n``: the column of the part's agent-weeks)."""
    rows, cols, vals, lb, ub = [], [], [], [], []
    used = np.unique(tpl)
    z = {}
    col = first_col
    for t in used:
        for k in np.flatnonzero(mix.allowed[:, t]):
            z[k, t] = col
            col += 1
    n_col = col
    col += 1
    row = first_row

    keys = []

    def add(entries, lo, hi, key=None):
        nonlocal row
        for c, v in entries:
            rows.append(row); cols.append(c); vals.append(v)
        lb.append(lo); ub.append(hi); keys.append(key)
        row += 1

    for t in used:  # shifts of t = sum over contracts
        add([(int(c), 1.0) for c in np.flatnonzero(tpl == t)] + [(z[k, t], -1.0) for k in range(mix.share.size)
                                                                  if (k, t) in z], 0.0, 0.0)
    for k in range(mix.share.size):
        zk = [(c, t) for (kk, t), c in z.items() if kk == k]
        hours = [(c, mix.paid_h[t]) for c, t in zk]
        add(hours + [(n_col, -mix.min_h[k] * mix.share[k])], 0.0, np.inf, ("min_h", k))
        add(hours + [(n_col, -mix.max_h[k] * mix.share[k])], -np.inf, 0.0, ("max_h", k))
        add([(c, 1.0) for c, _ in zk] + [(n_col, -mix.shifts_k[k] * mix.share[k])], -np.inf, 0.0, ("shifts", k))
    late = np.flatnonzero((start_min % 1440) + length_min > mix.late_end_min)
    add([(int(c), 1.0) for c in late] + [(n_col, -mix.max_late * (1 - ROSTER_SLACK))], -np.inf, 0.0, ("late",))
    return col - first_col, rows, cols, vals, lb, ub, keys, n_col

