"""The inverse search behind :func:`simulation.required_agents`: the smallest agent count per row
that passes a monotone test, evaluated for all rows still searching in one numpy call per step.

``meets(c, rows)`` (and for Erlang C ``meets(c, rows, b)`` with Erlang B already known) returns a
boolean array: whether ``c`` agents meet every target in the given rows. Every target is monotone
in the number of agents, so the answers are exact: the count found passes and one fewer fails (or
is below the hard lower bound).
"""
from __future__ import annotations

import numpy as np

from .erlang import erlang_b_core

__all__ = ["walk_erlang_c", "minimal_passing"]


def walk_erlang_c(meets, rows: np.ndarray, start: np.ndarray, lower: np.ndarray,
                   load: np.ndarray) -> np.ndarray:
    """Smallest c >= lower meeting the targets, for Erlang C, by walking from ``start``.

    Erlang B is computed once, at the start, in closed form; each step then uses the recursion
    1/B(c+1) = 1 + (c+1)/a * 1/B(c) upward or 1/B(c-1) = a/c * (1/B(c) - 1) downward. Downward steps
    stay above the load (c > a), where the factor a/c < 1 damps rounding errors, so every step is as
    exact as the closed form. Each step is one vectorized call over the rows still walking.
    """
    c = np.maximum(start, lower).astype(float)
    inv_b = 1.0 / erlang_b_core(c, load)
    ok = meets(c, rows, 1.0 / inv_b)
    result = np.where(ok, c, np.nan)
    # Rows that pass: step down while one agent fewer still passes.
    idx = np.flatnonzero(ok & (c > lower))
    cur_c, cur_inv = c[idx], inv_b[idx]
    while idx.size:
        cand = cur_c - 1.0
        cand_inv = load[idx] / cur_c * (cur_inv - 1.0)
        res = meets(cand, rows[idx], 1.0 / cand_inv)
        result[idx[res]] = cand[res]
        keep = res & (cand > lower[idx])
        idx, cur_c, cur_inv = idx[keep], cand[keep], cand_inv[keep]
    # Rows that fail: step up until they pass.
    idx = np.flatnonzero(~ok)
    cur_c, cur_inv = c[idx], inv_b[idx]
    while idx.size:
        cand = cur_c + 1.0
        cand_inv = 1.0 + cand / load[idx] * cur_inv
        res = meets(cand, rows[idx], 1.0 / cand_inv)
        result[idx[res]] = cand[res]
        keep = ~res
        idx, cur_c, cur_inv = idx[keep], cand[keep], cand_inv[keep]
        if idx.size and (cur_c > 1e7).any():
            raise RuntimeError("required_agents: no staffing up to 10 million agents meets the targets")
    return result


def minimal_passing(meets, rows: np.ndarray, start: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Smallest integer c >= lower with meets(c) True, per row, for monotone ``meets``.

    Gallops from ``start`` (doubling steps) to bracket the answer, then bisects; each step is one
    vectorized call on the rows still searching.
    """
    start = np.maximum(start, lower)
    ok = meets(start, rows)
    # Bracket: lo fails (or is below the lower bound), hi passes.
    hi = np.where(ok, start, np.nan)
    lo = np.where(ok, np.nan, start)
    # Rows that pass at the start: gallop down.
    step = np.ones(rows.shape)
    down = ok & (start > lower)
    lo = np.where(ok & ~down, lower - 1.0, lo)
    while down.any():
        cand = np.maximum(hi[down] - step[down], lower[down])
        res = meets(cand, rows[down])
        idx = np.flatnonzero(down)
        hi[idx[res]] = cand[res]
        lo[idx[~res]] = cand[~res]
        step[idx] *= 2
        at_floor = res & (cand <= lower[idx])
        lo[idx[at_floor]] = lower[idx[at_floor]] - 1.0
        down[idx[~res | at_floor]] = False
    # Rows that fail at the start: gallop up.
    step = np.maximum(1.0, np.ceil(0.02 * start))
    up = ~ok
    while up.any():
        idx = np.flatnonzero(up)
        cand = lo[idx] + step[idx]
        res = meets(cand, rows[idx])
        hi[idx[res]] = cand[res]
        lo[idx[~res]] = cand[~res]
        step[idx] *= 2
        up[idx[res]] = False
        if (cand > 1e7).any():
            raise RuntimeError("required_agents: no staffing up to 10 million agents meets the targets")
    # Bisect.
    while True:
        gap = hi - lo
        idx = np.flatnonzero(gap > 1)
        if idx.size == 0:
            return hi
        mid = np.floor((lo[idx] + hi[idx]) / 2.0)
        res = meets(mid, rows[idx])
        hi[idx[res]] = mid[res]
        lo[idx[~res]] = mid[~res]
