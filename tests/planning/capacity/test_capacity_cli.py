"""``staffcast capacity`` end to end on the bundled data (four months): summary, exports, run store."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planning.cli import main
from planning.store import RunStore
from planning.store.capacity import list_capacity, load_saved_capacity

DATA = Path(__file__).resolve().parents[3] / "data"


def test_capacity_cli_prints_exports_and_stores(tmp_path, capsys):
    raw = (DATA / "capacity.toml").read_text()
    raw = raw.replace('study = "scenarios.toml"', f'study = "{(DATA / "scenarios.toml").as_posix()}"')
    raw = raw.replace("months = 18 ", "months = 4 ")
    cfg = tmp_path / "capacity.toml"
    cfg.write_text(raw)
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    code = main(["capacity", "--config", str(cfg), "--store", url, "--out", str(tmp_path / "out"), "-q"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ILLUSTRATIVE" in out and "hiring MILP cost_center" in out and "gap" in out
    assert "scheduling efficiency 1.08" in out          # no stored schedule in this store: the stated default
    folder = next((tmp_path / "out").glob("capacity-*"))
    money = pd.read_parquet(folder / "money.parquet")
    assert sorted(money["month"].unique()) == ["2000-01", "2000-02", "2000-03", "2000-04"]
    assert set(money["strategy"]) == {"cost_center", "value_center"}
    assert (folder / "summary.csv").exists() and (folder / "hiring_classes.csv").exists()
    # the value center is short of voice agents before its first class is productive: its service there
    service = pd.read_parquet(folder / "shortfall_service.parquet")
    short = pd.read_parquet(folder / "supply.parquet").query("shortfall_fte > 1e-6")
    assert len(service) == len(short) > 0 and "service where supply stays short" in out
    assert (service["service_level_supplied"] < service["service_level_need"]).all()
    assert (service["supplied_share"] < 1).all()
    with RunStore(url) as store:
        ids = list_capacity(store)["capacity_id"]
        assert len(ids) == 1
        back = load_saved_capacity(store, ids[0])
    assert back["meta"]["illustrative"] and set(back["tables"]) >= {"money", "supply", "summary", "need"}
    pd.testing.assert_series_equal(back["tables"]["money"]["net_value"], money["net_value"], check_names=False)
    # the Capacity page's table of that service: the value center's short months, in percent
    from planning import views as pv

    shown = pv.shortfall_service_frame(pv.latest_capacity(url), "value_center")
    vc = service[service["strategy"] == "value_center"]
    assert len(shown) == len(vc) > 0 and list(shown["month"]) == list(vc["month"])
    assert shown["service_level_supplied_pct"].to_numpy() == pytest.approx(100 * vc["service_level_supplied"])
    assert shown["supplied_pct"].to_numpy() == pytest.approx(100 * vc["supplied_share"])
    bad = tmp_path / "bad.toml"
    bad.write_text(raw.replace("months = 4 ", "months = 0 "))
    assert main(["capacity", "--config", str(bad), "--no-store", "-q"]) == 2
    assert "capacity.months" in capsys.readouterr().err
