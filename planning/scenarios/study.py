"""A scenario study: its TOML read and validated into :class:`Study` and :class:`Scenario` objects.

A *study* (TOML, see ``data/scenarios.toml``) names a plan (``data/plan.toml``), a baseline and
several scenarios. A scenario changes the plan's queues (targets, handle times, concurrency,
shrinkage, occupancy cap, patience, opening hours), the demand (volume change, self-service
deflection, surges, outsourcing; :mod:`.whatif`) and the money (:class:`.finance.Money`).

:func:`load_study` / :func:`parse_study` collect every problem (key and message) and raise one
:class:`ConfigError` naming them all.
"""
from __future__ import annotations

import copy
import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from core import check_number

from ..config import ConfigError, PlanConfig, load_config, parse_config, read_toml
from .finance import MONEY_KEYS, Money
from .whatif import Deflection, Surge

__all__ = [
    "Study",
    "Scenario",
    "QueueScenario",
    "CheckConfig",
    "load_study",
    "parse_study",
    "first_other_scenario",
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


@dataclass(frozen=True)
class QueueScenario:
    """What a scenario does to one queue: demand what-ifs and its money (plan changes are already
    applied to the scenario's :class:`PlanConfig`).

    ``aht_factor``: handle time x factor (> 0); ``volume_change``: volume x (1 + change) (> -1);
    ``deflection``: self-service (:class:`Deflection`); ``outsource_share``: share of the volume
    sent to a provider, in [0, 1); ``money``: the queue's :class:`Money`.
    """

    aht_factor: float = 1.0
    volume_change: float = 0.0
    deflection: Deflection | None = None
    outsource_share: float = 0.0
    money: Money | None = None


@dataclass(frozen=True)
class Scenario:
    """One scenario: its own plan (the study's plan with the queue changes), per-queue what-ifs and
    money (``queues``: ``{queue: QueueScenario}``) and volume ``surges`` (:class:`Surge`)."""

    name: str
    description: str
    plan: PlanConfig
    queues: dict
    surges: tuple
    raw: dict = field(repr=False, compare=False, default_factory=dict)
    # queue -> roster paid hours per interval-sum paid hour (planning.scenarios.paid_hours); empty: 1
    paid_hours_factors: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CheckConfig:
    """The simulation check of a study: the first ``days`` days, ``replications`` runs, ``seed``,
    per-replication busyness CV ``rate_cv``."""

    simulate: bool = True
    days: int = 7
    replications: int = 8
    seed: int = 20240601
    rate_cv: float = 0.0


@dataclass(frozen=True)
class Study:
    """A validated study: the plan, the scenarios (``{name: Scenario}``), the baseline's name, the
    simulation check, the break-even and sensitivity settings and the chat-windows table."""

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
    raw = read_toml(path)
    return parse_study(raw, base_dir=path.resolve().parent, source=path)


def first_other_scenario(scenarios, baseline: str) -> str:
    """The first scenario that is not the baseline (the baseline when there is no other)."""
    others = [n for n in scenarios if n != baseline]
    return others[0] if others else baseline


# --------------------------------------------------------------------------- small checks


def _num(problems, key, v, *, lo=None, hi=None, lo_open=False, hi_open=False, integer=False):
    """``v`` checked by :func:`core.check_number` (a TOML number, not text); a problem is recorded
    under ``key`` and None returned when it is not in range."""
    if isinstance(v, (str, bytes)):
        problems.append((key, f"expected {'a whole number' if integer else 'a number'}, got {v!r}"))
        return None
    try:
        return check_number(key, v, minimum=lo, strict_min=lo_open, maximum=hi, strict_max=hi_open, integer=integer)
    except ValueError as exc:
        problems.append((key, str(exc).removeprefix(f"{key}: ")))
        return None


def _text(problems, key, v, what: str = "a string"):
    """``v`` when it is a string, else a problem under ``key`` and None."""
    if isinstance(v, str):
        return v
    problems.append((key, f"expected {what}, got {type(v).__name__} {v!r:.80}"))
    return None


def _names(problems, key, v, what: str = "an array of names") -> list[str]:
    """``v`` when it is an array of strings, else a problem under ``key`` and ``[]``."""
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return v
    problems.append((key, f"expected {what}, e.g. [\"volume\", \"aht\"], got {type(v).__name__} {v!r:.80}"))
    return []


def _unknown(problems, table, allowed, prefix):
    for k in table:
        if k not in allowed:
            hint = difflib.get_close_matches(k, list(allowed), n=1)
            problems.append((f"{prefix}{k}", "unknown key" + (f" (did you mean '{hint[0]}'?)" if hint else "")
                             + f"; allowed: {', '.join(sorted(allowed))}"))


def _table(problems, parent: dict, key: str, what: str, problem_key: str | None = None) -> dict:
    """``parent[key]`` when it is a table (``{}`` when absent); else a problem and ``{}``."""
    t = parent.get(key, {})
    if not isinstance(t, dict):
        problems.append((problem_key or key, what))
        return {}
    return t


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


# --------------------------------------------------------------------------- one scenario


def _parse_deflection(problems, qp: str, d) -> Deflection | None:
    """``[scenarios.NAME.queues.QUEUE.deflection]`` (``qp`` is the queue's key prefix)."""
    if not isinstance(d, dict):
        problems.append((qp + "deflection", "expected a table {simple_share, rate[, simple_aht_s, hours]}"))
        return None
    _unknown(problems, d, {"simple_share", "rate", "simple_aht_s", "hours"}, qp + "deflection.")
    for k in ("simple_share", "rate"):
        if k not in d:
            problems.append((qp + f"deflection.{k}", "missing; expected a share in [0, 1]"))
    if not all(k in d for k in ("simple_share", "rate")):
        return None
    ss = _num(problems, qp + "deflection.simple_share", d["simple_share"], lo=0.0, hi=1.0)
    rr = _num(problems, qp + "deflection.rate", d["rate"], lo=0.0, hi=1.0)
    sa_ = None if "simple_aht_s" not in d else _num(problems, qp + "deflection.simple_aht_s",
                                                   d["simple_aht_s"], lo=0.0, lo_open=True)
    hours = None
    if "hours" in d:
        from ..chat_windows import as_opening_hours

        try:
            hours = as_opening_hours(d["hours"], qp + "deflection.hours")
        except ValueError as exc:
            problems.append((qp + "deflection.hours", str(exc).removeprefix(qp + "deflection.hours: ")))
    if None in (ss, rr):
        return None
    try:
        return Deflection(ss, rr, sa_, hours)
    except ValueError as exc:
        problems.append((qp + "deflection", str(exc)))
        return None


def _parse_queue_scenario(problems, prefix: str, qname: str, q: dict, money: dict, raw_plan: dict) -> QueueScenario:
    """One queue's table of a scenario: its plan keys go into ``raw_plan`` (the scenario's copy of
    the plan TOML), the rest becomes a :class:`QueueScenario`; ``money`` is the study's and the
    scenario's money, which the queue's own money table overrides."""
    qp = f"{prefix}queues.{qname}."
    _unknown(problems, q, _QUEUE_KEYS, qp)
    for k in _QUEUE_PLAN_KEYS & set(q):
        raw_plan["queues"][qname][k] = copy.deepcopy(q[k])  # replaces (targets: the whole table)
    aht_factor = _num(problems, qp + "aht_factor", q.get("aht_factor", 1.0), lo=0.0, lo_open=True)
    vchange = _num(problems, qp + "volume_change", q.get("volume_change", 0.0), lo=-1.0, lo_open=True)
    oshare = _num(problems, qp + "outsource_share", q.get("outsource_share", 0.0), lo=0.0, hi=1.0, hi_open=True)
    defl = _parse_deflection(problems, qp, q["deflection"]) if "deflection" in q else None
    qm = _table(problems, q, "money", "expected a table of money assumptions", qp + "money")
    queue_money = _money(problems, qp.rstrip(".") + ".money" if qm else f"{prefix}money", {**money, **qm})
    return QueueScenario(aht_factor or 1.0, vchange or 0.0, defl, oshare or 0.0, queue_money)


def _parse_surges(problems, prefix: str, surges_raw, plan: PlanConfig) -> list[Surge]:
    """``[[scenarios.NAME.surges]]``: an array of tables {start, end, factor[, queues, label]}."""
    surges = []
    for i, s in enumerate(surges_raw if isinstance(surges_raw, list) else [None]):
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
            if not isinstance(qs, list) or not all(isinstance(q, str) for q in qs):
                problems.append((sp + "queues", f"expected a queue name or an array of them, got {qs!r:.80}"))
                continue
            bad = [q for q in qs if q not in plan.queues]
            if bad:
                problems.append((sp + "queues", f"unknown queue(s) {bad}; expected some of {sorted(plan.queues)}"))
                continue
            qs = tuple(qs)
        if start is not None and end is not None and factor is not None:
            try:
                label = _text(problems, sp + "label", s.get("label", f"surge {i}"))
                surges.append(Surge(start, end, factor, qs, label or ""))
            except ValueError as exc:
                problems.append((f"{prefix}surges[{i}]", str(exc)))
    return surges


def _parse_scenario(problems, name, t, study_money, plan: PlanConfig, plan_raw: dict) -> Scenario | None:
    """``[scenarios.NAME]``; None (and problems recorded) when anything in it is wrong."""
    prefix = f"scenarios.{name}."
    n0 = len(problems)
    if not isinstance(t, dict):
        problems.append((f"scenarios.{name}", f"expected a table, got {type(t).__name__}"))
        return None
    _unknown(problems, t, _SCENARIO_KEYS, prefix)
    description = _text(problems, f"{prefix}description", t.get("description", ""))
    if not isinstance(t.get("illustrative", False), bool):
        problems.append((f"{prefix}illustrative", f"expected true or false, got {t['illustrative']!r:.80}"))
    scen_money = _table(problems, t, "money", "expected a table of money assumptions", f"{prefix}money")
    qt = _table(problems, t, "queues", "expected a table [scenarios.NAME.queues.QUEUE]", f"{prefix}queues")
    for q in qt:
        if q not in plan.queues:
            problems.append((f"{prefix}queues.{q}", f"no such queue in the plan; expected one of {sorted(plan.queues)}"))
    raw = copy.deepcopy(plan_raw)
    queues = {}
    for qname in plan.queues:
        q = qt.get(qname, {})
        if not isinstance(q, dict):
            problems.append((f"{prefix}queues.{qname}", "expected a table"))
            continue
        queues[qname] = _parse_queue_scenario(problems, prefix, qname, q, {**study_money, **scen_money}, raw)
    surges = _parse_surges(problems, prefix, t.get("surges", []), plan)
    scen_plan = None
    try:
        scen_plan = parse_config(raw, base_dir=plan.source.resolve().parent if plan.source else None, source=plan.source)
    except ConfigError as exc:
        for key, msg in exc.problems:
            problems.append((prefix + key if key.startswith("queues.") else f"{prefix}{key}", msg))
    if len(problems) > n0:
        return None
    return Scenario(name, str(description), scen_plan, queues, tuple(surges), raw=copy.deepcopy(t))


# --------------------------------------------------------------------------- the study


def _parse_plan(problems, st: dict, base: Path) -> PlanConfig | None:
    """``study.plan`` (a path relative to the study file) loaded, with ``study.plan_overrides``;
    None when it cannot be loaded."""
    plan_path = st.get("plan")
    if not isinstance(plan_path, str):
        problems.append(("study.plan", f"missing or not a path; expected the plan TOML, e.g. 'plan.toml', got {plan_path!r}"))
        return None
    p = Path(plan_path)
    p = p if p.is_absolute() else base / p
    plan = None  # a plan whose overrides are wrong is still used to check the scenarios
    try:
        plan = load_config(p)
        ov = st.get("plan_overrides", {})
        if ov:
            if not isinstance(ov, dict):
                raise ConfigError([("study.plan_overrides", "expected a table like {forecast = {model = 'profile'}}")])
            plan = plan.with_overrides(**ov)
    except ConfigError as exc:
        problems += [(f"study.plan ({p.name}): {k}", m) for k, m in exc.problems]
    return plan


def _parse_check(problems, ck: dict) -> CheckConfig:
    """``[check]``: the simulation check."""
    if not isinstance(ck, dict):
        problems.append(("check", f"expected a table [check] of simulate, days, replications, seed, rate_cv; "
                                  f"got {type(ck).__name__} {ck!r:.80}"))
        ck = {}
    _unknown(problems, ck, _CHECK_KEYS, "check.")
    return CheckConfig(
        simulate=bool(ck.get("simulate", True)) if isinstance(ck.get("simulate", True), bool) else
        problems.append(("check.simulate", f"expected true or false, got {ck['simulate']!r:.80}")) or True,
        days=_num(problems, "check.days", ck.get("days", 7), lo=1, integer=True) or 7,
        replications=_num(problems, "check.replications", ck.get("replications", 8), lo=2, integer=True) or 8,
        seed=_num(problems, "check.seed", ck.get("seed", 20240601), lo=0, integer=True) or 0,
        rate_cv=_num(problems, "check.rate_cv", ck.get("rate_cv", 0.0), lo=0.0, hi=2.0) or 0.0,
    )


def _check_conversion_rule(problems, scenarios: dict, baseline) -> None:
    """One rule for conversion (see :mod:`.finance`): a scenario whose conversations are longer
    (``aht_factor != 1``) with a handle-time elasticity earns through the elasticity; raising its
    ``conversion_rate`` above the baseline's as well counts the same effect twice."""
    if not isinstance(baseline, str) or baseline not in scenarios:
        return  # a wrong baseline is reported on its own
    for name, sc in scenarios.items():
        for q, qs in sc.queues.items():
            base = scenarios[baseline].queues[q].money
            m = qs.money
            if (name != baseline and qs.aht_factor != 1.0 and m.conversion_aht_elasticity != 0.0
                    and m.conversion_rate != base.conversion_rate):
                problems.append((f"scenarios.{name}.queues.{q}.money.conversion_rate",
                                 f"{m.conversion_rate:g} differs from the baseline's {base.conversion_rate:g} while "
                                 f"conversations are {qs.aht_factor:g}x longer with elasticity "
                                 f"{m.conversion_aht_elasticity:g}: that counts the longer conversations twice; "
                                 "expected the baseline's rate (the elasticity carries the effect) or elasticity 0"))


def _check_analysis(problems, sens: dict, be: dict, scenario_names) -> None:
    """``[sensitivity]`` and ``[break_even]``: known scenario, known assumptions, relative change."""
    _unknown(problems, sens, _SENS_KEYS, "sensitivity.")
    _unknown(problems, be, _BE_KEYS, "break_even.")
    allowed_assumptions = set(MONEY_KEYS) | set(OPERATIONAL_ASSUMPTIONS)
    for sec, tab in (("sensitivity", sens), ("break_even", be)):
        if "scenario" in tab and _text(problems, f"{sec}.scenario", tab["scenario"], "a scenario name") is not None \
                and tab["scenario"] not in scenario_names:
            problems.append((f"{sec}.scenario",
                             f"{tab['scenario']!r} is not a scenario; expected one of {sorted(scenario_names)}"))
        allowed = allowed_assumptions if sec == "sensitivity" else MONEY_KEYS
        names = _names(problems, f"{sec}.assumptions", tab.get("assumptions", []), "an array of assumption names")
        bad = [a for a in names if a not in allowed]
        if bad:
            problems.append((f"{sec}.assumptions", f"unknown assumption(s) {bad}; expected some of {sorted(allowed)}"))
    if "relative_change" in sens:
        _num(problems, "sensitivity.relative_change", sens["relative_change"], lo=0.0, hi=1.0, lo_open=True, hi_open=True)


def _check_chat_windows(problems, cw, plan: PlanConfig | None) -> dict | None:
    """``[chat_windows]`` (optional): the queue, the budget (or posted hours) and the window rules."""
    if cw is None:
        return None
    if not isinstance(cw, dict):
        problems.append(("chat_windows", "expected a table [chat_windows]"))
        return None
    _unknown(problems, cw, _CW_KEYS, "chat_windows.")
    if plan is not None and plan.forecast.horizon_days < 7:
        problems.append(("chat_windows", f"needs a forecast of at least one full week; the plan forecasts "
                                         f"forecast.horizon_days = {plan.forecast.horizon_days} day(s) (raise it in "
                                         "the plan or study.plan_overrides, or remove [chat_windows])"))
    qn = _text(problems, "chat_windows.queue", cw.get("queue"), "a queue name")
    if plan is not None and qn is not None and qn not in plan.queues:
        problems.append(("chat_windows.queue", f"{qn!r} is not a queue of the plan; expected one of {sorted(plan.queues)}"))
    if "budget_agent_hours_per_week" not in cw and "posted_hours" not in cw:
        problems.append(("chat_windows.budget_agent_hours_per_week",
                         "missing; expected the weekly agent-hour budget (or posted_hours for the reverse)"))
    if "budget_agent_hours_per_week" in cw:
        _num(problems, "chat_windows.budget_agent_hours_per_week", cw["budget_agent_hours_per_week"], lo=0.0)
    for k in ("max_windows_per_day", "min_window_intervals"):
        if k in cw:
            _num(problems, f"chat_windows.{k}", cw[k], lo=1, integer=True)
    if "p_wait" in cw:
        _num(problems, "chat_windows.p_wait", cw["p_wait"], lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    if "asa_s" in cw:
        _num(problems, "chat_windows.asa_s", cw["asa_s"], lo=0.0, lo_open=True)
    if "min_agents_open" in cw:
        _num(problems, "chat_windows.min_agents_open", cw["min_agents_open"], lo=0, integer=True)
    if "budget_mode" in cw and cw["budget_mode"] not in ("each_week", "average"):
        problems.append(("chat_windows.budget_mode", f"expected 'each_week' or 'average', got {cw['budget_mode']!r:.80}"))
    ev = cw.get("evening", ["20:00", "24:00"])
    if not (isinstance(ev, list) and len(ev) == 2 and all(isinstance(x, str) for x in ev)):
        problems.append(("chat_windows.evening", f"expected two times like [\"20:00\", \"24:00\"], got {ev!r:.80}"))
    for k in ("allowed_hours", "posted_hours"):
        if k in cw and not isinstance(cw[k], (str, dict)):
            problems.append((f"chat_windows.{k}", f"expected opening hours: a string like \"08:00-24:00\" or a table "
                                                  f"like {{mon = \"08:00-20:00\"}}, got {cw[k]!r:.80}"))
    return cw


def parse_study(raw: dict, *, base_dir: str | Path | None = None, source=None) -> Study:
    """Validate a parsed study TOML (see :func:`load_study`)."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    problems: list[tuple[str, str]] = []
    _unknown(problems, raw, _STUDY_SECTIONS, "")
    st = _table(problems, raw, "study", "expected a table [study]")
    _unknown(problems, st, _STUDY_KEYS, "study.")
    plan = _parse_plan(problems, st, base)
    money = _table(problems, raw, "money", "expected a table [money]")
    check = _parse_check(problems, raw.get("check", {}))
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
    if not isinstance(baseline, str) and baseline is not None:
        problems.append(("study.baseline", f"expected a scenario name, got {type(baseline).__name__} {baseline!r:.80}"))
    elif baseline not in scen_raw:
        problems.append(("study.baseline", f"{baseline!r} is not a scenario; expected one of {sorted(scen_raw)}"))
    sens = _table(problems, raw, "sensitivity", "expected a table [sensitivity] of scenario, relative_change, "
                  f"assumptions; got {type(raw.get('sensitivity')).__name__} {raw.get('sensitivity')!r:.80}")
    be = _table(problems, raw, "break_even", "expected a table [break_even] of scenario, assumptions; "
                f"got {type(raw.get('break_even')).__name__} {raw.get('break_even')!r:.80}")
    _check_analysis(problems, sens, be, scen_raw)
    _check_conversion_rule(problems, scenarios, baseline)
    cw = _check_chat_windows(problems, raw.get("chat_windows"), plan)
    name = st.get("name", Path(source).stem if source else "study")
    for key in ("name", "note", "output_dir"):
        if key in st:
            _text(problems, f"study.{key}", st[key], "a path string" if key == "output_dir" else "a string")
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
        sensitivity={"scenario": sens.get("scenario", first_other_scenario(scenarios, baseline)),
                     "relative_change": float(sens.get("relative_change", 0.2)),
                     "assumptions": list(sens.get("assumptions", []))},
        break_even={"scenario": be.get("scenario", first_other_scenario(scenarios, baseline)),
                    "assumptions": list(be.get("assumptions", []))},
        chat_windows=cw, output_dir=Path(out_dir) if out_dir else None, raw=copy.deepcopy(raw),
        source=Path(source) if source is not None else None,
    )
