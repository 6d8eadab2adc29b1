"""Long-range demand: daily, weekly and monthly volume per queue for 12-18 months ahead.

From a queue's interval history (local time), on daily totals ``v_d``:

1. **weekday mix** ``w[k]``: mean of ``log v_d - 7-day centred mean of log v`` by weekday ``k``
   (holidays, their eves and days with no contacts left out);
2. **season** ``s[m]`` and **trend** ``b`` (per day, log) by one OLS of the weekday-adjusted log
   volume on a constant, time and calendar-month dummies (season centred over the months): when the
   history covers >= 365 days the season comes from the history, otherwise it is ``log`` of the
   user's ``monthly_index`` (12 values, mean 1) and only the trend is fitted. A season fitted on
   fewer than two years absorbs the trend, so the trend then is 0 (said in ``trend_source``: give
   ``growth_per_year``); ``trend = "none"`` fits no slope;
3. **level** ``L``: the mean weekday-, season- and trend-adjusted log volume of the last 28 days,
   placed at their centre;
4. **holidays** of the horizon (``holidays`` library, the plan's ``country``): a holiday's volume is
   ``holiday_factor x`` its usual day (from the history: the mean ratio on past holidays; else the
   config's ``holiday_factor``);
5. the forecast day ``d`` (``t`` days after the level's centre)::

       v_d = exp(L + b t + w[weekday] + s[month]) x holiday x (1 + growth_per_year)^(t / 365.25) x what-ifs

**Uncertainty band** (p10/p90 of a month's total): ``median x exp(-/+ 1.2816 sigma_h)``, with
``sigma_h^2 = sigma_m^2 + (h se_b)^2``: ``sigma_m = sigma_w / sqrt(30.44 / 7)`` from ``sigma_w``, the
standard deviation of the history's weekly mean log residual (week-level error that does not
average out within a week; weeks taken as independent; monthly residuals cannot be used: a season
fitted on one year absorbs them), ``se_b`` the OLS standard error of the slope and ``h`` days
ahead (trend uncertainty grows with the lead). Lognormal, so the median is
the point forecast.

What-ifs (multipliers from a month on): a product ``launch`` (volume x factor), a ``deflection``
programme (volume x (1 - share)), a ``channel_shift`` (a share of one queue's volume moves to another,
times ``ratio`` contacts there per contact moved).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["DemandModel", "fit_demand", "project_days", "WhatIf", "apply_whatifs", "monthly_totals", "weekly_totals"]

Z90 = 1.2815515655446004  # standard normal 90% quantile: p10/p90


@dataclass(frozen=True)
class WhatIf:
    """A demand what-if from ``start_month`` (``YYYY-MM``) on: ``kind`` = ``launch`` (volume x ``factor``),
    ``deflection`` (volume x (1 - ``share``)) or ``channel_shift`` (``share`` of ``queue``'s volume moves
    to ``to_queue`` as ``ratio`` contacts per contact)."""

    kind: str
    queue: str
    start_month: str
    factor: float = 1.0
    share: float = 0.0
    to_queue: str | None = None
    ratio: float = 1.0


@dataclass(frozen=True)
class DemandModel:
    """A queue's fitted long-range model (see the module docstring; logs are natural)."""

    queue: str
    level_log: float
    level_date: pd.Timestamp
    slope_per_day: float
    slope_se: float
    weekday_log: np.ndarray       # (7,) Monday = 0
    season_log: np.ndarray        # (12,) January = 0
    season_source: str            # "history" or "monthly_index"
    holiday_factor: float
    sigma_month_log: float
    history_days: int
    trend_source: str = "history"


def _holiday_days(country: str | None, years) -> tuple[set, set]:
    """(holidays, holiday eves) as sets of ``datetime.date``; empty without a country."""
    if not country:
        return set(), set()
    import holidays as hol

    days = set(hol.country_holidays(country, years=sorted(set(years))).keys())
    eves = {d - pd.Timedelta(days=1).to_pytimedelta() for d in days} - days
    return days, eves


def _daily(history: pd.DataFrame) -> pd.Series:
    """Daily totals of ``volume`` by local date."""
    ts = pd.to_datetime(history["interval_start"])
    ts = ts.dt.tz_localize(None) if ts.dt.tz is not None else ts
    return history["volume"].astype(float).groupby(ts.dt.normalize().to_numpy()).sum().sort_index()


