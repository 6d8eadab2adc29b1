"""Data page: the plan's histories and planners' uploads, read and validated exactly as the
pipeline reads the plan's files, and the facts the page shows about a history."""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ..config import InputError, PlanConfig
from .common import CallbackProgress
from .settings import check_queue

__all__ = ["MAX_UPLOAD_MB", "MIN_UPLOAD_DAYS", "UPLOAD_TYPES", "check_upload", "history_from_upload",
           "upload_columns", "guess_columns", "separator_name",
           "history_notes", "history_summary", "plan_histories", "recent_history"]

MAX_UPLOAD_MB = 20
MIN_UPLOAD_DAYS = 14  # forecast_volume needs two weeks (one to train, one to test)
UPLOAD_TYPES = ("csv", "parquet")


def check_upload(name: str, size_bytes: int, max_mb: float = MAX_UPLOAD_MB) -> str | None:
    """A message when an upload must be refused (too large, wrong kind), else None."""
    suffix = Path(name or "").suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        return (f"{name!r} is not a history file: expected a .csv or .parquet file "
                f"(got {'.' + suffix if suffix else 'no extension'}).")
    if size_bytes > max_mb * 1024 * 1024:
        return (f"{name!r} is {size_bytes / 1024 / 1024:.1f} MB, above the {max_mb:g} MB upload limit; "
                "upload a shorter period or a Parquet file.")
    if size_bytes == 0:
        return f"{name!r} is empty; expected a CSV with a header row or a Parquet file."
    return None


def _sniff(name: str, data: bytes) -> str | None:
    suffix = Path(name).suffix.lower()
    if suffix == ".parquet":
        if not (data[:4] == b"PAR1" and data[-4:] == b"PAR1"):
            return f"{name!r} does not look like a Parquet file (no PAR1 marker); expected a Parquet history."
        return None
    head = data[:65536]
    if b"\x00" in head:
        return f"{name!r} is not a text CSV file (it holds binary data); expected a CSV with a header row."
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sniff boundary
            return f"{name!r} is not UTF-8 text ({exc.reason} at byte {exc.start}); save the CSV as UTF-8."
    return None


def upload_columns(name: str, data: bytes) -> tuple[list[str], str | None]:
    """The column names of an uploaded file's header (what the column select boxes offer) and, for
    a CSV, the detected separator (None for Parquet). ``([], ...)`` when no header can be read."""
    from ..pipeline.csv_read import header_columns

    if Path(name or "").suffix.lower() == ".parquet":
        try:
            import pyarrow.parquet as pq

            return [str(c) for c in pq.read_schema(io.BytesIO(data)).names], None
        except Exception:  # not a readable Parquet file: check_upload / the reader say so
            return [], None
    return header_columns(data)


def separator_name(sep: str) -> str:
    """``";"`` -> ``"semicolons"``: a CSV separator in words."""
    from ..pipeline.csv_read import SEPARATOR_NAMES

    return SEPARATOR_NAMES.get(sep, repr(sep))


# words a column's name holds when it is probably the time / the contact count / the handle time
_COLUMN_WORDS = {"time_col": ("interval", "start", "time", "date", "when", "period"),
                 "volume_col": ("volume", "calls", "chats", "contacts", "offered", "count", "n")}


def guess_columns(columns: list[str], time_col: str, volume_col: str, aht_col: str | None) -> dict[str, str | None]:
    """The columns to preselect: the plan's names when the header has them, else the first header
    name holding a telling word (``start``, ``calls``, ...), else the first / second column for
    time / volume. The handle-time column only when the plan reads one by that name (otherwise the
    plan's configured handle time stays in use until the planner picks a column)."""
    plan = {"time_col": time_col, "volume_col": volume_col, "aht_col": aht_col}
    out: dict[str, str | None] = {"aht_col": aht_col if aht_col in columns else None}
    for key, words in _COLUMN_WORDS.items():
        if plan[key] in columns:
            out[key] = plan[key]
            continue
        low = {c: c.lower() for c in columns if c not in out.values()}
        out[key] = next((c for c, text in low.items() if any(w == text or (len(w) > 1 and w in text) for w in words)),
                        None)
    fallback = [c for c in columns if c not in out.values()]
    for key in ("time_col", "volume_col"):
        if out[key] is None and fallback:
            out[key] = fallback.pop(0)
    return out


