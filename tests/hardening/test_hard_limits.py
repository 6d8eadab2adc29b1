"""Huge inputs are refused up front with the reason and the limit, in well under a second."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from core import MAX_AGENTS_PER_INTERVAL, MAX_CONTACTS_PER_RUN, MAX_VOLUME_PER_INTERVAL, QueueModel, Targets
from simulation import RunSettings, required_agents, simulate

from hard_helpers import run_cli

T = Targets(service_level=0.8, awt_s=20)


def _fast(fn):
    t0 = time.perf_counter()
    with pytest.raises(ValueError) as e:
        fn()
    assert time.perf_counter() - t0 < 2.0
    return str(e.value)


@pytest.mark.parametrize("queue", [QueueModel(aht_s=180), QueueModel(aht_s=180, patience_s=60),
                                   QueueModel(aht_by_concurrency_s=[300, 400, 500])], ids=["c", "a", "chat"])
def test_required_agents_beyond_the_agent_limit(queue):
    msg = _fast(lambda: required_agents([10, 1e12], 1800, queue, Targets(service_level=0.8, p_wait=0.5)
                                        if queue.concurrency == 1 else Targets(p_wait=0.05)))
    assert msg.startswith("volume:") and "index 1" in msg and f"{MAX_AGENTS_PER_INTERVAL:,}" in msg


def test_simulate_beyond_the_contact_limit():
    msg = _fast(lambda: simulate([10, 1e12], [2, 3], 1800, QueueModel(aht_s=180), targets=T))
    assert "arrival_rate_per_h" in msg and f"{MAX_CONTACTS_PER_RUN:,} contacts per run" in msg
    msg = _fast(lambda: simulate([1e6] * 48, [10**5] * 48, 1800, QueueModel(aht_s=180), targets=T,
                                 settings=RunSettings(replications=10)))
    assert "replication" in msg


def test_simulate_beyond_the_agent_limit():
    msg = _fast(lambda: simulate([10, 100], [2, 10**9], 1800, QueueModel(aht_s=180), targets=T))
    assert msg.startswith("agents:") and "index 1" in msg


def test_history_volume_beyond_the_limit_names_the_row(tmp_path):
    from forecast import read_history

    path = tmp_path / "h.csv"
    path.write_text("interval_start,volume\n2000-01-03 08:00,5\n2000-01-03 08:30,1e12\n")
    msg = _fast(lambda: read_history(path))
    assert str(path) in msg and "row 3" in msg and f"{MAX_VOLUME_PER_INTERVAL:,}" in msg


def test_cli_staff_with_a_huge_volume_exits_2_fast(tmp_path):
    path = tmp_path / "f.csv"
    t = pd.date_range("2000-01-03 08:00", periods=4, freq="30min")
    pd.DataFrame({"interval_start": t, "volume": [10, 1e12, 30, 5]}).to_csv(path, index=False)
    t0 = time.perf_counter()
    code, out, err = run_cli("staff", "--forecast", path, "--aht-s", "180", "--service-level", "0.8")
    assert code == 2 and out == "" and str(path) in err and "row 3" in err
    assert time.perf_counter() - t0 < 5


def test_pipeline_simulation_too_large_is_refused_before_any_block():
    from planning.config import parse_config
    from planning.pipeline import simulate_plan

    cfg = parse_config({"simulation": {"replications": 100}, "queues": {"v": {
        "history": "x.csv", "aht_s": 180.0, "targets": {"service_level": 0.8}}}}, check_files=False)
    t = pd.date_range("2000-01-03 08:00", periods=48, freq="30min")
    req = pd.DataFrame({"queue": "v", "interval_start": t, "open": True, "volume": 9e5, "aht_s": 180.0,
                        "agents": 90_100})
    msg = _fast(lambda: simulate_plan(cfg, req))
    assert "queue v" in msg and "[simulation] replications" in msg


def test_history_rows_beyond_the_limit(monkeypatch):
    import forecast.history as fh

    monkeypatch.setattr(fh, "MAX_HISTORY_ROWS", 5)
    df = pd.DataFrame({"interval_start": pd.date_range("2000-01-03", periods=6, freq="30min"), "volume": 1.0})
    with pytest.raises(ValueError, match="6 rows: more than the limit of 5 rows"):
        fh.read_history(df)
