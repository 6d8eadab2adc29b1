"""staffcast planning: the plan configuration, the pipeline, the run store and the command line.

    from planning import load_config, run_plan
    result = run_plan(load_config("data/plan.toml"))       # forecast -> requirements -> simulation -> FTE
    result.headcount                                        # FTE per queue and week

Command line: ``staffcast run --config data/plan.toml`` (see ``planning.cli``).
"""
from .accuracy import score_forecast, score_runs
from .config import (
    ConfigError,
    ForecastConfig,
    HeadcountConfig,
    InputError,
    OpeningHours,
    PlanConfig,
    QueueConfig,
    SimulationConfig,
    Targets,
    load_config,
    parse_config,
    parse_hours,
)
from .exports import export_run, write_frame
from .headcount import headcount
from .pipeline import (
    PlanResult,
    forecast_queues,
    load_histories,
    plan_window,
    requirements_for,
    run_plan,
    simulate_plan,
)
from .progress import Progress
from .store import RunRecord, RunStore, StoreBusyError, StoreError, resolve_store_url

__all__ = [
    "ConfigError", "InputError", "PlanConfig", "QueueConfig", "Targets", "OpeningHours", "ForecastConfig",
    "SimulationConfig", "HeadcountConfig", "load_config", "parse_config", "parse_hours",
    "PlanResult", "run_plan", "load_histories", "plan_window", "forecast_queues", "requirements_for",
    "simulate_plan", "headcount", "RunStore", "RunRecord", "StoreError", "StoreBusyError", "resolve_store_url",
    "score_forecast", "score_runs", "export_run", "write_frame", "Progress",
]
