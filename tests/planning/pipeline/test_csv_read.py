"""Reading history CSVs: the separator is detected (comma, semicolon, tab, bar; quoted fields
respected), lines with the wrong number of fields are all found, and a plan's history in any of
these separators reads as the same history."""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from planning.config import load_config
from planning.pipeline import read_queue_history
from planning.pipeline.csv_read import detect_separator, header_columns, read_csv_cells

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("text, sep", [
    ("interval_start,calls\n1999-01-01 08:00,3\n", ","),
    ("interval_start;calls\n1999-01-01 08:00;3\n", ";"),
    ("interval_start\tcalls\n1999-01-01 08:00\t3\n", "\t"),
    ("interval_start|calls\n1999-01-01 08:00|3\n", "|"),
    # a semicolon file with decimal commas and a quoted value holding a comma and a semicolon
    ('interval_start;calls;aht;note\n1999-01-01 08:00;3;210,5;"Smith, J; late"\n1999-01-01 08:30;4;199,0;x\n', ";"),
    # a comma file with quoted values holding semicolons and tabs
    ('interval_start,calls,note\n1999-01-01 08:00,3,"a;b;c"\n1999-01-01 08:30,4,"d\te"\n', ","),
    ("interval_start\n1999-01-01 08:00\n", ","),  # one column
    ("", ","),
    ("interval_start;calls\n1999-01-01 08:00;3\n1999-01-01 08:3", ";"),  # a sample cut inside a line
])
def test_the_separator_is_detected(text, sep):
    assert detect_separator(text) == sep


@settings(max_examples=60, deadline=None)
@given(sep=st.sampled_from([",", ";", "\t"]),
       cells=st.lists(st.tuples(st.integers(0, 999), st.text(alphabet="ab ,;\t\"'", max_size=6)), min_size=1,
                      max_size=8))
def test_any_written_csv_reads_back_with_its_separator(tmp_path_factory, sep, cells):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow(["calls", "note"])
    writer.writerows(cells)
    path = tmp_path_factory.mktemp("csv") / "h.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    got = read_csv_cells(path)
    assert got.separator == sep and got.ragged == []
    assert got.frame["calls"].tolist() == [str(c) for c, _ in cells]
    assert got.frame["note"].tolist() == [n for _, n in cells]


def test_every_ragged_line_is_found_with_its_line_number(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("t;v\n1;2\n3;4;5\n6;7\n8\n9;10\n\n11;12;13;14\n")
    got = read_csv_cells(path)
    assert got.ragged == [(3, 3), (5, 1), (8, 4)]
    assert got.frame["v"].tolist() == ["2", "7", "10"]
    assert (got.frame.index + 2).tolist() == [2, 4, 6]  # the rows' own lines


def test_header_columns_of_bytes():
    assert header_columns(b"\xef\xbb\xbfstart\tcalls\taht\n1\t2\t3\n") == (["start", "calls", "aht"], "\t")
    assert header_columns(b"") == ([], ",")


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_plan_history_in_another_separator_reads_as_the_same_history(tmp_path, sep):
    plan = load_config(ROOT / "data" / "plan.toml")
    q = plan.queues["chat"]
    expected = read_queue_history(q, plan.interval_s, plan.timezone)
    path = tmp_path / "chat.csv"
    pd.read_csv(q.history, dtype=str).to_csv(path, sep=sep, index=False)
    got = read_queue_history(replace(q, history=path), plan.interval_s, plan.timezone)
    pd.testing.assert_frame_equal(got, expected)
