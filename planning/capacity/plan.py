"""A whole capacity plan in one call: demand -> need -> supply and hiring -> money, per strategy.

:func:`run_capacity` reads the scenario study named by the capacity TOML (its plan, and per
strategy = study scenario the queues' targets, handle-time factor and money), fits the long-range
demand (:mod:`.demand`), staffs a representative week of every month (:mod:`.need`), solves the
hiring MILP (:mod:`.hiring`), computes the service where supply stays short (:mod:`.service`) and
prices every month (:mod:`.money`). Scenario what-ifs that act on
the 28-day forecast (surges, deflection, outsourcing) are not carried into the long range: the
capacity TOML has its own what-ifs; the result's notes say which were left out.

The hiring MILP prices a paid FTE-month at one rate per strategy, the mean over the queues of
``cost_per_agent_hour x paid_hours_per_week x 365.25 / 12 / 7 + overhead_per_fte_year / 12``; the
money by month prices each queue with its own rate. Contracts convert people to FTE (their paid
hours per week); one loaded rate per queue pays all contracts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import WEEKDAYS, InputError
from .config import CapacityConfig
from .demand import apply_whatifs, fit_demand, monthly_totals, project_days, weekly_totals
from .hiring import HiringProblem, solve_hiring
from .money import break_even_month, month_money, npv, salary_fte_month
from .need import intraday_shape, need_by_month, representative_weeks
from .service import shortfall_service

__all__ = ["CapacityResult", "run_capacity", "start_fte", "hiring_problem", "CAPACITY_TABLES"]

CAPACITY_TABLES = ("demand_monthly", "demand_weekly", "need", "hiring_classes", "supply", "shortfall_service", "money",
                   "summary")


@dataclass
class CapacityResult:
    """The tables of :data:`CAPACITY_TABLES` (see :func:`run_capacity`), the MILP plans by strategy
    and the notes a planner should read."""

    config: CapacityConfig
    tables: dict
    plans: dict
    notes: list = field(default_factory=list)
    efficiency_source: str = ""


def start_fte(cfg: CapacityConfig, queues, paid_hours_per_week: float) -> np.ndarray:
    """FTE per queue at the start: people x contract hours / ``paid_hours_per_week``."""
    out = []
    for q in queues:
        if q not in cfg.supply:
            raise InputError(f"capacity: queue {q} has no [supply.queues.{q}] (headcount, attrition_per_month)")
        out.append(sum(n * cfg.contracts_h_per_week[c] / paid_hours_per_week
                       for c, n in cfg.supply[q]["headcount"].items()))
    return np.array(out, float)


def _transfers(cfg: CapacityConfig, queues, months: list) -> np.ndarray:
    """(Q, T) cumulative net FTE moved into each queue (a transfer counts from its month on)."""
    out = np.zeros((len(queues), len(months)))
    for tr in cfg.transfers:
        if tr["month"] not in months:
            raise InputError(f"supply.transfers: month {tr['month']} is outside the plan {months[0]}..{months[-1]}")
        t = months.index(tr["month"])
        out[list(queues).index(tr["from"]), t:] -= tr["fte"]
        out[list(queues).index(tr["to"]), t:] += tr["fte"]
    return out


def _shrinkage(cfg: CapacityConfig, plan, months) -> dict:
    s = cfg.shrinkage_by_month
    return {q: {m: float(s.get(m[5:], s.get("default", plan.queues[q].shrinkage))) for m in months}
            for q in plan.queues}


def _demand(cfg: CapacityConfig, plan, histories: dict) -> tuple[pd.DataFrame, dict, str]:
    last = max(pd.to_datetime(h["interval_start"]).max() for h in histories.values())
    last = last.tz_localize(None) if last.tzinfo is not None else last
    start = cfg.start_month or (last.normalize() + pd.offsets.MonthBegin(1)).strftime("%Y-%m")
    models, frames = {}, []
    for q, h in histories.items():
        try:
            models[q] = fit_demand(q, h, country=plan.forecast.country, monthly_index=cfg.demand["monthly_index"],
                                   trend=cfg.demand["trend"], holiday_factor=cfg.demand["holiday_factor"])
        except ValueError as exc:
            raise InputError(f"capacity demand: {exc}") from None
        frames.append(project_days(models[q], pd.Timestamp(f"{start}-01"), cfg.months, country=plan.forecast.country,
                                   growth_per_year=cfg.demand["growth_per_year"]))
    for w in cfg.whatifs:
        for name in (w.queue, w.to_queue):
            if name is not None and name not in histories:
                raise InputError(f"demand.whatif {w.kind}: no queue {name!r}; expected one of {sorted(histories)}")
    return apply_whatifs(pd.concat(frames, ignore_index=True), cfg.whatifs), models, start


def hiring_problem(cfg: CapacityConfig, queues, need: pd.DataFrame, months, *, salary_fte_month: float,
                   paid_hours_per_week: float, attrition_factor: float = 1.0) -> HiringProblem:
    """The hiring MILP's inputs for one strategy's ``need`` (``queue, month, need_fte``): supply,
    hiring rules and levers from ``cfg``; ``attrition_factor`` scales every queue's attrition (what-if)."""
    phw = paid_hours_per_week
    h = cfg.hiring
    salary = salary_fte_month
    need_m = need.pivot(index="queue", columns="month", values="need_fte").loc[list(queues), months].to_numpy(float)
    return HiringProblem(
        queues=tuple(queues), need_fte=need_m, start_fte=start_fte(cfg, queues, phw),
        attrition_per_month=np.minimum(np.array([cfg.supply[q]["attrition_per_month"] for q in queues]) * attrition_factor,
                                       0.99),
        salary_per_fte_month=salary, fte_per_hire=cfg.contracts_h_per_week[h["contract"]] / phw,
        lead_months=cfg.lead_months(), training_months=cfg.training_months(), ramp=h["ramp"],
        class_min=h["class_min"], class_max=h["class_max"], trainers=h["trainers"], hire_cost=h["hire_cost"],
        training_cost=h["training_cost"], class_cost=h["class_cost"], transfers_fte=_transfers(cfg, queues, months),
        overtime_cap=h["overtime_cap"], overtime_cost_per_fte_month=salary * h["overtime_premium"],
        outsource_cap_fte=h["outsource_cap_fte"], outsource_cost_per_fte_month=h["outsource_cost_per_fte_month"],
        shortfall_penalty=h["shortfall_penalty_per_fte_month"], hiring_budget=h["budget"],
        time_limit_s=h["time_limit_s"], mip_rel_gap=h["mip_rel_gap"])


