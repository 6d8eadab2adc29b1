"""Errors that name the file: non-UTF-8 / binary TOML, binary / ragged / latin-1 CSV and damaged
Parquet through the Python API, a store file that is not a database; long cells cut in messages."""
from __future__ import annotations

import os

import pytest

from forecast import read_history
from planning.config import ConfigError, InputError, load_config
from planning.scenarios.study import load_study
from planning.store import RunStore, StoreFileError

from hard_helpers import DATA, run_cli

TOML_BYTES = {
    "latin1": '[plan]\nname = "caf\xe9"\n'.encode("latin-1"),
    "binary": bytes(range(256)) * 4,
    "utf16": "[plan]\nname = 'x'\n".encode("utf-16"),
    "nul": b"[plan]\nname = 'a\x00b'\n",
}


@pytest.mark.parametrize("kind", sorted(TOML_BYTES))
@pytest.mark.parametrize("loader", [load_config, load_study], ids=["plan", "study"])
def test_bad_toml_bytes_name_the_file(tmp_path, kind, loader):
    path = tmp_path / f"{kind}.toml"
    path.write_bytes(TOML_BYTES[kind])
    with pytest.raises(ConfigError) as e:
        loader(path)
    assert str(path) in str(e.value)


def test_latin1_toml_names_line_and_byte(tmp_path):
    path = tmp_path / "p.toml"
    path.write_bytes(TOML_BYTES["latin1"])
    with pytest.raises(ConfigError, match=r"not UTF-8 text: byte 0xe9 at line 2"):
        load_config(path)


def test_cli_latin1_plan_exits_2_naming_the_file(tmp_path):
    path = tmp_path / "p.toml"
    path.write_bytes(TOML_BYTES["latin1"])
    code, _, err = run_cli("run", "--config", path, "--store", tmp_path / "s.sqlite")
    assert code == 2 and str(path) in err and "UTF-8" in err


CSV_BYTES = {
    "binary": (b"\x00\x01\x02PK" * 500, "binary data"),
    "ragged": (b"interval_start,volume\n2000-01-03 08:00,1\n2000-01-03 08:30,1,7\n", "line 3"),
    "latin1": ("interval_start,volume,queue\n2000-01-03 08:00,1,caf\xe9\n".encode("latin-1"), "line 2"),
    "utf16": ("interval_start,volume\n2000-01-03 08:00,1\n".encode("utf-16"), "UTF-8"),
}


@pytest.mark.parametrize("kind", sorted(CSV_BYTES))
def test_bad_csv_through_the_api_names_the_file(tmp_path, kind):
    data, where = CSV_BYTES[kind]
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(data)
    with pytest.raises(ValueError) as e:
        read_history(path)
    assert str(path) in str(e.value) and where in str(e.value)


def test_damaged_parquet_names_the_file(tmp_path):
    path = tmp_path / "h.parquet"
    path.write_bytes(b"PAR1 not really PAR1")
    with pytest.raises(ValueError, match="not a readable Parquet file") as e:
        read_history(path)
    assert str(path) in str(e.value)


def test_forecast_volume_on_a_ragged_path_names_it(tmp_path):
    from forecast import forecast_volume

    path = tmp_path / "r.csv"
    path.write_bytes(CSV_BYTES["ragged"][0])
    with pytest.raises(ValueError) as e:
        forecast_volume(path, "2000-02-01", "2000-02-02")
    assert str(path) in str(e.value)


def test_long_cell_is_cut_in_the_message(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("interval_start,volume\n2000-01-03 08:00," + "x" * 100_000 + "\n2000-01-03 08:30,1\n")
    with pytest.raises(ValueError) as e:
        read_history(path)
    msg = str(e.value)
    assert len(msg) < 600 and "100000 characters" in msg and "row 2" in msg and "'volume'" in msg


def test_long_toml_value_is_cut(plan_file):
    path = plan_file(('model = "auto"', 'model = ["' + "x" * 100_000 + '"]'))
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert "forecast.model" in str(e.value) and len(str(e.value)) < 800


def test_toml_integer_too_long_for_python_names_the_file(plan_file):
    path = plan_file(("horizon_days = 28", "horizon_days = " + "5" * 5000))
    with pytest.raises(ConfigError, match="not valid TOML") as e:
        load_config(path)
    assert str(path) in str(e.value)


@pytest.mark.parametrize("content", [b"hello, not a database" * 100, os.urandom(4096)], ids=["text", "random"])
def test_store_not_a_database(tmp_path, content):
    path = tmp_path / "runs.sqlite"
    path.write_bytes(content)
    with pytest.raises(StoreFileError) as e:
        RunStore(str(path))
    assert isinstance(e.value, InputError) and str(path) in str(e.value)
    assert "SELECT" not in str(e.value) and "sqlalche.me" not in str(e.value)
    code, _, err = run_cli("runs", "--store", path)
    assert code == 2 and str(path) in err and "sqlalche.me" not in err
    assert path.read_bytes() == content  # left as it was
