"""Scenarios page: the scenario study (finance comparison, break-even, sensitivity, chat windows)
with the planner's study-wide money assumptions and chat-window budget, and the tables it shows."""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import WEEKDAYS, InputError
from .common import DAY_NAMES, share_text
from .plan_file import plan_with_settings

__all__ = ["BUNDLED_STUDY", "STUDY_MONEY_KEYS", "COMPARISON_COLUMNS", "MoneyField", "load_study_with",
           "study_money_defaults", "study_money_overrides", "overrides_text", "money_fields", "changed_money",
           "chat_budget_default", "changed_budget", "study_forecast", "combine_forecasts", "run_study_for_dashboard",
           "restaffing_assumptions", "restaffed_sensitivity",
           "comparison_view", "comparison_table", "scenario_deltas", "money_bars", "break_even_view", "chat_window_grid",
           "no_waiting_text"]

BUNDLED_STUDY = Path(__file__).resolve().parents[2] / "data" / "scenarios.toml"
STUDY_MONEY_KEYS = ("cost_per_agent_hour", "customer_lifetime_value", "churn_if_abandoned", "conversion_rate",
                    "margin_per_sale")
COMPARISON_COLUMNS = ("scenario", "fte", "total_cost", "cross_sell_value", "churn_cost", "abandon_cost", "net_value",
                      "delta_net_value", "net_present_value", "delta_net_present_value", "service_level", "sl_awt_s", "asa_s",
                      "abandon_rate", "cost_per_handled_contact", "churn_avoided")


def load_study_with(path: str | Path = BUNDLED_STUDY, *, money: dict | None = None,
                    chat_budget_agent_hours_per_week: float | None = None,
                    queue_settings: dict[str, dict] | None = None):
    """The scenario study with the planner's changes to the study-wide money defaults (``money``:
    key -> value, see :data:`STUDY_MONEY_KEYS`), the chat-window budget and the queues' settings
    (``queue_settings``: ``{queue: {setting: value}}``, keywords of
    :func:`~planning.views.settings.with_queue_settings`, e.g. handle times, shrinkage, opening
    hours, paid hours per FTE) applied to the study's plan before the scenarios change it (so a
    scenario's own settings, e.g. its targets, still win); validated like the TOML (raises
    :class:`ConfigError`). Scenario- and queue-level money settings still win."""
    from ..scenarios import load_study, parse_study

    study = load_study(path)
    settings = {q: s for q, s in (queue_settings or {}).items() if s}
    if not money and chat_budget_agent_hours_per_week is None and not settings:
        return study
    raw = copy.deepcopy(study.raw)
    if money:
        raw.setdefault("money", {}).update({k: float(v) for k, v in money.items() if v is not None})
    if chat_budget_agent_hours_per_week is not None and raw.get("chat_windows") is not None:
        raw["chat_windows"]["budget_agent_hours_per_week"] = float(chat_budget_agent_hours_per_week)
    if settings and study.plan is not None:
        edited = plan_with_settings(study.plan, None, settings).raw
        # whole queue tables and [headcount]: the study's own plan_overrides are already in them
        raw["study"]["plan_overrides"] = {**(raw["study"].get("plan_overrides") or {}),
                                          "queues": edited["queues"], "headcount": edited.get("headcount") or {}}
    src = Path(study.source) if study.source else Path(path)
    return parse_study(raw, base_dir=src.resolve().parent, source=src)


def study_money_defaults(study) -> dict:
    return {k: (study.raw.get("money") or {}).get(k) for k in STUDY_MONEY_KEYS}


def study_money_overrides(study) -> dict[str, list[str]]:
    """Per study-wide money key, the scenarios (and queues) that set their own value, which the
    study-wide value therefore does not change: ``{"conversion_rate": ["value_center (voice, chat)"]}``."""
    out: dict[str, list[str]] = {}
    for name, scenario in study.scenarios.items():
        raw = scenario.raw or {}
        for key in STUDY_MONEY_KEYS:
            where = []
            if key in (raw.get("money") or {}):
                where.append("all queues")
            where += [q for q, t in (raw.get("queues") or {}).items() if key in ((t or {}).get("money") or {})]
            if where:
                out.setdefault(key, []).append(f"{name} ({', '.join(where)})")
    return out


def restaffing_assumptions(study) -> list[str]:
    """The sensitivity assumptions of ``study`` that re-staff every interval (volume, handle time:
    each is two re-staffings of two scenarios, most of a study's time); the others re-price."""
    from ..scenarios.analysis import SENSITIVITY_DEFAULT
    from ..scenarios.study import OPERATIONAL_ASSUMPTIONS

    return [a for a in (study.sensitivity["assumptions"] or SENSITIVITY_DEFAULT) if a in OPERATIONAL_ASSUMPTIONS]


