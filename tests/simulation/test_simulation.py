"""Simulator behaviour: engines agree, conservation, Little's law, plan changes, reproducibility
across executors, records and bad input. Statistical checks use a fixed seed and tolerances from
Student-t standard errors over replications (stated per test)."""
import concurrent.futures as cf
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from core import QueueModel, Targets
from simulation import Empirical, Exponential, Gamma, LogNormal, RunSettings, simulate

PLAN_RATE = [200.0, 320.0, 260.0, 120.0]  # contacts per hour
PLAN_AGENTS = [5, 9, 7, 3]


def _paired_z(y: np.ndarray, x: np.ndarray) -> float:
    """z (t) score of mean(y - x) = 0 over replications."""
    d = y - x
    return abs(d.mean()) / (d.std(ddof=1) / math.sqrt(d.size))


@pytest.mark.parametrize("concurrency", [1])
def test_fast_path_and_simpy_model_give_the_same_contacts(concurrency):
    kwargs = dict(service=LogNormal(100, 1.3), patience=Exponential(60), keep_contacts=True)
    queue = QueueModel(balk_prob=0.15, concurrency=concurrency)
    run = RunSettings(replications=4, seed=11, executor="serial")
    fast = simulate(PLAN_RATE, PLAN_AGENTS, 1800, queue, settings=run.with_values(engine="fast"), **kwargs)
    model = simulate(PLAN_RATE, PLAN_AGENTS, 1800, queue, settings=run.with_values(engine="simpy"), **kwargs)
    a, b = fast.contacts, model.contacts
    assert len(a) == len(b) > 1000
    assert (a["outcome"] == b["outcome"]).all()
    assert (a["balked"] == b["balked"]).all()
    np.testing.assert_allclose(a["wait_s"], b["wait_s"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(a["handle_s"], b["handle_s"], rtol=0, atol=1e-6)
    cols = [c for c in fast.by_interval.columns if c != "interval_start"]
    np.testing.assert_allclose(fast.by_interval[cols].to_numpy(float),
                               model.by_interval[cols].to_numpy(float), rtol=1e-9, atol=1e-9)
    assert (a["outcome"] == "abandoned").any() and a["balked"].any()


def test_conservation_and_records():
    res = simulate(PLAN_RATE, PLAN_AGENTS, 1800, QueueModel(balk_prob=0.1), service=Gamma(110, 0.7),
                   patience=LogNormal(45, 1.0), settings=RunSettings(replications=6, seed=3, executor="serial"),
                   keep_contacts=True)
    pr = res.per_replication
    np.testing.assert_array_equal(pr["offered"], pr["served"] + pr["abandoned"])
    assert np.all(pr["balked"] <= pr["abandoned"])
    c = res.contacts
    assert {"replication", "arrival_s", "wait_s", "outcome", "interval"} <= set(c.columns)
    assert sorted(c["replication"].unique()) == list(range(6))
    assert set(c["outcome"].unique()) <= {"served", "abandoned"}
    counts = c.groupby(["replication", "interval"]).size().unstack(fill_value=0).to_numpy()
    np.testing.assert_array_equal(counts, pr["offered"])
    served = c[c["outcome"] == "served"]
    assert (served["handle_s"] > 0).all() and c.loc[c["outcome"] == "abandoned", "handle_s"].isna().all()
    assert (c["wait_s"] >= 0).all() and (c.loc[c["balked"], "wait_s"] == 0).all()
    # summary counts are sums of the interval counts
    assert res.summary.loc["offered", "value"] == pytest.approx(res.by_interval["offered"].sum())
    assert res.summary.loc["max_queue", "value"] >= res.by_interval["max_queue"].max() - 1e-9
    # service-level definitions: offered <= excluding short abandons <= answered-only denominator
    sl = res.summary["value"]
    assert sl["service_level"] <= sl["service_level_excl_short_abandon"] <= sl["service_level_answered"]
    for col in ["service_level", "asa_s", "p_wait", "occupancy", "max_queue"]:
        b = res.by_interval
        assert (b[f"{col}_lo"] <= b[col] + 1e-12).all() and (b[col] <= b[f"{col}_hi"] + 1e-12).all()


def test_littles_law_for_agents_and_queue():
    """Busy agents = served rate x mean handle time (E[S] from the input distribution) and
    time-average queue = arrival rate x mean time in queue; z < 3.3 (two-sided 0.1%)."""
    rate, agents, hours = 300.0, 10, 6
    res = simulate([rate] * hours, [agents] * hours, 3600, QueueModel(), service=Gamma(100, 0.8),
                   patience=Exponential(90), settings=RunSettings(replications=40, seed=21, executor="serial"))
    pr = res.per_replication
    # ignore the last interval (drain beyond the horizon) and the first (empty start)
    s = slice(1, hours - 1)
    horizon = pr["horizon_s"][:, s].sum(1)
    busy_agents = pr["busy_s"][:, s].sum(1) / horizon
    little = pr["served"][:, s].sum(1) / horizon * 100.0
    assert _paired_z(busy_agents, little) < 3.3
    mean_queue = pr["queue_area_s"][:, s].sum(1) / horizon
    little_q = pr["wait_sum_all"][:, s].sum(1) / horizon
    assert _paired_z(mean_queue, little_q) < 3.3
    # over the whole run (the drain included in the last interval's contacts) the identity is exact
    # up to the queue time after the horizon
    assert res.summary.loc["occupancy", "value"] == pytest.approx(
        pr["busy_s"].sum() / pr["capacity_s"].sum())


def test_agents_leaving_finish_the_contact_in_hand():
    res = simulate([600.0, 600.0, 600.0], [20, 4, 4], 900, QueueModel(), service=Exponential(300),
                   settings=RunSettings(replications=3, seed=5, executor="serial"), keep_contacts=True)
    c = res.contacts
    pr = res.per_replication
    # after the plan drops to 4 agents, busy agents finish: logged-in capacity exceeds the plan
    assert np.all(pr["capacity_s"][:, 1] > 4 * 900)
    np.testing.assert_allclose(pr["capacity_s"][:, 0], 20 * 900)
    # but no more than 4 contacts start service after the boundary while earlier ones still run
    served = c[c["outcome"] == "served"].copy()
    served["start"] = served["arrival_s"] + served["wait_s"]
    served["end"] = served["start"] + served["handle_s"]
    for _, rep in served.groupby("replication"):
        late = rep[rep["start"] >= 900].sort_values("start")
        for t in late["start"].to_numpy()[:200]:
            in_service_started_late = ((late["start"] <= t) & (late["end"] > t + 1e-6)).sum()
            assert in_service_started_late <= 4
    # the queue carries over and everybody is served in the end (no patience)
    assert (c["outcome"] == "served").all()


def test_staffing_increase_serves_the_waiting_at_once():
    res = simulate([400.0, 10.0], [0, 30], 600, QueueModel(patience_s=None), service=Exponential(60),
                   settings=RunSettings(replications=2, seed=1, executor="serial"), keep_contacts=True)
    c = res.contacts
    first = c[c["interval"] == 0]
    start = first["arrival_s"] + first["wait_s"]
    assert (start >= 600 - 1e-9).all()
    # 30 agents take the first 30 waiting contacts exactly at the boundary
    for _, rep in first.groupby("replication"):
        st = np.sort((rep["arrival_s"] + rep["wait_s"]).to_numpy())
        np.testing.assert_allclose(st[: min(30, len(st))], 600.0)


def test_rate_cv_multiplies_volume_per_replication():
    """Offered per replication has variance lambda + (cv lambda)^2 (Poisson mixed by gamma)."""
    lam = 500.0
    res = simulate([lam], [12], 3600, QueueModel(), service=Exponential(60),
                   settings=RunSettings(rate_cv=0.2, replications=400, seed=8, executor="serial"))
    off = res.per_replication["offered"][:, 0]
    expected_var = lam + (0.2 * lam) ** 2
    # chi-square interval for the variance at 99.9%
    n = off.size
    lo = (n - 1) * off.var(ddof=1) / stats.chi2.ppf(0.9995, n - 1)
    hi = (n - 1) * off.var(ddof=1) / stats.chi2.ppf(0.0005, n - 1)
    assert lo < expected_var < hi
    assert abs(off.mean() - lam) < 3.3 * off.std(ddof=1) / math.sqrt(n)


@pytest.mark.parametrize("dist, mean, cv", [
    (Exponential(120), 120, 1.0), (LogNormal(200, 0.6), 200, 0.6), (Gamma(90, 1.8), 90, 1.8),
    (Gamma(50, 0.0), 50, 0.0), (Empirical([10, 20, 30, 40]), 25, math.sqrt(125) / 25),
])
def test_distributions_mean_and_cv(dist, mean, cv):
    x = dist.sample(np.random.default_rng(0), 200_000)
    assert dist.mean_s == pytest.approx(mean) and dist.cv == pytest.approx(cv)
    se = cv * mean / math.sqrt(x.size)
    assert abs(x.mean() - mean) <= 4 * se + 1e-12
    if cv > 0 and cv < 1.5:
        assert x.std() / x.mean() == pytest.approx(cv, rel=0.03)
    assert (x >= 0).all()


def test_reproducible_across_serial_pools_and_dask():
    distributed = pytest.importorskip("distributed")
    kwargs = dict(service=LogNormal(150, 1.1), patience=Exponential(80))
    voice, chat = QueueModel(balk_prob=0.05), QueueModel(balk_prob=0.05, concurrency=2)
    run = RunSettings(rate_cv=0.1, replications=6, seed=2024)

    def on(executor):
        return run.with_values(executor=executor)

    serial = simulate(PLAN_RATE, PLAN_AGENTS, 1800, voice, settings=on("serial"), keep_contacts=True, **kwargs)
    one = simulate(PLAN_RATE, PLAN_AGENTS, 1800, voice, settings=on(1), keep_contacts=True, **kwargs)
    two = simulate(PLAN_RATE, PLAN_AGENTS, 1800, voice, settings=on(2), keep_contacts=True, **kwargs)
    with cf.ThreadPoolExecutor(3) as pool:
        threads = simulate(PLAN_RATE, PLAN_AGENTS, 1800, voice, settings=on(pool), **kwargs)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        dask_res = simulate(PLAN_RATE, PLAN_AGENTS, 1800, voice, settings=on(client), keep_contacts=True,
                            **kwargs)
        chat_serial = simulate(PLAN_RATE, PLAN_AGENTS, 1800, chat, settings=on("serial"), **kwargs)
        chat_dask = simulate(PLAN_RATE, PLAN_AGENTS, 1800, chat, settings=on(client), **kwargs)
    for other in (one, two, threads, dask_res):
        pd.testing.assert_frame_equal(serial.by_interval, other.by_interval)
        pd.testing.assert_frame_equal(serial.summary, other.summary)
    for other in (one, two, dask_res):
        pd.testing.assert_frame_equal(serial.contacts, other.contacts)
    pd.testing.assert_frame_equal(chat_serial.by_interval, chat_dask.by_interval)
    # a different seed gives different numbers
    other_seed = simulate(PLAN_RATE, PLAN_AGENTS, 1800, voice, settings=on("serial").with_values(seed=7),
                          **kwargs)
    assert not serial.by_interval["offered"].equals(other_seed.by_interval["offered"])


def test_series_index_and_single_replication():
    idx = pd.date_range("2024-03-04 08:00", periods=4, freq="30min", tz="Europe/Berlin")
    res = simulate(pd.Series(PLAN_RATE, index=idx), PLAN_AGENTS, 1800, QueueModel(aht_s=180.0),
                   settings=RunSettings(replications=1, seed=0))
    assert list(res.by_interval["interval_start"]) == list(idx)
    assert res.by_interval["service_level_lo"].isna().all()
    assert res.replications == 1 and res.engine == "fast"


@pytest.mark.parametrize("kwargs, name", [
    (dict(arrival_rate_per_h=[100, -1]), "arrival_rate_per_h"),
    (dict(arrival_rate_per_h=[100, np.nan]), "arrival_rate_per_h"),
    (dict(agents=[3, -1]), "agents"),
    (dict(agents=[3, 2.5]), "agents"),
    (dict(agents=[3, 3, 3]), "same length"),
    (dict(interval_s=0), "interval_s"),
    (dict(service=None), "service"),
    (dict(service=LogNormal), "service"),
    (dict(patience="soon"), "patience"),
    (dict(balk_prob=1.5), "balk_prob"),
    (dict(concurrency=0), "concurrency"),
    (dict(concurrency=2, aht_by_concurrency_s=[100]), "aht_by_concurrency_s"),
    (dict(awt_s=-1), "awt_s"),
    (dict(rate_cv=-0.1), "rate_cv"),
    (dict(replications=0), "replications"),
    (dict(replications=2.0), "replications"),
    (dict(executor="nope"), "executor"),
    (dict(executor=object()), "executor"),
    (dict(engine="fast", concurrency=2), "engine"),
    (dict(agents=[3, 0]), "agents"),
    (dict(seed=-3), "seed"),
])
def test_bad_input_names_the_argument(kwargs, name):
    kwargs = dict(kwargs)
    queue = {k: kwargs.pop(k) for k in ("balk_prob", "concurrency", "aht_by_concurrency_s") if k in kwargs}
    run = {"replications": 2, "executor": "serial"}
    run.update({k: kwargs.pop(k) for k in ("replications", "seed", "executor", "engine", "rate_cv") if k in kwargs})
    awt = kwargs.pop("awt_s", 20.0)
    base = dict(arrival_rate_per_h=[100, 120], agents=[3, 3], interval_s=1800, service=Exponential(100))
    base.update(kwargs)
    with pytest.raises(ValueError, match=name):
        simulate(queue=QueueModel(**queue), targets=Targets(awt_s=awt), settings=RunSettings(**run), **base)


@pytest.mark.parametrize("make, name", [
    (lambda: Exponential(-1), "mean_s"), (lambda: LogNormal(100, -0.5), "cv"),
    (lambda: Gamma(0, 1), "mean_s"), (lambda: Gamma(10, float("inf")), "cv"),
    (lambda: Empirical([]), "samples_s"), (lambda: Empirical([1, -2]), "samples_s"),
])
def test_bad_distribution_names_the_argument(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_service_scale_sets_the_handle_time_of_each_interval():
    rate, agents = [120.0, 120.0, 120.0], [6, 12, 6]
    queue, run = QueueModel(aht_s=120), RunSettings(replications=4, seed=5, executor="serial")
    base = simulate(rate, agents, 1800, queue, settings=run, keep_contacts=True)
    ones = simulate(rate, agents, 1800, queue, settings=run, keep_contacts=True, service_scale=[1.0, 1.0, 1.0])
    pd.testing.assert_frame_equal(base.by_interval, ones.by_interval)
    twice = simulate(rate, agents, 1800, queue, settings=run, keep_contacts=True,
                     service_scale=[1.0, 2.0, 1.0])
    c0, c2 = base.contacts, twice.contacts
    assert (c0["arrival_s"].to_numpy() == c2["arrival_s"].to_numpy()).all()  # same random stream
    served = (c0["outcome"] == "served").to_numpy() & (c2["outcome"] == "served").to_numpy()
    mid = (c0["interval"] == 1).to_numpy() & served
    assert np.allclose(c2["handle_s"].to_numpy()[mid], 2 * c0["handle_s"].to_numpy()[mid])
    out = (c0["interval"] != 1).to_numpy() & served
    assert np.allclose(c2["handle_s"].to_numpy()[out], c0["handle_s"].to_numpy()[out])
    for bad in ([1.0, 2.0], [1.0, 0.0, 1.0], [1.0, np.nan, 1.0]):
        with pytest.raises(ValueError, match="service_scale"):
            simulate(rate, agents, 1800, queue, settings=RunSettings(replications=2, seed=5), service_scale=bad)


@pytest.mark.parametrize("rate, agents, queue", [
    ([60.0], [0], QueueModel(aht_s=180, patience_s=60)),
    ([60.0, 60.0], [3, 0], QueueModel(aht_s=180, balk_prob=1.0)),
    ([60.0, 60.0], [3, 0], QueueModel(aht_s=180, patience_s=30)),
    ([60.0, 0.0, 60.0, 60.0], [0, 2, 0, 0], QueueModel(aht_s=180, patience_s=100, balk_prob=0.3)),
])
def test_plan_ending_with_zero_agents_runs_on_both_engines(rate, agents, queue):
    """Validation allows 0 agents at the end when contacts can leave (patience or balking); the fast
    path used to index past the plan there. Both engines must give the same contacts."""
    run = RunSettings(replications=3, seed=4, executor="serial")
    fast = simulate(rate, agents, 1800, queue, settings=run.with_values(engine="fast"), keep_contacts=True)
    model = simulate(rate, agents, 1800, queue, settings=run.with_values(engine="simpy"), keep_contacts=True)
    a, b = fast.contacts, model.contacts
    assert len(a) == len(b) > 0
    assert (a["outcome"] == b["outcome"]).all() and (a["balked"] == b["balked"]).all()
    np.testing.assert_allclose(a["wait_s"], b["wait_s"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(fast.by_interval.to_numpy(float), model.by_interval.to_numpy(float),
                               rtol=1e-9, atol=1e-9, equal_nan=True)
    pr = fast.per_replication
    np.testing.assert_array_equal(pr["offered"], pr["served"] + pr["abandoned"])
    if max(agents) == 0:  # nobody to answer: everyone abandons after their patience
        assert pr["served"].sum() == 0 and (a["wait_s"] > 0).all()


def test_confidence_bounds_stay_in_the_range_of_the_metric():
    """Few replications of a light load: the t interval of ASA reaches below 0 and that of the
    service level above 1 (seed 0); the bounds are clipped to the metric's range."""
    res = simulate([30, 30], [2, 2], 1800, QueueModel(aht_s=60, patience_s=30),
                   settings=RunSettings(replications=3, seed=0, executor="serial"))
    shares = ["service_level", "service_level_answered", "service_level_excl_short_abandon",
              "p_wait", "abandon_rate", "occupancy"]
    assert (res.summary[["lo", "hi"]].to_numpy() >= 0).all()
    assert (res.summary.loc[shares, ["lo", "hi"]].to_numpy() <= 1).all()
    b = res.by_interval
    for name in res.summary.index:
        assert (b[f"{name}_lo"].dropna() >= 0).all(), name
        if name in shares:
            assert (b[f"{name}_hi"].dropna() <= 1).all(), name
    assert res.summary.loc["asa_s", "lo"] == 0.0 < res.summary.loc["asa_s", "value"]
    assert res.summary.loc["service_level", "hi"] == 1.0


def test_infinite_patience_means_nobody_abandons():
    kw = dict(settings=RunSettings(replications=3, seed=1, executor="serial"), keep_contacts=True)
    inf = simulate([100, 120], [3, 3], 1800, QueueModel(aht_s=100, patience_s=np.inf), **kw)
    none = simulate([100, 120], [3, 3], 1800, QueueModel(aht_s=100, patience_s=None), **kw)
    pd.testing.assert_frame_equal(inf.summary, none.summary)
    pd.testing.assert_frame_equal(inf.contacts, none.contacts)
    with pytest.raises(ValueError, match="agents"):  # nobody leaves: the last level must serve
        simulate([100, 120], [3, 0], 1800, QueueModel(aht_s=100, patience_s=float("inf")), **kw)
    with pytest.raises(ValueError, match="patience"):
        simulate([100, 120], [3, 3], 1800, QueueModel(aht_s=100, patience_s=-np.inf), **kw)
