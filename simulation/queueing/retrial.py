"""Redials in the analytic model: the offered load with retrials as a fixed point (Erlang X style).

A share ``p = queue.retrial_prob`` of the contacts that abandon call / chat again after an
exponential delay with mean ``d = queue.retrial_delay_s``. Each redial is a new contact of the
interval it lands in, so the offered load of interval j is

    offered_j = volume_j + sum_{i <= j} w_{j-i} p abandoned_i,   abandoned_i = offered_i x A_i,

where ``A_i`` is the abandonment share the analytic model (Erlang A or chat) predicts for interval
i at its offered load and agents, and ``w_m`` the share of redials that land m intervals after the
hang-up. Hang-ups are taken as spread evenly over their interval (time u uniform on [0, L)), so with
r = 1/d and F(x) = P(u + delay < x): F(0) = 0, F(mL) = 1 - exp(-r m L) (exp(r L) - 1) / (r L) for
m >= 1, and w_m = F((m+1) L) - F(m L). Redials that land after the last interval are lost to the
horizon (the simulator calls them pending). The intervals are consecutive, of one length L.

The system is causal: interval j depends on intervals <= j only. Two nested fixed points solve it:

* inside an interval (:class:`SameIntervalRetrials`), for given agents: lambda = base + p w_0
  lambda A(lambda), iterated from lambda = base (increasing, a contraction with factor <= p w_0);
* across intervals (:func:`solve_plan`): the redials from earlier intervals, recomputed from the
  plan until they change by at most :data:`TOL_CONTACTS` contacts per interval and (when staffing)
  the agents no longer change. Round r fixes interval r - 1 exactly, so at most n + 1 rounds.

Staffing with retrials is exact-minimal: every interval meets its targets at the plan's own
fixed-point load, and one agent fewer in any single interval (its load re-solved) misses there.
The plan found is the lexicographically smallest plan meeting every target (the first interval
cannot do with fewer agents, given the first the second cannot, ...); the tests check it by brute
force over every plan within two agents of it per interval on small cases.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["TOL_CONTACTS", "retrial_kernel", "redial_inflow", "SameIntervalRetrials", "solve_plan"]

TOL_CONTACTS = 1e-9  # contacts per interval: the stopping tolerance of both fixed points
_MAX_INNER = 20_000  # safeguarded secant steps; plain steps alone contract with factor <= p w_0 < 1


def retrial_kernel(interval_s: float, delay_s: float, n: int) -> np.ndarray:
    """``w[m]``, m = 0..n-1: share of the redials of an interval's hang-ups landing m intervals
    later (hang-ups uniform over the interval, exponential delay with mean ``delay_s``)."""
    rl = interval_s / delay_s
    m = np.arange(n + 1, dtype=float)
    # F(mL) for m >= 1 in the stable form exp(-rl (m - 1)) * (1 - exp(-rl)) / rl
    cdf = 1.0 - np.exp(-rl * np.maximum(m - 1.0, 0.0)) * (-math.expm1(-rl)) / rl
    cdf[0] = 0.0
    return np.diff(cdf)


def redial_inflow(redials: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Redials arriving in each interval from hang-ups in *earlier* intervals (m >= 1)."""
    n = redials.size
    return np.convolve(redials, kernel)[:n] - kernel[0] * redials


