"""The simulation stage of the pipeline: blocks of open intervals and one block's simulation
(with and without refinement)."""
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from planning.pipeline import SimulationJob, interval_gaps, open_blocks, simulate_block

PLAN = Path(__file__).resolve().parents[3] / "data" / "plan.toml"


def test_open_blocks_split_at_closed_intervals_and_time_gaps():
    open_ = np.array([False, True, True, False, True, True, True, False])
    assert open_blocks(open_) == [(1, 3), (4, 7)]
    gaps = np.array([False, False, False, False, False, True, False, False])
    assert open_blocks(open_, gaps) == [(1, 3), (4, 5), (5, 7)]
    ts = pd.Series(pd.to_datetime(["2024-01-01 08:00", "2024-01-01 08:30", "2024-01-01 10:00"]))
    assert list(interval_gaps(ts, 1800)) == [False, False, True]


def test_block_refinement_raises_an_understaffed_plan_and_keeps_a_good_one():
    from planning.config import QueueConfig, Targets

    q = QueueConfig(name="v", kind="voice", history=PLAN, aht_s=180,
                    targets=Targets(service_level=0.8, awt_s=20, sl_definition="answered"))
    blk = pd.DataFrame({"interval_start": pd.date_range("2024-01-01 08:00", periods=4, freq="30min"),
                        "volume": [100.0, 120.0, 120.0, 80.0], "aht_s": 180.0,
                        "agents": [14, 10, 16, 12]})  # the second interval is short by several agents
    job = SimulationJob(queue=q, block=blk, interval_s=1800, replications=20, rate_cv=0.0, seed=3, refine=True)
    out = simulate_block(job)
    assert (out["agents_final"] >= out["agents_plan"]).all()
    assert out["agents_final"].iloc[1] > 10
    assert (out["service_level_answered_hi"] >= 0.8).all()
    same = simulate_block(replace(job, refine=False))
    assert (same["agents_final"] == same["agents_plan"]).all()
