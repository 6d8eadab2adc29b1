"""Capacity money (the old 28-day figures come back), NPV and break-even by hand, long-range demand
on a synthetic history with known weekday mix, season and trend, and bad configuration named."""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning.capacity import break_even_month, month_money, npv, parse_capacity
from planning.capacity.demand import WhatIf, apply_whatifs, fit_demand, monthly_totals, project_days
from planning.config import ConfigError
from planning.scenarios import FINANCE_COLUMNS, Money, queue_finance

DATA = Path(__file__).resolve().parents[3] / "data"
MONEY = Money(cost_per_agent_hour=30.0, overhead_per_fte_year=6000.0, conversion_rate=0.02, margin_per_sale=120.0,
              customer_lifetime_value=1500.0, churn_if_abandoned=0.04, churn_per_wait_minute=0.005,
              cost_per_abandoned_contact=2.5, conversion_ref_aht_s=210.0, conversion_aht_elasticity=1.0)


def ops_28_days(seed=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 28 * 48
    vol = rng.gamma(4.0, 5.0, n)
    return pd.DataFrame({"volume": vol, "agents": np.ceil(vol / 4).astype(int), "abandon_rate": rng.uniform(0, 0.05, n),
                         "asa_s": rng.uniform(0, 30, n), "aht_s": rng.uniform(180, 260, n)})


def test_one_month_with_nothing_changed_gives_the_old_28_day_figures():
    ops = ops_28_days()
    kw = dict(interval_s=1800, shrinkage=0.3, paid_hours_per_week=42.0, paid_hours_factor=1.05)
    old = queue_finance(ops, MONEY, period_days=28, **kw)
    new = month_money(ops, MONEY, ops_days=28, month_days=28, **kw)   # supply = need, no hiring, no levers
    for k in ("offered", "handled", "abandoned", "sales", "cross_sell_value", "customers_lost", "churn_cost",
              "abandon_cost", "labour_cost", "overhead_cost", "total_cost", "net_value"):
        assert new[k] == pytest.approx(old[k], rel=1e-12), k
    assert new["paid_fte"] == pytest.approx(old["fte"])
    assert set(FINANCE_COLUMNS) >= {"labour_cost", "net_value"}


def test_supply_levers_and_hiring_are_priced():
    ops = ops_28_days()
    kw = dict(interval_s=1800, shrinkage=0.3, paid_hours_per_week=42.0, ops_days=28, month_days=30)
    base = month_money(ops, MONEY, **kw, paid_fte=20.0)
    # 20 FTE x 42 h x 30/7 weeks x 30 EUR; overhead 20 x 6000 x 30/365
    assert base["labour_cost"] == pytest.approx(20 * 42 * 30 / 7 * 30)
    assert base["overhead_cost"] == pytest.approx(20 * 6000 * 30 / 365)
    more = month_money(ops, MONEY, **kw, paid_fte=20.0, hiring_cost=5000.0, overtime_fte=1.0, overtime_premium=1.5,
                       outsourced_fte=2.0, outsource_cost_per_fte_month=9000.0)
    salary = 30 * 42 * 365.25 / 12 / 7 + 6000 / 12      # one FTE for an average month
    frac = 30 / (365.25 / 12)
    assert more["total_cost"] - base["total_cost"] == pytest.approx(5000 + salary * 1.5 * frac + 2 * 9000 * frac)
    assert more["cross_sell_value"] == base["cross_sell_value"]    # value follows the service, not the cost


def test_npv_and_break_even_by_hand():
    assert npv([100.0] * 12, 0.0) == pytest.approx(1200.0)
    assert npv([112.0], 0.12) == pytest.approx(112.0 / 1.12 ** (1 / 12))
    assert break_even_month([-10, 5, 4, 3]) == 3        # cumulative -10, -5, -1, 2
    assert break_even_month([5, -10, 20]) == 2          # dips below 0 in month 1, back in 2
    assert break_even_month([1, 1]) == 0 and break_even_month([-1, -1]) is None


def synthetic_history(days=730, trend_per_year=0.10, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.date_range("1998-01-01", periods=days, freq="D")
    wd = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.4, 0.4])[d.day_of_week]
    season = 1.0 + 0.2 * np.cos(2 * np.pi * (d.month - 1) / 12)
    t = (d - d[-1]).days.to_numpy() / 365.25
    lam = 1000 * wd * season * np.exp(np.log1p(trend_per_year) * t)
    return pd.DataFrame({"interval_start": d.tz_localize("UTC"), "volume": rng.poisson(lam).astype(float)})


