"""Partial intervals: a day ending at 21:05 has a 21:00 half-hour with five open minutes. The
forecast flags it (``open_fraction``) and staffing serves its volume at the open minutes' rate."""
import numpy as np
import pandas as pd
import pytest

from core import OpeningHours
from forecast import forecast_volume

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS = OpeningHours.from_text({d: "08:00-21:05" for d in WEEK})


def _history(weeks=5):
    starts = pd.date_range("2024-01-01", periods=7 * weeks * 48, freq="30min")
    frac = HOURS.open_fraction(starts, 1800)
    return pd.DataFrame({"interval_start": starts[frac > 0], "volume": 60.0 * frac[frac > 0], "aht_s": 200.0})


def test_the_partial_interval_is_flagged_with_its_open_share():
    fc = forecast_volume(_history(), "2024-02-05", "2024-02-06", model="mean4", opening_hours=HOURS).to_frame()
    fc = fc.set_index(pd.DatetimeIndex(fc["interval_start"]).strftime("%H:%M"))
    assert fc.loc["21:00", "open_fraction"] == pytest.approx(5 / 30)
    assert (fc.drop(index="21:00")["open_fraction"] == 1.0).all()
    assert fc.loc["21:00", "volume"] == pytest.approx(10.0)  # the contacts of its five minutes
    assert fc.index.max() == "21:00"


def test_without_opening_hours_no_flag_is_invented():
    fc = forecast_volume(_history(), "2024-02-05", "2024-02-06", model="mean4").to_frame()
    assert "open_fraction" not in fc


def test_staffing_serves_a_partial_interval_at_its_open_minutes_rate():
    """10 contacts in 5 minutes need the agents of 60 in a full half-hour, not of 10."""
    from planning import requirements_for
    from planning.config import QueueConfig, Targets

    q = QueueConfig(name="q", kind="voice", history=None, aht_s=200.0, hours=HOURS,
                    targets=Targets(service_level=0.8, awt_s=20))
    fc = forecast_volume(_history(), "2024-02-05", "2024-02-06", model="mean4", opening_hours=HOURS).to_frame()
    req = requirements_for(q, fc, 1800).set_index(pd.DatetimeIndex(fc["interval_start"]).strftime("%H:%M"))
    full = req.loc["20:30"]  # 60 contacts over a whole half-hour
    part = req.loc["21:00"]  # 10 contacts in its 5 open minutes: the same rate
    assert part["volume"] == pytest.approx(10.0)  # the volume reported stays the contacts expected
    assert part["agents"] == full["agents"] and part["agents"] > 0
    no_flag = requirements_for(q, fc.drop(columns="open_fraction"), 1800)
    assert no_flag["agents"].to_numpy()[-1] < part["agents"]  # a 30-minute rate would understaff it
