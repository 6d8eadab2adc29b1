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
  ``rate_cv > 0`` every rate of a replication is multiplied by one draw of a gamma variable with
  mean 1 and coefficient of variation ``rate_cv`` (forecast error reaching the center).
- Agents: ``agents[j]`` are logged in during interval ``j``. At a boundary where the plan rises, new
  agents log in and take waiting contacts at once. Where it falls, idle agents log off first, then the
  busy agents whose contact in hand ends soonest; a busy agent leaving finishes that contact (the time
  counts as logged-in time). After ``T`` arrivals stop and the last staffing level stays until the
  system is empty.
- A contact is answered at once by a free agent if there is one (for chat: an agent with a free slot,
  the least loaded first). Otherwise, with probability ``balk_prob`` it hangs up at once (balks);
  else it queues (FCFS) and abandons when its wait would exceed its patience.
- Handle time: ``service`` describes the handle time of one contact. With ``concurrency = k > 1`` an
  agent holds up to k chats; a chat's handle time is its sampled work stretched by the agent's current
  load: while the agent holds m chats, each progresses at speed
  ``aht_by_concurrency_s[0] / aht_by_concurrency_s[m - 1]`` (so with exponential handle times a
  chat's mean at constant load m is ``aht_by_concurrency_s[m - 1]`` when ``service.mean_s`` equals
  ``aht_by_concurrency_s[0]``), the chat model of the analytic core.

Two engines, same answers
-------------------------
- ``"fast"``: the earliest-free-agent recursion (DESIGN.md): arrivals are handled in order, each
  takes the agent that frees first (a heap of free times) and abandons if that wait exceeds its
  patience; plan changes are applied at the boundary before any service starting after it. No event
  list. Single-contact agents only (``concurrency == 1``).
- ``"simpy"``: a SimPy discrete-event model (arrival, completion, abandonment and plan-change events),
  needed for chat concurrency. For ``concurrency == 1`` it consumes the same random numbers as the
  fast path and gives the same contacts to floating-point rounding (checked in the tests).
- ``"auto"`` (default): ``"fast"`` when ``concurrency == 1``, else ``"simpy"``.

Reproducibility
---------------
``seed`` -> :class:`numpy.random.SeedSequence` -> one child sequence per replication (child ``r`` has
spawn key ``(..., r)``), drawn in a fixed order inside the replication. So the numbers are identical
whether replications run in this process, a process pool (the default for more than one replication)
or on a Dask cluster.

