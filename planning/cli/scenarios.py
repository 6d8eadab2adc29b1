"""``staffcast scenarios --config data/scenarios.toml``: compare finance scenarios.

Prints the comparison (one column per scenario, differences against the baseline), break-even
values, the sensitivity table and the chat windows; writes the tables as CSV into
``OUT_DIR/scenarios-<study id>/`` and stores them in the run store (tables ``scenario_studies`` and
``scenario_results``, one transaction). Registered in :mod:`planning.cli` through
:func:`add_parser` and :func:`cmd_scenarios`.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from .common import EXIT_OK, add_output_flags, positive_int, progress_for

__all__ = ["add_parser", "cmd_scenarios", "format_study"]

_ROWS = [
    ("fte", "FTE (paid, per week)", 1), ("agent_hours", "agent-hours (logged in)", 0),
    ("offered", "contacts offered", 0), ("service_level", "service level (answered in AWT / offered)", 3),
    ("sl_awt_s", "  AWT of that service level, s", None),
    ("asa_s", "ASA, s", 1), ("abandon_rate", "abandoned share", 3), ("sim_service_level", "  simulated service level", 3),
    ("sim_asa_s", "  simulated ASA, s", 1), ("sim_abandon_rate", "  simulated abandoned share", 3),
    ("customers_lost", "customers lost", 1), ("idle_agent_hours", "idle agent-hours (proactive room)", 0),
    ("total_cost", "cost (labour + overhead + outsourced)", 0), ("cross_sell_value", "cross-sell margin", 0),
    ("churn_cost", "churn cost (lost lifetime value)", 0), ("abandon_cost", "abandon handling cost", 0),
    ("net_value", "net value (period)", 0), ("net_present_value", "net present value (horizon)", 0),
    ("delta_total_cost", "vs baseline: extra cost", 0), ("churn_avoided", "vs baseline: customers kept", 1),
    ("delta_cross_sell_value", "vs baseline: extra cross-sell", 0), ("delta_net_value", "vs baseline: net value", 0),
    ("delta_net_present_value", "vs baseline: net present value", 0),
]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``scenarios`` subcommand to ``staffcast``'s subparsers."""
    p = subparsers.add_parser(
        "scenarios", help="finance scenarios (cost vs value center), break-even, sensitivity, chat windows",
        description="Evaluate the scenarios of a study TOML (see data/scenarios.toml) on one shared forecast of its "
                    "plan: headcount, service (queueing model, checked by simulation), cost, value, net value and "
                    "the differences against the baseline; break-even values and a sensitivity table; the "
                    "real-time chat windows for a weekly budget. Prints the comparison, writes CSV files and "
                    "stores the study in the run store.",
        epilog="Sweep: --sweep money.cost_per_agent_hour=25,30,35 --sweep queues.chat.targets.p_wait=0.05,0.1 "
               "evaluates every combination (local process pool, or --scheduler tcp://HOST:8786 for Dask).")
    p.add_argument("--config", required=True, help="study TOML file (see data/scenarios.toml)")
    p.add_argument("--store", help="run store URL (default: $STAFFCAST_STORE, the plan's store, sqlite:///runs/staffcast.sqlite)")
    p.add_argument("--no-store", action="store_true", help="do not store the study")
    p.add_argument("--out-dir", help="CSV folder (default: the study's output_dir, else the plan's, else ./out); "
                                     "files go to OUT/scenarios-STUDY_ID/")
    p.add_argument("--no-export", action="store_true", help="do not write CSV files")
    p.add_argument("--paid-hours", choices=("roster", "intervals"), default="roster",
                   help="money's paid hours: 'roster' (default) uses the newest stored run of the plan with a schedule "
                        "(roster paid hours per interval-sum paid hour, per queue), falling back to interval sums "
                        "when the store has none or with --no-store; 'intervals': unrounded interval sums")
    p.add_argument("--no-simulate", action="store_true", help="skip the simulation check")
    p.add_argument("--workers", type=positive_int, help="local worker processes for simulation and sweeps (default: CPUs)")
    p.add_argument("--scheduler", help="Dask scheduler address for the sensitivity and sweeps (e.g. tcp://host:8786)")
    p.add_argument("--sweep", action="append", default=[], metavar="KEY=V1,V2,...",
                   help="sweep a scenario key over values (repeatable; all combinations)")
    p.add_argument("--sweep-scenario", help="scenario to sweep (default: the first non-baseline scenario)")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON on stdout")
    add_output_flags(p)
    return p


