"""Scenarios for finance: the same forecast staffed and valued under different assumptions.

In the order of the flow:

- :mod:`.study`       a study TOML (``data/scenarios.toml``) read into :class:`Study` /
  :class:`Scenario` (:func:`load_study`, :func:`parse_study`);
- :mod:`.whatif`      demand what-ifs on a forecast (:class:`Deflection`, :class:`Surge`, ``apply_*``,
  :func:`idle_capacity`);
- :mod:`.evaluation`  one shared forecast (:func:`study_forecast`) staffed per scenario
  (:func:`scenario_operations`), the simulation check and the comparison table;
- :mod:`.finance`     cost, value and net value (:class:`Money`, :func:`queue_finance`,
  :func:`scenario_finance`);
- :mod:`.analysis`    :func:`break_even` and :func:`sensitivity`;
- :mod:`.sweeps`      :func:`sweep` over grids of assumptions (process pool or Dask);
- :mod:`.run`         :func:`run_study` all of it (:class:`StudyResult`), :func:`export_study` as CSV.

Studies are stored with :func:`planning.store.save_study` (re-exported here).
"""
from ..store.studies import load_saved_study, save_study
from .analysis import SensitivityJob, break_even, sensitivity
from .evaluation import comparison_table, period_days, scenario_operations, simulation_check, study_forecast
from .finance import FINANCE_COLUMNS, MONEY_KEYS, Money, annuity_factor, queue_finance, scenario_finance
from .run import StudyResult, export_study, run_study
from .study import OPERATIONAL_ASSUMPTIONS, CheckConfig, QueueScenario, Scenario, Study, load_study, parse_study
from .sweeps import SweepPoint, sweep
from .whatif import (
    Deflection,
    Surge,
    apply_deflection,
    apply_outsourcing,
    apply_surges,
    apply_volume_change,
    idle_capacity,
    surges_outside,
)

__all__ = [
    "Study",
    "Scenario",
    "QueueScenario",
    "CheckConfig",
    "StudyResult",
    "load_study",
    "parse_study",
    "study_forecast",
    "scenario_operations",
    "simulation_check",
    "comparison_table",
    "period_days",
    "scenario_finance",
    "run_study",
    "break_even",
    "sensitivity",
    "SensitivityJob",
    "sweep",
    "SweepPoint",
    "save_study",
    "load_saved_study",
    "export_study",
    "OPERATIONAL_ASSUMPTIONS",
    "Money",
    "MONEY_KEYS",
    "FINANCE_COLUMNS",
    "annuity_factor",
    "queue_finance",
    "Deflection",
    "Surge",
    "apply_volume_change",
    "apply_deflection",
    "apply_surges",
    "surges_outside",
    "apply_outsourcing",
    "idle_capacity",
]
