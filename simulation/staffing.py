"""Inverse staffing: the smallest number of agents per interval that meets every target.

The search is vectorized over intervals: it starts at the square-root-staffing estimate
``a + beta sqrt(a)`` (Halfin-Whitt), gallops up or down with doubling steps until it brackets the
answer, then bisects, evaluating all intervals still searching in one numpy call per step. Every
target is monotone in the number of agents, so the result is exact: the returned count meets every
target and one agent fewer misses at least one (or is below a hard lower bound such as stability).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from core.checks import as_count_array, as_float_array, broadcast, check_target
from .chat import _chat_core, as_aht_matrix
from .erlang import _erlang_b_core
from .metrics import QueueMetrics, _check_sl_definition, _erlang_a_core, _erlang_c_metrics_core

_BETA_START = 1.0  # square-root staffing safety factor used only as the search's starting point


@dataclass(frozen=True)
class StaffingResult:
    """Agents per interval and what they deliver.

    ``agents``: smallest agent count meeting every target (logged-in, handling contacts).
    ``scheduled``: agents to schedule after shrinkage, ``ceil(agents / (1 - shrinkage))``.
    Predicted metrics at ``agents`` follow :class:`simulation.QueueMetrics`; ``model`` names the
    queueing model used (``"erlang_c"``, ``"erlang_a"`` or ``"chat"``).
    """

    agents: np.ndarray
    scheduled: np.ndarray
    service_level: np.ndarray
    asa_s: np.ndarray
    p_wait: np.ndarray
    abandon_rate: np.ndarray
    occupancy: np.ndarray
    mean_wait_s: np.ndarray
    model: str
    sl_definition: str
    targets: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Agents, scheduled agents and predicted metrics as a DataFrame, one row per interval."""
        return pd.DataFrame({f.name: np.ravel(getattr(self, f.name)) for f in fields(self)
                             if f.name not in ("model", "sl_definition", "targets")})


