"""Plan configuration, opening hours, headcount arithmetic, accuracy scoring, the synthetic chat
generator, progress output and exports."""
from __future__ import annotations

import copy
import hashlib
import io
import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning.accuracy import score_forecast
from planning.config import ConfigError, OpeningHours, load_config, parse_config, parse_hours
from planning.exports import write_frame
from planning.headcount import headcount
from planning.pipeline import scheduled_from
from planning.progress import Progress
from planning.synthetic import generate_chat_history

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
PLAN = DATA / "plan.toml"


def base_raw() -> dict:
    return tomllib.loads(PLAN.read_text())


def problems(raw) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        parse_config(raw, base_dir=DATA)
    return dict(info.value.problems)


# ------------------------------------------------------------------ configuration


def test_example_plan_is_valid():
    cfg = load_config(PLAN)
    assert set(cfg.queues) == {"voice", "chat"}
    assert cfg.timezone == "Asia/Jerusalem" and cfg.interval_s == 1800
    voice, chat = cfg.queues["voice"], cfg.queues["chat"]
    assert voice.history.is_file() and chat.history.is_file()
    assert voice.targets.service_level == 0.8 and voice.targets.awt_s == 20
    assert chat.targets.p_wait == 0.05 and chat.targets.asa_s == 10 and chat.concurrency == 3
    assert voice.shrinkage == chat.shrinkage == 0.30  # from [defaults]
    assert chat.mean_handle_s == 360.0  # a chat held alone
    assert voice.hours.describe()["fri"] == "07:00-14:00" and voice.hours.describe()["sat"] == "20:00-24:00"


@pytest.mark.parametrize("mutate, key, text", [
    (lambda r: r["plan"].update(intervall_min=30), "plan.intervall_min", "did you mean 'interval_min'"),
    (lambda r: r.update(extra={}), "extra", "unknown key"),
    (lambda r: r["queues"]["voice"].update(shrinkage_pct=30), "queues.voice.shrinkage_pct", "unknown key"),
    (lambda r: r["plan"].update(interval_min="30"), "plan.interval_min", "expected an integer, got str"),
    (lambda r: r["plan"].update(interval_min=7), "plan.interval_min", "does not divide a day"),
    (lambda r: r["queues"]["voice"]["targets"].update(service_level=80), "queues.voice.targets.service_level",
     "out of range: 80.0; expected (0.0, 1.0)"),
    (lambda r: r["queues"]["chat"]["targets"].update(p_wait=0), "queues.chat.targets.p_wait", "out of range"),
    (lambda r: r["queues"]["voice"].update(shrinkage=1.0), "queues.voice.shrinkage", "out of range"),
    (lambda r: r["defaults"].update(max_occupancy=1.5), "defaults.max_occupancy", "out of range"),
    (lambda r: r["queues"]["voice"].update(targets={}), "queues.voice.targets", "no target given"),
    (lambda r: r["queues"]["voice"].pop("history"), "queues.voice.history", "missing"),
    (lambda r: r["queues"]["voice"].update(history="nope.csv"), "queues.voice.history", "history file not found"),
    (lambda r: r["queues"]["voice"]["hours"].update(mon="7am-5pm"), "queues.voice.hours.mon",
     "opening hours do not parse"),
    (lambda r: r["queues"]["voice"]["hours"].update(tue="18:00-08:00"), "queues.voice.hours.tue",
     "closing time must be after opening time"),
    (lambda r: r["queues"]["voice"]["hours"].update(wed="08:00-25:00"), "queues.voice.hours.wed", "closing time"),
    (lambda r: r["queues"]["voice"]["hours"].update(thu="08:00-12:00, 11:00-14:00"), "queues.voice.hours.thu",
     "overlap"),
    (lambda r: r["queues"]["voice"]["hours"].update(fun="08:00-12:00"), "queues.voice.hours.fun", "unknown key"),
    (lambda r: r["plan"].update(timezone="Mars/Olympus"), "plan.timezone", "unknown time zone"),
    (lambda r: r["queues"]["chat"].update(aht_by_concurrency_s=[300, 400]), "queues.chat.aht_by_concurrency_s",
     "expected one per concurrency level 1..3"),
    (lambda r: r["queues"]["voice"].update(concurrency=2), "queues.voice.concurrency", "voice queues"),
    (lambda r: r["queues"]["voice"].update(kind="email"), "queues.voice.kind", "expected one of 'voice', 'chat'"),
    (lambda r: r["queues"]["voice"].pop("aht_s"), "queues.voice.aht_s", "missing"),
    (lambda r: r["queues"]["voice"]["targets"].update(abandon_rate=0.05) or r["queues"]["voice"].pop("patience_s"),
     "queues.voice.targets.abandon_rate", "needs patience_s"),
    (lambda r: r["forecast"].update(as_of="first of May"), "forecast.as_of", "expected a date"),
    (lambda r: r["forecast"].update(horizon_days=0), "forecast.horizon_days", "out of range"),
    (lambda r: r["forecast"].update(country="XX"), "forecast.country", "not a country code"),
    (lambda r: r["queues"]["voice"].update(time_format=5), "queues.voice.time_format", "expected"),
    (lambda r: r["simulation"].update(enabled="yes"), "simulation.enabled", "expected true or false"),
    (lambda r: r.update(queues={}), "queues", "no queues defined"),
])
def test_config_errors_name_the_key_and_what_is_expected(mutate, key, text):
    raw = base_raw()
    mutate(raw)
    found = problems(raw)
    assert key in found, found
    assert text in found[key], found[key]


