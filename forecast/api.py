"""Public entry points :func:`forecast_volume` and :func:`backtest` (and :func:`forecast_aht`,
re-exported from :mod:`forecast.aht`)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core import OpeningHours, check_number

from .aht import AHT_SHRINK_CONTACTS, AHT_WEEKS, aht_frame, aht_table, forecast_aht
from .backtest import DEFAULT_MODELS, BacktestRun, add_combination, calibrated_phi, choose, run_backtest, scores_frame
from .cleaning import clean_outages
from .context import Context, build_context
from .grid import DAY_S, Grid, future_instants, instant_cells, to_grid
from .inputs import check_range, for_queue, prepare_history, split_queues
from .intervals import Dispersion, quantiles
from .models import AUTO, MODELS, combo_members, make_model
from .result import BacktestResult, ForecastResult, QueueReport

__all__ = ["backtest", "forecast_volume", "forecast_aht"]

# models that need no more than one week of history (used when the history is too short for the
# full backtest, e.g. a queue that opened recently)
SHORT_HISTORY_MODELS = ("snaive", "mean4", "profile")


def backtest(history, models=DEFAULT_MODELS, horizon_days=7, origins=8, *, calibration_origins=1,
             interval_s=None, country=None, evening=("20:00", "24:00"), opening_hours=None,
             combine=True) -> BacktestResult:
    """Rolling-origin backtest of volume models.

    ``origins`` scored folds of ``horizon_days`` each, one week apart, on the weekday after the end
    of the history (the last one ends with the history when the horizon is whole weeks); the
    ``calibration_origins`` folds before them only calibrate the prediction intervals. The result's
    ``to_frame()`` has one row per (queue,) model with columns model, wape, mase, bias,
    evening_wape, coverage_80, hit_80, poisson_floor_wape, fit_s (seconds), phi (interval
    dispersion), baseline, folds (+ queue first). ``combine`` adds equal-weight combinations of the
    best 2 and 3 non-baseline models (leave one fold out) and lets ``chosen`` be the average of a
    tie (:func:`forecast.selection.average_tied_partner`). ``chosen`` maps queue (None without a
    queue column) -> the model ``auto`` would use, ``selection`` -> how sure that choice is (the rule
    of :mod:`forecast.selection`). See :mod:`forecast.backtest` for the definitions.
    """
    history, interval_s = prepare_history(history, interval_s)
    if isinstance(models, str) or len(models) == 0:
        raise ValueError(f"models={models!r}: expected a non-empty list of names from {sorted(MODELS)}")
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown models {unknown}; expected names from {sorted(MODELS)}")
    frames, selection = [], {}
    for q, h in split_queues(history):
        grid = to_grid(h, interval_s)
        ctx = build_context(grid, country, opening_hours)
        try:
            run = run_backtest(grid, ctx, models, horizon_days, origins, calibration_origins, evening, combine)
        except ValueError as exc:
            raise for_queue(q, exc) from None
        selection[q] = choose(run, combine=combine)
        _score_chosen(run, selection[q].chosen)
        sc = scores_frame(run)
        if q is not None:
            sc.insert(0, "queue", q)
        frames.append(sc)
    return BacktestResult(pd.concat(frames, ignore_index=True), selection)


@dataclass(frozen=True)
class _Settings:
    """The per-queue settings of one :func:`forecast_volume` call (see its parameters)."""

    model: str
    names: tuple[str, ...]  # models to backtest
    horizon_days: int | None
    origins: int
    calibration_origins: int
    country: str | None
    evening: tuple
    opening_hours: object
    combine: bool


def forecast_volume(history, start, end, model=AUTO, *, interval_s=None, horizon_days=None, origins=8,
                    calibration_origins=1, models=None, country=None, evening=("20:00", "24:00"),
                    opening_hours=None, combine=True) -> ForecastResult:
    """Forecast contacts per interval for every open interval in [start, end).

    Parameters
    ----------
    history: a history DataFrame from :func:`read_history` (or a path it can read with default column
        names). One forecast per queue when it has a ``queue`` column.
    start, end: forecast range (end exclusive); naive local times, or aware when the history has a zone.
    model: ``"auto"`` (the simple default ``profile`` unless another of ``models`` or their
        combinations beats it clearly, week after week; with no clear winner, the plain average of
        the profile and the calendar model unless that is clearly worse; see
        :mod:`forecast.selection`) or a model name from :data:`forecast.MODELS`, or a
        ``"combo(a+b)"`` name.
    interval_s: planning interval in seconds (history is resampled); default: the history's.
    horizon_days: backtest horizon; default the number of days from the end of history to ``end``,
        clipped to 7..28. ``origins`` scored folds plus ``calibration_origins`` earlier folds, one
        week apart, starting on the weekday of ``start`` (as many as the history allows).
    models: the models ``"auto"`` chooses from (default: :data:`forecast.models.AUTO_MODELS`, the
        registry without the dominated ``daily_sarimax`` and ``mstl_ets``).
    country: ``holidays`` country code for holiday / eve effects, e.g. ``"IL"`` for the bundled bank
        data (default None: no holiday calendar).
    evening: wall-clock window scored separately in the backtest.
    opening_hours: a :class:`core.OpeningHours` or {weekday: [("HH:MM", "HH:MM"), ...]} overriding
        the open slots seen in history.
    combine: let ``"auto"`` also choose equal-weight combinations of the best 2 and 3 models
        (scored leave one fold out) and average a tie of the profile and the calendar model.

    Returns
    -------
    A :class:`~forecast.result.ForecastResult`: ``to_frame()`` has ``interval_start``, ``volume``
    (expected contacts per interval), ``volume_p10``, ``volume_p90`` (80% prediction interval,
    negative binomial with backtest-calibrated dispersion), ``model``, with ``opening_hours`` also
    ``open_fraction`` (share of the interval inside them, e.g. 5 / 30 for the 21:00 half-hour of a
    day ending at 21:05: a partial interval, whose volume arrives in its open minutes), plus ``queue`` and ``aht_s``
    (seconds, see :func:`forecast_aht`) when the history has them; ``report(queue)`` holds the
    chosen model, how sure that choice is, the dispersion, the backtest scores and the days whose
    outage intervals were replaced in training (``cleaned_days``, see :mod:`forecast.cleaning`) and
    the forecast days without an open interval with the reason (``closed_days``: a holiday closed
    as the history showed it, or a weekday never open). Holidays are open or closed one by one as
    the history last showed them; one never seen follows its weekday (see :mod:`forecast.context`). A queue whose history is too short for the
    backtest (at least 4 weeks of training before the first fold) is forecast from weekly folds
    after one week of training with the simple models only (``short_history`` in its report);
    fewer than two weeks of history is an error.
    """
    check_range(start, end)
    if horizon_days is not None:
        horizon_days = check_number("horizon_days", horizon_days, minimum=1, integer=True)
    history, interval_s = prepare_history(history, interval_s)
    tz = history["interval_start"].dt.tz
    instants = future_instants(start, end, interval_s, tz)
    names = list(models) if models is not None else list(DEFAULT_MODELS)
    if not names:
        raise ValueError(f"models=[]: expected names from {sorted(MODELS)}")
    if model != AUTO:
        for m in combo_members(model):
            make_model(m)  # validates the name
        names = combo_members(model)
    settings = _Settings(model, tuple(names), horizon_days, origins, calibration_origins, country,
                         evening, opening_hours, combine)
    frames, reports = [], {}
    for q, h in split_queues(history):
        s = settings
        if model == AUTO and not (h["volume"].to_numpy(float) > 0).any():
            s = replace(settings, model="snaive", names=("snaive",), combine=False)  # no contacts: 0 where open
        try:
            out, reports[q] = _forecast_queue(h, q, start, end, instants, interval_s, s)
        except ValueError as exc:
            raise for_queue(q, exc) from None
        frames.append(out)
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return ForecastResult(result, reports, interval_s)


def _score_chosen(run: BacktestRun, chosen: str) -> None:
    """Add the chosen model to ``run`` when it is a combination not scored yet (an explicit one, or
    the average of a tie), so the backtest table has its row and the forecast its dispersion."""
    if chosen not in run.phi:
        add_combination(run, chosen)
        run.fit_s[chosen] = sum(run.fit_s.get(m, np.nan) for m in combo_members(chosen))
        run.phi[chosen] = calibrated_phi(run, chosen, len(run.origins))


def _horizon_days(grid: Grid, end, horizon_days) -> int:
    """The backtest horizon: as given, else the days from the end of history to ``end`` in 7..28."""
    if horizon_days is not None:
        return int(horizon_days)
    hist_end = grid.days[-1] + pd.Timedelta(days=1)
    last = pd.Timestamp(end).tz_localize(None) if pd.Timestamp(end).tz is not None else pd.Timestamp(end)
    return int(np.clip(np.ceil((last - hist_end) / pd.Timedelta(days=1)), 7, 28))


def _start_offset(grid: Grid, start) -> int:
    """Days from the day after the history to the forecast's first day (>= 0)."""
    first = pd.Timestamp(start)
    first = (first.tz_localize(None) if first.tz is not None else first).normalize()
    return max(0, int((first - (grid.days[-1] + pd.Timedelta(days=1))) / pd.Timedelta(days=1)))


