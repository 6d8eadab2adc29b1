"""Interval history: reading, validation and resampling.

A *history* is a long-format pandas DataFrame with one row per open interval:

- ``interval_start``: start of the interval (naive local wall-clock time, or timezone-aware when a
  zone is configured),
- ``volume``: contacts offered in the interval (count, float dtype, >= 0),
- ``queue`` (optional): queue name,
- ``aht_s`` (optional): average handle time of the contacts of that interval, seconds.

The interval length in seconds is stored in ``history.attrs["interval_s"]``.

Closed is not zero: an interval that has no row is *closed* (no demand to forecast); a row with
``volume == 0`` is an open interval that received no contacts.
"""
from __future__ import annotations

from pathlib import Path

import datetime

import numpy as np
import pandas as pd

from core.checks import MESSAGE_CELL_CHARS, short
from core.limits import MAX_HISTORY_ROWS, MAX_VOLUME_PER_INTERVAL

__all__ = ["read_history", "resample_history", "infer_interval_s", "DAY_S"]

DAY_S = 86_400
_MAX_LISTED = 5


def _src(source) -> str:
    return str(source) if not isinstance(source, pd.DataFrame) else "<DataFrame>"


def rows_text(frame: pd.DataFrame, mask: np.ndarray, cols: list[str]) -> str:
    """Text listing the first offending rows of ``frame`` where ``mask`` is True, with the values
    of ``cols`` (file line numbers: header is line 1), for error messages."""
    idx = np.flatnonzero(mask)[:_MAX_LISTED]
    parts = []
    for i in idx:
        vals = ", ".join(f"{c}={short(frame[c].iloc[i])}" for c in cols if c in frame.columns)
        line = frame.index[i] + 2 if isinstance(frame.index[i], (int, np.integer)) else i + 2
        parts.append(f"row {line} ({vals})")
    more = int(mask.sum()) - len(idx)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _load(path_or_frame) -> pd.DataFrame:
    if isinstance(path_or_frame, pd.DataFrame):
        return path_or_frame.reset_index(drop=True).copy()
    path = Path(path_or_frame)
    if not path.exists():
        raise ValueError(f"{path}: history file not found")
    if path.stat().st_size == 0:
        raise ValueError(f"{path}: empty file; expected a CSV or Parquet history with a header row")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises its own error types for a damaged file
            raise ValueError(f"{path}: not a readable Parquet file ({type(exc).__name__}: "
                             f"{str(exc)[:MESSAGE_CELL_CHARS]})") from None
    head = path.open("rb").read(8192)
    if b"\x00" in head:
        raise ValueError(f"{path}: binary data (a NUL byte in the first {len(head)} bytes); expected a CSV text "
                         "file (UTF-8) or a .parquet file")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError as exc:
        raise ValueError(f"{path}: empty file; expected a CSV with a header row ({exc})") from exc
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text ({_first_bad_byte(path)}); save the file as UTF-8 CSV") from None
    except pd.errors.ParserError as exc:  # ragged rows: "Expected 2 fields in line 5, saw 3"
        raise ValueError(f"{path}: not a well-formed CSV: {str(exc).strip()[:MESSAGE_CELL_CHARS]}; expected the "
                         "same number of fields on every line") from None


