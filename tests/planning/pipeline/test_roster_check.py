"""The simulation check of a roster: one-sided t tests per interval and target over the absence
draws, Benjamini-Hochberg over the week's tests; a comfortable roster is not flagged, an
under-staffed interval is, and the correction matches a hand computation."""
import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from core import Targets
from planning.pipeline import schedule_plan
from planning.pipeline.roster_check import absence_draws, absence_uniforms, check_roster_plan, roster_check_jobs
from planning.pipeline.roster_misses import FALSE_DISCOVERY_RATE, flag_misses, miss_p_values

from test_schedule_stage import small_config, small_requirement

VOICE = Targets(service_level=0.8, awt_s=20.0)
CHAT = Targets(p_wait=0.05, asa_s=10.0)


def test_p_values_are_the_one_sided_one_sample_t_test():
    rng = np.random.default_rng(3)
    v = rng.normal(0.75, 0.05, (8, 5))
    v[3:, 4] = np.nan  # 3 draws with a value
    for sense, alt in (("min", "less"), ("max", "greater")):
        want = [stats.ttest_1samp(v[:, i][np.isfinite(v[:, i])], 0.8, alternative=alt).pvalue for i in range(5)]
        np.testing.assert_allclose(miss_p_values(v, 0.8, sense), want, rtol=1e-10)


def test_p_values_without_spread_or_draws():
    v = np.array([[0.5, 0.9, 0.8, np.nan, 0.3], [0.5, 0.9, 0.8, np.nan, np.nan]])
    p = miss_p_values(v, 0.8, "min")
    np.testing.assert_array_equal(p[:3], [0.0, 1.0, 0.5])  # all equal: below, above, on the target
    assert np.isnan(p[3]) and np.isnan(p[4])  # fewer than 2 draws: no test
    with pytest.raises(ValueError, match="sense"):
        miss_p_values(v, 0.8, "lower")


def _frame(queue, p_by_col, col_values):
    """Rows of one queue with the given p-values per tested metric column (values/bounds given)."""
    n = len(next(iter(p_by_col.values())))
    f = pd.DataFrame({"queue": queue, "interval_start": pd.date_range("2000-01-03 08:00", periods=n, freq="30min")})
    for c, p in p_by_col.items():
        f[c], f[f"{c}_lo"], f[f"{c}_hi"], f[f"{c}_p"] = col_values[c], col_values[c] - 0.1, col_values[c] + 0.1, p
    return f


def test_benjamini_hochberg_over_all_queues_matches_a_hand_computation():
    """10 tests: 4 voice intervals (service level), 3 chat intervals x 2 targets. Sorted p-values
    0.001 0.008 0.016 0.019 0.3 0.4 0.5 0.6 0.7 0.9; BH at 5 %: the largest k with p(k) <= 0.005 k is
    k = 4 (0.019 <= 0.020), so 4 are rejected (0.016 too, though above its own 0.015: step-up);
    adjusted q(k) = min over j >= k of p(j) 10 / j = 0.01 0.04 0.0475 0.0475 0.6 ..."""
    voice = _frame("voice", {"service_level": [0.001, 0.3, 0.019, 0.9]}, {"service_level": np.full(4, 0.6)})
    chat = _frame("chat", {"p_wait": [0.4, 0.016, 0.5], "asa_s": [0.6, 0.7, 0.008]},
                  {"p_wait": np.full(3, 0.2), "asa_s": np.full(3, 30.0)})
    got = flag_misses(pd.concat([voice, chat], ignore_index=True), {"voice": VOICE, "chat": CHAT})
    assert got["missed"].tolist() == [True, False, True, False, False, True, True]
    np.testing.assert_allclose(got["p_value"], [0.001, 0.3, 0.019, 0.9, 0.4, 0.016, 0.008])
    np.testing.assert_allclose(got["q_value"], [0.01, 0.6, 0.0475, 0.9, 0.667, 0.0475, 0.04], atol=5e-4)
    assert got.loc[0, "reason"] == ("service_level 0.6 [0.5, 0.7] < target 0.8: p 0.001 <= 0.02 "
                                    "(Benjamini-Hochberg, false discovery rate 0.05 over 10 tests)")
    assert got.loc[5, "reason"].startswith("p_wait 0.2 [0.1, 0.3] > target 0.05: p 0.016 <= 0.02")
    assert got.loc[6, "reason"].startswith("asa_s 30 [29.9, 30.1] > target 10: p 0.008 <= 0.02")
    assert got["reason"].isna().tolist() == [False, True, False, True, True, False, False]
    # the same p-values tested queue by queue would pass more: the week is one family
    alone = flag_misses(voice, {"voice": VOICE})
    assert alone["missed"].tolist() == [True, False, True, False]
    with pytest.raises(ValueError, match="no targets given for queue 'chat'"):
        flag_misses(chat, {"voice": VOICE})
    with pytest.raises(ValueError, match="fdr"):
        flag_misses(voice, {"voice": VOICE}, fdr=0.0)


