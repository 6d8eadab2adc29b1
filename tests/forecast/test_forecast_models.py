"""forecast models, backtest, intervals and the public forecast_volume / forecast_aht."""
import numpy as np
import pandas as pd
import pytest

from forecast import backtest, forecast_aht, forecast_volume, read_history
from forecast.backtest import run_backtest
from forecast.grid import holiday_flags, open_mask, to_grid
from forecast.intervals import calibrate_phi, pit_coverage, quantiles
from forecast.models import Context

SLOTS = 48  # 30-minute intervals
HOUR = np.arange(SLOTS) / 2.0


def _intraday():
    """Morning peak at 10:00, dip in the afternoon and a strong evening peak at 21:00."""
    shape = 1.0 + 2.0 * np.exp(-0.5 * ((HOUR - 10) / 1.5) ** 2) + 3.0 * np.exp(-0.5 * ((HOUR - 21) / 1.0) ** 2)
    return shape / shape.sum()


# weekday 0=Monday .. 6=Sunday; a center open Sun-Thu 07-24, Fri 07-14, closed Saturday
DAY_TOTAL = np.array([1500, 1400, 1300, 1300, 500, 0, 1700], float)


def _open_slots(dow):
    if dow == 5:
        return np.zeros(SLOTS, bool)
    if dow == 4:
        return (HOUR >= 7) & (HOUR < 14)
    return HOUR >= 7


def synthetic(weeks=10, seed=1, phi=0.0, start="2024-01-07"):
    """Poisson (or Poisson-gamma with per-interval variance phi) counts with a known rate.

    Returns (history, rate) where rate is a DataFrame of the true expected volume per open interval.
    Closed slots have no rows; 07:00-07:30 is open but its rate is 0 (a real zero).
    """
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, periods=7 * weeks, freq="D")
    prof = _intraday()
    rows, rates = [], []
    for d in days:
        m = _open_slots(d.day_of_week)
        lam = DAY_TOTAL[d.day_of_week] * prof / prof[m].sum() if m.any() else prof * 0
        lam = np.where(HOUR == 7.0, 0.0, lam)
        t = d + pd.to_timedelta(np.arange(SLOTS) * 1800, unit="s")
        rates.append(pd.DataFrame({"interval_start": t[m], "rate": lam[m]}))
    rate = pd.concat(rates, ignore_index=True)
    lam = rate["rate"].to_numpy()
    if phi > 0:
        lam = lam * rng.gamma(1 / phi, phi, lam.size)
    hist = pd.DataFrame({"interval_start": rate["interval_start"], "volume": rng.poisson(lam)})
    return read_history(hist), rate


