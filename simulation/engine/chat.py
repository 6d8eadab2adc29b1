"""SimPy agents holding up to k chats that slow each other down.

Each agent holds a list of ``[remaining work, contact, start time]``; while it holds m chats each
progresses at ``cfg.speed[m]`` (work seconds per second), so completions are rescheduled whenever
the agent's load changes (a version number drops superseded completion events). A new chat goes to
an agent with a free slot chosen by ``cfg.routing`` (:data:`core.CHAT_ROUTINGS`): the least loaded
(default), the busiest, or one picked at random (lowest id first among equals). A queued chat goes
to the agent whose slot frees. At a boundary where the plan falls the least loaded agents log off
first; one holding chats finishes them (overtime) and takes no more. The spans in which an agent
holds at least one chat are recorded for the agents-busy share.
"""
from __future__ import annotations

import numpy as np

from .floor import Floor

__all__ = ["ChatFloor"]


class ChatFloor(Floor):
    """Agents with up to ``cfg.concurrency`` chats at a time."""

    def __init__(self, cfg, d):
        super().__init__(cfg, d)
        self.k = cfg.concurrency
        self.speed = cfg.speed
        self.chats: dict[int, list] = {}
        self.last_t: dict[int, float] = {}
        self.version: dict[int, int] = {}
        self.by_load: list[set[int]] = [set() for _ in range(self.k + 1)]  # on-duty agents by chats held
        self.load: dict[int, int] = {}
        self.leaving_since: dict[int, float] = {}
        self.busy_since: dict[int, float] = {}
        self.busy_start: list[float] = []
        self.busy_end: list[float] = []
        self.levels = range(self.k - 1, -1, -1) if cfg.routing == "busiest_first" else range(self.k)

    def advance(self, agent: int, now: float) -> None:
        """Count the work done on the agent's chats since its last change."""
        held = self.chats[agent]
        if held:
            done = (now - self.last_t[agent]) * self.speed[len(held)]
            for c in held:
                c[0] -= done
        self.last_t[agent] = now

    def reschedule(self, agent: int) -> None:
        held = self.chats[agent]
        self.version[agent] += 1
        if held:
            dt = max(min(c[0] for c in held), 0.0) / self.speed[len(held)]
            self.timeout(dt, (agent, self.version[agent]), self.on_chat_done)

    def move(self, agent: int, delta: int) -> None:
        """Change an on-duty agent's load by ``delta`` chats."""
        m = self.load[agent]
        self.by_load[m].discard(agent)
        self.by_load[m + delta].add(agent)
        self.load[agent] = m + delta

    def assign(self, agent: int, i: int, now: float) -> None:
        self.wait[i] = now - self.a[i]
        self.advance(agent, now)
        if not self.chats[agent]:
            self.busy_since[agent] = now
        self.chats[agent].append([self.w[i], i, now])
        if agent not in self.leaving_since:
            self.move(agent, +1)
        self.reschedule(agent)

    def on_chat_done(self, ev) -> None:
        agent, ver = ev.value
        if ver != self.version[agent]:
            return  # superseded by a later change of this agent's load
        now = self.env.now
        self.advance(agent, now)
        held = self.chats[agent]
        j = min(range(len(held)), key=lambda q: held[q][0])
        _, i, _ = held.pop(j)
        self.end[i] = now
        if not held:
            self.busy_start.append(self.busy_since.pop(agent))
            self.busy_end.append(now)
        if agent in self.leaving_since:
            if not held:
                self.ot_start.append(self.leaving_since.pop(agent))
                self.ot_end.append(now)
                del self.chats[agent]
                return
            self.reschedule(agent)
            return
        self.move(agent, -1)
        nxt = self.take_next()
        if nxt is not None:
            self.assign(agent, nxt, now)
        else:
            self.reschedule(agent)

    def answer_now(self, i: int, now: float) -> bool:
        if self.route_u is not None:  # random: uniform over the agents with a free slot
            free = sorted(a for m in range(self.k) for a in self.by_load[m])
            if not free:
                return False
            self.assign(free[int(self.route_u[i] * len(free))], i, now)
            return True
        for m in self.levels:
            if self.by_load[m]:
                self.assign(min(self.by_load[m]), i, now)
                return True
        return False

    def busy_spans(self):
        return np.array(self.busy_start), np.array(self.busy_end)

    def set_level(self, target: int) -> None:
        now = self.env.now
        cur = len(self.load)
        for _ in range(target - cur):
            agent = self.new_agent()
            self.chats[agent] = []
            self.last_t[agent] = now
            self.version[agent] = 0
            self.load[agent] = 0
            self.by_load[0].add(agent)
            while self.load[agent] < self.k:
                i = self.take_next()
                if i is None:
                    break
                self.assign(agent, i, now)
        if cur > target:
            self.log_off(cur - target, now)

    def log_off(self, drop: int, now: float) -> None:
        """The ``drop`` least loaded agents leave (lowest id first); busy ones finish their chats."""
        for m in range(self.k + 1):
            for agent in sorted(self.by_load[m]):
                if not drop:
                    return
                self.by_load[m].discard(agent)
                del self.load[agent]
                drop -= 1
                if self.chats[agent]:
                    self.leaving_since[agent] = now
                else:
                    del self.chats[agent]
