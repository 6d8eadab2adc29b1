"""The plan TOML schema (planning.config, pydantic): every problem at once, each named by its key;
non-finite numbers and wrong types refused by name; the [defaults] rule; the core objects."""
from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path

import pytest

import core
from planning.config import (ConfigError, PlanConfig, QueueConfig, SimulationConfig, Targets, parse_config,
                             simulation_with)

DATA = Path(__file__).resolve().parents[2] / "data"
RAW = tomllib.loads((DATA / "plan.toml").read_text())


def raw() -> dict:
    return copy.deepcopy(RAW)


def problems(doc: dict) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        parse_config(doc, base_dir=DATA)
    keys = [k for k, _ in info.value.problems]
    assert len(keys) == len(set(keys)), info.value.problems  # each key once
    return dict(info.value.problems)


def test_every_bad_key_is_reported_at_once():
    doc = raw()
    doc["plan"].update(interval_min=7, week_start="monday", colour="blue")
    doc["forecast"].update(horizon_days=0, as_of="soon")
    doc["simulation"].update(replications=0)
    doc["headcount"]["paid_hours_per_week"] = 200.0
    doc["queues"]["voice"].update(history="nope.csv", shrinkage=1.0, concurrency=2, hours={"mon": "9-5"})
    doc["queues"]["chat"]["targets"].update(p_wait=0, asa_s=-1)
    doc["queues"]["chat"]["aht_by_concurrency_s"] = [300.0, 400.0]
    found = problems(doc)
    assert set(found) == {
        "plan.interval_min", "plan.week_start", "plan.colour", "forecast.horizon_days", "forecast.as_of",
        "simulation.replications", "headcount.paid_hours_per_week", "queues.voice.history",
        "queues.voice.shrinkage", "queues.voice.concurrency", "queues.voice.hours.mon",
        "queues.chat.targets.p_wait", "queues.chat.targets.asa_s", "queues.chat.aht_by_concurrency_s",
    }, found
    assert found["plan.interval_min"] == "7 does not divide a day (1440 minutes); use e.g. 15, 30 or 60"
    assert found["plan.colour"].startswith("unknown key; allowed: interval_min, name")
    assert found["plan.week_start"] == ("expected one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', "
                                        "got 'monday'")
    assert found["headcount.paid_hours_per_week"] == "out of range: 200.0; expected (0.0, 168.0]"
    assert found["queues.chat.targets.asa_s"] == "out of range: -1.0; expected > 0.0"
    assert found["queues.chat.aht_by_concurrency_s"] == "has 2 value(s); expected one per concurrency level 1..3"


@pytest.mark.parametrize("section, key", [
    ("headcount", "paid_hours_per_week"), ("simulation", "rate_cv"), ("queues.voice", "patience_s"),
    ("queues.voice", "aht_s"), ("queues.chat.targets", "p_wait"), ("queues.voice", "max_occupancy"),
])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_naming_the_key(section, key, value):
    doc = raw()
    table = doc
    for part in section.split("."):
        table = table[part]
    table[key] = value
    found = problems(doc)
    assert found == {f"{section}.{key}": f"expected a finite number, got {value!r}"}


@pytest.mark.parametrize("key, value, message", [
    ("plan.interval_min", "30", "expected an integer, got str '30'"),
    ("plan.interval_min", 30.5, "expected an integer, got float 30.5"),
    ("plan.timezone", 3, "expected a string, got int 3"),
    ("simulation.enabled", "yes", "expected true or false, got str 'yes'"),
    ("simulation.seed", True, "expected an integer, got bool True"),
    ("queues.voice.shrinkage", "30%", "expected a number, got str '30%'"),
    ("queues.voice.shrinkage", False, "expected a number, got bool False"),
    ("queues.voice.targets", "80/20", "expected a table, got str '80/20'"),
    ("queues.voice.hours", "always", 'expected a table of weekday = "HH:MM-HH:MM", got str \'always\''),
    ("queues.voice.kind", "email", "expected one of 'voice', 'chat', got 'email'"),
    ("queues.chat.aht_by_concurrency_s", 360, "expected an array, got int 360"),
    ("queues.chat.aht_by_concurrency_s", [360, "x", 500], "value no. 2: expected a number, got str 'x'"),
])
def test_wrong_types_are_named(key, value, message):
    doc = raw()
    *path, last = key.split(".")
    table = doc
    for part in path:
        table = table[part]
    table[last] = value
    assert problems(doc)[key] == message


def test_sections_that_are_not_tables_and_unknown_sections():
    doc = raw()
    doc["forecast"] = [1, 2]
    doc["rostering"] = {}  # ("schedule" is a section now)
    doc["queues"]["voice"] = 3
    found = problems(doc)
    assert found["forecast"] == "expected a table [forecast], got list"
    assert found["queues.voice"] == "expected a table [queues.voice], got int"
    assert found["rostering"].startswith("unknown key; allowed: defaults, forecast, headcount, plan")


