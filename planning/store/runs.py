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
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event

from ..config import InputError
from .rows import frame_rows, plain_value, to_json
from .schema import FRAME_TABLES, SCHEMA_VERSION, accuracy_t, metadata, runs_t, store_meta

__all__ = [
    "RunStore",
    "RunRecord",
    "StoreBusyError",
    "StoreError",
    "StoreFileError",
    "resolve_store_url",
    "code_version",
    "run_key",
    "DEFAULT_STORE_URL",
    "SCHEMA_VERSION",
]

DEFAULT_STORE_URL = "sqlite:///runs/staffcast.sqlite"
ENV_STORE = "STAFFCAST_STORE"
ENV_TIMEOUT = "STAFFCAST_STORE_TIMEOUT_S"


class StoreError(RuntimeError):
    """The run store failed (not the user's input). The CLI exits with code 1."""


class StoreBusyError(StoreError):
    """Another process held the store's write lock for longer than the timeout."""


class StoreFileError(StoreError, InputError):
    """The store URL points at a file that is not a database (bad input: the CLI exits with code 2)."""


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
    schedule: pd.DataFrame | None = None  # the schedule stage's tables (a plan with [schedule])
    coverage: pd.DataFrame | None = None
    schedule_headcount: pd.DataFrame | None = None
    schedule_checks: pd.DataFrame | None = None
    code_version: str = field(default_factory=code_version)
    created_at_utc: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))


