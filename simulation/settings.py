"""Options of a simulation run and of staffing by simulation, as small frozen objects.

:class:`RunSettings` says how :func:`simulation.simulate` runs (replications, seed, forecast error,
executor, engine); :class:`RefineSettings` how :func:`simulation.refine_staffing` searches (rounds,
cap per interval, miss criterion). Both check their values when built and name the bad field.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from core import check_executor, check_number

__all__ = ["RunSettings", "RefineSettings", "ENGINES", "CRITERIA"]

ENGINES = ("auto", "fast", "simpy")
CRITERIA = ("confident_miss", "estimate")


def check_int(name: str, value, minimum: int) -> int:
    """``value`` as an int >= ``minimum``; a float (even 2.0) or bool is refused, naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def root_seed(seed) -> np.random.SeedSequence:
    """The root :class:`numpy.random.SeedSequence` of ``seed`` (an int >= 0, a SeedSequence or None)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    try:
        return np.random.SeedSequence(seed)
    except (TypeError, ValueError):
        raise ValueError(f"seed must be a non-negative integer, a SeedSequence or None, got {seed!r}") from None


@dataclass(frozen=True)
class RunSettings:
    """How a simulation runs.

    Attributes
    ----------
    replications : int >= 1
        Independent replications of the day (>= 2 for confidence bounds).
    seed : int >= 0, numpy SeedSequence or None
        Root seed; the same seed gives the same numbers on every executor. None: fresh entropy.
    rate_cv : float >= 0
        Coefficient of variation of a per-replication gamma multiplier (mean 1) of all arrival
        rates (forecast error reaching the center); 0: the forecast rate exactly.
    executor : None, "serial", int, concurrent.futures.Executor, dask Client or address
        Where replications run (see :func:`core.map_jobs`): ``None`` a local process pool (one
        worker per CPU; serial for a single replication), ``"serial"`` this process.
    engine : {"auto", "fast", "simpy"}
        ``"fast"`` earliest-free-agent recursion (concurrency 1), ``"simpy"`` the SimPy event
        model, ``"auto"`` fast for concurrency 1 and SimPy for chat, redials or callbacks.
    """

    replications: int = 30
    seed: Any = None
    rate_cv: float = 0.0
    executor: Any = None
    engine: str = "auto"

    def __post_init__(self):
        check_int("replications", self.replications, 1)
        root_seed(self.seed)
        object.__setattr__(self, "rate_cv", check_number("rate_cv", self.rate_cv, minimum=0.0))
        check_executor(self.executor)
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be 'auto', 'fast' or 'simpy', got {self.engine!r}")

    def with_values(self, **changes) -> "RunSettings":
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class RefineSettings:
    """How :func:`simulation.refine_staffing` searches.

    Attributes
    ----------
    max_rounds : int >= 1
        Most simulations to run (the last one evaluates the final plan).
    max_added_per_interval : int >= 0 or None
        Cap on agents added to one interval (None: no cap other than ``max_rounds``).
    criterion : {"confident_miss", "estimate"}
        ``"confident_miss"``: add where the 95% interval of the simulated metric lies wholly on the
        wrong side of the target; ``"estimate"``: wherever the simulated estimate misses (stricter,
        and more dependent on the number of replications).
    """

    max_rounds: int = 30
    max_added_per_interval: int | None = None
    criterion: str = "confident_miss"

    def __post_init__(self):
        check_int("max_rounds", self.max_rounds, 1)
        if self.max_added_per_interval is not None:
            check_int("max_added_per_interval", self.max_added_per_interval, 0)
        if self.criterion not in CRITERIA:
            raise ValueError(f"criterion must be 'confident_miss' or 'estimate', got {self.criterion!r}")
