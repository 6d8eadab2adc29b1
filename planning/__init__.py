"""staffcast planning: the plan configuration, the pipeline, the run store and the command line.

    from planning import load_config, run_plan
    result = run_plan(load_config("data/plan.toml"))       # forecast -> requirements -> simulation -> FTE
    result.headcount                                        # FTE per queue and week

Scenarios for finance and chat windows: ``load_study``/``run_study`` and ``chat_windows``.

Command line: ``staffcast run --config data/plan.toml`` (see ``planning.cli``).

Packages, in the order of the flow: ``pipeline`` (history -> window -> stages -> run), ``store``
(runs and studies), ``scenarios`` (study -> what-ifs -> evaluation -> finance -> analysis, sweeps),
``chat_windows`` (grid -> solver -> windows), ``cli`` (one module per command).
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
from .chat_windows import ChatWindowsResult, agent_hours_for_hours, chat_week_grid, chat_windows, solve_windows
from .scenarios import (
    Deflection,
    Money,
    Scenario,
    Study,
    StudyResult,
    Surge,
    annuity_factor,
    apply_deflection,
    apply_outsourcing,
    apply_surges,
    apply_volume_change,
    break_even,
    export_study,
    idle_capacity,
    load_saved_study,
    load_study,
    parse_study,
    queue_finance,
    run_study,
    save_study,
    scenario_finance,
    scenario_operations,
    sensitivity,
    study_forecast,
    sweep,
)

__all__ = [
    "ConfigError", "InputError", "PlanConfig", "QueueConfig", "Targets", "OpeningHours", "ForecastConfig",
    "SimulationConfig", "HeadcountConfig", "load_config", "parse_config", "parse_hours",
    "PlanResult", "run_plan", "load_histories", "plan_window", "forecast_queues", "requirements_for",
    "simulate_plan", "headcount", "RunStore", "RunRecord", "StoreError", "StoreBusyError", "resolve_store_url",
    "score_forecast", "score_runs", "export_run", "write_frame", "Progress",
    "ChatWindowsResult", "chat_windows", "agent_hours_for_hours", "chat_week_grid", "solve_windows",
    "Money", "queue_finance", "annuity_factor",
    "Scenario", "Study", "StudyResult", "load_study", "parse_study", "run_study", "study_forecast",
    "scenario_operations", "scenario_finance", "break_even", "sensitivity", "sweep", "save_study",
    "load_saved_study", "export_study",
    "Deflection", "Surge", "apply_deflection", "apply_surges", "apply_volume_change", "apply_outsourcing",
    "idle_capacity",
]