Metrics (see :data:`METRIC_DEFINITIONS`)
----------------------------------------
Counts and waiting metrics are attributed to the interval in which the contact **arrived**;
time-based metrics (occupancy, queue length) to the interval in which the time passed, within the
horizon ``[0, T)``. A ratio metric (service level, ASA, ...) is the ratio of the means over
replications, with a 95% Student-t interval for a ratio estimator (residuals ``y - R x``); a plain
metric (offered, max_queue, ...) is the mean with its Student-t interval. Bounds are clipped to
the metric's range (shares such as service_level, p_wait, abandon_rate, occupancy to [0, 1], all
other metrics at 0 from below), so a bound can equal the value where the interval reaches past it.
Bounds are NaN with a single replication.
"""
from __future__ import annotations

import concurrent.futures as cf
import heapq
import math
import os
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .distributions import Distribution, as_distribution

__all__ = ["simulate", "SimulationResult", "METRIC_DEFINITIONS"]

METRIC_DEFINITIONS: dict[str, str] = {
    "offered": "contacts arriving (mean per replication), by arrival interval",
    "served": "contacts answered by an agent (mean per replication), by arrival interval",
    "abandoned": "contacts that hung up before an answer, balks included (mean per replication)",
    "balked": "contacts that hung up at once because no agent was free (mean per replication)",
    "service_level": "answered within awt_s (wait <= awt_s) / offered, by arrival interval",
    "service_level_answered": "answered within awt_s / answered (the answered-only denominator)",
    "service_level_excl_short_abandon": "answered within awt_s / (offered - abandoned within awt_s)",
    "asa_s": "average speed of answer: mean wait (s) of answered contacts",
    "p_wait": "share of offered contacts that found no free agent (waited, balked or abandoned)",
    "abandon_rate": "abandoned (balks included) / offered",
    "aht_s": "mean handle time (s) of answered contacts, as simulated (chat: stretched by load)",
    "occupancy": "handled contact-seconds / (concurrency x logged-in agent-seconds), within the "
    "interval; logged-in time includes agents finishing a contact after logging off",
    "mean_queue": "time-average number of contacts waiting in the queue during the interval",
    "max_queue": "largest number of contacts waiting at once during the interval (mean over "
    "replications)",
    "queue_at_start": "contacts waiting at the start of the interval: the backlog carried over "
    "from the interval before (whole day: at time 0, so 0)",
}

_RATIOS = {  # metric: (numerator, denominator) of per-replication sums
    "service_level": ("answered_in_awt", "offered"),
    "service_level_answered": ("answered_in_awt", "served"),
    "service_level_excl_short_abandon": ("answered_in_awt", "offered_less_short_abandon"),
    "asa_s": ("wait_sum_served", "served"),
    "p_wait": ("delayed", "offered"),
    "abandon_rate": ("abandoned", "offered"),
    "aht_s": ("handle_sum", "served"),
    "occupancy": ("busy_s", "capacity_s"),
    "mean_queue": ("queue_area_s", "horizon_s"),
}
_SHARES = {"service_level", "service_level_answered", "service_level_excl_short_abandon", "p_wait",
           "abandon_rate", "occupancy"}  # in [0, 1]; every other metric is >= 0
_MEANS = ["offered", "served", "abandoned", "balked", "max_queue", "queue_at_start"]
_METRIC_ORDER = [
    "offered", "served", "abandoned", "balked", "service_level", "service_level_answered",
    "service_level_excl_short_abandon", "asa_s", "p_wait", "abandon_rate", "aht_s", "occupancy",
    "mean_queue", "max_queue", "queue_at_start",
]


# --------------------------------------------------------------------------------------------------
# configuration and validation
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Config:
    rate_per_s: np.ndarray
    agents: np.ndarray
    interval_s: float
    service: Distribution
    patience: Distribution | None
    balk_prob: float
    concurrency: int
    speed: tuple  # speed[m] for m = 0..k chats held (speed[0] unused)
    awt_s: float
    rate_cv: float
    engine: str
    keep_contacts: bool
    service_scale: np.ndarray | None = None  # handle-time multiplier by arrival interval


def _as_1d(value, name: str) -> np.ndarray:
    if isinstance(value, (pd.Series, pd.Index)):
        value = value.to_numpy()
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers (a scalar or a 1-D sequence)") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 (negative values found)")
    return arr


def _positive(value, name: str, *, allow_zero: bool = False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        raise ValueError(f"{name} must be finite and {'>=' if allow_zero else '>'} 0, got {value!r}")
    return x


def _integer(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _as_patience(value) -> Distribution | None:
    """Patience as a Distribution, or None (nobody abandons) for None or a plain ``inf``, the
    convention of the queueing formulas."""
    if value is None:
        return None
    if (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            and value == math.inf):
        return None
    return as_distribution(value, "patience")


def _build_config(arrival_rate_per_h, agents, interval_s, service, patience, balk_prob,
                  concurrency, aht_by_concurrency_s, awt_s, rate_cv, engine, keep_contacts,
                  service_scale=None):
    rate = _as_1d(arrival_rate_per_h, "arrival_rate_per_h")
    staff = _as_1d(agents, "agents")
    if rate.ndim == 1 and staff.ndim == 1 and rate.size != staff.size:
        raise ValueError(
            f"arrival_rate_per_h and agents must have the same length (one value per interval), "
            f"got {rate.size} and {staff.size}"
        )
    rate, staff = np.broadcast_arrays(np.atleast_1d(rate), np.atleast_1d(staff))
    if rate.size == 0:
        raise ValueError("arrival_rate_per_h and agents must cover at least one interval")
    if np.any(staff != np.round(staff)):
        raise ValueError("agents must be whole numbers of agents per interval")
    interval = _positive(interval_s, "interval_s")
    service = as_distribution(service, "service")
    patience = _as_patience(patience)
    balk = _positive(balk_prob, "balk_prob", allow_zero=True)
    if balk > 1:
        raise ValueError(f"balk_prob must be a probability in [0, 1], got {balk_prob!r}")
    k = _integer(concurrency, "concurrency", 1)
    if aht_by_concurrency_s is None:
        speed = (1.0,) * (k + 1)
    else:
        aht = _as_1d(aht_by_concurrency_s, "aht_by_concurrency_s")
        if aht.ndim != 1 or aht.size != k or np.any(aht <= 0):
            raise ValueError(
                f"aht_by_concurrency_s must hold {k} handle times > 0 (s), one per number of chats "
                f"held 1..concurrency"
            )
        speed = (1.0,) + tuple(float(aht[0] / aht[m]) for m in range(k))
    awt = _positive(awt_s, "awt_s", allow_zero=True)
    cv = _positive(rate_cv, "rate_cv", allow_zero=True)
    if engine not in ("auto", "fast", "simpy"):
        raise ValueError(f"engine must be 'auto', 'fast' or 'simpy', got {engine!r}")
    if engine == "auto":
        engine = "fast" if k == 1 else "simpy"
    if engine == "fast" and k != 1:
        raise ValueError("engine='fast' handles concurrency == 1 only; use engine='simpy' for chat")
    if staff[-1] == 0 and patience is None and balk < 1 and np.any(rate > 0):
        raise ValueError(
            "agents: the last interval needs at least one agent (its level stays until the system "
            "is empty), or give a patience so that waiting contacts can leave"
        )
    scale = None
    if service_scale is not None:
        scale = np.atleast_1d(_as_1d(service_scale, "service_scale")).astype(float)
        if scale.ndim != 1 or scale.size != rate.size:
            raise ValueError(f"service_scale must hold one multiplier per interval ({rate.size}), "
                             f"got {scale.size}")
        if not np.all(np.isfinite(scale) & (scale > 0)):
            raise ValueError("service_scale must be finite and > 0 in every interval")
    return _Config(
        rate_per_s=rate.astype(float) / 3600.0, agents=staff.astype(np.int64), interval_s=interval,
        service=service, patience=patience, balk_prob=balk, concurrency=k, speed=speed,
        awt_s=awt, rate_cv=cv, engine=engine, keep_contacts=bool(keep_contacts),
        service_scale=scale,
    )


# --------------------------------------------------------------------------------------------------
# one replication: random draws, the two engines, per-interval statistics
# --------------------------------------------------------------------------------------------------
def _draw(cfg: _Config, rng: np.random.Generator):
    """All random numbers of one replication, in a fixed order (engine independent)."""
    L = cfg.interval_s
    rate = cfg.rate_per_s
    if cfg.rate_cv > 0:
        shape = 1.0 / cfg.rate_cv**2
        rate = rate * rng.gamma(shape, 1.0 / shape)
    counts = rng.poisson(rate * L)
    n = int(counts.sum())
    starts = np.repeat(np.arange(rate.size) * L, counts)
    arrival = np.sort(starts + rng.random(n) * L)
    work = cfg.service.sample(rng, n)
    if cfg.service_scale is not None:  # applied after sampling: the random stream is unchanged
        work = work * cfg.service_scale[np.repeat(np.arange(rate.size), counts)]
    patience = cfg.patience.sample(rng, n) if cfg.patience is not None else None
    balk_u = rng.random(n) if cfg.balk_prob > 0 else None
    return arrival, work, patience, balk_u


def _run_fast(cfg: _Config, arrival, work, patience, balk_u):
    """Earliest-free-agent recursion for FCFS single-contact agents (no event list)."""
    n = arrival.size
    L = cfg.interval_s
    plan = cfg.agents.tolist()
    n_int = len(plan)
    a_list = arrival.tolist()
    w_list = work.tolist()
    p_list = patience.tolist() if patience is not None else None
    u_list = balk_u.tolist() if balk_u is not None else None
    balk_prob = cfg.balk_prob
    inf = math.inf
    wait = [0.0] * n
    end = [math.nan] * n
    served = [True] * n
    delayed = [False] * n
    balked = [False] * n
    ot_start: list[float] = []
    ot_end: list[float] = []
    heap = [0.0] * plan[0]
    nxt = 1
    next_b = L if n_int > 1 else inf
    heappush, heappop, heapreplace = heapq.heappush, heapq.heappop, heapq.heapreplace

    def change(tb, target):
        cur = len(heap)
        if target > cur:
            for _ in range(target - cur):
                heappush(heap, tb)
        else:
            for _ in range(cur - target):
                f0 = heappop(heap)
                if f0 > tb:  # busy: finishes the contact in hand, then logs off
                    ot_start.append(tb)
                    ot_end.append(f0)

    for i in range(n):
        a = a_list[i]
        f = heap[0] if heap else inf
        s = a if f <= a else f
        # s is inf only while nobody is logged in: after the last boundary (a plan ending at 0
        # agents) the contact can only balk or abandon, as in the SimPy model.
        while s >= next_b and nxt < n_int:
            change(next_b, plan[nxt])
            nxt += 1
            next_b = nxt * L if nxt < n_int else inf
            f = heap[0] if heap else inf
            s = a if f <= a else f
        if f > a:
            delayed[i] = True
            if u_list is not None and u_list[i] < balk_prob:
                served[i] = False
                balked[i] = True
                continue
            if p_list is not None and s - a > p_list[i]:
                served[i] = False
                wait[i] = p_list[i]
                continue
        e = s + w_list[i]
        heapreplace(heap, e)
        wait[i] = s - a
        end[i] = e
    while nxt < n_int:
        change(nxt * L, plan[nxt])
        nxt += 1
    return (np.array(wait), np.array(served, bool), np.array(delayed, bool),
            np.array(balked, bool), np.array(end), np.array(ot_start), np.array(ot_end))


def _run_simpy(cfg: _Config, arrival, work, patience, balk_u):
    """SimPy discrete-event model: arrivals, completions, abandonments and plan changes as events."""
    import simpy

    n = arrival.size
    L = cfg.interval_s
    plan = cfg.agents.tolist()
    k = cfg.concurrency
    speed = cfg.speed
    a_list = arrival.tolist()
    w_list = work.tolist()
    p_list = patience.tolist() if patience is not None else None
    u_list = balk_u.tolist() if balk_u is not None else None
    balk_prob = cfg.balk_prob
    wait = np.zeros(n)
    end = np.full(n, np.nan)
    served = np.ones(n, bool)
    delayed = np.zeros(n, bool)
    balked = np.zeros(n, bool)
    ot_start: list[float] = []
    ot_end: list[float] = []
    env = simpy.Environment()
    queue: deque[int] = deque()
    waiting = bytearray(n)
    n_ids = [0]

    def take_next():
        """Next contact still waiting (FCFS), skipping those that abandoned; None if none."""
        while queue:
            i = queue.popleft()
            if waiting[i]:
                waiting[i] = 0
                return i
        return None

    def on_abandon(ev):
        i = ev.value
        if waiting[i]:
            waiting[i] = 0
            served[i] = False
            wait[i] = p_list[i]

    if k == 1:
        idle: list[int] = []
        busy: dict[int, float] = {}  # on-duty agent -> end of the contact in hand
        leaving: set[int] = set()

        def start(agent, i, now):
            wait[i] = now - a_list[i]
            e = now + w_list[i]
            end[i] = e
            busy[agent] = e
            ev = env.timeout(w_list[i], agent)
            ev.callbacks.append(on_complete)

        def on_complete(ev):
            agent = ev.value
            if agent in leaving:
                leaving.discard(agent)
                return
            del busy[agent]
            i = take_next()
            if i is None:
                idle.append(agent)
            else:
                start(agent, i, env.now)

        def on_arrival(ev):
            i = ev.value
            now = env.now
            if i + 1 < n:
                nxt = env.timeout(a_list[i + 1] - now, i + 1)
                nxt.callbacks.append(on_arrival)
            if idle:
                start(idle.pop(), i, now)
                return
            delayed[i] = True
            if u_list is not None and u_list[i] < balk_prob:
                served[i] = False
                balked[i] = True
                return
            queue.append(i)
            waiting[i] = 1
            if p_list is not None:
                ab = env.timeout(p_list[i], i)
                ab.callbacks.append(on_abandon)

        def set_level(target):
            now = env.now
            cur = len(idle) + len(busy)
            if target > cur:
                for _ in range(target - cur):
                    agent = n_ids[0]
                    n_ids[0] += 1
                    i = take_next()
                    if i is None:
                        idle.append(agent)
                    else:
                        start(agent, i, now)
            elif target < cur:
                drop = cur - target
                while drop and idle:
                    idle.pop()
                    drop -= 1
                if drop:
                    for agent, e in sorted(busy.items(), key=lambda kv: kv[1])[:drop]:
                        del busy[agent]
                        leaving.add(agent)
                        ot_start.append(now)
                        ot_end.append(e)
    else:
        # chat: each agent holds a list of [remaining work, contact, start time]
        chats: dict[int, list] = {}
        last_t: dict[int, float] = {}
        version: dict[int, int] = {}
        by_load: list[set[int]] = [set() for _ in range(k + 1)]  # on-duty agents by chats held
        load: dict[int, int] = {}
        leaving_since: dict[int, float] = {}

        def advance(agent, now):
            held = chats[agent]
            if held:
                done = (now - last_t[agent]) * speed[len(held)]
                for c in held:
                    c[0] -= done
            last_t[agent] = now

        def reschedule(agent):
            held = chats[agent]
            version[agent] += 1
            if held:
                dt = max(min(c[0] for c in held), 0.0) / speed[len(held)]
                ev = env.timeout(dt, (agent, version[agent]))
                ev.callbacks.append(on_chat_done)

        def assign(agent, i, now):
            wait[i] = now - a_list[i]
            advance(agent, now)
            chats[agent].append([w_list[i], i, now])
            if agent not in leaving_since:
                m = load[agent]
                by_load[m].discard(agent)
                by_load[m + 1].add(agent)
                load[agent] = m + 1
            reschedule(agent)

        def free_agent():
            for m in range(k):
                if by_load[m]:
                    return min(by_load[m])
            return None

        def on_chat_done(ev):
            agent, ver = ev.value
            if ver != version[agent]:
                return  # superseded by a later change of this agent's load
            now = env.now
            advance(agent, now)
            held = chats[agent]
            j = min(range(len(held)), key=lambda q: held[q][0])
            _, i, _ = held.pop(j)
            end[i] = now
            if agent in leaving_since:
                if not held:
                    ot_start.append(leaving_since.pop(agent))
                    ot_end.append(now)
                    del chats[agent]
                    return
                reschedule(agent)
                return
            m = load[agent]
            by_load[m].discard(agent)
            by_load[m - 1].add(agent)
            load[agent] = m - 1
            nxt_i = take_next()
            if nxt_i is not None:
                assign(agent, nxt_i, now)
            else:
                reschedule(agent)

        def on_arrival(ev):
            i = ev.value
            now = env.now
            if i + 1 < n:
                nxt = env.timeout(a_list[i + 1] - now, i + 1)
                nxt.callbacks.append(on_arrival)
            agent = free_agent()
            if agent is not None:
                assign(agent, i, now)
                return
            delayed[i] = True
            if u_list is not None and u_list[i] < balk_prob:
                served[i] = False
                balked[i] = True
                return
            queue.append(i)
            waiting[i] = 1
            if p_list is not None:
                ab = env.timeout(p_list[i], i)
                ab.callbacks.append(on_abandon)

        def set_level(target):
            now = env.now
            cur = len(load)
            if target > cur:
                for _ in range(target - cur):
                    agent = n_ids[0]
                    n_ids[0] += 1
                    chats[agent] = []
                    last_t[agent] = now
                    version[agent] = 0
                    load[agent] = 0
                    by_load[0].add(agent)
                    while load[agent] < k:
                        i = take_next()
                        if i is None:
                            break
                        assign(agent, i, now)
            elif target < cur:
                drop = cur - target
                for m in range(k + 1):  # least loaded leave first
                    for agent in sorted(by_load[m]):
                        if not drop:
                            break
                        by_load[m].discard(agent)
                        del load[agent]
                        drop -= 1
                        if chats[agent]:
                            leaving_since[agent] = now
                        else:
                            del chats[agent]
                    if not drop:
                        break

    set_level(plan[0])

    def on_boundary(ev):
        j = ev.value
        set_level(plan[j])
        if j + 1 < len(plan):
            nb = env.timeout((j + 1) * L - env.now, j + 1)
            nb.callbacks.append(on_boundary)

    if len(plan) > 1:
        b = env.timeout(L, 1)
        b.callbacks.append(on_boundary)
    if n:
        first = env.timeout(a_list[0], 0)
        first.callbacks.append(on_arrival)
    env.run()
    return wait, served, delayed, balked, end, np.array(ot_start), np.array(ot_end)


def _overlap(starts: np.ndarray, ends: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Seconds covered by the intervals [starts, ends) inside each grid cell [grid[j], grid[j+1]).

    Uses F(b) = sum_{s<b} (b - s) - sum_{e<b} (b - e) with sorted starts/ends and cumulative sums.
    """
    if starts.size == 0:
        return np.zeros(grid.size - 1)
    s = np.sort(starts)
    e = np.sort(ends)
    cs = np.concatenate(([0.0], np.cumsum(s)))
    ce = np.concatenate(([0.0], np.cumsum(e)))
    ks = np.searchsorted(s, grid, "left")
    ke = np.searchsorted(e, grid, "left")
    cum = ks * grid - cs[ks] - (ke * grid - ce[ke])
    return np.diff(cum)


