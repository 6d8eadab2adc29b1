"""A run's export folder, calendars included, is written as a whole: a failure while writing the
agents' calendars leaves the previous export untouched and no half-written folder behind."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

import scheduling
from planning.exports import export_run


def _schedule():
    week = SimpleNamespace(roster=None, week_start=pd.Timestamp("2000-01-02"))
    return SimpleNamespace(weeks=[week])


def _fake_ical(written_before_failure: int | None):
    def write(roster, folder):
        folder.mkdir(parents=True)
        paths = []
        for i in range(3):
            if written_before_failure is not None and i == written_before_failure:
                raise OSError("disk full")
            paths.append(folder / f"a{i}.ics")
            paths[-1].write_text("BEGIN:VCALENDAR")
        return paths
    return write


def test_calendars_are_part_of_the_atomic_export(tmp_path, monkeypatch):
    monkeypatch.setattr(scheduling, "write_ical", _fake_ical(None))
    out = tmp_path / "run"
    paths = export_run({"t": pd.DataFrame({"x": [1]})}, out, formats=("csv",), schedule=_schedule())
    assert sorted(p.relative_to(out).as_posix() for p in paths) == ["ics/a0.ics", "ics/a1.ics", "ics/a2.ics", "t.csv"]
    assert all(p.is_file() for p in paths)


def test_a_failure_in_the_calendars_keeps_the_previous_export(tmp_path, monkeypatch):
    out = tmp_path / "run"
    monkeypatch.setattr(scheduling, "write_ical", _fake_ical(None))
    export_run({"t": pd.DataFrame({"x": [1]})}, out, formats=("csv",), schedule=_schedule())
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(scheduling, "write_ical", _fake_ical(1))
    with pytest.raises(OSError, match="disk full"):
        export_run({"t": pd.DataFrame({"x": [2]})}, out, formats=("csv",), schedule=_schedule())
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temp folder left
