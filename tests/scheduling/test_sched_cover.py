"""Shift cover: exact optimum against brute force, coverage net of breaks, soft coverage."""
import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest

from scheduling import BreakRule, Contract, CostRules, Premium, ScheduleRules, ShiftTemplate, solve_cover
from scheduling.cover_solve import improve_part, solve_part

DAY = pd.Timestamp("2024-01-01")  # a Monday


def tiny_rules(coverage="hard"):
    return ScheduleRules(
        templates=(ShiftTemplate("3h", 3, 0, 180),
                   ShiftTemplate("4h", 4, 0, 120, breaks=(BreakRule(60, 60, 120, paid=False, step_min=60),))),
        contracts=(Contract("c", 0, 40, 10.0),),
        costs=CostRules(premiums=(Premium("late", 240, 360, multiplier=1.5),), shortfall_penalty_per_h=100.0),
        coverage=coverage)


def brute_force(req):
    """Enumerate counts 0..2 of every explicit (template, start, break offset) column."""
    cols, cost = [], []
    rate = lambda h: 10.0 * (1.5 if 4 <= h < 6 else 1.0)
    for s in range(4):  # 3h shifts, no break
        cols.append([1 if s <= h < s + 3 else 0 for h in range(6)])
        cost.append(sum(rate(h) for h in range(s, s + 3)))
    for s in range(3):  # 4h shifts, unpaid 1h break at +1h or +2h
        for o in (1, 2):
            cols.append([1 if s <= h < s + 4 and h != s + o else 0 for h in range(6)])
            cost.append(sum(rate(h) for h in range(s, s + 4) if h != s + o))
    A, c = np.array(cols).T, np.array(cost)
    counts = np.array(list(itertools.product(range(3), repeat=len(c))))
    ok = ((counts @ A.T) >= req).all(axis=1)
    return float((counts[ok] @ c).min())


@pytest.mark.parametrize("seed", range(6))
def test_optimum_matches_brute_force(seed):
    req = np.random.default_rng(seed).integers(0, 3, 6)
    req[0] = max(req[0], 1)
    df = pd.DataFrame({"interval_start": pd.date_range(DAY, periods=6, freq="h"), "required": req})
    plan = solve_cover(df, 3600, tiny_rules(), mip_rel_gap=0.0)
    assert plan.cost == pytest.approx(brute_force(req), abs=1e-6)
    assert plan.summary["lp_bound"] <= plan.cost + 1e-6
    assert (plan.coverage_frame()["over_under"] >= -1e-9).all()


def day_rules(**kw):
    b15 = lambda e, l: BreakRule(15, e, l, step_min=15)
    return ScheduleRules(
        templates=(ShiftTemplate("8h", 8, 360, 900, breaks=(b15(90, 150), BreakRule(30, 180, 300, paid=False),
                                                            b15(330, 390)), min_break_gap_min=60),
                   ShiftTemplate("4h", 4, 360, 1260, breaks=(b15(60, 150),))),
        contracts=(Contract("ft", 0, 40, 20.0, share=0.6), Contract("pt", 0, 30, 18.0, share=0.4)),
        costs=CostRules(premiums=(Premium("night", 1320, 360, multiplier=1.5),)), **kw)


def two_days(seed, peak=6):
    idx = pd.date_range(DAY, periods=96, freq="30min")
    h = idx.hour + idx.minute / 60
    rng = np.random.default_rng(seed)
    req = np.where((h >= 7) & (h < 23), rng.integers(1, peak + 1, idx.size), 0)
    return pd.DataFrame({"interval_start": idx, "required": req})


def test_hard_coverage_net_of_breaks_and_break_rules():
    plan = solve_cover(two_days(1), 1800, day_rules(), time_limit_s=20)
    cov = plan.coverage_frame()
    assert (cov["on_duty"] >= cov["required"] - 1e-9).all()
    s = plan.summary
    assert s["intervals_short"] == 0 and s["gap_to_lp_pct"] < 2.0 and s["subproblems"] == 2
    for row in plan.shifts.itertuples():  # every break inside its window, in order, with the gap
        offs = [a - row.start_min for a, _, _ in row.breaks_min]
        if row.template == "8h":
            assert 90 <= offs[0] <= 150 and 180 <= offs[1] <= 300 and 330 <= offs[2] <= 390
            assert offs[1] >= offs[0] + 15 + 60 and offs[2] >= offs[1] + 30 + 60
            assert row.paid_min == 450
    # the independent on-duty count agrees with the plan's own coverage
    table = plan.to_frame()
    assert len(table) == len(plan.shifts) and table["breaks"].str.match(r"^(\d\d:\d\d-\d\d:\d\d;?)*$").all()


