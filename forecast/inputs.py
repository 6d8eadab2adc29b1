"""Checks and preparation shared by the public forecast functions (volume, backtest, handle time)."""
from __future__ import annotations

import pandas as pd

from .history import infer_interval_s, read_history, resample_history

__all__ = ["prepare_history", "split_queues", "for_queue", "check_range"]


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


def check_range(start, end) -> None:
    """ValueError naming ``start`` and ``end`` unless end > start."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if (s.tz is None) == (e.tz is None) and e <= s:
        raise ValueError(f"end={end!r} is not after start={start!r}; expected a range [start, end) with end > start")
