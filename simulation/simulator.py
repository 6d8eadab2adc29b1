"""Contact-center simulation of a staffing plan: what the plan really delivers, interval by interval.

The analytic models (Erlang C / A, chat) assume a steady state inside every interval. The simulator
drops that assumption: arrivals follow the forecast rate of each interval, agents come and go with the
plan (an agent leaving finishes the contact in hand), waiting customers carry over into the next
interval, customers hang up, chats share an agent, and the forecast itself can be wrong by some
percent (``rate_cv``). One call runs independent replications of the same day and reports every
metric with a 95% Student-t confidence interval.

Model (one queue, FCFS)
-----------------------
- Time runs from 0 to ``T = len(agents) * interval_s`` seconds; interval ``j`` is
  ``[j * interval_s, (j + 1) * interval_s)``.
- Arrivals: Poisson with rate ``arrival_rate_per_h[j] / 3600`` per second in interval ``j``. With
  ``settings.rate_cv > 0`` every rate of a replication is multiplied by one draw of a gamma variable with
  mean 1 and coefficient of variation ``rate_cv`` (forecast error reaching the center).
- Agents: ``agents[j]`` are logged in during interval ``j``. At a boundary where the plan rises, new
  agents log in and take waiting contacts at once. Where it falls, idle agents log off first, then the
  busy agents whose contact in hand ends soonest; a busy agent leaving finishes that contact (the time
  counts as logged-in time). After ``T`` arrivals stop and the last staffing level stays until the
  system is empty.
- A contact is answered at once by a free agent if there is one (for chat: an agent with a free slot,
  the least loaded first). Otherwise, with probability ``queue.balk_prob`` it hangs up at once (balks);
  else it queues (FCFS) and abandons when its wait would exceed its patience.
- Handle time: ``service`` describes the handle time of one contact (default: exponential with mean
  ``queue.mean_handle_s``). With ``queue.concurrency = k > 1`` an agent holds up to k chats; a
  chat's handle time is its sampled work stretched by the agent's current load: while the agent
  holds m chats, each progresses at speed ``aht_by_concurrency_s[0] / aht_by_concurrency_s[m - 1]``
  (so with exponential handle times a chat's mean at constant load m is
  ``aht_by_concurrency_s[m - 1]`` when ``service.mean_s`` equals ``aht_by_concurrency_s[0]``), the
  chat model of the analytic core.
- Patience: ``patience`` (default: exponential with mean ``queue.patience_s``; none when the queue
  has no finite patience).
- Redials and callbacks (``queue.retrial_prob``, ``queue.callback_accept_prob`` > 0; SimPy engine):
  a contact that hangs up redials after an exponential delay as a new contact; a contact facing a
  long announced wait may accept a callback instead of queueing. Rules, priority and the extra
  metrics (``retrials``, ``retried``, ``pending``, ``abandoned_final``, ``callbacks``,
  ``callback_wait_s``, ``callback_kept``): :mod:`simulation.engine.extras` and
  :data:`simulation.stats.EXTRA_DEFINITIONS`.

Two engines, same answers (``settings.engine``; :mod:`simulation.engine`)
------------------------------------------------------------------------
- ``"fast"``: the earliest-free-agent recursion (DESIGN.md; :mod:`simulation.engine.fast`): arrivals
  are handled in order, each takes the agent that frees first (a heap of free times) and abandons
  if that wait exceeds its patience; plan changes are applied at the boundary before any service
  starting after it. No event list. Single-contact agents only (``concurrency == 1``).
- ``"simpy"``: a SimPy discrete-event model (arrival, completion, abandonment and plan-change events;
  :mod:`simulation.engine.floor`), needed for chat concurrency. For ``concurrency == 1`` it consumes the same random numbers as the
  fast path and gives the same contacts to floating-point rounding (checked in the tests).
- ``"auto"`` (default): ``"fast"`` when ``concurrency == 1`` without redials or callbacks, else
  ``"simpy"``.

Reproducibility
---------------
``settings.seed`` -> :class:`numpy.random.SeedSequence` -> one child sequence per replication (child ``r`` has
spawn key ``(..., r)``), drawn in a fixed order inside the replication. So the numbers are identical
whether replications run in this process, a process pool (the default for more than one replication)
or on a Dask cluster (all through :func:`core.map_jobs`).

Metrics (see :data:`METRIC_DEFINITIONS`)
----------------------------------------
Counts and waiting metrics are attributed to the interval in which the contact **arrived**;
time-based metrics (occupancy, queue length) to the interval in which the time passed, within the
horizon ``[0, T)``; values with 95% Student-t bounds over replications (:mod:`simulation.stats`).
"""
from __future__ import annotations

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from core import QueueModel, Targets, map_jobs
from .engine.inputs import SimConfig
from .engine.replication import run_replication
from .settings import RunSettings, root_seed
from .stats import METRIC_DEFINITIONS, SimulationResult, assemble

