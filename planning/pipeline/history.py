"""Stage 1 of the plan: read each queue's history, check it, and fingerprint the input files.

- :func:`read_queue_history`: one queue's history file, validated by ``forecast.read_history``,
  placed in the plan's zone and resampled to the plan interval (seconds);
- :func:`load_histories`: every queue of a plan, with the sha256 of each file;
- :func:`history_warnings`: what a planner should know before trusting a plan from a history;
- :func:`file_sha256` / :func:`data_fingerprint`: the input-data part of a run's identity.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import InputError, PlanConfig, QueueConfig
from ..progress import Progress
from .csv_read import read_csv_cells
from .history_check import history_problems, problems_text

__all__ = ["read_queue_history", "load_histories", "history_warnings", "file_sha256", "data_fingerprint",
           "OUTLIER_FACTOR"]


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (read in 1 MiB chunks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def data_fingerprint(files: dict[str, str]) -> str:
    """One hash over the per-queue file hashes."""
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


def _read_raw(path: Path, time_col: str) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """The history file as read_history would read it, with plain ISO times parsed once (fast),
    and the ``(line, fields)`` of CSV lines with another number of fields than the header (left
    out). A CSV's separator is detected (comma, semicolon, tab, bar: see :mod:`.csv_read`).

    Anything unusual (offsets, other formats, bad values) is left as text for read_history to
    check and report with row numbers."""
    if not path.is_file():
        raise ValueError("history file not found")
    if path.stat().st_size == 0:
        raise ValueError("empty file; expected a CSV or Parquet history with a header row")
    if path.suffix.lower() in (".parquet", ".pq"):
        return pd.read_parquet(path), []
    try:
        cells = read_csv_cells(path)
    except pd.errors.EmptyDataError as exc:
        raise ValueError(f"empty file; expected a CSV with a header row ({exc})") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8 CSV") from None
    raw = cells.frame
    if time_col in raw and not cells.ragged:
        text = raw[time_col].str.strip()
        if not text.str.contains(r"(?:[+-]\d\d:?\d\d|Z)$", regex=True).any():
            ts = pd.to_datetime(text, errors="coerce", format="ISO8601")
            if not ts.isna().any():
                raw[time_col] = ts
    return raw, cells.ragged


def _all_problems(raw: pd.DataFrame, q: QueueConfig, zone: str | None, ragged: list) -> list[str]:
    """Every kind of problem of the file (:func:`.history_check.history_problems`) for ``q``'s columns."""
    queue_col = q.queue_col if q.queue_col is not None else ("queue" if "queue" in raw else None)
    aht_col = q.aht_col if q.aht_col is not None else ("aht_s" if "aht_s" in raw else None)
    return history_problems(raw, time_col=q.time_col, volume_col=q.volume_col, aht_col=aht_col, queue_col=queue_col,
                            time_format=q.time_format, tz=zone, ragged=ragged)


def _localize_wall_clock(frame: pd.DataFrame, time_col: str, tz: str, time_format: str | None = None
                         ) -> tuple[pd.DataFrame, dict]:
    """Place naive wall-clock times that ignore DST (one row per wall-clock slot every day, as in
    the bundled bank file) into ``tz``: times skipped at the spring change are dropped, the repeated
    autumn hour (present once) is read as summer time. Returns the frame and what was done."""
    ts = frame[time_col]
    if not pd.api.types.is_datetime64_any_dtype(ts):
        ts = pd.to_datetime(ts, format=time_format or "ISO8601")
    loc = pd.DatetimeIndex(ts).tz_localize(tz, ambiguous=np.ones(len(ts), dtype=bool), nonexistent="NaT")
    missing = np.asarray(loc.isna())
    out = frame.loc[~missing].copy()
    out[time_col] = loc[~missing]
    return out, {"dropped_nonexistent": int(missing.sum())}


