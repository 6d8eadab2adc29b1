"""Volume models with a common interface: ``fit(train, ctx)`` then ``predict(days, ctx)``.

Every model receives a :class:`~forecast.grid.Grid` of training days (contacts per interval,
NaN = no row) and returns, for the requested calendar days, the expected contacts per interval as a
(n_days, n_slots) array. Models never see data after the end of their training grid.

Models:

- ``snaive``: weekly seasonal naive (same weekday, last week).
- ``mean4``: mean of the last 4 same weekdays (per interval).
- ``profile``: weekday x time-of-day profile of recent weeks (holidays and their eves are their own
  day types once the history holds at least two of them), exponentially weighted.
- ``daily_sarimax``: top-down. Daily totals modelled by statsmodels SARIMAX on log(1 + total) with
  weekly seasonal differencing and holiday / eve regressors, times a day-type-specific intraday
  profile (shares of the day) from recent weeks.
- ``mstl_ets``: statsmodels MSTL (daily and weekly periods) on log(1 + volume) of recent weeks; the
  deseasonalised series is forecast with exponential smoothing (damped additive trend), the
  seasonal components repeat their last cycle.
- ``glm_poisson``: Poisson GLM (statsmodels, log link; over-dispersion by moments) on weekday x time-of-day, a linear
  trend, holidays and eves, fitted on recent weeks.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .grid import EVE, HOLIDAY, N_DAYTYPES, Grid

__all__ = ["MODELS", "BASELINES", "make_model", "Context"]


@dataclass
class Context:
    """What a model may know besides the training matrix.

    daytype(days) -> int array (0..6 weekday, 7 holiday, 8 eve); hol/eve flags by calendar day.
    open_mask: (7, n_slots) bool, open slots per weekday.
    holiday_open: (n_slots,) bool, the slots open on public holidays when the history shows the
    center keeps other hours then (e.g. closed: all False); None when holidays follow the weekday.
    """

    country: str | None
    open_mask: np.ndarray
    holiday_fn: object  # callable(days) -> (hol, eve)
    holiday_open: np.ndarray | None = None  # (n_slots,) open slots on public holidays; None = as weekdays

    def daytype(self, days: pd.DatetimeIndex) -> np.ndarray:
        dt = days.day_of_week.to_numpy().copy()
        hol, eve = self.holiday_fn(days)
        dt[eve] = EVE
        dt[hol] = HOLIDAY
        return dt


def _has_data(Y: np.ndarray) -> np.ndarray:
    return np.isfinite(Y).any(axis=1)


def _effective_types(dt_pred, dow_pred, dt_train, has, min_examples=2):
    """Use holiday / eve day types only when the training data holds enough of them."""
    out = dt_pred.copy()
    for t in (HOLIDAY, EVE):
        if ((dt_train == t) & has).sum() < min_examples:
            sel = out == t
            out[sel] = dow_pred[sel]
    return out


def _weighted_profile(Y, dt, types, k, halflife=None):
    """Per day type: (weighted) mean of the last ``k`` days of that type, NaN-aware.

    Returns (N_DAYTYPES, n_slots) array with NaN for types without data.
    """
    has = _has_data(Y)
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


def _fill(pred: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    bad = ~np.isfinite(pred)
    if bad.any():
        pred = pred.copy()
        pred[bad] = fallback[bad]
    return np.nan_to_num(pred, nan=0.0)


class VolumeModel:
    """Base class. Subclasses set ``name`` and implement ``fit`` / ``predict``."""

    name = "base"
    is_baseline = False

    def fit(self, train: Grid, ctx: Context) -> "VolumeModel":  # pragma: no cover - interface
        raise NotImplementedError

    def predict(self, days: pd.DatetimeIndex, ctx: Context) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    # shared helper: a robust fallback for empty cells (weekday mean of recent weeks)
    def _fallback(self, train: Grid, days: pd.DatetimeIndex) -> np.ndarray:
        dow = train.days.day_of_week.to_numpy()
        prof = _weighted_profile(train.Y, dow, range(7), 8)
        recent = train.Y[-56:]
        seen = np.isfinite(recent)
        allmean = np.nansum(recent, axis=0) / np.maximum(seen.sum(axis=0), 1)
        prof = np.where(np.isfinite(prof), prof, np.nan_to_num(allmean)[None, :])
        return prof[days.day_of_week.to_numpy()]


class SeasonalNaive(VolumeModel):
    """Weekly seasonal naive: each future day repeats the last observed same weekday."""

    name = "snaive"
    is_baseline = True

    def fit(self, train, ctx):
        self.train = train
        return self

    def predict(self, days, ctx):
        tr = self.train
        dow = tr.days.day_of_week.to_numpy()
        prof = _weighted_profile(tr.Y, dow, range(7), 1)
        return _fill(prof[days.day_of_week.to_numpy()], self._fallback(tr, days))


class MeanOfWeeks(VolumeModel):
    """Mean of the last ``k`` same weekdays, per interval (baseline)."""

    is_baseline = True

    def __init__(self, k=4):
        self.k = k
        self.name = f"mean{k}"

    def fit(self, train, ctx):
        self.train = train
        return self

    def predict(self, days, ctx):
        tr = self.train
        prof = _weighted_profile(tr.Y, tr.days.day_of_week.to_numpy(), range(7), self.k)
        return _fill(prof[days.day_of_week.to_numpy()], self._fallback(tr, days))


class RecentProfile(VolumeModel):
    """Day-type x time-of-day profile of recent weeks, exponentially weighted (half-life in weeks)."""

    name = "profile"

    def __init__(self, k=8, halflife=3.0):
        self.k, self.halflife = k, halflife

    def fit(self, train, ctx):
        self.train = train
        self.dt = ctx.daytype(train.days)
        self.prof = _weighted_profile(train.Y, self.dt, range(N_DAYTYPES), self.k, self.halflife)
        return self

    def predict(self, days, ctx):
        tr = self.train
        types = _effective_types(ctx.daytype(days), days.day_of_week.to_numpy(), self.dt, _has_data(tr.Y))
        return _fill(self.prof[types], self._fallback(tr, days))


def _shares(Y, dt, k, halflife=None):
    """Intraday shares per day type from the last ``k`` days of each type (rows sum to 1)."""
    prof = _weighted_profile(Y, dt, range(N_DAYTYPES), k, halflife)
    tot = np.nansum(prof, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, np.nan_to_num(prof) / tot, np.nan)


class DailySarimaxTopDown(VolumeModel):
    """Daily totals (SARIMAX on log(1+total), weekly seasonal difference, holiday/eve regressors)
    times day-type-specific intraday shares of recent weeks."""

    name = "daily_sarimax"

    def __init__(self, max_days=364, share_days=6, share_halflife=3.0, order=(1, 0, 1), seasonal_order=(0, 1, 1, 7)):
        self.max_days = max_days
        self.share_days, self.share_halflife = share_days, share_halflife
        self.order, self.seasonal_order = order, seasonal_order

    def fit(self, train, ctx):
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        self.train = train
        Y = train.Y[-self.max_days:]
        days = train.days[-self.max_days:]
        has = _has_data(Y)
        tot = np.where(has, np.nansum(Y, axis=1), np.nan)
        hol, eve = ctx.holiday_fn(days)
        self.exog_cols = [c for c, f in (("hol", hol), ("eve", eve)) if (f & has).sum() >= 1]
        exog = np.column_stack([hol if c == "hol" else eve for c in self.exog_cols]).astype(float) if self.exog_cols else None
        self.nobs = len(days)
        y = np.log1p(tot)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mod = SARIMAX(y, exog=exog, order=self.order, seasonal_order=self.seasonal_order,
                          enforce_stationarity=False, enforce_invertibility=False)
            self.res = mod.fit(disp=False, maxiter=60, method="lbfgs")
        self.last_day = days[-1]
        self.dt = ctx.daytype(train.days)
        self.shares = _shares(train.Y, self.dt, self.share_days, self.share_halflife)
        # Without enforced stationarity a short history can give an explosive fit; forecasts are
        # kept within [0, 2 x the largest daily total seen] on the log scale (a sanity bound).
        self.log_cap = float(np.log1p(2.0 * np.nanmax(tot))) if np.isfinite(tot).any() else 0.0
        return self

    def predict(self, days, ctx):
        steps = int((days[-1] - self.last_day).days)
        future = pd.date_range(self.last_day + pd.Timedelta(days=1), periods=steps, freq="D")
        exog = None
        if self.exog_cols:
            hol, eve = ctx.holiday_fn(future)
            exog = np.column_stack([hol if c == "hol" else eve for c in self.exog_cols]).astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mu = np.asarray(self.res.forecast(steps, exog=exog))
        mu = np.clip(np.nan_to_num(mu, nan=0.0, posinf=self.log_cap, neginf=0.0), 0.0, self.log_cap)
        tot = np.expm1(mu)[(days - future[0]).days.to_numpy()]
        types = _effective_types(ctx.daytype(days), days.day_of_week.to_numpy(), self.dt, _has_data(self.train.Y))
        sh = self.shares[types]
        fb = self._fallback(self.train, days)
        sh = np.where(np.isfinite(sh), sh, fb / np.maximum(fb.sum(axis=1, keepdims=True), 1e-12))
        return np.maximum(tot, 0)[:, None] * sh


class MstlEts(VolumeModel):
    """MSTL (daily + weekly seasonality) on log(1+volume) of recent weeks; exponential smoothing with
    a damped additive trend on the deseasonalised series; seasonal components repeat their last cycle."""

    name = "mstl_ets"

    def __init__(self, weeks=8):
        self.weeks = weeks

    def fit(self, train, ctx):
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
        from statsmodels.tsa.seasonal import MSTL

        self.train = train
        n = min(len(train.days), 7 * self.weeks)
        Y = train.Y[-n:]
        days = train.days[-n:]
        fb = self._fallback(train.head(len(train.days)), days)
        Yf = np.where(np.isfinite(Y), Y, fb)
        s = train.n_slots
        x = np.log1p(Yf.ravel())
        periods = (s, 7 * s) if n >= 14 else (s,)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = MSTL(x, periods=periods, iterate=1, stl_kwargs={"seasonal_deg": 0, "inner_iter": 1}).fit()
            seas = np.asarray(res.seasonal).reshape(len(x), -1).sum(axis=1)
            desea = x - seas
            # exponential smoothing on daily means of the deseasonalised series (cheap and stable)
            daily = desea.reshape(n, s).mean(axis=1)
            self.ets = ExponentialSmoothing(daily, trend="add", damped_trend=True,
                                            initialization_method="estimated").fit()
        self.seas_week = seas[-7 * s:].reshape(7, s) if n >= 7 else np.tile(seas[-s:], (7, 1))
        self.week_dows = days[-7:].day_of_week.to_numpy() if n >= 7 else np.arange(7)
        self.resid_day = (desea.reshape(n, s) - daily[:, None])[-7 * 4:].mean(axis=0) if n >= 7 else 0.0
        self.last_day = days[-1]
        return self

    def predict(self, days, ctx):
        steps = int((days[-1] - self.last_day).days)
        level = np.asarray(self.ets.forecast(steps))[(days - self.last_day).days.to_numpy() - 1]
        row_of_dow = np.empty(7, int)
        row_of_dow[self.week_dows] = np.arange(len(self.week_dows))
        seas = self.seas_week[row_of_dow[days.day_of_week.to_numpy()]]
        pred = np.expm1(level[:, None] + seas + self.resid_day)
        return _fill(np.maximum(pred, 0.0), self._fallback(self.train, days))


class GlmPoisson(VolumeModel):
    """Poisson GLM (log link) on weekday x time-of-day cells, a linear trend (per 4 weeks; held
    constant from 4 weeks after the history on), holiday and eve indicators, fitted on recent weeks:

        log E[volume(d, s)] = a[weekday(d), s] + b_trend * t(d) + b_hol * hol(d) + b_eve * eve(d)

    Fitted by exact block coordinate ascent on the Poisson likelihood: the cell effects ``a`` have a
    closed form given ``b``; ``b`` is fitted by a statsmodels Poisson GLM with the cell effects as
    offset (a handful of rounds instead of IRLS on hundreds of dummy columns). Over-dispersion
    (negative binomial alpha, var = mu + alpha mu^2) is estimated by moments and kept in ``alpha``.
    """

    name = "glm_poisson"
    TREND_HOLD_DAYS = 28

    def __init__(self, weeks=8, trend=True, rounds=8):
        self.weeks, self.trend, self.rounds = weeks, trend, rounds

    def _covariates(self, days, ctx):
        hol, eve = ctx.holiday_fn(days)
        cols = []
        if self.trend:
            # extrapolated at most TREND_HOLD_DAYS past the history, then held: a straight line on
            # the log scale would compound without bound over a long horizon
            cols.append(np.minimum((days - self.t0).days.to_numpy(), self.TREND_HOLD_DAYS) / 28.0)
        if self.use_hol:
            cols.append(hol.astype(float))
        if self.use_eve:
            cols.append(eve.astype(float))
        return np.column_stack(cols) if cols else np.zeros((len(days), 0))

    def fit(self, train, ctx):
        import statsmodels.api as sm

        self.train = train
        n = min(len(train.days), 7 * self.weeks)
        Y = train.Y[-n:]
        days = train.days[-n:]
        s = self.n_slots = train.n_slots
        obs = np.isfinite(Y)
        has = _has_data(Y)
        hol, eve = ctx.holiday_fn(days)
        self.use_hol = bool((hol & has).any()) and bool((~hol & has).any())
        self.use_eve = bool((eve & has).any()) and bool((~eve & has).any())
        self.t0 = days[-1]
        Z = self._covariates(days, ctx)  # (n_days, k) day-level covariates
        d_idx, sl = np.nonzero(obs)
        y = Y[d_idx, sl]
        cell = days.day_of_week.to_numpy()[d_idx] * s + sl
        n_cells = 7 * s
        ysum = np.bincount(cell, weights=y, minlength=n_cells)
        self.seen = np.bincount(cell, minlength=n_cells) > 0
        beta = np.zeros(Z.shape[1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(self.rounds if Z.shape[1] else 1):
                eta_day = Z @ beta
                denom = np.bincount(cell, weights=np.exp(eta_day[d_idx]), minlength=n_cells)
                a = np.log(np.maximum(ysum, 1e-3) / np.maximum(denom, 1e-12))
                if not Z.shape[1]:
                    break
                res = sm.GLM(y, Z[d_idx], family=sm.families.Poisson(), offset=a[cell]).fit(
                    start_params=beta, maxiter=25, tol=1e-8)
                if np.max(np.abs(res.params - beta)) < 1e-5:
                    beta = np.asarray(res.params)
                    break
                beta = np.asarray(res.params)
            denom = np.bincount(cell, weights=np.exp((Z @ beta)[d_idx]), minlength=n_cells)
            a = np.log(np.maximum(ysum, 1e-3) / np.maximum(denom, 1e-12))
        self.a, self.beta = a, beta
        mu = np.exp(a[cell] + (Z @ beta)[d_idx])
        self.alpha = float(np.clip(np.sum((y - mu) ** 2 - mu) / max(np.sum(mu**2), 1e-9), 0.0, 10.0))
        return self

    def predict(self, days, ctx):
        s = self.n_slots
        cells = days.day_of_week.to_numpy()[:, None] * s + np.arange(s)[None, :]
        eta = self.a[cells] + (self._covariates(days, ctx) @ self.beta)[:, None]
        pred = np.where(self.seen[cells], np.exp(np.clip(eta, -50, 50)), np.nan)
        return _fill(pred, self._fallback(self.train, days))


MODELS = {
    "snaive": SeasonalNaive,
    "mean4": lambda: MeanOfWeeks(4),
    "profile": RecentProfile,
    "daily_sarimax": DailySarimaxTopDown,
    "mstl_ets": MstlEts,
    "glm_poisson": GlmPoisson,
}
BASELINES = ("snaive", "mean4")


def make_model(name: str) -> VolumeModel:
    """A fresh, unfitted model by name (see :data:`MODELS`)."""
    try:
        return MODELS[name]()
    except KeyError:
        raise ValueError(f"unknown model {name!r}; expected one of {sorted(MODELS)} or 'auto'") from None
