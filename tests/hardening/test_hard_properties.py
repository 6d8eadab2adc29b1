"""Property tests: a random junk cell in a history never gives a traceback (only a ValueError naming
the file and the column) and never a silently changed number (what is read is what was written)."""
from __future__ import annotations

import csv
import io
import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast import read_history

TIMES = [f"2000-01-03 {8 + i // 2:02d}:{30 * (i % 2):02d}" for i in range(8)]
JUNK = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789.eE+-_ ,\r\n\t\x00\x85\u2028xinfa", max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "1e12", "1e400", "0x10", "1_000", "五", "3,5", "null",
                     "None", "TRUE", "\ufeff5", "５", "=1+1", "2000-01-03 08:00", "1e-320"]),
)


def _write(path, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["interval_start", "volume", "aht_s"])
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8", "surrogatepass"))


def _as_number(text: str):
    try:
        v = float(text.strip())
    except ValueError:
        return None
    return v


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=JUNK, row=st.integers(0, len(TIMES) - 1), col=st.sampled_from([0, 1, 2]))
def test_junk_cell_never_a_traceback_nor_a_changed_number(tmp_path, junk, row, col):
    rows = [[t, str(3 + i), "120"] for i, t in enumerate(TIMES)]
    rows[row][col] = junk
    path = tmp_path / "h.csv"
    try:
        _write(path, rows)
    except UnicodeEncodeError:  # lone surrogates cannot be a UTF-8 file
        return
    names = ["interval_start", "volume", "aht_s"]
    try:
        h = read_history(path)
    except ValueError as exc:
        msg = str(exc)
        assert str(path) in msg, msg
        assert len(msg) < 2000
        return
    # read: every number is the one written, in time order (a junk time that parses moves its row)
    assert len(h) == len(TIMES)
    order = sorted(range(len(rows)), key=lambda i: pd.Timestamp(rows[i][0].strip()))
    rows = [rows[i] for i in order]
    written = pd.Series([r[1] for r in rows]).map(_as_number).to_numpy()
    assert all(v is not None and math.isclose(a, v, rel_tol=0, abs_tol=0) for a, v in zip(h["volume"], written)), \
        (names[col], junk, h["volume"].tolist())
    aht = [_as_number(r[2]) for r in rows]
    for a, v in zip(h["aht_s"], aht):
        assert (v is None and math.isnan(a)) or a == v or (math.isnan(a) and v is not None and math.isnan(v)), \
            (junk, a, v)
    assert [t.strftime("%Y-%m-%d %H:%M") for t in h["interval_start"]] == \
        [pd.Timestamp(r[0].strip()).strftime("%Y-%m-%d %H:%M") for r in rows]


@settings(max_examples=60, deadline=None)
@given(junk=JUNK, row=st.integers(0, len(TIMES) - 1))
def test_junk_volume_in_a_dataframe_never_a_traceback(junk, row):
    df = pd.DataFrame({"interval_start": TIMES, "volume": [str(3 + i) for i in range(len(TIMES))]})
    df.loc[row, "volume"] = junk
    try:
        h = read_history(df)
    except ValueError as exc:
        assert "volume" in str(exc) or "interval" in str(exc)
        return
    v = _as_number(junk)
    assert v is not None and h["volume"].iloc[row] == v


def test_a_mistyped_year_is_refused_naming_its_row(tmp_path):
    rows = [[t, "3", "120"] for t in TIMES]
    rows[1][0] = "1000-01-03 08:30"
    path = tmp_path / "h.csv"
    _write(path, rows)
    try:
        read_history(path)
    except ValueError as exc:
        msg = str(exc)
    else:
        raise AssertionError("a history spanning 1000 years was read")
    assert str(path) in msg and "row 3" in msg and "1000-01-03 08:30" in msg and "limit of 10,000,000" in msg, msg
