"""Redials and callbacks in the simulator: exact conservation per run, the limiting cases (no
redials, no accepted callbacks: today's numbers with the same seed), the analytic retrial fixed
point inside the simulation's confidence interval, and the callback priority rule."""
from __future__ import annotations

import numpy as np
import pytest

from core import QueueModel, Targets
from simulation import RunSettings, plan_metrics, simulate
from simulation.stats import ratio_ci, mean_ci

RATE = np.array([120, 240, 360, 300, 180, 90.0])
AGENTS = [10, 18, 25, 22, 14, 8]
VOICE = QueueModel(aht_s=240, patience_s=90)
RUN = RunSettings(replications=8, seed=11, executor="serial")


@pytest.mark.parametrize("queue", [
    VOICE.with_values(retrial_prob=0.6, retrial_delay_s=300, balk_prob=0.2),
    VOICE.with_values(retrial_prob=0.5, callback_accept_prob=0.6, callback_threshold_s=30),
    QueueModel(aht_by_concurrency_s=[300, 380, 480], patience_s=60, retrial_prob=0.7, routing="random"),
])
def test_conservation_is_exact_in_every_replication_and_interval(queue):
    agents = AGENTS if not queue.is_chat else [4, 7, 10, 9, 6, 3]
    s = simulate(RATE, agents, 1800, queue, settings=RUN).per_replication
    assert s["retried"].sum() > 0
    np.testing.assert_array_equal(s["offered"], s["served"] + s["abandoned_final"] + s["retried"] + s["pending"])
    np.testing.assert_array_equal(s["abandoned"], s["abandoned_final"] + s["retried"] + s["pending"])
    # every redial made within the day arrives within the day
    np.testing.assert_array_equal(s["retrials"].sum(axis=1), s["retried"].sum(axis=1))


@pytest.mark.parametrize("engine", ["auto", "simpy"])
@pytest.mark.parametrize("off", [dict(retrial_prob=0.0, retrial_delay_s=60),
                                 dict(callback_accept_prob=0.0, callback_threshold_s=0)])
def test_switched_off_gives_todays_numbers(engine, off):
    run = RUN.with_values(engine=engine)
    today = simulate(RATE, AGENTS, 1800, VOICE, settings=run)
    res = simulate(RATE, AGENTS, 1800, VOICE.with_values(**off), settings=run)
    assert res.engine == today.engine
    assert res.by_interval.equals(today.by_interval) and res.summary.equals(today.summary)


def test_the_fast_engine_refuses_redials():
    with pytest.raises(ValueError, match="engine='fast' has no redials or callbacks"):
        simulate(RATE, AGENTS, 1800, VOICE.with_values(retrial_prob=0.5), settings=RUN.with_values(engine="fast"))


def test_analytic_fixed_point_inside_the_simulations_confidence_interval():
    """Constant load for 8 half hours; the simulated day starts empty, so intervals 0-1 are a
    transient and the steady intervals 2-7 are pooled (95% Student-t bounds over replications).
    The fixed point treats redials as Poisson arrivals, which holds for delays of about an
    interval; much shorter delays bring them back into the congestion they left (see README)."""
    q = QueueModel(aht_s=240, patience_s=120, retrial_prob=0.5, retrial_delay_s=1800)
    vol, agents = np.full(8, 100.0), np.full(8, 15)
    analytic = plan_metrics(vol, agents, 1800, q, Targets())
    sim = simulate(vol * 2, agents, 1800, q, settings=RunSettings(replications=200, seed=3, executor="serial"))
    s = {k: v[:, 2:].sum(axis=1) for k, v in sim.per_replication.items()}
    offered, lo, hi = mean_ci(s["offered"])
    assert lo <= analytic.offered[2:].sum() <= hi, (analytic.offered[2:].sum(), lo, hi)
    ab, lo, hi = ratio_ci(s["abandoned"], s["offered"])
    want = (analytic.offered * analytic.abandon_rate)[2:].sum() / analytic.offered[2:].sum()
    assert lo <= want <= hi, (want, lo, hi)
    assert s["retrials"].mean() > 0.03 * offered  # the redials are a real part of the load


def test_callbacks_keep_their_place_and_the_priority_rule():
    """With a promise that never comes due, an agent calls back only when no inbound contact
    waits; callbacks never abandon; fewer contacts are lost than without callbacks."""
    q = VOICE.with_values(callback_accept_prob=0.8, callback_threshold_s=30, callback_promise_s=1e6)
    res = simulate(RATE, AGENTS, 1800, q, settings=RUN, keep_contacts=True)
    c = res.contacts
    cb = c[c["callback"]]
    assert len(cb) > 0 and (cb["outcome"] == "served").all()
    inbound = c[~c["callback"] & (c["wait_s"] > 0)]
    for rep, group in cb.groupby("replication"):
        waits = inbound[inbound["replication"] == rep]
        a, e = waits["arrival_s"].to_numpy(), (waits["arrival_s"] + waits["wait_s"]).to_numpy()
        for t in (group["arrival_s"] + group["wait_s"]).to_numpy():
            assert not ((a < t - 1e-9) & (e > t + 1e-9)).any(), "a callback was taken while a caller waited"
    without = simulate(RATE, AGENTS, 1800, VOICE, settings=RUN)
    assert res.summary.loc["abandoned", "value"] < without.summary.loc["abandoned", "value"]


def test_a_due_callback_goes_first_so_the_promise_is_kept():
    """At 1.2x the forecast, callbacks served only when nobody waits inbound often wait past
    300 s; the due rule (taken first once the promise expires within a handle time) keeps it."""
    q = VOICE.with_values(callback_accept_prob=0.7, callback_threshold_s=60, callback_promise_s=300)
    kept = simulate(RATE * 1.2, AGENTS, 1800, q, settings=RUN).summary["value"]
    late = simulate(RATE * 1.2, AGENTS, 1800, q.with_values(callback_promise_s=1e6), settings=RUN,
                    keep_contacts=True).contacts
    waits = late.loc[late["callback"], "wait_s"]
    assert kept["callbacks"] > 10 and kept["callback_kept"] > 0.95
    assert (waits <= 300).mean() < 0.8


def test_compare_callbacks_reports_avoided_abandonment_and_agents_saved():
    from simulation import compare_callbacks

    q = VOICE.with_values(callback_accept_prob=0.8, callback_threshold_s=10, callback_promise_s=900)
    t = Targets(service_level=0.6, awt_s=20, abandon_rate=0.04)
    c = compare_callbacks(RATE, [12, 20, 28, 24, 16, 10], 1800, q, t,
                          settings=RunSettings(replications=20, seed=7, executor="serial"), max_shift=3)
    assert list(c.table.columns) == ["without", "with"]
    assert c.table.loc["callbacks", "without"] == 0 and c.table.loc["callbacks", "with"] > 10
    assert c.table.loc["offered", "without"] == c.table.loc["offered", "with"]  # the same contacts
    assert c.abandoned_avoided > 5 and c.agents_saved is not None and c.agents_saved > 0
    with pytest.raises(ValueError, match="callback_accept_prob > 0"):
        compare_callbacks(RATE, AGENTS, 1800, VOICE, t)
