"""The run store: round trip, recognition, one transaction per run, concurrent writers, busy store."""
from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning.config import InputError
from planning.store import RunRecord, RunStore, StoreBusyError, resolve_store_url, run_key

ROOT = Path(__file__).resolve().parents[3]
TZ = "Asia/Jerusalem"
# e.g. postgresql+psycopg://staffcast:staffcast@localhost/staffcast_test (an empty database the
# tests may clear); without it the PostgreSQL variants are skipped
POSTGRES_URL = os.environ.get("STAFFCAST_TEST_POSTGRES")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh, empty store on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 's.sqlite'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL store tests need STAFFCAST_TEST_POSTGRES=<SQLAlchemy URL of an empty test database>")
    import sqlalchemy as sa

    from planning.store import metadata

    # the PostgreSQL variants share one database: one test at a time, also across xdist workers
    with open(Path(tempfile.gettempdir()) / "staffcast-postgres-tests.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        engine = sa.create_engine(POSTGRES_URL)
        metadata.drop_all(engine)
        engine.dispose()
        yield POSTGRES_URL


def make_record(run_id: str, key_seed: str = "a", n: int = 96) -> RunRecord:
    idx = pd.date_range("1999-12-01", periods=n, freq="30min", tz=TZ)
    vol = np.arange(n, dtype=float)
    fc = pd.DataFrame({"queue": "voice", "interval_start": idx, "volume": vol, "volume_p10": vol * 0.8,
                       "volume_p90": vol * 1.2, "aht_s": 200.0, "model": "m"})
    req = fc[["queue", "interval_start", "volume", "aht_s"]].assign(
        open=True, agents_analytic=3, agents=4, scheduled=6, service_level=0.8, asa_s=np.nan,
        p_wait=0.3, abandon_rate=0.01, occupancy=0.7)
    sim = fc[["queue", "interval_start"]].assign(service_level=0.81, service_level_lo=0.7, offered=vol)
    hc = pd.DataFrame({"queue": ["voice"], "week_start": [pd.Timestamp("1999-11-28", tz=TZ)], "days": [2],
                       "volume": [vol.sum()], "agent_hours": [192.0], "shrinkage": [0.3],
                       "paid_hours": [192 / 0.7], "paid_hours_per_fte": [40.0], "fte": [192 / 0.7 / 40],
                       "scheduled_hours": [288.0], "fte_scheduled": [7.2], "peak_agents": [4]})
    return RunRecord(run_id=run_id, run_key=run_key(key_seed, "data"), plan_name="p", config_hash=key_seed,
                     config={"plan": {"name": "p"}}, data_fingerprint="data", inputs={"voice": {"sha256": "x"}},
                     timezone=TZ, interval_s=1800, as_of="1999-12-01", horizon_start=str(idx[0]),
                     horizon_end=str(idx[-1]), models={"voice": {"model": "m"}}, timings={"forecast": 1.0},
                     summary={"queues": ["voice"], "fte_total": 6.86},
                     forecast=fc, requirements=req, simulation=sim, headcount=hc)


def test_round_trip_keeps_tz_values_and_nan(store_url):
    store = RunStore(store_url)
    rec = make_record("r1")
    assert store.save_run(rec) == ("r1", False)
    fc = store.load_frame("r1", "forecast")
    assert str(fc["interval_start"].dt.tz) == TZ
    pd.testing.assert_series_equal(fc["interval_start"], rec.forecast["interval_start"], check_names=False)
    np.testing.assert_allclose(fc["volume_p90"], rec.forecast["volume_p90"])
    req = store.load_frame("r1", "requirements")
    assert req["asa_s"].isna().all() and (req["agents"] == 4).all()
    sim = store.load_frame("r1", "simulation")
    assert set(sim.columns) >= {"service_level", "service_level_lo", "offered"} and len(sim) == 96
    hc = store.load_frame("r1", "headcount")
    assert hc.loc[0, "week_start"] == "1999-11-28" and hc.loc[0, "fte"] == pytest.approx(192 / 0.7 / 40)
    meta = store.get_run("r1")
    assert meta["models"] == {"voice": {"model": "m"}} and meta["summary"]["fte_total"] == 6.86
    assert store.get_run("latest")["run_id"] == "r1" and store.get_run("r")["run_id"] == "r1"
    with pytest.raises(InputError, match="no run 'zz'"):
        store.get_run("zz")


def test_same_key_is_reused_unless_forced(store_url):
    store = RunStore(store_url)
    assert store.save_run(make_record("r1", "a")) == ("r1", False)
    assert store.save_run(make_record("r2", "a")) == ("r1", True)  # same config + data
    assert store.find_run(run_key("a", "data")) == "r1"
    assert store.save_run(make_record("r3", "a"), force=True) == ("r3", False)
    assert store.save_run(make_record("r4", "b")) == ("r4", False)  # other config
    assert store.count_rows()["runs"] == 3
    assert store.count_rows()["run_forecast"] == 3 * 96


def test_failure_inside_the_transaction_leaves_no_partial_run(store_url):
    store = RunStore(store_url)
    store.save_run(make_record("r1", "a"))
    before = store.count_rows()

    def boom(table):
        if table == "requirements":
            raise RuntimeError("crash after forecast rows were written")

    with pytest.raises(RuntimeError):
        store.save_run(make_record("r2", "b"), _after_row=boom)
    assert store.count_rows() == before
    assert list(store.list_runs()["run_id"]) == ["r1"]


def test_missing_store_is_bad_input_not_created(tmp_path):
    path = tmp_path / "nope.sqlite"
    with pytest.raises(InputError, match="no run store"):
        RunStore(str(path), create=False)
    assert not path.exists()


def test_store_url_precedence(monkeypatch):
    monkeypatch.delenv("STAFFCAST_STORE", raising=False)
    assert resolve_store_url(None, None) == "sqlite:///runs/staffcast.sqlite"
    assert resolve_store_url(None, "x.sqlite") == "sqlite:///x.sqlite"
    monkeypatch.setenv("STAFFCAST_STORE", "sqlite:////tmp/env.sqlite")
    assert resolve_store_url(None, "x.sqlite") == "sqlite:////tmp/env.sqlite"
    assert resolve_store_url("postgresql+psycopg://u@h/db", "x") == "postgresql+psycopg://u@h/db"


def test_busy_store_fails_with_a_clear_message(tmp_path):
    path = tmp_path / "s.sqlite"
    store = RunStore(f"sqlite:///{path}", timeout_s=0.3)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        t0 = time.perf_counter()
        with pytest.raises(StoreBusyError, match="locked by another run"):
            store.save_run(make_record("r1"))
        assert time.perf_counter() - t0 < 5
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.save_run(make_record("r1")) == ("r1", False)


# ---------------------------------------------------------------- processes

WRITER = textwrap.dedent("""
    import sys, time, pathlib
    sys.path.insert(0, {tests!r})
    from test_store import make_record
    from planning.store import RunStore
    url, run_id, key, marker, hold_s = sys.argv[1:6]
    store = RunStore(url)
    go = pathlib.Path(marker + ".go")
    while not go.exists():          # start together
        time.sleep(0.01)
    def hook(table):
        if table == "forecast":
            pathlib.Path(marker + "." + run_id).write_text("in transaction")
            time.sleep(float(hold_s))   # hold the write transaction open
    rid, reused = store.save_run(make_record(run_id, key), _after_row=hook)
    print(rid, reused)
""")


def _writer(tmp_path, url, run_id, key, hold_s):
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(tests=str(Path(__file__).parent)))
    return subprocess.Popen([sys.executable, str(script), url, run_id, key, str(tmp_path / "m"), str(hold_s)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def _wait_for(path: Path, proc, timeout=30):
    t0 = time.time()
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"writer exited early: {proc.communicate()}")
        if time.time() - t0 > timeout:
            raise AssertionError(f"timed out waiting for {path}")
        time.sleep(0.02)


def test_process_killed_mid_write_leaves_previous_runs_intact(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    store = RunStore(url)
    store.save_run(make_record("r0", "zero"))
    before = store.count_rows()
    proc = _writer(tmp_path, url, "r1", "one", 60)
    (tmp_path / "m.go").write_text("go")
    _wait_for(tmp_path / "m.r1", proc)  # inside the transaction: runs + forecast rows written
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    store2 = RunStore(url, timeout_s=10)
    assert store2.count_rows() == before  # nothing of r1
    assert list(store2.list_runs()["run_id"]) == ["r0"]
    assert len(store2.load_frame("r0", "forecast")) == 96
    assert sqlite3.connect(tmp_path / "s.sqlite").execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert store2.save_run(make_record("r2", "two")) == ("r2", False)  # the lock was released


def test_concurrent_writers_land_whole_and_identical_runs_store_once(tmp_path, store_url):
    """Three runs started together on one store: two different, two identical (same key).
    Each writer holds its transaction open for a while, so the others must wait for the lock
    (SQLite: the file lock; PostgreSQL: the advisory lock on the run key)."""
    url = store_url
    RunStore(url)  # schema
    procs = {rid: _writer(tmp_path, url, rid, key, 0.7) for rid, key in
             (("ra", "ka"), ("rb", "same"), ("rc", "same"))}
    (tmp_path / "m.go").write_text("go")
    outs = {rid: p.communicate(timeout=90) for rid, p in procs.items()}
    assert all(p.returncode == 0 for p in procs.values()), outs
    results = {rid: out[0].split() for rid, out in outs.items()}
    assert results["ra"] == ["ra", "False"]
    same = sorted((results["rb"], results["rc"]), key=lambda r: r[1])
    assert same[0][1] == "False" and same[1] == [same[0][0], "True"]  # one stored, the other reused it
    store = RunStore(url)
    assert sorted(store.list_runs()["run_id"]) == sorted(["ra", same[0][0]])
    rows = store.count_rows()
    assert rows["run_forecast"] == rows["run_requirements"] == 2 * 96
    assert rows["run_headcount"] == 2


def test_a_store_older_than_a_column_gets_it_on_open(tmp_path):
    """Columns added to the schema later (run_requirements.agents_busy) are added to an older store;
    opened read-only before that, the column reads as missing."""
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    RunStore(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE run_requirements DROP COLUMN agents_busy"))
    cols = lambda: {c["name"] for c in sa.inspect(engine).get_columns("run_requirements")}  # noqa: E731
    assert "agents_busy" not in cols()
    RunStore(url, create=False).close()  # read-only: left as it is
    assert "agents_busy" not in cols()
    RunStore(url).close()
    assert "agents_busy" in cols()
