"""Scheduling rules as plain frozen dataclasses, validated on construction.

Every class checks its own fields in ``__post_init__`` and raises :class:`RulesError` (a
``ValueError``) listing *every* problem as ``"field: expected ..., got ..."``.
:func:`rules_from_dict` builds a :class:`ScheduleRules` from a TOML-like dict and reports every bad
or unknown key at once with its dotted location, e.g.
``"templates[1].breaks[0].length_min: expected > 0, got -5"``.

Clock times are minutes after local midnight (``*_min``); in dicts they may also be written
``"HH:MM"``. Weekdays are ``"mon" .. "sun"``.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = [
    "WEEKDAYS", "RulesError", "BreakRule", "ShiftTemplate", "Contract", "WeeklyRules", "Premium",
    "CostRules", "ScheduleRules", "rules_from_dict",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = pandas dayofweek


class RulesError(ValueError):
    """Invalid rules; ``problems`` lists each one as ``"location: message"``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


class _Checker:
    """Collects ``field: expected ..., got ...`` messages."""

    def __init__(self):
        self.problems: list[str] = []

    def need(self, ok: bool, name: str, expected: str, got: Any) -> None:
        if not ok:
            self.problems.append(f"{name}: expected {expected}, got {got!r}")

    def number(self, name: str, value, lo=None, hi=None, *, lo_open=False, integer=False) -> bool:
        kind = "an integer" if integer else "a number"
        if not _num(value) or (integer and not float(value).is_integer()):
            self.problems.append(f"{name}: expected {kind}, got {value!r}")
            return False
        if lo is not None and (value <= lo if lo_open else value < lo):
            self.problems.append(f"{name}: expected {'>' if lo_open else '>='} {lo}, got {value!r}")
            return False
        if hi is not None and value > hi:
            self.problems.append(f"{name}: expected <= {hi}, got {value!r}")
            return False
        return True

    def done(self) -> None:
        if self.problems:
            raise RulesError(self.problems)