class SameIntervalRetrials:
    """An interval model whose offered load includes the redials landing in the same interval.

    ``inner`` is the plain interval model (``evaluate(c, rows, lam=None)``, ``lam`` arrivals per
    second before same-interval redials); ``feedback`` is ``p w_0``; ``interval_s`` the interval
    length (s), which turns the tolerance into contacts; ``guess`` per-interval starting points
    (arrivals per second, e.g. an earlier model's :attr:`guess`; the solution is never below the
    base load, so starts below it are raised to it). Every other attribute is the
    inner model's, so the staffing search uses it unchanged.
    """

    def __init__(self, inner, feedback: float, interval_s: float, guess: np.ndarray | None = None):
        self.inner = inner
        self.feedback = feedback
        self.interval_s = interval_s
        # the last solution per interval (arrivals per second): the next solve starts there
        self.guess = inner.lam.copy() if guess is None else guess

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def solve(self, c: np.ndarray, rows: np.ndarray):
        """(arrivals per second including same-interval redials, metrics there) with ``c`` agents."""
        base = self.inner.lam[rows]

        def gap(lam, idx):  # T(lam) - lam on rows[idx], decreasing in lam (T's slope <= p w_0 < 1)
            m = self.inner.evaluate(c[idx], rows[idx], lam=lam)
            return base[idx] + self.feedback * lam * np.nan_to_num(m.abandon_rate) - lam

        # one plain step, then secant steps on the rows still moving (a plain step where unusable)
        x0 = np.maximum(self.guess[rows], base)
        h0 = gap(x0, np.arange(rows.size))
        x1 = x0 + h0
        idx = np.flatnonzero(np.abs(h0) * self.interval_s > TOL_CONTACTS)  # tolerance in contacts
        for _ in range(_MAX_INNER):
            if not idx.size:
                self.guess[rows] = x1
                return x1, self.inner.evaluate(c, rows, lam=x1)
            h1 = gap(x1[idx], idx)
            moving = np.abs(h1) * self.interval_s > TOL_CONTACTS
            with np.errstate(invalid="ignore", divide="ignore"):
                x2 = x1[idx] - h1 * (x1[idx] - x0[idx]) / (h1 - h0[idx])
            plain = ~np.isfinite(x2) | (x2 < base[idx]) | (h1 == h0[idx])
            x0[idx], h0[idx] = x1[idx], h1
            x1[idx] = np.where(moving, np.where(plain, x1[idx] + h1, x2), x1[idx])
            idx = idx[moving]
        raise RuntimeError("retrials: the same-interval fixed point did not converge; lower retrial_prob")

    def evaluate(self, c: np.ndarray, rows: np.ndarray):
        return self.solve(c, rows)[1]

    def meets(self, c: np.ndarray, rows: np.ndarray, b=None) -> np.ndarray:
        return np.asarray(self.targets.met(self.evaluate(c, rows)), bool)


def solve_plan(vol: np.ndarray, interval_s: float, queue, make_model, search=None, agents=None):
    """The offered load with retrials, for a given plan (``agents``) or while staffing (``search``).

    ``vol`` first-attempt contacts per interval; ``make_model(lam_per_s)`` builds the plain interval
    model; ``search(model, rows, offered, start)`` returns the smallest passing agents in ``rows``
    (``start``: a starting guess or None). Returns ``(agents, offered, metrics)``: agents per
    interval (float), offered contacts per interval (first attempts + redials) and the metrics at
    that load. An interval is solved again only when the redials reaching it from earlier
    intervals moved by more than :data:`TOL_CONTACTS` since it was last solved.
    """
    n = vol.size
    p = queue.retrial_prob
    kernel = retrial_kernel(interval_s, queue.retrial_delay_s, n)
    earlier = np.zeros(n)   # redials from earlier intervals, current estimate
    used = np.zeros(n)      # the estimate each interval was last solved with
    c = np.zeros(n) if agents is None else np.asarray(agents, float)
    redials = np.zeros(n)
    active = np.arange(n)
    guess = None
    for round_ in range(n + 1):  # round r settles interval r - 1 exactly (causality)
        model = SameIntervalRetrials(make_model((vol + earlier) / interval_s), p * kernel[0], interval_s, guess)
        guess = model.guess
        if search is not None:
            c[active] = search(model, active, vol + earlier, None if round_ == 0 else c[active])
        lam, m = model.solve(c[active], active)
        redials[active] = p * lam * interval_s * np.nan_to_num(m.abandon_rate)
        used[active] = earlier[active]
        earlier = redial_inflow(redials, kernel)
        active = np.flatnonzero(np.abs(earlier - used) > TOL_CONTACTS)
        if not active.size:
            break
    model = SameIntervalRetrials(make_model((vol + used) / interval_s), p * kernel[0], interval_s, guess)
    lam, metrics = model.solve(c, np.arange(n))
    return c, lam * interval_s, metrics
