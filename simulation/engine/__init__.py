"""The simulator's engine: one replication of a day, from inputs to per-interval sums.

- :mod:`.inputs`: :class:`SimConfig` (validated inputs) and :func:`draw` (the random numbers);
- :mod:`.fast`: the earliest-free-agent recursion (single-contact agents);
- :mod:`.floor`, :mod:`.voice`, :mod:`.chat`: the SimPy event model and its agent kinds;
- :mod:`.interval_stats`: per-interval sums; :mod:`.replication`: one replication end to end.
"""
from .inputs import Draws, SimConfig, draw  # noqa: F401
from .outcome import Outcome  # noqa: F401
from .replication import Replication, run_replication  # noqa: F401