def _stats(cfg: _Config, arrival, wait, served, delayed, balked, end, ot_start, ot_end):
    """Per-interval sums of one replication (vectorised)."""
    L = cfg.interval_s
    n_int = cfg.agents.size
    grid = np.arange(n_int + 1) * L
    idx = np.minimum((arrival / L).astype(np.int64), n_int - 1)

    def count(weights=None):
        return np.bincount(idx, weights=weights, minlength=n_int).astype(float)

    abandoned = ~served
    in_awt = served & (wait <= cfg.awt_s)
    short_ab = abandoned & (wait <= cfg.awt_s)
    start = arrival + wait
    handle = np.where(served, end - start, 0.0)
    out = {
        "offered": count(),
        "served": count(served),
        "abandoned": count(abandoned),
        "balked": count(balked),
        "answered_in_awt": count(in_awt),
        "offered_less_short_abandon": count(~short_ab),
        "delayed": count(delayed),
        "wait_sum_served": count(np.where(served, wait, 0.0)),
        "wait_sum_all": count(wait),
        "handle_sum": count(handle),
    }
    out["busy_s"] = _overlap(start[served], end[served], grid)
    out["capacity_s"] = cfg.concurrency * (cfg.agents * L + _overlap(ot_start, ot_end, grid))
    queued = wait > 0
    q_in, q_out = arrival[queued], arrival[queued] + wait[queued]
    out["queue_area_s"] = _overlap(q_in, q_out, grid)
    out["horizon_s"] = np.full(n_int, L)
    max_q = np.zeros(n_int)
    at_start = np.zeros(n_int)
    if q_in.size:
        times = np.concatenate((q_in, q_out))
        delta = np.concatenate((np.ones(q_in.size), -np.ones(q_out.size)))
        order = np.lexsort((delta, times))  # by time, departures before arrivals on ties
        times = times[order]
        level = np.cumsum(delta[order])
        before = np.searchsorted(times, grid[:-1], "left") - 1
        at_start = np.where(before >= 0, level[np.maximum(before, 0)], 0.0)
        max_q = at_start.copy()
        cell = (times / L).astype(np.int64)
        inside = cell < n_int
        np.maximum.at(max_q, cell[inside], level[inside])
    out["max_queue"] = max_q
    out["queue_at_start"] = at_start
    return out