def _trend_and_season(y: np.ndarray, t: np.ndarray, month: np.ndarray, *, fit_season: bool, fit_trend: bool,
                      season: np.ndarray | None) -> tuple[float, float, np.ndarray]:
    """OLS of the weekday-adjusted log volume ``y`` on a constant, ``t`` (days; when ``fit_trend``) and
    month dummies (when ``fit_season``; else ``season`` is subtracted first): ``(slope, its standard
    error, season)`` with the season centred over the 12 months (months never seen: 0)."""
    ok = np.isfinite(y)
    y, t, month = y[ok], t[ok], month[ok]
    if not fit_season:
        y = y - season[month]
    cols = [np.ones_like(t)] + ([t] if fit_trend else [])
    seen = sorted(set(month)) if fit_season else []
    cols += [(month == m).astype(float) for m in seen[1:]]
    X = np.column_stack(cols)
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    slope = se = 0.0
    if fit_trend:
        resid = y - X @ beta
        dof = max(len(y) - X.shape[1], 1)
        cov = np.linalg.pinv(X.T @ X) * float(resid @ resid) / dof
        slope, se = float(beta[1]), float(np.sqrt(max(cov[1, 1], 0.0)))
    if fit_season:
        coef = {seen[0]: 0.0, **{m: float(b) for m, b in zip(seen[1:], beta[2 if fit_trend else 1:])}}
        vals = np.array([coef.get(m, np.nan) for m in range(12)])
        season = np.nan_to_num(vals - np.nanmean(vals))
    return slope, se, season


