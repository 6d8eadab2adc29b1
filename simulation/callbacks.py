"""What callbacks (virtual hold) buy: the same plan with and without them, and the agents saved.

:func:`compare_callbacks` simulates a plan twice with the same seed, once as given and once with
nobody accepting a callback (``callback_accept_prob = 0``), and reports accepted callbacks, their
wait against the promise, the abandonment avoided and the service level. Agents saved are found by
a simulation search: the smallest whole number ``k`` of agents added to (or taken from) every
interval of the plan for which the simulated estimate meets every target in every interval
(criterion ``"estimate"``), without and with callbacks; the saving is the difference in
agent-intervals. The service level counts a callback as answered when the agent calls back (its
wait runs from its arrival), so callbacks help it only by shortening the inbound queue.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import QueueModel, Targets
from .settings import RunSettings
from .simulator import simulate

__all__ = ["CallbackComparison", "compare_callbacks"]

_REPORTED = ("offered", "served", "abandoned", "service_level", "asa_s", "abandon_rate", "callbacks",
             "callback_wait_s", "callback_kept")


@dataclass(frozen=True)
class CallbackComparison:
    """``table``: the whole day without and with callbacks (rows: metrics, columns ``without``,
    ``with``; counts are means per replication). ``abandoned_avoided``: abandoned without minus
    with (contacts per day). ``agents_without`` / ``agents_with``: the smallest plans of the form
    ``agents + k`` meeting every target (None when no ``k`` in the searched range does);
    ``agents_saved``: agent-intervals the callbacks save (None when either plan was not found)."""

    table: pd.DataFrame
    abandoned_avoided: float
    agents_without: np.ndarray | None
    agents_with: np.ndarray | None

    @property
    def agents_saved(self) -> int | None:
        if self.agents_without is None or self.agents_with is None:
            return None
        return int(self.agents_without.sum() - self.agents_with.sum())


def compare_callbacks(arrival_rate_per_h, agents, interval_s: float, queue: QueueModel, targets: Targets,
                      *, settings: RunSettings = RunSettings(), max_shift: int = 5) -> CallbackComparison:
    """Callbacks on the plan ``agents`` and the agents they save (see the module docstring).

    ``queue`` must offer callbacks (``callback_accept_prob > 0``); ``targets`` must set at least
    one target for the search; ``max_shift`` bounds ``|k|``. Other arguments as
    :func:`simulation.simulate`.
    """
    if not isinstance(queue, QueueModel) or not queue.offers_callbacks:
        raise ValueError("queue: compare_callbacks needs a QueueModel with callback_accept_prob > 0")
    targets.require_any("compare_callbacks")
    plan = np.atleast_1d(np.asarray(agents, dtype=np.int64))
    without_q = queue.with_values(callback_accept_prob=0.0)
    runs = {name: simulate(arrival_rate_per_h, plan, interval_s, q, targets=targets, settings=settings)
            for name, q in (("without", without_q), ("with", queue))}
    table = pd.DataFrame({name: [r.summary.loc[m, "value"] if m in r.summary.index else 0.0 for m in _REPORTED]
                          for name, r in runs.items()}, index=pd.Index(_REPORTED, name="metric"))
    avoided = float(table.loc["abandoned", "without"] - table.loc["abandoned", "with"])
    found = {name: _smallest_shift(arrival_rate_per_h, plan, interval_s, q, targets, settings, max_shift)
             for name, q in (("without", without_q), ("with", queue))}
    return CallbackComparison(table, avoided, found["without"], found["with"])


def _smallest_shift(rate, plan, interval_s, queue, targets, settings, max_shift) -> np.ndarray | None:
    """plan + k for the smallest k in [-max_shift, max_shift] whose simulated estimate meets every
    target in every interval (k upward from the lowest; agents never below 0)."""
    for k in range(-max_shift, max_shift + 1):
        shifted = np.maximum(plan + k, 0)
        if not shifted.any():
            continue
        res = simulate(rate, shifted, interval_s, queue, targets=targets, settings=settings)
        if not res.misses("estimate").missed.any():
            return shifted
    return None