def test_all_problems_are_reported_at_once_and_message_names_file(tmp_path):
    raw = base_raw()
    raw["plan"]["interval_min"] = "x"
    raw["queues"]["chat"]["targets"]["p_wait"] = 2.0
    raw["queues"]["voice"]["hours"]["mon"] = "nine to five"
    text = PLAN.read_text().replace('interval_min = 30', 'interval_min = "x"') \
        .replace("p_wait = 0.05", "p_wait = 2.0").replace('mon = "07:00-24:00"', 'mon = "nine to five"')
    path = tmp_path / "plan.toml"
    path.write_text(text.replace('history = "', f'history = "{DATA}/'))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    msg = str(info.value)
    assert str(path) in msg and "3 problem(s)" in msg
    assert "plan.interval_min" in msg and "queues.chat.targets.p_wait" in msg and "queues.voice.hours.mon" in msg


def test_a_bad_default_is_reported_once_under_its_defaults_key():
    raw = base_raw()
    raw["defaults"]["max_occupancy"] = 1.5
    raw["defaults"]["targets"] = {"sl_definition": "nope"}  # voice and chat do not set it
    raw["queues"]["chat"]["max_occupancy"] = 0.9  # chat overrides the default: only voice uses it
    found = problems(raw)
    assert not any(k.startswith("queues.") for k in found), found
    assert found["defaults.max_occupancy"].endswith("(used by queues voice)")
    assert "out of range: 1.5" in found["defaults.max_occupancy"]
    assert found["defaults.targets.sl_definition"].endswith("(used by queues voice, chat)")
    raw["queues"]["voice"]["max_occupancy"] = 2.0  # the queue's own bad value keeps the queue's key
    found = problems(raw)
    assert "out of range: 2.0" in found["queues.voice.max_occupancy"] and "defaults.max_occupancy" not in found


def test_a_missing_history_file_does_not_hide_the_queues_other_problems():
    raw = base_raw()
    raw["queues"]["voice"].update(history="nope.csv", shrinkage=1.0, max_occupancy=0, min_agents=-1,
                                  volume_col=3)
    found = problems(raw)
    assert {"queues.voice.history", "queues.voice.shrinkage", "queues.voice.max_occupancy",
            "queues.voice.min_agents", "queues.voice.volume_col"} <= set(found), found


def test_queue_value_without_queue_col_filters_the_queue_column(tmp_path):
    from planning.pipeline import read_queue_history

    hist = tmp_path / "h.csv"
    rows = ["interval_start,queue,volume"]
    for t in ("1999-01-01 00:00", "1999-01-01 00:30", "1999-01-01 01:00"):
        rows += [f"{t},chat,1", f"{t},email,5"]
    hist.write_text("\n".join(rows) + "\n")
    raw = {"queues": {"chat": {"history": str(hist), "aht_s": 200.0, "queue_value": "chat",
                               "targets": {"service_level": 0.8}}}}
    q = parse_config(raw).queues["chat"]
    assert (q.queue_col, q.queue_value) == ("queue", "chat")
    h = read_queue_history(q, 1800, None)
    assert h["volume"].tolist() == [1.0, 1.0, 1.0]