__all__ = ["simulate", "SimulationResult", "METRIC_DEFINITIONS"]


def simulate(arrival_rate_per_h, agents, interval_s: float, queue: QueueModel, *,
             targets: Targets | None = None, settings: RunSettings = RunSettings(), service=None,
             patience=None, service_scale=None, keep_contacts: bool = False) -> SimulationResult:
    """Simulate a staffing plan over one day (or any run of intervals), replicated.

    Parameters
    ----------
    arrival_rate_per_h : float or 1-D array-like (pandas Series allowed)
        Forecast arrival rate of each interval, contacts per hour (>= 0). A Series index is carried
        into ``by_interval["interval_start"]``.
    agents : int or 1-D array-like of int
        Agents logged in (on the phones / in chat) in each interval, >= 0; same length as the rates
        (a scalar is repeated). The last level stays after the last interval until the queue empties.
    interval_s : float
        Length of every interval, seconds.
    queue : core.QueueModel
        Mean handle time (``aht_s``, or the 1-chat time of ``aht_by_concurrency_s``), patience
        (``patience_s``; None or inf: nobody abandons), ``balk_prob`` and chat ``concurrency`` with
        its slow-down ``aht_by_concurrency_s`` (chats progress in the ratios to its first entry).
    targets : core.Targets, optional
        Scoring: ``awt_s`` is the acceptable wait of the service level (answered with
        wait <= awt_s); the result's :meth:`SimulationResult.misses` checks the set targets (the
        service level under ``sl_definition``, occupancy under ``occupancy_definition``; the ASA
        measured is that of answered contacts, so an ASA target needs ``asa_definition="answered"``).
        Default ``Targets()`` (AWT 20 s, no targets).
    settings : simulation.RunSettings
        Replications (default 30), seed, ``rate_cv`` (forecast error), executor and engine.
    service : Distribution, optional
        Handle time of a contact (s): ``Exponential``, ``LogNormal``, ``Gamma``, ``Empirical``.
        Default: exponential with mean ``queue.mean_handle_s``.
    patience : Distribution, optional
        Time (s) a waiting customer waits before hanging up. Default: exponential with mean
        ``queue.patience_s`` (nobody abandons when the queue has no finite patience).
    service_scale : 1-D array-like, optional
        Handle-time multiplier per interval (> 0), applied to contacts by their arrival interval:
        the mean handle time of a contact arriving in interval i is the service mean x
        ``service_scale[i]`` (e.g. a forecast AHT per interval divided by the service mean).
    keep_contacts : bool
        Also return the per-contact records as ``.contacts``.

    Returns
    -------
    SimulationResult with ``.summary``, ``.by_interval``, ``.contacts`` (see its docstring and
    :data:`METRIC_DEFINITIONS`). ``service_level`` uses the *offered* denominator (answered within
    AWT / offered, by arrival interval); ``service_level_answered`` the answered-only one and
    ``service_level_excl_short_abandon`` the one without short abandons.

    Raises
    ------
    ValueError
        On bad input, naming the argument.
    """
    targets = Targets() if targets is None else targets
    if not isinstance(targets, Targets):
        raise ValueError(f"targets: expected a core.Targets, got {targets!r:.80}")
    if targets.asa_s is not None and targets.asa_definition != "answered":
        raise ValueError(f"targets.asa_definition: the simulator measures the ASA of answered contacts; "
                         f"an ASA target under {targets.asa_definition!r} is analytic only")
    cfg = SimConfig.build(arrival_rate_per_h, agents, interval_s, queue, awt_s=targets.awt_s,
                          settings=settings, service=service, patience=patience,
                          service_scale=service_scale, keep_contacts=keep_contacts)
    root = root_seed(settings.seed)
    seeds = [np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (r,),
                                    pool_size=root.pool_size) for r in range(settings.replications)]
    reps = map_jobs(partial(run_replication, cfg), seeds, settings.executor)
    labels = arrival_rate_per_h.index if isinstance(arrival_rate_per_h, pd.Series) else None
    if labels is not None and len(labels) != cfg.agents.size:
        labels = None
    return assemble(cfg, reps, labels, root.entropy, targets)
