"""Scenarios for finance: the same forecast staffed and valued under different assumptions.

A *study* (TOML, see ``data/scenarios.toml``) names a plan (``data/plan.toml``), a baseline and
several scenarios. A scenario changes the plan's queues (targets, handle times, concurrency,
shrinkage, occupancy cap, patience, opening hours), the demand (volume change, self-service
deflection, surges, outsourcing; :mod:`planning.whatif`) and the money (:class:`planning.finance.Money`).

For every scenario, from ONE shared forecast of the plan:

1. the demand what-ifs are applied to the forecast (only where stated);
2. every interval is staffed by the exact queueing model (:func:`planning.requirements_for`);
3. optionally the first days are simulated (:func:`planning.simulate_plan`) as a check of the
   service the formulas promise (``sim_*`` columns beside the analytic ones);
4. headcount, cost, value and net value follow (:func:`planning.finance.queue_finance`).

Outputs (:class:`StudyResult`): ``comparison`` (one row per scenario, with ``delta_*`` against the
baseline and ``churn_avoided`` = baseline customers lost - scenario customers lost), ``by_queue``,
``break_even`` (the value of each money assumption at which a scenario's net value equals the
baseline's, everything else fixed), ``sensitivity`` (each assumption moved by +-x %, ranked by how
much it moves the scenario's advantage over the baseline), ``requirements`` per scenario and
interval with idle agent-hours, and the chat windows when the study asks for them.

Sweeps (:func:`sweep`) evaluate grids of assumptions in parallel: a local process pool by
default, or a Dask cluster (a ``distributed.Client`` or scheduler address). Every grid point is a
pure function of its inputs, so the results are identical wherever they run.
"""
from __future__ import annotations

import concurrent.futures as cf
import copy
import datetime as dt
import itertools
import json
import math
import os
import tomllib
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .config import ConfigError, InputError, PlanConfig, load_config, parse_config
from .finance import FINANCE_COLUMNS, MONEY_KEYS, Money, queue_finance
from .whatif import (Deflection, Surge, apply_deflection, apply_outsourcing, apply_surges, apply_volume_change,
                     idle_capacity, surges_outside)

__all__ = [
    "Study",
    "Scenario",
    "QueueScenario",
    "StudyResult",
    "load_study",
    "parse_study",
    "study_forecast",
    "scenario_operations",
    "scenario_finance",
    "run_study",
    "break_even",
    "sensitivity",
    "sweep",
    "save_study",
    "load_saved_study",
    "OPERATIONAL_ASSUMPTIONS",
]

_QUEUE_PLAN_KEYS = {"targets", "aht_s", "concurrency", "aht_by_concurrency_s", "shrinkage", "max_occupancy",
                    "patience_s", "min_agents", "hours"}
_QUEUE_KEYS = _QUEUE_PLAN_KEYS | {"aht_factor", "volume_change", "deflection", "outsource_share", "money"}
_SCENARIO_KEYS = {"description", "queues", "money", "surges", "illustrative"}
_STUDY_SECTIONS = {"study", "money", "check", "scenarios", "sensitivity", "break_even", "chat_windows"}
_STUDY_KEYS = {"name", "plan", "baseline", "currency", "illustrative", "note", "plan_overrides", "output_dir"}
_CHECK_KEYS = {"simulate", "days", "replications", "seed", "rate_cv"}
_SENS_KEYS = {"scenario", "relative_change", "assumptions"}
_BE_KEYS = {"scenario", "assumptions"}
_CW_KEYS = {"queue", "budget_agent_hours_per_week", "p_wait", "asa_s", "max_windows_per_day", "min_window_intervals",
            "allowed_hours", "posted_hours", "budget_mode", "min_agents_open", "evening"}
OPERATIONAL_ASSUMPTIONS = ("volume", "aht")  # sensitivity on demand: volume x f, handle time x f


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class QueueScenario:
    """What a scenario does to one queue: demand what-ifs and its money (plan changes are already
    applied to the scenario's :class:`PlanConfig`)."""

    aht_factor: float = 1.0
    volume_change: float = 0.0
    deflection: Deflection | None = None
    outsource_share: float = 0.0
    money: Money | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    plan: PlanConfig
    queues: dict
    surges: tuple
    raw: dict = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True)
class CheckConfig:
    simulate: bool = True
    days: int = 7
    replications: int = 8
    seed: int = 20240601
    rate_cv: float = 0.0


@dataclass(frozen=True)
class Study:
    name: str
    plan: PlanConfig
    baseline: str
    currency: str
    illustrative: bool
    note: str
    scenarios: dict
    check: CheckConfig
    sensitivity: dict
    break_even: dict
    chat_windows: dict | None
    output_dir: Path | None
    raw: dict = field(repr=False, compare=False, default_factory=dict)
    source: Path | None = None