def required_agents(volume, interval_s, aht_s, *, awt_s=20.0, service_level=None, asa_s=None,
                    p_wait=None, abandon_rate=None, max_occupancy=None, patience_s=None,
                    shrinkage=0.0, concurrency=1, aht_by_concurrency_s=None, min_agents=0,
                    sl_definition="offered") -> StaffingResult:
    """Smallest agents per interval meeting every given target, then scheduled after shrinkage.

    Parameters
    ----------
    volume : array
        Contacts offered per interval (>= 0).
    interval_s : array or float
        Interval length in seconds (> 0).
    aht_s : array or float
        Mean handle time per contact in seconds (> 0). For chat this is the handle time of a chat
        at concurrency 1 in that interval; ``aht_by_concurrency_s`` is scaled to it.
    awt_s : float
        Acceptable waiting time for the service level, seconds.
    service_level : float in (0, 1), optional
        Target share answered within ``awt_s`` under ``sl_definition`` (see
        :mod:`simulation.metrics`; default: answered within AWT / offered).
    asa_s : float > 0, optional
        Maximum mean wait of answered contacts, seconds.
    p_wait : float in (0, 1), optional
        Maximum probability that a contact waits at all ("no waiting" chat: e.g. 0.05).
    abandon_rate : float in (0, 1), optional
        Maximum share of offered contacts that abandon (needs ``patience_s``).
    max_occupancy : float in (0, 1], optional
        Maximum share of agent capacity busy.
    patience_s : float, optional
        Mean exponential patience in seconds; given -> Erlang A (or chat with abandonment).
    shrinkage : float in [0, 1)
        Share of paid time not available for contacts.
    concurrency : int >= 1
        Chats an agent can hold at once; > 1 (or ``aht_by_concurrency_s``) selects the chat model.
    aht_by_concurrency_s : list of float, optional
        Per-chat handle time when holding 1..k chats; default ``aht_s`` at every level.
    min_agents : int >= 0
        Floor on agents per interval, also used for intervals with zero volume.

    Returns
    -------
    StaffingResult
    """
    sl_definition = _check_sl_definition(sl_definition)
    targets = {
        "service_level": check_target("service_level", service_level, 0.0, 1.0),
        "asa_s": check_target("asa_s", asa_s, 0.0, np.inf),
        "p_wait": check_target("p_wait", p_wait, 0.0, 1.0),
        "abandon_rate": check_target("abandon_rate", abandon_rate, 0.0, 1.0),
        "max_occupancy": check_target("max_occupancy", max_occupancy, 0.0, 1.0, high_inclusive=True),
    }
    if all(v is None for v in targets.values()):
        raise ValueError("required_agents: give at least one target (service_level, asa_s, p_wait, "
                         "abandon_rate or max_occupancy)")
    shrink = float(as_float_array("shrinkage", shrinkage, minimum=0.0, maximum=1.0, strict_max=True))
    try:
        k = int(concurrency)
    except (TypeError, ValueError):
        raise ValueError(f"concurrency: expected a whole number >= 1, got {concurrency!r}") from None
    if k != concurrency or k < 1:
        raise ValueError(f"concurrency: expected a whole number >= 1, got {concurrency!r}")
    floor_agents = int(as_count_array("min_agents", min_agents))

    vol = as_float_array("volume", volume, minimum=0)
    ivl = as_float_array("interval_s", interval_s, minimum=0, strict_min=True)
    aht = as_float_array("aht_s", aht_s, minimum=0, strict_min=True)
    awt = as_float_array("awt_s", awt_s, minimum=0)
    pat = as_float_array("patience_s", np.inf if patience_s is None else patience_s,
                         minimum=0, strict_min=True, allow_inf=True)
    vol, ivl, aht, awt, pat = broadcast(volume=vol, interval_s=ivl, aht_s=aht, awt_s=awt, patience_s=pat)
    shape = vol.shape
    vol, ivl, aht, awt, pat = (np.array(v, float).ravel() for v in (vol, ivl, aht, awt, pat))
    lam = vol / ivl

    chat = k > 1 or aht_by_concurrency_s is not None
    if chat:
        base = as_aht_matrix(aht_by_concurrency_s if aht_by_concurrency_s is not None else [1.0] * k)
        if base.ndim != 1:
            raise ValueError("aht_by_concurrency_s: give one list of handle times by concurrency; "
                             "per-interval changes come through aht_s")
        if aht_by_concurrency_s is not None and concurrency == 1:
            k = base.shape[0]
        if base.shape[0] < k:
            raise ValueError(f"aht_by_concurrency_s: {base.shape[0]} handle times for concurrency {k}")
        base = base[:k]
        aht_matrix = aht[:, None] * (base / base[0])[None, :]
        model = "chat"
    elif np.isfinite(pat).any():
        model = "erlang_a"
    else:
        model = "erlang_c"
    if targets["abandon_rate"] is not None and not np.isfinite(pat).all():
        raise ValueError("abandon_rate: an abandonment target needs patience_s (without patience "
                         "nobody abandons)")

    def evaluate(c: np.ndarray, rows: np.ndarray) -> QueueMetrics:
        if model == "chat":
            return _chat_core(c.astype(np.int64), lam[rows], aht_matrix[rows], k, pat[rows], awt[rows],
                              sl_definition)
        if model == "erlang_a":
            return _erlang_a_core(c.astype(float), lam[rows], aht[rows], pat[rows], awt[rows], sl_definition)
        return _erlang_c_metrics_core(c.astype(float), lam[rows] * aht[rows], aht[rows], awt[rows])

    def meets(c: np.ndarray, rows: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        if b is None:
            m = evaluate(c, rows)
        else:  # Erlang C with Erlang B already known (the recursion walk)
            m = _erlang_c_metrics_core(c, lam[rows] * aht[rows], aht[rows], awt[rows], b=b)
        ok = np.ones(c.shape, bool)
        if targets["service_level"] is not None:
            ok &= m.service_level >= targets["service_level"] - 1e-12
        if targets["asa_s"] is not None:
            ok &= m.asa_s <= targets["asa_s"]
        if targets["p_wait"] is not None:
            ok &= m.p_wait <= targets["p_wait"]
        if targets["abandon_rate"] is not None:
            ok &= m.abandon_rate <= targets["abandon_rate"]
        if targets["max_occupancy"] is not None:
            ok &= m.occupancy <= targets["max_occupancy"] + 1e-12
        return ok

    # Load in agent units: Erlangs for voice, fully loaded agents for chat.
    if chat:
        load = lam * aht_matrix[:, -1] / k
    else:
        load = lam * aht
    active = vol > 0
    # Hard lower bounds: at least one agent; stability without abandonment; the occupancy cap.
    lower = np.ones(vol.shape)
    stable_needed = ~np.isfinite(pat)
    lower = np.where(stable_needed, np.maximum(lower, np.floor(load) + 1.0), lower)
    if targets["max_occupancy"] is not None:
        lower = np.maximum(lower, np.ceil(load / targets["max_occupancy"] - 1e-9))
    agents = np.full(vol.shape, float(floor_agents))
    rows = np.flatnonzero(active)
    if rows.size:
        start = np.maximum(lower[rows], np.ceil(load[rows] + _BETA_START * np.sqrt(load[rows])))
        if model == "erlang_a" and any(targets[t] is not None for t in ("service_level", "asa_s", "p_wait")):
            # Erlang C's answer for the same targets is cheap and usually within a few agents.
            voice = {t: targets[t] for t in ("service_level", "asa_s", "p_wait")}
            start = required_agents(vol[rows], ivl[rows], aht[rows], awt_s=awt[rows],
                                    **voice).agents.astype(float)
            start = np.maximum(start, lower[rows])
        if model == "erlang_c":
            found = _walk_erlang_c(meets, rows, start, lower[rows], load[rows])
        else:
            found = _minimal_passing(meets, rows, start, lower[rows])
        agents[rows] = np.maximum(found, floor_agents)
    agents_int = agents.astype(np.int64)
    scheduled = np.ceil(agents / (1.0 - shrink) - 1e-9).astype(np.int64)

    final = evaluate(agents, np.arange(agents.size))
    zero = ~active
    metrics = {}
    for name in ("service_level", "asa_s", "p_wait", "abandon_rate", "occupancy", "mean_wait_s"):
        arr = np.array(getattr(final, name), float)
        if zero.any():  # no contacts: nothing waits, nothing is lost
            arr[zero] = {"service_level": 1.0}.get(name, 0.0)
        metrics[name] = arr.reshape(shape)
    return StaffingResult(agents_int.reshape(shape), scheduled.reshape(shape), model=model,
                          sl_definition=sl_definition,
                          targets={k_: v for k_, v in targets.items() if v is not None} | {"awt_s": awt_s},
                          **metrics)


def _walk_erlang_c(meets, rows: np.ndarray, start: np.ndarray, lower: np.ndarray,
                   load: np.ndarray) -> np.ndarray:
    """Smallest c >= lower meeting the targets, for Erlang C, by walking from ``start``.

    Erlang B is computed once, at the start, in closed form; each step then uses the recursion
    1/B(c+1) = 1 + (c+1)/a * 1/B(c) upward or 1/B(c-1) = a/c * (1/B(c) - 1) downward. Downward steps
    stay above the load (c > a), where the factor a/c < 1 damps rounding errors, so every step is as
    exact as the closed form. Each step is one vectorized call over the rows still walking.
    """
    c = np.maximum(start, lower).astype(float)
    inv_b = 1.0 / _erlang_b_core(c, load)
    ok = meets(c, rows, 1.0 / inv_b)
    result = np.where(ok, c, np.nan)
    # Rows that pass: step down while one agent fewer still passes.
    idx = np.flatnonzero(ok & (c > lower))
    cur_c, cur_inv = c[idx], inv_b[idx]
    while idx.size:
        cand = cur_c - 1.0
        cand_inv = load[idx] / cur_c * (cur_inv - 1.0)
        res = meets(cand, rows[idx], 1.0 / cand_inv)
        result[idx[res]] = cand[res]
        keep = res & (cand > lower[idx])
        idx, cur_c, cur_inv = idx[keep], cand[keep], cand_inv[keep]
    # Rows that fail: step up until they pass.
    idx = np.flatnonzero(~ok)
    cur_c, cur_inv = c[idx], inv_b[idx]
    while idx.size:
        cand = cur_c + 1.0
        cand_inv = 1.0 + cand / load[idx] * cur_inv
        res = meets(cand, rows[idx], 1.0 / cand_inv)
        result[idx[res]] = cand[res]
        keep = ~res
        idx, cur_c, cur_inv = idx[keep], cand[keep], cand_inv[keep]
        if idx.size and (cur_c > 1e7).any():
            raise RuntimeError("required_agents: no staffing up to 10 million agents meets the targets")
    return result


def _minimal_passing(meets, rows: np.ndarray, start: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Smallest integer c >= lower with meets(c) True, per row, for monotone ``meets``.

    Gallops from ``start`` (doubling steps) to bracket the answer, then bisects; each step is one
    vectorized call on the rows still searching.
    """
    start = np.maximum(start, lower)
    ok = meets(start, rows)
    # Bracket: lo fails (or is below the lower bound), hi passes.
    hi = np.where(ok, start, np.nan)
    lo = np.where(ok, np.nan, start)
    # Rows that pass at the start: gallop down.
    step = np.ones(rows.shape)
    down = ok & (start > lower)
    lo = np.where(ok & ~down, lower - 1.0, lo)
    while down.any():
        cand = np.maximum(hi[down] - step[down], lower[down])
        res = meets(cand, rows[down])
        idx = np.flatnonzero(down)
        hi[idx[res]] = cand[res]
        lo[idx[~res]] = cand[~res]
        step[idx] *= 2
        at_floor = res & (cand <= lower[idx])
        lo[idx[at_floor]] = lower[idx[at_floor]] - 1.0
        down[idx[~res | at_floor]] = False
    # Rows that fail at the start: gallop up.
    step = np.maximum(1.0, np.ceil(0.02 * start))
    up = ~ok
    while up.any():
        idx = np.flatnonzero(up)
        cand = lo[idx] + step[idx]
        res = meets(cand, rows[idx])
        hi[idx[res]] = cand[res]
        lo[idx[~res]] = cand[~res]
        step[idx] *= 2
        up[idx[res]] = False
        if (cand > 1e7).any():
            raise RuntimeError("required_agents: no staffing up to 10 million agents meets the targets")
    # Bisect.
    while True:
        gap = hi - lo
        idx = np.flatnonzero(gap > 1)
        if idx.size == 0:
            return hi
        mid = np.floor((lo[idx] + hi[idx]) / 2.0)
        res = meets(mid, rows[idx])
        hi[idx[res]] = mid[res]
        lo[idx[~res]] = mid[~res]