def _parse_value(text: str):
    """A --sweep value: true/false, an int, a float, else the text."""
    t = text.strip()
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        return t


def _parse_sweep(items: list[str]) -> dict:
    """``--sweep KEY=V1,V2`` flags as ``{key: [values]}`` (numbers and true/false parsed)."""
    from ..config import InputError

    grid = {}
    for item in items:
        if "=" not in item:
            raise InputError(f"--sweep: expected KEY=V1,V2,..., got {item!r}")
        key, values = item.split("=", 1)
        vals = [_parse_value(v) for v in values.split(",") if v.strip()]
        if not key.strip() or not vals:
            raise InputError(f"--sweep: expected KEY=V1,V2,..., got {item!r}")
        grid[key.strip()] = vals
    return grid


def _fmt_num(v, digits):
    import numpy as np

    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    return f"{v:,.{digits}f}"


def format_study(result) -> str:
    """The comparison, break-even, sensitivity and chat windows as text."""
    import pandas as pd

    study = result.study
    cur = study.currency
    lines = []
    if study.illustrative:
        lines.append("!! ILLUSTRATIVE ASSUMPTIONS: the money and behaviour values of this study are examples, "
                     "not measurements !!")
    lines.append(f"study {study.name}: {len(study.scenarios)} scenarios over {result.period_days:.0f} days of the "
                 f"plan '{study.plan.name}'; baseline = {study.baseline}; money in {cur}")
    comp = result.comparison.set_index("scenario")
    table = {}
    for col, label, digits in _ROWS:
        if col in comp:
            table[label] = [str(v) if digits is None else _fmt_num(float(v), digits) for v in comp[col]]
    frame = pd.DataFrame(table, index=comp.index).T
    lines.append(frame.to_string())
    for name, s in study.scenarios.items():
        lines.append(f"  {name}: {s.description}")
    for note in [*getattr(result, "notes", []), *([result.paid_hours_basis] if result.paid_hours_basis else [])]:
        lines.append(f"note: {note}")
    if len(result.break_even):
        lines.append("")
        lines.append(f"break-even against {study.baseline} (the value at which the scenario's net value equals the "
                     "baseline's, every other assumption fixed):")
        be = result.break_even.copy()
        be["current_value"] = be["current_value"].map(lambda v: _fmt_num(v, 3))
        be["break_even_value"] = be["break_even_value"].map(lambda v: _fmt_num(v, 3))
        be["advantage_now"] = be["advantage_now"].map(lambda v: _fmt_num(v, 0))
        lines.append(be[["scenario", "assumption", "current_value", "break_even_value", "scenario_wins_when",
                         "advantage_now"]].to_string(index=False))
    if len(result.sensitivity):
        lines.append("")
        x = result.sensitivity["relative_change"].iloc[0]
        lines.append(f"sensitivity: each assumption -{x:.0%} / +{x:.0%} alone; advantage = "
                     f"{result.sensitivity['scenario'].iloc[0]} - {study.baseline} net value (period), ranked by swing:")
        sv = result.sensitivity[["assumption", "advantage_low", "advantage_high", "swing"]].copy()
        for c in ("advantage_low", "advantage_high", "swing"):
            sv[c] = sv[c].map(lambda v: _fmt_num(v, 0))
        lines.append(sv.to_string(index=False))
    if result.simulation_check is not None:
        lines.append("")
        lines.append(f"simulation check (first {study.check.days} days, {study.check.replications} replications): "
                     "simulated vs model, volume-weighted")
        sc = result.simulation_check.copy()
        lines.append(sc.round(4).to_string(index=False))
    if result.chat_windows is not None:
        cw = result.chat_windows
        lines.append("")
        lines.append(f"real-time chat windows (queue {study.chat_windows['queue']}, budget "
                     f"{cw.budget_agent_hours_per_week:g} agent-hours/week, exact MILP):")
        lines.append(cw.to_text())
    if result.chat_hours is not None:
        ch = result.chat_hours
        lines.append("")
        lines.append(f"reverse: posted hours {study.chat_windows['posted_hours']} with no waiting need "
                     f"{ch.result.agent_hours_per_week:.1f} agent-hours/week (max week {ch.result.agent_hours_max_week:.1f}),"
                     f" {ch.paid_hours_per_week:.1f} paid hours/week after shrinkage; they serve "
                     f"{ch.result.covered_share:.1%} of forecast chats in real time")
    return "\n".join(lines)


