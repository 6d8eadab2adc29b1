"""Forecast versus actual: score stored runs' forecasts against history that arrived later.

For each run, queue and lead week (1 = the first 7 days of the run's horizon, 2 = the next 7, ...;
0 = the whole scored part) over the intervals that have both a forecast and an actual:

- ``wape``          = sum |forecast - actual| / sum actual,
- ``wape_evening``  = the same over intervals starting 20:00-24:00 local time,
- ``bias``          = (sum forecast - sum actual) / sum actual (positive: over-forecast),
- ``coverage_p10_p90`` = share of actuals inside the forecast's [p10, p90] band (target 0.8),
- ``intervals``, ``actual``, ``forecast`` (sums), ``model``.

Only open intervals are scored (the run's opening hours): a closed slot has no demand to plan for.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .config import InputError, PlanConfig
from .pipeline import file_sha256, read_queue_history, data_fingerprint
from .store import RunStore

__all__ = ["score_forecast", "score_runs"]

EVENING = (20 * 60, 24 * 60)


def _score(g: pd.DataFrame) -> dict:
    a = g["actual"].to_numpy(float)
    f = g["forecast"].to_numpy(float)
    tot = a.sum()
    ev = g["_evening"].to_numpy(bool)
    out = {
        "intervals": int(len(g)),
        "actual": float(tot),
        "forecast": float(f.sum()),
        "wape": float(np.abs(f - a).sum() / tot) if tot > 0 else np.nan,
        "bias": float((f.sum() - tot) / tot) if tot > 0 else np.nan,
        "wape_evening": (float(np.abs(f[ev] - a[ev]).sum() / a[ev].sum()) if ev.any() and a[ev].sum() > 0
                         else np.nan),
    }
    lo, hi = g["volume_p10"].to_numpy(float), g["volume_p90"].to_numpy(float)
    ok = np.isfinite(lo) & np.isfinite(hi)
    out["coverage_p10_p90"] = float(((a >= lo) & (a <= hi))[ok].mean()) if ok.any() else np.nan
    return out


def score_forecast(forecast: pd.DataFrame, actuals: pd.DataFrame, *, horizon_start,
                   open_mask: np.ndarray | None = None) -> pd.DataFrame:
    """Score one forecast (``queue, interval_start, volume[, volume_p10, volume_p90, model]``)
    against actuals (``queue, interval_start, volume``) on their common intervals.

    Returns one row per queue and lead week (0 = all), columns as in the module docstring.
    """
    f = forecast.copy()
    if open_mask is not None:
        f = f.loc[np.asarray(open_mask, dtype=bool)]
    for c in ("volume_p10", "volume_p90"):
        if c not in f:
            f[c] = np.nan
    if "model" not in f:
        f["model"] = None
    if "queue" not in f:
        f["queue"] = "default"
    act = actuals.rename(columns={"volume": "actual"})
    if "queue" not in act:
        act["queue"] = "default"

    def utc(s):
        s = pd.to_datetime(s)
        return s.dt.tz_convert("UTC") if s.dt.tz is not None else s

    f["_k"] = utc(f["interval_start"])
    act = act.assign(_k=utc(act["interval_start"]))[["queue", "_k", "actual"]]
    m = f.rename(columns={"volume": "forecast"}).merge(act, on=["queue", "_k"], how="inner")
    cols = ["queue", "model", "lead_week", "intervals", "actual", "forecast", "wape", "wape_evening", "bias",
            "coverage_p10_p90"]
    if m.empty:
        return pd.DataFrame(columns=cols)
    ts = pd.DatetimeIndex(m["interval_start"])
    minutes = ts.hour * 60 + ts.minute
    m["_evening"] = (minutes >= EVENING[0]) & (minutes < EVENING[1])
    start = pd.Timestamp(horizon_start)
    lead_days = (utc(m["interval_start"]) - (start.tz_convert("UTC") if start.tz is not None else start))
    m["lead_week"] = (lead_days.dt.total_seconds() // (7 * 86400)).astype(int) + 1
    rows = []
    for queue, g in m.groupby("queue", sort=True):
        model = ",".join(sorted(set(map(str, g["model"].dropna())))) or None
        rows.append({"queue": queue, "model": model, "lead_week": 0, **_score(g)})
        for lw, gw in g.groupby("lead_week", sort=True):
            rows.append({"queue": queue, "model": model, "lead_week": int(lw), **_score(gw)})
    return pd.DataFrame(rows, columns=cols)


def score_runs(store: RunStore, config: PlanConfig, *, run_ids: list[str] | None = None,
               history_overrides: dict[str, str] | None = None, save: bool = True,
               limit: int | None = 50) -> pd.DataFrame:
    """Score stored runs of this plan against the (new) actuals the config's history points to.

    ``history_overrides`` maps queue -> a newer history file (same columns). Runs whose horizon
    has no actuals yet are skipped. Scores are appended to the store's ``accuracy`` table when
    ``save``. Returns ``run_id, queue, model, lead_week, ...`` rows.
    """
    from dataclasses import replace
    from pathlib import Path

    queues = dict(config.queues)
    for name, path in (history_overrides or {}).items():
        if name not in queues:
            raise InputError(f"--history {name}=...: no queue {name!r} in the config "
                             f"(queues: {', '.join(queues)})")
        p = Path(path)
        if not p.is_file():
            raise InputError(f"--history {name}={path}: file not found")
        queues[name] = replace(queues[name], history=p)
    if run_ids:
        metas = [store.get_run(r) for r in run_ids]
    else:
        listed = store.list_runs(limit=limit, plan_name=config.name)
        metas = [store.get_run(r) for r in listed["run_id"]]
    if not metas:
        raise InputError(f"no stored runs of plan {config.name!r} in {store.url}")
    actual_cache: dict[tuple[str, int], pd.DataFrame] = {}
    fps = {n: file_sha256(q.history) for n, q in queues.items()}
    actuals_fp = data_fingerprint(fps)
    out = []
    for meta in metas:
        fc = store.load_frame(meta["run_id"], "forecast")
        req = store.load_frame(meta["run_id"], "requirements")
        if fc.empty:
            continue
        interval_s = int(meta["interval_s"])
        acts = []
        for name in fc["queue"].unique():
            if name not in queues:
                continue
            k = (name, interval_s)
            if k not in actual_cache:
                h = read_queue_history(queues[name], interval_s, meta.get("timezone"))
                actual_cache[k] = h.assign(queue=name)[["queue", "interval_start", "volume"]]
            acts.append(actual_cache[k])
        if not acts:
            continue
        fc = fc.merge(req[["queue", "interval_start", "open"]], on=["queue", "interval_start"], how="left")
        open_ = fc["open"].fillna(True).astype(bool).to_numpy()
        scores = score_forecast(fc, pd.concat(acts, ignore_index=True), horizon_start=meta["horizon_start"],
                                open_mask=open_)
        if scores.empty:
            continue
        scores.insert(0, "run_id", meta["run_id"])
        scores["as_of"] = meta.get("as_of")
        scores["actuals_fingerprint"] = actuals_fp
        out.append(scores)
    if not out:
        return pd.DataFrame(columns=["run_id", "queue", "model", "lead_week", "intervals", "actual", "forecast",
                                     "wape", "wape_evening", "bias", "coverage_p10_p90", "as_of"])
    result = pd.concat(out, ignore_index=True)
    if save:
        store.save_accuracy(result.assign(scored_at_utc=None))
    return result