def _first_bad_byte(path: Path) -> str:
    """Where the first byte that is not UTF-8 sits: ``byte 0xe9 at line 2``."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return f"byte 0x{data[exc.start]:02x} at line {line}"
    return "an invalid byte"


_OFFSET = r"(?:[+-]\d\d:?\d\d|Z)$"  # a UTC offset at the end of an ISO time
# an ISO 8601 date or date-time, years 1000-2999 (with an optional UTC offset)
_ISO_TIME = r"[12]\d{3}-\d\d-\d\d(?:[T ]\d\d(?::\d\d(?::\d\d(?:\.\d+)?)?)?)?\s*(?:[+-]\d\d:?\d\d|Z)?"


def _parse_times(raw: pd.Series, source, frame, time_col, tz, time_format=None, group=None) -> pd.Series:
    """Parse timestamps with ONE format for the whole column; localize naive wall-clock times to ``tz``.

    Without ``time_format`` only ISO 8601 is accepted ('1999-01-03 07:30', optionally with a UTC
    offset): a day-first or month-first file is refused rather than guessed row by row.
    ``group`` (e.g. the queue column) keeps the DST repeated-hour resolution within each queue.
    """
    if pd.api.types.is_datetime64_any_dtype(raw):
        ts = pd.Series(raw, copy=True)
        bad = ts.isna().to_numpy()
    else:
        text = raw.astype(str).str.strip()
        has_offset = text.str.contains(_OFFSET, regex=True)
        if has_offset.any() and not has_offset.all():
            raise ValueError(
                f"{_src(source)}: column {time_col!r} mixes times with and without UTC offsets: "
                f"{rows_text(frame, ~has_offset.to_numpy(), [time_col])}; expected one convention"
            )
        fmt = time_format or "ISO8601"
        if time_format is None:  # pandas' ISO parser also takes '/1' (year 0) or '2000' (1 January): refused
            odd = ~text.str.fullmatch(_ISO_TIME)
            if odd.any():
                raise ValueError(
                    f"{_src(source)}: column {time_col!r} has unparseable times: {rows_text(frame, odd.to_numpy(), [time_col])}; "
                    "expected ISO dates like '1999-01-03 07:30' (optionally with a UTC offset), or pass "
                    "time_format, e.g. '%d/%m/%Y %H:%M'"
                )
        if has_offset.all() and len(text):
            ts = pd.to_datetime(text, errors="coerce", utc=True, format=fmt)
            if not tz:
                ts = _fixed_offset(ts, text, source, time_col)
        else:
            ts = pd.to_datetime(text, errors="coerce", format=fmt)
        bad = ts.isna().to_numpy()
    if bad.any():
        expected = (f"times in the format {time_format!r}" if time_format else
                    "ISO dates like '1999-01-03 07:30' (optionally with a UTC offset), or pass "
                    "time_format, e.g. '%d/%m/%Y %H:%M'")
        raise ValueError(
            f"{_src(source)}: column {time_col!r} has unparseable times: {rows_text(frame, bad, [time_col])}; "
            f"expected {expected}"
        )
    if ts.dt.tz is not None:
        return ts.dt.tz_convert(tz) if tz else ts
    if not tz:
        return ts
    # Naive wall-clock times in a zone with DST: the repeated hour appears twice; in file order the
    # first occurrence (per queue) is taken as summer time, the second as standard time.
    # Non-existent times (the skipped hour) are an error.
    keys = [ts] if group is None else [pd.Series(np.asarray(group)), ts]
    first = (ts.groupby(keys).cumcount() == 0).to_numpy()
    try:
        loc = pd.DatetimeIndex(ts).tz_localize(tz, ambiguous=first, nonexistent="raise")
    except Exception as exc:  # pytz / zoneinfo errors differ by version
        raise ValueError(
            f"{_src(source)}: column {time_col!r}: naive times cannot be placed in zone {tz!r} ({exc}); "
            "expected wall-clock times that exist in that zone, or times with UTC offsets"
        ) from exc
    return pd.Series(loc, index=ts.index)


def _fixed_offset(utc: pd.Series, text: pd.Series, source, time_col) -> pd.Series:
    """Times with one UTC offset and no zone: keep that offset, so wall-clock time stays local.

    Several offsets mean a zone with DST; without its name the wall-clock time of future days is
    unknown, so that is an error naming the offsets."""
    wall = pd.to_datetime(text.str.replace(_OFFSET, "", regex=True), errors="coerce", format="ISO8601")
    offsets = (wall - utc.dt.tz_localize(None)).dropna().unique()  # local = UTC + offset
    if len(offsets) > 1:
        shown = sorted({f"{o / pd.Timedelta(hours=1):+g} h" for o in offsets})
        raise ValueError(
            f"{_src(source)}: column {time_col!r} has several UTC offsets ({', '.join(shown)}), i.e. a zone "
            "with daylight saving time; pass tz='Area/City' so that intervals are modelled in local time"
        )
    if len(offsets) == 0:
        return utc
    return utc.dt.tz_convert(datetime.timezone(pd.Timedelta(offsets[0]).to_pytimedelta()))


def _numeric(raw: pd.Series, source, frame, col, what, allow_negative=False) -> pd.Series:
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        num = pd.to_numeric(raw, errors="coerce").astype(float)
        bad = num.isna().to_numpy() | ~np.isfinite(num.to_numpy())
    else:
        num = pd.to_numeric(raw.astype(str).str.strip(), errors="coerce").astype(float)
        bad = num.isna().to_numpy() | ~np.isfinite(num.to_numpy())
    if bad.any():
        raise ValueError(
            f"{_src(source)}: column {col!r} has non-numeric or missing values: "
            f"{rows_text(frame, bad, [col])}; expected {what}"
        )
    if not allow_negative:
        neg = (num < 0).to_numpy()
        if neg.any():
            raise ValueError(
                f"{_src(source)}: column {col!r} has negative values: {rows_text(frame, neg, [col])}; expected {what}"
            )
    return num


def local_epoch_s(ts: pd.Series) -> np.ndarray:
    """Wall-clock seconds since 1970-01-01 (local time for aware stamps)."""
    if ts.dt.tz is not None:
        ts = ts.dt.tz_localize(None)
    return ts.to_numpy("datetime64[s]").astype(np.int64)


def utc_epoch_s(ts: pd.Series) -> np.ndarray:
    """Seconds since 1970-01-01 UTC (naive stamps are taken as they are)."""
    if ts.dt.tz is not None:
        ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
    return ts.to_numpy("datetime64[s]").astype(np.int64)


def infer_interval_s(history: pd.DataFrame) -> int:
    """Interval length in seconds: ``attrs["interval_s"]`` or the most common step between rows."""
    if "interval_s" in history.attrs:
        return int(history.attrs["interval_s"])
    groups = [history] if "queue" not in history.columns else [g for _, g in history.groupby("queue")]
    steps = []
    for g in groups:
        t = np.sort(np.unique(utc_epoch_s(g["interval_start"])))
        steps.append(np.diff(t))
    steps = np.concatenate(steps) if steps else np.array([], dtype=np.int64)
    steps = steps[steps > 0]
    if steps.size == 0:
        raise ValueError("cannot infer the interval length from fewer than two intervals; pass interval_s")
    vals, counts = np.unique(steps, return_counts=True)
    return int(vals[np.argmax(counts)])


def _check_grid(ts: pd.Series, source, frame, time_col, interval_s: int) -> None:
    """Check that all intervals of one queue are ``interval_s`` long."""
    utc = utc_epoch_s(ts)
    order = np.argsort(utc, kind="stable")
    steps = np.diff(utc[order])
    if isinstance(interval_s, bool) or not isinstance(interval_s, (int, np.integer)) or interval_s <= 0 or DAY_S % interval_s:
        raise ValueError(f"interval_s={interval_s!r}: expected a whole number of seconds > 0 that divides one "
                         "day (e.g. 300, 900, 1800)")
    # Wall-clock times must sit on one grid within the day (the rows off it are named, not their
    # neighbours; gaps between on-grid rows are closed periods, not errors).
    local = local_epoch_s(ts)
    phase = local % interval_s
    vals, counts = np.unique(phase, return_counts=True)
    off = phase != vals[np.argmax(counts)]
    if off.any():
        raise ValueError(
            f"{_src(source)}: column {time_col!r} mixes interval lengths: {rows_text(frame, off, [time_col])} "
            f"are not on the {interval_s}-second grid of the other rows; expected one interval length"
        )
    # Longer intervals in part of the file (e.g. 6-minute rows, then 30-minute rows), or a
    # given interval_s shorter than the rows' own, show as days whose typical step differs.
    day = local // DAY_S
    sd, ss = day[order][1:], steps
    same = (sd == day[order][:-1]) & (ss > 0)
    if same.any():
        df = pd.DataFrame({"day": sd[same], "step": ss[same]})
        mode = df.groupby("day")["step"].agg(lambda s: s.value_counts().index[0])
        mins = df.groupby("day")["step"].min()
        odd_days = mode.index[(mins.to_numpy() > interval_s) & (mode.to_numpy() != interval_s)]
        if len(odd_days):
            mask = np.isin(day, odd_days.to_numpy())
            raise ValueError(
                f"{_src(source)}: column {time_col!r} mixes interval lengths: on some days rows are "
                f"{int(mode.loc[odd_days[0]])} s apart instead of {interval_s} s: "
                f"{rows_text(frame, mask, [time_col])}; expected one interval length"
            )
    _check_coarse_runs(local, source, frame, time_col, interval_s)


MIN_COARSE_RUN = 4  # this many equal steps in a row, longer than the interval, are longer rows


def _check_coarse_runs(local: np.ndarray, source, frame, time_col, interval_s: int) -> None:
    """Refuse a day whose rows run at a longer step for a while (e.g. 30-minute rows in the morning,
    15-minute rows in the afternoon): ``MIN_COARSE_RUN`` equal steps in a row of 2+ intervals.
    A single gap (a closed period) is not such a run."""
    order = np.argsort(local, kind="stable")
    t = local[order]
    if t.size <= MIN_COARSE_RUN:
        return
    steps = np.diff(t)
    same_day = (t[1:] // DAY_S) == (t[:-1] // DAY_S)
    coarse = same_day & (steps > interval_s) & (steps % interval_s == 0)
    # a run: position i starts MIN_COARSE_RUN coarse steps all equal to steps[i]
    k = MIN_COARSE_RUN
    n = steps.size - k + 1
    if n <= 0:
        return
    window_ok = np.ones(n, dtype=bool)
    for j in range(k):
        window_ok &= coarse[j:j + n] & (steps[j:j + n] == steps[:n])
    if window_ok.any():
        i = int(np.flatnonzero(window_ok)[0])
        mask = np.zeros(len(local), dtype=bool)
        mask[order[i:i + k + 1]] = True
        raise ValueError(
            f"{_src(source)}: column {time_col!r} mixes interval lengths: rows "
            f"{int(steps[i])} s apart instead of {interval_s} s: {rows_text(frame, mask, [time_col])}; expected one "
            "interval length (an open interval with no contacts needs a row with volume 0)"
        )


def _handle_times(frame, source, aht_col: str, volume_col: str, vol: pd.Series) -> np.ndarray:
    """Column ``aht_col`` as seconds (float, NaN allowed where there are no contacts)."""
    aht = frame[aht_col]
    if not pd.api.types.is_numeric_dtype(aht):
        aht = aht.astype(str).str.strip().replace({"": np.nan})
    aht_num = pd.to_numeric(aht, errors="coerce")
    bad = aht_num.isna().to_numpy() & (vol.to_numpy() > 0) | (aht_num.to_numpy() < 0) \
        | np.isinf(aht_num.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        raise ValueError(
            f"{_src(source)}: column {aht_col!r} has missing, non-numeric, infinite or negative handle times "
            f"on intervals with contacts: {rows_text(frame, bad, [aht_col, volume_col])}; "
            "expected finite seconds >= 0"
        )
    return aht_num.astype(float).to_numpy()


def _check_duplicates(out: pd.DataFrame, keys: list[str], frame, source, time_col: str, queue_col) -> None:
    """ValueError listing the rows that repeat an instant (of a queue), compared in UTC."""
    key_frame = out[keys].copy()
    key_frame["_utc"] = utc_epoch_s(out["interval_start"])
    dup = key_frame.duplicated(subset=[k for k in keys if k != "interval_start"] + ["_utc"], keep=False).to_numpy()
    if dup.any():
        raise ValueError(
            f"{_src(source)}: duplicated timestamps in column {time_col!r}: "
            f"{rows_text(frame, dup, [c for c in (queue_col, time_col) if c])}; expected one row per interval"
            + (" and queue" if queue_col else "")
        )


def _check_rows(frame: pd.DataFrame, source) -> None:
    """ValueError when a history has more than ``core.limits.MAX_HISTORY_ROWS`` rows."""
    if frame.shape[0] > MAX_HISTORY_ROWS:
        raise ValueError(f"{_src(source)}: {frame.shape[0]:,} rows: more than the limit of {MAX_HISTORY_ROWS:,} rows "
                         "per history; split it by queue or resample it to longer intervals first")


def _check_span(ts: pd.Series, source, frame: pd.DataFrame, time_col: str, interval_s: int) -> None:
    """ValueError when one queue's first and last times lie further apart than
    ``MAX_HISTORY_ROWS`` intervals: its grid (gaps are closed periods) would not fit, and such a span
    is a mistyped year, not a history. Names the earliest and the latest rows."""
    utc = utc_epoch_s(ts)
    first, last = int(np.argmin(utc)), int(np.argmax(utc))
    span = (int(utc[last]) - int(utc[first])) // int(interval_s) + 1
    if span > MAX_HISTORY_ROWS:
        ends = np.zeros(len(utc), dtype=bool)
        ends[[first, last]] = True
        raise ValueError(f"{_src(source)}: column {time_col!r} spans {span:,} intervals of {int(interval_s)} s "
                         f"from its earliest to its latest time ({rows_text(frame, ends, [time_col])}): more "
                         f"than the limit of {MAX_HISTORY_ROWS:,}; expected times of one history (is a year mistyped?)")


def _check_volume_limit(vol: pd.Series, frame: pd.DataFrame, source, volume_col: str) -> None:
    """ValueError naming the rows with more than ``core.limits.MAX_VOLUME_PER_INTERVAL`` contacts."""
    huge = (vol > MAX_VOLUME_PER_INTERVAL).to_numpy()
    if huge.any():
        raise ValueError(f"{_src(source)}: column {volume_col!r} has more than {MAX_VOLUME_PER_INTERVAL:,} contacts in "
                         f"one interval: {rows_text(frame, huge, [volume_col])}; that is more than staffcast "
                         "plans for (see the limits in the README)")


def read_history(
    path_or_frame,
    *,
    time_col: str = "interval_start",
    volume_col: str = "volume",
    queue_col: str | None = None,
    aht_col: str | None = None,
    tz: str | None = None,
    interval_s: int | None = None,
    time_format: str | None = None,
) -> pd.DataFrame:
    """Read and validate an interval history from CSV, Parquet or a DataFrame.

    Parameters
    ----------
    path_or_frame: path to a ``.csv`` / ``.parquet`` file, or a DataFrame.
    time_col, volume_col, queue_col, aht_col: source column names (mapped to ``interval_start``,
        ``volume``, ``queue``, ``aht_s``). ``volume_col`` may also be e.g. ``"calls"``. If
        ``queue_col``/``aht_col`` are None, columns literally named ``queue``/``aht_s`` are used
        when present.
    tz: IANA zone (e.g. ``"Asia/Jerusalem"``). Naive times are read as wall-clock time in that zone
        (the repeated hour at the end of DST resolved by file order); times with UTC offsets are
        converted to it. Without ``tz`` naive times stay naive; times that all carry one UTC offset
        keep it; several offsets (a zone with DST) are an error asking for ``tz``.
    interval_s: interval length in seconds; inferred (most common step) when None. Either way the
        rows must be on that grid and no day may hold longer intervals.
    time_format: strptime format applied to the whole column (e.g. ``"%d/%m/%Y %H:%M"``); None
        accepts ISO 8601 only, so day-first and month-first dates are never guessed.

    Returns
    -------
    DataFrame sorted by (queue,) interval_start with columns ``interval_start``, ``volume`` (float,
    contacts per interval) and ``queue`` / ``aht_s`` (seconds) when present; ``attrs["interval_s"]``.

    Raises
    ------
    ValueError naming the source, the column, the first offending rows (file line numbers) and what
    was expected: empty input, missing columns, unparseable times, duplicated timestamps, negative or
    non-numeric volume or handle time, mixed interval lengths.
    """
    source = path_or_frame
    frame = _load(path_or_frame)
    if frame.shape[0] == 0:
        raise ValueError(f"{_src(source)}: empty history (no data rows); expected at least one interval")
    _check_rows(frame, source)
    if queue_col is None and "queue" in frame.columns:
        queue_col = "queue"
    if aht_col is None and "aht_s" in frame.columns:
        aht_col = "aht_s"
    for col in (time_col, volume_col, queue_col, aht_col):
        if col is not None and col not in frame.columns:
            raise ValueError(
                f"{_src(source)}: missing column {short(col)}; found columns {short(list(frame.columns))}"
            )
    ts = _parse_times(frame[time_col], source, frame, time_col, tz, time_format,
                      frame[queue_col] if queue_col is not None else None)
    vol = _numeric(frame[volume_col], source, frame, volume_col, "a count of contacts >= 0")
    _check_volume_limit(vol, frame, source, volume_col)
    out = pd.DataFrame({"interval_start": ts.reset_index(drop=True)})
    out["volume"] = vol.to_numpy()
    if queue_col is not None:
        out.insert(0, "queue", frame[queue_col].astype(str).to_numpy())
    if aht_col is not None:
        out["aht_s"] = _handle_times(frame, source, aht_col, volume_col, vol)
    keys = ["queue", "interval_start"] if queue_col is not None else ["interval_start"]
    _check_duplicates(out, keys, frame, source, time_col, queue_col)
    if interval_s is None:
        try:
            interval_s = infer_interval_s(out)  # the most common step over all queues
        except ValueError:
            raise ValueError(f"{_src(source)}: cannot infer the interval length from one interval; "
                             "pass interval_s") from None
    groups = [np.arange(len(out))] if queue_col is None else list(out.groupby("queue").indices.values())
    for idx in groups:
        sub = frame.iloc[idx]  # keeps the file's row positions for error messages
        _check_span(out["interval_start"].iloc[idx].reset_index(drop=True), source, sub, time_col, interval_s)
        _check_grid(out["interval_start"].iloc[idx].reset_index(drop=True), source, sub, time_col, interval_s)
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    out.attrs["interval_s"] = int(interval_s)
    if tz:
        out.attrs["tz"] = tz
    return out


def resample_history(history: pd.DataFrame, interval_s: int) -> pd.DataFrame:
    """Aggregate a history to a longer interval (e.g. 6-minute rows to 900 or 1800 seconds).

    ``volume`` is summed; ``aht_s`` is volume-weighted (sum(volume * aht_s) / sum(volume); NaN when
    the new interval has no contacts). Bins follow local wall-clock time, so DST days keep 23 or 25
    hours of intervals. A new interval exists when at least one of its source intervals was open.
    """
    if isinstance(interval_s, bool) or not isinstance(interval_s, (int, np.integer)) or interval_s <= 0 \
            or DAY_S % interval_s:
        raise ValueError(f"interval_s={interval_s!r}: expected a whole number of seconds > 0 that divides one "
                         "day (e.g. 900 or 1800)")
    src_s = infer_interval_s(history)
    if interval_s % src_s:
        raise ValueError(f"cannot resample {src_s}-second intervals to {interval_s} s; expected a multiple")
    ts = history["interval_start"]
    local = local_epoch_s(ts)
    utc = utc_epoch_s(ts)
    # Floor on wall-clock time, keep the zone offset of the instant (constant within an interval).
    new_utc = utc - (local % interval_s)
    keys = ["queue"] if "queue" in history.columns else []
    work = pd.DataFrame({"_utc": new_utc, "volume": history["volume"].to_numpy(float)})
    for k in keys:
        work[k] = history[k].to_numpy()
    agg = {"volume": "sum"}
    if "aht_s" in history.columns:
        aht = history["aht_s"].to_numpy(float)
        w = history["volume"].to_numpy(float)
        work["_work_s"] = np.where(w > 0, np.nan_to_num(aht) * w, 0.0)
        agg["_work_s"] = "sum"
    g = work.groupby(keys + ["_utc"], sort=True).agg(agg).reset_index()
    start = pd.to_datetime(g["_utc"].to_numpy(), unit="s")
    tz = ts.dt.tz
    if tz is not None:
        start = start.tz_localize("UTC").tz_convert(tz)
    out = pd.DataFrame({k: g[k].to_numpy() for k in keys})
    out["interval_start"] = start
    out["volume"] = g["volume"].to_numpy()
    if "aht_s" in history.columns:
        vol = g["volume"].to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            out["aht_s"] = np.where(vol > 0, g["_work_s"].to_numpy() / vol, np.nan)
    out.attrs = dict(history.attrs)
    out.attrs["interval_s"] = int(interval_s)
    return out
