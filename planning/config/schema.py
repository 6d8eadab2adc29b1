"""The plan TOML schema: every section's keys, types and ranges, declared once (pydantic v2).

``[forecast]``, ``[simulation]`` and ``[headcount]`` are validated straight into their config
objects (:class:`ForecastConfig`, :class:`SimulationConfig`, :class:`HeadcountConfig`, pydantic
dataclasses); ``[plan]``, ``[defaults]`` and each ``[queues.NAME]`` table are validated by the
table models here and turned into ``PlanConfig`` / ``QueueConfig`` by :mod:`.loading`.

Numbers are strict: a bool is not a number, a string is not a number, a whole float (``3.0``) is
an integer, an integer is a number; NaN and infinity are refused. A range is a :class:`Range`
(reported as ``out of range: 80.0; expected (0.0, 1.0)``). The service-target keys come from
``core.TARGET_SPECS``. Rules between keys of one queue (a voice queue has concurrency 1, ...)
are :func:`queue_rules`, which runs on the keys that passed, so every problem is found at once.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (AfterValidator, AllowInfNan, BaseModel, BeforeValidator, ConfigDict, Field, Strict,
                      ValidationInfo, create_model, field_validator, model_validator)
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic_core import PydanticCustomError, core_schema

from core.hours import WEEKDAYS, parse_hours
from core.targets import SL_DEFINITIONS, TARGET_SPECS

__all__ = [
    "Range", "ForecastConfig", "SimulationConfig", "HeadcountConfig", "PlanTable", "TargetsTable",
    "HoursTable", "QueueTable", "DefaultsTable", "PlanFile", "QUEUE_TARGET_NAMES", "DEFAULT_KEYS",
    "queue_rules", "resolve_history", "shrinkage_total",
]

_TABLE = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- value types


@dataclass(frozen=True)
class Range:
    """A numeric range, as pydantic metadata: ``Annotated[float, Range(0.0, 1.0, hi_open=True)]``.

    Bounds are inclusive unless ``lo_open`` / ``hi_open``; ``None`` means unbounded. Give float
    bounds for number keys and int bounds for integer keys (the message prints them as given).
    """

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False

    def text(self) -> str:
        """``[0.0, 2.0]``, ``(0.0, 1.0)``, ``>= 0``..."""
        if self.lo is not None and self.hi is not None:
            return f"{'(' if self.lo_open else '['}{self.lo}, {self.hi}{')' if self.hi_open else ']'}"
        if self.lo is not None:
            return f"{'>' if self.lo_open else '>='} {self.lo}"
        return f"{'<' if self.hi_open else '<='} {self.hi}"

    def contains(self, v) -> bool:
        if self.lo is not None and (v < self.lo or (self.lo_open and v == self.lo)):
            return False
        return not (self.hi is not None and (v > self.hi or (self.hi_open and v == self.hi)))

    def _check(self, v):
        if v is not None and not self.contains(v):
            raise PydanticCustomError("out_of_range", "out of range: {value}; expected {range}",
                                      {"value": repr(v), "range": self.text()})
        return v

    def __get_pydantic_core_schema__(self, source, handler):
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    @classmethod
    def of_target(cls, name: str) -> "Range":
        """The valid range of a service target, from ``core.TARGET_SPECS``."""
        spec = TARGET_SPECS[name]
        hi = None if math.isinf(spec.high) else spec.high
        return cls(spec.low, hi, lo_open=True, hi_open=not spec.high_inclusive)


def _whole_float_to_int(v):
    """TOML ``3.0`` for an integer key is 3 (``3.5`` stays a float and is refused)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


Number = Annotated[float, Strict(), AllowInfNan(False)]
Integer = Annotated[int, BeforeValidator(_whole_float_to_int), Strict()]
Text = Annotated[str, Strict()]
Flag = Annotated[bool, Strict()]


def _time_zone(name: str | None) -> str | None:
    if name is not None:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError("time_zone", "unknown time zone {name}; expected an IANA name like "
                                      "'Asia/Jerusalem'", {"name": repr(name)}) from None
    return name


def _divides_day(minutes: int) -> int:
    if 1440 % minutes:
        raise PydanticCustomError("interval", "{m} does not divide a day (1440 minutes); use e.g. 15, 30 or 60",
                                  {"m": minutes})
    return minutes


def _as_date(v):
    """A TOML date, a TOML datetime (its date) or an ISO string like ``1999-12-01``."""
    if v is None or (isinstance(v, dt.date) and not isinstance(v, dt.datetime)):
        return v
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            pass
    raise PydanticCustomError("date", "expected a date like 1999-12-01, got {value}", {"value": repr(v)})


