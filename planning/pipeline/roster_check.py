"""The simulation check of a roster: are the rostered agents enough once some of them are absent?

For one week's roster and each scheduled queue: the agents on duty per interval (net of breaks,
rounded down: an agent on a 15-minute break counts as away for its 30-minute interval) after
unplanned absence is drawn per agent and day (an agent is absent on a day with probability the
queue's ``shrinkage_unplanned``; seeded) go through :func:`simulation.simulate`, one open block of
the day at a time, for ``draws`` absence draws (stratified over the draws, :func:`absence_uniforms`)
sharing the plan's ``[simulation] replications``: by default one draw per replication (at least
:data:`ABSENCE_DRAWS`), one replication each. For the same simulation work, that gives the t test
below ``replications - 1`` degrees of freedom instead of 2 with 3 draws of 3 replications (the
spread between draws holds the absence and the simulation noise either way; replications within a
draw only shrink the second).

A metric's value in an interval is the mean over the draws; its 95 % bounds are
``mean ± t(0.975, draws-1) · sd / sqrt(draws)`` over the draws (shown in the reason). Whether an
interval misses a target is a one-sided t test per interval and target over the draws, with the
false discovery rate of all the week's tests (all queues, all blocks) held at 5 % by
Benjamini-Hochberg (:mod:`.roster_misses`, which says why): a roster that meets every target is
flagged anywhere in the week with probability <= 5 %.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from core import map_jobs

from ..config import PlanConfig, QueueConfig
from .roster_misses import FALSE_DISCOVERY_RATE, flag_misses, miss_p_values, target_tests
from .stages import interval_gaps, open_blocks, simulation_kwargs

__all__ = ["RosterBlockJob", "roster_on_duty", "roster_check_jobs", "simulate_roster_block", "check_roster_plan",
           "unplanned_share", "absence_draws", "absence_uniforms", "ABSENCE_DRAWS"]

ABSENCE_DRAWS = 3  # the fewest absence draws per block by default (the spread between them gives the test)
_SKIP = ("interval", "start_s", "arrival_rate_per_h", "agents")


def roster_on_duty(roster, absent_prob: dict[str, float], rng: np.random.Generator | None = None, *,
                   uniforms: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Agents on duty per interval of each queue of ``roster`` (a :class:`scheduling.Roster`), net of
    breaks; with ``rng`` (or ``uniforms``: an (agents, days + 1) array in [0, 1) used in its place,
    e.g. from :func:`absence_uniforms`), each agent is absent on each day with probability
    ``absent_prob[queue]`` of the queue of that day's shift (its shifts that day are dropped)."""
    from scheduling.plan import on_duty_per_interval

    if rng is not None and uniforms is not None:
        raise ValueError("roster_on_duty: give rng or uniforms, not both")
    plan = roster.plan
    s = plan.shifts
    keep = roster.assignment >= 0
    shape = (len(roster.agents), plan.grid.n_days + 1)
    u = rng.random(shape) if rng is not None else uniforms
    if u is not None and np.shape(u) != shape:
        raise ValueError(f"roster_on_duty: uniforms of shape {np.shape(u)}, expected (agents, days + 1) = {shape}")
    if u is not None and len(s):
        who, day = roster.assignment.clip(0), s["day"].to_numpy()
        p = s["queue"].map(absent_prob).fillna(0.0).to_numpy(float)
        keep &= u[who, day] >= p
    out = {}
    for q in plan.grid.queues:
        sel = keep & (s["queue"] == q).to_numpy()
        out[q] = on_duty_per_interval(s["start_min"][sel], s["end_min"][sel], s["breaks_min"][sel], plan.grid)
    return out


@dataclass(frozen=True)
class RosterBlockJob:
    """One open block of one queue with the rostered agents on duty in each absence draw.

    ``block``: the plan rows (``interval_start``, ``volume`` contacts per interval, ``aht_s``
    seconds); ``agents``: (draws, intervals) whole agents on duty; ``seed``: the block's seed."""

    queue: QueueConfig
    block: pd.DataFrame
    agents: np.ndarray
    interval_s: int
    replications: int
    rate_cv: float
    seed: int


def absence_uniforms(n_agents: int, n_days: int, draws: int, *, seed: int) -> np.ndarray:
    """(draws, agents, days) uniforms in [0, 1), stratified over the draws (Latin hypercube): for
    each agent and day the draws hold one value in each of ``[j / draws, (j + 1) / draws)``, in a
    random order. Each draw alone is a correct absence draw; together, an agent absent with
    probability p is absent in ``floor(p draws)`` or ``ceil(p draws)`` of them, so no week's check
    rests on draws that happened to lose more agents than the absence rate gives. (The draws are
    then negatively dependent in their absence, so their spread overstates the noise of their mean:
    the test errs on the side of no alarm.)"""
    rng = np.random.default_rng(np.random.SeedSequence([seed, draws]))
    strata = rng.permuted(np.broadcast_to(np.arange(draws)[:, None, None], (draws, n_agents, n_days)), axis=0)
    return (strata + rng.random((draws, n_agents, n_days))) / draws