def _run_replication(cfg: _Config, seed_seq: np.random.SeedSequence):
    rng = np.random.default_rng(seed_seq)
    arrival, work, patience, balk_u = _draw(cfg, rng)
    engine = _run_fast if cfg.engine == "fast" else _run_simpy
    wait, served, delayed, balked, end, ot_s, ot_e = engine(cfg, arrival, work, patience, balk_u)
    sums = _stats(cfg, arrival, wait, served, delayed, balked, end, ot_s, ot_e)
    contacts = None
    if cfg.keep_contacts:
        contacts = {
            "arrival_s": arrival, "wait_s": wait, "served": served, "balked": balked,
            "handle_s": np.where(served, end - (arrival + wait), np.nan),
        }
    return sums, contacts


def _run_batch(cfg: _Config, seeds: list) -> list:
    """Worker entry point: run the given replications (module level, so it pickles)."""
    return [_run_replication(cfg, s) for s in seeds]


# --------------------------------------------------------------------------------------------------
# replications across executors
# --------------------------------------------------------------------------------------------------
def _is_dask_client(obj) -> bool:
    return type(obj).__module__.startswith("distributed") and hasattr(obj, "gather")


def _batches(seeds: list, n_batches: int) -> list[list]:
    n_batches = max(1, min(n_batches, len(seeds)))
    bounds = np.linspace(0, len(seeds), n_batches + 1).round().astype(int)
    return [seeds[bounds[b]:bounds[b + 1]] for b in range(n_batches)]