def load_study(path: str | Path) -> Study:
    """Read and validate a scenario study TOML. Raises :class:`ConfigError` naming every bad key."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([("config", f"file not found: {path}")], path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([("config", f"not valid TOML: {exc}")], path) from None
    return parse_study(raw, base_dir=path.resolve().parent, source=path)


def _num(problems, key, v, *, lo=None, hi=None, lo_open=False, hi_open=False, integer=False):
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    if ok and integer and not float(v).is_integer():
        ok = False
    if not ok:
        problems.append((key, f"expected {'an integer' if integer else 'a number'}, got {v!r}"))
        return None
    if (lo is not None and (v < lo or (lo_open and v == lo))) or (hi is not None and (v > hi or (hi_open and v == hi))):
        rng = f"{'(' if lo_open else '['}{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}{')' if hi_open else ']'}"
        problems.append((key, f"out of range: {v!r}; expected a value in {rng}"))
        return None
    return int(v) if integer else float(v)


def _unknown(problems, table, allowed, prefix):
    import difflib

    for k in table:
        if k not in allowed:
            hint = difflib.get_close_matches(k, list(allowed), n=1)
            problems.append((f"{prefix}{k}", "unknown key" + (f" (did you mean '{hint[0]}'?)" if hint else "")
                             + f"; allowed: {', '.join(sorted(allowed))}"))


def _money(problems, key, values: dict) -> Money | None:
    unknown = [k for k in values if k not in MONEY_KEYS]
    if unknown:
        _unknown(problems, values, set(MONEY_KEYS), key + ".")
        return None
    if "cost_per_agent_hour" not in values:
        problems.append((f"{key}.cost_per_agent_hour", "missing; expected the loaded cost of one paid agent hour "
                                                       "(in [money] or the scenario's money)"))
        return None
    try:
        return Money(**values)
    except ValueError as exc:
        text = str(exc)
        name = text.split(":", 1)[0].replace("money.", "")
        problems.append((f"{key}.{name}", text.split(":", 1)[1].strip() if ":" in text else text))
        return None
    except TypeError as exc:
        problems.append((key, str(exc)))
        return None


def _timestamp(problems, key, v):
    if isinstance(v, (dt.datetime, dt.date)):
        return pd.Timestamp(v)
    if isinstance(v, str):
        try:
            return pd.Timestamp(v)
        except (ValueError, TypeError):
            pass
    problems.append((key, f"expected a local date-time like 2000-01-05T09:00, got {v!r}"))
    return None


def _parse_scenario(problems, name, t, study_money, plan: PlanConfig, plan_raw: dict) -> Scenario | None:
    prefix = f"scenarios.{name}."
    n0 = len(problems)
    if not isinstance(t, dict):
        problems.append((f"scenarios.{name}", f"expected a table, got {type(t).__name__}"))
        return None
    _unknown(problems, t, _SCENARIO_KEYS, prefix)
    description = t.get("description", "")
    scen_money = t.get("money", {})
    if not isinstance(scen_money, dict):
        problems.append((f"{prefix}money", "expected a table of money assumptions"))
        scen_money = {}
    qt = t.get("queues", {})
    if not isinstance(qt, dict):
        problems.append((f"{prefix}queues", "expected a table [scenarios.NAME.queues.QUEUE]"))
        qt = {}
    for q in qt:
        if q not in plan.queues:
            problems.append((f"{prefix}queues.{q}", f"no such queue in the plan; expected one of {sorted(plan.queues)}"))
    raw = copy.deepcopy(plan_raw)
    queues = {}
    for qname in plan.queues:
        qp = f"{prefix}queues.{qname}."
        q = qt.get(qname, {})
        if not isinstance(q, dict):
            problems.append((f"{prefix}queues.{qname}", "expected a table"))
            continue
        _unknown(problems, q, _QUEUE_KEYS, qp)
        for k in _QUEUE_PLAN_KEYS & set(q):
            raw["queues"][qname][k] = copy.deepcopy(q[k])  # replaces (targets: the whole table)
        aht_factor = _num(problems, qp + "aht_factor", q.get("aht_factor", 1.0), lo=0.0, lo_open=True)
        vchange = _num(problems, qp + "volume_change", q.get("volume_change", 0.0), lo=-1.0, lo_open=True)
        oshare = _num(problems, qp + "outsource_share", q.get("outsource_share", 0.0), lo=0.0, hi=1.0, hi_open=True)
        defl = None
        if "deflection" in q:
            d = q["deflection"]
            if not isinstance(d, dict):
                problems.append((qp + "deflection", "expected a table {simple_share, rate[, simple_aht_s, hours]}"))
            else:
                _unknown(problems, d, {"simple_share", "rate", "simple_aht_s", "hours"}, qp + "deflection.")
                for k in ("simple_share", "rate"):
                    if k not in d:
                        problems.append((qp + f"deflection.{k}", "missing; expected a share in [0, 1]"))
                if all(k in d for k in ("simple_share", "rate")):
                    ss = _num(problems, qp + "deflection.simple_share", d["simple_share"], lo=0.0, hi=1.0)
                    rr = _num(problems, qp + "deflection.rate", d["rate"], lo=0.0, hi=1.0)
                    sa_ = None if "simple_aht_s" not in d else _num(problems, qp + "deflection.simple_aht_s",
                                                                   d["simple_aht_s"], lo=0.0, lo_open=True)
                    hours = None
                    if "hours" in d:
                        from .chat_windows import _as_hours

                        try:
                            hours = _as_hours(d["hours"], qp + "deflection.hours")
                        except ValueError as exc:
                            problems.append((qp + "deflection.hours", str(exc)))
                    if None not in (ss, rr):
                        try:
                            defl = Deflection(ss, rr, sa_, hours)
                        except ValueError as exc:
                            problems.append((qp + "deflection", str(exc)))
        qm = q.get("money", {})
        if not isinstance(qm, dict):
            problems.append((qp + "money", "expected a table of money assumptions"))
            qm = {}
        money = _money(problems, qp.rstrip(".") + ".money" if qm else f"{prefix}money",
                       {**study_money, **scen_money, **qm})
        queues[qname] = QueueScenario(aht_factor or 1.0, vchange or 0.0, defl, oshare or 0.0, money)
    surges = []
    for i, s in enumerate(t.get("surges", []) if isinstance(t.get("surges", []), list) else [None]):
        sp = f"{prefix}surges[{i}]."
        if not isinstance(s, dict):
            problems.append((f"{prefix}surges", "expected an array of tables {start, end, factor[, queues, label]}"))
            break
        _unknown(problems, s, {"start", "end", "factor", "queues", "label"}, sp)
        missing = [k for k in ("start", "end", "factor") if k not in s]
        for k in missing:
            problems.append((sp + k, "missing"))
        if missing:
            continue
        start, end = _timestamp(problems, sp + "start", s["start"]), _timestamp(problems, sp + "end", s["end"])
        factor = _num(problems, sp + "factor", s["factor"], lo=0.0)
        qs = s.get("queues")
        if qs is not None:
            if isinstance(qs, str):
                qs = [qs]
            bad = [q for q in qs if q not in plan.queues] if isinstance(qs, list) else [qs]
            if bad:
                problems.append((sp + "queues", f"unknown queue(s) {bad}; expected some of {sorted(plan.queues)}"))
                continue
            qs = tuple(qs)
        if start is not None and end is not None and factor is not None:
            try:
                surges.append(Surge(start, end, factor, qs, str(s.get("label", f"surge {i}"))))
            except ValueError as exc:
                problems.append((f"{prefix}surges[{i}]", str(exc)))
    scen_plan = None
    try:
        scen_plan = parse_config(raw, base_dir=plan.source.resolve().parent if plan.source else None, source=plan.source)
    except ConfigError as exc:
        for key, msg in exc.problems:
            problems.append((prefix + key if key.startswith("queues.") else f"{prefix}{key}", msg))
    if len(problems) > n0:
        return None
    return Scenario(name, str(description), scen_plan, queues, tuple(surges), raw=copy.deepcopy(t))


def parse_study(raw: dict, *, base_dir: str | Path | None = None, source=None) -> Study:
    """Validate a parsed study TOML (see :func:`load_study`)."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    problems: list[tuple[str, str]] = []
    _unknown(problems, raw, _STUDY_SECTIONS, "")
    st = raw.get("study", {})
    if not isinstance(st, dict):
        problems.append(("study", "expected a table [study]"))
        st = {}
    _unknown(problems, st, _STUDY_KEYS, "study.")
    plan_path = st.get("plan")
    plan = None
    if not isinstance(plan_path, str):
        problems.append(("study.plan", f"missing or not a path; expected the plan TOML, e.g. 'plan.toml', got {plan_path!r}"))
    else:
        p = Path(plan_path)
        p = p if p.is_absolute() else base / p
        try:
            plan = load_config(p)
            ov = st.get("plan_overrides", {})
            if ov:
                if not isinstance(ov, dict):
                    raise ConfigError([("study.plan_overrides", "expected a table like {forecast = {model = 'profile'}}")])
                plan = plan.with_overrides(**ov)
        except ConfigError as exc:
            problems += [(f"study.plan ({p.name}): {k}", m) for k, m in exc.problems]
    money = raw.get("money", {})
    if not isinstance(money, dict):
        problems.append(("money", "expected a table [money]"))
        money = {}
    ck = raw.get("check", {})
    _unknown(problems, ck, _CHECK_KEYS, "check.")
    check = CheckConfig(
        simulate=bool(ck.get("simulate", True)) if isinstance(ck.get("simulate", True), bool) else
        problems.append(("check.simulate", "expected true or false")) or True,
        days=_num(problems, "check.days", ck.get("days", 7), lo=1, integer=True) or 7,
        replications=_num(problems, "check.replications", ck.get("replications", 8), lo=2, integer=True) or 8,
        seed=_num(problems, "check.seed", ck.get("seed", 20240601), lo=0, integer=True) or 0,
        rate_cv=_num(problems, "check.rate_cv", ck.get("rate_cv", 0.0), lo=0.0, hi=2.0) or 0.0,
    )
    scen_raw = raw.get("scenarios", {})
    if not isinstance(scen_raw, dict) or not scen_raw:
        problems.append(("scenarios", "no scenarios; expected at least one [scenarios.NAME] table"))
        scen_raw = {}
    scenarios = {}
    if plan is not None:
        for name, t in scen_raw.items():
            s = _parse_scenario(problems, name, t, money, plan, plan.raw)
            if s is not None:
                scenarios[name] = s
    baseline = st.get("baseline", next(iter(scen_raw), None))
    if baseline not in scen_raw:
        problems.append(("study.baseline", f"{baseline!r} is not a scenario; expected one of {sorted(scen_raw)}"))
    sens = raw.get("sensitivity", {})
    _unknown(problems, sens, _SENS_KEYS, "sensitivity.")
    be = raw.get("break_even", {})
    _unknown(problems, be, _BE_KEYS, "break_even.")
    allowed_assumptions = set(MONEY_KEYS) | set(OPERATIONAL_ASSUMPTIONS)
    for sec, tab in (("sensitivity", sens), ("break_even", be)):
        if "scenario" in tab and tab["scenario"] not in scen_raw:
            problems.append((f"{sec}.scenario", f"{tab['scenario']!r} is not a scenario; expected one of {sorted(scen_raw)}"))
        bad = [a for a in tab.get("assumptions", []) if a not in (allowed_assumptions if sec == "sensitivity" else MONEY_KEYS)]
        if bad:
            problems.append((f"{sec}.assumptions", f"unknown assumption(s) {bad}; expected some of "
                             f"{sorted(allowed_assumptions if sec == 'sensitivity' else MONEY_KEYS)}"))
    if "relative_change" in sens:
        _num(problems, "sensitivity.relative_change", sens["relative_change"], lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    cw = raw.get("chat_windows")
    if cw is not None:
        if not isinstance(cw, dict):
            problems.append(("chat_windows", "expected a table [chat_windows]"))
            cw = None
        else:
            _unknown(problems, cw, _CW_KEYS, "chat_windows.")
            qn = cw.get("queue")
            if plan is not None and qn not in plan.queues:
                problems.append(("chat_windows.queue", f"{qn!r} is not a queue of the plan; expected one of {sorted(plan.queues)}"))
            if "budget_agent_hours_per_week" not in cw and "posted_hours" not in cw:
                problems.append(("chat_windows.budget_agent_hours_per_week",
                                 "missing; expected the weekly agent-hour budget (or posted_hours for the reverse)"))
            if "budget_agent_hours_per_week" in cw:
                _num(problems, "chat_windows.budget_agent_hours_per_week", cw["budget_agent_hours_per_week"], lo=0.0)
            for k in ("max_windows_per_day", "min_window_intervals"):
                if k in cw:
                    _num(problems, f"chat_windows.{k}", cw[k], lo=1, integer=True)
            for k in ("p_wait",):
                if k in cw:
                    _num(problems, f"chat_windows.{k}", cw[k], lo=0.0, hi=1.0, lo_open=True, hi_open=True)
            if "asa_s" in cw:
                _num(problems, "chat_windows.asa_s", cw["asa_s"], lo=0.0, lo_open=True)
    name = st.get("name", Path(source).stem if source else "study")
    currency = st.get("currency", "")
    if not isinstance(currency, str):
        problems.append(("study.currency", f"expected a currency code string like 'EUR', got {currency!r}"))
    illustrative = st.get("illustrative", False)
    if not isinstance(illustrative, bool):
        problems.append(("study.illustrative", f"expected true or false, got {illustrative!r}"))
    if problems:
        raise ConfigError(problems, source)
    out_dir = st.get("output_dir")
    return Study(
        name=str(name), plan=plan, baseline=baseline, currency=currency, illustrative=illustrative,
        note=str(st.get("note", "")), scenarios=scenarios, check=check,
        sensitivity={"scenario": sens.get("scenario", _first_other(scenarios, baseline)),
                     "relative_change": float(sens.get("relative_change", 0.2)),
                     "assumptions": list(sens.get("assumptions", []))},
        break_even={"scenario": be.get("scenario", _first_other(scenarios, baseline)),
                    "assumptions": list(be.get("assumptions", []))},
        chat_windows=cw, output_dir=Path(out_dir) if out_dir else None, raw=copy.deepcopy(raw),
        source=Path(source) if source is not None else None,
    )


def _first_other(scenarios, baseline):
    others = [n for n in scenarios if n != baseline]
    return others[0] if others else baseline


# --------------------------------------------------------------------------- evaluation


def study_forecast(study_or_plan, progress=None) -> pd.DataFrame:
    """The plan's forecast (all queues), computed once and shared by every scenario."""
    from .pipeline import forecast_queues, load_histories, plan_window

    plan = study_or_plan.plan if isinstance(study_or_plan, Study) else study_or_plan
    histories, _ = load_histories(plan, progress)
    start, end, _ = plan_window(plan, histories)
    fc, _ = forecast_queues(plan, histories, start, end, progress)
    return fc


def _scenario_forecast(scenario: Scenario, name: str, f: pd.DataFrame, *, volume_factor=1.0, aht_factor=1.0):
    q = scenario.plan.queues[name]
    qs = scenario.queues[name]
    f = f.reset_index(drop=True).copy()
    if q.aht_col is None and q.mean_handle_s is not None:
        f["aht_s"] = q.mean_handle_s  # the scenario's handle time (the plan's may differ)
    f["aht_s"] = f["aht_s"].to_numpy(float) * qs.aht_factor * aht_factor
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
    from .pipeline import requirements_for

    plan = scenario.plan
    out = {}
    for name, q in plan.queues.items():
        f = forecast[forecast["queue"] == name]
        in_house, outsourced = _scenario_forecast(scenario, name, f, volume_factor=volume_factor, aht_factor=aht_factor)
        req = requirements_for(q, in_house, plan.interval_s)
        req = idle_capacity(req, plan.interval_s)
        open_ = req["open"].to_numpy(bool)
        out[name] = {"requirements": req, "outsourced_contacts": float(outsourced["volume"].to_numpy(float)[open_].sum())}
    return out


def _period_days(plan: PlanConfig, forecast: pd.DataFrame) -> float:
    ts = pd.to_datetime(forecast["interval_start"])
    span = (ts.max() - ts.min()).total_seconds() + plan.interval_s
    return span / 86400.0


def _wavg(v, w):
    v, w = np.asarray(v, float), np.asarray(w, float)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0)
    return float(np.average(v[ok], weights=w[ok])) if ok.any() else float("nan")


