"""Scenario studies: the example (value center costs more, loses fewer customers), bad inputs,
break-even, sweeps identical locally and on Dask, the run store and the command line."""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning.config import ConfigError
from planning.scenarios import (load_saved_study, parse_study, run_study, save_study, scenario_finance,
                                study_forecast, sweep)

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "data"
FAST = {"forecast": {"model": "profile", "horizon_days": 14}}


def example_raw() -> dict:
    raw = tomllib.loads((DATA / "scenarios.toml").read_text())
    raw["study"]["plan_overrides"] = copy.deepcopy(FAST)
    raw["check"]["simulate"] = False
    return raw


@pytest.fixture(scope="module")
def study():
    return parse_study(example_raw(), base_dir=DATA, source=DATA / "scenarios.toml")


@pytest.fixture(scope="module")
def forecast(study):
    return study_forecast(study)


@pytest.fixture(scope="module")
def result(study, forecast):
    return run_study(study, forecast=forecast, simulate=False, executor="serial")


def test_example_is_labelled_illustrative():
    text = (DATA / "scenarios.toml").read_text()
    assert "ILLUSTRATIVE" in text
    assert tomllib.loads(text)["study"]["illustrative"] is True


def test_value_center_costs_more_and_loses_fewer_customers(result):
    c = result.comparison.set_index("scenario")
    cost, value = c.loc["cost_center"], c.loc["value_center"]
    assert value["total_cost"] > cost["total_cost"]
    assert value["fte"] > cost["fte"]
    assert value["customers_lost"] < cost["customers_lost"]
    assert value["abandon_rate"] < cost["abandon_rate"]
    assert value["churn_avoided"] == pytest.approx(cost["customers_lost"] - value["customers_lost"])
    assert value["delta_total_cost"] == pytest.approx(value["total_cost"] - cost["total_cost"])
    # the service levels use different waiting-time thresholds, and the table says which
    assert (cost["sl_awt_s"], value["sl_awt_s"]) == ("20", "10/20")
    # the comparison is the sum of the queues
    bq = result.by_queue[result.by_queue.scenario == "value_center"]
    assert value["net_value"] == pytest.approx(bq["net_value"].sum())
    # the chat queue of the value center meets "no waiting" in every open interval
    req = result.requirements
    chat = req[(req.scenario == "value_center") & (req.queue == "chat") & req.open & (req.volume > 0)]
    assert (chat["p_wait"] <= 0.05 + 1e-12).all() and (chat["asa_s"] <= 10 + 1e-9).all()


def test_self_service_and_surge_change_demand_only_as_stated(result):
    req = result.requirements.set_index(["scenario", "queue", "interval_start"])
    vc, ss = req.loc["value_center"], req.loc["value_center_self_service"]
    chat_ratio = ss.loc["chat", "volume"] / vc.loc["chat", "volume"]
    assert np.allclose(chat_ratio.dropna(), 1 - 0.30 * 0.40)
    v = ss.loc["voice", "volume"] / vc.loc["voice", "volume"]
    ts = pd.DatetimeIndex(v.index).tz_localize(None)
    outage = (ts >= "2000-01-10 09:00") & (ts < "2000-01-10 12:00")
    assert np.allclose(v[outage], 1.8) and np.allclose(v[~outage].dropna(), 1.0)


def test_break_even_and_sensitivity(study, result):
    be = result.break_even.set_index("assumption")
    s = be.loc["cost_per_agent_hour", "break_even_factor"]
    assert np.isfinite(s)
    # at the break-even cost per hour the two scenarios' net values are equal
    ops_t = {q: {"requirements": g.drop(columns="scenario"), "outsourced_contacts": 0.0}
             for q, g in result.requirements[result.requirements.scenario == "value_center"].groupby("queue")}
    ops_b = {q: {"requirements": g.drop(columns="scenario"), "outsourced_contacts": 0.0}
             for q, g in result.requirements[result.requirements.scenario == "cost_center"].groupby("queue")}
    t = scenario_finance(study.scenarios["value_center"], ops_t, result.period_days,
                         money_scale={"cost_per_agent_hour": s})["net_value"].sum()
    b = scenario_finance(study.scenarios["cost_center"], ops_b, result.period_days,
                         money_scale={"cost_per_agent_hour": s})["net_value"].sum()
    assert t == pytest.approx(b, rel=1e-9, abs=1e-6)
    sens = result.sensitivity
    assert set(sens["assumption"]) >= {"cost_per_agent_hour", "volume", "aht"}
    assert (np.diff(sens["swing"].to_numpy()) <= 1e-9).all()
    assert result.chat_windows.agent_hours_max_week <= 250.0 + 1e-9


def test_sweep_identical_locally_and_on_dask(study, forecast):
    from distributed import Client, LocalCluster

    grid = {"money.cost_per_agent_hour": [25.0, 35.0], "queues.chat.targets.p_wait": [0.05, 0.2]}
    local = sweep(study, grid, scenario="value_center", forecast=forecast, executor=2)
    assert len(local) == 4
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        remote = sweep(study, grid, scenario="value_center", forecast=forecast, executor=client)
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    # a looser chat target needs fewer agents; a dearer hour costs more
    lo = local.set_index(["money.cost_per_agent_hour", "queues.chat.targets.p_wait"])
    assert lo.loc[(25.0, 0.2), "agent_hours"] < lo.loc[(25.0, 0.05), "agent_hours"]
    assert lo.loc[(35.0, 0.05), "total_cost"] > lo.loc[(25.0, 0.05), "total_cost"]


def problems_of(raw) -> dict:
    with pytest.raises(ConfigError) as info:
        parse_study(raw, base_dir=DATA, source=DATA / "scenarios.toml")
    return dict(info.value.problems)


