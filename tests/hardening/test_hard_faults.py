"""Faults: SIGKILL / SIGINT during the store write and during the export (in a subprocess), an
output folder that cannot be written, two runs at once. After each: the store lists no partial run,
the previous exports are intact, and a rerun succeeds."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from planning.store import RunStore

from hard_helpers import ROOT, run_cli

DRIVER = textwrap.dedent("""
    import sys, time, pathlib
    marker, where = pathlib.Path(sys.argv[1]), sys.argv[2]
    if where == "store":
        import planning.store as st
        orig = st.RunStore.save_run
        def slow_save(self, record, force=False, _after_row=None):
            def hook(table):
                if table == "requirements":
                    marker.write_text(record.run_id)
                    time.sleep(120)
            return orig(self, record, force=force, _after_row=hook)
        st.RunStore.save_run = slow_save
    else:
        import planning.exports as ex
        orig = ex.write_frame
        def slow_write(frame, path):
            out = orig(frame, path)
            marker.write_text(str(path))
            time.sleep(120)
            return out
        ex.write_frame = slow_write
    from planning.cli import main
    sys.exit(main(sys.argv[3:]))
""")

PLAN = """
[plan]
name = "tiny"
interval_min = 30
[forecast]
model = "profile"
horizon_days = 2
history_weeks = 4
backtest_origins = 1
country = "none"
[simulation]
enabled = false
[queues.q]
history = "hist.csv"
volume_col = "chats"
aht_s = 200.0
targets = { service_level = 0.8 }
hours = { default = "08:00-22:00" }
"""


def _digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """A plan, a store with one run and that run's exports (copied per test)."""
    from planning.synthetic import write_chat_history

    d = tmp_path_factory.mktemp("baseline")
    write_chat_history(d / "hist.csv", start="1999-01-03", end="1999-02-13", seed=5)
    (d / "tiny.toml").write_text(PLAN)
    code, out, err = run_cli("run", "--config", d / "tiny.toml", "--store", d / "s.sqlite", "--out-dir", d / "out",
                             "--as-of", "1999-02-07", "-q")
    assert code == 0, err
    return d


@pytest.fixture
def work(baseline, tmp_path):
    for name in ("hist.csv", "tiny.toml", "s.sqlite"):
        shutil.copy(baseline / name, tmp_path / name)
    shutil.copytree(baseline / "out", tmp_path / "out")
    return tmp_path


def _argv(work: Path, as_of="1999-02-10"):
    return ["run", "--config", work / "tiny.toml", "--store", work / "s.sqlite", "--out-dir", work / "out",
            "--as-of", as_of, "-q"]


def _interrupt(work: Path, where: str, sig: int):
    marker = work / "marker"
    script = work / "driver.py"
    script.write_text(DRIVER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(script), str(marker), where, *map(str, _argv(work))], cwd=work,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    t0 = time.time()
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.time() - t0 < 90
        time.sleep(0.05)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=180)  # a guard against a hung child on a loaded machine
    return proc.returncode, out, err


def _check_after(work: Path, before_exports: dict, runs_expected: int):
    store = RunStore(str(work / "s.sqlite"), create=False, timeout_s=10)
    runs = store.list_runs()
    assert len(runs) == runs_expected
    for rid in runs["run_id"]:  # every listed run is whole
        assert len(store.load_frame(rid, "forecast")) > 0 and len(store.load_frame(rid, "requirements")) > 0
    store.close()
    first = next(p for p in (work / "out").iterdir() if p.name in before_exports)
    assert _digest(first) == before_exports[first.name]
    assert [p.name for p in (work / "out").iterdir() if not p.name.startswith(".")] == [first.name]


