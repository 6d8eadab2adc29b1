"""Stage 6 of the plan, when it has a ``[schedule]``: shifts with placed breaks, rosters, headcount.

For each of the first ``weeks`` full plan weeks of the horizon (weeks start on ``[plan] week_start``):

1. **requirement** per scheduled queue and interval from the final agents (after the simulation
   refinement when enabled): ``required = ceil(agents / (1 - shrinkage_unplanned))`` agents on duty
   net of breaks (0 where the queue is closed). Only unplanned shrinkage (absence) grosses up:
   breaks and meals are placed explicitly by the cover (:func:`schedule_requirement`);
2. **cover**: :func:`scheduling.solve_cover` (cheapest shifts with placed breaks, its LP bound and gap);
3. **roster**: :func:`scheduling.build_roster` (agents from ``[schedule] roster`` or numbered agents
   by contract share);
4. **simulation check** (``[schedule] check``): :func:`.roster_check.check_roster_plan` simulates the
   rostered agents with absence drawn per agent and day; intervals that miss a target (one-sided
   t tests, false discovery rate 5 % over the week's tests) get their requirement raised by one
   agent and the week is covered and rostered again (at most :data:`MAX_CHECK_ROUNDS` times);
   every miss is listed with its reason (p-value and threshold) in ``checks``;
5. **headcount** from the roster (:func:`scheduling.headcount`): people by contract and queue,
   paid hours, FTE.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import InputError, PlanConfig, WEEKDAYS
from ..progress import Progress
from .roster_check import check_roster_plan, unplanned_share

__all__ = ["WeekSchedule", "ScheduleResult", "schedule_plan", "schedule_requirement", "schedule_weeks",
           "read_roster", "MAX_CHECK_ROUNDS", "SCHEDULE_TABLES"]

# re-solves after the simulation check (each within [schedule] time_limit_s). One agent is added per
# missed interval and round, so a shortfall of k agents needs k rounds: with 24 absence draws the
# check still sees the last missing agent of a 3-agent dip after two rounds (tests/planning/pipeline)
MAX_CHECK_ROUNDS = 3
SCHEDULE_TABLES = ("schedule", "coverage", "schedule_headcount", "schedule_checks")  # stored and exported


@dataclass
class WeekSchedule:
    """One scheduled week: its requirement (``queue, interval_start, open, volume, aht_s, agents,
    required``), the shift plan (:class:`scheduling.ShiftPlan`) and roster (:class:`scheduling.Roster`)."""

    week_start: pd.Timestamp
    requirement: pd.DataFrame
    plan: object
    roster: object


@dataclass
class ScheduleResult:
    """The schedule stage's outputs: the weeks, the simulation check's misses (``checks``), the
    tables (see :data:`SCHEDULE_TABLES`) and ``summary``; ``skipped`` says why nothing was scheduled."""

    weeks: list = field(default_factory=list)
    checks: pd.DataFrame | None = None
    summary: dict = field(default_factory=dict)
    skipped: str | None = None
    fte_hours_per_week: float = 40.0

    @property
    def schedule(self) -> pd.DataFrame | None:
        """One row per agent and shift: ``agent_id, contract, queue, date, shift_start, shift_end,
        paid_hours, breaks`` (``HH:MM-HH:MM`` items joined by ``;``), ``template``."""
        return _concat([w.roster.to_frame() for w in self.weeks])

    @property
    def coverage(self) -> pd.DataFrame | None:
        """``queue, interval_start, required, on_duty, over_under`` of the rostered shifts."""
        return _concat([w.roster.coverage_frame() for w in self.weeks])

    @property
    def headcount(self) -> pd.DataFrame | None:
        """``queue, contract, week_start, agents, paid_h, fte`` from the rosters (an agent counts in the
        queue of most of its paid hours; FTE = paid hours / ``[headcount] paid_hours_per_week``)."""
        from scheduling import headcount

        frames = []
        for w in self.weeks:
            t = headcount(w.roster, fte_hours_per_week=self.fte_hours_per_week).to_frame()
            frames.append(t.assign(week_start=w.week_start.tz_localize(None) if w.week_start.tz else w.week_start))
        f = _concat(frames)
        return None if f is None else f[["queue", "contract", "week_start", "agents", "paid_h", "fte"]]

    def tables(self) -> dict[str, pd.DataFrame | None]:
        """The stage's tables by name (see :data:`SCHEDULE_TABLES`)."""
        return {"schedule": self.schedule, "coverage": self.coverage, "schedule_headcount": self.headcount,
                "schedule_checks": self.checks}

    def paid_hours_per_week(self) -> dict[str, float]:
        """Rostered paid hours per queue, mean over the scheduled weeks (shifts counted in their queue)."""
        s = self.schedule
        if s is None or s.empty:
            return {}
        return {q: float(v) / len(self.weeks) for q, v in s.groupby("queue")["paid_hours"].sum().items()}


