"""SimPy agents holding one contact each (voice): idle agents, busy agents and their completions.

At a boundary where the plan falls, idle agents log off first, then the busy ones whose contact
ends soonest; a busy agent leaving finishes that contact (overtime, counted as logged-in time).
"""
from __future__ import annotations

from .floor import Floor

__all__ = ["VoiceFloor"]


class VoiceFloor(Floor):
    """Agents with one contact at a time."""

    def __init__(self, cfg, d):
        super().__init__(cfg, d)
        self.idle: list[int] = []
        self.busy: dict[int, float] = {}  # on-duty agent -> end of the contact in hand
        self.leaving: set[int] = set()

    def start(self, agent: int, i: int, now: float) -> None:
        self.wait[i] = now - self.a[i]
        e = now + self.w[i]
        self.end[i] = e
        self.busy[agent] = e
        self.timeout(self.w[i], agent, self.on_complete)

    def on_complete(self, ev) -> None:
        agent = ev.value
        if agent in self.leaving:
            self.leaving.discard(agent)
            return
        del self.busy[agent]
        i = self.take_next()
        if i is None:
            self.idle.append(agent)
        else:
            self.start(agent, i, self.env.now)

    def answer_now(self, i: int, now: float) -> bool:
        if not self.idle:
            return False
        self.start(self.idle.pop(), i, now)
        return True

    def set_level(self, target: int) -> None:
        now = self.env.now
        cur = len(self.idle) + len(self.busy)
        for _ in range(target - cur):
            agent = self.new_agent()
            i = self.take_next()
            if i is None:
                self.idle.append(agent)
            else:
                self.start(agent, i, now)
        drop = max(cur - target, 0)
        while drop and self.idle:
            self.idle.pop()
            drop -= 1
        if drop:
            for agent, e in sorted(self.busy.items(), key=lambda kv: kv[1])[:drop]:
                del self.busy[agent]
                self.leaving.add(agent)
                self.ot_start.append(now)
                self.ot_end.append(e)
