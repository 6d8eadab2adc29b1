"""Rosters: the plan's shifts assigned to agents over one week, honouring every rule.

Constructive heuristic with repair (deterministic for a seed):

1. shifts are taken in time order (longest first within a start time); each goes to the legal
   agent with the largest shortfall against its contract minimum, then the fewest hours (for a
   late shift: the fewest late shifts first); ties broken by a seeded random order. A move is
   legal only when it keeps every rule of :func:`scheduling.check_roster`;
2. with generated agents, a shift no one can legally take gets a new agent on the contract most
   below its share that may work it; with a given roster it stays unassigned (reported);
3. repair: an agent below its contract minimum takes shifts from agents above theirs; a generated
   agent still short hands all its shifts to others (and is dropped) or moves to a contract whose
   hours it meets; unused generated agents are dropped.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .agents import Agent, agents_from_frame, generate_agents
from .check import Violation, check_roster
from .plan import ShiftPlan, coverage_table, format_breaks, on_duty_per_interval
from .rules import WEEKDAYS, ScheduleRules

__all__ = ["Roster", "build_roster"]

DAY_MIN = 1440


class _Agent:
    """Mutable state of one agent while rostering."""

    def __init__(self, agent: Agent, generated: bool):
        self.agent, self.generated = agent, generated
        self.shifts: list[int] = []
        self.hours = 0.0
        self.late = 0


class _Builder:
    def __init__(self, plan: ShiftPlan, rules: ScheduleRules):
        s = plan.shifts
        self.rules, self.w = rules, rules.weekly
        self.queue = s["queue"].to_numpy()
        self.tpl = s["template"].to_numpy()
        self.day = s["day"].to_numpy().astype(int)
        self.start = s["start_min"].to_numpy().astype(int)
        self.end = s["end_min"].to_numpy().astype(int)
        self.paid_h = s["paid_min"].to_numpy() / 60.0
        self.is_late = (self.end - self.day * DAY_MIN) > self.w.late_threshold_min
        self.weekday = [WEEKDAYS[plan.grid.weekday(int(d))] for d in self.day] if len(s) else []
        self.allowed = {t.name: set(k.name for k in rules.contracts_for(t)) for t in rules.templates}
        self.contracts = {k.name: k for k in rules.contracts}
        self.rest_min = self.w.min_rest_h * 60

    def legal(self, a: _Agent, i: int, contract: str | None = None) -> bool:
        """Would agent ``a`` (on ``contract``, default its own) keep every rule with shift ``i``?"""
        k = self.contracts[contract or a.agent.contract]
        if k.name not in self.allowed[self.tpl[i]] or not a.agent.can_work(self.queue[i]):
            return False
        if a.hours + self.paid_h[i] > k.max_hours_per_week + 1e-9 or len(a.shifts) >= self.w.max_shifts_per_week:
            return False
        if self.is_late[i] and a.late >= self.w.max_late_shifts_per_week:
            return False
        win = a.agent.window(self.weekday[i])
        clock = self.start[i] - self.day[i] * DAY_MIN
        if win is None or clock < win[0] or clock + self.end[i] - self.start[i] > win[1]:
            return False
        days = {int(self.day[j]) for j in a.shifts}
        if self.day[i] in days:
            return False
        days.add(int(self.day[i]))
        if 7 - len(days) < self.w.days_off:
            return False
        if self.w.consecutive_days_off and not any(d not in days and d + 1 not in days for d in range(6)):
            return False
        for j in a.shifts:
            if self.start[i] < self.end[j] + self.rest_min and self.start[j] < self.end[i] + self.rest_min:
                return False
        return True

    def add(self, a: _Agent, i: int) -> None:
        a.shifts.append(i)
        a.hours += self.paid_h[i]
        a.late += int(self.is_late[i])

    def remove(self, a: _Agent, i: int) -> None:
        a.shifts.remove(i)
        a.hours -= self.paid_h[i]
        a.late -= int(self.is_late[i])

    def deficit(self, a: _Agent) -> float:
        return self.contracts[a.agent.contract].min_hours_per_week - a.hours


def _initial_agents(plan: ShiftPlan, rules: ScheduleRules, b: _Builder) -> list[Agent]:
    """Enough generated agents for the busiest day, the shift count and the paid hours."""
    n_shifts = len(plan.shifts)
    if n_shifts == 0:
        return []
    busiest = int(np.bincount(b.day).max())
    shares = [(k.share if k.share is not None else 1.0 / len(rules.contracts)) for k in rules.contracts]
    mean_h = sum(s * (k.min_hours_per_week + k.max_hours_per_week) / 2 for s, k in zip(shares, rules.contracts))
    per_agent = min(rules.weekly.max_shifts_per_week, 7 - rules.weekly.days_off)
    n = max(busiest, -(-n_shifts // per_agent), int(np.ceil(b.paid_h.sum() / max(mean_h, 1e-9))))
    return generate_agents(rules, n, queues=())


def _pick(b: _Builder, pool: list[_Agent], i: int, rng) -> _Agent | None:
    legal = [a for a in pool if b.legal(a, i)]
    if not legal:
        return None
    tie = rng.random(len(legal))
    h = b.paid_h[i]

    def hurts(a):  # would the agent then need more per remaining shift than it can get?
        left = b.w.max_shifts_per_week - len(a.shifts)
        return b.deficit(a) > 0 and h < b.deficit(a) / max(left, 1) - 1e-9
    key = [(hurts(a), -max(b.deficit(a), 0.0), a.late if b.is_late[i] else 0, a.hours, t)
           for a, t in zip(legal, tie)]
    return legal[min(range(len(legal)), key=key.__getitem__)]


def _new_agent(b: _Builder, pool: list[_Agent], i: int) -> _Agent | None:
    """A generated agent for shift ``i`` on the contract most below its share that may work it."""
    counts = {k: 0 for k in b.contracts}
    for a in pool:
        counts[a.agent.contract] += 1
    total = max(len(pool), 1)
    best = None
    for k in b.rules.contracts:
        share = k.share if k.share is not None else 1.0 / len(b.rules.contracts)
        cand = _Agent(Agent(f"A{len(pool) + 1:04d}", k.name), True)
        if b.legal(cand, i):
            score = counts[k.name] / total - share
            if best is None or score < best[0]:
                best = (score, cand)
    return None if best is None else best[1]


def _repair(b: _Builder, pool: list[_Agent]) -> list[_Agent]:
    """Fill agents below their contract minimum; drop or re-contract generated agents still short."""
    for a in sorted(pool, key=lambda a: -b.deficit(a)):
        for donor in sorted(pool, key=lambda d: b.deficit(d)):
            if b.deficit(a) <= 1e-9:
                break
            if donor is a:
                continue
            for i in sorted(donor.shifts, key=lambda i: -b.paid_h[i]):
                if b.deficit(donor) + b.paid_h[i] <= 1e-9 and b.legal(a, i):
                    b.remove(donor, i)
                    b.add(a, i)
                    if b.deficit(a) <= 1e-9:
                        break
    for a in pool:
        if b.deficit(a) > 1e-9:
            _swap_up(b, a, pool)
    dropped: set[int] = set()
    for n, a in enumerate(pool):
        if b.deficit(a) > 1e-9 and a.generated:
            if _hand_over(b, a, [o for m, o in enumerate(pool) if m != n and m not in dropped]):
                dropped.add(n)
            else:
                _recontract(b, a, [o for m, o in enumerate(pool) if m != n and m not in dropped])
    return [a for n, a in enumerate(pool) if n not in dropped and (a.shifts or not a.generated)]


def _swap_up(b: _Builder, a: _Agent, pool: list[_Agent]) -> None:
    """Trade a short shift of ``a`` for a longer one of an agent who stays at its minimum."""
    for i in sorted(a.shifts, key=lambda i: b.paid_h[i]):
        for d in pool:
            if d is a or b.deficit(a) <= 1e-9:
                continue
            for j in list(d.shifts):
                gain = b.paid_h[j] - b.paid_h[i]
                if gain <= 1e-9 or b.deficit(d) + gain > 1e-9:
                    continue
                b.remove(a, i)
                b.remove(d, j)
                if b.legal(a, j) and b.legal(d, i):
                    b.add(a, j)
                    b.add(d, i)
                    break
                b.add(a, i)
                b.add(d, j)
            if i not in a.shifts:
                break


def _hand_over(b: _Builder, a: _Agent, others: list[_Agent]) -> bool:
    """Give all of ``a``'s shifts to others (all or nothing)."""
    done = []
    for i in list(a.shifts):
        taker = next((o for o in sorted(others, key=lambda o: -b.deficit(o)) if b.legal(o, i)), None)
        if taker is None:
            for o, j in done:
                b.remove(o, j)
                b.add(a, j)
            return False
        b.remove(a, i)
        b.add(taker, i)
        done.append((taker, i))
    return True