def _in_process_interrupt(work: Path, where: str, monkeypatch):
    """Ctrl-C (KeyboardInterrupt) at the same points, in this process (the signal itself is
    delivered for real in the subprocess cases)."""
    import planning.exports as ex
    import planning.store as st

    if where == "store":
        orig = st.RunStore.save_run

        def interrupted_save(self, record, force=False, _after_row=None):
            def hook(table):
                if table == "requirements":
                    raise KeyboardInterrupt
            return orig(self, record, force=force, _after_row=hook)
        monkeypatch.setattr(st.RunStore, "save_run", interrupted_save)
    else:
        orig = ex.write_frame

        def interrupted_write(frame, path):
            orig(frame, path)
            raise KeyboardInterrupt
        monkeypatch.setattr(ex, "write_frame", interrupted_write)
    code, out, err = run_cli(*_argv(work))
    monkeypatch.undo()
    return code, out, err


@pytest.mark.parametrize("where,sig,how", [
    ("store", signal.SIGKILL, "subprocess"), ("export", signal.SIGKILL, "subprocess"),
    ("store", signal.SIGINT, "subprocess"), ("export", signal.SIGINT, "in_process"),
], ids=["store-kill", "export-kill", "store-int", "export-int-inproc"])
def test_signal_during_store_or_export(work, where, sig, how, monkeypatch):
    before = {p.name: _digest(p) for p in (work / "out").iterdir()}
    if how == "subprocess":
        code, _, err = _interrupt(work, where, sig)
    else:
        code, _, err = _in_process_interrupt(work, where, monkeypatch)
    assert code == (130 if sig == signal.SIGINT else -signal.SIGKILL), err
    stored = where == "export"  # the run was committed before its export started
    _check_after(work, before, runs_expected=2 if stored else 1)
    if stored and sig == signal.SIGINT:
        assert "is stored in" in err and "was interrupted" in err and "staffcast run --config" in err
    code, out, err = run_cli(*_argv(work))
    assert code == 0, err
    assert ("reused" in out) == stored
    visible = [p for p in (work / "out").iterdir() if not p.name.startswith(".")]
    assert len(visible) == 2 and not [p for p in (work / "out").iterdir() if p.name.startswith(".")]
    assert len(RunStore(str(work / "s.sqlite")).list_runs()) == 2


@pytest.mark.parametrize("kind", ["file", "under_file"])
def test_output_folder_that_cannot_be_written_is_found_before_work(work, kind):
    target = work / "blocker"
    target.write_text("x")
    out_dir = target if kind == "file" else target / "sub"
    before = {p.name: _digest(p) for p in (work / "out").iterdir()}
    t0 = time.perf_counter()
    code, out, err = run_cli("run", "--config", work / "tiny.toml", "--store", work / "s.sqlite", "--out-dir", out_dir,
                             "--as-of", "1999-02-10")
    assert code == 2 and str(out_dir) in err and "is a file" in err and out == ""
    assert time.perf_counter() - t0 < 5  # refused before the forecast
    _check_after(work, before, runs_expected=1)
    code, _, err = run_cli(*_argv(work))
    assert code == 0, err


def test_scenarios_output_folder_that_is_a_file_exits_2(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("x")
    code, _, err = run_cli("scenarios", "--config", ROOT / "data" / "scenarios.toml", "--out-dir", blocker,
                           "--no-store")
    assert code == 2 and str(blocker) in err


def test_two_runs_at_once(work):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "planning.cli", *map(str, _argv(work, as_of))], cwd=work,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for as_of in ("1999-02-09", "1999-02-10")]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert len(RunStore(str(work / "s.sqlite")).list_runs()) == 3
    assert len([p for p in (work / "out").iterdir() if not p.name.startswith(".")]) == 3


def test_atomic_folder_keeps_the_previous_folder_on_error(tmp_path):
    from planning.exports import atomic_folder

    final = tmp_path / "run"
    final.mkdir()
    (final / "a.csv").write_text("old")
    with pytest.raises(OSError):
        with atomic_folder(final) as tmp:
            (tmp / "a.csv").write_text("new")
            raise OSError("disk full")
    assert (final / "a.csv").read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["run"]
    with atomic_folder(final) as tmp:
        (tmp / "b.csv").write_text("new")
    assert [p.name for p in final.iterdir()] == ["b.csv"] and [p.name for p in tmp_path.iterdir()] == ["run"]
