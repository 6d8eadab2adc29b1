"""Staffing example on the bundled data: what ``make run`` prints until the dashboard exists.

Takes the real Anonymous Bank 1999 arrivals, sums them to 30-minute intervals, picks the busiest
day, and sizes agents per interval with Erlang C for 80% answered within 20 s (answered within
AWT / offered), an illustrative AHT of 200 s (the file has no handle times) and 30% shrinkage.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from core import QueueModel, Targets
from simulation import required_agents

DATA = Path(__file__).resolve().parents[1] / "data" / "anonymous_bank_1999_6min.csv"
AHT_S = 200.0


def busiest_day_plan(path: Path = DATA) -> pd.DataFrame:
    """Per 30-minute interval of the busiest day: volume, agents, scheduled and predicted service."""
    raw = pd.read_csv(path, parse_dates=["interval_start"])
    per_30 = raw.set_index("interval_start")["calls"].resample("30min").sum()
    day = per_30.groupby(per_30.index.date).sum().idxmax()
    volume = per_30[per_30.index.date == day]
    plan = required_agents(volume.to_numpy(float), 1800, QueueModel(aht_s=AHT_S),
                           Targets(service_level=0.8, awt_s=20), shrinkage=0.3)
    table = plan.to_frame()[["agents", "scheduled", "service_level", "asa_s", "occupancy"]]
    table.insert(0, "volume", volume.to_numpy())
    table.insert(0, "interval_start", volume.index)
    return table


def main() -> None:
    table = busiest_day_plan()
    day = table["interval_start"].iloc[0].date()
    print(f"staffcast: busiest day of the bundled Anonymous Bank 1999 data, {day:%A %Y-%m-%d}")
    print(f"Erlang C, 80% answered within 20 s (of offered), AHT {AHT_S:.0f} s (illustrative), "
          "shrinkage 30%\n")
    shown = table[table["volume"] > 0].copy()
    shown["interval_start"] = shown["interval_start"].dt.strftime("%H:%M")
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    hours = table["scheduled"].sum() * 0.5
    print(f"\nscheduled agent-hours that day: {hours:.1f}")


if __name__ == "__main__":
    main()