def _recontract(b: _Builder, a: _Agent, others: list[_Agent]) -> None:
    """Move a generated agent to a contract whose hours and templates fit its shifts, handing
    its shortest shifts to others first when it has too many hours for that contract."""
    for k in b.rules.contracts:
        if not all(k.name in b.allowed[b.tpl[i]] for i in a.shifts):
            continue
        moved = []
        for i in sorted(a.shifts, key=lambda i: b.paid_h[i]):
            if a.hours <= k.max_hours_per_week + 1e-9:
                break
            taker = next((o for o in others if b.deficit(o) + b.paid_h[i] <= 0 or b.deficit(o) > 0
                          if b.legal(o, i)), None)
            if taker is None:
                break
            b.remove(a, i)
            b.add(taker, i)
            moved.append((taker, i))
        if k.min_hours_per_week - 1e-9 <= a.hours <= k.max_hours_per_week + 1e-9:
            a.agent = Agent(a.agent.agent_id, k.name, a.agent.skills, a.agent.availability)
            return
        for o, i in moved:
            b.remove(o, i)
            b.add(a, i)


def build_roster(plan: ShiftPlan, agents=None, *, seed: int = 0) -> "Roster":
    """Assign ``plan``'s shifts (at most 7 days) to agents, honouring ``plan.rules``.

    ``agents``: None (numbered agents generated by contract share, skilled on every queue), a list
    of :class:`Agent`, or a roster table (see :func:`agents_from_frame`). ``seed`` breaks ties."""
    if not isinstance(plan, ShiftPlan):
        raise ValueError(f"plan: expected a ShiftPlan from solve_cover, got {type(plan).__name__}")
    if plan.grid.n_days > 7:
        raise ValueError(f"plan: expected at most 7 days for a weekly roster, got {plan.grid.n_days}")
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed: expected an integer, got {seed!r}")
    t0 = time.perf_counter()
    rules = plan.rules
    b = _Builder(plan, rules)
    generated = agents is None
    if isinstance(agents, pd.DataFrame):
        agents = agents_from_frame(agents, rules)
    if generated:
        agents = _initial_agents(plan, rules, b)
    names = {k.name for k in rules.contracts}
    for j, a in enumerate(agents):
        if not isinstance(a, Agent):
            raise ValueError(f"agents[{j}]: expected Agent, got {type(a).__name__}")
        if a.contract not in names:
            raise ValueError(f"agents[{j}].contract: expected one of {sorted(names)}, got {a.contract!r}")
    pool = [_Agent(a, generated) for a in agents]
    rng = np.random.default_rng(seed)
    order = np.lexsort((-b.paid_h, b.start)) if len(b.start) else []
    unassigned = []
    for i in order:
        a = _pick(b, pool, int(i), rng)
        if a is None and generated:
            a = _new_agent(b, pool, int(i))
            if a is not None:
                pool.append(a)
        if a is None:
            unassigned.append(int(i))
        else:
            b.add(a, int(i))
    pool = _repair(b, pool)
    assignment = np.full(len(b.start), -1)
    for n, a in enumerate(pool):
        assignment[a.shifts] = n
    return Roster(plan=plan, agents=tuple(a.agent for a in pool), assignment=assignment,
                  build_time_s=time.perf_counter() - t0)