def _concat(frames: list) -> pd.DataFrame | None:
    frames = [f for f in frames if f is not None]
    return pd.concat(frames, ignore_index=True) if frames else None


def schedule_weeks(config: PlanConfig, req: pd.DataFrame) -> list[pd.Timestamp]:
    """Local midnights starting the first ``[schedule] weeks`` full plan weeks (from ``[plan]
    week_start``) in the requirements' horizon; fewer when the horizon holds fewer."""
    days = pd.DatetimeIndex(pd.to_datetime(req["interval_start"]).dt.normalize().unique()).sort_values()
    if days.empty:
        return []
    have = set(days)
    first = days[(days.day_of_week == WEEKDAYS.index(config.week_start))]
    out = []
    for d in first:
        if len(out) == config.schedule.weeks:
            break
        if all(d + pd.Timedelta(days=k) in have for k in range(7)) and \
                (not out or d >= out[-1] + pd.Timedelta(days=7)):
            out.append(d)
    return out


def schedule_requirement(config: PlanConfig, req: pd.DataFrame, week_start: pd.Timestamp) -> pd.DataFrame:
    """The week's plan rows of the scheduled queues with ``required`` = agents on duty net of
    breaks = ``ceil(agents / (1 - shrinkage_unplanned))`` (the total ``shrinkage`` for a queue
    without the split), 0 where closed."""
    ts = pd.to_datetime(req["interval_start"])
    sel = (ts >= week_start) & (ts < week_start + pd.Timedelta(days=7)) & req["queue"].isin(config.schedule.queues)
    r = req.loc[sel, ["queue", "interval_start", "open", "volume", "aht_s", "agents"]].reset_index(drop=True)
    u = r["queue"].map({n: unplanned_share(config.queues[n]) for n in config.schedule.queues}).to_numpy(float)
    need = np.ceil(r["agents"].to_numpy(float) / (1.0 - u) - 1e-9)
    r["required"] = np.where(r["open"].to_numpy(bool), need, 0).astype(np.int64)
    return r


def read_roster(config: PlanConfig):
    """The agents of ``[schedule] roster`` (None when not given: numbered agents by contract)."""
    from scheduling import RulesError, agents_from_frame

    from ..exports import read_table

    path = config.schedule.roster
    if path is None:
        return None
    frame = read_table(path, what="schedule.roster file")
    try:
        return agents_from_frame(frame, config.schedule.rules)
    except (RulesError, ValueError) as exc:
        raise InputError(f"schedule.roster {path}: {exc}") from None


def _solve_week(config: PlanConfig, r: pd.DataFrame, agents, part_cache: dict):
    """Cover + roster of one week's requirement ``r``; InputError when the rules cannot cover it.
    ``part_cache``: the week's solved parts (see :func:`scheduling.solve_cover`): a week solved again
    after its simulation check solves only the parts whose requirement was raised."""
    from scheduling import build_roster, solve_cover

    sc = config.schedule
    try:
        plan = solve_cover(r[["queue", "interval_start", "required"]], config.interval_s, sc.rules,
                           time_limit_s=sc.time_limit_s, node_limit=sc.node_limit, contract_mix=sc.contract_mix,
                           part_cache=part_cache)
        return plan, build_roster(plan, agents, seed=sc.seed)
    except ValueError as exc:
        raise InputError(f"schedule: {exc}") from None