def test_unreadable_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[plan\nname = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "missing.toml")


def test_config_hash_ignores_store_and_output_but_not_targets():
    raw = base_raw()
    h0 = parse_config(raw, base_dir=DATA).config_hash()
    r2 = copy.deepcopy(raw)
    r2["plan"]["store"] = "sqlite:///elsewhere.sqlite"
    r2["plan"]["output_dir"] = "/tmp/x"
    assert parse_config(r2, base_dir=DATA).config_hash() == h0
    r3 = copy.deepcopy(raw)
    r3["queues"]["voice"]["targets"]["service_level"] = 0.9
    assert parse_config(r3, base_dir=DATA).config_hash() != h0


def test_opening_hours_parse_and_mask():
    assert parse_hours("closed") == ()
    assert parse_hours("24h") == ((0, 1440),)
    assert parse_hours("20:00-24:00, 07:00-14:00") == ((420, 840), (1200, 1440))
    hours = OpeningHours(tuple([((420, 840),)] + [()] * 6))  # Monday 07:00-14:00 only
    idx = pd.date_range("2024-01-01 06:00", periods=20, freq="30min", tz="Europe/Paris")  # a Monday
    mask = hours.mask(idx, 1800)
    assert list(idx[mask].strftime("%H:%M")) == [f"{h:02d}:{m:02d}" for h in range(7, 14) for m in (0, 30)]
    # a 15-minute grid against hours starting at :10 -> the interval overlapping the start is open
    h2 = OpeningHours(tuple([((430, 480),)] * 7))
    idx2 = pd.date_range("2024-01-02 07:00", periods=5, freq="15min")
    assert list(h2.mask(idx2, 900)) == [True, True, True, True, False]


# ------------------------------------------------------------------ headcount


def test_headcount_arithmetic_by_hand():
    # Week starting Monday 2024-01-01: 2 intervals of 30 min with 10 and 6 agents on Monday and
    # 4 on Tuesday; the next Monday 8 agents for one interval (a partial week of 1 day).
    ts = pd.to_datetime(["2024-01-01 09:00", "2024-01-01 09:30", "2024-01-02 09:00", "2024-01-08 09:00"])
    plan = pd.DataFrame({"queue": "voice", "interval_start": ts, "agents": [10, 6, 4, 8],
                         "scheduled": [15, 9, 6, 12], "volume": [100.0, 60.0, 30.0, 80.0]})
    hc = headcount(plan, interval_s=1800, shrinkage=0.25, paid_hours_per_week=40.0, week_start="mon")
    w1, w2 = hc.iloc[0], hc.iloc[1]
    assert w1["week_start"] == pd.Timestamp("2024-01-01") and w1["days"] == 2
    assert w1["agent_hours"] == pytest.approx(10.0)            # (10 + 6 + 4) x 0.5 h
    assert w1["paid_hours"] == pytest.approx(10.0 / 0.75)        # gross-up for shrinkage
    assert w1["fte"] == pytest.approx(10.0 / 0.75 / 40.0)        # 0.3333 FTE
    assert w1["scheduled_hours"] == pytest.approx(15.0)          # (15 + 9 + 6) x 0.5 h
    assert w1["fte_scheduled"] == pytest.approx(15.0 / 40.0)
    assert w1["volume"] == 190.0 and w1["peak_agents"] == 10
    assert w2["week_start"] == pd.Timestamp("2024-01-08") and w2["days"] == 1
    assert w2["fte"] == pytest.approx(4.0 / 0.75 / 40.0)
    # Sunday-start weeks put Monday 2024-01-08 in the week of Sunday 2024-01-07
    hs = headcount(plan, interval_s=1800, shrinkage=0.25, paid_hours_per_week=40.0, week_start="sun")
    assert list(hs["week_start"]) == [pd.Timestamp("2023-12-31"), pd.Timestamp("2024-01-07")]


