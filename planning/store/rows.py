"""Values and tables in the form the run store writes: JSON text, plain Python scalars for the
database driver (NaN -> None), and a run's table as rows of its store table (times as naive UTC)."""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .schema import FRAME_TABLES

__all__ = ["to_json", "plain_value", "frame_rows", "to_utc_naive", "json_table_rows", "frames_from_json_rows",
           "json_rows_table"]


def to_json(obj) -> str:
    """JSON text (sorted keys; NaN and inf -> null; numpy, dates, paths, frames as plain values)."""
    def default(o):
        if isinstance(o, (np.integer,)):
            return int(o)
        if isinstance(o, (np.floating,)):
            return None if not np.isfinite(o) else float(o)
        if isinstance(o, (dt.date, dt.datetime, pd.Timestamp)):
            return o.isoformat()
        if isinstance(o, Path):
            return str(o)
        if isinstance(o, np.ndarray):
            return o.tolist()
        if isinstance(o, (pd.DataFrame,)):
            return o.to_dict(orient="records")
        return str(o)

    return json.dumps(_clean(obj), default=default, sort_keys=True)


def _clean(obj):
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def to_utc_naive(values) -> pd.Series:
    """Times as naive UTC (aware ones converted; naive ones kept as they are)."""
    s = pd.to_datetime(pd.Series(values))
    if s.dt.tz is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s


def _naive(v):
    """A timestamp's wall-clock date part without its zone (week starts are local dates)."""
    return v.tz_localize(None) if isinstance(v, pd.Timestamp) and v.tz is not None else v


def plain_value(v):
    """Plain Python scalar for the DB driver (NaN -> None)."""
    if v is None:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if v is pd.NaT:
        return None
    return v


def frame_rows(name: str, run_id: str, frame: pd.DataFrame) -> list[dict]:
    """Table ``name`` of run ``run_id`` (one of :data:`FRAME_TABLES`) as row dicts of its store table."""
    if frame is None or len(frame) == 0:
        return []
    table = FRAME_TABLES[name]
    f = frame.copy()
    if "queue" not in f:
        f["queue"] = "default"
    if "week_start" in f:
        f["week_start"] = pd.to_datetime(f["week_start"].map(_naive)).dt.strftime("%Y-%m-%d")
    if "date" in f:
        f["date"] = pd.to_datetime(f["date"]).dt.strftime("%Y-%m-%d")
    if name == "simulation":
        f["interval_start_utc"] = to_utc_naive(f["interval_start"]).values
        value_cols = [c for c in f.columns
                      if c not in ("queue", "interval_start", "interval_start_utc")
                      and pd.api.types.is_numeric_dtype(f[c]) and not pd.api.types.is_datetime64_any_dtype(f[c])]
        f = f.melt(id_vars=["queue", "interval_start_utc"], value_vars=value_cols, var_name="metric")
        cols = ["queue", "interval_start_utc", "metric", "value"]
    else:
        for col in ("interval_start", "shift_start", "shift_end"):
            if col in f:
                f[f"{col}_utc"] = to_utc_naive(f[col]).values
        cols = [c.name for c in table.columns if c.name not in ("run_id",)]
    for c in cols:
        if c not in f:
            f[c] = None
    f = f[cols]
    records = []
    for row in f.itertuples(index=False, name=None):
        rec = {"run_id": run_id}
        rec.update({c: plain_value(v) for c, v in zip(cols, row)})
        records.append(rec)
    return records


# --------------------------------------------------------------------------- store


def json_rows_table(name: str, metadata: sa.MetaData, key_col: str, parent: str) -> sa.Table:
    """The store table ``name`` holding :func:`json_table_rows`: ``(key_col, table_name, row_no,
    data_json)``, its rows deleted with the ``parent`` table's row of the same ``key_col``."""
    return sa.Table(
        name, metadata,
        sa.Column(key_col, sa.String(64), sa.ForeignKey(f"{parent}.{key_col}", ondelete="CASCADE"), primary_key=True),
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("row_no", sa.Integer, primary_key=True),
        sa.Column("data_json", sa.Text, nullable=False),
    )


def json_table_rows(key_col: str, key: str, tables: dict[str, pd.DataFrame], encode=to_json) -> list[dict]:
    """Result tables as rows of a ``(key_col, table_name, row_no, data_json)`` store table (a
    scenario study's or a capacity plan's): one row per table row, ``encode`` making its JSON text."""
    return [{key_col: key, "table_name": name, "row_no": i, "data_json": encode(rec)}
            for name, frame in tables.items() for i, rec in enumerate(frame.to_dict("records"))]


def frames_from_json_rows(rows) -> dict[str, pd.DataFrame]:
    """The tables back from rows of :func:`json_table_rows` (in ``table_name, row_no`` order)."""
    tables: dict[str, list] = {}
    for r in rows:
        tables.setdefault(r["table_name"], []).append(json.loads(r["data_json"]))
    return {name: pd.DataFrame(recs) for name, recs in tables.items()}
