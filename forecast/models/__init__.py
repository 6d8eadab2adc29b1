"""Volume models with a common interface: ``fit(train, ctx)`` then ``predict(days, ctx)``.

See :mod:`forecast.models.base` for the interface. The models (registry :data:`MODELS`):

- ``snaive``: weekly seasonal naive (same weekday, last week).
- ``mean4``: mean of the last 4 same weekdays (per interval).
- ``profile``: weekday x time-of-day profile of recent weeks (holidays and their eves are their own
  day types once the history holds at least two of them), exponentially weighted.
- ``daily_sarimax``: top-down. Daily totals modelled by statsmodels SARIMAX on log(1 + total) with
  weekly seasonal differencing and holiday / eve regressors, times a day-type-specific intraday
  profile (shares of the day) from recent weeks.
- ``mstl_ets``: statsmodels MSTL (daily and weekly periods) on log(1 + volume) of recent weeks; the
  deseasonalised series is forecast with exponential smoothing (damped additive trend), the
  seasonal components repeat their last cycle.
- ``calendar`` / ``calendar_flat``: top-down, daily totals from the recent weekly level x weekday x
  day-of-month curve (``calendar`` only) x after-closure and holiday effects, times weekday
  intraday shares (:mod:`forecast.models.calendar`).
- ``glm_poisson``: Poisson GLM (statsmodels, log link; over-dispersion by moments) on weekday x
  time-of-day, a linear trend, holidays and eves, fitted on recent weeks.
"""
from ..context import Context
from .base import VolumeModel
from .registry import (AUTO, AUTO_DESCRIPTION, AUTO_MODELS, BASELINES, MODELS, combo_members, make_model, model_choices,
                       model_names)
from .calendar import CalendarFlat, CalendarTopDown
from .simple import MeanOfWeeks, RecentProfile, SeasonalNaive
from .statistical import DailySarimaxTopDown, GlmPoisson, MstlEts

__all__ = [
    "MODELS", "BASELINES", "AUTO_MODELS", "AUTO", "AUTO_DESCRIPTION", "make_model", "model_names", "model_choices",
    "combo_members", "Context", "VolumeModel",
    "SeasonalNaive", "MeanOfWeeks", "RecentProfile", "DailySarimaxTopDown", "MstlEts", "GlmPoisson",
    "CalendarTopDown", "CalendarFlat",
]
