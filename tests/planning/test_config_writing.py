"""The plan TOML writer: what it writes reads back as the same document, and a plan saved and
loaded again is the same plan."""
from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from planning.config import load_config, parse_config
from planning.config.writing import dumps, toml_key, toml_value

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "data" / "plan.toml"

keys = st.text(min_size=1, max_size=8)
scalars = (st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(max_size=12) | st.dates() | st.datetimes(max_value=dt.datetime(9999, 1, 1)))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(keys, inner, max_size=3), max_leaves=8)
documents = st.dictionaries(keys, values | st.dictionaries(keys, values, max_size=4), max_size=5)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_what_is_written_reads_back_as_the_same_document(doc):
    assert tomllib.loads(dumps(doc)) == doc


@pytest.mark.parametrize("value, text", [
    (True, "true"), (3, "3"), (0.1, "0.1"), (1e-07, "1e-07"), ("a\"b\\c\n", '"a\\"b\\\\c\\n"'),
    (dt.date(1999, 12, 1), "1999-12-01"), ([360.0, 450.0], "[360.0, 450.0]"), ({"p_wait": 0.05}, "{ p_wait = 0.05 }"),
    ("\x01", '"\\u0001"'),
])
def test_values(value, text):
    assert toml_value(value) == text


def test_keys_are_bare_when_they_can_be():
    assert toml_key("aht_s") == "aht_s" and toml_key("my queue") == '"my queue"' and toml_key("é") == '"é"'


@pytest.mark.parametrize("bad", [None, float("nan"), float("inf"), object()])
def test_values_toml_cannot_hold_are_refused(bad):
    with pytest.raises(TypeError):
        toml_value(bad)


def test_header_comment_and_table_layout():
    text = dumps({"plan": {"name": "x"}, "queues": {"voice": {"aht_s": 210.0, "hours": {"sun": "07:00-24:00"}}}},
                 header="saved from the dashboard\nsecond line")
    assert text.startswith("# saved from the dashboard\n# second line\n")
    assert "[queues.voice]\naht_s = 210.0\n\n[queues.voice.hours]\nsun = \"07:00-24:00\"\n" in text


def test_the_bundled_plan_round_trips(tmp_path):
    plan = load_config(PLAN)
    text = dumps(plan.raw)
    assert tomllib.loads(text) == plan.raw
    saved = tmp_path / "plan.toml"
    saved.write_text(text, encoding="utf-8")
    again = parse_config(tomllib.loads(text), base_dir=PLAN.parent, source=PLAN)
    assert again == plan
    assert again.config_hash() == plan.config_hash()
