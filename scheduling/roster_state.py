"""The state of a roster while it is built: who works which shift, and which moves keep every rule.

Legality is the rule set :func:`scheduling.check_roster` checks (contract templates, skills,
availability, one shift a day, days off and consecutive days off, shifts per week, rest, contract
maximum hours, late shifts), evaluated with numpy over all agents for one shift
(:meth:`RosterState.agents_for`) or over many shifts for one agent (:meth:`RosterState.shifts_for`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .agents import Agent
from .plan import ShiftPlan
from .rules import WEEKDAYS, ScheduleRules

__all__ = ["ShiftTable", "RosterState", "days_off_table"]

DAY_MIN = 1440
_EPS = 1e-9


def days_off_table(rules: ScheduleRules) -> np.ndarray:
    """``ok[mask]`` for every 7-bit set of worked days: enough days off (two adjacent when asked)."""
    w = rules.weekly
    ok = np.zeros(128, bool)
    for mask in range(128):
        off = [d for d in range(7) if not mask >> d & 1]
        ok[mask] = len(off) >= w.days_off and (not w.consecutive_days_off or any(d + 1 in off for d in off))
    return ok


@dataclass(frozen=True)
class ShiftTable:
    """The plan's shifts as arrays: template and queue indices, grid day, start/end minute since the
    grid start, paid hours, weekday index, clock start minute, and whether it is a late shift."""

    tpl: np.ndarray
    queue: np.ndarray
    day: np.ndarray
    start: np.ndarray
    end: np.ndarray
    paid_h: np.ndarray
    weekday: np.ndarray
    clock: np.ndarray
    late: np.ndarray

    @classmethod
    def from_plan(cls, plan: ShiftPlan) -> "ShiftTable":
        s, rules = plan.shifts, plan.rules
        t_index = {t.name: i for i, t in enumerate(rules.templates)}
        q_index = {q: i for i, q in enumerate(plan.grid.queues)}
        day = s["day"].to_numpy().astype(np.int64)
        start = s["start_min"].to_numpy().astype(np.int64)
        end = s["end_min"].to_numpy().astype(np.int64)
        return cls(tpl=np.array([t_index[t] for t in s["template"]], np.int64),
                   queue=np.array([q_index[q] for q in s["queue"]], np.int64), day=day, start=start, end=end,
                   paid_h=s["paid_min"].to_numpy() / 60.0,
                   weekday=np.array([plan.grid.weekday(int(d)) for d in day], np.int64),
                   clock=start - day * DAY_MIN, late=(end - day * DAY_MIN) > rules.weekly.late_threshold_min)

    def __len__(self) -> int:
        return len(self.tpl)


class RosterState:
    """Agents (a fixed list) and the shifts of a plan of at most 7 days; ``owner[i]`` is the agent
    working shift ``i`` (-1: nobody). :meth:`add` does not check: ask :meth:`agents_for`,
    :meth:`shifts_for` or :meth:`legal` first."""

    def __init__(self, plan: ShiftPlan, shifts: ShiftTable, agents: list[Agent]):
        rules, w = plan.rules, plan.rules.weekly
        self.rules, self.sh, self.agents = rules, shifts, list(agents)
        n = len(agents)
        k_index = {k.name: k for k in rules.contracts}
        self.min_h = np.array([k_index[a.contract].min_hours_per_week for a in agents], float)
        self.max_h = np.array([k_index[a.contract].max_hours_per_week for a in agents], float)
        self.template_ok = np.array([[a.contract in {k.name for k in rules.contracts_for(t)} for t in rules.templates]
                                     for a in agents], bool).reshape(n, len(rules.templates))
        self.skill_ok = np.array([[a.can_work(q) for q in plan.grid.queues] for a in agents],
                                 bool).reshape(n, len(plan.grid.queues))
        win = [[a.window(d) for d in WEEKDAYS] for a in agents]
        self.win_lo = np.array([[v[0] if v else 1 for v in row] for row in win], float).reshape(n, 7)
        self.win_hi = np.array([[v[1] if v else 0 for v in row] for row in win], float).reshape(n, 7)
        self.days_ok = days_off_table(rules)
        self.max_shifts, self.max_late, self.rest = w.max_shifts_per_week, w.max_late_shifts_per_week, w.min_rest_h * 60
        self.hours = np.zeros(n)
        self.count = np.zeros(n, np.int64)
        self.n_late = np.zeros(n, np.int64)
        self.mask = np.zeros(n, np.int64)
        self.S = np.full((n, 7), np.nan)   # start minute of the agent's shift on each day of the week
        self.E = np.full((n, 7), np.nan)
        self.owner = np.full(len(shifts), -1, np.int64)

    def deficit(self, a=slice(None)):
        """Hours below the contract minimum (negative: above it)."""
        return self.min_h[a] - self.hours[a]

    def shifts_of(self, a: int) -> np.ndarray:
        return np.flatnonzero(self.owner == a)

    def agents_for(self, i: int, pool=None) -> np.ndarray:
        """Indices of the agents (of ``pool``, default all) that may legally take shift ``i``."""
        sh = self.sh
        a = np.arange(len(self.agents)) if pool is None else np.asarray(pool, np.int64)
        wd, day, length = sh.weekday[i], sh.day[i], sh.end[i] - sh.start[i]
        ok = self.template_ok[a, sh.tpl[i]] & self.skill_ok[a, sh.queue[i]]
        ok &= (self.win_lo[a, wd] <= sh.clock[i]) & (sh.clock[i] + length <= self.win_hi[a, wd])
        ok &= (self.hours[a] + sh.paid_h[i] <= self.max_h[a] + _EPS) & (self.count[a] < self.max_shifts)
        if sh.late[i]:
            ok &= self.n_late[a] < self.max_late
        ok &= ((self.mask[a] >> day) & 1) == 0
        ok &= self.days_ok[self.mask[a] | (1 << day)]
        with np.errstate(invalid="ignore"):
            clash = (sh.start[i] < self.E[a] + self.rest) & (self.S[a] < sh.end[i] + self.rest)
        return a[ok & ~clash.any(axis=1)]

    def shifts_for(self, a: int, idx: np.ndarray) -> np.ndarray:
        """The shifts of ``idx`` agent ``a`` may legally take next (each on its own)."""
        sh = self.sh
        i = np.asarray(idx, np.int64)
        wd, day = sh.weekday[i], sh.day[i]
        ok = self.template_ok[a, sh.tpl[i]] & self.skill_ok[a, sh.queue[i]]
        ok &= (self.win_lo[a, wd] <= sh.clock[i]) & (sh.clock[i] + sh.end[i] - sh.start[i] <= self.win_hi[a, wd])
        ok &= self.hours[a] + sh.paid_h[i] <= self.max_h[a] + _EPS
        ok &= self.count[a] < self.max_shifts
        ok &= ~sh.late[i] | (self.n_late[a] < self.max_late)
        ok &= ((self.mask[a] >> day) & 1) == 0
        ok &= self.days_ok[self.mask[a] | np.left_shift(1, day)]
        with np.errstate(invalid="ignore"):
            clash = (sh.start[i][:, None] < self.E[a] + self.rest) & (self.S[a] < sh.end[i][:, None] + self.rest)
        return i[ok & ~clash.any(axis=1)]

    def legal(self, a: int, i: int) -> bool:
        return self.shifts_for(a, np.array([i])).size == 1

    def add(self, a: int, i: int) -> None:
        sh, d = self.sh, int(self.sh.day[i])
        self.owner[i] = a
        self.hours[a] += sh.paid_h[i]
        self.count[a] += 1
        self.n_late[a] += int(sh.late[i])
        self.mask[a] |= 1 << d
        self.S[a, d], self.E[a, d] = sh.start[i], sh.end[i]

    def remove(self, a: int, i: int) -> None:
        sh, d = self.sh, int(self.sh.day[i])
        self.owner[i] = -1
        self.hours[a] -= sh.paid_h[i]
        self.count[a] -= 1
        self.n_late[a] -= int(sh.late[i])
        self.mask[a] &= ~(1 << d)
        self.S[a, d] = self.E[a, d] = np.nan

    def set_contract(self, a: int, contract) -> None:
        """Move agent ``a`` to ``contract`` (a :class:`Contract`); its shifts stay."""
        ag = self.agents[a]
        self.agents[a] = Agent(ag.agent_id, contract.name, ag.skills, ag.availability)
        self.min_h[a], self.max_h[a] = contract.min_hours_per_week, contract.max_hours_per_week
        self.template_ok[a] = [contract in self.rules.contracts_for(t) for t in self.rules.templates]

    def keep_agents(self, keep: np.ndarray) -> None:
        """Drop the agents where ``keep`` is False (they must have no shifts)."""
        assert not np.isin(self.owner, np.flatnonzero(~keep)).any(), "dropped agents still work shifts"
        new_index = np.cumsum(keep) - 1
        self.owner = np.where(self.owner >= 0, new_index[self.owner], -1)
        self.agents = [a for a, k in zip(self.agents, keep) if k]
        for name in ("min_h", "max_h", "template_ok", "skill_ok", "win_lo", "win_hi", "hours", "count", "n_late",
                     "mask", "S", "E"):
            setattr(self, name, getattr(self, name)[keep])

    def longest_for(self, a: int) -> float:
        """Paid hours of the longest template agent ``a``'s contract may work (0 when none)."""
        ok = self.template_ok[a]
        return max((t.paid_h for t, k in zip(self.rules.templates, ok) if k), default=0.0)

    def week_capacity(self, a: int) -> int:
        """Most shifts agent ``a`` can work in the week: shifts per week, days off, availability."""
        avail = int((self.win_hi[a] > self.win_lo[a]).sum())
        return min(self.max_shifts, 7 - self.rules.weekly.days_off, avail)
