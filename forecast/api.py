"""Public entry points: :func:`backtest`, :func:`forecast_volume`, :func:`forecast_aht`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .backtest import DEFAULT_MODELS, choose, run_backtest, scores_frame
from .grid import DAY_S, Grid, future_instants, holiday_flags, open_mask, to_grid
from .history import _local_epoch_s, infer_interval_s, read_history, resample_history
from .intervals import quantiles
from .models import MODELS, Context, make_model

__all__ = ["backtest", "forecast_volume", "forecast_aht"]

# models that need no more than one week of history (used when the history is too short for the
# full backtest, e.g. a queue that opened recently)
SHORT_HISTORY_MODELS = ("snaive", "mean4", "profile")
AHT_WEEKS, AHT_SHRINK_CONTACTS = 8, 50.0  # forecast_aht defaults, also used by forecast_volume


def _prepare(history, interval_s):
    """Validate (a DataFrame gets the same checks as a file) and resample to ``interval_s``."""
    if isinstance(history, pd.DataFrame):
        if "interval_start" not in history.columns or "volume" not in history.columns:
            raise ValueError(
                f"history needs columns 'interval_start' and 'volume' (see read_history); got "
                f"{list(history.columns)}"
            )
        attrs = dict(history.attrs)
        history = read_history(history, interval_s=attrs.get("interval_s"))
        history.attrs = {**attrs, **history.attrs}
    else:
        history = read_history(history)
    src_s = infer_interval_s(history)
    if interval_s is None:
        interval_s = src_s
    elif interval_s != src_s:
        history = resample_history(history, interval_s)
    return history, int(interval_s)


def _queues(history):
    if "queue" in history.columns:
        return [(q, g.reset_index(drop=True)) for q, g in history.groupby("queue", sort=True)]
    return [(None, history)]


def _for_queue(q, exc: ValueError) -> ValueError:
    """The same error, naming the queue when the history has several."""
    if q is None or str(exc).startswith(f"queue {q!r}:"):
        return exc
    return ValueError(f"queue {q!r}: {exc}")


def _check_range(start, end):
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if (s.tz is None) == (e.tz is None) and e <= s:
        raise ValueError(f"end={end!r} is not after start={start!r}; expected a range [start, end) with end > start")


def _context(grid: Grid, country, opening_hours) -> Context:
    mask = open_mask(grid, opening_hours)
    return Context(country, mask, lambda d: holiday_flags(d, country),
                   None if opening_hours is not None else _holiday_open(grid, country, mask))


def _holiday_open(grid: Grid, country, mask) -> np.ndarray | None:
    """Slots open on public holidays, from the holidays in the history that fell on a normally open
    weekday: closed is not zero, so a center without rows on its holidays gets no holiday forecast.
    None when the history holds no such holiday or the holidays look like ordinary days."""
    if not country:
        return None
    hol, _ = holiday_flags(grid.days, country)
    usual = mask[grid.days.day_of_week.to_numpy()].any(axis=1)
    sel = hol & usual
    if not sel.any():
        return None
    seen = np.isfinite(grid.Y[sel]).any(axis=0)
    return None if np.array_equal(seen, mask[grid.days.day_of_week.to_numpy()[sel]].any(axis=0)) else seen


def backtest(history, models=DEFAULT_MODELS, horizon_days=7, origins=3, *, calibration_origins=1,
             interval_s=None, country=None, evening=("20:00", "24:00"), opening_hours=None,
             combine=True) -> pd.DataFrame:
    """Rolling-origin backtest of volume models; one row per (queue,) model.

    ``origins`` scored folds of ``horizon_days`` each end with the history; the
    ``calibration_origins`` folds before them only calibrate the prediction intervals. Columns:
    model, wape, mase, bias, evening_wape, coverage_80, hit_80, poisson_floor_wape, fit_s (seconds),
    phi (interval dispersion), baseline, folds (+ queue). ``combine`` adds equal-weight combinations
    of the best 2 and 3 non-baseline models. ``attrs["chosen"]`` maps queue -> lowest-WAPE model.
    See :mod:`forecast.backtest` for the definitions.
    """
    history, interval_s = _prepare(history, interval_s)
    if isinstance(models, str) or len(models) == 0:
        raise ValueError(f"models={models!r}: expected a non-empty list of names from {sorted(MODELS)}")
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown models {unknown}; expected names from {sorted(MODELS)}")
    frames, chosen = [], {}
    for q, h in _queues(history):
        grid = to_grid(h, interval_s)
        ctx = _context(grid, country, opening_hours)
        try:
            run = run_backtest(grid, ctx, models, horizon_days, origins, calibration_origins, evening, combine)
        except ValueError as exc:
            raise _for_queue(q, exc) from None
        sc = scores_frame(run)
        if q is not None:
            sc.insert(0, "queue", q)
        chosen[q] = choose(sc)
        frames.append(sc)
    out = pd.concat(frames, ignore_index=True)
    out.attrs["chosen"] = chosen
    return out


def _members(name: str) -> list[str]:
    if name.startswith("combo(") and name.endswith(")"):
        return name[len("combo("):-1].split("+")
    return [name]


def _predict_days(grid, ctx, name, days):
    preds = [make_model(m).fit(grid, ctx).predict(days, ctx) for m in _members(name)]
    return np.maximum(np.mean(preds, axis=0), 0.0)


def forecast_volume(history, start, end, model="auto", *, interval_s=None, horizon_days=None, origins=3,
                    calibration_origins=1, models=None, country=None, evening=("20:00", "24:00"),
                    opening_hours=None, combine=True, seed=0) -> pd.DataFrame:
    """Forecast contacts per interval for every open interval in [start, end).

    Parameters
    ----------
    history: a history DataFrame from :func:`read_history` (or a path it can read with default column
        names). One forecast per queue when it has a ``queue`` column.
    start, end: forecast range (end exclusive); naive local times, or aware when the history has a zone.
    model: ``"auto"`` (lowest backtest WAPE among ``models`` and their combinations) or a model name
        from :data:`forecast.models.MODELS`, or a ``"combo(a+b)"`` name.
    interval_s: planning interval in seconds (history is resampled); default: the history's.
    horizon_days: backtest horizon; default the number of days from the end of history to ``end``,
        clipped to 7..28. ``origins`` scored folds plus ``calibration_origins`` earlier folds.
    country: ``holidays`` country code for holiday / eve effects, e.g. ``"IL"`` for the bundled bank
        data (default None: no holiday calendar).
    evening: wall-clock window scored separately in the backtest.
    opening_hours: {weekday: [("HH:MM", "HH:MM"), ...]} overriding the open slots seen in history.
    seed: accepted for API stability; all current models and intervals are deterministic, so the
        result does not depend on it.

    Returns
    -------
    DataFrame with ``interval_start``, ``volume`` (expected contacts per interval), ``volume_p10``,
    ``volume_p90`` (80% prediction interval, negative binomial with backtest-calibrated dispersion),
    ``model``, plus ``queue`` and ``aht_s`` (seconds, see :func:`forecast_aht`) when the history has
    them. ``attrs["backtest"]`` holds, per queue, the chosen model, the dispersion and the backtest
    scores as a list of plain dicts. A queue whose history is too short for the backtest (at least
    4 weeks of training before the first fold) is forecast from weekly folds after one week of
    training with the simple models only (``"short_history": True`` in its report); fewer than
    two weeks of history is an error.
    """
    _check_range(start, end)
    history, interval_s = _prepare(history, interval_s)
    tz = history["interval_start"].dt.tz
    instants = future_instants(start, end, interval_s, tz)
    names = list(models) if models is not None else list(DEFAULT_MODELS)
    if not names:
        raise ValueError(f"models=[]: expected names from {sorted(MODELS)}")
    if model != "auto":
        for m in _members(model):
            make_model(m)  # validates the name
        names = _members(model)
    frames, report = [], {}
    for q, h in _queues(history):
        try:
            out, report[q] = _forecast_queue(h, q, start, end, instants, interval_s, model, names, horizon_days,
                                             origins, calibration_origins, country, evening, opening_hours, combine)
        except ValueError as exc:
            raise _for_queue(q, exc) from None
        frames.append(out)
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    result.attrs["backtest"] = report if "queue" in history.columns else report[None]
    result.attrs["interval_s"] = interval_s
    return result


def _forecast_queue(h, q, start, end, instants, interval_s, model, names, horizon_days, origins,
                    calibration_origins, country, evening, opening_hours, combine):
    """One queue's forecast frame and backtest report (see :func:`forecast_volume`)."""
    grid = to_grid(h, interval_s)
    ctx = _context(grid, country, opening_hours)
    hist_end = grid.days[-1] + pd.Timedelta(days=1)
    if horizon_days is None:
        last = pd.Timestamp(end).tz_localize(None) if pd.Timestamp(end).tz is not None else pd.Timestamp(end)
        hd = int(np.clip(np.ceil((last - hist_end) / pd.Timedelta(days=1)), 7, 28))
    else:
        hd = int(horizon_days)
    short_history = False
    try:
        run = run_backtest(grid, ctx, names, hd, origins, calibration_origins, evening,
                           combine=combine and model == "auto")
    except ValueError as exc:
        if "too short" not in str(exc):
            raise
        # A queue that opened recently: weekly folds after one week of training, with the models
        # that need no more than that; the report says so.
        simple = [m for m in names if m in SHORT_HISTORY_MODELS]
        if not simple:
            raise ValueError(f"{exc}; with less history only {', '.join(SHORT_HISTORY_MODELS)} can be "
                             "fitted (model='auto' falls back to them)") from None
        hd = min(hd, 7)
        run = run_backtest(grid, ctx, simple, hd, origins, calibration_origins, evening,
                           combine=combine and model == "auto", min_train_days=7)
        short_history = True
    sc = scores_frame(run)
    chosen = choose(sc) if model == "auto" else model
    if chosen not in run.phi:  # explicit combination
        run.preds[chosen] = [np.mean([run.preds[m][i] for m in _members(chosen)], axis=0)
                             for i in range(len(run.origins))]
        from .backtest import _phi
        run.phi[chosen] = _phi(run, chosen, len(run.origins))
    phi = run.phi[chosen]
    out = _interval_frame(grid, ctx, chosen, instants, phi)
    if q is not None:
        out.insert(0, "queue", q)
    if "aht_s" in h.columns:
        # the grid and open cells of this queue are at hand: no second validation and resampling
        aht = _aht_frame(grid, _aht_table(grid, q, AHT_WEEKS, AHT_SHRINK_CONTACTS)[0], instants, ctx.open_mask)
        out = out.merge(aht[["interval_start", "aht_s"]], on="interval_start", how="left")
    return out, {
        "chosen": chosen,
        "phi": phi,
        "horizon_days": hd,
        "origins": [str(o.date()) for o in run.origins],
        "calibration_origins": run.n_calibration,
        "short_history": short_history,
        "scores": sc.to_dict("records"),
    }


