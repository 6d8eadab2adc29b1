"""The queueing core against high-precision and independent references.

* Erlang B/C: exact rational arithmetic (fractions) for small systems, mpmath at 50 digits up to
  100,000 servers, and published calculator examples (cited at the test).
* Erlang A and the chat model: an independent brute-force solution of the truncated birth-death
  chain (dense linear algebra) and, for waiting-time quantities, the absorbing Markov chain of a
  tagged contact (matrix exponential and fundamental matrix) - no shared formulas with the code.
"""
from fractions import Fraction
from math import factorial

import mpmath as mp
import numpy as np
import pytest
from scipy.linalg import expm

from core import QueueModel, Targets
from simulation import (announced_wait, chat_metrics, erlang_a_metrics, erlang_b, erlang_c,
                        erlang_c_metrics, required_agents)


def exact_erlang_b(c: int, a: Fraction) -> Fraction:
    return (a ** c / factorial(c)) / sum(a ** k / factorial(k) for k in range(c + 1))


@pytest.mark.parametrize("c,a", [(1, Fraction(1, 2)), (5, Fraction(2)), (10, Fraction(83, 10)),
                                 (30, Fraction(25)), (12, Fraction(42, 5)), (40, Fraction(61))])
def test_erlang_b_and_c_equal_exact_fractions(c, a):
    b = exact_erlang_b(c, a)
    assert float(erlang_b(c, float(a))) == pytest.approx(float(b), rel=1e-12)
    if a < c:
        cc = c * b / (c - a * (1 - b))
        assert float(erlang_c(c, float(a))) == pytest.approx(float(cc), rel=1e-12)
    else:
        assert float(erlang_c(c, float(a))) == 1.0


def _mp_erlang_b(c, a):
    mp.mp.dps = 50
    a = mp.mpf(a)
    return mp.e ** (c * mp.log(a) - a - mp.loggamma(c + 1)) / mp.gammainc(c + 1, a, mp.inf, regularized=True)


def test_erlang_b_and_c_exact_to_1e9_up_to_100k_servers():
    rng = np.random.default_rng(7)
    servers = np.r_[rng.integers(1, 100_001, 40), [100_000, 100_000, 99_999, 1, 2]]
    loads = np.r_[servers[:40] * rng.uniform(0.9, 1.1, 40), [99_000.0, 100_500.0, 98_765.4, 0.3, 1e5]]
    got_b = erlang_b(servers, loads)
    got_c = erlang_c(servers, loads)
    for c, a, gb, gc in zip(servers, loads, got_b, got_c):
        b = _mp_erlang_b(int(c), float(a))
        if b < mp.mpf("1e-290"):  # below double range: only check it is (near) zero
            assert gb < 1e-280
            continue
        assert abs(gb - float(b)) <= 1e-9 * float(b)
        if a < c:
            cc = c * b / (c - a * (1 - b))
            assert abs(gc - float(cc)) <= 1e-9 * float(cc)
        else:
            assert gc == 1.0


def test_erlang_b_zero_cases_and_broadcasting():
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(4, 0.0) == 0.0
    out = erlang_b([[1], [2]], [0.5, 1.0, 2.0])
    assert out.shape == (2, 3)
    assert out[0, 0] == pytest.approx(1 / 3)


def test_unstable_queue_is_explicit_not_nan():
    m = erlang_c_metrics([5, 8, 9], 8 * 1800 / 120, 1800, 120)  # load 8 Erlangs
    assert list(m.p_wait[:2]) == [1.0, 1.0]
    assert list(m.service_level[:2]) == [0.0, 0.0]
    assert np.isinf(m.asa_s[:2]).all() and np.isinf(m.mean_wait_s[:2]).all()
    assert np.isfinite(m.asa_s[2]) and 0 < m.p_wait[2] < 1
    assert not np.isnan(m.to_frame().to_numpy()).any()


def test_erlang_c_metrics_textbook_formulas():
    # M/M/12 with 4.2 arrivals per minute and a 2-minute AHT: a = 8.4 Erlangs.
    c, a, aht, t = 12, 8.4, 120.0, 20.0
    b = exact_erlang_b(12, Fraction(42, 5))
    pw = float(c * b / (c - Fraction(42, 5) * (1 - b)))
    m = erlang_c_metrics(c, 4.2 * 30, 1800, aht, awt_s=t)
    assert m.p_wait == pytest.approx(pw, rel=1e-12)
    assert m.service_level == pytest.approx(1 - pw * np.exp(-(c - a) * t / aht), rel=1e-12)
    assert m.asa_s == pytest.approx(pw * aht / (c - a), rel=1e-12)
    assert m.occupancy == pytest.approx(a / c)


