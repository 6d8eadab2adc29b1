"""The one list of volume models: name -> class, read by the forecast, the CLI and the dashboard.

The order matters: it is the order the backtest fits the models in, and ties in the backtest WAPE
go to the model listed first (the simpler one).
"""
from __future__ import annotations

from .base import VolumeModel
from .calendar import CalendarFlat, CalendarTopDown
from .simple import MeanOfWeeks, RecentProfile, SeasonalNaive
from .statistical import DailySarimaxTopDown, GlmPoisson, MstlEts

__all__ = ["MODELS", "BASELINES", "AUTO_MODELS", "AUTO", "AUTO_DESCRIPTION", "make_model", "model_names", "model_choices",
           "combo_members"]

MODELS: dict[str, type[VolumeModel]] = {
    cls.name: cls for cls in (SeasonalNaive, MeanOfWeeks, RecentProfile, DailySarimaxTopDown, MstlEts, GlmPoisson,
                              CalendarTopDown, CalendarFlat)
}
BASELINES = tuple(name for name, cls in MODELS.items() if cls.is_baseline)  # ("snaive", "mean4")
AUTO_MODELS = tuple(name for name, cls in MODELS.items() if cls.in_auto)  # what "auto" backtests

AUTO = "auto"
AUTO_DESCRIPTION = ("Automatic: backtest the models on 8 past weeks and leave the simple weekday profile "
                    "only for one clearly better week after week; with a tie, average the profile and the "
                    "calendar model (slower).")


def make_model(name: str) -> VolumeModel:
    """A fresh, unfitted model by name (see :data:`MODELS`); ValueError naming the model otherwise."""
    try:
        return MODELS[name]()
    except KeyError:
        raise ValueError(f"unknown model {name!r}; expected one of {sorted(MODELS)} or 'auto'") from None


def combo_members(name: str) -> list[str]:
    """The models of a combination name ``"combo(a+b)"`` (an equal-weight mean); ``[name]`` otherwise."""
    if name.startswith("combo(") and name.endswith(")"):
        return name[len("combo("):-1].split("+")
    return [name]


def model_names(auto: bool = True) -> list[str]:
    """Names a user may choose: the registered models, then ``"auto"`` (unless ``auto=False``)."""
    return list(MODELS) + ([AUTO] if auto else [])


def model_choices(auto: bool = True) -> list[tuple[str, str]]:
    """``(name, description)`` per model for a select box, then ``("auto", ...)`` unless ``auto=False``."""
    out = [(name, cls.description) for name, cls in MODELS.items()]
    return out + ([(AUTO, AUTO_DESCRIPTION)] if auto else [])
