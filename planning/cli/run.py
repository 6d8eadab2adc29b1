"""``staffcast run --config plan.toml``: the whole plan, stored and exported."""
from __future__ import annotations

import argparse
import json

from .common import EPILOG_STORE, EXIT_OK, add_output_flags, date_arg, fmt_table, progress_for
from .schedule import schedule_report

__all__ = ["add_parser", "cmd_run"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``run`` command to ``staffcast``'s subparsers."""
    p = subparsers.add_parser("run",
                              help="the whole plan: history -> forecast -> requirements -> simulation -> FTE, stored",
                              description="Run the whole plan of a config file, store the run (one transaction) and "
                                          "export forecast, requirements, simulation and headcount as CSV and Parquet. "
                                          "A run with the same config, input data and code as a stored run is "
                                          "recognised, not recomputed (its stored tables are exported) unless --force.",
                              epilog=EPILOG_STORE)
    p.add_argument("--config", required=True, help="plan TOML file (see data/plan.toml)")
    p.add_argument("--store", help="run store URL (e.g. sqlite:///runs/staffcast.sqlite, postgresql+psycopg://...)")
    p.add_argument("--force", action="store_true", help="recompute and store even if an identical run is stored")
    p.add_argument("--as-of", type=date_arg, help="first forecast day (YYYY-MM-DD); history after it is ignored")
    p.add_argument("--no-simulate", action="store_true", help="skip the simulation check")
    p.add_argument("--no-schedule", action="store_true",
                   help="leave out the plan's [schedule] step (shifts, breaks, rosters): a quicker run whose FTE "
                        "is the interval basis")
    p.add_argument("--out-dir", help="export folder (default: config output_dir or ./out); files go to OUT/RUN_ID/")
    p.add_argument("--no-export", action="store_true", help="do not write CSV / Parquet exports")
    p.add_argument("--no-store", action="store_true", help="do not store the run (exports only)")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON on stdout")
    add_output_flags(p)
    return p


def cmd_run(args) -> int:
    """Handler of ``staffcast run``; returns the exit code."""
    from ..config import InputError, load_config
    import pandas as pd
    from ..pipeline import run_plan

    progress = progress_for(args)
    config = load_config(args.config)
    if args.no_store and args.force:
        raise InputError("--force and --no-store: nothing to force without a store")
    res = run_plan(config, store=args.store, save=not args.no_store, force=args.force, as_of=args.as_of,
                   simulate=False if args.no_simulate else None, schedule=not args.no_schedule,
                   export=not args.no_export,
                   out_dir=args.out_dir, progress=progress)
    if args.json:
        print(json.dumps({"run_id": res.run_id, "reused": res.reused, "store": res.store_url,
                          "as_of": str(res.as_of) if res.as_of else None,
                          "export_dir": str(res.export_dir) if res.export_dir else None,
                          "summary": res.summary, "timings_s": res.timings}, default=str, indent=2))
        return EXIT_OK
    if res.reused:
        print(f"run {res.run_id} reused: same config, input data and code already stored in {res.store_url} "
              "(use --force to recompute)")
        return EXIT_OK
    stored = f"stored in {res.store_url}" if res.store_url else "not stored"
    print(f"run {res.run_id} {stored}")
    print(f"plan {config.name}: horizon {res.horizon_start} .. {res.horizon_end} (as of {res.as_of})")
    rows = []
    for name, s in res.summary["by_queue"].items():
        rows.append({"queue": name, "model": str(res.models.get(name, {}).get("model")), **s})
    print(fmt_table(pd.DataFrame(rows)))
    if res.summary.get("schedule"):
        print(schedule_report(res.summary))
    print(f"FTE per full week, all queues: {res.summary['fte_total']}")
    if res.export_dir:
        extra = "; schedule, coverage, ics/" if res.schedule is not None else ""
        print(f"exports: {res.export_dir}/ (forecast, requirements, simulation, headcount; .csv and .parquet{extra})")
    return EXIT_OK
