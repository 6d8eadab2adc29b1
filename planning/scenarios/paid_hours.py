"""Paid hours on the roster's basis: what real shifts pay per hour of interval-level need.

Without a schedule, paid hours are interval sums: ``agents x h / (1 - shrinkage)``, unrounded, as if
every interval could be staffed to the fraction. A roster pays whole shifts with breaks placed
where the rules allow, so it pays more (or, where the cover fills troughs cleverly, slightly less).
When a run of the plan with a ``[schedule]`` is in the run store, the **roster factor** of a queue is

    ``factor = roster paid hours / interval-sum paid hours``, over the scheduled weeks,

from the stored ``schedule_headcount`` (``paid_h`` by queue and week) and ``headcount``
(``paid_hours`` by queue and week, the interval sums of the same final agents). Money then uses
``interval-sum paid hours x factor`` (:func:`.finance.queue_finance`), i.e. the roster's paid hours
in the scheduled weeks and the same ratio in the others; a scenario with other targets is assumed
to roster with the same efficiency (stated with the run id it came from).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

__all__ = ["RosterBasis", "roster_factors", "roster_basis_from_store", "roster_basis_at", "with_roster_basis"]


@dataclass(frozen=True)
class RosterBasis:
    """Per queue the roster factor (see the module docstring), the run it came from and its weeks."""

    factors: dict
    run_id: str
    weeks: tuple = ()
    detail: dict = field(default_factory=dict)  # queue -> {roster_paid_h, interval_paid_h}

    def describe(self) -> str:
        parts = ", ".join(f"{q} x{f:.3f}" for q, f in self.factors.items())
        return (f"paid hours on the roster basis of run {self.run_id} (weeks {', '.join(self.weeks)}): "
                f"roster / interval-sum paid hours {parts}")


def roster_factors(schedule_headcount: pd.DataFrame, headcount: pd.DataFrame) -> dict:
    """``{queue: (roster_paid_h, interval_paid_h)}`` over the weeks both tables hold.

    ``schedule_headcount``: ``queue, week_start, paid_h`` (any contracts, summed);
    ``headcount``: ``queue, week_start, paid_hours``. A queue whose interval-sum paid hours are 0 in
    those weeks is left out (no ratio to take)."""
    for name, frame, cols in (("schedule_headcount", schedule_headcount, ("queue", "week_start", "paid_h")),
                              ("headcount", headcount, ("queue", "week_start", "paid_hours"))):
        missing = [c for c in cols if c not in frame]
        if missing:
            raise ValueError(f"{name}: missing column(s) {missing}; columns: {list(frame.columns)}")
    roster = schedule_headcount.assign(week_start=schedule_headcount["week_start"].astype(str).str[:10]) \
        .groupby(["queue", "week_start"])["paid_h"].sum()
    interval = headcount.assign(week_start=headcount["week_start"].astype(str).str[:10]) \
        .groupby(["queue", "week_start"])["paid_hours"].sum()
    both = pd.concat([roster.rename("roster"), interval.rename("interval")], axis=1, join="inner")
    out = {}
    for q, g in both.groupby(level="queue"):
        r, i = float(g["roster"].sum()), float(g["interval"].sum())
        if i > 0:
            out[str(q)] = (r, i)
    return out


def roster_basis_from_store(store, plan_name: str, *, look_back: int = 20) -> RosterBasis | None:
    """The roster basis of the newest of the last ``look_back`` stored runs of ``plan_name`` that has
    a schedule; None when there is none."""
    runs = store.list_runs(limit=look_back, plan_name=plan_name)
    for run_id in runs["run_id"]:
        sh = store.load_frame(run_id, "schedule_headcount")
        if sh.empty:
            continue
        hc = store.load_frame(run_id, "headcount")
        pairs = roster_factors(sh, hc)
        if not pairs:
            continue
        weeks = tuple(sorted(set(sh["week_start"].astype(str).str[:10])))
        return RosterBasis({q: r / i for q, (r, i) in pairs.items()}, str(run_id), weeks,
                           {q: {"roster_paid_h": r, "interval_paid_h": i} for q, (r, i) in pairs.items()})
    return None


def with_roster_basis(study, basis: RosterBasis | None):
    """The study with every scenario's ``paid_hours_factors`` set from ``basis`` (unchanged if None)."""
    if basis is None:
        return study
    scenarios = {n: replace(s, paid_hours_factors={q: f for q, f in basis.factors.items() if q in s.plan.queues})
                 for n, s in study.scenarios.items()}
    return replace(study, scenarios=scenarios)


def roster_basis_at(store_url: str, plan_name: str) -> RosterBasis | None:
    """:func:`roster_basis_from_store` on the store at ``store_url``; None when there is no store yet
    or it cannot be read (the caller then states that it used interval sums or its default)."""
    from ..config import InputError
    from ..store import RunStore, StoreError

    try:
        with RunStore(store_url, create=False) as store:
            return roster_basis_from_store(store, plan_name)
    except (StoreError, InputError):
        return None
