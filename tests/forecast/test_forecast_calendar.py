"""Outage cleaning, holidays per holiday, the calendar top-down model, partial intervals."""
import numpy as np
import pandas as pd

from forecast import forecast_volume
from forecast.backtest import run_backtest
from forecast.cleaning import clean_outages
from forecast.context import build_context
from forecast.grid import to_grid

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