def test_midnight_crossing_merges_days():
    rules = ScheduleRules(templates=(ShiftTemplate("night", 8, 1200, 1320),),
                          contracts=(Contract("c", 0, 40, 10.0),))
    idx = pd.date_range(DAY, periods=96, freq="30min")
    req = np.where((idx.hour >= 21) | (idx.hour < 3), 2, 0)
    req[:6] = 0  # nothing before 03:00 on the first day
    plan = solve_cover(pd.DataFrame({"interval_start": idx, "required": req}), 1800, rules)
    assert plan.summary["intervals_short"] == 0
    assert (plan.shifts["end_min"] > 1440).all()


def test_soft_coverage_reports_shortfall():
    df = two_days(2)
    df.loc[df["interval_start"].dt.hour == 3, "required"] = 4  # no template starts early enough
    with pytest.raises(ValueError, match="requirement.required"):
        solve_cover(df, 1800, day_rules())
    plan = solve_cover(df, 1800, day_rules(), coverage="soft", time_limit_s=20)
    s = plan.summary
    assert s["intervals_short"] == 4 and s["shortfall_agent_h"] == pytest.approx(8.0)
    short = plan.coverage_frame().query("over_under < 0")
    assert set(short["interval_start"].dt.hour) == {3}


def test_time_limit_returns_schedule_with_gap():
    plan = solve_cover(two_days(3, peak=30), 1800, day_rules(), time_limit_s=1.0)
    s = plan.summary
    assert s["shifts"] > 0 and s["mip_gap_pct"] >= 0 and s["gap_to_lp_pct"] >= s["mip_gap_pct"] - 1e-9
    assert s["solve_time_s"] < 10


def test_a_part_cache_solves_only_the_parts_whose_requirement_changed():
    df = two_days(4)
    cache = {}
    first = solve_cover(df, 1800, day_rules(), contract_mix=False, node_limit=50, part_cache=cache)
    assert first.stats["parts_reused"] == 0 and len(cache) == 2  # the two days are two parts
    raised = df.copy()
    raised.loc[(raised["interval_start"].dt.day == 2) & (raised["interval_start"].dt.hour == 12), "required"] += 1
    again = solve_cover(raised, 1800, day_rules(), contract_mix=False, node_limit=50, part_cache=cache)
    fresh = solve_cover(raised, 1800, day_rules(), contract_mix=False, node_limit=50)
    assert again.stats["parts_reused"] == 1 and fresh.stats["parts_reused"] == 0
    pd.testing.assert_frame_equal(again.to_frame(), fresh.to_frame())  # the schedule a new solve finds
    assert (again.coverage_frame()["over_under"] >= 0).all()
    # the first day kept its shifts; other rules never take the cached parts
    day1 = lambda p: p.shifts[p.shifts["day"] == 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(day1(again), day1(first))
    other = solve_cover(df, 1800, day_rules(coverage="soft"), contract_mix=False, node_limit=50, part_cache=cache)
    assert other.stats["parts_reused"] == 0


def _stopped_early(m, budget_s, gap, **kw):
    """A part's first schedule (within 50 % of its bound), as if its time had run out."""
    return dataclasses.replace(solve_part(m, budget_s, 0.5, **kw), timed_out=True)


def test_a_part_stopped_on_its_time_is_continued_with_the_time_left():
    df = two_days(3, peak=3)
    kw = dict(contract_mix=False, mip_rel_gap=0.0)
    exact = solve_cover(df, 1800, day_rules(), **kw)
    first = solve_cover(df, 1800, day_rules(), part_solver=_stopped_early, part_improver=None, **kw)
    continued = solve_cover(df, 1800, day_rules(), part_solver=_stopped_early, **kw)
    assert exact.summary["status"] == "optimal" and first.summary["status"] == "time_limit"
    assert first.cost > exact.cost + 1  # the case is one where the first schedule is not the optimum
    assert continued.cost == pytest.approx(exact.cost) and continued.summary["status"] == "optimal"
    assert continued.stats["dual_bound"] == pytest.approx(exact.cost)
    assert "full" in [f["found_by"] for f in continued.stats["part_figures"]]
    assert (continued.coverage_frame()["over_under"] >= 0).all()


def test_improve_part_keeps_the_cheaper_schedule_and_the_better_bound():
    models = []

    def grab(m, budget_s, gap, **kw):
        models.append(m)
        return solve_part(m, budget_s, gap, **kw)

    solve_cover(two_days(3, peak=3), 1800, day_rules(), contract_mix=False, part_solver=grab, part_improver=None)
    for m in models:
        loose = solve_part(m, 30.0, 0.5)
        best = improve_part(m, loose, 30.0, 0.0)
        assert best.objective <= loose.objective + 1e-9 and best.bound >= loose.bound - 1e-9
        assert best.gap() == pytest.approx(0.0, abs=1e-9) and best.lp_bound == loose.lp_bound
        assert best.time_s >= loose.time_s
        again = improve_part(m, best, 30.0, 0.0)  # nothing cheaper exists: the schedule is kept
        np.testing.assert_array_equal(again.values, best.values)
