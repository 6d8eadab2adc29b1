"""staffcast forecast package: interval history -> volume and handle-time forecasts per interval.

Knows nothing of staffing: it never imports ``planning``, ``simulation`` or streamlit.

Public API
----------
- :func:`read_history` - read and validate CSV / Parquet / DataFrame history.
- :func:`resample_history` - aggregate to 900 / 1800 s (sum volume, volume-weight aht_s).
- :func:`forecast_volume` - per-interval forecast with p10 / p90 and backtest-based model choice.
- :func:`backtest` - rolling-origin scores per model (WAPE, MASE, bias, evening WAPE, coverage,
  Poisson floor).
- :func:`forecast_aht` - handle time per weekday x time of day, volume-weighted and shrunk.
- :func:`reforecast_intraday` - the rest of today re-forecast from today's actuals so far.
"""
from .api import backtest, forecast_aht, forecast_volume
from .intraday import reforecast_intraday
from .history import infer_interval_s, read_history, resample_history
from .models import MODELS

__all__ = [
    "read_history",
    "resample_history",
    "infer_interval_s",
    "forecast_volume",
    "backtest",
    "forecast_aht",
    "reforecast_intraday",
    "MODELS",
]
