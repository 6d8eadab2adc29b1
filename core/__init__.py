"""staffcast core: the shared vocabulary every layer speaks.

Below ``forecast``, ``simulation``, ``scheduling`` and ``planning`` (it imports none of them):

- :class:`Targets` and :data:`TARGET_SPECS`: the one list of service targets (service level with
  its AWT and definition, ASA, P(wait), abandon rate, maximum occupancy);
- :class:`QueueModel`: handle time (or handle time by concurrency), patience, balking, concurrency;
- :class:`OpeningHours`: opening hours with the one open-interval rule (overlap);
- :func:`map_jobs`: the one executor dispatcher (serial, process pool, Dask);
- :func:`check_number`, :func:`as_float_array`, ...: the one range-checking mechanism;
- :mod:`.limits`: the largest sizes computed (agents per interval, contacts per simulation run).
"""
from .checks import as_count_array, as_float_array, broadcast, check_number, short
from .executor import check_executor, executor_workers, map_jobs
from .hours import WEEKDAYS, OpeningHours, parse_hours
from .limits import MAX_AGENTS_PER_INTERVAL, MAX_CONTACTS_PER_RUN, MAX_VOLUME_PER_INTERVAL
from .queue_model import CHAT_ROUTINGS, QueueModel
from .targets import ASA_DEFINITIONS, OCCUPANCY_DEFINITIONS, SL_DEFINITIONS, TARGET_NAMES, TARGET_SPECS, Targets, TargetSpec

__all__ = [
    "Targets", "TargetSpec", "TARGET_SPECS", "TARGET_NAMES", "SL_DEFINITIONS", "ASA_DEFINITIONS", "OCCUPANCY_DEFINITIONS",
    "QueueModel", "CHAT_ROUTINGS", "OpeningHours", "parse_hours", "WEEKDAYS",
    "map_jobs", "check_executor", "executor_workers",
    "check_number", "as_float_array", "as_count_array", "broadcast", "short",
    "MAX_AGENTS_PER_INTERVAL", "MAX_CONTACTS_PER_RUN", "MAX_VOLUME_PER_INTERVAL",
]
