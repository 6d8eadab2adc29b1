"""Outage cleaning, holidays per holiday, the calendar top-down model, partial intervals."""
import numpy as np
import pandas as pd

from forecast import forecast_volume
from forecast.backtest import run_backtest
from forecast.cleaning import clean_outages
from forecast.context import build_context
from forecast.grid import holiday_flags, to_grid

from test_forecast_models import synthetic


def _outage(hist, day, start_h=19.0, end_h=23.5):
    t = hist["interval_start"]
    h = t.dt.hour + t.dt.minute / 60
    sel = (t.dt.normalize() == pd.Timestamp(day)) & (h >= start_h) & (h < end_h)
    out = hist.copy()
    out.loc[sel, "volume"] = 0.0
    out.attrs = dict(hist.attrs)
    return out, sel


def test_injected_outage_is_cleaned_in_training_and_listed_but_actuals_stay_raw():
    hist, _ = synthetic(weeks=10, seed=2)
    bad, sel = _outage(hist, "2024-03-10")  # the last Sunday: its evening collapses
    start, end = pd.Timestamp("2024-03-17"), pd.Timestamp("2024-03-18")
    truth = synthetic(weeks=11, seed=2)[1]
    truth = truth[(truth.interval_start >= start) & (truth.interval_start < end)].set_index("interval_start")["rate"]
    evening = truth.index.hour >= 19

    res = forecast_volume(bad, start, end, model="mean4", origins=2, country=None)
    fc = res.to_frame().set_index("interval_start")["volume"]
    ratio = fc[evening].sum() / truth[evening].sum()
    assert 0.9 < ratio < 1.1, ratio  # without cleaning mean4 would be about 25% low
    days = res.report().cleaned_days
    assert [c.day for c in days] == ["2024-03-10"]
    assert days[0].start == "19:00" and days[0].actual == 0 and days[0].expected > 100
    assert res.report().as_dict()["cleaned_days"][0]["day"] == "2024-03-10"

    # the backtest scores the raw actuals: the outage's zeros are still there
    grid = to_grid(bad, 1800)
    ctx = build_context(grid, None)
    run = run_backtest(grid, ctx, ["mean4"], horizon_days=7, origins=1, calibration_origins=0, combine=False)
    row = (pd.Timestamp("2024-03-10") - run.origins[-1]).days
    assert 0 <= row < 7 and np.nansum(run.actual[-1][row, 38:47]) == 0


def test_quiet_days_low_counts_and_repeated_shapes_are_not_outages():
    hist, _ = synthetic(weeks=10, seed=2)
    grid = to_grid(hist, 1800)
    ctx = build_context(grid, None)
    assert clean_outages(grid, ctx)[1] == []  # Poisson noise alone is never an outage
    # the same drop two weeks running is a new shape (e.g. hours moved), kept as it is
    twice, _ = _outage(hist, "2024-03-03")
    twice, _ = _outage(twice, "2024-03-10")
    cleaned = [c.day for c in clean_outages(to_grid(twice, 1800), ctx)[1]]
    assert "2024-03-03" not in cleaned


def _us_history():
    """Sun 2023-10-01 .. 2024-01-20: Columbus Day (Mon 10-09) and New Year (Mon 01-01) open with
    normal volume, Thanksgiving (Thu 11-23) and Christmas (Mon 12-25) closed (no rows)."""
    hist, _ = synthetic(weeks=16, seed=5, start="2023-10-01")
    day = hist["interval_start"].dt.normalize()
    keep = ~day.isin([pd.Timestamp("2023-11-23"), pd.Timestamp("2023-12-25")])
    out = hist[keep].reset_index(drop=True)
    out.attrs = dict(hist.attrs)
    return out


