"""Plan configuration: a TOML file describing the center, validated before any work starts.

Layout (see ``data/plan.toml`` for a working example)::

    [plan]        name, timezone, interval_min, week_start, store, output_dir
    [forecast]    model, horizon_days, history_weeks, as_of, country, backtest_origins,
                  backtest_horizon_days
    [simulation]  enabled, refine, replications, seed, rate_cv, days
    [headcount]   paid_hours_per_week
    [defaults]    any per-queue setting (shrinkage, max_occupancy, patience_s, targets, hours...)
    [queues.NAME] kind, history, time_col, time_format, volume_col, aht_col, queue_col, queue_value,
                  history_tz, aht_s, shrinkage, max_occupancy, patience_s, concurrency,
                  aht_by_concurrency_s, min_agents, targets = {...}, hours = {...}

Paths: ``history`` files are relative to the config file's directory; ``store`` (a SQLite path)
and ``output_dir`` are relative to the working directory of the run.

``queue_value`` without ``queue_col`` filters the column named ``queue`` (the column
``forecast.read_history`` picks up by itself).

Every problem found is reported at once, each naming its key (``queues.chat.targets.p_wait``)
and what was expected; :class:`ConfigError` carries the list. A bad value inherited from
``[defaults]`` is reported once, as ``defaults.<key>``, with the queues that use it.
"""
from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "ConfigError",
    "InputError",
    "OpeningHours",
    "Targets",
    "QueueConfig",
    "ForecastConfig",
    "SimulationConfig",
    "HeadcountConfig",
    "PlanConfig",
    "load_config",
    "parse_config",
    "simulation_with",
    "parse_hours",
    "WEEKDAYS",
]

class InputError(ValueError):
    """Bad input from the user (a file, a column, an argument). The CLI exits with code 2."""