def test_demand_recovers_weekday_mix_season_and_trend():
    m = fit_demand("q", synthetic_history(), country=None)
    wd = np.exp(m.weekday_log)
    true = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.4, 0.4])
    assert wd / wd[2] == pytest.approx(true / true[2], rel=0.03)
    assert m.season_source == "history"
    assert np.exp(m.season_log[0] - m.season_log[6]) == pytest.approx(1.2 / 0.8, rel=0.05)   # January vs July
    assert np.expm1(m.slope_per_day * 365.25) == pytest.approx(0.10, abs=0.03)
    days = project_days(m, pd.Timestamp("2000-01-01"), 12, country=None)
    mt = monthly_totals(days, {"q": m})
    assert len(mt) == 12 and (mt["volume_p10"] < mt["volume"]).all() and (mt["volume"] < mt["volume_p90"]).all()
    # the band widens with the lead (trend uncertainty)
    rel = mt["volume_p90"] / mt["volume"]
    assert rel.iloc[-1] > rel.iloc[0]


def test_short_history_needs_the_monthly_index():
    h = synthetic_history(days=120)
    with pytest.raises(ValueError, match="monthly_index"):
        fit_demand("q", h, country=None)
    m = fit_demand("q", h, country=None, monthly_index=[1.2] * 6 + [0.8] * 6)
    assert m.season_source == "monthly_index" and np.exp(m.season_log[0] - m.season_log[6]) == pytest.approx(1.5)


def test_channel_shift_moves_volume_and_launch_multiplies():
    days = pd.DataFrame({"queue": ["voice"] * 2 + ["chat"] * 2, "date": pd.to_datetime(["2000-01-01", "2000-02-01"] * 2),
                         "month": ["2000-01", "2000-02"] * 2, "volume": [100.0, 100.0, 50.0, 50.0]})
    out = apply_whatifs(days, [WhatIf("channel_shift", "voice", "2000-02", share=0.1, to_queue="chat", ratio=1.2),
                               WhatIf("launch", "chat", "2000-01", factor=2.0)])
    assert out["volume"].tolist() == pytest.approx([100.0, 90.0, 100.0, 124.0])   # chat Feb: (50 + 12) x 2


def raw_capacity() -> dict:
    return tomllib.loads((DATA / "capacity.toml").read_text())


@pytest.mark.parametrize("path,value,key", [
    (("capacity", "months"), 0, "capacity.months"),
    (("capacity", "strategies"), [], "capacity.strategies"),
    (("need", "shrinkage_by_month"), {"13": 0.3}, "need.shrinkage_by_month.13"),
    (("supply", "queues", "voice", "attrition_per_month"), 1.5, "supply.queues.voice.attrition_per_month"),
    (("supply", "queues", "voice", "headcount"), {"temp": 3}, "supply.queues.voice.headcount.temp"),
    (("hiring", "ramp"), [0.5, 2.0], "hiring.ramp[1]"),
    (("hiring", "class_max"), 1, "hiring.class_max"),
    (("demand", "whatif"), [{"kind": "merger", "queue": "voice", "start_month": "2000-01"}], "demand.whatif[0].kind"),
    (("hiring", "colour"), "red", "hiring.colour"),
])
def test_bad_capacity_config_names_the_key(path, value, key):
    raw = copy.deepcopy(raw_capacity())
    t = raw
    for p in path[:-1]:
        t = t[p]
    t[path[-1]] = value
    with pytest.raises(ConfigError) as e:
        parse_capacity(raw, base_dir=DATA, source=DATA / "capacity.toml")
    assert key in dict(e.value.problems), e.value.problems


def test_bundled_capacity_plan_is_labelled_and_valid():
    text = (DATA / "capacity.toml").read_text()
    assert "ILLUSTRATIVE" in text
    cfg = parse_capacity(tomllib.loads(text), base_dir=DATA, source=DATA / "capacity.toml")
    assert cfg.illustrative and cfg.months == 18 and cfg.lead_months() == 2 and cfg.training_months() == 1


def test_one_year_of_history_does_not_mistake_season_for_trend():
    m = fit_demand("q", synthetic_history(days=400, trend_per_year=0.0), country=None)
    assert m.slope_per_day == 0.0 and "cannot be told from its season" in m.trend_source
    assert np.exp(m.season_log[0] - m.season_log[6]) == pytest.approx(1.5, rel=0.05)
