"""The shared domain objects: Targets, QueueModel, OpeningHours (one open-interval rule)."""
import math

import numpy as np
import pandas as pd
import pytest

from core import TARGET_NAMES, TARGET_SPECS, OpeningHours, QueueModel, Targets, map_jobs


def test_target_names_are_one_list_with_specs():
    assert TARGET_NAMES == ("service_level", "asa_s", "p_wait", "abandon_rate", "max_occupancy")
    assert set(TARGET_SPECS) == set(TARGET_NAMES)
    t = Targets(service_level=0.8, awt_s=20, max_occupancy=0.85)
    assert t.given() == {"service_level": 0.8, "max_occupancy": 0.85}
    metrics = {"service_level": np.array([0.81, 0.79]), "asa_s": 0, "p_wait": 0, "abandon_rate": 0,
               "occupancy": np.array([0.8, 0.8])}
    assert t.met(metrics).tolist() == [True, False]


@pytest.mark.parametrize("kw, msg", [
    ({"service_level": 1.5}, "service_level: 1.5 is outside"),
    ({"asa_s": 0}, "asa_s: 0.0 is outside"),
    ({"p_wait": "x"}, "p_wait: expected a number"),
    ({"max_occupancy": 0}, "max_occupancy"),
    ({"awt_s": -1}, "awt_s"),
    ({"awt_s": math.nan}, "awt_s"),
    ({"service_level": math.nan}, "service_level"),
    ({"sl_definition": "nope"}, "sl_definition"),
])
def test_targets_refuse_bad_values_naming_them(kw, msg):
    with pytest.raises(ValueError, match=msg):
        Targets(**kw)


def test_targets_without_any_target_are_refused_where_one_is_needed():
    with pytest.raises(ValueError, match="at least one target"):
        Targets().require_any("required_agents")
    with pytest.raises(ValueError, match="unknown target key"):
        Targets.from_mapping({"servicelevel": 0.8})


def test_queue_model_picks_the_analytic_model():
    assert QueueModel(aht_s=180).model == "erlang_c"
    assert QueueModel(aht_s=180, patience_s=math.inf).model == "erlang_c"
    assert QueueModel(aht_s=180, patience_s=120).model == "erlang_a"
    chat = QueueModel(aht_by_concurrency_s=[360, 450, 560], patience_s=120)
    assert chat.model == "chat" and chat.concurrency == 3 and chat.mean_handle_s == 360
    assert chat.concurrency_profile == pytest.approx((1.0, 1.25, 560 / 360))


@pytest.mark.parametrize("kw, msg", [
    ({"aht_s": 0}, "aht_s"), ({"aht_s": math.inf}, "aht_s"), ({"patience_s": -1}, "patience_s"),
    ({"concurrency": 2.5}, "concurrency"), ({"concurrency": 0}, "concurrency"),
    ({"aht_by_concurrency_s": [300, -1]}, r"aht_by_concurrency_s\[1\]"),
    ({"concurrency": 3, "aht_by_concurrency_s": [300, 400]}, "2 handle times for concurrency 3"),
    ({"balk_prob": 1.5}, "balk_prob"),
])
def test_queue_model_refuses_bad_values_naming_them(kw, msg):
    with pytest.raises(ValueError, match=msg):
        QueueModel(**kw)


def test_the_0745_case_is_one_rule():
    """Hours 07:45-12:00 at 30 minutes: the 07:30 slot is open (partly), 12:00 is closed."""
    hours = OpeningHours.from_text({"mon": "07:45-12:00"})
    starts = pd.date_range("2024-01-01 07:00", periods=11, freq="30min")  # a Monday
    mask = hours.mask(starts, 1800)
    assert starts[mask][0] == pd.Timestamp("2024-01-01 07:30")
    assert starts[mask][-1] == pd.Timestamp("2024-01-01 11:30")
    assert hours.open_fraction(starts, 1800)[1] == pytest.approx(0.5)
    week = hours.slot_mask(1800)
    assert week.shape == (7, 48) and week[0].tolist() == mask_by_slot(mask, starts)
    assert not week[1:].any()
    # the forecast API's range form describes the same hours
    assert OpeningHours.from_ranges({"Mon": [("07:45", "12:00")]}) == hours
    assert hours.is_open(0, 7 * 60 + 30, 30) and not hours.is_open(0, 12 * 60, 30)


def mask_by_slot(mask, starts):
    out = [False] * 48
    for m, s in zip(mask, starts):
        out[(s.hour * 60 + s.minute) // 30] = bool(m)
    return out


def _square(x):
    return x * x


@pytest.mark.parametrize("executor", ["serial", 1, 2, None])
def test_map_jobs_keeps_job_order_on_every_executor(executor):
    assert map_jobs(_square, list(range(7)), executor) == [x * x for x in range(7)]


@pytest.mark.parametrize("executor, msg", [(0, ">= 1"), ("nope", "neither 'serial'"), (2.5, "executor must be")])
def test_map_jobs_refuses_bad_executors(executor, msg):
    with pytest.raises(ValueError, match=msg):
        map_jobs(_square, [1], executor)


def test_the_0745_case_is_forecast_and_staffed_alike():
    """The forecast has a row for exactly the slots staffing treats as open."""
    from forecast import forecast_volume
    from planning import requirements_for
    from planning.config import QueueConfig, Targets as PlanTargets

    hours = OpeningHours.from_text({d: "07:45-12:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    starts = pd.date_range("2024-01-01", "2024-01-29", freq="30min", inclusive="left")
    hist = pd.DataFrame({"interval_start": starts, "volume": 10.0, "aht_s": 200.0})
    fc = forecast_volume(hist, "2024-01-29", "2024-01-30", model="mean4", opening_hours=hours).to_frame()
    forecast_slots = set(pd.DatetimeIndex(fc["interval_start"]).strftime("%H:%M"))
    assert min(forecast_slots) == "07:30" and max(forecast_slots) == "11:30"

    q = QueueConfig(name="q", kind="voice", history=None, aht_s=200.0, hours=hours,
                    targets=PlanTargets(service_level=0.8, awt_s=20))
    day = pd.DataFrame({"interval_start": pd.date_range("2024-01-29", periods=48, freq="30min"),
                        "volume": 10.0, "aht_s": 200.0})
    req = requirements_for(q, day, 1800)
    staffed = set(pd.DatetimeIndex(req.loc[req["open"], "interval_start"]).strftime("%H:%M"))
    assert staffed == forecast_slots


def test_the_0745_case_in_chat_windows():
    """Chat posted from 07:45: the 07:30 interval is staffed (one rule), the posted hours start 07:45."""
    from planning.chat_windows import agent_hours_for_hours, chat_windows

    starts = pd.date_range("2024-01-01", periods=14 * 48, freq="30min")  # two weeks from a Monday
    fc = pd.DataFrame({"interval_start": starts, "volume": 20.0, "aht_s": 360.0})
    every_day = {d: "07:45-12:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    cost = agent_hours_for_hours(fc, 1800, every_day, concurrency=2, aht_by_concurrency_s=[360, 450])
    staffed = set(pd.DatetimeIndex(cost.result.intervals["interval_start"]).strftime("%H:%M"))
    assert min(staffed) == "07:30" and max(staffed) == "11:30"
    assert cost.result.hours.describe()["mon"] == "07:45-12:00"
    best = chat_windows(fc, 1800, 1e6, concurrency=2, aht_by_concurrency_s=[360, 450], allowed_hours=every_day)
    assert best.hours.describe()["tue"] == "07:45-12:00"
    assert best.open[1].sum() == 9  # 07:30 .. 11:30
