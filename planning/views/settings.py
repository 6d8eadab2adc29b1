"""The planner's dashboard settings applied to the plan: forecast settings (model, horizon, history
used) and one queue's targets and staffing rules, validated like the plan TOML.

The forecast models a planner can pick come from the one model registry (``forecast.model_choices``).
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace

from core import TARGET_NAMES
from forecast import model_choices as registry_choices

from ..config import WEEKDAYS, InputError, PlanConfig, parse_hours

__all__ = ["FAST_MODEL", "MODEL_CHOICES", "QUEUE_LEVEL_TARGETS", "QUEUE_SETTINGS", "model_choices",
           "check_queue", "one_queue", "with_forecast_settings", "with_queue_settings", "plan_forecast_settings",
           "departures_from_plan", "HOURS_SETTINGS", "PLAN_WIDE_SETTINGS", "extend_handle_times",
           "plan_setting_value", "setting_text"]

FAST_MODEL = "profile"  # recent weekday x time-of-day profile: seconds, and what auto picks on the bundled voice queue
MODEL_CHOICES = dict(registry_choices())  # name -> description, from the one model registry ("auto" last)

# The plan TOML keeps these targets of core.TARGET_SPECS beside the queue's ``targets`` table (they
# are staffing rules of the queue); every other target goes into ``targets``.
QUEUE_LEVEL_TARGETS = ("max_occupancy",)
# Every setting :func:`with_queue_settings` takes: the targets, the service level's AWT, and the
# queue's staffing rules and handle-time / patience numbers.
# ``hours_mon`` .. ``hours_sun``: one day's opening hours ("07:00-24:00", "closed").
HOURS_SETTINGS = tuple(f"hours_{d}" for d in WEEKDAYS)
# Settings of the whole plan (the [headcount] section), set on a queue's page for every queue.
PLAN_WIDE_SETTINGS = ("paid_hours_per_week",)
QUEUE_SETTINGS = TARGET_NAMES + ("awt_s", "shrinkage", "shrinkage_planned", "shrinkage_unplanned", "concurrency",
                                 "aht_s", "aht_by_concurrency_s", "patience_s", *HOURS_SETTINGS, *PLAN_WIDE_SETTINGS)


def model_choices() -> dict[str, str]:
    """Forecast model name -> what a planner reads in a model select box."""
    return dict(MODEL_CHOICES)


def plan_forecast_settings(config: PlanConfig) -> tuple[str, int, int]:
    """The plan's own forecast settings ``(model, horizon_days, history_weeks)``: where the dashboard
    starts, so that its numbers are the CLI's (``staffcast run``). A model the select box does not
    offer (e.g. a list of models) falls back to ``auto``; history weeks default to 10."""
    fc = config.forecast
    model = fc.model if isinstance(fc.model, str) and fc.model in MODEL_CHOICES else "auto"
    return (model, int(fc.horizon_days), int(fc.history_weeks or 10))


def departures_from_plan(config: PlanConfig, forecast_settings: tuple, queue: str | None = None,
                         queue_settings: dict | None = None) -> list[str]:
    """Where the planner's settings depart from the plan file, in words (empty: none).

    ``forecast_settings`` is ``(model, horizon_days, history_weeks)``; ``queue_settings`` the
    settings applied to ``queue`` (keywords of :func:`with_queue_settings`, in setting units)."""
    out = []
    names = ("model", "horizon (days)", "history used (weeks)")
    for name, mine, plan in zip(names, forecast_settings, plan_forecast_settings(config)):
        if mine != plan:
            out.append(f"{name} {mine} (plan: {plan})")
    for key, val in sorted((queue_settings or {}).items() if queue else ()):
        if val is None:
            continue
        plan_val = plan_setting_value(config, queue, key)
        if not _same_setting(key, val, plan_val):
            where = "plan" if key in PLAN_WIDE_SETTINGS else queue
            out.append(f"{where} {key} {setting_text(key, val)} (plan: {setting_text(key, plan_val)})")
    return out


def plan_setting_value(config: PlanConfig, queue: str, key: str):
    """The plan file's value of one :data:`QUEUE_SETTINGS` key for ``queue`` (None: not set):
    a number, a tuple of seconds (``aht_by_concurrency_s``) or a day's hours text (``hours_mon``)."""
    q = config.queues[queue]
    if key in PLAN_WIDE_SETTINGS:
        return getattr(config.headcount, key)
    if key in HOURS_SETTINGS:
        return q.hours.describe()[key.removeprefix("hours_")]
    if key in TARGET_NAMES and key not in QUEUE_LEVEL_TARGETS or key == "awt_s":
        return getattr(q.targets, key, None)
    return getattr(q, key, None)


def _same_setting(key: str, mine, plan) -> bool:
    if plan is None:
        return False
    if key in HOURS_SETTINGS:
        try:
            return parse_hours(mine) == parse_hours(plan)
        except ValueError:
            return False
    if key == "aht_by_concurrency_s":
        return len(mine) == len(plan) and all(abs(float(a) - float(b)) <= 1e-9 for a, b in zip(mine, plan))
    return abs(float(mine) - float(plan)) <= 1e-9


def setting_text(key: str, value) -> str:
    """A setting's value as the departures list and the form show it: ``0.3``, ``360, 450``, ``closed``."""
    if value is None:
        return "none"
    if key in HOURS_SETTINGS:
        return str(value)
    if key == "aht_by_concurrency_s":
        return ", ".join(f"{float(v):g}" for v in value)
    return f"{float(value):g}"


def check_queue(config: PlanConfig, queue: str) -> None:
    """Raise :class:`InputError` naming the plan's queues unless ``queue`` is one of them."""
    if queue not in config.queues:
        raise InputError(f"no queue {queue!r} in the plan (queues: {', '.join(config.queues)})")


