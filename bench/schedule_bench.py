"""Shift-cover bench: the bundled plan's first forecast week (voice, chat) at 1x and 10x volume.

    python bench/schedule_bench.py [--time-limit-s 30] [--pyworkforce-time-s 60] [--optimum-s 0]

For each case: staffcast's cover (HiGHS, breaks placed), the same model solved by OR-Tools CP-SAT
(``bench/cpsat_cover.py``: same parts, same time limit, 2 workers), and pyworkforce's MinRequiredResources
(CP-SAT, breaks at fixed positions, whole 30-minute periods off, as its users do) on the same
requirement (agents on duty per interval, before shrinkage); these covers know no contracts
(``contract_mix=False``), as pyworkforce's. Then both queues' cover with the contract mix
(``staffcast+mix``) and a week's roster of its shifts. Prints solve time, paid hours over required agent-hours, gap to the LP bound, intervals
short, and the ratio of paid hours against pyworkforce's; for staffcast also the gap to the best dual
bound it proved (gap_bd_%). ``--optimum-s S`` adds a reference line to each 1x case (``optimum``; at 10x the
gap to the proven bound is already small): staffcast's own cover with no gap tolerance
(``mip_rel_gap=0``: each part's full MIP runs until it proves its schedule optimal), within ``S``
seconds; ``optimal`` in its status means every part was proved optimal, so its gap_lp_% is the
least any schedule of this model can have (a goal below it cannot be met). The roster line counts agents by contract and the builder's problems
(what it could not meet, e.g. a contract share the shifts do not fit).
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cpsat_cover import cpsat_part_solver  # noqa: E402  (bench/, beside this script)
from scheduling import (BreakRule, Contract, CostRules, Premium, ScheduleRules, ShiftTemplate,  # noqa: E402
                        WeeklyRules, build_roster, headcount, solve_cover)

B15 = dict(length_min=15, paid=True, name="break")


def bench_rules() -> ScheduleRules:
    """4/6/8/9-hour shifts ending by midnight; 15-minute paid breaks, a 30-minute unpaid meal."""
    def brk(e, l):
        return BreakRule(earliest_offset_min=e, latest_offset_min=l, **B15)
    meal = lambda e, l: BreakRule(30, e, l, paid=False, name="meal")
    return ScheduleRules(
        templates=(ShiftTemplate("8h", 8, 420, 960, breaks=(brk(90, 150), meal(210, 300), brk(330, 390)),
                                 min_break_gap_min=60),
                   ShiftTemplate("9h", 9, 420, 900, breaks=(brk(90, 150), meal(240, 330), brk(390, 450)),
                                 min_break_gap_min=60),
                   ShiftTemplate("6h", 6, 420, 1080, breaks=(brk(120, 210),)),
                   ShiftTemplate("4h", 4, 420, 1200, breaks=(brk(90, 150),))),
        contracts=(Contract("full-time", 30, 45, 20.0, share=0.6), Contract("part-time", 0, 30, 18.0, share=0.4)),
        weekly=WeeklyRules(days_off=2, consecutive_days_off=False, max_shifts_per_week=5, min_rest_h=11,
                           late_threshold_min=22 * 60, max_late_shifts_per_week=3),
        costs=CostRules(premiums=(Premium("evening", 20 * 60, 22 * 60, multiplier=1.25),
                                  Premium("night", 22 * 60, 6 * 60, multiplier=1.5))))


# fixed break positions for pyworkforce: whole 30-minute periods off at the windows' middles
FIXED_OFF_MIN = {"8h": (120, 240, 360), "9h": (120, 270, 420), "6h": (150,), "4h": (120,)}


def requirement_week(scale: float) -> tuple[pd.DataFrame, int]:
    """``queue, interval_start, required`` for the first 7 forecast days (volume times ``scale``)."""
    from planning import load_config, run_plan
    from simulation import required_agents

    cfg = load_config(ROOT / "data" / "plan.toml").with_overrides(simulation={"enabled": False})
    cfg = dataclasses.replace(cfg, schedule=None)  # the requirement only: the bench solves its own cover
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            res = run_plan(cfg, save=False)
        finally:
            os.chdir(cwd)
    req = res.requirements.copy()
    req = req[req["interval_start"] < req["interval_start"].min().normalize() + pd.Timedelta(days=7)]
    if scale != 1:
        for name, q in cfg.queues.items():
            sel = (req["queue"] == name) & req["open"]
            out = required_agents(req.loc[sel, "volume"].to_numpy() * scale, cfg.interval_s, q.model, q.targets,
                                  aht_s=req.loc[sel, "aht_s"].to_numpy(), min_agents=q.min_agents)
            req.loc[sel, "agents"] = np.asarray(out.agents, dtype=np.int64)
    return req.assign(required=req["agents"].astype(int))[["queue", "interval_start", "required"]], cfg.interval_s


def pyworkforce_cover(req: pd.DataFrame, interval_s: int, rules: ScheduleRules, time_s: float) -> dict:
    """MinRequiredResources per queue on the same templates with fixed breaks."""
    from pyworkforce.scheduling import MinRequiredResources

    per_day, step = 86400 // interval_s, interval_s // 60
    coverage, cost = {}, {}
    for t in rules.templates:
        w = t.window("mon")
        for s in range(w[0], w[1] + 1, step):
            vec = np.zeros(per_day, int)
            vec[s // step: (s + t.length_min) // step] = 1
            for off in FIXED_OFF_MIN[t.name]:
                vec[(s + off) // step] = 0
            coverage[f"{t.name}@{s}"] = vec.tolist()
            cost[f"{t.name}@{s}"] = t.paid_h
    out = {"paid_h": 0.0, "required_h": 0.0, "short": 0, "time_s": 0.0}
    for q, g in req.groupby("queue"):
        r = g.sort_values("interval_start")["required"].to_numpy().reshape(-1, per_day)
        t0 = time.perf_counter()
        sol = MinRequiredResources(num_days=r.shape[0], periods=per_day, shifts_coverage=coverage,
                                   required_resources=r.tolist(), max_period_concurrency=int(r.max() * 3 + 10),
                                   max_shift_concurrency=int(r.max() * 2 + 10), cost_dict={k: int(round(2 * v)) for k, v in cost.items()},  # CP-SAT: integer half-hours
                                   max_search_time=time_s, num_search_workers=2).solve()
        out["time_s"] += time.perf_counter() - t0
        on = np.zeros_like(r)
        for item in sol["resources_shifts"]:
            if item["resources"] > 0:
                on[item["day"]] += item["resources"] * np.array(coverage[item["shift"]])
                out["paid_h"] += item["resources"] * cost[item["shift"]]
        out["short"] += int((on < r).sum())
        out["required_h"] += r.sum() * interval_s / 3600
        out[f"status_{q}"] = sol["status"]
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit-s", type=float, default=30.0)
    ap.add_argument("--pyworkforce-time-s", type=float, default=60.0)
    ap.add_argument("--optimum-s", type=float, default=0.0,
                    help="seconds per 1x case for the exact reference (every part's full MIP); 0: none")
    args = ap.parse_args(argv)
    rules = bench_rules()
    print(f"{'case':<10}{'queue':<7}{'solver':<12}{'time_s':>8}{'paid_h':>10}{'req_h':>9}{'over_%':>8}"
          f"{'gap_lp_%':>9}{'gap_bd_%':>9}{'short':>6}{'ratio':>7}")
    print(f"load average (1, 5, 15 min) at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    for scale in (1, 10):
        req, interval_s = requirement_week(scale)
        for q in ("voice", "chat"):
            rq = req[req["queue"] == q]
            case = f"{scale}x"
            pw = pyworkforce_cover(rq, interval_s, rules, args.pyworkforce_time_s)
            for name, kw in (("staffcast", {}), ("cp-sat", dict(part_solver=cpsat_part_solver, part_improver=None, workers=1))):
                plan = solve_cover(rq, interval_s, rules, time_limit_s=args.time_limit_s, mip_rel_gap=0.005,
                                   contract_mix=False, **kw)
                print(_cover_line(case, q, name, plan.summary, pw["paid_h"]))
            if args.optimum_s > 0 and scale == 1:
                plan = solve_cover(rq, interval_s, rules, time_limit_s=args.optimum_s, mip_rel_gap=0.0,
                                   contract_mix=False)
                print(_cover_line(case, q, "optimum", plan.summary, pw["paid_h"]))
            pw_over = 100 * (pw["paid_h"] / pw["required_h"] - 1)
            print(f"{case:<10}{q:<7}{'pyworkforce':<12}{pw['time_s']:>8.1f}{pw['paid_h']:>10.1f}"
                  f"{pw['required_h']:>9.1f}{pw_over:>8.1f}{'':>9}{'':>9}{pw['short']:>6}{1:>7.3f}  "
                  f"{pw.get('status_' + q)}")
        try:
            plan = solve_cover(req, interval_s, rules, time_limit_s=args.time_limit_s)  # contract mix on: the roster's
        except RuntimeError as exc:
            print(f"{scale}x        both   staffcast+mix failed: {exc}")
            continue
        print(_cover_line(f"{scale}x", "both", "staffcast+mix", plan.summary, np.nan)
              + (f"  mix dropped: {plan.stats['mix_dropped']}" if plan.stats["mix_dropped"] else ""))
        roster = build_roster(plan, seed=1)
        rs, hc = roster.summary, headcount(roster).summary
        mix = collections.Counter(a.contract for a in roster.agents)
        print(f"  roster {scale}x (voice+chat): {rs['agents']} agents ({', '.join(f'{k} {v}' for k, v in mix.items())}), "
              f"{rs['shifts_assigned']} shifts, {rs['shifts_unassigned']} unassigned, {rs['violations']} violations, "
              f"{rs['problems']} problems, built in {rs['build_time_s']:.2f} s; FTE {hc['fte']}, "
              f"efficiency {hc['scheduling_efficiency_pct']}%")
        for p in roster.problems:
            print(f"    problem: {p}")
    print(f"load average (1, 5, 15 min) at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def _cover_line(case: str, q: str, name: str, s: dict, pw_paid_h: float) -> str:
    return (f"{case:<10}{q:<7}{name:<12}{s['solve_time_s']:>8.1f}{s['paid_h']:>10.1f}"
            f"{s['required_agent_h']:>9.1f}{s['paid_over_required_pct']:>8.1f}{s['gap_to_lp_pct']:>9.2f}"
            f"{s['mip_gap_pct']:>9.2f}{s['intervals_short']:>6}{s['paid_h'] / pw_paid_h:>7.3f}  {s['status']}")

if __name__ == "__main__":
    main()
