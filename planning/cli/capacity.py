"""``staffcast capacity --config data/capacity.toml``: 12-18 months of need, supply, hiring and money.

Prints a terminal summary (demand by month, need vs supply, the hiring classes, money per strategy,
NPV, break-even, the MILP's bound and gap); ``--out DIR`` writes every table as CSV and Parquet into
``DIR/capacity-<id>/`` (the folder as a whole); the plan is stored in the run store (tables
``capacity_plans`` and ``capacity_results``) unless ``--no-store``. Registered in :mod:`planning.cli`.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .common import EXIT_OK, add_output_flags, progress_for

__all__ = ["add_parser", "cmd_capacity", "format_capacity"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``capacity`` subcommand to ``staffcast``'s subparsers."""
    p = subparsers.add_parser(
        "capacity", help="long-range capacity plan: monthly need, supply, hiring classes (MILP), cost and value",
        description="Long-range (12-18 months) capacity plan for finance: monthly demand with bands, required FTE "
                    "from interval-level staffing of a representative week per month, supply with attrition, "
                    "hiring classes solved as a MILP (HiGHS), and cost and value by month per strategy.")
    p.add_argument("--config", required=True, help="capacity TOML (see data/capacity.toml)")
    p.add_argument("--out", help="write the tables (CSV and Parquet) into OUT/capacity-<id>/")
    p.add_argument("--store", help="run store URL (default: $STAFFCAST_STORE, the plan's store, sqlite:///runs/staffcast.sqlite)")
    p.add_argument("--no-store", action="store_true", help="do not touch the run store (no stored schedule is read: the [need] "
                                                       "scheduling_efficiency applies)")
    add_output_flags(p)
    return p


def _money(v: float) -> str:
    return f"{v:,.0f}"


def _service_view(sv):
    """Short queue-months: supplied share of need, service level, ASA and abandon rate at need and at supply."""
    import pandas as pd

    pct = lambda v: (100 * v).round(1)   # noqa: E731 - shares as percent
    return pd.DataFrame({"queue": sv["queue"], "month": sv["month"], "supplied % of need": pct(sv["supplied_share"]),
                         "SL % need": pct(sv["service_level_need"]), "SL % supplied": pct(sv["service_level_supplied"]),
                         "ASA s need": sv["asa_s_need"].round(1), "ASA s supplied": sv["asa_s_supplied"].round(1),
                         "abandon % supplied": pct(sv["abandon_rate_supplied"])})


def format_capacity(result) -> str:
    """The capacity plan as text."""
    import pandas as pd

    cfg, t = result.config, result.tables
    lines = []
    if cfg.illustrative:
        lines.append("!! ILLUSTRATIVE ASSUMPTIONS: headcount, attrition, hiring and money values are examples !!")
    months = sorted(t["demand_monthly"]["month"].unique())
    lines.append(f"capacity plan {cfg.name}: {len(months)} months {months[0]}..{months[-1]}, strategies "
                 f"{', '.join(cfg.strategies)} (baseline {cfg.strategies[0]}); money in {cfg.currency}")
    dm = t["demand_monthly"]
    vol = dm.pivot(index="month", columns="queue", values="volume").round(0)
    band = dm.assign(b=[f"{a:,.0f}-{b:,.0f}" for a, b in zip(dm["volume_p10"], dm["volume_p90"])]) \
        .pivot(index="month", columns="queue", values="b")
    lines += ["", "demand (contacts per month, p10-p90 band):",
              pd.concat({"volume": vol, "p10-p90": band}, axis=1).to_string()]
    for s in cfg.strategies:
        sup = t["supply"][t["supply"]["strategy"] == s]
        view = sup.pivot(index="month", columns="queue", values=["need_fte", "supply_fte", "shortfall_fte"]).round(1)
        lines += ["", f"{s}: need vs productive supply (FTE), shortfall after overtime and outsourcing:", view.to_string()]
        sv = t["shortfall_service"][t["shortfall_service"]["strategy"] == s]
        if len(sv):
            lines += [f"{s}: service where supply stays short (the supplied agents on the month's representative "
                      "week, same queue model):", _service_view(sv).to_string(index=False)]
        cls = t["hiring_classes"][t["hiring_classes"]["strategy"] == s]
        lines.append(f"{s}: hiring classes: " + ("; ".join(f"{r.queue} {r.hires} starting {r.start} (productive "
                                                           f"{r.productive_from})" for r in cls.itertuples()) or "none"))
    sm = t["summary"].set_index("strategy")
    lines += ["", "money over the plan (cost of the supply; value of the service):"]
    view = pd.DataFrame({
        "cost": sm["total_cost"].map(_money), "cross-sell": sm["cross_sell_value"].map(_money),
        "churn cost": sm["churn_cost"].map(_money), "net value": sm["net_value"].map(_money),
        f"NPV @{100 * cfg.discount_rate_per_year:g}%": sm["npv"].map(_money),
        "NPV vs baseline": sm["npv_vs_baseline"].map(_money),
        "break-even": sm["break_even_month"].map(lambda v: v if isinstance(v, str) else "-"),
        "hires": sm["hires"], "shortfall FTE-months": sm["shortfall_fte_months"].round(1)})
    lines.append(view.to_string())
    for s, r in sm.iterrows():
        lines.append(f"hiring MILP {s}: {r['milp_status']}, objective {_money(r['milp_objective'])} (new hires' pay, "
                     f"hiring, classes, levers, shortfall penalty), bound "
                     f"{_money(r['milp_bound'])}, gap {100 * r['milp_gap']:.3f}%, {r['milp_time_s']:.2f} s")
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)


def cmd_capacity(args) -> int:
    """Handler of ``staffcast capacity``; returns the exit code (errors propagate to the CLI)."""
    from ..capacity import load_capacity, run_capacity
    from ..exports import check_output_dir, export_run
    from ..scenarios import load_study
    from ..scenarios.paid_hours import roster_basis_at
    from ..store import resolve_store_url
    from ..store.capacity import save_capacity
    from ..store.studies import new_study_id

    progress = progress_for(args)
    progress.total = 3 + int(not args.no_store) + int(bool(args.out))
    with progress.step("load", "read capacity plan"):
        cfg = load_capacity(args.config)
        plan = load_study(cfg.study_path).plan
        if args.out:
            check_output_dir(Path(args.out))
    url = resolve_store_url(args.store, plan.store)
    with progress.step("roster", "stored schedule (scheduling efficiency)"):
        basis = None if args.no_store else roster_basis_at(url, plan.name)
    with progress.step("plan", "demand, need, hiring MILP, money"):
        result = run_capacity(cfg, roster_basis=basis, progress=progress)
    cid = None
    if not args.no_store:
        with progress.step("store", "store capacity plan"):
            cid = save_capacity(result, url)
    if args.out:
        with progress.step("export", "export CSV and Parquet"):
            folder = Path(args.out) / f"capacity-{cid or new_study_id()}"
            paths = export_run(result.tables, folder)
        progress.info(f"wrote {len(paths)} files to {folder}", out_dir=str(folder))
    print(format_capacity(result))
    if cid:
        print(f"capacity id: {cid} (stored in {url})")
    if args.out:
        print(f"exports: {folder}/ ({', '.join(result.tables)}; .csv and .parquet)")
    return EXIT_OK
