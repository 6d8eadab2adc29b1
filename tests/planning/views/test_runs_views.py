"""planning.views: background jobs (progress, cancel, shared), a run started from the dashboard
reaching the store on its own, and stored runs opened and compared."""
from __future__ import annotations

import threading
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning import views as pv
from planning.config import parse_config
from planning.store import RunStore

DATA = Path(__file__).resolve().parents[3] / "data"


def small_plan(as_of: str):
    """The bundled plan, voice only, 2 days from ``as_of``, no simulation, no schedule (source: the
    bundled plan's path, so ``with_overrides`` resolves the history files in data/)."""
    raw = tomllib.loads((DATA / "plan.toml").read_text())
    raw["forecast"].update(horizon_days=2, backtest_origins=1, history_weeks=6, model="profile", as_of=as_of)
    raw["simulation"]["enabled"] = False
    raw["queues"].pop("chat")
    raw.pop("schedule", None)
    return parse_config(raw, base_dir=DATA, source=DATA / "plan.toml")


# --------------------------------------------------------------------------- jobs


def test_a_job_reports_progress_and_returns_its_result():
    gate = threading.Event()

    def work(report):
        report(1, 4, "one of four")
        gate.wait(10)
        return 42

    job = pv.start_job(("test", "result"), work, "starting")
    assert pv.find_job(("test", "result")) is job
    assert pv.start_job(("test", "result"), lambda r: 0) is job  # the same work is not started twice
    deadline = time.monotonic() + 10
    while job.label != "one of four" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (job.fraction, job.label, job.finished) == (0.25, "one of four", False)
    gate.set()
    assert job.wait(10) and job.succeeded and job.result == 42
    assert pv.start_job(("test", "result"), lambda r: 0) is job  # a finished result is shared
    assert pv.start_job(("test", "result"), lambda r: 7, again=True).wait(10)
    assert pv.find_job(("test", "result")).result == 7


def test_a_cancelled_job_stops_at_its_next_report_and_is_started_anew_when_asked_again():
    steps = []

    def work(report):
        for n in range(1000):
            report(n, 1000, f"step {n}")
            steps.append(n)
            time.sleep(0.005)
        return "all"

    job = pv.start_job(("test", "cancel"), work)
    while not steps:
        time.sleep(0.005)
    job.cancel()
    assert job.wait(10) and job.cancelled and not job.succeeded and job.result is None
    assert len(steps) < 1000
    assert pv.find_job(("test", "cancel")) is None  # a cancelled job is not a result
    again = pv.start_job(("test", "cancel"), lambda report: "again")
    assert again is not job and again.wait(10) and again.result == "again"


def test_a_failed_job_keeps_its_error():
    def work(report):
        raise ValueError("bad input")

    job = pv.start_job(("test", "fail"), work)
    assert job.wait(10) and isinstance(job.error, ValueError) and not job.cancelled
    assert pv.find_job(("test", "fail")) is None


# --------------------------------------------------------------------------- runs


def _wait_for_runs(url: str, n: int, timeout_s: float = 120) -> pd.DataFrame:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            runs = pv.list_runs(url)
        except Exception:  # noqa: BLE001 - the store file may not exist yet
            runs = pd.DataFrame()
        if len(runs) >= n:
            return runs
        time.sleep(0.2)
    raise AssertionError(f"no {n} run(s) in {url} after {timeout_s} s")


def test_a_run_started_from_the_dashboard_is_stored_without_anyone_waiting(tmp_path):
    """The session that starts the run may end at once (tab closed): the run still reaches the store."""
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    pv.start_plan_run(small_plan("1999-12-01"), url)  # nobody keeps the job or polls it
    first = _wait_for_runs(url, 1)
    second_job = pv.start_plan_run(small_plan("1999-12-08"), url)
    assert second_job.wait(240) and second_job.succeeded
    runs = _wait_for_runs(url, 2)
    a, b = pv.open_run(url, first["run_id"].iloc[0]), pv.open_run(url, second_job.result.run_id)
    assert a.queues == ["voice"] and len(pv.run_staffing(a, "voice")) > 0 and len(pv.run_headcount(a, "voice"))
    cmp = pv.compare_runs(a, b)
    changed = set(cmp.inputs["input"])
    assert {"as of", "horizon", "plan file: forecast.as_of"} == changed
    row = cmp.inputs.set_index("input").loc["as of"]
    assert (row["run_a"], row["run_b"]) == ("1999-12-01", "1999-12-08")
    fte = cmp.numbers.set_index(["queue", "measure"]).loc[("voice", "fte_per_week")]
    assert fte["change"] == pytest.approx(fte["run_b"] - fte["run_a"])
    assert fte["run_a"] == pytest.approx(a.meta["summary"]["by_queue"]["voice"]["fte_per_week"])
    assert set(runs["run_id"]) == {a.run_id, b.run_id}