def _instant_cells(grid: Grid, instants: pd.DatetimeIndex):
    local = _local_epoch_s(pd.Series(instants))
    day = local // DAY_S
    slot = (local % DAY_S) // grid.interval_s
    return day, slot


def _interval_frame(grid, ctx, chosen, instants, phi):
    cols = ["interval_start", "volume", "volume_p10", "volume_p90", "model"]
    if len(instants) == 0:
        return pd.DataFrame({c: [] for c in cols})
    day, slot = _instant_cells(grid, instants)
    d0 = int(day.min())
    days = pd.DatetimeIndex(pd.to_datetime(np.arange(d0, int(day.max()) + 1) * DAY_S, unit="s"))
    last_train = grid.days[-1]
    if days[0] <= last_train:
        raise ValueError(
            f"forecast start {instants[0]} is not after the history (last day {last_train.date()}); "
            "expected a range after the end of the history"
        )
    dow = days.day_of_week.to_numpy()
    open_rows = ctx.open_mask[dow[day - d0], slot]
    if ctx.holiday_open is not None:
        hol, _ = ctx.holiday_fn(days)
        open_rows &= np.where(hol[day - d0], ctx.holiday_open[slot], True)
    pred = _predict_days(grid, ctx, chosen, days)
    mu = pred[day - d0, slot][open_rows]
    q10, q90 = quantiles(mu, phi)
    return pd.DataFrame({
        "interval_start": instants[open_rows],
        "volume": mu,
        "volume_p10": q10,
        "volume_p90": q90,
        "model": chosen,
    })


