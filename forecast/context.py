"""What a volume model may know besides its training matrix: calendar and open slots.

:class:`Context` is built once per queue by :func:`build_context` from the queue's grid, the
holiday country and optional opening hours, and passed to every model's ``fit`` and ``predict``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .grid import EVE, HOLIDAY, Grid, holiday_flags, open_mask

__all__ = ["Context", "build_context"]


@dataclass
class Context:
    """Calendar and opening hours of one queue.

    country: ``holidays`` country code, or None (no holiday calendar).
    open_mask: (7, n_slots) bool, open slots per weekday (0 = Monday).
    holiday_fn: callable(days) -> (hol, eve) boolean arrays by calendar day.
    holiday_open: (n_slots,) bool, the slots open on public holidays when the history shows the
        center keeps other hours then (e.g. closed: all False); None when holidays follow the weekday.
    """

    country: str | None
    open_mask: np.ndarray
    holiday_fn: Callable[[pd.DatetimeIndex], tuple[np.ndarray, np.ndarray]]
    holiday_open: np.ndarray | None = None

    def daytype(self, days: pd.DatetimeIndex) -> np.ndarray:
        """Day type per day: weekday 0..6 (0 = Monday), 7 on holidays, 8 on holiday eves."""
        dt = days.day_of_week.to_numpy().copy()
        hol, eve = self.holiday_fn(days)
        dt[eve] = EVE
        dt[hol] = HOLIDAY
        return dt


def build_context(grid: Grid, country: str | None, opening_hours=None) -> Context:
    """The context of one queue: open slots from ``opening_hours`` (or from the history), the
    holiday calendar of ``country``, and, without opening hours, the slots the history shows open
    on public holidays."""
    mask = open_mask(grid, opening_hours)
    return Context(country, mask, lambda d: holiday_flags(d, country),
                   None if opening_hours is not None else _holiday_open(grid, country, mask))


def _holiday_open(grid: Grid, country, mask) -> np.ndarray | None:
    """Slots open on public holidays, from the holidays in the history that fell on a normally open
    weekday: closed is not zero, so a center without rows on its holidays gets no holiday forecast.
    None when the history holds no such holiday or the holidays look like ordinary days."""
    if not country:
        return None
    hol, _ = holiday_flags(grid.days, country)
    usual = mask[grid.days.day_of_week.to_numpy()].any(axis=1)
    sel = hol & usual
    if not sel.any():
        return None
    seen = np.isfinite(grid.Y[sel]).any(axis=0)
    return None if np.array_equal(seen, mask[grid.days.day_of_week.to_numpy()[sel]].any(axis=0)) else seen
