"""The requirement on a wall-clock grid: whole days of equal intervals, one array per queue.

Times are local wall-clock times (tz-aware input is read in its own zone and the zone kept for
exports). A day has ``86400 / interval_s`` intervals; on a DST change day the wall-clock grid
still has that many (the skipped or repeated hour is not modelled)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Grid", "requirement_grid"]

DEFAULT_QUEUE = "all"


@dataclass(frozen=True)
class Grid:
    """``required[q][i]`` agents needed on duty in interval ``i`` counted from ``start`` (local
    midnight of the first day), ``n_days`` whole days of ``interval_s`` seconds each."""

    start: pd.Timestamp
    tz: object
    interval_s: int
    n_days: int
    required: dict

    @property
    def interval_min(self) -> int:
        return self.interval_s // 60

    @property
    def per_day(self) -> int:
        return 86400 // self.interval_s

    @property
    def queues(self) -> tuple[str, ...]:
        return tuple(self.required)

    def weekday(self, day: int) -> int:
        """pandas dayofweek (0 = Monday) of day ``day`` of the grid."""
        return int((self.start + pd.Timedelta(days=day)).day_of_week)

    def timestamps(self, minutes) -> pd.DatetimeIndex:
        """Wall-clock minutes since ``start`` -> timestamps (in the input zone when it had one)."""
        idx = pd.DatetimeIndex(self.start + pd.to_timedelta(np.asarray(minutes, dtype=np.int64), unit="min"))
        return idx.tz_localize(self.tz, ambiguous="NaT", nonexistent="shift_forward") if self.tz is not None else idx

    def interval_starts(self) -> pd.DatetimeIndex:
        return self.timestamps(np.arange(self.n_days * self.per_day) * self.interval_min)


def requirement_grid(requirement: pd.DataFrame, interval_s: int) -> Grid:
    """Check a requirement table and put it on a :class:`Grid`.

    ``requirement`` has ``interval_start`` (timestamps on the interval grid, naive local or
    tz-aware), ``required`` (integer agents on duty, >= 0) and optionally ``queue``; intervals not
    listed need nobody."""
    if not isinstance(interval_s, (int, np.integer)) or isinstance(interval_s, bool) or interval_s <= 0 \
            or interval_s % 60 or 86400 % interval_s:
        raise ValueError(f"interval_s: expected a whole number of minutes dividing a day in seconds "
                         f"(e.g. 900, 1800), got {interval_s!r}")
    interval_s = int(interval_s)
    if not isinstance(requirement, pd.DataFrame):
        raise ValueError(f"requirement: expected a pandas DataFrame, got {type(requirement).__name__}")
    missing = [c for c in ("interval_start", "required") if c not in requirement]
    if missing:
        raise ValueError(f"requirement: expected columns interval_start and required, missing {missing}")
    if requirement.empty:
        raise ValueError("requirement: expected at least one row, got an empty table")
    ts = requirement["interval_start"]
    if not pd.api.types.is_datetime64_any_dtype(ts):
        raise ValueError(f"requirement.interval_start: expected timestamps, got dtype {ts.dtype}")
    if ts.isna().any():
        raise ValueError(f"requirement.interval_start: expected no missing values, got {int(ts.isna().sum())}")
    tz = ts.dt.tz
    wall = ts.dt.tz_localize(None) if tz is not None else ts
    req = pd.to_numeric(requirement["required"], errors="coerce").to_numpy(float)
    bad = ~np.isfinite(req) | (req < 0) | (req != np.round(req))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"requirement.required: expected integers >= 0, got {requirement['required'].iloc[i]!r} "
                         f"in row {i}")
    queue = requirement["queue"].astype(str) if "queue" in requirement else pd.Series(DEFAULT_QUEUE, index=ts.index)
    start = wall.min().normalize()
    offset_s = (wall - start).dt.total_seconds().to_numpy()
    off_grid = offset_s % interval_s != 0
    if off_grid.any():
        raise ValueError(f"requirement.interval_start: expected starts on the {interval_s // 60}-minute grid, "
                         f"got {ts.iloc[int(np.flatnonzero(off_grid)[0])]}")
    index = (offset_s // interval_s).astype(np.int64)
    per_day = 86400 // interval_s
    n_days = int(index.max() // per_day + 1)
    required = {}
    for q in pd.unique(queue):
        sel = (queue == q).to_numpy()
        idx = index[sel]
        if np.unique(idx).size != idx.size:
            raise ValueError(f"requirement.interval_start: expected one row per interval and queue, "
                             f"got duplicates in queue {q!r}")
        arr = np.zeros(n_days * per_day, dtype=np.int64)
        arr[idx] = req[sel].astype(np.int64)
        required[str(q)] = arr
    return Grid(start=start, tz=tz, interval_s=interval_s, n_days=n_days, required=required)
