"""Messages from the libraries underneath are translated: the argument, flag or key is named."""
from __future__ import annotations

import copy

import pandas as pd
import pytest

from planning.config import ConfigError
from planning.scenarios.study import parse_study

from hard_helpers import DATA, run_cli


def test_chat_windows_on_a_one_day_plan_names_the_key(study_raw):
    raw = copy.deepcopy(study_raw)
    raw["study"]["plan_overrides"] = {"forecast": {"horizon_days": 1}}
    raw["chat_windows"] = {"queue": "chat", "budget_agent_hours_per_week": 250.0}
    with pytest.raises(ConfigError) as e:
        parse_study(raw, base_dir=DATA, source="s.toml")
    assert "chat_windows" in str(e.value) and "horizon_days = 1" in str(e.value)


def test_chat_windows_on_a_one_day_plan_exits_2(tmp_path):
    text = (DATA / "scenarios.toml").read_text().replace('plan = "plan.toml"', f'plan = "{DATA / "plan.toml"}"')
    text = text.replace('# plan_overrides = { forecast = { model = "profile" } }',
                        'plan_overrides = { forecast = { horizon_days = 1 } }')
    assert "horizon_days = 1" in text and "[chat_windows]" in text
    path = tmp_path / "s.toml"
    path.write_text(text)
    code, out, err = run_cli("scenarios", "--config", path, "--no-store", "--no-export")
    assert code == 2 and "chat_windows" in err and str(path) in err and out == ""


@pytest.mark.parametrize("closed_nights", [False, True])
def test_all_zero_history_auto_forecasts_zero_for_open_intervals(closed_nights):
    from forecast import forecast_volume

    t = pd.date_range("2000-01-03", periods=48 * 7 * 6, freq="30min")
    h = pd.DataFrame({"interval_start": t, "volume": 0.0})
    if closed_nights:
        h = h[h["interval_start"].dt.hour >= 8]
    f = forecast_volume(h, "2000-02-14", "2000-02-15").to_frame()
    assert len(f) == (32 if closed_nights else 48) and (f["volume"] == 0).all()


def test_workers_zero_names_the_flag_not_the_executor():
    code, _, err = run_cli("scenarios", "--config", DATA / "scenarios.toml", "--workers", "0")
    assert code == 2 and "--workers" in err and "executor" not in err.lower()


def test_forecast_not_a_date_names_start():
    from forecast import forecast_volume

    h = pd.DataFrame({"interval_start": pd.date_range("2000-01-03", periods=48 * 21, freq="30min"), "volume": 1.0})
    with pytest.raises(ValueError, match=r"^start: 'not a date' is not a date"):
        forecast_volume(h, "not a date", "2000-02-01")