def test_headcount_per_queue_shrinkage_and_scheduled_rounding():
    ts = pd.to_datetime(["2024-01-01 09:00"] * 2)
    plan = pd.DataFrame({"queue": ["a", "b"], "interval_start": ts, "agents": [7, 7]})
    hc = headcount(plan, interval_s=3600, shrinkage={"a": 0.0, "b": 0.3}, paid_hours_per_week=35.0,
                   scheduled_col=None)
    assert list(hc["fte"]) == pytest.approx([7 / 35, 7 / 0.7 / 35])
    assert list(scheduled_from(np.array([7, 0, 14]), 0.3)) == [10, 0, 20]  # ceil(7/0.7) = 10 exactly
    with pytest.raises(ValueError, match="paid_hours_per_week"):
        headcount(plan, interval_s=3600, shrinkage=0.1, paid_hours_per_week=0)


@pytest.mark.parametrize("definition", ["offered", "answered", "offered_minus_short_abandons"])
def test_every_core_service_level_definition_is_accepted_by_the_config(definition):
    from simulation import SL_DEFINITIONS

    assert definition in SL_DEFINITIONS
    raw = base_raw()
    raw["queues"]["voice"]["targets"]["sl_definition"] = definition
    assert parse_config(raw, base_dir=DATA).queues["voice"].targets.sl_definition == definition
    raw["queues"]["voice"]["targets"]["sl_definition"] = "within_awt"
    assert "queues.voice.targets.sl_definition" in problems(raw)


# ------------------------------------------------------------------ accuracy


def test_score_forecast_by_hand():
    ts = pd.date_range("2024-01-01 19:00", periods=4, freq="h", tz="Europe/Paris")
    fc = pd.DataFrame({"queue": "q", "interval_start": ts, "volume": [10.0, 20.0, 30.0, 40.0],
                       "volume_p10": [8, 15, 20, 45], "volume_p90": [12, 25, 40, 50], "model": "m"})
    # actuals arrive with UTC offsets (another zone) and one extra interval that was not forecast
    act = pd.DataFrame({"queue": "q", "interval_start": list(ts.tz_convert("UTC")) +
                        [pd.Timestamp("2024-01-01 23:00", tz="UTC")], "volume": [12.0, 20.0, 24.0, 44.0, 5.0]})
    s = score_forecast(fc, act, horizon_start=ts[0])
    row = s[s["lead_week"] == 0].iloc[0]
    assert row["intervals"] == 4 and row["actual"] == 100 and row["forecast"] == 100
    assert row["wape"] == pytest.approx((2 + 0 + 6 + 4) / 100)
    assert row["bias"] == pytest.approx(0.0)
    assert row["wape_evening"] == pytest.approx((0 + 6 + 4) / (20 + 24 + 44))  # 20:00, 21:00, 22:00 local
    assert row["coverage_p10_p90"] == pytest.approx(3 / 4)  # 12 in [8,12], 20 in [15,25], 24 in [20,40]; 44 < 45
    # open mask drops the first interval
    s2 = score_forecast(fc, act, horizon_start=ts[0], open_mask=[False, True, True, True])
    assert s2.loc[s2["lead_week"] == 0, "intervals"].item() == 3


# ------------------------------------------------------------------ synthetic chat data


