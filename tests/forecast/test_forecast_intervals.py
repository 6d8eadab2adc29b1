"""Interval calibration on the plain hit rate, recent folds weighing more, and the profile's
slot smoothing (fixed seeds, binomial tolerances)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from forecast.backtest import PLAIN_AVERAGE, run_backtest, scores_frame
from forecast.context import build_context
from forecast.grid import to_grid
from forecast.intervals import calibrate_dispersion, calibrate_phi_hits, quantiles, time_bands
from forecast.models.base import smooth_slots

from test_forecast_models import synthetic


def _sample(rng, n, phi, lo=5.0, hi=80.0):
    mu = rng.uniform(lo, hi, n)
    return rng.poisson(mu * rng.gamma(1 / phi, phi, n)).astype(float), mu


def _hits(y, mu, phi):
    q10, q90 = quantiles(mu, phi)
    return ((y >= q10) & (y <= q90)).mean()


def test_hit_calibration_holds_80_percent_of_an_independent_sample():
    rng = np.random.default_rng(11)
    n = 5000
    y, mu = _sample(rng, 2 * n, 0.04)
    phi = calibrate_phi_hits(y[:n], mu[:n])
    assert phi == pytest.approx(0.04, rel=0.3)
    # 3-sigma binomial band of the new sample plus the same for the calibration sample's error
    assert abs(_hits(y[n:], mu[n:], phi) - 0.8) < 2 * 3 * np.sqrt(0.8 * 0.2 / n)


def test_hit_calibration_rejects_nothing_silently():
    assert np.isnan(calibrate_phi_hits([], []))
    assert calibrate_phi_hits([10, 10, 10], [10, 10, 10]) == pytest.approx(1e-6)  # Poisson holds them all


def test_recent_folds_weigh_more():
    """Old folds with large errors, recent folds with small: with a fold half-life the interval
    follows the recent level and holds about 80% of a new fold like the recent ones."""
    rng = np.random.default_rng(5)
    slots = 48
    bands = time_bands(slots, 1800, np.arange(slots) >= 40)

    def fold(phi):
        y, mu = _sample(rng, 7 * slots, phi)
        return y.reshape(7, slots), mu.reshape(7, slots)

    folds = [fold(0.3) for _ in range(4)] + [fold(0.02) for _ in range(4)]
    ys, ps = [f[0] for f in folds], [f[1] for f in folds]
    equal = calibrate_dispersion(ys, ps, bands)
    recent = calibrate_dispersion(ys, ps, bands, fold_halflife=1.0)
    assert recent.overall < 0.5 * equal.overall
    y_new, mu_new = fold(0.02)
    n = y_new.size
    hit = _hits(y_new.ravel(), mu_new.ravel(), np.asarray(recent.of_slots(np.tile(np.arange(slots), 7))))
    assert abs(hit - 0.8) < 3 * np.sqrt(0.8 * 0.2 / n) + 0.05  # + the calibration's own error (4 folds, 1/16 weight)
    assert _hits(y_new.ravel(), mu_new.ravel(), equal.overall) > 0.9  # equal weights: far too wide


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=1, max_size=20), st.floats(0, 0.33))
def test_smoothing_keeps_closed_slots_and_stays_between_neighbours(row, w):
    P = np.array([[np.nan if v is None else v for v in row]])
    S = smooth_slots(P, w)
    assert (np.isnan(S) == np.isnan(P)).all()
    for i in np.flatnonzero(np.isfinite(P[0])):
        near = P[0, max(0, i - 1):i + 2]
        near = near[np.isfinite(near)]
        assert near.min() - 1e-9 <= S[0, i] <= near.max() + 1e-9


def test_smoothing_keeps_a_step():
    P = np.array([[0.0, 40.0, 44.0, 40.0, np.nan, 10.0]])
    S = smooth_slots(P, 0.2)
    assert S[0, 0] == 0.0 and S[0, 5] == 10.0  # a real zero next to a busy slot; a closed neighbour
    assert S[0, 2] == pytest.approx(0.6 * 44 + 0.4 * 40)


def test_the_plain_average_is_scored_with_its_fixed_members():
    hist, _ = synthetic(weeks=12, seed=4)
    grid = to_grid(hist, 1800)
    ctx = build_context(grid, None)
    run = run_backtest(grid, ctx, ["mean4", *PLAIN_AVERAGE], horizon_days=7, origins=4, calibration_origins=1)
    name = "combo(" + "+".join(PLAIN_AVERAGE) + ")"
    for i in range(len(run.origins)):
        np.testing.assert_allclose(run.preds[name][i], np.mean([run.preds[m][i] for m in PLAIN_AVERAGE], axis=0))
    assert name in set(scores_frame(run)["model"])


def test_the_fast_hit_rule_is_the_published_interval():
    """calibrate_phi_hits counts y as inside when (F(y-1) + F(y)) / 2 is in [0.1, 0.9], without
    the quantile function: the phi it returns makes the published [p10, p90] of :func:`quantiles`
    hold the target share of the same sample, small counts included (up to the discreteness of
    the hit rate as phi moves)."""
    rng = np.random.default_rng(0)
    mu = np.concatenate([rng.uniform(0.01, 3, 3000), rng.uniform(3, 100, 3000)])
    phi = rng.uniform(0.001, 0.5, mu.size)
    y = rng.poisson(mu * rng.gamma(1 / phi, phi)).astype(float)
    for target in (0.7, 0.8):
        p = calibrate_phi_hits(y, mu, target=target)
        q10, q90 = quantiles(mu, p)
        rate = ((y >= q10) & (y <= q90)).mean()
        assert abs(rate - target) < 0.01, (target, rate)
