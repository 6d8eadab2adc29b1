"""One replication: draw the random numbers, run the engine, sum per interval.

:func:`run_replication` is the job that :func:`core.map_jobs` runs for every replication (a
module-level function of plain data, so it pickles to worker processes and Dask workers).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .chat import ChatFloor
from .fast import run_fast
from .inputs import SimConfig, draw
from .interval_stats import interval_sums
from .voice import VoiceFloor

__all__ = ["Replication", "run_replication"]


@dataclass(frozen=True)
class Replication:
    """One replication's per-interval ``sums`` and, with ``keep_contacts``, its ``contacts``
    (arrays ``arrival_s``, ``wait_s``, ``served``, ``balked``, ``handle_s``; with redials or
    callbacks also ``attempt`` and ``callback``)."""

    sums: dict
    contacts: dict | None


def run_replication(cfg: SimConfig, seed_seq: np.random.SeedSequence) -> Replication:
    """Run one replication of ``cfg`` with the random stream of ``seed_seq``."""
    rng = np.random.default_rng(seed_seq)
    d = draw(cfg, rng)
    if cfg.engine == "fast":
        o = run_fast(cfg, d)
    elif cfg.concurrency == 1:
        o = VoiceFloor(cfg, d).run()
    else:
        o = ChatFloor(cfg, d).run()
    sums = interval_sums(cfg, d.arrival, o)
    contacts = None
    if cfg.keep_contacts:
        arrival = d.arrival if o.arrival is None else o.arrival
        contacts = {
            "arrival_s": arrival, "wait_s": o.wait, "served": o.served, "balked": o.balked,
            "handle_s": np.where(o.served, o.end - (arrival + o.wait), np.nan),
        }
        if o.attempt is not None:
            contacts.update(attempt=o.attempt, callback=o.callback)
    return Replication(sums, contacts)