def scenario_finance(scenario: Scenario, ops: dict, period_days: float, *, money_scale: dict | None = None) -> pd.DataFrame:
    """Per-queue headcount, service, cost and value of a scenario's operations.

    ``money_scale``: ``{assumption: factor}`` multiplies money assumptions (break-even, sensitivity).
    """
    plan = scenario.plan
    rows = []
    for name, q in plan.queues.items():
        qs = scenario.queues[name]
        money = qs.money
        if money_scale:
            money = replace(money, **{k: getattr(money, k) * f for k, f in money_scale.items()
                                      if getattr(money, k) is not None})
        req = ops[name]["requirements"]
        fin = queue_finance(req, money, interval_s=plan.interval_s, shrinkage=q.shrinkage, period_days=period_days,
                            paid_hours_per_week=plan.headcount.paid_hours_per_week,
                            outsourced_contacts=ops[name]["outsourced_contacts"])
        vol = req["volume"].to_numpy(float)
        handled = vol * (1 - np.nan_to_num(req["abandon_rate"].to_numpy(float)))
        row = {"scenario": scenario.name, "queue": name, "model": "chat" if q.kind == "chat" else
               ("erlang_a" if q.patience_s else "erlang_c"),
               "service_level": _wavg(req["service_level"], vol), "sl_awt_s": float(q.targets.awt_s),
               "asa_s": _wavg(req["asa_s"], handled),
               "p_wait": _wavg(req["p_wait"], vol), "abandon_rate": _wavg(req["abandon_rate"], vol),
               "occupancy": _wavg(req["occupancy"], req["agents"]),
               "peak_agents": int(req["agents"].max()) if len(req) else 0,
               "idle_agent_hours": float(req["idle_agent_hours"].sum())}
        row.update(fin)
        rows.append(row)
    return pd.DataFrame(rows)


