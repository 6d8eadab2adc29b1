"""The run store: every pipeline run (and every scenario study) kept in a database.

- :mod:`.runs`    :class:`RunStore` (SQLite by default, any SQLAlchemy URL), :class:`RunRecord`,
  :func:`resolve_store_url`, :func:`run_key`; one transaction per run;
- :mod:`.schema`  the run tables; :mod:`.rows` how a run's tables become rows;
- :mod:`.studies` scenario studies: :func:`save_study`, :func:`load_saved_study`.
"""
from .runs import (
    DEFAULT_STORE_URL,
    ENV_STORE,
    ENV_TIMEOUT,
    RunRecord,
    RunStore,
    StoreBusyError,
    StoreError,
    StoreFileError,
    code_version,
    resolve_store_url,
    run_key,
)
from .schema import FRAME_TABLES, SCHEMA_VERSION, metadata
from .studies import load_saved_study, new_study_id, save_study

__all__ = [
    "RunStore",
    "RunRecord",
    "StoreBusyError",
    "StoreError",
    "StoreFileError",
    "resolve_store_url",
    "run_key",
    "code_version",
    "DEFAULT_STORE_URL",
    "ENV_STORE",
    "ENV_TIMEOUT",
    "SCHEMA_VERSION",
    "FRAME_TABLES",
    "metadata",
    "save_study",
    "load_saved_study",
    "new_study_id",
]
