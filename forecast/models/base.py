"""The volume-model interface and the profile helpers the models share.

A model is a class with a ``name`` (its registry key), a ``description`` (one sentence a planner
understands, shown in the dashboard), and two methods:

- ``fit(train, ctx)``: learn from a :class:`~forecast.grid.Grid` of training days (contacts per
  interval, NaN = no row = closed or missing) and a :class:`~forecast.context.Context`; sets the
  fitted attributes (their names end in ``_``) and returns the model;
- ``predict(days, ctx)``: the expected contacts per interval for the calendar ``days`` (after the
  training days) as an array of shape (len(days), n_slots).

Models never see data after the end of their training grid.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..context import Context
from ..grid import EVE, HOLIDAY, N_DAYTYPES, Grid

__all__ = ["VolumeModel", "has_data", "effective_types", "weighted_profile", "smooth_slots", "fill_missing",
           "intraday_shares", "weekday_fallback"]


def has_data(Y: np.ndarray) -> np.ndarray:
    """Per day (row of ``Y``): True when the day has at least one interval with a value."""
    return np.isfinite(Y).any(axis=1)


def effective_types(dt_pred, dow_pred, dt_train, has, min_examples=2):
    """Day types to predict with: holiday / eve types only when the training days hold at least
    ``min_examples`` of them (with data); otherwise the weekday."""
    out = dt_pred.copy()
    for t in (HOLIDAY, EVE):
        if ((dt_train == t) & has).sum() < min_examples:
            sel = out == t
            out[sel] = dow_pred[sel]
    return out


def weighted_profile(Y, dt, types, k, halflife=None):
    """Per day type: (weighted) mean of the last ``k`` days of that type, NaN-aware.

    ``halflife`` (in days of that type): weights halve every ``halflife`` days back; None = equal.
    Returns an (N_DAYTYPES, n_slots) array with NaN for types without data.
    """
    has = has_data(Y)
    prof = np.full((N_DAYTYPES, Y.shape[1]), np.nan)
    for t in types:
        idx = np.flatnonzero((dt == t) & has)[-k:]
        if idx.size == 0:
            continue
        rows = Y[idx]
        w = np.ones(idx.size) if halflife is None else 0.5 ** (np.arange(idx.size)[::-1] / halflife)
        w2 = np.where(np.isfinite(rows), w[:, None], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            prof[t] = np.nansum(np.nan_to_num(rows) * w2, axis=0) / w2.sum(axis=0)
    return prof


def smooth_slots(P: np.ndarray, w: float, min_ratio: float = 0.5) -> np.ndarray:
    """Each row of ``P`` smoothed over neighbouring slots with weights (w, 1 - 2w, w).

    A neighbour takes part only when it is open (NaN = closed stays NaN) and within a factor
    ``1 / min_ratio`` of the slot (smaller / larger >= ``min_ratio``): a real step, like an opening
    slot with no contacts next to a busy one, is kept, not blurred. The weights of the neighbours
    that take part are rescaled to 1."""
    if w <= 0:
        return P
    seen = np.isfinite(P)
    val = np.where(seen, P, 0.0)
    num, den = val * (1.0 - 2.0 * w), np.where(seen, 1.0 - 2.0 * w, 0.0)
    for here, there in ((np.s_[:, 1:], np.s_[:, :-1]), (np.s_[:, :-1], np.s_[:, 1:])):
        a, b = val[here], val[there]
        with np.errstate(invalid="ignore", divide="ignore"):
            close = np.minimum(a, b) >= min_ratio * np.maximum(a, b)
        ok = seen[here] & seen[there] & close & (np.maximum(a, b) > 0)
        num[here] += np.where(ok, w * b, 0.0)
        den[here] += w * ok
    return np.where(seen, num / np.where(den > 0, den, 1.0), np.nan)


def fill_missing(pred: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """``pred`` with its non-finite cells taken from ``fallback`` (then any NaN left as 0)."""
    bad = ~np.isfinite(pred)
    if bad.any():
        pred = pred.copy()
        pred[bad] = fallback[bad]
    return np.nan_to_num(pred, nan=0.0)


def intraday_shares(Y, dt, k, halflife=None):
    """Intraday shares per day type from the last ``k`` days of each type (rows sum to 1)."""
    prof = weighted_profile(Y, dt, range(N_DAYTYPES), k, halflife)
    tot = np.nansum(prof, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, np.nan_to_num(prof) / tot, np.nan)


def weekday_fallback(train: Grid, days: pd.DatetimeIndex) -> np.ndarray:
    """A robust value for empty cells: the weekday mean of the last 8 same weekdays, else the
    mean of the last 8 weeks per interval; shape (len(days), n_slots)."""
    dow = train.days.day_of_week.to_numpy()
    prof = weighted_profile(train.Y, dow, range(7), 8)
    recent = train.Y[-56:]
    seen = np.isfinite(recent)
    allmean = np.nansum(recent, axis=0) / np.maximum(seen.sum(axis=0), 1)
    prof = np.where(np.isfinite(prof), prof, np.nan_to_num(allmean)[None, :])
    return prof[days.day_of_week.to_numpy()]


class VolumeModel:
    """Base class of the volume models (see the module docstring for the interface).

    Class attributes: ``name`` (registry key), ``description`` (one sentence for planners),
    ``is_baseline`` (a naive reference model: left out of the automatic combinations),
    ``in_auto`` (a candidate of ``model="auto"`` by default; False for models the backtest showed
    dominated or too slow for their gain, which stay available by name).
    """

    name = "base"
    description = ""
    is_baseline = False
    in_auto = True

    def fit(self, train: Grid, ctx: Context) -> "VolumeModel":  # pragma: no cover - interface
        raise NotImplementedError

    def predict(self, days: pd.DatetimeIndex, ctx: Context) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
