"""Non-finite numbers and wrong types wherever a user gives a number or a table: a clear error
naming the key, flag, column or argument."""
from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest

from planning.config import ConfigError, InputError
from planning.scenarios.study import parse_study

from hard_helpers import DATA, run_cli


def _set(raw, path, value):
    raw = copy.deepcopy(raw)
    t = raw
    for k in path[:-1]:
        t = t[k]
    t[path[-1]] = value
    return raw


STUDY_CASES = [
    (("check",), "yes", "check"),
    (("sensitivity",), "all", "sensitivity"),
    (("break_even",), [1, 2], "break_even"),
    (("study", "plan_overrides"), {"forecast": 5}, "forecast"),
    (("study", "plan_overrides"), {"headcount": {"paid_hours_per_week": math.nan}}, "headcount.paid_hours_per_week"),
    (("sensitivity",), {"assumptions": "volume"}, "sensitivity.assumptions"),
    (("sensitivity",), {"scenario": [1]}, "sensitivity.scenario"),
    (("break_even",), {"assumptions": 5}, "break_even.assumptions"),
    (("study", "name"), 5, "study.name"),
    (("study", "output_dir"), 5, "study.output_dir"),
    (("study", "baseline"), [1], "study.baseline"),
    (("check", "simulate"), "yes", "check.simulate"),
    (("check", "rate_cv"), math.nan, "check.rate_cv"),
    (("check", "days"), math.inf, "check.days"),
    (("money", "cost_per_agent_hour"), math.inf, "cost_per_agent_hour"),
    (("scenarios", "cost_center", "description"), [1], "scenarios.cost_center.description"),
    (("scenarios", "cost_center", "queues", "voice", "patience_s"), math.inf, "queues.voice.patience_s"),
    (("scenarios", "cost_center", "queues", "voice", "aht_factor"), math.nan, "queues.voice.aht_factor"),
    (("scenarios", "cost_center", "surges"), [{"start": "1999-12-01T09:00", "end": "1999-12-01T10:00",
                                               "factor": 2.0, "queues": [[1]]}], "surges[0].queues"),
    (("chat_windows",), {"queue": [1], "budget_agent_hours_per_week": 10.0}, "chat_windows.queue"),
    (("chat_windows",), {"queue": "chat", "budget_agent_hours_per_week": 10.0, "min_agents_open": "x"},
     "chat_windows.min_agents_open"),
    (("chat_windows",), {"queue": "chat", "budget_agent_hours_per_week": 10.0, "evening": 5}, "chat_windows.evening"),
    (("chat_windows",), {"queue": "chat", "budget_agent_hours_per_week": math.nan},
     "chat_windows.budget_agent_hours_per_week"),
]


@pytest.mark.parametrize("path,value,key", STUDY_CASES, ids=[".".join(c[0]) + "=" + repr(c[1])[:20] for c in STUDY_CASES])
def test_study_wrong_type_or_non_finite_names_the_key(study_raw, path, value, key):
    with pytest.raises(ConfigError) as e:
        parse_study(_set(study_raw, path, value), base_dir=DATA, source="study.toml")
    assert key in str(e.value) and "study.toml" in str(e.value)


@pytest.mark.parametrize("old,new,key", [
    ("paid_hours_per_week = 42.0", "paid_hours_per_week = nan", "headcount.paid_hours_per_week"),
    ("patience_s = 180.0", "patience_s = inf", "queues.voice.patience_s"),
    ("rate_cv = 0.05", "rate_cv = nan", "simulation.rate_cv"),
    ("shrinkage_unplanned = 0.20", "shrinkage_unplanned = -inf", "defaults.shrinkage_unplanned"),
    ("aht_s = 210.0", 'aht_s = "210"', "queues.voice.aht_s"),
])
def test_plan_non_finite_or_text_names_the_key(plan_file, old, new, key):
    from planning.config import load_config

    path = plan_file((old, new))
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert key in str(e.value) and str(path) in str(e.value)


def test_history_infinite_handle_time_names_row_and_column(tmp_path):
    from forecast import read_history

    f = tmp_path / "h.csv"
    f.write_text("interval_start,volume,aht_s\n2000-01-03 08:00,5,100\n2000-01-03 08:30,5,inf\n")
    with pytest.raises(ValueError) as e:
        read_history(f)
    assert "'aht_s'" in str(e.value) and "row 3" in str(e.value) and str(f) in str(e.value)


@pytest.mark.parametrize("kw,name", [
    ({"start": "not a date"}, "start"), ({"end": None}, "end"), ({"end": [1, 2]}, "end"),
    ({"horizon_days": math.nan}, "horizon_days"), ({"horizon_days": 0}, "horizon_days"),
])
def test_forecast_volume_arguments_named(kw, name):
    from forecast import forecast_volume

    h = pd.DataFrame({"interval_start": pd.date_range("2000-01-03", periods=48 * 21, freq="30min"), "volume": 3.0})
    args = {"start": "2000-01-24", "end": "2000-01-25", **kw}
    with pytest.raises(ValueError) as e:
        forecast_volume(h, args.pop("start"), args.pop("end"), model="mean4", **args)
    assert str(e.value).startswith(name)


def _req(tmp_path, agents, volume=(10, 20, 30, 5), name="req.csv"):
    t = pd.date_range("2000-01-03 08:00", periods=len(agents), freq="30min")
    path = tmp_path / name
    pd.DataFrame({"interval_start": t, "volume": list(volume)[:len(agents)], "agents": agents}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("flag,value", [("--aht-s", "inf"), ("--aht-s", "nan"), ("--service-level", "nan"),
                                        ("--patience-s", "-inf"), ("--rate-cv", "nan")])
def test_cli_non_finite_flag_exits_2_naming_it(tmp_path, flag, value):
    argv = ["simulate", "--plan", _req(tmp_path, [2, 3, 4, 1]), "--aht-s", "180", "--service-level", "0.8", flag, value]
    code, out, err = run_cli(*argv)
    assert code == 2 and flag in err and out == ""


def test_cli_workers_zero_exits_2_naming_the_flag():
    code, _, err = run_cli("scenarios", "--config", DATA / "scenarios.toml", "--workers", "0", "--no-store")
    assert code == 2 and "--workers" in err


def test_api_numbers_named():
    from core import QueueModel, Targets
    from simulation import RunSettings, required_agents

    with pytest.raises(ValueError, match="^volume"):
        required_agents([np.nan], 1800, QueueModel(aht_s=180), Targets(service_level=0.8))
    with pytest.raises(ValueError, match="aht_s"):
        QueueModel(aht_s=np.inf)
    with pytest.raises(ValueError, match="rate_cv"):
        RunSettings(rate_cv=np.nan)
