"""A malformed history lists every kind of problem at once, each with all its row numbers."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from planning.config import InputError, load_config
from planning.pipeline import read_queue_history
from planning.pipeline.history_check import history_problems, problems_text, row_numbers_text

ROOT = Path(__file__).resolve().parents[3]


def test_row_numbers_are_listed_as_ranges():
    assert row_numbers_text([4]) == "row 4"
    assert row_numbers_text([9, 4, 5, 6, 12]) == "rows 4-6, 9, 12 (5 rows)"
    many = row_numbers_text(range(2, 60, 2))
    assert many.startswith("rows 2, 4, 6") and "and 17 more range(s) (29 rows)" in many


def _cells(text: str) -> pd.DataFrame:
    rows = [line.split(";") for line in text.strip("\n").split("\n")]
    return pd.DataFrame(rows[1:], columns=rows[0], dtype=str)


def test_every_kind_of_problem_is_found_with_every_row():
    frame = _cells("""
t;calls;aht
1999-01-01 08:00;3;200
1999-01-01 08:15;many;200
yesterday;4;200
1999-01-01 08:45;-2;200
1999-01-01 08:45;1;x
;5;200
1999-01-01 09:15;;200
1999-01-01 09:30;0;
""")
    problems = history_problems(frame, time_col="t", volume_col="calls", aht_col="aht", ragged=[(11, 4), (12, 1)])
    assert problems == [
        "rows 11-12 (2 rows) with another number of fields than the header's 3 (with 1 or 4); expected the same "
        "number of fields on every row (a separator inside a value needs quotes)",
        "column 't' has missing times: row 7; e.g. ''; expected ISO dates like '1999-01-03 07:30' (optionally with "
        "a UTC offset), or set the time format (time_format), e.g. '%d/%m/%Y %H:%M'",
        "column 't' has unparseable times: row 4; e.g. 'yesterday'; expected ISO dates like '1999-01-03 07:30' "
        "(optionally with a UTC offset), or set the time format (time_format), e.g. '%d/%m/%Y %H:%M'",
        "column 't' has duplicated timestamps: rows 5-6 (2 rows); e.g. '1999-01-01 08:45', '1999-01-01 08:45'; "
        "expected one row per interval",
        "column 'calls' has non-numeric or missing values: rows 3, 8 (2 rows); e.g. 'many', ''; expected a count "
        "of contacts >= 0",
        "column 'calls' has negative values: row 5; e.g. '-2'; expected a count of contacts >= 0",
        "column 'aht' has missing, non-numeric, infinite or negative handle times on intervals with contacts: "
        "row 6; e.g. 'x'; expected finite seconds >= 0",
    ]  # row 9's missing handle time has no contacts: not a problem
    text = problems_text(problems)
    assert text.startswith("7 kinds of problem found") and text.count("\n- ") == 7


def test_missing_columns_are_named_together_and_the_others_still_checked():
    frame = _cells("when;calls\n1999-01-01 08:00;x\n")
    problems = history_problems(frame, time_col="t", volume_col="calls", aht_col="aht")
    assert problems == ["missing columns 't', 'aht'; found columns ['when', 'calls']",
                        "column 'calls' has non-numeric or missing values: row 2; e.g. 'x'; expected a count of "
                        "contacts >= 0"]


def test_a_clean_file_and_the_autumn_hour_twice_have_no_problems():
    frame = _cells("t;calls\n1999-10-31 02:00;1\n1999-10-31 02:30;1\n1999-10-31 02:00;2\n1999-10-31 02:30;2\n")
    assert history_problems(frame, time_col="t", volume_col="calls", tz="Europe/Paris") == []
    assert history_problems(frame, time_col="t", volume_col="calls")[0].startswith(
        "column 't' has duplicated timestamps: rows 2-5 (4 rows)")
    assert problems_text([]) == "" and problems_text(["one"]) == "one"


def test_times_in_a_format_and_offsets_mixed():
    frame = _cells("t;calls\n03/01/1999 08:00;1\n1999-01-03 08:30;1\n")
    assert history_problems(frame, time_col="t", volume_col="calls", time_format="%d/%m/%Y %H:%M") == [
        "column 't' has unparseable times: row 3; e.g. '1999-01-03 08:30'; expected times in the format "
        "'%d/%m/%Y %H:%M'"]
    frame = _cells("t;calls\n1999-01-03 08:00+02:00;1\n1999-01-03 08:30;1\n")
    assert history_problems(frame, time_col="t", volume_col="calls")[0].startswith(
        "column 't' has times without a UTC offset among times with one: row 3")


def test_a_malformed_plan_history_reports_every_kind_at_once(tmp_path):
    plan = load_config(ROOT / "data" / "plan.toml")
    path = tmp_path / "chat.csv"
    path.write_text("interval_start;chats\n1999-01-01 08:00;3\n1999-01-01 08:15;many\nyesterday;4\n"
                    "1999-01-01 08:45;-2\n1999-01-01 09:00;1;7\n")
    with pytest.raises(InputError) as e:
        read_queue_history(replace(plan.queues["chat"], history=path), plan.interval_s, plan.timezone)
    msg = str(e.value)
    assert msg.startswith(f"queue chat: history {path}: 4 kinds of problem found")
    for part in ("row 6 with another number of fields", "unparseable times: row 4", "non-numeric or missing "
                 "values: row 3", "negative values: row 5"):
        assert part in msg, msg


def test_one_problem_reads_as_before(tmp_path):
    plan = load_config(ROOT / "data" / "plan.toml")
    path = tmp_path / "chat.csv"
    path.write_text("interval_start,chats\n1999-01-01 08:00,3\n1999-01-01 08:15,many\n")
    with pytest.raises(InputError, match=r"column 'chats' has non-numeric or missing values: row 3; e.g. 'many'"):
        read_queue_history(replace(plan.queues["chat"], history=path), plan.interval_s, plan.timezone)
