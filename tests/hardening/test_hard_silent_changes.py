"""No silent changes to data: mixed interval lengths, fractional or zero agents with contacts and
conflicting handle-time settings are refused, naming the rows, column or keys."""
from __future__ import annotations

import pandas as pd
import pytest

from forecast import read_history
from planning.config import ConfigError, load_config

from hard_helpers import run_cli


def _mixed(morning="30min", afternoon="15min"):
    m = pd.date_range("2000-01-03 08:00", "2000-01-03 12:00", freq=morning, inclusive="left")
    a = pd.date_range("2000-01-03 12:00", "2000-01-03 20:00", freq=afternoon, inclusive="left")
    return pd.DataFrame({"interval_start": m.append(a).strftime("%Y-%m-%d %H:%M"), "volume": 4})


def test_mixed_30_and_15_minute_rows_are_refused(tmp_path):
    path = tmp_path / "mixed.csv"
    _mixed().to_csv(path, index=False)
    with pytest.raises(ValueError, match="mixes interval lengths") as e:
        read_history(path)
    assert str(path) in str(e.value) and "row 2" in str(e.value) and "1800 s apart" in str(e.value)


def test_mixed_rows_refused_with_a_given_interval_and_per_queue():
    df = _mixed()
    df["queue"] = "a"
    other = df.copy()
    other["queue"] = "b"
    other["interval_start"] = pd.date_range("2000-01-03 08:00", periods=len(df), freq="15min").strftime("%Y-%m-%d %H:%M")
    with pytest.raises(ValueError, match="mixes interval lengths"):
        read_history(pd.concat([other, df], ignore_index=True), interval_s=900)


@pytest.mark.parametrize("gap_h", [1, 3])
def test_one_closed_gap_is_not_mixed_lengths(gap_h):
    t = pd.date_range("2000-01-03 08:00", "2000-01-03 12:00", freq="15min", inclusive="left")
    t = t.append(pd.date_range(f"2000-01-03 {12 + gap_h}:00", "2000-01-03 20:00", freq="15min", inclusive="left"))
    h = read_history(pd.DataFrame({"interval_start": t, "volume": 1.0}))
    assert h.attrs["interval_s"] == 900 and len(h) == len(t)


def _plan(tmp_path, agents, volume):
    t = pd.date_range("2000-01-03 08:00", periods=len(agents), freq="30min")
    path = tmp_path / "plan.csv"
    pd.DataFrame({"interval_start": t, "volume": volume, "agents": agents}).to_csv(path, index=False)
    return path


def test_fractional_agents_refused_naming_row_and_column(tmp_path):
    path = _plan(tmp_path, [2, 3.5, 4, 1], [10, 20, 30, 5])
    code, out, err = run_cli("simulate", "--plan", path, "--aht-s", "180", "--service-level", "0.8")
    assert code == 2 and out == ""
    assert str(path) in err and "'agents'" in err and "fractional" in err and "2000-01-03 08:30:00" in err


def test_zero_agents_with_contacts_refused(tmp_path):
    path = _plan(tmp_path, [0, 0, 0, 0], [10, 20, 30, 5])
    code, out, err = run_cli("simulate", "--plan", path, "--aht-s", "180", "--service-level", "0.8")
    assert code == 2 and out == "" and "0 agents on intervals with contacts" in err and "'agents'" in err


def test_zero_agents_on_closed_intervals_still_simulates(tmp_path):
    path = _plan(tmp_path, [2, 3, 4, 0], [10, 20, 30, 0])
    code, out, _ = run_cli("simulate", "--plan", path, "--aht-s", "180", "--service-level", "0.8",
                           "--replications", "2", "-q")
    assert code == 0 and len(out.splitlines()) > 1


def test_conflicting_handle_times_named(plan_file):
    path = plan_file(("concurrency = 3", "concurrency = 3\naht_s = 300.0"))
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert "queues.chat.aht_s" in str(e.value) and "aht_by_concurrency_s" in str(e.value)


def test_conflicting_handle_times_from_defaults_named(plan_file):
    path = plan_file(("shrinkage_unplanned = 0.20 ", "shrinkage_unplanned = 0.20\naht_s = 200.0 "),
                     ("aht_s = 210.0", "aht_s = 200.0"))
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert "defaults.aht_s" in str(e.value) and "chat" in str(e.value)


def test_two_one_chat_handle_times_are_refused_even_when_they_agree(plan_file):
    """aht_by_concurrency_s[0] is the one-chat time: a second one (aht_s) is refused, not picked."""
    with pytest.raises(ConfigError) as e:
        load_config(plan_file(("concurrency = 3", "concurrency = 3\naht_s = 360.0")))
    assert "queues.chat.aht_s" in str(e.value) and "aht_by_concurrency_s" in str(e.value)


@pytest.mark.parametrize("cell", ["/1", "2000", "-1", "2000-01", "0000-01-03 09:00"])
def test_odd_times_pandas_would_accept_are_refused(tmp_path, cell):
    path = tmp_path / "h.csv"
    path.write_text(f"interval_start,volume\n2000-01-03 08:00,1\n{cell},2\n2000-01-03 09:00,3\n")
    with pytest.raises(ValueError, match="unparseable times") as e:
        read_history(path)
    assert str(path) in str(e.value) and "row 3" in str(e.value) and "'interval_start'" in str(e.value)
