"""The README example "Simulate a staffing plan" runs as written (kept in sync by hand)."""
import numpy as np


def test_readme_example_runs():
    # --- README example start ---
    import numpy as np
    from core import QueueModel, Targets
    from simulation import LogNormal, RunSettings, refine_staffing, required_agents, simulate

    rate_per_h = np.array([120, 240, 360, 300, 180, 90.0])  # forecast, contacts per hour
    queue = QueueModel(aht_s=240, patience_s=90)            # exponential patience, mean 90 s
    targets = Targets(service_level=0.8, awt_s=20)
    plan = required_agents(rate_per_h / 2, 1800, queue, targets).agents  # Erlang A, 30-minute intervals
    run = RunSettings(rate_cv=0.1, replications=100, seed=7)
    res = simulate(rate_per_h, plan, 1800, queue, targets=targets, settings=run,
                   service=LogNormal(240, cv=1.2))          # handle times: lognormal, not exponential
    print(res.summary[["value", "lo", "hi"]].round(3))
    print(res.by_interval[["agents", "offered", "service_level", "service_level_lo",
                           "service_level_hi", "asa_s", "occupancy"]].round(3))

    better = refine_staffing(rate_per_h, 1800, queue, targets, settings=run, service=LogNormal(240, cv=1.2))
    print(better.formula_agents, "->", better.agents, f"(+{better.added_agent_intervals})")
    print(better.changes[["round", "interval", "reason"]].to_string(index=False))
    # --- README example end ---
    assert res.replications == 100 and len(res.by_interval) == 6
    assert np.array_equal(better.formula_agents, plan)
    assert better.stopped == "met" and (better.agents >= plan).all()
