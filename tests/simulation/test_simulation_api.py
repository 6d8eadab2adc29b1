"""The simulation API with the shared objects: QueueModel defaults, Targets scoring, the settings."""
import numpy as np
import pandas as pd
import pytest

from core import QueueModel, Targets
from simulation import (Exponential, RefineSettings, RunSettings, required_agents, simulate,
                        target_misses)

RATE, AGENTS = [200.0, 320.0, 260.0], [6, 10, 8]
RUN = RunSettings(replications=3, seed=5, executor="serial")


def test_queue_model_gives_exponential_handle_times_and_patience_by_default():
    queue = QueueModel(aht_s=120, patience_s=60, balk_prob=0.1)
    implicit = simulate(RATE, AGENTS, 1800, queue, settings=RUN, keep_contacts=True)
    explicit = simulate(RATE, AGENTS, 1800, QueueModel(balk_prob=0.1), settings=RUN, keep_contacts=True,
                        service=Exponential(120), patience=Exponential(60))
    pd.testing.assert_frame_equal(implicit.by_interval, explicit.by_interval)
    pd.testing.assert_frame_equal(implicit.contacts, explicit.contacts)
    with pytest.raises(ValueError, match="patience"):  # a mean belongs in the QueueModel
        simulate(RATE, AGENTS, 1800, queue, settings=RUN, patience=60)


def test_targets_set_the_awt_and_the_misses():
    queue = QueueModel(aht_s=120)
    t0 = simulate(RATE, AGENTS, 1800, queue, settings=RUN, targets=Targets(awt_s=0))
    t60 = simulate(RATE, AGENTS, 1800, queue, settings=RUN, targets=Targets(awt_s=60))
    assert (t60.by_interval["service_level"] >= t0.by_interval["service_level"]).all()
    assert (t0.by_interval["offered"] == t60.by_interval["offered"]).all()  # same random stream
    assert not t60.misses().missed.any()  # no target set: nothing to miss
    strict = Targets(service_level=0.999999, awt_s=0)
    res = simulate(RATE, [5, 8, 7], 1800, queue, settings=RUN, targets=strict)
    by_estimate = res.misses("estimate")
    assert by_estimate.missed.all() and set(by_estimate.metric) == {"service_level"}
    np.testing.assert_array_equal(by_estimate.missed, target_misses(res.by_interval, strict, "estimate").missed)
    with pytest.raises(ValueError, match="criterion"):
        res.misses("maybe")


def test_required_agents_takes_the_handle_time_from_the_queue_unless_given():
    targets = Targets(service_level=0.8)
    from_queue = required_agents([100, 200], 1800, QueueModel(aht_s=240), targets)
    given = required_agents([100, 200], 1800, QueueModel(aht_s=60), targets, aht_s=240)
    np.testing.assert_array_equal(from_queue.agents, given.agents)
    assert from_queue.targets == targets and from_queue.model == "erlang_c"
    with pytest.raises(ValueError, match="aht_s"):
        required_agents([100], 1800, QueueModel(), targets)
    with pytest.raises(ValueError, match="queue"):
        required_agents([100], 1800, 240, targets)
    with pytest.raises(ValueError, match="targets"):
        required_agents([100], 1800, QueueModel(aht_s=240), {"service_level": 0.8})


@pytest.mark.parametrize("make, name", [
    (lambda: RunSettings(replications=0), "replications"),
    (lambda: RunSettings(replications=2.0), "replications"),
    (lambda: RunSettings(seed=-1), "seed"),
    (lambda: RunSettings(rate_cv=-0.1), "rate_cv"),
    (lambda: RunSettings(executor="nope"), "executor"),
    (lambda: RunSettings(engine="turbo"), "engine"),
    (lambda: RefineSettings(max_rounds=0), "max_rounds"),
    (lambda: RefineSettings(max_added_per_interval=-1), "max_added_per_interval"),
    (lambda: RefineSettings(criterion="maybe"), "criterion"),
    (lambda: simulate(RATE, AGENTS, 1800, QueueModel(aht_s=60), settings={"replications": 2}), "settings"),
])
def test_settings_name_the_bad_field(make, name):
    with pytest.raises(ValueError, match=name):
        make()
