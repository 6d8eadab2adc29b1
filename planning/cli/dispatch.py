"""The ``staffcast`` command line.

    staffcast run       --config plan.toml      history -> forecast -> requirements -> simulation -> FTE, stored
    staffcast forecast  --config plan.toml      forecast only (CSV / Parquet)
    staffcast staff     --forecast FILE         agents per interval for a forecast or volume file
    staffcast simulate  --plan FILE | --run ID  simulate a staffing plan
    staffcast runs      [list | show ID]        stored runs
    staffcast accuracy  --config plan.toml      stored forecasts versus new actuals

Exit codes: 0 success, 2 bad input (config, files, arguments), 1 failure (store busy, a bug),
130 interrupted. Progress goes to stderr: step lines on a terminal, key=value lines otherwise
(``--log-format json`` for JSON lines); results go to stdout.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import traceback
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from .config import ConfigError, InputError, load_config, parse_config, simulation_with
from .progress import Progress

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130

_EPILOG_STORE = ("The run store is a SQLAlchemy URL: --store, else $STAFFCAST_STORE, else [plan] store in the "
                 "config, else sqlite:///runs/staffcast.sqlite (relative to the working directory).")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 1999-12-01, got {text!r}") from None


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def _queue_file(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected QUEUE=FILE, got {text!r}")
    q, f = text.split("=", 1)
    return q.strip(), f.strip()


def _common(p: argparse.ArgumentParser):
    g = p.add_argument_group("output and logging")
    g.add_argument("--log-format", choices=("auto", "steps", "kv", "json", "quiet"), default="auto",
                   help="progress on stderr: auto = step lines on a terminal, key=value lines otherwise")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress output (errors still shown)")
    g.add_argument("--debug", action="store_true", help="show the traceback of a failure")


def _queue_flags(p: argparse.ArgumentParser):
    g = p.add_argument_group("queue parameters (override the config's queue, or define one without --config)")
    g.add_argument("--queue", help="queue of the config to use (needed when the config has several); a file "
                                  "with a queue column is cut to that queue's rows")
    g.add_argument("--interval-min", type=_positive_int, help="interval length, minutes (default: config or file)")
    g.add_argument("--timezone", help="IANA zone of the times (default: config)")
    g.add_argument("--volume-col", default=None, help="volume column of the file (default: volume)")
    g.add_argument("--aht-s", type=float, help="average handle time, seconds (if the file has no aht_s)")
    g.add_argument("--service-level", type=float, help="target share answered within --awt-s, e.g. 0.8")
    g.add_argument("--awt-s", type=float, help="acceptable waiting time, seconds (default 20)")
    g.add_argument("--asa-s", type=float, help="target average speed of answer, seconds")
    g.add_argument("--p-wait", type=float, help="target probability of waiting, e.g. 0.05")
    g.add_argument("--abandon-rate", type=float, help="target abandonment share (needs --patience-s)")
    g.add_argument("--patience-s", type=float, help="mean customer patience, seconds")
    g.add_argument("--max-occupancy", type=float, help="occupancy cap, e.g. 0.85")
    g.add_argument("--shrinkage", type=float, help="share of paid time not available, e.g. 0.3")
    g.add_argument("--concurrency", type=int, help="chats one agent holds at most")
    g.add_argument("--aht-by-concurrency-s", help="per-chat handle time at 1..k chats held, e.g. 360,450,560")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="staffcast",
        description="Contact-center staffing: forecast, requirements, simulation check, headcount, run store.",
        epilog="Exit codes: 0 ok, 2 bad input, 1 failure. " + _EPILOG_STORE,
    )
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("run", help="the whole plan: history -> forecast -> requirements -> simulation -> FTE, stored",
                       description="Run the whole plan of a config file, store the run (one transaction) and "
                                   "export forecast, requirements, simulation and headcount as CSV and Parquet. "
                                   "A run with the same config, input data and code as a stored run is "
                                   "recognised, not recomputed (its stored tables are exported) unless --force.",
                       epilog=_EPILOG_STORE)
    p.add_argument("--config", required=True, help="plan TOML file (see data/plan.toml)")
    p.add_argument("--store", help="run store URL (e.g. sqlite:///runs/staffcast.sqlite, postgresql+psycopg://...)")
    p.add_argument("--force", action="store_true", help="recompute and store even if an identical run is stored")
    p.add_argument("--as-of", type=_date, help="first forecast day (YYYY-MM-DD); history after it is ignored")
    p.add_argument("--no-simulate", action="store_true", help="skip the simulation check")
    p.add_argument("--out-dir", help="export folder (default: config output_dir or ./out); files go to OUT/RUN_ID/")
    p.add_argument("--no-export", action="store_true", help="do not write CSV / Parquet exports")
    p.add_argument("--no-store", action="store_true", help="do not store the run (exports only)")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON on stdout")
    _common(p)

    p = sub.add_parser("forecast", help="forecast volume per interval for the config's queues",
                       description="Read each queue's history and forecast volume (with p10/p90) over the "
                                   "configured horizon, with the automatic model choice. Nothing is stored.")
    p.add_argument("--config", required=True, help="plan TOML file")
    p.add_argument("--queue", action="append", help="only this queue (repeatable; default: all)")
    p.add_argument("--as-of", type=_date, help="first forecast day (YYYY-MM-DD)")
    p.add_argument("--horizon-days", type=_positive_int, help="days to forecast (default: config)")
    p.add_argument("--model", help="model name instead of the config's (default: auto)")
    p.add_argument("--out", help="output file (.csv or .parquet); default: CSV on stdout")
    _common(p)

    p = sub.add_parser("staff", help="agents per interval for a forecast or volume file",
                       description="Required agents per interval (analytic queueing model) for a file with "
                                   "interval_start and volume (and optionally queue, aht_s), e.g. the "
                                   "forecast.csv of a run. Queue parameters come from --config/--queue and/or "
                                   "the flags below.")
    p.add_argument("--forecast", "--volume", dest="volume_file", required=True,
                   help="CSV / Parquet with interval_start, volume [, queue, aht_s]")
    p.add_argument("--config", help="plan TOML file with the queue parameters")
    p.add_argument("--out", help="output file (.csv or .parquet); default: CSV on stdout")
    _queue_flags(p)
    _common(p)

    p = sub.add_parser("simulate", help="simulate a staffing plan (from a file or a stored run)",
                       description="Simulate a staffing plan: a file with interval_start, volume and agents "
                                   "(e.g. requirements.csv of a run) or a stored run (--run). Reports simulated "
                                   "service level, ASA, P(wait), abandonment and occupancy per interval.",
                       epilog=_EPILOG_STORE)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--plan", help="CSV / Parquet with interval_start, volume, agents [, queue, aht_s]")
    src.add_argument("--run", help="a stored run id (or 'latest'): simulate its requirements")
    p.add_argument("--config", help="plan TOML file with the queue parameters")
    p.add_argument("--store", help="run store URL (with --run)")
    p.add_argument("--agents-col", default="agents", help="column with the agents per interval (default: agents)")
    p.add_argument("--replications", type=_positive_int, help="replications (default: config or 10)")
    p.add_argument("--seed", type=int, help="random seed, >= 0 (default: config)")
    p.add_argument("--rate-cv", type=float, help="per-replication busyness CV, 0..2 (default: config or 0)")
    p.add_argument("--days", type=_positive_int, help="simulate only the first N days")
    p.add_argument("--refine", action="store_true", help="add agents where the target is missed")
    p.add_argument("--out", help="output file (.csv or .parquet); default: CSV on stdout")
    _queue_flags(p)
    _common(p)

    p = sub.add_parser("runs", help="list and show stored runs",
                       description="List stored runs (newest first) or show one run's metadata and tables.",
                       epilog=_EPILOG_STORE)
    p.add_argument("--store", help="run store URL")
    rs = p.add_subparsers(dest="runs_command", metavar="ACTION")
    pl = rs.add_parser("list", help="list runs (default)", description="List stored runs, newest first.")
    pl.add_argument("--limit", type=_positive_int, default=20, help="at most this many (default 20)")
    pl.add_argument("--plan", help="only runs of this plan name")
    pl.add_argument("--store", dest="store_sub", help="run store URL")
    ps = rs.add_parser("show", help="one run's metadata, or one of its tables",
                       description="Show a stored run: metadata and headcount, or a table with --table.")
    ps.add_argument("run_id", help="run id, a unique prefix of it, or 'latest'")
    ps.add_argument("--table", choices=("forecast", "requirements", "simulation", "headcount"),
                    help="print (or --out) this table instead of the summary")
    ps.add_argument("--out", help="write the table to this .csv / .parquet file")
    ps.add_argument("--store", dest="store_sub", help="run store URL")
    _common(p)

    p = sub.add_parser("accuracy", help="score stored forecasts against new actuals",
                       description="Score the stored runs' forecasts of this plan against the actuals in the "
                                   "config's history files (or --history QUEUE=FILE): WAPE overall and evening "
                                   "(20:00-24:00), bias and p10-p90 coverage per run, queue and lead week. "
                                   "Scores are kept in the store.",
                       epilog=_EPILOG_STORE)
    p.add_argument("--config", required=True, help="plan TOML file")
    p.add_argument("--store", help="run store URL")
    p.add_argument("--run", action="append", help="score only this run (repeatable; default: the plan's runs)")
    p.add_argument("--history", action="append", type=_queue_file, default=[],
                   help="QUEUE=FILE: newer history for a queue (default: the config's file)")
    p.add_argument("--by-week", action="store_true", help="also show the scores per lead week")
    p.add_argument("--no-save", action="store_true", help="do not store the scores")
    p.add_argument("--out", help="write the scores to this .csv / .parquet file")
    _common(p)

    from .scenarios_cli import add_parser as _add_scenarios_parser
    _add_scenarios_parser(sub)
    return ap


# --------------------------------------------------------------------------- helpers


def _progress(args) -> Progress:
    return Progress(sys.stderr, fmt="quiet" if args.quiet else args.log_format)


def _emit_table(frame: pd.DataFrame, out: str | None, progress: Progress, what: str):
    """Write ``frame`` to ``out`` (.csv / .parquet, atomically) or as CSV on stdout. CSV text cells a
    spreadsheet would run as a formula are neutralised (planning.safe_csv), as in dashboard downloads."""
    from .safe_csv import neutralise_frame, to_safe_csv

    if out:
        from .exports import write_frame

        csv = Path(out).suffix.lower() == ".csv"
        path = write_frame(neutralise_frame(frame) if csv else frame, out)
        progress.info(f"wrote {what} to {path}", rows=len(frame), path=str(path))
    else:
        sys.stdout.write(to_safe_csv(frame).decode("utf-8"))


def _fmt(frame: pd.DataFrame) -> str:
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.max_rows", 200):
        return frame.to_string(index=False, float_format=lambda v: f"{v:.3f}")


def _flag_name(key: str) -> str:
    return "--" + key.rsplit(".", 1)[-1].replace("_", "-")


def _blame_flags(exc: ConfigError, flag_of, source) -> InputError:
    """``exc`` with each problem caused by a command-line flag named by that flag (``flag_of(key)``:
    the flag, or None if the key's value came from the config file)."""
    probs = [(flag_of(k) or k, m) for k, m in exc.problems]
    if all(flag_of(k) for k, _ in exc.problems):
        if len(probs) == 1:
            return InputError(f"{probs[0][0]}: {probs[0][1]}")
        return InputError("\n".join([f"invalid arguments ({len(probs)} problems):"]
                                    + [f"  {k}: {m}" for k, m in probs]))
    return ConfigError(probs, f"{source} with the command-line flags")


def _queue_flag_of(args):
    """Problem key -> the queue flag that set its value (None: the value came from the config)."""
    def flag_of(key: str) -> str | None:
        name = key.rsplit(".", 1)[-1]
        return _flag_name(key) if getattr(args, name, None) is not None else None
    return flag_of


def _queue_from_args(args, volume_file: Path):
    """The queue parameters: the config's queue with the flags on top, or the flags alone."""
    raw_q: dict = {}
    plan: dict = {}
    config = None
    if args.config:
        config = load_config(args.config)
        names = list(config.queues)
        name = args.queue or (names[0] if len(names) == 1 else None)
        if name is None:
            raise InputError(f"--queue: the config has several queues ({', '.join(names)}); say which one")
        if name not in config.queues:
            raise InputError(f"--queue {name}: no such queue in {args.config} (queues: {', '.join(names)})")
        raw_q = {**config.raw.get("defaults", {}), **config.raw["queues"][name]}
        plan = {"interval_min": config.interval_min}
        if config.timezone:
            plan["timezone"] = config.timezone
        qname = name
    else:
        qname = args.queue or "queue"
    raw_q = dict(raw_q)
    raw_q["history"] = str(volume_file.resolve())
    raw_q.pop("time_col", None), raw_q.pop("volume_col", None), raw_q.pop("aht_col", None)
    raw_q.pop("queue_col", None), raw_q.pop("queue_value", None)
    targets = dict(raw_q.get("targets", {}))
    for flag in ("service_level", "awt_s", "asa_s", "p_wait", "abandon_rate"):
        v = getattr(args, flag, None)
        if v is not None:
            targets[flag] = v
    if targets:
        raw_q["targets"] = targets
    for flag in ("aht_s", "patience_s", "max_occupancy", "shrinkage", "concurrency"):
        v = getattr(args, flag, None)
        if v is not None:
            raw_q[flag] = v
    if args.aht_by_concurrency_s:
        try:
            raw_q["aht_by_concurrency_s"] = [float(x) for x in args.aht_by_concurrency_s.split(",")]
        except ValueError:
            raise InputError(f"--aht-by-concurrency-s: expected numbers like 360,450,560, "
                             f"got {args.aht_by_concurrency_s!r}") from None
    if raw_q.get("concurrency", 1) > 1 and "kind" not in raw_q:
        raw_q["kind"] = "chat"
    if args.interval_min:
        plan["interval_min"] = args.interval_min
    if args.timezone:
        plan["timezone"] = args.timezone
    raw = {"plan": plan, "queues": {qname: raw_q}}
    if config is None and "interval_min" not in plan:
        raw["plan"]["interval_min"] = 30  # replaced by the file's interval below
    try:
        cfg = parse_config(raw, base_dir=Path.cwd())
    except ConfigError as exc:
        flag_of = (lambda k: _flag_name(k)) if config is None else _queue_flag_of(args)
        raise _blame_flags(exc, flag_of, args.config) from None
    if args.interval_min:
        interval_from = f"--interval-min {args.interval_min}"
    elif config is not None:
        interval_from = f"plan.interval_min = {config.interval_min} in {args.config}"
    else:
        interval_from = None  # the file's own interval
    queue_name = qname if config is not None else args.queue
    return cfg, cfg.queues[qname], interval_from, queue_name


def _one_queue(h: pd.DataFrame, path: Path, name: str | None) -> tuple[pd.DataFrame, str | None]:
    """The rows of queue ``name`` of a file with a queue column (without the column), and the queue.

    A file without a queue column is taken as it is; without ``name`` the file must hold one queue."""
    if "queue" not in h:
        return h, name
    values = list(pd.unique(h["queue"].astype(str)))
    shown = ", ".join(values[:8]) + (", ..." if len(values) > 8 else "")
    if name is None:
        if len(values) > 1:
            raise InputError(f"{path} holds several queues (queue column: {shown}); choose one with --queue")
        name = values[0]
    elif name not in values:
        raise InputError(f"{path}: no rows of queue {name!r}; its queue column holds {shown} "
                         "(choose one of them with --queue, or give a file of that queue)")
    out = h[h["queue"].astype(str) == name].drop(columns="queue").reset_index(drop=True)
    out.attrs.update(h.attrs)
    return out, name


def _read_plan_file(path: Path, args, tz: str | None, interval_s: int | None, extra_cols=(),
                    interval_from: str | None = None) -> pd.DataFrame:
    """Read a forecast / volume / plan file with forecast.read_history's checks. A file whose own
    interval differs from ``interval_s`` (given by ``interval_from``) is refused."""
    from forecast.history import read_history

    if not path.is_file():
        raise InputError(f"file not found: {path}")
    try:
        h = read_history(path, volume_col=args.volume_col or "volume", tz=tz, interval_s=interval_s)
    except ValueError as exc:
        if interval_s is not None:
            try:
                own = int(read_history(path, volume_col=args.volume_col or "volume", tz=tz).attrs["interval_s"])
            except ValueError:
                own = None
            if own is not None and own != interval_s:
                raise InputError(f"{path} has {own // 60}-minute intervals ({own} s), not the "
                                 f"{interval_s // 60} minutes of {interval_from or 'the plan'}; give "
                                 f"--interval-min {own // 60} or a file at {interval_s // 60}-minute intervals") from None
        raise InputError(str(exc)) from None
    for c in extra_cols:  # read again with that column as the value: same rows, same order, same checks
        try:
            other = read_history(path, volume_col=c, tz=tz, interval_s=interval_s)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        h[c] = other["volume"].to_numpy()
    return h


# --------------------------------------------------------------------------- commands


def cmd_run(args) -> int:
    from .pipeline import run_plan

    progress = _progress(args)
    config = load_config(args.config)
    if args.no_store and args.force:
        raise InputError("--force and --no-store: nothing to force without a store")
    res = run_plan(config, store=args.store, save=not args.no_store, force=args.force, as_of=args.as_of,
                   simulate=False if args.no_simulate else None, export=not args.no_export,
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
    print(_fmt(pd.DataFrame(rows)))
    print(f"FTE per full week, all queues: {res.summary['fte_total']}")
    if res.export_dir:
        print(f"exports: {res.export_dir}/ (forecast, requirements, simulation, headcount; .csv and .parquet)")
    return EXIT_OK


def cmd_forecast(args) -> int:
    from .pipeline import forecast_queues, load_histories, plan_window

    progress = _progress(args)
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
            raise _blame_flags(exc, flags.get, args.config) from None
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
    _emit_table(fc, args.out, progress, "forecast")
    return EXIT_OK


def cmd_staff(args) -> int:
    from .pipeline import requirements_for

    progress = _progress(args)
    path = Path(args.volume_file)
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    cfg, q, interval_from, queue_name = _queue_from_args(args, path)
    interval_known = interval_from is not None
    h = _read_plan_file(path, args, cfg.timezone, cfg.interval_s if interval_known else None,
                        interval_from=interval_from)
    interval_s = cfg.interval_s if interval_known else int(h.attrs["interval_s"])
    h, queue_name = _one_queue(h, path, queue_name)
    if queue_name is not None and queue_name != q.name:  # flags only: label with the file's queue
        q = replace(q, name=queue_name)
    if "aht_s" not in h or h["aht_s"].isna().any():
        fill = q.mean_handle_s
        if fill is None:
            raise InputError(f"{path}: no aht_s column (or empty values); give --aht-s")
        h["aht_s"] = h["aht_s"].fillna(fill) if "aht_s" in h else fill
    with progress.step("requirements", f"requirements {q.name}"):
        req = requirements_for(q, h, interval_s)
    _emit_table(req, args.out, progress, "requirements")
    return EXIT_OK


def cmd_simulate(args) -> int:
    from .pipeline import simulate_plan

    progress = _progress(args)
    if args.run:
        from .store import RunStore, resolve_store_url

        cfg_path = args.config
        store = RunStore(resolve_store_url(args.store, None), create=False)
        try:
            meta = store.get_run(args.run)
            req = store.load_frame(meta["run_id"], "requirements")
        finally:
            store.close()
        cfg = load_config(cfg_path) if cfg_path else parse_config(meta["config"], check_files=False)
        if args.queue:
            if args.queue not in cfg.queues:
                raise InputError(f"--queue {args.queue}: not in run {meta['run_id']} ({', '.join(cfg.queues)})")
            cfg = replace(cfg, queues={args.queue: cfg.queues[args.queue]})
        req = req[req["queue"].isin(list(cfg.queues))].reset_index(drop=True)
        req["agents"] = req["agents"].astype(np.int64)
    else:
        path = Path(args.plan)
        if not path.is_file():
            raise InputError(f"file not found: {path}")
        cfg, q, interval_from, queue_name = _queue_from_args(args, path)
        interval_known = interval_from is not None
        h = _read_plan_file(path, args, cfg.timezone, cfg.interval_s if interval_known else None,
                            extra_cols=(args.agents_col,), interval_from=interval_from)
        interval_s = cfg.interval_s if interval_known else int(h.attrs["interval_s"])
        h, queue_name = _one_queue(h, path, queue_name)
        if queue_name is not None and queue_name != q.name:  # flags only: label with the file's queue
            q = replace(q, name=queue_name)
            cfg = replace(cfg, queues={queue_name: q})
        cfg = replace(cfg, interval_s=interval_s)
        if "aht_s" not in h or h["aht_s"].isna().any():
            fill = q.mean_handle_s
            if fill is None:
                raise InputError(f"{path}: no aht_s column (or empty values); give --aht-s")
            h["aht_s"] = h["aht_s"].fillna(fill) if "aht_s" in h else fill
        open_ = h[args.agents_col].to_numpy(float) > 0
        req = pd.DataFrame({"queue": q.name, "interval_start": h["interval_start"], "open": open_,
                            "volume": h["volume"], "aht_s": h["aht_s"],
                            "agents": h[args.agents_col].round().astype(np.int64)})
    try:  # the flags get the ranges of [simulation] in a plan file
        sc = simulation_with(replace(cfg.simulation, days=None), enabled=True, refine=bool(args.refine),
                             replications=args.replications, seed=args.seed, rate_cv=args.rate_cv,
                             days=args.days)
    except ConfigError as exc:
        raise _blame_flags(exc, _flag_name, args.config) from None
    cfg = replace(cfg, simulation=sc)
    progress.total = 1
    with progress.step("simulation", "simulate"):
        sim = simulate_plan(cfg, req, progress)
    _emit_table(sim, args.out, progress, "simulation results")
    return EXIT_OK


def cmd_runs(args) -> int:
    from .store import RunStore, resolve_store_url

    progress = _progress(args)
    url = resolve_store_url(getattr(args, "store_sub", None) or args.store, None)
    store = RunStore(url, create=False)
    try:
        action = args.runs_command or "list"
        if action == "list":
            frame = store.list_runs(limit=getattr(args, "limit", 20), plan_name=getattr(args, "plan", None))
            if frame.empty:
                print(f"no runs stored in {store.url}")
            else:
                print(_fmt(frame))
            return EXIT_OK
        meta = store.get_run(args.run_id)
        if args.table:
            frame = store.load_frame(meta["run_id"], args.table)
            if args.out:
                _emit_table(frame, args.out, progress, args.table)
            else:
                print(_fmt(frame))
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
            print(_fmt(hc[["queue", "week_start", "days", "volume", "agent_hours", "paid_hours", "fte",
                           "peak_agents"]]))
        return EXIT_OK
    finally:
        store.close()


def cmd_accuracy(args) -> int:
    from .accuracy import score_runs
    from .store import RunStore, resolve_store_url

    progress = _progress(args)
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
        _emit_table(scores, args.out, progress, "accuracy")
    shown = scores if args.by_week else scores[scores["lead_week"] == 0]
    print(_fmt(shown.drop(columns=["actuals_fingerprint"], errors="ignore")))
    return EXIT_OK


COMMANDS = {"run": cmd_run, "forecast": cmd_forecast, "staff": cmd_staff, "simulate": cmd_simulate,
            "runs": cmd_runs, "accuracy": cmd_accuracy}


def _cmd_scenarios(args) -> int:
    from .scenarios_cli import main as scenarios_main
    return scenarios_main(args)


COMMANDS["scenarios"] = _cmd_scenarios


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``staffcast``; returns the exit code (``sys.exit(main())``)."""
    from .store import StoreError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 on bad arguments, 0 for --help
        return int(exc.code or 0)
    structured = not sys.stderr.isatty() and getattr(args, "log_format", "auto") != "steps"

    def fail(code: int, kind: str, message: str) -> int:
        print(f"staffcast {args.command}: error: {message}", file=sys.stderr)
        if structured and not getattr(args, "quiet", False):
            Progress(sys.stderr, fmt="json" if getattr(args, "log_format", "") == "json" else "kv")._emit(
                "error", "failed", command=args.command, kind=kind, exit_code=code, msg=message or None)
        if getattr(args, "debug", False):
            traceback.print_exc()
        return code

    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        return fail(EXIT_BAD_INPUT, "bad_input", str(exc))
    except StoreError as exc:
        return fail(EXIT_FAILURE, "store", str(exc))
    except KeyboardInterrupt:
        return fail(EXIT_INTERRUPTED, "interrupted", "interrupted")
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except Exception as exc:  # a bug or an environment failure
        return fail(EXIT_FAILURE, "failure", f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    sys.exit(main())
