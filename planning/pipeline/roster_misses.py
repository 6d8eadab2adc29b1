"""Which intervals of a simulated roster miss a target, with the week's false discovery rate controlled.

**The test.** For each interval and each target of its queue (:meth:`core.Targets.given`), from the
``n`` absence draws with a finite value of the target's metric (each draw: its own absence and its
own simulation replications, so the spread between draws holds both noises): the null hypothesis
"the interval meets the target on average" (mean metric >= target for a "min" target such as the
service level, <= for a "max" target such as ASA, P(wait), abandon rate, occupancy) against the
one-sided alternative that it misses. Statistic ``t = (mean - target) / (sd / sqrt(n))`` (``sd``
with ``ddof=1``), Student t with ``n - 1`` degrees of freedom; the p-value is ``P(T <= t)`` for a
"min" target and ``P(T >= t)`` for a "max" one. Fewer than 2 finite draws: no test. All draws equal
(``sd = 0``): p = 0 on the wrong side of the target, 1 on the right side, 0.5 on it.

**The correction.** A week holds ~450 open intervals per queue and one test per target, ~1,000 tests;
at 5 % each, a roster that meets every target would still be flagged somewhere in most weeks.
The tests of the whole week (all queues, all blocks, all targets) form one family, corrected by
Benjamini-Hochberg (:func:`scipy.stats.false_discovery_control`) at a false discovery rate of
:data:`FALSE_DISCOVERY_RATE` (5 %): an interval misses when one of its tests is rejected.

Why BH rather than Holm: when nothing truly misses (every null true), any rejection is a false
discovery, so the BH rate is then also the familywise rate: a roster that meets every target is
flagged anywhere in the week with probability <= 5 %. When some intervals truly miss (an
under-staffed peak misses in a run of adjacent intervals), BH's threshold grows with the number
of rejections (``5 % x rejections / tests``) while Holm's stays near ``5 % / tests``; a false
discovery among true ones costs one agent in one interval, so trading Holm's familywise guarantee
for BH's power is the better deal here. BH assumes independent or positively dependent tests
(PRDS); adjacent intervals of a block share their absence draw and the backlog, which moves their
statistics the same way (positive dependence). The t test's far tails are only approximate for
bounded, skewed metrics: a metric that saturates (agents busy near 1 with 3-4 chat agents) gives
draws with a tiny spread when they happen to lose more agents than the absence rate, and a
p-value far below its true one (seen once in 10 checks of the bundled roster, with independent
absence draws); the absence draws are therefore stratified
(:func:`.roster_check.absence_uniforms`), so that the draws together lose about the agents the
rate gives.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from core import TARGET_SPECS, Targets

__all__ = ["FALSE_DISCOVERY_RATE", "TargetTest", "target_tests", "miss_p_values", "flag_misses"]

FALSE_DISCOVERY_RATE = 0.05  # expected share of false alarms among the week's flagged tests


@dataclass(frozen=True)
class TargetTest:
    """One target of a queue as tested: ``name`` (a :data:`core.TARGET_NAMES` entry), the simulator
    ``column`` it bounds, ``sense`` ("min" or "max") and the ``target`` value (the column's units)."""

    name: str
    column: str
    sense: str
    target: float


def target_tests(targets: Targets) -> list[TargetTest]:
    """The tests of a queue's set targets, in :data:`core.TARGET_NAMES` order."""
    from simulation import target_column

    return [TargetTest(n, target_column(targets, n), TARGET_SPECS[n].sense, float(v))
            for n, v in targets.given().items()]


def miss_p_values(values: np.ndarray, target: float, sense: str) -> np.ndarray:
    """One-sided p-values, per interval, that the interval misses ``target`` (see the module docstring).

    ``values``: (draws, intervals) metric values, NaN where a draw has none (no contacts);
    ``sense``: "min" (the metric must reach the target) or "max" (must stay at or below it).
    Returns a float array over the intervals, NaN where fewer than 2 draws have a value."""
    if sense not in ("min", "max"):
        raise ValueError(f"sense must be 'min' or 'max', got {sense!r}")
    v = np.asarray(values, float)
    n = np.isfinite(v).sum(axis=0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # intervals with fewer than 2 values
        diff = np.nanmean(v, axis=0) - target
        se = np.nanstd(v, axis=0, ddof=1) / np.sqrt(n)
        t = np.where(se > 0, diff / se, np.sign(diff) * np.inf)
        t = np.where(np.isnan(t) & (diff == 0), 0.0, t)  # all equal, on the target
    df = np.maximum(n - 1, 1)
    p = stats.t.cdf(t, df) if sense == "min" else stats.t.sf(t, df)
    return np.where(n >= 2, p, np.nan)


def _tests_frame(checked: pd.DataFrame, targets: Mapping[str, Targets]) -> pd.DataFrame:
    """One row per (interval row of ``checked``, target of its queue) with a p-value."""
    parts = []
    for queue, rows in checked.groupby("queue", sort=False).groups.items():
        if queue not in targets:
            raise ValueError(f"flag_misses: no targets given for queue {queue!r}")
        for t in target_tests(targets[queue]):
            if f"{t.column}_p" not in checked:
                raise ValueError(f"flag_misses: queue {queue!r} target {t.name}: no column {t.column}_p")
            sub = checked.loc[rows]
            parts.append(pd.DataFrame({
                "row": rows, "column": t.column, "sense": t.sense, "target": t.target,
                "p": sub[f"{t.column}_p"].to_numpy(float), "value": sub[t.column].to_numpy(float),
                "lo": sub[f"{t.column}_lo"].to_numpy(float), "hi": sub[f"{t.column}_hi"].to_numpy(float)}))
    tests = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["row", "p"])
    return tests[np.isfinite(tests["p"].to_numpy(float))].reset_index(drop=True)


def flag_misses(checked: pd.DataFrame, targets: Mapping[str, Targets],
                fdr: float = FALSE_DISCOVERY_RATE) -> pd.DataFrame:
    """``checked`` (one row per interval: ``queue``, each tested metric with ``_lo``, ``_hi`` and
    ``_p``, its one-sided p-value from :func:`miss_p_values`) with ``missed``, ``reason``,
    ``p_value`` and ``q_value`` set, Benjamini-Hochberg at ``fdr`` over all rows' tests together.

    ``targets``: the targets per queue name. ``p_value``/``q_value``: the smallest p-value of the
    row's tests and its BH-adjusted value (NaN: no test); ``missed`` when ``q_value <= fdr``; the
    ``reason`` names the metric, its mean and 95 % interval over the draws, the target, the p-value
    and the BH threshold it passed (``fdr x rejections / tests``)."""
    if not 0 < fdr < 1:
        raise ValueError(f"fdr must be in (0, 1), got {fdr!r}")
    out = checked.reset_index(drop=True)
    tests = _tests_frame(out, targets)
    m = len(tests)
    tests["q"] = stats.false_discovery_control(tests["p"].to_numpy(float), method="bh") if m else []
    hit = tests["q"].to_numpy(float) <= fdr
    threshold = fdr * int(hit.sum()) / m if m else 0.0
    missed = np.zeros(len(out), bool)
    reason = np.full(len(out), None, dtype=object)
    p_value = np.full(len(out), np.nan)
    q_value = np.full(len(out), np.nan)
    if m:
        best = tests.sort_values(["p", "row"], kind="stable").drop_duplicates("row")  # each row's smallest p
        rows = best["row"].to_numpy(int)
        p_value[rows], q_value[rows] = best["p"].to_numpy(float), best["q"].to_numpy(float)
        for b in best[best["q"].to_numpy(float) <= fdr].itertuples():
            missed[b.row] = True
            reason[b.row] = (f"{b.column} {b.value:.4g} [{b.lo:.4g}, {b.hi:.4g}] {'<' if b.sense == 'min' else '>'} "
                             f"target {b.target:g}: p {b.p:.2g} <= {threshold:.2g} (Benjamini-Hochberg, false "
                             f"discovery rate {fdr:g} over {m} tests)")
    return out.assign(missed=missed, reason=reason, p_value=p_value, q_value=q_value)