def _simulation_check(scenario: Scenario, ops: dict, check: CheckConfig, workers: int | None) -> pd.DataFrame:
    """Simulated service over the first ``check.days`` days beside the analytic prediction."""
    from .pipeline import simulate_plan

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
                row[f"sim_{col}"] = _wavg(s[col], w)
                row[f"model_{col}"] = _wavg(r[col], w)
        rows.append(row)
    return pd.DataFrame(rows)


_SUM_COLS = ("offered", "handled", "abandoned", "outsourced_contacts", "agent_hours", "paid_hours", "fte",
             "labour_cost", "overhead_cost", "outsourced_cost", "total_cost", "sales", "cross_sell_value",
             "customers_lost", "churn_cost", "abandon_cost", "net_value", "net_value_per_year", "net_present_value",
             "idle_agent_hours")
_DELTA_COLS = ("fte", "total_cost", "cross_sell_value", "churn_cost", "abandon_cost", "net_value",
               "net_value_per_year", "net_present_value")


def _comparison(by_queue: pd.DataFrame, baseline: str, order) -> pd.DataFrame:
    rows = []
    for name in order:
        g = by_queue[by_queue["scenario"] == name]
        row = {"scenario": name}
        for c in _SUM_COLS:
            row[c] = float(g[c].sum())
        inhouse = g["offered"] - g["outsourced_contacts"]
        row["service_level"] = _wavg(g["service_level"], inhouse)
        # the waiting-time threshold behind service_level: one number, or the queues' own ("10/20")
        row["sl_awt_s"] = "/".join(f"{a:g}" for a in sorted(set(g["sl_awt_s"])))
        row["asa_s"] = _wavg(g["asa_s"], g["handled"] - g["outsourced_contacts"])
        row["abandon_rate"] = row["abandoned"] / row["offered"] if row["offered"] > 0 else float("nan")
        row["cost_per_handled_contact"] = row["total_cost"] / row["handled"] if row["handled"] > 0 else float("nan")
        rows.append(row)
    comp = pd.DataFrame(rows)
    base = comp.set_index("scenario").loc[baseline]
    for c in _DELTA_COLS:
        comp[f"delta_{c}"] = comp[c] - base[c]
    comp["churn_avoided"] = base["customers_lost"] - comp["customers_lost"]
    return comp


