"""Chat with routing: the exact chain over how many agents hold 0, 1, ..., k chats.

N agents each hold up to k chats; an agent holding i chats completes them at total rate
i / aht_i (``aht_i``: per-chat handle time while holding i). The state below capacity is the
*composition* (n_0, ..., n_k): n_i agents hold i chats (sum N). A new chat goes to an agent with a
free slot chosen by the routing rule:

- ``"least_loaded"`` (the usual rule, the default): an agent holding the fewest chats;
- ``"busiest_first"``: an agent holding the most chats that still has a free slot (fills agents);
- ``"random"``: an agent picked uniformly among those with a free slot.

When every agent holds k chats (the one *full* state) a new chat waits FCFS; the queue above the
full state is the birth-death tail of :mod:`.tail` (completions N k / aht_k, abandonment), entered
and left only through the full state, so the stationary distribution below capacity is that of the
finite chain with arrivals blocked at the full state, solved exactly per interval.

The chain moves one level at a time in the chats held h = sum i n_i (an arrival adds one, a
completion removes one), so its generator is block tridiagonal by level; it is solved by linear
level reduction (``R_h = -U_{h-1} (D_h + R_{h+1} L_{h+1})^{-1}`` from the full state down, then
``pi_h = pi_{h-1} R_h`` up from the empty floor, each level rescaled to sum 1 with its log scale kept),
batched over the intervals of one floor size with dense solves of the small level blocks: exact,
and far cheaper than a sparse LU of the whole chain (whose fill-in grows with the floor).

Size limit: the chain has C(N + k, k) states; up to :data:`MAX_STATES` it is solved exactly (a
level reduction per interval, a few ms at the limit). Beyond, the *routing penalty* approximation: the exact chain
of the largest floor within the limit (``n_ref`` agents, :func:`simulation.queueing.chat.reference_agents`),
fed the same arrival rate per agent, gives the penalty of the routing rule over the even spread,
log(mass below capacity, even) - log(same, routed); the even-spread chain of the real floor is
corrected by that penalty (and its chats held and agents busy by the ratios routed / even at
``n_ref``). The penalty depends on the load per agent only, so it is tabulated once per profile
and rule on 80 loads (share of the stability limit) and interpolated linearly.
The penalty changes slowly with N at a fixed load per agent (within about 0.02 in log, i.e. ~2%
of P(wait), from n_ref to 2 n_ref in the tests), and the even spread becomes exact as N grows.
Tested against the exact chain above the limit and against the simulator in
``tests/simulation/queueing/test_chat_routing.py``.
"""
from __future__ import annotations

from functools import lru_cache
from math import comb

import numpy as np
from scipy import special

from core.queue_model import CHAT_ROUTINGS

__all__ = ["ROUTINGS", "MAX_STATES", "n_states", "routed_below"]

ROUTINGS = CHAT_ROUTINGS
MAX_STATES = 2_000         # exact chain up to this many compositions (k=2: N <= 61, k=3: N <= 20, k=4: N <= 12)
_BLOCK_CELLS = 2_000_000   # level-matrix entries (rows x the chain's level-block cells) held in one batch


def n_states(n_agents: int, k: int) -> int:
    """Compositions of ``n_agents`` agents over 0..k chats held: C(N + k, k)."""
    return comb(int(n_agents) + k, k)


