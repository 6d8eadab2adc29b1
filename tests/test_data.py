"""The bundled real data is present, complete and unmodified (see data/README.md)."""
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data"


def test_anonymous_bank_file_matches_its_provenance():
    frame = pd.read_csv(DATA / "anonymous_bank_1999_6min.csv", parse_dates=["interval_start"])
    assert list(frame.columns) == ["interval_start", "calls"]
    assert len(frame) == 365 * 240 == 87_600
    assert int(frame["calls"].sum()) == 445_369
    assert frame["interval_start"].is_unique
    steps = frame["interval_start"].diff().dropna().unique()
    assert list(steps) == [pd.Timedelta(minutes=6)]
    assert (DATA / "README.md").read_text().count("Anonymous Bank") >= 1
