"""Rosters: the plan's shifts assigned to agents over one week, honouring every rule.

Constructive heuristic with repair (deterministic for a seed); every move is checked against the
rules :func:`scheduling.check_roster` checks (:class:`~scheduling.roster_state.RosterState`):

1. **minimums first**: in rounds, every agent below its contract minimum takes the longest legal
   free shift that still lets it reach the minimum (the largest shortfall first);
2. **the rest** in time order (longest first within a start time), each to the legal agent with a
   shortfall, else the fewest hours relative to its maximum (late shifts: fewest late shifts first);
   ties broken by a seeded random order;
3. **repair**: a shift no one can take is given to an agent after one of that agent's shifts moves
   to someone else; an agent still below its minimum takes shifts from agents who stay at or above
   theirs, or trades a short shift for a longer one.

Generated agents (``agents=None``) follow the contracts' ``count`` and ``share`` exactly
(:func:`generate_agents`); their number starts at a lower bound (busiest day, shifts per agent,
hours) and grows while shifts stay unassigned. A contract whose minimum no agent can reach (too few
shifts a week of too few paid hours) gets no agents. Whatever is left unmet (a shift nobody may
take, an agent below its minimum, a share not met) is said in :attr:`Roster.problems`, with why.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .agents import Agent, agents_from_frame, generate_agents
from .check import Violation, check_roster
from .plan import ShiftPlan, coverage_table, format_breaks, on_duty_per_interval
from .roster_state import RosterState, ShiftTable
from .rules import Contract, ScheduleRules

__all__ = ["Roster", "build_roster"]

DAY_MIN = 1440
_EPS = 1e-9
_MAX_ROUNDS = 40        # generated agents: attempts with more agents while shifts stay unassigned
_EJECT_AGENTS = 60      # repair: agents tried per unassigned shift


def _fill_minimums(st: RosterState, rng) -> None:
    """Step 1: rounds in which every agent below its minimum takes one shift."""
    longest = np.array([st.longest_for(a) for a in range(len(st.agents))])
    cap = np.array([st.week_capacity(a) for a in range(len(st.agents))])
    stuck = np.zeros(len(st.agents), bool)
    sh = st.sh
    while True:
        short = np.flatnonzero((st.deficit() > _EPS) & ~stuck)
        if short.size == 0:
            return
        for a in short[np.lexsort((rng.random(short.size), -st.deficit(short)))]:
            free = np.flatnonzero(st.owner < 0)
            cand = st.shifts_for(a, free)
            left = cap[a] - st.count[a] - 1  # shifts still to come after this one
            cand = cand[st.hours[a] + sh.paid_h[cand] + left * longest[a] >= st.min_h[a] - _EPS]
            if cand.size == 0:
                stuck[a] = True
                continue
            free_on_day = np.bincount(sh.day[free], minlength=7)
            key = np.lexsort((rng.random(cand.size), -free_on_day[sh.day[cand]], sh.late[cand], sh.paid_h[cand]))
            st.add(a, int(cand[key[0]]))


def _fill_rest(st: RosterState, rng) -> list[int]:
    """Step 2: the free shifts in time order; returns those nobody may take."""
    sh = st.sh
    free = np.flatnonzero(st.owner < 0)
    unassigned = []
    for i in free[np.lexsort((-sh.paid_h[free], sh.start[free]))]:
        cand = st.agents_for(int(i))
        if cand.size == 0:
            unassigned.append(int(i))
            continue
        late = st.n_late[cand] if sh.late[i] else np.zeros(cand.size)
        load = st.hours[cand] / np.maximum(st.max_h[cand], _EPS)
        key = np.lexsort((rng.random(cand.size), load, late, -np.maximum(st.deficit(cand), 0)))
        st.add(int(cand[key[0]]), int(i))
    return unassigned


def _eject(st: RosterState, i: int) -> bool:
    """Give free shift ``i`` to an agent after one of its shifts moves to another agent."""
    sh = st.sh
    n = len(st.agents)
    static = np.flatnonzero(st.template_ok[:, sh.tpl[i]] & st.skill_ok[:, sh.queue[i]]
                            & (st.win_lo[:, sh.weekday[i]] <= sh.clock[i])
                            & (sh.clock[i] + sh.end[i] - sh.start[i] <= st.win_hi[:, sh.weekday[i]]))
    for a in static[np.argsort(st.hours[static], kind="stable")][:_EJECT_AGENTS]:
        for j in st.shifts_of(int(a)):
            st.remove(int(a), int(j))
            if st.legal(int(a), i):
                st.add(int(a), i)
                others = st.agents_for(int(j), np.delete(np.arange(n), a))
                if others.size:
                    st.add(int(others[np.argmin(st.hours[others] / np.maximum(st.max_h[others], _EPS))]), int(j))
                    return True
                st.remove(int(a), i)
            st.add(int(a), int(j))
    return False


def _repair_minimums(st: RosterState) -> None:
    """Step 3 for agents below their minimum: take shifts from agents who stay at or above
    theirs, then trade short shifts for longer ones."""
    sh = st.sh
    for a in np.flatnonzero(st.deficit() > _EPS):
        a = int(a)
        while st.deficit(a) > _EPS:
            taken = np.flatnonzero((st.owner >= 0) & (st.owner != a))
            spare = taken[st.hours[st.owner[taken]] - sh.paid_h[taken] >= st.min_h[st.owner[taken]] - _EPS]
            cand = st.shifts_for(a, spare)
            if cand.size == 0:
                break
            j = int(cand[np.argmax(sh.paid_h[cand])])
            st.remove(int(st.owner[j]), j)
            st.add(a, j)
        if st.deficit(a) > _EPS:
            _swap_up(st, a)


def _swap_up(st: RosterState, a: int) -> None:
    """Agent ``a`` trades a short shift for a longer one of an agent who stays at its minimum."""
    sh = st.sh
    for i in sorted(st.shifts_of(a), key=lambda i: sh.paid_h[i]):
        if st.deficit(a) <= _EPS:
            return
        i = int(i)
        taken = np.flatnonzero((st.owner >= 0) & (st.owner != a) & (sh.paid_h > sh.paid_h[i] + _EPS))
        gain = sh.paid_h[taken] - sh.paid_h[i]
        taken = taken[st.hours[st.owner[taken]] - gain >= st.min_h[st.owner[taken]] - _EPS]
        st.remove(a, i)
        for j in st.shifts_for(a, taken)[::-1]:
            d = int(st.owner[j])
            st.remove(d, int(j))
            if st.legal(d, i):
                st.add(d, i)
                st.add(a, int(j))
                break
            st.add(d, int(j))
        else:
            st.add(a, i)


def _assign(plan: ShiftPlan, shifts: ShiftTable, agents: list[Agent], seed: int) -> tuple[RosterState, list[int]]:
    """Steps 1-3 for a fixed list of agents; returns the state and the shifts left unassigned."""
    rng = np.random.default_rng(seed)
    st = RosterState(plan, shifts, agents)
    _fill_minimums(st, rng)
    unassigned = [i for i in _fill_rest(st, rng) if not _eject(st, i)]
    _repair_minimums(st)
    return st, unassigned


def _reachable(rules: ScheduleRules, k: Contract) -> tuple[bool, str]:
    """Can an agent on ``k`` reach its minimum at all? (shifts a week times the longest template)."""
    w = rules.weekly
    shifts = min(w.max_shifts_per_week, 7 - w.days_off)
    longest = max((t.paid_h for t in rules.templates if k in rules.contracts_for(t)), default=0.0)
    most = shifts * longest
    why = (f"at most {shifts} shifts a week (max_shifts_per_week {w.max_shifts_per_week}, days_off {w.days_off}) "
           f"of at most {longest:g} paid h = {most:g} h")
    return most >= k.min_hours_per_week - _EPS, why


def _lower_bound(rules: ScheduleRules, shifts: ShiftTable, contracts: list[Contract]) -> int:
    """Fewest agents that could work the shifts: busiest day, shifts per agent, paid hours."""
    if len(shifts) == 0 or not contracts:
        return 0
    per_agent = min(rules.weekly.max_shifts_per_week, 7 - rules.weekly.days_off)
    shares = np.array([k.share if k.share is not None else 1.0 for k in contracts])
    mean_max = float((shares * [k.max_hours_per_week for k in contracts]).sum() / shares.sum())
    return int(max(np.bincount(shifts.day).max(), -(-len(shifts) // per_agent),
                   np.ceil(shifts.paid_h.sum() / max(mean_max, _EPS))))


def _share_counts(rules: ScheduleRules, contracts: list[Contract], n: int) -> dict[str, int]:
    counts = {k.name: 0 for k in rules.contracts}
    for a in generate_agents(rules, n, contracts=contracts):
        counts[a.contract] += 1
    return counts


def _numbered(rules: ScheduleRules, counts: dict[str, int]) -> list[Agent]:
    return [Agent(f"A{j + 1:04d}", name) for j, name in
            enumerate(k.name for k in rules.contracts for _ in range(counts[k.name]))]


def _grow(rules: ScheduleRules, usable: list[Contract], st: RosterState, unassigned: list[int],
          counts: dict[str, int]) -> bool:
    """Add agents for the unassigned shifts: of a contract that may work them, has nobody below its
    minimum and is furthest below its share (counts are never fixed ones). False when none fits."""
    per_agent = min(rules.weekly.max_shifts_per_week, 7 - rules.weekly.days_off)
    short = {st.agents[a].contract for a in np.flatnonzero(st.deficit() > _EPS)}
    fits = {k.name for i in unassigned for k in rules.contracts_for(rules.templates[st.sh.tpl[i]])}
    options = [k for k in usable if k.name in fits and k.name not in short and k.count is None]
    if not options:
        return False
    total = max(sum(counts.values()), 1)
    k = min(options, key=lambda k: counts[k.name] / total - (k.share or 0.0))
    counts[k.name] += max(1, -(-len(unassigned) // per_agent))
    return True


def _fit_short(st: RosterState, rules: ScheduleRules) -> None:
    """Generated agents still below their minimum: hand all their shifts to agents who have shifts
    (the agent is then left without any) or move them to a contract whose hours and templates fit,
    if need be after handing one shift to another agent (:func:`_hand_one_off`)."""
    n = len(st.agents)
    for a in np.flatnonzero(st.deficit() > _EPS):
        a = int(a)
        if st.deficit(a) <= _EPS or st.count[a] == 0:  # filled meanwhile by another agent's shifts
            continue
        moved = []
        for i in st.shifts_of(a):
            others = st.agents_for(int(i), np.flatnonzero((np.arange(n) != a) & (st.count > 0)))
            if others.size == 0:
                break
            b = int(others[np.argmax(st.deficit(others))])
            st.remove(a, int(i))
            st.add(b, int(i))
            moved.append((b, int(i)))
        if st.count[a] == 0:
            continue
        for b, i in moved:
            st.remove(b, i)
            st.add(a, i)
        k = _contract_fitting(st, rules, a)
        if k is not None:
            st.set_contract(a, k)
        else:
            _hand_one_off(st, rules, a)


def _contract_fitting(st: RosterState, rules: ScheduleRules, a: int) -> Contract | None:
    """The first contract whose hours hold agent ``a``'s paid hours and whose templates its shifts."""
    for k in rules.contracts:
        if k.min_hours_per_week - _EPS <= st.hours[a] <= k.max_hours_per_week + _EPS and \
                all(k in rules.contracts_for(rules.templates[st.sh.tpl[i]]) for i in st.shifts_of(a)):
            return k
    return None