def read_queue_history(q: QueueConfig, interval_s: int, tz: str | None, progress: Progress | None = None) -> pd.DataFrame:
    """Read one queue's history (validated by ``forecast.read_history``), at the plan interval."""
    from forecast.history import read_history, resample_history

    kw = dict(time_col=q.time_col, volume_col=q.volume_col, aht_col=q.aht_col,
              queue_col=q.queue_col, time_format=q.time_format)
    src = q.history
    zone = q.history_tz or tz
    try:
        raw, ragged = _read_raw(src, q.time_col)
        if ragged:
            raise ValueError(problems_text(_all_problems(raw, q, zone, ragged)))
        try:
            hist = read_history(raw, tz=zone, **kw)
        except ValueError as exc:
            if not zone or "cannot be placed in zone" not in str(exc):
                # every kind of problem at once (read_history stops at the first)
                raise ValueError(problems_text(_all_problems(raw, q, zone, [])) or str(exc)) from None
            # Naive wall-clock file that ignores DST changes: localize here, say what was done.
            raw, info = _localize_wall_clock(raw, q.time_col, zone, q.time_format)
            if progress is not None:
                progress.warn(f"queue {q.name}: history times ignore daylight saving in {zone}; "
                              f"{info['dropped_nonexistent']} rows at non-existent times dropped, "
                              "repeated hour read as summer time", queue=q.name)
            hist = read_history(raw, tz=zone, **kw)
            hist.attrs["dst_fix"] = info
    except ValueError as exc:
        raise InputError(f"queue {q.name}: history {src}: {str(exc).replace('<DataFrame>', str(src))}") from None
    if zone is None and hist["interval_start"].dt.tz is not None:
        # one fixed UTC offset in the file (read_history refuses several without a zone): the plan
        # has no zone, so it works in the file's own wall-clock time
        attrs = dict(hist.attrs)
        hist["interval_start"] = hist["interval_start"].dt.tz_localize(None)
        hist.attrs = attrs
    if q.queue_col is not None and q.queue_value is not None:
        hist = hist[hist["queue"] == q.queue_value].reset_index(drop=True)
        if hist.empty:
            raise InputError(f"queue {q.name}: history {src} has no rows with {q.queue_col} == {q.queue_value!r}")
    if "queue" in hist:
        if hist["queue"].nunique() > 1:
            raise InputError(f"queue {q.name}: history {src} holds several queues "
                             f"({', '.join(map(str, hist['queue'].unique()[:5]))}); set queue_value")
        hist = hist.drop(columns="queue")
    src_s = int(hist.attrs["interval_s"])
    if src_s > interval_s:
        raise InputError(f"queue {q.name}: history {src} has {src_s // 60}-minute intervals, longer than "
                         f"the plan's {interval_s // 60} minutes; expected plan.interval_min >= {src_s // 60}")
    if interval_s % src_s:
        raise InputError(f"queue {q.name}: history interval {src_s} s does not divide the plan interval {interval_s} s")
    attrs = dict(hist.attrs)
    if src_s != interval_s:
        hist = resample_history(hist, interval_s)
    hist.attrs.update(attrs)
    hist.attrs["interval_s"] = interval_s
    hist.attrs["source_interval_s"] = src_s
    return hist


def load_histories(config: PlanConfig, progress: Progress | None = None) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Every queue's history at the plan interval, and the sha256 of each history file."""
    hist, files = {}, {}
    for name, q in config.queues.items():
        files[name] = file_sha256(q.history)
        hist[name] = read_queue_history(q, config.interval_s, config.timezone, progress)
        if progress is not None:
            for message in history_warnings(hist[name], q, config.interval_s):
                progress.warn(f"queue {name}: {message}", queue=name)
    return hist, files


OUTLIER_FACTOR = 10.0  # an interval above this multiple of the queue's 99th percentile is suspicious


def history_warnings(history: pd.DataFrame, q: QueueConfig, interval_s: int) -> list[str]:
    """What a planner should know before trusting a plan from this history (nothing is changed):
    intervals far above the queue's usual peak (a typo or a system dump?), contacts in hours the
    configuration closes (they get no forecast and no staff), and whole days missing on weekdays
    that are usually open."""
    out = []
    vol = history["volume"].to_numpy(float)
    ts = history["interval_start"]
    positive = vol[vol > 0]
    if positive.size >= 20:
        cap = OUTLIER_FACTOR * max(float(np.quantile(positive, 0.99)), 1.0)
        big = np.flatnonzero(vol > cap)
        if big.size:
            shown = ", ".join(f"{ts.iloc[i]} ({vol[i]:,.0f})" for i in big[:3])
            out.append(f"{big.size} interval(s) above {OUTLIER_FACTOR:g} x the 99th percentile ({cap:,.0f} contacts): "
                       f"{shown}{' ...' if big.size > 3 else ''}; check the history, they drive the forecast")
    wall = ts.dt.tz_localize(None) if ts.dt.tz is not None else ts
    minute = (wall.dt.hour * 60 + wall.dt.minute).to_numpy()
    dow = wall.dt.day_of_week.to_numpy()
    open_ = np.zeros(len(vol), bool)
    for d, ranges in enumerate(q.hours.by_weekday):
        on_day = dow == d
        for a, b in ranges:
            open_ |= on_day & (minute >= a) & (minute < b)
    total = vol.sum()
    closed = vol[~open_].sum()
    if total > 0 and closed / total > 0.005:
        out.append(f"{closed / total:.1%} of the history's contacts ({closed:,.0f}) arrived in hours the "
                   "configuration closes; they get no forecast and no staff (check the queue's hours)")
    # whole days without a row on a weekday that usually has rows: a gap in the data, read as closed
    seen_days = pd.DatetimeIndex(wall.dt.normalize().unique())
    span = pd.date_range(seen_days.min(), seen_days.max(), freq="D")
    usual = pd.Series(seen_days.day_of_week).value_counts() / pd.Series(span.day_of_week).value_counts()
    missing = span[~span.isin(seen_days) & (usual.reindex(span.day_of_week).fillna(0).to_numpy() >= 0.5)]
    if len(missing):
        shown = ", ".join(f"{d:%Y-%m-%d}" for d in missing[:5])
        out.append(f"{len(missing)} day(s) without any row although that weekday is usually open: {shown}"
                   f"{' ...' if len(missing) > 5 else ''}; they are read as closed (a gap in the data?)")
    return out
