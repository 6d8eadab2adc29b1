"""``staffcast staff --forecast FILE``: agents per interval for a forecast or volume file."""
from __future__ import annotations

import argparse
from pathlib import Path

from .common import EXIT_OK, add_output_flags, add_queue_flags, emit_table, progress_for
from .summaries import requirements_summary

__all__ = ["add_parser", "cmd_staff"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``staff`` command to ``staffcast``'s subparsers."""
    p = subparsers.add_parser("staff", help="agents per interval for a forecast or volume file",
                              description="Required agents per interval (analytic queueing model) for a file with "
                                          "interval_start and volume (and optionally queue, aht_s), e.g. the "
                                          "forecast.csv of a run. Queue parameters come from --config/--queue and/or "
                                          "the flags below.")
    p.add_argument("--forecast", "--volume", dest="volume_file", required=True,
                   help="CSV / Parquet with interval_start, volume [, queue, aht_s]")
    p.add_argument("--config", help="plan TOML file with the queue parameters")
    p.add_argument("--out", help="output file (.csv or .parquet); default: CSV on stdout")
    add_queue_flags(p)
    add_output_flags(p)
    return p


def cmd_staff(args) -> int:
    """Handler of ``staffcast staff``: the requirements table on stdout or to ``--out``."""
    from .queue_args import read_queue_file
    from ..pipeline import requirements_for

    progress = progress_for(args)
    qf = read_queue_file(args, Path(args.volume_file))
    q, h, interval_s = qf.queue, qf.frame, qf.interval_s
    with progress.step("requirements", f"requirements {q.name}"):
        req = requirements_for(q, h, interval_s)
    emit_table(req, args.out, progress, "requirements", summary=lambda: requirements_summary(req, interval_s))
    return EXIT_OK
