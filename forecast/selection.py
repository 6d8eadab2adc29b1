"""Model choice for ``model="auto"``: leave the simple default only for a gain that clearly exceeds
the fold-to-fold noise; with no clear winner, average the default with the calendar model unless
that is clearly worse.

Every candidate is scored on the same backtest folds (weekly origins, same weekday and horizon as
the real forecast). Per fold ``f`` the WAPE of the default ``d`` and of a challenger ``m`` give a
paired difference ``g_f = WAPE_d,f - WAPE_m,f`` (positive = the challenger was better that week).
With ``K`` folds, mean ``g`` and standard error ``se = sd(g_f) / sqrt(K)``:

    the challenger may replace the default  iff  K >= MIN_FOLDS  and  mean g > t * se  and
                                                 mean g > MIN_GAIN

where ``t`` is the one-sided ``1 - alpha / m`` quantile of Student's t with ``K - 1`` degrees of
freedom, ``m`` the number of challengers (Bonferroni: with equal models the chance that *any*
challenger passes by noise is at most ``alpha`` = 10%). Among those that pass, the one with the
largest mean gain is chosen. Differences are paired because the weeks themselves differ far more
than the models do: a hard week is hard for every model.

``confidence`` says how sure the choice is: the one-sided t probability that the best challenger
(the chosen one, or the best by mean gain when the default stays) is better than the default,
``P(T_{K-1} < mean g / se)``; 0.5 means a coin toss.

When no challenger clearly beats the default, picking one of the tied models is a coin toss, so
:func:`average_tied_partner` forecasts with the plain average of the default and its *partner*, a
model built from different information (the default reads recent intervals; the partner, the
top-down ``calendar`` model, a year of daily totals), unless the partner is clearly worse by the
same rule turned around (the default would clearly beat it: mean loss > t x se with one
comparison, and > MIN_GAIN). Why an average of tied models: in every interval
|(e1 + e2) / 2| <= (|e1| + |e2|) / 2, so the average's WAPE is never above the mean of the two
WAPEs, and below it wherever their errors differ in sign; with equal expected WAPE the average is
at least as good, and a partner worse by d costs at most d / 2. ``calendar_flat`` (the partner
without its day-of-month term) stands in for ``calendar`` only when it clearly beats it.
Identical models (the same per-fold WAPE) give the simple default: there is nothing to average;
so do fewer than MIN_FOLDS folds.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

__all__ = ["Selection", "select", "average_tied_partner", "DEFAULT_CHOICE", "PARTNERS", "MIN_FOLDS", "MIN_GAIN",
           "ALPHA"]

DEFAULT_CHOICE = "profile"  # the simple default: recent weekday profile (mean4 when profile is not run)
# the default's partner when no model clearly beats it, then the variant that must clearly beat
# the partner to stand in for it (see the module docstring)
PARTNERS = ("calendar", "calendar_flat")
MIN_FOLDS = 4  # fewer scored folds: the noise cannot be measured, the default stays
MIN_GAIN = 0.002  # WAPE points: a smaller mean gain is not worth a less simple model
ALPHA = 0.10


@dataclass(frozen=True)
class Selection:
    """How ``auto`` chose (see the module docstring for the rule).

    chosen: the model used; default: the simple default it started from; challenger: the best
    other candidate by mean paired gain (None without one); gain, gain_se: its mean per-fold WAPE
    gain over the default and the standard error of that mean (WAPE points, e.g. 0.004 = 0.4%);
    threshold: the gain it had to exceed (t x se, at least MIN_GAIN); confidence: one-sided
    probability that the challenger is really better; folds: the paired folds. ``partner``: the
    model averaged with the default when no challenger was clearly better (None when not looked
    at), ``partner_gain`` / ``partner_se``: its mean per-fold WAPE gain over the default (negative:
    worse) and that mean's standard error, ``partner_threshold``: the loss that would have dropped
    it; ``averaged``: whether ``chosen`` is that average.
    """

    chosen: str
    default: str
    challenger: str | None
    gain: float
    gain_se: float
    threshold: float
    confidence: float
    folds: int
    partner: str | None = None
    partner_gain: float = float("nan")
    partner_se: float = float("nan")
    partner_threshold: float = float("nan")
    averaged: bool = False

    def describe(self) -> str:
        """One sentence a planner understands."""
        if self.challenger is None:
            return f"{self.chosen}: the only candidate."
        left = self.chosen != self.default and not self.averaged
        verdict = (f"chosen over the simple default {self.default}" if left else
                   f"no model clearly beat the simple default {self.default}; best challenger {self.challenger}"
                   if self.averaged else f"kept the simple default; best challenger {self.challenger}")
        text = (f"{self.chosen}: {verdict}: mean gain {self.gain:+.4f} WAPE per week "
                f"(+- {self.gain_se:.4f}, needed > {self.threshold:.4f}) over {self.folds} weekly folds; "
                f"{self.confidence:.0%} sure the {'chosen' if left else 'challenger'} model is better.")
        if self.partner is None:
            return text
        how = "averaged with" if self.averaged else "not averaged with"
        why = "not clearly worse" if self.averaged else "clearly worse"
        return (f"{text} {how} {self.partner}, {why}: its mean gain {self.partner_gain:+.4f} "
                f"(+- {self.partner_se:.4f}; dropped below {-self.partner_threshold:.4f}).")

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"text": self.describe()}


def select(fold_wape: dict[str, np.ndarray], default: str, alpha: float = ALPHA) -> Selection:
    """Apply the rule of the module docstring to per-fold WAPEs ``{model: (K,) array}``
    (same folds for every model, NaN folds dropped pairwise). ``default`` must be a key."""
    if default not in fold_wape:
        raise ValueError(f"default model {default!r} is not among the candidates {sorted(fold_wape)}")
    base = np.asarray(fold_wape[default], float)
    others = [m for m in fold_wape if m != default]
    if not others:
        return Selection(default, default, None, 0.0, float("nan"), float("nan"), float("nan"), int(np.isfinite(base).sum()))
    rows = []
    for m in others:
        g = base - np.asarray(fold_wape[m], float)
        g = g[np.isfinite(g)]
        k = g.size
        mean = float(g.mean()) if k else float("nan")
        se = float(g.std(ddof=1) / np.sqrt(k)) if k >= 2 else float("nan")
        rows.append((m, mean, se, k))
    t_q = {k: stats.t.ppf(1 - alpha / len(others), k - 1) if k >= 2 else np.inf for _, _, _, k in rows}

    def threshold(se, k):
        return max(float(t_q[k] * se) if np.isfinite(se) else np.inf, MIN_GAIN)

    def confidence(mean, se, k):
        if k < 2 or not np.isfinite(mean):
            return float("nan")
        if se == 0:
            return 1.0 if mean > 0 else (0.5 if mean == 0 else 0.0)
        return float(stats.t.cdf(mean / se, k - 1))

    passing = [r for r in rows if r[3] >= MIN_FOLDS and r[1] > threshold(r[2], r[3])]
    best = max(passing or rows, key=lambda r: (np.nan_to_num(r[1], nan=-np.inf)))
    m, mean, se, k = best
    chosen = m if passing else default
    return Selection(chosen, default, m, mean, se, threshold(se, k), confidence(mean, se, k), k)


def average_tied_partner(sel: Selection, fold_wape: dict[str, np.ndarray], alpha: float = ALPHA) -> Selection:
    """``sel`` (from :func:`select` on the same ``fold_wape``), with the default averaged with its
    partner when no challenger was clearly better and the partner is not clearly worse (the rule of
    the module docstring). The average is named ``"combo(default+partner)"``. Unchanged when a
    challenger was chosen, or without a partner among the candidates."""
    present = [m for m in PARTNERS if m in fold_wape and m != sel.default]
    if sel.chosen != sel.default or not present or sel.folds < MIN_FOLDS:
        return sel  # (too few folds to tell a tie from a clear loss: the default alone)
    partner = present[0]
    if len(present) == 2:  # the variant stands in only when it clearly beats the partner
        partner = select({m: fold_wape[m] for m in present}, present[0], alpha).chosen
    base, other = np.asarray(fold_wape[sel.default], float), np.asarray(fold_wape[partner], float)
    g = base - other
    g = g[np.isfinite(g)]
    if g.size and np.all(g == 0):
        return sel  # identical: nothing to average
    # the same rule turned around: would the default clearly beat the partner?
    worse = select({partner: other, sel.default: base}, partner, alpha)
    keep = worse.chosen == partner
    members = [m for m in fold_wape if m in (sel.default, partner)]  # candidate order: simpler first
    return replace(sel, chosen="combo(" + "+".join(members) + ")" if keep else sel.chosen, partner=partner,
                   partner_gain=-worse.gain, partner_se=worse.gain_se, partner_threshold=worse.threshold,
                   averaged=keep)
