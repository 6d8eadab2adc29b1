"""Forecast page: one queue's forecast over the plan window, its backtest scores, the recent
actuals and the evening peaks drawn with it."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from ..config import PlanConfig
from .common import EVENING_START_MIN, days_between, evening_share, local_naive, local_time_frame
from .settings import one_queue

__all__ = ["ForecastChart", "STAFFING_ONLY_FIELDS", "forecast_key", "forecast_queue", "backtest_table", "cleaned_days_table", "backtest_headline", "recent_actuals",
           "evening_peaks", "forecast_summary", "forecast_chart"]

# Fields of a queue's config the forecast does not read (they size the agents for it): changing
# them keeps a forecast computed before. Every other field (opening hours, handle times, the
# history file and its columns) is part of :func:`forecast_key`.
STAFFING_ONLY_FIELDS = ("targets", "shrinkage", "shrinkage_planned", "shrinkage_unplanned", "patience_s", "min_agents",
                        "retrial_prob", "retrial_delay_s", "callback_threshold_s", "callback_accept_prob",
                        "callback_promise_s")


def forecast_key(config: PlanConfig, queue: str) -> str:
    """sha256 (hex) of everything :func:`forecast_queue` reads from ``config`` for ``queue``: the
    ``[forecast]`` settings, the plan's zone, interval and week start, and every field of the
    queue but :data:`STAFFING_ONLY_FIELDS` (so edited opening hours or handle times give another
    key, edited targets the same one). A cache of forecasts keyed by it never returns a stale one."""
    q = one_queue(config, queue).queues[queue]
    parts = {f.name: getattr(q, f.name) for f in fields(q) if f.name not in STAFFING_ONLY_FIELDS}
    text = repr((config.forecast, config.timezone, config.interval_s, config.week_start, sorted(parts.items())))
    return hashlib.sha256(text.encode()).hexdigest()


def forecast_queue(config: PlanConfig, histories: dict[str, pd.DataFrame], queue: str):
    """Forecast one queue over the plan window: ``(forecast, info)`` where ``info`` has ``model``,
    ``backtest`` (dict from the forecast), ``start``, ``end``, ``as_of``."""
    from ..pipeline import forecast_queues, plan_window

    cfg = one_queue(config, queue)
    hist = {queue: histories[queue]}
    aht_col = histories[queue].attrs.get("aht_col")
    if aht_col and cfg.queues[queue].aht_col is None:  # an upload with handle times: use them
        cfg = replace(cfg, queues={queue: replace(cfg.queues[queue], aht_col=aht_col)})
    start, end, as_of = plan_window(cfg, hist)
    fc, models = forecast_queues(cfg, hist, start, end)
    fc.attrs["aht_configured"] = cfg.queues[queue].aht_col is None  # aht_s is the plan's handle time
    info = dict(models[queue])
    info.update(start=start, end=end, as_of=as_of)
    return fc, info


def backtest_table(info: dict) -> pd.DataFrame:
    """Backtest scores of the models tried (one row per model, the chosen one flagged)."""
    bt = _report(info)
    scores = pd.DataFrame(bt.get("scores") or [])
    if scores.empty:
        return scores
    chosen = bt.get("chosen") or info.get("model")
    scores.insert(0, "chosen", scores["model"].astype(str) == str(chosen))
    keep = [c for c in ("chosen", "model", "wape", "evening_wape", "mase", "bias", "coverage_80", "hit_80",
                        "poisson_floor_wape", "fit_s", "folds", "baseline") if c in scores]
    return scores[keep].sort_values("wape", na_position="last").reset_index(drop=True)


def _report(info: dict) -> dict:
    """The queue's forecast report in ``info`` (one queue: the only entry of a per-queue dict)."""
    bt = info.get("backtest") or {}
    if isinstance(bt, dict) and "scores" not in bt and len(bt) == 1:
        bt = next(iter(bt.values())) or {}
    return bt


CLEANED_COLS = ("day", "start", "end", "intervals", "actual", "expected")


def cleaned_days_table(info: dict) -> pd.DataFrame:
    """Every day of the forecast report whose outage intervals were replaced in training (one row
    per day: ``day``, wall-clock ``start`` and ``end`` of the replaced span, ``intervals``, contacts
    ``actual`` as received and ``expected`` as replaced); empty with these columns when none."""
    rows = _report(info).get("cleaned_days") or []
    return pd.DataFrame(rows, columns=list(CLEANED_COLS))


