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

from ..config import InputError, PlanConfig

__all__ = ["FAST_MODEL", "MODEL_CHOICES", "QUEUE_LEVEL_TARGETS", "QUEUE_SETTINGS", "model_choices",
           "check_queue", "one_queue", "with_forecast_settings", "with_queue_settings", "plan_forecast_settings",
           "departures_from_plan"]

FAST_MODEL = "profile"  # recent weekday x time-of-day profile: seconds, and what auto picks on the bundled voice queue
MODEL_CHOICES = dict(registry_choices())  # name -> description, from the one model registry ("auto" last)

# The plan TOML keeps these targets of core.TARGET_SPECS beside the queue's ``targets`` table (they
# are staffing rules of the queue); every other target goes into ``targets``.
QUEUE_LEVEL_TARGETS = ("max_occupancy",)
# Every setting :func:`with_queue_settings` takes: the targets, the service level's AWT, and the
# queue's staffing rules and handle-time / patience numbers.
QUEUE_SETTINGS = TARGET_NAMES + ("awt_s", "shrinkage", "concurrency", "aht_s", "patience_s")


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
    if queue and queue_settings:
        q = config.queues[queue]
        for key, val in sorted(queue_settings.items()):
            if val is None:
                continue
            if key in TARGET_NAMES and key not in QUEUE_LEVEL_TARGETS or key == "awt_s":
                plan_val = getattr(q.targets, key, None)
            else:
                plan_val = getattr(q, key, None)
            if plan_val is None or abs(float(val) - float(plan_val)) > 1e-9:
                out.append(f"{queue} {key} {float(val):g} (plan: {'none' if plan_val is None else f'{float(plan_val):g}'})")
    return out


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


def _extend_aht(values: list[float], k: int) -> list[float]:
    vals = [float(v) for v in values]
    if k <= len(vals):
        return vals[:k]
    step = vals[-1] - vals[-2] if len(vals) >= 2 else 0.0
    while len(vals) < k:
        vals.append(vals[-1] + max(step, 0.0))
    return vals


def with_queue_settings(config: PlanConfig, queue: str, *, clear_targets: bool = False,
                        **settings: float | int | None) -> PlanConfig:
    """The plan with one queue's targets / staffing rules changed (validated like the TOML file;
    raises :class:`ConfigError` listing every problem).

    ``settings`` are some of :data:`QUEUE_SETTINGS`: the targets of :data:`core.TARGET_SPECS`
    (shares in (0, 1), ``asa_s`` in seconds), ``awt_s`` (seconds), ``shrinkage`` (share),
    ``concurrency`` (chats per agent), ``aht_s`` and ``patience_s`` (seconds); None leaves a setting
    as the plan has it. ``clear_targets`` drops the queue's existing targets first (so that e.g. a
    chat queue can be planned on service level instead of "no waiting"). Changing a chat queue's
    ``concurrency`` shortens or extends ``aht_by_concurrency_s`` (extended by its last step)."""
    check_queue(config, queue)
    unknown = sorted(set(settings) - set(QUEUE_SETTINGS))
    if unknown:
        raise InputError(f"queue settings: unknown setting(s) {unknown}; expected some of {list(QUEUE_SETTINGS)}")
    given = {k: v for k, v in settings.items() if v is not None}
    concurrency = given.pop("concurrency", None)
    table = copy.deepcopy(config.raw.get("queues", {}).get(queue, {}))
    targets = {} if clear_targets else dict(table.get("targets") or {})
    for key, val in given.items():
        in_targets = key == "awt_s" or (key in TARGET_NAMES and key not in QUEUE_LEVEL_TARGETS)
        (targets if in_targets else table)[key] = float(val)
    table["targets"] = targets
    if concurrency is not None:
        table["concurrency"] = int(concurrency)
        abc = table.get("aht_by_concurrency_s")
        if abc is None:
            abc = (config.raw.get("defaults") or {}).get("aht_by_concurrency_s")
        if abc:
            table["aht_by_concurrency_s"] = _extend_aht(abc, int(concurrency))
    queues = dict(config.raw.get("queues", {}))
    queues[queue] = table
    return config.with_overrides(queues=queues)
