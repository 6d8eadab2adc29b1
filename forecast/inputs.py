"""Checks and preparation shared by the public forecast functions (volume, backtest, handle time)."""
from __future__ import annotations

import pandas as pd

from .history import infer_interval_s, read_history, resample_history

__all__ = ["prepare_history", "split_queues", "for_queue", "check_range", "as_timestamp"]


def prepare_history(history, interval_s: int | None) -> tuple[pd.DataFrame, int]:
    """Validate ``history`` (a DataFrame gets the same checks as a file) and resample it to
    ``interval_s`` seconds (default: its own interval). Returns (history, interval_s)."""
    if isinstance(history, pd.DataFrame):
        if "interval_start" not in history.columns or "volume" not in history.columns:
            raise ValueError(
                f"history needs columns 'interval_start' and 'volume' (see read_history); got "
                f"{list(history.columns)}"
            )
        attrs = dict(history.attrs)
        history = read_history(history, interval_s=attrs.get("interval_s"))
        history.attrs = {**attrs, **history.attrs}
    else:
        history = read_history(history)
    src_s = infer_interval_s(history)
    if interval_s is None:
        interval_s = src_s
    elif interval_s != src_s:
        history = resample_history(history, interval_s)
    return history, int(interval_s)


def split_queues(history: pd.DataFrame) -> list[tuple[object, pd.DataFrame]]:
    """``[(queue, its rows), ...]`` sorted by queue; ``[(None, history)]`` without a queue column."""
    if "queue" in history.columns:
        return [(q, g.reset_index(drop=True)) for q, g in history.groupby("queue", sort=True)]
    return [(None, history)]


def for_queue(q, exc: ValueError) -> ValueError:
    """The same error, naming the queue when the history has several."""
    if q is None or str(exc).startswith(f"queue {q!r}:"):
        return exc
    return ValueError(f"queue {q!r}: {exc}")


def as_timestamp(name: str, value) -> pd.Timestamp:
    """``value`` as a Timestamp; ValueError naming ``name`` when it is not a date or time."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{name}: {value!r:.80} is not a date or time; expected e.g. '1999-05-02' or "
                         f"'1999-05-02 08:00' ({type(exc).__name__})") from None
    if ts is pd.NaT:
        raise ValueError(f"{name}: {value!r:.80} is not a date or time; expected e.g. '1999-05-02'")
    return ts


def check_range(start, end) -> None:
    """ValueError naming ``start`` and ``end`` unless both are times and end > start."""
    s, e = as_timestamp("start", start), as_timestamp("end", end)
    if (s.tz is None) == (e.tz is None) and e <= s:
        raise ValueError(f"end={end!r} is not after start={start!r}; expected a range [start, end) with end > start")
