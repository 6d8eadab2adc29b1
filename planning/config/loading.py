"""Reading a plan TOML file into a :class:`PlanConfig`: every problem at once, each named by its key.

The sections are validated by the schema (:mod:`.schema`); each queue is validated after the
``[defaults]`` are merged into it. A bad value a queue inherits from ``[defaults]`` is reported
once, as ``defaults.<key>``, with the queues that use it. Shrinkage is one setting: a queue that
gives ``shrinkage`` or one of its parts does not inherit the other style from ``[defaults]``.
"""
from __future__ import annotations

import copy
import tomllib
from dataclasses import asdict
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from core.hours import WEEKDAYS, OpeningHours
from core.targets import Targets

from .objects import PlanConfig, QueueConfig
from .problems import ConfigError, problems_from
from .schedule import parse_schedule
from .schema import (DEFAULT_KEYS, PlanFile, QueueTable, SimulationConfig, queue_rules, resolve_history,
                     shrinkage_total)

__all__ = ["load_config", "parse_config", "read_toml", "simulation_with", "SHRINKAGE_KEYS"]

# one setting in two styles: a queue giving any of these replaces all of [defaults]' ones
SHRINKAGE_KEYS = frozenset({"shrinkage", "shrinkage_planned", "shrinkage_unplanned"})

_SIMULATION = TypeAdapter(SimulationConfig)


def read_toml(path: str | Path) -> dict:
    """A TOML file parsed; :class:`ConfigError` naming the file when it is missing, unreadable, not
    UTF-8 (with the line and byte of the first bad byte) or not TOML."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([("config", f"file not found: {path}")], path) from None
    except OSError as exc:
        raise ConfigError([("config", f"cannot read {path}: {exc.strerror or exc}")], path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError([("config", f"{path} is not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line} "
                                      f"(byte {exc.start}); save the file as UTF-8")], path) from None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:  # ValueError: e.g. an integer of 5000 digits
        raise ConfigError([("config", f"{path} is not valid TOML: {str(exc)[:200]}")], path) from None


def load_config(path: str | Path) -> PlanConfig:
    """Read and validate a plan TOML file. Raises :class:`ConfigError` (an :class:`InputError`)."""
    path = Path(path)
    raw = read_toml(path)
    return parse_config(raw, base_dir=path.resolve().parent, source=path)


def parse_config(raw: dict, *, base_dir: str | Path | None = None, source=None,
                 check_files: bool = True) -> PlanConfig:
    """Validate a parsed TOML document. Relative history paths are resolved against ``base_dir``;
    ``check_files=False`` skips the check that history files exist (e.g. re-reading a stored run)."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    problems: list[tuple[str, str]] = []
    try:
        doc = PlanFile.model_validate(raw)
    except ValidationError as exc:
        problems += problems_from(exc, PlanFile)
        doc = None
    queues_raw = raw.get("queues") if isinstance(raw.get("queues"), dict) else {}
    defaults = raw.get("defaults") if isinstance(raw.get("defaults"), dict) else {}
    if not queues_raw and isinstance(raw.get("queues", {}), dict):
        problems.append(("queues", "no queues defined; expected at least one [queues.NAME] table"))
    queues, queue_problems = _parse_queues(queues_raw, defaults, base, check_files)
    problems += queue_problems
    schedule = None
    if raw.get("schedule") is not None:
        schedule, found = parse_schedule(raw["schedule"], raw, queues, base, check_files)
        problems += found
    if problems:
        raise ConfigError(problems, source)
    plan = doc.plan
    return PlanConfig(
        name=plan.name if plan.name is not None else (Path(source).stem if source else "plan"),
        timezone=plan.timezone, interval_s=plan.interval_min * 60, queues=queues, forecast=doc.forecast,
        simulation=doc.simulation, headcount=doc.headcount, week_start=plan.week_start, store=plan.store,
        output_dir=Path(plan.output_dir) if plan.output_dir else None,
        source=Path(source) if source is not None else None, raw=copy.deepcopy(raw), schedule=schedule,
        base_dir=base,
    )


def _parse_queues(queues_raw: dict, defaults: dict, base: Path,
                  check_files: bool) -> tuple[dict[str, QueueConfig], list[tuple[str, str]]]:
    """Every queue with the ``[defaults]`` merged in, and the problems (the defaults rule applied)."""
    queues: dict[str, QueueConfig] = {}
    problems: list[tuple[str, str]] = []
    from_defaults: dict[tuple[str, str], list[str]] = {}  # (defaults key, message) -> queues using it
    for qname, qraw in queues_raw.items():
        if not isinstance(qraw, dict):
            problems.append((f"queues.{qname}", f"expected a table [queues.{qname}], got {type(qraw).__name__}"))
            continue
        inherit = DEFAULT_KEYS - SHRINKAGE_KEYS if SHRINKAGE_KEYS & set(qraw) else DEFAULT_KEYS
        merged = {**{k: v for k, v in defaults.items() if k in inherit}, **qraw}
        if isinstance(defaults.get("targets"), dict) and isinstance(qraw.get("targets"), dict):
            merged["targets"] = {**defaults["targets"], **qraw["targets"]}
        found, q = _parse_queue(qname, merged, base, check_files)
        if q is not None:
            queues[qname] = q
        for key, msg in found:  # a bad value inherited from [defaults] is reported once, under its key
            dkey = _defaults_key(key, qraw, defaults)
            if dkey is None:
                problems.append((f"queues.{qname}.{key}", msg))
                continue
            if (dkey, msg) not in from_defaults:
                problems.append((dkey, msg))  # placeholder, named with its queues below
            from_defaults.setdefault((dkey, msg), []).append(qname)
    problems = [(k, f"{m} (used by queues {', '.join(from_defaults[(k, m)])})") if (k, m) in from_defaults
                else (k, m) for k, m in problems]
    return queues, problems