def _all_weeks(v):
    """``history_weeks = 0`` or ``"all"``: use the whole history (None)."""
    if not isinstance(v, bool) and v in (0, "all"):
        return None
    return v


def _no_country(v):
    """``country = ""`` or ``"none"``: no holiday calendar (None)."""
    return None if v in ("", "none") else v


def _known_country(code: str | None) -> str | None:
    import holidays  # slow to import; only when a country is given

    if code is not None and code not in holidays.list_supported_countries():
        raise PydanticCustomError("country", "{code} is not a country code the `holidays` package knows; "
                                  "expected e.g. 'IL', 'DE', 'US', or \"none\"", {"code": repr(code)})
    return code


def _day_hours(text: str) -> str:
    try:
        parse_hours(text)
    except ValueError as exc:
        raise PydanticCustomError("hours", "opening hours do not parse: {why}", {"why": str(exc)}) from None
    return text


TimeZone = Annotated[Text, AfterValidator(_time_zone)]
DayHours = Annotated[Text, AfterValidator(_day_hours)]
Seconds = Annotated[Number, Range(0.0, lo_open=True)]
Share = Annotated[Number, Range(0.0, 1.0)]


# --------------------------------------------------------------------------- sections as config objects


@pydantic_dataclass(frozen=True, config=_TABLE)
class ForecastConfig:
    """``[forecast]``: how to forecast.

    ``model`` names a forecast model (``"auto"`` picks by backtest); ``horizon_days`` days are
    forecast from ``as_of`` (None: the day after the history ends); ``history_weeks`` weeks of
    history are used (None: all); ``country`` is a ``holidays`` country code (None: no holiday
    calendar); the backtest uses ``backtest_origins`` origins of ``backtest_horizon_days`` days.
    """

    model: Text = "auto"
    horizon_days: Annotated[Integer, Range(1, 366)] = 28
    history_weeks: Annotated[Optional[Annotated[Integer, Range(2, 520)]], BeforeValidator(_all_weeks)] = 10
    as_of: Annotated[Optional[dt.date], BeforeValidator(_as_date)] = None
    country: Annotated[Optional[Text], BeforeValidator(_no_country), AfterValidator(_known_country)] = None
    backtest_origins: Annotated[Integer, Range(1, 52)] = 3
    backtest_horizon_days: Annotated[Integer, Range(1, 366)] = 7


@pydantic_dataclass(frozen=True, config=_TABLE)
class SimulationConfig:
    """``[simulation]``: the simulation check of the analytic plan.

    ``replications`` runs per block with ``seed``; ``rate_cv`` is the coefficient of variation of
    a per-replication busyness factor on the arrival rate (0: none); ``days`` simulates only the
    first N days of the horizon (None: all); ``refine`` adds agents where targets are missed.
    """

    enabled: Flag = True
    refine: Flag = True
    replications: Annotated[Integer, Range(1, 10_000)] = 10
    seed: Annotated[Integer, Range(0)] = 20240601
    rate_cv: Annotated[Number, Range(0.0, 2.0)] = 0.0
    days: Optional[Annotated[Integer, Range(1, 366)]] = None


@pydantic_dataclass(frozen=True, config=_TABLE)
class HeadcountConfig:
    """``[headcount]``: paid hours of one full-time agent per week (FTE = agent hours / this)."""

    paid_hours_per_week: Annotated[Number, Range(0.0, 168.0, lo_open=True)] = 40.0


class PlanTable(BaseModel):
    """``[plan]``: name (default: the file name), time zone, interval length, week start, where to
    store runs (SQLite path or URL) and write exports."""

    model_config = _TABLE
    name: Optional[Text] = None
    timezone: Optional[TimeZone] = None
    interval_min: Annotated[Integer, Range(1, 1440), AfterValidator(_divides_day)] = 30
    week_start: Literal[WEEKDAYS] = "mon"
    store: Optional[Text] = None
    output_dir: Optional[Text] = None


# --------------------------------------------------------------------------- a queue


# The targets of the `targets = {...}` table: core's targets except max_occupancy, which is a
# staffing rule of the queue (its own key, also settable in [defaults]).
QUEUE_TARGET_NAMES: tuple[str, ...] = tuple(n for n in TARGET_SPECS if n != "max_occupancy")

