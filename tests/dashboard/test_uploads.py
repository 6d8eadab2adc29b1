"""Uploads on the Data page with Streamlit's AppTest: columns are picked from the file's header,
tab- and semicolon-separated files are read, the header names the uploaded file and "back to the
plan's file" returns to it, and a malformed file lists every kind of problem at once."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
CHAT_CSV = ROOT / "data" / "chat_synthetic_1999_15min.csv"


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFFCAST_STORE", f"sqlite:///{tmp_path / 'runs.sqlite'}")
    monkeypatch.delenv("STAFFCAST_PLAN", raising=False)


def _data_page(queue: str = "chat") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["queue"] = queue
    return at.run()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_a_tab_file_s_columns_are_picked_from_its_header_and_back_to_the_plan_s_file():
    raw = pd.read_csv(CHAT_CSV).tail(24 * 4 * 35).rename(columns={"interval_start": "Start", "chats": "Chats offered"})
    raw.insert(0, "site", "TLV")
    at = _data_page("chat")
    at.file_uploader(key="upload_file").set_value(("week.tsv.csv", raw.to_csv(sep="\t", index=False).encode(),
                                                   "text/csv")).run()
    assert not at.exception
    assert at.selectbox(key="w_time_col_chat").options == ["site", "Start", "Chats offered"]
    assert at.selectbox(key="w_time_col_chat").value == "Start"            # guessed from the name
    assert at.selectbox(key="w_vol_col_chat").value == "Chats offered"
    assert at.selectbox(key="w_aht_col_chat").value == ""                  # the plan's handle time
    assert any("separated by tabs" in c.value for c in at.caption)
    at.button(key="use_upload").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.header[0].value == "Data: queue 'chat' from the uploaded file week.tsv.csv"
    assert _metric(at, "Days") == "35"
    assert any("week.tsv.csv is valid" in s.value for s in at.success)
    assert not at.button(key="reset_upload").disabled
    at.button(key="reset_upload").click().run()
    assert not at.exception
    assert at.header[0].value == "Data: history of queue 'chat'" and _metric(at, "Days") == "365"
    assert at.button(key="reset_upload").disabled


def test_a_malformed_semicolon_file_lists_every_kind_of_problem_at_once():
    lines = ["interval_start;chats"] + [f"1999-11-{d:02d} 08:00;{d}" for d in range(1, 29)]
    lines[3] = "1999-11-03 08:00;many"
    lines[5] = "yesterday;5"
    lines[7] = "1999-11-07 08:00;-7"
    lines[9] = "1999-11-09 08:00;9;extra"
    lines[11] = "1999-11-10 08:00;11"  # the day before's time again
    at = _data_page("chat")
    at.file_uploader(key="upload_file").set_value(("bad.csv", ("\n".join(lines) + "\n").encode(), "text/csv")).run()
    at.button(key="use_upload").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    msg = errors[0]
    assert "5 kinds of problem found" in msg, msg
    for part in ("row 10 with another number of fields than the header's 2", "unparseable times: row 6",
                 "duplicated timestamps: rows 11-12", "non-numeric or missing values: row 4",
                 "negative values: row 8"):
        assert part in msg, msg
    assert at.header[0].value == "Data: history of queue 'chat'" and _metric(at, "Days") == "365"  # plan's file kept
