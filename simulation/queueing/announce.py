"""Queue-position announcement: "you have j people ahead of you, about m minutes".

A contact that finds ``ahead`` = j contacts queued in front of it reaches an agent after j + 1
departures from the front of the queue. With all capacity busy, departures come at the full
completion rate s (agents / AHT for voice; agents x k / AHT at concurrency k for chat):

* nobody ahead abandons: the wait is Erlang(j + 1, s): mean (j + 1) / s, quantiles from the gamma
  distribution;
* those ahead abandon with exponential patience (mean 1/theta): with m still ahead the front moves
  at rate s + m theta, so the wait is a sum of exponential phases with rates s + m theta,
  m = j..0. Its mean is sum 1 / (s + m theta) and, with x = s / theta and u = exp(-theta v),
  P(wait > v) = e^{-s v} sum_{i=0..j} C(x + j, j - i) u^i (1 - u)^{j - i}, a sum of positive
  terms (no cancellation). Quantiles by bisection on that tail.

The announced wait is the wait of the announcing contact if it stays; its own patience does not
shorten it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from core.checks import as_count_array, as_float_array, broadcast, check_target


@dataclass(frozen=True)
class AnnouncedWait:
    """Expected and quantile wait (s) for contacts with ``ahead`` contacts in front of them."""

    ahead: np.ndarray
    mean_wait_s: np.ndarray
    quantile_wait_s: np.ndarray
    quantile: float

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"ahead": np.ravel(self.ahead), "mean_wait_s": np.ravel(self.mean_wait_s),
                             f"wait_p{round(self.quantile * 100):d}_s": np.ravel(self.quantile_wait_s)})


def _tail_with_abandonment(ahead: np.ndarray, s: np.ndarray, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
    """P(wait > v) for the phase sum with rates s + m theta, m = ahead..0 (1-d arrays)."""
    width = int(ahead.max()) + 1
    i = np.arange(width)[None, :]
    j = ahead[:, None].astype(float)
    x = (s / theta)[:, None]
    # log u and log(1 - u) directly: u = exp(-theta v) underflows to 0 once theta v > ~745 (tiny
    # patience), and i * log(0) at i = 0 would drop the one term that is left (u^0 = 1).
    theta_v = (theta * v)[:, None]
    valid = i <= j
    r = np.where(valid, j - i, 0.0)
    with np.errstate(divide="ignore"):
        log_1mu = np.log(-np.expm1(-theta_v))  # -inf at v = 0
    log_binom = special.gammaln(x + j + 1.0) - special.gammaln(r + 1.0) - special.gammaln(x + j - r + 1.0)
    # (1 - u)^r with r = 0 is 1 even at v = 0 (no 0 * -inf)
    log_terms = log_binom - i * theta_v + r * np.where(r > 0, log_1mu, 0.0)
    log_terms = np.where(valid, log_terms, -np.inf)
    return np.exp(-s * v + special.logsumexp(log_terms, axis=1))


def mean_wait_core(ahead: np.ndarray, s: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Mean wait (s) with ``ahead`` contacts in front, completion rate ``s`` per second and
    abandonment rate ``theta`` per second of each contact ahead (0: none); flat float arrays.
    (j + 1) / s without abandonment, (digamma(x + j + 1) - digamma(x)) / theta with x = s / theta."""
    mean = np.empty(np.shape(ahead))
    plain = theta == 0
    mean[plain] = (ahead[plain] + 1.0) / s[plain]
    ab = ~plain
    x = s[ab] / theta[ab]
    mean[ab] = (special.digamma(x + ahead[ab] + 1.0) - special.digamma(x)) / theta[ab]
    return mean


def announced_wait(ahead, agents, aht_s, *, patience_s=None, quantile=0.8, concurrency=1) -> AnnouncedWait:
    """Wait to announce to a contact that finds ``ahead`` contacts queued in front of it.

    Parameters
    ----------
    ahead : int or array
        Contacts queued in front (0 = next in line).
    agents : int or array
        Agents logged in (all busy, since the contact queues).
    aht_s : float or array
        Mean handle time in seconds (for chat: per-chat handle time at full concurrency).
    patience_s : float, optional
        Mean exponential patience of the contacts ahead; None: nobody ahead abandons.
    quantile : float in (0, 1)
        The announced quantile, e.g. 0.8: "80% of contacts in your position wait less than this".
    concurrency : int
        Chats per agent (1 for voice).
    """
    q = check_target("quantile", quantile, 0.0, 1.0)
    j = as_count_array("ahead", ahead)
    n = as_count_array("agents", agents)
    aht = as_float_array("aht_s", aht_s, minimum=0, strict_min=True)
    pat = as_float_array("patience_s", np.inf if patience_s is None else patience_s,
                         minimum=0, strict_min=True, allow_inf=True)
    if int(concurrency) != concurrency or concurrency < 1:
        raise ValueError(f"concurrency: expected a whole number >= 1, got {concurrency!r}")
    bad = np.atleast_1d(n) == 0
    if bad.any():
        raise ValueError(f"agents: 0 at index {int(np.flatnonzero(bad)[0])}; a queue with no agents never moves")
    j, n, aht, pat = broadcast(ahead=j, agents=n, aht_s=aht, patience_s=pat)
    shape = j.shape
    j, n, aht, pat = (np.array(a).ravel() for a in (j, n, aht, pat))
    s = n * concurrency / aht
    theta = np.where(np.isinf(pat), 0.0, 1.0 / pat)

    mean = mean_wait_core(j, s, theta)
    quant = np.empty(j.shape)
    plain = theta == 0
    quant[plain] = stats.gamma.ppf(q, j[plain] + 1.0) / s[plain]
    ab = ~plain
    if ab.any():
        jj, ss, th = j[ab], s[ab], theta[ab]
        # bracket the quantile between 0 and the no-abandonment quantile (waits only get shorter)
        lo = np.zeros(jj.shape)
        hi = stats.gamma.ppf(q, jj + 1.0) / ss
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            above = _tail_with_abandonment(jj, ss, th, mid) > 1.0 - q
            lo = np.where(above, mid, lo)
            hi = np.where(above, hi, mid)
        quant[ab] = 0.5 * (lo + hi)
    return AnnouncedWait(j.reshape(shape), mean.reshape(shape), quant.reshape(shape), q)
