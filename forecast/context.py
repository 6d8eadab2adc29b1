"""What a volume model may know besides its training matrix: calendar and open slots.

:class:`Context` is built once per queue by :func:`build_context` from the queue's grid, the
holiday country and optional opening hours, and passed to every model's ``fit`` and ``predict``.

Holidays are decided one by one (by name, e.g. "Yom Kippur"): a holiday the history shows closed
(a normally open weekday without rows) is closed, one it shows open keeps the slots it had then.
A holiday the history never shows on an open weekday follows its weekday, except when every
holiday the history does show was closed: then the center's practice is plain and it is closed
too. A forecast day without open slots is listed with the reason (:class:`ClosedDay`), never
dropped silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from .grid import EVE, HOLIDAY, Grid, holiday_flags, holiday_names, open_mask

__all__ = ["Context", "ClosedDay", "build_context"]

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ClosedDay:
    """A forecast day with no open interval. day: ISO date; reason: why, in plain words."""

    day: str
    reason: str

    def as_dict(self) -> dict:
        return {"day": self.day, "reason": self.reason}


@dataclass
class Context:
    """Calendar and opening hours of one queue.

    country: ``holidays`` country code, or None (no holiday calendar).
    open_mask: (7, n_slots) bool, open slots per weekday (0 = Monday).
    holiday_fn: callable(days) -> (hol, eve) boolean arrays by calendar day.
    holiday_hours: holiday name -> (n_slots,) bool open slots as the history last showed them on a
        normally open weekday (all False = closed); holidays not listed follow their weekday.
    holiday_seen: holiday name -> ISO date of that last occurrence.
    unseen_holidays_closed: True when every holiday in ``holiday_hours`` is closed: holidays not
        listed are closed too (otherwise they follow their weekday).
    """

    country: str | None
    open_mask: np.ndarray
    holiday_fn: Callable[[pd.DatetimeIndex], tuple[np.ndarray, np.ndarray]]
    holiday_hours: dict = field(default_factory=dict)
    holiday_seen: dict = field(default_factory=dict)

    @property
    def unseen_holidays_closed(self) -> bool:
        return bool(self.holiday_hours) and not any(h.any() for h in self.holiday_hours.values())

    def daytype(self, days: pd.DatetimeIndex) -> np.ndarray:
        """Day type per day: weekday 0..6 (0 = Monday), 7 on holidays, 8 on holiday eves."""
        dt = days.day_of_week.to_numpy().copy()
        hol, eve = self.holiday_fn(days)
        dt[eve] = EVE
        dt[hol] = HOLIDAY
        return dt

    def open_cells(self, days: pd.DatetimeIndex) -> np.ndarray:
        """(len(days), n_slots) bool: the open slots of each calendar day (weekday hours, or the
        hours the history showed on that holiday)."""
        cells = self.open_mask[days.day_of_week.to_numpy()].copy()
        if self.holiday_hours:
            all_closed = self.unseen_holidays_closed
            for i, name in enumerate(holiday_names(days, self.country)):
                if name in self.holiday_hours:
                    cells[i] = self.holiday_hours[name]
                elif name and all_closed:
                    cells[i] = False
        return cells

    def closed_days(self, days: pd.DatetimeIndex) -> list[ClosedDay]:
        """The days of ``days`` without an open slot, each with its reason."""
        cells = self.open_cells(days)
        names = holiday_names(days, self.country)
        out = []
        for i in np.flatnonzero(~cells.any(axis=1)):
            d, name = days[i], names[i]
            if name and name in self.holiday_hours:
                reason = f"holiday {name}: closed, as on {self.holiday_seen[name]}"
            elif name and self.unseen_holidays_closed and self.open_mask[d.day_of_week].any():
                reason = (f"holiday {name}: not in the history, closed like every holiday there "
                          f"({', '.join(sorted(self.holiday_seen.values()))})")
            else:
                reason = f"closed on {_WEEKDAYS[d.day_of_week]}s" + (f" (holiday {name})" if name else "")
            out.append(ClosedDay(str(d.date()), reason))
        return out


def build_context(grid: Grid, country: str | None, opening_hours=None) -> Context:
    """The context of one queue: open slots from ``opening_hours`` (or from the history), the
    holiday calendar of ``country``, and, without opening hours, each holiday's hours as the
    history last showed them."""
    mask = open_mask(grid, opening_hours)
    hours, seen = ({}, {}) if opening_hours is not None else _holiday_hours(grid, country, mask)
    return Context(country, mask, lambda d: holiday_flags(d, country), hours, seen)


def _holiday_hours(grid: Grid, country, mask) -> tuple[dict, dict]:
    """Per holiday name, the slots open on its last occurrence in the history that fell on a
    normally open weekday (closed is not zero: no rows = closed), and that occurrence's date."""
    if not country:
        return {}, {}
    names = holiday_names(grid.days, country)
    usual = mask[grid.days.day_of_week.to_numpy()].any(axis=1)
    hours, seen = {}, {}
    for i in np.flatnonzero((names != "") & usual):  # in date order: the last occurrence wins
        hours[names[i]] = np.isfinite(grid.Y[i])
        seen[names[i]] = str(grid.days[i].date())
    return hours, seen
