"""Capacity plans in the run store: tables ``capacity_plans`` (one row per plan run: name,
strategies, currency, the capacity TOML and a summary as JSON) and ``capacity_results`` (one JSON
row per row of each result table), written in ONE transaction.

Like the scenario studies' tables they have their own metadata and are created when the first
capacity plan is saved: an older store gains them without a schema version change.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from ..config import InputError
from .rows import frames_from_json_rows, json_rows_table, json_table_rows, to_json
from .runs import RunStore, resolve_store_url
from .studies import new_study_id

__all__ = ["save_capacity", "load_saved_capacity", "list_capacity", "capacity_metadata"]

capacity_metadata = sa.MetaData()

plans_t = sa.Table(
    "capacity_plans", capacity_metadata,
    sa.Column("capacity_id", sa.String(64), primary_key=True),
    sa.Column("created_utc", sa.DateTime, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("strategies", sa.String(500), nullable=False),
    sa.Column("currency", sa.String(16)),
    sa.Column("illustrative", sa.Boolean, nullable=False),
    sa.Column("config_json", sa.Text, nullable=False),
    sa.Column("summary_json", sa.Text, nullable=False),
)

results_t = json_rows_table("capacity_results", capacity_metadata, "capacity_id", "capacity_plans")


def save_capacity(result, store=None, plan_store: str | None = None) -> str:
    """Store a :class:`planning.capacity.CapacityResult` (``store``: a :class:`RunStore` or URL);
    returns its id (``YYYYMMDDTHHMMSSZ-xxxxxx``)."""
    cfg = result.config
    own = not hasattr(store, "engine")
    st = RunStore(resolve_store_url(store, plan_store)) if own else store
    cid = new_study_id()
    payload = json_table_rows("capacity_id", cid, result.tables)
    summary = {"notes": result.notes, "summary": result.tables["summary"].to_dict("records")}
    try:
        with st.engine.execution_options(staffcast_write=True).begin() as conn:
            capacity_metadata.create_all(conn)
            conn.execute(plans_t.insert().values(
                capacity_id=cid, created_utc=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), name=cfg.name,
                strategies=",".join(cfg.strategies), currency=cfg.currency, illustrative=cfg.illustrative,
                config_json=to_json(cfg.raw), summary_json=to_json(summary)))
            if payload:
                conn.execute(results_t.insert(), payload)
    except sa.exc.DatabaseError as exc:
        wrapped = st.wrap_error(exc)
        raise type(wrapped)(f"cannot store the capacity plan: {wrapped}") from exc
    finally:
        if own:
            st.close()
    return cid


def list_capacity(store) -> pd.DataFrame:
    """Stored capacity plans, newest first: ``capacity_id, created_utc, name, strategies, currency``."""
    cols = ["capacity_id", "created_utc", "name", "strategies", "currency", "illustrative"]
    with store.engine.connect() as conn:
        if not sa.inspect(conn).has_table(plans_t.name):
            return pd.DataFrame(columns=cols)
        rows = conn.execute(sa.select(*[plans_t.c[c] for c in cols])
                            .order_by(plans_t.c.created_utc.desc(), plans_t.c.capacity_id.desc())).mappings().all()
    return pd.DataFrame(rows, columns=cols)


def load_saved_capacity(store, capacity_id: str) -> dict:
    """A stored capacity plan: ``{"meta": {...}, "tables": {name: DataFrame}}``."""
    with store.engine.connect() as conn:
        meta = None
        if sa.inspect(conn).has_table(plans_t.name):
            meta = conn.execute(sa.select(plans_t).where(plans_t.c.capacity_id == capacity_id)).mappings().first()
        if meta is None:
            raise InputError(f"no capacity plan {capacity_id!r} in {store.url}")
        recs = conn.execute(sa.select(results_t).where(results_t.c.capacity_id == capacity_id)
                            .order_by(results_t.c.table_name, results_t.c.row_no)).mappings().all()
    return {"meta": dict(meta), "tables": frames_from_json_rows(recs)}
