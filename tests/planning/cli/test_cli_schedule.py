"""``staffcast schedule``: exit codes, the files it writes (schedule.csv, coverage.csv, ics/) and
the stored schedule; ``[schedule]`` problems named by their keys."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from planning.cli import main
from planning.store import RunStore

PLAN = Path(__file__).resolve().parents[3] / "data" / "plan.toml"
ROOT = PLAN.parents[1]


def schedule(capsys, *argv) -> tuple[int, str, str]:
    """``staffcast schedule ARGV``: exit code, stdout, stderr."""
    code = main(["schedule", *argv])
    return (code, *capsys.readouterr())


def plan_text(*, schedule: bool = True) -> str:
    """The bundled plan with absolute history paths (and without ``[schedule]`` when asked)."""
    text = PLAN.read_text().replace('history = "', f'history = "{ROOT.as_posix()}/data/')
    return text if schedule else text[:text.index("\n# Shifts, breaks and rosters")]


def small_plan(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """The bundled plan, voice only, one week from Sunday 2 Jan 2000, no simulation, the cover ended
    by its node limit (a 60 s ceiling: a 3 s one stopped it first on a busy machine, and the
    schedule then changed); ``edits``: more (old, new) text replacements."""
    text = plan_text()
    text = text[:text.index("[queues.chat]")] + text[text.index("\n# Shifts, breaks and rosters"):]
    for old, new in (("horizon_days = 28", "horizon_days = 7"), ("backtest_origins = 8", "backtest_origins = 1"),
                     ("history_weeks = 16", "history_weeks = 4"), ("# as_of = 1999-11-01", "as_of = 2000-01-02"),
                     ("enabled = true", "enabled = false"), ("time_limit_s = 600.0", "time_limit_s = 60.0"),
                     ("check = true", "check = false"), *edits):
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "plan.toml"
    path.write_text(text)
    tomllib.loads(text)
    return path


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sched")
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["schedule", "--config", str(small_plan(tmp)), "--store", str(tmp / "s.sqlite"),
                     "--out-dir", str(tmp / "out"), "--log-format", "kv"])
    return {"code": code, "out": out.getvalue(), "err": err.getvalue(), "tmp": tmp}


def test_schedule_writes_the_schedule_coverage_and_one_calendar_per_agent(scheduled):
    r = scheduled
    assert r["code"] == 0, r["err"]
    assert "event=step_done step=schedule" in r["err"]
    (run_dir,) = (r["tmp"] / "out").iterdir()
    sched = pd.read_csv(run_dir / "schedule.csv")
    assert list(sched.columns[:8]) == ["agent_id", "contract", "queue", "date", "shift_start", "shift_end",
                                       "paid_hours", "breaks"]
    assert set(sched["queue"]) == {"voice"} and sched["breaks"].str.fullmatch(r"(\d\d:\d\d-\d\d:\d\d;?)+").all()
    cov = pd.read_csv(run_dir / "coverage.csv")
    assert list(cov.columns) == ["queue", "interval_start", "required", "on_duty", "over_under"]
    assert len(cov) == 7 * 48 and (cov["on_duty"] >= cov["required"] - 1e-9).all()
    ics = sorted((run_dir / "ics").glob("*.ics"))
    assert {p.stem for p in ics} == set(sched["agent_id"])
    assert b"BEGIN:VEVENT" in ics[0].read_bytes()
    assert "schedule for the week(s) of 2000-01-02" in r["out"] and "gap to LP bound" in r["out"]
    assert "FTE from rostered paid hours" in r["out"]
    store = RunStore(str(r["tmp"] / "s.sqlite"), create=False)
    stored = store.load_frame("latest", "schedule")
    assert len(stored) == len(sched) and stored["paid_hours"].sum() == pytest.approx(sched["paid_hours"].sum())
    meta = store.get_run("latest")
    voice = meta["summary"]["by_queue"]["voice"]
    assert voice["fte_basis"] == "roster" and voice["fte_per_week"] == pytest.approx(
        sched["paid_hours"].sum() / 42.0, abs=0.01)


def test_a_reused_run_prints_the_stored_schedule(scheduled, capsys):
    r = scheduled
    code, out, err = schedule(capsys, "--config", str(r["tmp"] / "plan.toml"), "--store",
                             str(r["tmp"] / "s.sqlite"), "--out-dir", str(r["tmp"] / "again"), "-q")
    assert code == 0, err
    assert "reused" in out and "schedule for the week(s) of 2000-01-02" in out
    (run_dir,) = (r["tmp"] / "again").iterdir()
    assert (run_dir / "schedule.csv").is_file() and (run_dir / "coverage.csv").is_file()


def test_schedule_exit_codes(capsys, tmp_path):
    plain = tmp_path / "plain.toml"
    plain.write_text(plan_text(schedule=False))
    code, out, err = schedule(capsys, "--config", str(plain), "--no-store", "-q")
    assert code == 2 and out == "" and "no [schedule] section" in err
    code, _, err = schedule(capsys, "--config", str(small_plan(tmp_path)), "--time-limit-s", "-1",
                           "--no-store", "-q")
    assert code == 2 and "--time-limit-s: out of range: -1.0" in err
    assert schedule(capsys, "--config", str(PLAN), "--weeks", "0")[0] == 2  # argparse
    code, _, err = schedule(capsys, "--help")
    assert code == 0
    bad = small_plan(tmp_path, ("weeks = 1 ", "weeks = 0 "), ('# roster = "roster.csv"', 'roster = "nobody.csv"'))
    code, _, err = schedule(capsys, "--config", str(bad), "--no-store", "-q")
    assert code == 2 and "schedule.weeks: out of range: 0" in err and "schedule.roster: roster file not found" in err