def _execute(cfg: _Config, seeds: list, executor) -> list:
    if isinstance(executor, str) and executor != "serial" and ":" not in executor:
        raise ValueError(
            f"executor: {executor!r} is neither 'serial' nor a Dask scheduler address "
            "(e.g. 'tcp://10.0.0.5:8786')"
        )
    if executor == "serial" or (executor is None and len(seeds) == 1):
        return _run_batch(cfg, seeds)
    if executor is None or (isinstance(executor, (int, np.integer)) and not isinstance(executor, bool)):
        workers = (os.cpu_count() or 1) if executor is None else _integer(executor, "executor", 1)
        batches = _batches(seeds, 4 * workers)
        with cf.ProcessPoolExecutor(max_workers=min(workers, len(batches))) as pool:
            parts = list(pool.map(_run_batch, [cfg] * len(batches), batches))
    elif isinstance(executor, cf.Executor):
        workers = getattr(executor, "_max_workers", None) or os.cpu_count() or 1
        batches = _batches(seeds, 4 * workers)
        parts = list(executor.map(_run_batch, [cfg] * len(batches), batches))
    elif isinstance(executor, str) or _is_dask_client(executor):
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - optional extra
            raise ValueError(
                "executor: a Dask scheduler needs the optional extra 'distributed' "
                "(pip install 'staffcast[distributed]')"
            ) from exc
        client = Client(executor) if isinstance(executor, str) else executor
        try:
            workers = max(1, sum(client.nthreads().values()))
            batches = _batches(seeds, 4 * workers)
            futures = [client.submit(_run_batch, cfg, b, pure=False) for b in batches]
            parts = client.gather(futures)
        finally:
            if isinstance(executor, str):
                client.close()
    else:
        raise ValueError(
            "executor must be None (process pool), 'serial', a number of worker processes, a "
            f"concurrent.futures.Executor, a dask.distributed Client or a scheduler address; got "
            f"{executor!r}"
        )
    return [rep for part in parts for rep in part]


