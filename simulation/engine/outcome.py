"""What an engine returns for one replication: the fate of every contact and the overtime of agents
who logged off while busy."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Outcome"]


@dataclass(frozen=True)
class Outcome:
    """Per contact (in arrival order): ``wait`` in queue (s; for an abandoned contact the time until
    it hung up, 0 for a balk), ``served``, ``delayed`` (found no free agent), ``balked`` and ``end``
    (s, end of handling; NaN if not served). ``overtime_start`` / ``overtime_end`` (s): spans in
    which an agent past its plan finished the contact in hand (counted as logged-in time).
    ``busy_start`` / ``busy_end`` (s, chat only, else None): spans in which an agent held at least
    one contact (for one contact per agent these are the contacts' handling spans).

    With redials or callbacks (SimPy engine; else None): ``arrival`` (s) of every contact, first
    attempts then redials in the order they were made; ``attempt`` (0: first, 1: first redial,
    ...); ``retried`` (hung up and redialed within the day); ``pending`` (hung up, its redial
    would come after the day); ``callback`` (accepted a callback; served when called back, its
    wait up to then)."""

    wait: np.ndarray
    served: np.ndarray
    delayed: np.ndarray
    balked: np.ndarray
    end: np.ndarray
    overtime_start: np.ndarray
    overtime_end: np.ndarray
    busy_start: np.ndarray | None = None
    busy_end: np.ndarray | None = None
    arrival: np.ndarray | None = None
    attempt: np.ndarray | None = None
    retried: np.ndarray | None = None
    pending: np.ndarray | None = None
    callback: np.ndarray | None = None