def recent_actuals(history: pd.DataFrame, start, weeks: float = 2) -> pd.DataFrame:
    """The history in the ``weeks`` before ``start`` (``interval_start``, ``volume``)."""
    ts = history["interval_start"]
    m = (ts < start) & (ts >= pd.Timestamp(start) - pd.Timedelta(weeks=weeks))
    return history.loc[m, ["interval_start", "volume"]].reset_index(drop=True)


def evening_peaks(forecast: pd.DataFrame, start_min: int = EVENING_START_MIN) -> pd.DataFrame:
    """Per local day: the evening window (from ``start_min`` to midnight) and its busiest interval.

    Columns ``day``, ``window_start``, ``window_end`` (naive local), ``peak_time`` (naive local),
    ``peak_volume``, ``evening_share`` (of the day's forecast volume)."""
    ts = local_naive(forecast["interval_start"])
    vol = forecast["volume"].to_numpy(float)
    minutes = (ts.dt.hour * 60 + ts.dt.minute).to_numpy()
    day = ts.dt.normalize()
    rows = []
    for d, idx in pd.Series(np.arange(len(ts))).groupby(day.to_numpy()).groups.items():
        idx = np.asarray(list(idx))
        ev = idx[minutes[idx] >= start_min]
        total = vol[idx].sum()
        if not len(ev) or total <= 0 or vol[ev].max() <= 0:  # closed evening: no peak to mark
            continue
        k = ev[np.argmax(vol[ev])]
        d = pd.Timestamp(d)
        rows.append({"day": d, "window_start": d + pd.Timedelta(minutes=start_min),
                     "window_end": d + pd.Timedelta(days=1), "peak_time": ts.iloc[k],
                     "peak_volume": float(vol[k]), "evening_share": float(vol[ev].sum() / total)})
    return pd.DataFrame(rows, columns=["day", "window_start", "window_end", "peak_time", "peak_volume",
                                       "evening_share"])


def forecast_summary(forecast: pd.DataFrame) -> dict:
    """Total forecast contacts and the evening share (20:00-24:00 local) of the forecast."""
    return {"total": float(forecast["volume"].sum()), "evening_share": evening_share(forecast)["overall"]}


def backtest_headline(scores: pd.DataFrame) -> pd.Series:
    """The row of :func:`backtest_table` to headline: the chosen model's (the best one when none
    is flagged)."""
    return scores[scores["chosen"]].iloc[0] if scores["chosen"].any() else scores.iloc[0]


@dataclass(frozen=True)
class ForecastChart:
    """What the forecast chart draws, in plan-local time (``time`` columns).

    ``forecast``: the forecast with ``volume``, ``volume_p10``, ``volume_p90`` (contacts per
    interval); ``actual``: the history of the weeks before the forecast; ``peaks``: see
    :func:`evening_peaks`; ``start``: local wall-clock start of the forecast.
    """

    forecast: pd.DataFrame
    actual: pd.DataFrame
    peaks: pd.DataFrame
    start: pd.Timestamp

    @property
    def days(self) -> tuple:
        """The first and last day (dates) the chart can show: the actuals' first, the forecast's last."""
        times = pd.concat([self.actual["time"], self.forecast["time"]])
        return (times.min().date(), times.max().date())

    def default_days(self, days: int = 7) -> tuple:
        """One week around the forecast start by default: the last 2 days of actuals and the first
        ``days - 2`` forecast days (within :attr:`days`)."""
        lo, hi = self.days
        first = max(lo, (self.start - pd.Timedelta(days=2)).date())
        return (first, min(hi, (pd.Timestamp(first) + pd.Timedelta(days=days - 1)).date()))

    def between(self, first, last) -> "ForecastChart":
        """The chart on the days ``first`` to ``last`` (dates, both included)."""
        return ForecastChart(forecast=days_between(self.forecast, first, last),
                             actual=days_between(self.actual, first, last),
                             peaks=days_between(self.peaks, first, last, col="day"), start=self.start)


def forecast_chart(forecast: pd.DataFrame, history: pd.DataFrame, start, *, actual_weeks: float = 2) -> ForecastChart:
    """The frames of the forecast chart: the forecast, the last ``actual_weeks`` weeks of actuals
    before ``start``, and each day's evening peak."""
    return ForecastChart(forecast=local_time_frame(forecast),
                         actual=local_time_frame(recent_actuals(history, start, weeks=actual_weeks)),
                         peaks=evening_peaks(forecast),
                         start=local_naive(pd.Series([start])).iloc[0])