def test_holidays_open_or_closed_one_by_one_and_closed_days_are_reported():
    hist = _us_history()
    # Columbus Day 2024 (Mon 10-14): open as in 2023 -> a forecast like any Monday
    res = forecast_volume(hist, "2024-10-13", "2024-10-16", model="profile", origins=2, country="US")
    fc = res.to_frame()
    mon = fc[fc.interval_start.dt.normalize() == pd.Timestamp("2024-10-14")]
    assert len(mon) == 34 and mon["volume"].sum() > 1000  # 07:00-24:00, about the Monday total 1500
    assert res.report().closed_days == ()
    # Thanksgiving 2024 (Thu 11-28) closed as in 2023; Saturday closed as always: both reported
    res = forecast_volume(hist, "2024-11-27", "2024-12-01", model="profile", origins=2, country="US")
    days = set(res.to_frame().interval_start.dt.strftime("%Y-%m-%d"))
    assert "2024-11-28" not in days and {"2024-11-27", "2024-11-29"} <= days
    closed = {c.day: c.reason for c in res.report().closed_days}
    assert set(closed) == {"2024-11-28", "2024-11-30"}
    assert "Thanksgiving" in closed["2024-11-28"] and "2023-11-23" in closed["2024-11-28"]
    assert "Saturday" in closed["2024-11-30"]
    # a holiday never seen (Washington's Birthday, Mon 2024-02-19) follows its weekday
    res = forecast_volume(hist, "2024-02-19", "2024-02-20", model="profile", origins=2, country="US")
    assert len(res) == 34 and res.report().as_dict()["closed_days"] == []
    # with an all-closed history, an unseen holiday is closed too, and says why
    hol, _ = holiday_flags(pd.DatetimeIndex(hist.interval_start.dt.normalize()), "US")
    shut = hist[~hol]
    res = forecast_volume(shut.reset_index(drop=True), "2024-02-19", "2024-02-20", model="profile", origins=2,
                          country="US")
    assert len(res) == 0 and "not in the history" in res.report().closed_days[0].reason


def _dom_history(weeks=40, seed=3):
    """Every day open 08:00-20:00, 1000 contacts a day x a day-of-month effect (days 1-3: x1.5,
    days 8-14: x0.8), flat within the day; Poisson counts."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2023-01-01", periods=7 * weeks + 35, freq="D")
    eff = np.where(days.day <= 3, 1.5, np.where((days.day >= 8) & (days.day <= 14), 0.8, 1.0))
    slots = np.arange(16, 40)
    t = (days.to_numpy()[:, None] + (slots * 1800).astype("timedelta64[s]")[None, :]).ravel()
    lam = np.repeat(1000 * eff / slots.size, slots.size)
    frame = pd.DataFrame({"interval_start": t, "volume": rng.poisson(lam).astype(float)})
    return frame, days, eff


def test_calendar_model_recovers_a_day_of_month_effect():
    from forecast.models import make_model

    frame, days, eff = _dom_history()
    grid = to_grid(frame, 1800)
    n = 7 * 40
    train, future = grid.head(n), grid.days[n:n + 35]
    ctx = build_context(train, None)
    truth = 1000 * eff[n:n + 35]
    err = {}
    for name in ("calendar", "calendar_flat", "profile"):
        tot = make_model(name).fit(train, ctx).predict(future, ctx).sum(axis=1)
        err[name] = np.abs(tot - truth).sum() / truth.sum()
    # daily totals within 8% of the truth (a smooth 3-harmonic curve rounds the step edges; the
    # models without the day-of-month term miss by about 16%)
    assert err["calendar"] < 0.08, err
    assert err["calendar"] < 0.5 * err["calendar_flat"] and err["calendar"] < 0.5 * err["profile"], err


def test_every_cleaned_day_of_the_report_is_in_the_dashboard_table():
    """The Forecast page's table (planning.views.cleaned_days_table) lists every cleaned day."""
    from planning.views import cleaned_days_table

    hist, _ = synthetic(weeks=10, seed=2)
    bad, _ = _outage(hist, "2024-03-03")
    bad, _ = _outage(bad, "2024-03-13", start_h=9.0, end_h=13.0)
    res = forecast_volume(bad, "2024-03-17", "2024-03-18", model="mean4", origins=2, country=None)
    report = res.report().as_dict()
    table = cleaned_days_table({"model": "mean4", "backtest": report})
    assert table["day"].tolist() == [c["day"] for c in report["cleaned_days"]] == ["2024-03-03", "2024-03-13"]
    assert table.loc[1, "start"] == "09:00" and table.loc[1, "actual"] == 0
    assert cleaned_days_table({"backtest": {"voice": report}})["day"].tolist() == table["day"].tolist()
    assert cleaned_days_table({"backtest": {}}).columns.tolist() == ["day", "start", "end", "intervals", "actual",
                                                                      "expected"]
