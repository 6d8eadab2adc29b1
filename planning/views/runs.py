"""Runs page: the run store's runs, running and storing the plan from the dashboard, and a stored
run's forecast scored against the actuals the history holds now."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from ..config import PlanConfig
from .common import CallbackProgress, days_between, local_time_frame
from .jobs import Job, start_job
from .settings import with_forecast_settings

__all__ = ["RunChart", "store_url", "list_runs", "run_vs_actual", "run_plan_now", "start_plan_run", "default_as_of",
           "run_chart", "scores_for_queue"]

# A run made from the dashboard by default forecasts from this many days before the history ends,
# so that its forecast can be compared with what happened.
AS_OF_DAYS_BEFORE_END = 27


def store_url(config: PlanConfig) -> str:
    """The run store the plan uses (``STAFFCAST_STORE``, the plan's ``store``, or the default)."""
    from ..store import resolve_store_url

    return resolve_store_url(None, config.store)


def list_runs(store_url: str, plan_name: str | None = None, limit: int = 50) -> pd.DataFrame:
    from ..store import RunStore

    with RunStore(store_url) as store:
        return store.list_runs(limit=limit, plan_name=plan_name)


def run_vs_actual(store_url: str, run_id: str, config: PlanConfig,
                  histories: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """A stored run's forecast next to the actuals the plan's history now holds.

    Returns ``(series, scores, meta)``: ``series`` per queue and interval with ``forecast``,
    ``volume_p10``, ``volume_p90`` and ``actual`` (NaN where no actual exists yet); ``scores`` from
    :func:`planning.accuracy.score_forecast` (WAPE, evening WAPE, bias, coverage per lead week)."""
    from ..accuracy import score_forecast
    from ..store import RunStore

    with RunStore(store_url) as store:
        meta = store.get_run(run_id)
        fc = store.load_frame(meta["run_id"], "forecast")
        req = store.load_frame(meta["run_id"], "requirements")
    if fc.empty:
        return fc, pd.DataFrame(), meta
    acts = []
    for name in fc["queue"].unique():
        h = histories.get(name)
        if h is not None:
            acts.append(h.assign(queue=name)[["queue", "interval_start", "volume"]])
    actual = pd.concat(acts, ignore_index=True) if acts else pd.DataFrame(columns=["queue", "interval_start",
                                                                                    "volume"])

    def utc(s):
        s = pd.to_datetime(s)
        return s.dt.tz_convert("UTC") if s.dt.tz is not None else s

    f = fc.assign(_k=utc(fc["interval_start"]))
    a = actual.assign(_k=utc(actual["interval_start"]))[["queue", "_k", "volume"]].rename(columns={"volume": "actual"})
    series = f.merge(a, on=["queue", "_k"], how="left").drop(columns="_k").rename(columns={"volume": "forecast"})
    if not req.empty and "open" in req:
        series = series.merge(req[["queue", "interval_start", "open"]], on=["queue", "interval_start"], how="left")
    else:
        series["open"] = True
    series["open"] = series["open"].fillna(True).astype(bool)
    scores = score_forecast(fc, actual, horizon_start=meta["horizon_start"],
                            open_mask=series["open"].to_numpy()) if len(actual) else pd.DataFrame()
    return series, scores, meta


def run_plan_now(config: PlanConfig, store_url: str, *, as_of: dt.date | None = None, model: str | None = None,
                 simulate: bool = False, schedule: bool = True,
                 callback: Callable[[int, int, str], None] | None = None):
    """Run the whole plan (bundled / configured history files) and store it; ``schedule=False``
    leaves out its ``[schedule]`` step. Returns the :class:`~planning.pipeline.PlanResult`
    (``reused`` when an identical run is already stored)."""
    from ..pipeline import run_plan
    from ..store import RunStore

    cfg = with_forecast_settings(config, model=model) if model else config
    progress = CallbackProgress(callback)
    with RunStore(store_url) as store:
        return run_plan(cfg, store=store, save=True, as_of=as_of, simulate=simulate, schedule=schedule,
                        export=False, progress=progress)


def start_plan_run(config: PlanConfig, store_url: str, *, as_of: dt.date | None = None, model: str | None = None,
                   simulate: bool = False, schedule: bool = True) -> Job:
    """:func:`run_plan_now` in a background :class:`~planning.views.jobs.Job`: the run reaches the
    store even when the browser tab that started it is closed. Cancelling stops it before its next
    step (nothing is stored then). A job with the same store and settings still running is
    returned instead of starting a second one."""
    def work(report):
        return run_plan_now(config, store_url, as_of=as_of, model=model, simulate=simulate, schedule=schedule,
                            callback=report)

    key = ("run_plan", store_url, config.name, str(as_of), model, bool(simulate), bool(schedule))
    return start_job(key, work, "Starting the run ...", again=True)


def scores_for_queue(scores: pd.DataFrame, queue: str) -> pd.DataFrame:
    """The rows of a run's scores (:func:`run_vs_actual`) of ``queue`` (all rows when the scores
    have no ``queue`` column)."""
    if scores is None or scores.empty or "queue" not in scores:
        return scores
    return scores[scores["queue"] == queue].reset_index(drop=True)


def default_as_of(histories: dict[str, pd.DataFrame]) -> dt.date:
    """The default "as of" date of a run made from the dashboard: 27 days before the shortest
    history ends (so about four weeks of its forecast have actuals)."""
    last = min(h["interval_start"].max() for h in histories.values())
    return (last - pd.Timedelta(days=AS_OF_DAYS_BEFORE_END)).date()


@dataclass(frozen=True)
class RunChart:
    """One queue of :func:`run_vs_actual`'s series in plan-local time (``time``), with the number of
    ``intervals`` and how many of them have an actual (``with_actuals``)."""

    queue: str
    series: pd.DataFrame
    intervals: int
    with_actuals: int

    @property
    def actuals(self) -> pd.DataFrame:
        """The rows with an actual (for the actual line)."""
        return self.series.dropna(subset=["actual"])

    @property
    def days(self) -> tuple:
        """The first and last day (dates) of the run's horizon."""
        return (self.series["time"].min().date(), self.series["time"].max().date())

    def default_days(self, days: int = 7) -> tuple:
        """The first week of the horizon."""
        lo, hi = self.days
        return (lo, min(hi, (pd.Timestamp(lo) + pd.Timedelta(days=days - 1)).date()))

    def between(self, first, last) -> "RunChart":
        """The chart on the days ``first`` to ``last`` (dates, both included); the counts stay the run's."""
        return RunChart(self.queue, days_between(self.series, first, last), self.intervals, self.with_actuals)


def run_chart(series: pd.DataFrame, queue: str) -> RunChart:
    """The chart of ``queue`` (the run's first queue when the run does not have it)."""
    queues = series["queue"].unique().tolist()
    rq = queue if queue in queues else queues[0]
    s = local_time_frame(series[series["queue"] == rq])
    return RunChart(queue=rq, series=s, intervals=len(s), with_actuals=int(s["actual"].notna().sum()))
