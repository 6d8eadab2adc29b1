"""Opening hours, with the one rule that decides whether an interval is open.

**The open-interval rule.** An interval ``[start, start + interval_s)`` is *open* when it overlaps
an opening range of its weekday by any positive time. With hours 07:45-12:00 and 30-minute
intervals, the 07:30 slot is open (15 of its 30 minutes are); 12:00 is closed. Forecasting
(which slots get a forecast), staffing (which slots get agents), simulation (which blocks are
simulated) and chat windows all use this rule through :meth:`OpeningHours.mask` /
:meth:`OpeningHours.slot_mask`. :meth:`OpeningHours.open_fraction` tells how much of an interval
is open, so a partial interval can be flagged instead of staffed as a full one.

Times are local wall-clock minutes after midnight; ranges end exclusive; ``24:00`` closes at
midnight. Ranges past midnight are written on both days (``20:00-24:00`` and ``00:00-02:00``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["OpeningHours", "parse_hours", "parse_clock_min", "WEEKDAYS"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _parse_range(text: str) -> tuple[int, int]:
    m = _RANGE.match(text)
    if not m:
        raise ValueError(f"'{text.strip()}' is not a range like '08:00-20:00'")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if not (0 <= h1 <= 23 and 0 <= m1 <= 59):
        raise ValueError(f"'{text.strip()}': opening time must be 00:00-23:59")
    if not (0 <= h2 <= 24 and 0 <= m2 <= 59) or (h2 == 24 and m2 != 0):
        raise ValueError(f"'{text.strip()}': closing time must be 00:01-24:00")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError(
            f"'{text.strip()}': closing time must be after opening time "
            "(ranges past midnight: write '20:00-24:00' and '00:00-02:00' on the next day)"
        )
    return start, end


def parse_hours(text: str) -> tuple[tuple[int, int], ...]:
    """Parse one day's opening hours into ``((start_min, end_min), ...)``.

    Accepts ``"closed"``, ``"24h"``, ``"08:00-20:00"`` or a comma-separated list of ranges.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected a string like '08:00-20:00', 'closed' or '24h', got {text!r}")
    t = text.strip().lower()
    if t in ("closed", "", "none"):
        return ()
    if t in ("24h", "always", "open"):
        return ((0, 1440),)
    ranges = sorted(_parse_range(part) for part in t.split(","))
    for (s1, e1), (s2, e2) in zip(ranges, ranges[1:]):
        if s2 < e1:
            raise ValueError(f"'{text}': ranges overlap")
    return tuple(ranges)


def _weekday_index(key) -> int:
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool) and 0 <= key <= 6:
        return int(key)
    if isinstance(key, str) and key.strip().lower()[:3] in WEEKDAYS:
        return WEEKDAYS.index(key.strip().lower()[:3])
    raise ValueError(f"opening_hours: weekday {key!r}: expected 0..6 (0 = Monday) or a day name like 'Mon'")


def parse_clock_min(text, what: str) -> int:
    """Minutes after midnight of a wall-clock time ``'HH:MM'`` (00:00 .. 24:00); ValueError naming
    ``what`` otherwise."""
    parts = str(text).strip().split(":")
    try:
        h, m = (int(x) for x in parts[:2]) if len(parts) in (2, 3) else (None, None)
    except ValueError:
        h = m = None
    if h is None or not (0 <= m < 60) or not (0 <= h * 60 + m <= 24 * 60):
        raise ValueError(f"{what}: {text!r} is not a wall-clock time; expected 'HH:MM' from 00:00 to 24:00")
    return h * 60 + m


