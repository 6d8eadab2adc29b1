"""``staffcast runs [list | show ID]``: stored runs."""
from __future__ import annotations

import argparse
import json

from .common import EPILOG_STORE, EXIT_OK, add_output_flags, emit_table, fmt_table, positive_int, progress_for

__all__ = ["add_parser", "cmd_runs"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``runs`` command to ``staffcast``'s subparsers."""
    p = subparsers.add_parser("runs", help="list and show stored runs",
                              description="List stored runs (newest first) or show one run's metadata and tables.",
                              epilog=EPILOG_STORE)
    p.add_argument("--store", help="run store URL")
    rs = p.add_subparsers(dest="runs_command", metavar="ACTION")
    pl = rs.add_parser("list", help="list runs (default)", description="List stored runs, newest first.")
    pl.add_argument("--limit", type=positive_int, default=20, help="at most this many (default 20)")
    pl.add_argument("--plan", help="only runs of this plan name")
    pl.add_argument("--store", dest="store_sub", help="run store URL")
    ps = rs.add_parser("show", help="one run's metadata, or one of its tables",
                       description="Show a stored run: metadata and headcount, or a table with --table.")
    ps.add_argument("run_id", help="run id, a unique prefix of it, or 'latest'")
    ps.add_argument("--table", choices=("forecast", "requirements", "simulation", "headcount", "schedule", "coverage",
                                        "schedule_headcount", "schedule_checks"),
                    help="print (or --out) this table instead of the summary")
    ps.add_argument("--out", help="write the table to this .csv / .parquet file")
    ps.add_argument("--store", dest="store_sub", help="run store URL")
    add_output_flags(p)
    return p


def cmd_runs(args) -> int:
    """Handler of ``staffcast runs``: list runs, or show one run (metadata and headcount, or a table)."""
    from ..store import RunStore, resolve_store_url

    progress = progress_for(args)
    url = resolve_store_url(getattr(args, "store_sub", None) or args.store, None)
    store = RunStore(url, create=False)
    try:
        action = args.runs_command or "list"
        if action == "list":
            frame = store.list_runs(limit=getattr(args, "limit", 20), plan_name=getattr(args, "plan", None))
            if frame.empty:
                print(f"no runs stored in {store.url}")
            else:
                print(fmt_table(frame))
            return EXIT_OK
        meta = store.get_run(args.run_id)
        if args.table:
            frame = store.load_frame(meta["run_id"], args.table)
            if args.out:
                emit_table(frame, args.out, progress, args.table)
            else:
                print(fmt_table(frame))
            return EXIT_OK
        show = {k: meta[k] for k in ("run_id", "plan_name", "created_at_utc", "as_of", "horizon_start",
                                     "horizon_end", "timezone", "interval_s", "config_hash", "data_fingerprint",
                                     "code_version")}
        show["inputs"] = meta["inputs"]
        show["models"] = {q: {k: v for k, v in m.items() if k != "backtest"} for q, m in meta["models"].items()}
        show["timings_s"] = {k: round(v, 2) for k, v in meta["timings"].items()}
        show["summary"] = meta["summary"]
        print(json.dumps(show, indent=2, default=str))
        hc = store.load_frame(meta["run_id"], "headcount")
        if not hc.empty:
            print("\nheadcount (FTE per queue and week):")
            print(fmt_table(hc[["queue", "week_start", "days", "volume", "agent_hours", "paid_hours", "fte",
                           "peak_agents"]]))
        return EXIT_OK
    finally:
        store.close()
