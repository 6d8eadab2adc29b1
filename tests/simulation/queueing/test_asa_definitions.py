"""ASA of an infinitely patient customer, against an absorbing chain built here."""
import numpy as np
import pytest

from core import QueueModel, Targets
from simulation import chat_metrics, erlang_a_metrics, erlang_c_metrics, required_agents, simulate


def patient_asa_reference(lam, agents, aht, patience, max_queue=400):
    """E[wait of a patient arrival] = sum_j P(j queued, all busy) sum_{m=0..j} 1/(s + m theta)."""
    mu, theta = 1 / aht, 1 / patience
    size = agents + max_queue + 1
    pi = np.ones(size)
    for n in range(1, size):
        death = min(n, agents) * mu + max(n - agents, 0) * theta
        pi[n] = pi[n - 1] * lam / death
    pi /= pi.sum()
    s = agents * mu
    wait = 0.0
    for j in range(max_queue):
        wait += pi[agents + j] * sum(1 / (s + m * theta) for m in range(j + 1))
    return wait


@pytest.mark.parametrize("lam,agents,aht,patience", [(0.1, 10, 90.0, 60.0), (0.2, 3, 20.0, 5.0),
                                                     (1.0, 95, 90.0, 300.0)])
def test_patient_asa_equals_chain(lam, agents, aht, patience):
    m = erlang_a_metrics(agents, lam * 1800, 1800, aht, patience, asa_definition="patient")
    assert m.asa_definition == "patient"
    assert float(m.asa_s) == pytest.approx(patient_asa_reference(lam, agents, aht, patience), rel=1e-7)
    answered = erlang_a_metrics(agents, lam * 1800, 1800, aht, patience)
    assert answered.asa_definition == "answered"
    assert float(m.asa_s) > float(answered.asa_s)


def test_definitions_agree_without_abandonment_and_staffing_names_it():
    c = erlang_c_metrics(12, 200, 1800, 90)
    a = erlang_a_metrics(12, 200, 1800, 90, np.inf, asa_definition="patient")
    assert float(a.asa_s) == pytest.approx(float(c.asa_s), rel=1e-9)
    ch = chat_metrics(5, 60, 1800, [300, 400], asa_definition="patient")
    assert ch.asa_definition == "patient"
    queue = QueueModel(aht_s=180, patience_s=60)
    t = Targets(asa_s=15)
    ans = required_agents([300], 1800, queue, t)
    pat = required_agents([300], 1800, queue, t.with_values(asa_definition="patient"))
    assert ans.asa_definition == "answered" and pat.asa_definition == "patient"
    assert int(pat.agents[0]) >= int(ans.agents[0]) and float(pat.asa_s[0]) <= 15


def test_simulator_refuses_a_patient_asa_target():
    with pytest.raises(ValueError, match="asa_definition"):
        simulate([100], [10], 1800, QueueModel(aht_s=180, patience_s=60),
                 targets=Targets(asa_s=10, asa_definition="patient"))
