"""Scenario studies in the run store: tables ``scenario_studies`` (one row per study: its name,
baseline, currency, the study TOML as JSON and a summary) and ``scenario_results`` (one JSON row
per row of each result table), written in ONE transaction.

The tables have their own SQLAlchemy metadata: they are created when the first study is saved,
not with the run store's schema.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import uuid

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..config import InputError
from .rows import frames_from_json_rows, json_rows_table, json_table_rows
from .runs import RunStore, StoreError, resolve_store_url

__all__ = ["save_study", "load_saved_study", "new_study_id", "study_metadata"]

study_metadata = sa.MetaData()

studies_t = sa.Table(
    "scenario_studies", study_metadata,
    sa.Column("study_id", sa.String(64), primary_key=True),
    sa.Column("created_utc", sa.DateTime, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("baseline", sa.String(200), nullable=False),
    sa.Column("currency", sa.String(16)),
    sa.Column("illustrative", sa.Boolean, nullable=False),
    sa.Column("config_json", sa.Text, nullable=False),
    sa.Column("summary_json", sa.Text, nullable=False),
)

results_t = json_rows_table("scenario_results", study_metadata, "study_id", "scenario_studies")


def new_study_id() -> str:
    """``YYYYMMDDTHHMMSSZ-xxxxxx``: the UTC time and 6 random hex digits."""
    return f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def _jsonable(v):
    """A table cell as a JSON value (NaN and inf -> None, numpy -> Python, times -> ISO text)."""
    if isinstance(v, (np.floating, float)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
        return v.isoformat()
    return v


def save_study(result, store=None) -> str:
    """Write a :class:`planning.scenarios.StudyResult`'s tables to the run store (``store``: a
    :class:`RunStore` or a URL; default the plan's) in ONE transaction. Returns the study id."""
    study = result.study
    own = not hasattr(store, "engine")
    st = RunStore(resolve_store_url(store, study.plan.store)) if own else store
    study_id = result.study_id or new_study_id()
    summary = {"period_days": result.period_days,
               "comparison": [{k: _jsonable(v) for k, v in r.items()} for r in result.comparison.to_dict("records")]}
    if result.chat_windows is not None:
        summary["chat_windows"] = result.chat_windows.summary()
    payload = json_table_rows("study_id", study_id, result.tables(),
                              encode=lambda rec: json.dumps({k: _jsonable(v) for k, v in rec.items()}))
    try:
        with st.engine.execution_options(staffcast_write=True).begin() as conn:
            study_metadata.create_all(conn)
            conn.execute(studies_t.insert().values(
                study_id=study_id, created_utc=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), name=study.name,
                baseline=study.baseline, currency=study.currency, illustrative=study.illustrative,
                config_json=json.dumps(study.raw, default=str), summary_json=json.dumps(summary)))
            if payload:
                conn.execute(results_t.insert(), payload)
    except sa.exc.DatabaseError as exc:
        wrapped = st.wrap_error(exc)
        raise type(wrapped)(f"cannot store the scenario study: {wrapped}") from exc
    finally:
        if own:
            st.close()
    result.study_id = study_id
    return study_id


def load_saved_study(store, study_id: str) -> dict:
    """The stored study: ``{"meta": {...}, "tables": {name: DataFrame}}``."""
    own = not hasattr(store, "engine")
    st = RunStore(store) if own else store
    try:
        with st.engine.connect() as conn:
            meta = conn.execute(sa.select(studies_t).where(studies_t.c.study_id == study_id)).mappings().first()
            if meta is None:
                raise InputError(f"no scenario study {study_id!r} in {st.url}")
            recs = conn.execute(sa.select(results_t).where(results_t.c.study_id == study_id)
                                .order_by(results_t.c.table_name, results_t.c.row_no)).mappings().all()
    finally:
        if own:
            st.close()
    return {"meta": dict(meta), "tables": frames_from_json_rows(recs)}