@dataclass
class StudyResult:
    """Everything a study computes (see the module docstring for the definitions)."""

    study: Study
    comparison: pd.DataFrame
    by_queue: pd.DataFrame
    break_even: pd.DataFrame
    sensitivity: pd.DataFrame
    requirements: pd.DataFrame
    simulation_check: pd.DataFrame | None
    chat_windows: object | None
    chat_hours: object | None
    period_days: float
    study_id: str = ""
    exports: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # what the planner should know (e.g. a surge outside the horizon)

    def tables(self) -> dict:
        out = {"comparison": self.comparison, "by_queue": self.by_queue, "break_even": self.break_even,
               "sensitivity": self.sensitivity}
        if self.simulation_check is not None:
            out["simulation_check"] = self.simulation_check
        if self.chat_windows is not None:
            out["chat_windows"] = self.chat_windows.windows.assign(kind="budget")
        if self.chat_hours is not None:
            out["chat_posted_hours"] = self.chat_hours.result.windows.assign(kind="posted_hours")
        return out


def _evaluate_all(study: Study, forecast: pd.DataFrame) -> tuple[dict, pd.DataFrame, float]:
    period = _period_days(study.plan, forecast)
    ops = {n: scenario_operations(s, forecast) for n, s in study.scenarios.items()}
    by_queue = pd.concat([scenario_finance(study.scenarios[n], ops[n], period) for n in study.scenarios],
                         ignore_index=True)
    return ops, by_queue, period


def _advantage(study: Study, target: str, ops: dict, period: float, money_scale: dict) -> tuple[float, float, float]:
    t = scenario_finance(study.scenarios[target], ops[target], period, money_scale=money_scale)["net_value"].sum()
    b = scenario_finance(study.scenarios[study.baseline], ops[study.baseline], period,
                         money_scale=money_scale)["net_value"].sum()
    return float(t - b), float(t), float(b)


def _money_value(study: Study, scenario: str, key: str):
    vals = {getattr(qs.money, key) for qs in study.scenarios[scenario].queues.values()}
    return vals.pop() if len(vals) == 1 else float("nan")


