"""The Staffing page's queue parameters (handle time, patience, shrinkage by category, paid hours
per FTE, opening hours) with Streamlit's AppTest: they change the numbers, a value the plan file
would refuse shows the plan's message under its box while the other changes apply, the sidebar
names the departures, and "Save as plan TOML" downloads a plan that loads as the dashboard's plan."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning import views as pv
from planning.config import load_config

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def _staffing(queue: str = "voice") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["queue"] = queue
    at.run()
    return at.switch_page("dashboard/staffing_page.py").run()


def _fte(at: AppTest) -> float:
    return float(next(m.value for m in at.metric if m.label == "Headcount (FTE per full week)"))


def _errors(at: AppTest) -> list[str]:
    assert not at.exception, [e.value for e in at.exception]
    return [e.value for e in at.error]


def _download(at: AppTest, media: dict, label: str) -> bytes:
    button = next(b for b in at.get("download_button") if b.label == label)
    return next(data for fid, data in media.items() if button.proto.url.endswith(fid) or fid in button.proto.url)


def test_parameters_change_staffing_and_the_sidebar_names_the_departures():
    at = _staffing("voice")
    assert _errors(at) == []
    fte = _fte(at)
    assert at.number_input(key="w_aht_s_voice").value == 210.0
    assert at.text_input(key="w_hours_fri_voice").value == "07:00-14:00"
    assert at.number_input(key="w_shrinkage_planned_voice").value == 12.5
    at.number_input(key="w_aht_s_voice").set_value(300.0)
    at.number_input(key="w_paid_hours_per_week_voice").set_value(40.0)
    at.button[0].click().run()  # "Apply targets"
    assert _errors(at) == []
    fte_long = _fte(at)
    assert fte_long > 1.2 * fte  # 43 % longer calls, 5 % fewer paid hours per FTE
    assert next(m.value for m in at.metric if m.label == "Paid hours per FTE and week") == "40"
    away = " ".join(w.value for w in at.sidebar.warning)
    assert "voice aht_s 300 (plan: 210)" in away and "plan paid_hours_per_week 40 (plan: 42)" in away
    at.text_input(key="w_hours_fri_voice").set_value("closed")
    at.number_input(key="w_shrinkage_unplanned_voice").set_value(10.0)
    at.button[0].click().run()
    assert _errors(at) == []
    assert "shrinkage 21.2% (planned 12.5% and unplanned 10%, compounded)" in " ".join(c.value for c in at.caption)
    assert _fte(at) < fte_long  # Friday closed and less absence
    assert "voice hours_fri closed (plan: 07:00-14:00)" in " ".join(w.value for w in at.sidebar.warning)


def test_a_value_the_plan_refuses_shows_the_plan_s_message_and_the_other_changes_apply():
    at = _staffing("voice")
    fte = _fte(at)
    at.number_input(key="w_aht_s_voice").set_value(0.0)
    at.text_input(key="w_hours_mon_voice").set_value("07:00-25:00")
    at.number_input(key="w_patience_s_voice").set_value(900.0)  # valid: applied
    at.button[0].click().run()
    assert _errors(at) == [
        "Handle time (AHT, s): queues.voice.aht_s: out of range: 0.0; expected (0.0, 86400.0]; not applied.",
        "Mon hours: queues.voice.hours.mon: opening hours do not parse: '07:00-25:00': closing time must be "
        "00:01-24:00; not applied."]
    assert _fte(at) != fte
    away = " ".join(w.value for w in at.sidebar.warning)
    assert "voice patience_s 900 (plan: 180)" in away and "aht_s" not in away


def test_chat_handle_times_by_concurrency_are_checked_like_the_plan():
    at = _staffing("chat")
    fte = _fte(at)
    assert at.text_input(key="w_aht_by_concurrency_s_chat").value == "360, 450, 560"
    at.text_input(key="w_aht_by_concurrency_s_chat").set_value("360, 450")
    at.button[0].click().run()
    assert _errors(at) == ["Handle time per chat by chats held (s): queues.chat.aht_by_concurrency_s: has 2 "
                           "value(s); expected one per concurrency level 1..3; not applied."]
    at.text_input(key="w_aht_by_concurrency_s_chat").set_value("300, 380, 470")
    at.button[0].click().run()
    assert _errors(at) == []
    assert _fte(at) < fte  # shorter chats


def test_save_as_plan_toml_downloads_the_dashboard_s_plan(media, tmp_path):
    at = _staffing("voice")
    at.number_input(key="w_aht_s_voice").set_value(240.0)
    at.text_input(key="w_hours_sat_voice").set_value("closed")
    at.number_input(key="w_shrinkage_unplanned_voice").set_value(25.0)
    at.button[0].click().run()
    assert _errors(at) == []
    text = _download(at, media, "Save as plan TOML").decode("utf-8")
    assert "#   - voice aht_s 240 (plan: 210)" in text and "#   - voice hours_sat closed (plan: 20:00-24:00)" in text
    doc = tomllib.loads(text)
    assert doc["queues"]["voice"]["aht_s"] == 240.0 and doc["queues"]["voice"]["hours"]["sat"] == "closed"
    saved = tmp_path / "elsewhere" / "plan.toml"  # kept away from the data: history paths are absolute
    saved.parent.mkdir()
    saved.write_text(text, encoding="utf-8")
    plan = load_config(ROOT / "data" / "plan.toml")
    expected = pv.with_queue_settings(plan, "voice", aht_s=240.0, hours_sat="closed", shrinkage_unplanned=0.25)
    loaded = load_config(saved)
    assert loaded.queues == expected.queues and loaded.headcount == expected.headcount
    assert loaded.forecast == expected.forecast and loaded.schedule == expected.schedule
    assert loaded.queues["voice"].shrinkage == pytest.approx(1 - 0.875 * 0.75)
