"""Waiting-time analysis of the states at and above capacity of a birth-death queue.

Above capacity K (all agents at full concurrency) the chain is the same for Erlang C, Erlang A and
the chat model: births at rate ``lam``, deaths at rate ``s + j theta`` with j contacts queued,
where ``s`` is the completion rate of the full system (agents x per-agent rate at full load) and
``theta = 1 / mean patience`` (0 without abandonment). With x = s / theta and y = lam / theta the
relative weights of the queue states are w_j = y^j / prod_{i=1..j} (x + i), which sum to
A(x, y) = x e^y y^-x gamma_lower(x, y).

An arrival that finds j queued (PASTA) passes phases at rates s + m theta (m = j..0) before it
reaches an agent; with its own exponential patience it is served with probability
x / (x + j + 1). Its offered wait V (the wait if it had infinite patience), given that it waits,
has the closed-form tail

    P(V > v | wait) = exp(-s v + y (1 - u)) A(x, y u) / A(x, y),   u = exp(-theta v),

and integrating e^{-theta v} against it gives the share that abandons by time t in closed form.
All sums over j are done in log space and truncated where the terms fall below e^-40 of the peak.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from .erlang import STABILITY_RTOL

_MAX_CELLS = 4_000_000  # rows x truncated states held in memory at once


def _terms_needed(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Terms peak near j = y - x and fall like a Gaussian of width ~ sqrt(max(x, y)).
    # 9 widths past the peak the terms are below e^-40 of it.
    return (np.maximum(y - x, 0.0) + 9.0 * np.sqrt(np.maximum(np.maximum(x, y), 1.0)) + 30.0).astype(np.int64)


def logsumexp_rows(values: np.ndarray) -> np.ndarray:
    """log(sum(exp(values), axis=1)) for a 2-d array whose rows each have a finite entry."""
    peak = values.max(axis=1)
    return peak + np.log(np.exp(values - peak[:, None]).sum(axis=1))


def queue_tail(lam, s, theta, t) -> dict[str, np.ndarray]:
    """Conditional waiting statistics for contacts that find all capacity busy.

    Parameters are 1-d float arrays of one length: ``lam`` arrival rate (1/s, > 0), ``s`` full
    completion rate (1/s, >= 0), ``theta`` abandonment rate per waiting contact (1/s, >= 0) and
    ``t`` the acceptable waiting time (s, >= 0).

    Returns a dict of arrays:
      ``log_mass``   log of sum_{n >= K} pi(n) / pi(K) (inf where the queue is unstable),
      ``still_waiting_t``  P(still waiting at t | waits),
      ``abandon_by_t``     P(abandons within t | waits),
      ``abandon``          P(abandons | waits),
      ``wait_served``      E[wait x 1{served} | waits] in seconds,
      ``wait_patient``     E[offered wait V | waits] (s): the wait of an infinitely patient customer,
      ``queue``            E[queue length | n >= K].
    """
    lam, s, theta, t = (np.asarray(v, float) for v in (lam, s, theta, t))
    n = lam.shape[0]
    out = {k: np.zeros(n) for k in ("log_mass", "still_waiting_t", "abandon_by_t", "abandon", "wait_served",
                                    "wait_patient", "queue")}

    # Without abandonment: geometric queue, exponential conditional wait.
    no_pat = theta == 0
    if no_pat.any():
        l0, s0, t0 = lam[no_pat], s[no_pat], t[no_pat]
        stable = l0 < s0 * (1.0 - STABILITY_RTOL)
        rho = np.where(stable, l0 / np.where(s0 > 0, s0, 1.0), 1.0)
        gap = np.where(stable, s0 - l0, 0.0)
        with np.errstate(divide="ignore"):
            out["log_mass"][no_pat] = np.where(stable, -np.log1p(-rho), np.inf)
            out["still_waiting_t"][no_pat] = np.where(stable, np.exp(-gap * t0), 1.0)
            out["wait_served"][no_pat] = np.where(stable, 1.0 / np.where(stable, gap, 1.0), np.inf)
            out["wait_patient"][no_pat] = out["wait_served"][no_pat]
            out["queue"][no_pat] = np.where(stable, rho / np.where(stable, 1.0 - rho, 1.0), np.inf)

    pat = np.flatnonzero(~no_pat)
    if pat.size:
        x_all = s[pat] / theta[pat]
        y_all = lam[pat] / theta[pat]
        need = _terms_needed(x_all, y_all)
        order = np.argsort(need, kind="stable")
        start = 0
        while start < order.size:
            # Grow the chunk while rows x (largest need) stays within the memory budget.
            stop = start + 1
            width = need[order[start]]
            step = max(1, _MAX_CELLS // max(int(need[order[-1]]), 1))
            while stop < order.size:
                cand = min(order.size, stop + step)
                width_c = need[order[cand - 1]]
                if (cand - start) * width_c > _MAX_CELLS:
                    break
                stop, width = cand, width_c
            rows = order[start:stop]
            _tail_with_patience(out, pat[rows], x_all[rows], y_all[rows], s[pat[rows]],
                                theta[pat[rows]], t[pat[rows]], int(width))
            start = stop
    return out


def _tail_with_patience(out, idx, x, y, s, theta, t, width):
    j = np.arange(width, dtype=float)[None, :]
    xc, yc = x[:, None], y[:, None]
    with np.errstate(divide="ignore"):
        logw = j * np.log(yc) - (special.gammaln(xc + j + 1.0) - special.gammaln(xc + 1.0))
    log_mass = logsumexp_rows(logw)
    q = np.exp(logw - log_mass[:, None])

    # log u directly: u = exp(-theta t) underflows to 0 once theta t > ~745 (patience tiny next to
    # the AWT), and j * log(0) at j = 0 would be NaN. With log u finite the j = 0 term stays 1.
    log_u = -theta * t
    u = np.exp(log_u)
    log_a_yu = logsumexp_rows(logw + j * log_u[:, None])  # log A(x, y u)
    # P(V > t | wait) = exp(-s t + y (1 - u)) A(x, yu) / A(x, y)
    log_g = -s * t + y * (-np.expm1(-theta * t)) + log_a_yu - log_mass
    g_t = np.exp(log_g)
    still = u * g_t
    # theta * int_0^t e^{-theta v} P(V > v | wait) dv, closed form (see module docstring)
    abandon_by_t = ((y - x) + x * np.exp(-log_mass)) / y - g_t * ((y * u - x) + x * np.exp(-log_a_yu)) / y
    abandon_by_t = np.clip(abandon_by_t, 0.0, 1.0)

    served_given_j = xc / (xc + j + 1.0)
    harmonic = np.cumsum(1.0 / (xc + j + 1.0), axis=1) / theta[:, None]  # E[phase time | served]
    out["log_mass"][idx] = log_mass
    out["still_waiting_t"][idx] = still
    out["abandon_by_t"][idx] = abandon_by_t
    out["abandon"][idx] = np.sum(q * (1.0 - served_given_j), axis=1)
    out["wait_served"][idx] = np.sum(q * served_given_j * harmonic, axis=1)
    # a patient customer finding j queued passes phases at rates s + m theta, m = j..0 (its own
    # patience plays no part): E[V | j] = sum_{m=0..j} 1 / (s + m theta)
    with np.errstate(divide="ignore"):
        patient = np.cumsum(1.0 / (xc + j), axis=1) / theta[:, None]
    out["wait_patient"][idx] = np.sum(q * patient, axis=1)
    out["queue"][idx] = np.sum(q * j, axis=1)