def _hand_one_off(st: RosterState, rules: ScheduleRules, a: int) -> bool:
    """Generated agent ``a`` (between two contracts' hours, e.g. 31 h of full-time 32-40 and part-time
    20-30) hands one shift to an agent who has shifts and may legally take it, so that its remaining
    hours fit a contract it then moves to. False (nothing changed) when no such move exists."""
    n = len(st.agents)
    pool = np.flatnonzero((np.arange(n) != a) & (st.count > 0))
    for i in sorted(st.shifts_of(a), key=lambda i: st.sh.paid_h[i]):
        others = st.agents_for(int(i), pool)
        if others.size == 0:
            continue
        # the receiver furthest below its minimum, else the one with the most room below its maximum
        b = int(others[np.lexsort((st.hours[others] - st.max_h[others], -st.deficit(others)))[0]])
        st.remove(a, int(i))
        st.add(b, int(i))
        k = _contract_fitting(st, rules, a)
        if k is not None:
            st.set_contract(a, k)
            return True
        st.remove(b, int(i))
        st.add(a, int(i))
    return False


def _generated(plan: ShiftPlan, shifts: ShiftTable, seed: int) -> tuple[RosterState, list[int], list[str]]:
    """Generated agents by count and share, as few as leave no shift unassigned (see the module
    docstring); contracts move off their share only where minimums or shifts demand it."""
    rules, problems = plan.rules, []
    usable = []
    for k in rules.contracts:
        ok, why = _reachable(rules, k)
        if ok:
            usable.append(k)
        else:
            problems.append(f"contract {k.name}: minimum {k.min_hours_per_week:g} h a week is unreachable: {why}; "
                            f"no agents generated on it")
    n = _lower_bound(rules, shifts, usable)
    if "mix_agents" in plan.stats and len(usable) == len(rules.contracts):
        n = max(n, int(np.ceil(plan.stats["mix_agents"] - 1e-3)))  # the cover's contract mix holds for it
    counts = _share_counts(rules, usable, n)
    for _ in range(_MAX_ROUNDS):
        st, unassigned = _assign(plan, shifts, _numbered(rules, counts), seed)
        if not unassigned or not _grow(rules, usable, st, unassigned, counts):
            break
    _fit_short(st, rules)
    keep = np.array([st.count[a] > 0 for a in range(len(st.agents))], bool)
    st.keep_agents(keep)
    final = {k.name: 0 for k in rules.contracts}
    for a in st.agents:
        final[a.contract] += 1
    asked = _share_counts(rules, list(rules.contracts), len(st.agents))
    for k in rules.contracts:
        if final[k.name] != asked[k.name]:
            basis = f"count {k.count}" if k.count is not None else f"share {k.share or 1 / len(rules.contracts):g}"
            why = (f"more would stay below its minimum {k.min_hours_per_week:g} h with the plan's shifts "
                   f"({_share_why(plan, shifts, k)})" if final[k.name] < asked[k.name]
                   else "it takes the shifts the other contracts cannot")
            problems.append(f"contract {k.name}: {final[k.name]} of {len(st.agents)} agents, its {basis} asks "
                            f"{asked[k.name]}: {why}")
    return st, unassigned, problems


