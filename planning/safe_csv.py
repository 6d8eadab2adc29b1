"""CSV export that a spreadsheet cannot execute: formula injection neutralised.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage return, which some
spreadsheets skip before reading a formula) is run as a formula by Excel, LibreOffice and Google
Sheets when a CSV is opened, e.g. ``=HYPERLINK("http://evil", "click")`` or ``@SUM(1+1)*cmd|...``.
Such cells are made plain text by prefixing a single quote ``'`` (the OWASP recommendation);
leading spaces or control characters before the trigger do not evade the check.

Only text is touched: numbers stay numbers (``-3.5`` written from a float column is a number and
stays as it is), timestamps are written as ISO 8601 (``2000-01-01T20:00:00+02:00``). Column names
are neutralised the same way.

    from planning.safe_csv import to_safe_csv
    data = to_safe_csv(frame)          # bytes, UTF-8, "\\n" line ends, no index
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["TRIGGERS", "neutralise_cell", "neutralise_frame", "to_safe_csv"]

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # + full-width forms


def neutralise_cell(value):
    """``value`` unchanged unless it is text a spreadsheet would read as a formula; then ``"'" + value``."""
    if not isinstance(value, str) or not value:
        return value
    stripped = value.lstrip(" \x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\n")
    if stripped.startswith(TRIGGERS) or value.startswith(TRIGGERS):
        return "'" + value
    return value


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


def to_safe_csv(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """``frame`` as UTF-8 CSV bytes with formula injection neutralised (``index``: write the index
    as the first column, neutralised too)."""
    if frame is None:
        frame = pd.DataFrame()
    if index:
        frame = frame.reset_index()
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
