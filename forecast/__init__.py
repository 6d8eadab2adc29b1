"""staffcast forecast package: interval history -> volume and handle-time forecasts per interval.

Knows nothing of staffing: it never imports ``planning``, ``simulation`` or streamlit.

Public API
----------
- :func:`read_history` - read and validate CSV / Parquet / DataFrame history.
- :func:`resample_history` - aggregate to 900 / 1800 s (sum volume, volume-weight aht_s).
- :func:`forecast_volume` - per-interval forecast with p10 / p90 and backtest-based model choice;
  returns a :class:`ForecastResult` (``to_frame()``, ``report(queue)``, ``backtest``, ``chosen``,
  ``model``, ``phi``, ``summary``).
- :func:`backtest` - rolling-origin scores per model (WAPE, MASE, bias, evening WAPE, coverage,
  Poisson floor); returns a :class:`BacktestResult` (``to_frame()``, ``chosen``, ``summary``).
- :func:`forecast_aht` - handle time per weekday x time of day, volume-weighted and shrunk.
- :func:`reforecast_intraday` - the rest of today re-forecast from today's actuals so far.
- :data:`MODELS` - the one model registry (name -> class with ``fit`` / ``predict``, ``name``,
  ``description``); :func:`model_choices` - ``(name, description)`` pairs for a select box,
  :func:`model_names` - the names a user may give (``"auto"`` last).
"""
from .aht import forecast_aht
from .api import backtest, forecast_volume
from .history import infer_interval_s, read_history, resample_history
from .intraday import reforecast_intraday
from .models import AUTO, MODELS, VolumeModel, make_model, model_choices, model_names
from .result import BacktestResult, ForecastResult, QueueReport

__all__ = [
    "read_history",
    "resample_history",
    "infer_interval_s",
    "forecast_volume",
    "backtest",
    "forecast_aht",
    "reforecast_intraday",
    "ForecastResult",
    "BacktestResult",
    "QueueReport",
    "MODELS",
    "AUTO",
    "VolumeModel",
    "make_model",
    "model_names",
    "model_choices",
]