def _money(cfg, plan, strategy, ops, need, hplan, months, month_days, money_by_q) -> pd.DataFrame:
    """Money per queue and month; ``ops``: the representative weeks with the service delivered
    (at supply where the plan is short, :mod:`.service`)."""
    rows = []
    h = cfg.hiring
    cls = hplan.classes
    sup = hplan.monthly.set_index(["queue", "month"])
    weeks = dict(iter(ops.groupby(["queue", "month"], sort=False)))
    needs = need.set_index(["queue", "month"])
    for q in plan.queues:
        for t, m in enumerate(months):
            r = weeks[(q, m)]
            n = needs.loc[(q, m)]
            c = cls[(cls["queue"] == q) & (cls["start_month"] == t)]
            hire_cost = float(c["hires"].sum() * (h["hire_cost"] + h["training_cost"]) + len(c) * h["class_cost"])
            s = sup.loc[(q, t)]
            row = month_money(r, money_by_q[q], interval_s=plan.interval_s, shrinkage=float(n["shrinkage"]),
                              ops_days=7.0, month_days=month_days[m], paid_hours_per_week=plan.headcount.paid_hours_per_week,
                              paid_fte=float(s["paid_fte"]), paid_hours_factor=float(n["efficiency"]),
                              hiring_cost=hire_cost, overtime_fte=float(s["overtime_fte"]),
                              overtime_premium=h["overtime_premium"], outsourced_fte=float(s["outsourced_fte"]),
                              outsource_cost_per_fte_month=h["outsource_cost_per_fte_month"])
            rows.append({"strategy": strategy, "queue": q, "month": m, **row})
    return pd.DataFrame(rows)


