"""CSV export that a spreadsheet cannot execute: formula injection neutralised.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage return, which some
spreadsheets skip before reading a formula) is run as a formula by Excel, LibreOffice and Google
Sheets when a CSV is opened, e.g. ``=HYPERLINK("http://evil", "click")`` or ``@SUM(1+1)*cmd|...``.
Such cells are made plain text by prefixing a single quote ``'`` (the OWASP recommendation);
leading spaces or control characters before the trigger do not evade the check.

A cell is also split on every line break a CSV reader or spreadsheet may honour (``\\r``, ``\\n``,
``\\r\\n``, ``\\v``, ``\\f``, ``\\x1c``-``\\x1e``, ``\\x85``, ``\\u2028``, ``\\u2029``: the breaks of
``str.splitlines``) and every piece is neutralised, so ``Sales\\r@SUM(1)`` becomes ``Sales\\r'@SUM(1)``;
a cell holding any of them is always written quoted (Python's csv module quotes only ``\\n`` when
lines end in ``\\n``, so a lone ``\\r`` would start a new row in Excel and most readers).

Only text is touched: numbers stay numbers (``-3.5`` written from a float column is a number and
stays as it is), timestamps are written as ISO 8601 (``2000-01-01T20:00:00+02:00``). Column names
are neutralised the same way.

    from planning.safe_csv import to_safe_csv
    data = to_safe_csv(frame)          # bytes, UTF-8, "\\n" line ends, no index
"""
from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

__all__ = ["TRIGGERS", "LINE_BREAKS", "neutralise_cell", "neutralise_frame", "to_safe_csv", "write_safe_csv"]

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # + full-width forms


LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # every break str.splitlines() honours
_BREAK_RE = re.compile("(\r\n|[" + re.escape(LINE_BREAKS) + "])")
_QUOTE_RE = re.compile('[,"' + re.escape(LINE_BREAKS) + "]")


def _neutralise_line(value: str) -> str:
    stripped = value.lstrip(" \x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\n")
    if stripped.startswith(TRIGGERS) or value.startswith(TRIGGERS):
        return "'" + value
    return value


def neutralise_cell(value):
    """``value`` unchanged unless it is text a spreadsheet would read as a formula; then ``"'" + value``.

    Text with line breaks (``LINE_BREAKS``) is split and every line is neutralised too; the first line
    with text is covered by the quote that starts the cell, if it has one. Idempotent.
    """
    if not isinstance(value, str) or not value:
        return value
    whole = _neutralise_line(value)
    if not _BREAK_RE.search(value):
        return whole
    covered = whole.startswith("'")  # the cell starts with a quote: its first line with text is text
    out = []
    for i, part in enumerate(_BREAK_RE.split(value)):  # [line, break, line, break, ...]
        if i % 2 == 0 and covered:
            rest = part[1:] if i == 0 and part.startswith("'") else part
            covered = not rest.strip(" ")
        elif i % 2 == 0:
            part = _neutralise_line(part)
        out.append(part)
    text = "".join(out)
    return text if whole == value else "'" + text


def _column_to_text_safe(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(col):
        return col.map(lambda t: t.isoformat() if pd.notna(t) else "")
    if pd.api.types.is_timedelta64_dtype(col):
        return col.map(lambda t: t.isoformat() if pd.notna(t) else "")
    if pd.api.types.is_bool_dtype(col) or (pd.api.types.is_numeric_dtype(col)
                                           and not isinstance(col.dtype, pd.CategoricalDtype)):
        return col
    # object, string, categorical: anything may be text
    return col.astype(object).map(neutralise_cell)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name neutralised (see module docstring)."""
    out = pd.DataFrame(index=range(len(frame)))
    names = [neutralise_cell(str(c)) for c in frame.columns]
    seen: dict[str, int] = {}
    for i, (c, name) in enumerate(zip(frame.columns, names)):
        col = frame.iloc[:, i].reset_index(drop=True)
        if name in seen:  # keep duplicate column names distinct after neutralising
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out[name] = _column_to_text_safe(col).to_numpy() if len(col) else np.array([], dtype=object)
    return out


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if _QUOTE_RE.search(text) else text


def _safe_csv_text(frame: pd.DataFrame, *, neutralised: bool = False) -> str:
    """The neutralised ``frame`` (``neutralised``: it already is) as CSV text: pandas formats the
    values (quoting every field), the fields are read back exactly and written again, quoted when
    they hold a comma, a quote or any line break (see the module docstring)."""
    frame = frame if neutralised else neutralise_frame(frame)
    full = frame.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_ALL)
    out = []
    for row in csv.reader(io.StringIO(full, newline="")):
        if len(row) == 1 and row[0] == "":
            out.append('""')  # as the csv module writes a lone empty field
        else:
            out.append(",".join(_csv_field(f) for f in row))
    return "".join(line + "\n" for line in out)


def write_safe_csv(frame: pd.DataFrame, path, *, neutralised: bool = False) -> None:
    """Write ``frame`` as neutralised UTF-8 CSV (``\\n`` line ends, no index) to ``path``
    (``neutralised``: ``frame`` is the output of :func:`neutralise_frame` already)."""
    text = _safe_csv_text(frame, neutralised=neutralised)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def to_safe_csv(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """``frame`` as UTF-8 CSV bytes with formula injection neutralised (``index``: write the index
    as the first column, neutralised too)."""
    if frame is None:
        frame = pd.DataFrame()
    if index:
        frame = frame.reset_index()
    return _safe_csv_text(frame).encode("utf-8")
