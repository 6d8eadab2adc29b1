"""Erlang B and Erlang C, exact and vectorized (numpy broadcasting), for up to 100,000+ servers.

No factorials: Erlang B is the Poisson probability of ``servers`` divided by the Poisson
distribution function at ``servers``,

    B(c, a) = p(c; a) / P(N <= c; a),   N ~ Poisson(a),

with p(c; a) computed by Loader's saddle-point form (the ``stirlerr``/``bd0`` pair used by R's
``dpois``; relative accuracy near machine precision for any c) and P(N <= c; a) by the regularized
upper incomplete gamma function Q(c + 1, a). Erlang C follows from B:

    C(c, a) = c B / (c - a (1 - B))      for a < c,     C = 1 for a >= c (the queue is unstable).
"""
from __future__ import annotations

import numpy as np
from scipy import special

from core.checks import as_count_array, as_float_array, broadcast

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
# Load within this relative distance of capacity counts as unstable: the rounding of
# volume / interval x AHT must not decide whether waits are finite (they would be ~1e16 s anyway).
STABILITY_RTOL = 1e-12


def _stirlerr(n: np.ndarray) -> np.ndarray:
    """log(n!) - [(n + 1/2) log n - n + log sqrt(2 pi)] for n >= 1 (Stirling's remainder)."""
    n = np.asarray(n, dtype=float)
    out = np.empty_like(n)
    small = n <= 15
    ns = n[small]
    out[small] = special.gammaln(ns + 1.0) - (ns + 0.5) * np.log(ns) + ns - _LOG_SQRT_2PI
    nl = n[~small]
    nn = nl * nl
    s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
    out[~small] = (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / nl
    return out


def _bd0(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """x log(x / m) + m - x without cancellation (Loader 2000), for x > 0, m > 0."""
    x, m = np.broadcast_arrays(np.asarray(x, float), np.asarray(m, float))
    out = x * np.log(x / m) + m - x
    near = np.abs(x - m) < 0.1 * (x + m)
    if near.any():
        xn, mn = x[near], m[near]
        v = (xn - mn) / (xn + mn)
        s = (xn - mn) * v
        ej = 2.0 * xn * v
        v2 = v * v
        # |v| < 0.1, so each term shrinks by at least 100: 12 terms reach below 1e-24 of s.
        for j in range(1, 13):
            ej = ej * v2
            s = s + ej / (2 * j + 1)
        out[near] = s
    return out


def poisson_log_pmf(count, mean) -> np.ndarray:
    """log P(N = count) for N ~ Poisson(mean), accurate for large counts (no factorials)."""
    c, a = np.broadcast_arrays(np.asarray(count, float), np.asarray(mean, float))
    out = np.full(c.shape, -np.inf)
    zero_c = c == 0
    out[zero_c] = -a[zero_c]
    pos = (c > 0) & (a > 0)
    cp, ap = c[pos], a[pos]
    out[pos] = -_stirlerr(cp) - _bd0(cp, ap) - _LOG_SQRT_2PI - 0.5 * np.log(cp)
    return out


def erlang_b_core(c: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Erlang B for validated float arrays c (whole numbers >= 0) and a >= 0 of one shape."""
    out = np.zeros(c.shape)
    out[c == 0] = 1.0
    pos = (c > 0) & (a > 0)
    if pos.any():
        cp, ap = c[pos], a[pos]
        cdf = special.gammaincc(cp + 1.0, ap)
        tail = cdf < 1e-200  # far overloaded (a >> c): the Poisson cdf underflows
        res = np.empty(cp.shape)
        ok = ~tail
        res[ok] = np.exp(poisson_log_pmf(cp[ok], ap[ok]) - np.log(cdf[ok]))
        if tail.any():
            res[tail] = 1.0 / _inverse_b_series(cp[tail], ap[tail])
        out[pos] = res
    return out


def _inverse_b_series(c: np.ndarray, a: np.ndarray) -> np.ndarray:
    """1/B(c, a) = sum_i prod_{j<i} (c - j) / a, for a well above c (terms fall at least by c/a).

    Used only where the Poisson cdf underflows, which needs a - c > ~37 sqrt(a): the ratio c/a is
    then at most 1 - 37/sqrt(a), so about sqrt(a) terms reach machine precision.
    """
    total = np.ones(c.shape)
    term = np.ones(c.shape)
    active = np.ones(c.shape, bool)
    i = 0
    while active.any():
        for _ in range(32):
            i += 1
            term = term * np.maximum(c - (i - 1), 0.0) / a
            total = total + term
        active = term > 1e-18 * total
    return total


def erlang_b(servers, load) -> np.ndarray:
    """Erlang B blocking probability of an M/M/c/c loss system (numpy broadcasting).

    Parameters
    ----------
    servers : int or array of int, >= 0
        Number of servers (agents) c.
    load : float or array, >= 0
        Offered load a in Erlangs (arrival rate x mean handle time).

    Returns
    -------
    ndarray of float
        B(c, a) = (a^c / c!) / sum_{k=0}^{c} a^k / k!, exact to about 1e-13 relative for any c.
    """
    c = as_count_array("servers", servers).astype(float)
    a = as_float_array("load", load, minimum=0)
    c, a = broadcast(servers=c, load=a)
    return erlang_b_core(np.array(c, float), np.array(a, float))


def erlang_c_from_b(c: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Erlang C from Erlang B ``b`` for validated float arrays (1 where the queue is unstable)."""
    out = np.ones(c.shape)
    stable = a < c * (1.0 - STABILITY_RTOL)
    cs, as_, bs = c[stable], a[stable], b[stable]
    out[stable] = cs * bs / (cs - as_ * (1.0 - bs))
    return out


def erlang_c(servers, load) -> np.ndarray:
    """Erlang C: probability that an arriving contact waits in an M/M/c queue (no abandonment).

    ``C(c, a) = c B(c, a) / (c - a (1 - B(c, a)))`` for ``a < c``. Where ``load >= servers`` the
    queue is unstable (within a relative 1e-12): every contact waits and waits grow without bound, so C is exactly 1.0 there
    (and :func:`erlang_c_metrics` reports infinite waits), never NaN or an exception.
    """
    c = as_count_array("servers", servers).astype(float)
    a = as_float_array("load", load, minimum=0)
    c, a = broadcast(servers=c, load=a)
    c, a = np.array(c, float), np.array(a, float)
    return erlang_c_from_b(c, a, erlang_b_core(c, a))