def _run(grid: Grid, ctx: Context, s: _Settings, hd: int, offset: int) -> tuple[BacktestRun, int, bool]:
    """The backtest of one queue: (run, horizon days, short_history)."""
    combine = s.combine and s.model == AUTO
    try:
        return run_backtest(grid, ctx, s.names, hd, s.origins, s.calibration_origins, s.evening,
                            combine=combine, start_offset=offset), hd, False
    except ValueError as exc:
        if "too short" not in str(exc):
            raise
        # A queue that opened recently: weekly folds after one week of training, with the models
        # that need no more than that; the report says so.
        simple = [m for m in s.names if m in SHORT_HISTORY_MODELS]
        if not simple:
            raise ValueError(f"{exc}; with less history only {', '.join(SHORT_HISTORY_MODELS)} can be "
                             "fitted (model='auto' falls back to them)") from None
        hd = min(hd, 7)
        return run_backtest(grid, ctx, simple, hd, s.origins, s.calibration_origins, s.evening,
                            combine=combine, min_train_days=7, start_offset=offset), hd, True


def _forecast_queue(h: pd.DataFrame, q, start, end, instants: pd.DatetimeIndex, interval_s: int,
                    s: _Settings) -> tuple[pd.DataFrame, QueueReport]:
    """One queue's forecast frame and backtest report (see :func:`forecast_volume`)."""
    raw = to_grid(h, interval_s)
    ctx = build_context(raw, s.country, s.opening_hours)
    run, hd, short_history = _run(raw, ctx, s, _horizon_days(raw, end, s.horizon_days), _start_offset(raw, start))
    grid, cleaned = clean_outages(raw, ctx)  # the models are fitted on the cleaned history
    selection = choose(run, combine=s.combine) if s.model == AUTO else None
    chosen = selection.chosen if selection is not None else s.model
    _score_chosen(run, chosen)
    sc = scores_frame(run)
    disp = run.phi[chosen]
    phi = disp.overall
    out = _interval_frame(grid, ctx, chosen, instants, disp, OpeningHours.coerce(s.opening_hours))
    if q is not None:
        out.insert(0, "queue", q)
    if "aht_s" in h.columns:
        # the grid and open cells of this queue are at hand: no second validation and resampling
        aht = aht_frame(grid, aht_table(grid, q, AHT_WEEKS, AHT_SHRINK_CONTACTS)[0], instants, ctx.open_mask)
        out = out.merge(aht[["interval_start", "aht_s"]], on="interval_start", how="left")
    report = QueueReport(chosen=chosen, phi=phi, horizon_days=hd,
                         origins=tuple(str(o.date()) for o in run.origins),
                         calibration_origins=run.n_calibration, short_history=short_history, scores=sc,
                         selection=selection, cleaned_days=tuple(cleaned), dispersion=disp,
                         closed_days=tuple(ctx.closed_days(_range_days(start, end))))
    return out, report


