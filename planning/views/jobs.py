"""Long work the dashboard starts (a simulation, a run of the plan) done in a background thread,
independent of the browser session that started it: closing the tab does not stop it (a run still
reaches the store), another session asking for the same work gets the same job (and its result
once done), and a planner can cancel it.

A job's work is a function ``work(report)``; it calls ``report(done, total, label)`` between its
steps (blocks, replications, pipeline steps). ``report`` records the progress for the progress bar
and raises :class:`~planning.progress.Cancelled` once the job was cancelled: cancellation is
cooperative, the work stops at its next report.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Hashable

from ..progress import Cancelled, CancelToken

__all__ = ["Job", "start_job", "find_job", "MAX_FINISHED_JOBS"]

MAX_FINISHED_JOBS = 8  # finished jobs (and their results) kept for other sessions, newest first

_JOBS: OrderedDict[Hashable, "Job"] = OrderedDict()
_LOCK = threading.Lock()


class Job:
    """One piece of long work running in a daemon thread.

    ``fraction`` (0..1) and ``label`` describe the last progress report; once ``finished``, either
    ``result`` holds what the work returned, ``error`` the exception it raised, or ``cancelled``
    is True."""

    def __init__(self, key: Hashable, work: Callable[[Callable[[int, int, str], None]], object], label: str):
        self.key = key
        self.fraction = 0.0
        self.label = label
        self.result = None
        self.error: BaseException | None = None
        self.started_s = time.monotonic()
        self._token = CancelToken()
        self._done = threading.Event()
        self._work = work
        self._thread = threading.Thread(target=self._run, name=f"staffcast-job-{label[:40]}", daemon=True)

    def report(self, done: int, total: int, label: str) -> None:
        """Record progress (``done`` of ``total`` steps); raise Cancelled once the job was cancelled."""
        self.fraction = min(max(done / total, 0.0), 1.0) if total else 0.0
        self.label = label
        self._token.check()

    def _run(self) -> None:
        try:
            self.result = self._work(self.report)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for the job
            self.error = exc
        finally:
            self._done.set()

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report."""
        self._token.cancel()

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    @property
    def cancelled(self) -> bool:
        return isinstance(self.error, Cancelled)

    @property
    def succeeded(self) -> bool:
        return self.finished and self.error is None

    @property
    def elapsed_s(self) -> float:
        """Seconds since the job started."""
        return time.monotonic() - self.started_s

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait until the job finished (at most ``timeout_s`` seconds); True when it has."""
        return self._done.wait(timeout_s)


def find_job(key: Hashable) -> Job | None:
    """The job of ``key`` that is running or finished successfully (None if there is none, or it
    failed or was cancelled: then the work is to be started again)."""
    with _LOCK:
        job = _JOBS.get(key)
        if job is not None and job.finished and job.error is not None:
            del _JOBS[key]
            return None
        return job


def start_job(key: Hashable, work: Callable[[Callable[[int, int, str], None]], object], label: str = "Starting ...",
              *, again: bool = False) -> Job:
    """The job of ``key``: the one running or finished (see :func:`find_job`), else ``work`` started
    in a background thread. ``again``: start anew unless one is running (e.g. "run the plan" once
    more). Finished jobs beyond :data:`MAX_FINISHED_JOBS` are forgotten, oldest first."""
    with _LOCK:
        job = _JOBS.get(key)
        if job is not None and not (job.finished and (again or job.error is not None)):
            _JOBS.move_to_end(key)
            return job
        job = Job(key, work, label)
        _JOBS[key] = job
        _JOBS.move_to_end(key)
        finished = [k for k, j in _JOBS.items() if j.finished]
        for k in finished[:max(len(finished) - MAX_FINISHED_JOBS, 0)]:
            del _JOBS[k]
    job._thread.start()
    return job