def forecast_aht(history, start=None, end=None, *, interval_s=None, weeks=AHT_WEEKS,
                 shrink_contacts=AHT_SHRINK_CONTACTS, opening_hours=None) -> pd.DataFrame:
    """Handle-time forecast per weekday x time of day, seconds.

    For each (weekday, slot) cell over the last ``weeks`` weeks: the volume-weighted mean handle time
    sum(volume * aht_s) / sum(volume), shrunk toward the weekday's (then the overall) volume-weighted
    mean with a prior worth ``shrink_contacts`` contacts:
    (W * cell_mean + k * prior) / (W + k), W = contacts in the cell. Thin cells end near the prior.

    Returns the forecast for each open interval in [start, end) (columns ``interval_start``, ``aht_s``
    (+ ``queue``)), or, without start/end, the table (``weekday`` 0=Monday, ``slot_start_s`` seconds
    after midnight, ``aht_s``, ``contacts``).
    """
    if isinstance(weeks, bool) or not isinstance(weeks, (int, np.integer)) or weeks < 1:
        raise ValueError(f"weeks={weeks!r}: expected a whole number of weeks >= 1")
    if not np.isfinite(shrink_contacts) or shrink_contacts < 0:
        raise ValueError(f"shrink_contacts={shrink_contacts!r}: expected a number of contacts >= 0")
    if (start is None) != (end is None):
        raise ValueError("forecast_aht: pass both start and end (a forecast range) or neither (the table)")
    if start is not None:
        _check_range(start, end)
    history, interval_s = _prepare(history, interval_s)
    if "aht_s" not in history.columns:
        raise ValueError("history has no 'aht_s' column; pass aht_col= to read_history")
    frames = []
    for q, h in _queues(history):
        grid = to_grid(h, interval_s)
        table, cnt = _aht_table(grid, q, weeks, shrink_contacts)
        s = grid.n_slots
        if start is None:
            out = pd.DataFrame({
                "weekday": np.repeat(np.arange(7), s),
                "slot_start_s": np.tile(np.arange(s) * interval_s, 7),
                "aht_s": table.ravel(),
                "contacts": cnt.ravel(),
            })
        else:
            instants = future_instants(start, end, interval_s, h["interval_start"].dt.tz)
            out = _aht_frame(grid, table, instants, open_mask(grid, opening_hours))
        if q is not None:
            out.insert(0, "queue", q)
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


