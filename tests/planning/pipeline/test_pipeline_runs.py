"""run_plan end to end: reuse of stored runs, the default forecast start, file time conventions."""
import datetime as dt
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import planning.pipeline.run as pipeline_run
from planning.config import QueueConfig, parse_config
from planning.pipeline import first_day_to_forecast, read_queue_history, run_plan

DATA = Path(__file__).resolve().parents[3] / "data"


def small_plan(**forecast):
    raw = tomllib.loads((DATA / "plan.toml").read_text())
    raw["forecast"].update(horizon_days=2, backtest_origins=1, history_weeks=6, **forecast)
    raw["simulation"]["enabled"] = False
    raw["queues"].pop("chat")
    return parse_config(raw, base_dir=DATA)


def test_a_reused_run_returns_its_tables_summary_and_exports(tmp_path):
    store = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    first = run_plan(small_plan(), store=store, out_dir=tmp_path / "a")
    again = run_plan(small_plan(), store=store, out_dir=tmp_path / "b")
    assert not first.reused and again.reused and again.run_id == first.run_id
    assert again.as_of == first.as_of and again.summary == first.summary and again.summary
    pd.testing.assert_frame_equal(again.requirements[first.requirements.columns], first.requirements,
                                  check_dtype=False)
    assert sorted(p.name for p in (tmp_path / "b" / first.run_id).iterdir()) == \
        sorted(p.name for p in (tmp_path / "a" / first.run_id).iterdir())


def test_changed_code_is_not_reused(tmp_path, monkeypatch):
    store = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    first = run_plan(small_plan(), store=store, export=False)
    monkeypatch.setattr(pipeline_run, "code_fingerprint", lambda: "another version of the code")
    second = run_plan(small_plan(), store=store, export=False)
    assert not second.reused and second.run_id != first.run_id


def _frame(times):
    return pd.DataFrame({"interval_start": pd.DatetimeIndex(times), "volume": 1.0})


def test_the_forecast_starts_the_day_after_a_complete_last_day():
    # rows only in open hours (08:00-22:00): the last day ending at 21:30 is complete
    days = pd.date_range("1999-12-20", "1999-12-31", freq="D")
    open_only = _frame([d + pd.Timedelta(minutes=30 * k) for d in days for k in range(16, 44)])
    assert first_day_to_forecast(open_only) == dt.date(2000, 1, 1)
    # a last day that stopped at noon is forecast again
    partial = open_only[open_only.interval_start < "1999-12-31 12:00"]
    assert first_day_to_forecast(partial) == dt.date(1999, 12, 31)


def test_one_utc_offset_without_a_plan_zone_is_read_as_wall_clock(tmp_path):
    times = pd.date_range("1999-12-01 08:00", periods=20, freq="30min")
    text = "interval_start,volume\n" + "\n".join(f"{t:%Y-%m-%dT%H:%M:%S}+03:00,2" for t in times) + "\n"
    path = tmp_path / "offsets.csv"
    path.write_text(text)
    h = read_queue_history(QueueConfig(name="v", kind="voice", history=path), 1800, None)
    assert h["interval_start"].dt.tz is None
    assert h["interval_start"].iloc[0] == pd.Timestamp("1999-12-01 08:00")


def test_a_window_after_the_history_says_so():
    with pytest.raises(Exception, match="more than forecast.history_weeks = 6 weeks after the history ends"):
        run_plan(small_plan(as_of=dt.date(2001, 6, 1)), save=False, export=False)


