"""Day x time-of-day matrix view of one queue's history, calendars and opening hours.

Models work on a matrix ``Y[day, slot]`` (contacts per interval; NaN = no row = closed or
missing) where ``slot = wall-clock seconds since local midnight // interval_s``. On a DST day with
25 hours the repeated wall-clock hour maps onto the same slots (the matrix holds their mean per
interval); on a 23-hour day the skipped hour has no instants. Forecast grids are generated on
absolute time, so they keep 23/25-hour days without duplicated or lost intervals.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from core.hours import OpeningHours, parse_clock_min

from .history import DAY_S, local_epoch_s

N_DAYTYPES = 9  # 0..6 = Monday..Sunday, 7 = holiday, 8 = holiday eve
HOLIDAY, EVE = 7, 8


@dataclass
class Grid:
    """One queue's history as a day x slot matrix.

    days: consecutive local calendar days (naive midnight timestamps).
    Y: contacts per interval, shape (n_days, n_slots); NaN where no row exists.
    interval_s: interval length, seconds.
    """

    days: pd.DatetimeIndex
    Y: np.ndarray
    interval_s: int
    tz: object = None
    aht_s: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    @property
    def n_slots(self) -> int:
        return self.Y.shape[1]

    def head(self, n_days: int) -> "Grid":
        """The first ``n_days`` days (training data before an origin)."""
        return Grid(self.days[:n_days], self.Y[:n_days], self.interval_s, self.tz,
                    None if self.aht_s is None else self.aht_s[:n_days])


def to_grid(history: pd.DataFrame, interval_s: int) -> Grid:
    """Convert one queue's history to a :class:`Grid` (vectorized)."""
    ts = history["interval_start"]
    local = local_epoch_s(ts)
    day = local // DAY_S
    slot = (local % DAY_S) // interval_s
    d0 = int(day.min())
    n_days = int(day.max()) - d0 + 1
    n_slots = DAY_S // interval_s
    flat = (day - d0) * n_slots + slot
    vol = history["volume"].to_numpy(float)
    sums = np.bincount(flat, weights=vol, minlength=n_days * n_slots)
    cnt = np.bincount(flat, minlength=n_days * n_slots)
    with np.errstate(invalid="ignore", divide="ignore"):
        Y = np.where(cnt > 0, sums / np.maximum(cnt, 1), np.nan).reshape(n_days, n_slots)
    aht = None
    if "aht_s" in history.columns:
        a = history["aht_s"].to_numpy(float)
        w = np.where(np.isfinite(a) & (vol > 0), vol, 0.0)
        work = np.bincount(flat, weights=np.nan_to_num(a) * w, minlength=n_days * n_slots)
        ws = np.bincount(flat, weights=w, minlength=n_days * n_slots)
        with np.errstate(invalid="ignore", divide="ignore"):
            aht = np.where(ws > 0, work / ws, np.nan).reshape(n_days, n_slots)
        aht = np.stack([aht, ws.reshape(n_days, n_slots)])  # [0] = aht_s, [1] = weight (contacts)
    days = pd.to_datetime((np.arange(n_days) + d0) * DAY_S, unit="s")
    return Grid(pd.DatetimeIndex(days), Y, int(interval_s), ts.dt.tz, aht)


def holiday_flags(days: pd.DatetimeIndex, country: str | None, subdiv: str | None = None):
    """(holiday, eve) boolean arrays for calendar days; eve = day before a holiday, not one itself."""
    n = len(days)
    if not country or n == 0:
        return np.zeros(n, bool), np.zeros(n, bool)
    hd = np.concatenate([_holiday_ns(country, subdiv, y) for y in range(days[0].year, days[-1].year + 2)])
    v = days.normalize().to_numpy("datetime64[ns]").astype(np.int64)  # ns, whatever the index unit
    hol = np.isin(v, hd)
    eve = np.isin(v + DAY_S * 10**9, hd) & ~hol
    return hol, eve


@lru_cache(maxsize=256)
def _holiday_ns(country: str, subdiv: str | None, year: int) -> np.ndarray:
    import holidays as _hol

    cal = _hol.country_holidays(country, subdiv=subdiv, years=[year])
    return np.array(sorted(pd.Timestamp(d).value for d in cal.keys()), dtype=np.int64)


