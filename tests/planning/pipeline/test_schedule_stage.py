"""The schedule stage of the pipeline on a small plan: the requirement net of unplanned shrinkage,
hard coverage, valid rosters, the simulation check and refinement, and the store round trip."""
import copy
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from planning.config import parse_config
from planning.pipeline import requirements_for, schedule_plan, schedule_requirement, schedule_weeks
from planning.store import RunRecord, RunStore, run_key
from scheduling import check_roster

DATA = Path(__file__).resolve().parents[3] / "data"
RAW = tomllib.loads((DATA / "plan.toml").read_text())
TZ = "Asia/Jerusalem"


def small_config(unplanned=0.20, **schedule):
    """The bundled plan, voice only, one flexible contract (0-40 h), a short time limit."""
    raw = copy.deepcopy(RAW)
    raw["defaults"]["shrinkage_unplanned"] = unplanned
    raw["queues"].pop("chat")
    raw["simulation"]["replications"] = 6
    sc = raw["schedule"]
    sc.update(time_limit_s=3.0, check=False, seed=1)
    sc["contracts"] = [{"name": "flex", "min_hours_per_week": 0.0, "max_hours_per_week": 40.0, "hourly_cost": 20.0}]
    for t in sc["templates"]:
        t.pop("contracts", None)
    sc.update(schedule)
    return parse_config(raw, base_dir=DATA)


def small_requirement(config, *, days=7, peak=30.0):
    """Voice requirements for a week from Sunday 2 Jan 2000 (a plan week) with a midday peak of
    ``peak`` calls per half hour; the bundled opening hours."""
    idx = pd.date_range("2000-01-02", periods=48 * days, freq="30min", tz=TZ)
    hour = idx.hour + idx.minute / 60
    vol = peak * np.clip(np.sin((hour - 6) / 17 * np.pi), 0.1, None)
    fc = pd.DataFrame({"interval_start": idx, "volume": vol, "aht_s": 180.0})
    return requirements_for(config.queues["voice"], fc, config.interval_s)


@pytest.fixture(scope="module")
def small():
    cfg = small_config()
    req = small_requirement(cfg)
    return cfg, req, schedule_plan(cfg, req)


def test_the_requirement_is_grossed_up_by_unplanned_shrinkage_only():
    cfg = small_config()
    assert cfg.queues["voice"].shrinkage == 0.30  # 1 - (1 - 0.125) x (1 - 0.20)
    assert (cfg.queues["voice"].shrinkage_planned, cfg.queues["voice"].shrinkage_unplanned) == (0.125, 0.20)
    req = small_requirement(cfg)
    week = schedule_weeks(cfg, req)
    assert week == [pd.Timestamp("2000-01-02", tz=TZ)]
    r = schedule_requirement(cfg, req, week[0])
    opened = r["open"].to_numpy(bool)
    assert (r.loc[~opened, "required"] == 0).all()
    # 8 agents answering -> 8 / (1 - 0.2) = 10 on duty; 10 -> 12.5 -> 13 (whole agents)
    need = dict(zip(r.loc[opened, "agents"], r.loc[opened, "required"]))
    assert need.get(8, 10) == 10 and need.get(10, 13) == 13
    np.testing.assert_array_equal(r.loc[opened, "required"], np.ceil(r.loc[opened, "agents"] / 0.8 - 1e-9))
    # the old gross-up by the total 30 % would ask for more: 10 agents -> 15 scheduled
    assert r.loc[opened, "required"].sum() < np.ceil(r.loc[opened, "agents"] / 0.7 - 1e-9).sum()


def test_no_full_week_in_the_horizon_skips_the_schedule():
    cfg = small_config()
    res = schedule_plan(cfg, small_requirement(cfg, days=3))
    assert res.skipped and "no full week" in res.skipped and res.weeks == [] and res.summary["skipped"]


def test_hard_coverage_is_never_below_the_requirement_and_the_roster_is_valid(small):
    cfg, req, res = small
    assert len(res.weeks) == 1
    cov = res.coverage
    assert len(cov) == 7 * 48 and (cov["on_duty"] >= cov["required"] - 1e-9).all()
    week = res.weeks[0]
    assert (cov["required"].to_numpy() == week.requirement["required"].to_numpy()).all()
    assert week.roster.violations() == []
    sched = res.schedule
    assert list(sched.columns[:8]) == ["agent_id", "contract", "queue", "date", "shift_start", "shift_end",
                                       "paid_hours", "breaks"]
    assert check_roster(sched, week.roster.agents, cfg.schedule.rules, week_start=week.week_start) == []
    assert (week.roster.assignment >= 0).all()
    s = res.summary
    assert s["by_queue"]["voice"]["intervals_short"] == 0 and s["roster_violations"] == [0]
    paid = sched["paid_hours"].sum()
    assert s["by_queue"]["voice"]["paid_h_per_week"] == pytest.approx(paid)
    assert s["by_queue"]["voice"]["fte_per_week"] == pytest.approx(paid / cfg.headcount.paid_hours_per_week, abs=0.01)
    hc = res.headcount
    assert hc["paid_h"].sum() == pytest.approx(paid) and hc["agents"].sum() == len(week.roster.agents)
    assert 0 <= s["cover"][0]["gap_to_lp_pct"] and s["cover"][0]["lp_bound"] <= s["cover"][0]["cost"] + 1e-6


