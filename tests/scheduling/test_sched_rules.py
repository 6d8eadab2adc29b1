"""Bad inputs raise ValueError naming the field."""
import numpy as np
import pandas as pd
import pytest

from scheduling import (Agent, BreakRule, Contract, RulesError, ScheduleRules, ShiftTemplate, WeeklyRules,
                        agents_from_frame, rules_from_dict, solve_cover)

GOOD = {
    "templates": [{"name": "8h", "length_h": 8, "earliest_start_min": "07:00", "latest_start_min": "16:00",
                   "breaks": [{"length_min": 30, "earliest_offset_min": 180, "latest_offset_min": 300,
                               "paid": False}]}],
    "contracts": [{"name": "ft", "min_hours_per_week": 30, "max_hours_per_week": 40, "hourly_cost": 20}],
    "weekly": {"days_off": 2, "consecutive_days_off": True, "late_threshold_min": "22:00"},
    "costs": {"premiums": [{"name": "night", "start_min": "22:00", "end_min": "06:00", "multiplier": 1.5}]},
}


def test_rules_from_dict_builds_rules():
    r = rules_from_dict(GOOD)
    assert r.templates[0].earliest_start_min == 420 and r.templates[0].paid_h == 7.5
    assert r.weekly.late_threshold_min == 1320 and r.costs.premiums[0].end_min == 360


def test_rules_from_dict_reports_every_problem_with_location():
    bad = {**GOOD, "coverage": "maybe", "extra": 1,
           "templates": [GOOD["templates"][0],
                         {"name": "x", "length_h": 8, "earliest_start_min": 600, "latest_start_min": 500,
                          "breaks": [{"length_min": -5, "earliest_offset_min": 60, "latest_offset_min": 90}]}],
           "contracts": [{"name": "ft", "min_hours_per_week": 30, "max_hours_per_week": 20, "hourly_cost": 20,
                          "typo": 3}],
           "weekly": {"days_off": 9}}
    with pytest.raises(ValueError) as err:
        rules_from_dict(bad)
    problems = err.value.problems
    expected = ["templates[1].breaks[0].length_min: expected > 0, got -5",
                "templates[1].latest_start_min: expected >= earliest_start_min (600), got 500",
                "contracts[0].typo: unknown key", "contracts[0].max_hours_per_week: expected >= min_hours_per_week",
                "weekly.days_off: expected <= 6, got 9", "coverage: expected 'hard' or 'soft'", "extra: unknown key"]
    for e in expected:
        assert any(p.startswith(e) for p in problems), (e, problems)
    with pytest.raises(ValueError, match=r"templates\[0\].name: required"):
        rules_from_dict({**GOOD, "templates": [{"length_h": 8, "earliest_start_min": 0, "latest_start_min": 0}]})


@pytest.mark.parametrize("build, field", [
    (lambda: BreakRule(0, 10, 20), "length_min"),
    (lambda: BreakRule(15, 60, 30), "latest_offset_min"),
    (lambda: ShiftTemplate("t", 0, 0, 10), "length_h"),
    (lambda: ShiftTemplate("t", 8, 0, 10, days=("mon", "funday")), "days"),
    (lambda: ShiftTemplate("t", 4, 0, 10, breaks=(BreakRule(15, 300, 330),)), r"breaks\[0\].earliest_offset_min"),
    (lambda: Contract("c", 10, 40, -1.0), "hourly_cost"),
    (lambda: Contract("c", 10, 40, 1.0, share=0.5, count=3), "count"),
    (lambda: WeeklyRules(days_off=1, consecutive_days_off=True), "consecutive_days_off"),
    (lambda: WeeklyRules(min_rest_h=-1), "min_rest_h"),
    (lambda: ScheduleRules((ShiftTemplate("t", 8, 0, 10, contracts=("nope",)),), (Contract("c", 0, 40, 1.0),)),
     r"templates\[0\].contracts\[0\]"),
    (lambda: ScheduleRules((ShiftTemplate("t", 8, 0, 10),), (Contract("a", 0, 40, 1, share=0.5),)), "contracts"),
    (lambda: Agent("a1", "ft", availability={"mon": (600, 500)}), "availability.mon"),
])
def test_dataclasses_name_the_bad_field(build, field):
    with pytest.raises(ValueError, match=rf"^{field}: expected|; {field}: expected"):
        build()


def rules():
    return ScheduleRules((ShiftTemplate("t", 4, 0, 600),), (Contract("c", 0, 40, 10.0),))


@pytest.mark.parametrize("frame, interval_s, field", [
    (pd.DataFrame({"interval_start": pd.date_range("2024-01-01", periods=3, freq="h"), "required": [1, -1, 0]}),
     3600, "requirement.required"),
    (pd.DataFrame({"interval_start": pd.date_range("2024-01-01 00:10", periods=3, freq="h"), "required": 1}),
     3600, "requirement.interval_start"),
    (pd.DataFrame({"interval_start": pd.date_range("2024-01-01", periods=3, freq="h"), "required": 1}),
     1000, "interval_s"),
    (pd.DataFrame({"when": [1], "required": [1]}), 3600, "requirement"),
])
def test_requirement_errors(frame, interval_s, field):
    with pytest.raises(ValueError, match=rf"^{field}"):
        solve_cover(frame, interval_s, rules())


def test_solver_argument_errors():
    df = pd.DataFrame({"interval_start": pd.date_range("2024-01-01", periods=3, freq="h"), "required": 1})
    with pytest.raises(ValueError, match="^coverage"):
        solve_cover(df, 3600, rules(), coverage="both")
    with pytest.raises(ValueError, match="^time_limit_s"):
        solve_cover(df, 3600, rules(), time_limit_s=0)
    r = ScheduleRules((ShiftTemplate("t", 4.25, 0, 600),), (Contract("c", 0, 40, 10.0),))
    with pytest.raises(ValueError, match=r"^templates\[0\].length_h: expected a multiple"):
        solve_cover(df, 3600, r)


def test_agents_from_frame_reports_bad_cells():
    frame = pd.DataFrame({"agent_id": ["a", "a", "b"], "contract": ["c", "c", "zz"], "skills": ["voice;chat", "", None],
                          "mon": ["08:00-16:00", "off", "8 to 4"]})
    with pytest.raises(ValueError) as err:
        agents_from_frame(frame, rules())
    text = str(err.value)
    assert "agents[1].agent_id" in text and "agents[2].contract" in text and "agents[2].mon" in text
    ok = agents_from_frame(frame.iloc[:1], rules())
    assert set(ok[0].skills) == {"chat", "voice"} and ok[0].window("mon") == (480, 960) and ok[0].window("tue") == (0, 2880)
