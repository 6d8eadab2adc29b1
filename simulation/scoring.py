"""Which simulated intervals miss which target, and why.

A target is checked against the simulated metric it bounds (:data:`core.TARGET_SPECS`: its
``metric`` and ``sense``); the service level against the column of ``targets.sl_definition``
(``service_level`` for "offered", ``service_level_answered`` for "answered",
``service_level_excl_short_abandon`` for "offered_minus_short_abandons"). With the criterion
``"confident_miss"`` an interval misses when the 95% interval lies wholly on the wrong side of the
target (a "min" target such as the service level: the upper bound below it; a "max" target such as
ASA, P(wait), abandon rate, occupancy: the lower bound above it); with ``"estimate"`` when the
simulated value does.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import TARGET_SPECS, Targets
from .settings import CRITERIA

__all__ = ["TargetMisses", "target_misses", "target_column", "SL_COLUMNS"]

# service-level definition (core.SL_DEFINITIONS) -> simulator column
SL_COLUMNS = {"offered": "service_level", "answered": "service_level_answered",
              "offered_minus_short_abandons": "service_level_excl_short_abandon"}


@dataclass(frozen=True)
class TargetMisses:
    """Per interval: ``missed`` (bool array), and for a missed interval the first target missed
    (``metric``, a target name) and the ``reason`` (the simulated value and its interval against the
    target); None where nothing is missed. Targets are taken in :data:`core.TARGET_NAMES` order."""

    missed: np.ndarray
    metric: list
    reason: list


def target_column(targets: Targets, name: str) -> str:
    """The simulator column that target ``name`` of ``targets`` bounds: the service level's column
    under ``targets.sl_definition`` (:data:`SL_COLUMNS`), else :meth:`core.Targets.metric_name`."""
    return SL_COLUMNS[targets.sl_definition] if name == "service_level" else targets.metric_name(name)


def target_misses(by_interval: pd.DataFrame, targets: Targets,
                  criterion: str = "confident_miss") -> TargetMisses:
    """The intervals of a simulation's ``by_interval`` table that miss a target of ``targets``."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be 'confident_miss' or 'estimate', got {criterion!r}")
    n = len(by_interval)
    miss = np.zeros(n, bool)
    metric: list[str | None] = [None] * n
    reason: list[str | None] = [None] * n
    for name, target in targets.given().items():
        spec = TARGET_SPECS[name]
        col = target_column(targets, name)
        if col == "agents_busy" and col not in by_interval:  # a table stored before the column existed
            col = "occupancy"
        below = spec.sense == "min"
        value, lo, hi = (by_interval[c].to_numpy(float) for c in (col, f"{col}_lo", f"{col}_hi"))
        bound = value if criterion == "estimate" else (hi if below else lo)
        bad = (bound < target if below else bound > target) & ~np.isnan(bound)
        for j in np.flatnonzero(bad & ~miss):
            metric[j] = name
            reason[j] = (f"{col} {value[j]:.4g} [{lo[j]:.4g}, {hi[j]:.4g}] "
                         f"{'<' if below else '>'} target {target:g}")
        miss |= bad
    return TargetMisses(miss, metric, reason)
