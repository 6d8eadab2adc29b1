"""The plan's ``[schedule]`` section and the shrinkage split: every problem at once, named by its
dotted key; the scheduling library's rule problems reported through ConfigError."""
import copy
import tomllib
from pathlib import Path

import pytest

from planning.config import ConfigError, parse_config

DATA = Path(__file__).resolve().parents[2] / "data"
RAW = tomllib.loads((DATA / "plan.toml").read_text())


def raw():
    return copy.deepcopy(RAW)


def problems(doc) -> dict:
    with pytest.raises(ConfigError) as info:
        parse_config(doc, base_dir=DATA)
    return dict(info.value.problems)


def test_the_bundled_schedule_is_valid():
    cfg = parse_config(raw(), base_dir=DATA)
    sc = cfg.schedule
    assert sc.queues == ("voice", "chat") and sc.weeks == 1 and sc.roster is None and sc.check
    assert sc.check_draws == 24
    rules = sc.rules
    assert [t.length_h for t in rules.templates] == [4, 6, 8, 9]
    assert {k.name: (k.min_hours_per_week, k.max_hours_per_week) for k in rules.contracts} == {
        "full_time": (32, 40), "part_time": (20, 30)}
    assert rules.weekly.days_off == 2 and rules.weekly.max_shifts_per_week == 5 and rules.weekly.min_rest_h == 11
    assert rules.weekly.late_threshold_min == 22 * 60 and rules.weekly.max_late_shifts_per_week == 2
    assert {p.name for p in rules.costs.premiums} == {"evening", "night"}
    assert any(not b.paid for b in rules.template("8h").breaks)  # the meal
    assert parse_config({k: v for k, v in raw().items() if k != "schedule"}, base_dir=DATA).schedule is None


def test_every_schedule_problem_is_named_by_its_dotted_key():
    doc = raw()
    sc = doc["schedule"]
    sc["templates"][0]["breaks"].append({"length_min": -5, "earliest_offset_min": 10, "latest_offset_min": 20})
    sc["weekly"]["days_of"] = 2
    sc["contracts"][1]["max_hours_per_week"] = 10.0
    sc.update(weeks=0, queus=["voice"], queues=["voice", "email"], time_limit_s="fast", check_draws=1)
    found = problems(doc)
    assert found["schedule.templates[0].breaks[1].length_min"] == "expected > 0, got -5"
    assert found["schedule.weekly.days_of"].startswith("unknown key")
    assert found["schedule.contracts[1].max_hours_per_week"] == "expected >= min_hours_per_week (20.0), got 10.0"
    assert found["schedule.weeks"] == "out of range: 0; expected [1, 8]"
    assert found["schedule.queus"].startswith("unknown key (did you mean 'queues'?)")
    assert found["schedule.queues[1]"] == "no queue 'email'; expected one of voice, chat"
    assert found["schedule.time_limit_s"].startswith("expected a number")
    assert found["schedule.check_draws"] == "out of range: 1; expected >= 2"
    assert len(found) == 8


def test_a_bad_contract_is_reported_once():
    doc = raw()
    doc["schedule"]["contracts"][1]["max_hours_per_week"] = 10.0
    assert problems(doc) == {"schedule.contracts[1].max_hours_per_week":
                             "expected >= min_hours_per_week (20.0), got 10.0"}


def test_schedule_must_be_a_table_and_the_roster_file_must_exist(tmp_path):
    doc = raw()
    doc["schedule"] = 3
    assert problems(doc) == {"schedule": "expected a table [schedule], got int"}
    doc = raw()
    doc["schedule"]["roster"] = "agents.csv"
    assert problems(doc)["schedule.roster"] == f"roster file not found: {DATA / 'agents.csv'}"
    (tmp_path / "agents.csv").write_text("agent_id,contract\nA1,full_time\n")
    doc["schedule"]["roster"] = str(tmp_path / "agents.csv")
    assert parse_config(doc, base_dir=DATA).schedule.roster == tmp_path / "agents.csv"


def test_the_shrinkage_split_compounds_to_the_total():
    doc = raw()
    cfg = parse_config(doc, base_dir=DATA)
    voice = cfg.queues["voice"]
    assert (voice.shrinkage_planned, voice.shrinkage_unplanned, voice.shrinkage) == (0.125, 0.20, 0.30)
    doc["queues"]["chat"].update(shrinkage_planned=0.10)  # the other part is 0
    chat = parse_config(doc, base_dir=DATA).queues["chat"]
    assert (chat.shrinkage_planned, chat.shrinkage_unplanned, chat.shrinkage) == (0.10, 0.0, 0.10)
    doc["queues"]["chat"] = {**RAW["queues"]["chat"], "shrinkage": 0.25}  # the old style replaces the defaults'
    chat = parse_config(doc, base_dir=DATA).queues["chat"]
    assert (chat.shrinkage_planned, chat.shrinkage_unplanned, chat.shrinkage) == (None, None, 0.25)


def test_shrinkage_given_in_both_styles_must_agree():
    doc = raw()
    doc["queues"]["voice"].update(shrinkage=0.30, shrinkage_planned=0.125, shrinkage_unplanned=0.20)
    assert parse_config(doc, base_dir=DATA).queues["voice"].shrinkage == 0.30
    doc["queues"]["voice"]["shrinkage"] = 0.325  # 12.5 + 20 added, not compounded
    msg = problems(doc)["queues.voice.shrinkage"]
    assert "0.325 is not the total of shrinkage_planned 0.125 and shrinkage_unplanned 0.2" in msg and "= 0.3" in msg
    doc = raw()
    doc["defaults"]["shrinkage"] = 0.5
    assert "shrinkage_planned" in problems(doc)["defaults.shrinkage"]


def test_a_scheduled_queue_without_the_split_is_grossed_up_by_the_total():
    from planning.pipeline.roster_check import unplanned_share

    doc = raw()
    doc["queues"]["voice"]["shrinkage"] = 0.30
    cfg = parse_config(doc, base_dir=DATA)
    assert cfg.queues["voice"].shrinkage_unplanned is None and unplanned_share(cfg.queues["voice"]) == 0.30
    assert unplanned_share(cfg.queues["chat"]) == 0.20