def _parse_queue(qname: str, table: dict, base: Path,
                 check_files: bool) -> tuple[list[tuple[str, str]], QueueConfig | None]:
    """``(problems, queue)`` of one merged queue table; problem keys are relative to the queue."""
    found, bad = [], set()
    try:
        t = QueueTable.model_validate(table, context={"base": base, "check_files": check_files})
    except ValidationError as exc:
        t, found = None, problems_from(exc, QueueTable)
        bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
    found += queue_rules(table, bad)
    if found:
        return found, None
    return [], _queue_config(qname, t, base)


def _queue_config(qname: str, t: QueueTable, base: Path) -> QueueConfig:
    """The validated table as a :class:`QueueConfig` of core objects."""
    hours = OpeningHours()
    if t.hours is not None:
        days = {d: getattr(t.hours, d) for d in WEEKDAYS if getattr(t.hours, d) is not None}
        hours = OpeningHours.from_text(days, default=t.hours.default)
    queue_col = t.queue_col
    if t.queue_value is not None and queue_col is None:
        queue_col = "queue"  # forecast.read_history picks up a column literally named "queue": filter on it
    return QueueConfig(
        name=qname, kind=t.kind, history=resolve_history(t.history, base), time_col=t.time_col,
        time_format=t.time_format, volume_col=t.volume_col, aht_col=t.aht_col, queue_col=queue_col,
        queue_value=t.queue_value, history_tz=t.history_tz, aht_s=t.aht_s,
        targets=Targets(**t.targets.model_dump(), max_occupancy=t.max_occupancy),
        shrinkage=_total_shrinkage(t), shrinkage_planned=_part(t, t.shrinkage_planned),
        shrinkage_unplanned=_part(t, t.shrinkage_unplanned), patience_s=t.patience_s, concurrency=t.concurrency,
        aht_by_concurrency_s=tuple(t.aht_by_concurrency_s) if t.aht_by_concurrency_s else None,
        min_agents=t.min_agents, hours=hours, retrial_prob=t.retrial_prob, retrial_delay_s=t.retrial_delay_s,
        callback_threshold_s=t.callback_threshold_s, callback_accept_prob=t.callback_accept_prob,
        callback_promise_s=t.callback_promise_s,
    )


def _part(t: QueueTable, value: float | None) -> float | None:
    """A shrinkage part: as given; 0 when only the other part is given; None without a split."""
    if t.shrinkage_planned is None and t.shrinkage_unplanned is None:
        return None
    return value if value is not None else 0.0


def _total_shrinkage(t: QueueTable) -> float:
    """``shrinkage`` as given, else the total of its parts, else 0."""
    if t.shrinkage is not None:
        return t.shrinkage
    if t.shrinkage_planned is None and t.shrinkage_unplanned is None:
        return 0.0
    return shrinkage_total(t.shrinkage_planned or 0.0, t.shrinkage_unplanned or 0.0)


def _defaults_key(key: str, qraw: dict, defaults: dict) -> str | None:
    """``defaults.<key>`` if the value a queue's problem ``key`` (relative to the queue) is about
    came from ``[defaults]`` (the queue does not set it), else None."""
    path = key.split(".")
    top = path[0]
    if top in qraw:
        if top == "targets" and len(path) > 1 and isinstance(qraw["targets"], dict) \
                and path[1] not in qraw["targets"] and isinstance(defaults.get("targets"), dict) \
                and path[1] in defaults["targets"]:
            return "defaults." + key
        return None
    if top in defaults and top in DEFAULT_KEYS:
        return "defaults." + key
    return None


def simulation_with(base: SimulationConfig, **values) -> SimulationConfig:
    """``base`` with ``values`` (``seed=..., rate_cv=...``; None: keep ``base``'s) checked by the
    ``[simulation]`` schema of a plan file; raises :class:`ConfigError` keyed ``simulation.<name>``."""
    table = {k: v for k, v in asdict(base).items() if v is not None}
    table.update({k: v for k, v in values.items() if v is not None})
    try:
        return _SIMULATION.validate_python(table)
    except ValidationError as exc:
        raise ConfigError(problems_from(exc, SimulationConfig, "simulation.")) from None