def break_even(study: Study, ops: dict, period: float, *, scenario: str | None = None, assumptions=None) -> pd.DataFrame:
    """Break-even of money assumptions: the factor ``s`` (applied to that assumption in every
    scenario and queue) at which ``scenario``'s net value equals the baseline's, all else fixed.

    ``break_even_value = s x current value`` (the scenario's value when all its queues share one).
    Found by bracketing on s in [0, 1024] (probabilities only up to 1) and Brent's method (xtol
    1e-12); NaN when the advantage does not change sign in that range (the scenario wins, or
    loses, whatever the assumption).
    """
    from scipy.optimize import brentq

    scenario = scenario or study.break_even["scenario"]
    assumptions = list(assumptions or study.break_even["assumptions"] or
                       ["cost_per_agent_hour", "margin_per_sale", "conversion_rate", "customer_lifetime_value"])
    rows = []
    for key in assumptions:
        f = lambda s: _advantage(study, scenario, ops, period, {key: s})[0]  # noqa: E731
        grid, vals = [], []
        for s in (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 64.0, 256.0, 1024.0):
            try:
                vals.append(f(s))
            except ValueError:  # e.g. a probability scaled above 1: the scan ends here
                break
            grid.append(s)
        root = float("nan")
        for (a, fa), (b, fb) in zip(zip(grid, vals), zip(grid[1:], vals[1:])):
            if fa == 0:
                root = a
                break
            if fa * fb < 0:
                root = float(brentq(f, a, b, xtol=1e-12, rtol=1e-12))
                break
        cur = _money_value(study, scenario, key)
        adv_now = f(1.0)
        rows.append({"scenario": scenario, "baseline": study.baseline, "assumption": key, "current_value": cur,
                     "advantage_now": adv_now, "break_even_factor": root,
                     "break_even_value": root * cur if np.isfinite(root) and np.isfinite(cur) else float("nan"),
                     "scenario_wins_when": ("below" if f(root * 1.1 + 1e-9) < 0 else "above") if np.isfinite(root) else
                     ("always" if adv_now > 0 else "never")})
    return pd.DataFrame(rows)


def _sens_task(args):
    scenario, forecast, period, kind, factor = args
    vf, af = (factor, 1.0) if kind == "volume" else (1.0, factor)
    ops = scenario_operations(scenario, forecast, volume_factor=vf, aht_factor=af)
    return float(scenario_finance(scenario, ops, period)["net_value"].sum())


def sensitivity(study: Study, ops: dict, forecast: pd.DataFrame, period: float, *, scenario: str | None = None,
                assumptions=None, relative_change: float | None = None, executor=None) -> pd.DataFrame:
    """Each assumption moved by -x and +x (relative), alone, in every scenario: the target
    scenario's and the baseline's net value and the advantage (target - baseline), ranked by the
    swing of the advantage. Money assumptions re-price the same staffing; ``volume`` and ``aht``
    re-staff every interval (run through ``executor`` like :func:`sweep`)."""
    scenario = scenario or study.sensitivity["scenario"]
    x = float(relative_change if relative_change is not None else study.sensitivity["relative_change"])
    if not 0 < x < 1:
        raise ValueError(f"relative_change: expected a share in (0, 1), got {x!r}")
    assumptions = list(assumptions or study.sensitivity["assumptions"] or
                       ["cost_per_agent_hour", "conversion_rate", "margin_per_sale", "customer_lifetime_value",
                        "churn_if_abandoned", "churn_per_wait_minute", "volume", "aht"])
    rows, tasks, slots = [], [], []
    for key in assumptions:
        row = {"assumption": key, "scenario": scenario, "baseline": study.baseline, "relative_change": x}
        for side, f in (("low", 1 - x), ("high", 1 + x)):
            if key in OPERATIONAL_ASSUMPTIONS:
                for who in (scenario, study.baseline):
                    tasks.append((study.scenarios[who], forecast, period, key, f))
                    slots.append((len(rows), side, who))
            else:
                adv, t, b = _advantage(study, scenario, ops, period, {key: f})
                row[f"net_value_{side}"], row[f"baseline_net_value_{side}"], row[f"advantage_{side}"] = t, b, adv
        rows.append(row)
    if tasks:
        values = _map(_sens_task, tasks, executor)
        for (i, side, who), v in zip(slots, values):
            rows[i][f"net_value_{side}" if who == scenario else f"baseline_net_value_{side}"] = v
        for r in rows:
            if r["assumption"] in OPERATIONAL_ASSUMPTIONS:
                for side in ("low", "high"):
                    r[f"advantage_{side}"] = r[f"net_value_{side}"] - r[f"baseline_net_value_{side}"]
    out = pd.DataFrame(rows)
    out["swing"] = (out["advantage_high"] - out["advantage_low"]).abs()
    return out.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def run_study(study: Study | str | Path, *, forecast: pd.DataFrame | None = None, simulate: bool | None = None,
              workers: int | None = None, executor=None, progress=None) -> StudyResult:
    """Evaluate every scenario of a study, with break-even, sensitivity and chat windows."""
    if not isinstance(study, Study):
        study = load_study(study)
    if forecast is None:
        forecast = study_forecast(study, progress)
    ops, by_queue, period = _evaluate_all(study, forecast)
    sim_check = None
    if simulate if simulate is not None else study.check.simulate:
        sim_check = pd.concat([_simulation_check(study.scenarios[n], ops[n], study.check, workers)
                               for n in study.scenarios], ignore_index=True)
        by_queue = by_queue.merge(sim_check, on=["scenario", "queue"], how="left")
    comparison = _comparison(by_queue, study.baseline, list(study.scenarios))
    if sim_check is not None:
        for col in ("service_level", "asa_s", "abandon_rate"):
            w = by_queue["offered"] - by_queue["outsourced_contacts"]
            comparison[f"sim_{col}"] = [_wavg(by_queue.loc[by_queue.scenario == n, f"sim_{col}"],
                                              w[by_queue.scenario == n]) for n in comparison["scenario"]]
    be = break_even(study, ops, period) if len(study.scenarios) > 1 else pd.DataFrame()
    sens = sensitivity(study, ops, forecast, period, executor=executor) if len(study.scenarios) > 1 else pd.DataFrame()
    reqs = pd.concat([ops[n][q]["requirements"].assign(scenario=n) for n in study.scenarios for q in ops[n]],
                     ignore_index=True)
    cw = ch = None
    if study.chat_windows:
        cw, ch = _chat_windows(study, forecast)
    notes = [f"scenario {n}: surge '{sg.label}' ({sg.start} .. {sg.end}) lies outside the forecast horizon "
             f"{forecast['interval_start'].min()} .. {forecast['interval_start'].max()}: it changes nothing"
             for n, sc in study.scenarios.items() for sg in surges_outside(forecast, sc.surges)]
    return StudyResult(study, comparison, by_queue, be, sens, reqs, sim_check, cw, ch, period, notes=notes)


