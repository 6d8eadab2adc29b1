"""Prediction intervals for counts: a Poisson-gamma (negative binomial) mixture around the point
forecast, with the dispersion calibrated on out-of-sample backtest errors.

Given a point forecast ``mu`` (contacts per interval), the volume is modelled as
``N ~ Poisson(mu * L)``, ``L ~ Gamma(mean 1, variance phi)``, i.e. negative binomial with
``var = mu + phi mu^2``: Poisson noise plus a multiplicative forecast error. ``phi`` is chosen so
that the randomized probability integral transform (PIT) of past actuals falls in [0.1, 0.9] for
80% of them; the randomized PIT is the calibration measure that stays exact for small counts
(Czado, Gneiting and Held, 2009).

Published quantiles are those of the continuous variable ``N - 0.5 + U`` (U uniform on [0, 1)),
clipped at 0: for large counts they equal the usual count quantiles, for small counts they
interpolate between integers instead of jumping.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["nb_cdf", "pit_coverage", "calibrate_phi", "quantiles"]

_PHI_MIN, _PHI_MAX = 1e-6, 4.0


def _nb_params(mu, phi):
    """scipy's (n, p) of the negative binomial with mean ``mu`` and variance ``mu + phi mu^2``."""
    mu = np.asarray(mu, float)
    if not np.isfinite(mu).all():
        raise ValueError("forecast means must be finite to compute prediction intervals; "
                         f"got {mu[~np.isfinite(mu)][:3].tolist()}")
    mu = np.maximum(mu, 1e-9)
    n = 1.0 / max(float(phi), _PHI_MIN)
    return n, n / (n + mu)


def nb_cdf(k, mu, phi):
    """P(N <= k) for N negative binomial with mean ``mu`` and var ``mu + phi mu^2`` (k may be -1)."""
    n, p = _nb_params(mu, phi)
    return stats.nbinom.cdf(k, n, p)


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
    for _ in range(30):
        m = 0.5 * (a + b)
        if pit_coverage(y, mu, np.exp(m), lo, hi).mean() < target:
            a = m
        else:
            b = m
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
