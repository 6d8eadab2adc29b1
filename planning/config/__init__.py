"""Plan configuration: a TOML file describing the center, validated before any work starts.

Layout (see ``data/plan.toml`` for a working example)::

    [plan]        name, timezone, interval_min, week_start, store, output_dir
    [forecast]    model, horizon_days, history_weeks, as_of, country, backtest_origins,
                  backtest_horizon_days
    [simulation]  enabled, refine, replications, seed, rate_cv, days
    [headcount]   paid_hours_per_week
    [defaults]    any per-queue setting (shrinkage, max_occupancy, patience_s, targets, hours...)
    [queues.NAME] kind, history, time_col, time_format, volume_col, aht_col, queue_col, queue_value,
                  history_tz, aht_s, shrinkage (or shrinkage_planned + shrinkage_unplanned),
                  max_occupancy, patience_s, concurrency,
                  aht_by_concurrency_s, min_agents, targets = {...}, hours = {...}

    [schedule]    shift rules (templates, contracts, weekly, costs, coverage) and what to schedule
                  (queues, weeks, time_limit_s, roster, seed, check): :mod:`.schedule`

``targets = {...}`` takes the service targets of ``core.TARGET_SPECS`` (service_level, asa_s,
p_wait, abandon_rate) with ``awt_s`` and ``sl_definition``; the queue key ``max_occupancy`` lands
in ``QueueConfig.targets.max_occupancy``. ``QueueConfig.model`` is the queue's ``core.QueueModel``.

Paths: ``history`` files are relative to the config file's directory; ``store`` (a SQLite path)
and ``output_dir`` are relative to the working directory of the run.

``queue_value`` without ``queue_col`` filters the column named ``queue`` (the column
``forecast.read_history`` picks up by itself).

Every problem found is reported at once, each naming its key (``queues.chat.targets.p_wait``)
and what was expected; :class:`ConfigError` carries the list. A bad value inherited from
``[defaults]`` is reported once, as ``defaults.<key>``, with the queues that use it.

Modules: :mod:`.schema` (keys, types and ranges: pydantic), :mod:`.loading` (reading the TOML,
the defaults rule), :mod:`.objects` (``PlanConfig``, ``QueueConfig``), :mod:`.problems` (errors).
"""
# Opening hours and targets live in core (one rule, one list for every layer); re-exported here.
from core.hours import WEEKDAYS, OpeningHours, parse_hours
from core.targets import Targets

from .loading import load_config, parse_config, read_toml, simulation_with
from .objects import PlanConfig, QueueConfig, config_hash
from .problems import ConfigError, InputError
from .schedule import ScheduleConfig
from .schema import ForecastConfig, HeadcountConfig, SimulationConfig

__all__ = [
    "ConfigError",
    "InputError",
    "OpeningHours",
    "Targets",
    "QueueConfig",
    "ForecastConfig",
    "SimulationConfig",
    "HeadcountConfig",
    "ScheduleConfig",
    "PlanConfig",
    "load_config",
    "parse_config",
    "simulation_with",
    "read_toml",
    "parse_hours",
    "WEEKDAYS",
    "config_hash",
]