def test_fte_per_full_week_scales_partial_weeks_to_seven_days():
    from planning.headcount import per_full_week

    partial = pd.DataFrame({"queue": ["v", "v"], "days": [2, 5], "fte": [3.19, 7.69]})
    assert per_full_week(partial)["v"] == pytest.approx((3.19 + 7.69) / 7 * 7)
    uneven = pd.DataFrame({"queue": ["v", "v"], "days": [2, 3], "fte": [2.0, 3.0]})
    assert per_full_week(uneven)["v"] == pytest.approx(5.0 / 5 * 7)  # not the mean 2.5 of two stubs
    full = pd.DataFrame({"queue": ["v"] * 3, "days": [3, 7, 7], "fte": [1.0, 10.0, 12.0]})
    assert per_full_week(full)["v"] == pytest.approx(11.0)


def test_history_warnings_flag_outliers_and_contacts_in_closed_hours():
    from planning.config import OpeningHours
    from planning.pipeline import history_warnings

    times = pd.date_range("1999-12-05", periods=14 * 48, freq="30min")
    h = pd.DataFrame({"interval_start": times, "volume": 10.0})
    q = QueueConfig(name="v", kind="voice", history=Path("x.csv"))
    assert history_warnings(h, q, 1800) == []
    h.loc[100, "volume"] = 1_000_000
    (msg,) = history_warnings(h, q, 1800)
    assert "1 interval(s) above 10 x the 99th percentile" in msg and "(1,000,000)" in msg
    day = ((8 * 60, 22 * 60),)
    q8 = QueueConfig(name="v", kind="voice", history=Path("x.csv"), hours=OpeningHours((day,) * 7))
    (msg,) = history_warnings(h.assign(volume=10.0), q8, 1800)
    assert msg.startswith("41.7% of the history's contacts") and "hours the configuration closes" in msg


def test_history_warnings_flag_missing_days():
    from planning.pipeline import history_warnings

    times = pd.date_range("1999-11-01", periods=28 * 48, freq="30min")
    h = pd.DataFrame({"interval_start": times, "volume": 10.0})
    h = h[(h.interval_start < "1999-11-10") | (h.interval_start >= "1999-11-17")]
    q = QueueConfig(name="v", kind="voice", history=Path("x.csv"))
    (msg,) = history_warnings(h, q, 1800)
    assert msg.startswith("7 day(s) without any row") and "1999-11-10" in msg
    # a center closed every Saturday: its Saturdays are not gaps, only the 6 other days are
    weekdays = h[h.interval_start.dt.day_of_week != 5]
    (msg,) = history_warnings(weekdays, q, 1800)
    assert msg.startswith("6 day(s) without any row") and "1999-11-13" not in msg


def test_a_run_without_its_schedule_step_has_the_same_interval_fte(tmp_path, capsys):
    import json

    from planning.cli import main
    from planning.config.writing import dumps

    raw = tomllib.loads((DATA / "plan.toml").read_text())
    raw["forecast"].update(horizon_days=7, backtest_origins=1, history_weeks=6, model="profile")
    raw["simulation"]["enabled"] = False
    raw["queues"].pop("chat")
    for q in raw["queues"].values():
        q["history"] = str(DATA / q["history"])
    raw["schedule"].update(check=False, time_limit_s=5.0)
    plan = tmp_path / "plan.toml"
    plan.write_text(dumps(raw))
    args = ["run", "--config", str(plan), "--as-of", "2000-01-02", "--no-store", "--no-export", "--json", "--quiet"]
    assert main(args) == 0
    full = json.loads(capsys.readouterr().out)["summary"]
    assert main(args + ["--no-schedule"]) == 0
    quick = json.loads(capsys.readouterr().out)["summary"]
    assert full["schedule"] and "schedule" not in quick  # the step is left out, not skipped
    assert full["by_queue"]["voice"]["fte_basis"] == "roster"
    # the interval basis is the scheduled run's fte_per_week_intervals
    assert quick["by_queue"]["voice"]["fte_per_week"] == full["by_queue"]["voice"]["fte_per_week_intervals"]
    cfg = parse_config(raw, base_dir=tmp_path)
    assert cfg.without_sections("schedule").schedule is None and cfg.config_hash() != \
        cfg.without_sections("schedule").config_hash()
