"""The Runs page's stored runs (opened, compared, scores of the selected queue) and the Intraday
page, with Streamlit's AppTest on the bundled plan."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning.config import parse_config
from planning.pipeline import run_plan

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DATA = ROOT / "data"


@pytest.fixture()
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    monkeypatch.setenv("STAFFCAST_STORE", url)
    monkeypatch.delenv("STAFFCAST_PLAN", raising=False)
    return url


def _open(page: str, queue: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["queue"] = queue
    at.run()
    return at.switch_page(f"dashboard/{page.lower()}_page.py").run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(map(str, parts + [h.value for h in at.header] + [h.value for h in at.subheader]))


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _two_runs(url: str) -> list[str]:
    """Two small stored runs (both queues, 2 days, no simulation, no schedule) a week apart."""
    raw = tomllib.loads((DATA / "plan.toml").read_text())
    raw["forecast"].update(horizon_days=2, backtest_origins=1, model="profile")
    raw["simulation"]["enabled"] = False
    raw.pop("schedule", None)
    cfg = parse_config(raw, base_dir=DATA, source=DATA / "plan.toml")
    return [run_plan(cfg, store=url, as_of=a, export=False).run_id for a in ("1999-12-01", "1999-12-08")]


def test_runs_page_opens_a_run_compares_two_and_scores_the_selected_queue(store):
    ids = _two_runs(store)
    at = _open("Runs", "chat")
    _ok(at)
    texts = _texts(at)
    assert f"Run {ids[1]}, queue 'chat'" in texts and "Compare two runs" in texts
    assert "Scores of queue 'chat'" in texts
    values = [df.value for df in at.dataframe]
    scores = next(v for v in values if "wape" in v.columns)
    assert len(scores) >= 1 and scores["wape"].notna().all()
    staffing = next(v for v in values if "agents" in v.columns and "interval_start" in v.columns)
    assert (staffing["agents"] >= 0).all() and len(staffing) > 0
    headcount = next(v for v in values if "fte" in v.columns and "week_start" in v.columns)
    assert len(headcount) >= 1
    assert "has no schedule" in texts
    inputs = next(v for v in values if "input" in v.columns)
    assert {"as of", "horizon", "plan file: forecast.as_of"} <= set(inputs["input"])
    numbers = next(v for v in values if "measure" in v.columns)
    assert {"voice", "chat"} == set(numbers["queue"]) and "FTE per full week" in set(numbers["measure"])
    # the scores follow the queue in the sidebar
    at.sidebar.selectbox(key="w_queue").set_value("voice").run()
    _ok(at)
    assert "Scores of queue 'voice'" in _texts(at)


def test_intraday_page_re_forecasts_the_rest_of_the_day_from_the_history(store):
    at = _open("Intraday", "voice")
    _ok(at)
    assert at.header[0].value.startswith("Intraday: queue 'voice'")
    so_far = _metric(at, "Contacts so far")
    table = at.dataframe[0].value
    assert list(table.columns)[:2] == ["clock", "agents_change"] and len(table) > 0
    assert table["clock"].iloc[0] == "14:00"  # the rest of the day starts at the time picked
    added = int(_metric(at, "Agents to add").replace(",", ""))
    released = int(_metric(at, "Agents to release").replace(",", ""))
    assert added - released == table["agents_change"].sum()
    at.selectbox(key="w_intraday_time").set_value(20 * 60).run()  # later: more actuals, less day left
    _ok(at)
    assert _metric(at, "Contacts so far") != so_far
    assert at.dataframe[0].value["clock"].iloc[0] == "20:00"
    at.radio(key="w_intraday_source").set_value("upload").run()
    _ok(at)
    assert "Upload a CSV" in _texts(at)
