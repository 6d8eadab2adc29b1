"""Need: required FTE per queue and month from interval-level staffing of a representative week.

A monthly average understates peaks, so each month is staffed interval by interval:

1. **intraday shape** from the plan's forecast (the existing forecast, e.g. 28 days): per queue,
   weekday ``k`` and time of day ``j``: ``share[k, j] = mean volume at (k, j) / mean daily volume
   of weekday k`` and the mean handle time ``aht[k, j]``;
2. **representative week** of month ``m``: the dates of the first plan week starting in the month;
   a weekday's daily volume = the mean of the month's projected non-holiday days of that weekday
   (a normal week: holiday weeks need less); interval volume = daily x share;
3. **agents** per interval by the plan's exact queueing model (:func:`planning.pipeline.requirements_for`,
   vectorized over all months of a queue in one call) with the strategy's targets and handle time;
4. ``agent_h_week = sum agents x h``; ``paid_h_week = agent_h_week / (1 - shrinkage_m) x efficiency``;
   ``need_fte = paid_h_week / paid_hours_per_week``. ``shrinkage_m`` is the month's (vacation
   seasons differ), ``efficiency`` the roster's paid hours per interval-sum paid hour
   (:mod:`planning.scenarios.paid_hours`, from a stored schedule) or a stated default.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["intraday_shape", "representative_weeks", "staff_week", "need_by_month"]


def intraday_shape(forecast: pd.DataFrame) -> pd.DataFrame:
    """``queue, weekday, slot, share, aht_s`` (slot = time of day as a Timedelta) from a forecast with
    ``queue, interval_start, volume, aht_s`` (local time)."""
    f = forecast[["queue", "interval_start", "volume", "aht_s"]].copy()
    ts = pd.to_datetime(f["interval_start"])
    local = ts.dt.tz_localize(None) if ts.dt.tz is not None else ts
    f["date"], f["weekday"], f["slot"] = local.dt.normalize(), local.dt.day_of_week, local - local.dt.normalize()
    day_tot = f.groupby(["queue", "date"])["volume"].transform("sum")
    f["day_share"] = np.where(day_tot > 0, f["volume"] / day_tot.where(day_tot > 0, 1.0), 0.0)
    f["vol_aht"] = f["volume"] * f["aht_s"]
    g = f.groupby(["queue", "weekday", "slot"])
    out = g.agg(share=("day_share", "mean"), vol=("volume", "sum"), vol_aht=("vol_aht", "sum"),
                aht_mean=("aht_s", "mean")).reset_index()
    out["aht_s"] = np.where(out["vol"] > 0, out["vol_aht"] / out["vol"].where(out["vol"] > 0, 1.0), out["aht_mean"])
    norm = out.groupby(["queue", "weekday"])["share"].transform("sum")
    out["share"] = np.where(norm > 0, out["share"] / norm.where(norm > 0, 1.0), 0.0)
    missing = {(q, k) for q in out["queue"].unique() for k in range(7)} - set(zip(out["queue"], out["weekday"]))
    if missing:
        raise ValueError(f"forecast: no intervals on weekday(s) {sorted(missing)} (queue, Monday = 0); "
                         "the intraday shape needs at least one full week")
    return out[["queue", "weekday", "slot", "share", "aht_s"]]


def representative_weeks(days: pd.DataFrame, shape: pd.DataFrame, *, week_start: int, timezone: str | None) -> pd.DataFrame:
    """``queue, month, interval_start, volume, aht_s``: one representative week per queue and month
    (``days``: ``queue, date, month, volume, holiday`` from the long-range demand), ordered by queue,
    month and time. A weekday's daily volume is the mean over the month's non-holiday days of that
    weekday (all days when the month has no other); 0 if the month has none."""
    d = days.assign(weekday=days["date"].dt.day_of_week)
    has_normal = (~d["holiday"]).groupby([d["queue"], d["month"]]).transform("any")
    used = d[~d["holiday"] | ~has_normal]
    by_wd = used.groupby(["queue", "month", "weekday"])["volume"].mean().rename("daily")
    qm = d[["queue", "month"]].drop_duplicates().sort_values(["queue", "month"], kind="stable")
    first = pd.to_datetime(qm["month"] + "-01")
    start = first + pd.to_timedelta((week_start - first.dt.day_of_week) % 7, unit="D")
    wk = qm.loc[qm.index.repeat(7)].reset_index(drop=True)
    wk["date"] = start.repeat(7).to_numpy() + pd.to_timedelta(np.tile(np.arange(7), len(qm)), unit="D")
    wk["weekday"] = wk["date"].dt.day_of_week
    wk = wk.merge(by_wd, how="left", left_on=["queue", "month", "weekday"], right_index=True)
    wk = wk.merge(shape, how="left", on=["queue", "weekday"])
    local = wk["date"] + wk["slot"]
    out = pd.DataFrame({"queue": wk["queue"].to_numpy(), "month": wk["month"].to_numpy(),
                        "volume": wk["share"].to_numpy() * wk["daily"].fillna(0.0).to_numpy(),
                        "aht_s": wk["aht_s"].to_numpy()})
    ts = pd.DatetimeIndex(local)
    out["interval_start"] = ts.tz_localize(timezone, nonexistent="shift_forward", ambiguous=False) if timezone else ts
    return out[["queue", "month", "volume", "aht_s", "interval_start"]]


def staff_week(job: tuple) -> pd.DataFrame:
    """One queue's representative weeks staffed (a job of :func:`need_by_month`: ``(queue config,
    frame with interval_start, month, volume, aht_s already x the handle-time factor, interval_s)``):
    :func:`planning.pipeline.requirements_for`'s frame with ``month`` and ``conversation_aht_s``."""
    from ..pipeline import requirements_for

    q_cfg, f, interval_s = job
    req = requirements_for(q_cfg, f[["interval_start", "volume", "aht_s"]], interval_s)
    req["month"] = f["month"].to_numpy()
    req["conversation_aht_s"] = f["aht_s"].to_numpy(float)
    return req