@dataclass(frozen=True)
class BreakRule:
    """A break or meal taken ``count`` times in every shift of a template.

    Its start lies between ``earliest_offset_min`` and ``latest_offset_min`` after the shift start,
    on a grid of ``step_min`` minutes (default: the requirement's interval). Unpaid breaks are not paid time (they lower cost and paid
    hours); paid ones are. Either kind takes the agent off duty."""

    length_min: int
    earliest_offset_min: int
    latest_offset_min: int
    paid: bool = True
    count: int = 1
    step_min: int | None = None
    name: str = "break"

    def __post_init__(self):
        c = _Checker()
        c.number("length_min", self.length_min, 0, 24 * 60, lo_open=True, integer=True)
        c.number("earliest_offset_min", self.earliest_offset_min, 0, 24 * 60, integer=True)
        if c.number("latest_offset_min", self.latest_offset_min, 0, 24 * 60, integer=True) and _num(
                self.earliest_offset_min):
            c.need(self.latest_offset_min >= self.earliest_offset_min, "latest_offset_min",
                   f">= earliest_offset_min ({self.earliest_offset_min})", self.latest_offset_min)
        c.need(isinstance(self.paid, bool), "paid", "true or false", self.paid)
        c.number("count", self.count, 1, 10, integer=True)
        if self.step_min is not None:
            c.number("step_min", self.step_min, 0, 24 * 60, lo_open=True, integer=True)
        c.need(isinstance(self.name, str) and bool(self.name), "name", "a non-empty string", self.name)
        c.done()


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift of ``length_h`` hours that may start every interval between ``earliest_start_min``
    and ``latest_start_min`` (minutes after local midnight of the start day; ``start_windows``
    overrides that window per weekday) on ``days``. Breaks are taken in the listed order with at
    least ``min_break_gap_min`` minutes of work between two breaks. ``contracts``/``queues`` limit
    who may work it and where (empty = any)."""

    name: str
    length_h: float
    earliest_start_min: int
    latest_start_min: int
    days: tuple[str, ...] = WEEKDAYS
    start_windows: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    breaks: tuple[BreakRule, ...] = ()
    min_break_gap_min: int = 0
    contracts: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()

    def __post_init__(self):
        for name in ("days", "breaks", "contracts", "queues"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        c = _Checker()
        c.need(isinstance(self.name, str) and bool(self.name), "name", "a non-empty string", self.name)
        ok_len = c.number("length_h", self.length_h, 0, 24, lo_open=True)
        c.number("earliest_start_min", self.earliest_start_min, 0, 1439, integer=True)
        if c.number("latest_start_min", self.latest_start_min, 0, 1439, integer=True) and _num(self.earliest_start_min):
            c.need(self.latest_start_min >= self.earliest_start_min, "latest_start_min",
                   f">= earliest_start_min ({self.earliest_start_min})", self.latest_start_min)
        days = self.days
        c.need(isinstance(days, tuple) and len(days) > 0 and all(d in WEEKDAYS for d in days)
               and len(set(days)) == len(days), "days", f"distinct weekdays from {list(WEEKDAYS)}", days)
        if not isinstance(self.start_windows, Mapping):
            c.need(False, "start_windows", "a mapping weekday -> (earliest_min, latest_min)", self.start_windows)
        else:
            for day, win in self.start_windows.items():
                ok = (day in WEEKDAYS and isinstance(win, (tuple, list)) and len(win) == 2
                      and all(_num(v) and float(v).is_integer() for v in win) and 0 <= win[0] <= win[1] <= 1439)
                c.need(ok, f"start_windows.{day}", "weekday -> (earliest_min, latest_min) with "
                       "0 <= earliest <= latest <= 1439", win)
        c.need(all(isinstance(b, BreakRule) for b in self.breaks), "breaks", "BreakRule items", self.breaks)
        c.number("min_break_gap_min", self.min_break_gap_min, 0, 24 * 60, integer=True)
        if ok_len and all(isinstance(b, BreakRule) for b in self.breaks):
            length_min = self.length_h * 60
            for i, b in enumerate(self.breaks):
                c.need(b.earliest_offset_min + b.length_min <= length_min, f"breaks[{i}].earliest_offset_min",
                       f"a break that fits in the {length_min:g}-minute shift "
                       f"(earliest_offset_min + length_min <= {length_min:g})", b.earliest_offset_min)
            total = sum(b.length_min * b.count for b in self.breaks)
            c.need(total < length_min, "breaks", f"less than the shift's {length_min:g} minutes in total", total)
        for name in ("contracts", "queues"):
            v = getattr(self, name)
            c.need(all(isinstance(s, str) and s for s in v), name, "names (strings)", v)
        c.done()

    @property
    def length_min(self) -> int:
        return int(round(self.length_h * 60))

    def window(self, weekday: str) -> tuple[int, int] | None:
        """(earliest, latest) start minute on ``weekday``, None when the template is not used."""
        if weekday not in self.days:
            return None
        win = self.start_windows.get(weekday)
        return (int(win[0]), int(win[1])) if win is not None else (self.earliest_start_min, self.latest_start_min)

    def break_sequence(self) -> list[BreakRule]:
        """Breaks in shift order, each ``count`` expanded to separate items."""
        return [b for b in self.breaks for _ in range(b.count)]

    @property
    def unpaid_break_min(self) -> int:
        return sum(b.length_min * b.count for b in self.breaks if not b.paid)

    @property
    def paid_h(self) -> float:
        return (self.length_min - self.unpaid_break_min) / 60.0


@dataclass(frozen=True)
class Contract:
    """An employment contract: paid hours per week between the bounds, ``hourly_cost`` per paid
    hour. Generated agents follow ``share`` (of all generated agents) or a fixed ``count``."""

    name: str
    min_hours_per_week: float
    max_hours_per_week: float
    hourly_cost: float
    share: float | None = None
    count: int | None = None

    def __post_init__(self):
        c = _Checker()
        c.need(isinstance(self.name, str) and bool(self.name), "name", "a non-empty string", self.name)
        ok = c.number("min_hours_per_week", self.min_hours_per_week, 0, 168)
        if c.number("max_hours_per_week", self.max_hours_per_week, 0, 168, lo_open=True) and ok:
            c.need(self.max_hours_per_week >= self.min_hours_per_week, "max_hours_per_week",
                   f">= min_hours_per_week ({self.min_hours_per_week})", self.max_hours_per_week)
        c.number("hourly_cost", self.hourly_cost, 0)
        if self.share is not None:
            c.number("share", self.share, 0, 1, lo_open=True)
        if self.count is not None:
            c.number("count", self.count, 0, integer=True)
        c.need(self.share is None or self.count is None, "count", "either share or count, not both", self.count)
        c.done()


@dataclass(frozen=True)
class WeeklyRules:
    """Per agent and week: at least ``days_off`` days without a shift start (two of them adjacent
    when ``consecutive_days_off``), at most ``max_shifts_per_week`` shifts, at least ``min_rest_h``
    hours between the end of a shift and the start of the next, and at most
    ``max_late_shifts_per_week`` shifts ending after ``late_threshold_min`` (minutes after midnight
    of the start day; 1320 = 22:00, a shift ending 01:00 next day ends at 1500)."""

    days_off: int = 2
    consecutive_days_off: bool = False
    max_shifts_per_week: int = 5
    min_rest_h: float = 11.0
    late_threshold_min: int = 22 * 60
    max_late_shifts_per_week: int = 3

    def __post_init__(self):
        c = _Checker()
        c.number("days_off", self.days_off, 0, 6, integer=True)
        c.need(isinstance(self.consecutive_days_off, bool), "consecutive_days_off", "true or false",
               self.consecutive_days_off)
        if self.consecutive_days_off and _num(self.days_off):
            c.need(self.days_off >= 2, "consecutive_days_off", "days_off >= 2 when true", self.consecutive_days_off)
        c.number("max_shifts_per_week", self.max_shifts_per_week, 1, 7, integer=True)
        c.number("min_rest_h", self.min_rest_h, 0, 48)
        c.number("late_threshold_min", self.late_threshold_min, 0, 2879, integer=True)
        c.number("max_late_shifts_per_week", self.max_late_shifts_per_week, 0, 7, integer=True)
        c.done()


@dataclass(frozen=True)
class Premium:
    """Extra pay for paid minutes between ``start_min`` and ``end_min`` (clock; wraps midnight
    when end <= start): the hourly cost times ``multiplier`` plus ``add_per_h`` instead of the
    hourly cost. Overlapping premiums add their extras."""

    name: str
    start_min: int
    end_min: int
    multiplier: float = 1.0
    add_per_h: float = 0.0

    def __post_init__(self):
        c = _Checker()
        c.need(isinstance(self.name, str) and bool(self.name), "name", "a non-empty string", self.name)
        c.number("start_min", self.start_min, 0, 1439, integer=True)
        if c.number("end_min", self.end_min, 0, 1440, integer=True):
            c.need(self.end_min != self.start_min, "end_min", f"!= start_min ({self.start_min})", self.end_min)
        c.number("multiplier", self.multiplier, 1)
        c.number("add_per_h", self.add_per_h, 0)
        c.done()


@dataclass(frozen=True)
class CostRules:
    """Premiums and, for ``coverage="soft"``, the penalty per agent-hour short."""

    premiums: tuple[Premium, ...] = ()
    shortfall_penalty_per_h: float = 500.0

    def __post_init__(self):
        if isinstance(self.premiums, list):
            object.__setattr__(self, "premiums", tuple(self.premiums))
        c = _Checker()
        c.need(all(isinstance(p, Premium) for p in self.premiums), "premiums", "Premium items", self.premiums)
        c.number("shortfall_penalty_per_h", self.shortfall_penalty_per_h, 0, lo_open=True)
        c.done()


@dataclass(frozen=True)
class ScheduleRules:
    """Everything the cover and the roster need. ``coverage`` is ``"hard"`` (on duty >= required
    in every interval) or ``"soft"`` (shortfall allowed at ``costs.shortfall_penalty_per_h``)."""

    templates: tuple[ShiftTemplate, ...]
    contracts: tuple[Contract, ...]
    weekly: WeeklyRules = field(default_factory=WeeklyRules)
    costs: CostRules = field(default_factory=CostRules)
    coverage: str = "hard"

    def __post_init__(self):
        for name in ("templates", "contracts"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        c = _Checker()
        c.need(len(self.templates) > 0 and all(isinstance(t, ShiftTemplate) for t in self.templates),
               "templates", "one or more ShiftTemplate", self.templates)
        c.need(len(self.contracts) > 0 and all(isinstance(k, Contract) for k in self.contracts),
               "contracts", "one or more Contract", self.contracts)
        c.need(isinstance(self.weekly, WeeklyRules), "weekly", "WeeklyRules", self.weekly)
        c.need(isinstance(self.costs, CostRules), "costs", "CostRules", self.costs)
        c.need(self.coverage in ("hard", "soft"), "coverage", "'hard' or 'soft'", self.coverage)
        c.problems.extend(_cross_problems(self.templates, self.contracts))
        c.done()

    def template(self, name: str) -> ShiftTemplate:
        return next(t for t in self.templates if t.name == name)

    def contract(self, name: str) -> Contract:
        return next(k for k in self.contracts if k.name == name)

    def contracts_for(self, template: ShiftTemplate) -> list[Contract]:
        """Contracts whose agents may work ``template``."""
        return [k for k in self.contracts if not template.contracts or k.name in template.contracts]


def _cross_problems(templates, contracts) -> list[str]:
    """Problems between templates and contracts (names, references, shares)."""
    out: list[str] = []
    if not all(isinstance(t, ShiftTemplate) for t in templates) or not all(isinstance(k, Contract) for k in contracts):
        return out
    names = [k.name for k in contracts]
    for i, t in enumerate(templates):
        if [u.name for u in templates].index(t.name) != i:
            out.append(f"templates[{i}].name: expected a unique name, got {t.name!r} again")
        for j, k in enumerate(t.contracts):
            if k not in names:
                out.append(f"templates[{i}].contracts[{j}]: expected one of {names}, got {k!r}")
    for i, k in enumerate(contracts):
        if names.index(k.name) != i:
            out.append(f"contracts[{i}].name: expected a unique name, got {k.name!r} again")
    shares = [k.share for k in contracts if k.share is not None]
    if shares and abs(sum(shares) - 1.0) > 1e-6:
        out.append(f"contracts: expected shares summing to 1, got {sum(shares):g}")
    return out


# --------------------------------------------------------------------------- from a dict

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_CLOCK_FIELDS = {"earliest_start_min", "latest_start_min", "late_threshold_min", "start_min", "end_min"}


def _clock(value):
    """``"HH:MM"`` -> minutes; anything else unchanged (validated later)."""
    if isinstance(value, str):
        m = _CLOCK.match(value.strip())
        if m and int(m.group(2)) < 60:
            return int(m.group(1)) * 60 + int(m.group(2))
    return value


def _build(cls, d, loc: str, problems: list[str], nested: dict | None = None):
    """``cls(**d)`` with unknown/missing keys and field problems appended under ``loc``."""
    prefix = f"{loc}." if loc else ""
    if not isinstance(d, Mapping):
        problems.append(f"{loc or 'rules'}: expected a table (dict), got {d!r}")
        return None
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kw, ok, failed = {}, True, set()
    for key, value in d.items():
        if key not in fields:
            problems.append(f"{prefix}{key}: unknown key (expected one of {sorted(fields)})")
            ok = False
        elif nested and key in nested:
            kw[key] = nested[key](value, f"{prefix}{key}", problems)
            if kw[key] is None:  # reported already; check the rest with a neutral stand-in
                ok = False
                failed.add(key)
                if fields[key].default is dataclasses.MISSING and fields[key].default_factory is dataclasses.MISSING:
                    kw[key] = ()
                else:
                    del kw[key]
        else:
            kw[key] = _clock(value) if key in _CLOCK_FIELDS else value
    for name, f in fields.items():
        if name not in d and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            problems.append(f"{prefix}{name}: required")
            ok = False
    if cls is ShiftTemplate and isinstance(kw.get("start_windows"), Mapping):
        kw["start_windows"] = {k: _window(v) for k, v in kw["start_windows"].items()}
    try:
        obj = cls(**kw)
    except RulesError as exc:
        # a nested part that already failed is reported once, at its own location
        problems.extend(prefix + p for p in exc.problems if re.split(r"[.:\[]", p, 1)[0] not in failed)
        return None
    except TypeError as exc:
        problems.append(f"{loc or 'rules'}: {exc}")
        return None
    return obj if ok else None


def _window(v):
    """``"07:00-10:00"`` or ``[420, 600]`` -> (420, 600)."""
    if isinstance(v, str) and "-" in v:
        a, b = v.split("-", 1)
        return (_clock(a), _clock(b))
    return tuple(v) if isinstance(v, (list, tuple)) else v


def _items(cls, nested=None):
    def build(value, loc, problems):
        if not isinstance(value, (list, tuple)):
            problems.append(f"{loc}: expected a list, got {value!r}")
            return None
        out = [_build(cls, v, f"{loc}[{i}]", problems, nested) for i, v in enumerate(value)]
        return tuple(out) if all(o is not None for o in out) else None
    return build


def _one(cls):
    return lambda value, loc, problems: _build(cls, value, loc, problems)


def rules_from_dict(d: dict) -> ScheduleRules:
    """:class:`ScheduleRules` from a TOML-like dict (e.g. the ``[schedule]`` section).

    Keys mirror the dataclass fields: ``templates = [{name, length_h, earliest_start_min, ...,
    breaks = [{length_min, ...}]}]``, ``contracts = [...]``, ``weekly = {...}``,
    ``costs = {premiums = [...], ...}``, ``coverage``. Raises :class:`RulesError` listing every
    problem with its dotted location."""
    problems: list[str] = []
    nested = {
        "templates": _items(ShiftTemplate, {"breaks": _items(BreakRule)}),
        "contracts": _items(Contract),
        "weekly": _one(WeeklyRules),
        "costs": lambda v, loc, p: _build(CostRules, v, loc, p, {"premiums": _items(Premium)}),
    }
    rules = _build(ScheduleRules, d, "", problems, nested)
    if problems:
        raise RulesError(problems)
    return rules
