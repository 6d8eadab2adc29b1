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
# Names are imported on first use (PEP 562), so that ``staffcast --help`` and the dashboard's first
# page do not pay for pandas, SQLAlchemy and the engines before they need them.
from importlib import import_module as _import_module

_LAZY = {
    **dict.fromkeys((
        'score_forecast', 'score_runs'
    ), '.accuracy'),
    **dict.fromkeys((
        'ConfigError', 'ForecastConfig', 'HeadcountConfig', 'InputError', 'OpeningHours', 'PlanConfig',
        'QueueConfig', 'SimulationConfig', 'Targets', 'load_config', 'parse_config', 'parse_hours'
    ), '.config'),
    **dict.fromkeys((
        'export_run', 'write_frame'
    ), '.exports'),
    **dict.fromkeys((
        'headcount',
    ), '.headcount'),
    **dict.fromkeys((
        'PlanResult', 'forecast_queues', 'load_histories', 'plan_window', 'requirements_for', 'run_plan',
        'simulate_plan'
    ), '.pipeline'),
    **dict.fromkeys((
        'Progress',
    ), '.progress'),
    **dict.fromkeys((
        'RunRecord', 'RunStore', 'StoreBusyError', 'StoreError', 'resolve_store_url'
    ), '.store'),
    **dict.fromkeys((
        'ChatWindowsResult', 'agent_hours_for_hours', 'chat_week_grid', 'chat_windows', 'solve_windows'
    ), '.chat_windows'),
    **dict.fromkeys((
        'Deflection', 'Money', 'Scenario', 'Study', 'StudyResult', 'Surge', 'annuity_factor',
        'apply_deflection', 'apply_outsourcing', 'apply_surges', 'apply_volume_change', 'break_even',
        'export_study', 'idle_capacity', 'load_saved_study', 'load_study', 'parse_study', 'queue_finance',
        'run_study', 'save_study', 'scenario_finance', 'scenario_operations', 'sensitivity',
        'study_forecast', 'sweep'
    ), '.scenarios'),
}


def __getattr__(name: str):
    """Import the public name ``name`` from its module on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'planning' has no attribute {name!r}")
    value = getattr(_import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
