"""Shared helpers of the hardening corpus: generated plan / study files and an in-process CLI."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hard_helpers import DATA


@pytest.fixture
def plan_file(tmp_path):
    """``make(replacements)``: data/plan.toml with text replaced, written to tmp_path (histories
    resolved to data/). Returns its path."""
    def make(*repl, name="plan.toml"):
        text = (DATA / "plan.toml").read_text().replace('history = "', f'history = "{DATA}/')
        for old, new in repl:
            assert old in text, old
            text = text.replace(old, new)
        path = tmp_path / name
        path.write_text(text)
        return path
    return make


@pytest.fixture
def study_raw():
    """data/scenarios.toml parsed, with its plan path made absolute."""
    raw = tomllib.loads((DATA / "scenarios.toml").read_text())
    raw["study"]["plan"] = str(DATA / "plan.toml")
    return raw