def run_capacity(cfg: CapacityConfig, *, roster_basis=None, histories=None, forecast=None,
                 progress=None, executor=None) -> CapacityResult:
    """The capacity plan of ``cfg`` (see the module docstring). ``roster_basis``
    (:class:`planning.scenarios.paid_hours.RosterBasis`): scheduling efficiency per queue from a
    stored roster; None: ``[need] scheduling_efficiency`` for every queue (stated in the notes).
    ``executor``: where the (strategy, queue) representative weeks are staffed and the strategies'
    hiring MILPs solved, one job each (:func:`core.map_jobs`; default a process pool with one worker
    per CPU; the same numbers on any)."""
    from ..pipeline import load_histories
    from ..scenarios import load_study, study_forecast

    study = load_study(cfg.study_path)
    plan = study.plan.with_overrides(forecast={"model": cfg.forecast_model}) if cfg.forecast_model else study.plan
    for s in cfg.strategies:
        if s not in study.scenarios:
            raise InputError(f"capacity.strategies: {s!r} is not a scenario of {cfg.study_path.name}; "
                             f"expected one of {sorted(study.scenarios)}")
    histories = histories if histories is not None else load_histories(plan, progress)[0]
    forecast = forecast if forecast is not None else study_forecast(plan, progress)
    days, models, start = _demand(cfg, plan, histories)
    months = sorted(days["month"].unique())
    month_days = days.groupby("month")["date"].nunique().to_dict()
    weeks = representative_weeks(days, intraday_shape(forecast), week_start=WEEKDAYS.index(plan.week_start),
                                 timezone=plan.timezone)
    if roster_basis is not None:
        eff = {q: roster_basis.factors.get(q, cfg.scheduling_efficiency) for q in plan.queues}
        source = roster_basis.describe()
    else:
        eff = {q: cfg.scheduling_efficiency for q in plan.queues}
        source = f"scheduling efficiency {cfg.scheduling_efficiency:g} for every queue ([need] default: no stored schedule)"
    notes = [source] + [f"demand {q}: season from {m.season_source}; trend {m.trend_source}"
                        + (f" ({100 * np.expm1(m.slope_per_day * 365.25):+.1f}%/year)" if m.trend_source == "history" else "")
                        for q, m in models.items()]
    scenarios = {name: study.scenarios[name] for name in cfg.strategies}
    notes += _left_out(scenarios)
    staffed = need_by_month(plan, weeks, strategies={name: (sc.plan.queues, {q: qs.aht_factor for q, qs in sc.queues.items()})
                                                     for name, sc in scenarios.items()},
                            shrinkage_by_month=_shrinkage(cfg, plan, months), efficiency=eff, executor=executor)
    plans = _hiring_plans(cfg, plan, scenarios, staffed, months, executor)
    needs, supplies, classes, money, services = [], [], [], [], []
    for name, sc in scenarios.items():
        (req, need), hplan = staffed[name], plans[name]
        ops, service = shortfall_service(req, hplan.monthly, months, sc.plan.queues, plan.interval_s)
        services.append(service.assign(strategy=name))
        notes += _shortfall_note(name, service)
        needs.append(need.assign(strategy=name))
        supplies.append(hplan.monthly.assign(strategy=name, month=lambda f: [months[t] for t in f["month"]]))
        classes.append(hplan.classes.assign(strategy=name, start=[months[t] for t in hplan.classes["start_month"]],
                                            productive_from=[months[t] if t < len(months) else "after the plan"
                                                             for t in hplan.classes["productive_from_month"]]))
        money.append(_money(cfg, plan, name, ops, need, hplan, months, month_days,
                            {q: qs.money for q, qs in sc.queues.items()}))
    money_f = pd.concat(money, ignore_index=True)
    tables = {
        "demand_monthly": _demand_monthly(days, models, weeks),
        "demand_weekly": weekly_totals(days, WEEKDAYS.index(plan.week_start)),
        "need": pd.concat(needs, ignore_index=True),
        "hiring_classes": pd.concat(classes, ignore_index=True),
        "supply": pd.concat(supplies, ignore_index=True),
        "shortfall_service": pd.concat(services, ignore_index=True),
        "money": money_f,
        "summary": _summary(cfg, money_f, plans, months, plan.headcount.paid_hours_per_week),
    }
    return CapacityResult(cfg, tables, plans, notes, source)