def _miss_rows(checked: pd.DataFrame, week: WeekSchedule, rnd: int) -> pd.DataFrame:
    """The intervals of a check that missed, with the requirement before and after the raise."""
    m = checked[checked["missed"].astype(bool)].reset_index(drop=True)
    req = week.requirement.set_index(["queue", "interval_start"])["required"]
    before = req.reindex(pd.MultiIndex.from_frame(m[["queue", "interval_start"]])).to_numpy()
    out = m[["queue", "interval_start"]].assign(week_start=week.week_start, round=rnd)
    return out.assign(reason=m["reason"], agents_on_duty=m["agents_on_duty"], required_before=before,
                      required_after=before + (rnd < MAX_CHECK_ROUNDS))


def _check_and_refine(config: PlanConfig, week: WeekSchedule, agents, wi: int, progress: Progress,
                      part_cache: dict) -> tuple[WeekSchedule, list[pd.DataFrame]]:
    """Simulation check of a week's roster; missed intervals get one more agent and the week is
    covered and rostered again, at most :data:`MAX_CHECK_ROUNDS` times. Returns the final week
    and the misses of every round (the last round's are the ones left)."""
    misses = []
    for rnd in range(MAX_CHECK_ROUNDS + 1):
        checked = check_roster_plan(config, week.roster, week.requirement, seed=config.schedule.seed + 1000 * wi + rnd,
                                    draws=config.schedule.check_draws)
        rows = _miss_rows(checked, week, rnd)
        misses.append(rows)
        progress.info(f"schedule check week {week.week_start.date()} round {rnd}: {len(rows)} intervals miss a target",
                      week=str(week.week_start.date()), round=rnd, missed=len(rows))
        if rows.empty or rnd == MAX_CHECK_ROUNDS:
            break
        r = week.requirement.copy()
        hit = r.set_index(["queue", "interval_start"]).index.isin(
            pd.MultiIndex.from_frame(rows[["queue", "interval_start"]]))
        r.loc[hit, "required"] += 1
        plan, roster = _solve_week(config, r, agents, part_cache)
        week = WeekSchedule(week.week_start, r, plan, roster)
    return week, misses


def schedule_plan(config: PlanConfig, req: pd.DataFrame, progress: Progress | None = None) -> ScheduleResult:
    """The schedule stage for the plan's final requirements ``req`` (see the module docstring)."""
    progress = progress or Progress(fmt="quiet")
    sc = config.schedule
    result = ScheduleResult(fte_hours_per_week=config.headcount.paid_hours_per_week)
    starts = schedule_weeks(config, req)
    if not starts:
        result.skipped = (f"the horizon holds no full week starting on {config.week_start} "
                          "(the schedule covers whole plan weeks)")
        progress.info(f"schedule skipped: {result.skipped}")
        result.summary = {"skipped": result.skipped}
        return result
    agents = read_roster(config)
    misses, first = [], {}
    for wi, start in enumerate(starts):
        t0 = time.perf_counter()
        r = schedule_requirement(config, req, start)
        part_cache = {}
        plan, roster = _solve_week(config, r, agents, part_cache)
        week = WeekSchedule(start, r, plan, roster)
        first[wi] = (plan.summary, roster.summary)
        if sc.check:
            week, found = _check_and_refine(config, week, agents, wi, progress, part_cache)
            misses += found
        result.weeks.append(week)
        progress.info(f"schedule week {start.date()}: {len(roster.agents)} agents, {len(plan.shifts)} shifts "
                      f"({time.perf_counter() - t0:.1f} s)", week=str(start.date()))
    result.checks = _concat(misses) if misses else None
    result.summary = schedule_summary(config, result, first)
    if len(starts) < sc.weeks:
        result.summary["note"] = f"{sc.weeks} weeks asked, the horizon holds {len(starts)} full week(s)"
    return result


