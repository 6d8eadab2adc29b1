"""Every public name that moved when ``planning`` was split into packages still imports from
``planning`` and from its old module path."""
import importlib

import pytest

import planning

OLD_PATHS = {
    "planning.pipeline": ["PlanResult", "run_plan", "load_histories", "read_queue_history", "plan_window",
                          "forecast_queues", "requirements_for", "simulate_plan", "data_fingerprint", "file_sha256",
                          "history_warnings", "simulation_kwargs", "scheduled_from", "code_fingerprint",
                          "history_window", "simulation_jobs", "simulate_block", "queue_model", "queue_targets"],
    "planning.store": ["RunStore", "RunRecord", "StoreBusyError", "StoreError", "resolve_store_url", "code_version",
                       "DEFAULT_STORE_URL", "SCHEMA_VERSION", "run_key", "metadata", "FRAME_TABLES"],
    "planning.scenarios": ["Study", "Scenario", "QueueScenario", "StudyResult", "load_study", "parse_study",
                           "study_forecast", "scenario_operations", "scenario_finance", "run_study", "break_even",
                           "sensitivity", "sweep", "save_study", "load_saved_study", "export_study",
                           "OPERATIONAL_ASSUMPTIONS"],
    "planning.chat_windows": ["WeekGrid", "WindowSolution", "ChatWindowsResult", "HoursCost", "chat_week_grid",
                              "solve_windows", "brute_force_windows", "chat_windows", "agent_hours_for_hours"],
    "planning.cli": ["main", "build_parser", "COMMANDS", "cmd_run", "cmd_forecast", "cmd_staff", "cmd_simulate",
                     "cmd_runs", "cmd_accuracy"],
    "planning.finance": ["Money", "MONEY_KEYS", "annuity_factor", "queue_finance", "FINANCE_COLUMNS"],
    "planning.whatif": ["Deflection", "Surge", "apply_volume_change", "apply_deflection", "apply_surges",
                        "surges_outside", "apply_outsourcing", "idle_capacity"],
}


@pytest.mark.parametrize("module", sorted(OLD_PATHS))
def test_old_module_paths_still_import(module):
    mod = importlib.import_module(module)
    missing = [name for name in OLD_PATHS[module] if not hasattr(mod, name)]
    assert not missing, f"{module} lost {missing}"


def test_every_name_of_planning_all_imports():
    assert [n for n in planning.__all__ if not hasattr(planning, n)] == []


def test_the_console_script_entry_point_is_the_cli_main():
    from planning.cli.dispatch import main

    assert importlib.import_module("planning.cli").main is main
