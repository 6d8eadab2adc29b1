"""The SimPy event model's common part: arrivals, the FCFS queue, abandonment and plan changes.

A :class:`Floor` holds the state of one replication; arrivals, completions, abandonments and plan
boundaries are SimPy timeouts whose callbacks are the floor's methods. The agents differ by kind
(:class:`simulation.engine.voice.VoiceFloor`: one contact per agent;
:class:`simulation.engine.chat.ChatFloor`: up to k chats sharing the agent), through two hooks:
``answer_now`` (give an arriving contact to a free agent, if any) and ``set_level`` (log agents in
or off at a boundary). For one contact per agent the model consumes the same random numbers as the
fast engine and gives the same contacts to floating-point rounding.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from .inputs import Draws, SimConfig
from .outcome import Outcome

__all__ = ["Floor"]


class Floor:
    """One replication of the event model (subclasses supply the agents)."""

    def __init__(self, cfg: SimConfig, d: Draws):
        import simpy  # only the event model needs it

        n = d.arrival.size
        self.cfg = cfg
        self.env = simpy.Environment()
        self.n = n
        self.a = d.arrival.tolist()
        self.w = d.work.tolist()
        self.p = d.patience.tolist() if d.patience is not None else None
        self.u = d.balk_u.tolist() if d.balk_u is not None else None
        self.wait = np.zeros(n)
        self.end = np.full(n, np.nan)
        self.served = np.ones(n, bool)
        self.delayed = np.zeros(n, bool)
        self.balked = np.zeros(n, bool)
        self.ot_start: list[float] = []
        self.ot_end: list[float] = []
        self.queue: deque[int] = deque()
        self.waiting = bytearray(n)
        self.next_agent = 0

    # ---- hooks of the agent kinds
    def answer_now(self, i: int, now: float) -> bool:  # pragma: no cover - overridden
        """Give contact ``i`` to a free agent at ``now``; False when nobody is free."""
        raise NotImplementedError

    def set_level(self, target: int) -> None:  # pragma: no cover - overridden
        """Log agents in or off so that ``target`` are on duty from now on."""
        raise NotImplementedError

    # ---- shared events
    def new_agent(self) -> int:
        agent = self.next_agent
        self.next_agent += 1
        return agent

    def take_next(self) -> int | None:
        """Next contact still waiting (FCFS), skipping those that abandoned; None if none."""
        while self.queue:
            i = self.queue.popleft()
            if self.waiting[i]:
                self.waiting[i] = 0
                return i
        return None

    def timeout(self, delay: float, value, callback) -> None:
        ev = self.env.timeout(delay, value)
        ev.callbacks.append(callback)

    def on_abandon(self, ev) -> None:
        i = ev.value
        if self.waiting[i]:
            self.waiting[i] = 0
            self.served[i] = False
            self.wait[i] = self.p[i]

    def on_arrival(self, ev) -> None:
        i = ev.value
        now = self.env.now
        if i + 1 < self.n:
            self.timeout(self.a[i + 1] - now, i + 1, self.on_arrival)
        if self.answer_now(i, now):
            return
        self.delayed[i] = True
        if self.u is not None and self.u[i] < self.cfg.balk_prob:
            self.served[i] = False
            self.balked[i] = True
            return
        self.queue.append(i)
        self.waiting[i] = 1
        if self.p is not None:
            self.timeout(self.p[i], i, self.on_abandon)

    def on_boundary(self, ev) -> None:
        j = ev.value
        plan = self.cfg.agents
        self.set_level(int(plan[j]))
        if j + 1 < plan.size:
            self.timeout((j + 1) * self.cfg.interval_s - self.env.now, j + 1, self.on_boundary)

    def run(self) -> Outcome:
        """Run the day (and the drain after it) and return every contact's outcome."""
        plan = self.cfg.agents
        self.set_level(int(plan[0]))
        if plan.size > 1:
            self.timeout(self.cfg.interval_s, 1, self.on_boundary)
        if self.n:
            self.timeout(self.a[0], 0, self.on_arrival)
        self.env.run()
        return Outcome(self.wait, self.served, self.delayed, self.balked, self.end,
                       np.array(self.ot_start), np.array(self.ot_end), *self.busy_spans())

    def busy_spans(self):
        """(starts, ends) of the spans in which an agent held at least one contact, or (None,
        None) when they are the contacts' own handling spans (one contact per agent)."""
        return None, None
