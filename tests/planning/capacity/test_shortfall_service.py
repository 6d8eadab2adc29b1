"""The service a shortfall leaves: supplied agents keep the week's hours, and the service at those
agents is Erlang C's (derived here from its formula), volume-weighted over the open intervals."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import Targets
from planning.capacity.service import shortfall_service, supplied_agents
from planning.config import QueueConfig
from planning.pipeline import requirements_for

INTERVAL_S = 1800


def erlang_c_service_level(agents: int, load: float, aht_s: float, awt_s: float) -> float:
    """1 - C(N, a) exp(-(N - a) awt / aht), C from Erlang B's recursion (0 when unstable)."""
    if agents <= load:
        return 0.0
    b = 1.0
    for n in range(1, agents + 1):
        b = load * b / (n + load * b)
    c = agents * b / (agents - load * (1.0 - b))
    return 1.0 - c * math.exp(-(agents - load) * awt_s / aht_s)


def test_supplied_agents_keep_the_weeks_hours_by_largest_remainder():
    # want 5, 2.5, 0, 1.5 (8 + 1 = 9 agent-intervals): the tie of remainders goes to the earlier interval
    assert supplied_agents([10, 5, 0, 3], 0.5).tolist() == [5, 3, 0, 1]
    assert supplied_agents([10, 5, 0, 3], 1.0).tolist() == [10, 5, 0, 3]
    assert supplied_agents([4, 4], 0.0).tolist() == [0, 0]
    with pytest.raises(ValueError, match="ratio"):
        supplied_agents([1, 2], -0.1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=1, max_size=40), st.floats(0.0, 1.0))
def test_supplied_agents_properties(agents, ratio):
    out = supplied_agents(agents, ratio)
    want = np.asarray(agents, float) * ratio
    assert abs(out.sum() - want.sum()) <= 0.5 + 1e-6                # the week's agent hours, to the nearest agent
    assert np.all(np.abs(out - want) < 1.0 + 1e-9) and np.all(out >= 0)
    assert np.all(out <= np.asarray(agents))           # a share of the need never exceeds it


def test_shortfall_service_is_erlang_c_at_the_supplied_agents():
    q = QueueConfig(name="v", kind="voice", history=None, aht_s=180.0,
                    targets=Targets(service_level=0.8, awt_s=20.0))
    week = pd.DataFrame({"interval_start": pd.date_range("2000-01-03 08:00", periods=3, freq="30min"),
                         "volume": [100.0, 0.0, 60.0], "aht_s": 180.0})
    req = requirements_for(q, week, INTERVAL_S).assign(month="2000-01")
    need_agents = req["agents"].to_numpy()
    loads = week["volume"].to_numpy() * 180.0 / INTERVAL_S            # 10 and 6 Erlang
    assert erlang_c_service_level(int(need_agents[0]), loads[0], 180.0, 20.0) >= 0.8
    monthly = pd.DataFrame({"queue": ["v", "v"], "month": [0, 1], "need_fte": [10.0, 10.0],
                            "shortfall_fte": [1.5, 0.0]})           # month 0 supplied at 85 %
    ops, table = shortfall_service(req, monthly, ["2000-01", "2000-02"], {"v": q}, INTERVAL_S)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["month"] == "2000-01" and row["supplied_share"] == pytest.approx(0.85)
    agents = supplied_agents(need_agents, 0.85)
    assert ops["supplied_agents"].tolist() == agents.tolist()
    sl = [erlang_c_service_level(int(n), a, 180.0, 20.0) for n, a in zip(agents, loads)]
    want = (100.0 * sl[0] + 60.0 * sl[2]) / 160.0                      # volume-weighted; interval 2 has no contacts
    assert row["service_level_supplied"] == pytest.approx(want, rel=1e-9)
    assert row["service_level_supplied"] < row["service_level_need"]
    assert ops["service_level"].iloc[0] == pytest.approx(sl[0], rel=1e-9)
    assert row["agent_h_week_supplied"] == pytest.approx(agents.sum() * 0.5)
    assert row["intervals_meeting_targets_supplied"] == pytest.approx(np.mean([s >= 0.8 for s in (sl[0], sl[2])]))


def test_nothing_short_leaves_the_service_at_need():
    q = QueueConfig(name="v", kind="voice", history=None, aht_s=180.0,
                    targets=Targets(service_level=0.8, awt_s=20.0))
    week = pd.DataFrame({"interval_start": pd.date_range("2000-01-03 08:00", periods=2, freq="30min"),
                         "volume": [100.0, 60.0], "aht_s": 180.0})
    req = requirements_for(q, week, INTERVAL_S).assign(month="2000-01")
    monthly = pd.DataFrame({"queue": ["v"], "month": [0], "need_fte": [10.0], "shortfall_fte": [0.0]})
    ops, table = shortfall_service(req, monthly, ["2000-01"], {"v": q}, INTERVAL_S)
    assert table.empty and "service_level_supplied" in table.columns
    pd.testing.assert_frame_equal(ops.drop(columns="supplied_agents"), req)
    assert ops["supplied_agents"].tolist() == req["agents"].tolist()
