"""Benchmark: inverse Erlang C staffing, staffcast vs pyworkforce, measured in the same run.

Input: the bundled Anonymous Bank 1999 arrivals (real), summed to 30-minute intervals and split
evenly into 15-minute halves, AHT 200 s, target 80% answered within 20 s.

Prints
* the time for staffcast to staff one year of 15-minute intervals (35,040) for one queue;
* for the busiest week (672 intervals) at 1x, 5x, 10x, 50x and 63x the real volume (63x peaks near 900 agents): staffcast's time, pyworkforce's
  ErlangC time (one object per interval, as its API works), the ratio, and whether the agent counts
  agree.

Run: ``make bench`` (installs the ``bench`` extra) or ``python bench/queueing_bench.py``.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import QueueModel, Targets  # noqa: E402
from simulation import required_agents  # noqa: E402

AHT_S = 200.0
AWT_S = 20.0
TARGET = 0.8
QUEUE = QueueModel(aht_s=AHT_S)
SL_TARGET = Targets(service_level=TARGET, awt_s=AWT_S)


def year_of_15min_volumes() -> np.ndarray:
    raw = pd.read_csv(ROOT / "data" / "anonymous_bank_1999_6min.csv", parse_dates=["interval_start"])
    per_30 = raw.set_index("interval_start")["calls"].resample("30min").sum().to_numpy(float)
    return np.repeat(per_30 / 2.0, 2)  # 30-min volumes split evenly into 15-min halves


def best_of(fn, repeat=7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    volume = year_of_15min_volumes()
    print(f"intervals: {volume.size} x 15 min, contacts: {volume.sum():,.0f}, AHT {AHT_S:.0f} s, "
          f"target {TARGET:.0%} within {AWT_S:.0f} s (answered within AWT / offered)")
    required_agents(volume, 900, QUEUE, SL_TARGET)  # warm-up
    t_year = best_of(lambda: required_agents(volume, 900, QUEUE, SL_TARGET))
    year = required_agents(volume, 900, QUEUE, SL_TARGET)
    print(f"staffcast, one year of 15-min intervals: {t_year * 1000:.1f} ms (median of 7), "
          f"peak {year.agents.max()} agents")

    try:
        from pyworkforce.queuing import ErlangC
    except ImportError:
        print("pyworkforce not installed (pip install -e '.[bench]'): no side-by-side ratio")
        return

    busiest = int(np.argmax(np.convolve(volume, np.ones(672), "valid")))
    week = volume[busiest:busiest + 672]
    print(f"\nside by side on the busiest week ({week.size} intervals)")
    print(f"{'scale':>6} {'peak agents':>11} {'staffcast ms':>13} {'pyworkforce ms':>15} {'ratio':>8} {'agree':>6}")
    for scale in (1, 5, 10, 50, 63):
        vol = week * scale

        def ours():
            return required_agents(vol, 900, QUEUE, SL_TARGET).agents

        def theirs():
            out = np.zeros(vol.size, int)
            for i, v in enumerate(vol):
                if v > 0:
                    erl = ErlangC(transactions=v, aht=AHT_S / 60, asa=AWT_S / 60, interval=15)
                    out[i] = erl.required_positions(service_level=TARGET)["raw_positions"]
            return out

        t_ours = best_of(ours)
        t_theirs = best_of(theirs, repeat=1 if scale > 1 else 3)
        agree = np.array_equal(ours(), theirs())
        print(f"{scale:>5}x {ours().max():>11d} {t_ours * 1000:>13.2f} {t_theirs * 1000:>15.1f} "
              f"{t_theirs / t_ours:>7.0f}x {str(agree):>6}")


if __name__ == "__main__":
    main()
