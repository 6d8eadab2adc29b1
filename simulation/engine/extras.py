"""Redials and callbacks in the SimPy event model (the fast engine has neither).

**Redials (retrials).** A contact that hangs up (abandons or balks) redials with probability
``cfg.retrial_prob``, after an exponential delay with mean ``cfg.retrial_delay_s``. The redial is a
new contact (attempt number + 1) with its own handle time (scaled to the interval it lands in),
patience and balk / routing draws; it may hang up and redial again. Arrivals stop at the end of the
day T, so a redial that would come at or after T is *pending* (counted, not simulated).

**Callbacks (virtual hold).** A contact that finds no free agent and would queue behind ``ahead``
contacts still waiting is offered a callback when ``ahead >= cfg.callback_min_ahead[interval]``
(its announced mean wait exceeds the queue's ``callback_threshold_s``); it accepts with probability
``cfg.callback_accept_prob``. It then leaves the inbound queue, keeps its place virtually (never
abandons) and is called back by an agent; its wait is the time from its arrival to the call back.

**Priority rule** (what a free agent takes next, :meth:`Floor.take_next`): (1) the oldest callback
that is *due*, i.e. whose promise ``callback_promise_s`` expires within one mean handle time (an
agent taking an inbound contact now is busy about that long); else (2) the first inbound contact
still waiting (FCFS); else (3) the oldest callback. So callbacks fill the time when nobody waits
inbound, and jump the queue only to keep their promise.

Every number comes from the replication's own stream ``Draws.extra_rng``, in event order.
"""
from __future__ import annotations

from collections import deque

import numpy as np

__all__ = ["Extras"]


class Extras:
    """Redial and callback state of one replication of a :class:`simulation.engine.floor.Floor`."""

    def __init__(self, floor, rng: np.random.Generator):
        cfg = floor.cfg
        self.floor, self.cfg, self.rng = floor, cfg, rng
        n = floor.n
        self.horizon_s = cfg.agents.size * cfg.interval_s
        self.attempt = [0] * n
        self.retried = [False] * n   # hung up and redialed within the day
        self.pending = [False] * n   # hung up; its redial would come after the day
        self.callback = [False] * n  # accepted a callback
        self.callbacks: deque[int] = deque()  # accepted, not yet called back (oldest first)
        # a callback is due once it has waited promise - mean handle time
        self.due_after_s = cfg.callback_promise_s - cfg.service.mean_s

    # ---- redials
    def hang_up(self, i: int, now: float) -> None:
        """Contact ``i`` hung up at ``now``: it redials with probability ``retrial_prob``."""
        cfg, rng = self.cfg, self.rng
        if cfg.retrial_prob <= 0 or rng.random() >= cfg.retrial_prob:
            return
        t = now + rng.exponential(cfg.retrial_delay_s)
        if t >= self.horizon_s:
            self.pending[i] = True
            return
        self.retried[i] = True
        work = float(cfg.service.sample(rng, 1)[0])
        if cfg.service_scale is not None:
            work *= cfg.service_scale[min(int(t / cfg.interval_s), cfg.agents.size - 1)]
        patience = float(cfg.patience.sample(rng, 1)[0]) if cfg.patience is not None else None
        balk_u = rng.random() if cfg.balk_prob > 0 else None
        route_u = rng.random() if self.floor.route_u is not None else None
        self.attempt.append(self.attempt[i] + 1)
        for col in (self.retried, self.pending, self.callback):
            col.append(False)
        self.floor.add_contact(t, work, patience, balk_u, route_u)

    # ---- callbacks
    def accepts_callback(self, i: int, now: float) -> bool:
        """Offer contact ``i`` (no agent free) a callback if its expected wait is long; True when
        it accepts (it is then held virtually)."""
        cfg = self.cfg
        if cfg.callback_accept_prob <= 0:
            return False
        j = min(int(now / cfg.interval_s), cfg.agents.size - 1)
        if self.floor.n_waiting < cfg.callback_min_ahead[j] or self.rng.random() >= cfg.callback_accept_prob:
            return False
        self.callback[i] = True
        self.callbacks.append(i)
        return True

    def due(self, now: float) -> bool:
        """True when the oldest callback's promise expires within one mean handle time."""
        return now - self.floor.a[self.callbacks[0]] >= self.due_after_s

    def take_callback(self) -> int:
        """The oldest callback (an agent calls it back now)."""
        return self.callbacks.popleft()

    def outcome_fields(self) -> dict:
        """The per-contact arrays this adds to :class:`simulation.engine.outcome.Outcome`."""
        return {"arrival": np.array(self.floor.a, float), "attempt": np.array(self.attempt, np.int64),
                "retried": np.array(self.retried, bool), "pending": np.array(self.pending, bool),
                "callback": np.array(self.callback, bool)}