# --------------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------------
def _ratio_ci(y: np.ndarray, x: np.ndarray, level: float = 0.95):
    """Ratio of means over replications (axis 0) with a Student-t interval for a ratio estimator."""
    n = y.shape[0]
    my, mx = y.mean(axis=0), x.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(mx > 0, my / np.where(mx > 0, mx, 1.0), np.nan)
        if n < 2:
            nan = np.full_like(r, np.nan)
            return r, nan, nan
        resid = y - np.nan_to_num(r) * x
        se = resid.std(axis=0, ddof=1) / (math.sqrt(n) * mx)
        half = stats.t.ppf(0.5 + level / 2, n - 1) * se
    return r, r - half, r + half


def _mean_ci(y: np.ndarray, level: float = 0.95):
    n = y.shape[0]
    m = y.mean(axis=0)
    if n < 2:
        nan = np.full_like(m, np.nan)
        return m, nan, nan
    half = stats.t.ppf(0.5 + level / 2, n - 1) * y.std(axis=0, ddof=1) / math.sqrt(n)
    return m, m - half, m + half


def _metric_table(sums: dict[str, np.ndarray]) -> dict[str, tuple]:
    """(value, lo, hi) per metric; the bounds are clipped to the metric's range (shares to [0, 1],
    everything else at 0), since the symmetric t interval can reach past it."""
    out = {}
    for name in _METRIC_ORDER:
        if name in _RATIOS:
            num, den = _RATIOS[name]
            value, lo, hi = _ratio_ci(sums[num], sums[den])
        else:
            value, lo, hi = _mean_ci(sums[name])
        top = 1.0 if name in _SHARES else None
        out[name] = (value, np.clip(lo, 0.0, top), np.clip(hi, 0.0, top))
    return out