# ---------------------------------------------------------------- brute-force birth-death chains
def brute_chain(lam, n_agents, k, aht_by_held, theta, t, max_queue=400):
    """Independent reference: dense stationary solution + tagged-contact absorbing chains."""
    rate = [i / aht_by_held[i - 1] for i in range(1, k + 1)]
    cap = n_agents * k

    def death(n):
        if n <= cap:
            q, r = divmod(n, n_agents)
            g = lambda i: 0.0 if i == 0 else rate[i - 1]  # noqa: E731
            return (n_agents - r) * g(q) + (r * g(q + 1) if r else 0.0)
        return n_agents * rate[-1] + (n - cap) * theta

    size = cap + max_queue + 1
    # Stationary distribution by detailed balance, state by state (plain products, no closed forms).
    pi = np.ones(size)
    for n in range(1, size):
        pi[n] = pi[n - 1] * lam / death(n)
    pi /= pi.sum()
    p_wait = pi[cap:].sum()
    queue = np.arange(size) - cap
    mean_queue = (pi[cap:] * queue[cap:]).sum()
    abandon = theta * mean_queue / lam
    # Tagged contact finding j queued: phases j..0, each at rate s + m theta, own killing theta.
    # The generator is lower bidiagonal, so the chain started at j only visits 0..j and one
    # matrix exponential / inverse of the largest chain serves every j.
    s = n_agents * rate[-1]
    n_ph = max_queue
    tgen = np.zeros((n_ph, n_ph))
    for m in range(n_ph):  # state index m = contacts still ahead
        tgen[m, m] = -(s + m * theta) - theta
        if m > 0:
            tgen[m, m - 1] = s + m * theta
    served_rate = np.zeros(n_ph)
    served_rate[0] = s
    inv = np.linalg.inv(tgen)
    # P(served by t | j) = e_j (I - e^{Tt}) (-T)^{-1} r ; E[W 1served | j] = e_j T^-2 r
    p_served_by_t = (np.eye(n_ph) - expm(tgen * t)) @ (-inv) @ served_rate
    wait_served_j = inv @ inv @ served_rate
    pj = pi[cap:cap + n_ph]
    within = 1.0 - p_wait + pj @ p_served_by_t
    wait_served = pj @ wait_served_j
    answered = 1.0 - abandon
    busy = sum(pi[n] * min(n, cap) for n in range(size))
    return {"p_wait": p_wait, "abandon_rate": abandon, "service_level": within,
            "asa_s": wait_served / answered, "occupancy": busy / cap}


@pytest.mark.parametrize("lam,agents,aht,patience,t", [
    (4.2 / 60, 8, 120.0, 60.0, 20.0),     # M/M/8+M overloaded without abandonment
    (4.2 / 60, 12, 120.0, 60.0, 20.0),
    (1.0, 95, 90.0, 300.0, 30.0),
    (0.2, 3, 20.0, 5.0, 10.0),
])
def test_erlang_a_equals_brute_force_chain(lam, agents, aht, patience, t):
    ref = brute_chain(lam, agents, 1, [aht], 1 / patience, t)
    m = erlang_a_metrics(agents, lam * 1800, 1800, aht, patience, awt_s=t)
    for name in ("p_wait", "abandon_rate", "service_level", "asa_s", "occupancy"):
        assert float(getattr(m, name)) == pytest.approx(ref[name], rel=1e-7, abs=1e-12), name


@pytest.mark.parametrize("lam,agents,ahts,patience,t", [
    (0.02, 4, [240.0, 300.0, 380.0], None, 10.0),
    (0.05, 3, [240.0, 300.0, 380.0], 90.0, 10.0),
    (0.12, 7, [200.0, 260.0], 45.0, 30.0),
])
def test_chat_model_equals_brute_force_chain(lam, agents, ahts, patience, t):
    theta = 0.0 if patience is None else 1 / patience
    ref = brute_chain(lam, agents, len(ahts), ahts, theta, t)
    m = chat_metrics(agents, lam * 900, 900, ahts, patience_s=patience, awt_s=t, routing="even")
    for name in ("p_wait", "abandon_rate", "service_level", "asa_s", "occupancy"):
        assert float(getattr(m, name)) == pytest.approx(ref[name], rel=1e-7, abs=1e-12), name


def test_sl_definitions_are_ordered_and_consistent():
    kw = dict(awt_s=20)
    off = erlang_a_metrics(10, 140, 1800, 120, 60, sl_definition="offered", **kw)
    ans = erlang_a_metrics(10, 140, 1800, 120, 60, sl_definition="answered", **kw)
    short = erlang_a_metrics(10, 140, 1800, 120, 60, sl_definition="offered_minus_short_abandons", **kw)
    assert off.service_level < short.service_level < ans.service_level
    assert ans.service_level == pytest.approx(off.service_level / (1 - off.abandon_rate))


