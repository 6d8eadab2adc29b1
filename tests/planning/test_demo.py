"""`make run`'s staffing example on the bundled data."""
from planning.demo import busiest_day_plan


def test_busiest_day_plan_meets_target_every_open_interval():
    table = busiest_day_plan()
    assert len(table) == 48
    busy = table["volume"] > 0
    assert (table.loc[busy, "service_level"] >= 0.8).all()
    assert (table.loc[~busy, "agents"] == 0).all()
    assert (table["scheduled"] >= table["agents"]).all()