@dataclass
class Roster:
    """Shifts of a :class:`ShiftPlan` assigned to agents: ``assignment[i]`` is the index in
    ``agents`` working shift ``i`` of ``plan.shifts`` (-1: unassigned)."""

    plan: ShiftPlan
    agents: tuple
    assignment: np.ndarray
    build_time_s: float = 0.0

    @property
    def rules(self) -> ScheduleRules:
        return self.plan.rules

    def to_frame(self) -> pd.DataFrame:
        """The schedule: one row per agent and shift: ``agent_id, contract, queue, date,
        shift_start, shift_end, paid_hours, breaks`` (``"HH:MM-HH:MM"`` joined by ``;``), template."""
        keep = np.flatnonzero(self.assignment >= 0)
        s = self.plan.shifts.iloc[keep]
        g = self.plan.grid
        who = [self.agents[k] for k in self.assignment[keep]]
        out = pd.DataFrame({
            "agent_id": [a.agent_id for a in who], "contract": [a.contract for a in who],
            "queue": s["queue"].to_numpy(),
            "date": g.timestamps(s["day"].to_numpy() * DAY_MIN).date if len(s) else [],
            "shift_start": g.timestamps(s["start_min"]), "shift_end": g.timestamps(s["end_min"]),
            "paid_hours": s["paid_min"].to_numpy() / 60.0,
            "breaks": [format_breaks(x, g) for x in s["breaks_min"]],
            "template": s["template"].to_numpy(),
        })
        return out.sort_values(["agent_id", "shift_start"], kind="stable").reset_index(drop=True)

    def unassigned(self) -> pd.DataFrame:
        """Shifts of the plan no agent could legally take (same columns as ``plan.to_frame()``)."""
        return self.plan.to_frame().iloc[np.flatnonzero(self.assignment < 0)].reset_index(drop=True)

    def coverage_frame(self) -> pd.DataFrame:
        """``queue, interval_start, required, on_duty, over_under`` from the assigned shifts."""
        s = self.plan.shifts.iloc[np.flatnonzero(self.assignment >= 0)]
        od = {q: on_duty_per_interval(s.loc[s["queue"] == q, "start_min"], s.loc[s["queue"] == q, "end_min"],
                                      s.loc[s["queue"] == q, "breaks_min"], self.plan.grid)
              for q in self.plan.grid.queues}
        return coverage_table(self.plan.grid, od)

    def violations(self) -> list[Violation]:
        """:func:`check_roster` on this roster."""
        return check_roster(self.to_frame(), self.agents, self.rules, week_start=self.plan.grid.start)

    @property
    def summary(self) -> dict:
        """Flat dict: agents, shifts, unassigned shifts, paid hours, cost, violations, build time."""
        frame = self.to_frame()
        keep = self.assignment >= 0
        rate = {k.name: k.hourly_cost for k in self.rules.contracts}
        return {
            "agents": len(self.agents),
            "shifts_assigned": int(keep.sum()),
            "shifts_unassigned": int((~keep).sum()),
            "paid_h": round(float(frame["paid_hours"].sum()), 2),
            "base_cost": round(float((frame["paid_hours"] * frame["contract"].map(rate)).sum()), 2),
            "violations": len(self.violations()),
            "build_time_s": round(self.build_time_s, 3),
        }
