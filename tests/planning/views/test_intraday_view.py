"""planning.views.intraday: a day's plan re-forecast from its actuals so far and re-staffed."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from planning import views as pv
from planning.config import InputError

DATA = Path(__file__).resolve().parents[3] / "data"
DAY = dt.date(1999, 12, 30)  # a Thursday: voice open 07:00-24:00


@pytest.fixture(scope="module")
def cfg():
    return pv.load_plan(DATA / "plan.toml")


def _day_forecast(cfg) -> pd.DataFrame:
    """A fixed forecast of DAY: 48 half hours, a smooth daily shape (closed hours get volume too,
    as a forecast's full grid can)."""
    start = pd.Timestamp(DAY).tz_localize(cfg.timezone)
    t = pd.date_range(start, periods=48, freq="30min")
    vol = 20 + 60 * np.sin(np.linspace(0, np.pi, 48)) ** 2
    return pd.DataFrame({"queue": "voice", "interval_start": t, "volume": vol, "volume_p10": vol * 0.8,
                         "volume_p90": vol * 1.2, "aht_s": 210.0, "model": "test"})


def _actuals(fc: pd.DataFrame, until: int, factor: float) -> pd.DataFrame:
    return fc.iloc[:until][["queue", "interval_start"]].assign(volume=fc["volume"].iloc[:until] * factor)


def test_actuals_on_plan_change_nothing(cfg):
    fc = _day_forecast(cfg)
    res = pv.reforecast_day(cfg, "voice", fc, 0.02, _actuals(fc, 28, 1.0))
    assert res.summary["ratio"] == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(res.frame["forecast_now"], res.frame["forecast_plan"])
    assert (res.frame["agents_change"] == 0).all()
    assert (res.frame["part"] == "so far").sum() == 28 and (res.frame["part"] == "rest of day").sum() == 20
    assert res.summary["agents_add"] == res.summary["agents_release"] == 0


def test_twice_the_contacts_so_far_scale_the_rest_by_the_shrunk_ratio_and_add_agents(cfg):
    fc = _day_forecast(cfg)
    act = _actuals(fc, 28, 2.0)
    res = pv.reforecast_day(cfg, "voice", fc, 0.02, act)
    seen = fc["volume"].iloc[:28].sum()
    ratio = (2 * seen + pv.PRIOR_CONTACTS) / (seen + pv.PRIOR_CONTACTS)
    assert res.summary["ratio"] == pytest.approx(ratio, rel=1e-12)
    rest = res.frame["part"] == "rest of day"
    np.testing.assert_allclose(res.frame.loc[rest, "forecast_now"], fc.loc[rest.to_numpy(), "volume"] * ratio)
    np.testing.assert_allclose(res.frame.loc[~rest, "actual"], act["volume"])
    # the rest of the day staffed again with the plan's targets: the pipeline's own requirements
    again = pv.requirements_for_queue(cfg, fc.assign(volume=np.where(rest, fc["volume"] * ratio, fc["volume"])), "voice")
    np.testing.assert_array_equal(res.frame.loc[rest, "agents_now"], again.loc[rest.to_numpy(), "agents"])
    assert (res.frame["agents_change"] >= 0).all() and res.summary["agents_add"] > 0
    assert res.summary["agents_add"] == res.frame["agents_change"].sum()
    assert set(res.rest_of_day()["action"]) <= {"add", "keep"}
    assert res.cutoff_time == pd.Timestamp(DAY) + pd.Timedelta(hours=14)


@settings(max_examples=8, deadline=None)
@given(factor=hst.floats(0.0, 3.0))
def test_agents_move_the_way_the_day_runs(cfg, factor):
    fc = _day_forecast(cfg)
    res = pv.reforecast_day(cfg, "voice", fc, None, _actuals(fc, 20, factor))
    change = res.frame["agents_change"].to_numpy()
    if factor >= 1:
        assert (change >= 0).all()
    else:
        assert (change <= 0).all()
    assert res.summary["agents_add"] - res.summary["agents_release"] == change.sum()
    assert (res.frame.loc[res.frame["part"] == "so far", "agents_change"] == 0).all()


def test_actuals_from_the_history_are_the_intervals_that_ended(cfg):
    hist = pv.plan_histories(cfg)["voice"]
    act = pv.actuals_from_history(cfg, hist, "voice", DAY, 14 * 60)
    start = pd.Timestamp(DAY).tz_localize(cfg.timezone)
    assert act["interval_start"].min() >= start
    assert act["interval_start"].max() == start + pd.Timedelta(hours=13, minutes=30)
    same = hist.set_index("interval_start").loc[act["interval_start"], "volume"].to_numpy()
    np.testing.assert_array_equal(act["volume"].to_numpy(), same)
    assert pv.actuals_from_history(cfg, hist, "voice", DAY, 0).empty
    with pytest.raises(InputError, match="outside 00:00-24:00"):
        pv.actuals_from_history(cfg, hist, "voice", DAY, 1500)
    assert list(pv.cutoff_choices(cfg).items())[:2] == [(30, "00:30"), (60, "01:00")]
    assert pv.cutoff_choices(cfg)[1440] == "24:00"


def test_an_uploaded_file_is_read_with_its_separator_and_summed_into_plan_intervals(cfg):
    text = "start;calls\n1999-12-30T08:00;3\n1999-12-30T08:15;4\n1999-12-30T08:30;5\n"
    assert pv.csv_columns(text.encode()) == ["start", "calls"]
    act = pv.actuals_from_csv(cfg, "voice", DAY, "today.csv", text.encode(), time_col="start", volume_col="calls")
    start = pd.Timestamp("1999-12-30 08:00").tz_localize(cfg.timezone)
    assert act["interval_start"].tolist() == [start, start + pd.Timedelta(minutes=30)]
    assert act["volume"].tolist() == [7.0, 5.0] and (act["queue"] == "voice").all()


def test_a_bad_upload_names_every_problem_at_once(cfg):
    text = "start,calls\n1999-12-30T08:00,3\nsoon,4\n1999-12-30T09:00,-1\n1999-12-31T09:00,2\n"
    with pytest.raises(InputError) as err:
        pv.actuals_from_csv(cfg, "voice", DAY, "today.csv", text.encode(), time_col="start", volume_col="calls")
    msg = str(err.value)
    assert msg.startswith("today.csv: ")
    assert "column 'start': not an ISO 8601 time on line(s) 3" in msg
    assert "column 'calls': not a number >= 0 on line(s) 4" in msg
    assert "line(s) 5 are not on 1999-12-30" in msg
    with pytest.raises(InputError, match=r"no column 'volume'; the header has \['start', 'calls'\]"):
        pv.actuals_from_csv(cfg, "voice", DAY, "today.csv", text.encode(), time_col="start", volume_col="volume")


def test_no_actuals_or_actuals_off_the_forecast_say_so(cfg):
    fc = _day_forecast(cfg)
    with pytest.raises(InputError, match="no actuals so far"):
        pv.reforecast_day(cfg, "voice", fc, None, _actuals(fc, 0, 1.0))
    off = _actuals(fc, 2, 1.0).assign(interval_start=lambda f: f["interval_start"] - pd.Timedelta(days=1))
    with pytest.raises(InputError, match="actuals: actuals at intervals the forecast does not hold"):
        pv.reforecast_day(cfg, "voice", fc, None, off)


def test_the_day_plan_is_the_plan_s_forecast_of_that_day(cfg):
    hist = {"voice": pv.plan_histories(cfg)["voice"]}
    quick = pv.with_forecast_settings(cfg, model="profile")
    fc, phi = pv.day_plan(quick, hist, "voice", DAY)
    start = pd.Timestamp(DAY).tz_localize(cfg.timezone)
    assert fc["interval_start"].tolist() == list(pd.date_range(start, periods=48, freq="30min"))
    assert phi is None or phi >= 0
    assert pv.intraday_days(hist["voice"])[0] == dt.date(1999, 12, 31)
