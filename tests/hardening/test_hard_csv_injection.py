"""Formula injection through every line-break kind, on every export and download path: each line of
each cell read back starts harmless, and the cell is one quoted field (no new row)."""
from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest

from planning.safe_csv import LINE_BREAKS, TRIGGERS, neutralise_cell, to_safe_csv

BREAKS = ["\r", "\n", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
PAYLOADS = ["@SUM(1+1)*cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3"]


def _evil_frame(brk: str) -> pd.DataFrame:
    return pd.DataFrame({"queue": [f"Sales{brk}{p}" for p in PAYLOADS], "volume": [1.5, 2.0, -3.0, 4.0]})


def _assert_safe(text: str, n_rows: int):
    """Read as a quote-respecting reader does, and as a reader splitting rows on every break outside
    quotes: the row count is kept and no line of any field starts a formula."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == n_rows + 1, rows
    for row in rows[1:]:
        for field in row[:1]:  # the text column (numbers like -3.0 stay numbers)
            for line in re.split("\r\n|[" + re.escape(LINE_BREAKS) + "]", field):
                assert not line.lstrip(" ").startswith(TRIGGERS), (field, line)
    outside = re.sub(r'"(?:[^"]|"")*"', "Q", text)  # quoted fields removed
    assert len(re.split("\r\n|[" + re.escape(LINE_BREAKS) + "]", outside.rstrip("\n"))) == n_rows + 1


@pytest.mark.parametrize("brk", BREAKS)
def test_cell_split_on_every_break_kind(brk):
    for p in PAYLOADS:
        out = neutralise_cell(f"Sales{brk}{p}")
        assert out == f"Sales{brk}'{p}"
        assert neutralise_cell(out) == out  # idempotent


@pytest.mark.parametrize("brk", BREAKS)
def test_dashboard_download_bytes(brk):
    _assert_safe(to_safe_csv(_evil_frame(brk)).decode("utf-8"), len(PAYLOADS))


@pytest.mark.parametrize("brk", ["\r", "\u2028", "\x85"])
def test_write_frame_and_export_run(tmp_path, brk):
    from planning.exports import export_run, write_frame

    write_frame(_evil_frame(brk), tmp_path / "a.csv")
    _assert_safe((tmp_path / "a.csv").read_bytes().decode("utf-8"), len(PAYLOADS))
    export_run({"forecast": _evil_frame(brk)}, tmp_path / "run", formats=("csv",))
    _assert_safe((tmp_path / "run" / "forecast.csv").read_bytes().decode("utf-8"), len(PAYLOADS))


def test_cli_table_to_file_and_stdout(tmp_path, capsys):
    from planning.cli.common import emit_table
    from planning.progress import Progress

    prog = Progress(io.StringIO(), fmt="quiet")
    emit_table(_evil_frame("\r"), str(tmp_path / "t.csv"), prog, "table")
    _assert_safe((tmp_path / "t.csv").read_bytes().decode("utf-8"), len(PAYLOADS))
    assert "wrote table" in capsys.readouterr().out  # --out says what it wrote, on stdout
    emit_table(_evil_frame("\x1e"), None, prog, "table")
    _assert_safe(capsys.readouterr().out, len(PAYLOADS))


def test_study_export(tmp_path):
    from types import SimpleNamespace

    from planning.scenarios.run import export_study

    frame = _evil_frame("\r")
    fake = SimpleNamespace(tables=lambda: {"comparison": frame}, requirements=frame, exports=None)
    paths = export_study(fake, tmp_path / "study")
    assert {p.name for p in paths} == {"comparison.csv", "requirements.csv"}
    for p in paths:
        _assert_safe(p.read_bytes().decode("utf-8"), len(PAYLOADS))


def test_dashboard_download_widget(monkeypatch):
    import dashboard.widgets as widgets

    seen = {}
    monkeypatch.setattr(widgets.st, "download_button", lambda label, data, **kw: seen.update(data=data))
    widgets.download(_evil_frame("\r"), "x")
    _assert_safe(seen["data"].decode("utf-8"), len(PAYLOADS))