def test_a_week_that_meets_every_target_exactly_is_flagged_in_at_most_5_percent_of_weeks():
    """The error rate: 200 weeks of 500 intervals whose metric is normal around the target exactly
    (every null true, the boundary case), 8 draws each. BH keeps the chance of any flag in a week
    <= 5 %, so at most the binomial(200, 0.05) 99.9 % quantile of the weeks may have one; the
    uncorrected 5 % tests flag ~25 intervals in almost every week."""
    rng = np.random.default_rng(11)
    weeks, n_int, draws = 200, 500, 8
    flagged_weeks, raw_flags = 0, []
    for _ in range(weeks):
        p = miss_p_values(rng.normal(0.8, 0.05, (draws, n_int)), 0.8, "min")
        got = flag_misses(_frame("voice", {"service_level": p}, {"service_level": np.full(n_int, 0.8)}), {"voice": VOICE})
        flagged_weeks += bool(got["missed"].any())
        raw_flags.append(int((p < 0.05).sum()))
    assert flagged_weeks <= stats.binom.ppf(0.999, weeks, FALSE_DISCOVERY_RATE)
    assert np.mean(raw_flags) > 15 and min(raw_flags) > 0


def test_draws_share_the_replications():
    assert absence_draws(8) == (8, 1) and absence_draws(2) == (3, 1)
    assert absence_draws(8, 3) == (3, 3) and absence_draws(1, 4) == (4, 1)
    with pytest.raises(ValueError, match="draws must be an integer >= 2"):
        absence_draws(8, 1)


@pytest.fixture(scope="module")
def monday():
    """A comfortable voice roster for one open day (Monday, peak 30 calls per half hour): the plan's
    agents + 2 in every open interval, grossed up by 20 % unplanned absence; 8 replications."""
    cfg = small_config(unplanned=0.2, time_limit_s=60.0)
    cfg = dataclasses.replace(cfg, simulation=dataclasses.replace(cfg.simulation, replications=8))
    req = small_requirement(cfg)
    ts = req["interval_start"]
    day = (ts.dt.day_of_week == 0).to_numpy()
    req.loc[~day, ["open", "volume", "agents"]] = (False, 0.0, 0)
    req.loc[day & req["open"].to_numpy(bool), "agents"] += 2
    week = schedule_plan(cfg, req).weeks[0]
    return cfg, week


def test_a_comfortable_roster_is_not_flagged(monday):
    cfg, week = monday
    got = check_roster_plan(cfg, week.roster, week.requirement, seed=5, workers="serial")
    assert len(got) == 34 and not got["missed"].any() and got["reason"].isna().all()
    assert {"service_level_p", "agents_busy_p", "p_value", "q_value"} <= set(got.columns)
    assert np.isfinite(got["p_value"]).all() and (got["q_value"] >= got["p_value"]).all()
    assert len(roster_check_jobs(cfg, week.roster, week.requirement, seed=5)[0].agents) == 8  # 8 draws x 1


def test_an_under_staffed_interval_is_flagged_with_its_metric_value_and_p_value(monday):
    """The shifts on duty at Monday 12:00-13:00 taken out but two: the service level there collapses."""
    cfg, week = monday
    s = week.roster.plan.shifts
    noon = 12 * 60 + 24 * 60  # minutes from the week's start (Sunday)
    on = np.flatnonzero((s["start_min"] <= noon).to_numpy() & (s["end_min"] >= noon + 60).to_numpy())
    assert len(on) > 4
    assignment = week.roster.assignment.copy()
    assignment[on[2:]] = -1
    short = dataclasses.replace(week.roster, assignment=assignment)
    got = check_roster_plan(cfg, short, week.requirement, seed=5, workers="serial")
    hit = got[got["missed"]]
    hours = hit["interval_start"].dt.hour + hit["interval_start"].dt.minute / 60
    assert {12.0, 12.5} <= set(hours) and hours.between(9, 17).all()  # the gap, and the backlog around it
    row = hit[hours == 12.0].iloc[0]
    assert row["reason"].startswith("service_level ") and "< target 0.8: p " in row["reason"]
    assert "(Benjamini-Hochberg, false discovery rate 0.05 over 68 tests)" in row["reason"]
    assert row["service_level"] < 0.5 and row["p_value"] < 1e-3 and row["q_value"] <= FALSE_DISCOVERY_RATE


def test_absence_draws_are_stratified_so_each_agent_misses_its_share_of_them():
    u = absence_uniforms(50, 8, 8, seed=4)
    assert u.shape == (8, 50, 8) and (u >= 0).all() and (u < 1).all()
    np.testing.assert_array_equal(np.sort(np.floor(u * 8), axis=0), np.broadcast_to(np.arange(8.0)[:, None, None], u.shape))
    absent = (u < 0.2).sum(axis=0)  # p = 0.2 of 8 draws: 1.6
    assert set(np.unique(absent)) <= {1, 2}
    np.testing.assert_array_equal(u, absence_uniforms(50, 8, 8, seed=4))
    assert not np.array_equal(u, absence_uniforms(50, 8, 8, seed=5))
