"""``staffcast forecast --config plan.toml``: forecast only (CSV / Parquet), nothing stored."""
from __future__ import annotations

import argparse
from dataclasses import replace

from .common import EXIT_OK, add_output_flags, blame_flags, date_arg, emit_table, positive_int, progress_for

__all__ = ["add_parser", "cmd_forecast"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``forecast`` command to ``staffcast``'s subparsers."""
    p = subparsers.add_parser("forecast", help="forecast volume per interval for the config's queues",
                              description="Read each queue's history and forecast volume (with p10/p90) over the "
                                          "configured horizon, with the automatic model choice. Nothing is stored.")
    p.add_argument("--config", required=True, help="plan TOML file")
    p.add_argument("--queue", action="append", help="only this queue (repeatable; default: all)")
    p.add_argument("--as-of", type=date_arg, help="first forecast day (YYYY-MM-DD)")
    p.add_argument("--horizon-days", type=positive_int, help="days to forecast (default: config)")
    p.add_argument("--model", help="model name instead of the config's (default: auto)")
    p.add_argument("--out", help="output file (.csv or .parquet); default: CSV on stdout")
    add_output_flags(p)
    return p


def cmd_forecast(args) -> int:
    """Handler of ``staffcast forecast``: the forecast table on stdout or to ``--out``."""
    from ..config import ConfigError, InputError, load_config
    from ..pipeline import forecast_queues, load_histories, plan_window

    progress = progress_for(args)
    config = load_config(args.config)
    over = {}
    if args.as_of:
        over["as_of"] = args.as_of
    if args.horizon_days:
        over["horizon_days"] = args.horizon_days
    if args.model:
        over["model"] = args.model
    if over:
        flags = {"forecast.as_of": "--as-of", "forecast.horizon_days": "--horizon-days", "forecast.model": "--model"}
        try:
            config = config.with_overrides(forecast=over)
        except ConfigError as exc:
            raise blame_flags(exc, flags.get, args.config) from None
    if args.queue:
        unknown = [q for q in args.queue if q not in config.queues]
        if unknown:
            raise InputError(f"--queue {unknown[0]}: no such queue (queues: {', '.join(config.queues)})")
        config = replace(config, queues={q: config.queues[q] for q in args.queue})
    progress.total = 2
    with progress.step("history", "read history"):
        hist, _ = load_histories(config, progress)
    start, end, _ = plan_window(config, hist)
    with progress.step("forecast", "forecast"):
        fc, models = forecast_queues(config, hist, start, end, progress)
    emit_table(fc, args.out, progress, "forecast")
    return EXIT_OK
