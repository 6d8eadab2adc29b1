"""Result objects of :func:`forecast.forecast_volume` and :func:`forecast.backtest`.

One rule for result objects across staffcast: ``to_frame()`` gives the table (here the forecast
per interval, or the backtest scores per model), ``summary`` is a flat dict of named figures.
Figures of one queue are keyed by their name (``"model"``, ``"wape"``, ...) when the history has no
``queue`` column, and ``"<queue>.<name>"`` (``"voice.wape"``) when it has.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable

import pandas as pd

from .cleaning import CleanedDay
from .context import ClosedDay
from .intervals import Dispersion
from .selection import Selection

__all__ = ["QueueReport", "ForecastResult", "BacktestResult"]

# scores of the chosen model copied into ``summary`` (definitions: forecast.backtest)
SUMMARY_SCORES = ("wape", "evening_wape", "bias", "mase", "coverage_80")


@dataclass(frozen=True)
class QueueReport:
    """How one queue's forecast was chosen and calibrated.

    chosen: the model used (a registry name or ``"combo(a+b)"``).
    phi: negative binomial dispersion of its 80% interval (var = mu + phi mu^2), from the backtest.
    horizon_days: backtest horizon, days.
    origins: first day of each backtest fold (ISO dates), calibration folds first.
    calibration_origins: how many of those folds only calibrate ``phi`` (not scored).
    short_history: True when the history was too short for the full backtest and only the simple
        models were fitted on weekly folds after one week of training.
    scores: one row per model, the columns of :func:`forecast.backtest`.
    selection: how ``auto`` chose and how sure it is (:class:`forecast.selection.Selection`);
        None when the model was given by name.
    cleaned_days: the history's days with outage intervals replaced in training
        (:class:`forecast.cleaning.CleanedDay`: day, span, contacts received and expected).
    closed_days: the forecast days with no open interval and why (:class:`forecast.context.ClosedDay`).
    dispersion: the p10 / p90 dispersion per time-of-day band and its day-level component
        (:class:`forecast.intervals.Dispersion`); ``phi`` is its one-for-all value.
    """

    chosen: str
    phi: float
    horizon_days: int
    origins: tuple[str, ...]
    calibration_origins: int
    short_history: bool
    scores: pd.DataFrame
    selection: Selection | None = None
    cleaned_days: tuple[CleanedDay, ...] = ()
    closed_days: tuple[ClosedDay, ...] = ()
    dispersion: Dispersion | None = None

    def as_dict(self) -> dict[str, Any]:
        """The report as plain values (scores as a list of dicts), e.g. for a JSON file."""
        return {
            "chosen": self.chosen,
            "phi": self.phi,
            "horizon_days": self.horizon_days,
            "origins": list(self.origins),
            "calibration_origins": self.calibration_origins,
            "short_history": self.short_history,
            "scores": self.scores.to_dict("records"),
            "selection": None if self.selection is None else self.selection.as_dict(),
            "cleaned_days": [c.as_dict() for c in self.cleaned_days],
            "closed_days": [c.as_dict() for c in self.closed_days],
            "dispersion": None if self.dispersion is None else self.dispersion.as_dict(),
        }

    def chosen_scores(self) -> dict[str, float]:
        """The backtest scores of the chosen model (NaN when it has no scored row)."""
        rows = self.scores[self.scores["model"] == self.chosen]
        return {k: float(rows[k].iloc[0]) if len(rows) else float("nan") for k in SUMMARY_SCORES}


def _flat(per_queue: dict[Hashable, dict[str, Any]]) -> dict[str, Any]:
    """One flat dict: a single unnamed queue's figures as they are, else prefixed ``"<queue>."``."""
    if list(per_queue) == [None]:
        return dict(per_queue[None])
    return {f"{q}.{k}": v for q, figures in per_queue.items() for k, v in figures.items()}


def _with_queue(q, frame: pd.DataFrame) -> pd.DataFrame:
    return frame if q is None else frame.assign(queue=q)[["queue", *frame.columns]]


def _single(mapping: dict, what: str):
    """The only value of a per-queue mapping; ValueError naming the queues when there are several."""
    if len(mapping) != 1:
        raise ValueError(f"{what}: the forecast has {len(mapping)} queues ({', '.join(map(str, mapping))}); "
                         "use .chosen[queue] / .report(queue)")
    return next(iter(mapping.values()))


