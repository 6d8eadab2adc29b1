"""A scenario's operations: the shared forecast -> the scenario's demand -> staffing and service.

For every scenario, from ONE shared forecast of the plan (:func:`study_forecast`):

1. the demand what-ifs are applied to the forecast (only where stated; :mod:`.whatif`);
2. every interval is staffed by the exact queueing model (:func:`planning.pipeline.requirements_for`),
   with idle agent-hours (:func:`scenario_operations`);
3. optionally the first days are simulated (:func:`simulation_check`) as a check of the service
   the formulas promise (``sim_*`` columns beside the ``model_*`` ones).

:func:`comparison_table` sums the per-queue rows (:func:`.finance.scenario_finance`) per scenario,
with ``delta_*`` against the baseline and ``churn_avoided``.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..config import PlanConfig
from .finance import weighted_mean
from .study import CheckConfig, Scenario, Study
from .whatif import apply_deflection, apply_outsourcing, apply_surges, apply_volume_change, idle_capacity

__all__ = ["study_forecast", "scenario_operations", "simulation_check", "comparison_table", "period_days"]


def study_forecast(study_or_plan, progress=None) -> pd.DataFrame:
    """The plan's forecast (all queues), computed once and shared by every scenario."""
    from ..pipeline import forecast_queues, load_histories, plan_window

    plan = study_or_plan.plan if isinstance(study_or_plan, Study) else study_or_plan
    histories, _ = load_histories(plan, progress)
    start, end, _ = plan_window(plan, histories)
    fc, _ = forecast_queues(plan, histories, start, end, progress)
    return fc


def _scenario_forecast(scenario: Scenario, name: str, f: pd.DataFrame, *, volume_factor=1.0, aht_factor=1.0):
    """Queue ``name``'s forecast under the scenario: ``(in_house, outsourced)``."""
    q = scenario.plan.queues[name]
    qs = scenario.queues[name]
    f = f.reset_index(drop=True).copy()
    if q.aht_col is None and q.mean_handle_s is not None:
        f["aht_s"] = q.mean_handle_s  # the scenario's handle time (the plan's may differ)
    f["aht_s"] = f["aht_s"].to_numpy(float) * qs.aht_factor * aht_factor
    # a like-for-like conversation's length, before mix changes (deflection): what cross-sell earns on
    f["conversation_aht_s"] = f["aht_s"].to_numpy(float)
    f = apply_volume_change(f, (1.0 + qs.volume_change) * volume_factor - 1.0)
    f = apply_surges(f, [s for s in scenario.surges if s.queues is None or name in s.queues])
    if qs.deflection is not None:
        f = apply_deflection(f, qs.deflection, interval_s=scenario.plan.interval_s)
    return apply_outsourcing(f, qs.outsource_share)


def scenario_operations(scenario: Scenario, forecast: pd.DataFrame, *, volume_factor: float = 1.0,
                        aht_factor: float = 1.0) -> dict:
    """Staffing of a scenario: per queue the requirements (agents and predicted service per
    interval, with idle agent-hours) and the outsourced contacts. ``volume_factor`` / ``aht_factor``
    scale demand on top of the scenario (used by the sensitivity table)."""
    from ..pipeline import requirements_for

    plan = scenario.plan
    out = {}
    for name, q in plan.queues.items():
        f = forecast[forecast["queue"] == name]
        in_house, outsourced = _scenario_forecast(scenario, name, f, volume_factor=volume_factor, aht_factor=aht_factor)
        req = requirements_for(q, in_house, plan.interval_s)
        req["conversation_aht_s"] = in_house["conversation_aht_s"].to_numpy(float)
        req = idle_capacity(req, plan.interval_s)
        open_ = req["open"].to_numpy(bool)
        out[name] = {"requirements": req, "outsourced_contacts": float(outsourced["volume"].to_numpy(float)[open_].sum())}
    return out


def period_days(plan: PlanConfig, forecast: pd.DataFrame) -> float:
    """Days the forecast covers: first to last interval start plus one interval."""
    ts = pd.to_datetime(forecast["interval_start"])
    span = (ts.max() - ts.min()).total_seconds() + plan.interval_s
    return span / 86400.0


def simulation_check(scenario: Scenario, ops: dict, check: CheckConfig, workers: int | None) -> pd.DataFrame:
    """Simulated service over the first ``check.days`` days beside the analytic prediction: per
    queue ``sim_<metric>`` and ``model_<metric>``, volume-weighted."""
    from ..pipeline import simulate_plan

    plan = replace(scenario.plan, simulation=replace(scenario.plan.simulation, enabled=True, refine=False,
                                                     replications=check.replications, seed=check.seed,
                                                     rate_cv=check.rate_cv, days=check.days))
    req = pd.concat([ops[n]["requirements"] for n in plan.queues], ignore_index=True)
    sim = simulate_plan(plan, req, refine=False, days=check.days, workers=workers)
    rows = []
    for name in plan.queues:
        s = sim[sim["queue"] == name]
        r = req[req["queue"] == name].set_index("interval_start").reindex(s["interval_start"])
        w = r["volume"].to_numpy(float)
        row = {"scenario": scenario.name, "queue": name}
        for col in ("service_level", "asa_s", "p_wait", "abandon_rate"):
            if col in s:
                row[f"sim_{col}"] = weighted_mean(s[col], w)
                row[f"model_{col}"] = weighted_mean(r[col], w)
        rows.append(row)
    return pd.DataFrame(rows)


_SUM_COLS = ("offered", "handled", "abandoned", "outsourced_contacts", "agent_hours", "paid_hours", "fte",
             "labour_cost", "overhead_cost", "outsourced_cost", "total_cost", "sales", "cross_sell_value",
             "customers_lost", "churn_cost", "abandon_cost", "net_value", "net_value_per_year", "net_present_value",
             "idle_agent_hours")
_DELTA_COLS = ("fte", "total_cost", "cross_sell_value", "churn_cost", "abandon_cost", "net_value",
               "net_value_per_year", "net_present_value")


def comparison_table(by_queue: pd.DataFrame, baseline: str, order) -> pd.DataFrame:
    """One row per scenario (in ``order``): sums over queues, weighted service, ``delta_*`` against
    ``baseline`` and ``churn_avoided`` = baseline customers lost - scenario customers lost."""
    rows = []
    for name in order:
        g = by_queue[by_queue["scenario"] == name]
        row = {"scenario": name}
        for c in _SUM_COLS:
            row[c] = float(g[c].sum())
        inhouse = g["offered"] - g["outsourced_contacts"]
        row["service_level"] = weighted_mean(g["service_level"], inhouse)
        # the waiting-time threshold behind service_level: one number, or the queues' own ("10/20")
        row["sl_awt_s"] = "/".join(f"{a:g}" for a in sorted(set(g["sl_awt_s"])))
        row["asa_s"] = weighted_mean(g["asa_s"], g["handled"] - g["outsourced_contacts"])
        row["abandon_rate"] = row["abandoned"] / row["offered"] if row["offered"] > 0 else float("nan")
        row["cost_per_handled_contact"] = row["total_cost"] / row["handled"] if row["handled"] > 0 else float("nan")
        rows.append(row)
    comp = pd.DataFrame(rows)
    base = comp.set_index("scenario").loc[baseline]
    for c in _DELTA_COLS:
        comp[f"delta_{c}"] = comp[c] - base[c]
    comp["churn_avoided"] = base["customers_lost"] - comp["customers_lost"]
    return comp
