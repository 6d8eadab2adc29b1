"""Formula-injection-safe CSV export (planning.safe_csv)."""
import csv
import io

import numpy as np
import pandas as pd
import pytest

from planning.safe_csv import neutralise_cell, to_safe_csv


def _rows(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


@pytest.mark.parametrize("text", [
    "=1+1", "+41 79 000", "-2+3", "@SUM(A1:A2)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x","y")',
    "  =1+1", "\n=1", "\uff1d1+1", "=cmd|' /C calc'!A0",
])
def test_triggers_are_quoted(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["voice", "", "a=b", "1999-01-01", "'=already", 3, -3.5, None, np.nan])
def test_harmless_values_unchanged(value):
    out = neutralise_cell(value)
    assert out is value or (isinstance(value, float) and np.isnan(value) and np.isnan(out))


def test_frame_numbers_stay_numbers_text_is_neutralised():
    frame = pd.DataFrame({
        "queue": ["voice", "=evil()", "@x", "-y"],
        "volume": [1.5, -2.0, 0.0, 3.0],
        "agents": [1, 2, 3, 4],
        "open": [True, False, True, True],
        "interval_start": pd.date_range("2000-01-01 20:00", periods=4, freq="30min", tz="Asia/Jerusalem"),
        "=col": ["a", "b", "c", "d"],
    })
    rows = _rows(to_safe_csv(frame))
    assert rows[0] == ["queue", "volume", "agents", "open", "interval_start", "'=col"]
    assert [r[0] for r in rows[1:]] == ["voice", "'=evil()", "'@x", "'-y"]
    assert [r[1] for r in rows[1:]] == ["1.5", "-2.0", "0.0", "3.0"]  # negative numbers untouched
    assert rows[1][4] == "2000-01-01T20:00:00+02:00"
    # every text cell in the output is safe
    for r in rows:
        for cell in r:
            if cell and cell[0] in "=+@\t\r":
                pytest.fail(f"unsafe cell {cell!r}")


def test_categorical_and_empty_and_index():
    frame = pd.DataFrame({"k": pd.Categorical(["=a", "b"])}, index=pd.Index(["+i", "j"], name="-idx"))
    rows = _rows(to_safe_csv(frame, index=True))
    assert rows == [["'-idx", "k"], ["'+i", "'=a"], ["j", "b"]]
    assert _rows(to_safe_csv(pd.DataFrame({"a": []}))) == [["a"]]
