"""Per-interval sums of one replication (vectorised), the numbers behind every metric.

Counts and waits go to the interval in which the contact **arrived**; time-based sums (busy time,
logged-in capacity, queue area) to the interval in which the time passed, within ``[0, T)``.
"""
from __future__ import annotations

import numpy as np

from .inputs import SimConfig
from .outcome import Outcome

__all__ = ["interval_sums", "overlap"]


def overlap(starts: np.ndarray, ends: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Seconds covered by the intervals [starts, ends) inside each grid cell [grid[j], grid[j+1]).

    Uses F(b) = sum_{s<b} (b - s) - sum_{e<b} (b - e) with sorted starts/ends and cumulative sums.
    """
    if starts.size == 0:
        return np.zeros(grid.size - 1)
    s = np.sort(starts)
    e = np.sort(ends)
    cs = np.concatenate(([0.0], np.cumsum(s)))
    ce = np.concatenate(([0.0], np.cumsum(e)))
    ks = np.searchsorted(s, grid, "left")
    ke = np.searchsorted(e, grid, "left")
    cum = ks * grid - cs[ks] - (ke * grid - ce[ke])
    return np.diff(cum)


def interval_sums(cfg: SimConfig, arrival: np.ndarray, o: Outcome) -> dict[str, np.ndarray]:
    """Per-interval sums (``offered``, ``answered_in_awt``, ``busy_s``, ... see
    :data:`simulation.stats.RATIOS`) of one replication's contacts ``o`` arriving at ``arrival``."""
    L = cfg.interval_s
    n_int = cfg.agents.size
    grid = np.arange(n_int + 1) * L
    arrival = arrival if o.arrival is None else o.arrival  # with redials: every attempt
    idx = np.minimum((arrival / L).astype(np.int64), n_int - 1)

    def count(weights=None):
        return np.bincount(idx, weights=weights, minlength=n_int).astype(float)

    served, wait = o.served, o.wait
    abandoned = ~served
    in_awt = served & (wait <= cfg.awt_s)
    short_ab = abandoned & (wait <= cfg.awt_s)
    start = arrival + wait
    handle = np.where(served, o.end - start, 0.0)
    out = {
        "offered": count(),
        "served": count(served),
        "abandoned": count(abandoned),
        "balked": count(o.balked),
        "answered_in_awt": count(in_awt),
        "offered_less_short_abandon": count(~short_ab),
        "delayed": count(o.delayed),
        "wait_sum_served": count(np.where(served, wait, 0.0)),
        "wait_sum_all": count(wait),
        "handle_sum": count(handle),
    }
    out["busy_s"] = overlap(start[served], o.end[served], grid)
    out["agent_capacity_s"] = cfg.agents * L + overlap(o.overtime_start, o.overtime_end, grid)
    out["capacity_s"] = cfg.concurrency * out["agent_capacity_s"]
    out["agent_busy_s"] = (out["busy_s"] if o.busy_start is None
                           else overlap(o.busy_start, o.busy_end, grid))
    queued = wait > 0
    if o.callback is not None:  # a callback waits virtually, not in the inbound queue
        queued &= ~o.callback
    q_in, q_out = arrival[queued], arrival[queued] + wait[queued]
    out["queue_area_s"] = overlap(q_in, q_out, grid)
    out["horizon_s"] = np.full(n_int, L)
    out["max_queue"], out["queue_at_start"] = _queue_levels(q_in, q_out, grid, L)
    if o.attempt is not None:  # redials / callbacks: see simulation.stats.EXTRA_DEFINITIONS
        out["retrials"] = count(o.attempt > 0)
        out["retried"] = count(o.retried)
        out["pending"] = count(o.pending)
        out["abandoned_final"] = count(abandoned & ~o.retried & ~o.pending)
        out["callbacks"] = count(o.callback)
        out["callback_wait_sum"] = count(np.where(o.callback, wait, 0.0))
        out["callbacks_in_promise"] = count(o.callback & (wait <= cfg.callback_promise_s))
    return out


def _queue_levels(q_in: np.ndarray, q_out: np.ndarray, grid: np.ndarray, L: float):
    """Largest queue during each interval and the queue at its start."""
    n_int = grid.size - 1
    max_q = np.zeros(n_int)
    at_start = np.zeros(n_int)
    if q_in.size:
        times = np.concatenate((q_in, q_out))
        delta = np.concatenate((np.ones(q_in.size), -np.ones(q_out.size)))
        order = np.lexsort((delta, times))  # by time, departures before arrivals on ties
        times = times[order]
        level = np.cumsum(delta[order])
        before = np.searchsorted(times, grid[:-1], "left") - 1
        at_start = np.where(before >= 0, level[np.maximum(before, 0)], 0.0)
        max_q = at_start.copy()
        cell = (times / L).astype(np.int64)
        inside = cell < n_int
        np.maximum.at(max_q, cell[inside], level[inside])
    return max_q, at_start