def need_by_month(plan, weeks: pd.DataFrame, *, strategies: dict, shrinkage_by_month: dict, efficiency: dict,
                  executor="serial") -> dict:
    """Staff the representative weeks for every strategy: ``{strategy: (requirements, need)}``.

    ``strategies``: name -> (queue -> :class:`planning.config.QueueConfig` with the strategy's
    targets, queue -> real lengthening of conversations); ``shrinkage_by_month``: queue -> {month:
    share}; ``efficiency``: queue -> roster factor; ``executor``: where the (strategy, queue) weeks
    are staffed, one job each (:func:`core.map_jobs`; the same numbers on any). ``need``: ``queue,
    month, agent_h_week, paid_h_week, need_fte, peak_agents, shrinkage, efficiency``."""
    from core import map_jobs

    keys, jobs = [], []
    for name, (queue_configs, aht_factor) in strategies.items():
        for q, w in weeks.groupby("queue", sort=False):
            f = w.reset_index(drop=True).copy()
            f["aht_s"] = f["aht_s"].to_numpy(float) * aht_factor.get(q, 1.0)
            keys.append((name, q))
            jobs.append((queue_configs[q], f, plan.interval_s))
    staffed = dict(zip(keys, map_jobs(staff_week, jobs, executor=executor)))
    out = {}
    for name in strategies:
        reqs = [req for (s, _), req in staffed.items() if s == name]
        rows = [_need_row(plan, q, month, r, shrinkage_by_month[q][month], efficiency.get(q, 1.0))
                for (s, q), req in staffed.items() if s == name for month, r in req.groupby("month", sort=True)]
        out[name] = (pd.concat(reqs, ignore_index=True), pd.DataFrame(rows))
    return out


def _need_row(plan, q: str, month: str, r: pd.DataFrame, shrinkage: float, efficiency: float) -> dict:
    """One queue-month of the need from its staffed week ``r`` (module docstring, step 4)."""
    agent_h = float(r["agents"].sum() * plan.interval_s / 3600.0)
    paid = agent_h / (1.0 - shrinkage) * efficiency
    return {"queue": q, "month": month, "agent_h_week": agent_h, "paid_h_week": paid,
            "need_fte": paid / plan.headcount.paid_hours_per_week, "peak_agents": int(r["agents"].max()),
            "shrinkage": shrinkage, "efficiency": efficiency}
