"""Forecast benchmark on the bundled Anonymous Bank data (30-minute intervals).

Rolling origin: the last 4 weeks of 1999 as 4 weekly folds (plus 2 earlier weekly folds that only
calibrate staffcast's prediction intervals). For each fold every model is fitted on the data before
the origin and forecasts the next 7 days. Printed per model: WAPE, evening WAPE (20:00-24:00),
MASE (vs weekly seasonal naive in sample), 80%-interval coverage, fit time, and the Poisson floor.
statsforecast (MSTL(48, 336) with an AutoETS trend) runs on the same intervals and origins.

Run: .venv/bin/python bench/forecast_bench.py
"""
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import backtest, read_history, resample_history
from forecast.grid import to_grid, window_mask

DATA = Path(__file__).resolve().parents[1] / "data" / "anonymous_bank_1999_6min.csv"
HORIZON, FOLDS = 7, 4


def statsforecast_scores(hist30):
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS

    grid = to_grid(hist30, 1800)
    n, s = grid.Y.shape
    ev = window_mask(s, 1800, ("20:00", "24:00"))
    df = pd.DataFrame({"unique_id": "bank", "ds": hist30["interval_start"], "y": hist30["volume"]})
    out = {}
    specs = {
        "sf_MSTL(48,336)+AutoETS": lambda: MSTL(season_length=[48, 336], trend_forecaster=AutoETS(model="ZZN")),
    }
    for name, make in specs.items():
        err = tot = ev_err = ev_tot = cov = cnt = floor = mase_num = mase_den = 0.0
        t0 = time.perf_counter()
        for k in range(FOLDS, 0, -1):
            o = n - HORIZON * k
            train = df[df["ds"] < grid.days[o]]
            sf = StatsForecast(models=[make()], freq="30min", n_jobs=1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fc = sf.forecast(df=train.tail(8 * 7 * 48), h=HORIZON * s, level=[80])
            col = [c for c in fc.columns if c not in ("unique_id", "ds") and "-" not in c][0]
            p = np.maximum(fc[col].to_numpy(), 0).reshape(HORIZON, s)
            lo = fc[f"{col}-lo-80"].to_numpy().reshape(HORIZON, s)
            hi = fc[f"{col}-hi-80"].to_numpy().reshape(HORIZON, s)
            y = grid.Y[o:o + HORIZON]
            err += np.abs(p - y).sum(); tot += y.sum()
            ev_err += np.abs(p - y)[:, ev].sum(); ev_tot += y[:, ev].sum()
            cov += ((y >= lo) & (y <= hi)).sum(); cnt += y.size
            floor += np.sqrt(2 * y / np.pi).sum()
            tr = grid.Y[max(0, o - 56):o]
            mase_num += np.abs(p - y).sum(); mase_den += np.nanmean(np.abs(tr[7:] - tr[:-7])) * y.size
        out[name] = {"wape": err / tot, "evening_wape": ev_err / ev_tot, "mase": mase_num / mase_den,
                     "coverage_80": cov / cnt, "hit_80": cov / cnt, "poisson_floor_wape": floor / tot,
                     "fit_s": time.perf_counter() - t0}
    return out


def oracle_day_total_scores(hist30):
    """A bound, not a forecast: the recent-weeks profile rescaled to each day's TRUE total.

    It shows how much WAPE remains from intraday shape and Poisson noise alone, when the daily level
    is known exactly; no real forecast can use it.
    """
    from forecast.api import _context
    from forecast.models import RecentProfile

    grid = to_grid(hist30, 1800)
    n, s = grid.Y.shape
    ctx = _context(grid, "IL", None)
    ev = window_mask(s, 1800, ("20:00", "24:00"))
    err = tot = ev_err = ev_tot = floor = 0.0
    for k in range(FOLDS, 0, -1):
        o = n - HORIZON * k
        model = RecentProfile().fit(grid.head(o), ctx)
        p = np.nan_to_num(model.predict(grid.days[o:o + HORIZON], ctx))
        y = grid.Y[o:o + HORIZON]
        seen = np.isfinite(y)
        yz = np.where(seen, y, 0.0)
        p = np.where(seen, p, 0.0)
        scale = np.where(p.sum(1) > 0, yz.sum(1) / np.maximum(p.sum(1), 1e-12), 0.0)
        p = p * scale[:, None]
        err += np.abs(p - yz).sum(); tot += yz.sum()
        ev_err += np.abs(p - yz)[:, ev].sum(); ev_tot += yz[:, ev].sum()
        floor += np.sqrt(2 * yz / np.pi).sum()
    return {"wape": err / tot, "evening_wape": ev_err / ev_tot, "poisson_floor_wape": floor / tot}


def main():
    t0 = time.perf_counter()
    hist = resample_history(read_history(DATA, volume_col="calls"), 1800)
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    bt = backtest(hist, horizon_days=HORIZON, origins=FOLDS, calibration_origins=2, country="IL")
    select_s = time.perf_counter() - t0
    chosen = bt.attrs["chosen"][None]
    rows = bt.set_index("model")[["wape", "evening_wape", "mase", "coverage_80", "hit_80", "poisson_floor_wape", "fit_s"]]
    try:
        sf = pd.DataFrame(statsforecast_scores(hist)).T
        rows = pd.concat([rows, sf[rows.columns]])
    except ImportError as exc:  # statsforecast is a bench-only extra
        print(f"statsforecast not available ({exc}); peers skipped")
    best_base = rows.loc[["snaive", "mean4"], "wape"].min()
    rows["wape/auto"] = rows["wape"] / rows.loc[chosen, "wape"]
    rows["wape/floor"] = rows["wape"] / rows["poisson_floor_wape"]
    print(f"Anonymous Bank 1999, 30-min intervals, last {FOLDS} weeks as {FOLDS} weekly folds "
          f"(+2 calibration folds for staffcast intervals); read+resample {read_s:.2f} s")
    print("coverage_80: staffcast = randomized-PIT coverage of the 80% interval; hit_80 = plain share of "
          "actuals in [p10, p90]; statsforecast = plain share in its 80% interval")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(rows.round(3).to_string())
    print(f"\nauto choice: {chosen}  WAPE {rows.loc[chosen, 'wape']:.3f}  evening WAPE "
          f"{rows.loc[chosen, 'evening_wape']:.3f}  better baseline WAPE {best_base:.3f}  "
          f"Poisson floor {rows.loc[chosen, 'poisson_floor_wape']:.3f}")
    print(f"staffcast backtest + selection, all models, one queue-year: {select_s:.1f} s")
    bound = oracle_day_total_scores(hist)
    print(f"bound, not a forecast - profile rescaled to the TRUE day totals: WAPE {bound['wape']:.3f}  "
          f"evening WAPE {bound['evening_wape']:.3f}  (Poisson floor {bound['poisson_floor_wape']:.3f})")


if __name__ == "__main__":
    main()