def _range_days(start, end) -> pd.DatetimeIndex:
    """The local calendar days that [start, end) touches (naive midnights)."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    s = s.tz_localize(None) if s.tz is not None else s
    e = e.tz_localize(None) if e.tz is not None else e
    return pd.date_range(s.normalize(), (e - pd.Timedelta(microseconds=1)).normalize(), freq="D")


def _predict_days(grid: Grid, ctx: Context, name: str, days: pd.DatetimeIndex) -> np.ndarray:
    """(len(days), n_slots) forecast of model ``name`` (a combination: mean of its members)."""
    preds = [make_model(m).fit(grid, ctx).predict(days, ctx) for m in combo_members(name)]
    return np.maximum(np.mean(preds, axis=0), 0.0)


def _interval_frame(grid: Grid, ctx: Context, chosen: str, instants: pd.DatetimeIndex,
                    disp: Dispersion, hours: OpeningHours | None) -> pd.DataFrame:
    """The forecast rows of the open intervals among ``instants``; with ``hours``, ``open_fraction``
    is the share of each interval inside them (without, the history's open slots are whole)."""
    cols = ["interval_start", "volume", "volume_p10", "volume_p90", "model"] + ([] if hours is None else ["open_fraction"])
    if len(instants) == 0:
        return pd.DataFrame({c: [] for c in cols})
    day, slot = instant_cells(instants, grid.interval_s)
    d0 = int(day.min())
    days = pd.DatetimeIndex(pd.to_datetime(np.arange(d0, int(day.max()) + 1) * DAY_S, unit="s"))
    last_train = grid.days[-1]
    if days[0] <= last_train:
        raise ValueError(
            f"forecast start {instants[0]} is not after the history (last day {last_train.date()}); "
            "expected a range after the end of the history"
        )
    open_rows = ctx.open_cells(days)[day - d0, slot]
    pred = _predict_days(grid, ctx, chosen, days)
    mu = pred[day - d0, slot][open_rows]
    q10, q90 = quantiles(mu, disp.of_slots(slot[open_rows]))
    out = pd.DataFrame({
        "interval_start": instants[open_rows],
        "volume": mu,
        "volume_p10": q10,
        "volume_p90": q90,
        "model": chosen,
    })
    if hours is not None:  # > 0: with hours, the open slots are exactly those overlapping them
        out["open_fraction"] = hours.open_fraction(instants[open_rows], grid.interval_s)
    return out
