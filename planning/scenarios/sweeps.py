"""Sweeps: one scenario evaluated on every combination of a grid of assumptions, in parallel.

Every grid point is a :class:`SweepPoint` run by :func:`sweep_point` through
:func:`core.map_jobs`: a local process pool by default, or a Dask cluster (a
``distributed.Client`` or scheduler address). A point is a pure function of its inputs, so the
results are identical wherever they run.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core import check_executor, map_jobs

from .evaluation import comparison_table, period_days, scenario_operations, study_forecast
from .finance import scenario_finance
from .study import Study, first_other_scenario, parse_study

__all__ = ["sweep", "SweepPoint", "sweep_point"]


def _set_path(table: dict, path: str, value):
    """``table[a][b][c] = value`` for ``path = "a.b.c"`` (tables created on the way)."""
    parts = path.split(".")
    cur = table
    for p in parts[:-1]:
        nxt = cur.setdefault(p, {})
        if not isinstance(nxt, dict):
            raise ValueError(f"grid key {path!r}: {p!r} is not a table")
        cur = nxt
    cur[parts[-1]] = value


def _study_at(study_raw: dict, base_dir, source, scenario: str, values: dict) -> Study:
    """The study with ``values`` (``{dotted.key: value}``) set in ``scenario``'s table, validated."""
    raw = copy.deepcopy(study_raw)
    for key, value in values.items():
        _set_path(raw["scenarios"][scenario], key, value)
    return parse_study(raw, base_dir=base_dir, source=source)


@dataclass(frozen=True)
class SweepPoint:
    """One grid point: ``values`` (``{dotted.key: value}``) set in ``scenario`` of the study TOML
    ``study_raw`` (read relative to ``base_dir``), evaluated on ``forecast``."""

    study_raw: dict
    base_dir: Path | None
    source: Path | None
    scenario: str
    values: dict
    forecast: pd.DataFrame


def sweep_point(point: SweepPoint) -> dict:
    """The comparison row of ``point.scenario`` against the baseline at one grid point."""
    study = _study_at(point.study_raw, point.base_dir, point.source, point.scenario, point.values)
    # only the swept scenario and the baseline are needed
    ops = {n: scenario_operations(study.scenarios[n], point.forecast) for n in {point.scenario, study.baseline}}
    period = period_days(study.plan, point.forecast)
    bq = pd.concat([scenario_finance(study.scenarios[n], ops[n], period) for n in ops], ignore_index=True)
    comp = comparison_table(bq, study.baseline, list(dict.fromkeys([study.baseline, point.scenario])))
    return comp.set_index("scenario").loc[point.scenario].to_dict()


def sweep(study: Study, grid: dict, *, scenario: str | None = None, forecast: pd.DataFrame | None = None,
          executor=None) -> pd.DataFrame:
    """Evaluate ``scenario`` on every combination of ``grid`` values, in parallel.

    ``grid`` maps a dotted key inside the scenario's table (``"money.cost_per_agent_hour"``,
    ``"queues.chat.targets.p_wait"``, ``"queues.voice.deflection.rate"``...) to a list of values.
    Every point is validated like the study file (bad values raise :class:`ConfigError`). Returns
    one row per point: the grid values, then the comparison columns against the baseline.
    ``executor``: see :func:`core.map_jobs` (default a local process pool; a Dask ``Client`` or
    address runs it on the cluster). Points are pure functions of their inputs: same results everywhere.
    """
    scenario = scenario or first_other_scenario(study.scenarios, study.baseline)
    if scenario not in study.scenarios:
        raise ValueError(f"scenario: {scenario!r} is not in the study; expected one of {sorted(study.scenarios)}")
    if not isinstance(grid, dict) or not grid:
        raise ValueError("grid: expected a non-empty {dotted.key: [values]} mapping")
    for k, v in grid.items():
        if not isinstance(v, (list, tuple)) or not v:
            raise ValueError(f"grid[{k!r}]: expected a non-empty list of values, got {v!r}")
    check_executor(executor)
    if forecast is None:
        forecast = study_forecast(study)
    keys = list(grid)
    points = [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]
    base_dir = study.source.resolve().parent if study.source else None
    for p in points:  # validate every point here first, so a bad value fails fast and names its key
        _study_at(study.raw, base_dir, study.source, scenario, p)
    jobs = [SweepPoint(study.raw, base_dir, study.source, scenario, p, forecast) for p in points]
    rows = map_jobs(sweep_point, jobs, executor)
    return pd.DataFrame([{**p, **r} for p, r in zip(points, rows)])