def one_queue(config: PlanConfig, queue: str) -> PlanConfig:
    """The plan restricted to one queue."""
    check_queue(config, queue)
    return replace(config, queues={queue: config.queues[queue]})


def with_forecast_settings(config: PlanConfig, *, model: str | None = None, horizon_days: int | None = None,
                           history_weeks: int | None = None, as_of: dt.date | None = None,
                           backtest_origins: int | None = None) -> PlanConfig:
    """The plan with other forecast settings (validated like the TOML file)."""
    fc = {k: v for k, v in dict(model=model, horizon_days=horizon_days, history_weeks=history_weeks,
                                as_of=as_of, backtest_origins=backtest_origins).items() if v is not None}
    return config.with_overrides(forecast=fc) if fc else config


def extend_handle_times(values, k: int) -> list[float]:
    """Per-chat handle times (seconds) for concurrency ``k``: ``values`` cut to ``k`` or extended
    by their last step (never shorter than the last value)."""
    vals = [float(v) for v in values]
    if k <= len(vals):
        return vals[:k]
    step = vals[-1] - vals[-2] if len(vals) >= 2 else 0.0
    while len(vals) < k:
        vals.append(vals[-1] + max(step, 0.0))
    return vals


def with_queue_settings(config: PlanConfig, queue: str, *, clear_targets: bool = False,
                        **settings) -> PlanConfig:
    """The plan with one queue's targets, staffing rules and parameters changed (validated like
    the TOML file; raises :class:`ConfigError` listing every problem, keyed like the file:
    ``queues.voice.aht_s``).

    ``settings`` are some of :data:`QUEUE_SETTINGS`: the targets of :data:`core.TARGET_SPECS`
    (shares in (0, 1), ``asa_s`` in seconds), ``awt_s`` (seconds), ``shrinkage`` (the total share)
    or its parts ``shrinkage_planned`` (breaks, meals, scheduled training) and
    ``shrinkage_unplanned`` (absence, sickness), ``concurrency`` (chats per agent), ``aht_s``,
    ``aht_by_concurrency_s`` (a sequence, one per chat held) and ``patience_s`` (seconds),
    ``hours_mon`` .. ``hours_sun`` (a day's opening hours, ``"07:00-24:00"``, ``"closed"``) and the
    plan-wide ``paid_hours_per_week`` (hours of one FTE; the ``[headcount]`` of every queue). None
    leaves a setting as the plan has it. ``clear_targets`` drops the queue's existing targets first
    (so that e.g. a chat queue can be planned on service level instead of "no waiting"). Changing a
    chat queue's ``concurrency`` without ``aht_by_concurrency_s`` shortens or extends the plan's
    ``aht_by_concurrency_s`` (extended by its last step)."""
    check_queue(config, queue)
    unknown = sorted(set(settings) - set(QUEUE_SETTINGS))
    if unknown:
        raise InputError(f"queue settings: unknown setting(s) {unknown}; expected some of {list(QUEUE_SETTINGS)}")
    given = {k: v for k, v in settings.items() if v is not None}
    plan_wide = {k: given.pop(k) for k in PLAN_WIDE_SETTINGS if k in given}
    hours = {k.removeprefix("hours_"): given.pop(k) for k in HOURS_SETTINGS if k in given}
    concurrency = given.pop("concurrency", None)
    curve = given.pop("aht_by_concurrency_s", None)
    defaults = config.raw.get("defaults") or {}
    table = copy.deepcopy(config.raw.get("queues", {}).get(queue, {}))
    targets = {} if clear_targets else dict(table.get("targets") or {})
    _set_shrinkage(table, config.queues[queue], given)
    for key, val in given.items():
        in_targets = key == "awt_s" or (key in TARGET_NAMES and key not in QUEUE_LEVEL_TARGETS)
        (targets if in_targets else table)[key] = val if isinstance(val, str) else float(val)
    table["targets"] = targets
    if concurrency is not None:
        table["concurrency"] = int(concurrency) if float(concurrency).is_integer() else concurrency
    if curve is not None:
        table["aht_by_concurrency_s"] = [v if isinstance(v, str) else float(v) for v in curve]
    elif concurrency is not None:
        abc = table.get("aht_by_concurrency_s") or defaults.get("aht_by_concurrency_s")
        if abc:
            table["aht_by_concurrency_s"] = extend_handle_times(abc, int(concurrency))
    if hours:
        # the queue's own table replaces [defaults]' one: start from the hours in force
        days = copy.deepcopy(table.get("hours") or defaults.get("hours") or {"default": "24h"})
        table["hours"] = {**days, **hours}
    queues = dict(config.raw.get("queues", {}))
    queues[queue] = table
    if plan_wide:
        return config.with_overrides(queues=queues, headcount={k: float(v) for k, v in plan_wide.items()})
    return config.with_overrides(queues=queues)


def _set_shrinkage(table: dict, q, given: dict) -> None:
    """Shrinkage is one setting in two styles (the total, or its two parts): the style given
    replaces the other in the queue's table (a queue giving either inherits neither from
    [defaults]); a part given alone keeps the queue's other part. Pops them from ``given``."""
    parts = {k: given.pop(k) for k in ("shrinkage_planned", "shrinkage_unplanned") if k in given}
    total = given.pop("shrinkage", None)
    if total is not None:
        for k in ("shrinkage_planned", "shrinkage_unplanned"):
            table.pop(k, None)
        table["shrinkage"] = float(total)
    if parts:
        table.pop("shrinkage", None)
        table["shrinkage_planned"] = float(parts.get("shrinkage_planned", q.shrinkage_planned or 0.0))
        table["shrinkage_unplanned"] = float(parts.get("shrinkage_unplanned", q.shrinkage_unplanned or 0.0))
