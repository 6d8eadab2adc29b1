"""Outage cleaning: intervals far below the same weekday's expected shape are replaced in training.

A phone-system outage that empties an evening would otherwise sit in the same-weekday averages of
the following weeks. For each day ``d`` of the history:

- the expected shape ``E[d, s]`` is the per-interval median of up to ``REF_DAYS`` earlier days of
  the same weekday (days with data that are neither holidays nor holiday eves): only the past, so a
  backtest fold's training data is cleaned with training data alone;
- the day's own level ``r`` is the median of ``Y / E`` over its intervals with ``E >=
  MIN_EXPECTED`` (robust: an outage of less than half the day does not move it);
- an interval is an outage when its expected count ``r E`` is at least ``MIN_EXPECTED`` contacts
  (low counts are never tested) and it received less than ``RATIO`` of it, in a run of at least
  ``MIN_RUN`` consecutive such intervals (one quiet half hour is noise, not an outage);
- holidays and holiday eves are never tested (their shape is their own);
- a drop that the next same weekday in the data repeats (at least half of the run's intervals
  below ``CONFIRM_RATIO`` of their expected count again) is a change of shape, e.g. opening hours
  moved with daylight saving time, not an outage, and is kept. The latest week cannot be
  confirmed and is cleaned; the next forecast that sees its repeat keeps it.

Outage intervals are replaced by ``r E`` in the grid the models are fitted on; the reported actuals
(backtest scores, intraday) keep the raw counts. Every cleaned day is listed
(:class:`CleanedDay`) in the forecast's report.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .context import Context
from .grid import Grid

__all__ = ["CleanedDay", "clean_outages"]

REF_DAYS = 6  # earlier same weekdays in the expected shape
MIN_REF_DAYS = 3  # fewer: no shape to compare with, the day is not tested
MIN_EXPECTED = 8.0  # contacts per interval; below this a low count is not evidence of an outage
RATIO = 0.35  # an outage interval got less than this share of its expected count
MIN_RUN = 2  # consecutive intervals
CONFIRM_RATIO = 0.6  # the next same weekday this low again in the same intervals: a new shape


@dataclass(frozen=True)
class CleanedDay:
    """One day whose outage intervals were replaced in training.

    day: ISO date; start, end: wall-clock span of the replaced intervals ("HH:MM", end exclusive);
    intervals: number replaced; actual, expected: contacts in them as received and as replaced.
    """

    day: str
    start: str
    end: str
    intervals: int
    actual: float
    expected: float

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _runs(flag: np.ndarray, min_run: int) -> np.ndarray:
    """``flag`` with runs of fewer than ``min_run`` consecutive True removed."""
    out = np.zeros_like(flag)
    i, n = 0, flag.size
    while i < n:
        if flag[i]:
            j = i
            while j < n and flag[j]:
                j += 1
            if j - i >= min_run:
                out[i:j] = True
            i = j
        else:
            i += 1
    return out


def _repeated(Y: np.ndarray, idx: np.ndarray, pos: int, exp: np.ndarray, flag: np.ndarray) -> bool:
    """True when the next same weekday (``idx[pos + 1]``) is low in the flagged intervals again."""
    if pos + 1 >= idx.size:
        return False
    nxt = Y[idx[pos + 1]]
    big = np.isfinite(exp) & (exp >= MIN_EXPECTED) & np.isfinite(nxt) & ~flag
    r = float(np.median(nxt[big] / exp[big])) if big.any() else 1.0
    low = ~np.isfinite(nxt[flag]) | (nxt[flag] < CONFIRM_RATIO * r * exp[flag])
    return bool(low.mean() >= 0.5)


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def clean_outages(grid: Grid, ctx: Context) -> tuple[Grid, list[CleanedDay]]:
    """The grid with outage intervals replaced (see the module docstring) and the cleaned days."""
    Y = grid.Y
    dt = ctx.daytype(grid.days)
    dow = grid.days.day_of_week.to_numpy()
    usable = np.isfinite(Y).any(axis=1) & (dt < 7)
    out = Y.copy()
    cleaned = []
    for w in range(7):
        idx = np.flatnonzero(usable & (dow == w))
        for pos in range(MIN_REF_DAYS, idx.size):
            d = idx[pos]
            with warnings.catch_warnings():  # all-NaN slots (closed) give NaN: wanted
                warnings.simplefilter("ignore", RuntimeWarning)
                exp = np.nanmedian(Y[idx[max(0, pos - REF_DAYS):pos]], axis=0)
            y = Y[d]
            big = np.isfinite(exp) & (exp >= MIN_EXPECTED) & np.isfinite(y)
            if big.sum() < 2 * MIN_RUN:
                continue
            r = float(np.median(y[big] / exp[big]))
            if not np.isfinite(r) or r <= 0:
                continue
            want = r * exp
            flag = _runs(np.isfinite(y) & np.isfinite(want) & (want >= MIN_EXPECTED) & (y < RATIO * want), MIN_RUN)
            if not flag.any() or _repeated(Y, idx, pos, exp, flag):
                continue
            out[d, flag] = want[flag]
            slots = np.flatnonzero(flag)
            cleaned.append(CleanedDay(str(grid.days[d].date()), _hhmm(int(slots[0] * grid.interval_s)),
                                      _hhmm(int((slots[-1] + 1) * grid.interval_s)), int(flag.sum()),
                                      float(y[flag].sum()), float(want[flag].sum())))
    cleaned.sort(key=lambda c: c.day)
    return Grid(grid.days, out, grid.interval_s, grid.tz, grid.aht_s, dict(grid.extra)), cleaned
