"""Chat with concurrency: a birth-death chain on the number of chats in the system.

N agents each hold up to k chats. ``aht_by_concurrency_s[i-1]`` is the mean handle time of one
chat while its agent holds i chats (as planners measure it: chats last longer when an agent juggles
more), so an agent holding i chats completes them at rate i / aht_i. Chats are spread evenly over
agents: with n <= N k chats in the system, n mod N agents hold ceil(n / N) chats and the rest
floor(n / N). A chat that finds all N k slots busy waits FCFS (and abandons at rate 1/patience when a
patience is given). With k = 1 this is exactly Erlang C (no patience) or Erlang A.

Occupancy for chat is the share of the N k chat slots in use.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from core.checks import as_count_array, as_float_array, broadcast
from .tail import queue_tail
from .metrics import QueueMetrics, assemble_metrics, check_sl_definition

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
    """log sum_{n<K} pi(n)/pi(K) and the mean chats held given n < K, per row.

    ``rate_by_held`` has shape (rows, k + 2): column i is an agent's completion rate holding i chats
    (column 0 is 0; column k + 1 repeats column k and is never weighted).
    """
    rows = lam.shape[0]
    log_below = np.full(rows, -np.inf)
    busy_below = np.zeros(rows)
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
        _below_chunk(r, n_agents[r], cap[r], lam[r], rate_by_held[r], width, log_below, busy_below)
        start = stop
    return log_below, busy_below


def _below_chunk(r, n_agents, cap, lam, rate_by_held, width, log_below, busy_below):
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
        mean_held = np.sum(np.where(below, np.exp(rel - lb[:, None]) * states, 0.0), axis=1)
    busy_below[r] = np.where(has, mean_held, 0.0)


def chat_metrics(agents, volume, interval_s, aht_by_concurrency_s, *, concurrency=None,
                 patience_s=None, awt_s=20.0, sl_definition="offered") -> QueueMetrics:
    """Chat metrics for ``agents`` per interval, each holding up to k chats.

    ``aht_by_concurrency_s``: per-chat handle time (s) when the agent holds 1, 2, ..., k chats;
    one list for all intervals or one per interval (shape (intervals, k)). ``concurrency`` (k)
    defaults to the length of that list and may be smaller to use only its first k entries.
    ``patience_s``: mean exponential patience (None or inf: nobody abandons).
    """
    sl_definition = check_sl_definition(sl_definition)
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
    res = chat_core(c.astype(np.int64), vol / ivl, aht2, k, pat, awt, sl_definition)
    return QueueMetrics(*(np.reshape(getattr(res, name), shape) for name in
                          ("service_level", "asa_s", "p_wait", "abandon_rate", "occupancy", "mean_wait_s")),
                        sl_definition)


def chat_core(n_agents, lam, aht, k, patience, awt, sl_definition) -> QueueMetrics:
    """Chat metrics for validated flat arrays: agents, arrivals per second, per-chat handle times
    (rows, k) at 1..k chats held, mean patience (inf: none) and AWT in seconds."""
    rows = lam.shape[0]
    held = np.arange(1, k + 1)[None, :]
    rate = held / aht                                     # agent completion rate holding i chats
    rate_by_held = np.concatenate([np.zeros((rows, 1)), rate, rate[:, -1:]], axis=1)
    lam_pos = np.where(lam > 0, lam, 1.0)
    log_below, busy_below = _below_capacity(n_agents, k, lam_pos, rate_by_held)
    theta = np.where(np.isinf(patience), 0.0, 1.0 / patience)
    full_rate = n_agents * rate[:, -1]
    tail = queue_tail(lam_pos, full_rate, theta, awt)
    return assemble_metrics(lam, theta, awt, log_below, tail, busy_below, (n_agents * k).astype(float), sl_definition)