def test_bad_scenario_inputs():
    raw = example_raw()
    raw["scenarios"]["value_center"]["queues"]["chat"]["aht_factr"] = 1.2
    raw["scenarios"]["value_center"]["queues"]["chat"]["deflection"] = {"simple_share": 0.3, "rate": 1.5}
    raw["scenarios"]["value_center"]["queues"]["chat"]["targets"] = {"p_wait": 2.0}
    raw["scenarios"]["value_center"]["queues"]["email"] = {}
    raw["scenarios"]["cost_center"]["money"] = {"margin_per_sale": -3.0}
    raw["scenarios"]["value_center_self_service"]["surges"][0]["end"] = "2000-01-09T09:00"
    raw["study"]["baseline"] = "nope"
    raw["break_even"]["assumptions"] = ["price_of_coffee"]
    p = problems_of(raw)
    keys = "\n".join(f"{k}: {v}" for k, v in p.items())
    assert "scenarios.value_center.queues.chat.aht_factr" in p and "aht_factor" in p["scenarios.value_center.queues.chat.aht_factr"]
    assert "scenarios.value_center.queues.chat.deflection.rate" in p, keys
    assert "scenarios.value_center.queues.chat.targets.p_wait" in p, keys
    assert "scenarios.value_center.queues.email" in p, keys
    assert any(k.startswith("scenarios.cost_center") and "margin_per_sale" in k for k in p), keys
    assert any("surges[0]" in k for k in p), keys
    assert "study.baseline" in p and "break_even.assumptions" in p
    raw = example_raw()
    del raw["money"]["cost_per_agent_hour"]
    assert any(k.endswith("cost_per_agent_hour") for k in problems_of(raw))
    raw = example_raw()
    raw["chat_windows"]["budget_agent_hours_per_week"] = -1
    assert "chat_windows.budget_agent_hours_per_week" in problems_of(raw)


def test_bad_sweep_inputs(study, forecast):
    with pytest.raises(ValueError, match="grid"):
        sweep(study, {}, forecast=forecast)
    with pytest.raises(ConfigError, match="margin_per_sale"):
        sweep(study, {"money.margin_per_sale": [-2.0]}, scenario="value_center", forecast=forecast, executor="serial")
    with pytest.raises(ValueError, match="executor"):
        sweep(study, {"money.margin_per_sale": [1.0]}, forecast=forecast, executor="nowhere")


def test_store_round_trip(tmp_path, result):
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    sid = save_study(result, url)
    back = load_saved_study(url, sid)
    assert back["meta"]["name"] == result.study.name and back["meta"]["illustrative"]
    comp = back["tables"]["comparison"].set_index("scenario")
    orig = result.comparison.set_index("scenario")
    np.testing.assert_allclose(comp.loc[orig.index, "net_value"], orig["net_value"])
    assert set(back["tables"]) >= {"comparison", "by_queue", "break_even", "sensitivity", "chat_windows"}


def test_cli(tmp_path, capsys):
    from planning.cli import main

    raw = (DATA / "scenarios.toml").read_text().replace('plan = "plan.toml"', f'plan = "{(DATA / "plan.toml").as_posix()}"')
    raw = raw.replace("# plan_overrides = { forecast = { model = \"profile\" } }",
                      'plan_overrides = { forecast = { model = "profile", horizon_days = 7 } }')
    raw = raw.replace("relative_change = 0.25", "relative_change = 0.1")
    cfg = tmp_path / "study.toml"
    cfg.write_text(raw)
    store = f"sqlite:///{tmp_path / 's.sqlite'}"
    code = main(["scenarios", "--config", str(cfg), "--no-simulate", "--store", store, "--out-dir",
                 str(tmp_path / "out"), "-q", "--workers", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ILLUSTRATIVE" in out and "value_center" in out and "break-even" in out
    assert "real-time chat windows" in out and "study id:" in out
    csvs = list((tmp_path / "out").glob("scenarios-*/comparison.csv"))
    assert len(csvs) == 1 and len(pd.read_csv(csvs[0])) == 3
    bad = tmp_path / "bad.toml"
    bad.write_text(raw.replace('baseline = "cost_center"', 'baseline = "nope"'))
    assert main(["scenarios", "--config", str(bad), "-q"]) == 2
    assert "study.baseline" in capsys.readouterr().err


def test_a_surge_outside_the_horizon_is_reported_not_silently_dropped(study, forecast, result):
    assert result.notes == []  # the whole horizon: the surge is inside it
    short = forecast[forecast["interval_start"].dt.tz_localize(None) < pd.Timestamp("2000-01-08")]
    notes = run_study(study, forecast=short, simulate=False).notes
    assert len(notes) == 1 and notes[0].startswith("scenario value_center_self_service: surge")
    assert "outside the forecast horizon" in notes[0]


def test_deflection_raises_the_mean_handle_time_but_earns_no_sales(result):
    req = result.requirements.set_index(["scenario", "queue", "interval_start"])
    vc, ss = req.loc[("value_center", "chat")], req.loc[("value_center_self_service", "chat")]
    busy = (vc["volume"] > 0) & vc["open"]
    assert (ss.loc[busy, "aht_s"] > vc.loc[busy, "aht_s"] + 1e-9).all()     # the mix is longer ...
    assert np.allclose(ss["conversation_aht_s"], vc["conversation_aht_s"])  # ... no conversation is
    bq = result.by_queue.set_index(["scenario", "queue"])
    conv = bq["sales"] / (bq["handled"] - bq["outsourced_contacts"])
    # the same conversion per handled chat up to the mix of intervals (abandonment differs a little)
    assert conv.loc[("value_center_self_service", "chat")] == pytest.approx(conv.loc[("value_center", "chat")], rel=2e-3)