def holiday_names(days: pd.DatetimeIndex, country: str | None, subdiv: str | None = None) -> np.ndarray:
    """Name of the public holiday on each calendar day ('' when none), object array."""
    out = np.full(len(days), "", dtype=object)
    if not country or len(days) == 0:
        return out
    names = {}
    for y in range(days[0].year, days[-1].year + 1):
        names.update(_holiday_names(country, subdiv, y))
    for i, d in enumerate(days.normalize().to_numpy("datetime64[ns]").astype(np.int64)):
        out[i] = names.get(int(d), "")
    return out


@lru_cache(maxsize=256)
def _holiday_names(country: str, subdiv: str | None, year: int) -> dict[int, str]:
    import holidays as _hol

    cal = _hol.country_holidays(country, subdiv=subdiv, years=[year])
    return {pd.Timestamp(d).value: str(name) for d, name in cal.items()}


def daytypes(days: pd.DatetimeIndex, country: str | None) -> np.ndarray:
    """Day type per day: weekday 0..6 (Monday=0), 7 on holidays, 8 on holiday eves."""
    dt = days.day_of_week.to_numpy().copy()
    hol, eve = holiday_flags(days, country)
    dt[eve] = EVE
    dt[hol] = HOLIDAY
    return dt


def open_mask(grid: Grid, opening_hours=None) -> np.ndarray:
    """Open slots per weekday, shape (7, n_slots).

    Without ``opening_hours``: a slot is open on a weekday when the history has at least one row for
    it (closed is not zero). ``opening_hours`` is a :class:`core.OpeningHours` or a mapping weekday
    (0=Monday or "Mon") -> list of ("HH:MM", "HH:MM") ranges (end exclusive, "24:00" allowed;
    weekdays not listed are closed); a slot is open when it overlaps an opening range (the one
    open-interval rule of :mod:`core.hours`).
    """
    n_slots = grid.n_slots
    if opening_hours is None:
        seen = np.isfinite(grid.Y)
        dow = grid.days.day_of_week.to_numpy()
        mask = np.zeros((7, n_slots), bool)
        for w in range(7):
            rows = seen[dow == w]
            if rows.size:
                mask[w] = rows.any(axis=0)
        return mask
    return OpeningHours.coerce(opening_hours).slot_mask(grid.interval_s)


def _pair(window, what: str) -> tuple[int, int]:
    if isinstance(window, str) or not hasattr(window, "__len__") or len(window) != 2:
        raise ValueError(f"{what}: {window!r}: expected a (start, end) pair like ('20:00', '24:00')")
    return 60 * parse_clock_min(window[0], what), 60 * parse_clock_min(window[1], what)


def window_mask(n_slots: int, interval_s: int, window) -> np.ndarray:
    """Slots whose start lies in the wall-clock window ("20:00", "24:00") (end exclusive)."""
    start_s = np.arange(n_slots) * interval_s
    a, b = _pair(window, "evening window")
    if a <= b:
        return (start_s >= a) & (start_s < b)
    return (start_s >= a) | (start_s < b)


def future_instants(start, end, interval_s: int, tz) -> pd.DatetimeIndex:
    """All interval starts in [start, end) on the wall-clock grid, in absolute time when ``tz``."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if tz is not None:
        s = s.tz_localize(tz, nonexistent="shift_forward", ambiguous=True) if s.tz is None else s.tz_convert(tz)
        e = e.tz_localize(tz, nonexistent="shift_forward", ambiguous=True) if e.tz is None else e.tz_convert(tz)
        s_utc = s.tz_convert("UTC")
        # align to the grid on wall-clock time
        wall = s.tz_localize(None)
        pad = (-(wall.value // 10**9) % interval_s)
        first = s_utc + pd.Timedelta(seconds=int(pad))
        idx = pd.date_range(first, e.tz_convert("UTC"), freq=f"{interval_s}s", inclusive="left")
        idx = idx.tz_convert(tz)
        local = idx.tz_localize(None).to_numpy("datetime64[s]").astype(np.int64)
        return idx[(local % interval_s) == 0]
    if s.tz is not None:
        s, e = s.tz_localize(None), e.tz_localize(None)
    pad = (-(s.value // 10**9) % interval_s)
    first = s + pd.Timedelta(seconds=int(pad))
    return pd.date_range(first, e, freq=f"{interval_s}s", inclusive="left")


def instant_cells(instants: pd.DatetimeIndex, interval_s: int) -> tuple[np.ndarray, np.ndarray]:
    """(local day number since 1970-01-01, slot of the day) of each interval start."""
    local = local_epoch_s(pd.Series(instants))
    return local // DAY_S, (local % DAY_S) // interval_s
