"""The Data page's upload helpers (no Streamlit): the header's columns and separator, and the
columns preselected in the select boxes."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from planning import views as pv
from planning.config import InputError


def test_upload_columns_of_csv_and_parquet():
    assert pv.upload_columns("a.csv", b'"start";"calls";"aht"\n"1999-01-01 08:00";3;200\n') == (
        ["start", "calls", "aht"], ";")
    buf = io.BytesIO()
    pd.DataFrame({"t": ["1999-01-01 08:00"], "n": [1]}).to_parquet(buf, index=False)
    assert pv.upload_columns("a.parquet", buf.getvalue()) == (["t", "n"], None)
    assert pv.upload_columns("a.parquet", b"not parquet") == ([], None)
    assert pv.separator_name("\t") == "tabs"


@pytest.mark.parametrize("columns, plan, expected", [
    (["interval_start", "chats", "aht"], ("interval_start", "chats", None), ("interval_start", "chats", None)),
    (["site", "Start", "Chats offered"], ("interval_start", "chats", None), ("Start", "Chats offered", None)),
    (["a", "b"], ("interval_start", "calls", None), ("a", "b", None)),
    (["when", "n", "handle"], ("interval_start", "volume", "handle"), ("when", "n", "handle")),
    (["interval_start"], ("interval_start", "calls", None), ("interval_start", None, None)),
])
def test_guess_columns(columns, plan, expected):
    got = pv.guess_columns(columns, *plan)
    assert (got["time_col"], got["volume_col"], got["aht_col"]) == expected


def test_an_upload_without_a_volume_column_is_refused_with_the_file_s_columns():
    cfg = pv.load_plan()
    with pytest.raises(InputError, match=r"pick a time column and another column .* columns: interval_start\)"):
        pv.history_from_upload(cfg, "chat", "one.csv", b"interval_start\n1999-01-01 08:00\n",
                               time_col="interval_start", volume_col="")
