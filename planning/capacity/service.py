"""The service a shortfall leaves: what the supplied agents deliver in a month short of need.

Where the hiring plan's productive supply (with overtime and outsourcing) stays below the need of
a queue-month (the budget caps hiring, or lead time and class limits), the month's representative
week is staffed with the supplied share of the need's agents and its service computed with the
same queue model and targets as the need (:func:`simulation.plan_metrics`):

- ``ratio = supplied_fte / need_fte`` with ``supplied_fte = need_fte - shortfall_fte`` (paid FTE,
  the hiring MILP's units: productive supply + overtime + outsourcing);
- supplied agents per interval = the need's agents x ``ratio``, whole agents keeping the week's
  agent hours: floors, then one more agent in the intervals with the largest remainders, ties to
  the earlier interval (deterministic; the week keeps the need's shape);
- per month: service level, ASA, P(wait) and abandon rate as volume-weighted means over the open
  intervals with contacts, at need and at supply, and the share of those intervals meeting every
  target (at need all do: the need's agents are the smallest meeting them).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["supplied_agents", "shortfall_service", "SERVICE_METRICS"]

SERVICE_METRICS = ("service_level", "asa_s", "p_wait", "abandon_rate")


def supplied_agents(agents, ratio: float) -> np.ndarray:
    """Whole agents per interval: ``agents x ratio`` with the total rounded to the nearest agent
    (floors plus one agent in the largest remainders, ties to the earlier interval)."""
    a = np.asarray(agents, float)
    if not 0.0 <= ratio or not np.isfinite(ratio):
        raise ValueError(f"ratio: expected a finite share >= 0, got {ratio!r}")
    want = a * ratio
    out = np.floor(want + 1e-9)
    extra = int(round(float(want.sum()) - float(out.sum())))
    if extra > 0:
        order = np.argsort(-(want - out), kind="stable")
        out[order[:extra]] += 1.0
    return out.astype(np.int64)


def shortfall_service(req: pd.DataFrame, monthly: pd.DataFrame, months: list, queue_configs: dict,
                      interval_s: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(ops, table)`` for one strategy.

    ``req``: the staffed representative weeks (``queue, month, open, volume, aht_s, agents`` and the
    metrics of :data:`SERVICE_METRICS`); ``monthly``: the hiring plan's ``queue, month`` (index into
    ``months``), ``need_fte, shortfall_fte``; ``queue_configs``: queue -> the strategy's
    :class:`planning.config.QueueConfig`. ``ops``: ``req`` with ``supplied_agents`` and the metrics
    at supply (equal to need where nothing is short). ``table``: one row per short queue-month
    (module docstring); empty when nothing is short."""
    from simulation import plan_metrics

    from ..pipeline.stages import queue_model, queue_targets

    ops = req.copy()
    ops["supplied_agents"] = ops["agents"].to_numpy(np.int64)
    short = monthly[monthly["shortfall_fte"] > 1e-6]
    rows = []
    for r in short.itertuples(index=False):
        q, month = r.queue, months[int(r.month)]
        ratio = max(0.0, (r.need_fte - r.shortfall_fte) / r.need_fte) if r.need_fte > 0 else 1.0
        sel = np.flatnonzero((ops["queue"] == q).to_numpy() & (ops["month"] == month).to_numpy())
        week = ops.iloc[sel]
        live = week["open"].to_numpy(bool) & (week["volume"].to_numpy(float) > 0)
        cfg = queue_configs[q]
        at_need = {m: week[m].to_numpy(float) for m in SERVICE_METRICS}
        agents = supplied_agents(week["agents"].to_numpy(), ratio)
        got = plan_metrics(week["volume"].to_numpy(float)[live], agents[live], interval_s, queue_model(cfg),
                           queue_targets(cfg), aht_s=week["aht_s"].to_numpy(float)[live])
        ops.iloc[sel, ops.columns.get_loc("supplied_agents")] = agents
        for m in SERVICE_METRICS:
            v = at_need[m].copy()
            v[live] = np.asarray(getattr(got, m), float)
            ops.iloc[sel, ops.columns.get_loc(m)] = v
        rows.append(_row(q, month, r, ratio, week, live, at_need, got, queue_targets(cfg), agents, interval_s / 3600.0))
    cols = ["queue", "month", "need_fte", "supplied_fte", "shortfall_fte", "supplied_share", "agent_h_week_need",
            "agent_h_week_supplied", "intervals_meeting_targets_supplied"]
    cols += [f"{m}_{side}" for m in SERVICE_METRICS for side in ("need", "supplied")]
    return ops, pd.DataFrame(rows, columns=cols)


def _row(q, month, r, ratio, week, live, at_need, got, targets, agents, h: float) -> dict:
    """One short queue-month's figures (volume-weighted over the open intervals with contacts;
    ``h``: hours per interval). At need every interval meets the targets (the need is sized so)."""
    vol = week["volume"].to_numpy(float)[live]
    w = vol / vol.sum() if vol.sum() > 0 else np.zeros(vol.size)
    out = {"queue": q, "month": month, "need_fte": float(r.need_fte),
           "supplied_fte": float(r.need_fte - r.shortfall_fte), "shortfall_fte": float(r.shortfall_fte),
           "supplied_share": float(ratio), "agent_h_week_need": float(week["agents"].sum() * h),
           "agent_h_week_supplied": float(agents.sum() * h)}
    met = np.asarray(targets.met(got), bool)
    out["intervals_meeting_targets_supplied"] = float(met.mean()) if met.size else 1.0
    for m in SERVICE_METRICS:
        out[f"{m}_need"] = float(np.nansum(w * at_need[m][live]))
        out[f"{m}_supplied"] = float(np.nansum(w * np.asarray(getattr(got, m), float)))
    return out