def _chat_windows(study: Study, forecast: pd.DataFrame):
    from .chat_windows import agent_hours_for_hours, chat_week_grid, chat_windows

    cfg = study.chat_windows
    q = study.plan.queues[cfg["queue"]]
    f = forecast[forecast["queue"] == q.name]
    t = q.targets
    grid = chat_week_grid(f, study.plan.interval_s, p_wait=cfg.get("p_wait", t.p_wait if t.p_wait else 0.05),
                          asa_s=cfg.get("asa_s", t.asa_s), concurrency=q.concurrency,
                          aht_by_concurrency_s=q.aht_by_concurrency_s, patience_s=q.patience_s,
                          min_agents_open=int(cfg.get("min_agents_open", 1)))
    evening = tuple(cfg.get("evening", ("20:00", "24:00")))
    try:
        cw = None
        if "budget_agent_hours_per_week" in cfg:
            cw = chat_windows(f, study.plan.interval_s, float(cfg["budget_agent_hours_per_week"]), grid=grid,
                              max_windows_per_day=int(cfg.get("max_windows_per_day", 1)),
                              min_window_intervals=int(cfg.get("min_window_intervals", 1)),
                              allowed_hours=cfg.get("allowed_hours"), budget_mode=cfg.get("budget_mode", "each_week"),
                              evening=evening)
        ch = None
        if "posted_hours" in cfg:
            ch = agent_hours_for_hours(f, study.plan.interval_s, cfg["posted_hours"], grid=grid, shrinkage=q.shrinkage,
                                       evening=evening)
    except ValueError as exc:
        raise InputError(f"chat_windows: {exc}") from None
    return cw, ch


# --------------------------------------------------------------------------- sweeps


def _is_dask_client(obj) -> bool:
    return type(obj).__module__.startswith("distributed") and hasattr(obj, "gather")


def _map(fn, tasks: list, executor=None) -> list:
    """``[fn(t) for t in tasks]`` in order, run serially, in a local process pool (``None``: one
    worker per CPU; an int: that many), on a ``concurrent.futures.Executor``, or on Dask (a
    ``distributed.Client`` or a scheduler address)."""
    if not tasks:
        return []
    if executor == "serial" or (executor is None and len(tasks) == 1):
        return [fn(t) for t in tasks]
    if executor is None or (isinstance(executor, (int, np.integer)) and not isinstance(executor, bool)):
        workers = (os.cpu_count() or 1) if executor is None else int(executor)
        if workers < 1:
            raise ValueError(f"executor: expected a number of worker processes >= 1, got {executor!r}")
        if workers == 1:
            return [fn(t) for t in tasks]
        with cf.ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
            return list(pool.map(fn, tasks))
    if isinstance(executor, cf.Executor):
        return list(executor.map(fn, tasks))
    if isinstance(executor, str) or _is_dask_client(executor):
        if isinstance(executor, str) and ":" not in executor:
            raise ValueError(f"executor: {executor!r} is neither 'serial' nor a Dask scheduler address "
                             "(e.g. 'tcp://10.0.0.5:8786')")
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - optional extra
            raise ValueError("executor: a Dask scheduler needs the optional extra 'distributed'") from exc
        client = Client(executor) if isinstance(executor, str) else executor
        try:
            futures = client.map(fn, tasks, pure=False)
            return client.gather(futures)
        finally:
            if isinstance(executor, str):
                client.close()
    raise ValueError("executor must be None (process pool), 'serial', a number of worker processes, a "
                     f"concurrent.futures.Executor, a dask.distributed Client or a scheduler address; got {executor!r}")


def _set_path(table: dict, path: str, value):
    parts = path.split(".")
    cur = table
    for p in parts[:-1]:
        nxt = cur.setdefault(p, {})
        if not isinstance(nxt, dict):
            raise ValueError(f"grid key {path!r}: {p!r} is not a table")
        cur = nxt
    cur[parts[-1]] = value


def _sweep_task(args):
    study_raw, base_dir, source, scenario, point, forecast = args
    raw = copy.deepcopy(study_raw)
    for key, value in point.items():
        _set_path(raw["scenarios"][scenario], key, value)
    # only the swept scenario and the baseline are needed
    study = parse_study(raw, base_dir=base_dir, source=source)
    ops = {n: scenario_operations(study.scenarios[n], forecast) for n in {scenario, study.baseline}}
    period = _period_days(study.plan, forecast)
    bq = pd.concat([scenario_finance(study.scenarios[n], ops[n], period) for n in ops], ignore_index=True)
    comp = _comparison(bq, study.baseline, list(dict.fromkeys([study.baseline, scenario])))
    return comp.set_index("scenario").loc[scenario].to_dict()


