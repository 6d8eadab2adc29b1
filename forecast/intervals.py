"""Prediction intervals for counts: a Poisson-gamma (negative binomial) mixture around the point
forecast, with the dispersion calibrated on out-of-sample backtest errors.

Given a point forecast ``mu`` (contacts per interval), the volume is modelled as
``N ~ Poisson(mu * L)``, ``L ~ Gamma(mean 1, variance phi)``, i.e. negative binomial with
``var = mu + phi mu^2``: Poisson noise plus a multiplicative forecast error.
:func:`calibrate_phi` chooses ``phi`` so that the randomized probability integral transform (PIT)
of past actuals falls in [0.1, 0.9] for 80% of them (the measure that stays exact for small counts,
Czado, Gneiting and Held, 2009); :func:`calibrate_phi_hits`, what the forecast uses, so that 80% of
past actuals fall inside the published [p10, p90] (the share a planner sees; with many nearly
empty night intervals, which it holds almost always, the PIT rule let it reach 87% on the bank).

Published quantiles are those of the continuous variable ``N - 0.5 + U`` (U uniform on [0, 1)),
clipped at 0: for large counts they equal the usual count quantiles, for small counts they
interpolate between integers instead of jumping.

Dispersion differs by time of day (on the bank the evening's relative errors are larger) and whole
days miss together. :func:`calibrate_dispersion` therefore calibrates one ``phi`` per time-of-day
band (night and morning before 12:00, the afternoon up to the evening window, the evening window
as its own band) and a day-level component ``phi_day`` from the errors of daily totals (method of
moments: E[(A - F)^2] = F + phi_day F^2 for a day's actual A and forecast F), reported beside the
bands. Each band's phi is calibrated on the hit rate of its own intervals, so the days
that missed as a whole are inside it; using ``phi_day`` as a floor for the bands as well was tried
and over-covered on the bank (83% overall, 88% in the evening on 12 weekly folds).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

__all__ = ["nb_cdf", "pit_coverage", "calibrate_phi", "calibrate_phi_hits", "quantiles", "Dispersion", "calibrate_dispersion",
           "time_bands"]

_PHI_MIN, _PHI_MAX = 1e-6, 4.0


def _nb_params(mu, phi):
    """scipy's (n, p) of the negative binomial with mean ``mu`` and variance ``mu + phi mu^2``."""
    mu = np.asarray(mu, float)
    if not np.isfinite(mu).all():
        raise ValueError("forecast means must be finite to compute prediction intervals; "
                         f"got {mu[~np.isfinite(mu)][:3].tolist()}")
    mu = np.maximum(mu, 1e-9)
    n = 1.0 / np.maximum(np.asarray(phi, float), _PHI_MIN)  # phi: a number or one per mean
    return n, n / (n + mu)


def nb_cdf(k, mu, phi):
    """P(N <= k) for N negative binomial with mean ``mu`` and var ``mu + phi mu^2`` (k may be -1).
    Computed as the regularized incomplete beta I_p(n, k + 1) (what scipy's nbinom.cdf does,
    without its per-call overhead)."""
    n, p = _nb_params(mu, phi)
    k = np.floor(np.asarray(k, float))
    return np.where(k < 0, 0.0, special.betainc(n, np.maximum(k, 0) + 1.0, p))


def pit_coverage(y, mu, phi, lo=0.1, hi=0.9) -> np.ndarray:
    """Per observation, the probability that its randomized PIT lies in [lo, hi] (expectation over
    the randomization). Its mean is the coverage of the central (hi - lo) interval."""
    y = np.asarray(y, float)
    f_lo = nb_cdf(y - 1, mu, phi)
    f_hi = nb_cdf(y, mu, phi)
    width = np.maximum(f_hi - f_lo, 1e-300)
    overlap = np.clip(np.minimum(f_hi, hi) - np.maximum(f_lo, lo), 0.0, None)
    return overlap / width


def calibrate_phi(y, mu, target=0.8, lo=0.1, hi=0.9) -> float:
    """Dispersion ``phi`` whose central interval covers ``target`` of the (y, mu) pairs (bisection on
    log phi; the coverage increases with phi). Returns the smallest phi if Poisson already covers."""
    y = np.asarray(y, float).ravel()
    mu = np.asarray(mu, float).ravel()
    ok = np.isfinite(y) & np.isfinite(mu)
    y, mu = y[ok], np.maximum(mu[ok], 1e-9)
    if y.size == 0:
        return float("nan")
    a, b = np.log(_PHI_MIN), np.log(_PHI_MAX)
    if pit_coverage(y, mu, _PHI_MIN, lo, hi).mean() >= target:
        return _PHI_MIN
    if pit_coverage(y, mu, _PHI_MAX, lo, hi).mean() <= target:
        return _PHI_MAX
    for _ in range(20):  # log phi to within 15 / 2^20
        m = 0.5 * (a + b)
        if pit_coverage(y, mu, np.exp(m), lo, hi).mean() < target:
            a = m
        else:
            b = m
    return float(np.exp(0.5 * (a + b)))


