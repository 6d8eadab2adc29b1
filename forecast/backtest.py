"""Rolling-origin backtest and model selection.

Origins are weekly (one week apart) and fall on the weekday the real forecast starts on (by default
the day after the history); at each origin (a local midnight) every model is fitted on the days
strictly before it and forecasts the next ``horizon_days`` (folds overlap when the horizon is longer
than a week). The last fold ends as close to the end of the history as that weekday allows. Nothing
after an origin is ever passed to a model: the training grid is sliced (``Grid.head``) before
fitting.

The plain average ``combo(profile+calendar)`` (:data:`PLAIN_AVERAGE`) is scored beside them with
its fixed members. Combinations ``combo(a+b)`` of the best models are scored honestly: on each fold the combination is the equal-weight
mean of the ``k`` single models ranked best on the *other* folds (leave one fold out), so a
combination never wins by being chosen on the folds it is scored on; its name lists the models
ranked best on all folds (what the forecast will use). :func:`choose` applies the rule of
:mod:`forecast.selection`, including the average of a tie.

Scores per model, on open intervals with an actual value (volume-weighted unless stated):

- ``wape``: sum |forecast - actual| / sum actual.
- ``mase``: mean |error| / mean |y(t) - y(t - 7 days)| of the training data (weekly seasonal naive
  in sample), pooled over folds.
- ``bias``: sum (forecast - actual) / sum actual (positive = over-forecast).
- ``evening_wape``: WAPE on the evening window (20:00-24:00 by default).
- ``coverage_80``: share of actuals whose randomized PIT lies in [0.1, 0.9] under the interval
  model of :mod:`forecast.intervals` (dispersion per time-of-day band and day level), with the
  dispersion of each fold calibrated only on earlier folds (recent ones weighing more) (the first ``calibration_origins`` folds
  only serve that purpose and are not scored).
- ``hit_80``: plain share of actuals within [volume_p10, volume_p90].
- ``evening_coverage_80``, ``evening_hit_80``: the same on the evening window.
- ``phi``: one dispersion for all intervals (what the intraday re-forecast uses).
- ``poisson_floor_wape``: sum sqrt(2 actual / pi) / sum actual, the WAPE a forecast that knew the
  true Poisson rate would still make (E|N - lambda| ~ sqrt(2 lambda / pi)); the same for all models.
- ``fit_s``: seconds spent fitting and predicting, all folds.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .cleaning import clean_outages
from .grid import Grid, window_mask
from .intervals import Dispersion, calibrate_dispersion, pit_coverage, quantiles, time_bands
from .context import Context
from .models import AUTO_MODELS, BASELINES, combo_members, make_model
from .selection import DEFAULT_CHOICE, Selection, average_tied_partner, select

__all__ = ["DEFAULT_MODELS", "BacktestRun", "run_backtest", "scores_frame", "choose", "add_combination",
           "add_combinations", "calibrated_phi", "fold_wapes"]

DEFAULT_MODELS = AUTO_MODELS  # the candidates of ``auto`` unless ``models=`` says otherwise
# interval calibration: a backtest fold's weight halves every 2 folds back (the error level moves:
# on the bank the 26 weeks Apr-Sep had WAPE 0.26, the 12 after them 0.21)
CALIBRATION_HALFLIFE = 2.0
# a plain average always scored beside the leave-one-fold-out combinations: the bottom-up profile
# and the top-down calendar model use different information (recent intervals; a year of daily
# totals); on the bank's 26 weekly folds before the bench's test weeks it had WAPE 0.250 against
# 0.259 (profile) and 0.276 (calendar)
PLAIN_AVERAGE = ("profile", "calendar")


@dataclass
class BacktestRun:
    """Per-fold forecasts of every model on one queue (internal; see :func:`scores_frame`)."""

    origins: list  # fold start days (Timestamps), calibration folds first
    n_calibration: int
    actual: list  # per fold (h, n_slots) arrays, NaN = not scored
    scale: list  # per fold MASE scale
    preds: dict = field(default_factory=dict)  # model -> list of (h, n_slots)
    fit_s: dict = field(default_factory=dict)
    evening: np.ndarray | None = None
    bands: np.ndarray | None = None  # time-of-day band per slot (forecast.intervals.time_bands)
    special: list = field(default_factory=list)  # per fold (h,) bool: holiday or eve days
    phi: dict = field(default_factory=dict)  # model -> Dispersion from all folds


def _origin_indices(n_days: int, horizon_days: int, n_folds: int, min_train_days: int,
                    start_offset: int = 0) -> list[int]:
    """Weekly origins (day indices) on the weekday of day ``n_days + start_offset`` (the real
    forecast's first day), the last one with its whole horizon inside the history."""
    j0 = -(-(horizon_days + start_offset) // 7)  # weeks back from the forecast's first day
    last = n_days + start_offset - 7 * j0
    idx = [last - 7 * k for k in range(n_folds - 1, -1, -1)]
    return [i for i in idx if i >= min_train_days]


def run_backtest(grid: Grid, ctx: Context, models, horizon_days=7, origins=8, calibration_origins=1,
                 evening=("20:00", "24:00"), combine=True, min_train_days=28, start_offset=0,
                 clean=True) -> BacktestRun:
    """Fit and forecast every model at every origin; returns the per-fold forecasts.

    ``clean``: replace outage intervals in each fold's training data (:mod:`forecast.cleaning`).
    ``start_offset``: days from the day after the history to the real forecast's first day (its
    weekday is the origins' weekday)."""
    if horizon_days < 1:
        raise ValueError(f"horizon_days={horizon_days}: expected >= 1")
    if origins < 1:
        raise ValueError(f"origins={origins}: expected >= 1")
    folds = _origin_indices(len(grid.days), horizon_days, origins + calibration_origins, min_train_days,
                            start_offset % 7)
    if len(folds) == 0:
        raise ValueError(
            f"history of {len(grid.days)} days is too short for a backtest with horizon {horizon_days} days "
            f"(need at least {min_train_days + horizon_days} days)"
        )
    n_cal = max(0, len(folds) - origins)
    open_cells = ctx.open_mask
    run = BacktestRun([grid.days[o] for o in folds], n_cal, [], [])
    run.evening = window_mask(grid.n_slots, grid.interval_s, evening)
    run.bands = time_bands(grid.n_slots, grid.interval_s, run.evening)
    for o in folds:
        days = grid.days[o:o + horizon_days]
        y = grid.Y[o:o + horizon_days].copy()
        y[~open_cells[days.day_of_week.to_numpy()]] = np.nan
        run.actual.append(y)
        run.special.append(ctx.daytype(days) >= 7)
        tr = grid.Y[max(0, o - 56):o]
        diff = np.abs(tr[7:] - tr[:-7])
        run.scale.append(float(np.nanmean(diff)) if np.isfinite(diff).any() else np.nan)
    # outages are cleaned in each fold's training data with that data alone; actuals stay raw
    train = {o: clean_outages(grid.head(o), ctx)[0] if clean else grid.head(o) for o in folds}
    for name in models:
        t0 = time.perf_counter()
        preds = []
        for o in folds:
            days = grid.days[o:o + horizon_days]
            model = make_model(name).fit(train[o], ctx)
            preds.append(np.maximum(model.predict(days, ctx), 0.0))
        run.fit_s[name] = time.perf_counter() - t0
        run.preds[name] = preds
    if combine:
        add_combinations(run)
    for name in run.preds:
        run.phi[name] = calibrated_phi(run, name, len(folds))
    return run


def fold_wapes(run: BacktestRun, name: str, folds=None) -> np.ndarray:
    """WAPE of model ``name`` on each fold (``folds``: indices, default all), NaN for an empty fold."""
    out = []
    for i in (range(len(run.origins)) if folds is None else folds):
        p, y = run.preds[name][i], run.actual[i]
        m = np.isfinite(y)
        tot = y[m].sum()
        out.append(np.abs(p[m] - y[m]).sum() / tot if tot > 0 else np.nan)
    return np.asarray(out, float)


def _pooled_wape(run: BacktestRun, name: str, folds) -> float:
    err = tot = 0.0
    for i in folds:
        p, y = run.preds[name][i], run.actual[i]
        m = np.isfinite(y)
        err += np.abs(p[m] - y[m]).sum()
        tot += y[m].sum()
    return err / tot if tot > 0 else np.inf


def add_combinations(run: BacktestRun) -> None:
    """Equal-weight means of the 2 and 3 best non-baseline models, leave one fold out: on fold i the
    members are the best on the other folds (see the module docstring)."""
    cands = [m for m in run.preds if m not in BASELINES and not m.startswith("combo(")]
    n = len(run.origins)
    if len(cands) < 2 or n < 2:
        return
    for k in (2, 3):
        if len(cands) < k:
            break
        members = sorted(cands, key=lambda m: _pooled_wape(run, m, range(n)))[:k]
        preds = []
        for i in range(n):
            others = [j for j in range(n) if j != i]
            top = sorted(cands, key=lambda m: _pooled_wape(run, m, others))[:k]
            preds.append(np.mean([run.preds[m][i] for m in top], axis=0))
        name = "combo(" + "+".join(members) + ")"
        run.preds[name] = preds
        run.fit_s[name] = sum(run.fit_s[m] for m in cands)
    if all(m in run.preds for m in PLAIN_AVERAGE):  # fixed members: nothing chosen on the folds
        name = "combo(" + "+".join(PLAIN_AVERAGE) + ")"
        add_combination(run, name)
        run.fit_s[name] = sum(run.fit_s[m] for m in PLAIN_AVERAGE)


def add_combination(run: BacktestRun, name: str) -> None:
    """Add the per-fold forecasts of a combination ``"combo(a+b)"`` (equal-weight mean of its
    members, which must be in ``run``) to ``run.preds``."""
    members = combo_members(name)
    run.preds[name] = [np.mean([run.preds[m][i] for m in members], axis=0) for i in range(len(run.origins))]


def calibrated_phi(run: BacktestRun, name: str, upto: int) -> Dispersion:
    """Interval dispersion of model ``name`` (per time-of-day band plus a day-level component, see
    :mod:`forecast.intervals`) calibrated on the ordinary days of the first ``upto`` folds (NaN
    without)."""
    # holidays and their eves are left out: their misses are their own, and a holiday season in
    # the calibration folds would widen every ordinary week after it
    keep = [~sp for sp in run.special[:upto]]
    return calibrate_dispersion([y[k] for y, k in zip(run.actual[:upto], keep)],
                                [p[k] for p, k in zip(run.preds[name][:upto], keep)], run.bands,
                                fold_halflife=CALIBRATION_HALFLIFE)


def _coverage(y, p, disp: Dispersion, m) -> tuple[float, float]:
    """(sum of randomized-PIT coverage, number of actuals inside [p10, p90]) over cells ``m``."""
    phi = np.broadcast_to(disp.of_slots(np.arange(y.shape[1]))[None, :], y.shape)[m]
    q10, q90 = quantiles(p[m], phi)
    return float(pit_coverage(y[m], p[m], phi).sum()), float(((y[m] >= q10) & (y[m] <= q90)).sum())


def scores_frame(run: BacktestRun, **extra) -> pd.DataFrame:
    """One row of scores per model (see module docstring for definitions)."""
    rows = []
    scored = range(run.n_calibration, len(run.origins))
    for name, preds in run.preds.items():
        err = tot = signed = ev_err = ev_tot = floor = mase_num = mase_den = 0.0
        cov = np.zeros(4)  # coverage sum, hits, evening coverage sum, evening hits
        cov_n = ev_n = 0
        for i in scored:
            y, p = run.actual[i], preds[i]
            m = np.isfinite(y)
            e = p[m] - y[m]
            err += np.abs(e).sum()
            signed += e.sum()
            tot += y[m].sum()
            floor += np.sqrt(2.0 * y[m] / np.pi).sum()
            ev = m & run.evening[None, :]
            ev_err += np.abs(p[ev] - y[ev]).sum()
            ev_tot += y[ev].sum()
            if np.isfinite(run.scale[i]) and run.scale[i] > 0:
                mase_num += np.abs(e).sum()
                mase_den += run.scale[i] * m.sum()
            if i > 0:  # dispersion only from earlier folds: never look ahead
                disp = calibrated_phi(run, name, i)
                cov += [*_coverage(y, p, disp, m), *_coverage(y, p, disp, ev)]
                cov_n += int(m.sum())
                ev_n += int(ev.sum())
        rows.append({
            "model": name,
            "wape": err / tot if tot else np.nan,
            "mase": mase_num / mase_den if mase_den else np.nan,
            "bias": signed / tot if tot else np.nan,
            "evening_wape": ev_err / ev_tot if ev_tot else np.nan,
            "coverage_80": cov[0] / cov_n if cov_n else np.nan,
            "hit_80": cov[1] / cov_n if cov_n else np.nan,
            "evening_coverage_80": cov[2] / ev_n if ev_n else np.nan,
            "evening_hit_80": cov[3] / ev_n if ev_n else np.nan,
            "poisson_floor_wape": floor / tot if tot else np.nan,
            "fit_s": run.fit_s.get(name, np.nan),
            "phi": run.phi[name].overall if name in run.phi else np.nan,
            "baseline": name in BASELINES,
            "folds": len(scored),
            **extra,
        })
    return pd.DataFrame(rows)


def choose(run: BacktestRun, default: str | None = None, combine: bool = True) -> Selection:
    """The model ``auto`` uses, by the rule of :mod:`forecast.selection` on the scored folds.
    ``default``: the simple default (``profile``, else ``mean4``, else the first model run).
    ``combine``: when no model clearly beats the default, average it with its partner unless that is
    clearly worse (:func:`forecast.selection.average_tied_partner`)."""
    names = list(run.preds)
    if default is None:
        default = next((m for m in (DEFAULT_CHOICE, "mean4") if m in names), names[0] if names else None)
    scored = range(run.n_calibration, len(run.origins))
    wapes = {m: fold_wapes(run, m, scored) for m in names}
    if default is None or not np.isfinite(wapes[default]).any():
        raise ValueError("backtest produced no scores; history too short or all intervals closed")
    sel = select(wapes, default)
    return average_tied_partner(sel, wapes) if combine else sel
