"""planning.views: what the dashboard shows, computed without Streamlit."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning import views as pv
from planning import load_histories, simulate_plan
from planning.config import ConfigError, InputError


@pytest.fixture(scope="module")
def plan():
    cfg = pv.with_forecast_settings(pv.load_plan(), model="profile", horizon_days=7)
    hist, _ = load_histories(cfg)
    return cfg, hist


@pytest.mark.parametrize("name,size,expected", [
    ("a.csv", 10, None), ("a.PARQUET", 10, None), ("a.xlsx", 10, "expected a .csv or .parquet"),
    ("noext", 10, "no extension"), ("a.csv", 0, "is empty"), ("a.csv", 20 * 1024 * 1024 + 1, "20 MB upload limit"),
])
def test_check_upload(name, size, expected):
    msg = pv.check_upload(name, size)
    assert (msg is None) if expected is None else (expected in msg)


def test_weekday_profile_and_evening_share_by_hand():
    ts = pd.date_range("2024-01-01 00:00", periods=2 * 48, freq="30min", tz="Europe/Paris")  # Mon, Tue
    vol = np.where(ts.hour >= 20, 3.0, 1.0)
    frame = pd.DataFrame({"interval_start": ts, "volume": vol})
    prof = pv.weekday_time_profile(frame, "volume", week_start="sun")
    assert list(prof["weekday"].unique()) == ["Mon", "Tue"]
    assert prof.loc[(prof.weekday == "Mon") & (prof.time_of_day == "20:30"), "value"].item() == 3.0
    ev = pv.evening_share(frame)
    assert ev["overall"] == pytest.approx(8 * 3 / (8 * 3 + 40 * 1))


def test_evening_peaks_are_after_20_local(plan):
    cfg, hist = plan
    fc, info = pv.forecast_queue(cfg, hist, "chat")
    peaks = pv.evening_peaks(fc)
    assert len(peaks) == 7
    assert (peaks["peak_time"].dt.hour >= 20).all()
    assert (peaks["window_start"].dt.hour == 20).all()
    assert peaks["evening_share"].between(0.3, 0.7).all()  # the synthetic chat queue's evening peak


def test_simulate_queue_gives_the_pipeline_s_numbers(plan):
    cfg, hist = plan
    fc, _ = pv.forecast_queue(cfg, hist, "voice")
    req = pv.requirements_for_queue(cfg, fc, "voice")
    calls = []
    mine = pv.simulate_queue(cfg, req, "voice", days=2, on_block=lambda n, t: calls.append((n, t)))
    ref = simulate_plan(cfg, req, days=2, workers=1)
    ref = ref[ref["queue"] == "voice"].reset_index(drop=True)
    assert calls and calls[-1][0] == calls[-1][1]
    pd.testing.assert_frame_equal(mine.drop(columns="agents_added"), ref, check_dtype=False)


def test_queue_settings_validate_and_adapt_concurrency():
    cfg = pv.load_plan()
    c = pv.with_queue_settings(cfg, "chat", concurrency=5)
    assert c.queues["chat"].aht_by_concurrency_s == (360.0, 450.0, 560.0, 670.0, 780.0)
    assert pv.with_queue_settings(cfg, "chat", concurrency=2).queues["chat"].aht_by_concurrency_s == (360.0, 450.0)
    with pytest.raises(ConfigError) as exc:
        pv.with_queue_settings(cfg, "voice", service_level=1.2)
    assert "service_level" in pv.config_error_text(exc.value)
    with pytest.raises(InputError):
        pv.with_queue_settings(cfg, "fax", service_level=0.8)


def test_announcement_table_matches_erlang_without_abandonment():
    t = pv.announcement_table(10, 300.0, ahead_max=5)
    # mean wait with j ahead = (j + 1) / (c mu) = (j + 1) * 30 s
    assert t["mean_wait_s"].to_numpy() == pytest.approx(np.arange(1, 7) * 30.0)
    from scipy import stats

    assert t["p80_wait_s"].to_numpy() == pytest.approx(stats.gamma.ppf(0.8, np.arange(1, 7)) * 30.0)
    assert t["announce"].iloc[0] == "0 ahead -> about less than a minute"  # 80% quantile 48 s
    assert t["announce"].iloc[5] == "5 ahead -> about 4 minutes"  # 80% quantile 237 s
    with pytest.raises(InputError):
        pv.announcement_table(0, 300.0)


def test_upload_reads_like_the_pipeline(plan):
    cfg, hist = plan
    data = cfg.queues["chat"].history.read_bytes()
    up, notes = pv.history_from_upload(cfg, "chat", "chats.csv", data, time_col="interval_start", volume_col="chats")
    pd.testing.assert_frame_equal(up.reset_index(drop=True), hist["chat"].reset_index(drop=True))
    assert all("chats.csv" in n or "queue chat" in n for n in notes)
    with pytest.raises(InputError, match="missing column 'when'"):
        pv.history_from_upload(cfg, "chat", "chats.csv", data, time_col="when", volume_col="chats")


def test_below_target_intervals_name_the_missed_metric():
    cfg = pv.load_plan()
    sim = pd.DataFrame({"interval_start": pd.date_range("2000-01-01 08:00", periods=3, freq="30min"),
                        "agents_final": [5, 5, 5], "service_level": [0.85, 0.79, 0.80]})
    below = pv.below_target_intervals(sim, cfg, "voice")  # voice: 80% within 20 s
    assert below["interval_start"].tolist() == [pd.Timestamp("2000-01-01 08:30")]
    assert below["missed"].tolist() == ["service_level"]
    chat = sim.drop(columns="service_level").assign(p_wait=[0.01, 0.2, 0.05], asa_s=[1.0, 30.0, 12.0])
    below = pv.below_target_intervals(chat, cfg, "chat")  # chat: P(wait) <= 5%, ASA <= 10 s
    assert below["missed"].tolist() == ["p_wait, asa_s", "asa_s"]


def test_study_money_overrides_name_the_scenarios_that_keep_their_own_value():
    import copy

    from planning.scenarios import parse_study

    study = pv.load_study_with()
    # the bundled value centers earn through the elasticity at the base conversion rate (issue 18)
    assert "conversion_rate" not in pv.study_money_overrides(study)
    raw = copy.deepcopy(study.raw)
    for name in ("value_center", "value_center_self_service"):
        for q in ("voice", "chat"):   # a higher rate without longer talks: allowed, and listed
            raw["scenarios"][name]["queues"][q]["aht_factor"] = 1.0
            raw["scenarios"][name]["queues"][q]["money"]["conversion_rate"] = 0.04
    over = pv.study_money_overrides(parse_study(raw, base_dir=study.source.parent, source=study.source))
    assert over["conversion_rate"] == ["value_center (voice, chat)", "value_center_self_service (voice, chat)"]
    assert "cost_per_agent_hour" not in over


def test_old_import_path_still_works():
    from planning import dashboard_data as dd

    assert dd.with_queue_settings is pv.with_queue_settings and set(pv.__all__) <= set(dir(dd))


def test_targets_form_fields_come_from_the_one_list_of_targets():
    from core import TARGET_SPECS

    cfg = pv.load_plan()
    voice = {f.name: f for f in pv.setting_fields(cfg.queues["voice"])}
    chat = {f.name: f for f in pv.setting_fields(cfg.queues["chat"])}
    assert list(voice) == ["service_level", "awt_s", "max_occupancy"]
    assert list(chat) == ["asa_s", "p_wait", "concurrency", "max_occupancy"]  # shrinkage: parameter_fields
    assert voice["service_level"].label == "Service level target (%)"
    assert chat["p_wait"].label == "No waiting: P(wait) at most (%)" and chat["asa_s"].label == "ASA at most (s)"
    for field in [*voice.values(), *chat.values()]:
        spec = TARGET_SPECS.get(field.name)
        if spec is not None:  # every value the widget allows is a valid target
            assert spec.label in field.help
            for shown in (field.minimum, field.maximum, field.value):
                spec.check(field.setting(shown))
    assert voice["service_level"].setting(voice["service_level"].value) == pytest.approx(0.8)
    assert chat["concurrency"].setting(3.0) == 3 and isinstance(chat["concurrency"].setting(3.0), int)
    assert voice["max_occupancy"].setting(voice["max_occupancy"].value) == pytest.approx(0.85)


def test_queue_settings_name_an_unknown_setting():
    cfg = pv.load_plan()
    with pytest.raises(InputError, match="unknown setting.*'service_levl'"):
        pv.with_queue_settings(cfg, "voice", service_levl=0.9)
    c = pv.with_queue_settings(cfg, "voice", service_level=0.9, max_occupancy=0.8, abandon_rate=None)
    assert c.queues["voice"].targets.service_level == 0.9 and c.queues["voice"].max_occupancy == 0.8


def test_dashboard_pages_only_present():
    """The page modules compute nothing: no pandas / numpy / queueing imports, only planning.views."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pages = sorted((root / "dashboard").glob("*_page.py"))
    assert [p.stem for p in pages] == ["capacity_page", "data_page", "forecast_page", "intraday_page", "runs_page",
                                       "scenarios_page",
                                       "schedule_page", "simulation_page", "staffing_page"]
    for path in [*pages, root / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                top = name.split(".")[0]
                assert top in {"__future__", "pathlib", "logging", "streamlit", "dashboard", "planning"}, \
                    f"{path.name} imports {name}"
                assert top != "planning" or name in {"planning", "planning.views", "planning.config"}, \
                    f"{path.name} imports {name}"


def cli_fte_by_queue() -> dict[str, float]:
    """FTE per full week per queue as ``staffcast run`` prints it (formula staffing: --no-simulate)."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "planning.cli", "run", "--config", str(pv.BUNDLED_PLAN), "--json",
                          "--no-simulate", "--no-schedule", "--no-store", "--no-export", "--quiet"],
                         capture_output=True, text=True, check=True).stdout
    # the interval basis (the Staffing page's): the run without its [schedule] step, whose headline is the roster's
    return {q: s.get("fte_per_week_intervals", s["fte_per_week"]) for q, s in json.loads(out)["summary"]["by_queue"].items()}


def dashboard_fte(queues=None) -> dict[str, float]:
    """FTE per full week per queue as the dashboard's Staffing page computes it on first load (the
    bundled plan and its forecast settings)."""
    cfg = pv.load_plan()
    fs = pv.plan_forecast_settings(cfg)
    hist, _ = load_histories(cfg)
    c = pv.with_forecast_settings(cfg, model=fs[0], horizon_days=fs[1], history_weeks=fs[2])
    out = {}
    for queue in queues or cfg.queues:
        fc, _ = pv.forecast_queue(c, hist, queue)
        req = pv.requirements_for_queue(c, fc, queue)
        out[queue] = pv.staffing_summary(req, pv.headcount_for_queue(c, req, queue), c.interval_s)["fte_per_week"]
    return out


def test_the_dashboard_starts_from_the_plan_and_its_fte_is_the_cli_s():
    cfg = pv.load_plan()
    fs = pv.plan_forecast_settings(cfg)
    assert fs == ("auto", 28, 16)  # data/plan.toml
    assert pv.departures_from_plan(cfg, fs, "chat", {"shrinkage": 0.30}) == []
    assert pv.departures_from_plan(cfg, ("profile", 28, 16), "chat", {"shrinkage": 0.4}) == [
        "model profile (plan: auto)", "chat shrinkage 0.4 (plan: 0.3)"]
    cli = cli_fte_by_queue()
    for queue, fte in dashboard_fte().items():
        assert round(fte, 2) == cli[queue], queue


def test_simulation_verdict_holds_misses_or_says_how_many_replications_decide(plan):
    cfg, _ = plan
    t = pd.date_range("2000-01-01 20:00", periods=3, freq="30min", tz=cfg.timezone)
    sim = pd.DataFrame({"interval_start": t, "agents_plan": [5, 5, 5], "agents_final": [5, 5, 5],
                        "agents_added": [0, 0, 0], "service_level": [0.9, 0.85, 0.82],
                        "service_level_lo": [0.85, 0.8, 0.79], "service_level_hi": [0.95, 0.9, 0.85]})
    v = pv.simulation_verdict(sim, cfg, "voice", 8, True)
    assert v.kind == "holds" and v.text.startswith("The plan holds")
    sim.loc[2, ["service_level", "service_level_lo", "service_level_hi"]] = [0.78, 0.74, 0.82]  # band holds 0.80
    v = pv.simulation_verdict(sim, cfg, "voice", 8, True)
    assert v.kind == "undecided" and "cannot be told apart from it with 8 replications" in v.text
    assert v.intervals == "Sat 21:00" and v.replications_to_decide == 39  # ceil(8 * (0.04 / 0.02)^2 * 1.2)
    sim.loc[2, ["service_level_lo", "service_level_hi"]] = [0.75, 0.79]
    assert pv.simulation_verdict(sim, cfg, "voice", 8, False).kind == "misses"  # proven, not raised
    sim.loc[2, ["agents_final", "agents_added"]] = [6, 1]
    v = pv.simulation_verdict(sim, cfg, "voice", 8, True)
    assert v.kind == "misses" and "raised them by 1 agent-interval" in v.text


def test_one_weekday_order_and_a_one_week_chart_by_default(plan):
    cfg, hist = plan
    assert pv.weekday_order("sun")[:2] == ["Sun", "Mon"]
    rows = pd.DataFrame({"weekday": ["Mon", "Sat", "Sun"], "x": [1, 2, 3]})
    assert pv.in_weekday_order(rows, "sun")["weekday"].tolist() == ["Sun", "Mon", "Sat"]
    fc, info = pv.forecast_queue(cfg, hist, "chat")
    view = pv.forecast_chart(fc, hist["chat"], info["start"])
    first, last = view.default_days()
    assert (pd.Timestamp(last) - pd.Timestamp(first)).days == 6 and first < view.start.date() < last
    week = view.between(first, last)
    assert week.forecast["time"].dt.normalize().nunique() == 5 and week.actual["time"].dt.normalize().nunique() == 2
    assert (week.peaks["peak_volume"] > 0).all()
