"""The run store: every pipeline run kept in a database, written in one transaction.

SQLAlchemy Core. By default a SQLite file (``runs/staffcast.sqlite`` under the working
directory); any SQLAlchemy URL (e.g. ``postgresql+psycopg://user@host/staffcast``) for a shared
deployment. The URL comes from, in order: ``--store`` on the command line, the environment
variable ``STAFFCAST_STORE``, ``[plan] store`` in the config, the default.

Safety for scheduled use:

- a run is written in ONE transaction: a process killed half-way leaves no partial run (the
  database rolls the transaction back) and the earlier runs intact;
- concurrent writers: on SQLite a writing transaction starts with ``BEGIN IMMEDIATE`` and waits
  up to ``STAFFCAST_STORE_TIMEOUT_S`` (default 120 s) for the lock, then fails with a clear
  :class:`StoreBusyError`; on PostgreSQL a transaction-scoped advisory lock serialises writers
  of the same run key; the file uses the WAL journal so readers do not block the writer;
- recognition: each run has a ``run_key`` = sha256(config hash, input data fingerprint, code fingerprint); saving
  a run whose key is already stored returns the stored run (checked again inside the write
  transaction, so two identical runs started together store one) unless ``force``.

Timestamps are stored as naive UTC (``interval_start_utc``) and returned in the run's zone.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event

from .config import InputError

__all__ = [
    "RunStore",
    "RunRecord",
    "StoreBusyError",
    "StoreError",
    "resolve_store_url",
    "code_version",
    "DEFAULT_STORE_URL",
    "SCHEMA_VERSION",
]

DEFAULT_STORE_URL = "sqlite:///runs/staffcast.sqlite"
SCHEMA_VERSION = 2  # 2: run_requirements.agents_busy
ENV_STORE = "STAFFCAST_STORE"
ENV_TIMEOUT = "STAFFCAST_STORE_TIMEOUT_S"


class StoreError(RuntimeError):
    """The run store failed (not the user's input). The CLI exits with code 1."""


class StoreBusyError(StoreError):
    """Another process held the store's write lock for longer than the timeout."""


def resolve_store_url(cli: str | None = None, config: str | None = None) -> str:
    """--store, then $STAFFCAST_STORE, then the config's ``[plan] store``, then the default.

    A bare path (no ``://``) means a SQLite file.
    """
    url = cli or os.environ.get(ENV_STORE) or config or DEFAULT_STORE_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


_CODE_VERSION: str | None = None


def code_version() -> str:
    """Package version plus the git commit of the checkout when there is one (``0.1.0+g1234abc``)."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        try:
            from importlib.metadata import version

            v = version("staffcast")
        except Exception:  # pragma: no cover - not installed
            v = "0+unknown"
        try:
            here = Path(__file__).resolve().parent
            out = subprocess.run(
                ["git", "describe", "--always", "--dirty", "--abbrev=10"],
                cwd=here, capture_output=True, text=True, timeout=5,
            )
            if out.returncode == 0 and out.stdout.strip():
                v = f"{v}+g{out.stdout.strip()}"
        except Exception:
            pass
        _CODE_VERSION = v
    return _CODE_VERSION


# --------------------------------------------------------------------------- schema

metadata = sa.MetaData()

store_meta = sa.Table(
    "store_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

runs = sa.Table(
    "runs", metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("run_key", sa.String(64), nullable=False, index=True),
    sa.Column("plan_name", sa.String(200), nullable=False),
    sa.Column("created_at_utc", sa.DateTime, nullable=False),
    sa.Column("config_hash", sa.String(64), nullable=False),
    sa.Column("config_json", sa.Text, nullable=False),
    sa.Column("data_fingerprint", sa.String(64), nullable=False),
    sa.Column("inputs_json", sa.Text, nullable=False),
    sa.Column("code_version", sa.String(100), nullable=False),
    sa.Column("timezone", sa.String(64)),
    sa.Column("interval_s", sa.Integer, nullable=False),
    sa.Column("as_of", sa.String(40)),
    sa.Column("horizon_start", sa.String(40)),
    sa.Column("horizon_end", sa.String(40)),
    sa.Column("models_json", sa.Text, nullable=False),
    sa.Column("timings_json", sa.Text, nullable=False),
    sa.Column("summary_json", sa.Text, nullable=False),
)

_KEY = lambda: [  # noqa: E731
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    sa.Column("queue", sa.String(100), nullable=False),
]

forecast_t = sa.Table(
    "run_forecast", metadata, *_KEY(),
    sa.Column("interval_start_utc", sa.DateTime, nullable=False),
    sa.Column("volume", sa.Float), sa.Column("volume_p10", sa.Float), sa.Column("volume_p90", sa.Float),
    sa.Column("aht_s", sa.Float), sa.Column("model", sa.String(100)),
    sa.PrimaryKeyConstraint("run_id", "queue", "interval_start_utc"),
)

requirements_t = sa.Table(
    "run_requirements", metadata, *_KEY(),
    sa.Column("interval_start_utc", sa.DateTime, nullable=False),
    sa.Column("open", sa.Boolean), sa.Column("volume", sa.Float), sa.Column("aht_s", sa.Float),
    sa.Column("agents_analytic", sa.Integer), sa.Column("agents", sa.Integer), sa.Column("scheduled", sa.Integer),
    sa.Column("service_level", sa.Float), sa.Column("asa_s", sa.Float), sa.Column("p_wait", sa.Float),
    sa.Column("abandon_rate", sa.Float), sa.Column("occupancy", sa.Float), sa.Column("agents_busy", sa.Float),
    sa.PrimaryKeyConstraint("run_id", "queue", "interval_start_utc"),
)

simulation_t = sa.Table(  # long format: the simulator's columns may grow
    "run_simulation", metadata, *_KEY(),
    sa.Column("interval_start_utc", sa.DateTime, nullable=False),
    sa.Column("metric", sa.String(64), nullable=False),
    sa.Column("value", sa.Float),
    sa.PrimaryKeyConstraint("run_id", "queue", "interval_start_utc", "metric"),
)

headcount_t = sa.Table(
    "run_headcount", metadata, *_KEY(),
    sa.Column("week_start", sa.String(10), nullable=False),
    sa.Column("days", sa.Integer), sa.Column("volume", sa.Float), sa.Column("agent_hours", sa.Float),
    sa.Column("shrinkage", sa.Float), sa.Column("paid_hours", sa.Float), sa.Column("paid_hours_per_fte", sa.Float),
    sa.Column("fte", sa.Float), sa.Column("scheduled_hours", sa.Float), sa.Column("fte_scheduled", sa.Float),
    sa.Column("peak_agents", sa.Integer),
    sa.PrimaryKeyConstraint("run_id", "queue", "week_start"),
)

accuracy_t = sa.Table(
    "accuracy", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("queue", sa.String(100), nullable=False),
    sa.Column("scored_at_utc", sa.DateTime, nullable=False),
    sa.Column("actuals_fingerprint", sa.String(64), nullable=False),
    sa.Column("model", sa.String(100)),
    sa.Column("lead_week", sa.Integer),  # 0 = all; 1 = days 1-7 of the horizon, ...
    sa.Column("intervals", sa.Integer),
    sa.Column("actual", sa.Float), sa.Column("forecast", sa.Float),
    sa.Column("wape", sa.Float), sa.Column("wape_evening", sa.Float), sa.Column("bias", sa.Float),
    sa.Column("coverage_p10_p90", sa.Float),
)

FRAME_TABLES = {
    "forecast": forecast_t,
    "requirements": requirements_t,
    "simulation": simulation_t,
    "headcount": headcount_t,
}


# --------------------------------------------------------------------------- record


@dataclass
class RunRecord:
    """Everything one run produced, ready to store."""

    run_id: str
    run_key: str
    plan_name: str
    config_hash: str
    config: dict
    data_fingerprint: str
    inputs: dict
    timezone: str | None
    interval_s: int
    as_of: str | None = None
    horizon_start: str | None = None
    horizon_end: str | None = None
    models: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    forecast: pd.DataFrame | None = None
    requirements: pd.DataFrame | None = None
    simulation: pd.DataFrame | None = None
    headcount: pd.DataFrame | None = None
    code_version: str = field(default_factory=code_version)
    created_at_utc: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))


def run_key(config_hash: str, data_fingerprint: str, code_fingerprint: str = "") -> str:
    """A run's identity: same configuration, same input data and same code give the same key."""
    return hashlib.sha256(f"{config_hash}:{data_fingerprint}:{code_fingerprint}".encode()).hexdigest()


def _json(obj) -> str:
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


def _to_utc_naive(values) -> pd.Series:
    s = pd.to_datetime(pd.Series(values))
    if s.dt.tz is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s


def _py(v):
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


def _frame_rows(name: str, run_id: str, frame: pd.DataFrame) -> list[dict]:
    if frame is None or len(frame) == 0:
        return []
    table = FRAME_TABLES[name]
    f = frame.copy()
    if "queue" not in f:
        f["queue"] = "default"
    if name == "headcount":
        f["week_start"] = pd.to_datetime(f["week_start"]).dt.strftime("%Y-%m-%d")
        cols = [c.name for c in table.columns if c.name not in ("run_id",)]
    elif name == "simulation":
        f["interval_start_utc"] = _to_utc_naive(f["interval_start"]).values
        value_cols = [c for c in f.columns
                      if c not in ("queue", "interval_start", "interval_start_utc")
                      and pd.api.types.is_numeric_dtype(f[c]) and not pd.api.types.is_datetime64_any_dtype(f[c])]
        f = f.melt(id_vars=["queue", "interval_start_utc"], value_vars=value_cols, var_name="metric")
        cols = ["queue", "interval_start_utc", "metric", "value"]
    else:
        f["interval_start_utc"] = _to_utc_naive(f["interval_start"]).values
        cols = [c.name for c in table.columns if c.name not in ("run_id",)]
    for c in cols:
        if c not in f:
            f[c] = None
    f = f[cols]
    records = []
    for row in f.itertuples(index=False, name=None):
        rec = {"run_id": run_id}
        rec.update({c: _py(v) for c, v in zip(cols, row)})
        records.append(rec)
    return records


# --------------------------------------------------------------------------- store


class RunStore:
    """A run store at a SQLAlchemy URL. ``create=False`` refuses to create a missing SQLite file."""

    def __init__(self, url: str | None = None, *, create: bool = True, timeout_s: float | None = None):
        self.url = resolve_store_url(url)
        self.timeout_s = float(timeout_s if timeout_s is not None else os.environ.get(ENV_TIMEOUT, 120))
        try:
            u = sa.engine.make_url(self.url)
        except Exception as exc:
            raise InputError(f"--store / {ENV_STORE}: not a database URL: {self.url!r} ({exc})") from None
        self.is_sqlite = u.get_backend_name() == "sqlite"
        connect_args: dict[str, Any] = {}
        if self.is_sqlite:
            db = u.database
            if db and db != ":memory:":
                path = Path(db)
                if not path.exists():
                    if not create:
                        raise InputError(f"no run store at {path} (store URL {self.url}); run `staffcast run` first "
                                         f"or point --store / {ENV_STORE} at an existing store")
                    path.parent.mkdir(parents=True, exist_ok=True)
            connect_args = {"timeout": self.timeout_s}
        try:
            self.engine = sa.create_engine(self.url, connect_args=connect_args, future=True)
        except Exception as exc:
            raise InputError(f"cannot use store URL {self.url!r}: {exc}") from None
        if self.is_sqlite:
            self._install_sqlite_hooks()
        self._writer = self.engine.execution_options(staffcast_write=True)
        if create:
            self._create_schema()

    def _install_sqlite_hooks(self):
        timeout_ms = int(self.timeout_s * 1000)

        @event.listens_for(self.engine, "connect")
        def _connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            cur.execute("PRAGMA foreign_keys = ON")
            try:
                cur.execute("PRAGMA journal_mode = WAL")
            except Exception:  # locked at this moment: keep the current journal mode
                pass
            cur.close()

        @event.listens_for(self.engine, "begin")
        def _begin(conn):
            write = conn.get_execution_options().get("staffcast_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    def _wrap(self, exc: Exception) -> Exception:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return StoreBusyError(
                f"run store {self.url} is locked by another run for more than {self.timeout_s:.0f} s; "
                f"try again later (or raise {ENV_TIMEOUT})"
            )
        return StoreError(f"run store {self.url}: {exc}")

    def _create_schema(self):
        try:
            with self._writer.begin() as conn:
                metadata.create_all(conn)
                got = conn.execute(sa.select(store_meta.c.value).where(store_meta.c.key == "schema_version")).scalar()
                if got is None:
                    conn.execute(store_meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
                elif int(got) != SCHEMA_VERSION:
                    raise StoreError(f"run store {self.url} has schema version {got}; this staffcast expects "
                                     f"{SCHEMA_VERSION}")
        except sa.exc.OperationalError as exc:
            raise self._wrap(exc) from exc
        except sa.exc.IntegrityError:
            pass  # another process created it at the same moment (PostgreSQL)

    def close(self):
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ----------------------------------------------------------------- writing

    def save_run(self, record: RunRecord, *, force: bool = False, _after_row=None) -> tuple[str, bool]:
        """Store a run in one transaction. Returns ``(run_id, reused)``.

        If a run with the same ``run_key`` is stored and not ``force``, nothing is written and the
        stored run's id is returned with ``reused=True``. ``_after_row`` is a test hook called
        after each table is written (inside the transaction).
        """
        rows = {name: _frame_rows(name, record.run_id, getattr(record, name)) for name in FRAME_TABLES}
        try:
            with self._writer.begin() as conn:
                if self.engine.dialect.name == "postgresql":
                    lock_id = int(record.run_key[:15], 16)
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id})
                if not force:
                    existing = self._find(conn, record.run_key)
                    if existing is not None:
                        return existing, True
                conn.execute(runs.insert().values(
                    run_id=record.run_id, run_key=record.run_key, plan_name=record.plan_name,
                    created_at_utc=record.created_at_utc, config_hash=record.config_hash,
                    config_json=_json(record.config), data_fingerprint=record.data_fingerprint,
                    inputs_json=_json(record.inputs), code_version=record.code_version,
                    timezone=record.timezone, interval_s=int(record.interval_s), as_of=record.as_of,
                    horizon_start=record.horizon_start, horizon_end=record.horizon_end,
                    models_json=_json(record.models), timings_json=_json(record.timings),
                    summary_json=_json(record.summary),
                ))
                if _after_row:
                    _after_row("runs")
                for name, table in FRAME_TABLES.items():
                    if rows[name]:
                        conn.execute(table.insert(), rows[name])
                    if _after_row:
                        _after_row(name)
        except sa.exc.OperationalError as exc:
            raise self._wrap(exc) from exc
        except sa.exc.IntegrityError as exc:
            raise StoreError(f"run store {self.url}: could not store run {record.run_id}: {exc.orig}") from exc
        return record.run_id, False

    def save_accuracy(self, frame: pd.DataFrame) -> int:
        """Append accuracy scores (one transaction). Returns the number of rows written."""
        if frame is None or frame.empty:
            return 0
        cols = [c.name for c in accuracy_t.columns if c.name != "id"]
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        recs = []
        for r in frame.to_dict(orient="records"):
            rec = {c: _py(r.get(c)) for c in cols}
            rec["scored_at_utc"] = rec["scored_at_utc"] or now
            recs.append(rec)
        try:
            with self._writer.begin() as conn:
                conn.execute(accuracy_t.insert(), recs)
        except sa.exc.OperationalError as exc:
            raise self._wrap(exc) from exc
        return len(recs)

    def delete_run(self, run_id: str) -> bool:
        try:
            with self._writer.begin() as conn:
                for t in (accuracy_t, *FRAME_TABLES.values()):
                    conn.execute(t.delete().where(t.c.run_id == run_id))
                n = conn.execute(runs.delete().where(runs.c.run_id == run_id)).rowcount
        except sa.exc.OperationalError as exc:
            raise self._wrap(exc) from exc
        return bool(n)

    # ----------------------------------------------------------------- reading

    @staticmethod
    def _find(conn, key: str) -> str | None:
        return conn.execute(
            sa.select(runs.c.run_id).where(runs.c.run_key == key)
            .order_by(runs.c.created_at_utc.desc(), runs.c.run_id.desc()).limit(1)
        ).scalar()

    def find_run(self, key: str) -> str | None:
        """The newest stored run with this run key, or None."""
        try:
            with self.engine.connect() as conn:
                return self._find(conn, key)
        except sa.exc.OperationalError as exc:
            raise self._wrap(exc) from exc

    def list_runs(self, limit: int | None = 20, plan_name: str | None = None) -> pd.DataFrame:
        q = sa.select(
            runs.c.run_id, runs.c.created_at_utc, runs.c.plan_name, runs.c.as_of, runs.c.horizon_start,
            runs.c.horizon_end, runs.c.config_hash, runs.c.data_fingerprint, runs.c.code_version,
            runs.c.summary_json,
        ).order_by(runs.c.created_at_utc.desc(), runs.c.run_id.desc())
        if plan_name:
            q = q.where(runs.c.plan_name == plan_name)
        if limit:
            q = q.limit(limit)
        try:
            with self.engine.connect() as conn:
                frame = pd.DataFrame(conn.execute(q).mappings().all())
        except sa.exc.OperationalError as exc:
            raise self._wrap(exc) from exc
        if frame.empty:
            return pd.DataFrame(columns=["run_id", "created_at_utc", "plan_name", "as_of", "horizon_start",
                                         "horizon_end", "config_hash", "data_fingerprint", "code_version"])
        summ = frame.pop("summary_json").map(json.loads)
        frame["queues"] = summ.map(lambda s: ",".join(s.get("queues", [])))
        frame["fte_total"] = summ.map(lambda s: s.get("fte_total"))
        frame["config_hash"] = frame["config_hash"].str[:12]
        frame["data_fingerprint"] = frame["data_fingerprint"].str[:12]
        order = ["run_id", "created_at_utc", "plan_name", "as_of", "horizon_start", "horizon_end", "queues",
                 "fte_total", "config_hash", "data_fingerprint", "code_version"]
        return frame[order]

    def get_run(self, run_id: str) -> dict:
        """The run's metadata (JSON fields decoded). Raises :class:`InputError` if unknown.

        ``run_id`` may be a unique prefix, or ``latest``.
        """
        try:
            with self.engine.connect() as conn:
                if run_id == "latest":
                    q = sa.select(runs).order_by(runs.c.created_at_utc.desc(), runs.c.run_id.desc()).limit(1)
                else:
                    q = sa.select(runs).where(runs.c.run_id.like(f"{run_id}%")).limit(2)
                found = conn.execute(q).mappings().all()
        except sa.exc.OperationalError as exc:
            raise self._wrap(exc) from exc
        if not found:
            raise InputError(f"no run {run_id!r} in store {self.url}")
        if len(found) > 1:
            raise InputError(f"run id prefix {run_id!r} is ambiguous in store {self.url}")
        out = dict(found[0])
        for k in ("config_json", "inputs_json", "models_json", "timings_json", "summary_json"):
            out[k.removesuffix("_json")] = json.loads(out.pop(k))
        return out

    def load_frame(self, run_id: str, name: str) -> pd.DataFrame:
        """One of ``forecast``, ``requirements``, ``simulation``, ``headcount`` of a stored run."""
        if name not in FRAME_TABLES:
            raise InputError(f"unknown table {name!r}; expected one of {', '.join(FRAME_TABLES)}")
        meta = self.get_run(run_id)
        table = FRAME_TABLES[name]
        q = sa.select(table).where(table.c.run_id == meta["run_id"])
        try:
            with self.engine.connect() as conn:
                frame = pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in table.columns])
        except sa.exc.OperationalError as exc:
            raise self._wrap(exc) from exc
        frame = frame.drop(columns=["run_id"])
        for col in table.columns:
            if isinstance(col.type, sa.Float) and col.name in frame:
                frame[col.name] = pd.to_numeric(frame[col.name]).astype(float)
        if "interval_start_utc" in frame:
            ts = pd.to_datetime(frame.pop("interval_start_utc"))
            ts = ts.dt.tz_localize("UTC")
            if meta.get("timezone"):
                ts = ts.dt.tz_convert(meta["timezone"])
            else:
                ts = ts.dt.tz_localize(None)
            frame.insert(1, "interval_start", ts)
        if name == "simulation" and not frame.empty:
            frame = frame.set_index(["queue", "interval_start", "metric"])["value"].unstack("metric").reset_index()
            frame.columns.name = None
        sort = [c for c in ("queue", "interval_start", "week_start") if c in frame]
        return frame.sort_values(sort).reset_index(drop=True)

    def load_accuracy(self, run_id: str | None = None) -> pd.DataFrame:
        q = sa.select(accuracy_t).order_by(accuracy_t.c.scored_at_utc, accuracy_t.c.id)
        if run_id:
            q = q.where(accuracy_t.c.run_id == run_id)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in accuracy_t.columns])

    def count_rows(self) -> dict[str, int]:
        """Rows per table (for checks and ``staffcast runs --stats``)."""
        out = {}
        with self.engine.connect() as conn:
            for t in (runs, *FRAME_TABLES.values(), accuracy_t):
                out[t.name] = conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
        return out
