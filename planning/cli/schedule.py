"""``staffcast schedule --config plan.toml``: the plan with its ``[schedule]`` step — shifts with
placed breaks, weekly rosters, headcount from the roster — stored and exported (``schedule.csv``,
``coverage.csv``, ``ics/`` one calendar per agent)."""
from __future__ import annotations

import argparse
import json

from .common import (EPILOG_STORE, EXIT_OK, add_output_flags, blame_flags, date_arg, fmt_table, positive_int,
                     progress_for)

__all__ = ["add_parser", "cmd_schedule", "schedule_report"]

_FLAGS = {"schedule.weeks": "--weeks", "schedule.time_limit_s": "--time-limit-s", "schedule.check": "--no-check"}


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``schedule`` command to ``staffcast``'s subparsers."""
    p = subparsers.add_parser("schedule", help="shifts, breaks and rosters for the plan's first week(s), stored",
                              description="Run the plan (as `staffcast run`) and its [schedule] step: the cheapest "
                                          "shifts with placed breaks covering the requirement net of unplanned "
                                          "shrinkage, rostered to agents, checked by simulation with drawn absence. "
                                          "Writes schedule.csv, coverage.csv and ics/ (one calendar per agent) next "
                                          "to the run's other exports. An identical stored run is reused.",
                              epilog=EPILOG_STORE)
    p.add_argument("--config", required=True, help="plan TOML file with a [schedule] section (see data/plan.toml)")
    p.add_argument("--store", help="run store URL (e.g. sqlite:///runs/staffcast.sqlite)")
    p.add_argument("--no-store", action="store_true", help="do not store the run (exports only)")
    p.add_argument("--force", action="store_true", help="recompute and store even if an identical run is stored")
    p.add_argument("--as-of", type=date_arg, help="first forecast day (YYYY-MM-DD)")
    p.add_argument("--out-dir", help="export folder (default: config output_dir or ./out); files go to OUT/RUN_ID/")
    p.add_argument("--weeks", type=positive_int, help="full plan weeks to schedule (overrides [schedule] weeks)")
    p.add_argument("--time-limit-s", type=float, help="seconds for one week's shift cover (overrides the config)")
    p.add_argument("--no-check", action="store_true", help="skip the simulation check of the roster")
    p.add_argument("--json", action="store_true", help="print the schedule summary as JSON on stdout")
    add_output_flags(p)
    return p


def _config(args):
    """The plan with the command-line overrides of ``[schedule]``; InputError without one."""
    from ..config import ConfigError, InputError, load_config

    config = load_config(args.config)
    if config.schedule is None:
        raise InputError(f"{args.config}: no [schedule] section; add shift templates and contracts "
                         "(see data/plan.toml and docs/scheduling.md)")
    over = {k: v for k, v in (("weeks", args.weeks), ("time_limit_s", args.time_limit_s),
                              ("check", False if args.no_check else None)) if v is not None}
    if not over:
        return config
    try:
        return config.with_overrides(schedule=over)
    except ConfigError as exc:
        raise blame_flags(exc, _FLAGS.get, args.config) from None


def schedule_report(summary: dict) -> str:
    """The schedule part of a run summary as text: per queue, the solver, people and the check."""
    import pandas as pd

    s = summary.get("schedule") or {}
    if s.get("skipped"):
        return f"schedule skipped: {s['skipped']}"
    cols = ["shrinkage_unplanned", "required_agent_h_per_week", "on_duty_agent_h_per_week", "paid_h_per_week",
            "paid_over_required_pct", "fte_per_week", "cost_per_week", "shifts_per_week", "intervals_short"]
    rows = [{"queue": q, **{k: s["by_queue"][q].get(k) for k in cols}} for q in s["queues"]]  # stored JSON is sorted
    cov = s["cover"]
    lines = [f"schedule for the week(s) of {', '.join(s['weeks'])} (FTE from {s['fte_basis']})",
             fmt_table(pd.DataFrame(rows))]
    for w, c in zip(s["weeks"], cov):
        lines.append(f"cover {w}: {c['shifts']} shifts, {c['paid_h']:g} paid h, cost {c['cost']:,.2f}, LP bound "
                     f"{c['lp_bound']:,.2f}, gap to LP bound {c['gap_to_lp_pct']:.2f}% ({c['status']}, "
                     f"{c['solve_time_s']:.1f} s)")
    by = ", ".join(f"{k} {v}" for k, v in s["agents_by_contract"].items())
    lines.append(f"roster: {', '.join(map(str, s['agents']))} agents ({by}); rule violations "
                 f"{', '.join(map(str, s['roster_violations']))}; unassigned shifts "
                 f"{', '.join(map(str, s['unassigned_shifts']))}; scheduling efficiency "
                 f"{', '.join(f'{e:.1f}%' for e in s['scheduling_efficiency_pct'])}")
    lines.extend(f"  roster problem ({w}): {p}" for w, ps in zip(s["weeks"], s["roster_problems"]) for p in ps)
    ck = s["check"]
    if ck["enabled"]:
        lines.append(f"simulation check with drawn absence: {ck['intervals_missed_first']} intervals missed a target, "
                     f"{ck['intervals_raised']} raised by one agent and re-covered, {ck['intervals_missed_final']} "
                     "still missed (schedule_checks.csv lists them and why)")
    lines += [f"note {q}: {f['note']}" for q, f in s["by_queue"].items() if f.get("note")]
    if s.get("note"):
        lines.append(f"note: {s['note']}")
    return "\n".join(lines)


def cmd_schedule(args) -> int:
    """Handler of ``staffcast schedule``; returns the exit code."""
    from ..config import InputError

    from ..pipeline import run_plan

    if args.no_store and args.force:
        raise InputError("--force and --no-store: nothing to force without a store")
    progress = progress_for(args)
    config = _config(args)
    res = run_plan(config, store=args.store, save=not args.no_store, force=args.force, as_of=args.as_of,
                   out_dir=args.out_dir, progress=progress)
    if args.json:
        print(json.dumps({"run_id": res.run_id, "reused": res.reused, "store": res.store_url,
                          "export_dir": str(res.export_dir) if res.export_dir else None,
                          "schedule": res.summary.get("schedule"), "fte_total": res.summary.get("fte_total")},
                         default=str, indent=2))
        return EXIT_OK
    stored = f"stored in {res.store_url}" if res.store_url else "not stored"
    print(f"run {res.run_id} {'reused' if res.reused else stored}")
    print(schedule_report(res.summary))
    print(f"FTE per full week, all queues: {res.summary['fte_total']}")
    if res.export_dir and res.schedule is not None:
        print(f"exports: {res.export_dir}/ (schedule.csv, coverage.csv, schedule_headcount.csv, schedule_checks.csv, "
              "ics/ and the run's tables)")
    return EXIT_OK
