"""The simple volume models: weekly seasonal naive, mean of the last weeks, recent profile.

They need no more than one week of history, so a queue that opened recently can use them.
"""
from __future__ import annotations

from ..grid import N_DAYTYPES
from .base import VolumeModel, effective_types, fill_missing, has_data, weekday_fallback, weighted_profile

__all__ = ["SeasonalNaive", "MeanOfWeeks", "RecentProfile"]


class SeasonalNaive(VolumeModel):
    """Weekly seasonal naive: each future day repeats the last observed same weekday.

    Fitted attributes: ``train_`` (the training grid).
    """

    name = "snaive"
    description = "Seasonal naive: each day repeats the same weekday of last week (a baseline)."
    is_baseline = True

    def fit(self, train, ctx):
        self.train_ = train
        return self

    def predict(self, days, ctx):
        tr = self.train_
        dow = tr.days.day_of_week.to_numpy()
        prof = weighted_profile(tr.Y, dow, range(7), 1)
        return fill_missing(prof[days.day_of_week.to_numpy()], weekday_fallback(tr, days))


class MeanOfWeeks(VolumeModel):
    """Mean of the last ``k`` same weekdays, per interval (a baseline; named ``mean{k}``).

    Fitted attributes: ``train_`` (the training grid).
    """

    name = "mean4"
    description = "Mean of the last 4 same weekdays, interval by interval (a baseline; the fastest)."
    is_baseline = True

    def __init__(self, k: int = 4):
        self.k = k
        self.name = f"mean{k}"

    def fit(self, train, ctx):
        self.train_ = train
        return self

    def predict(self, days, ctx):
        tr = self.train_
        prof = weighted_profile(tr.Y, tr.days.day_of_week.to_numpy(), range(7), self.k)
        return fill_missing(prof[days.day_of_week.to_numpy()], weekday_fallback(tr, days))


class RecentProfile(VolumeModel):
    """Day-type x time-of-day profile of the last ``k`` days of each type, exponentially weighted
    (``halflife`` in days of that type); holidays and their eves are their own day types once the
    history holds at least two of them.

    Fitted attributes: ``train_`` (the training grid), ``daytypes_`` (day type per training day),
    ``profile_`` ((9, n_slots) expected contacts per day type and interval).
    """

    name = "profile"
    description = ("Recent weekday profile: each weekday's pattern over the last 8 weeks, recent "
                   "weeks weighing more (fast).")

    def __init__(self, k: int = 8, halflife: float = 3.0):
        self.k, self.halflife = k, halflife

    def fit(self, train, ctx):
        self.train_ = train
        self.daytypes_ = ctx.daytype(train.days)
        self.profile_ = weighted_profile(train.Y, self.daytypes_, range(N_DAYTYPES), self.k, self.halflife)
        return self

    def predict(self, days, ctx):
        tr = self.train_
        types = effective_types(ctx.daytype(days), days.day_of_week.to_numpy(), self.daytypes_, has_data(tr.Y))
        return fill_missing(self.profile_[types], weekday_fallback(tr, days))
