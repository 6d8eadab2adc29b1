"""``staffcast accuracy --config plan.toml``: stored forecasts versus new actuals."""
from __future__ import annotations

import argparse

from .common import EPILOG_STORE, EXIT_OK, add_output_flags, emit_table, fmt_table, progress_for, queue_file_arg

__all__ = ["add_parser", "cmd_accuracy"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``accuracy`` command to ``staffcast``'s subparsers."""
    p = subparsers.add_parser("accuracy", help="score stored forecasts against new actuals",
                              description="Score the stored runs' forecasts of this plan against the actuals in the "
                                          "config's history files (or --history QUEUE=FILE): WAPE overall and evening "
                                          "(20:00-24:00), bias and p10-p90 coverage per run, queue and lead week. "
                                          "Scores are kept in the store.",
                              epilog=EPILOG_STORE)
    p.add_argument("--config", required=True, help="plan TOML file")
    p.add_argument("--store", help="run store URL")
    p.add_argument("--run", action="append", help="score only this run (repeatable; default: the plan's runs)")
    p.add_argument("--history", action="append", type=queue_file_arg, default=[],
                   help="QUEUE=FILE: newer history for a queue (default: the config's file)")
    p.add_argument("--by-week", action="store_true", help="also show the scores per lead week")
    p.add_argument("--no-save", action="store_true", help="do not store the scores")
    p.add_argument("--out", help="write the scores to this .csv / .parquet file")
    add_output_flags(p)
    return p


def cmd_accuracy(args) -> int:
    """Handler of ``staffcast accuracy``: scores of the stored forecasts (stored unless --no-save)."""
    from ..config import load_config
    from ..accuracy import score_runs
    from ..store import RunStore, resolve_store_url

    progress = progress_for(args)
    config = load_config(args.config)
    store = RunStore(resolve_store_url(args.store, config.store), create=False)
    try:
        progress.total = 1
        with progress.step("accuracy", "score stored forecasts"):
            scores = score_runs(store, config, run_ids=args.run, history_overrides=dict(args.history),
                                save=not args.no_save)
    finally:
        store.close()
    if scores.empty:
        print("no stored forecast overlaps the actuals yet (nothing to score)")
        return EXIT_OK
    if args.out:
        emit_table(scores, args.out, progress, "accuracy")
    shown = scores if args.by_week else scores[scores["lead_week"] == 0]
    print(fmt_table(shown.drop(columns=["actuals_fingerprint"], errors="ignore")))
    return EXIT_OK