def test_synthetic_generator_is_seeded_and_matches_the_bundled_file(tmp_path):
    a = generate_chat_history("1999-03-01", "1999-03-14", seed=7)
    b = generate_chat_history("1999-03-01", "1999-03-14", seed=7)
    c = generate_chat_history("1999-03-01", "1999-03-14", seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a["chats"].equals(c["chats"])
    from planning.synthetic import main

    out = tmp_path / "chat.csv"
    assert main(["--out", str(out)]) == 0
    bundled = DATA / "chat_synthetic_1999_15min.csv"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(bundled.read_bytes()).hexdigest()


def test_synthetic_chat_has_an_after_20_peak_and_closed_nights():
    f = generate_chat_history("1999-06-01", "1999-06-30")
    hour = f["interval_start"].dt.hour
    by_hour = f.groupby(hour)["chats"].mean()
    assert by_hour.idxmax() in (20, 21, 22)
    assert f.loc[hour < 8, "chats"].sum() == 0
    evening_share = f.loc[hour >= 20, "chats"].sum() / f["chats"].sum()
    assert 0.35 < evening_share < 0.65


# ------------------------------------------------------------------ progress and exports


def test_progress_formats():
    buf = io.StringIO()
    p = Progress(buf, fmt="auto")  # StringIO is not a TTY -> key=value lines
    assert p.fmt == "kv"
    with p.step("forecast", queue="voice"):
        p.info("chosen", model="profile x")
    lines = buf.getvalue().splitlines()
    assert "event=step_start" in lines[0] and "step=forecast" in lines[0] and "queue=voice" in lines[0]
    assert 'model="profile x"' in lines[1]
    assert "event=step_done" in lines[2] and "seconds=" in lines[2]
    assert "forecast" in p.timings
    buf = io.StringIO()
    p = Progress(buf, fmt="json")
    with pytest.raises(KeyError):
        with p.step("store"):
            raise KeyError("x")
    rec = json.loads(buf.getvalue().splitlines()[-1])
    assert rec["event"] == "step_failed" and rec["error"] == "KeyError" and rec["level"] == "error"
    buf = io.StringIO()
    p = Progress(buf, fmt="steps", total_steps=2)
    with p.step("a", "first step"):
        pass
    assert buf.getvalue().startswith("[1/2] first step ...") and "done in" in buf.getvalue()


def test_exports_are_atomic_and_keep_zones(tmp_path):
    ts = pd.date_range("1999-12-01", periods=3, freq="30min", tz="Asia/Jerusalem")
    frame = pd.DataFrame({"interval_start": ts, "volume": [1.0, 2.0, 3.0]})
    csv = write_frame(frame, tmp_path / "a" / "f.csv")
    pq = write_frame(frame, tmp_path / "a" / "f.parquet")
    assert csv.read_text().splitlines()[1].startswith("1999-12-01T00:00:00+02:00")
    back = pd.read_parquet(pq)
    assert str(back["interval_start"].dt.tz) == "Asia/Jerusalem"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["f.csv", "f.parquet"]  # no temp files left

    class Boom(pd.DataFrame):
        def to_csv(self, *a, **k):
            raise OSError("disk full")

    before = csv.read_bytes()
    import planning.exports as ex

    orig = ex.neutralise_frame
    ex.neutralise_frame = lambda f: Boom(f)
    try:
        with pytest.raises(OSError):
            write_frame(frame, csv)
    finally:
        ex.neutralise_frame = orig
    assert csv.read_bytes() == before  # the old file is intact
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["f.csv", "f.parquet"]
    # a text cell a spreadsheet would run is written as plain text; numbers stay numbers
    risky = write_frame(pd.DataFrame({"queue": ["=1+2"], "volume": [-3.5]}), tmp_path / "r.csv")
    assert risky.read_text().splitlines()[1] == "'=1+2,-3.5"


def test_bad_history_rows_are_reported_with_queue_file_and_row(tmp_path):
    from planning.config import InputError, QueueConfig, Targets
    from planning.pipeline import read_queue_history

    bad = tmp_path / "h.csv"
    bad.write_text("interval_start,calls\n1999-01-01 00:00,1\n1999-01-01 00:30,two\n1999-01-01 01:00,3\n")
    q = QueueConfig(name="voice", kind="voice", history=bad, volume_col="calls", aht_s=200,
                    targets=Targets(service_level=0.8))
    with pytest.raises(InputError) as info:
        read_queue_history(q, 1800, "Asia/Jerusalem")
    msg = str(info.value)
    assert "queue voice" in msg and str(bad) in msg and "row 3" in msg and "'calls'" in msg
    coarse = tmp_path / "c.csv"
    coarse.write_text("interval_start,calls\n1999-01-01 00:00,1\n1999-01-01 01:00,2\n1999-01-01 02:00,3\n")
    q2 = QueueConfig(name="voice", kind="voice", history=coarse, volume_col="calls", aht_s=200,
                     targets=Targets(service_level=0.8))
    with pytest.raises(InputError, match="60-minute intervals, longer than the plan's 30 minutes"):
        read_queue_history(q2, 1800, None)


def test_wall_clock_history_without_dst_is_placed_in_the_zone():
    from planning.pipeline import read_queue_history

    cfg = load_config(PLAN)
    h = read_queue_history(cfg.queues["voice"], 1800, cfg.timezone)
    assert str(h["interval_start"].dt.tz) == "Asia/Jerusalem"
    assert h["volume"].sum() == 445_369  # the skipped spring hour had no calls; nothing lost
    assert h["interval_start"].is_monotonic_increasing and h["interval_start"].is_unique
    assert h.attrs["dst_fix"]["dropped_nonexistent"] == 10  # 02:00-02:54 on 1999-04-02, 6-minute rows
