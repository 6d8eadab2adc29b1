"""Atomic exports of a run's tables as CSV and Parquet (temp file in the same folder + os.replace)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from .config import InputError
from .safe_csv import neutralise_frame, write_safe_csv

__all__ = ["write_frame", "export_run", "read_table"]


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


def export_run(tables: dict[str, pd.DataFrame], out_dir: str | Path, formats=("csv", "parquet")) -> list[Path]:
    """Write every non-empty table as ``out_dir/<name>.<fmt>``. Returns the written paths."""
    out_dir = Path(out_dir)
    written = []
    for name, frame in tables.items():
        if frame is None:
            continue
        for fmt in formats:
            written.append(write_frame(frame, out_dir / f"{name}.{fmt}"))
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
