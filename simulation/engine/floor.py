"""The SimPy event model's common part: arrivals, the FCFS queue, abandonment and plan changes.

A :class:`Floor` holds the state of one replication; arrivals, completions, abandonments and plan
boundaries are SimPy timeouts whose callbacks are the floor's methods. The agents differ by kind
(:class:`simulation.engine.voice.VoiceFloor`: one contact per agent;
:class:`simulation.engine.chat.ChatFloor`: up to k chats sharing the agent), through two hooks:
``answer_now`` (give an arriving contact to a free agent, if any) and ``set_level`` (log agents in
or off at a boundary). For one contact per agent the model consumes the same random numbers as the
fast engine and gives the same contacts to floating-point rounding. Redials and callbacks
(:mod:`.extras`) add contacts during the run and change which waiting contact an agent takes next.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from .extras import Extras
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
        self.n_first = n  # first attempts (drawn up front); redials come after them
        self.a = d.arrival.tolist()
        self.w = d.work.tolist()
        self.p = d.patience.tolist() if d.patience is not None else None
        self.u = d.balk_u.tolist() if d.balk_u is not None else None
        self.wait = [0.0] * n  # lists: redials append contacts during the run
        self.end = [np.nan] * n
        self.served = [True] * n
        self.delayed = [False] * n
        self.balked = [False] * n
        self.route_u = d.route_u.tolist() if d.route_u is not None else None
        self.ot_start: list[float] = []
        self.ot_end: list[float] = []
        self.queue: deque[int] = deque()
        self.waiting = bytearray(n)
        self.n_waiting = 0  # contacts in the inbound queue now (abandoned ones removed)
        self.next_agent = 0
        self.extras = Extras(self, d.extra_rng) if cfg.extras else None

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
        """Next contact for a free agent, None if none: a callback whose promise is about to
        expire, else the first inbound contact still waiting (FCFS, skipping those that
        abandoned), else the oldest callback (see :mod:`.extras`)."""
        ex = self.extras
        if ex is not None and ex.callbacks:
            now = self.env.now
            if ex.due(now) or not self.n_waiting:
                return ex.take_callback()
        while self.queue:
            i = self.queue.popleft()
            if self.waiting[i]:
                self.waiting[i] = 0
                self.n_waiting -= 1
                return i
        return None

    def add_contact(self, arrival: float, work: float, patience: float | None, balk_u: float | None,
                    route_u: float | None) -> int:
        """A new contact (a redial) arriving at ``arrival``; returns its index."""
        self.a.append(arrival)
        self.w.append(work)
        if self.p is not None:
            self.p.append(patience)
        if self.u is not None:
            self.u.append(balk_u)
        if self.route_u is not None:
            self.route_u.append(route_u)
        for col, value in ((self.wait, 0.0), (self.end, np.nan), (self.served, True), (self.delayed, False),
                           (self.balked, False)):
            col.append(value)
        self.waiting.append(0)
        self.n += 1
        self.timeout(arrival - self.env.now, self.n - 1, self.on_redial)
        return self.n - 1

    def timeout(self, delay: float, value, callback) -> None:
        ev = self.env.timeout(delay, value)
        ev.callbacks.append(callback)

    def on_abandon(self, ev) -> None:
        i = ev.value
        if self.waiting[i]:
            self.waiting[i] = 0
            self.n_waiting -= 1
            self.served[i] = False
            self.wait[i] = self.p[i]
            if self.extras is not None:
                self.extras.hang_up(i, self.env.now)

    def on_arrival(self, ev) -> None:
        i = ev.value
        if i + 1 < self.n_first:
            self.timeout(self.a[i + 1] - self.env.now, i + 1, self.on_arrival)
        self.arrive(i, self.env.now)

    def on_redial(self, ev) -> None:
        self.arrive(ev.value, self.env.now)

    def arrive(self, i: int, now: float) -> None:
        """Contact ``i`` arrives: answered, offered a callback, balks or queues."""
        if self.answer_now(i, now):
            return
        self.delayed[i] = True
        ex = self.extras
        if ex is not None and ex.accepts_callback(i, now):
            return
        if self.u is not None and self.u[i] < self.cfg.balk_prob:
            self.served[i] = False
            self.balked[i] = True
            if ex is not None:
                ex.hang_up(i, now)
            return
        self.queue.append(i)
        self.waiting[i] = 1
        self.n_waiting += 1
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
        if self.n_first:
            self.timeout(self.a[0], 0, self.on_arrival)
        self.env.run()
        extra = self.extras.outcome_fields() if self.extras is not None else {}
        return Outcome(np.array(self.wait, float), np.array(self.served, bool), np.array(self.delayed, bool),
                       np.array(self.balked, bool), np.array(self.end, float), np.array(self.ot_start),
                       np.array(self.ot_end), *self.busy_spans(), **extra)

    def busy_spans(self):
        """(starts, ends) of the spans in which an agent held at least one contact, or (None,
        None) when they are the contacts' own handling spans (one contact per agent)."""
        return None, None