@lru_cache(maxsize=256)
def _space(n_agents: int, k: int, routing: str):
    """States and transitions of the composition chain (cached per floor size and rule).

    Returns (``held`` (M,) chats held, ``busy`` (M,) agents holding >= 1, ``full`` index,
    arrival transitions (src, dst, weight: share of the arrival rate), departure transitions
    (src, dst, level i, count n_i)).
    """
    parts = k + 1
    # stars and bars: compositions of N into k + 1 parts
    cuts = np.array(list(_combinations(n_agents + k, k)), dtype=np.int64).reshape(-1, k)
    ext = np.concatenate([np.full((cuts.shape[0], 1), -1), cuts,
                          np.full((cuts.shape[0], 1), n_agents + k)], axis=1)
    states = np.diff(ext, axis=1) - 1                               # (M, k+1), n_i agents hold i
    base = n_agents + 1
    weights = base ** np.arange(parts, dtype=np.int64)
    keys = states @ weights
    order = np.argsort(keys)
    keys_sorted = keys[order]

    def index(s):
        return order[np.searchsorted(keys_sorted, s @ weights)]

    levels = np.arange(parts)
    held = states @ levels
    busy = n_agents - states[:, 0]
    full = int(index(np.eye(parts, dtype=np.int64)[k:k + 1] * n_agents)[0])
    free = states[:, :k]                                            # agents with a free slot by level
    a_src, a_dst, a_w = [], [], []
    has_free = free.sum(axis=1) > 0
    if routing == "random":
        for i in range(k):
            src = np.flatnonzero(free[:, i] > 0)
            dst = states[src].copy()
            dst[:, i] -= 1
            dst[:, i + 1] += 1
            a_src.append(src)
            a_dst.append(index(dst))
            a_w.append(free[src, i] / free[src].sum(axis=1))
    else:
        pick = free > 0
        if routing == "least_loaded":
            lvl = np.argmax(pick, axis=1)
        else:
            lvl = k - 1 - np.argmax(pick[:, ::-1], axis=1)
        src = np.flatnonzero(has_free)
        dst = states[src].copy()
        dst[np.arange(src.size), lvl[src]] -= 1
        dst[np.arange(src.size), lvl[src] + 1] += 1
        a_src.append(src)
        a_dst.append(index(dst))
        a_w.append(np.ones(src.size))
    d_src, d_dst, d_lvl, d_cnt = [], [], [], []
    for i in range(1, parts):
        src = np.flatnonzero(states[:, i] > 0)
        dst = states[src].copy()
        dst[:, i] -= 1
        dst[:, i - 1] += 1
        d_src.append(src)
        d_dst.append(index(dst))
        d_lvl.append(np.full(src.size, i - 1))
        d_cnt.append(states[src, i].astype(float))
    cat = np.concatenate
    return (held.astype(float), busy.astype(float), full,
            (cat(a_src), cat(a_dst), cat(a_w)), (cat(d_src), cat(d_dst), cat(d_lvl), cat(d_cnt)))


def _combinations(n: int, r: int):
    from itertools import combinations
    for c in combinations(range(n), r):
        yield from c


