"""How a study's answer depends on its assumptions: break-even values and the sensitivity table.

- :func:`break_even`: for each money assumption, the value at which a scenario's net value equals
  the baseline's, everything else fixed;
- :func:`sensitivity`: each assumption moved by -x and +x (relative), alone, ranked by how much it
  moves the scenario's advantage over the baseline. Money assumptions re-price the same staffing;
  the operational ones (``volume``, ``aht``) re-staff every interval, as jobs run through
  :func:`core.map_jobs`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import check_number, map_jobs

from .evaluation import scenario_operations
from .finance import scenario_finance
from .study import OPERATIONAL_ASSUMPTIONS, Scenario, Study

__all__ = ["break_even", "sensitivity", "SensitivityJob", "sensitivity_net_value", "SENSITIVITY_DEFAULT"]

# the assumptions of the sensitivity table when the study names none
SENSITIVITY_DEFAULT = ("cost_per_agent_hour", "conversion_rate", "margin_per_sale", "customer_lifetime_value",
                       "churn_if_abandoned", "churn_per_wait_minute", "volume", "aht")


def _advantage(study: Study, target: str, ops: dict, period: float, money_scale: dict) -> tuple[float, float, float]:
    """``(target - baseline, target, baseline)`` net value with the money scaled by ``money_scale``."""
    t = scenario_finance(study.scenarios[target], ops[target], period, money_scale=money_scale)["net_value"].sum()
    b = scenario_finance(study.scenarios[study.baseline], ops[study.baseline], period,
                         money_scale=money_scale)["net_value"].sum()
    return float(t - b), float(t), float(b)


def _money_value(study: Study, scenario: str, key: str):
    """The scenario's value of money assumption ``key`` when all its queues share one, else NaN."""
    vals = {getattr(qs.money, key) for qs in study.scenarios[scenario].queues.values()}
    return vals.pop() if len(vals) == 1 else float("nan")


def break_even(study: Study, ops: dict, period: float, *, scenario: str | None = None, assumptions=None) -> pd.DataFrame:
    """Break-even of money assumptions: the factor ``s`` (applied to that assumption in every
    scenario and queue) at which ``scenario``'s net value equals the baseline's, all else fixed.

    ``break_even_value = s x current value`` (the scenario's value when all its queues share one).
    Found by bracketing on s in [0, 1024] (probabilities only up to 1) and Brent's method (xtol
    1e-12); NaN when the advantage does not change sign in that range (the scenario wins, or
    loses, whatever the assumption).
    """
    from scipy.optimize import brentq

    scenario = scenario or study.break_even["scenario"]
    assumptions = list(assumptions or study.break_even["assumptions"] or
                       ["cost_per_agent_hour", "margin_per_sale", "conversion_rate", "customer_lifetime_value"])
    rows = []
    for key in assumptions:
        f = lambda s: _advantage(study, scenario, ops, period, {key: s})[0]  # noqa: E731
        grid, vals = [], []
        for s in (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 64.0, 256.0, 1024.0):
            try:
                vals.append(f(s))
            except ValueError:  # e.g. a probability scaled above 1: the scan ends here
                break
            grid.append(s)
        root = float("nan")
        for (a, fa), (b, fb) in zip(zip(grid, vals), zip(grid[1:], vals[1:])):
            if fa == 0:
                root = a
                break
            if fa * fb < 0:
                root = float(brentq(f, a, b, xtol=1e-12, rtol=1e-12))
                break
        cur = _money_value(study, scenario, key)
        adv_now = f(1.0)
        rows.append({"scenario": scenario, "baseline": study.baseline, "assumption": key, "current_value": cur,
                     "advantage_now": adv_now, "break_even_factor": root,
                     "break_even_value": root * cur if np.isfinite(root) and np.isfinite(cur) else float("nan"),
                     "scenario_wins_when": ("below" if f(root * 1.1 + 1e-9) < 0 else "above") if np.isfinite(root) else
                     ("always" if adv_now > 0 else "never")})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class SensitivityJob:
    """One re-staffing of the sensitivity table: ``scenario`` with demand ``assumption``
    (``"volume"`` or ``"aht"``) multiplied by ``factor``, over ``period_days`` days of ``forecast``."""

    scenario: Scenario
    forecast: pd.DataFrame
    period_days: float
    assumption: str
    factor: float


def sensitivity_net_value(job: SensitivityJob) -> float:
    """The scenario's net value (summed over queues) in one :class:`SensitivityJob`."""
    vf, af = (job.factor, 1.0) if job.assumption == "volume" else (1.0, job.factor)
    ops = scenario_operations(job.scenario, job.forecast, volume_factor=vf, aht_factor=af)
    return float(scenario_finance(job.scenario, ops, job.period_days)["net_value"].sum())


def sensitivity(study: Study, ops: dict, forecast: pd.DataFrame, period: float, *, scenario: str | None = None,
                assumptions=None, relative_change: float | None = None, executor=None) -> pd.DataFrame:
    """Each assumption moved by -x and +x (relative), alone, in every scenario: the target
    scenario's and the baseline's net value and the advantage (target - baseline), ranked by the
    swing of the advantage. Money assumptions re-price the same staffing; ``volume`` and ``aht``
    re-staff every interval (run through ``executor`` like :func:`.sweeps.sweep`)."""
    scenario = scenario or study.sensitivity["scenario"]
    x = check_number("relative_change",
                     relative_change if relative_change is not None else study.sensitivity["relative_change"],
                     minimum=0.0, strict_min=True, maximum=1.0, strict_max=True)
    assumptions = list(assumptions or study.sensitivity["assumptions"] or SENSITIVITY_DEFAULT)
    rows, jobs, slots = [], [], []
    for key in assumptions:
        row = {"assumption": key, "scenario": scenario, "baseline": study.baseline, "relative_change": x}
        for side, f in (("low", 1 - x), ("high", 1 + x)):
            if key in OPERATIONAL_ASSUMPTIONS:
                for who in (scenario, study.baseline):
                    jobs.append(SensitivityJob(study.scenarios[who], forecast, period, key, f))
                    slots.append((len(rows), side, who))
            else:
                adv, t, b = _advantage(study, scenario, ops, period, {key: f})
                row[f"net_value_{side}"], row[f"baseline_net_value_{side}"], row[f"advantage_{side}"] = t, b, adv
        rows.append(row)
    if jobs:
        values = map_jobs(sensitivity_net_value, jobs, executor)
        for (i, side, who), v in zip(slots, values):
            rows[i][f"net_value_{side}" if who == scenario else f"baseline_net_value_{side}"] = v
        for r in rows:
            if r["assumption"] in OPERATIONAL_ASSUMPTIONS:
                for side in ("low", "high"):
                    r[f"advantage_{side}"] = r[f"net_value_{side}"] - r[f"baseline_net_value_{side}"]
    out = pd.DataFrame(rows)
    out["swing"] = (out["advantage_high"] - out["advantage_low"]).abs()
    return out.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
