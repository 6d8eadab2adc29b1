"""The README example "Simulate a staffing plan" runs as written (kept in sync by hand)."""
import numpy as np


def test_readme_example_runs():
    # --- README example start ---
    import numpy as np
    from simulation import Exponential, LogNormal, refine_staffing, required_agents, simulate

    rate_per_h = np.array([120, 240, 360, 300, 180, 90.0])  # forecast, contacts per hour
    plan = required_agents(rate_per_h / 2, 1800, 240, service_level=0.8, awt_s=20,
                           patience_s=90).agents             # Erlang A, 30-minute intervals
    res = simulate(rate_per_h, plan, interval_s=1800, service=LogNormal(240, cv=1.2),
                   patience=Exponential(90), awt_s=20, rate_cv=0.1, replications=100, seed=7)
    print(res.summary[["value", "lo", "hi"]].round(3))
    print(res.by_interval[["agents", "offered", "service_level", "service_level_lo",
                           "service_level_hi", "asa_s", "occupancy"]].round(3))

    better = refine_staffing(rate_per_h, 1800, LogNormal(240, cv=1.2), service_level=0.8, awt_s=20,
                             patience=Exponential(90), rate_cv=0.1, replications=100, seed=7)
    print(better.formula_agents, "->", better.agents, f"(+{better.added_agent_intervals})")
    print(better.changes[["round", "interval", "reason"]].to_string(index=False))
    # --- README example end ---
    assert res.replications == 100 and len(res.by_interval) == 6
    assert np.array_equal(better.formula_agents, plan)
    assert better.stopped == "met" and (better.agents >= plan).all()
