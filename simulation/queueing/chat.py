"""Chat with concurrency: N agents each hold up to k chats; a chat that finds no free slot waits.

``aht_by_concurrency_s[i-1]`` is the mean handle time of one chat while its agent holds i chats
(as planners measure it: chats last longer when an agent juggles more), so an agent holding i chats
completes them at rate i / aht_i. A chat that finds all N k slots busy waits FCFS (and abandons at
rate 1/patience when a patience is given). With k = 1 this is exactly Erlang C or Erlang A.

Which agent gets a new chat (``routing``):

- ``"least_loaded"`` (default), ``"busiest_first"``, ``"random"``: the routing rule of the floor,
  modelled by the exact chain over how many agents hold 0..k chats (:mod:`.chat_routing`; above
  its size limit a tested approximation, see there). This is what a real floor (and the simulator)
  does: completions leave agents unevenly loaded, so it waits more often than an even spread.
- ``"even"``: the idealised spread: with n <= N k chats, n mod N agents hold ceil(n / N) and the
  rest floor(n / N) (chats move between agents to stay balanced). A birth-death chain on n; an
  optimistic bound, kept as a reference.

Occupancy is the share of the N k chat slots in use; ``agents_busy`` the share of agents holding
at least one chat (at 60-75% slot occupancy usually well above 90%).
"""
from __future__ import annotations

import numpy as np
from scipy import special

from core.checks import as_count_array, as_float_array, broadcast
from dataclasses import replace
from functools import lru_cache

from .chat_routing import MAX_STATES, ROUTINGS, n_states, routed_below
from .tail import queue_tail
from .metrics import QueueMetrics, assemble_metrics, check_asa_definition, check_sl_definition

CHAT_ROUTINGS = ROUTINGS + ("even",)

_MAX_CELLS = 4_000_000


def as_aht_matrix(aht_by_concurrency_s, n_rows: int | None = None) -> np.ndarray:
    """Validate handle times by concurrency: shape (k,) for all intervals or (intervals, k)."""
    aht = as_float_array("aht_by_concurrency_s", aht_by_concurrency_s, minimum=0, strict_min=True)
    if aht.ndim == 0:
        aht = aht.reshape(1)
    if aht.ndim not in (1, 2) or aht.shape[-1] < 1:
        raise ValueError("aht_by_concurrency_s: expected a list of handle times (s) for holding 1..k chats, "
                         f"or one such list per interval; got shape {aht.shape}")
    return aht


