"""The dashboard's "Save as plan TOML": the plan with the planner's settings applied, written as a
plan file that ``staffcast run --config`` reads back as the same plan.

Paths: the saved file may be stored anywhere (a browser download), so the history files (and the
``[schedule]`` roster) are written as absolute paths; ``store`` and ``output_dir`` stay as the
plan has them (relative to the working directory of the run).
"""
from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

from ..config import PlanConfig
from ..config.writing import dumps
from .settings import departures_from_plan, plan_forecast_settings, with_forecast_settings, with_queue_settings

__all__ = ["plan_with_settings", "all_departures", "plan_toml", "plan_file_name"]


def plan_with_settings(config: PlanConfig, forecast_settings: tuple | None = None,
                       queue_settings: dict[str, dict] | None = None) -> PlanConfig:
    """The plan with the dashboard's settings: ``forecast_settings`` ``(model, horizon_days,
    history_weeks)`` and ``queue_settings`` ``{queue: {setting: value}}`` (keywords of
    :func:`~planning.views.settings.with_queue_settings`). Raises ``ConfigError`` like the file."""
    if forecast_settings is not None:
        model, horizon, weeks = forecast_settings
        config = with_forecast_settings(config, model=model, horizon_days=horizon, history_weeks=weeks)
    for queue, settings in (queue_settings or {}).items():
        if settings:
            config = with_queue_settings(config, queue, **settings)
    return config


def all_departures(config: PlanConfig, forecast_settings: tuple, queue_settings: dict[str, dict]) -> list[str]:
    """Where :func:`plan_with_settings` of these settings departs from ``config``, in words: the
    forecast settings, then each queue's (a plan-wide setting named once)."""
    out = departures_from_plan(config, forecast_settings)
    plan_fs = plan_forecast_settings(config)
    for queue, settings in queue_settings.items():
        out += [d for d in departures_from_plan(config, plan_fs, queue, settings) if d not in out]
    return out


def _absolute_paths(raw: dict, config: PlanConfig) -> dict:
    """``raw`` with every queue's ``history`` (and ``[schedule]``'s ``roster``) as absolute paths."""
    doc = copy.deepcopy(raw)
    for name, table in (doc.get("queues") or {}).items():
        if isinstance(table, dict) and name in config.queues and "history" in table:
            table["history"] = str(Path(config.queues[name].history).resolve())
    roster = (doc.get("schedule") or {}).get("roster")
    if isinstance(roster, str) and config.source is not None and not Path(roster).is_absolute():
        doc["schedule"]["roster"] = str((Path(config.source).resolve().parent / roster).resolve())
    return doc


def plan_toml(config: PlanConfig, departures: list[str] | None = None,
              now: dt.datetime | None = None) -> str:
    """``config`` as plan TOML text: its document (``config.raw``, the name written out), history
    paths absolute, and a comment header naming the plan it came from and ``departures`` (the
    settings that differ from that plan, in words). ``load_config`` of the text is ``config``
    (but for ``source``)."""
    doc = _absolute_paths(config.raw, config)
    doc.setdefault("plan", {})["name"] = config.name
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"staffcast plan '{config.name}', saved from the dashboard at {stamp}",
             f"from {config.source}" if config.source else "from the dashboard's plan",
             "history paths are absolute, so this file may be kept anywhere; run it with",
             "  staffcast run --config <this file>"]
    if departures:
        lines.append("settings changed in the dashboard (they differ from the plan it came from):")
        lines += [f"  - {d}" for d in departures]
    return dumps(doc, header="\n".join(lines))


def plan_file_name(config: PlanConfig) -> str:
    """The download's file name: ``<plan name>-dashboard.toml`` (only safe characters)."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in config.name).strip("-") or "plan"
    return f"{safe}-dashboard.toml"