def calibrate_phi_hits(y, mu, weights=None, target=0.8, probs=(0.1, 0.9)) -> float:
    """Dispersion ``phi`` whose published interval [q_lo, q_hi] (:func:`quantiles`) holds ``target``
    of the (weighted) actuals ``y``: the plain hit rate a planner sees. Bisection on log phi (the
    hit rate grows with phi); the smallest phi when Poisson already holds more. ``weights``: one
    per pair (default equal)."""
    y, mu = np.asarray(y, float).ravel(), np.asarray(mu, float).ravel()
    w = np.ones(y.size) if weights is None else np.asarray(weights, float).ravel()
    ok = np.isfinite(y) & np.isfinite(mu) & (w > 0)
    y, mu, w = y[ok], np.maximum(mu[ok], 1e-9), w[ok]
    if y.size == 0:
        return float("nan")

    def hits(log_phi):
        # y >= q_lo and y <= q_hi of :func:`quantiles` <=> q_lo <= G(y) <= q_hi, with G(y) =
        # P(N - 0.5 + U <= y) = (F(y - 1) + F(y)) / 2 (no quantile function needed: fast)
        mid = 0.5 * (nb_cdf(y - 1, mu, np.exp(log_phi)) + nb_cdf(y, mu, np.exp(log_phi)))
        return np.sum(w * ((mid >= probs[0]) & (mid <= probs[1]))) / w.sum()

    a, b = np.log(_PHI_MIN), np.log(_PHI_MAX)
    if hits(a) >= target:
        return _PHI_MIN
    if hits(b) <= target:
        return _PHI_MAX
    for _ in range(16):  # log phi to within 15 / 2^16
        m = 0.5 * (a + b)
        a, b = (m, b) if hits(m) < target else (a, m)
    return float(np.exp(0.5 * (a + b)))


def quantiles(mu, phi, probs=(0.1, 0.9)):
    """Continuous quantiles of ``N - 0.5 + U`` (clipped at 0) for each ``mu``; returns a list of arrays.

    Vectorized: the integer part comes from scipy's negative binomial ppf, the fraction from
    linear interpolation inside that integer's probability mass.
    """
    n, p = _nb_params(mu, phi)
    out = []
    for q in probs:
        k = stats.nbinom.ppf(q, n, p)  # smallest k with F(k) >= q
        f_prev = stats.nbinom.cdf(k - 1, n, p)
        mass = np.maximum(stats.nbinom.pmf(k, n, p), 1e-300)
        frac = np.clip((q - f_prev) / mass, 0.0, 1.0)
        out.append(np.maximum(k - 0.5 + frac, 0.0))
    return out


def time_bands(n_slots: int, interval_s: int, evening_mask: np.ndarray) -> np.ndarray:
    """Band of each slot: 0 = before 12:00, 1 = 12:00 to the evening, 2 = the evening window."""
    start_s = np.arange(n_slots) * interval_s
    band = np.where(start_s < 12 * 3600, 0, 1)
    return np.where(evening_mask, 2, band)


@dataclass(frozen=True)
class Dispersion:
    """Calibrated interval dispersion of one model: ``phi`` per band (index = the band of
    :func:`time_bands`), ``phi_day`` (day-level component), ``overall`` (one phi for all cells, what
    :func:`forecast.reforecast_intraday` uses) and ``band_of_slot``."""

    phi: tuple[float, ...]
    phi_day: float
    overall: float
    band_of_slot: np.ndarray

    def of_slots(self, slots) -> np.ndarray:
        """The dispersion of each interval, by its slot of the day."""
        return np.asarray(self.phi, float)[self.band_of_slot[np.asarray(slots)]]

    def as_dict(self) -> dict:
        return {"phi_bands": list(self.phi), "phi_day": self.phi_day, "phi": self.overall}


MIN_BAND_CELLS = 200  # fewer observed intervals in a band: it takes the overall phi


def calibrate_dispersion(ys: list, ps: list, band_of_slot: np.ndarray, target=0.8,
                         fold_halflife: float | None = None) -> Dispersion:
    """:class:`Dispersion` from per-fold actuals ``ys`` and forecasts ``ps`` ((days, n_slots)
    arrays, NaN actual = not observed, oldest fold first); NaN dispersions without folds.

    Each band's phi makes the published interval hold ``target`` of that band's actuals
    (:func:`calibrate_phi_hits`; the randomized PIT of :func:`calibrate_phi` is the measure for
    small counts, but with many near-zero night intervals it let the plain hit rate run to 87% on
    the bank). ``fold_halflife`` (folds): a fold's weight halves that many folds back, so the
    calibration follows the recent error level (None: equal weights)."""
    nan = float("nan")
    if not ys:
        return Dispersion((nan, nan, nan), nan, nan, band_of_slot)
    k = len(ys)
    fold_w = [1.0 if fold_halflife is None else 0.5 ** ((k - 1 - j) / fold_halflife) for j in range(k)]
    Y, P = np.concatenate(ys), np.concatenate(ps)
    W = np.concatenate([np.full(y.shape, w) for y, w in zip(ys, fold_w)])
    seen = np.isfinite(Y)
    overall = calibrate_phi_hits(Y[seen], P[seen], W[seen], target)
    a, f = np.where(seen, Y, 0).sum(axis=1), np.where(seen, P, 0).sum(axis=1)
    ok = f > 0
    phi_day = float(np.clip(np.sum((a[ok] - f[ok]) ** 2 - f[ok]) / max(np.sum(f[ok] ** 2), 1e-9), 0, 4)) \
        if ok.any() else 0.0
    phis = []
    for b in range(3):
        cells = seen & (band_of_slot == b)[None, :]
        phi_b = calibrate_phi_hits(Y[cells], P[cells], W[cells], target) if cells.sum() >= MIN_BAND_CELLS else overall
        phis.append(float(phi_b) if np.isfinite(phi_b) else overall)
    return Dispersion(tuple(phis), phi_day, overall, band_of_slot)
