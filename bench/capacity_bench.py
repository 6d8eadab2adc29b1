"""Capacity bench: an 18-month, 4-queue capacity plan with the hiring MILP.

    python bench/capacity_bench.py [--months 18] [--workers N]

The bundled plan's two queues are doubled (voice, voice_b on the bank's calls; chat, chat_b on the
synthetic chats) and planned with data/capacity.toml's rules for the cost-center and value-center
strategies. Prints the time of each stage: reading the histories and the 28-day forecast (inputs,
shared with every other command) and the capacity plan itself (long-range demand, staffing of a
representative week per month and queue, the hiring MILP per strategy, money), the MILP's status,
bound and gap, and the MILP's time against its own LP relaxation solved in the same run (the peer:
what the integrality costs). The queues' weeks are staffed in a process pool of ``--workers``
(default 2, the goal's two cores; 1 = serial). Prints the machine's load average before and
after and the CPU seconds of this process and of the pool's workers: timings on a shared, loaded
machine are inflated, CPU seconds much less so.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "data"


def four_queue_files(folder: Path, months: int) -> Path:
    """plan, study and capacity TOMLs with the two bundled queues doubled; returns the capacity TOML."""
    plan = (DATA / "plan.toml").read_text()
    plan = plan.replace('history = "', f'history = "{DATA.as_posix()}/')
    plan = plan[:plan.index("# Shifts, breaks and rosters")]           # no schedule needed here
    for q in ("voice", "chat"):
        block = re.search(rf"\[queues\.{q}\].*?(?=\n\[queues\.(?!{q}\.)|\Z)", plan, re.S).group(0)
        plan += "\n" + block.replace(f"[queues.{q}", f"[queues.{q}_b") + "\n"
    (folder / "plan.toml").write_text(plan)
    study = (DATA / "scenarios.toml").read_text().replace('plan = "plan.toml"', f'plan = "{(folder / "plan.toml").as_posix()}"')
    (folder / "scenarios.toml").write_text(study)
    cap = (DATA / "capacity.toml").read_text().replace('study = "scenarios.toml"',
                                                       f'study = "{(folder / "scenarios.toml").as_posix()}"')
    cap = cap.replace("months = 18 ", f"months = {months} ")
    for q in ("voice", "chat"):
        block = re.search(rf"\[supply\.queues\.{q}\]\n(?:[^\[\n].*\n)+", cap).group(0)
        cap += "\n" + block.replace(f"[supply.queues.{q}]", f"[supply.queues.{q}_b]")
    (folder / "capacity.toml").write_text(cap)
    return folder / "capacity.toml"


def _children_cpu() -> float:
    """CPU seconds (user + system) of finished child processes (the pool's workers)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=18)
    ap.add_argument("--workers", type=int, default=2, help="processes staffing the queues' weeks (1: serial)")
    args = ap.parse_args()
    from planning.capacity import load_capacity, run_capacity, solve_hiring
    from planning.pipeline import load_histories
    from planning.scenarios import load_study, study_forecast

    with tempfile.TemporaryDirectory() as tmp:
        cfg = load_capacity(four_queue_files(Path(tmp), args.months))
        t0 = time.perf_counter()
        plan = load_study(cfg.study_path).plan.with_overrides(forecast={"model": cfg.forecast_model})
        histories, _ = load_histories(plan)
        forecast = study_forecast(plan)
        t_inputs = time.perf_counter() - t0
        load_before = os.getloadavg()[0]
        t1, c1, k1 = time.perf_counter(), time.process_time(), _children_cpu()
        result = run_capacity(cfg, histories=histories, forecast=forecast, executor=args.workers)
        t_plan, c_plan, k_plan = time.perf_counter() - t1, time.process_time() - c1, _children_cpu() - k1
    print(f"capacity plan: {args.months} months x {len(plan.queues)} queues ({', '.join(plan.queues)}), "
          f"{len(cfg.strategies)} strategies")
    print(f"inputs (histories + 28-day forecast, shared with every command): {t_inputs:.1f} s")
    print(f"capacity plan (demand, need, hiring MILP, money): {t_plan:.1f} s (goal < 10 s on 2 cores); "
          f"CPU {c_plan:.1f} s in this process + {k_plan:.1f} s in {args.workers} worker(s); "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    for s, p in result.plans.items():
        lp = solve_hiring(p.problem, relax=True)   # the peer: the same problem without integrality
        print(f"hiring MILP {s}: {p.status}, cost {p.objective:,.0f}, bound {p.bound:,.0f}, gap {100 * p.gap:.3f}% (target {100 * p.problem.mip_rel_gap:g}%), "
              f"{p.solve_time_s:.2f} s; {int(p.classes['hires'].sum())} hires in {len(p.classes)} classes; "
              f"LP relaxation {lp.objective:,.0f} in {lp.solve_time_s:.2f} s "
              f"(MILP / LP time {p.solve_time_s / max(lp.solve_time_s, 1e-9):.1f}x)")


if __name__ == "__main__":
    main()