def true_rate(start, periods_days):
    return synthetic(weeks=(periods_days + 6) // 7 + 1, start=start)[1]


@pytest.fixture(scope="module")
def syn():
    return synthetic()


def test_forecast_recovers_weekly_and_intraday_pattern_with_evening_peak(syn):
    hist, _ = syn
    end_hist = hist["interval_start"].max().normalize() + pd.Timedelta(days=1)
    start, end = end_hist, end_hist + pd.Timedelta(days=7)
    result = forecast_volume(hist, start, end, country=None, origins=2, calibration_origins=1)
    fc = result.to_frame()
    truth = synthetic(weeks=11)[1]
    truth = truth[(truth.interval_start >= start) & (truth.interval_start < end)]
    # one row per open interval, same intervals as the truth: closed Saturday and nights stay closed
    assert fc["interval_start"].tolist() == truth["interval_start"].tolist()
    assert set(fc.columns) >= {"interval_start", "volume", "volume_p10", "volume_p90", "model"}
    err = np.abs(fc["volume"].to_numpy() - truth["rate"].to_numpy()).sum() / truth["rate"].sum()
    assert err < 0.08, err
    f = fc.assign(dow=fc.interval_start.dt.day_of_week, h=fc.interval_start.dt.hour + fc.interval_start.dt.minute / 60)
    t = truth.assign(dow=truth.interval_start.dt.day_of_week)
    # weekly pattern: daily totals within 6%
    ratio = f.groupby("dow")["volume"].sum() / t.groupby("dow")["rate"].sum()
    assert ratio.between(0.94, 1.06).all(), ratio
    # evening peak recovered on Sun-Thu: the day's maximum is at 21:00 +- 30 min
    for _, g in f[f.dow.isin([6, 0, 1, 2, 3])].groupby(f.interval_start.dt.date):
        assert abs(g.loc[g["volume"].idxmax(), "h"] - 21.0) <= 0.5
    # intervals bracket the point forecast
    assert (fc["volume_p10"] <= fc["volume"]).all() and (fc["volume"] <= fc["volume_p90"]).all()
    bt = result.report().as_dict()
    assert bt["chosen"] == fc["model"].iloc[0]
    assert {"wape", "mase", "bias", "evening_wape", "coverage_80", "poisson_floor_wape"} <= set(bt["scores"][0])


def test_closed_is_not_zero(syn):
    hist, _ = syn
    end_hist = hist["interval_start"].max().normalize() + pd.Timedelta(days=1)
    fc = forecast_volume(hist, end_hist, end_hist + pd.Timedelta(days=7), model="profile", country=None).to_frame()
    # Saturday never open -> no rows; Friday after 14:00 and nights -> no rows
    assert not (fc.interval_start.dt.day_of_week == 5).any()
    fri = fc[fc.interval_start.dt.day_of_week == 4]
    assert fri.interval_start.dt.hour.max() == 13 and fri.interval_start.dt.hour.min() == 7
    # 07:00 is open with zero contacts in the history: a real zero, forecast present and ~0
    seven = fc[(fc.interval_start.dt.hour == 7) & (fc.interval_start.dt.minute == 0)]
    assert len(seven) == 6 and seven["volume"].max() < 0.05
    # opening hours override: open Saturday evenings -> rows appear (history has no Saturday -> 0)
    hours = {d: [("07:00", "24:00")] for d in ("Sun", "Mon", "Tue", "Wed", "Thu")}
    hours.update({"Fri": [("07:00", "14:00")], "Sat": [("20:00", "24:00")]})
    fc2 = forecast_volume(hist, end_hist, end_hist + pd.Timedelta(days=7), model="profile", country=None,
                          opening_hours=hours).to_frame()
    assert (fc2.interval_start.dt.day_of_week == 5).sum() == 8


def test_backtest_never_uses_data_after_origin(syn):
    hist, _ = syn
    grid = to_grid(hist, 1800)
    ctx = Context(None, open_mask(grid), lambda d: holiday_flags(d, None))
    models = ["snaive", "mean4", "profile", "daily_sarimax", "mstl_ets", "glm_poisson"]
    run = run_backtest(grid, ctx, models, horizon_days=7, origins=1, calibration_origins=1, combine=False)
    first = grid.days.get_loc(run.origins[0])
    # poison everything from the first origin on: forecasts of the first fold must not change
    poisoned = to_grid(hist, 1800)
    poisoned.Y[first:] = poisoned.Y[first:] * 100 + 7
    run2 = run_backtest(poisoned, ctx, models, horizon_days=7, origins=1, calibration_origins=1, combine=False)
    for m in models:
        np.testing.assert_allclose(run.preds[m][0], run2.preds[m][0], err_msg=m)
        assert not np.allclose(run.preds[m][1], run2.preds[m][1]), m  # later folds do see it
    # and the folds tile the end of the history
    assert run.origins[-1] == grid.days[-7]


def test_interval_calibration_binomial_tolerance():
    """Dispersion calibrated on one sample covers 80% of an independent one, within a 3-sigma
    binomial band (fixed seed)."""
    rng = np.random.default_rng(7)
    n = 6000
    mu = rng.uniform(0.5, 80, 2 * n)
    y = rng.poisson(mu * rng.gamma(1 / 0.04, 0.04, mu.size))
    phi = calibrate_phi(y[:n], mu[:n])
    assert phi == pytest.approx(0.04, rel=0.3)
    tol = 3 * np.sqrt(0.8 * 0.2 / n)
    assert abs(pit_coverage(y[n:], mu[n:], phi).mean() - 0.8) < tol
    q10, q90 = quantiles(mu[n:], phi)
    big = mu[n:] > 20  # plain hit rate is meaningful for non-tiny counts
    hit = ((y[n:] >= q10) & (y[n:] <= q90))[big]
    assert abs(hit.mean() - 0.8) < 3 * np.sqrt(0.8 * 0.2 / big.sum()) + 0.01


def test_backtest_scores_and_coverage_on_overdispersed_series():
    hist, _ = synthetic(weeks=12, seed=3, phi=0.02)
    result = backtest(hist, models=("mean4", "profile", "glm_poisson"), horizon_days=7, origins=4,
                      calibration_origins=2, country=None)
    bt = result.to_frame()
    assert set(bt["model"]) >= {"mean4", "profile", "glm_poisson"}
    row = bt.set_index("model").loc["profile"]
    # The acceptance window of the issue (75-85%). A pure binomial band (3 sigma = 0.041 for the ~900
    # scored intervals) is too tight here: errors of one slot are shared across folds through the
    # fitted profile and phi is estimated from 2-5 earlier weeks (seeds 0-5 give 0.78-0.84).
    assert 0.75 <= row["coverage_80"] <= 0.85, row["coverage_80"]
    # floor and WAPE relation: no model beats the Poisson floor by much on pure noise
    assert row["wape"] > 0.9 * row["poisson_floor_wape"]
    assert row["wape"] < 0.25 and row["evening_wape"] < 0.25
    assert 0 < row["mase"] < 1.0  # better than the weekly seasonal naive on a stable pattern
    assert result.chosen[None] in set(bt["model"])
    with pytest.raises(ValueError, match="unknown models"):
        backtest(hist, models=("nope",))


def test_dst_forecast_has_23_and_25_hour_days():
    tz = "Europe/Berlin"
    utc = pd.date_range("2021-08-01", "2021-10-30", freq="30min", tz="UTC", inclusive="left")
    local = utc.tz_convert(tz)
    rng = np.random.default_rng(0)
    hour = local.hour.to_numpy() + local.minute.to_numpy() / 60
    lam = 5 + 20 * np.exp(-0.5 * ((hour - 20) / 2) ** 2)
    hist = read_history(pd.DataFrame({"interval_start": local, "volume": rng.poisson(lam)}), tz=tz)
    fc = forecast_volume(hist, "2021-10-31", "2021-11-02", model="profile", country=None).to_frame()
    per_day = fc.groupby(fc.interval_start.dt.date).size()
    assert per_day.tolist() == [50, 48]  # Oct 31 has 25 hours
    # the repeated 02:00-03:00 hour gets the wall-clock profile twice, not zero, not dropped
    assert (fc.interval_start.dt.hour == 2).sum() == 6
    assert fc["interval_start"].is_unique
    fc2 = forecast_volume(hist, "2022-03-27", "2022-03-28", model="profile", country=None).to_frame()
    assert len(fc2) == 46 and fc2["interval_start"].is_unique


def test_forecast_aht_volume_weighted_and_shrunk():
    t = pd.date_range("2024-01-07", periods=7 * 6 * 48, freq="30min")  # 6 weeks
    hour = t.hour.to_numpy()
    vol = np.where(hour >= 8, 10, 0)
    vol = np.where(hour == 3, 1, vol)  # thin cell
    aht = np.where(hour >= 20, 400.0, 200.0)
    aht = np.where(hour == 3, 1000.0, aht)
    aht = np.where(vol == 0, np.nan, aht)
    hist = read_history(pd.DataFrame({"interval_start": t, "volume": vol, "aht_s": aht}))
    tab = forecast_aht(hist, shrink_contacts=20)
    mon = tab[tab.weekday == 0].set_index("slot_start_s")
    # Monday (like every day) volume-weighted mean: 24 slots x 60 contacts at 200 s, 8 evening slots
    # x 60 at 400 s, 2 slots (03:00, 03:30) x 6 contacts at 1000 s; the overall mean is the same
    prior = (24 * 60 * 200 + 8 * 60 * 400 + 12 * 1000) / 1932
    assert mon.loc[21 * 3600, "contacts"] == 60
    assert mon.loc[21 * 3600, "aht_s"] == pytest.approx((60 * 400 + 20 * prior) / 80, rel=1e-9)
    assert mon.loc[10 * 3600, "aht_s"] == pytest.approx((60 * 200 + 20 * prior) / 80, rel=1e-9)
    # the thin 03:00 cell (6 contacts at 1000 s) is pulled most of the way to the prior
    assert mon.loc[3 * 3600, "aht_s"] == pytest.approx((6 * 1000 + 20 * prior) / 26, rel=1e-9)
    fc = forecast_volume(hist, "2024-02-18", "2024-02-19", model="mean4", country=None).to_frame()
    assert "aht_s" in fc.columns and fc["aht_s"].notna().all()


def test_forecast_range_before_history_end_is_rejected(syn):
    hist, _ = syn
    with pytest.raises(ValueError, match="not after the history"):
        forecast_volume(hist, "2024-01-10", "2024-01-11", model="mean4", country=None)
    with pytest.raises(ValueError, match="unknown model"):
        forecast_volume(hist, "2024-04-01", "2024-04-02", model="magic", country=None)


def test_daily_sarimax_forecast_is_bounded_on_an_explosive_history():
    # Eight weeks that quadruple every week: an unconstrained log-level fit extrapolates without bound;
    # the model keeps day totals within twice the largest seen, and intervals stay finite.
    n_days = 56
    ts = pd.date_range("2021-03-01", periods=n_days * 48, freq="30min")
    level = 4.0 ** (np.arange(ts.size) / (7 * 48)) / 100
    hist = read_history(pd.DataFrame({"interval_start": ts, "volume": np.round(level)}))
    fc = forecast_volume(hist, "2021-04-26", "2021-05-03", model="daily_sarimax", country=None).to_frame()
    daily = fc.groupby(fc.interval_start.dt.date)["volume"].sum()
    assert np.isfinite(fc[["volume", "volume_p10", "volume_p90"]].to_numpy()).all()
    assert daily.max() <= 2 * np.round(level).reshape(n_days, 48).sum(axis=1).max() + 1e-6


def test_quantiles_refuse_non_finite_means():
    with pytest.raises(ValueError, match="finite"):
        quantiles(np.array([1.0, np.inf]), 0.1)


def test_frames_get_the_same_validation_as_files(syn):
    hist, _ = syn
    bad = hist.copy()
    bad.loc[5, "volume"] = -100
    with pytest.raises(ValueError, match=r"negative values: row 7"):
        forecast_volume(bad, "2024-03-17", "2024-03-18", model="mean4")
    dup = pd.concat([hist, hist.iloc[[3]]], ignore_index=True)
    with pytest.raises(ValueError, match="duplicated"):
        backtest(dup, models=["mean4"])


def test_range_and_argument_errors_name_the_argument(syn):
    hist, _ = syn
    with pytest.raises(ValueError, match="end=.*not after start"):
        forecast_volume(hist, "2024-03-20", "2024-03-18", model="mean4")
    with pytest.raises(ValueError, match="end=.*not after start"):
        forecast_aht(hist.assign(aht_s=200.0), "2024-03-20", "2024-03-20")
    with pytest.raises(ValueError, match=r"models=\[\]"):
        backtest(hist, models=[])
    with pytest.raises(ValueError, match="evening window.*pair"):
        backtest(hist, models=["mean4"], evening=("20:00",))
    with pytest.raises(ValueError, match="evening window.*'25:00'"):
        backtest(hist, models=["mean4"], evening=("20:00", "25:00"))
    with pytest.raises(ValueError, match="weekday 'xyz'"):
        forecast_volume(hist, "2024-03-17", "2024-03-18", model="mean4", opening_hours={"xyz": [("08:00", "20:00")]})
    with pytest.raises(ValueError, match="weekday 7"):
        forecast_volume(hist, "2024-03-17", "2024-03-18", model="mean4", opening_hours={7: [("08:00", "20:00")]})
    with pytest.raises(ValueError, match="'8am' is not a wall-clock time"):
        forecast_volume(hist, "2024-03-17", "2024-03-18", model="mean4", opening_hours={0: [("8am", "20:00")]})
    with pytest.raises(ValueError, match="weeks=0"):
        forecast_aht(hist.assign(aht_s=200.0), weeks=0)
    with pytest.raises(ValueError, match="shrink_contacts=-50"):
        forecast_aht(hist.assign(aht_s=200.0), shrink_contacts=-50)


def test_a_queue_that_opened_recently_is_forecast_with_the_simple_models(syn):
    hist, _ = syn
    start = hist.interval_start.max().normalize() + pd.Timedelta(days=1)
    new = hist[hist.interval_start >= start - pd.Timedelta(days=21)]
    both = pd.concat([hist.assign(queue="long"), new.assign(queue="new")], ignore_index=True)
    result = forecast_volume(both, start, start + pd.Timedelta(days=7))
    fc = result.to_frame()
    report = {q: r.as_dict() for q, r in result.reports.items()}
    assert report["new"]["short_history"] and not report["long"]["short_history"]
    assert report["new"]["chosen"] in ("snaive", "mean4", "profile")
    assert (fc.queue == "new").sum() == (fc.queue == "long").sum() > 0
    with pytest.raises(ValueError, match=r"^queue 'new': .*only snaive, mean4, profile can be fitted"):
        forecast_volume(both, start, start + pd.Timedelta(days=7), model="glm_poisson")


def test_errors_of_one_queue_name_it(syn):
    hist, _ = syn
    short = hist[hist.interval_start < hist.interval_start.min() + pd.Timedelta(days=10)]
    both = pd.concat([hist.assign(queue="long"), short.assign(queue="new")], ignore_index=True)
    with pytest.raises(ValueError, match=r"^queue 'new': history of \d+ days is too short"):
        forecast_volume(both, "2024-03-17", "2024-03-18", model="mean4")


def test_glm_trend_is_held_past_four_weeks():
    # 12 flat weeks, the last 3 weeks 30% higher: the trend must not compound over a year
    ts = pd.date_range("2024-01-01", periods=84 * 48, freq="30min")
    level = np.where(np.arange(ts.size) >= 63 * 48, 13.0, 10.0)
    hist = read_history(pd.DataFrame({"interval_start": ts, "volume": level}))
    fc = forecast_volume(hist, "2024-03-25", "2025-03-25", model="glm_poisson").to_frame()
    daily = fc.groupby(fc.interval_start.dt.date)["volume"].sum().to_numpy()
    assert daily[35 + 7 * 45] == pytest.approx(daily[35], rel=1e-9)  # same weekday, held from day 28 on
    assert daily.max() < 2 * 13.0 * 48


def test_holidays_the_center_was_closed_get_no_forecast():
    # a Monday-Friday center, closed on German public holidays, 09:00-17:00
    days = pd.date_range("2024-09-02", "2024-12-20", freq="D")
    hol, _ = holiday_flags(days, "DE")
    ts = [d + pd.Timedelta(minutes=30 * k) for d, h in zip(days, hol) if d.day_of_week < 5 and not h
          for k in range(18, 34)]
    hist = read_history(pd.DataFrame({"interval_start": ts, "volume": 20.0}))
    fc = forecast_volume(hist, "2024-12-23", "2025-01-04", model="mean4", country="DE").to_frame()
    dates = set(fc.interval_start.dt.strftime("%Y-%m-%d"))
    assert {"2024-12-25", "2024-12-26", "2025-01-01"}.isdisjoint(dates)
    assert {"2024-12-23", "2024-12-27", "2025-01-02"} <= dates
    # without a calendar there is nothing to know holidays by
    assert "2024-12-25" in set(forecast_volume(hist, "2024-12-23", "2025-01-04", model="mean4").to_frame()
                               .interval_start.dt.strftime("%Y-%m-%d"))
