"""The Schedule page and its view functions, on a stored run of a one-week voice schedule."""
from __future__ import annotations

import contextlib
import importlib.util
import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from planning import views as pv
from planning.cli import main

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("cli_schedule_helpers",
                                               ROOT / "tests" / "planning" / "cli" / "test_cli_schedule.py")
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)


def store_small_schedule(store: Path, tmp: Path) -> None:
    """``staffcast schedule`` on a small copy of the bundled plan (one week of voice, as
    tests/planning/cli/test_cli_schedule.py makes it) stored in the SQLite file ``store``. Used by
    the browser test too."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["schedule", "--config", str(_helpers.small_plan(tmp)), "--store", f"sqlite:///{store}",
                     "--out-dir", str(tmp / "out"), "-q"])
    assert code == 0, err.getvalue()


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("schedule_page")
    store_small_schedule(tmp / "s.sqlite", tmp)
    return f"sqlite:///{tmp / 's.sqlite'}"


def test_views_read_the_latest_stored_schedule(store_url, tmp_path):
    assert pv.latest_schedule(f"sqlite:///{tmp_path / 'none.sqlite'}") is None
    stored = pv.latest_schedule(store_url, "bank-voice-and-chat")
    assert stored is not None and stored.summary["fte_basis"] == "rostered paid hours"
    cov = pv.coverage_for_queue(stored.coverage, "voice")
    assert (cov["on_duty"] >= cov["required"] - 1e-9).all() and (cov["under"] == 0).all()
    assert (cov["over"] == (cov["on_duty"] - cov["required"]).clip(lower=0)).all()
    day = pv.schedule_days(stored.schedule)[1]
    gantt = pv.day_gantt(stored.schedule, day, "voice")
    shifts, breaks = gantt[gantt["kind"] == "shift"], gantt[gantt["kind"] == "break"]
    assert len(shifts) == sum(pd.Timestamp(d).date() == day and q == "voice"
                              for d, q in zip(stored.schedule["date"], stored.schedule["queue"]))
    for r in breaks.itertuples():  # every break lies inside its agent's shift that day
        s = shifts[shifts["agent_id"] == r.agent_id].iloc[0]
        assert s["start"] <= r.start < r.end <= s["end"]
    hc = pv.headcount_by_contract(stored.headcount)
    total = hc[hc["queue"] == "total"]
    assert total["paid_h"].sum() == pytest.approx(stored.schedule["paid_hours"].sum())


def test_schedule_page_shows_coverage_gantt_and_headcount(store_url, monkeypatch):
    monkeypatch.setenv("STAFFCAST_STORE", store_url)
    monkeypatch.delenv("STAFFCAST_PLAN", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["queue"] = "voice"
    at.run()
    at.switch_page("dashboard/schedule_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value == "Schedule: shifts, breaks and rosters"
    labels = [m.label for m in at.metric]
    assert "FTE per week (rostered paid hours)" in labels and "Cover gap to its LP bound" in labels
    assert len(at.get("arrow_vega_lite_chart")) >= 2 or len(at.get("vega_lite_chart")) >= 2
    assert any("Headcount by contract" in s.value for s in at.subheader)


def test_check_lines_name_the_queue_s_intervals_in_plan_time_with_their_reason():
    import pandas as pd

    from planning.views import check_lines

    t = pd.to_datetime(["2000-01-03 20:30", "2000-01-03 08:00", "2000-01-04 09:00"]).tz_localize("Europe/Berlin")
    checks = pd.DataFrame({"queue": ["voice", "voice", "chat"], "interval_start": t, "round": [2, 1, 1],
                           "week_start": t.normalize(), "reason": ["service level 0.71 < 0.80", "ASA 31 s > 20 s",
                                                                   "P(wait) 0.09 > 0.05"]})
    lines, more = check_lines(checks, "voice")
    assert lines == ["Mon 03 Jan 08:00 (round 1): ASA 31 s > 20 s", "Mon 03 Jan 20:30 (round 2): service level 0.71 < 0.80"]
    assert more == 0
    lines, more = check_lines(checks, "voice", limit=1)
    assert len(lines) == 1 and more == 1
    assert check_lines(checks, "email") == ([], 0)


def test_roster_fte_is_the_stored_headline(store_url, tmp_path):
    """The Staffing page's roster-basis FTE: the stored run's rostered paid hours of the queue / 42 h."""
    assert pv.roster_fte(None, "voice") is None
    stored = pv.latest_schedule(store_url, "bank-voice-and-chat")
    fte = pv.roster_fte(stored, "voice")
    paid_h = stored.schedule.loc[stored.schedule["queue"] == "voice", "paid_hours"].sum()
    assert fte["run_id"] == stored.run_id and fte["fte_per_week"] == pytest.approx(paid_h / 42.0, abs=0.005)
    assert pv.roster_fte(stored, "no-such-queue") is None