def test_whole_numbers_are_integers_and_integers_are_numbers():
    doc = raw()
    doc["plan"]["interval_min"] = 30.0
    doc["queues"]["voice"]["shrinkage"] = 0
    cfg = parse_config(doc, base_dir=DATA)
    assert cfg.interval_s == 1800 and type(cfg.interval_min) is int
    assert cfg.queues["voice"].shrinkage == 0.0 and type(cfg.queues["voice"].shrinkage) is float


def test_a_bad_default_is_reported_once_with_the_queues_that_use_it():
    doc = raw()
    doc["defaults"].update(shrinkage=math.nan, targets={"awt_s": -5, "service_leve": 0.8})
    found = problems(doc)
    assert found == {
        "defaults.shrinkage": "expected a finite number, got nan (used by queues voice, chat)",
        "defaults.targets.awt_s": "out of range: -5.0; expected >= 0.0 (used by queues chat)",  # voice sets it
        "defaults.targets.service_leve": "unknown key (did you mean 'service_level'?); allowed: abandon_rate, "
                                         "asa_s, awt_s, p_wait, service_level, sl_definition "
                                         "(used by queues voice, chat)",
    }
    doc["queues"]["chat"]["shrinkage"] = 0.2  # chat's own value: only voice uses the bad default
    doc["queues"]["chat"]["targets"]["awt_s"] = -1  # chat's own bad value keeps chat's key
    found = problems(doc)
    assert found["defaults.shrinkage"].endswith("(used by queues voice)")
    assert found["queues.chat.targets.awt_s"] == "out of range: -1.0; expected >= 0.0"
    assert "defaults.targets.awt_s" not in found


def test_the_target_keys_come_from_core():
    doc = raw()
    doc["queues"]["voice"]["targets"]["max_occupancy"] = 0.9  # a queue key, not a `targets` key
    found = problems(doc)
    allowed = found["queues.voice.targets.max_occupancy"].split("allowed: ")[1].split(", ")
    assert set(allowed) == (set(core.TARGET_NAMES) - {"max_occupancy"}) | {"awt_s", "sl_definition"}


def test_queue_config_holds_the_core_objects():
    cfg = parse_config(raw(), base_dir=DATA)
    assert Targets is core.Targets
    chat, voice = cfg.queues["chat"], cfg.queues["voice"]
    assert isinstance(chat.targets, core.Targets) and isinstance(chat.model, core.QueueModel)
    assert isinstance(chat.hours, core.OpeningHours)
    assert chat.targets.max_occupancy == chat.max_occupancy == 0.85  # [defaults] max_occupancy
    assert chat.targets.p_wait == 0.05 and chat.targets.asa_s == 10
    assert chat.model == core.QueueModel(patience_s=120.0, concurrency=3, aht_by_concurrency_s=(360, 450, 560))
    assert chat.model.model == "chat" and voice.model.model == "erlang_a"
    assert voice.model.aht_s == voice.aht_s == 210.0 and voice.mean_handle_s == 210.0
    with pytest.raises(AttributeError):
        voice.max_occupancy = 0.5  # read-only: it is targets.max_occupancy


def test_simulation_with_uses_the_schema_ranges_and_names_the_key():
    base = SimulationConfig()
    assert simulation_with(base, seed=7, days=2) == SimulationConfig(seed=7, days=2)
    assert simulation_with(base, seed=None) == base  # None keeps the base value
    with pytest.raises(ConfigError) as info:
        simulation_with(base, replications=0, rate_cv=math.nan, sead=1)
    assert dict(info.value.problems) == {
        "simulation.replications": "out of range: 0; expected [1, 10000]",
        "simulation.rate_cv": "expected a finite number, got nan",
        "simulation.sead": "unknown key (did you mean 'seed'?); allowed: days, enabled, rate_cv, refine, "
                           "replications, seed",
    }


def test_with_overrides_validates_again():
    cfg = parse_config(raw(), base_dir=DATA, source=DATA / "plan.toml")
    assert isinstance(cfg, PlanConfig)
    assert cfg.with_overrides(simulation={"replications": 3}).simulation.replications == 3
    with pytest.raises(ConfigError, match="simulation.replications: out of range: 0"):
        cfg.with_overrides(simulation={"replications": 0})


def test_a_plan_given_as_a_dict_keeps_its_folder_for_history_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative history paths must not resolve against the working folder
    cfg = parse_config(raw(), base_dir=DATA)  # no source file: a dict with its base folder
    for changed in (cfg.with_overrides(simulation={"replications": 3}), cfg.without_sections("schedule")):
        assert changed.queues["voice"].history == cfg.queues["voice"].history
        assert changed.queues["voice"].history.is_file()
    assert cfg.without_sections("schedule").schedule is None and cfg.schedule is not None


def test_queue_config_built_by_hand_needs_no_toml():
    q = QueueConfig(name="q", kind="voice", history=None, aht_s=200.0,
                    targets=Targets(service_level=0.8, max_occupancy=0.9))
    assert q.max_occupancy == 0.9 and q.model.aht_s == 200.0 and q.hours == core.OpeningHours()
