"""Every problem of a history file at once: the rows and columns that stop it from being read,
grouped by kind, each kind with the file's row numbers (the header is row 1).

``forecast.read_history`` stops at the first problem it meets; a planner fixing a spreadsheet
wants the whole list. :func:`history_problems` looks at the file's text cells (the columns the
plan names) for: lines with the wrong number of fields, missing columns, missing or unparseable
times, times with and without UTC offsets mixed, repeated times, missing or non-numeric contact
counts, negative counts, counts above ``core.limits.MAX_VOLUME_PER_INTERVAL``, and missing,
non-numeric or negative handle times on intervals with contacts. :func:`problems_text` words them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.checks import short
from core.limits import MAX_VOLUME_PER_INTERVAL

__all__ = ["history_problems", "problems_text", "row_numbers_text"]

_MAX_RANGES = 12   # row ranges listed per kind before "and N more"
_EXAMPLES = 3      # example values per kind
_ISO = (r"\d{4}-\d\d-\d\d(?:[T ]\d\d(?::\d\d(?::\d\d(?:\.\d+)?)?)?)?\s*(?:[+-]\d\d:?\d\d|Z)?")
_OFFSET = r"(?:[+-]\d\d:?\d\d|Z)$"


def row_numbers_text(rows) -> str:
    """File row numbers as ranges: ``rows 4, 7-9 and 3 more (8 rows)``; ``row 4`` for one."""
    rows = sorted(int(r) for r in rows)
    ranges: list[list[int]] = []
    for r in rows:
        if ranges and r == ranges[-1][1] + 1:
            ranges[-1][1] = r
        else:
            ranges.append([r, r])
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in ranges[:_MAX_RANGES]]
    more = len(ranges) - _MAX_RANGES
    text = ", ".join(parts) + (f" and {more} more range(s)" if more > 0 else "")
    if len(rows) == 1:
        return f"row {text}"
    return f"rows {text} ({len(rows)} rows)"


def _kind(frame: pd.DataFrame, mask: np.ndarray, col: str, what: str, expected: str) -> str:
    """``column 'calls' has <what>: rows 4, 7 (2 rows; e.g. 'many', ''); expected <expected>``."""
    lines = frame.index.to_numpy()[mask] + 2
    values = frame[col].to_numpy()[mask][:_EXAMPLES]
    examples = ", ".join(short(v) for v in values)
    return f"column {col!r} has {what}: {row_numbers_text(lines)}; e.g. {examples}; expected {expected}"


def _times(frame: pd.DataFrame, time_col: str, time_format: str | None, tz: str | None,
           queue_col: str | None) -> list[str]:
    """Problems of the time column: missing, unparseable, offsets mixed, repeated."""
    out = []
    text = frame[time_col].astype(str).str.strip()
    blank = (text == "").to_numpy()
    has_offset = text.str.contains(_OFFSET, regex=True).to_numpy()
    if has_offset.any() and not has_offset[~blank].all():
        out.append(_kind(frame, ~has_offset & ~blank, time_col, "times without a UTC offset among times with one",
                         "one convention for the whole column"))
    if time_format is None:
        odd = ~text.str.fullmatch(_ISO).to_numpy() & ~blank
        ts = pd.to_datetime(text.where(~odd & ~blank), errors="coerce", format="ISO8601", utc=bool(has_offset.any()))
    else:
        ts = pd.to_datetime(text.where(~blank), errors="coerce", format=time_format)
    bad = ts.isna().to_numpy() & ~blank
    expected = (f"times in the format {time_format!r}" if time_format else
                "ISO dates like '1999-01-03 07:30' (optionally with a UTC offset), or set the time format "
                "(time_format), e.g. '%d/%m/%Y %H:%M'")
    if blank.any():
        out.append(_kind(frame, blank, time_col, "missing times", expected))
    if bad.any():
        out.append(_kind(frame, bad, time_col, "unparseable times", expected))
    ok = ~ts.isna().to_numpy()
    keys = pd.DataFrame({"t": ts, "q": frame[queue_col].to_numpy() if queue_col else ""})
    dup = keys.duplicated(keep=False).to_numpy() & ok
    if dup.any() and tz and ts.dt.tz is None:  # the repeated autumn hour appears twice in wall-clock time
        amb = pd.DatetimeIndex(ts.where(ok)).tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward").isna()
        twice = keys.groupby(["q", "t"], dropna=False)["t"].transform("size").to_numpy() <= 2
        dup &= ~(np.asarray(amb) & twice)
    if dup.any():
        out.append(_kind(frame, dup, time_col, "duplicated timestamps",
                         "one row per interval" + (" and queue" if queue_col else "")))
    return out


def _numbers(frame: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """The column as floats and where a cell is missing, not a number or not finite."""
    num = pd.to_numeric(frame[col].astype(str).str.strip(), errors="coerce").to_numpy(float)
    return num, ~np.isfinite(num)


def _volumes(frame: pd.DataFrame, volume_col: str) -> tuple[list[str], np.ndarray]:
    out = []
    vol, bad = _numbers(frame, volume_col)
    expected = "a count of contacts >= 0"
    if bad.any():
        out.append(_kind(frame, bad, volume_col, "non-numeric or missing values", expected))
    neg = ~bad & (vol < 0)
    if neg.any():
        out.append(_kind(frame, neg, volume_col, "negative values", expected))
    huge = ~bad & (vol > MAX_VOLUME_PER_INTERVAL)
    if huge.any():
        out.append(_kind(frame, huge, volume_col, f"more than {MAX_VOLUME_PER_INTERVAL:,} contacts in one interval",
                         "counts staffcast plans for (see the limits in the README)"))
    return out, vol


def history_problems(frame: pd.DataFrame, *, time_col: str, volume_col: str, aht_col: str | None = None,
                     queue_col: str | None = None, time_format: str | None = None, tz: str | None = None,
                     ragged: list[tuple[int, int]] = ()) -> list[str]:
    """Every kind of problem of a history's text cells, one message per kind (empty: none found).

    ``frame`` holds the file's cells as text with ``index + 2`` = the row's line (header line 1);
    ``ragged`` the ``(line, fields)`` of lines with another number of fields than the header.
    Column names as the plan gives them; ``tz`` the zone naive times are read in (a time repeated
    in its autumn hour is not a duplicate)."""
    out = []
    if len(ragged):
        counts = sorted({n for _, n in ragged})
        out.append(f"{row_numbers_text([line for line, _ in ragged])} with another number of fields than the "
                   f"header's {len(frame.columns)} (with {' or '.join(map(str, counts))}); expected the same number "
                   "of fields on every row (a separator inside a value needs quotes)")
    missing = [c for c in (time_col, volume_col, aht_col, queue_col) if c is not None and c not in frame.columns]
    if missing:
        out.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(short, missing))}; "
                   f"found columns {short(list(frame.columns))}")
    if time_col in frame.columns:
        out += _times(frame, time_col, time_format, tz, queue_col if queue_col in frame.columns else None)
    vol = None
    if volume_col in frame.columns:
        found, vol = _volumes(frame, volume_col)
        out += found
    if aht_col is not None and aht_col in frame.columns:
        aht, bad = _numbers(frame, aht_col)
        with_contacts = vol > 0 if vol is not None else np.ones(len(frame), bool)
        bad = (bad | (aht < 0)) & with_contacts
        if bad.any():
            out.append(_kind(frame, bad, aht_col, "missing, non-numeric, infinite or negative handle times on "
                             "intervals with contacts", "finite seconds >= 0"))
    return out


def problems_text(problems: list[str]) -> str:
    """The problems as one message: a single one as it is, several as a list that says how many
    ("" for none)."""
    if len(problems) <= 1:
        return "".join(problems)
    return (f"{len(problems)} kinds of problem found (fix them all, then load the file again):\n"
            + "\n".join(f"- {p}" for p in problems))
