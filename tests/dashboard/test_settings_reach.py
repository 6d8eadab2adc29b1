"""The queue settings a planner applies on the Staffing page reach every result that depends on
them: the forecast (its cache is keyed by everything the forecast reads, so edited opening hours
forecast again), the scenario study's money, and patience added to a queue without one."""
from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from planning import views as pv
from planning.config import load_config

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def _page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"dashboard/{name}_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _csv(at: AppTest, media: dict, label: str) -> pd.DataFrame:
    button = next(b for b in at.get("download_button") if b.label == label)
    data = next(d for fid, d in media.items() if fid in button.proto.url)
    return pd.read_csv(io.BytesIO(data))


def _friday_volume(forecast: pd.DataFrame) -> pd.Series:
    local = pd.to_datetime(forecast["interval_start"], utc=True).dt.tz_convert("Asia/Jerusalem")
    return forecast.loc[(local.dt.day_of_week == 4).to_numpy(), "volume"]


def _apply(at: AppTest, values: dict) -> AppTest:
    """Type ``values`` (widget key -> value) into the Staffing page's form and apply them."""
    for key, value in values.items():
        widget = at.text_input(key=key) if isinstance(value, str) else at.number_input(key=key)
        widget.set_value(value)
    next(b for b in at.button if b.label == "Apply targets").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_edited_opening_hours_forecast_again_closed_intervals_are_zero(media):
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["queue"] = "voice"
    at.session_state["w_model"] = "profile"  # one model: no backtest of every model
    at.run()
    _page(at, "forecast")
    total = float(_metric(at, "Forecast contacts").replace(",", ""))
    assert _friday_volume(_csv(at, media, "Download forecast_voice.csv")).sum() > 0  # open 07:00-14:00
    _apply(_page(at, "staffing"), {"w_hours_fri_voice": "closed"})
    _page(at, "forecast")
    friday = _friday_volume(_csv(at, media, "Download forecast_voice.csv"))
    assert len(friday) and (friday == 0).all()
    assert float(_metric(at, "Forecast contacts").replace(",", "")) < total
    assert any("voice hours_fri closed (plan: 07:00-14:00)" in w.value for w in at.sidebar.warning)


def test_forecast_key_changes_with_what_the_forecast_reads_only():
    cfg = load_config(pv.BUNDLED_PLAN)
    key = pv.forecast_key(cfg, "voice")
    assert pv.forecast_key(pv.with_queue_settings(cfg, "voice", service_level=0.9, shrinkage=0.4, patience_s=60.0),
                           "voice") == key  # staffing settings: the same forecast
    assert pv.forecast_key(pv.with_queue_settings(cfg, "chat", hours_mon="closed"), "voice") == key
    for settings in ({"hours_fri": "closed"}, {"aht_s": 300.0}):
        assert pv.forecast_key(pv.with_queue_settings(cfg, "voice", **settings), "voice") != key
    assert pv.forecast_key(pv.with_forecast_settings(cfg, horizon_days=14), "voice") != key


def _comparison(at: AppTest) -> pd.DataFrame:
    """The Scenarios page's comparison (one row per measure, one column per scenario)."""
    return next(d.value for d in at.dataframe if "measure" in d.value.columns).set_index("measure")


def test_scenario_money_follows_the_settings_applied_on_the_staffing_page():
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["queue"] = "voice"
    at.run()
    before = _comparison(_page(at, "scenarios"))
    assert "Scenarios start from the plan's own settings" in " ".join(c.value for c in at.caption)
    _apply(_page(at, "staffing"), {"w_shrinkage_unplanned_voice": 30.0, "w_paid_hours_per_week_voice": 36.0})
    after = _comparison(_page(at, "scenarios"))
    used = " ".join(i.value for i in at.info)
    assert "voice shrinkage_unplanned 0.3 (plan: 0.2)" in used and "plan paid_hours_per_week 36 (plan: 42)" in used
    money = lambda t: float(t.split()[0].replace(",", ""))  # noqa: E731 - "1,234 EUR"
    for scenario in before.columns:  # more shrinkage and fewer paid hours: more FTE, more cost
        assert float(after.loc["FTE (per full week)", scenario]) > float(before.loc["FTE (per full week)", scenario])
        assert money(after.loc["Cost", scenario]) > money(before.loc["Cost", scenario])


# --------------------------------------------------------------------------- patience added


@pytest.fixture
def plan_without_patience(tmp_path) -> Path:
    """The bundled plan with the chat queue's patience left out (history paths absolute)."""
    text = (ROOT / "data" / "plan.toml").read_text()
    text = text.replace("patience_s = 120.0\n", "")
    for name in ("anonymous_bank_1999_6min.csv", "chat_synthetic_1999_15min.csv"):
        text = text.replace(f'"{name}"', f'"{(ROOT / "data" / name).as_posix()}"')
    path = tmp_path / "plan.toml"
    path.write_text(text)
    return path


def test_patience_can_be_added_to_a_queue_without_one_and_saved(plan_without_patience):
    cfg = load_config(plan_without_patience)
    assert cfg.queues["chat"].patience_s is None
    field = next(f for f in pv.parameter_fields(cfg, "chat") if f.name == "patience_s")
    assert field.text and field.value == ""
    fields = pv.parameter_fields(cfg, "chat")
    shown = {f.name: f.value for f in fields}
    settings, problems = pv.checked_settings(cfg, "chat", fields, shown)  # left empty: none, as the plan has it
    assert problems == {} and settings["patience_s"] is None
    assert pv.with_queue_settings(cfg, "chat", **settings).queues["chat"].patience_s is None
    settings, problems = pv.checked_settings(cfg, "chat", fields, {**shown, "patience_s": " 90 "})
    assert problems == {} and settings["patience_s"] == 90.0
    plan = pv.plan_with_settings(cfg, None, {"chat": settings})
    assert plan.queues["chat"].patience_s == 90.0
    assert pv.departures_from_plan(cfg, pv.plan_forecast_settings(cfg), "chat", settings) == [
        "chat patience_s 90 (plan: none)"]
    saved = tomllib.loads(pv.plan_toml(plan))
    assert saved["queues"]["chat"]["patience_s"] == 90.0


@pytest.mark.parametrize("shown, why", [("soon", "'soon' is not a number"), ("-5", "queues.chat.patience_s")])
def test_bad_patience_is_refused_with_the_reason_and_the_rest_applies(plan_without_patience, shown, why):
    cfg = load_config(plan_without_patience)
    fields = pv.parameter_fields(cfg, "chat")
    values = {f.name: f.value for f in fields}
    settings, problems = pv.checked_settings(cfg, "chat", fields, {**values, "patience_s": shown,
                                                                    "paid_hours_per_week": 40.0})
    assert why in problems["patience_s"] and "not applied" in problems["patience_s"]
    assert "patience_s" not in settings and settings["paid_hours_per_week"] == 40.0
