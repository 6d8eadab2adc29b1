"""The Scenarios page computes the study without the sensitivity's re-staffings first (volume and
handle time re-staff every interval of two scenarios twice: most of the study's time) and adds
them when asked: the two steps give exactly the table of the whole study."""
from __future__ import annotations

import pandas as pd

from planning import views as pv
from planning.config import load_config
from planning.scenarios import scenario_operations, sensitivity


def test_study_without_restaffing_then_restaffed_is_the_whole_study():
    cfg = pv.with_forecast_settings(load_config(pv.BUNDLED_PLAN), model="profile", horizon_days=7)
    hists = pv.plan_histories(cfg)
    fc = pv.combine_forecasts([pv.forecast_queue(cfg, hists, q)[0] for q in cfg.queues])
    study = pv.load_study_with(pv.BUNDLED_STUDY)
    assert pv.restaffing_assumptions(study) == ["volume", "aht"]
    quick = pv.run_study_for_dashboard(study, fc, restaff=False)
    assert not set(quick.sensitivity["assumption"]) & {"volume", "aht"}
    ops = {name: scenario_operations(scenario, fc) for name, scenario in study.scenarios.items()}
    whole = sensitivity(study, ops, fc, quick.period_days, executor="serial")  # as run_study computes it
    pd.testing.assert_frame_equal(pv.restaffed_sensitivity(study, quick, fc), whole)
