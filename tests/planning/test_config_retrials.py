"""Plan TOML: the per-queue redial and callback settings reach core.QueueModel, and bad values are
refused naming the key and the expected range."""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from planning.config import ConfigError, parse_config

DATA = Path(__file__).resolve().parents[2] / "data"
RAW = tomllib.loads((DATA / "plan.toml").read_text())


def parse(**voice):
    doc = copy.deepcopy(RAW)
    doc["queues"]["voice"].update(voice)
    return parse_config(doc, base_dir=DATA)


def test_settings_reach_the_queue_model():
    plan = parse(retrial_prob=0.4, retrial_delay_s=600, callback_threshold_s=90, callback_accept_prob=0.5,
                 callback_promise_s=1800)
    m = plan.queues["voice"].model
    assert (m.retrial_prob, m.retrial_delay_s, m.callback_threshold_s, m.callback_accept_prob,
            m.callback_promise_s) == (0.4, 600.0, 90.0, 0.5, 1800.0)
    assert m.retries and m.offers_callbacks


def test_defaults_leave_todays_model():
    m = parse().queues["voice"].model
    assert m.retrial_prob == 0.0 and m.callback_accept_prob == 0.0
    assert not m.retries and not m.offers_callbacks


def test_defaults_table_sets_them_for_every_queue():
    doc = copy.deepcopy(RAW)
    doc.setdefault("defaults", {})["retrial_prob"] = 0.3
    plan = parse_config(doc, base_dir=DATA)
    assert all(q.model.retrial_prob == 0.3 for q in plan.queues.values())


@pytest.mark.parametrize("key, value, message", [
    ("retrial_prob", 1.0, "out of range: 1.0; expected [0.0, 1.0)"),
    ("retrial_prob", -0.1, "out of range: -0.1; expected [0.0, 1.0)"),
    ("retrial_delay_s", 0.0, "out of range: 0.0; expected (0.0, 86400.0]"),
    ("callback_threshold_s", -5.0, "out of range: -5.0; expected [0.0, 86400.0]"),
    ("callback_accept_prob", 1.5, "out of range: 1.5; expected [0.0, 1.0]"),
    ("callback_promise_s", 0.0, "out of range: 0.0; expected (0.0, 604800.0]"),
])
def test_bad_values_are_refused_by_key(key, value, message):
    with pytest.raises(ConfigError) as info:
        parse(**{key: value})
    found = dict(info.value.problems)
    assert found == {f"queues.voice.{key}": message}


def test_a_string_is_not_a_share():
    with pytest.raises(ConfigError) as info:
        parse(retrial_prob="half")
    assert "queues.voice.retrial_prob" in dict(info.value.problems)


def test_the_pipeline_staffs_and_simulates_with_them():
    import numpy as np
    import pandas as pd

    from planning.pipeline.stages import requirements_for, simulation_kwargs

    base = parse().queues["voice"]
    redial = parse(retrial_prob=0.6, retrial_delay_s=600, callback_accept_prob=0.5).queues["voice"]
    starts = pd.date_range("1999-12-01 10:00", periods=6, freq="30min")
    forecast = pd.DataFrame({"interval_start": starts, "volume": [60, 120, 180, 150, 90, 45.0], "aht_s": 240.0})
    plain = requirements_for(base, forecast, 1800)
    more = requirements_for(redial, forecast, 1800)
    assert (more["agents"] >= plain["agents"]).all() and more["agents"].sum() > plain["agents"].sum()
    kw = simulation_kwargs(redial, more)
    assert kw["queue"].retrial_prob == 0.6 and kw["queue"].callback_accept_prob == 0.5
    assert np.isclose(kw["queue"].retrial_delay_s, 600)


def test_the_staffing_page_names_them():
    from planning.views.staffing import queue_model_text

    assert queue_model_text(parse().queues["voice"]) == "Erlang A (patience 180 s)"
    text = queue_model_text(parse(retrial_prob=0.4, callback_accept_prob=0.5).queues["voice"])
    assert "40% of those who hang up redial after 300 s on average" in text
    assert "callbacks (simulation) above 120 s expected wait, 50% accept, promised within 3600 s" in text