TargetsTable = create_model(
    "TargetsTable",
    __config__=_TABLE,
    __doc__="A queue's ``targets = {...}``: core.TARGET_SPECS' targets, awt_s (seconds) and sl_definition.",
    **{n: (Optional[Annotated[Number, Range.of_target(n)]], None) for n in QUEUE_TARGET_NAMES},
    awt_s=(Annotated[Number, Range(0.0)], 20.0),
    sl_definition=(Literal[SL_DEFINITIONS], "offered"),
)


class _HoursBase(BaseModel):
    model_config = _TABLE
    kind_text: ClassVar[str] = 'a table of weekday = "HH:MM-HH:MM"'

    @model_validator(mode="after")
    def _open_some_day(self):
        days = [getattr(self, d) if getattr(self, d) is not None else self.default for d in WEEKDAYS]
        if not any(parse_hours(text) for text in days if text is not None):
            raise PydanticCustomError("never_open", "the queue is never open; expected opening hours on at "
                                      "least one day")
        return self


HoursTable = create_model(
    "HoursTable",
    __base__=_HoursBase,
    __doc__="A queue's ``hours = {mon = \"08:00-20:00\", default = \"closed\", ...}`` (days not given: "
            "``default``, closed without it).",
    **{d: (Optional[DayHours], None) for d in (*WEEKDAYS, "default")},
)


def resolve_history(text: str, base: Path) -> Path:
    """A ``history`` path, relative to the config file's directory ``base``."""
    path = Path(text)
    return path if path.is_absolute() else base / path


class QueueTable(BaseModel):
    """One ``[queues.NAME]`` table, after ``[defaults]`` are merged in (see ``planning.config``).

    Validate with ``context={"base": Path, "check_files": bool}`` to resolve and check ``history``.
    Seconds: ``aht_s``, ``patience_s``, ``aht_by_concurrency_s``; shares: ``shrinkage``,
    ``shrinkage_planned``, ``shrinkage_unplanned``, ``max_occupancy`` (see :func:`shrinkage_total`).
    Redials and callbacks (see ``core.QueueModel``): ``retrial_prob`` (share in [0, 1)),
    ``retrial_delay_s``, ``callback_threshold_s``, ``callback_accept_prob`` (share),
    ``callback_promise_s``.
    """

    model_config = _TABLE
    kind: Literal["voice", "chat"] = "voice"
    history: Text = Field(description="a string (the history file, relative to the config file)")
    time_col: Text = "interval_start"
    time_format: Optional[Text] = None  # strptime format; None = ISO 8601
    volume_col: Text = "volume"
    aht_col: Optional[Text] = None
    queue_col: Optional[Text] = None
    queue_value: Annotated[Optional[Text], BeforeValidator(lambda v: None if v is None else str(v))] = None
    history_tz: Optional[TimeZone] = None
    aht_s: Optional[Annotated[Number, Range(0.0, 86_400.0, lo_open=True)]] = None
    targets: Optional[TargetsTable] = None  # missing: reported by queue_rules
    shrinkage: Optional[Annotated[Number, Range(0.0, 1.0, hi_open=True)]] = None  # None: from the parts, else 0
    shrinkage_planned: Optional[Annotated[Number, Range(0.0, 1.0, hi_open=True)]] = None
    shrinkage_unplanned: Optional[Annotated[Number, Range(0.0, 1.0, hi_open=True)]] = None
    max_occupancy: Optional[Annotated[Number, Range.of_target("max_occupancy")]] = None
    patience_s: Optional[Seconds] = None
    concurrency: Annotated[Integer, Range(1, 50)] = 1
    aht_by_concurrency_s: Optional[Annotated[list[Seconds], Field(min_length=1)]] = None
    min_agents: Annotated[Integer, Range(0)] = 0
    hours: Optional[HoursTable] = None  # None: open around the clock
    # redials and callbacks (core.QueueModel): share redialing after hanging up, mean delay (s);
    # callbacks offered above an expected wait (s), accepted share, promised time (s)
    retrial_prob: Annotated[Number, Range(0.0, 1.0, hi_open=True)] = 0.0
    retrial_delay_s: Annotated[Number, Range(0.0, 86_400.0, lo_open=True)] = 300.0
    callback_threshold_s: Annotated[Number, Range(0.0, 86_400.0)] = 120.0
    callback_accept_prob: Share = 0.0
    callback_promise_s: Annotated[Number, Range(0.0, 7 * 86_400.0, lo_open=True)] = 3600.0

    @field_validator("history")
    @classmethod
    def _history_exists(cls, text: str, info: ValidationInfo) -> str:
        ctx = info.context or {}
        path = resolve_history(text, Path(ctx.get("base", ".")))
        if ctx.get("check_files", True) and not path.is_file():
            raise PydanticCustomError("history", "history file not found: {path}", {"path": str(path)})
        return text