def test_announcement_matches_absorbing_chain():
    agents, aht, patience = 10, 300.0, 120.0
    s, theta = agents / aht, 1 / patience
    res = announced_wait([0, 3, 7], agents, aht, patience_s=patience, quantile=0.8)
    for j, mean, q80 in zip(res.ahead, res.mean_wait_s, res.quantile_wait_s):
        n_ph = j + 1
        tgen = np.zeros((n_ph, n_ph))
        for m in range(n_ph):
            tgen[m, m] = -(s + m * theta)
            if m > 0:
                tgen[m, m - 1] = s + m * theta
        alpha = np.eye(n_ph)[j]
        assert mean == pytest.approx(alpha @ np.linalg.inv(-tgen) @ np.ones(n_ph), rel=1e-10)
        survival = alpha @ expm(tgen * q80) @ np.ones(n_ph)
        assert survival == pytest.approx(0.2, abs=1e-9)
    plain = announced_wait(7, 10, 300.0)
    assert plain.mean_wait_s == pytest.approx(8 * 30.0)
    assert float(plain.quantile_wait_s) > float(res.quantile_wait_s[2])


def test_published_erlang_c_calculator_examples():
    # V. R. Erlang C calculator manual (personal.telefonica.terra.es/web/vr/erlang/eng/mcerlc.htm):
    # 600 calls/hour of 120 s = 20 Erlangs; for at most 15% delayed calls 26 circuits are needed,
    # the average delay is about 3 s per call, and 30 circuits cut the delay probability to 2.5%.
    assert int(required_agents(600, 3600, QueueModel(aht_s=120), Targets(p_wait=0.15)).agents) == 26
    assert float(erlang_c_metrics(26, 600, 3600, 120).mean_wait_s) == pytest.approx(3.0, abs=0.15)
    assert float(erlang_c(30, 20.0)) == pytest.approx(0.025, abs=0.0005)
    # Footbridge "Call Calc" application note (www.al911.org/qos_calc.htm): 2 call takers, 60 s
    # calls at 30/hour -> fewer than 8% wait more than 10 s; with 80 s per call about 14%.
    assert 1 - float(erlang_c_metrics(2, 30, 3600, 60, awt_s=10).service_level) < 0.08
    assert 1 - float(erlang_c_metrics(2, 30, 3600, 80, awt_s=10).service_level) == pytest.approx(0.14, abs=0.005)


# --------------------------------------------- patience tiny next to the AWT (exp(-AWT/patience) = 0)
@pytest.mark.parametrize("patience, t", [(0.01, 20.0), (1.0, 900.0), (0.02, 20.0), (0.03, 25.0)])
def test_erlang_a_and_chat_with_tiny_patience_match_the_chain(patience, t):
    """AWT / patience > ~745 underflowed exp(-AWT / patience) to 0 and gave a NaN service level."""
    lam, agents, aht = 100 / 1800, 12, 180.0
    ref = brute_chain(lam, agents, 1, [aht], 1 / patience, t)
    m = erlang_a_metrics(agents, lam * 1800, 1800, aht, patience, awt_s=t)
    for name in ("p_wait", "abandon_rate", "service_level", "asa_s", "occupancy"):
        assert float(getattr(m, name)) == pytest.approx(ref[name], rel=1e-7, abs=1e-12), name
    ref = brute_chain(lam, 4, 2, [180.0, 200.0], 1 / patience, t)
    m = chat_metrics(4, lam * 1800, 1800, [180.0, 200.0], patience_s=patience, awt_s=t, routing="even")
    for name in ("p_wait", "abandon_rate", "service_level", "asa_s", "occupancy"):
        assert float(getattr(m, name)) == pytest.approx(ref[name], rel=1e-7, abs=1e-12), name


def test_required_agents_with_tiny_patience():
    # Almost every waiting contact hangs up at once: SL = 1 - P(wait), like a loss system.
    res = required_agents(100, 1800, QueueModel(aht_s=180, patience_s=0.02), Targets(service_level=0.8))
    n = int(res.agents)
    assert 1 - float(erlang_b(n, 10.0)) >= 0.8 > 1 - float(erlang_b(n - 1, 10.0))


def test_announcement_with_tiny_patience():
    """Those ahead abandon within ms: the wait is one completion, Exp(s): p80 = ln 5 / s (was 0.745 s)."""
    s, theta, j = 15 / 180, 1e3, 7
    res = announced_wait(j, 15, 180, patience_s=1 / theta, quantile=0.8)
    n_ph = j + 1
    tgen = np.zeros((n_ph, n_ph))
    for m in range(n_ph):
        tgen[m, m] = -(s + m * theta)
        if m > 0:
            tgen[m, m - 1] = s + m * theta
    survival = np.eye(n_ph)[j] @ expm(tgen * float(res.quantile_wait_s)) @ np.ones(n_ph)
    assert survival == pytest.approx(0.2, abs=1e-9)
    assert float(res.quantile_wait_s) == pytest.approx(np.log(5) / s, rel=1e-3)
    assert float(res.quantile_wait_s) > float(res.mean_wait_s)
