"""Robust model choice: weekly origins, paired per-fold differences, the simple default stays
unless a challenger is clearly better."""
import numpy as np
import pandas as pd

from forecast import backtest
from forecast.backtest import _origin_indices
from forecast.selection import select

from test_forecast_models import synthetic


def test_origins_are_weekly_on_the_forecast_weekday_and_cover_the_horizon():
    # 100 days of history, forecast starts the day after: 8 origins a week apart, last ends with history
    idx = _origin_indices(100, 7, 8, 28)
    assert idx == [44, 51, 58, 65, 72, 79, 86, 93]
    # a 28-day horizon: origins still a week apart (folds overlap), on the same weekday (day 100 % 7)
    idx = _origin_indices(100, 28, 3, 28)
    assert idx == [58, 65, 72] and all((100 - i) % 7 == 0 for i in idx)
    # a forecast starting 2 days after the history: origins on that weekday
    idx = _origin_indices(100, 7, 2, 28, start_offset=2)
    assert all((102 - i) % 7 == 0 for i in idx) and idx[-1] + 7 <= 100


def test_equal_models_give_the_simple_default():
    rng = np.random.default_rng(0)
    week = rng.uniform(0.15, 0.30, 12)  # hard and easy weeks
    # a challenger that is the same model up to noise, and one identical
    sel = select({"profile": week, "twin": week.copy(), "noisy": week + rng.normal(0, 0.01, 12)}, "profile")
    assert sel.chosen == "profile" and sel.default == "profile"
    assert "kept the simple default" in sel.describe()
    # over many seeds, pure noise almost never leaves the default (the rule's alpha is 10%)
    left = 0
    for seed in range(200):
        r = np.random.default_rng(seed)
        w = r.uniform(0.15, 0.3, 8)
        cands = {"profile": w, **{f"m{k}": w + r.normal(0, 0.01, 8) for k in range(5)}}
        left += select(cands, "profile").chosen != "profile"
    assert left <= 0.12 * 200, left


def test_a_clearly_better_model_is_chosen_with_its_confidence():
    rng = np.random.default_rng(1)
    week = rng.uniform(0.15, 0.30, 10)
    better = week - 0.01 + rng.normal(0, 0.002, 10)  # better every week by about one point
    sel = select({"profile": week, "better": better}, "profile")
    assert sel.chosen == "better" and sel.gain > sel.threshold and sel.confidence > 0.99
    # the same mean gain with large week-to-week swings (+-0.05: better one week, worse the next)
    noisy = week - 0.01 + 0.05 * np.resize([1, -1], 10)
    assert select({"profile": week, "better": noisy}, "profile").chosen == "profile"
    # with fewer than 4 folds the noise is not measurable: the default stays
    assert select({"profile": week[:3], "better": better[:3]}, "profile").chosen == "profile"


def test_auto_on_a_stable_series_keeps_the_profile_and_reports_how_sure():
    hist, _ = synthetic(weeks=14, seed=4)
    res = backtest(hist, models=("mean4", "profile", "glm_poisson"), horizon_days=7, origins=8, country=None)
    sel = res.selection[None]
    assert res.chosen[None] == sel.chosen == "profile" and sel.folds == 8
    assert 0.0 <= sel.confidence <= 1.0
    # combinations are scored leave-one-fold-out and named by the members used for the forecast
    assert any(m.startswith("combo(") for m in res.to_frame()["model"])
