"""The public forecast objects: ForecastResult / BacktestResult and the one model registry."""
import numpy as np
import pandas as pd
import pytest

from forecast import (AUTO, MODELS, BacktestResult, ForecastResult, backtest, forecast_volume, make_model,
                      model_choices, model_names, read_history, reforecast_intraday)
from forecast.context import build_context
from forecast.grid import to_grid


def _history(weeks=6, seed=2, queues=None):
    rng = np.random.default_rng(seed)
    ts = pd.date_range("2024-01-01", periods=7 * weeks * 48, freq="30min")
    hour = ts.hour.to_numpy()
    keep = (hour >= 8) & (hour < 20)
    lam = 10 + 5 * np.sin(hour / 3.0)
    frame = pd.DataFrame({"interval_start": ts[keep], "volume": rng.poisson(lam[keep]).astype(float)})
    if queues:
        frame = pd.concat([frame.assign(queue=q) for q in queues], ignore_index=True)
    return read_history(frame)


def _is_flat(d):
    return isinstance(d, dict) and all(isinstance(v, (str, int, float, bool, np.number)) for v in d.values())


def test_forecast_result_of_one_queue():
    res = forecast_volume(_history(), "2024-02-12", "2024-02-14", model="profile", origins=1)
    assert isinstance(res, ForecastResult)
    fc = res.to_frame()
    assert fc.columns.tolist() == ["interval_start", "volume", "volume_p10", "volume_p90", "model"]
    assert len(res) == len(fc) == 2 * 24
    fc["volume"] = -1.0  # a copy: the result is not changed
    assert (res.to_frame()["volume"] >= 0).all()
    assert res.model == "profile" and res.chosen == {None: "profile"}
    assert res.report().chosen == "profile" and res.phi[None] == res.report().phi
    assert "profile" in set(res.backtest["model"]) and "queue" not in res.backtest
    s = res.summary
    assert _is_flat(s)
    assert s["model"] == "profile" and s["interval_s"] == 1800 and s["horizon_days"] == 7
    row = res.backtest.set_index("model").loc["profile"]
    assert s["wape"] == pytest.approx(row["wape"]) and s["evening_wape"] != s["evening_wape"]  # no evening: NaN


def test_forecast_result_of_several_queues():
    res = forecast_volume(_history(queues=["a", "b"]), "2024-02-12", "2024-02-13", model="mean4", origins=1)
    assert res.chosen == {"a": "mean4", "b": "mean4"}
    assert res.backtest.columns[0] == "queue" and set(res.backtest["queue"]) == {"a", "b"}
    s = res.summary
    assert _is_flat(s) and s["a.model"] == "mean4" and "b.wape" in s and "model" not in s
    with pytest.raises(ValueError, match="2 queues"):
        res.model
    with pytest.raises(ValueError, match="queue 'c'"):
        res.report("c")
    assert res.report("b").as_dict()["chosen"] == "mean4"


def test_backtest_result():
    res = backtest(_history(), models=["snaive", "mean4"], origins=1, combine=False)
    assert isinstance(res, BacktestResult)
    frame = res.to_frame()
    assert set(frame["model"]) == {"snaive", "mean4"} and res.chosen[None] in {"snaive", "mean4"}
    s = res.summary
    assert _is_flat(s) and s["model"] == res.chosen[None]
    assert s["wape"] == pytest.approx(frame.set_index("model").loc[s["model"], "wape"])


def test_reforecast_intraday_takes_the_result_and_its_dispersion():
    res = forecast_volume(_history(), "2024-02-12", "2024-02-13", model="profile", origins=1)
    fc = res.to_frame()
    act = pd.DataFrame({"interval_start": fc["interval_start"][:4], "volume": [20.0, 22.0, 25.0, 24.0]})
    a = reforecast_intraday(res, act)
    b = reforecast_intraday(fc, act, phi=res.report().phi)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="phi"):
        reforecast_intraday(fc, act, phi="wide")


def test_no_accepted_and_ignored_seed():
    with pytest.raises(TypeError, match="seed"):
        forecast_volume(_history(), "2024-02-12", "2024-02-13", model="mean4", seed=0)


def test_registry_names_descriptions_and_fitted_attributes():
    assert list(MODELS) == ["snaive", "mean4", "profile", "daily_sarimax", "mstl_ets", "glm_poisson",
                            "calendar", "calendar_flat"]
    assert model_names() == [*MODELS, AUTO] and model_names(auto=False) == list(MODELS)
    assert [n for n, _ in model_choices()] == model_names()
    for name, description in model_choices():
        assert description.endswith(".") and len(description) > 20, name
    grid = to_grid(_history(), 1800)
    ctx = build_context(grid, None)
    days = pd.date_range(grid.days[-1] + pd.Timedelta(days=1), periods=2, freq="D")
    for name, cls in MODELS.items():
        model = make_model(name)
        assert isinstance(model, cls) and model.name == name and model.description
        before = set(vars(model))
        assert model.fit(grid, ctx) is model
        fitted = set(vars(model)) - before
        assert fitted and all(a.endswith("_") for a in fitted), (name, fitted)
        pred = model.predict(days, ctx)
        assert pred.shape == (2, 48) and np.isfinite(pred).all()
    with pytest.raises(ValueError, match="unknown model 'magic'"):
        make_model("magic")