# [defaults]: any queue key but the ones that name a queue's own data (values checked per queue).
DEFAULT_KEYS: frozenset[str] = frozenset(QueueTable.model_fields) - {"history", "queue_value", "kind"}
DefaultsTable = create_model("DefaultsTable", __config__=_TABLE,
                             **{k: (Any, None) for k in sorted(DEFAULT_KEYS)})


class PlanFile(BaseModel):
    """The whole document: its sections (queues are validated one by one, after the defaults)."""

    model_config = _TABLE
    sections: ClassVar[bool] = True  # its keys are [sections] (named so in messages)
    plan: PlanTable = PlanTable()
    forecast: ForecastConfig = ForecastConfig()
    simulation: SimulationConfig = SimulationConfig()
    headcount: HeadcountConfig = HeadcountConfig()
    defaults: DefaultsTable = DefaultsTable()
    queues: dict[str, Any] = {}
    schedule: Optional[dict[str, Any]] = None  # validated by .schedule (scheduling's rules + planning keys)


def shrinkage_total(planned: float, unplanned: float) -> float:
    """Total shrinkage of the two parts: they compound on the time that is left,
    ``1 - (1 - planned) * (1 - unplanned)`` (12.5 % planned and 20 % unplanned are 30 %)."""
    return round(1.0 - (1.0 - planned) * (1.0 - unplanned), 12)  # 0.3, not 0.29999999999999993


def _shrinkage_rule(ok: dict) -> list[tuple[str, str]]:
    """``shrinkage`` given with its parts must be their total (see :func:`shrinkage_total`)."""
    total, p, u = (ok.get(k) for k in ("shrinkage", "shrinkage_planned", "shrinkage_unplanned"))
    if total is None or (p is None and u is None):
        return []
    want = shrinkage_total(p or 0.0, u or 0.0)
    if abs(total - want) <= 1e-6:
        return []
    return [("shrinkage", f"{total:g} is not the total of shrinkage_planned {p or 0.0:g} and shrinkage_unplanned "
                          f"{u or 0.0:g} (1 - (1 - planned) x (1 - unplanned) = {want:.4g}); give either shrinkage "
                          "or the two parts, or consistent values")]


def queue_rules(table: dict, bad: set[str]) -> list[tuple[str, str]]:
    """Rules between keys of one (merged) queue table: ``[(key, message)]`` with keys relative to
    the queue. ``bad`` holds the top-level keys that failed validation; they are not used."""
    ok = {k: v for k, v in table.items() if k not in bad}
    out = []
    kind, conc, curve = ok.get("kind", "voice"), ok.get("concurrency", 1), ok.get("aht_by_concurrency_s")
    if "kind" in bad or "concurrency" in bad:
        kind = conc = None
    if curve is not None and conc is not None and len(curve) != conc:
        out.append(("aht_by_concurrency_s", f"has {len(curve)} value(s); expected one per concurrency "
                                            f"level 1..{conc}"))
    out += _shrinkage_rule(ok)
    if kind == "voice" and conc > 1:
        out.append(("concurrency", "voice queues handle one contact per agent; expected 1 (or kind = 'chat')"))
    if "aht_s" in ok and curve is not None:  # two one-chat times: refuse rather than pick one
        out.append(("aht_s", "give aht_s or aht_by_concurrency_s, not both (aht_by_concurrency_s[0] is "
                             "the one-chat time; a history's realised chat AHT converts with "
                             "simulation.one_chat_handle_time)"))
    if not any(k in table for k in ("aht_s", "aht_col", "aht_by_concurrency_s")):
        out.append(("aht_s", "missing: give aht_s (seconds), aht_col (a history column) or, for chat, "
                             "aht_by_concurrency_s"))
    names = ", ".join(QUEUE_TARGET_NAMES)
    targets = table.get("targets")
    if targets is None:
        out.append(("targets", f"missing; expected a table with at least one of {names}"))
    elif isinstance(targets, dict):
        if not any(n in targets for n in QUEUE_TARGET_NAMES):
            out.append(("targets", f"no target given; expected at least one of {names}"))
        if "abandon_rate" in targets and "patience_s" not in table:
            out.append(("targets.abandon_rate", "an abandonment target needs patience_s (mean patience, seconds)"))
    return out
