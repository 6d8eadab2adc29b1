"""The fast engine: the earliest-free-agent recursion for FCFS single-contact agents (no event list).

Arrivals are handled in order; each takes the agent that frees first (a heap of free times) and
abandons if that wait exceeds its patience. Plan changes are applied at a boundary before any
service starting after it: new agents are free at the boundary; leaving agents are the ones that
free first (idle ones, then the busy ones whose contact ends soonest, which finish it first).
"""
from __future__ import annotations

import heapq
import math

import numpy as np

from .inputs import Draws, SimConfig
from .outcome import Outcome

__all__ = ["run_fast"]


class _Agents:
    """Free times of the logged-in agents (a heap) and the overtime of agents leaving busy."""

    def __init__(self, n: int):
        self.heap = [0.0] * n
        self.ot_start: list[float] = []
        self.ot_end: list[float] = []

    def set_level(self, t: float, target: int) -> None:
        heap = self.heap
        cur = len(heap)
        for _ in range(target - cur):
            heapq.heappush(heap, t)
        for _ in range(cur - target):
            f0 = heapq.heappop(heap)
            if f0 > t:  # busy: finishes the contact in hand, then logs off
                self.ot_start.append(t)
                self.ot_end.append(f0)


def run_fast(cfg: SimConfig, d: Draws) -> Outcome:
    """One replication on the fast engine (``cfg.concurrency == 1``)."""
    # One loop over contacts with the plan changes inlined: the hot path of the whole simulator.
    n = d.arrival.size
    L = cfg.interval_s
    plan = cfg.agents.tolist()
    n_int = len(plan)
    a_list = d.arrival.tolist()
    w_list = d.work.tolist()
    p_list = d.patience.tolist() if d.patience is not None else None
    u_list = d.balk_u.tolist() if d.balk_u is not None else None
    balk_prob = cfg.balk_prob
    inf = math.inf
    wait = [0.0] * n
    end = [math.nan] * n
    served = [True] * n
    delayed = [False] * n
    balked = [False] * n
    agents = _Agents(plan[0])
    heap = agents.heap
    nxt = 1
    next_b = L if n_int > 1 else inf
    heapreplace = heapq.heapreplace
    for i in range(n):
        a = a_list[i]
        f = heap[0] if heap else inf
        s = a if f <= a else f
        # s is inf only while nobody is logged in: after the last boundary (a plan ending at 0
        # agents) the contact can only balk or abandon, as in the SimPy model.
        while s >= next_b and nxt < n_int:
            agents.set_level(next_b, plan[nxt])
            nxt += 1
            next_b = nxt * L if nxt < n_int else inf
            f = heap[0] if heap else inf
            s = a if f <= a else f
        if f > a:
            delayed[i] = True
            if u_list is not None and u_list[i] < balk_prob:
                served[i] = False
                balked[i] = True
                continue
            if p_list is not None and s - a > p_list[i]:
                served[i] = False
                wait[i] = p_list[i]
                continue
        e = s + w_list[i]
        heapreplace(heap, e)
        wait[i] = s - a
        end[i] = e
    while nxt < n_int:
        agents.set_level(nxt * L, plan[nxt])
        nxt += 1
    return Outcome(np.array(wait), np.array(served, bool), np.array(delayed, bool),
                   np.array(balked, bool), np.array(end), np.array(agents.ot_start),
                   np.array(agents.ot_end))