def routed_below(n_agents: np.ndarray, k: int, lam: np.ndarray, rate: np.ndarray, routing: str):
    """Below-capacity quantities of the composition chain, per row (all rows exact).

    ``n_agents`` (rows,) int >= 1 with C(N + k, k) <= :data:`MAX_STATES`; ``lam`` (rows,) arrivals
    per second (> 0); ``rate`` (rows, k): an agent's completion rate holding 1..k chats.
    Returns ``log_below`` = log sum_{below} pi / pi(full), ``held_below`` and ``busy_below``: the
    mean chats held and the mean agents holding >= 1 chat, given the state is below capacity.
    """
    rows = lam.shape[0]
    log_below = np.zeros(rows)
    held_below = np.zeros(rows)
    busy_below = np.zeros(rows)
    for n in np.unique(n_agents):
        idx = np.flatnonzero(n_agents == n)
        step = max(1, _BLOCK_CELLS // _levels(int(n), k, routing)[-1])
        for start in range(0, idx.size, step):
            r = idx[start:start + step]
            lb, hb, bb = _solve_block(int(n), k, lam[r], rate[r], routing)
            log_below[r], held_below[r], busy_below[r] = lb, hb, bb
    return log_below, held_below, busy_below


@lru_cache(maxsize=256)
def _levels(n_agents: int, k: int, routing: str):
    """The chain by level h = chats held (0 .. N k): per level the agents holding >= 1 chat of its
    states; the arrivals h-1 -> h and the completions h+1 -> h as (source, target) positions within
    the levels, with the arrival share / (completion level, count); and the cells of all level blocks."""
    held, busy, _, (a_src, a_dst, a_w), (d_src, d_dst, d_lvl, d_cnt) = _space(n_agents, k, routing)
    lvl = held.astype(np.int64)
    top = n_agents * k
    pos = np.empty(lvl.size, np.int64)
    members = [np.flatnonzero(lvl == h) for h in range(top + 1)]
    for m in members:
        pos[m] = np.arange(m.size)
    ups = [np.flatnonzero(lvl[a_dst] == h) for h in range(top + 1)]
    downs = [np.flatnonzero(lvl[d_dst] == h) for h in range(top + 1)]
    up = [(pos[a_src[u]], pos[a_dst[u]], a_w[u]) for u in ups]
    down = [(pos[d_src[d]], pos[d_dst[d]], d_lvl[d], d_cnt[d]) for d in downs]
    sizes = [m.size for m in members]
    cells = sum(sizes[h] * (sizes[h] + sizes[h + 1]) for h in range(top)) + 1
    return [busy[m] for m in members], up, down, cells


def _solve_block(n: int, k: int, lam: np.ndarray, rate: np.ndarray, routing: str):
    """Stationary distributions of ``len(lam)`` chains of one floor size by linear level reduction
    (module docstring): ``(log_below, held_below, busy_below)`` per row.

    ``M_h = D_h + R_{h+1} L_{h+1}`` is the generator of the chain watched only on levels <= h,
    restricted to level h: its rows sum to minus the state's completion rate. Its diagonal is set
    from that (not by subtracting the returns from the outflow), so nothing cancels at heavy load."""
    busy, up, down, _ = _levels(n, k, routing)
    top = n * k
    b = lam.size
    sizes = [v.size for v in busy]

    def completions(h):  # (b, |h|) rate out of each state of level h to level h - 1, and L_h
        src, dst, lv, cnt = down[h - 1]
        val = cnt[None, :] * rate[:, lv]
        out = np.zeros((b, sizes[h]))
        np.add.at(out, (slice(None), src), val)
        low = np.zeros((b, sizes[h], sizes[h - 1]))
        low[:, src, dst] = val                 # one completion per (source, target) pair
        return out, low

    R = [None] * (top + 1)                     # R[h] (b, |h-1|, |h|): pi_h = pi_{h-1} R[h]
    d_out, low = completions(top)
    m = -d_out[:, :, None]                     # the full state: 1 x 1
    for h in range(top, 0, -1):
        src, dst, w = up[h]
        u = np.zeros((b, sizes[h - 1], sizes[h]))
        u[:, src, dst] = lam[:, None] * w[None, :]
        R[h] = -np.linalg.solve(np.swapaxes(m, 1, 2), np.swapaxes(u, 1, 2)).swapaxes(1, 2)
        if h > 1:
            d_prev, low_prev = completions(h - 1)
            m = R[h] @ low
            idx = np.arange(sizes[h - 1])
            m[:, idx, idx] = 0.0
            m[:, idx, idx] = -(m.sum(axis=2) + d_prev)
            low = low_prev
    # up from the empty floor, each level rescaled to sum 1 (log scale kept)
    v = np.ones((b, 1))
    log_scale = np.zeros((b, top + 1))
    busy_lvl = np.zeros((b, top + 1))
    for h in range(1, top + 1):
        w = np.einsum("bi,bij->bj", v, R[h])
        tot = w.sum(axis=1)
        v = w / tot[:, None]
        log_scale[:, h] = log_scale[:, h - 1] + np.log(tot)
        busy_lvl[:, h] = v @ busy[h]
    below = log_scale[:, :top]
    lse = special.logsumexp(below, axis=1)
    weight = np.exp(below - lse[:, None])
    log_below = lse - log_scale[:, top]
    held_below = weight @ np.arange(top, dtype=float)
    busy_below = np.sum(weight * busy_lvl[:, :top], axis=1)
    return log_below, held_below, busy_below