def sweep(study: Study, grid: dict, *, scenario: str | None = None, forecast: pd.DataFrame | None = None,
          executor=None) -> pd.DataFrame:
    """Evaluate ``scenario`` on every combination of ``grid`` values, in parallel.

    ``grid`` maps a dotted key inside the scenario's table (``"money.cost_per_agent_hour"``,
    ``"queues.chat.targets.p_wait"``, ``"queues.voice.deflection.rate"``...) to a list of values.
    Every point is validated like the study file (bad values raise :class:`ConfigError`). Returns
    one row per point: the grid values, then the comparison columns against the baseline.
    ``executor``: see :func:`_map` (default a local process pool; a Dask ``Client`` or address
    runs it on the cluster). Points are pure functions of their inputs: same results everywhere.
    """
    scenario = scenario or _first_other(study.scenarios, study.baseline)
    if scenario not in study.scenarios:
        raise ValueError(f"scenario: {scenario!r} is not in the study; expected one of {sorted(study.scenarios)}")
    if not isinstance(grid, dict) or not grid:
        raise ValueError("grid: expected a non-empty {dotted.key: [values]} mapping")
    for k, v in grid.items():
        if not isinstance(v, (list, tuple)) or not v:
            raise ValueError(f"grid[{k!r}]: expected a non-empty list of values, got {v!r}")
    if forecast is None:
        forecast = study_forecast(study)
    keys = list(grid)
    points = [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]
    base_dir = study.source.resolve().parent if study.source else None
    # validate every point here first, so a bad value fails fast and names its key
    for p in points:
        raw = copy.deepcopy(study.raw)
        for key, value in p.items():
            _set_path(raw["scenarios"][scenario], key, value)
        parse_study(raw, base_dir=base_dir, source=study.source)
    tasks = [(study.raw, base_dir, study.source, scenario, p, forecast) for p in points]
    rows = _map(_sweep_task, tasks, executor)
    out = pd.DataFrame([{**p, **r} for p, r in zip(points, rows)])
    return out


# --------------------------------------------------------------------------- store and export


def _tables_meta():
    import sqlalchemy as sa

    md = sa.MetaData()
    studies = sa.Table(
        "scenario_studies", md,
        sa.Column("study_id", sa.String(64), primary_key=True),
        sa.Column("created_utc", sa.DateTime, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("baseline", sa.String(200), nullable=False),
        sa.Column("currency", sa.String(16)),
        sa.Column("illustrative", sa.Boolean, nullable=False),
        sa.Column("config_json", sa.Text, nullable=False),
        sa.Column("summary_json", sa.Text, nullable=False),
    )
    rows = sa.Table(
        "scenario_results", md,
        sa.Column("study_id", sa.String(64), sa.ForeignKey("scenario_studies.study_id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("row_no", sa.Integer, primary_key=True),
        sa.Column("data_json", sa.Text, nullable=False),
    )
    return md, studies, rows


def _jsonable(v):
    if isinstance(v, (np.floating, float)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
        return v.isoformat()
    return v


def save_study(result: StudyResult, store=None) -> str:
    """Write the study's tables to the run store (tables ``scenario_studies`` and
    ``scenario_results``, one JSON row per table row) in ONE transaction. Returns the study id."""
    from .store import RunStore, StoreError, resolve_store_url

    study = result.study
    own = not hasattr(store, "engine")
    st = RunStore(resolve_store_url(store, study.plan.store)) if own else store
    md, studies, rows = _tables_meta()
    study_id = result.study_id or f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    summary = {"period_days": result.period_days,
               "comparison": [{k: _jsonable(v) for k, v in r.items()} for r in result.comparison.to_dict("records")]}
    if result.chat_windows is not None:
        summary["chat_windows"] = result.chat_windows.summary()
    payload = []
    for tname, frame in result.tables().items():
        for i, rec in enumerate(frame.to_dict("records")):
            payload.append({"study_id": study_id, "table_name": tname, "row_no": i,
                            "data_json": json.dumps({k: _jsonable(v) for k, v in rec.items()})})
    try:
        import sqlalchemy as sa

        with st.engine.execution_options(staffcast_write=True).begin() as conn:
            md.create_all(conn)
            conn.execute(studies.insert().values(
                study_id=study_id, created_utc=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), name=study.name,
                baseline=study.baseline, currency=study.currency, illustrative=study.illustrative,
                config_json=json.dumps(study.raw, default=str), summary_json=json.dumps(summary)))
            if payload:
                conn.execute(rows.insert(), payload)
    except sa.exc.OperationalError as exc:
        raise StoreError(f"run store {st.url}: cannot store the scenario study: {exc}") from exc
    finally:
        if own:
            st.close()
    result.study_id = study_id
    return study_id


def load_saved_study(store, study_id: str) -> dict:
    """The stored study: ``{"meta": {...}, "tables": {name: DataFrame}}``."""
    import sqlalchemy as sa

    from .store import RunStore

    own = not hasattr(store, "engine")
    st = RunStore(store) if own else store
    md, studies, rows = _tables_meta()
    try:
        with st.engine.connect() as conn:
            meta = conn.execute(sa.select(studies).where(studies.c.study_id == study_id)).mappings().first()
            if meta is None:
                raise InputError(f"no scenario study {study_id!r} in {st.url}")
            recs = conn.execute(sa.select(rows).where(rows.c.study_id == study_id)
                                .order_by(rows.c.table_name, rows.c.row_no)).mappings().all()
    finally:
        if own:
            st.close()
    tables: dict[str, list] = {}
    for r in recs:
        tables.setdefault(r["table_name"], []).append(json.loads(r["data_json"]))
    return {"meta": dict(meta), "tables": {k: pd.DataFrame(v) for k, v in tables.items()}}


def export_study(result: StudyResult, out_dir: str | Path) -> list[Path]:
    """Write the study's tables (and per-interval requirements) as CSV files into ``out_dir``."""
    from .exports import write_frame

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    tables = dict(result.tables())
    tables["requirements"] = result.requirements
    for name, frame in tables.items():
        paths.append(write_frame(frame, out / f"{name}.csv"))
    result.exports = paths
    return paths