def history_from_upload(config: PlanConfig, queue: str, name: str, data: bytes, *, time_col: str,
                        volume_col: str, aht_col: str | None = None, tz: str | None = None,
                        time_format: str | None = None,
                        max_mb: float = MAX_UPLOAD_MB) -> tuple[pd.DataFrame, list[str]]:
    """Read an uploaded history for ``queue`` exactly as the pipeline reads the plan's files
    (validated, placed in the plan's zone, resampled to the plan interval).

    Returns ``(history, notes)``. Raises :class:`InputError` with a planner-readable message.
    """
    from ..pipeline import read_queue_history

    check_queue(config, queue)
    msg = check_upload(name, len(data), max_mb) or _sniff(name, data)
    if msg:
        raise InputError(msg)
    if not time_col.strip() or not volume_col.strip() or time_col.strip() == volume_col.strip():
        raise InputError(f"{name}: pick a time column and another column with the contacts per interval "
                         f"(the file's columns: {', '.join(upload_columns(name, data)[0]) or 'none found'})")
    q = config.queues[queue]
    suffix = Path(name).suffix.lower()
    fd, tmp = tempfile.mkstemp(prefix="staffcast-upload-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        uq = replace(q, history=Path(tmp), time_col=time_col.strip(), volume_col=volume_col.strip(),
                     aht_col=(aht_col or "").strip() or None, queue_col=None, queue_value=None,
                     time_format=(time_format or "").strip() or None,
                     history_tz=tz or None)
        progress = CallbackProgress()
        try:
            hist = read_queue_history(uq, config.interval_s, config.timezone, progress)
        except InputError as exc:
            raise InputError(str(exc).replace(tmp, name)) from None
        except (ValueError, OSError, ImportError) as exc:  # e.g. a broken Parquet file
            raise InputError(f"{name}: cannot read the file: {exc}".replace(tmp, name)) from None
        notes = [w.replace(tmp, name) for w in progress.warnings]
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    hist.attrs["source_name"] = name
    hist.attrs["sha256"] = hashlib.sha256(data).hexdigest()
    span_days = (hist["interval_start"].max() - hist["interval_start"].min()).days + 1
    if span_days < MIN_UPLOAD_DAYS:
        raise InputError(f"{name}: covers {span_days} day(s); at least {MIN_UPLOAD_DAYS} days (two weeks) of "
                         "history are needed to forecast")
    if span_days < 35:
        notes.append(f"{name} covers {span_days} days: the backtest needs 5 weeks, so the forecast uses the "
                     "simple models (recent weekday profile, mean of weeks, seasonal naive) on weekly folds")
    if uq.aht_col is not None:
        hist.attrs["aht_col"] = uq.aht_col  # the planner asked for the file's handle times
    _, sep = upload_columns(name, data)
    if sep is not None and sep != ",":
        notes.append(f"{name}: columns separated by {separator_name(sep)} (detected)")
    notes += history_notes(config, queue, hist)
    return hist, notes


def history_notes(config: PlanConfig, queue: str, history: pd.DataFrame) -> list[str]:
    """What the planner should know about a queue's history (see
    :func:`planning.pipeline.history_warnings`): outliers, contacts in closed hours, missing days."""
    from ..pipeline import history_warnings

    return history_warnings(history, config.queues[queue], config.interval_s)


def history_summary(history: pd.DataFrame, interval_s: int) -> dict:
    """Facts about a history for the Data page: period, intervals, gaps, zeros, totals."""
    ts = pd.DatetimeIndex(history["interval_start"])
    vol = history["volume"].to_numpy(float)
    days = int(pd.Index(ts.normalize()).nunique())
    per_day = int(86400 // interval_s)
    return {
        "first": ts.min(), "last": ts.max(), "days": days, "intervals": int(len(history)),
        "interval_min": interval_s // 60,
        "source_interval_min": int(history.attrs.get("source_interval_s", interval_s)) // 60,
        "closed_intervals": int(max(days * per_day - len(history), 0)),
        "zero_intervals": int((vol == 0).sum()),
        "total_volume": float(vol.sum()),
        "mean_per_day": float(vol.sum() / days) if days else 0.0,
        "has_aht": bool("aht_s" in history and history["aht_s"].notna().any()),
        "timezone": str(ts.tz) if ts.tz is not None else None,
    }


def plan_histories(config: PlanConfig) -> dict[str, pd.DataFrame]:
    """Every queue's history from the plan's files: ``{queue: history}`` (validated, plan zone,
    plan interval)."""
    from ..pipeline import load_histories

    hist, _ = load_histories(config)
    return hist


def recent_history(history: pd.DataFrame, weeks: float) -> pd.DataFrame:
    """The intervals of the last ``weeks`` weeks of ``history`` (after its last interval minus
    ``weeks``)."""
    last = history["interval_start"].max()
    return history[history["interval_start"] > last - pd.Timedelta(weeks=weeks)]
