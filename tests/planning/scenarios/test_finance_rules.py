"""The three finance rules of issue 18: one conversion rule (no double count of longer
conversations), deflection earns no sales, paid hours on the roster's basis."""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning.config import ConfigError
from planning.scenarios import Money, parse_study, queue_finance
from planning.scenarios.paid_hours import RosterBasis, roster_basis_from_store, roster_factors, with_roster_basis
from planning.store import RunRecord, RunStore, run_key

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "data"
TZ = "Asia/Jerusalem"


def example_raw() -> dict:
    raw = tomllib.loads((DATA / "scenarios.toml").read_text())
    raw["study"]["plan_overrides"] = {"forecast": {"model": "profile", "horizon_days": 14}}
    raw["check"]["simulate"] = False
    return raw


def ops(**extra) -> pd.DataFrame:
    return pd.DataFrame({"volume": [100.0, 50.0], "agents": [10, 4], "abandon_rate": [0.1, 0.0],
                         "asa_s": [60.0, 0.0], "aht_s": [300.0, 300.0], **extra})


MONEY = Money(cost_per_agent_hour=20.0, conversion_rate=0.1, conversion_ref_aht_s=300.0,
              conversion_aht_elasticity=1.0, margin_per_sale=50.0)
KW = dict(interval_s=1800, shrinkage=0.5, period_days=7, paid_hours_per_week=40)


def test_raising_conversion_and_lengthening_talks_is_refused_naming_the_key():
    raw = example_raw()
    raw["scenarios"]["value_center"]["queues"]["voice"]["money"]["conversion_rate"] = 0.04
    with pytest.raises(ConfigError) as e:
        parse_study(raw, base_dir=DATA, source=DATA / "scenarios.toml")
    keys = dict(e.value.problems)
    key = "scenarios.value_center.queues.voice.money.conversion_rate"
    assert key in keys and "twice" in keys[key]


def test_a_higher_conversion_without_longer_talks_is_allowed():
    raw = example_raw()
    q = raw["scenarios"]["value_center"]["queues"]["voice"]
    q["aht_factor"] = 1.0
    q["money"]["conversion_rate"] = 0.04   # e.g. a sales script: the rate may rise when talks do not lengthen
    study = parse_study(raw, base_dir=DATA, source=DATA / "scenarios.toml")
    assert study.scenarios["value_center"].queues["voice"].money.conversion_rate == 0.04


def test_conversion_follows_the_like_for_like_conversation_not_the_mix():
    # deflection removed short contacts: the mean handle time rose to 360 s, no conversation got longer
    mixed = ops(conversation_aht_s=[300.0, 300.0]).assign(aht_s=[360.0, 360.0])
    r = queue_finance(mixed, MONEY, **KW)
    assert r["sales"] == pytest.approx(140 * 0.1)            # ratio 300 / 300: the base rate
    longer = ops(conversation_aht_s=[360.0, 360.0])           # real lengthening by 20 %
    assert queue_finance(longer, MONEY, **KW)["sales"] == pytest.approx(140 * 0.1 * 1.2)
    # without the column the handle time of the plan is the conversation's (old behaviour)
    assert queue_finance(ops(), MONEY, **KW)["sales"] == pytest.approx(140 * 0.1)


def test_paid_hours_factor_scales_paid_hours_labour_and_fte_only():
    base = queue_finance(ops(), MONEY, **KW)
    r = queue_finance(ops(), MONEY, **KW, paid_hours_factor=1.25)
    assert r["agent_hours"] == pytest.approx(7.0)
    assert r["paid_hours"] == pytest.approx(14.0 * 1.25)      # 7 h / (1 - 0.5) x 1.25
    assert r["labour_cost"] == pytest.approx(17.5 * 20.0)
    assert r["fte"] == pytest.approx(17.5 / 40)
    assert r["sales"] == base["sales"] and r["customers_lost"] == base["customers_lost"]
    assert r["paid_hours_factor"] == 1.25
    with pytest.raises(ValueError, match="paid_hours_factor"):
        queue_finance(ops(), MONEY, **KW, paid_hours_factor=0.0)


def test_roster_factors_by_hand():
    sh = pd.DataFrame({"queue": ["voice", "voice", "chat"], "contract": ["ft", "pt", "ft"],
                       "week_start": ["2000-01-02"] * 3, "paid_h": [700.0, 390.0, 300.0]})
    hc = pd.DataFrame({"queue": ["voice", "voice", "chat"], "week_start": ["2000-01-02", "2000-01-09", "2000-01-02"],
                       "paid_hours": [1000.0, 999.0, 250.0]})
    f = roster_factors(sh, hc)
    assert f == {"voice": (1090.0, 1000.0), "chat": (300.0, 250.0)}   # week 2000-01-09 has no roster
    with pytest.raises(ValueError, match="schedule_headcount: missing"):
        roster_factors(sh.drop(columns="paid_h"), hc)


def _record(run_id: str, with_schedule: bool, created: str) -> RunRecord:
    import datetime as dt

    idx = pd.date_range("2000-01-02", periods=4, freq="30min", tz=TZ)
    req = pd.DataFrame({"queue": "voice", "interval_start": idx, "volume": 10.0, "aht_s": 200.0, "open": True,
                        "agents_analytic": 3, "agents": 4, "scheduled": 6})
    hc = pd.DataFrame({"queue": ["voice"], "week_start": [pd.Timestamp("2000-01-02", tz=TZ)], "days": [7],
                       "volume": [40.0], "agent_hours": [8.0], "shrinkage": [0.3], "paid_hours": [8 / 0.7],
                       "paid_hours_per_fte": [40.0], "fte": [8 / 0.7 / 40], "scheduled_hours": [12.0],
                       "fte_scheduled": [0.3], "peak_agents": [4]})
    sh = pd.DataFrame({"queue": ["voice"], "contract": ["full_time"], "week_start": ["2000-01-02"], "agents": [2],
                       "paid_h": [16.0], "fte": [0.4]}) if with_schedule else None
    return RunRecord(run_id=run_id, run_key=run_key(run_id, "d"), plan_name="p", config_hash=run_id, config={},
                     data_fingerprint="d", inputs={}, timezone=TZ, interval_s=1800, requirements=req, headcount=hc,
                     schedule_headcount=sh, summary={"queues": ["voice"]},
                     created_at_utc=dt.datetime.fromisoformat(created))


def test_roster_basis_from_the_newest_stored_run_with_a_schedule(tmp_path):
    store = RunStore(f"sqlite:///{tmp_path / 's.sqlite'}")
    store.save_run(_record("r-sched", True, "2026-01-01T10:00:00"))
    store.save_run(_record("r-plain", False, "2026-01-02T10:00:00"))   # newer, but no schedule
    basis = roster_basis_from_store(store, "p")
    assert basis.run_id == "r-sched" and basis.weeks == ("2000-01-02",)
    assert basis.factors["voice"] == pytest.approx(16.0 / (8 / 0.7))   # roster 16 h / interval sums 11.43 h
    assert roster_basis_from_store(store, "other plan") is None
    store.close()


def test_with_roster_basis_sets_every_scenario():
    study = parse_study(example_raw(), base_dir=DATA, source=DATA / "scenarios.toml")
    s2 = with_roster_basis(study, RosterBasis({"voice": 1.1, "chat": 1.3}, "r"))
    assert all(s.paid_hours_factors == {"voice": 1.1, "chat": 1.3} for s in s2.scenarios.values())
    assert with_roster_basis(study, None) is study
    assert np.isclose(s2.scenarios["cost_center"].paid_hours_factors["chat"], 1.3)