@dataclass(frozen=True)
class OpeningHours:
    """Opening hours per weekday (0 = Monday): ``((start_min, end_min), ...)`` in local minutes.

    A weekday with no ranges is closed. The default is open around the clock every day. See the
    module docstring for the one open-interval rule (overlap by any positive time).
    """

    by_weekday: tuple[tuple[tuple[int, int], ...], ...] = tuple(((0, 1440),) for _ in range(7))

    def __post_init__(self):
        if len(self.by_weekday) != 7:
            raise ValueError(f"by_weekday: expected 7 days (Monday first), got {len(self.by_weekday)}")
        days = []
        for w, ranges in enumerate(self.by_weekday):
            day = tuple(sorted((int(s), int(e)) for s, e in ranges))
            for s, e in day:
                if not (0 <= s < e <= 1440):
                    raise ValueError(f"by_weekday[{w}]: range {s}-{e} minutes is not inside 0..1440 "
                                     "with start before end")
            days.append(day)
        object.__setattr__(self, "by_weekday", tuple(days))

    @classmethod
    def always(cls) -> "OpeningHours":
        """Open 24 hours, every day."""
        return cls()

    @classmethod
    def from_text(cls, by_day: dict, default: str | None = None) -> "OpeningHours":
        """From ``{"mon": "08:00-20:00", ...}`` (plan TOML style); days not given take ``default``
        (closed when ``default`` is None)."""
        days = [parse_hours(default) if default is not None else () for _ in range(7)]
        for key, text in by_day.items():
            days[_weekday_index(key)] = parse_hours(text)
        return cls(tuple(days))

    @classmethod
    def from_ranges(cls, by_day: dict) -> "OpeningHours":
        """From ``{weekday: [("HH:MM", "HH:MM"), ...]}`` with weekday 0..6 (0 = Monday) or a day
        name (the ``forecast`` API style); weekdays not listed are closed."""
        days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for key, ranges in by_day.items():
            w = _weekday_index(key)
            for rng in ranges:
                if isinstance(rng, str) or not hasattr(rng, "__len__") or len(rng) != 2:
                    raise ValueError(f"opening_hours[{key!r}]: {rng!r}: expected a (start, end) pair like "
                                     "('08:00', '20:00')")
                a = parse_clock_min(rng[0], f"opening_hours[{key!r}]")
                b = parse_clock_min(rng[1], f"opening_hours[{key!r}]")
                if b <= a:
                    raise ValueError(f"opening_hours[{key!r}]: {rng[0]}-{rng[1]} closes before it opens")
                days[w].append((a, b))
        return cls(tuple(tuple(d) for d in days))

    @classmethod
    def coerce(cls, value) -> "OpeningHours | None":
        """``None``, an :class:`OpeningHours`, or a ``from_ranges`` mapping, as OpeningHours."""
        if value is None or isinstance(value, cls):
            return value
        if isinstance(value, dict):
            return cls.from_ranges(value)
        raise ValueError(f"opening_hours: expected OpeningHours or a mapping weekday -> ranges, got {value!r:.80}")

    # -- the rule -------------------------------------------------------------------------------
    def _overlap_min(self, weekday: np.ndarray, start_min: np.ndarray, length_min: float) -> np.ndarray:
        """Minutes of ``[start, start + length)`` inside the opening ranges of each weekday."""
        out = np.zeros(start_min.shape, float)
        end_min = start_min + length_min
        for day, ranges in enumerate(self.by_weekday):
            sel = weekday == day
            if not sel.any() or not ranges:
                continue
            s, e = start_min[sel], end_min[sel]
            for a, b in ranges:
                out[sel] += np.clip(np.minimum(e, b) - np.maximum(s, a), 0.0, None)
        return out

    def is_open(self, weekday: int, start_min: float, length_min: float) -> bool:
        """True if the interval [start, start + length) overlaps an opening range of that day."""
        return bool(self._overlap_min(np.array([weekday]), np.array([float(start_min)]), float(length_min))[0] > 0)

    @staticmethod
    def _local_parts(interval_start) -> tuple[np.ndarray, np.ndarray]:
        import pandas as pd  # here, not at the top: the CLI's --help imports this module and needs no pandas

        idx = pd.DatetimeIndex(interval_start)
        minutes = np.asarray(idx.hour * 60 + idx.minute + idx.second / 60.0, float)
        return np.asarray(idx.day_of_week), minutes

    def open_fraction(self, interval_start, interval_s: float) -> np.ndarray:
        """Share of each interval inside opening hours, in [0, 1] (local wall-clock starts)."""
        wd, minutes = self._local_parts(interval_start)
        length = float(interval_s) / 60.0
        return np.clip(self._overlap_min(wd, minutes, length) / length, 0.0, 1.0)

    def mask(self, interval_start, interval_s: float) -> np.ndarray:
        """Boolean array: which intervals (tz-aware or naive local starts) are open (the rule)."""
        return self.open_fraction(interval_start, interval_s) > 0.0

    def slot_mask(self, interval_s: float) -> np.ndarray:
        """Open slots per weekday, shape (7, slots per day): the same rule on a weekly grid."""
        n_slots = int(round(86400 / float(interval_s)))
        start = np.arange(n_slots) * float(interval_s) / 60.0
        out = np.zeros((7, n_slots), bool)
        for w in range(7):
            out[w] = self._overlap_min(np.full(n_slots, w), start, float(interval_s) / 60.0) > 0
        return out

    def describe(self) -> dict[str, str]:
        """``{"mon": "07:00-24:00", "sat": "closed", ...}``."""
        def fmt(r):
            if not r:
                return "closed"
            return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in r)

        return {WEEKDAYS[i]: fmt(r) for i, r in enumerate(self.by_weekday)}
