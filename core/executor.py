"""One executor dispatcher: run independent jobs serially, in a process pool, or on Dask.

``executor`` everywhere in staffcast (simulation replications, scenario studies, plan simulation
blocks) means one of:

- ``"serial"``: in this process, one after the other;
- ``None``: a local process pool with one worker per CPU (serial when there is one job);
- an int ``n >= 1``: a local process pool of ``n`` workers (``1`` = serial);
- a ``concurrent.futures.Executor`` the caller owns (it is not shut down);
- a ``dask.distributed.Client`` or a scheduler address ``"tcp://host:8786"`` (optional extra
  ``distributed``).

Results come back in job order whatever runs them, so a seeded job gives the same numbers on any
executor. Jobs are grouped into batches (about four per worker) to keep the overhead low.
"""
from __future__ import annotations

import concurrent.futures as cf
import os
from typing import Any, Callable

import numpy as np

__all__ = ["map_jobs", "check_executor", "executor_workers"]


def _is_dask_client(obj) -> bool:
    return type(obj).__module__.startswith("distributed") and hasattr(obj, "gather")


def check_executor(executor) -> None:
    """Raise ValueError (naming ``executor``) unless it is one of the accepted kinds."""
    if executor is None or executor == "serial" or isinstance(executor, cf.Executor) or _is_dask_client(executor):
        return
    if isinstance(executor, str):
        if ":" not in executor:
            raise ValueError(f"executor: {executor!r} is neither 'serial' nor a Dask scheduler address "
                             "(e.g. 'tcp://10.0.0.5:8786')")
        return
    if isinstance(executor, (int, np.integer)) and not isinstance(executor, bool):
        if executor < 1:
            raise ValueError(f"executor: expected a number of worker processes >= 1, got {executor!r}")
        return
    raise ValueError("executor must be None (process pool), 'serial', a number of worker processes, a "
                     "concurrent.futures.Executor, a dask.distributed Client or a scheduler address; "
                     f"got {executor!r:.80}")


def executor_workers(executor) -> int:
    """How many jobs the executor runs at once (1 for serial)."""
    check_executor(executor)
    if executor == "serial":
        return 1
    if executor is None:
        return os.cpu_count() or 1
    if isinstance(executor, (int, np.integer)):
        return int(executor)
    if isinstance(executor, cf.Executor):
        return getattr(executor, "_max_workers", None) or os.cpu_count() or 1
    return 0  # Dask: asked of the client when it is connected


def _run_batch(fn: Callable, batch: list) -> list:
    """Worker entry point (module level, so it pickles)."""
    return [fn(job) for job in batch]


def _batches(jobs: list, n_batches: int) -> list[list]:
    n_batches = max(1, min(n_batches, len(jobs)))
    bounds = np.linspace(0, len(jobs), n_batches + 1).round().astype(int)
    return [jobs[bounds[b]:bounds[b + 1]] for b in range(n_batches)]


def map_jobs(fn: Callable[[Any], Any], jobs: list, executor=None) -> list:
    """``[fn(job) for job in jobs]``, in order, on ``executor`` (see the module docstring).

    ``fn`` and the jobs must pickle for anything but ``"serial"`` (a module-level function and
    plain data or dataclasses).
    """
    check_executor(executor)
    jobs = list(jobs)
    if not jobs:
        return []
    workers = executor_workers(executor)
    if workers == 1 or (executor is None and len(jobs) == 1):
        return [fn(job) for job in jobs]
    if isinstance(executor, cf.Executor):
        batches = _batches(jobs, 4 * workers)
        parts = list(executor.map(_run_batch, [fn] * len(batches), batches))
    elif workers > 1:
        batches = _batches(jobs, 4 * workers)
        with cf.ProcessPoolExecutor(max_workers=min(workers, len(batches))) as pool:
            parts = list(pool.map(_run_batch, [fn] * len(batches), batches))
    else:
        parts = _map_dask(fn, jobs, executor)
    return [result for part in parts for result in part]


def _map_dask(fn: Callable, jobs: list, executor) -> list[list]:
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - optional extra
        raise ValueError("executor: a Dask scheduler needs the optional extra 'distributed' "
                         "(pip install 'staffcast[distributed]')") from exc
    client = Client(executor) if isinstance(executor, str) else executor
    try:
        workers = max(1, sum(client.nthreads().values()))
        batches = _batches(jobs, 4 * workers)
        futures = [client.submit(_run_batch, fn, b, pure=False) for b in batches]
        return client.gather(futures)
    finally:
        if isinstance(executor, str):
            client.close()