@dataclass
class SimulationResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    summary : DataFrame
        One row per metric (index), columns ``value``, ``lo``, ``hi`` (95% Student-t bounds,
        clipped to [0, 1] for shares and at 0 for the other metrics, all non-negative) and
        ``definition``; the whole day: counts summed over intervals, ``max_queue`` the day's peak,
        time-based metrics over the horizon ``[0, T)``.
    by_interval : DataFrame
        One row per interval: ``interval``, ``start_s``, (``interval_start`` when the rates came as
        a pandas Series), ``arrival_rate_per_h``, ``agents`` and for every metric the columns
        ``<metric>``, ``<metric>_lo``, ``<metric>_hi``.
    contacts : DataFrame or None
        With ``keep_contacts=True``: one row per contact: ``replication`` (0..n-1), ``arrival_s``,
        ``interval``, ``wait_s`` (time in queue; for an abandoned contact the time until it hung
        up, 0 for a balk), ``outcome`` (``served`` / ``abandoned``), ``balked``, ``handle_s``.
    per_replication : dict of (replications, intervals) arrays of the per-replication sums behind
        every metric (e.g. ``answered_in_awt``, ``offered``, ``busy_s``, ``capacity_s``).
    """

    summary: pd.DataFrame
    by_interval: pd.DataFrame
    contacts: pd.DataFrame | None
    per_replication: dict[str, np.ndarray] = field(repr=False)
    replications: int = 0
    seed_entropy: Any = None
    engine: str = ""
    definitions: dict[str, str] = field(default_factory=lambda: dict(METRIC_DEFINITIONS), repr=False)

    def __repr__(self):
        return (f"SimulationResult(engine={self.engine!r}, replications={self.replications}, "
                f"intervals={len(self.by_interval)})\n{self.summary[['value', 'lo', 'hi']]}")


def _assemble(cfg: _Config, reps: list, labels, seed_entropy) -> SimulationResult:
    keys = reps[0][0].keys()
    sums = {key: np.stack([r[0][key] for r in reps]) for key in keys}
    per_interval = _metric_table(sums)
    n_int = cfg.agents.size
    by = pd.DataFrame({
        "interval": np.arange(n_int),
        "start_s": np.arange(n_int) * cfg.interval_s,
    })
    if labels is not None:
        by["interval_start"] = labels
    by["arrival_rate_per_h"] = cfg.rate_per_s * 3600.0
    by["agents"] = cfg.agents
    for name, (v, lo, hi) in per_interval.items():
        by[name] = v
        by[f"{name}_lo"] = lo
        by[f"{name}_hi"] = hi

    day = {key: val.sum(axis=1, keepdims=True) for key, val in sums.items()}
    day["max_queue"] = sums["max_queue"].max(axis=1, keepdims=True)
    day["queue_at_start"] = sums["queue_at_start"][:, :1]
    rows = {name: [float(v[0]), float(lo[0]), float(hi[0]), METRIC_DEFINITIONS[name]]
            for name, (v, lo, hi) in _metric_table(day).items()}
    summary = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "lo", "hi", "definition"])
    summary.index.name = "metric"

    contacts = None
    if cfg.keep_contacts:
        parts = []
        for r, (_, c) in enumerate(reps):
            n = c["arrival_s"].size
            parts.append(pd.DataFrame({
                "replication": np.full(n, r, dtype=np.int64),
                "arrival_s": c["arrival_s"],
                "interval": np.minimum((c["arrival_s"] / cfg.interval_s).astype(np.int64), n_int - 1),
                "wait_s": c["wait_s"],
                "outcome": np.where(c["served"], "served", "abandoned"),
                "balked": c["balked"],
                "handle_s": c["handle_s"],
            }))
        contacts = pd.concat(parts, ignore_index=True)
        contacts["outcome"] = pd.Categorical(contacts["outcome"], categories=["served", "abandoned"])
    return SimulationResult(summary=summary, by_interval=by, contacts=contacts,
                            per_replication=sums, replications=len(reps),
                            seed_entropy=seed_entropy, engine=cfg.engine)


def simulate(
    arrival_rate_per_h,
    agents,
    interval_s: float = 1800.0,
    service=None,
    patience=None,
    balk_prob: float = 0.0,
    concurrency: int = 1,
    awt_s: float = 20.0,
    rate_cv: float = 0.0,
    replications: int = 30,
    seed=None,
    executor=None,
    keep_contacts: bool = False,
    *,
    aht_by_concurrency_s=None,
    engine: str = "auto",
    service_scale=None,
) -> SimulationResult:
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
        Length of every interval, seconds (default 1800).
    service : Distribution or float
        Handle time of a contact (seconds): ``Exponential``, ``LogNormal``, ``Gamma``, ``Empirical``;
        a plain number is the mean of an exponential. Required.
    patience : Distribution, float or None
        Time (s) a waiting customer is willing to wait before hanging up; ``None`` or ``inf``:
        nobody abandons.
    balk_prob : float
        Share of customers who hang up at once when no agent (slot) is free, in [0, 1].
    concurrency : int
        Chats an agent holds at most (1 = voice).
    awt_s : float
        Acceptable waiting time of the service level, seconds (answered with wait <= awt_s).
    rate_cv : float
        Coefficient of variation of a per-replication gamma multiplier (mean 1) of all rates.
    replications : int
        Independent replications (>= 1); >= 2 for confidence bounds.
    seed : int, SeedSequence or None
        Root seed; the same seed gives the same numbers on every executor.
    executor : None, "serial", int, concurrent.futures.Executor, dask Client or address
        Where replications run: ``None`` a local process pool when ``replications > 1`` (one worker
        per CPU); ``"serial"`` this process; an int that many worker processes; an Executor or a
        ``dask.distributed`` Client / scheduler address (optional extra ``distributed``).
    keep_contacts : bool
        Also return the per-contact records as ``.contacts``.
    aht_by_concurrency_s : 1-D array-like, keyword only
        Mean per-chat handle time (s) when the agent holds 1..concurrency chats; chats slow down in
        the ratios to the first entry (see the module docstring). ``None``: no slow-down.
    engine : {"auto", "fast", "simpy"}, keyword only
        ``"fast"`` earliest-free-agent recursion (concurrency 1), ``"simpy"`` the SimPy event model.
    service_scale : 1-D array-like, keyword only
        Handle-time multiplier per interval (> 0), applied to contacts by their arrival interval:
        the mean handle time of a contact arriving in interval i is ``service`` mean x
        ``service_scale[i]`` (e.g. a forecast AHT per interval divided by the service mean).

    Returns
    -------
    SimulationResult with ``.summary``, ``.by_interval``, ``.contacts`` (see its docstring and
    :data:`METRIC_DEFINITIONS`). ``service_level`` uses the *offered* denominator (answered within
    AWT / offered, by arrival interval); ``service_level_answered`` the answered-only one.

    Raises
    ------
    ValueError
        On bad input, naming the argument.
    """
    if service is None:
        raise ValueError("service must be given: a handle-time distribution or a mean in seconds")
    cfg = _build_config(arrival_rate_per_h, agents, interval_s, service, patience, balk_prob,
                        concurrency, aht_by_concurrency_s, awt_s, rate_cv, engine, keep_contacts,
                        service_scale)
    n_rep = _integer(replications, "replications", 1)
    if isinstance(seed, np.random.SeedSequence):
        root = seed
    else:
        try:
            root = np.random.SeedSequence(seed)
        except (TypeError, ValueError):
            raise ValueError(f"seed must be a non-negative integer, a SeedSequence or None, got {seed!r}") from None
    seeds = [np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (r,),
                                    pool_size=root.pool_size) for r in range(n_rep)]
    reps = _execute(cfg, seeds, executor)
    labels = arrival_rate_per_h.index if isinstance(arrival_rate_per_h, pd.Series) else None
    if labels is not None and len(labels) != cfg.agents.size:
        labels = None
    return _assemble(cfg, reps, labels, root.entropy)