def absence_draws(replications: int, draws: int | None = None) -> tuple[int, int]:
    """``(draws, replications per draw)`` for the plan's ``replications``: ``draws`` given, each
    takes ``ceil(replications / draws)`` (at least 1); None: one replication per draw and
    ``max(replications, ABSENCE_DRAWS)`` draws."""
    if draws is None:
        return max(replications, ABSENCE_DRAWS), 1
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 2:
        raise ValueError(f"draws must be an integer >= 2 (the test needs a spread between draws), got {draws!r}")
    return int(draws), max(1, -(-replications // int(draws)))


def roster_check_jobs(config: PlanConfig, roster, requirement: pd.DataFrame, *, seed: int,
                      draws: int | None = None) -> list[RosterBlockJob]:
    """The simulation work of a week's roster: one job per open block of each scheduled queue.
    ``requirement``: the week's plan rows (``queue, interval_start, open, volume, aht_s``);
    ``draws``: absence draws (see :func:`absence_draws`)."""
    sc = config.simulation
    draws, per_draw = absence_draws(sc.replications, draws)
    absent = {n: unplanned_share(config.queues[n]) for n in roster.plan.grid.queues}
    u = absence_uniforms(len(roster.agents), roster.plan.grid.n_days + 1, draws, seed=seed)
    on_duty = [roster_on_duty(roster, absent, uniforms=u[k]) for k in range(draws)]
    jobs = []
    for qi, name in enumerate(roster.plan.grid.queues):
        r = requirement[requirement["queue"] == name].sort_values("interval_start").reset_index(drop=True)
        if len(r) != len(on_duty[0][name]):
            raise ValueError(f"queue {name}: {len(r)} plan rows for {len(on_duty[0][name])} roster intervals")
        duty = np.floor(np.stack([d[name] for d in on_duty]) + 1e-9).astype(np.int64)
        gaps = interval_gaps(r["interval_start"], config.interval_s)
        for bi, (i, j) in enumerate(open_blocks(r["open"].to_numpy(bool), gaps)):
            jobs.append(RosterBlockJob(
                queue=config.queues[name], block=r.iloc[i:j][["interval_start", "volume", "aht_s"]].reset_index(drop=True),
                agents=duty[:, i:j], interval_s=config.interval_s, replications=per_draw, rate_cv=sc.rate_cv,
                seed=int(np.random.SeedSequence([seed, qi, bi]).generate_state(1)[0])))
    return jobs


def unplanned_share(q: QueueConfig) -> float:
    """The queue's absence share: ``shrinkage_unplanned``, else the total ``shrinkage``."""
    return q.shrinkage_unplanned if q.shrinkage_unplanned is not None else q.shrinkage


def simulate_roster_block(job: RosterBlockJob) -> pd.DataFrame:
    """Simulate one block in every absence draw and test it against the queue's targets.

    Returns per interval ``queue, interval_start, agents_on_duty`` (mean over draws), each metric
    with ``_lo``/``_hi`` (see the module docstring) and each target's metric with ``_p`` (its
    one-sided p-value, :func:`.roster_misses.miss_p_values`). Which intervals miss is decided over
    the whole week's tests (:func:`check_roster_plan`), not per block."""
    from simulation import RunSettings, simulate

    blk = job.block
    rate_per_h = blk["volume"].to_numpy(float) * 3600.0 / job.interval_s
    kw = simulation_kwargs(job.queue, blk)
    per_draw = []
    for k, agents in enumerate(job.agents):
        run = RunSettings(replications=job.replications, seed=job.seed + k, rate_cv=job.rate_cv, executor="serial")
        by = simulate(rate_per_h, agents, job.interval_s, settings=run, **kw).by_interval.reset_index(drop=True)
        per_draw.append(by)
    cols = [c for c in per_draw[0].columns if c not in _SKIP and not c.endswith(("_lo", "_hi"))
            and pd.api.types.is_numeric_dtype(per_draw[0][c])]
    out = {"queue": job.queue.name, "interval_start": blk["interval_start"].to_numpy(),
           "agents_on_duty": job.agents.mean(axis=0)}
    values = {c: np.stack([d[c].to_numpy(float) for d in per_draw]) for c in cols}
    for c, v in values.items():
        n = np.isfinite(v).sum(axis=0)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN intervals (no contacts)
            mean = np.nanmean(v, axis=0)
            half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * np.nanstd(v, axis=0, ddof=1) / np.sqrt(n)
        half = np.where(n > 1, half, np.inf)
        out[c], out[f"{c}_lo"], out[f"{c}_hi"] = mean, mean - half, mean + half
    for t in target_tests(job.queue.targets):
        out[f"{t.column}_p"] = miss_p_values(values[t.column], t.target, t.sense)
    return pd.DataFrame(out)


def check_roster_plan(config: PlanConfig, roster, requirement: pd.DataFrame, *, seed: int,
                      draws: int | None = None, workers: int | None = None,
                      fdr: float = FALSE_DISCOVERY_RATE) -> pd.DataFrame:
    """:func:`simulate_roster_block` over every open block of the week (through :func:`core.map_jobs`,
    ``workers`` processes; default: CPU count), then ``missed``, ``reason``, ``p_value`` and
    ``q_value`` decided over all the week's tests at false discovery rate ``fdr``
    (:func:`.roster_misses.flag_misses`). ``draws``: see :func:`absence_draws`. Empty frame when
    nothing is open."""
    jobs = roster_check_jobs(config, roster, requirement, seed=seed, draws=draws)
    if not jobs:
        return pd.DataFrame(columns=["queue", "interval_start", "agents_on_duty", "missed", "reason", "p_value",
                                     "q_value"])
    blocks = pd.concat(map_jobs(simulate_roster_block, jobs, executor=workers), ignore_index=True)
    return flag_misses(blocks, {q: config.queues[q].targets for q in roster.plan.grid.queues}, fdr)