class ForecastResult:
    """The forecast of :func:`forecast.forecast_volume`.

    - :meth:`to_frame`: one row per open interval: ``interval_start``, ``volume`` (expected contacts
      per interval), ``volume_p10``, ``volume_p90`` (80% prediction interval), ``model``,
      with opening hours ``open_fraction`` (share of the interval inside them; < 1 flags a
      partial interval whose contacts arrive in its open minutes), plus
      ``queue`` and ``aht_s`` (seconds) when the history has them;
    - :attr:`reports`: per queue (``None`` when the history has no ``queue`` column) a
      :class:`QueueReport`; :meth:`report` picks one;
    - :attr:`backtest`: the backtest scores of every queue (``queue`` column when named), or None;
    - :attr:`chosen`: queue -> chosen model; :attr:`model`: the chosen model of a one-queue forecast;
    - :attr:`phi`: queue -> interval dispersion (what :func:`forecast.reforecast_intraday` uses);
    - :attr:`interval_s`: interval length, seconds;
    - :attr:`summary`: flat dict: ``interval_s`` and per queue ``model``, ``horizon_days``, ``phi``,
      ``short_history`` and the chosen model's backtest ``wape``, ``evening_wape``, ``bias``,
      ``mase``, ``coverage_80``, and with ``auto`` ``choice_confidence`` (see
      :class:`forecast.selection.Selection`).
    """

    def __init__(self, frame: pd.DataFrame, reports: dict[Hashable, QueueReport], interval_s: int):
        self._frame = frame
        self.reports = dict(reports)
        self.interval_s = int(interval_s)

    def to_frame(self) -> pd.DataFrame:
        """The forecast per interval (a copy)."""
        return self._frame.copy()

    def report(self, queue=None) -> QueueReport:
        """The report of ``queue``; without it, of the only queue (ValueError when there are several)."""
        if queue is None:
            return _single(self.reports, "report()")
        if queue not in self.reports:
            raise ValueError(f"queue {queue!r} is not in the forecast; expected one of {list(self.reports)}")
        return self.reports[queue]

    @property
    def backtest(self) -> pd.DataFrame | None:
        """Backtest scores, one row per (queue,) model; None when no queue was forecast."""
        if not self.reports:
            return None
        return pd.concat([_with_queue(q, r.scores) for q, r in self.reports.items()], ignore_index=True)

    @property
    def chosen(self) -> dict[Hashable, str]:
        """Queue (None when unnamed) -> the model used."""
        return {q: r.chosen for q, r in self.reports.items()}

    @property
    def model(self) -> str:
        """The model used, for a one-queue forecast (ValueError naming the queues otherwise)."""
        return _single(self.chosen, "model")

    @property
    def phi(self) -> dict[Hashable, float]:
        """Queue (None when unnamed) -> negative binomial dispersion of the 80% interval."""
        return {q: r.phi for q, r in self.reports.items()}

    @property
    def summary(self) -> dict[str, Any]:
        """Named figures, flat (see the class docstring)."""
        per_queue = {q: {"model": r.chosen, "horizon_days": r.horizon_days, "phi": float(r.phi),
                         "short_history": r.short_history, **r.chosen_scores(),
                         **({} if r.selection is None else {"choice_confidence": r.selection.confidence})}
                     for q, r in self.reports.items()}
        return {"interval_s": self.interval_s, **_flat(per_queue)}

    def __len__(self) -> int:
        """Number of forecast intervals."""
        return len(self._frame)

    def __repr__(self) -> str:
        return (f"ForecastResult({len(self._frame)} intervals, interval_s={self.interval_s}, "
                f"chosen={self.chosen})")


class BacktestResult:
    """The rolling-origin backtest of :func:`forecast.backtest`.

    - :meth:`to_frame`: one row of scores per (queue,) model (columns: see :func:`forecast.backtest`);
    - :attr:`chosen`: queue (None when unnamed) -> the model ``auto`` would use;
    - :attr:`selection`: queue -> :class:`forecast.selection.Selection` (how sure that choice is);
    - :attr:`summary`: flat dict: per queue ``model`` (the chosen one) and its ``wape``,
      ``evening_wape``, ``bias``, ``mase``, ``coverage_80``.
    """

    def __init__(self, scores: pd.DataFrame, selection: dict[Hashable, Selection]):
        self._scores = scores
        self.selection = dict(selection)
        self.chosen = {q: sel.chosen for q, sel in self.selection.items()}

    def to_frame(self) -> pd.DataFrame:
        """The scores per (queue,) model (a copy)."""
        return self._scores.copy()

    @property
    def summary(self) -> dict[str, Any]:
        """Named figures, flat (see the class docstring)."""
        per_queue = {}
        for q, model in self.chosen.items():
            rows = self._scores if q is None else self._scores[self._scores["queue"] == q]
            row = rows[rows["model"] == model].iloc[0]
            per_queue[q] = {"model": model, **{k: float(row[k]) for k in SUMMARY_SCORES}}
        return _flat(per_queue)

    def __repr__(self) -> str:
        return f"BacktestResult({len(self._scores)} rows, chosen={self.chosen})"
