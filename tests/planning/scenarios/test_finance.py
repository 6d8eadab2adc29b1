"""Finance arithmetic on a hand-checkable case; what-if inputs change volume only where stated."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning.config import OpeningHours, parse_hours
from planning.scenarios import (Deflection, Money, Surge, annuity_factor, apply_deflection, apply_outsourcing,
                                apply_surges, apply_volume_change, idle_capacity, queue_finance)


def ops():
    return pd.DataFrame({"volume": [100.0, 50.0], "agents": [10, 4], "abandon_rate": [0.1, 0.0],
                         "asa_s": [60.0, 0.0], "aht_s": [300.0, 300.0]})


MONEY = dict(cost_per_agent_hour=20.0, overhead_per_fte_year=3650.0, outsourced_price_per_contact=2.0,
             conversion_rate=0.1, margin_per_sale=50.0, customer_lifetime_value=1000.0, churn_if_abandoned=0.2,
             churn_per_wait_minute=0.01, cost_per_abandoned_contact=3.0, horizon_years=2.0, discount_rate=0.0)


def test_finance_by_hand():
    r = queue_finance(ops(), Money(**MONEY), interval_s=1800, shrinkage=0.5, period_days=7,
                      paid_hours_per_week=40, outsourced_contacts=10)
    # 14 agent-intervals of half an hour = 7 agent-hours; shrinkage 50% -> 14 paid hours; 14 / 40 = 0.35 FTE
    assert r["agent_hours"] == pytest.approx(7.0)
    assert r["paid_hours"] == pytest.approx(14.0)
    assert r["fte"] == pytest.approx(0.35)
    assert r["labour_cost"] == pytest.approx(280.0)              # 14 h x 20
    assert r["overhead_cost"] == pytest.approx(24.5)             # 0.35 FTE x 3650 / year x 7/365
    assert r["outsourced_cost"] == pytest.approx(20.0)           # 10 contacts x 2
    assert r["total_cost"] == pytest.approx(324.5)
    assert r["abandoned"] == pytest.approx(10.0)                 # 100 x 10%
    assert r["handled"] == pytest.approx(150.0)                  # 90 + 50 in-house + 10 outsourced
    assert r["sales"] == pytest.approx(14.0)                     # 140 in-house handled x 10%
    assert r["cross_sell_value"] == pytest.approx(700.0)
    assert r["customers_lost"] == pytest.approx(2.9)             # 10 x 0.2 + 90 x (0.01 x 1 min)
    assert r["churn_cost"] == pytest.approx(2900.0)
    assert r["abandon_cost"] == pytest.approx(30.0)
    assert r["net_value"] == pytest.approx(700 - 324.5 - 30 - 2900)
    assert r["net_value_per_year"] == pytest.approx(-2554.5 * 365 / 7)
    assert r["net_present_value"] == pytest.approx(-2554.5 * 365 / 7 * 2)   # r = 0: two equal years
    assert r["cost_per_handled_contact"] == pytest.approx(324.5 / 150)


def test_conversion_rises_with_handle_time_and_discounting():
    m = Money(**{**MONEY, "conversion_ref_aht_s": 150.0, "conversion_aht_elasticity": 1.0, "discount_rate": 0.1})
    r = queue_finance(ops(), m, interval_s=1800, shrinkage=0.5, period_days=7, paid_hours_per_week=40)
    assert r["sales"] == pytest.approx(140 * 0.2)                # 0.1 x (300 / 150)^1
    assert annuity_factor(0.1, 2) == pytest.approx(1 / 1.1 + 1 / 1.21)
    assert r["net_present_value"] == pytest.approx(r["net_value_per_year"] * (1 / 1.1 + 1 / 1.21))
    capped = Money(**{**MONEY, "conversion_ref_aht_s": 10.0, "conversion_aht_elasticity": 2.0})
    assert queue_finance(ops(), capped, interval_s=1800, shrinkage=0.5, period_days=7,
                         paid_hours_per_week=40)["sales"] == pytest.approx(140.0)   # capped at 1


@pytest.mark.parametrize("key,value,text", [
    ("cost_per_agent_hour", -1.0, "money.cost_per_agent_hour"),
    ("conversion_rate", 1.5, "money.conversion_rate"),
    ("churn_if_abandoned", "high", "money.churn_if_abandoned"),
    ("horizon_years", 0.0, "money.horizon_years"),
    ("discount_rate", -1.0, "money.discount_rate"),
    ("conversion_ref_aht_s", 0.0, "money.conversion_ref_aht_s"),
])
def test_bad_money(key, value, text):
    with pytest.raises(ValueError, match=text):
        Money(**{**MONEY, key: value})


def test_bad_finance_inputs():
    with pytest.raises(ValueError, match="shrinkage"):
        queue_finance(ops(), Money(**MONEY), interval_s=1800, shrinkage=1.0, period_days=7, paid_hours_per_week=40)
    with pytest.raises(ValueError, match="period_days"):
        queue_finance(ops(), Money(**MONEY), interval_s=1800, shrinkage=0.2, period_days=0, paid_hours_per_week=40)
    with pytest.raises(ValueError, match="missing column"):
        queue_finance(ops().drop(columns="asa_s"), Money(**MONEY), interval_s=1800, shrinkage=0.2, period_days=7,
                      paid_hours_per_week=40)


# ------------------------------------------------------------------ what-if inputs

def forecast_two_queues():
    ts = pd.date_range("2000-01-03 00:00", periods=96, freq="30min", tz="Asia/Jerusalem")  # Mon + Tue
    rng = np.random.default_rng(3)
    frames = []
    for q in ("voice", "chat"):
        v = rng.uniform(5, 50, len(ts))
        frames.append(pd.DataFrame({"queue": q, "interval_start": ts, "volume": v, "volume_p10": 0.8 * v,
                                    "volume_p90": 1.2 * v, "aht_s": 300.0}))
    return pd.concat(frames, ignore_index=True)


def test_deflection_only_where_stated():
    f = forecast_two_queues()
    hours = OpeningHours(tuple((parse_hours("08:00-20:00") if d == 0 else ()) for d in range(7)))  # Mondays 8-20
    d = Deflection(simple_share=0.5, rate=0.4, simple_aht_s=120.0, hours=hours)
    out = apply_deflection(f, d, queues="chat", interval_s=1800)
    ts = f["interval_start"]
    where = ((f["queue"] == "chat") & (ts.dt.day_of_week == 0) & (ts.dt.hour >= 8) & (ts.dt.hour < 20)).to_numpy()
    assert where.sum() == 24
    np.testing.assert_allclose(out.loc[where, "volume"], f.loc[where, "volume"] * 0.8)   # 1 - 0.5 x 0.4
    np.testing.assert_allclose(out.loc[where, "volume_p90"], f.loc[where, "volume_p90"] * 0.8)
    # the remaining contacts are longer: (300 - 0.2 x 120) / 0.8 = 345 s
    np.testing.assert_allclose(out.loc[where, "aht_s"], 345.0)
    pd.testing.assert_frame_equal(out.loc[~where], f.loc[~where])
    with pytest.raises(ValueError, match="simple_aht_s"):
        apply_deflection(f, Deflection(0.9, 0.9, simple_aht_s=1000.0), queues="chat")
    with pytest.raises(ValueError, match="deflection.rate"):
        Deflection(0.5, 1.5)
    with pytest.raises(ValueError, match="queues"):
        apply_deflection(f, d, queues="email", interval_s=1800)


def test_surges_and_volume_change_only_where_stated():
    f = forecast_two_queues()
    outage = Surge(pd.Timestamp("2000-01-03 09:00"), pd.Timestamp("2000-01-03 12:00"), 1.8, ("voice",), "outage")
    notice = Surge(pd.Timestamp("2000-01-04 10:00"), pd.Timestamp("2000-01-04 11:00"), 0.5, None, "sms notice")
    out = apply_surges(f, [outage, notice])
    ts = f["interval_start"].dt.tz_localize(None)
    in_outage = ((f["queue"] == "voice") & (ts >= "2000-01-03 09:00") & (ts < "2000-01-03 12:00")).to_numpy()
    in_notice = ((ts >= "2000-01-04 10:00") & (ts < "2000-01-04 11:00")).to_numpy()
    assert in_outage.sum() == 6 and in_notice.sum() == 4
    np.testing.assert_allclose(out.loc[in_outage, "volume"], f.loc[in_outage, "volume"] * 1.8)
    np.testing.assert_allclose(out.loc[in_notice, "volume"], f.loc[in_notice, "volume"] * 0.5)
    rest = ~(in_outage | in_notice)
    pd.testing.assert_frame_equal(out.loc[rest], f.loc[rest])
    assert (out["aht_s"] == f["aht_s"]).all()
    grown = apply_volume_change(f, 0.1, queues=["voice"])
    v = (f["queue"] == "voice").to_numpy()
    np.testing.assert_allclose(grown.loc[v, "volume"], f.loc[v, "volume"] * 1.1)
    pd.testing.assert_frame_equal(grown.loc[~v], f.loc[~v])
    inhouse, outs = apply_outsourcing(f, 0.25, queues="chat")
    c = (f["queue"] == "chat").to_numpy()
    np.testing.assert_allclose(inhouse["volume"] + outs["volume"], f["volume"])
    np.testing.assert_allclose(outs.loc[c, "volume"], 0.25 * f.loc[c, "volume"])
    assert (outs.loc[~c, "volume"] == 0).all()
    with pytest.raises(ValueError, match="end"):
        Surge(pd.Timestamp("2000-01-04"), pd.Timestamp("2000-01-03"), 2.0)
    with pytest.raises(ValueError, match="factor"):
        Surge(pd.Timestamp("2000-01-03"), pd.Timestamp("2000-01-04"), -1.0)
    with pytest.raises(ValueError, match="volume_change"):
        apply_volume_change(f, -1.0)


def test_idle_capacity():
    plan = pd.DataFrame({"interval_start": pd.date_range("2000-01-03", periods=3, freq="30min"),
                         "agents": [10, 4, 0], "occupancy": [0.8, 0.5, np.nan]})
    out = idle_capacity(plan, 1800, proactive_aht_s=360.0, usable_share=0.5)
    np.testing.assert_allclose(out["idle_agent_hours"], [1.0, 1.0, 0.0])     # 10 x 0.2 x 0.5 h, 4 x 0.5 x 0.5 h
    np.testing.assert_allclose(out["busy_agent_hours"], [4.0, 1.0, 0.0])
    np.testing.assert_allclose(out["proactive_contacts"], [5.0, 5.0, 0.0])   # 1 h x 3600 x 0.5 / 360 s
    with pytest.raises(ValueError, match="usable_share"):
        idle_capacity(plan, 1800, usable_share=2.0)
