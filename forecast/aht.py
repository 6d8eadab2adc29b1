"""Handle-time forecast: :func:`forecast_aht` and the weekday x time-of-day table behind it."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .grid import Grid, future_instants, instant_cells, open_mask, to_grid
from .inputs import check_range, for_queue, prepare_history, split_queues

__all__ = ["forecast_aht", "aht_table", "aht_frame", "AHT_WEEKS", "AHT_SHRINK_CONTACTS"]

AHT_WEEKS, AHT_SHRINK_CONTACTS = 8, 50.0  # forecast_aht defaults, also used by forecast_volume


def forecast_aht(history, start=None, end=None, *, interval_s=None, weeks=AHT_WEEKS,
                 shrink_contacts=AHT_SHRINK_CONTACTS, opening_hours=None) -> pd.DataFrame:
    """Handle-time forecast per weekday x time of day, seconds.

    For each (weekday, slot) cell over the last ``weeks`` weeks: the volume-weighted mean handle time
    sum(volume * aht_s) / sum(volume), shrunk toward the weekday's (then the overall) volume-weighted
    mean with a prior worth ``shrink_contacts`` contacts:
    (W * cell_mean + k * prior) / (W + k), W = contacts in the cell. Thin cells end near the prior.

    Returns the forecast for each open interval in [start, end) (columns ``interval_start``, ``aht_s``
    (+ ``queue``)), or, without start/end, the table (``weekday`` 0=Monday, ``slot_start_s`` seconds
    after midnight, ``aht_s``, ``contacts``).
    """
    if isinstance(weeks, bool) or not isinstance(weeks, (int, np.integer)) or weeks < 1:
        raise ValueError(f"weeks={weeks!r}: expected a whole number of weeks >= 1")
    if not np.isfinite(shrink_contacts) or shrink_contacts < 0:
        raise ValueError(f"shrink_contacts={shrink_contacts!r}: expected a number of contacts >= 0")
    if (start is None) != (end is None):
        raise ValueError("forecast_aht: pass both start and end (a forecast range) or neither (the table)")
    if start is not None:
        check_range(start, end)
    history, interval_s = prepare_history(history, interval_s)
    if "aht_s" not in history.columns:
        raise ValueError("history has no 'aht_s' column; pass aht_col= to read_history")
    frames = []
    for q, h in split_queues(history):
        grid = to_grid(h, interval_s)
        table, cnt = aht_table(grid, q, weeks, shrink_contacts)
        s = grid.n_slots
        if start is None:
            out = pd.DataFrame({
                "weekday": np.repeat(np.arange(7), s),
                "slot_start_s": np.tile(np.arange(s) * interval_s, 7),
                "aht_s": table.ravel(),
                "contacts": cnt.ravel(),
            })
        else:
            instants = future_instants(start, end, interval_s, h["interval_start"].dt.tz)
            out = aht_frame(grid, table, instants, open_mask(grid, opening_hours))
        if q is not None:
            out.insert(0, "queue", q)
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


def aht_table(grid: Grid, q, weeks: int, shrink_contacts: float) -> tuple[np.ndarray, np.ndarray]:
    """(7, n_slots) shrunk handle times (seconds) and contacts per cell of queue ``q`` (named in
    errors; see :func:`forecast_aht`)."""
    n = min(len(grid.days), 7 * weeks)
    aht, w = grid.aht_s[0][-n:], grid.aht_s[1][-n:]
    dow = grid.days[-n:].day_of_week.to_numpy()
    work = np.zeros((7, grid.n_slots))
    cnt = np.zeros((7, grid.n_slots))
    np.add.at(work, dow, np.nan_to_num(aht) * w)
    np.add.at(cnt, dow, w)
    total = cnt.sum()
    if total <= 0:
        raise for_queue(q, ValueError("history has no contacts with a handle time; cannot forecast aht_s"))
    overall = work.sum() / total
    day_cnt = cnt.sum(axis=1, keepdims=True)
    day_mean = (work.sum(axis=1, keepdims=True) + shrink_contacts * overall) / (day_cnt + shrink_contacts)
    return (work + shrink_contacts * day_mean) / (cnt + shrink_contacts), cnt


def aht_frame(grid: Grid, table: np.ndarray, instants: pd.DatetimeIndex, open_cells: np.ndarray) -> pd.DataFrame:
    """``interval_start``, ``aht_s`` for the open ``instants`` from a weekday x slot table."""
    day, slot = instant_cells(instants, grid.interval_s)
    wd = (day + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    ok = open_cells[wd, slot]
    return pd.DataFrame({"interval_start": instants[ok], "aht_s": table[wd[ok], slot[ok]]})