def run_study_for_dashboard(study, forecast: pd.DataFrame, *, simulate: bool = False, restaff: bool = True):
    """:func:`planning.scenarios.run_study` on a given forecast, in this process (no pool).
    ``restaff`` False leaves :func:`restaffing_assumptions` out of the sensitivity table
    (:func:`restaffed_sensitivity` adds them when asked)."""
    from ..scenarios import run_study
    from ..scenarios.analysis import SENSITIVITY_DEFAULT

    if not restaff:
        left_out = restaffing_assumptions(study)
        keep = [a for a in (study.sensitivity["assumptions"] or SENSITIVITY_DEFAULT) if a not in left_out]
        if keep:  # (none kept: an empty list would mean the default list)
            study = replace(study, sensitivity={**study.sensitivity, "assumptions": keep})
    try:
        return run_study(study, forecast=forecast, simulate=simulate, workers=1, executor="serial")
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"scenario study: {exc}") from None


def restaffed_sensitivity(study, result, forecast: pd.DataFrame) -> pd.DataFrame:
    """``result``'s sensitivity table (of :func:`run_study_for_dashboard` with ``restaff=False``)
    with the :func:`restaffing_assumptions` of ``study`` added, each re-staffing ``forecast``;
    ranked by swing like :func:`planning.scenarios.sensitivity`."""
    from ..scenarios import sensitivity

    names = restaffing_assumptions(study)
    if not names or result.sensitivity.empty:
        return result.sensitivity
    # ops are only read for the money assumptions, none of which is asked here
    extra = sensitivity(study, {}, forecast, result.period_days, assumptions=names, executor="serial")
    both = pd.concat([result.sensitivity, extra], ignore_index=True)
    return both.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def comparison_view(result) -> pd.DataFrame:
    comp = result.comparison
    cols = [c for c in COMPARISON_COLUMNS if c in comp] + [c for c in comp if c.startswith("sim_")]
    return comp[cols]


# measure of the comparison -> (label with unit, kind): shown one row per measure, one column per scenario
COMPARISON_MEASURES = (
    ("net_value", "Net value", "money"), ("delta_net_value", "Net value vs the baseline", "money"),
    ("fte", "FTE (per full week)", "fte"), ("total_cost", "Cost", "money"),
    ("cross_sell_value", "Cross-sell value", "money"), ("churn_cost", "Churn cost", "money"),
    ("abandon_cost", "Abandonment cost", "money"), ("net_present_value", "Net present value", "money"),
    ("service_level", "Service level (formula)", "pct"), ("sim_service_level", "Service level (simulated)", "pct"),
    ("sl_awt_s", "Service level answered within (s)", "s"), ("asa_s", "ASA, average speed of answer (s)", "s1"),
    ("sim_asa_s", "ASA simulated (s)", "s1"), ("abandon_rate", "Abandoned (formula)", "pct"),
    ("sim_abandon_rate", "Abandoned (simulated)", "pct"), ("cost_per_handled_contact", "Cost per handled contact",
                                                           "money2"))


def comparison_table(result, currency: str) -> pd.DataFrame:
    """The scenario comparison as a planner reads it: one row per measure (``measure``, with its
    unit), one column per scenario, the values as text (money with ``currency`` and thousands
    separators, shares in %, seconds); a scenario's missing value reads "n/a"."""
    comp = result.comparison
    fmt = {"money": lambda v: f"{v:,.0f} {currency}",
           "money2": lambda v: f"{v:,.2f} {currency}", "fte": lambda v: f"{v:,.1f}",
           "pct": lambda v: f"{100 * v:.1f}%", "s": lambda v: f"{v:,.0f} s", "s1": lambda v: f"{v:,.1f} s"}
    rows = []
    for key, label, kind in COMPARISON_MEASURES:
        if key not in comp:
            continue
        row = {"measure": label}
        for name, value in zip(comp["scenario"].astype(str), pd.to_numeric(comp[key], errors="coerce")):
            row[name] = fmt[kind](value) if np.isfinite(value) else "n/a"
        rows.append(row)
    return pd.DataFrame(rows)


def money_bars(result) -> pd.DataFrame:
    """Cost, value and net value per scenario in long format (for a grouped bar chart)."""
    comp = result.comparison
    rows = []
    for _, r in comp.iterrows():
        for key, label, sign in (("total_cost", "cost (labour + overhead + outsourcing)", -1),
                                 ("cross_sell_value", "cross-sell value", 1),
                                 ("churn_cost", "churn cost (customers lost)", -1),
                                 ("abandon_cost", "abandonment cost", -1),
                                 ("net_value", "net value", 1)):
            if key in comp:
                rows.append({"scenario": r["scenario"], "item": label, "amount": float(r[key]) *
                             (1 if key == "net_value" else sign)})
    return pd.DataFrame(rows)


def chat_window_grid(windows_result, interval_s: int, week_start: str = "mon") -> pd.DataFrame:
    """The chosen chat windows as weekday x time of day (``weekday``, ``weekday_order`` from the
    plan's ``week_start``, ``time_of_day``, ``open``, ``value``: 1 open, 0 closed) for a heatmap."""
    open_ = np.asarray(windows_result.open, dtype=bool)
    first = WEEKDAYS.index(week_start)
    rows = []
    for d in range(open_.shape[0]):
        for s in range(open_.shape[1]):
            m = s * interval_s // 60
            rows.append({"weekday": DAY_NAMES[WEEKDAYS[d]], "weekday_order": (d - first) % 7,
                         "time_of_day": f"{m // 60:02d}:{m % 60:02d}", "open": bool(open_[d, s])})
    out = pd.DataFrame(rows)
    out["value"] = out["open"].astype(int)
    return out