def cmd_scenarios(args) -> int:
    """Handler of ``staffcast scenarios``; returns the exit code (errors propagate to the CLI)."""
    from ..scenarios import export_study, load_study, run_study, save_study, study_forecast, sweep
    from ..store import new_study_id

    progress = progress_for(args)
    grid = _parse_sweep(args.sweep)
    executor = args.scheduler or args.workers
    progress.total = 3 + int(not args.no_store) + int(not args.no_export) + int(bool(grid))
    with progress.step("load", "read study"):
        study = load_study(args.config)
    if not args.no_export:  # a folder that cannot be written is found before any work
        from ..exports import check_output_dir

        check_output_dir(Path(args.out_dir) if args.out_dir else (study.output_dir or study.plan.output_dir
                                                                  or Path("out")))
    with progress.step("forecast", "forecast (shared by all scenarios)"):
        forecast = study_forecast(study, progress)
    # --no-store: the store is not touched at all (interval sums, said in the output)
    basis = _roster_basis(args, study) if args.paid_hours == "roster" and not args.no_store else None
    with progress.step("scenarios", "scenarios, break-even, sensitivity, chat windows"):
        result = run_study(study, forecast=forecast, simulate=False if args.no_simulate else None,
                           workers=args.workers, executor=executor, roster_basis=basis)
    sweep_frame = None
    if grid:
        with progress.step("sweep", "sweep"):
            sweep_frame = sweep(study, grid, scenario=args.sweep_scenario, forecast=forecast, executor=executor)
    if not args.no_store:
        with progress.step("store", "store study"):
            save_study(result, args.store)
    else:
        result.study_id = new_study_id()
    if not args.no_export:
        base = Path(args.out_dir) if args.out_dir else (study.output_dir or study.plan.output_dir or Path("out"))
        with progress.step("export", "export CSV"):
            paths = export_study(result, base / f"scenarios-{result.study_id}")
            if sweep_frame is not None:
                from ..exports import write_frame
                from ..safe_csv import neutralise_frame

                paths.append(write_frame(neutralise_frame(sweep_frame),  # no spreadsheet formulas
                                         base / f"scenarios-{result.study_id}" / "sweep.csv"))
        progress.info(f"wrote {len(paths)} CSV files to {paths[0].parent}", out_dir=str(paths[0].parent))
    _print_result(args, result, study, grid, sweep_frame)
    return EXIT_OK


def _roster_basis(args, study):
    """The roster basis of the newest stored run of the study's plan with a schedule (None: the
    study then says it priced interval sums)."""
    from ..scenarios.paid_hours import roster_basis_at
    from ..store import resolve_store_url

    return roster_basis_at(resolve_store_url(args.store, study.plan.store), study.plan.name)


def _print_result(args, result, study, grid: dict, sweep_frame: pd.DataFrame | None) -> None:
    """The study on stdout: JSON with ``--json``, else the text of :func:`format_study` and the sweep."""
    if args.json:
        out = {"study_id": result.study_id, "illustrative": study.illustrative, "currency": study.currency,
               "comparison": json.loads(result.comparison.to_json(orient="records"))}
        if result.chat_windows is not None:
            out["chat_windows"] = result.chat_windows.summary()
        if sweep_frame is not None:
            out["sweep"] = json.loads(sweep_frame.to_json(orient="records"))
        print(json.dumps(out, indent=2))
        return
    print(format_study(result))
    if sweep_frame is not None:
        keys = list(grid)
        cols = keys + [c for c in ("fte", "total_cost", "customers_lost", "net_value", "delta_net_value")
                       if c in sweep_frame]
        print("")
        print(f"sweep ({len(sweep_frame)} points):")
        print(sweep_frame[cols].round(2).to_string(index=False))
    print(f"study id: {result.study_id}")