def _aht_table(grid: Grid, q, weeks: int, shrink_contacts: float):
    """(7, n_slots) shrunk handle times and contacts per cell (see :func:`forecast_aht`)."""
    n = min(len(grid.days), 7 * weeks)
    aht, w = grid.aht_s[0][-n:], grid.aht_s[1][-n:]
    dow = grid.days[-n:].day_of_week.to_numpy()
    work = np.zeros((7, grid.n_slots))
    cnt = np.zeros((7, grid.n_slots))
    np.add.at(work, dow, np.nan_to_num(aht) * w)
    np.add.at(cnt, dow, w)
    total = cnt.sum()
    if total <= 0:
        raise _for_queue(q, ValueError("history has no contacts with a handle time; cannot forecast aht_s"))
    overall = work.sum() / total
    day_cnt = cnt.sum(axis=1, keepdims=True)
    day_mean = (work.sum(axis=1, keepdims=True) + shrink_contacts * overall) / (day_cnt + shrink_contacts)
    return (work + shrink_contacts * day_mean) / (cnt + shrink_contacts), cnt


def _aht_frame(grid: Grid, table: np.ndarray, instants: pd.DatetimeIndex, open_cells: np.ndarray) -> pd.DataFrame:
    """``interval_start``, ``aht_s`` for the open ``instants`` from a weekday x slot table."""
    day, slot = _instant_cells(grid, instants)
    wd = (day + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    ok = open_cells[wd, slot]
    return pd.DataFrame({"interval_start": instants[ok], "aht_s": table[wd[ok], slot[ok]]})
