"""``staffcast simulate --plan FILE | --run ID``: simulate a staffing plan."""
from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from .common import (EPILOG_STORE, EXIT_OK, add_output_flags, add_queue_flags, blame_flags, emit_table, flag_name,
                     positive_int, progress_for)
from .summaries import simulation_summary

__all__ = ["add_parser", "cmd_simulate"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``simulate`` command to ``staffcast``'s subparsers."""
    p = subparsers.add_parser("simulate", help="simulate a staffing plan (from a file or a stored run)",
                              description="Simulate a staffing plan: a file with interval_start, volume and agents "
                                          "(e.g. requirements.csv of a run) or a stored run (--run). Reports simulated "
                                          "service level, ASA, P(wait), abandonment and occupancy per interval.",
                              epilog=EPILOG_STORE)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--plan", help="CSV / Parquet with interval_start, volume, agents [, queue, aht_s]")
    src.add_argument("--run", help="a stored run id (or 'latest'): simulate its requirements")
    p.add_argument("--config", help="plan TOML file with the queue parameters")
    p.add_argument("--store", help="run store URL (with --run)")
    p.add_argument("--agents-col", default="agents", help="column with the agents per interval (default: agents)")
    p.add_argument("--replications", type=positive_int, help="replications (default: config or 10)")
    p.add_argument("--seed", type=int, help="random seed, >= 0 (default: config)")
    p.add_argument("--rate-cv", type=float, help="per-replication busyness CV, 0..2 (default: config or 0)")
    p.add_argument("--days", type=positive_int, help="simulate only the first N days")
    p.add_argument("--refine", action="store_true", help="add agents where the target is missed")
    p.add_argument("--out", help="output file (.csv or .parquet); default: CSV on stdout")
    add_queue_flags(p)
    add_output_flags(p)
    return p


def _requirements_of_run(args) -> tuple:
    """``(plan config, requirements)`` of the stored run ``--run`` (its config, or ``--config``),
    cut to ``--queue`` when given."""
    from ..config import InputError, load_config, parse_config
    import numpy as np
    from ..store import RunStore, resolve_store_url

    store = RunStore(resolve_store_url(args.store, None), create=False)
    try:
        meta = store.get_run(args.run)
        req = store.load_frame(meta["run_id"], "requirements")
    finally:
        store.close()
    cfg = load_config(args.config) if args.config else parse_config(meta["config"], check_files=False)
    if args.queue:
        if args.queue not in cfg.queues:
            raise InputError(f"--queue {args.queue}: not in run {meta['run_id']} ({', '.join(cfg.queues)})")
        cfg = replace(cfg, queues={args.queue: cfg.queues[args.queue]})
    req = req[req["queue"].isin(list(cfg.queues))].reset_index(drop=True)
    req["agents"] = req["agents"].astype(np.int64)
    return cfg, req


def _requirements_of_file(args) -> tuple:
    """``(plan config, requirements)`` of the plan file ``--plan`` (agents in ``--agents-col``;
    intervals with agents are open)."""
    from .queue_args import read_queue_file
    import numpy as np
    import pandas as pd

    qf = read_queue_file(args, Path(args.plan), extra_cols=(args.agents_col,))
    h, q = qf.frame, qf.queue
    agents = h[args.agents_col].to_numpy(float)
    col = args.agents_col
    _refuse_rows(args.plan, h, agents != np.floor(agents), col,
                 "has fractional agents", "whole agents per interval (round them as you mean to staff)")
    _refuse_rows(args.plan, h, (agents == 0) & (h["volume"].to_numpy(float) > 0), col,
                 "has 0 agents on intervals with contacts",
                 "at least 1 agent where contacts arrive, or volume 0 for a closed interval")
    req = pd.DataFrame({"queue": q.name, "interval_start": h["interval_start"], "open": agents > 0,
                        "volume": h["volume"], "aht_s": h["aht_s"], "agents": agents.astype(np.int64)})
    return qf.config, req


def _refuse_rows(path, h: pd.DataFrame, bad: np.ndarray, col: str, what: str, expected: str) -> None:
    """InputError naming the file, the column and the first rows (by interval) where ``bad``."""
    import numpy as np

    from ..config import InputError

    if bad.any():
        idx = np.flatnonzero(bad)
        rows = "; ".join(f"interval_start={h['interval_start'].iloc[i]} ({col}={h[col].iloc[i]:g}, "
                         f"volume={h['volume'].iloc[i]:g})" for i in idx[:5])
        more = f"; and {len(idx) - 5} more" if len(idx) > 5 else ""
        raise InputError(f"{path}: column {col!r} {what}: {rows}{more}; expected {expected}")


def cmd_simulate(args) -> int:
    """Handler of ``staffcast simulate``: the simulation table on stdout or to ``--out``."""
    from ..config import ConfigError, simulation_with
    from ..pipeline import simulate_plan

    progress = progress_for(args)
    cfg, req = _requirements_of_run(args) if args.run else _requirements_of_file(args)
    try:  # the flags get the ranges of [simulation] in a plan file
        sc = simulation_with(replace(cfg.simulation, days=None), enabled=True, refine=bool(args.refine),
                             replications=args.replications, seed=args.seed, rate_cv=args.rate_cv,
                             days=args.days)
    except ConfigError as exc:
        raise blame_flags(exc, flag_name, args.config) from None
    cfg = replace(cfg, simulation=sc)
    progress.total = 1
    with progress.step("simulation", "simulate"):
        sim = simulate_plan(cfg, req, progress)
    emit_table(sim, args.out, progress, "simulation results", summary=lambda: simulation_summary(sim))
    return EXIT_OK