def schedule_summary(config: PlanConfig, result: ScheduleResult, first: dict) -> dict:
    """The figures of the schedule (units in the names): per queue the required and on-duty
    agent-hours, rostered paid hours and FTE per week, the cover's cost; the roster's people by
    contract, rule violations and unassigned shifts; the solver's bound and gap per week; what the
    simulation check added."""
    from scheduling import headcount

    h = config.interval_s / 3600.0
    n = len(result.weeks)
    cov, sched = result.coverage, result.schedule
    paid = result.paid_hours_per_week()
    by_queue = {}
    for q in config.schedule.queues:
        c = cov[cov["queue"] == q]
        cost = sum(float(w.plan.shifts.loc[(w.plan.shifts["queue"] == q).to_numpy() & (w.roster.assignment >= 0),
                                           "cost"].sum()) for w in result.weeks)
        req_h = float(c["required"].sum() * h) / n
        by_queue[q] = {
            "shrinkage_unplanned": unplanned_share(config.queues[q]),
            "required_agent_h_per_week": round(req_h, 2),
            "on_duty_agent_h_per_week": round(float(c["on_duty"].sum() * h) / n, 2),
            "paid_h_per_week": round(paid.get(q, 0.0), 2),
            "paid_over_required_pct": round(100 * (paid.get(q, 0.0) / req_h - 1), 2) if req_h > 0 else None,
            "fte_per_week": round(paid.get(q, 0.0) / config.headcount.paid_hours_per_week, 2),
            "cost_per_week": round(cost / n, 2),
            "shifts_per_week": round(float((sched["queue"] == q).sum()) / n, 1),
            "intervals_short": int((c["over_under"] < -1e-9).sum()),
        }
        if config.queues[q].shrinkage_unplanned is None:
            by_queue[q]["note"] = "no shrinkage_unplanned: grossed up by the total shrinkage (breaks counted twice)"
    hc = [headcount(w.roster, fte_hours_per_week=config.headcount.paid_hours_per_week).summary for w in result.weeks]
    checks = result.checks if result.checks is not None else pd.DataFrame(columns=["round"])
    last = MAX_CHECK_ROUNDS if not checks.empty and checks["round"].max() == MAX_CHECK_ROUNDS else None
    return {
        "weeks": [str(w.week_start.date()) for w in result.weeks],
        "queues": list(config.schedule.queues),
        "fte_basis": "rostered paid hours",
        "by_queue": by_queue,
        "agents": [s["agents"] for s in hc],
        "agents_by_contract": {k: int(v) for k, v in result.headcount.groupby("contract")["agents"].sum().items()},
        "scheduling_efficiency_pct": [s["scheduling_efficiency_pct"] for s in hc],
        "roster_violations": [len(w.roster.violations()) for w in result.weeks],
        "roster_problems": [list(w.roster.problems) for w in result.weeks],  # what it could not meet, and why
        "unassigned_shifts": [int((w.roster.assignment < 0).sum()) for w in result.weeks],
        "cover": [_cover_figures(w.plan.summary) for w in result.weeks],
        "cover_before_check": [_cover_figures(first[i][0]) for i in sorted(first)],
        "check": {
            "enabled": config.schedule.check,
            "intervals_missed_first": int((checks["round"] == 0).sum()),
            "intervals_raised": int((checks["round"] < MAX_CHECK_ROUNDS).sum()),
            "intervals_missed_final": int((checks["round"] == last).sum()) if last is not None else 0,
        },
    }


def _cover_figures(s: dict) -> dict:
    keys = ("status", "solve_time_s", "cost", "lp_bound", "dual_bound", "gap_to_lp_pct", "mip_gap_pct", "paid_h",
            "shifts", "intervals_short")
    return {k: round(s[k], 3) if isinstance(s[k], float) else s[k] for k in keys}
