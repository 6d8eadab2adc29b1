"""The sizes staffcast computes, stated once: larger inputs are refused up front with the reason,
instead of running for minutes or running out of memory.

- ``MAX_AGENTS_PER_INTERVAL``: agents per interval the staffing formulas size (Erlang B/C are
  checked exact up to 100,000 servers); a load that needs more is refused;
- ``MAX_CONTACTS_PER_RUN``: contacts one simulation run may draw (expected, over all its
  replications); the simulator keeps per-contact state, so more would exhaust memory;
- ``MAX_VOLUME_PER_INTERVAL``: contacts in one interval of a history or forecast file;
- ``MAX_HISTORY_ROWS``: rows of one history file or frame (checked once it is read, before the
  validation, which holds several copies).
"""
from __future__ import annotations

import numpy as np

__all__ = ["MAX_AGENTS_PER_INTERVAL", "MAX_CONTACTS_PER_RUN", "MAX_VOLUME_PER_INTERVAL", "MAX_HISTORY_ROWS",
           "check_staffing_load",
           "check_simulation_size"]

MAX_AGENTS_PER_INTERVAL = 100_000
MAX_CONTACTS_PER_RUN = 20_000_000
MAX_VOLUME_PER_INTERVAL = 10_000_000
MAX_HISTORY_ROWS = 10_000_000


def check_staffing_load(volume: np.ndarray, load_per_agent: np.ndarray) -> None:
    """ValueError naming ``volume`` and the first interval whose load (Erlangs per agent's capacity:
    ``load_per_agent``) needs more than ``MAX_AGENTS_PER_INTERVAL`` agents."""
    bad = np.asarray(load_per_agent) > MAX_AGENTS_PER_INTERVAL
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"volume: {float(volume[i]):g} contacts at index {i} need about "
                         f"{float(load_per_agent[i]):,.0f} agents: more than the staffing limit of "
                         f"{MAX_AGENTS_PER_INTERVAL:,} agents per interval")


def check_simulation_size(rate_per_s: np.ndarray, agents: np.ndarray, interval_s: float, replications: int) -> None:
    """ValueError naming the argument when one simulation run would draw more than
    ``MAX_CONTACTS_PER_RUN`` contacts or staff more than ``MAX_AGENTS_PER_INTERVAL`` agents."""
    per_interval = np.asarray(rate_per_s, float) * float(interval_s)
    total = float(per_interval.sum()) * int(replications)
    if total > MAX_CONTACTS_PER_RUN:
        i = int(np.argmax(per_interval))
        raise ValueError(f"arrival_rate_per_h: {total:.3g} contacts over {replications} replication(s) "
                         f"(the largest interval, index {i}, has {per_interval[i]:.3g}): more than the simulator's "
                         f"limit of {MAX_CONTACTS_PER_RUN:,} contacts per run; simulate fewer days or replications")
    big = np.asarray(agents) > MAX_AGENTS_PER_INTERVAL
    if big.any():
        i = int(np.flatnonzero(big)[0])
        raise ValueError(f"agents: {int(np.asarray(agents)[i])} at index {i}: more than the limit of "
                         f"{MAX_AGENTS_PER_INTERVAL:,} agents per interval")
