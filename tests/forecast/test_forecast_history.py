"""forecast.history: reading, validation (bad inputs name file, row, column), DST, resampling."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast import read_history, resample_history

DATA = Path(__file__).resolve().parents[2] / "data" / "anonymous_bank_1999_6min.csv"


def _write(tmp_path, text, name="h.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


GOOD = "interval_start,volume\n2024-01-01 08:00,3\n2024-01-01 08:15,0\n2024-01-01 08:30,5\n"


def test_reads_bundled_data_with_mapped_column():
    h = read_history(DATA, volume_col="calls")
    assert list(h.columns) == ["interval_start", "volume"]
    assert h.attrs["interval_s"] == 360
    assert len(h) == 87_600 and h["volume"].sum() == 445_369


def test_unsorted_rows_are_fine_and_sorted(tmp_path):
    p = _write(tmp_path, "interval_start,volume\n2024-01-01 08:30,5\n2024-01-01 08:00,3\n2024-01-01 08:15,0\n")
    h = read_history(p)
    assert h["volume"].tolist() == [3, 0, 5]
    assert h.attrs["interval_s"] == 900


def test_parquet_and_frame_inputs(tmp_path):
    frame = pd.read_csv(_write(tmp_path, GOOD))
    frame["interval_start"] = pd.to_datetime(frame["interval_start"])
    frame.to_parquet(tmp_path / "h.parquet")
    a = read_history(tmp_path / "h.parquet")
    b = read_history(frame)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    "text, needles",
    [
        ("interval_start,volume\n2024-01-01 08:00,3\n2024-01-01 08:00,4\n2024-01-01 08:15,1\n",
         ["duplicated", "'interval_start'", "row 2", "row 3", "one row per interval"]),
        ("interval_start,volume\n2024-01-01 08:00,3\n2024-01-01 08:15,-1\n2024-01-01 08:30,1\n",
         ["negative", "'volume'", "row 3", ">= 0"]),
        ("interval_start,volume\n2024-01-01 08:00,3\n2024-01-01 08:15,abc\n2024-01-01 08:30,1\n",
         ["non-numeric", "'volume'", "row 3", "'abc'"]),
        ("interval_start,volume\n2024-01-01 08:00,3\n2024-01-01 08:15,\n2024-01-01 08:30,1\n",
         ["'volume'", "row 3"]),
        ("interval_start,volume\n2024-01-01 08:00,3\nnot a time,2\n2024-01-01 08:30,1\n",
         ["unparseable", "'interval_start'", "row 3", "'not a time'", "expected"]),
        ("interval_start,volume\n2024-01-01 08:00,3\n2024-01-01 08:15,2\n2024-01-01 08:30,1\n"
         "2024-01-01 08:40,1\n2024-01-01 08:45,1\n",
         ["mixes interval lengths", "row 5", "900"]),
        ("interval_start,volume\n", ["empty history"]),
        ("interval_start,calls\n2024-01-01 08:00,3\n2024-01-01 08:15,2\n", ["missing column 'volume'", "calls"]),
    ],
)
def test_bad_input_raises_with_details(tmp_path, text, needles):
    p = _write(tmp_path, text, "bad_history.csv")
    with pytest.raises(ValueError) as exc:
        read_history(p)
    msg = str(exc.value)
    assert "bad_history.csv" in msg
    for n in needles:
        assert n in msg, (n, msg)


def test_empty_file(tmp_path):
    p = _write(tmp_path, "", "empty.csv")
    with pytest.raises(ValueError, match=r"empty\.csv: empty file"):
        read_history(p)


def test_mixed_interval_lengths_by_day(tmp_path):
    # first day 6-minute rows, second day 30-minute rows (all multiples of 6 minutes)
    a = pd.date_range("1999-01-01 07:00", periods=50, freq="6min")
    b = pd.date_range("1999-01-02 07:00", periods=20, freq="30min")
    frame = pd.DataFrame({"interval_start": a.append(b), "volume": 1})
    with pytest.raises(ValueError, match="mixes interval lengths.*1800 s apart instead of 360 s"):
        read_history(frame)


def test_negative_aht_rejected(tmp_path):
    p = _write(tmp_path, "interval_start,volume,aht_s\n2024-01-01 08:00,3,200\n2024-01-01 08:15,2,-5\n", "a.csv")
    with pytest.raises(ValueError, match=r"a\.csv: column 'aht_s'.*row 3"):
        read_history(p)


def test_resample_sums_volume_and_volume_weights_aht():
    t = pd.date_range("2024-01-01 08:00", periods=10, freq="6min")
    vol = np.array([1, 2, 0, 3, 4, 5, 0, 0, 0, 0], float)
    aht = np.array([100, 200, np.nan, 300, 400, 50, np.nan, np.nan, np.nan, np.nan])
    h = read_history(pd.DataFrame({"interval_start": t, "volume": vol, "aht_s": aht}))
    r = resample_history(h, 1800)
    assert r.attrs["interval_s"] == 1800
    assert r["interval_start"].tolist() == [pd.Timestamp("2024-01-01 08:00"), pd.Timestamp("2024-01-01 08:30")]
    assert r["volume"].tolist() == [10.0, 5.0]
    assert r["aht_s"].iloc[0] == pytest.approx((100 + 400 + 900 + 1600) / 10)
    assert r["aht_s"].iloc[1] == pytest.approx(50.0)
    r60 = resample_history(h, 3600)
    assert r60["volume"].tolist() == [15.0]
    assert r60["aht_s"].iloc[0] == pytest.approx((100 + 400 + 900 + 1600 + 250) / 15)
    with pytest.raises(ValueError, match="expected a multiple"):
        resample_history(h, 900)  # 15 minutes is not a whole number of 6-minute intervals


def test_resample_bundled_6min_to_30min_keeps_total():
    h = read_history(DATA, volume_col="calls")
    r = resample_history(h, 1800)
    assert len(r) == 365 * 48
    assert r["volume"].sum() == h["volume"].sum()


def _dst_frame(freq="15min"):
    utc = pd.date_range("2021-03-27 00:00", "2021-03-30 00:00", freq=freq, tz="UTC", inclusive="left")
    utc = utc.append(pd.date_range("2021-10-30 00:00", "2021-11-02 00:00", freq=freq, tz="UTC", inclusive="left"))
    local = utc.tz_convert("Europe/Berlin")
    return local


def test_dst_naive_wall_clock_with_tz_keeps_23_and_25_hour_days(tmp_path):
    local = _dst_frame()
    # naive wall-clock text, repeated hour in file order (as a wall-clock logger writes it)
    text = "interval_start,volume\n" + "\n".join(f"{t:%Y-%m-%d %H:%M},1" for t in local.tz_localize(None)) + "\n"
    h = read_history(_write(tmp_path, text), tz="Europe/Berlin")
    assert str(h["interval_start"].dt.tz) == "Europe/Berlin"
    per_day = h.groupby(h["interval_start"].dt.date).size()
    assert per_day[pd.Timestamp("2021-03-28").date()] == 23 * 4
    assert per_day[pd.Timestamp("2021-10-31").date()] == 25 * 4
    assert h["interval_start"].is_unique and len(h) == len(local)
    r = resample_history(h, 1800)
    per_day = r.groupby(r["interval_start"].dt.date)["volume"].agg(["size", "sum"])
    assert per_day.loc[pd.Timestamp("2021-03-28").date()].tolist() == [46, 92]
    assert per_day.loc[pd.Timestamp("2021-10-31").date()].tolist() == [50, 100]
    assert r["interval_start"].is_unique


def test_dst_offsets_in_file_and_nonexistent_naive_time(tmp_path):
    local = _dst_frame()
    text = "interval_start,volume\n" + "\n".join(f"{t.isoformat()},1" for t in local) + "\n"
    h = read_history(_write(tmp_path, text, "aware.csv"), tz="Europe/Berlin")
    assert len(h) == len(local) and h["interval_start"].is_unique
    bad = "interval_start,volume\n2021-03-28 01:45,1\n2021-03-28 02:00,1\n2021-03-28 02:15,1\n"
    with pytest.raises(ValueError, match=r"nonexist.csv.*'interval_start'.*Europe/Berlin"):
        read_history(_write(tmp_path, bad, "nonexist.csv"), tz="Europe/Berlin")


def test_day_first_dates_are_refused_unless_a_format_is_given(tmp_path):
    # 1-12 March 2024, day first: month-first guessing would scatter them over the year
    days = pd.date_range("2024-03-01", periods=12, freq="D")
    text = "interval_start,volume\n" + "\n".join(f"{d:%d/%m/%Y} {h:02d}:00,1" for d in days for h in (8, 9)) + "\n"
    p = _write(tmp_path, text, "dayfirst.csv")
    with pytest.raises(ValueError, match=r"dayfirst\.csv.*unparseable.*row 2 .*'01/03/2024 08:00'.*time_format"):
        read_history(p)
    h = read_history(p, time_format="%d/%m/%Y %H:%M")
    assert h["interval_start"].min() == pd.Timestamp("2024-03-01 08:00")
    assert h["interval_start"].max() == pd.Timestamp("2024-03-12 09:00")
    with pytest.raises(ValueError, match=r"format '%m/%d/%Y %H:%M'"):
        read_history(_write(tmp_path, text.replace("12/03", "13/03"), "d2.csv"), time_format="%m/%d/%Y %H:%M")


def test_utc_offsets_without_zone_keep_one_offset_and_refuse_several(tmp_path):
    one = "interval_start,volume\n2024-01-08 09:00+01:00,3\n2024-01-08 09:30+01:00,4\n"
    h = read_history(_write(tmp_path, one, "one.csv"))
    assert h["interval_start"].iloc[0].hour == 9  # wall-clock time kept, not UTC's 08:00
    assert h["interval_start"].iloc[0].utcoffset() == pd.Timedelta(hours=1)
    local = _dst_frame()
    text = "interval_start,volume\n" + "\n".join(f"{t.isoformat()},1" for t in local) + "\n"
    with pytest.raises(ValueError, match=r"several UTC offsets \(\+1 h, \+2 h\).*tz='Area/City'"):
        read_history(_write(tmp_path, text, "several.csv"))


def test_dst_repeated_hour_is_resolved_within_each_queue(tmp_path):
    local = _dst_frame().tz_localize(None)
    rows = [f"{q},{t:%Y-%m-%d %H:%M},1" for q in ("voice", "chat") for t in local]
    p = _write(tmp_path, "queue,interval_start,volume\n" + "\n".join(rows) + "\n", "two_queues.csv")
    h = read_history(p, tz="Europe/Berlin")
    for _, g in h.groupby("queue"):
        assert g["interval_start"].is_unique and len(g) == len(local)


def test_given_interval_does_not_switch_off_the_mixed_length_check():
    a = pd.date_range("1999-01-01 07:00", periods=20, freq="30min")
    b = pd.date_range("1999-01-02 07:00", periods=10, freq="60min")
    frame = pd.DataFrame({"interval_start": a.append(b), "volume": 1})
    with pytest.raises(ValueError, match="3600 s apart instead of 1800 s"):
        read_history(frame, interval_s=1800)
    hourly = pd.DataFrame({"interval_start": b, "volume": 1})
    with pytest.raises(ValueError, match="3600 s apart instead of 1800 s"):
        read_history(hourly, interval_s=1800)


def test_multi_queue_errors_name_the_file_row(tmp_path):
    rows = ["queue,interval_start,volume"]
    rows += [f"a,2024-01-01 {h:02d}:{m:02d},1" for h in (8, 9) for m in (0, 30)]
    rows += ["b,2024-01-01 09:00,1", "b,2024-01-01 09:22,1", "b,2024-01-01 09:30,1", "b,2024-01-01 10:00,1"]
    p = _write(tmp_path, "\n".join(rows) + "\n", "mq.csv")
    with pytest.raises(ValueError) as exc:
        read_history(p)
    msg = str(exc.value)
    assert "row 7 (interval_start='2024-01-01 09:22')" in msg and "09:30" not in msg


@pytest.mark.parametrize("bad", [0, -1800, "1800", 1800.0, 7, True])
def test_resample_refuses_bad_interval(bad):
    h = read_history(pd.DataFrame({"interval_start": pd.date_range("2024-01-01", periods=4, freq="15min"),
                                   "volume": 1}))
    with pytest.raises(ValueError, match="interval_s="):
        resample_history(h, bad)