def test_a_cancelled_run_stores_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    job = pv.start_plan_run(small_plan("1999-11-24"), url)
    job.cancel()
    assert job.wait(240) and job.cancelled
    with RunStore(url) as store:
        assert store.list_runs().empty


def _stored(run_id: str, config: dict, volume, service, fte: float, cost=None) -> pv.StoredRun:
    t = pd.date_range("2000-01-02 08:00", periods=len(volume), freq="30min", tz="Asia/Jerusalem")
    req = pd.DataFrame({"queue": "voice", "interval_start": t, "open": True, "volume": volume, "aht_s": 200.0,
                        "agents": [5] * len(volume), "service_level": service, "asa_s": 10.0, "p_wait": 0.3,
                        "abandon_rate": 0.02})
    hc = pd.DataFrame({"queue": ["voice"], "week_start": ["2000-01-02"], "days": [7], "volume": [sum(volume)],
                       "agent_hours": [100.0], "shrinkage": [0.3], "paid_hours": [142.9], "paid_hours_per_fte": [42.0],
                       "fte": [3.4], "scheduled_hours": [150.0], "fte_scheduled": [3.6], "peak_agents": [5]})
    summary = {"queues": ["voice"], "by_queue": {"voice": {"fte_per_week": fte}}}
    if cost is not None:
        summary["schedule"] = {"by_queue": {"voice": {"cost_per_week": cost}}}
    meta = {"run_id": run_id, "config": config, "inputs": {"voice": {"path": "v.csv", "sha256": "ab" * 32}},
            "as_of": "2000-01-02", "horizon_start": "a", "horizon_end": "b", "code_version": "1", "summary": summary}
    empty = pd.DataFrame()
    return pv.StoredRun(meta, req, hc, empty, empty, empty)


def test_run_numbers_weight_the_service_by_contacts_and_the_comparison_is_b_minus_a():
    a = _stored("A", {"queues": {"voice": {"targets": {"service_level": 0.8}}}}, [10.0, 30.0], [0.6, 1.0], 3.0)
    b = _stored("B", {"queues": {"voice": {"targets": {"service_level": 0.9}}}, "new": [1, 2]}, [10.0, 30.0],
                [0.8, 1.0], 4.5, cost=1000.0)
    na = pv.run_numbers(a).set_index("queue")
    assert na.at["voice", "service_level"] == pytest.approx((10 * 0.6 + 30 * 1.0) / 40)
    assert na.at["voice", "volume"] == 40 and na.at["voice", "paid_hours"] == pytest.approx(142.9)
    assert np.isnan(na.at["voice", "cost_per_week"])
    cmp = pv.compare_runs(a, b)
    assert cmp.inputs.to_dict("records") == [
        {"input": "plan file: queues.voice.targets.service_level", "run_a": "0.8", "run_b": "0.9"},
        {"input": "plan file: new", "run_a": "(not set)", "run_b": "[1, 2]"}]
    n = cmp.numbers.set_index("measure")
    assert n.at["fte_per_week", "change"] == pytest.approx(1.5)
    assert n.at["service_level", "change"] == pytest.approx((10 * 0.8 + 30) / 40 - (10 * 0.6 + 30) / 40)
    assert np.isnan(n.at["cost_per_week", "run_a"]) and n.at["cost_per_week", "run_b"] == 1000.0
    assert "sim_service_level" not in n.index  # neither run simulated: the measure is left out
    assert list(n["label"])[0] == "FTE per full week"


def test_a_simulation_job_reports_each_block_and_stops_when_cancelled():
    cfg = pv.load_plan(DATA / "plan.toml")
    t = pd.date_range("2000-01-02", periods=48 * 3, freq="30min", tz=cfg.timezone)
    fc = pd.DataFrame({"queue": "voice", "interval_start": t, "volume": 40.0, "aht_s": 210.0})
    req = pv.requirements_for_queue(cfg, fc, "voice")
    done = pv.start_simulation(("test", "sim", 1), cfg, req, "voice", days=1, replications=2, refine=False)
    assert done.wait(120) and done.succeeded and done.fraction == 1.0 and done.label == "Simulated block 1 of 1"
    assert len(done.result) == int(req["open"].sum()) // 3  # one day of three
    job = pv.start_simulation(("test", "sim", 3), cfg, req, "voice", days=3, replications=2, refine=False)
    job.cancel()
    assert job.wait(120) and job.cancelled and job.result is None


def test_measures_read_as_planners_write_them():
    assert pv.measure_text("pct", 0.8467) == "84.7%" and pv.measure_text("pct", 0.012, change=True) == "+1.2 pts"
    assert pv.measure_text("h", 4360.0) == "4,360 h" and pv.measure_text("fte", -1.5, change=True) == "-1.50"
    assert pv.measure_text("money", 24642.75) == "24,643" and pv.measure_text("s", float("nan")) == "n/a"