def _below_capacity(n_agents, k, lam, rate_by_held):
    """Even spread: log sum_{n<K} pi(n)/pi(K), the mean chats held and the mean agents holding >= 1
    chat (min(n, N)) given n < K, per row.

    ``rate_by_held`` has shape (rows, k + 2): column i is an agent's completion rate holding i chats
    (column 0 is 0; column k + 1 repeats column k and is never weighted).
    """
    rows = lam.shape[0]
    log_below = np.full(rows, -np.inf)
    busy_below = np.zeros(rows)
    agents_below = np.zeros(rows)
    cap = n_agents * k
    order = np.argsort(cap, kind="stable")
    start = 0
    while start < rows:
        width = max(int(cap[order[min(rows - 1, start)]]), 1)
        size = max(1, _MAX_CELLS // width)
        # widen the chunk to the largest capacity it contains
        stop = min(rows, start + size)
        width = max(int(cap[order[stop - 1]]), 1)
        stop = min(stop, start + max(1, _MAX_CELLS // width))
        r = order[start:stop]
        _below_chunk(r, n_agents[r], cap[r], lam[r], rate_by_held[r], width, log_below, busy_below,
                     agents_below)
        start = stop
    return log_below, busy_below, agents_below


def _below_chunk(r, n_agents, cap, lam, rate_by_held, width, log_below, busy_below, agents_below):
    n = np.arange(1, width + 1)[None, :]            # states 1..width
    nag = np.maximum(n_agents, 1)[:, None]
    q, rem = n // nag, n % nag
    q = np.minimum(q, rate_by_held.shape[1] - 2)
    g_q = np.take_along_axis(rate_by_held, q, axis=1)
    g_q1 = np.take_along_axis(rate_by_held, q + 1, axis=1)
    death = (nag - rem) * g_q + rem * g_q1          # total completion rate with n chats
    valid = n <= cap[:, None]
    with np.errstate(divide="ignore"):
        step = np.where(valid, np.log(lam[:, None]) - np.log(np.where(valid, death, 1.0)), 0.0)
    logw = np.concatenate([np.zeros((len(r), 1)), np.cumsum(step, axis=1)], axis=1)  # log pi(n)/pi(0)
    log_k = np.take_along_axis(logw, cap[:, None].astype(np.int64), axis=1)
    states = np.arange(width + 1)[None, :]
    below = states < cap[:, None]
    rel = np.where(below, logw - log_k, -np.inf)
    lb = special.logsumexp(rel, axis=1)
    has = cap > 0
    log_below[r] = np.where(has, lb, -np.inf)
    with np.errstate(invalid="ignore"):
        weight = np.where(below, np.exp(rel - lb[:, None]), 0.0)
        mean_held = np.sum(weight * states, axis=1)
        mean_agents = np.sum(weight * np.minimum(states, n_agents[:, None]), axis=1)
    busy_below[r] = np.where(has, mean_held, 0.0)
    agents_below[r] = np.where(has, mean_agents, 0.0)


def chat_metrics(agents, volume, interval_s, aht_by_concurrency_s, *, concurrency=None,
                 patience_s=None, awt_s=20.0, sl_definition="offered",
                 routing="least_loaded", asa_definition="answered") -> QueueMetrics:
    """Chat metrics for ``agents`` per interval, each holding up to k chats.

    ``routing``: which agent takes a new chat, one of :data:`CHAT_ROUTINGS` (module docstring).
    ``asa_definition``: ``"answered"`` or ``"patient"`` (see :mod:`.metrics`).

    ``aht_by_concurrency_s``: per-chat handle time (s) when the agent holds 1, 2, ..., k chats;
    one list for all intervals or one per interval (shape (intervals, k)). ``concurrency`` (k)
    defaults to the length of that list and may be smaller to use only its first k entries.
    ``patience_s``: mean exponential patience (None or inf: nobody abandons).
    """
    sl_definition = check_sl_definition(sl_definition)
    check_routing(routing)
    check_asa_definition(asa_definition)
    aht = as_aht_matrix(aht_by_concurrency_s)
    if concurrency is not None and (isinstance(concurrency, bool) or float(concurrency) != int(concurrency)):
        raise ValueError(f"concurrency: {concurrency!r} must be a whole number of chats per agent")
    k = aht.shape[-1] if concurrency is None else int(concurrency)
    if concurrency is not None and not (1 <= k <= aht.shape[-1]):
        raise ValueError(f"concurrency: {concurrency} must be between 1 and the number of handle times "
                         f"given ({aht.shape[-1]})")
    aht = aht[..., :k]
    c = as_count_array("agents", agents)
    vol = as_float_array("volume", volume, minimum=0)
    ivl = as_float_array("interval_s", interval_s, minimum=0, strict_min=True)
    pat = as_float_array("patience_s", np.inf if patience_s is None else patience_s,
                         minimum=0, strict_min=True, allow_inf=True)
    awt = as_float_array("awt_s", awt_s, minimum=0)
    if aht.ndim == 2:
        c, vol, ivl, pat, awt, _ = broadcast(agents=c, volume=vol, interval_s=ivl, patience_s=pat,
                                             awt_s=awt, aht_by_concurrency_s=aht[:, 0])
    else:
        c, vol, ivl, pat, awt = broadcast(agents=c, volume=vol, interval_s=ivl, patience_s=pat, awt_s=awt)
    shape = c.shape
    c, vol, ivl, pat, awt = (np.array(v).ravel() for v in (c, vol, ivl, pat, awt))
    aht2 = np.broadcast_to(aht, (c.size, k)) if aht.ndim == 1 else aht.reshape(c.size, k)
    res = chat_core(c.astype(np.int64), vol / ivl, aht2, k, pat, awt, sl_definition, routing, asa_definition)
    return res.reshaped(shape)


def check_routing(routing: str) -> str:
    """``routing`` if it is one of :data:`CHAT_ROUTINGS`; ValueError naming it otherwise."""
    if routing not in CHAT_ROUTINGS:
        raise ValueError(f"routing: {routing!r} is not one of {CHAT_ROUTINGS}")
    return routing


def chat_core(n_agents, lam, aht, k, patience, awt, sl_definition, routing="least_loaded",
              asa_definition="answered") -> QueueMetrics:
    """Chat metrics for validated flat arrays: agents, arrivals per second, per-chat handle times
    (rows, k) at 1..k chats held, mean patience (inf: none), AWT in seconds and the routing rule."""
    rows = lam.shape[0]
    held = np.arange(1, k + 1)[None, :]
    rate = held / aht                                     # agent completion rate holding i chats
    rate_by_held = np.concatenate([np.zeros((rows, 1)), rate, rate[:, -1:]], axis=1)
    lam_pos = np.where(lam > 0, lam, 1.0)
    below = _below_capacity(n_agents, k, lam_pos, rate_by_held)
    if routing != "even" and k > 1:
        below = _routed_below(n_agents, k, lam_pos, rate, rate_by_held, routing, below)
    log_below, held_below, agents_below = below
    theta = np.where(np.isinf(patience), 0.0, 1.0 / patience)
    full_rate = n_agents * rate[:, -1]
    tail = queue_tail(lam_pos, full_rate, theta, awt)
    res = assemble_metrics(lam, theta, awt, log_below, tail, held_below, (n_agents * k).astype(float),
                           sl_definition, asa_definition)
    pw = res.p_wait
    with np.errstate(invalid="ignore", divide="ignore"):
        busy = np.where(n_agents > 0, ((1.0 - pw) * agents_below + pw * n_agents)
                        / np.where(n_agents > 0, n_agents, 1), 0.0)
    unstable = np.isinf(tail["log_mass"]) & (lam > 0)
    busy = np.where(unstable, 1.0, np.where(lam == 0, 0.0, np.clip(busy, 0.0, 1.0)))
    return replace(res, agents_busy=busy)


def _routed_below(n_agents, k, lam, rate, rate_by_held, routing, even):
    """Below-capacity quantities under a routing rule: exact up to :data:`MAX_STATES` states;
    beyond, the even spread corrected by the routing penalty of the largest exact floor ``n_ref``
    at the same per-agent arrival rate (see :mod:`.chat_routing`)."""
    log_below, held_below, agents_below = (v.copy() for v in even)
    size = np.array([n_states(int(n), k) for n in n_agents])
    exact = np.flatnonzero((n_agents >= 1) & (size <= MAX_STATES))
    if exact.size:
        lb, hb, ab = routed_below(n_agents[exact], k, lam[exact], rate[exact], routing)
        log_below[exact], held_below[exact], agents_below[exact] = lb, hb, ab
    big = np.flatnonzero(size > MAX_STATES)
    if big.size:
        # per-agent load in one-chat units; the chain below capacity depends on lam x aht_1 only
        rho = lam[big] / rate[big, 0] / n_agents[big]
        profile = np.round(np.arange(1, k + 1) * rate[big, :1] / rate[big], 12)  # aht_i / aht_1
        shapes, which = np.unique(profile, axis=0, return_inverse=True)
        pen, scale_h, scale_a = (np.zeros(big.size) for _ in range(3))
        for g, shape in enumerate(shapes):
            grid, table = _penalty_table(tuple(shape), k, routing)
            rows = np.flatnonzero(which.ravel() == g)
            u = rho[rows] * shape[-1] / k  # share of the stability limit
            pen[rows], scale_h[rows], scale_a[rows] = (np.interp(u, grid, col) for col in table)
        log_below[big] -= pen
        agents_below[big] = np.minimum(agents_below[big] * scale_a, n_agents[big])
        held_below[big] = np.minimum(held_below[big] * scale_h, n_agents[big] * k)
    return log_below, held_below, agents_below


@lru_cache(maxsize=64)
def _penalty_table(profile: tuple, k: int, routing: str):
    """The routing penalty of the largest exact floor (``n_ref`` agents) against the even spread,
    on a grid of loads u (share of the stability limit): log-mass penalty and the ratios routed /
    even of the mean chats held and agents busy below capacity. Linear interpolation in u."""
    n_ref = reference_agents(k)
    grid = 1.0 - np.geomspace(0.995, 0.0005, 80)
    rate = (np.arange(1, k + 1) / np.asarray(profile))[None, :].repeat(grid.size, axis=0)
    lam = grid * k / profile[-1] * n_ref      # aht_1 = 1: u = lam x p_k / (k n_ref)
    refs = np.full(grid.size, n_ref)
    rate_by_held = np.concatenate([np.zeros((grid.size, 1)), rate, rate[:, -1:]], axis=1)
    lb_r, hb_r, ab_r = routed_below(refs, k, lam, rate, routing)
    lb_e, hb_e, ab_e = _below_capacity(refs, k, lam, rate_by_held)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale_h = np.where(hb_e > 0, hb_r / np.where(hb_e > 0, hb_e, 1.0), 1.0)
        scale_a = np.where(ab_e > 0, ab_r / np.where(ab_e > 0, ab_e, 1.0), 1.0)
    return grid, (lb_e - lb_r, scale_h, scale_a)


def reference_agents(k: int) -> int:
    """The largest floor whose composition chain has at most :data:`MAX_STATES` states."""
    n = 1
    while n_states(n + 1, k) <= MAX_STATES:
        n += 1
    return n