# --------------------------------------------------------------------------- the money form


@dataclass(frozen=True)
class MoneyField:
    """One study-wide money assumption as the planner sets it: ``label`` (``{cur}`` stands for the
    study's currency), bounds and ``value`` as shown; the assumption is ``shown * scale`` (0.01 for
    a share shown in %)."""

    key: str
    label: str
    maximum: float
    step: float
    value: float
    scale: float = 1.0

    def amount(self, shown: float) -> float:
        return shown * self.scale


def money_fields(study) -> list[MoneyField]:
    """The money form's fields with the study's values (the examples' defaults where it has none)."""
    d = study_money_defaults(study)
    return [
        MoneyField("cost_per_agent_hour", "Cost per agent hour ({cur})", 1000.0, 1.0,
                   float(d.get("cost_per_agent_hour") or 30.0)),
        MoneyField("customer_lifetime_value", "Customer lifetime value ({cur})", 1e6, 100.0,
                   float(d.get("customer_lifetime_value") or 0.0)),
        MoneyField("churn_if_abandoned", "Churn if abandoned (%)", 100.0, 0.5,
                   round(100 * float(d.get("churn_if_abandoned") or 0.0), 3), scale=0.01),
        MoneyField("conversion_rate", "Cross-sell conversion (%)", 100.0, 0.5,
                   round(100 * float(d.get("conversion_rate") or 0.0), 3), scale=0.01),
    ]


def overrides_text(study) -> str:
    """The money assumptions some scenarios set themselves ("cross-sell conversion: value_center
    (voice, chat)"), joined by "; "; empty when none."""
    labels = {f.key: f.label.split(" (")[0].lower() for f in money_fields(study)}
    return "; ".join(f"{labels[k]}: {', '.join(v)}" for k, v in study_money_overrides(study).items() if k in labels)


def changed_money(study, shown: dict[str, float]) -> dict[str, float]:
    """The planner's money assumptions (``shown``: key -> shown value) that differ from the study's."""
    defaults = study_money_defaults(study)
    money = {f.key: f.amount(shown[f.key]) for f in money_fields(study) if f.key in shown}
    return {k: v for k, v in money.items() if defaults.get(k) is None or abs(float(defaults[k]) - v) > 1e-12}


def chat_budget_default(study) -> float | None:
    """The study's chat-window budget (logged-in agent-hours per week), or None without one."""
    value = (study.chat_windows or {}).get("budget_agent_hours_per_week")
    return None if value is None else float(value)


def changed_budget(study, budget: float | None) -> float | None:
    """``budget`` when it differs from the study's own chat-window budget, else None."""
    own = chat_budget_default(study)
    if budget is None or own is None or abs(budget - own) < 1e-9:
        return None
    return budget


# --------------------------------------------------------------------------- running and showing


def study_forecast(study) -> pd.DataFrame:
    """The forecast the study's own plan makes (as ``staffcast scenarios`` does)."""
    from ..scenarios import study_forecast as forecast_of_study

    return forecast_of_study(study)


def combine_forecasts(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Per-queue forecasts as one table."""
    return pd.concat(frames, ignore_index=True)


def scenario_deltas(result, baseline: str) -> list[dict]:
    """Per scenario other than ``baseline``: ``scenario``, ``delta_net_value`` and ``delta_fte``."""
    comp = result.comparison
    return [{"scenario": r["scenario"], "delta_net_value": float(r["delta_net_value"]),
             "delta_fte": float(r["delta_fte"])}
            for _, r in comp[comp["scenario"] != baseline].iterrows()]


def break_even_view(result) -> pd.DataFrame:
    """The break-even table with its numbers as numbers and ``break_even`` in words: the value and
    on which side the scenario wins ("above 12.5 (now 10)"), or "never: the baseline wins for any
    value" / "always: the scenario wins for any value" where no value breaks even."""
    be = result.break_even.copy()
    for col in ("current_value", "break_even_value", "break_even_factor", "advantage_now"):
        if col in be:
            be[col] = pd.to_numeric(be[col], errors="coerce")
    words = {"always": "always: the scenario wins for any value",
             "never": "never: the baseline wins for any value"}
    be["break_even"] = [words.get(side) or f"scenario wins {side} {value:.4g}" if np.isfinite(value) or side in words
                        else "not found"
                        for side, value in zip(be["scenario_wins_when"].astype(str), be["break_even_value"])]
    return be


def no_waiting_text(windows_result) -> str:
    """The "no waiting" limits of the chat windows in words: "P(wait) <= 5%, ASA <= 10 s"."""
    pw, asa = windows_result.targets.get("p_wait"), windows_result.targets.get("asa_s")
    return ", ".join(t for t in ((f"P(wait) <= {share_text(pw)}" if pw is not None else ""),
                                 (f"ASA <= {asa:g} s" if asa is not None else "")) if t)