class ConfigError(InputError):
    """The plan configuration is invalid. ``problems`` lists ``(key, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]], source: str | Path | None = None):
        self.problems = list(problems)
        self.source = str(source) if source is not None else None
        where = f" in {self.source}" if self.source else ""
        lines = [f"invalid plan configuration{where} ({len(self.problems)} problem(s)):"]
        lines += [f"  {key}: {msg}" for key, msg in self.problems]
        super().__init__("\n".join(lines))


# Opening hours live in core (one open-interval rule for every layer); re-exported here.
from core.hours import WEEKDAYS, OpeningHours, parse_hours  # noqa: E402


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Targets:
    service_level: float | None = None  # share answered within awt_s
    awt_s: float = 20.0
    asa_s: float | None = None
    p_wait: float | None = None
    abandon_rate: float | None = None
    sl_definition: str = "offered"

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "awt_s": self.awt_s,
            "service_level": self.service_level,
            "asa_s": self.asa_s,
            "p_wait": self.p_wait,
            "abandon_rate": self.abandon_rate,
            "sl_definition": self.sl_definition,
        }


@dataclass(frozen=True)
class QueueConfig:
    name: str
    kind: str  # "voice" | "chat"
    history: Path
    time_col: str = "interval_start"
    time_format: str | None = None  # strptime format of time_col; None = ISO 8601
    volume_col: str = "volume"
    aht_col: str | None = None
    queue_col: str | None = None
    queue_value: str | None = None
    history_tz: str | None = None
    aht_s: float | None = None
    targets: Targets = field(default_factory=Targets)
    shrinkage: float = 0.0
    max_occupancy: float | None = None
    patience_s: float | None = None
    concurrency: int = 1
    aht_by_concurrency_s: tuple[float, ...] | None = None
    min_agents: int = 0
    hours: OpeningHours = field(default_factory=OpeningHours)

    @property
    def mean_handle_s(self) -> float | None:
        """Per-contact handle time used when the history has no handle-time column."""
        if self.aht_s is not None:
            return self.aht_s
        if self.aht_by_concurrency_s:  # chat: the handle time of a chat held alone
            return float(self.aht_by_concurrency_s[0])
        return None


@dataclass(frozen=True)
class ForecastConfig:
    model: str = "auto"
    horizon_days: int = 28
    history_weeks: int | None = 10
    as_of: dt.date | None = None
    country: str | None = None  # `holidays` country code; None = no holiday calendar
    backtest_origins: int = 3
    backtest_horizon_days: int = 7


@dataclass(frozen=True)
class SimulationConfig:
    enabled: bool = True
    refine: bool = True
    replications: int = 10
    seed: int = 20240601
    rate_cv: float = 0.0
    days: int | None = None  # simulate only the first N days of the horizon


@dataclass(frozen=True)
class HeadcountConfig:
    paid_hours_per_week: float = 40.0


@dataclass(frozen=True)
class PlanConfig:
    name: str
    timezone: str | None
    interval_s: int
    queues: dict[str, QueueConfig]
    forecast: ForecastConfig
    simulation: SimulationConfig
    headcount: HeadcountConfig
    week_start: str = "mon"
    store: str | None = None
    output_dir: Path | None = None
    source: Path | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def interval_min(self) -> int:
        return self.interval_s // 60

    def config_hash(self) -> str:
        """sha256 of the configuration that determines results (not store / output location)."""
        return config_hash(self.raw)

    def with_overrides(self, **sections) -> "PlanConfig":
        """A new validated config with ``{"forecast": {"as_of": ...}, ...}`` merged into the TOML."""
        raw = copy.deepcopy(self.raw)
        for section, values in sections.items():
            if values:
                raw.setdefault(section, {}).update(values)
        return parse_config(raw, base_dir=self.source.parent if self.source else None, source=self.source)


def _canonical(obj):
    if isinstance(obj, dict):
        return {k: _canonical(v) for k, v in sorted(obj.items())}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    if isinstance(obj, (dt.date, dt.datetime, dt.time)):
        return obj.isoformat()
    return obj


def config_hash(raw: dict) -> str:
    body = copy.deepcopy(raw)
    plan = body.get("plan", {})
    for key in ("store", "output_dir"):
        plan.pop(key, None)
    text = json.dumps(_canonical(body), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- validation


def _known_country(code: str) -> bool:
    import holidays

    return code in holidays.list_supported_countries()


_QUEUE_KEYS = {
    "kind", "history", "time_col", "time_format", "volume_col", "aht_col", "queue_col", "queue_value",
    "history_tz", "aht_s", "targets", "shrinkage", "max_occupancy", "patience_s", "concurrency",
    "aht_by_concurrency_s", "min_agents", "hours",
}
_DEFAULT_KEYS = _QUEUE_KEYS - {"history", "queue_value", "kind"}
_TARGET_KEYS = {"service_level", "awt_s", "asa_s", "p_wait", "abandon_rate", "sl_definition"}
_SECTIONS = {
    "plan": {"name", "timezone", "interval_min", "week_start", "store", "output_dir"},
    "forecast": {"model", "horizon_days", "history_weeks", "as_of", "country", "backtest_origins",
                 "backtest_horizon_days"},
    "simulation": {"enabled", "refine", "replications", "seed", "rate_cv", "days"},
    "headcount": {"paid_hours_per_week"},
    "defaults": _DEFAULT_KEYS,
    "queues": None,
}
# One list of service-level definitions, the queueing core's (see simulation.metrics).
from simulation import SL_DEFINITIONS as _SL_DEFINITIONS  # noqa: E402


class _Checker:
    def __init__(self):
        self.problems: list[tuple[str, str]] = []

    def add(self, key: str, msg: str):
        self.problems.append((key, msg))

    def unknown(self, table: dict, allowed, prefix: str):
        for k in table:
            if k not in allowed:
                hint = difflib.get_close_matches(k, list(allowed), n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.add(f"{prefix}{k}", f"unknown key{extra}; allowed: {', '.join(sorted(allowed))}")

    def get(self, table: dict, key: str, prefix: str, kind, default=None, *, lo=None, hi=None,
            lo_open=False, hi_open=False, choices=None, required=False):
        full = f"{prefix}{key}"
        if key not in table:
            if required:
                self.add(full, f"missing; expected {_kind_name(kind)}")
            return default
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if kind is int and isinstance(value, float) and value.is_integer():
            value = int(value)
        ok_type = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
        if not ok_type:
            self.add(full, f"expected {_kind_name(kind)}, got {type(value).__name__} {value!r}")
            return default
        if choices is not None and value not in choices:
            self.add(full, f"expected one of {', '.join(map(repr, choices))}, got {value!r}")
            return default
        if lo is not None and (value < lo or (lo_open and value == lo)):
            self.add(full, f"out of range: {value!r}; expected {_range_text(lo, hi, lo_open, hi_open)}")
            return default
        if hi is not None and (value > hi or (hi_open and value == hi)):
            self.add(full, f"out of range: {value!r}; expected {_range_text(lo, hi, lo_open, hi_open)}")
            return default
        return value


def _kind_name(kind) -> str:
    if isinstance(kind, tuple):
        return " or ".join(_kind_name(k) for k in kind)
    return {int: "an integer", float: "a number", str: "a string", bool: "true or false",
            dict: "a table", list: "an array"}.get(kind, kind.__name__)


def _range_text(lo, hi, lo_open, hi_open) -> str:
    if lo is not None and hi is not None:
        return f"{'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"
    if lo is not None:
        return f"{'>' if lo_open else '>='} {lo}"
    return f"{'<' if hi_open else '<='} {hi}"


def load_config(path: str | Path) -> PlanConfig:
    """Read and validate a plan TOML file. Raises :class:`ConfigError` (an :class:`InputError`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([("config", f"file not found: {path}")], path) from None
    except OSError as exc:
        raise ConfigError([("config", f"cannot read {path}: {exc}")], path) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([("config", f"not valid TOML: {exc}")], path) from None
    return parse_config(raw, base_dir=path.resolve().parent, source=path)


def parse_config(raw: dict, *, base_dir: str | Path | None = None, source=None,
                 check_files: bool = True) -> PlanConfig:
    """Validate a parsed TOML document. Relative history paths are resolved against ``base_dir``;
    ``check_files=False`` skips the check that history files exist (e.g. re-reading a stored run)."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    c = _Checker()
    c.unknown(raw, _SECTIONS, "")
    for sec in _SECTIONS:
        if sec in raw and not isinstance(raw[sec], dict):
            c.add(sec, f"expected a table [{sec}], got {type(raw[sec]).__name__}")
    sect = {s: raw.get(s) if isinstance(raw.get(s), dict) else {} for s in _SECTIONS}

    # [plan]
    p = sect["plan"]
    c.unknown(p, _SECTIONS["plan"], "plan.")
    name = c.get(p, "name", "plan.", str, default=(Path(source).stem if source else "plan"))
    tz = c.get(p, "timezone", "plan.", str)
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            c.add("plan.timezone", f"unknown time zone {tz!r}; expected an IANA name like 'Asia/Jerusalem'")
            tz = None
    interval_min = c.get(p, "interval_min", "plan.", int, 30, lo=1, hi=1440)
    if interval_min and 1440 % interval_min:
        c.add("plan.interval_min", f"{interval_min} does not divide a day (1440 minutes); use e.g. 15, 30 or 60")
        interval_min = 30
    week_start = c.get(p, "week_start", "plan.", str, "mon", choices=WEEKDAYS)
    store = c.get(p, "store", "plan.", str)
    output_dir = c.get(p, "output_dir", "plan.", str)

    # [forecast]
    f = sect["forecast"]
    c.unknown(f, _SECTIONS["forecast"], "forecast.")
    as_of = f.get("as_of")
    if "as_of" in f:
        if isinstance(as_of, dt.datetime):
            as_of = as_of.date()
        elif isinstance(as_of, str):
            try:
                as_of = dt.date.fromisoformat(as_of)
            except ValueError:
                c.add("forecast.as_of", f"expected a date like 1999-12-01, got {as_of!r}")
                as_of = None
        elif not isinstance(as_of, dt.date):
            c.add("forecast.as_of", f"expected a date like 1999-12-01, got {as_of!r}")
            as_of = None
    history_weeks = f.get("history_weeks", 10)
    if history_weeks in (0, "all"):
        history_weeks = None
    elif "history_weeks" in f:
        history_weeks = c.get(f, "history_weeks", "forecast.", int, 10, lo=2, hi=520)
    country = f.get("country")
    if "country" in f:
        if country in ("", "none"):
            country = None
        else:
            country = c.get(f, "country", "forecast.", str)
            if country is not None and not _known_country(country):
                c.add("forecast.country", f"{country!r} is not a country code the `holidays` package knows; "
                      "expected e.g. 'IL', 'DE', 'US', or \"none\"")
                country = None
    fc = ForecastConfig(
        model=c.get(f, "model", "forecast.", str, "auto"),
        horizon_days=c.get(f, "horizon_days", "forecast.", int, 28, lo=1, hi=366),
        history_weeks=history_weeks,
        as_of=as_of,
        country=country,
        backtest_origins=c.get(f, "backtest_origins", "forecast.", int, 3, lo=1, hi=52),
        backtest_horizon_days=c.get(f, "backtest_horizon_days", "forecast.", int, 7, lo=1, hi=366),
    )

    # [simulation]
    s = sect["simulation"]
    c.unknown(s, _SECTIONS["simulation"], "simulation.")
    sc = _parse_simulation(c, s)

    # [headcount]
    h = sect["headcount"]
    c.unknown(h, _SECTIONS["headcount"], "headcount.")
    hc = HeadcountConfig(
        paid_hours_per_week=c.get(h, "paid_hours_per_week", "headcount.", float, 40.0, lo=0.0, hi=168.0, lo_open=True),
    )

    # [defaults] and [queues.*]
    d = sect["defaults"]
    c.unknown(d, _DEFAULT_KEYS, "defaults.")
    queues_raw = sect["queues"]
    if not queues_raw:
        c.add("queues", "no queues defined; expected at least one [queues.NAME] table")
    queues: dict[str, QueueConfig] = {}
    from_defaults: dict[tuple[str, str], list[str]] = {}  # (defaults key, message) -> queues using it
    for qname, qraw in queues_raw.items():
        prefix = f"queues.{qname}."
        if not isinstance(qraw, dict):
            c.add(f"queues.{qname}", f"expected a table [queues.{qname}], got {type(qraw).__name__}")
            continue
        c.unknown(qraw, _QUEUE_KEYS, prefix)
        merged = {**{k: v for k, v in d.items() if k in _DEFAULT_KEYS}, **qraw}
        if isinstance(d.get("targets"), dict) and isinstance(qraw.get("targets"), dict):
            merged["targets"] = {**d["targets"], **qraw["targets"]}
        n0 = len(c.problems)
        q = _parse_queue(c, qname, merged, prefix, base, check_files)
        if q is not None:
            queues[qname] = q
        # a bad value inherited from [defaults] is reported once, under its defaults key
        kept = []
        for key, msg in c.problems[n0:]:
            dkey = _defaults_key(key, prefix, qraw, d)
            if dkey is None:
                kept.append((key, msg))
            else:
                if (dkey, msg) not in from_defaults:
                    kept.append((dkey, msg))  # placeholder, rewritten below with the queue names
                from_defaults.setdefault((dkey, msg), []).append(qname)
        c.problems[n0:] = kept
    c.problems = [(k, f"{m} (used by queues {', '.join(from_defaults[(k, m)])})")
                  if (k, m) in from_defaults else (k, m) for k, m in c.problems]

    if c.problems:
        raise ConfigError(c.problems, source)
    return PlanConfig(
        name=name, timezone=tz, interval_s=interval_min * 60, queues=queues, forecast=fc,
        simulation=sc, headcount=hc, week_start=week_start, store=store,
        output_dir=Path(output_dir) if output_dir else None,
        source=Path(source) if source is not None else None, raw=copy.deepcopy(raw),
    )


def _defaults_key(key: str, prefix: str, qraw: dict, defaults: dict) -> str | None:
    """``defaults.<path>`` if the value a queue's problem ``key`` is about came from ``[defaults]``
    (the queue does not set it), else None."""
    if not key.startswith(prefix):
        return None
    path = key[len(prefix):].split(".")
    top = path[0]
    if top in qraw:
        if top == "targets" and len(path) > 1 and isinstance(qraw["targets"], dict) \
                and path[1] not in qraw["targets"] and isinstance(defaults.get("targets"), dict) \
                and path[1] in defaults["targets"]:
            return "defaults." + ".".join(path)
        return None
    if top in defaults and top in _DEFAULT_KEYS:
        return "defaults." + ".".join(path)
    return None


def _parse_simulation(c: _Checker, s: dict) -> SimulationConfig:
    return SimulationConfig(
        enabled=c.get(s, "enabled", "simulation.", bool, True),
        refine=c.get(s, "refine", "simulation.", bool, True),
        replications=c.get(s, "replications", "simulation.", int, 10, lo=1, hi=10_000),
        seed=c.get(s, "seed", "simulation.", int, 20240601, lo=0),
        rate_cv=c.get(s, "rate_cv", "simulation.", float, 0.0, lo=0.0, hi=2.0),
        days=c.get(s, "days", "simulation.", int, None, lo=1, hi=366),
    )


def simulation_with(base: SimulationConfig, **values) -> SimulationConfig:
    """``base`` with ``values`` (``seed=..., rate_cv=...``) checked against the same ranges as
    ``[simulation]`` in a plan file; raises :class:`ConfigError` keyed ``simulation.<name>``."""
    c = _Checker()
    c.unknown(values, _SECTIONS["simulation"], "simulation.")
    table = {k: v for k, v in vars(base).items() if v is not None}
    table.update({k: v for k, v in values.items() if v is not None})
    sc = _parse_simulation(c, table)
    if c.problems:
        raise ConfigError(c.problems)
    return sc


def _parse_queue(c: _Checker, qname: str, t: dict, prefix: str, base: Path, check_files: bool = True) -> QueueConfig | None:
    n0 = len(c.problems)
    kind = c.get(t, "kind", prefix, str, "voice", choices=("voice", "chat"))
    hist = c.get(t, "history", prefix, str, required=True)
    history_path = None
    if hist is not None:
        history_path = Path(hist)
        if not history_path.is_absolute():
            history_path = base / history_path
        if check_files and not history_path.is_file():
            c.add(f"{prefix}history", f"history file not found: {history_path}")
    history_tz = c.get(t, "history_tz", prefix, str)
    if history_tz is not None:
        try:
            ZoneInfo(history_tz)
        except (ZoneInfoNotFoundError, ValueError):
            c.add(f"{prefix}history_tz", f"unknown time zone {history_tz!r}")
    aht_s = c.get(t, "aht_s", prefix, float, lo=0.0, lo_open=True, hi=86_400.0)
    aht_col = c.get(t, "aht_col", prefix, str)
    concurrency = c.get(t, "concurrency", prefix, int, 1, lo=1, hi=50)
    abc = None
    if "aht_by_concurrency_s" in t:
        v = t["aht_by_concurrency_s"]
        if not isinstance(v, list) or not v or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0 for x in v
        ):
            c.add(f"{prefix}aht_by_concurrency_s", f"expected a non-empty array of positive seconds, got {v!r}")
        elif concurrency is not None and len(v) != concurrency:
            c.add(f"{prefix}aht_by_concurrency_s",
                  f"has {len(v)} value(s); expected one per concurrency level 1..{concurrency}")
        else:
            abc = tuple(float(x) for x in v)
    if kind == "voice" and concurrency and concurrency > 1:
        c.add(f"{prefix}concurrency", "voice queues handle one contact per agent; expected 1 (or kind = 'chat')")
    if aht_s is None and aht_col is None and abc is None:
        c.add(f"{prefix}aht_s", "missing: give aht_s (seconds), aht_col (a history column) "
                                 "or, for chat, aht_by_concurrency_s")
    patience_s = c.get(t, "patience_s", prefix, float, lo=0.0, lo_open=True)

    targets = Targets()
    tt = t.get("targets")
    if tt is None:
        c.add(f"{prefix}targets", "missing; expected a table with at least one of "
                                   "service_level, asa_s, p_wait, abandon_rate")
    elif not isinstance(tt, dict):
        c.add(f"{prefix}targets", f"expected a table, got {type(tt).__name__}")
    else:
        tp = prefix + "targets."
        c.unknown(tt, _TARGET_KEYS, tp)
        targets = Targets(
            service_level=c.get(tt, "service_level", tp, float, lo=0.0, hi=1.0, lo_open=True, hi_open=True),
            awt_s=c.get(tt, "awt_s", tp, float, 20.0, lo=0.0),
            asa_s=c.get(tt, "asa_s", tp, float, lo=0.0, lo_open=True),
            p_wait=c.get(tt, "p_wait", tp, float, lo=0.0, hi=1.0, lo_open=True, hi_open=True),
            abandon_rate=c.get(tt, "abandon_rate", tp, float, lo=0.0, hi=1.0, lo_open=True, hi_open=True),
            sl_definition=c.get(tt, "sl_definition", tp, str, "offered", choices=_SL_DEFINITIONS),
        )
        if all(getattr(targets, k) is None for k in ("service_level", "asa_s", "p_wait", "abandon_rate")) \
                and not any(k in tt for k in ("service_level", "asa_s", "p_wait", "abandon_rate")):
            c.add(f"{prefix}targets", "no target given; expected at least one of "
                                       "service_level, asa_s, p_wait, abandon_rate")
        if targets.abandon_rate is not None and "patience_s" not in t:
            c.add(f"{prefix}targets.abandon_rate", "an abandonment target needs patience_s (mean patience, seconds)")

    hours = OpeningHours()
    ht = t.get("hours")
    if ht is not None:
        if not isinstance(ht, dict):
            c.add(f"{prefix}hours", f"expected a table of weekday = \"HH:MM-HH:MM\", got {type(ht).__name__}")
        else:
            hp = prefix + "hours."
            c.unknown(ht, set(WEEKDAYS) | {"default"}, hp)
            default = ()
            if "default" in ht:
                try:
                    default = parse_hours(ht["default"])
                except ValueError as exc:
                    c.add(f"{hp}default", f"opening hours do not parse: {exc}")
            days = []
            for day in WEEKDAYS:
                if day in ht:
                    try:
                        days.append(parse_hours(ht[day]))
                    except ValueError as exc:
                        c.add(f"{hp}{day}", f"opening hours do not parse: {exc}")
                        days.append(())
                else:
                    days.append(default)
            hours = OpeningHours(tuple(days))
            if not any(days) and len(c.problems) == n0:
                c.add(f"{prefix}hours", "the queue is never open; expected opening hours on at least one day")

    # checked before giving up on the queue, so that every problem is reported at once
    time_col = c.get(t, "time_col", prefix, str, "interval_start")
    time_format = c.get(t, "time_format", prefix, str)
    volume_col = c.get(t, "volume_col", prefix, str, "volume")
    queue_col = c.get(t, "queue_col", prefix, str)
    queue_value = None if t.get("queue_value") is None else str(t.get("queue_value"))
    if queue_value is not None and queue_col is None:
        # forecast.read_history picks up a column literally named "queue" by itself: filter on it
        queue_col = "queue"
    shrinkage = c.get(t, "shrinkage", prefix, float, 0.0, lo=0.0, hi=1.0, hi_open=True)
    max_occupancy = c.get(t, "max_occupancy", prefix, float, lo=0.0, hi=1.0, lo_open=True)
    min_agents = c.get(t, "min_agents", prefix, int, 0, lo=0)
    if len(c.problems) > n0:
        return None
    return QueueConfig(
        name=qname, kind=kind, history=history_path,
        time_col=time_col, time_format=time_format, volume_col=volume_col, aht_col=aht_col,
        queue_col=queue_col, queue_value=queue_value,
        history_tz=history_tz, aht_s=aht_s, targets=targets,
        shrinkage=shrinkage, max_occupancy=max_occupancy,
        patience_s=patience_s, concurrency=concurrency or 1, aht_by_concurrency_s=abc,
        min_agents=min_agents, hours=hours,
    )