def _share_why(plan: ShiftPlan, shifts: ShiftTable, k: Contract) -> str:
    """Why the plan's shifts do not fit the contracts' shares: the fewest agents the shifts need
    (busiest day, shifts and late shifts per agent) times the shares' mean minimum hours against the
    plan's paid hours, else contract ``k``'s minimums against the hours of the templates it may work."""
    rules, w = plan.rules, plan.rules.weekly
    per_agent = min(w.max_shifts_per_week, 7 - w.days_off)
    late = int(shifts.late.sum())
    need = {"busiest day": int(np.bincount(shifts.day).max()), f"{len(shifts)} shifts at {per_agent} a week":
            -(-len(shifts) // per_agent)}
    if late:
        need[f"{late} late shifts at {w.max_late_shifts_per_week} a week"] = \
            -(-late // w.max_late_shifts_per_week) if w.max_late_shifts_per_week else 10 ** 9
    reason, n = max(need.items(), key=lambda kv: kv[1])
    shares = {c.name: (c.share or 0.0) for c in rules.contracts}
    total = sum(shares.values()) or 1.0
    min_h = n * sum(shares[c.name] / total * c.min_hours_per_week for c in rules.contracts)
    paid = float(shifts.paid_h.sum())
    mix = "" if plan.stats.get("contract_mix") else "; the cover was solved without the contract mix"
    if min_h > paid + _EPS:
        return (f"at least {n} agents ({reason}) whose minimums at the shares sum to {min_h:.1f} h, the plan pays "
                f"{paid:.1f} h{mix}")
    ok = np.array([k in rules.contracts_for(t) for t in rules.templates])[shifts.tpl]
    need_k = n * shares[k.name] / total * k.min_hours_per_week
    if need_k > float(shifts.paid_h[ok].sum()) + _EPS:
        return (f"its {n * shares[k.name] / total:.1f} agents need {need_k:.1f} h of the templates it may work, the "
                f"plan has {float(shifts.paid_h[ok].sum()):.1f} h of them{mix}")
    return f"the builder, a heuristic, found no assignment at the share{mix}"


def _shortfall_problems(st: RosterState, unassigned: list[int], plan: ShiftPlan) -> list[str]:
    """Why an agent stays below its minimum, and which shifts nobody may take."""
    out = []
    for a in np.flatnonzero(st.deficit() > _EPS):
        ag, cap, longest = st.agents[a], st.week_capacity(int(a)), st.longest_for(int(a))
        if cap * longest < st.min_h[a] - _EPS:
            why = (f"unreachable: at most {cap} shifts a week (shifts per week, days off, availability) of at most "
                   f"{longest:g} paid h")
        else:
            why = ("no free shift it may legally take, none to take from an agent above its minimum and no trade "
                   "for a longer shift")
        out.append(f"agent {ag.agent_id} ({ag.contract}): {st.hours[a]:g} paid h, below the contract minimum "
                   f"{st.min_h[a]:g} h: {why}")
    if unassigned:
        first = plan.to_frame().iloc[min(unassigned, key=lambda i: st.sh.start[i])]
        out.append(f"{len(unassigned)} shifts unassigned: no agent may legally take them, even after moving one "
                   f"of its shifts (first: {first['queue']} {first['template']} {first['shift_start']})")
    return out


def build_roster(plan: ShiftPlan, agents=None, *, seed: int = 0) -> "Roster":
    """Assign ``plan``'s shifts (at most 7 days) to agents, honouring ``plan.rules``.

    ``agents``: None (numbered agents generated by contract count and share, skilled on every
    queue), a list of :class:`Agent`, or a roster table (see :func:`agents_from_frame`). ``seed``
    breaks ties. What could not be met is listed in :attr:`Roster.problems`."""
    if not isinstance(plan, ShiftPlan):
        raise ValueError(f"plan: expected a ShiftPlan from solve_cover, got {type(plan).__name__}")
    if plan.grid.n_days > 7:
        raise ValueError(f"plan: expected at most 7 days for a weekly roster, got {plan.grid.n_days}")
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed: expected an integer, got {seed!r}")
    t0 = time.perf_counter()
    rules = plan.rules
    shifts = ShiftTable.from_plan(plan)
    if agents is None:
        st, unassigned, problems = _generated(plan, shifts, int(seed))
    else:
        if isinstance(agents, pd.DataFrame):
            agents = agents_from_frame(agents, rules)
        names = {k.name for k in rules.contracts}
        for j, a in enumerate(agents):
            if not isinstance(a, Agent):
                raise ValueError(f"agents[{j}]: expected Agent, got {type(a).__name__}")
            if a.contract not in names:
                raise ValueError(f"agents[{j}].contract: expected one of {sorted(names)}, got {a.contract!r}")
        st, unassigned = _assign(plan, shifts, list(agents), int(seed))
        problems = []
    problems += _shortfall_problems(st, unassigned, plan)
    return Roster(plan=plan, agents=tuple(st.agents), assignment=st.owner.copy(),
                  build_time_s=time.perf_counter() - t0, problems=tuple(problems))


@dataclass
class Roster:
    """Shifts of a :class:`ShiftPlan` assigned to agents: ``assignment[i]`` is the index in
    ``agents`` working shift ``i`` of ``plan.shifts`` (-1: unassigned). ``problems``: what the
    builder could not meet and why (empty when every shift is assigned and every agent is within
    its contract hours)."""

    plan: ShiftPlan
    agents: tuple
    assignment: np.ndarray
    build_time_s: float = 0.0
    problems: tuple[str, ...] = ()

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
        """Flat dict: agents, shifts, unassigned shifts, paid hours, cost, violations, problems, build time."""
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
            "problems": len(self.problems),
            "build_time_s": round(self.build_time_s, 3),
        }
