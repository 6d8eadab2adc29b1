"""Pipeline benchmark: the example plan end to end with the time of each stage.

    python bench/pipeline_bench.py [--config data/plan.toml] [--history-weeks 52] [--as-of 1999-12-01]

One year of history (``--history-weeks 52``), both queues, the plan's 4-week horizon, simulation
check and refinement included, stored in a fresh SQLite store and exported, in a temporary folder.
Prints one line per stage and the total; the goal is <= 60 s on 2 cores.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from planning.config import load_config
from planning.pipeline import run_plan
from planning.progress import Progress

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "data" / "plan.toml"
GOAL_S = 60.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="bench/pipeline_bench.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=str(DEFAULT_CONFIG))
    ap.add_argument("--history-weeks", type=int, default=52, help="weeks of history fitted (default 52)")
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(1999, 12, 1),
                    help="first forecast day (default 1999-12-01: the 4 weeks after it are in the data)")
    args = ap.parse_args(argv)
    config = load_config(args.config).with_overrides(forecast={"history_weeks": args.history_weeks})
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = run_plan(config, store=f"sqlite:///{Path(tmp) / 'bench.sqlite'}", force=True, as_of=args.as_of,
                       out_dir=Path(tmp) / "out", progress=Progress(fmt="quiet"))
        total = time.perf_counter() - t0
    print(f"pipeline benchmark: plan {config.name!r}, {len(config.queues)} queues, "
          f"{args.history_weeks} weeks of history, {config.forecast.horizon_days}-day horizon, "
          f"simulation {'on' if config.simulation.enabled else 'off'}, {os.cpu_count()} CPUs")
    for stage, secs in res.timings.items():
        if stage != "total":
            print(f"  {stage:<14s} {secs:7.2f} s")
    print(f"  {'total':<14s} {total:7.2f} s   (goal <= {GOAL_S:.0f} s: {'met' if total <= GOAL_S else 'NOT met'})")
    for q, m in res.models.items():
        print(f"  model {q}: {m['model']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