def test_the_simulated_roster_meets_targets_after_refinement():
    """Staffed three agents short from 12:00 to 14:00 on Monday (no absence, so only the simulation
    decides): the check finds intervals there that miss the service level, raises them and the
    refined roster meets the targets."""
    # the node limit decides the cover; a 3 s ceiling could stop it first on a busy machine (flaky)
    cfg = small_config(unplanned=0.0, check=True, time_limit_s=60.0)
    req = small_requirement(cfg, peak=60.0)
    ts = req["interval_start"]
    monday = (ts.dt.day_of_week == 0).to_numpy()
    req.loc[~monday, ["open", "volume", "agents"]] = (False, 0.0, 0)  # the rest of the week closed
    dip = monday & (ts.dt.hour >= 12).to_numpy() & (ts.dt.hour < 14).to_numpy()
    req.loc[dip, "agents"] -= 3  # two short can be hidden by where the cover puts its breaks
    res = schedule_plan(cfg, req)
    ck = res.summary["check"]
    assert ck["intervals_missed_first"] > 0 and ck["intervals_missed_final"] == 0, res.checks
    first = res.checks[res.checks["round"] == 0]
    assert first["interval_start"].dt.hour.between(12, 14).all()  # the dip, or the backlog it leaves at 14:00
    assert first["reason"].str.startswith("service_level").all()
    assert (first["required_after"] == first["required_before"] + 1).all()
    cov = res.coverage.set_index("interval_start")
    assert (cov.loc[first["interval_start"], "on_duty"].to_numpy() >= first["required_after"].to_numpy()).all()


def test_schedule_tables_round_trip_through_the_store_and_old_stores_stay_readable(small, tmp_path):
    cfg, req, res = small
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    tables = res.tables()
    tables["schedule_checks"] = pd.DataFrame({
        "queue": ["voice"], "interval_start": [pd.Timestamp("2000-01-03 12:00", tz=TZ)], "week_start": [
            pd.Timestamp("2000-01-02", tz=TZ)], "round": [0], "reason": ["service_level 0.7 < target 0.8"],
        "agents_on_duty": [4.0], "required_before": [5], "required_after": [6]})
    record = RunRecord(run_id="r1", run_key=run_key("c", "d"), plan_name="p", config_hash="c", config={},
                       data_fingerprint="d", inputs={}, timezone=TZ, interval_s=1800, **tables)
    with RunStore(url) as store:
        assert store.save_run(record) == ("r1", False)
        got = store.load_frame("r1", "schedule")
        want = tables["schedule"].sort_values(["agent_id", "shift_start"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got[want.columns], want.assign(date=want["date"].astype(str)),
                                      check_dtype=False)
        cov = store.load_frame("r1", "coverage")
        pd.testing.assert_frame_equal(cov, tables["coverage"], check_dtype=False)
        hc = store.load_frame("r1", "schedule_headcount")
        assert hc["paid_h"].sum() == pytest.approx(tables["schedule_headcount"]["paid_h"].sum())
        ck = store.load_frame("r1", "schedule_checks")
        assert ck["reason"].tolist() == ["service_level 0.7 < target 0.8"] and ck["week_start"][0] == "2000-01-02"
        assert ck["interval_start"][0] == pd.Timestamp("2000-01-03 12:00", tz=TZ)
    # a store written before the schedule tables existed: opened, they are added; its runs read as before
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for t in ("run_schedule", "run_coverage", "run_schedule_headcount", "run_schedule_checks"):
            conn.exec_driver_sql(f"DROP TABLE {t}")
    engine.dispose()
    with RunStore(url, create=False) as store:  # read-only: the tables are missing, the frames empty
        assert store.load_frame("r1", "schedule").empty and store.get_run("r1")["run_id"] == "r1"
    with RunStore(url) as store:
        assert store.load_frame("r1", "schedule").empty and store.count_rows()["run_schedule"] == 0
        assert store.get_run("r1")["run_id"] == "r1"
