"""Calendar top-down model: daily totals from calendar effects, spread by weekday intraday shares.

Daily totals of the last year of training are regressed (least squares on the log scale) on

    log total(d) = week(d) + weekday(d) + f(day of month) + a * after_closure(d)
                   + h * holiday(d) + e * eve(d)

with one level per 7-day block (``week``, so slow level changes never leak into the calendar
terms), weekday effects, a smooth day-of-month curve ``f`` (Fourier terms of (day - 1) / days in
the month, 3 harmonics: paydays and statements at the start of a month, a low second week), a surge
on the day after an unusual closure (the previous day's weekday is normally open but the day had
no rows, e.g. a closed holiday) and holiday / eve effects (when the history holds them open). The
forecast level is the recent weekly level (week effects of the last ``level_weeks`` blocks,
exponentially weighted), times the calendar terms of the day, times the mean of exp(residual)
(the log-scale bias correction). The total is spread over the day by the intraday shares of the
day's type (weekday, holiday, eve) from recent weeks.

Two registered variants: ``calendar`` with the day-of-month curve and ``calendar_flat`` without;
the backtest keeps or drops that term per queue by choosing between them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .base import VolumeModel, effective_types, has_data, intraday_shares, weekday_fallback

__all__ = ["CalendarTopDown", "CalendarFlat"]


def _dom_terms(days: pd.DatetimeIndex, harmonics: int) -> np.ndarray:
    """(len(days), 2 * harmonics) Fourier terms of the position in the month, 0 at day 1."""
    t = (days.day.to_numpy() - 1) / days.days_in_month.to_numpy()
    cols = []
    for k in range(1, harmonics + 1):
        cols += [np.sin(2 * np.pi * k * t), np.cos(2 * np.pi * k * t)]
    return np.column_stack(cols) if cols else np.zeros((len(days), 0))


class CalendarTopDown(VolumeModel):
    """Calendar top-down model with the day-of-month curve (see the module docstring).

    Fitted attributes: ``train_``, ``coef_`` (calendar coefficients: weekday 1..6, day of month,
    after closure, holiday, eve), ``level_`` (recent weekly level, log scale), ``smear_``
    (bias factor), ``daytypes_``, ``shares_`` ((9, n_slots) intraday shares), ``use_`` (terms used).
    """

    name = "calendar"
    description = ("Calendar top-down: recent weekly level x weekday x day-of-month x after-closure and "
                   "holiday effects on daily totals, spread by the weekday's intraday pattern.")
    harmonics = 3

    def __init__(self, max_days=364, level_weeks=6, level_halflife=1.5, share_days=8, share_halflife=3.0,
                 ridge=1.0):
        self.max_days, self.level_weeks, self.level_halflife = max_days, level_weeks, level_halflife
        self.share_days, self.share_halflife, self.ridge = share_days, share_halflife, ridge

    def _after_closure(self, days, open_days, ctx) -> np.ndarray:
        """Day after a day whose weekday is normally open but that was (or will be) closed."""
        prev = days - pd.Timedelta(days=1)
        usual = ctx.open_mask[prev.day_of_week.to_numpy()].any(axis=1)
        return usual & ~open_days

    def _calendar(self, days, after, ctx) -> np.ndarray:
        hol, eve = ctx.holiday_fn(days)
        dow = days.day_of_week.to_numpy()
        cols = [(dow == w).astype(float) for w in range(1, 7)]
        if self.harmonics:
            cols += list(_dom_terms(days, self.harmonics).T)
        for use, x in zip(self.use_, (after, hol, eve)):
            if use:
                cols.append(x.astype(float))
        return np.column_stack(cols)

    def fit(self, train, ctx):
        self.train_ = train
        Y, days = train.Y[-self.max_days:], train.days[-self.max_days:]
        has = has_data(Y)
        tot = np.where(has, np.nansum(Y, axis=1), np.nan)
        ok = has & (tot > 0)
        prev_open = np.concatenate([[True], has[:-1]])
        after = self._after_closure(days, prev_open, ctx)
        hol, eve = ctx.holiday_fn(days)
        self.use_ = tuple(bool((x & ok).sum() >= 2) for x in (after, hol, eve))
        X = self._calendar(days, after, ctx)
        block = (len(days) - 1 - np.arange(len(days))) // 7  # 0 = the last 7 days
        n_blocks = int(block.max()) + 1
        B = np.zeros((len(days), n_blocks))
        B[np.arange(len(days)), block] = 1.0
        A = np.hstack([B, X])[ok]
        y = np.log(tot[ok])
        # a light ridge on the calendar terms only: blocks with few open days stay identifiable
        pen = np.concatenate([np.zeros(n_blocks), np.full(X.shape[1], self.ridge)])
        lhs = A.T @ A + np.diag(pen)
        beta = np.linalg.lstsq(lhs, A.T @ y, rcond=None)[0]
        self.coef_ = beta[n_blocks:]
        weeks = beta[:n_blocks]
        seen = np.bincount(block[ok], minlength=n_blocks) > 0
        k = [b for b in range(min(self.level_weeks, n_blocks)) if seen[b]]
        w = 0.5 ** (np.asarray(k, float) / self.level_halflife)
        self.level_ = float(np.sum(w * weeks[k]) / w.sum()) if k else float(np.mean(y))
        resid = y - A @ beta
        recent = block[ok] < 8
        self.smear_ = float(np.mean(np.exp(resid[recent]))) if recent.any() else 1.0
        self.daytypes_ = ctx.daytype(train.days)
        self.shares_ = intraday_shares(train.Y, self.daytypes_, self.share_days, self.share_halflife)
        return self

    def predict(self, days, ctx):
        open_days = ctx.open_cells(days - pd.Timedelta(days=1)).any(axis=1)
        after = self._after_closure(days, open_days, ctx)
        tot = np.exp(self.level_ + self._calendar(days, after, ctx) @ self.coef_) * self.smear_
        types = effective_types(ctx.daytype(days), days.day_of_week.to_numpy(), self.daytypes_,
                                has_data(self.train_.Y))
        sh = self.shares_[types]
        fb = weekday_fallback(self.train_, days)
        sh = np.where(np.isfinite(sh), sh, fb / np.maximum(fb.sum(axis=1, keepdims=True), 1e-12))
        return np.nan_to_num(tot)[:, None] * sh


class CalendarFlat(CalendarTopDown):
    """The calendar top-down model without the day-of-month curve."""

    name = "calendar_flat"
    description = ("Calendar top-down without the day-of-month curve: recent weekly level x weekday x "
                   "after-closure and holiday effects, spread by the weekday's intraday pattern.")
    harmonics = 0
