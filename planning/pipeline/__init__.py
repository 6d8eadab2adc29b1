"""The planning pipeline: history -> window -> forecast -> requirements -> simulation -> headcount.

``run_plan(config)`` does the whole chain for every queue of a plan, stores the run (one
transaction) and exports its tables. Each stage is also usable on its own, in the order of the flow:

- :mod:`.history`  :func:`load_histories` read, validate and resample each queue's history
  (+ fingerprints, :func:`history_warnings`);
- :mod:`.window`   :func:`plan_window` the forecast start (``as_of``), end and the history window;
- :mod:`.stages`   :func:`forecast_queues` forecast per queue (automatic model choice, prediction
  intervals); :func:`requirements_for` agents per interval from the analytic queueing model;
  :func:`simulate_plan` simulation check of the plan (and refinement where it misses);
- :func:`planning.headcount.headcount` FTE per queue and week;
- :mod:`.schedule` :func:`schedule_plan` (when the plan has ``[schedule]``) shifts with placed breaks,
  rosters and headcount from the roster, checked by simulation with drawn absence
  (:mod:`.roster_check`);
- :mod:`.run`      :func:`run_plan` all of it, stored and exported (:class:`PlanResult`).

The stage functions call ``forecast`` and ``simulation``; those packages never import this one.
"""
from .history import OUTLIER_FACTOR, data_fingerprint, file_sha256, history_warnings, load_histories, read_queue_history
from .roster_check import check_roster_plan
from .run import TABLES, PlanResult, code_fingerprint, new_run_id, plan_summary, run_plan
from .schedule import SCHEDULE_TABLES, ScheduleResult, WeekSchedule, schedule_plan, schedule_requirement, schedule_weeks
from .stages import (
    MAX_REFINE_ROUNDS,
    REQ_METRICS,
    SimulationJob,
    forecast_queues,
    interval_gaps,
    open_blocks,
    queue_model,
    queue_targets,
    requirements_for,
    scheduled_from,
    simulate_block,
    simulate_plan,
    simulation_jobs,
    simulation_kwargs,
)
from .window import first_day_to_forecast, history_window, plan_window

__all__ = [
    "PlanResult",
    "ScheduleResult",
    "WeekSchedule",
    "schedule_plan",
    "schedule_requirement",
    "schedule_weeks",
    "check_roster_plan",
    "SCHEDULE_TABLES",
    "run_plan",
    "load_histories",
    "read_queue_history",
    "history_warnings",
    "plan_window",
    "history_window",
    "first_day_to_forecast",
    "forecast_queues",
    "requirements_for",
    "queue_model",
    "queue_targets",
    "scheduled_from",
    "simulate_plan",
    "SimulationJob",
    "simulation_jobs",
    "simulate_block",
    "simulation_kwargs",
    "open_blocks",
    "interval_gaps",
    "data_fingerprint",
    "file_sha256",
    "code_fingerprint",
    "new_run_id",
    "plan_summary",
    "TABLES",
    "REQ_METRICS",
    "MAX_REFINE_ROUNDS",
    "OUTLIER_FACTOR",
]
