"""The planners' dashboard (app.py) with Streamlit's AppTest: every page renders on the bundled
plan without an exception, widgets change the results, bad uploads are refused with a message."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
CHAT_CSV = ROOT / "data" / "chat_synthetic_1999_15min.csv"
# page title -> its module (relative to app.py), as st.navigation registers it
PAGE_FILES = {name: f"dashboard/{name.lower()}_page.py"
              for name in ("Data", "Forecast", "Staffing", "Simulation", "Scenarios", "Capacity", "Runs")}


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFFCAST_STORE", f"sqlite:///{tmp_path / 'runs.sqlite'}")
    monkeypatch.delenv("STAFFCAST_PLAN", raising=False)


def _app(page: str = "Data", queue: str = "voice") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["queue"] = queue
    at.run()  # the Data page (the root URL)
    return at if page == "Data" else _goto(at, page)


def _goto(at: AppTest, page: str) -> AppTest:
    """Open another page of the navigation, as a click in the sidebar does."""
    return at.switch_page(PAGE_FILES[page]).run()


def _ok(at: AppTest, errors_allowed: bool = False):
    assert not at.exception, [e.value for e in at.exception]
    if not errors_allowed:
        assert not at.error, [e.value for e in at.error]


def _metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}; have {[m.label for m in at.metric]}")


def _num(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [s.value for s in at.success] + [h.value for h in at.header] + [h.value for h in at.subheader]
    return "\n".join(map(str, parts))


# --------------------------------------------------------------------------- Data


def test_data_page_opens_on_bundled_data():
    at = _app("Data")
    _ok(at)
    assert at.header[0].value == "Data: history of queue 'voice'"
    assert _metric(at, "Days") == "365"
    assert (_metric(at, "First day"), _metric(at, "Last day")) == ("1999-01-01", "1999-12-31")
    share = _num(_metric(at, "Evening share (20:00-24:00) of all contacts"))
    assert 0 < share < 30
    at.slider(key="w_data_weeks").set_value(52).run()  # the heatmap / evening share over a year
    _ok(at)
    assert _num(_metric(at, "Evening share (20:00-24:00) of all contacts")) != share
    at.sidebar.selectbox(key="w_queue").set_value("chat").run()
    _ok(at)
    assert _num(_metric(at, "Evening share (20:00-24:00) of all contacts")) > 40  # the chat queue's evening peak
    assert any(b.label == "Download history_chat.csv" for b in at.get("download_button"))


def _upload(at: AppTest, name: str, data: bytes, **columns) -> AppTest:
    """Upload a file, pick its columns (``time_col_chat="start"``: the select box's key without
    ``w_``, a header name) and use it."""
    at.file_uploader(key="upload_file").set_value((name, data, "text/csv")).run()
    for key, value in columns.items():
        at.selectbox(key=f"w_{key}").set_value(value)
    return at.button(key="use_upload").click().run()


@pytest.mark.parametrize("name,data,expected", [
    ("history.txt", b"interval_start,chats\n", "expected a .csv or .parquet file"),
    ("huge.csv", b"x" * (21 * 1024 * 1024), "above the 20 MB upload limit"),
    ("empty.csv", b"", "is empty"),
    ("binary.csv", b"\x00\x01\x02PK\x03\x04" * 10, "not a text CSV file"),
    ("fake.parquet", b"interval_start,chats\n1999-01-01 00:00,3\n", "does not look like a Parquet file"),
    ("onecol.csv", b"interval_start\n1999-01-01 08:00\n1999-01-01 08:15\n", "pick a time column and another column"),
    ("text.csv", b"interval_start,chats\n1999-01-01 08:00,3\n1999-01-01 08:15,many\n", "non-numeric"),
    ("neg.csv", b"interval_start,chats\n1999-01-01 08:00,3\n1999-01-01 08:15,-4\n", "negative"),
    ("dup.csv", b"interval_start,chats\n1999-01-01 08:00,3\n1999-01-01 08:00,4\n", "duplicated timestamps"),
    ("badtime.csv", b"interval_start,chats\nyesterday,3\n1999-01-01 08:15,4\n", "unparseable times"),
])
def test_bad_uploads_show_a_message_not_a_traceback(name, data, expected):
    at = _app("Data", "chat")
    at = _upload(at, name, data)
    _ok(at, errors_allowed=True)
    assert at.error, "no message shown"
    msg = at.error[0].value
    assert expected in msg, msg
    assert "Traceback" not in msg
    # the bundled data stays in use
    assert _metric(at, "Days") == "365"


def test_valid_upload_is_used_on_every_page_and_can_be_undone():
    raw = pd.read_csv(CHAT_CSV)
    part = raw[(raw["interval_start"] >= "1999-09-01") & (raw["interval_start"] < "1999-11-01")]
    part = part.rename(columns={"interval_start": "start", "chats": "n"})
    part["agents"] = 1  # a column that is not the volume: picked from the header, not guessed
    part = part[["agents", "start", "n"]]
    at = _app("Data", "chat")
    at = _upload(at, "recent_chats.csv", part.to_csv(index=False).encode(), time_col_chat="start", vol_col_chat="n")
    _ok(at)
    assert "recent_chats.csv is valid" in _texts(at)
    assert at.header[0].value == "Data: queue 'chat' from the uploaded file recent_chats.csv"
    assert at.selectbox(key="w_vol_col_chat").options == ["agents", "start", "n"]
    assert (_metric(at, "First day"), _metric(at, "Last day")) == ("1999-09-01", "1999-10-31")
    _goto(at, "Forecast")
    _ok(at)
    assert _metric(at, "From") == "1999-11-01"  # the forecast starts after the uploaded history
    _goto(at, "Data")
    at.button(key="reset_upload").click().run()
    _ok(at)
    assert (_metric(at, "First day"), _metric(at, "Last day")) == ("1999-01-01", "1999-12-31")
    assert at.header[0].value == "Data: history of queue 'chat'" and "Back to the plan's file" in _texts(at)


def _voice_upload(weeks=8, aht=None, double_col=False):
    raw = pd.read_csv(ROOT / "data" / "anonymous_bank_1999_6min.csv")
    part = raw[raw["interval_start"] >= str((pd.Timestamp("1999-12-31") - pd.Timedelta(weeks=weeks)).date())].copy()
    if aht is not None:
        part["aht"] = aht
    if double_col:
        part["calls2"] = 2 * part["calls"]
    return part.to_csv(index=False).encode()


def _staffing_fte_after_upload(at: AppTest, data: bytes, **columns) -> float:
    _goto(at, "Data")
    columns = {"aht_col": "", "vol_col": "calls", **columns}
    at = _upload(at, "v.csv", data, **{f"{key}_voice": value for key, value in columns.items()})
    _ok(at)
    _goto(at, "Staffing")
    _ok(at)
    return _num(_metric(at, "Headcount (FTE per full week)"))


def test_uploaded_handle_times_and_column_mapping_reach_staffing():
    data = _voice_upload(aht=420.0, double_col=True)
    at = _app("Data", "voice")
    fte_configured = _staffing_fte_after_upload(at, data)  # the plan's 210 s
    fte_file = _staffing_fte_after_upload(at, data, aht_col="aht")
    assert fte_file > 1.5 * fte_configured  # twice the handle time
    # the same file with another volume column is other data on every page
    assert _staffing_fte_after_upload(at, data, aht_col="aht", vol_col="calls2") > 1.5 * fte_file


def test_an_upload_too_short_to_forecast_is_refused_and_a_short_one_is_flagged():
    at = _upload(_app("Data", "voice"), "ten_days.csv", _voice_upload(weeks=1.4))
    _ok(at, errors_allowed=True)
    assert "at least 14 days" in at.error[0].value and "ten_days.csv is valid" not in _texts(at)
    at = _upload(_app("Data", "voice"), "three_weeks.csv", _voice_upload(weeks=3))
    _ok(at)
    assert any("the forecast uses the simple models" in w.value for w in at.warning)


def test_day_first_upload_needs_its_time_format_and_semicolons_are_read():
    raw = pd.read_csv(CHAT_CSV).tail(24 * 4 * 35)
    raw["interval_start"] = pd.to_datetime(raw["interval_start"]).dt.strftime("%d/%m/%Y %H:%M")
    data = raw.to_csv(index=False).encode()
    at = _upload(_app("Data", "chat"), "dayfirst.csv", data)
    _ok(at, errors_allowed=True)
    assert "unparseable times" in at.error[0].value and "time_format" in at.error[0].value
    at = _app("Data", "chat")
    at.text_input(key="w_time_fmt_chat").set_value("%d/%m/%Y %H:%M")
    at = _upload(at, "dayfirst.csv", data)
    _ok(at)
    assert _metric(at, "Days") == "35" and _metric(at, "Last day") == "1999-12-31"
    at = _app("Data", "chat")  # semicolons: read with the separator detected
    at.text_input(key="w_time_fmt_chat").set_value("%d/%m/%Y %H:%M")
    at = _upload(at, "semi.csv", raw.to_csv(index=False, sep=";").encode())
    _ok(at)
    assert _metric(at, "Days") == "35" and "semi.csv: columns separated by semicolons (detected)" in [
        w.value for w in at.warning]


def test_parquet_upload():
    raw = pd.read_csv(CHAT_CSV).tail(24 * 4 * 35)
    buf = io.BytesIO()
    raw.to_parquet(buf, index=False)
    at = _app("Data", "chat")
    at = _upload(at, "chats.parquet", buf.getvalue())
    _ok(at)
    assert _metric(at, "Days") == "35"


# --------------------------------------------------------------------------- Forecast


def test_forecast_page_and_model_and_horizon_change_results():
    at = _app("Forecast", "chat")
    _ok(at)
    assert _metric(at, "Model chosen") == "profile"  # the plan's model = "auto" keeps the default with 2 backtest folds, as `staffcast run` does
    assert "the same numbers as `staffcast run`" in _texts(at)
    assert _metric(at, "From") == "2000-01-01"
    assert 40 < _num(_metric(at, "Evening share (forecast)")) < 60
    wape = _metric(at, "WAPE evening 20:00-24:00")
    assert wape.endswith("%")
    total28 = _num(_metric(at, "Forecast contacts"))
    at.slider(key="w_horizon").set_value(14).run()
    _ok(at)
    total14 = _num(_metric(at, "Forecast contacts"))
    assert 0.4 * total28 < total14 < 0.6 * total28
    at.selectbox(key="w_model").set_value("mean4").run()
    _ok(at)
    assert _metric(at, "Model chosen") == "mean4"
    assert any("model mean4 (plan: auto)" in w.value for w in at.sidebar.warning)
    assert _num(_metric(at, "Forecast contacts")) != total14
    assert len(at.dataframe) >= 1  # backtest table
    assert "evening window 20:00-24:00 is shaded" in _texts(at)


# --------------------------------------------------------------------------- Staffing


def test_staffing_targets_change_agents_and_fte():
    at = _app("Staffing", "voice")
    _ok(at)
    fte = _num(_metric(at, "Headcount (FTE per full week)"))
    peak = _num(_metric(at, "Peak agents in an interval"))
    assert fte > 0 and peak > 0
    at.number_input(key="w_service_level_voice").set_value(95.0)
    at.button[0].click().run()  # "Apply targets" (the form's submit button)
    _ok(at)
    assert _num(_metric(at, "Peak agents in an interval")) > peak
    fte95 = _num(_metric(at, "Headcount (FTE per full week)"))
    assert fte95 > fte
    at.number_input(key="w_shrinkage_unplanned_voice").set_value(40.0)
    at.button[0].click().run()
    _ok(at)
    assert _num(_metric(at, "Headcount (FTE per full week)")) > fte95
    at.radio(key="w_staff_which").set_value("scheduled").run()
    _ok(at)
    labels = [b.label for b in at.get("download_button")]
    assert "Download requirements_voice.csv" in labels and "Download headcount_voice.csv" in labels


def test_a_refused_target_says_why_and_the_other_changes_apply():
    at = _app("Staffing", "voice")
    fte = _num(_metric(at, "Headcount (FTE per full week)"))
    at.number_input(key="w_service_level_voice").set_value(150.0)
    at.number_input(key="w_shrinkage_unplanned_voice").set_value(40.0)
    at.button[0].click().run()
    _ok(at, errors_allowed=True)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "Service level target (%): 150 is outside 0.1 to 99.9" in errors[0], errors
    assert _num(_metric(at, "Headcount (FTE per full week)")) > fte  # the shrinkage was applied
    at.number_input(key="w_shrinkage_unplanned_voice").set_value(95.0)
    at.number_input(key="w_service_level_voice").set_value(80.0)
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Unplanned shrinkage (%): 95 is outside 0 to 90; not applied."]


def test_staffing_chat_no_waiting_and_concurrency():
    at = _app("Staffing", "chat")
    _ok(at)
    fte = _num(_metric(at, "Headcount (FTE per full week)"))
    at.number_input(key="w_concurrency_chat").set_value(1)
    at.button[0].click().run()
    _ok(at)
    assert _num(_metric(at, "Headcount (FTE per full week)")) > 1.5 * fte  # one chat at a time needs more agents
    at.number_input(key="w_concurrency_chat").set_value(3)
    at.number_input(key="w_p_wait_chat").set_value(30.0)
    at.number_input(key="w_asa_s_chat").set_value(120.0)
    at.button[0].click().run()
    _ok(at)
    assert _num(_metric(at, "Headcount (FTE per full week)")) < fte  # looser "no waiting" target


# --------------------------------------------------------------------------- Simulation


def test_simulation_page_runs_with_progress_and_shows_results():
    at = _app("Simulation", "voice")
    _ok(at)
    assert _metric(at, "Intervals simulated") == "42"  # 2 days: Sat 20:00-24:00 and Sun 07:00-24:00
    for title in ("Intervals the simulation had to raise", "Waiting-time distribution",
                  "Queue-position announcement"):
        assert title in _texts(at)
    assert "ahead -> about" in _texts(at)
    assert _num(_metric(at, "Contacts simulated (8 replications)")) > 1000
    verdicts = [w.value for w in at.warning] + [s.value for s in at.success]
    assert any(v.startswith(("The plan holds", "The formula's plan misses")) or "cannot be told apart" in v
               for v in verdicts), verdicts
    at.number_input(key="w_sim_days").set_value(3)
    at.button[0].click().run()  # "Run simulation"
    _ok(at)
    assert _num(_metric(at, "Intervals simulated")) > 42
    at.slider(key="w_ann_ahead").set_value(30).run()
    _ok(at)
    assert "30 ahead -> about" in _texts(at)


# --------------------------------------------------------------------------- Scenarios, Runs


def test_scenarios_finance_and_chat_windows_follow_the_planner_s_assumptions():
    at = _app("Scenarios", "voice")
    _ok(at)
    assert at.header[0].value.startswith("Scenarios")
    assert any("ILLUSTRATIVE" in w.value for w in at.warning)  # the study's assumptions are examples
    label = "value_center: net value vs cost_center"
    adv = _num(_metric(at, label).split()[0].lstrip("+"))
    hours = _num(_metric(at, "Posted hours per week").split()[0])
    assert _metric(at, "Agent-hours per week").endswith("of 250")
    for title in ("Finance comparison", "Break-even", "Sensitivity", "Chat windows: when to offer real-time chat"):
        assert title in _texts(at)
    at.number_input(key="w_money_cost_per_agent_hour").set_value(60.0)  # dearer agents: the value center's advantage shrinks
    at.number_input(key="w_cw_budget").set_value(400.0)  # a bigger chat budget: more posted hours
    at.button[0].click().run()
    _ok(at)
    assert _num(_metric(at, label).split()[0].lstrip("+")) < adv
    assert _num(_metric(at, "Posted hours per week").split()[0]) > hours
    assert _metric(at, "Agent-hours per week").endswith("of 400")
    labels = {b.label for b in at.get("download_button")}
    assert {"Download chat_windows.csv", "Download scenarios_comparison.csv",
            "Download scenarios_sensitivity.csv"} <= labels


def test_runs_page_stores_a_run_and_scores_it_against_actuals():
    at = _app("Runs", "chat")
    _ok(at)
    assert "No runs stored yet" in _texts(at)
    # the schedule step is optional (the Schedule page is tested on a small stored schedule); the weekday
    # profile instead of the plan's `auto` spares the 8-week model backtest, which other tests cover
    at.checkbox(key="w_run_sched").uncheck()
    at.selectbox(key="w_run_model").set_value("profile")
    at.button[0].click().run()  # "Run the plan and store it" (as of 4 weeks before the history ends)
    _ok(at)
    assert "stored." in _texts(at)
    assert len(at.dataframe) >= 2  # the runs list and the scores
    assert "intervals have actuals so far" in _texts(at)
    scores = at.dataframe[1].value
    assert {"wape", "wape_evening", "bias", "coverage_p10_p90"} <= set(scores.columns)
    assert scores["wape"].notna().all()


# --------------------------------------------------------------------------- navigation


def test_old_page_links_open_the_page_they_name():
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["page"] = "Forecast"  # a link from before the pages had their own URL
    at.query_params["queue"] = "chat"
    at.run()
    _ok(at)
    assert at.header[0].value == "Forecast: queue 'chat'"
    assert "page" not in at.query_params


# --------------------------------------------------------------------------- Capacity


def save_capacity_example(store_url: str) -> str:
    """A small stored capacity plan (the bundled capacity TOML's rules, six months of given need) for
    the Capacity page; returns its id. Used by the browser test too."""
    import tomllib
    from types import SimpleNamespace

    from planning.capacity import parse_capacity
    from planning.store.capacity import save_capacity

    raw = tomllib.loads((ROOT / "data" / "capacity.toml").read_text())
    months = [f"2000-{m:02d}" for m in range(1, 7)]
    need = pd.DataFrame([{"strategy": s, "queue": q, "month": m, "need_fte": n * f}
                         for s, f in (("cost_center", 1.0), ("value_center", 1.3))
                         for q, ns in (("voice", [24, 24, 26, 28, 28, 28]), ("chat", [17, 17, 18, 19, 20, 20]))
                         for m, n in zip(months, ns)])
    summary = pd.DataFrame([{"strategy": s, "salary_fte_month": 6000.0, "paid_hours_per_week": 42.0,
                             "milp_objective": 0.0, "hires": 0} for s in ("cost_center", "value_center")])
    money = pd.DataFrame([{"strategy": s, "queue": "voice", "month": m, "total_cost": 150_000.0 * f,
                           "cross_sell_value": 60_000.0 * f, "churn_cost": 90_000.0 / f, "net_value": -180_000.0}
                          for s, f in (("cost_center", 1.0), ("value_center", 1.3)) for m in months])
    short = pd.DataFrame([{"strategy": s, "queue": "voice", "month": m, "need_fte": 31.2, "supplied_fte": 31.2 * r,
                           "shortfall_fte": 31.2 * (1 - r), "supplied_share": r, "agent_h_week_need": 1000.0,
                           "agent_h_week_supplied": 1000.0 * r, "intervals_meeting_targets_supplied": 0.25,
                           "service_level_need": 0.926, "service_level_supplied": sl, "asa_s_need": 2.7,
                           "asa_s_supplied": asa, "p_wait_need": 0.1, "p_wait_supplied": 0.3,
                           "abandon_rate_need": 0.02, "abandon_rate_supplied": ab}
                          for s in ("cost_center", "value_center")
                          for m, r, sl, asa, ab in (("2000-01", 0.84, 0.809, 7.8, 0.053),
                                                    ("2000-02", 0.789, 0.754, 10.6, 0.071))])
    result = SimpleNamespace(config=parse_capacity(raw, base_dir=ROOT / "data"), notes=["example"],
                             tables={"need": need, "summary": summary, "money": money, "shortfall_service": short})
    return save_capacity(result, store_url)


def test_capacity_page_shows_the_stored_plan_and_its_what_ifs(tmp_path):
    import os

    at = _app("Capacity", "voice")
    _ok(at)
    assert "No capacity plan is stored yet" in _texts(at)
    save_capacity_example(os.environ["STAFFCAST_STORE"])
    at.run()
    _ok(at)
    hires = int(_metric(at, "Hires"))
    at.slider(key="w_cap_attrition").set_value(2.5).run()   # more people leave: more hires
    _ok(at)
    assert int(_metric(at, "Hires")) >= hires
    assert "Hiring classes" in _texts(at) and len(at.dataframe) >= 1
    # the service the stored plan's shortfall leaves, in percent
    short = next(d.value for d in at.dataframe if "service_level_supplied_pct" in d.value.columns)
    assert "Service where supply stays short (the stored plan)" in _texts(at)
    assert short["service_level_supplied_pct"].tolist() == pytest.approx([80.9, 75.4])
