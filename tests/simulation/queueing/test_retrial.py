"""Redials in the analytic model: the kernel against quadrature, the fixed point's identity, the
limiting cases (no redials: today's numbers) and exact minimality against brute force."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import integrate

from core import QueueModel, Targets
from simulation import plan_metrics, required_agents, retrial_impact
from simulation.queueing.retrial import retrial_kernel

VOICE = QueueModel(aht_s=240, patience_s=90, retrial_prob=0.6, retrial_delay_s=600)
SL = Targets(service_level=0.8, awt_s=20)


def test_kernel_matches_quadrature_and_sums_to_one():
    L, d = 1800.0, 600.0
    w = retrial_kernel(L, d, 40)
    for m in range(4):  # P(u + delay in [mL, (m+1)L)), u uniform on [0, L), delay exponential
        def inner(u):
            lo, hi = max(m * L - u, 0.0), (m + 1) * L - u
            return np.exp(-lo / d) - np.exp(-hi / d)
        ref = integrate.quad(inner, 0, L, epsabs=1e-13)[0] / L
        assert w[m] == pytest.approx(ref, abs=1e-12)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)


def test_no_redials_gives_todays_numbers():
    vol = [60, 120, 180, 150, 90, 45.0]
    today = required_agents(vol, 1800, VOICE.with_values(retrial_prob=0.0), SL)
    plain = required_agents(vol, 1800, QueueModel(aht_s=240, patience_s=90), SL)
    assert today.agents.tolist() == plain.agents.tolist() and today.offered is None
    np.testing.assert_array_equal(today.service_level, plain.service_level)
    # redials without abandonment (Erlang C) change nothing: nobody hangs up
    c = required_agents(vol, 1800, QueueModel(aht_s=240, retrial_prob=0.6), SL)
    assert c.agents.tolist() == required_agents(vol, 1800, QueueModel(aht_s=240), SL).agents.tolist()
    # a vanishing redial share converges to today's plan and metrics
    tiny = required_agents(vol, 1800, VOICE.with_values(retrial_prob=1e-12), SL)
    assert tiny.agents.tolist() == plain.agents.tolist()
    np.testing.assert_allclose(tiny.offered, vol, rtol=1e-9)
    np.testing.assert_allclose(tiny.service_level, plain.service_level, rtol=1e-9)


def _identity_gap(vol, res, queue, L=1800.0):
    """offered_j - (volume_j + sum_i w_{j-i} p offered_i abandon_i): zero at the fixed point."""
    n = len(vol)
    w = retrial_kernel(L, queue.retrial_delay_s, n)
    redials = queue.retrial_prob * res.offered * res.abandon_rate
    inflow = np.array([sum(w[j - i] * redials[i] for i in range(j + 1)) for j in range(n)])
    return res.offered - (np.asarray(vol) + inflow)


def test_offered_load_is_the_fixed_point():
    vol = [60, 120, 180, 150, 90, 45.0]
    res = required_agents(vol, 1800, VOICE, SL)
    assert np.abs(_identity_gap(vol, res, VOICE)).max() < 1e-7
    under = plan_metrics(vol, [6, 10, 15, 12, 8, 4], 1800, VOICE, SL)  # understaffed: many redials
    assert np.abs(_identity_gap(vol, under, VOICE)).max() < 1e-7
    assert (under.offered > np.asarray(vol)).all()


def _feasible(vol, plan, queue, targets):
    m = plan_metrics(vol, plan, 1800, queue, targets)
    return bool(np.all(targets.met(m)))


@pytest.mark.parametrize("queue, targets, vol", [
    (VOICE, SL, [90.0, 160.0, 120.0]),
    (VOICE.with_values(retrial_prob=0.9, retrial_delay_s=120), Targets(service_level=0.8, abandon_rate=0.03),
     [150.0, 60.0, 200.0]),
    (QueueModel(aht_by_concurrency_s=[300, 380, 480], patience_s=120, retrial_prob=0.7, retrial_delay_s=300),
     Targets(p_wait=0.1, abandon_rate=0.05), [60.0, 120.0]),
])
def test_staffing_with_redials_is_exact_minimal_against_brute_force(queue, targets, vol):
    res = required_agents(vol, 1800, queue, targets)
    found = res.agents.tolist()
    assert _feasible(vol, found, queue, targets)
    for j in range(len(vol)):  # one agent fewer in any one interval misses
        fewer = list(found)
        fewer[j] -= 1
        assert not _feasible(vol, fewer, queue, targets), (j, found)
    # every plan in a box around it: the feasible ones are never lexicographically smaller, and
    # none needs fewer agent-intervals
    box = [range(max(c - 2, 0), c + 3) for c in found]
    feasible = [list(p) for p in itertools.product(*box) if _feasible(vol, list(p), queue, targets)]
    assert min(feasible) == found
    assert min(sum(p) for p in feasible) == sum(found)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(5, 200), min_size=1, max_size=5), st.floats(0.05, 0.95), st.floats(30, 3600))
def test_redials_only_add_load(vol, p, delay_s):
    q = VOICE.with_values(retrial_prob=p, retrial_delay_s=delay_s)
    res = required_agents(vol, 1800, q, SL)
    assert (res.offered >= np.asarray(vol) - 1e-9).all()
    assert np.abs(_identity_gap(vol, res, q)).max() < 1e-6
    assert bool(np.all(SL.met(plan_metrics(vol, res.agents, 1800, q, SL))))


def test_ignoring_redials_costs_service_level():
    r = retrial_impact([60, 120, 180, 150, 90, 45.0], 1800, VOICE, SL)
    s = r.summary()
    assert s["service_level_delivered"] < s["service_level_promised"]
    assert s["agents_added"] > 0 and s["redials"] > 0
    assert (r.agents_with_redials >= r.agents_ignoring).all()


def test_bad_inputs_name_the_problem():
    with pytest.raises(ValueError, match="retrial_prob"):
        QueueModel(aht_s=240, retrial_prob=1.0)
    with pytest.raises(ValueError, match="retrial_delay_s"):
        QueueModel(aht_s=240, retrial_delay_s=0)
    with pytest.raises(ValueError, match="callback_accept_prob"):
        QueueModel(aht_s=240, callback_accept_prob=1.5)
    with pytest.raises(ValueError, match="callback_threshold_s"):
        QueueModel(aht_s=240, callback_threshold_s=-1)
    with pytest.raises(ValueError, match="interval_s: retrials"):
        required_agents([60, 90], [1800, 900], VOICE, SL)
    with pytest.raises(ValueError, match="retrial_prob > 0 and a finite"):
        retrial_impact([60], 1800, QueueModel(aht_s=240, retrial_prob=0.5), SL)