def run_key(config_hash: str, data_fingerprint: str, code_fingerprint: str = "") -> str:
    """A run's identity: same configuration, same input data and same code give the same key."""
    return hashlib.sha256(f"{config_hash}:{data_fingerprint}:{code_fingerprint}".encode()).hexdigest()


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

    def wrap_error(self, exc: Exception) -> Exception:
        """The database error as a StoreBusyError, a StoreFileError (not a database: bad input) or a
        StoreError, with the driver's message only (no SQL text, no link)."""
        orig = getattr(exc, "orig", None) or exc
        text = str(orig).lower()
        if "locked" in text or "busy" in text:
            return StoreBusyError(
                f"run store {self.url} is locked by another run for more than {self.timeout_s:.0f} s; "
                f"try again later (or raise {ENV_TIMEOUT})"
            )
        if "not a database" in text or "malformed" in text or "unsupported file format" in text:
            where = sa.engine.make_url(self.url).database if self.is_sqlite else self.url
            return StoreFileError(f"run store {where} is not a staffcast store ({orig}); point --store / "
                                  f"{ENV_STORE} at a store file or a new path, or move that file away")
        return StoreError(f"run store {self.url}: {orig}")

    def _create_schema(self):
        try:
            with self._writer.begin() as conn:
                metadata.create_all(conn)
                _add_missing_columns(conn)
                got = conn.execute(sa.select(store_meta.c.value).where(store_meta.c.key == "schema_version")).scalar()
                if got is None:
                    conn.execute(store_meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
                elif int(got) != SCHEMA_VERSION:
                    raise StoreError(f"run store {self.url} has schema version {got}; this staffcast expects "
                                     f"{SCHEMA_VERSION}")
        except sa.exc.IntegrityError:
            pass  # another process created it at the same moment (PostgreSQL)
        except sa.exc.DatabaseError as exc:
            raise self.wrap_error(exc) from exc

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
        rows = {name: frame_rows(name, record.run_id, getattr(record, name)) for name in FRAME_TABLES}
        try:
            with self._writer.begin() as conn:
                if self.engine.dialect.name == "postgresql":
                    lock_id = int(record.run_key[:15], 16)
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id})
                if not force:
                    existing = self._find(conn, record.run_key)
                    if existing is not None:
                        return existing, True
                conn.execute(runs_t.insert().values(
                    run_id=record.run_id, run_key=record.run_key, plan_name=record.plan_name,
                    created_at_utc=record.created_at_utc, config_hash=record.config_hash,
                    config_json=to_json(record.config), data_fingerprint=record.data_fingerprint,
                    inputs_json=to_json(record.inputs), code_version=record.code_version,
                    timezone=record.timezone, interval_s=int(record.interval_s), as_of=record.as_of,
                    horizon_start=record.horizon_start, horizon_end=record.horizon_end,
                    models_json=to_json(record.models), timings_json=to_json(record.timings),
                    summary_json=to_json(record.summary),
                ))
                if _after_row:
                    _after_row("runs")
                for name, table in FRAME_TABLES.items():
                    if rows[name]:
                        conn.execute(table.insert(), rows[name])
                    if _after_row:
                        _after_row(name)
        except sa.exc.IntegrityError as exc:
            raise StoreError(f"run store {self.url}: could not store run {record.run_id}: {exc.orig}") from exc
        except sa.exc.DatabaseError as exc:
            raise self.wrap_error(exc) from exc
        return record.run_id, False

    def save_accuracy(self, frame: pd.DataFrame) -> int:
        """Append accuracy scores (one transaction). Returns the number of rows written."""
        if frame is None or frame.empty:
            return 0
        cols = [c.name for c in accuracy_t.columns if c.name != "id"]
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        recs = []
        for r in frame.to_dict(orient="records"):
            rec = {c: plain_value(r.get(c)) for c in cols}
            rec["scored_at_utc"] = rec["scored_at_utc"] or now
            recs.append(rec)
        try:
            with self._writer.begin() as conn:
                conn.execute(accuracy_t.insert(), recs)
        except sa.exc.DatabaseError as exc:
            raise self.wrap_error(exc) from exc
        return len(recs)

    def delete_run(self, run_id: str) -> bool:
        try:
            with self._writer.begin() as conn:
                for t in (accuracy_t, *FRAME_TABLES.values()):
                    conn.execute(t.delete().where(t.c.run_id == run_id))
                n = conn.execute(runs_t.delete().where(runs_t.c.run_id == run_id)).rowcount
        except sa.exc.DatabaseError as exc:
            raise self.wrap_error(exc) from exc
        return bool(n)

    # ----------------------------------------------------------------- reading

    @staticmethod
    def _find(conn, key: str) -> str | None:
        return conn.execute(
            sa.select(runs_t.c.run_id).where(runs_t.c.run_key == key)
            .order_by(runs_t.c.created_at_utc.desc(), runs_t.c.run_id.desc()).limit(1)
        ).scalar()

    def find_run(self, key: str) -> str | None:
        """The newest stored run with this run key, or None."""
        try:
            with self.engine.connect() as conn:
                return self._find(conn, key)
        except sa.exc.DatabaseError as exc:
            raise self.wrap_error(exc) from exc

    def list_runs(self, limit: int | None = 20, plan_name: str | None = None) -> pd.DataFrame:
        q = sa.select(
            runs_t.c.run_id, runs_t.c.created_at_utc, runs_t.c.plan_name, runs_t.c.as_of, runs_t.c.horizon_start,
            runs_t.c.horizon_end, runs_t.c.config_hash, runs_t.c.data_fingerprint, runs_t.c.code_version,
            runs_t.c.summary_json,
        ).order_by(runs_t.c.created_at_utc.desc(), runs_t.c.run_id.desc())
        if plan_name:
            q = q.where(runs_t.c.plan_name == plan_name)
        if limit:
            q = q.limit(limit)
        try:
            with self.engine.connect() as conn:
                frame = pd.DataFrame(conn.execute(q).mappings().all())
        except sa.exc.DatabaseError as exc:
            raise self.wrap_error(exc) from exc
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
                    q = sa.select(runs_t).order_by(runs_t.c.created_at_utc.desc(), runs_t.c.run_id.desc()).limit(1)
                else:
                    q = sa.select(runs_t).where(runs_t.c.run_id.like(f"{run_id}%")).limit(2)
                found = conn.execute(q).mappings().all()
        except sa.exc.DatabaseError as exc:
            raise self.wrap_error(exc) from exc
        if not found:
            raise InputError(f"no run {run_id!r} in store {self.url}")
        if len(found) > 1:
            raise InputError(f"run id prefix {run_id!r} is ambiguous in store {self.url}")
        out = dict(found[0])
        for k in ("config_json", "inputs_json", "models_json", "timings_json", "summary_json"):
            out[k.removesuffix("_json")] = json.loads(out.pop(k))
        return out

    def load_frame(self, run_id: str, name: str) -> pd.DataFrame:
        """One of :data:`FRAME_TABLES` of a stored run (``forecast``, ``requirements``, ``simulation``,
        ``headcount``; ``schedule``, ``coverage``, ``schedule_headcount``, ``schedule_checks``:
        empty for a run without a schedule)."""
        if name not in FRAME_TABLES:
            raise InputError(f"unknown table {name!r}; expected one of {', '.join(FRAME_TABLES)}")
        meta = self.get_run(run_id)
        table = FRAME_TABLES[name]
        try:
            with self.engine.connect() as conn:
                if not sa.inspect(conn).has_table(table.name):  # a store older than the table, opened read-only
                    rows = []
                else:  # a store older than a column, opened read-only: the column reads as missing
                    have = {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
                    q = sa.select(*[c for c in table.columns if c.name in have]).where(table.c.run_id == meta["run_id"])
                    rows = conn.execute(q).mappings().all()
                frame = pd.DataFrame(rows, columns=[c.name for c in table.columns])
        except sa.exc.DatabaseError as exc:
            raise self.wrap_error(exc) from exc
        frame = frame.drop(columns=["run_id"])
        for col in table.columns:
            if isinstance(col.type, sa.Float) and col.name in frame:
                frame[col.name] = pd.to_numeric(frame[col.name]).astype(float)
        for col in ("interval_start_utc", "shift_start_utc", "shift_end_utc"):
            if col in frame:
                at = list(frame.columns).index(col)
                ts = pd.to_datetime(frame.pop(col)).dt.tz_localize("UTC")
                ts = ts.dt.tz_convert(meta["timezone"]) if meta.get("timezone") else ts.dt.tz_localize(None)
                frame.insert(1 if col == "interval_start_utc" else at, col.removesuffix("_utc"), ts)
        if name == "simulation" and not frame.empty:
            frame = frame.set_index(["queue", "interval_start", "metric"])["value"].unstack("metric").reset_index()
            frame.columns.name = None
        sort = ["agent_id", "shift_start"] if name == "schedule" else \
            [c for c in ("queue", "interval_start", "contract", "week_start", "round") if c in frame]
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
            for t in (runs_t, *FRAME_TABLES.values(), accuracy_t):
                out[t.name] = conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
        return out


def _add_missing_columns(conn) -> None:
    """Columns added to the schema after a store was created (all nullable) are added to it, so an
    older store stays readable and writable without a new schema version."""
    inspector = sa.inspect(conn)
    for table in metadata.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for col in table.columns:
            if col.name not in have and col.nullable:
                kind = col.type.compile(dialect=conn.dialect)
                conn.execute(sa.text(f'ALTER TABLE {table.name} ADD COLUMN "{col.name}" {kind}'))