def fit_demand(queue: str, history: pd.DataFrame, *, country: str | None, monthly_index=None,
               trend: str = "history", holiday_factor: float = 0.5) -> DemandModel:
    """Fit the long-range model of one queue's history (``interval_start``, ``volume``)."""
    if trend not in ("history", "none"):
        raise ValueError(f"capacity.demand.trend: expected 'history' or 'none', got {trend!r}")
    daily = _daily(history)
    if len(daily) < 56:
        raise ValueError(f"queue {queue}: the history holds {len(daily)} days; long-range demand needs at least 56")
    hol, eves = _holiday_days(country, daily.index.year)
    special = np.array([d.date() in hol or d.date() in eves for d in daily.index])
    ok = (daily.to_numpy() > 0) & ~special
    logv = np.log(np.where(daily.to_numpy() > 0, daily.to_numpy(), np.nan))
    base = pd.Series(np.where(ok, logv, np.nan), index=daily.index)
    centred = base.rolling(7, center=True, min_periods=5).mean()
    dev = base - centred
    wd = daily.index.day_of_week
    weekday = np.array([np.nanmean(dev[wd == k]) if np.isfinite(dev[wd == k]).any() else 0.0 for k in range(7)])
    weekday -= weekday.mean()
    adj = base - weekday[wd]
    span = (daily.index[-1] - daily.index[0]).days + 1
    t = (daily.index - daily.index[-1]).days.to_numpy(float)
    month = daily.index.month.to_numpy() - 1
    if span >= 365:
        source = "history"
    else:
        if monthly_index is None:
            raise ValueError(f"queue {queue}: the history covers {span} days (< 365): give capacity.demand."
                             "monthly_index (12 values, one per month, mean 1)")
        idx = np.asarray(monthly_index, float)
        if idx.shape != (12,) or not np.isfinite(idx).all() or (idx <= 0).any():
            raise ValueError(f"capacity.demand.monthly_index: expected 12 positive numbers, got {monthly_index!r}")
        season, source = np.log(idx / idx.mean()), "monthly_index"
    # a season fitted from fewer than two years absorbs any trend: the trend is then not the history's
    separable = source == "monthly_index" or span >= 730
    fit_trend = trend == "history" and separable
    trend_source = ("history" if fit_trend else "none (asked)" if trend == "none" else
                    "none: the history covers < 2 years, its trend cannot be told from its season "
                    "(give demand.growth_per_year)")
    slope, se, season = _trend_and_season(adj.to_numpy(), t, month, fit_season=source == "history",
                                          fit_trend=fit_trend, season=None if source == "history" else season)
    des = adj - season[month]
    tail = des[des.index > daily.index[-1] - pd.Timedelta(days=28)]
    level_date = daily.index[-1] - pd.Timedelta(days=13.5)
    level = float(np.nanmean(tail)) if np.isfinite(tail).any() else float(np.nanmean(des))
    resid = des - (level + slope * (t - (level_date - daily.index[-1]).days))
    weekly_resid = resid.groupby((resid.index - resid.index[0]).days // 7).mean().dropna()
    sigma_m = float(weekly_resid.std(ddof=1)) / np.sqrt(30.44 / 7.0)
    hf = holiday_factor
    hmask = np.array([d.date() in hol for d in daily.index]) & (daily.to_numpy() >= 0)
    if hmask.any():
        expected = np.exp(level + slope * (t - (level_date - daily.index[-1]).days) + weekday[wd]
                          + season[daily.index.month - 1])
        hf = float(np.mean(daily.to_numpy()[hmask] / expected[hmask]))
    return DemandModel(queue, level, level_date, slope, se, weekday, season, source, hf, sigma_m, int(span),
                       trend_source)


def project_days(model: DemandModel, start: pd.Timestamp, months: int, *, country: str | None,
                 growth_per_year: float = 0.0) -> pd.DataFrame:
    """Daily point forecast of one queue for ``months`` calendar months from ``start`` (a month's
    first day): ``queue, date, month, volume, holiday, days_ahead``."""
    start = pd.Timestamp(start).normalize()
    end = start + pd.DateOffset(months=months)
    days = pd.date_range(start, end - pd.Timedelta(days=1), freq="D")
    hol, _ = _holiday_days(country, days.year)
    t = (days - model.level_date).days.to_numpy(float) + 0.5
    holiday = np.array([d.date() in hol for d in days])
    v = np.exp(model.level_log + model.slope_per_day * t + model.weekday_log[days.day_of_week]
               + model.season_log[days.month - 1])
    v = v * np.where(holiday, model.holiday_factor, 1.0) * (1.0 + growth_per_year) ** (t / 365.25)
    ahead = (days - (model.level_date + pd.Timedelta(days=13.5))).days.to_numpy(float)
    return pd.DataFrame({"queue": model.queue, "date": days, "month": days.strftime("%Y-%m"), "volume": v,
                         "holiday": holiday, "days_ahead": ahead})


def apply_whatifs(days: pd.DataFrame, whatifs) -> pd.DataFrame:
    """The daily forecast of all queues with the what-ifs applied (channel shifts move volume)."""
    out = days.copy()
    vol = out["volume"].to_numpy(float).copy()
    for w in whatifs:
        src = (out["queue"] == w.queue).to_numpy() & (out["month"] >= w.start_month).to_numpy()
        if w.kind == "launch":
            vol[src] *= w.factor
        elif w.kind == "deflection":
            vol[src] *= 1.0 - w.share
        elif w.kind == "channel_shift":
            moved = vol[src] * w.share
            vol[src] -= moved
            dst = (out["queue"] == w.to_queue).to_numpy() & (out["month"] >= w.start_month).to_numpy()
            if dst.sum() != src.sum():
                raise ValueError(f"channel_shift {w.queue} -> {w.to_queue}: the queues' days do not match")
            vol[dst] += moved * w.ratio
        else:
            raise ValueError(f"what-if kind {w.kind!r}: expected launch, deflection or channel_shift")
    out["volume"] = vol
    return out


def monthly_totals(days: pd.DataFrame, models: dict) -> pd.DataFrame:
    """Per queue and month: ``volume`` (median), ``volume_p10``, ``volume_p90`` (see the band in the
    module docstring), ``days``, ``holidays``."""
    g = days.groupby(["queue", "month"], sort=True)
    out = g.agg(volume=("volume", "sum"), days=("date", "count"), holidays=("holiday", "sum"),
                days_ahead=("days_ahead", "mean")).reset_index()
    m = out["queue"].map({q: md.sigma_month_log for q, md in models.items()}).to_numpy(float)
    se = out["queue"].map({q: md.slope_se for q, md in models.items()}).to_numpy(float)
    sigma = np.sqrt(m ** 2 + (np.clip(out["days_ahead"].to_numpy(float), 0, None) * se) ** 2)
    out["volume_p10"] = out["volume"] * np.exp(-Z90 * sigma)
    out["volume_p90"] = out["volume"] * np.exp(Z90 * sigma)
    return out.drop(columns="days_ahead")


def weekly_totals(days: pd.DataFrame, week_start: int) -> pd.DataFrame:
    """Per queue and week (weeks start on weekday ``week_start``, Monday = 0): ``volume``, ``days``."""
    d = days.copy()
    offset = (d["date"].dt.day_of_week - week_start) % 7
    d["week_start"] = (d["date"] - pd.to_timedelta(offset, unit="D")).dt.strftime("%Y-%m-%d")
    return d.groupby(["queue", "week_start"], sort=True).agg(volume=("volume", "sum"),
                                                             days=("date", "count")).reset_index()
