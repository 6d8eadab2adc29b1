"""Intraday re-forecast: the rest of a day scaled by how it has run so far."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import reforecast_intraday
from forecast.intervals import quantiles


def _forecast(days=2, per_day=4, volume=10.0, queue=None, tz=None, phi=0.05):
    starts = [pd.Timestamp("2024-03-04 08:00") + pd.Timedelta(days=d) + pd.Timedelta(minutes=30 * k)
              for d in range(days) for k in range(per_day)]
    idx = pd.DatetimeIndex(starts)
    if tz:
        idx = idx.tz_localize(tz)
    fc = pd.DataFrame({"interval_start": idx, "volume": volume, "model": "x"})
    fc["volume_p10"], fc["volume_p90"] = quantiles(fc["volume"].to_numpy(), phi)
    if queue is not None:
        fc.insert(0, "queue", queue)
    return fc


def test_ratio_is_the_shrunk_actual_to_forecast_ratio_of_the_day_so_far():
    fc = _forecast()
    act = pd.DataFrame({"interval_start": fc["interval_start"][:2], "volume": [14.0, 16.0]})
    out = reforecast_intraday(fc, act, prior_contacts=20.0, phi=0.05)
    ratio = (14 + 16 + 20) / (10 + 10 + 20)  # = 1.25
    np.testing.assert_allclose(out["intraday_ratio"], [1, 1, ratio, ratio, 1, 1, 1, 1])
    np.testing.assert_allclose(out["volume"], [10, 10, 12.5, 12.5, 10, 10, 10, 10])
    np.testing.assert_allclose(out["actual"][:2], [14, 16])
    assert out["actual"][2:].isna().all()
    # p10 / p90 around the new mean with the forecast's calibrated dispersion
    lo, hi = quantiles(np.array([12.5]), 0.05)
    np.testing.assert_allclose(out["volume_p10"][2], lo[0])
    np.testing.assert_allclose(out["volume_p90"][2], hi[0])
    np.testing.assert_allclose(out["volume_p10"][4:], fc["volume_p10"][4:])
    # the input is not modified
    assert (fc["volume"] == 10).all()


def test_raw_ratio_without_prior_and_gaps_before_the_last_actual_stay_as_forecast():
    fc = _forecast(days=1, per_day=5)
    act = pd.DataFrame({"interval_start": fc["interval_start"][[0, 2]], "volume": [5.0, 15.0]})
    out = reforecast_intraday(fc, act, prior_contacts=0.0)
    # interval 1 has no actual but lies before the last actual: not re-forecast (it is the past)
    np.testing.assert_allclose(out["volume"], [10, 10, 10, 10, 10])  # ratio (5 + 15) / (10 + 10) = 1
    act = pd.DataFrame({"interval_start": fc["interval_start"][[0, 2]], "volume": [5.0, 25.0]})
    out = reforecast_intraday(fc, act, prior_contacts=0.0)
    np.testing.assert_allclose(out["volume"], [10, 10, 10, 15, 15])


def test_queues_and_days_are_separate():
    fc = pd.concat([_forecast(queue="a"), _forecast(queue="b")], ignore_index=True)
    act = pd.DataFrame({"queue": ["a", "b"], "interval_start": [fc["interval_start"][0]] * 2,
                        "volume": [30.0, 0.0]})
    out = reforecast_intraday(fc, act, prior_contacts=10.0, phi={"a": 0.05, "b": 0.2})
    a = out[out.queue == "a"]["intraday_ratio"].to_numpy()
    b = out[out.queue == "b"]["intraday_ratio"].to_numpy()
    np.testing.assert_allclose(a, [1, 2, 2, 2, 1, 1, 1, 1])  # (30 + 10) / (10 + 10)
    np.testing.assert_allclose(b, [1, 0.5, 0.5, 0.5, 1, 1, 1, 1])  # (0 + 10) / (10 + 10)
    lo, hi = quantiles(np.array([5.0]), 0.2)
    np.testing.assert_allclose(out[out.queue == "b"]["volume_p90"].iloc[1], hi[0])


def test_timezone_aware_forecast():
    fc = _forecast(tz="Europe/Berlin")
    act = pd.DataFrame({"interval_start": fc["interval_start"][:1], "volume": [30.0]})
    out = reforecast_intraday(fc, act, prior_contacts=0.0)
    np.testing.assert_allclose(out["volume"], [10, 30, 30, 30, 10, 10, 10, 10])
    naive = act.assign(interval_start=act["interval_start"].dt.tz_localize(None))
    with pytest.raises(ValueError, match="time zone"):
        reforecast_intraday(fc, naive)


def test_without_calibrated_dispersion_the_band_is_scaled():
    fc = _forecast()
    act = pd.DataFrame({"interval_start": fc["interval_start"][:1], "volume": [20.0]})
    out = reforecast_intraday(fc, act, prior_contacts=0.0)
    np.testing.assert_allclose(out["volume_p90"][1], 2 * fc["volume_p90"][1])


@pytest.mark.parametrize("act, match", [
    (pd.DataFrame({"interval_start": [pd.Timestamp("2024-03-04 07:30")], "volume": [3.0]}),
     r"does not hold.*row 2 \(interval_start=Timestamp\('2024-03-04 07:30:00'\)"),
    (pd.DataFrame({"interval_start": [pd.Timestamp("2024-03-04 08:00")], "volume": [-1.0]}), "number >= 0"),
    (pd.DataFrame({"interval_start": [pd.Timestamp("2024-03-04 08:00")], "volume": ["many"]}), "number >= 0"),
    (pd.DataFrame({"interval_start": [pd.Timestamp("2024-03-04 08:00")] * 2, "volume": [1.0, 2.0]}),
     "duplicated"),
    (pd.DataFrame({"interval_start": [pd.Timestamp("2024-03-04 08:00")]}), r"columns \['volume'\]"),
])
def test_bad_actuals_are_refused_with_the_row(act, match):
    with pytest.raises(ValueError, match=match):
        reforecast_intraday(_forecast(), act)


def test_bad_prior_and_missing_queue():
    fc = _forecast()
    act = pd.DataFrame({"interval_start": fc["interval_start"][:1], "volume": [3.0]})
    with pytest.raises(ValueError, match="prior_contacts"):
        reforecast_intraday(fc, act, prior_contacts=-1)
    with pytest.raises(ValueError, match="queue"):
        reforecast_intraday(_forecast(queue="a"), act)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 500), min_size=1, max_size=4), st.floats(0, 1e4))
def test_on_forecast_days_keep_their_forecast_and_the_ratio_is_monotone(seen, prior):
    fc = _forecast(days=1, per_day=5)
    k = len(seen)
    on_plan = pd.DataFrame({"interval_start": fc["interval_start"][:k], "volume": 10.0})
    assert np.allclose(reforecast_intraday(fc, on_plan, prior_contacts=prior)["volume"], 10.0)
    act = on_plan.assign(volume=seen)
    out = reforecast_intraday(fc, act, prior_contacts=prior)
    r = out["intraday_ratio"].to_numpy()[k:]
    if k < 5:
        # busier than forecast -> raised, quieter -> lowered, never past the raw ratio
        raw = sum(seen) / (10.0 * k)
        assert np.all((r >= min(1, raw) - 1e-12) & (r <= max(1, raw) + 1e-12))
