"""Properties of the queueing core (hypothesis) and its handling of bad input."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import QueueModel, Targets
from simulation import (chat_metrics, erlang_a_metrics, erlang_b, erlang_c, erlang_c_metrics,
                        required_agents)

loads = st.floats(min_value=0.01, max_value=2000.0, allow_nan=False)
servers = st.integers(min_value=1, max_value=3000)
aht = st.floats(min_value=10.0, max_value=1800.0)
patience = st.floats(min_value=5.0, max_value=3600.0)


@settings(max_examples=200, deadline=None)
@given(servers, loads)
def test_erlang_c_at_least_erlang_b(c, a):
    assert erlang_c(c, a) >= erlang_b(c, a) - 1e-15
    assert 0.0 <= erlang_b(c, a) <= 1.0 and 0.0 <= erlang_c(c, a) <= 1.0


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0.01, max_value=400.0), aht, st.floats(min_value=0.0, max_value=120.0))
def test_service_level_rises_with_agents(a, aht_s, awt_s):
    c = np.arange(1, int(a * 1.5) + 30)
    volume = a / aht_s * 1800
    sl = erlang_c_metrics(c, volume, 1800, aht_s, awt_s=awt_s).service_level
    assert np.all(np.diff(sl) >= -1e-12)
    sl_a = erlang_a_metrics(c, volume, 1800, aht_s, 120.0, awt_s=awt_s).service_level
    assert np.all(np.diff(sl_a) >= -1e-9)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 400), st.floats(0.05, 1.5), aht, patience)
def test_erlang_a_waits_less_often_than_erlang_c(c, rho, aht_s, pat):
    volume = c * rho / aht_s * 1800
    pw_a = erlang_a_metrics(c, volume, 1800, aht_s, pat).p_wait
    pw_c = erlang_c_metrics(c, volume, 1800, aht_s).p_wait
    assert pw_a <= pw_c + 1e-12


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 200), st.floats(0.05, 1.3), aht, st.one_of(st.none(), patience),
       st.floats(0.0, 60.0))
def test_chat_with_one_chat_per_agent_is_erlang_c_or_a(c, rho, aht_s, pat, awt_s):
    volume = c * rho / aht_s * 900
    chat = chat_metrics(c, volume, 900, [aht_s], patience_s=pat, awt_s=awt_s)
    ref = (erlang_c_metrics(c, volume, 900, aht_s, awt_s=awt_s) if pat is None
           else erlang_a_metrics(c, volume, 900, aht_s, pat, awt_s=awt_s))
    for name in ("service_level", "p_wait", "abandon_rate", "occupancy", "asa_s"):
        got, want = float(getattr(chat, name)), float(getattr(ref, name))
        if np.isinf(want):
            assert np.isinf(got)
        else:
            assert got == pytest.approx(want, rel=1e-8, abs=1e-12), name


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 3000.0), min_size=1, max_size=30), aht,
       st.floats(0.5, 0.95), st.one_of(st.none(), patience), st.integers(1, 3))
def test_required_agents_is_minimal(volumes, aht_s, target, pat, k):
    volumes = np.round(volumes)
    curve = [aht_s * (1 + 0.25 * i) for i in range(k)] if k > 1 else None
    res = required_agents(volumes, 1800, QueueModel(aht_s=aht_s, patience_s=pat, aht_by_concurrency_s=curve),
                          Targets(awt_s=20, service_level=target))
    busy = volumes > 0
    assert np.all(res.agents[~busy] == 0)
    assert np.all(res.service_level[busy] >= target - 1e-12)

    def sl_at(agents):
        if k > 1:
            return chat_metrics(agents, volumes, 1800, curve, patience_s=pat,
                                awt_s=20).service_level
        if pat is None:
            return erlang_c_metrics(agents, volumes, 1800, aht_s, awt_s=20).service_level
        return erlang_a_metrics(agents, volumes, 1800, aht_s, pat, awt_s=20).service_level

    fewer = np.maximum(res.agents - 1, 0)
    missed = sl_at(fewer) < target
    assert np.all(missed[busy & (res.agents > 0)])


def test_required_agents_every_target_binds_where_it_should():
    vol = np.array([0, 40, 400, 4000])
    voice = QueueModel(aht_s=240)
    base = required_agents(vol, 1800, voice, Targets(service_level=0.8))
    strict = required_agents(vol, 1800, voice, Targets(service_level=0.8, asa_s=2, max_occupancy=0.8))
    assert np.all(strict.agents >= base.agents)
    assert np.all(strict.asa_s[1:] <= 2) and np.all(strict.occupancy <= 0.8)
    chat = required_agents(vol, 1800, QueueModel(aht_s=240, aht_by_concurrency_s=[240, 300, 380]),
                           Targets(p_wait=0.05, asa_s=10))
    assert chat.model == "chat" and np.all(chat.p_wait <= 0.05)
    ab = required_agents(vol, 1800, QueueModel(aht_s=240, patience_s=90), Targets(abandon_rate=0.02))
    assert ab.model == "erlang_a" and np.all(ab.abandon_rate <= 0.02)


def test_shrinkage_and_minimum():
    res = required_agents([0, 100], 1800, QueueModel(aht_s=300), Targets(service_level=0.8), shrinkage=0.3,
                          min_agents=2)
    assert res.agents[0] == 2
    # exact: scheduled = ceil(agents / 0.7) = ceil(10 agents / 7), in integers (21 agents -> 30)
    assert list(res.scheduled) == [-(-int(a) * 10 // 7) for a in res.agents]


@pytest.mark.parametrize("call,message", [
    (lambda: required_agents([1, -2], 1800, QueueModel(aht_s=300), Targets(service_level=0.8)), "volume: value -2.0 at index 1"),
    (lambda: required_agents([1, np.nan], 1800, QueueModel(aht_s=300), Targets(service_level=0.8)), "volume: NaN at index 1"),
    (lambda: required_agents([1, 2], 1800, QueueModel(), Targets(service_level=0.8), aht_s=[300, 0]), "aht_s: value 0.0 at index 1"),
    (lambda: required_agents([1, 2], 1800, QueueModel(aht_s=300), Targets(service_level=1.2)), "service_level: 1.2 is outside"),
    (lambda: required_agents([1, 2], 1800, QueueModel(aht_s=300), Targets(p_wait=0.0)), "p_wait"),
    (lambda: required_agents([1, 2], 1800, QueueModel(aht_s=300), Targets(max_occupancy=1.5)), "max_occupancy"),
    (lambda: required_agents([1, 2], 1800, QueueModel(aht_s=300), Targets()), "give at least one target"),
    (lambda: required_agents([1, 2, 3], [1800, 900], QueueModel(aht_s=300), Targets(service_level=0.8)), "do not broadcast"),
    (lambda: required_agents([1, 2], 1800, QueueModel(aht_s=300), Targets(abandon_rate=0.05)), "needs patience_s"),
    (lambda: required_agents([1, 2], 1800, QueueModel(aht_s=300), Targets(service_level=0.8), shrinkage=1.0), "shrinkage"),
    (lambda: required_agents([1, 2], 0, QueueModel(aht_s=300), Targets(service_level=0.8)), "interval_s: value 0.0; expected > 0"),
    (lambda: erlang_b([1, 2.5], 3), "servers: value 2.5 at index 1"),
    (lambda: erlang_c(3, [1, -1]), "load: value -1.0 at index 1"),
    (lambda: chat_metrics(3, 10, 900, [300, -1]), "aht_by_concurrency_s"),
    (lambda: chat_metrics(3, 10, 900, [300, 400, 500], concurrency=2.5), "concurrency: 2.5 must be a whole number"),
    (lambda: erlang_a_metrics(3, 10, 900, 300, 0), "patience_s"),
])
def test_bad_input_names_argument_and_index(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        call()


def test_zero_volume_gives_zero_waits_in_every_model():
    """No contacts: no wait (was NaN = 0/0 for Erlang C with 0 agents), the same in every model."""
    agents = np.array([0, 0, 3])
    vol = np.array([0.0, 0.0, 0.0])
    for m in (erlang_c_metrics(agents, vol, 1800, 180),
              erlang_a_metrics(agents, vol, 1800, 180, 60),
              erlang_a_metrics(agents, vol, 1800, 180, np.inf)):
        assert not np.isnan(m.to_frame().to_numpy()).any()
        np.testing.assert_array_equal(m.asa_s, 0.0)
        np.testing.assert_array_equal(m.mean_wait_s, 0.0)
        np.testing.assert_array_equal(m.p_wait, 0.0)