def _left_out(scenarios: dict) -> list:
    """Notes on the scenarios' 28-day what-ifs, which the long range does not carry over."""
    notes = []
    for name, sc in scenarios.items():
        left = [f"{q}: {k}" for q, qs in sc.queues.items() for k, v in
                (("deflection", qs.deflection), ("outsource_share", qs.outsource_share), ("volume_change", qs.volume_change))
                if v]
        if left or sc.surges:
            notes.append(f"strategy {name}: the scenario's 28-day what-ifs are not carried over "
                         f"({', '.join(left + (['surges'] if sc.surges else []))}); use [[demand.whatif]]")
    return notes


def _hiring_plans(cfg, plan, scenarios: dict, staffed: dict, months, executor) -> dict:
    """The hiring MILP of every strategy (one job each through :func:`core.map_jobs`). The MILP
    prices a paid FTE-month at the mean over the queues of the strategy's loaded rate."""
    from core import map_jobs

    phw = plan.headcount.paid_hours_per_week
    problems = []
    for name, sc in scenarios.items():
        salary = float(np.mean([salary_fte_month(sc.queues[q].money, phw) for q in plan.queues]))
        problems.append(hiring_problem(cfg, list(plan.queues), staffed[name][1], months, salary_fte_month=salary,
                                       paid_hours_per_week=phw))
    return dict(zip(scenarios, map_jobs(solve_hiring, problems, executor=executor)))


def _shortfall_note(name: str, service: pd.DataFrame) -> list:
    """A note naming the short months and the worst service there (none when nothing is short)."""
    if service.empty:
        return []
    worst = service.loc[service["service_level_supplied"].idxmin()]
    return [f"strategy {name}: {service['shortfall_fte'].sum():.1f} FTE-months short of need in "
            f"{', '.join(sorted(set(service['month'])))} (budget, hiring lead time, class and lever limits); the "
            f"service there is computed at the supplied agents (shortfall_service; worst: {worst['queue']} "
            f"{worst['month']}, service level {100 * worst['service_level_supplied']:.1f}% instead of "
            f"{100 * worst['service_level_need']:.1f}%) and the money values that service"]


def _demand_monthly(days, models, weeks) -> pd.DataFrame:
    out = monthly_totals(days, models)
    w = weeks.assign(va=weeks["volume"] * weeks["aht_s"]).groupby(["queue", "month"])[["va", "volume"]].sum()
    aht = (w["va"] / w["volume"].where(w["volume"] > 0)).rename("aht_s").reset_index()
    out = out.merge(aht, on=["queue", "month"], how="left")
    out["season_source"] = out["queue"].map({q: m.season_source for q, m in models.items()})
    return out


def _summary(cfg, money: pd.DataFrame, plans: dict, months, paid_hours_per_week: float) -> pd.DataFrame:
    by = money.groupby(["strategy", "month"], sort=False)["net_value"].sum()
    base = cfg.strategies[0]
    rows = []
    for s in cfg.strategies:
        m = money[money["strategy"] == s]
        net = by.loc[s].reindex(months).to_numpy(float)
        be = break_even_month(net - by.loc[base].reindex(months).to_numpy(float)) if s != base else None
        p = plans[s]
        rows.append({"strategy": s, "total_cost": float(m["total_cost"].sum()),
                     "cross_sell_value": float(m["cross_sell_value"].sum()), "churn_cost": float(m["churn_cost"].sum()),
                     "customers_lost": float(m["customers_lost"].sum()), "net_value": float(net.sum()),
                     "npv": npv(net, cfg.discount_rate_per_year),
                     "npv_vs_baseline": npv(net - by.loc[base].reindex(months).to_numpy(float), cfg.discount_rate_per_year),
                     "break_even_month": months[be] if be is not None and s != base else None,
                     "hires": int(p.classes["hires"].sum()), "classes": int(len(p.classes)),
                     "shortfall_fte_months": float(p.monthly["shortfall_fte"].sum()),
                     "milp_status": p.status, "milp_objective": p.objective, "milp_bound": p.bound,
                     "milp_gap": p.gap, "milp_time_s": p.solve_time_s,
                     "salary_fte_month": p.problem.salary_per_fte_month,
                     "paid_hours_per_week": paid_hours_per_week})
    return pd.DataFrame(rows)
