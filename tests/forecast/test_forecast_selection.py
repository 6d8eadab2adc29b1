"""Robust model choice: weekly origins, paired per-fold differences, the simple default stays
unless a challenger is clearly better."""
import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from forecast import backtest, forecast_volume
from forecast.backtest import BacktestRun, _origin_indices, add_combination, choose, fold_wapes
from forecast.selection import MIN_FOLDS, average_tied_partner, select

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


def _tied(week, rng, k=8):
    """Per-fold WAPEs of the default and of a partner tied with it (same level up to noise)."""
    return {"profile": week[:k], "calendar": week[:k] + rng.normal(0, 0.01, k)}


def test_a_tied_partner_is_averaged_with_the_default():
    rng = np.random.default_rng(2)
    week = rng.uniform(0.15, 0.30, 8)
    wapes = _tied(week, rng) | {"glm_poisson": week + rng.normal(0, 0.01, 8)}
    sel = select(wapes, "profile")
    assert sel.chosen == "profile"  # the selection itself keeps the simple default ...
    avg = average_tied_partner(sel, wapes)  # ... and the tie is averaged, not picked
    assert avg.chosen == "combo(profile+calendar)" and avg.averaged and avg.partner == "calendar"
    assert avg.default == "profile" and avg.confidence == sel.confidence
    assert abs(avg.partner_gain - float(np.mean(wapes["profile"] - wapes["calendar"]))) < 1e-12
    assert "averaged with calendar, not clearly worse" in avg.describe()


def test_identical_models_or_few_folds_give_the_simple_default():
    week = np.random.default_rng(3).uniform(0.15, 0.30, 8)
    wapes = {"profile": week, "calendar": week.copy()}
    sel = average_tied_partner(select(wapes, "profile"), wapes)
    assert sel.chosen == "profile" and not sel.averaged
    short = {m: w[:MIN_FOLDS - 1] for m, w in _tied(week, np.random.default_rng(4)).items()}
    assert average_tied_partner(select(short, "profile"), short).chosen == "profile"
    # without a partner among the candidates there is nothing to average
    only = {"profile": week, "glm_poisson": week + 0.001}
    assert average_tied_partner(select(only, "profile"), only).chosen == "profile"


def test_a_clearly_worse_partner_is_not_averaged_and_a_clear_winner_is_kept():
    rng = np.random.default_rng(5)
    week = rng.uniform(0.15, 0.30, 8)
    worse = {"profile": week, "calendar": week + 0.02 + rng.normal(0, 0.002, 8)}
    sel = average_tied_partner(select(worse, "profile"), worse)
    assert sel.chosen == "profile" and sel.partner == "calendar" and not sel.averaged
    assert sel.partner_gain < -sel.partner_threshold and "not averaged with calendar" in sel.describe()
    # a challenger that clearly beats the default is chosen alone, as before
    better = {"profile": week, "calendar": week - 0.02 + rng.normal(0, 0.002, 8)}
    sel = average_tied_partner(select(better, "profile"), better)
    assert sel.chosen == "calendar" and sel.partner is None and not sel.averaged


def test_the_flat_calendar_stands_in_only_when_clearly_better():
    rng = np.random.default_rng(6)
    week = rng.uniform(0.15, 0.30, 8)
    wapes = _tied(week, rng)
    wapes["calendar_flat"] = wapes["calendar"] + rng.normal(0, 0.01, 8)  # tied with calendar
    assert average_tied_partner(select(wapes, "profile"), wapes).chosen == "combo(profile+calendar)"
    wapes["calendar_flat"] = wapes["calendar"] - 0.015 + rng.normal(0, 0.002, 8)  # clearly better
    wapes["profile"] = wapes["calendar_flat"] + rng.normal(0, 0.01, 8)  # and tied with the default
    sel = select(wapes, "profile")
    assert sel.chosen == "profile"  # no challenger clears the default (calendar is clearly worse)
    assert average_tied_partner(sel, wapes).chosen == "combo(profile+calendar_flat)"


def _run(preds: dict, actual: list) -> BacktestRun:
    run = BacktestRun(list(pd.date_range("2024-01-07", periods=len(actual), freq="7D")), 0, actual,
                      [1.0] * len(actual))
    run.preds = preds
    return run


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_the_average_is_never_worse_than_its_members_mean(seed):
    # |(e1 + e2) / 2| <= (|e1| + |e2|) / 2 in every interval, so on every fold
    rng = np.random.default_rng(seed)
    y = [rng.poisson(20, (7, 6)).astype(float) for _ in range(4)]
    preds = {m: [yy * rng.uniform(0.5, 1.5, yy.shape) for yy in y] for m in ("profile", "calendar")}
    run = _run(preds, y)
    add_combination(run, "combo(profile+calendar)")
    avg = fold_wapes(run, "combo(profile+calendar)")
    assert np.all(avg <= (fold_wapes(run, "profile") + fold_wapes(run, "calendar")) / 2 + 1e-12)


def test_two_equally_good_models_with_independent_errors_average_to_a_better_forecast():
    # synthetic: the true rate is known; profile and calendar miss it by independent day-level
    # errors of the same size (a tie); choose() averages them and the average is closer to the truth
    rng = np.random.default_rng(7)
    rate = np.tile(np.linspace(5, 40, 6), (7, 1))
    actual = [rng.poisson(rate).astype(float) for _ in range(8)]
    preds = {m: [rate * rng.lognormal(0, 0.15, (7, 1)) for _ in range(8)] for m in ("profile", "calendar")}
    run = _run(preds, actual)
    sel = choose(run)
    assert sel.chosen == "combo(profile+calendar)" and sel.averaged
    add_combination(run, sel.chosen)
    wape = {m: fold_wapes(run, m).mean() for m in run.preds}
    assert wape[sel.chosen] < min(wape["profile"], wape["calendar"]), wape
    assert choose(run, combine=False).chosen == "profile"  # combine=False: no averaging


def test_the_chosen_model_or_combination_has_its_row_in_the_backtest_table():
    # what a report headlines is a row of the backtest table: auto's choice (here the profile: the
    # flat calendar model is clearly worse on a series without calendar effects) ...
    hist, _ = synthetic(weeks=14, seed=4)
    res = backtest(hist, models=("profile", "calendar_flat"), horizon_days=7, origins=6, country=None)
    sel = res.selection[None]
    assert sel.chosen == "profile" and sel.partner == "calendar_flat" and not sel.averaged
    assert sel.chosen in set(res.to_frame()["model"])
    # ... and a combination not among the scored ones (named explicitly, as the average of a tie is)
    fc = forecast_volume(hist, "2024-04-14", "2024-04-15", model="combo(profile+calendar_flat)", origins=4)
    rows = fc.report().scores.set_index("model")
    assert "combo(profile+calendar_flat)" in rows.index
    assert np.isfinite(rows.loc["combo(profile+calendar_flat)", ["wape", "fit_s", "phi"]].astype(float)).all()
