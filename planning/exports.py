"""Atomic exports of a run's tables as CSV and Parquet: each file through a temp file in the same
folder + ``os.replace``; a run's folder written as a whole (:func:`atomic_folder`: a hidden temp
folder beside it, renamed when complete), so an interrupted export leaves the previous export
intact and no half-written folder. :func:`check_output_dir` checks a folder before work starts."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pandas as pd

from .config import InputError
from .safe_csv import neutralise_frame, write_safe_csv

__all__ = ["write_frame", "export_run", "export_calendars", "read_table", "atomic_folder", "check_output_dir"]


def write_frame(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to ``path`` (format from the suffix: .csv or .parquet) atomically. CSV text
    cells a spreadsheet would run as formulas are neutralised (:mod:`planning.safe_csv`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError(f"{path}: unsupported export format {suffix!r}; expected .csv or .parquet")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            write_safe_csv(neutralise_frame(frame), tmp, neutralised=True)
        else:
            frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def check_output_dir(path: str | Path, what: str = "output folder") -> Path:
    """``path`` when it is (or can be created as) a writable folder; else :class:`InputError` naming
    it and why (a file, not writable, under a file). Creates nothing."""
    path = Path(path)
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise InputError(f"{what} {path}: {probe} is a file, not a folder; give another --out-dir")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"{what} {path}: {probe} is not writable; give another --out-dir")
    return path


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def atomic_folder(final: str | Path):
    """Yield a hidden temp folder beside ``final``; on success it replaces ``final`` as a whole (a
    previous ``final`` is moved aside first and removed after). On any error or interrupt the temp
    folder is removed and a previous ``final`` stays as it was. Stale temp folders of ``final``
    (from a killed process) are removed first."""
    final = Path(final)
    parent = final.parent
    parent.mkdir(parents=True, exist_ok=True)
    for stale in parent.glob(f".{final.name}.tmp-*"):
        _remove(stale)
    tmp = parent / f".{final.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        yield tmp
        old = None
        if final.exists():
            old = parent / f".{final.name}.tmp-old-{uuid.uuid4().hex[:8]}"
            os.replace(final, old)
        try:
            os.replace(tmp, final)
        except BaseException:
            if old is not None:
                os.replace(old, final)
            raise
        if old is not None:
            _remove(old)
    except BaseException:
        _remove(tmp)
        raise


def export_run(tables: dict[str, pd.DataFrame], out_dir: str | Path, formats=("csv", "parquet"),
               *, schedule=None) -> list[Path]:
    """Write every non-empty table as ``out_dir/<name>.<fmt>`` and, with ``schedule`` (a
    :class:`planning.pipeline.schedule.ScheduleResult`), the agents' calendars under ``out_dir/ics/``
    (:func:`export_calendars`) -- the folder as a whole (:func:`atomic_folder`): a crash or an
    interrupt anywhere, calendars included, leaves the previous export as it was. Returns the
    written paths."""
    out_dir = Path(out_dir)
    names: list[Path] = []
    with atomic_folder(out_dir) as tmp:
        for name, frame in tables.items():
            if frame is None:
                continue
            for fmt in formats:
                names.append(write_frame(frame, tmp / f"{name}.{fmt}").relative_to(tmp))
        if schedule is not None:
            names += [p.relative_to(tmp) for p in export_calendars(schedule, tmp / "ics")]
    return [out_dir / n for n in names]


def export_calendars(schedule, folder: str | Path) -> list[Path]:
    """One iCalendar file per rostered agent (:func:`scheduling.write_ical`, atomic per folder):
    ``folder/<agent_id>.ics`` for one scheduled week, ``folder/<week start>/<agent_id>.ics`` for
    several. ``schedule``: a :class:`planning.pipeline.schedule.ScheduleResult`."""
    from scheduling import write_ical

    folder = Path(folder)
    if len(schedule.weeks) == 1:
        return write_ical(schedule.weeks[0].roster, folder)
    written = []
    for w in schedule.weeks:
        written += write_ical(w.roster, folder / str(w.week_start.date()))
    return written


def read_table(path: str | Path, *, what: str = "file") -> pd.DataFrame:
    """Read a CSV or Parquet table, with a clear error naming the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} not found: {path}")
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except Exception as exc:
        raise InputError(f"{what} {path} could not be read: {exc}") from None
