"""The contract mix in the shift cover: rows that keep the contracts' shares rosterable."""
import collections

import numpy as np
import pytest

from scheduling import build_roster, generate_agents, solve_cover
from scheduling.cover_mix import ROSTER_SLACK, contract_mix

from test_sched_roster import make_rules, week_requirement


@pytest.mark.parametrize("seed", [0, 5])
def test_shares_reachable_give_exact_shares_and_no_problems(seed):
    # full-timers (share 0.5) need 28 h = four 8-hour shifts of 7 paid h; 4-hour shifts are part-time work
    rules = make_rules(2, False, 5, 11.0, 3, 28)
    plan = solve_cover(week_requirement(np.random.default_rng(seed), 4), 3600, rules, time_limit_s=300, node_limit=100)
    assert plan.summary["status"] == "optimal"
    roster = build_roster(plan, seed=1)
    want = collections.Counter(a.contract for a in generate_agents(rules, len(roster.agents)))
    assert collections.Counter(a.contract for a in roster.agents) == want
    assert roster.problems == () and roster.violations() == [] and (roster.assignment >= 0).all()
    hours = roster.to_frame().groupby("agent_id")["paid_hours"].sum()
    ft = [a.agent_id for a in roster.agents if a.contract == "ft"]
    assert (hours[ft] >= 28).all()


@pytest.mark.parametrize("seed", [0, 4])
def test_cover_meets_the_week_rows_summed_over_contracts(seed):
    rules = make_rules(2, False, 5, 11.0, 2, 28)
    plan = solve_cover(week_requirement(np.random.default_rng(seed), 4), 3600, rules, time_limit_s=20)
    mix, n = contract_mix(rules), plan.stats["mix_agents"]
    s = plan.shifts
    late = int(((s["end_min"] - s["day"] * 1440) > rules.weekly.late_threshold_min).sum())
    tol = 1e-3  # share_out bounds each part to its LP value within 1e-7 relative
    assert late <= rules.weekly.max_late_shifts_per_week * n + tol
    assert len(s) <= (mix.shifts_k * mix.share).sum() * n + tol
    assert s["paid_min"].sum() / 60 >= (mix.min_h * mix.share).sum() * n - tol
    assert s["paid_min"].sum() / 60 <= (mix.max_h * mix.share).sum() * n + tol
    ft_h = s.loc[s["template"] == "8h", "paid_min"].sum() / 60  # only full-timers' template
    assert ft_h >= 28 * 0.5 * n - tol


def test_mix_slack_never_makes_a_minimum_unreachable():
    rules = make_rules(2, False, 5, 11.0, 3, 35)  # 35 h = five 8-hour shifts: no slack left
    mix = contract_mix(rules)
    assert mix.shifts_k[0] == pytest.approx(5.0) and mix.shifts_k[1] == pytest.approx(5 * (1 - ROSTER_SLACK))


def test_fixed_counts_have_no_mix_and_bad_node_limit_is_named():
    from scheduling import Contract, ScheduleRules
    rules = make_rules(2, False, 5, 11.0, 3, 0)
    counted = ScheduleRules(rules.templates, (Contract("ft", 0, 40, 20.0, count=3), Contract("pt", 0, 24, 18.0, count=3)),
                            rules.weekly)
    assert contract_mix(counted) is None
    plan = solve_cover(week_requirement(np.random.default_rng(0), 2), 3600, counted, time_limit_s=5)
    assert plan.stats["contract_mix"] is False and "mix_agents" not in plan.stats
    with pytest.raises(ValueError, match="^node_limit: expected None or an integer >= 1"):
        solve_cover(week_requirement(np.random.default_rng(0), 2), 3600, rules, node_limit=0)


def test_node_limit_gives_the_same_plan_twice():
    rules = make_rules(2, False, 5, 11.0, 3, 28)
    req = week_requirement(np.random.default_rng(2), 6)
    a, b = (solve_cover(req, 3600, rules, time_limit_s=300, node_limit=50) for _ in range(2))
    assert a.stats["status"] in ("optimal", "node_limit")
    assert a.shifts.equals(b.shifts)
