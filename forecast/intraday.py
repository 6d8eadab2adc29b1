"""Intraday re-forecast: scale the rest of today's forecast by how today has run so far.

Week-ahead forecasts cannot see a day's own level: on the bundled bank data the counts scatter
around the recent-weeks shape with about twice the Poisson variance, and the misses run in the same
direction for hours. Once a day's first intervals are in, their ratio to the forecast is the best
cheap signal for the rest of that day. The ratio is shrunk toward 1 with a prior worth
``prior_contacts`` contacts, so two quiet early intervals do not halve the evening:

    ratio(day) = (actual so far + prior_contacts) / (forecast so far + prior_contacts)

where "so far" covers the day's intervals that have an actual. Every later interval of that day
gets ``volume * ratio``; earlier intervals keep their forecast (their actual is reported beside
it); other days are unchanged. p10 / p90 are recomputed around the new mean with the forecast's
backtest-calibrated negative binomial dispersion (kept as is: conservative, since part of the
week-ahead error is now known).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .history import rows_text
from .intervals import quantiles
from .result import ForecastResult

__all__ = ["reforecast_intraday"]


def _dispersion(phi, queue) -> float | None:
    """The dispersion of ``queue`` from ``phi`` (a number or a mapping queue -> number), or None."""
    if isinstance(phi, Mapping):
        phi = phi.get(queue)
    if phi is None:
        return None
    if isinstance(phi, bool) or not isinstance(phi, (int, float, np.integer, np.floating)):
        raise ValueError(f"phi: expected a dispersion >= 0 or a mapping queue -> dispersion, got {phi!r:.80}")
    return float(phi) if np.isfinite(phi) else None


def _check_inputs(forecast: pd.DataFrame, actuals: pd.DataFrame, prior_contacts) -> tuple[list[str], pd.Series]:
    """The merge keys and the actual volumes as numbers; ValueError naming what is wrong."""
    if not np.isfinite(prior_contacts) or prior_contacts < 0:
        raise ValueError(f"prior_contacts={prior_contacts!r}: expected a finite number >= 0 (contacts)")
    for name, frame in (("forecast", forecast), ("actuals", actuals)):
        missing = [c for c in ("interval_start", "volume") if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} needs columns {missing}; got {list(frame.columns)}")
    by_queue = "queue" in forecast.columns
    if by_queue and "queue" not in actuals.columns:
        raise ValueError("the forecast has a 'queue' column, so the actuals need one too")
    keys = ["queue", "interval_start"] if by_queue else ["interval_start"]
    f_tz, a_tz = forecast["interval_start"].dt.tz, actuals["interval_start"].dt.tz
    if (f_tz is None) != (a_tz is None):
        raise ValueError(f"actuals interval_start time zone {a_tz} does not match the forecast's {f_tz}; "
                         "expected both naive local times or both timezone-aware")
    vol = pd.to_numeric(actuals["volume"], errors="coerce")
    bad = ~np.isfinite(vol.to_numpy(float)) | (vol.to_numpy(float) < 0)
    if bad.any():
        raise ValueError(f"actuals: volume must be a number >= 0; got {rows_text(actuals, bad, keys + ['volume'])}")
    dup = actuals.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        raise ValueError(f"actuals: duplicated intervals: {rows_text(actuals, dup, keys)}")
    return keys, vol


def reforecast_intraday(forecast: ForecastResult | pd.DataFrame, actuals: pd.DataFrame, *,
                        prior_contacts: float = 20.0, phi=None) -> pd.DataFrame:
    """Re-forecast the remaining intervals of each day from that day's actuals so far.

    Parameters
    ----------
    forecast: a :class:`~forecast.result.ForecastResult` from :func:`forecast_volume`, or a forecast
        frame (``interval_start``, ``volume``, optionally ``volume_p10`` / ``volume_p90``, ``queue``
        and the rest), e.g. its ``to_frame()`` or part of it.
    actuals: observed contacts per interval so far: ``interval_start``, ``volume`` (and ``queue``
        when the forecast has one), on the forecast's intervals (same length, same time zone).
        An actual at an interval the forecast does not hold is an error, not ignored.
    prior_contacts: weight of the forecast in the day's ratio, in contacts (>= 0; 0 = raw ratio).
    phi: negative binomial dispersion (var = mu + phi mu^2) for the new p10 / p90: a number, or a
        mapping queue -> number. Default: the forecast result's calibrated ``phi``; for a plain
        frame without ``phi`` the p10 / p90 are scaled by the day's ratio.

    Returns
    -------
    A copy of the forecast frame with ``volume`` (and p10 / p90) re-forecast for the intervals after
    each day's last actual, plus ``actual`` (NaN where none yet) and ``intraday_ratio`` (1.0 where
    the forecast is unchanged).
    """
    if isinstance(forecast, ForecastResult):
        if phi is None:
            phi = forecast.phi
        forecast = forecast.to_frame()
    keys, vol = _check_inputs(forecast, actuals, prior_contacts)
    by_queue = "queue" in forecast.columns
    f_tz = forecast["interval_start"].dt.tz

    out = forecast.copy()
    obs = actuals[keys].assign(actual=vol.to_numpy(float))
    merged = out[keys].reset_index(drop=True).merge(obs, on=keys, how="left", indicator=False)
    unmatched = ~obs.set_index(keys).index.isin(out.set_index(keys).index)
    if unmatched.any():
        raise ValueError("actuals at intervals the forecast does not hold (closed, outside its range, or a "
                         f"different interval length): {rows_text(actuals, unmatched, keys)}")
    actual = merged["actual"].to_numpy(float)
    seen = np.isfinite(actual)
    start = out["interval_start"]
    day = start.dt.tz_localize(None).dt.normalize() if f_tz is not None else start.dt.normalize()
    group = [out["queue"].to_numpy(), day.to_numpy()] if by_queue else [day.to_numpy()]
    mu = out["volume"].to_numpy(float)
    t_ns = (start.dt.tz_convert("UTC").dt.tz_localize(None) if f_tz is not None else start)
    t_ns = t_ns.to_numpy("datetime64[ns]").astype(np.int64)
    none_yet = np.iinfo(np.int64).min
    grouped = pd.DataFrame({"seen_y": np.where(seen, actual, 0.0), "seen_mu": np.where(seen, mu, 0.0),
                            "last_seen": np.where(seen, t_ns, none_yet)}).groupby(group, sort=False)
    seen_y = grouped["seen_y"].transform("sum").to_numpy()
    seen_mu = grouped["seen_mu"].transform("sum").to_numpy()
    last_seen = grouped["last_seen"].transform("max").to_numpy()
    later = (last_seen != none_yet) & (t_ns > last_seen)
    ratio = np.where(later, (seen_y + prior_contacts) / np.maximum(seen_mu + prior_contacts, 1e-12), 1.0)

    out["volume"] = mu * ratio
    if {"volume_p10", "volume_p90"} <= set(out.columns) and later.any():
        p10, p90 = out["volume_p10"].to_numpy(float).copy(), out["volume_p90"].to_numpy(float).copy()
        queues = out["queue"].to_numpy() if by_queue else np.full(len(out), None)
        for q in pd.unique(queues[later]):
            rows = later & (queues == q)
            q_phi = _dispersion(phi, q if by_queue else None)
            if q_phi is None:
                p10[rows] *= ratio[rows]
                p90[rows] *= ratio[rows]
            else:
                p10[rows], p90[rows] = quantiles(out["volume"].to_numpy(float)[rows], q_phi)
        out["volume_p10"], out["volume_p90"] = p10, p90
    out["actual"] = actual
    out["intraday_ratio"] = ratio
    return out
