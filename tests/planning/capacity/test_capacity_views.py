"""The Capacity page's view functions on a stored plan built from the hand-checked hiring case."""
from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning import views as pv
from planning.config import InputError

DATA = Path(__file__).resolve().parents[3] / "data"


def stored_plan() -> pv.StoredCapacity:
    raw = tomllib.loads((DATA / "capacity.toml").read_text())
    months = [f"2000-{m:02d}" for m in range(1, 7)]
    need = pd.DataFrame([{"strategy": "s", "queue": q, "month": m, "need_fte": n}
                         for q, ns in (("voice", [24, 24, 26, 28, 28, 28]), ("chat", [17, 17, 17, 17, 17, 17]))
                         for m, n in zip(months, ns)])
    summary = pd.DataFrame([{"strategy": "s", "salary_fte_month": 6000.0, "paid_hours_per_week": 42.0,
                             "milp_objective": 1.0, "hires": 0}])
    money = pd.DataFrame({"strategy": "s", "queue": "voice", "month": months, "total_cost": 10.0,
                          "cross_sell_value": 4.0, "churn_cost": 1.0, "net_value": -7.0})
    return pv.StoredCapacity("c1", "now", "t", "EUR", True, raw, {"need": need, "summary": summary, "money": money})


def test_whatif_more_attrition_more_hires_and_growth_more_need():
    st = stored_plan()
    base = pv.capacity_whatif(st, "s")
    more = pv.capacity_whatif(st, "s", attrition_factor=2.0)
    assert more["summary"]["hires"] >= base["summary"]["hires"] and more["summary"]["cost"] > base["summary"]["cost"]
    g = pv.capacity_whatif(st, "s", growth_per_year=0.30)   # the plan's growth is 5 %
    v0 = base["supply"][base["supply"].queue == "voice"]["need_fte"].to_numpy()
    v1 = g["supply"][g["supply"].queue == "voice"]["need_fte"].to_numpy()
    assert np.allclose(v1 / v0, (1.30 / 1.05) ** ((np.arange(6) + 0.5) / 12))
    frame = pv.need_supply_frame(base["supply"], "voice")
    assert list(frame.columns) == ["month", "need_fte", "supply_fte", "gap_fte", "short"]
    m = pv.money_frame(st, "s")
    assert m["cumulative_net_value"].tolist() == pytest.approx([-7.0 * k for k in range(1, 7)])
    with pytest.raises(InputError, match="strategy"):
        pv.capacity_whatif(st, "nope")


def test_no_store_means_no_plan(tmp_path):
    assert pv.latest_capacity(f"sqlite:///{tmp_path / 'none.sqlite'}") is None
